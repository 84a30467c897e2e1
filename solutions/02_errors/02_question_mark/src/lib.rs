//! Step 2.2: `?` and `From`.
//!
//! The parser now reads whole uploads: [`read_orders`] takes any reader, reads it, and turns
//! every row after the header into an [`Order`]. Three kinds of failure meet there (the reader
//! fails, a row is malformed, a number does not parse) and all of them come out as one
//! [`ImportError`], each keeping its cause as its `source()`.
//!
//! Each [`ParseError`] carries the position a support person needs (line, column, field) and
//! says what to fix.
//!
//! Modules: `error` ([`Position`], [`ErrorKind`], [`ParseError`]), `records` (step 2.1's
//! iterator, with [`Record::text`] and [`Record::number`]) and `import` ([`Order`],
//! [`ImportError`], [`read_orders`]).

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

mod error;
mod import;
mod records;

pub use error::{ErrorKind, ParseError, Position};
pub use import::{ImportError, Order, read_orders};
pub use records::{Record, Records, records};

// The step's lesson, so that `cargo test --doc` compiles its `rust` code blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../../exercises/02_errors/02_question_mark/README.md")]
pub struct Lesson;
