//! Step 5.4: a time limit for one job.
//!
//! A job that hangs (a server that never answers, a lock that is never released) would hold
//! its slot in the pool forever, and after `concurrency` such jobs the pool does nothing at
//! all. A time limit turns "hangs" into an answer: the job is stopped and reported as
//! retryable.
//!
//! Stopping is *cancellation*: `tokio::time::timeout` drops the job's future when time runs
//! out. A future only makes progress while it is polled, and it is polled only at its
//! `.await` points, so a dropped future stops at the `.await` where it was waiting: the code
//! after it never runs, and its local variables are dropped (files closed, connections handed
//! back, guards released). Two consequences: work between two `.await`s is never cut in half,
//! but a job can stop between any two of them, so it must not leave half-written results
//! behind (Part 6 writes to a temporary file and renames it at the end). And a job that
//! computes for a long time *without* an `.await` cannot be stopped: the timer fires, but
//! nobody polls it until the job yields (step 5.7 moves such work to `spawn_blocking`).

use std::future::Future;
use std::time::Duration;

// TODO: you will need `tokio::time::timeout`.

use crate::job::JobError;

/// Runs `job`, giving up after `limit`.
///
/// The clock starts when this function is first polled, that is when the job starts running,
/// not when it was queued.
///
/// # Errors
///
/// The job's own error, or [`JobError::Retryable`] `"timed out after 5s"` when it ran out of
/// time: the job itself did not fail, so another attempt may work. Its future has then been
/// dropped, so it is not running any more.
pub async fn run_with_timeout<T, F>(limit: Duration, job: F) -> Result<T, JobError>
where
    F: Future<Output = Result<T, JobError>>,
{
    // TODO: a job that finishes in time keeps its own answer, errors included
    // (`a_job_that_finishes_in_time_keeps_its_answer`); a job that does not is stopped and
    // answered as the doc comment says (`a_job_that_never_finishes_times_out`,
    // `the_message_says_how_long_the_job_had`, `a_timed_out_job_is_cancelled_at_its_await_point`).
    let _ = (limit, job);
    todo!("run the job with a time limit")
}
