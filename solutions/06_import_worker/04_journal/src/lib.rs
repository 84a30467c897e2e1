//! The import worker: the parser from Part 3 and the queue worker from Part 5, joined into a
//! program a team can run.
//!
//! The web app stores a customer's upload under the *import root* and sends the worker a job
//! spec as JSON; the worker imports the upload and writes the results next to it. The parser
//! and the worker are library crates this crate depends on (`parser`, `worker`).
//!
//! - [`spec`]: step 6.1, the job spec, read from JSON with every field checked.
//! - [`upload`]: step 6.1, the upload's path, which can never lead outside the import root.
//! - [`rows`]: step 6.2, the one module that uses the parser: typed rows or rejects.
//! - [`pipeline`]: step 6.2, one upload streamed to good rows and a reject report, on the
//!   blocking pool, stopping between rows when cancelled.
//! - [`job`]: step 6.2, a job from the pool: spec, upload, output files; step 6.3 makes its
//!   outputs all-or-nothing.
//! - [`outputs`]: step 6.3, an output file that appears whole or not at all.
//! - [`journal`]: step 6.4, a durable journal of job events; recovery after a crash.

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

// Built in earlier steps and used here unchanged: each module comes from the reference
// solution of step 6.3 (`step_6_3` in Cargo.toml), which holds the ones it did not
// change itself from the steps before, so `src/` holds only what this step changes.
pub use step_6_3::{job, outputs, pipeline, rows, spec, upload};

// Changed in this step.
pub mod journal;

// The step's lesson, so that `cargo test --doc` compiles its `rust` code blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../../exercises/06_import_worker/04_journal/README.md")]
pub struct Lesson;
