//! The job queue in PostgreSQL, built over Part 7.
//!
//! A team whose uploads outgrow one machine moves the queue into the database it already runs.
//! A job is a row; enqueueing is an `INSERT` in the caller's own transaction, so a job exists
//! exactly when the upload that asked for it was committed.
//!
//! - [`migrate`]: given; applies the SQL files in `src/migrations/` once each, in order.
//! - [`job`]: what a job is: its key, its kind and payload, and the answer to an enqueue.
//! - [`enqueue`]: step 7.1, a job enqueued inside the caller's transaction, at most once per key.

pub mod enqueue;
pub mod job;
pub mod migrate;
