//! Step 2.5: no panic paths.
//!
//! Nothing in this crate panics on any input: no `unwrap`, `expect`, indexing or slicing that
//! could fail, no arithmetic on values from the upload that could overflow. The lints
//! `clippy::unwrap_used`, `expect_used`, `indexing_slicing`, `string_slice` and `panic` keep
//! it that way, and the graded tests feed random input to every entry point.
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
//! Modules: `records` (the record iterator), `import` (orders, the budget, [`excerpt`] and
//! [`import_orders`]) and [`app`]. The error types are step 2.4's, re-exported below.

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

pub mod app;
mod import;
mod records;

// Built in earlier steps and used here unchanged: the error types come from step 2.4's
// reference solution (`step_2_4` in Cargo.toml), so `src/` holds only what this step changes
// (and `app.rs`, which calls this step's `import_orders`).
pub use step_2_4::{ErrorKind, ParseError, Position};

pub use app::import_file;
pub use import::{
    EXCERPT_CHARS, ErrorBudget, Import, ImportError, Order, Report, excerpt, import_orders,
};
pub use records::{Record, Records, records};

// The step's lesson, so that `cargo test --doc` compiles its `rust` code blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../../exercises/02_errors/05_no_panics/README.md")]
pub struct Lesson;
