//! Orders from an upload: [`Order`], and what stops an import ([`ImportError`]).

use std::error::Error;
use std::fmt;
use std::io::{self, Read};

use crate::{ParseError, Record, records};

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

/// Everything that can stop [`read_orders`].
#[derive(Debug)]
pub enum ImportError {
    /// The upload could not be read. The `io::Error` says why.
    Io(io::Error),
    /// A row could not be read.
    Parse(ParseError),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The reason ("permission denied") is the `source()`, so it is not repeated here.
            ImportError::Io(_) => f.write_str("could not read the upload"),
            // A `ParseError` already says everything: this variant is only a wrapper.
            ImportError::Parse(error) => error.fmt(f),
        }
    }
}

impl Error for ImportError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            ImportError::Io(cause) => Some(cause),
            // `Parse` prints the `ParseError` itself, so its source is the `ParseError`'s
            // source. Returning the `ParseError` here would print its message twice in a
            // report that walks the chain. (`thiserror` calls this `#[error(transparent)]`.)
            ImportError::Parse(error) => error.source(),
        }
    }
}

// These two impls are what `?` uses: in a function returning `Result<_, ImportError>`,
// `reader.read_to_string(&mut text)?` on an `io::Error` calls `ImportError::from(error)`.
impl From<io::Error> for ImportError {
    fn from(cause: io::Error) -> ImportError {
        ImportError::Io(cause)
    }
}

impl From<ParseError> for ImportError {
    fn from(error: ParseError) -> ImportError {
        ImportError::Parse(error)
    }
}

/// Reads an orders upload: a header row, then one [`Order`] per row.
///
/// For small files only: the whole upload is read into one `String` and every order is kept
/// in a `Vec`, so memory grows with the file. Part 3 makes the import stream, in memory that
/// stays flat however large the upload (`import_orders_with`, step 3.4).
///
/// The header is skipped (it is checked by name in Part 3). The first error of any kind stops
/// the import; step 2.3 lets the good rows through.
pub fn read_orders(mut reader: impl Read) -> Result<Vec<Order>, ImportError> {
    let mut text = String::new();
    // A failing disk, a closed connection, or bytes that are not UTF-8 all end up here, as
    // an `io::Error` that `?` turns into `ImportError::Io`.
    reader.read_to_string(&mut text)?;
    let mut rows = records(&text);
    if let Some(header) = rows.next() {
        header?;
    }
    let mut orders = Vec::new();
    for row in rows {
        // Two `?` in a row: the first for a malformed row, the second for a bad value.
        // Both give a `ParseError`, and `?` converts it with `From<ParseError>`.
        orders.push(Order::from_record(&row?)?);
    }
    Ok(orders)
}
