//! Step 2.4: library errors with `thiserror`, the application edge with `anyhow`.
//!
//! This crate is a *library*: [`import_orders`] reads an upload and returns the good rows plus a
//! [`Report`] of the bad ones, and its errors are types a caller can branch on:
//!
//! - a bad row is a [`ParseError`] with a [`kind`](ParseError::kind): it is recorded in the
//!   report and reading goes on;
//! - an [`ImportError`] stops the file: the upload cannot be read, its header is malformed,
//!   or it has more bad rows than its [`ErrorBudget`] allows.
//!
//! The [`app`] module is the *application edge*: it opens a file by path, calls the library,
//! and returns an `anyhow::Error` that says which file failed and why. No `anyhow` type appears
//! in the library's API.
//!
//! A record usually ends at a line break, but a quoted field may contain line breaks of its
//! own, so records cannot be found with `str::lines`. The iterator walks the text once, byte by
//! byte, with a small state machine (see `State`), and hands out records that borrow from the
//! input wherever they can.

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

pub mod app;

pub use app::import_file;

use std::borrow::Cow;
use std::error::Error;
use std::fmt;
use std::io::{self, Read};
use std::num::ParseIntError;
use std::str::FromStr;

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
    /// How many bytes of input come before this place.
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

    /// Moves this position past a line break of `len` bytes (`\n` or `\r\n`).
    fn next_line(&mut self, len: usize) {
        self.line += 1;
        self.column = 1;
        self.byte += len;
    }
}

/// `true` for the second, third and fourth bytes of a UTF-8 character (`0b10xx_xxxx`).
fn is_utf8_continuation(byte: u8) -> bool {
    byte & 0b1100_0000 == 0b1000_0000
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
}

/// A row that could not be read, with where and why.
///
/// The fields are private and read through methods, so that later steps can add information
/// without breaking every place that builds or reads one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    position: Position,
    field: usize,
    kind: ErrorKind,
}

impl ParseError {
    /// An error of `kind` at `position`, in the 1-based `field` of its row.
    pub fn new(position: Position, field: usize, kind: ErrorKind) -> ParseError {
        ParseError {
            position,
            field,
            kind,
        }
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
        // Where first, then what: "line 4, column 9, field 2: ...". The byte offset is for
        // tools, not people, so it stays out of the message and in `position()`.
        write!(
            f,
            "line {}, column {}, field {}: {}",
            self.position.line, self.position.column, self.field, self.kind
        )
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

/// One CSV record: its fields and where each of them starts.
///
/// The fields borrow from the input text (`Cow::Borrowed`) unless a field had to be rewritten
/// because it contained escaped quotes (`""` becomes `"`), in which case that one field owns
/// its text (`Cow::Owned`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    line: usize,
    fields: Vec<Cow<'a, str>>,
    /// Where each field starts in the input (for a quoted field, its opening quote).
    starts: Vec<Position>,
    /// Where the record ends: just before its line break, or at the end of the input.
    end: Position,
}

impl<'a> Record<'a> {
    /// The 1-based line on which this record starts.
    pub fn line(&self) -> usize {
        self.line
    }

    /// All fields, in order.
    pub fn fields(&self) -> &[Cow<'a, str>] {
        &self.fields
    }

    /// The field at `index`, or `None` when the record is shorter.
    pub fn field(&self, index: usize) -> Option<&str> {
        self.fields.get(index).map(|field| field.as_ref())
    }

    /// Where the field at `index` starts, or `None` when the record is shorter.
    pub fn position(&self, index: usize) -> Option<Position> {
        self.starts.get(index).copied()
    }

    /// Where the record ends: just before its line break, or at the end of the input.
    pub fn end(&self) -> Position {
        self.end
    }

    /// The field at `index`, or a `MissingField` error pointing at the end of the row.
    pub fn text(&self, index: usize) -> Result<&str, ParseError> {
        self.field(index)
            .ok_or_else(|| ParseError::new(self.end, index + 1, ErrorKind::MissingField))
    }

    /// The field at `index` parsed as a whole number (`u64`, `i64`, ...).
    ///
    /// The text must be the number and nothing else: `" 42"` and `"4.0"` are errors, so that
    /// a value is never silently changed on its way in.
    pub fn number<T>(&self, index: usize) -> Result<T, ParseError>
    where
        T: FromStr<Err = ParseIntError>,
    {
        // `?` converts a `ParseError` into a `ParseError`: nothing to do, so it only returns.
        let text = self.text(index)?;
        // A bare `?` cannot work here: a `ParseIntError` does not know its line or field, so
        // no `From<ParseIntError>` could build a `ParseError`. `map_err` adds the position and
        // keeps the `ParseIntError` inside, as the source.
        text.parse().map_err(|cause| {
            let position = self.position(index).unwrap_or(self.end);
            ParseError::new(position, index + 1, ErrorKind::InvalidNumber(cause))
        })
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// `true` when the record has no fields. Records from [`records`] always have at least one.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Copies every borrowed field, so the record can outlive the input text.
    pub fn into_owned(self) -> Record<'static> {
        Record {
            line: self.line,
            fields: self
                .fields
                .into_iter()
                .map(|field| Cow::Owned(field.into_owned()))
                .collect(),
            starts: self.starts,
            end: self.end,
        }
    }
}

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

/// Returns an iterator over the records of `input`.
///
/// - Fields are separated by `,`; records end at `\n` or `\r\n`.
/// - A field wrapped in double quotes may contain `,`, line breaks, and `""` for one `"`.
/// - Blank lines between records are skipped.
/// - A `"` inside an unquoted field, or text after a closing quote, makes the row an error.
///   The rest of that row is still read, so the next item is the next row.
/// - An unclosed quote runs to the end of the input: the last field holds all the rest. (Part 3
///   turns this into an error.)
pub fn records(input: &str) -> Records<'_> {
    Records {
        rest: input,
        position: Position::START,
    }
}

