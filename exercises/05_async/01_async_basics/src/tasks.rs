//! Step 5.1: one tokio task per job.
//!
//! A task is tokio's unit of concurrency: a future that the runtime polls, interleaved with
//! every other task on a few threads. A task costs a small allocation, not an OS thread, so
//! spawning one per job is cheap. It is not free, and nothing here limits how many run at
//! once: step 5.3 adds that limit.

use std::future::Future;

use tokio::task::JoinError;

use crate::job::{Job, JobError};
use crate::thread_pool::JobResult;
// TODO: you will need `crate::records::records` and `crate::parallel::panic_message`.

/// What processing one job found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// How many records the payload holds, the header included.
    pub records: usize,
    /// The most fields in any one record.
    pub widest: usize,
}

/// Parses the job's payload and summarizes it.
///
/// Nothing in here waits yet, so there is no `.await`: parsing text already in memory is CPU
/// work. The signature is `async` because processing a real job waits for I/O (Part 6 reads
/// the upload from a file), and callers should not have to change when it does.
///
/// # Errors
///
/// [`JobError::Permanent`] when the payload holds no records: an empty upload does not become
/// less empty by trying again.
pub async fn process(job: Job) -> Result<Summary, JobError> {
    // TODO: the `Summary` of the payload's records; a payload without a single record is a
    // permanent error that names the job (`process_counts_the_records_of_the_payload`,
    // `an_empty_payload_is_a_permanent_error`).
    let _ = job;
    todo!("summarize the payload's records")
}

/// Processes every job at the same time, one task per job, and answers each job in the order
/// of `jobs`.
pub async fn run_all(jobs: Vec<Job>) -> Vec<JobResult<Summary>> {
    run_all_with(jobs, process).await
}

/// Like [`run_all`], with the job handler as a parameter (so the tests can make a job slow or
/// make it panic).
///
/// Spawns one task per job running `handler(job)` and returns one answer per job, in the order
/// of `jobs`, whichever task finishes first. A task that panics is answered with the
/// [`JobError`] from [`task_failure`]; the panic does not escape this function.
///
/// # Panics
///
/// When called outside a tokio runtime, because `tokio::spawn` needs one.
pub async fn run_all_with<H, F, T>(jobs: Vec<Job>, handler: H) -> Vec<JobResult<T>>
where
    H: Fn(Job) -> F,
    // `Send + 'static` is what `tokio::spawn` asks of a future: the runtime may move it to
    // another thread, and it may outlive this function. So the future owns its job (moved
    // in) and borrows nothing from the caller.
    F: Future<Output = Result<T, JobError>> + Send + 'static,
    T: Send + 'static,
{
    // TODO: every job runs in a task of its own, all at the same time
    // (`the_jobs_run_at_the_same_time`); the answers come back in the order of `jobs`, however
    // the tasks finish (`answers_keep_job_order_when_later_jobs_finish_first`); a task that
    // panics is answered with `task_failure` and the others still run
    // (`a_panicking_job_is_answered_and_the_others_still_run`).
    let _ = (jobs, handler);
    todo!("spawn every task, then await the handles in order")
}

/// The [`JobError`] for a task that ended without an answer.
///
/// Awaiting a `JoinHandle` gives `Err(JoinError)` in two cases: the task panicked (the panic
/// stops at the task's edge, like at a thread's in step 4.1), or it was cancelled before it
/// finished (`JoinHandle::abort`, or the runtime shutting down).
pub fn task_failure(error: JoinError) -> JobError {
    // TODO: a panic is `Permanent` (running it again panics again), its message starting
    // "handler panicked: "; a cancelled task is `Retryable` ("task was cancelled")
    // (`a_panic_is_a_permanent_failure`, `a_cancelled_task_is_a_retryable_failure`).
    let _ = error;
    todo!("turn a JoinError into a JobError")
}
