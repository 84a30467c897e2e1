//! Step 7.3: retries, backoff and dead letters, kept in the table.
//!
//! Part 5 retried a job inside the worker's memory: a crash forgot the retry. Here a failed
//! attempt goes back into the table with a later `run_at`, so any worker picks it up when it is
//! due, and a job that will not be tried again becomes `dead` with every attempt's error kept
//! for the person who looks at it. The policy and the jitter are Part 5's.

use std::time::Duration;

use tokio_postgres::Client;
use worker::job::JobError;
use worker::retry::{Jitter, RetryPolicy};

use crate::claim::{ClaimError, ClaimedJob, fenced_unless_one};

/// What became of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    /// The job is queued again, due after this delay.
    RetryIn(Duration),
    /// The job will not be tried again: its error was permanent, or that was its last attempt.
    Dead,
}

/// The jitter for one attempt of one job: the same seed, job and attempt always give the same
/// delay, so a test (or a person reading a log) can replay it.
pub fn jitter_for(seed: u64, job: &ClaimedJob) -> Jitter {
    let id = job.id.0.cast_unsigned();
    let attempt = u64::from(job.attempt.cast_unsigned());
    Jitter::new(seed ^ id ^ attempt.rotate_left(32))
}

/// Records that this claim's attempt failed with `error`: queued again after a backoff when
/// `policy` allows another attempt, `dead` otherwise. The error is appended to the job's
/// `errors` either way.
///
/// # Errors
///
/// [`ClaimError::Fenced`] when the claim no longer holds the job (nothing is written), and
/// [`ClaimError::Database`] when the statement fails.
pub async fn fail(
    client: &Client,
    job: &ClaimedJob,
    error: &JobError,
    policy: &RetryPolicy,
    seed: u64,
) -> Result<Failed, ClaimError> {
    // TODO (step 7.3): one UPDATE, fenced by the attempt as `complete` is (test
    // `a_worker_whose_lease_ran_out_cannot_fail_the_job`), that leaves the job in one of two
    // states:
    // - when `policy` allows another attempt: `queued` again, due `policy.delay(..)` from now
    //   with this job's `jitter_for(seed, job)`, and the answer is `RetryIn` of that delay
    //   (test `a_retryable_failure_is_queued_again_after_its_backoff`);
    // - otherwise: `dead`, with `finished_at` set as `complete` sets it for a done job, and the
    //   answer is `Dead` (tests `a_permanent_failure_is_a_dead_letter_at_once`,
    //   `the_last_attempt_fails_into_a_dead_letter`,
    //   `old_finished_jobs_are_deleted_and_dead_ones_kept`).
    // Either way `errors` gains `{"attempt", "error", "at"}`, the error as its `Display` text
    // (test `every_failed_attempt_keeps_its_error`).
    let _ = (client, job, error, policy, seed, fenced_unless_one);
    todo!("retry the job later, or make it a dead letter")
}

/// Deletes `done` jobs that finished more than `keep` ago, and answers how many.
///
/// Without it the table grows by every job ever run, and every claim's index scan with it.
/// Dead jobs stay: each needs a person to look at it, and a team deletes them by hand.
/// (A team that must keep history moves the rows to an archive table in the same statement,
/// with `WITH gone AS (DELETE ... RETURNING *) INSERT INTO jobs_archive SELECT * FROM gone`.)
///
/// # Errors
///
/// The database's error when the statement fails.
pub async fn delete_finished(
    client: &Client,
    keep: Duration,
) -> Result<u64, tokio_postgres::Error> {
    client
        .execute(
            "DELETE FROM jobs
              WHERE state = 'done' AND finished_at < now() - make_interval(secs => $1)",
            &[&keep.as_secs_f64()],
        )
        .await
}
