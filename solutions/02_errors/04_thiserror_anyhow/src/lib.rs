//! Step 2.4: library errors with `thiserror`, the application edge with `anyhow`.
//!
//! This crate is a *library*: [`import_orders`] reads an upload and returns the good rows plus a
//! [`Report`] of the bad ones, and its errors are types a caller can branch on:
//!
//! - a bad row is a [`ParseError`] with a [`kind`](ParseError::kind): it is recorded in the
//!   report and reading goes on;
//! - an [`ImportError`] stops the file: the upload cannot be read, its header is malformed,
//!   or it has more bad rows than its [`ErrorBudget`] allows.
//!
//! The [`app`] module is the *application edge*: it opens a file by path, calls the library,
//! and returns an `anyhow::Error` that says which file failed and why. No `anyhow` type appears
//! in the library's API.
//!
//! Modules: `error` ([`Position`], [`ErrorKind`], [`ParseError`]), `records` (the record
//! iterator), `import` (the budget, the report and [`import_orders`]) and [`app`].

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

pub mod app;
mod error;
mod import;
mod records;

pub use app::import_file;
pub use error::{ErrorKind, ParseError, Position};
pub use import::{ErrorBudget, Import, ImportError, Order, Report, import_orders};
pub use records::{Record, Records, records};

// The step's lesson, so that `cargo test --doc` compiles its `rust` code blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../../exercises/02_errors/04_thiserror_anyhow/README.md")]
pub struct Lesson;
