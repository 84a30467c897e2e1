//! Typed rows: a header, then one `T: Deserialize` per record, mapped by column name.

use std::collections::HashMap;
use std::io::BufRead;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;

use crate::columns;
use crate::de::{self, DeError, DeErrorKind};
use crate::reader::Reader;
use crate::record::RecordBuf;
use crate::{ErrorKind, ParseError, Position, ReadError};

/// The column names of an upload, from its first record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    names: Vec<String>,
    /// Where each name is, to point at it in errors.
    starts: Vec<Position>,
    /// Where the header ends: a missing column would have to go there.
    end: Position,
}

impl Header {
    /// Reads the column names from `record`.
    ///
    /// Names are compared exactly: `Email` and `email ` are not `email`. Guessing (trimming,
    /// ignoring case) would make two different headers mean the same thing; instead the error
    /// for a header that does not fit names the likely mistake (see `columns.rs`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::DuplicateColumn`] at the second occurrence of a name: with two `email`
    /// columns, either one could be the real one, so the file is refused rather than guessed.
    pub fn from_record(record: &RecordBuf) -> Result<Header, ParseError> {
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(record.len());
        for (index, name) in record.iter().enumerate() {
            if seen.insert(name, index).is_some() {
                let at = record.position(index).unwrap_or(record.end());
                let error = ParseError::new(at, index + 1, ErrorKind::DuplicateColumn);
                return Err(error.with_column(name));
            }
        }
        Ok(Header {
            names: record.iter().map(str::to_string).collect(),
            starts: (0..record.len())
                .filter_map(|index| record.position(index))
                .collect(),
            end: record.end(),
        })
    }

    /// The number of columns.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// `true` when there are no columns. A header read from a file has one at least.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The number of columns before the unnamed ones at the end (Excel's trailing comma gives
    /// every line one more, empty, field). Only these are matched to the row type.
    pub fn named_len(&self) -> usize {
        self.names
            .iter()
            .rposition(|name| !name.is_empty())
            .map_or(0, |last| last + 1)
    }

    /// The line the header is on.
    pub fn line(&self) -> usize {
        self.starts
            .first()
            .map_or(self.end.line, |start| start.line)
    }

    /// Where the header ends: a missing column would have to go there.
    pub fn end(&self) -> Position {
        self.end
    }

    /// The name of the column at `index`.
    pub fn name(&self, index: usize) -> Option<&str> {
        self.names.get(index).map(String::as_str)
    }

    /// All names, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.names.iter().map(String::as_str)
    }

    /// An error of `kind` pointing at column `index` of the header, naming it.
    pub(crate) fn error_at(&self, index: usize, kind: ErrorKind) -> ParseError {
        let at = self.starts.get(index).copied().unwrap_or(self.end);
        let error = ParseError::new(at, index + 1, kind);
        match self.name(index) {
            Some(name) => error.with_column(name),
            None => error,
        }
    }
}

/// Typed rows: reads the header, then deserializes each record into a `T`.
///
/// `T` is usually a `#[derive(Deserialize)]` struct; its fields are matched to columns by
/// name, so the columns may come in any order. Each item is one row:
///
/// - `Ok(row)`;
/// - `Err(ReadError::Row(_))`: this row is bad (a short or long row, a value that does not
///   parse or that `T` refuses), and the error names the column. The next item is the next row.
/// - `Err(ReadError::Fatal(_))` or `Err(ReadError::Io(_))`: reading is over, and so is the
///   iteration. A header that lacks a column `T` needs (or has one it refuses, with
///   `#[serde(deny_unknown_fields)]`) is fatal at the first row: no row could be right.
///
/// One [`RecordBuf`] is reused for every row; only the `T` values are allocated.
#[derive(Debug)]
pub struct Rows<R, T> {
    reader: Reader<R>,
    record: RecordBuf,
    /// `None` for an empty input: no header, no rows.
    header: Option<Header>,
    finished: bool,
    /// `fn() -> T`: the iterator makes `T`s but holds none, so `Rows` is `Send` and `Sync`
    /// whatever `T` is.
    row: PhantomData<fn() -> T>,
}

impl<R: BufRead, T: DeserializeOwned> Rows<R, T> {
    /// Reads the header from `reader`.
    ///
    /// # Errors
    ///
    /// A malformed header is [`ReadError::Fatal`] (even a mistake that would cost one row
    /// elsewhere: without a header no row can be read), and so is a duplicate column, and a
    /// header that lacks a column `T` requires or has one `T` refuses: that error lists the
    /// columns expected and found, and names the likely mistake (a title line above the
    /// header, another delimiter, a name in another case or with spaces).
    /// An empty input is not an error: it has no header and no rows.
    pub fn new(mut reader: Reader<R>) -> Result<Rows<R, T>, ReadError> {
        let mut record = RecordBuf::new();
        let mut found = read_header_record(&mut reader, &mut record)?;
        // Excel writes `sep=,` above the header when told to save "with the delimiter": it
        // says which delimiter the file uses, and here it is the one we read, so skip it.
        // Another `sep=` line is not skipped: the header check names it.
        if found && record.len() == 2 && record.iter().eq(["sep=", ""]) {
            found = read_header_record(&mut reader, &mut record)?;
        }
        let header = if found {
            Some(Header::from_record(&record).map_err(ReadError::Fatal)?)
        } else {
            None
        };
        if let Some(header) = &header
            && let Some(mismatch) = columns::check::<T>(header)
        {
            // Read one more record: when it holds the columns, the first was a title.
            let next = match reader.read_record(&mut record) {
                Ok(true) => Some(&record),
                _ => None,
            };
            return Err(ReadError::Fatal(mismatch.to_error(header, next)));
        }
        Ok(Rows {
            reader,
            record,
            header,
            finished: false,
            row: PhantomData,
        })
    }

