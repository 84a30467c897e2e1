//! Step 3.4: typed rows with serde, mapped by header name.
//!
//! Two levels, each usable on its own:
//!
//! - [`Reader::read_record`] fills one reused [`RecordBuf`] per call from any [`BufRead`]:
//!   text checked as UTF-8, split into fields, with their positions, in memory bounded by
//!   [`Limits`].
//! - [`Rows`] reads a header and deserializes each record into a `T: Deserialize`, mapping
//!   columns by name and naming the column in every error.
//!
//! [`import_orders_with`] reads [`Order`]s with [`Rows`] and hands each to a closure as it is
//! read, in memory that does not grow with the file: the import for uploads.
//! [`import_orders`] collects them into a `Vec`, a convenience for small files and tests.
//! [`import_file_with`] and [`import_file`] do the same for a path.
//!
//! Errors come in two levels (pattern ERR-3): a [`ParseError`] says what is wrong where; a
//! [`ReadError`] says whether reading goes on ([`ReadError::Row`]) or not ([`ReadError::Fatal`],
//! [`ReadError::Io`]).
//!
//! Modules: `reader` (the state machine and the read loop), `record` (the reused buffer),
//! `utf8` (where a bad byte is), `typed`, `de` (serde) and `columns` (does a header fit),
//! `app`; [`Limits`] is step 3.3's. This file keeps the types Part 2 built: positions, errors,
//! the budget and the import.

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

// Built in step 3.3 and used here unchanged: it comes from its reference solution
// (`step_3_3` in Cargo.toml). The reader, the records and `Position` stay in `src/`: the
// errors they make are this step's `ParseError`, which gains column names and notes here, and
// a type from step 3.3 would be another type (`step_3_3::ParseError`).
pub use step_3_3::Limits;

pub mod app;
mod columns;
mod de;
mod reader;
mod record;
mod typed;
mod utf8;

pub use app::{import_file, import_file_with};
pub use reader::Reader;
pub use record::RecordBuf;
pub use typed::{Header, Rows};

use std::error::Error;
use std::fmt;
use std::io::{self, BufRead};
use std::num::ParseIntError;

use serde::{Deserialize, Serialize};

/// A place in the input: 1-based line and column, and the 0-based byte offset.
///
/// `column` counts characters, not bytes, so that it matches what the customer's editor shows:
/// in `café,x` the `x` is in column 6, although it is the seventh byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// The line, counting from 1. A line break inside a quoted field starts a new line too.
    pub line: usize,
    /// The character on that line, counting from 1.
    pub column: usize,
    /// How many bytes of input come before this place (a byte order mark included).
    pub byte: usize,
}

impl Position {
    /// The very start of the input.
    pub const START: Position = Position {
        line: 1,
        column: 1,
        byte: 0,
    };

    /// Moves this position past one byte of input.
    pub fn advance(&mut self, byte: u8) {
        self.byte += 1;
        if byte == b'\n' {
            self.line += 1;
            self.column = 1;
        } else if !is_utf8_continuation(byte) {
            // A character is one to four bytes in UTF-8 and only its first byte moves the
            // column. Counting bytes instead would put every column after an `é` one too far.
            self.column += 1;
        }
    }

    /// Moves this position past a byte that ends a line (`\n`, or `\r` on its own).
    pub(crate) fn new_line(&mut self) {
        self.byte += 1;
        self.line += 1;
        self.column = 1;
    }

    /// Moves this position past a byte that belongs to something already counted: the `\n`
    /// of a `\r\n`, or a byte of the byte order mark.
    pub(crate) fn skip_byte(&mut self) {
        self.byte += 1;
    }

    /// The position one ASCII character further on the same line.
    pub(crate) fn next_column(self) -> Position {
        Position {
            column: self.column + 1,
            byte: self.byte + 1,
            ..self
        }
    }
}

/// `true` for the second, third and fourth bytes of a UTF-8 character (`0b10xx_xxxx`).
fn is_utf8_continuation(byte: u8) -> bool {
    byte & 0b1100_0000 == 0b1000_0000
}

/// The hint of [`ErrorKind::FieldTooLong`]: only a field that starts with a quote gets it.
fn quoted_hint(quoted: bool) -> &'static str {
    if quoted {
        " (it starts with a quote: check that the quote is closed where the field should end)"
    } else {
        ""
    }
}

