//! Step 5.1: one tokio task per job.
//!
//! A task is tokio's unit of concurrency: a future that the runtime polls, interleaved with
//! every other task on a few threads. A task costs a small allocation, not an OS thread, so
//! spawning one per job is cheap. It is not free, and nothing here limits how many run at
//! once: step 5.3 adds that limit.

use std::future::Future;

use tokio::task::JoinError;

use crate::job::{Job, JobError};
use crate::parallel::panic_message;
use crate::records::records;
use crate::thread_pool::JobResult;

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
    // TODO (step 5.7): this parse has no `.await`: it holds a runtime thread until it is done.
    // Run it on the blocking pool instead, with the same answers
    // (`process_still_summarizes_the_payload`).
    let mut summary = Summary {
        records: 0,
        widest: 0,
    };
    for record in records(&job.payload) {
        summary.records += 1;
        summary.widest = summary.widest.max(record.len());
    }
    if summary.records == 0 {
        return Err(JobError::Permanent(format!("{} has no records", job.id)));
    }
    Ok(summary)
}

/// Runs `work` on tokio's blocking pool and waits for it without holding a runtime thread.
///
/// Use it for work that runs for long without an `.await`: parsing, hashing, compressing, or
/// a blocking library call. `abort` cannot stop such work once it runs: it goes on to the end.
///
/// # Errors
///
/// The [`JobError`] from [`task_failure`]: `Permanent` when `work` panicked, `Retryable` when
/// the runtime shut down before it ran.
///
/// # Panics
///
/// When called outside a tokio runtime.
pub async fn run_blocking<T, F>(work: F) -> Result<T, JobError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    // TODO: run `work` off the runtime's threads and return what it returns
    // (`run_blocking_runs_the_work_on_another_thread`); a panic in it is the same failure as a
    // panicking task in step 5.1 (`a_panic_in_blocking_work_is_a_permanent_error`).
    let _ = work;
    todo!("run the work on the blocking pool")
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
    // Spawn every task first and only then await them. A spawned task runs when the runtime
    // has a thread free for it: on a multi-thread runtime maybe at once, on the current-thread
    // runtime (every `#[tokio::test]`) once this task yields at its first `.await` below.
    // Either way all jobs are in progress while we wait for the first. Awaiting each handle
    // right after spawning it (or awaiting `handler(job)` without spawning) runs the jobs one
    // after another: the same answers, in the time of all jobs added up.
    let handles: Vec<_> = jobs
        .into_iter()
        .map(|job| (job.id, tokio::spawn(handler(job))))
        .collect();
    let mut answers = Vec::with_capacity(handles.len());
    // Awaiting in spawn order gives the answers in job order. A task that finished early just
    // holds its output until we get to its handle.
    for (id, handle) in handles {
        let result = match handle.await {
            Ok(result) => result,
            Err(error) => Err(task_failure(error)),
        };
        answers.push(JobResult { id, result });
    }
    answers
}

/// The [`JobError`] for a task that ended without an answer.
///
/// Awaiting a `JoinHandle` gives `Err(JoinError)` in two cases: the task panicked (the panic
/// stops at the task's edge, like at a thread's in step 4.1), or it was cancelled before it
/// finished (`JoinHandle::abort`, or the runtime shutting down).
pub fn task_failure(error: JoinError) -> JobError {
    match error.try_into_panic() {
        // The same words as a panic on a worker thread (step 4.2): a panic is a bug in the
        // handler, and running the job again hits the same bug.
        Ok(payload) => JobError::Permanent(format!(
            "handler panicked: {}",
            panic_message(payload.as_ref())
        )),
        // Cancelled: the job did not fail, it was stopped, so another attempt may work.
        Err(_cancelled) => JobError::Retryable("task was cancelled".to_string()),
    }
}
