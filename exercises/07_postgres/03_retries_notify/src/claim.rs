//! Step 7.2: claiming jobs with `FOR UPDATE SKIP LOCKED` and a lease, fenced by the attempt.
//!
//! A worker *claims* a job by marking it `running` with a lease: a time until which the job is
//! its own. A worker that crashes stops renewing its lease, and once the lease has run out
//! another worker may claim the job again. Each claim adds one to `attempt`, and every later
//! write names the attempt it belongs to: a worker whose lease ran out (it was paused, or cut
//! off from the database) can no longer mark the job done or overwrite the newer attempt's
//! result. The attempt is a *fencing token*.

use std::time::Duration;

use tokio_postgres::{Client, Row};

use crate::job::JobId;

/// A job this worker holds, as of its claim.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    /// The job's row.
    pub id: JobId,
    /// The caller's name for the job.
    pub key: String,
    /// Which handler runs it.
    pub kind: String,
    /// The job's arguments.
    pub payload: serde_json::Value,
    /// Which attempt this is, from 1: the fencing token for every write about this claim.
    pub attempt: i32,
}

/// Why a write about a claimed job was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    /// The job is no longer this claim's: its lease ran out and another attempt claimed it,
    /// or it was finished. The worker must drop its work on the job without writing anything.
    #[error("job {id} attempt {attempt} no longer holds its lease")]
    Fenced {
        /// The job.
        id: i64,
        /// The attempt whose write was refused.
        attempt: i32,
    },
    /// The database refused a statement or the connection failed.
    #[error("the job queue's database failed")]
    Database(#[from] tokio_postgres::Error),
}

/// Claims the oldest due job for `worker`, for `lease`; `None` when no job is due.
///
/// A job is due when it is queued and its `run_at` has come, or when it is running but its
/// lease has run out (its worker is presumed dead).
///
/// # Errors
///
/// [`ClaimError::Database`] when the statement fails.
pub async fn claim(
    client: &Client,
    worker: &str,
    lease: Duration,
) -> Result<Option<ClaimedJob>, ClaimError> {
    // One statement, so the claim is atomic without a transaction of our own. The inner SELECT
    // locks the row it picks; `SKIP LOCKED` makes a second worker pass over a row the first is
    // claiming instead of waiting for it, so N workers claim N different jobs at once. Without
    // `FOR UPDATE`, two workers could pick the same row and both "claim" it; with it but
    // without `SKIP LOCKED`, they would queue up behind each other.
    let row = client
        .query_opt(
            "UPDATE jobs
                SET state = 'running',
                    attempt = attempt + 1,
                    worker = $1,
                    lease_until = now() + make_interval(secs => $2)
              WHERE id = (
                    SELECT id FROM jobs
                     WHERE (state = 'queued' AND run_at <= now())
                        OR (state = 'running' AND lease_until < now())
                     ORDER BY run_at, id
                     LIMIT 1
                       FOR UPDATE SKIP LOCKED)
          RETURNING id, job_key, kind, payload, attempt",
            &[&worker, &lease.as_secs_f64()],
        )
        .await?;
    row.map(claimed_job).transpose().map_err(ClaimError::from)
}

fn claimed_job(row: Row) -> Result<ClaimedJob, tokio_postgres::Error> {
    Ok(ClaimedJob {
        id: JobId(row.try_get("id")?),
        key: row.try_get("job_key")?,
        kind: row.try_get("kind")?,
        payload: row.try_get("payload")?,
        attempt: row.try_get("attempt")?,
    })
}

/// Renews the lease of a job this worker still holds, for another `lease` from now.
///
/// A worker running a long job calls this well before the lease runs out (at a third of it,
/// say), so the job is not claimed a second time while it is still running.
///
/// # Errors
///
/// [`ClaimError::Fenced`] when the claim is no longer current: stop working on the job.
pub async fn renew(client: &Client, job: &ClaimedJob, lease: Duration) -> Result<(), ClaimError> {
    let renewed = client
        .execute(
            "UPDATE jobs SET lease_until = now() + make_interval(secs => $3)
              WHERE id = $1 AND attempt = $2 AND state = 'running'",
            &[&job.id.0, &job.attempt, &lease.as_secs_f64()],
        )
        .await?;
    fenced_unless_one(renewed, job)
}

/// Marks a job done with its `result`, if this claim still holds it, and records when in
/// `finished_at` (new in step 7.3): [`delete_finished`](crate::retry::delete_finished) counts a
/// done job's age from it.
///
/// # Errors
///
/// [`ClaimError::Fenced`] when the job is no longer this claim's (a newer attempt holds it, or
/// it is finished): nothing is written, so the newer attempt's result stands.
pub async fn complete(
    client: &Client,
    job: &ClaimedJob,
    result: &serde_json::Value,
) -> Result<(), ClaimError> {
    // The attempt in the WHERE clause is the fence: a stale worker's UPDATE matches no row.
    // Checking the attempt with a SELECT first and updating after would leave a gap in which
    // the lease can run out and another worker claim the job.
    let completed = client
        .execute(
            "UPDATE jobs SET state = 'done', result = $3, lease_until = NULL, finished_at = now()
              WHERE id = $1 AND attempt = $2 AND state = 'running'",
            &[&job.id.0, &job.attempt, result],
        )
        .await?;
    fenced_unless_one(completed, job)
}

pub(crate) fn fenced_unless_one(rows: u64, job: &ClaimedJob) -> Result<(), ClaimError> {
    if rows == 1 {
        Ok(())
    } else {
        Err(ClaimError::Fenced {
            id: job.id.0,
            attempt: job.attempt,
        })
    }
}
