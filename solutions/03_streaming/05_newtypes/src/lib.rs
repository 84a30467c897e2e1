//! Step 3.5: the reference streaming CSV parser, with validated newtypes.
//!
//! It reads hostile uploads from any [`BufRead`] in bounded memory, never panics, reports every
//! bad row with its line, column and field, and turns good rows into typed values that cannot
//! be invalid. Three levels, each usable on its own:
//!
//! - [`Reader::read_record`] fills one reused [`RecordBuf`] per call: text checked as UTF-8,
//!   split into fields, with their positions. Once the buffer has grown to the largest record,
//!   reading allocates nothing per row. [`Limits`] bound that size.
//! - [`Rows`] reads a header and deserializes each record into a `T: Deserialize`, mapping
//!   columns by name and naming the column in every error.
//! - [`import_orders_with`] reads [`Order`]s, whose fields are validated newtypes
//!   ([`CustomerId`], [`Email`], [`AmountCents`]), hands each to a closure as it is read,
//!   collects bad rows into a [`Report`] and applies an [`ErrorBudget`], in memory that does
//!   not grow with the file: the import for uploads. [`import_orders`] collects the orders
//!   into a `Vec`, for small files and tests. [`import_file_with`] and [`import_file`] do the
//!   same for a path, with `anyhow` context.
//!
//! Errors come in two levels (pattern ERR-3): a [`ParseError`] says what is wrong where; a
//! [`ReadError`] says whether reading goes on ([`ReadError::Row`]) or not ([`ReadError::Fatal`],
//! [`ReadError::Io`]).
//!
//! Modules: `newtypes` (this step), `app`. This file keeps [`Order`] and the import, the parts
//! that change with `Order`; everything else is step 3.4's reference, used unchanged.

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

// Built in earlier steps and used here unchanged: each item comes from the reference
// solution of the step that last changed it (`step_N_M` in Cargo.toml), so `src/` holds
// only what this step changes, and what depends on `Order`. The reader, the records, the
// limits, the errors and the typed rows are step 3.4's (its reader is step 3.3's).
pub use step_3_4::{
    EXCERPT_CHARS, ErrorBudget, ErrorKind, Header, ImportError, Limits, ParseError, Position,
    ReadError, Reader, RecordBuf, Report, Rows, VALUE_CHARS, excerpt, quote_value,
};

// Changed in this step (`newtypes`), or built on `Order`, which this step changes (`app`).
pub mod app;
mod newtypes;

pub use app::{import_file, import_file_with};
pub use newtypes::{
    AmountCents, CustomerId, Email, InvalidAmount, InvalidCustomerId, InvalidEmail,
};

use std::io::BufRead;

use serde::{Deserialize, Serialize};

/// One row of an orders upload, with columns `customer_id`, `email` and `amount_cents` in any
/// order.
///
/// Every field is a validated type, so an `Order` that exists is a valid order: code after
/// the import never checks an email again (pattern TYPE-1). `deny_unknown_fields` makes an
/// unexpected column an error: an upload with an `amount` column is probably the wrong file,
/// not one to guess at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// The customer's number.
    pub customer_id: CustomerId,
    /// The customer's email address, as written in the file.
    pub email: Email,
    /// The amount; negative for a refund.
    pub amount_cents: AmountCents,
}

/// A finished small-file import ([`import_orders`]): the orders from the good rows, and the
/// report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// One order per good row, in the order of the file.
    pub orders: Vec<Order>,
    /// The row count and every bad row.
    pub report: Report,
}

