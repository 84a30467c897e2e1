//! What can go wrong, and how bad it is.
//!
//! Two levels, two types (pattern ERR-3):
//!
//! - a [`ParseError`] says what is wrong at one place of the input (line, column, field);
//! - a [`ReadError`] says what it means for the reading: [`ReadError::Row`] costs one row and
//!   reading goes on, [`ReadError::Fatal`] and [`ReadError::Io`] end it.

use std::error::Error;
use std::fmt;
use std::io;
use std::num::ParseIntError;

use crate::position::Position;

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// A `"` inside a field that does not start with one, as in `5" screen`.
    StrayQuote,
    /// Text after the closing quote of a field, as in `"ab"c`.
    TextAfterQuote,
    /// The row ends before this field.
    MissingField,
    /// The field should hold a whole number and does not. The `ParseIntError` says why.
    InvalidNumber(ParseIntError),
    /// The bytes at this position are not UTF-8 (the file is probably Latin-1 or Windows-1252).
    InvalidUtf8,
    /// A field is longer than [`Limits::max_field_bytes`](crate::Limits::max_field_bytes).
    FieldTooLong {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A record is longer than [`Limits::max_record_bytes`](crate::Limits::max_record_bytes).
    RecordTooLong {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A record has more fields than [`Limits::max_fields`](crate::Limits::max_fields).
    TooManyFields {
        /// The limit, in fields.
        limit: usize,
    },
    /// A quote opened here and the input ended before it was closed.
    UnclosedQuote,
    /// The header names this column twice.
    DuplicateColumn,
    /// The row type needs this column and the header does not have it.
    MissingColumn,
    /// The header has a column the row type does not know.
    UnknownColumn,
    /// The row has more fields than the header has columns.
    ExtraField {
        /// How many columns the header has.
        columns: usize,
    },
    /// The field's text is not a valid value for its column; the text says why.
    InvalidValue(String),
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Each message says what is wrong and how to fix the file: the reader is a support
        // person or the customer, not the developer who wrote the parser.
        match self {
            ErrorKind::StrayQuote => f.write_str(
                "unexpected quote in an unquoted field (quote the whole field and write the quote as \"\")",
            ),
            ErrorKind::TextAfterQuote => f.write_str(
                "unexpected text after a closing quote (quote the whole field and write each quote inside it as \"\")",
            ),
            ErrorKind::MissingField => f.write_str("missing field (the row ends too early)"),
            // The reason is the `source()`, so that a report of the chain says it once.
            ErrorKind::InvalidNumber(_) => f.write_str("not a whole number"),
            ErrorKind::InvalidUtf8 => f.write_str(
                "invalid UTF-8 (the file is probably in another encoding, such as Latin-1: save it as UTF-8)",
            ),
            ErrorKind::FieldTooLong { limit } => write!(
                f,
                "field longer than {limit} bytes (if it starts with a quote, the quote may never be closed)"
            ),
            ErrorKind::RecordTooLong { limit } => write!(f, "row longer than {limit} bytes"),
            ErrorKind::TooManyFields { limit } => write!(f, "row with more than {limit} fields"),
            ErrorKind::UnclosedQuote => f.write_str(
                "quote opened here is never closed (close it, and write each quote inside it as \"\")",
            ),
            ErrorKind::DuplicateColumn => f.write_str("duplicate column in the header"),
            ErrorKind::MissingColumn => f.write_str("missing column (add it to the header)"),
            ErrorKind::UnknownColumn => f.write_str("unknown column in the header"),
            ErrorKind::ExtraField { columns } => write!(
                f,
                "unexpected field (the header has {columns} columns; quote fields that contain commas)"
            ),
            ErrorKind::InvalidValue(reason) => f.write_str(reason),
        }
    }
}

/// A problem at one place of the input: where, in which field, and what.
///
/// The fields are private and read through methods, so that new information can be added
/// without breaking every place that builds or reads one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    position: Position,
    field: usize,
    column: Option<String>,
    kind: ErrorKind,
}

impl ParseError {
    /// An error of `kind` at `position`, in the 1-based `field` of its row.
    pub fn new(position: Position, field: usize, kind: ErrorKind) -> ParseError {
        ParseError {
            position,
            field,
            column: None,
            kind,
        }
    }

    /// The same error, naming the column (the header's name for the field).
    pub fn with_column(mut self, column: impl Into<String>) -> ParseError {
        self.column = Some(column.into());
        self
    }

    /// Where in the input the problem is.
    pub fn position(&self) -> Position {
        self.position
    }

    /// Which field of the row, counting from 1 like lines and columns.
    pub fn field(&self) -> usize {
        self.field
    }

    /// The header's name for the field, when the error comes from a typed row.
    pub fn column(&self) -> Option<&str> {
        self.column.as_deref()
    }

    /// What is wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Where first, then what: "line 4, column 9, field 2 (email): ...". The byte offset is
        // for tools, not people, so it stays out of the message and in `position()`.
        let Position { line, column, .. } = self.position;
        write!(f, "line {line}, column {column}, field {}", self.field)?;
        if let Some(name) = &self.column {
            // `{:?}` quotes the name, so a stray space in a header (`"email "`) is visible.
            write!(f, " {name:?}")?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl Error for ParseError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match &self.kind {
            ErrorKind::InvalidNumber(cause) => Some(cause),
            _ => None,
        }
    }
}

/// Why [`Reader::read_record`](crate::Reader::read_record) or a typed row failed, and whether
/// reading can go on.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// This row is bad. The reader has moved past it: the next call reads the next row.
    #[error(transparent)]
    Row(ParseError),
    /// The input cannot be trusted or read any further: a limit was exceeded, a quote was
    /// never closed, or the header is unusable. The reader is finished.
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
