//! Where a row went wrong and what is wrong with it: [`Position`], [`ErrorKind`] and
//! [`ParseError`].

use std::error::Error;
use std::fmt;
use std::io;
use std::num::ParseIntError;

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
pub(crate) fn is_utf8_continuation(byte: u8) -> bool {
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
    /// A field is longer than [`Limits::max_field_bytes`](crate::Limits::max_field_bytes).
    #[error("field longer than {limit} bytes{}", quoted_hint(*.quoted))]
    FieldTooLong {
        /// The limit, in bytes.
        limit: usize,
        /// The field starts with a quote, which may close far too late.
        quoted: bool,
    },
    /// A record is longer than [`Limits::max_record_bytes`](crate::Limits::max_record_bytes).
    #[error("row longer than {limit} bytes")]
    RecordTooLong {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A record has more fields than [`Limits::max_fields`](crate::Limits::max_fields).
    #[error("row with more than {limit} fields")]
    TooManyFields {
        /// The limit, in fields.
        limit: usize,
    },
    /// A quote opened here, and the input ended before it was closed.
    #[error("quote opened here is never closed (close it, and write each quote inside it as \"\")")]
    UnclosedQuote,
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

/// Why [`Reader::read_record`](crate::Reader::read_record) failed, and whether reading can go on.
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