/// The iterator returned by [`records`].
#[derive(Debug, Clone)]
pub struct Records<'a> {
    /// The input not yet read.
    rest: &'a str,
    /// Where `rest` starts.
    position: Position,
}

/// Where the parser is inside the current field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing of the field read yet.
    FieldStart,
    /// Inside a field that did not start with a quote.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just read a `"` inside a quoted field: either the closing quote or the first half of `""`.
    QuoteInQuoted,
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.skip_blank_lines();
        if self.rest.is_empty() {
            return None;
        }
        let input = self.rest;
        let bytes = input.as_bytes();
        let record_line = self.position.line;
        let mut fields = Vec::new();
        let mut starts = vec![self.position];
        // The first mistake in this row. The row is still read to its end, so that one bad
        // row costs one item and the next call starts cleanly at the next row. Returning at
        // the first mistake instead would leave the iterator in the middle of a row.
        let mut error: Option<ParseError> = None;
        let mut state = State::FieldStart;
        // Where the current field's text starts, and whether it holds a `""` to rewrite.
        let mut start = 0;
        let mut escaped = false;
        let mut i = 0;
        // Every delimiter is ASCII, so every index where we slice `input` is a char boundary.
        let (consumed, end) = loop {
            // `here` is the position of `bytes[i]`.
            let here = self.position;
            let Some(&byte) = bytes.get(i) else {
                // End of input: the last field ends here, whatever the state.
                let end = if state == State::QuoteInQuoted {
                    i - 1
                } else {
                    i
                };
                fields.push(field_text(input, start, end, escaped));
                break (i, here);
            };
            let line_break = line_break_len(bytes, i);
            match state {
                State::FieldStart | State::Unquoted | State::QuoteInQuoted
                    if byte == b',' || line_break > 0 =>
                {
                    // The field ends here. A quoted field's text stops before its closing quote.
                    let end = if state == State::QuoteInQuoted {
                        i - 1
                    } else {
                        i
                    };
                    fields.push(field_text(input, start, end, escaped));
                    if line_break > 0 {
                        self.position.next_line(line_break);
                        break (i + line_break, here);
                    }
                    state = State::FieldStart;
                    start = i + 1;
                    escaped = false;
                    // The next field starts right after this comma, which is one character.
                    starts.push(Position {
                        column: here.column + 1,
                        byte: here.byte + 1,
                        ..here
                    });
                }
                State::FieldStart if byte == b'"' => {
                    state = State::Quoted;
                    start = i + 1;
                }
                State::FieldStart => state = State::Unquoted,
                State::Unquoted if byte == b'"' => {
                    // `5" screen`: the customer may have meant a quoted field, or a literal
                    // quote. Keeping the quote would be a guess; the row is reported instead.
                    let mistake = ParseError::new(here, fields.len() + 1, ErrorKind::StrayQuote);
                    remember(&mut error, mistake);
                }
                State::Unquoted => {}
                State::Quoted if byte == b'"' => state = State::QuoteInQuoted,
                State::Quoted => {}
                State::QuoteInQuoted if byte == b'"' => {
                    // `""` inside quotes is one literal quote.
                    escaped = true;
                    state = State::Quoted;
                }
                State::QuoteInQuoted => {
                    // `"ab"c`: text after the closing quote. Report it, then read on as if
                    // the field were unquoted, only to find where the row ends.
                    let mistake =
                        ParseError::new(here, fields.len() + 1, ErrorKind::TextAfterQuote);
                    remember(&mut error, mistake);
                    state = State::Unquoted;
                    start -= 1;
                }
            }
            self.position.advance(byte);
            i += 1;
        };
        self.rest = &input[consumed..];
        match error {
            Some(error) => Some(Err(error)),
            None => Some(Ok(Record {
                line: record_line,
                fields,
                starts,
                end,
            })),
        }
    }
}

impl Records<'_> {
    fn skip_blank_lines(&mut self) {
        loop {
            let len = line_break_len(self.rest.as_bytes(), 0);
            if len == 0 {
                return;
            }
            self.rest = &self.rest[len..];
            self.position.next_line(len);
        }
    }
}

/// Keeps `mistake` unless the row already has one: the first mistake of a row is reported.
///
/// Later mistakes in the same row are often echoes of the first (one stray quote can make the
/// rest of the row look wrong), so reporting only the first keeps the message trustworthy.
fn remember(error: &mut Option<ParseError>, mistake: ParseError) {
    if error.is_none() {
        *error = Some(mistake);
    }
}

/// The length of the line break at `i`: 1 for `\n`, 2 for `\r\n`, 0 for anything else.
fn line_break_len(bytes: &[u8], i: usize) -> usize {
    match (bytes.get(i), bytes.get(i + 1)) {
        (Some(b'\n'), _) => 1,
        (Some(b'\r'), Some(b'\n')) => 2,
        _ => 0,
    }
}

/// The text of one field: borrowed when it can be, owned when `""` must become `"`.
fn field_text(input: &str, start: usize, end: usize, escaped: bool) -> Cow<'_, str> {
    let text = &input[start..end];
    if escaped {
        Cow::Owned(text.replace("\"\"", "\""))
    } else {
        Cow::Borrowed(text)
    }
}

// The step's lesson, so that `cargo test --doc` compiles its `rust` code blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../../exercises/02_errors/04_thiserror_anyhow/README.md")]
pub struct Lesson;
