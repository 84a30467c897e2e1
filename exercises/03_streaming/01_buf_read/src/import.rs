//! Orders from an upload: [`Order`], and what stops an import ([`ImportError`]).

use std::error::Error;
use std::fmt;
use std::io::{self, Read};

use crate::{ParseError, Position, Record, records};

/// One row of an orders upload: `customer_id,email,amount_cents`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// The customer's number.
    pub customer_id: u64,
    /// The customer's email address, as written in the file.
    pub email: String,
    /// The amount in cents; negative for a refund.
    pub amount_cents: i64,
}

impl Order {
    /// Reads an order from the three fields of `record`.
    pub fn from_record(record: &Record<'_>) -> Result<Order, ParseError> {
        Ok(Order {
            customer_id: record.number(0)?,
            email: record.text(1)?.to_string(),
            amount_cents: record.number(2)?,
        })
    }
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
        // `bad / rows * 100 > percent` in whole numbers is wrong twice: `bad / rows` is 0
        // for any share under 100%, and it divides by zero for a file without rows.
        // Multiplying both sides by `rows` keeps the comparison exact and division-free.
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
            total.checked_add(i128::from(order.amount_cents))
        })?;
        i64::try_from(total).ok()
    }
}

/// How many characters [`excerpt`] shows at most.
pub const EXCERPT_CHARS: usize = 40;

/// The text of `input` from `position` to the end of its line, at most [`EXCERPT_CHARS`]
/// characters: what a support person sees next to an error message.
///
/// Returns `None` when `position` is not a place in `input`: past its end, or inside a
/// character (a position that came from another input). `Some("")` at the end of a line.
pub fn excerpt(input: &str, position: Position) -> Option<&str> {
    // `get` instead of `&input[position.byte..]`: the slice panics on both mistakes above;
    // `get` returns `None`, which `?` passes on.
    let rest = input.get(position.byte..)?;
    // The last line of a file often has no line break: no `.find('\n').unwrap()`.
    let line = match rest.split_once('\n') {
        Some((line, _)) => line.strip_suffix('\r').unwrap_or(line),
        None => rest,
    };
    // Cut after EXCERPT_CHARS *characters*. `&line[..EXCERPT_CHARS]` would count bytes, panic
    // on a line shorter than that, and panic again when the cut falls inside an `é`.
    // `char_indices` only yields char boundaries, so the `get` below always succeeds.
    let end = line
        .char_indices()
        .nth(EXCERPT_CHARS)
        .map_or(line.len(), |(index, _)| index);
    line.get(..end)
}

/// What stops [`import_orders`]. A bad row does not: it goes into the [`Report`].
///
/// The impls below are written by hand rather than derived with `thiserror`, because of
/// `TooManyBadRows`: its source is *computed* (the first bad row of the report), and
/// `thiserror` can only make a whole field the source. The other variants would derive as
/// `#[error("could not read the upload")] Io(#[from] io::Error)` and
/// `#[error(transparent)] Header(ParseError)`.
#[derive(Debug)]
pub enum ImportError {
    /// The upload could not be read. The `io::Error` says why.
    Io(io::Error),
    /// The header row is malformed, so no row can be trusted.
    Header(ParseError),
    /// More rows are bad than the budget allows. The report holds the bad rows read so far.
    TooManyBadRows {
        /// The rows read until the import stopped.
        report: Report,
        /// The budget that was exceeded.
        budget: ErrorBudget,
    },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The reason ("permission denied") is the `source()`, so it is not repeated here.
            ImportError::Io(_) => f.write_str("could not read the upload"),
            // A `ParseError` already says everything: this variant is only a wrapper.
            ImportError::Header(error) => error.fmt(f),
            ImportError::TooManyBadRows { report, budget } => write!(
                f,
                "too many bad rows: {} of the {} rows read (at most {} rows and {}% may be bad)",
                report.bad_rows.len(),
                report.rows,
                budget.max_bad_rows,
                budget.max_bad_percent
            ),
        }
    }
}

impl Error for ImportError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            ImportError::Io(cause) => Some(cause),
            // `Header` prints the `ParseError` itself, so its source is the `ParseError`'s
            // source. Returning the `ParseError` here would print its message twice in a
            // report that walks the chain. (`thiserror` calls this `#[error(transparent)]`.)
            ImportError::Header(error) => error.source(),
            // The first bad row is a concrete example of what is wrong with the file, which
            // is what a support person looks at first.
            ImportError::TooManyBadRows { report, .. } => report
                .bad_rows
                .first()
                .map(|error| error as &(dyn Error + 'static)),
        }
    }
}

// `?` uses this: in a function returning `Result<_, ImportError>`,
// `reader.read_to_string(&mut text)?` on an `io::Error` calls `ImportError::from(error)`.
//
// There is deliberately no `From<ParseError>` any more. With it, `row?` would compile and
// stop the whole file at the first bad row, the very bug this step removes. Without it, the
// compiler refuses `row?`, and a file-level error has to be made on purpose (`map_err`).
impl From<io::Error> for ImportError {
    fn from(cause: io::Error) -> ImportError {
        ImportError::Io(cause)
    }
}

// TODO(3.1): stream. `import_orders` takes `input: impl BufRead` instead of a `Read` and reads
// it record by record with a `Reader`, into one `RecordBuf` for the whole upload, header
// included; `Order::from_record` takes a `&RecordBuf` (`import_orders_streams_from_a_buf_read`).
// Each `ReadError` goes one way, on purpose: `Row` in the header is `ImportError::Header`,
// and the import stops there without reading on
// (`import_orders_stops_at_a_bad_header_without_reading_on`); `Row` in a later row is a bad
// row for the report, as in step 2.5; `Io` is `ImportError::Io`. The counting and the budget
// stay as they are. (`Reader`, `RecordBuf` and `ReadError` are in the crate root:
// `use crate::{...}`; the compiler then points at `app.rs`.)
/// Reads an orders upload: a header row, then one [`Order`] per row.
///
/// The header is skipped (it is checked by name in Part 3), but a malformed header stops the
/// file. Every other bad row is recorded in the report and reading goes on, until the
/// `budget` is exceeded.
pub fn import_orders(mut reader: impl Read, budget: &ErrorBudget) -> Result<Import, ImportError> {
    let mut text = String::new();
    reader.read_to_string(&mut text)?;
    let mut rows = records(&text);
    if let Some(header) = rows.next() {
        header.map_err(ImportError::Header)?;
    }
    let mut orders = Vec::new();
    let mut report = Report::default();
    for row in rows {
        report.rows += 1;
        // A malformed row and a bad value are both `ParseError`s, so `and_then` chains the
        // two steps and one `match` handles the outcome.
        match row.and_then(|record| Order::from_record(&record)) {
            Ok(order) => orders.push(order),
            Err(error) => {
                report.bad_rows.push(error);
                // Checked after every bad row, so a file of a million bad rows stops early.
                if budget.count_exceeded(&report) {
                    return Err(too_many_bad_rows(report, budget));
                }
            }
        }
    }
    // The share is checked once, at the end: only then is the number of rows known.
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
