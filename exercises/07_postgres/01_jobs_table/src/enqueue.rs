//! Step 7.1: a job enqueued inside the caller's transaction, at most once per key.

use tokio_postgres::Transaction;

use crate::job::{Enqueued, NewJob};

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
    // TODO (step 7.1): insert the job with the caller's `transaction`, so that it exists
    // exactly when the caller commits (test `a_rolled_back_upload_leaves_no_job`). A key that
    // already exists, committed or still being committed by another transaction, is not an
    // error: answer `AlreadyQueued` with the existing job's id (tests
    // `enqueueing_the_same_key_twice_gives_one_job` and
    // `the_same_key_from_two_transactions_at_once_gives_one_job`).
    let _ = (transaction, job);
    todo!("enqueue the job in the caller's transaction")
}
