//! The queue worker, built over Parts 4 and 5.
//!
//! Part 4 builds it with threads, Part 5 with tokio, and Part 6 joins it to the parser.
//! [`records`] is the record iterator learners finish Part 1 with, copied in so the worker has
//! real parsing to do from the first step.
//!
//! - [`parallel`]: step 4.1, parse several files at once with scoped threads.
//! - [`job`]: what a job is and how it fails.
//! - [`thread_pool`]: step 4.2, a fixed pool of worker threads behind a bounded channel.
//! - [`status`]: step 4.3, a job status store shared by the worker threads.
//! - [`metrics`]: step 4.4, per-run counters shared by the worker threads (`Send` and `Sync`).
//! - [`tasks`]: step 5.1, one tokio task per job.
//! - [`queue`]: step 5.2, a bounded job queue with backpressure.
//! - [`pool`]: step 5.3, a pool of tokio tasks with a concurrency limit; step 5.4 adds a
//!   time limit per job.
//! - [`timeouts`]: step 5.4, a time limit for one job.

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

pub mod job;
pub mod metrics;
pub mod parallel;
pub mod pool;
pub mod queue;
pub mod records;
pub mod status;
pub mod tasks;
pub mod thread_pool;
pub mod timeouts;

// The step's lesson, so that `cargo test --doc` compiles its `rust` code blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../../exercises/05_async/04_timeouts/README.md")]
pub struct Lesson;
