//! Where a row went wrong and what is wrong with it: [`Position`], [`ErrorKind`] and
//! [`ParseError`].

use std::error::Error;
use std::fmt;
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
    pub fn next_line(&mut self, len: usize) {
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
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Each message says what is wrong and how to fix the file: the reader is a support
        // person or the customer, not the developer who wrote the parser.
        let message = match self {
            ErrorKind::StrayQuote => {
                "unexpected quote in an unquoted field (quote the whole field and write the quote as \"\")"
            }
            ErrorKind::TextAfterQuote => {
                "unexpected text after a closing quote (quote the whole field and write each quote inside it as \"\")"
            }
            ErrorKind::MissingField => "missing field (the row ends too early)",
            // The reason ("invalid digit found in string") is the `source()`, not part of this
            // text: a report that prints the whole chain would otherwise print it twice.
            ErrorKind::InvalidNumber(_) => "not a whole number",
        };
        f.write_str(message)
    }
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

// `Debug + Display` is all `Error` needs. Implementing it lets callers box the error, put it
// behind `dyn Error`, and chain it as the `source` of their own errors. A `String` error can
// do none of that, and callers cannot tell one mistake from another without parsing text.
impl Error for ParseError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        // TODO: the source of an `InvalidNumber` is the `ParseIntError` inside it; every other
        // kind has none (`a_number_error_keeps_the_parse_int_error_as_its_source`,
        // `an_empty_or_huge_number_says_why_in_its_source`).
        todo!()
    }
}
