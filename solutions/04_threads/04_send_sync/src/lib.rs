//! The queue worker, built over Parts 4 and 5.
//!
//! Part 4 builds it with threads, Part 5 with tokio, and Part 6 joins it to the parser.
//! [`records`] is the record iterator learners finish Part 1 with (step 1.4's reference), so the
//! worker has real parsing to do from the first step.
//!
//! - [`parallel`]: step 4.1, parse several files at once with scoped threads.
//! - [`job`]: what a job is and how it fails.
//! - [`thread_pool`]: step 4.2, a fixed pool of worker threads behind a bounded channel.
//! - [`status`]: step 4.3, a job status store shared by the worker threads.
//! - [`metrics`]: step 4.4, per-run counters shared by the worker threads (`Send` and `Sync`).

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

// Built in earlier steps and used here unchanged: each module comes from the reference
// solution of the step that last changed it (`step_N_M` in Cargo.toml), so `src/` holds
// only what this step changes.
pub use step_1_4 as records;
pub use step_4_1::parallel;
pub use step_4_2::job;
pub use step_4_3::status;

// Changed in this step.
pub mod metrics;
pub mod thread_pool;

// The step's lesson, so that `cargo test --doc` compiles its `rust` code blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../../exercises/04_threads/04_send_sync/README.md")]
pub struct Lesson;
