//! Step 6.2: the one module that uses the parser.
//!
//! It turns the parser's typed rows ([`parser::Rows`] of [`parser::Order`]) into what the
//! pipeline needs: a good row, or a [`Reject`] with everything a support person needs to fix
//! the file, or the reason the upload cannot be read on. Keeping every use of the parser here
//! means a change in the parser's API touches this file only.

use std::io::{self, BufRead};

use parser::{Order, ReadError, Reader, Rows};
use serde::Serialize;

/// The most characters of a bad value a reject report quotes. A field may be 64 KiB; the
/// report only needs enough to find it.
pub const MAX_VALUE_CHARS: usize = 100;

/// A bad row, as the reject report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reject {
    /// The line in the upload, from 1.
    pub line: usize,
    /// The column (character) on that line, from 1.
    pub column: usize,
    /// The header's name for the field, when there is one.
    pub field: Option<String>,
    /// The field's text, at most [`MAX_VALUE_CHARS`] characters.
    pub value: String,
    /// What is wrong, in words for the customer.
    pub reason: String,
}

/// One row of the upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    /// A valid order.
    Good(Order),
    /// A row that is not one.
    Bad(Reject),
}

/// Why the upload cannot be read on: no later row can be trusted.
#[derive(Debug, thiserror::Error)]
pub enum Unreadable {
    /// A broken header, a limit exceeded, a quote never closed, a missing column.
    #[error("{0}")]
    Broken(parser::ParseError),
    /// The upload could not be read.
    #[error("could not read the upload")]
    Io(#[source] io::Error),
}

impl From<ReadError> for Unreadable {
    fn from(error: ReadError) -> Unreadable {
        match error {
            ReadError::Row(error) | ReadError::Fatal(error) => Unreadable::Broken(error),
            ReadError::Io(cause) => Unreadable::Io(cause),
        }
    }
}

/// The rows of an orders upload, one at a time, in bounded memory (the parser reuses one
/// record buffer).
#[derive(Debug)]
pub struct OrderRows<R> {
    rows: Rows<R, Order>,
}

impl<R: BufRead> OrderRows<R> {
    /// Reads the header of `input`.
    ///
    /// # Errors
    ///
    /// [`Unreadable`] when the header is broken or the input cannot be read.
    pub fn new(input: R) -> Result<OrderRows<R>, Unreadable> {
        let rows = Rows::new(Reader::new(input))?;
        Ok(OrderRows { rows })
    }
}

impl<R: BufRead> Iterator for OrderRows<R> {
    type Item = Result<Row, Unreadable>;

    fn next(&mut self) -> Option<Result<Row, Unreadable>> {
        // `while let` style by hand, not `for`: the reject needs `self.rows.record()`, the
        // record just read, which a `for` loop's borrow of the iterator would not allow.
        let item = match self.rows.next()? {
            Ok(order) => Ok(Row::Good(order)),
            Err(ReadError::Row(error)) => {
                let text = self
                    .rows
                    .record()
                    .field(error.field().saturating_sub(1))
                    .unwrap_or("");
                Ok(Row::Bad(Reject {
                    line: error.position().line,
                    column: error.position().column,
                    field: error.column().map(str::to_string),
                    value: text.chars().take(MAX_VALUE_CHARS).collect(),
                    reason: error.kind().to_string(),
                }))
            }
            Err(error) => Err(Unreadable::from(error)),
        };
        Some(item)
    }
}