impl Import {
    /// The sum of the amounts of all orders, or `None` when it does not fit in an `i64`.
    pub fn total_cents(&self) -> Option<i64> {
        // Amounts come from the upload, so their sum is hostile input too: two rows of
        // 9223372036854775807 overflow an `i64`. `.sum()` would panic in a debug build and,
        // worse, silently wrap around in a release build. Summing in `i128` cannot overflow
        // for any number of orders a `Vec` can hold (each adds less than 2^63, and there are
        // fewer than 2^63 of them), and `checked_add` says so in the code rather than in this
        // comment. `i64::try_from` then says whether the total fits. Folding `checked_add` in
        // `i64` would be wrong the other way: `[i64::MAX, 1, -1]` overflows half-way, although
        // its total fits.
        let total = self.orders.iter().try_fold(0_i128, |total, order| {
            total.checked_add(i128::from(order.amount_cents.get()))
        })?;
        i64::try_from(total).ok()
    }
}

/// Reads an orders upload from any [`BufRead`] and hands each good [`Order`] to `sink` as
/// soon as it is read: the import to use for uploads.
///
/// Memory holds one record (bounded by the default [`Limits`]) and the report (at most
/// `budget.max_bad_rows + 1` bad rows), never the orders: a 1 GB upload costs what a 10 MB one
/// does. Columns are matched by name. Every bad row is recorded in the report and reading goes
/// on, until the `budget` is exceeded.
///
/// The sink sees orders before the end of the file, so before the file is known to be
/// acceptable: an error can still come after it saw some. Write them where they can be undone
/// (a transaction, a staging table) and commit on `Ok`. Rejected: collecting the orders and
/// handing them over at the end, which is what made the import's memory grow with the file
/// (2.27 GB for a 1 GB upload); that remains available for small files as [`import_orders`].
///
/// # Errors
///
/// [`ImportError::Io`] when the upload cannot be read, [`ImportError::Header`] for a header
/// that is malformed or does not fit [`Order`], [`ImportError::Fatal`] for a UTF-16
/// file, and [`ImportError::TooManyBadRows`] when the budget is exceeded.
pub fn import_orders_with(
    input: impl BufRead,
    budget: &ErrorBudget,
    mut sink: impl FnMut(Order),
) -> Result<Report, ImportError> {
    let rows = Rows::<_, Order>::new(Reader::new(input)).map_err(|error| match error {
        ReadError::Io(cause) => ImportError::Io(cause),
        ReadError::Row(error) | ReadError::Fatal(error) => ImportError::Header(error),
    })?;
    let mut report = Report::default();
    for row in rows {
        // One `match`, one path per kind of outcome. There is no `From<ReadError>` for
        // `ImportError`, so a row error cannot stop the import by accident through `?`.
        match row {
            Ok(order) => {
                report.rows += 1;
                sink(order);
            }
            Err(ReadError::Row(error)) => {
                report.rows += 1;
                report.bad_rows.push(error);
                // Checked after every bad row, so a file of a million bad rows stops early.
                if budget.count_exceeded(&report) {
                    return Err(too_many_bad_rows(report, budget));
                }
            }
            Err(ReadError::Fatal(error)) => return Err(ImportError::Fatal(error)),
            Err(ReadError::Io(cause)) => return Err(ImportError::Io(cause)),
        }
    }
    // The share is checked once, at the end: only then is the number of rows known.
    if budget.share_exceeded(&report) {
        return Err(too_many_bad_rows(report, budget));
    }
    Ok(report)
}

/// Reads a small orders upload into memory: every order in one `Vec`, then the report.
///
/// A convenience for tests and small files only: memory grows with the file (each order is a
/// few dozen bytes plus its email). For uploads, use [`import_orders_with`], which hands each
/// order on as it is read and keeps none.
///
/// # Errors
///
/// As [`import_orders_with`].
pub fn import_orders(input: impl BufRead, budget: &ErrorBudget) -> Result<Import, ImportError> {
    let mut orders = Vec::new();
    let report = import_orders_with(input, budget, |order| orders.push(order))?;
    Ok(Import { orders, report })
}

fn too_many_bad_rows(report: Report, budget: &ErrorBudget) -> ImportError {
    ImportError::TooManyBadRows {
        report,
        budget: *budget,
    }
}

// The step's lesson, so that `cargo test --doc` compiles its `rust` code blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../../exercises/03_streaming/05_newtypes/README.md")]
pub struct Lesson;
