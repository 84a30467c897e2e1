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
    // TODO: count the records of `job.payload` with `records(...)` and find the widest one,
    // as `summarize` does in `parallel.rs`. No records at all: return
    // `Err(JobError::Permanent(format!("{} has no records", job.id)))`.
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
    // TODO: first spawn one task per job with `tokio::spawn(handler(job))`, keeping each
    // job's id next to its `JoinHandle`. Then await the handles in order: `Ok(result)` is the
    // handler's answer, `Err(error)` becomes `Err(task_failure(error))`.
    let _ = (jobs, handler);
    todo!("spawn every task, then await the handles in order")
}

/// The [`JobError`] for a task that ended without an answer.
///
/// Awaiting a `JoinHandle` gives `Err(JoinError)` in two cases: the task panicked (the panic
/// stops at the task's edge, like at a thread's in step 4.1), or it was cancelled before it
/// finished (`JoinHandle::abort`, or the runtime shutting down).
pub fn task_failure(error: JoinError) -> JobError {
    // TODO: `error.try_into_panic()` gives `Ok(payload)` for a panic: answer
    // `JobError::Permanent` with "handler panicked: " and the `panic_message` of the payload.
    // `Err(_)` means the task was cancelled: `JobError::Retryable("task was cancelled")`.
    let _ = error;
    todo!("turn a JoinError into a JobError")
}