/// What is wrong with a row.
///
/// `thiserror` writes `Display` from the `#[error]` texts and `Error::source` from the
/// `#[source]` field: the same code as the hand-written impls of step 2.3, generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    // Each message says what is wrong and how to fix the file: the reader is a support person
    // or the customer, not the developer who wrote the parser.
    /// A `"` inside a field that does not start with one, as in `5" screen`.
    #[error(
        "unexpected quote in an unquoted field (quote the whole field and write the quote as \"\")"
    )]
    StrayQuote,
    /// Text after the closing quote of a field, as in `"ab"c`.
    #[error(
        "unexpected text after a closing quote (quote the whole field and write each quote inside it as \"\")"
    )]
    TextAfterQuote,
    /// The row ends before this field.
    #[error("missing field (the row ends too early)")]
    MissingField,
    /// The field should hold a whole number and does not. The `ParseIntError` says why.
    ///
    /// The reason ("invalid digit found in string") is the `source()`, not part of the
    /// message: a report that prints the whole chain would otherwise print it twice. So the
    /// message does not say `{0}`.
    #[error("not a whole number")]
    InvalidNumber(#[source] ParseIntError),
    /// The bytes here are not UTF-8 (the file is probably Latin-1 or Windows-1252).
    #[error(
        "invalid UTF-8 (the file is probably in another encoding, such as Latin-1: save it as UTF-8)"
    )]
    InvalidUtf8,
    /// The file is UTF-16 (a NUL byte on its first line gives it away): no row of it can be
    /// read as UTF-8, so the whole file is refused.
    #[error("the file is UTF-16, not UTF-8 (save it as UTF-8)")]
    Utf16,
    /// A field is longer than [`Limits::max_field_bytes`].
    #[error("field longer than {limit} bytes{}", quoted_hint(*.quoted))]
    FieldTooLong {
        /// The limit, in bytes.
        limit: usize,
        /// The field starts with a quote, which may close far too late.
        quoted: bool,
    },
    /// A record is longer than [`Limits::max_record_bytes`].
    #[error("row longer than {limit} bytes")]
    RecordTooLong {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A record has more fields than [`Limits::max_fields`].
    #[error("row with more than {limit} fields")]
    TooManyFields {
        /// The limit, in fields.
        limit: usize,
    },
    /// A quote opened here, and the input ended before it was closed.
    #[error("quote opened here is never closed (close it, and write each quote inside it as \"\")")]
    UnclosedQuote,
    /// The header names this column twice.
    #[error("duplicate column in the header")]
    DuplicateColumn,
    /// The row type needs this column and the header does not have it.
    #[error("missing column (add it to the header)")]
    MissingColumn,
    /// The header has a column the row type does not accept.
    #[error("unknown column in the header")]
    UnknownColumn,
    /// The row has more fields than the header has columns.
    #[error(
        "unexpected field (the header has {columns} columns; quote fields that contain commas)"
    )]
    ExtraField {
        /// How many columns the header has.
        columns: usize,
    },
    /// The field's text is not a valid value for its column; the text says why.
    #[error("{0}")]
    InvalidValue(String),
}

/// A row that could not be read, with where and why.
///
/// The fields are private and read through methods, so that later steps can add information
/// without breaking every place that builds or reads one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    position: Position,
    field: usize,
    /// The header's name for the field, for errors from typed rows.
    column: Option<String>,
    kind: ErrorKind,
    /// What a support person needs besides the reason: the offending value, or what a header
    /// should have held. Printed after the reason.
    note: Option<String>,
}

impl ParseError {
    /// An error of `kind` at `position`, in the 1-based `field` of its row.
    pub fn new(position: Position, field: usize, kind: ErrorKind) -> ParseError {
        ParseError {
            position,
            field,
            column: None,
            kind,
            note: None,
        }
    }

    /// The same error, naming the column: the header's name for the field.
    pub fn with_column(mut self, column: impl Into<String>) -> ParseError {
        self.column = Some(column.into());
        self
    }

    /// The same error, with a note printed after the reason: what was found, what was
    /// expected, the likely cause.
    pub fn with_note(mut self, note: impl Into<String>) -> ParseError {
        self.note = Some(note.into());
        self
    }

    /// The same error, showing the offending `value` (quoted, escaped and shortened by
    /// [`quote_value`]), so that `" 5"` or an id behind an invisible character can be seen.
    pub fn with_value(self, value: &str) -> ParseError {
        self.with_note(format!("found {}", quote_value(value)))
    }

    /// The note added by [`ParseError::with_note`] or [`ParseError::with_value`], if any.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// The header's name for the field, when the error comes from a typed row.
    pub fn column(&self) -> Option<&str> {
        self.column.as_deref()
    }

    /// Where in the input the problem is.
    pub fn position(&self) -> Position {
        self.position
    }

    /// Which field of the row, counting from 1 like lines and columns.
    pub fn field(&self) -> usize {
        self.field
    }

    /// What is wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Where first, then what: "line 4, column 9, field 2 \"email\": ...". The byte offset
        // is for tools, not people, so it stays out of the message and in `position()`.
        write!(
            f,
            "line {}, column {}, field {}",
            self.position.line, self.position.column, self.field
        )?;
        if let Some(name) = &self.column {
            // `{:?}` quotes the name, so a stray space in a header (`"email "`) is visible.
            write!(f, " {name:?}")?;
        }
        write!(f, ": {}", self.kind)?;
        if let Some(note) = &self.note {
            write!(f, "; {note}")?;
        }
        Ok(())
    }
}

