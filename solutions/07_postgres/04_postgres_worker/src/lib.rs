//! The import worker with its queue in PostgreSQL: Part 6's program, Part 7's table.
//!
//! Part 6's import worker and Part 7's job queue are library crates this crate depends on
//! (`step_6_6`, `step_7_3`); it holds only what joins them.
//!
//! - [`queue`]: given, the interface both queues implement: Part 6's journal, and the table.
//! - [`table`]: step 7.4, the table behind that interface: intake, status, recording an
//!   attempt's outcome fenced by the attempt, and handing a job back at a shutdown.
//! - [`runner`]: given, the worker side: claim with a lease, run the pipeline, renew the lease,
//!   record; at a shutdown, hand back what did not finish.
//! - [`server`], [`cli`], [`app`]: given, Part 6's HTTP routes and program, over either queue
//!   (`import-worker-pg serve --queue postgres://...`; the journal stays the default).

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

pub mod app;
pub mod cli;
pub mod queue;
pub mod runner;
pub mod server;
pub mod table;

// Part 6's modules, used unchanged: the job spec, the upload path, the pipeline and its
// outputs, the metrics and `check`.
pub use step_6_6::{check, job, metrics, outputs, pipeline, spec, upload};

// The step's lesson, so that `cargo test --doc` compiles its `rust` code blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../../exercises/07_postgres/04_postgres_worker/README.md")]
pub struct Lesson;
