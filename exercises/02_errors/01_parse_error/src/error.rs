//! Where a row went wrong and what is wrong with it: [`Position`], [`ErrorKind`] and
//! [`ParseError`].

use std::error::Error;
use std::fmt;

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
        // TODO: every byte moves `self.byte` on by one. A `\n` starts the next line, at
        // column 1. Any other byte moves the column on by one, unless it is the second,
        // third or fourth byte of a UTF-8 character (`is_utf8_continuation` tells you).
        // Tests: `advance_counts_lines_columns_and_bytes`,
        // `advance_counts_characters_not_bytes_for_the_column`; lesson: "A position has three
        // numbers".
        let _ = is_utf8_continuation(byte);
        todo!()
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
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // TODO: each kind prints exactly its message, word for word
        // (`display_says_where_and_what_to_fix`,
        // `messages_are_lowercase_without_a_trailing_period`):
        //   StrayQuote:     unexpected quote in an unquoted field (quote the whole field and write the quote as "")
        //   TextAfterQuote: unexpected text after a closing quote (quote the whole field and write each quote inside it as "")
        let _ = f;
        todo!()
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
        // TODO: where first, then what: "line 4, column 9, field 2: <the kind's message>", the
        // kind's message exactly as its own `Display` prints it; the byte offset stays out
        // (`display_says_where_and_what_to_fix`, `parse_error_is_a_real_error_type`). Lesson:
        // the `TooLong` example.
        let _ = f;
        todo!()
    }
}

// `Debug + Display` is all `Error` needs. Implementing it lets callers box the error, put it
// behind `dyn Error`, and chain it as the `source` of their own errors. A `String` error can
// do none of that, and callers cannot tell one mistake from another without parsing text.
impl Error for ParseError {}
