//! Step 2.3: bad rows versus broken files.
//!
//! [`import_orders`] reads an upload and returns the good rows plus a [`Report`] of the bad
//! ones. Two kinds of failure are kept apart by their types:
//!
//! - a bad row is a [`ParseError`]: it is recorded in the report and reading goes on;
//! - an [`ImportError`] stops the file: the upload cannot be read, its header is malformed,
//!   or it has more bad rows than its [`ErrorBudget`] allows.
//!
//! Each [`ParseError`] carries the position a support person needs (line, column, field) and
//! says what to fix.
//!
//! This step changes `import.rs` only: the budget, the report and the import. The errors and
//! the record iterator are step 2.2's, re-exported below.

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

mod import;

// Built in earlier steps and used here unchanged: the errors and the record iterator come from
// step 2.2's reference solution (`step_2_2` in Cargo.toml), so `src/` holds only what this
// step changes.
pub use step_2_2::{ErrorKind, ParseError, Position, Record, Records, records};

// Changed in this step.
pub use import::{ErrorBudget, Import, ImportError, Order, Report, import_orders};

// The step's lesson, so that `cargo test --doc` compiles its `rust` code blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../../exercises/02_errors/03_error_budget/README.md")]
pub struct Lesson;
