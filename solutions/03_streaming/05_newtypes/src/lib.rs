//! Step 3.5: the reference streaming CSV parser, with validated newtypes.
//!
//! It reads hostile uploads from any [`std::io::BufRead`] in bounded memory, reports every bad
//! row with its line, column and field, and turns good rows into typed values that cannot be
//! invalid.
//!
//! Three levels, each usable on its own:
//!
//! - [`Reader::read_record`] fills one reused [`RecordBuf`] per call: checked UTF-8 text,
//!   split into fields, with positions. No allocation per row once the buffer has grown.
//! - [`Rows`] reads a header and deserializes each record into a `T: Deserialize`, mapping
//!   columns by name.
//! - [`import_orders`] reads [`Order`]s, collects bad rows into a [`Report`], and applies an
//!   [`ErrorBudget`].
//!
//! ```
//! use std::io::BufRead;
//! # fn demo(upload: impl BufRead) -> Result<(), newtypes::ReadError> {
//! use newtypes::{Reader, RecordBuf};
//!
//! let mut reader = Reader::new(upload);
//! let mut record = RecordBuf::new();
//! while reader.read_record(&mut record)? {
//!     println!("line {}: {:?}", record.line(), record.field(0));
//! }
//! # Ok(()) }
//! ```
//!
//! The module map: `reader` (the state machine and the read loop), `record` (the reused
//! buffer), `limits`, `utf8` (where a bad byte is), `error`, `position`, `typed` and `de`
//! (serde), `newtypes`, `import`.

mod de;
mod error;
mod import;
mod limits;
mod newtypes;
mod position;
mod reader;
mod record;
mod typed;
mod utf8;

pub use error::{ErrorKind, ParseError, ReadError};
pub use import::{ErrorBudget, Import, ImportError, Order, Report, import_orders};
pub use limits::Limits;
pub use newtypes::{AmountCents, CustomerId, Email, InvalidAmount, InvalidCustomerId, InvalidEmail};
pub use position::Position;
pub use reader::Reader;
pub use record::RecordBuf;
pub use typed::{Header, Rows};