    /// The header, or `None` for an empty input.
    pub fn header(&self) -> Option<&Header> {
        self.header.as_ref()
    }

    /// The last record read: its line and fields, for reports and logs.
    pub fn record(&self) -> &RecordBuf {
        &self.record
    }

    /// Turns the record just read into a `T`.
    fn row(record: &RecordBuf, header: &Header) -> Result<T, ReadError> {
        // Compare with the header first: the deserializer maps fields by position, and a row
        // with a field too many or too few would shift or drop values.
        if record.len() < header.len() {
            let index = record.len();
            let error = ParseError::new(record.end(), index + 1, ErrorKind::MissingField);
            return Err(ReadError::Row(name_column(error, header, index)));
        }
        if record.len() > header.len() {
            let index = header.len();
            let at = record.position(index).unwrap_or(record.end());
            let columns = header.len();
            let kind = ErrorKind::ExtraField { columns };
            return Err(ReadError::Row(ParseError::new(at, index + 1, kind)));
        }
        de::from_record(header, record).map_err(|error| describe(error, record, header))
    }

    /// Turns the record just read into a `T`, or a row error that shows the offending value.
    fn row_showing_value(record: &RecordBuf, header: &Header) -> Result<T, ReadError> {
        Self::row(record, header).map_err(|error| match error {
            // The reason alone hides what is wrong with `" 5"` or an id behind an invisible
            // character; the value, escaped, shows it.
            ReadError::Row(error) => match record.field(error.field().saturating_sub(1)) {
                Some(value) if error.note().is_none() => ReadError::Row(error.with_value(value)),
                _ => ReadError::Row(error),
            },
            other => other,
        })
    }
}

impl<R: BufRead, T: DeserializeOwned> Iterator for Rows<R, T> {
    type Item = Result<T, ReadError>;

    fn next(&mut self) -> Option<Result<T, ReadError>> {
        if self.finished {
            return None;
        }
        let header = self.header.as_ref()?;
        let error = match self.reader.read_record(&mut self.record) {
            Ok(false) => return None,
            Ok(true) => match Self::row_showing_value(&self.record, header) {
                Ok(row) => return Some(Ok(row)),
                // A bad value in a record that a quote stretched over several lines: most
                // likely the quote never closed. The reader then reports the quote and reads
                // the lines after it again, so their rows are not lost (`reject_record`).
                Err(ReadError::Row(error)) => {
                    let quote = self.reader.reject_record(error.field());
                    ReadError::Row(quote.unwrap_or(error))
                }
                Err(error) => error,
            },
            Err(error) => error,
        };
        if error.is_fatal() {
            self.finished = true;
        }
        Some(Err(error))
    }
}

/// Reads the record that should be the header: any error in it is fatal.
fn read_header_record<R: BufRead>(
    reader: &mut Reader<R>,
    record: &mut RecordBuf,
) -> Result<bool, ReadError> {
    match reader.read_record(record) {
        Err(ReadError::Row(error)) => Err(ReadError::Fatal(error)),
        other => other,
    }
}

/// The same error, naming column `index` when the header has one.
fn name_column(error: ParseError, header: &Header, index: usize) -> ParseError {
    match header.name(index) {
        Some(name) => error.with_column(name),
        None => error,
    }
}

/// Turns a deserializer error into a row error or, for a header problem, a fatal one.
fn describe(error: DeError, record: &RecordBuf, header: &Header) -> ReadError {
    match (error.kind, error.column) {
        (DeErrorKind::MissingColumn(name), _) => {
            let at = header.end;
            let error = ParseError::new(at, header.len() + 1, ErrorKind::MissingColumn);
            ReadError::Fatal(error.with_column(name))
        }
        (DeErrorKind::UnknownColumn, column) => {
            let index = column.unwrap_or(0);
            ReadError::Fatal(header.error_at(index, ErrorKind::UnknownColumn))
        }
        (DeErrorKind::Invalid(reason), column) => {
            // No column: the row type refused the row as a whole (a `try_from` on the
            // struct). Point at the row's start.
            let index = column.unwrap_or(0);
            let at = record.position(index).unwrap_or(record.end());
            let error = ParseError::new(at, index + 1, ErrorKind::InvalidValue(reason));
            ReadError::Row(match column {
                Some(index) => name_column(error, header, index),
                None => error,
            })
        }
    }
}
