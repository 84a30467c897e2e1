//! Step 7.1: a job enqueued inside the caller's transaction, at most once per key.

use tokio_postgres::Transaction;

use crate::job::{Enqueued, JobId, NewJob};

/// Why a job could not be enqueued.
#[derive(Debug, thiserror::Error)]
pub enum EnqueueError {
    /// The database refused the statement or the connection failed. The caller's transaction
    /// is then aborted and must be rolled back: the upload's row is not saved either.
    #[error("could not enqueue the job")]
    Database(#[from] tokio_postgres::Error),
}

/// Enqueues `job` in the caller's transaction.
///
/// The job becomes visible to workers when, and only when, the caller commits; if the caller
/// rolls back (the upload failed to save), there is no job. That is the point of keeping the
/// queue in the database the upload is saved in: no job for an upload that does not exist, no
/// upload whose job was lost.
///
/// A key that is already queued, running or finished is not enqueued again: the answer is
/// [`Enqueued::AlreadyQueued`] with the existing job's id, so a client that retries a request
/// does not start a second import.
///
/// # Errors
///
/// [`EnqueueError::Database`] when a statement fails.
pub async fn enqueue(
    transaction: &Transaction<'_>,
    job: &NewJob,
) -> Result<Enqueued, EnqueueError> {
    // `ON CONFLICT DO NOTHING` rather than "SELECT, then INSERT if missing": between the two
    // statements another transaction may insert the same key. The unique index decides, and a
    // concurrent insert of the same key waits until the other transaction commits or rolls back.
    let inserted = transaction
        .query_opt(
            "INSERT INTO jobs (job_key, kind, payload) VALUES ($1, $2, $3)
             ON CONFLICT (job_key) DO NOTHING
             RETURNING id",
            &[&job.key.as_str(), &job.kind, &job.payload],
        )
        .await?;
    if let Some(row) = inserted {
        return Ok(Enqueued::New(JobId(row.try_get(0)?)));
    }
    // The key exists (committed by someone, or inserted earlier in this transaction): this
    // statement sees it, because each statement of a READ COMMITTED transaction takes a new
    // snapshot.
    let existing = transaction
        .query_one(
            "SELECT id FROM jobs WHERE job_key = $1",
            &[&job.key.as_str()],
        )
        .await?;
    Ok(Enqueued::AlreadyQueued(JobId(existing.try_get(0)?)))
}
