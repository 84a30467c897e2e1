//! The orders import: typed rows, a report of the bad ones, and an error budget.

use std::io::{self, BufRead};

use serde::{Deserialize, Serialize};

use crate::error::{ParseError, ReadError};
use crate::newtypes::{AmountCents, CustomerId, Email};
use crate::reader::Reader;
use crate::typed::Rows;

/// One row of an orders upload, with columns `customer_id`, `email` and `amount_cents` in any
/// order.
///
/// Every field is a validated type, so an `Order` that exists is a valid order: code after the
/// import never checks an email again. `deny_unknown_fields` makes an unexpected column an
/// error: an upload with an `amount` column is probably the wrong file, not one to guess at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// The customer's number.
    pub customer_id: CustomerId,
    /// The customer's email address.
    pub email: Email,
    /// The amount; negative for a refund.
    pub amount_cents: AmountCents,
}

/// How many bad rows an upload may have before it is rejected as a whole.
///
/// A few bad rows in a big file are typos: import the rest and report them. Many bad rows
/// mean the wrong file or the wrong format, and importing "the rest" would be importing noise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorBudget {
    /// Stop reading as soon as there are more bad rows than this. This bounds the time and the
    /// memory a hopeless file can cost: the report never holds more than `max_bad_rows + 1`.
    pub max_bad_rows: usize,
    /// Reject the file when, at its end, more than this percentage of its rows are bad.
    pub max_bad_percent: u8,
}

impl Default for ErrorBudget {
    fn default() -> ErrorBudget {
        ErrorBudget {
            max_bad_rows: 1000,
            max_bad_percent: 5,
        }
    }
}

impl ErrorBudget {
    /// `true` when `report` has more bad rows than `max_bad_rows`.
    pub fn count_exceeded(&self, report: &Report) -> bool {
        report.bad_rows.len() > self.max_bad_rows
    }

    /// `true` when more than `max_bad_percent` of the rows in `report` are bad.
    ///
    /// Only meaningful for a whole file: after one row, one bad row is 100%.
    pub fn share_exceeded(&self, report: &Report) -> bool {
        // Cross-multiplied: exact in whole numbers, and no division by zero for no rows.
        let bad = report.bad_rows.len();
        bad * 100 > usize::from(self.max_bad_percent) * report.rows
    }
}

/// What happened to the rows of an upload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The rows read after the header, good and bad. Blank lines are not rows.
    pub rows: usize,
    /// Every bad row, in the order of the file, each with its line, column, field and reason.
    pub bad_rows: Vec<ParseError>,
}

/// A finished import: the orders from the good rows, and the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// One order per good row, in the order of the file.
    pub orders: Vec<Order>,
    /// The row count and every bad row.
    pub report: Report,
}

/// What stops [`import_orders`]. A bad row does not: it goes into the [`Report`].
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The upload could not be read.
    #[error("could not read the upload")]
    Io(#[source] io::Error),
    /// The header row is malformed or names a column twice, so no row can be trusted.
    #[error(transparent)]
    Header(ParseError),
    /// The file cannot be read on from this place: a limit was exceeded, a quote is never
    /// closed, or the header lacks a column (or has one too many).
    #[error(transparent)]
    Fatal(ParseError),
    /// More rows are bad than the budget allows. The report holds the bad rows read so far.
    #[error(
        "too many bad rows: {} of the {} rows read (at most {} rows and {}% may be bad)",
        report.bad_rows.len(), report.rows, budget.max_bad_rows, budget.max_bad_percent
    )]
    TooManyBadRows {
        /// The rows read until the import stopped.
        report: Report,
        /// The budget that was exceeded.
        budget: ErrorBudget,
    },
}

/// Reads an orders upload from any `BufRead`: a header, then one [`Order`] per row.
///
/// Memory is bounded by the default [`Limits`](crate::Limits) plus the orders kept. Bad rows
/// go into the report and reading goes on, until the `budget` is exceeded.
///
/// # Errors
///
/// See [`ImportError`]: an unreadable input, a bad header, a fatal parse error, or too many
/// bad rows.
pub fn import_orders(input: impl BufRead, budget: &ErrorBudget) -> Result<Import, ImportError> {
    let rows = Rows::<_, Order>::new(Reader::new(input)).map_err(|error| match error {
        ReadError::Io(cause) => ImportError::Io(cause),
        ReadError::Row(error) | ReadError::Fatal(error) => ImportError::Header(error),
    })?;
    let mut orders = Vec::new();
    let mut report = Report::default();
    for row in rows {
        // Three outcomes, three paths. There is no `From<ReadError> for ImportError`, so a
        // row error cannot stop the import by accident through `?` (pattern ERR-3).
        match row {
            Ok(order) => {
                report.rows += 1;
                orders.push(order);
            }
            Err(ReadError::Row(error)) => {
                report.rows += 1;
                report.bad_rows.push(error);
                if budget.count_exceeded(&report) {
                    return Err(too_many_bad_rows(report, budget));
                }
            }
            Err(ReadError::Fatal(error)) => return Err(ImportError::Fatal(error)),
            Err(ReadError::Io(cause)) => return Err(ImportError::Io(cause)),
        }
    }
    if budget.share_exceeded(&report) {
        return Err(too_many_bad_rows(report, budget));
    }
    Ok(Import { orders, report })
}

fn too_many_bad_rows(report: Report, budget: &ErrorBudget) -> ImportError {
    ImportError::TooManyBadRows {
        report,
        budget: *budget,
    }
}
