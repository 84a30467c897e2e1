//! Step 2.1: errors that say where.
//!
//! The record iterator of Part 1 guessed what the customer meant when a quote was out of place.
//! Now it reports the mistake instead: each item is a `Result`, and a [`ParseError`] carries
//! the position a support person needs (line, column, field) and says what to fix.
//!
//! Modules: `error` ([`Position`], [`ErrorKind`], [`ParseError`]) and `records` (the iterator:
//! a record usually ends at a line break, but a quoted field may contain line breaks of its own,
//! so records cannot be found with `str::lines`).

mod error;
mod records;

pub use error::{ErrorKind, ParseError, Position};
pub use records::{Record, Records, records};
