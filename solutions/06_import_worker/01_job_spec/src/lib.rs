//! The import worker: the parser from Part 3 and the queue worker from Part 5, joined into a
//! program a team can run.
//!
//! The web app stores a customer's upload under the *import root* and sends the worker a job
//! spec as JSON; the worker imports the upload and writes the results next to it.
//!
//! - [`spec`]: step 6.1, the job spec, read from JSON with every field checked.
//! - [`upload`]: step 6.1, the upload's path, which can never lead outside the import root.

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

pub mod spec;
pub mod upload;

// The step's lesson, so that `cargo test --doc` compiles its `rust` code blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../../exercises/06_import_worker/01_job_spec/README.md")]
pub struct Lesson;
