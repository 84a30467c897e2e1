//! Step 1.5: three borrow-checker errors, fixed.
//!
//! The record iterator is step 1.4's reference solution (`step_1_4` in Cargo.toml), used
//! unchanged and re-exported here, so the crate's API is the same as before. `summary`, the
//! only module this step changes, builds the import report from its records.

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

pub mod summary;

pub use step_1_4::{Record, Records, records};

// The step's lesson, so that `cargo test --doc` compiles its `rust` code blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../../exercises/01_borrowing/05_borrow_checker/README.md")]
pub struct Lesson;