/// How many characters of a value [`quote_value`] shows at most.
pub const VALUE_CHARS: usize = 40;

/// `value` as an error message shows it: in quotes, with invisible characters escaped (`{:?}`
/// writes a byte order mark as `\u{feff}` and a tab as `\t`), and cut after [`VALUE_CHARS`]
/// characters with `...` after the closing quote, so a 60,000-byte field cannot flood a log.
pub fn quote_value(value: &str) -> String {
    // Cut by characters, not bytes: `char_indices` only yields char boundaries, so `get`
    // cannot fail (a byte index could fall inside an `é` and panic).
    match value.char_indices().nth(VALUE_CHARS) {
        Some((end, _)) => format!("{:?}...", value.get(..end).unwrap_or_default()),
        None => format!("{value:?}"),
    }
}

// Written by hand, not derived: `thiserror` can make a *field* the source, but the cause of a
// `ParseError` is the cause of its kind (the `ParseIntError`), not the kind itself. With
// `#[source] kind`, a report that walks the chain would say "not a whole number" twice: once
// in this message and once as the kind's. Derive where it fits, write the impl where it
// does not: callers cannot tell the difference.
impl Error for ParseError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        // Since `ErrorKind` is an `Error` (derived), its source is the cause we want.
        self.kind.source()
    }
}

/// Why [`Reader::read_record`] or a typed row failed, and whether reading can go on.
///
/// The variants are the decision a caller has to make, so the caller cannot forget to make it:
/// a row error is recorded and reading goes on; the other two end the file.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// This row is bad. The reader has moved past it: the next call reads the next row.
    #[error(transparent)]
    Row(ParseError),
    /// The input cannot be read any further: the file is UTF-16, or its header is unusable.
    /// The reader is finished.
    #[error(transparent)]
    Fatal(ParseError),
    /// The underlying reader failed. The reader is finished.
    #[error("could not read the upload")]
    Io(#[source] io::Error),
}

impl ReadError {
    /// `true` when reading cannot go on after this error.
    pub fn is_fatal(&self) -> bool {
        !matches!(self, ReadError::Row(_))
    }

    /// The position and reason, unless this is an I/O error.
    pub fn parse_error(&self) -> Option<&ParseError> {
        match self {
            ReadError::Row(error) | ReadError::Fatal(error) => Some(error),
            ReadError::Io(_) => None,
        }
    }
}

/// One row of an orders upload, with columns `customer_id`, `email` and `amount_cents` in any
/// order.
///
/// `deny_unknown_fields` makes an unexpected column an error: an upload with an `amount`
/// column is probably the wrong file, not one to guess at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// The customer's number.
    pub customer_id: u64,
    /// The customer's email address, as written in the file.
    pub email: String,
    /// The amount in cents; negative for a refund.
    pub amount_cents: i64,
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

impl Report {
    /// The rows that were good: read, and not bad.
    pub fn good_rows(&self) -> usize {
        self.rows.saturating_sub(self.bad_rows.len())
    }
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
/// `#[error(transparent)] Header(ParseError)`, and `Fatal` like `Header`.
#[derive(Debug)]
pub enum ImportError {
    /// The upload could not be read. The `io::Error` says why.
    Io(io::Error),
    /// The header row is malformed or names a column twice, so no row can be trusted.
    Header(ParseError),
    /// The file cannot be read on from this place: it is UTF-16, or the header lacks a column
    /// the rows need (or has one they refuse).
    Fatal(ParseError),
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
            ImportError::Header(error) | ImportError::Fatal(error) => error.fmt(f),
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
            ImportError::Header(error) | ImportError::Fatal(error) => error.source(),
            // The first bad row is a concrete example of what is wrong with the file, which
            // is what a support person looks at first.
            ImportError::TooManyBadRows { report, .. } => report
                .bad_rows
                .first()
                .map(|error| error as &(dyn Error + 'static)),
        }
    }
}

// `?` uses this: in a function returning `Result<_, ImportError>`, `?` on an `io::Error`
// calls `ImportError::from(error)`.
//
// There is deliberately no `From<ParseError>` any more. With it, `row?` would compile and
// stop the whole file at the first bad row, the very bug this step removes. Without it, the
// compiler refuses `row?`, and a file-level error has to be made on purpose (`map_err`).
impl From<io::Error> for ImportError {
    fn from(cause: io::Error) -> ImportError {
        ImportError::Io(cause)
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
#[doc = include_str!("../../../../exercises/03_streaming/04_typed_rows/README.md")]
pub struct Lesson;
