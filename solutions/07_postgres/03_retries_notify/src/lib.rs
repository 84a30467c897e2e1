//! The job queue in PostgreSQL, built over Part 7.
//!
//! A team whose uploads outgrow one machine moves the queue into the database it already runs.
//! A job is a row; enqueueing is an `INSERT` in the caller's own transaction, so a job exists
//! exactly when the upload that asked for it was committed.
//!
//! - [`migrate`]: given; applies the SQL files in `src/migrations/` once each, in order.
//! - [`job`]: what a job is: its key, its kind and payload, and the answer to an enqueue.
//! - [`enqueue`]: step 7.1, a job enqueued inside the caller's transaction, at most once per key.
//! - [`claim`]: step 7.2, workers claim distinct jobs with `SKIP LOCKED` and a lease, and the
//!   attempt number fences off a worker whose lease ran out.
//! - [`retry`]: step 7.3, a failed attempt is retried later or becomes a dead letter, in the
//!   table, and finished jobs are cleaned up.
//! - [`wake`]: step 7.3, `LISTEN`/`NOTIFY` wakes an idle worker, with a slow poll as the fallback.

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

pub mod claim;
pub mod enqueue;
pub mod job;
pub mod migrate;
pub mod retry;
pub mod wake;

// The step's lesson, so that `cargo test --doc` compiles its `rust` code blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../../exercises/07_postgres/03_retries_notify/README.md")]
pub struct Lesson;
