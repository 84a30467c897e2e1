//! Where something is in the input.

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

    /// Moves this position past one byte of input that is not a line break.
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
