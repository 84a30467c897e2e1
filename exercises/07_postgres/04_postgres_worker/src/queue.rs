//! The queue interface: what the HTTP side and the program need from wherever jobs wait.
//!
//! Part 6 keeps accepted jobs in a journal file on this machine; this part adds the jobs table
//! of PostgreSQL. Both take a job in durably before the 202, say where a job stands, and stop
//! without losing one, so the program is written once against this trait and chooses the
//! queue at start (`--queue`). The pipeline that runs a job (Part 6's `Importer`) is the same
//! behind both.

use std::future::Future;

use step_6_6::service::{Intake, IntakeError, JobStatus, Service};
use step_6_6::spec::{JobId, JobSpec};

/// Why a queue could not take a job in or answer about one. Each is temporary: the client
/// sends the request again later (503 with `Retry-After`).
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The journal's refusal: busy, or the journal could not be written.
    #[error(transparent)]
    Intake(#[from] IntakeError),
    /// The job could not be enqueued in the table.
    #[error("could not enqueue the job (send it again later)")]
    Enqueue(#[from] step_7_3::enqueue::EnqueueError),
    /// The jobs table could not be reached, or refused a statement.
    #[error("the job queue's database failed (send it again later)")]
    Database(#[from] tokio_postgres::Error),
}

/// Where accepted jobs wait until a worker runs them.
///
/// The methods return `impl Future + Send` rather than being `async fn`: the HTTP handlers run
/// them in spawned tasks, which need futures that can move between threads, and a trait's
/// `async fn` does not promise that to its callers.
pub trait JobQueue: Send + Sync + 'static {
    /// Takes a job in. [`Intake::Accepted`] only once the job is durable (journaled and synced,
    /// or committed), so the 202 it leads to is a promise; [`Intake::Known`] when the job id
    /// was taken in before, with where that job stands.
    ///
    /// # Errors
    ///
    /// [`QueueError`] when the job was not taken: nothing was promised.
    fn submit(&self, spec: JobSpec) -> impl Future<Output = Result<Intake, QueueError>> + Send;

    /// Where job `id` stands, or `None` for an id never taken in.
    ///
    /// # Errors
    ///
    /// [`QueueError::Database`] when the table cannot be read.
    fn status(
        &self,
        id: &JobId,
    ) -> impl Future<Output = Result<Option<JobStatus>, QueueError>> + Send;

    /// The metrics, in Prometheus's text format.
    fn metrics(&self) -> String;

    /// Stops taking jobs to run, gives running jobs the shutdown grace, and hands every job
    /// that did not finish back to the queue, so the next worker (this one restarted, or
    /// another) runs it. Returns how many were handed back.
    fn shutdown(&self) -> impl Future<Output = usize> + Send;
}

/// Part 6's journal, unchanged: its `Service` already keeps every promise of the trait. The
/// jobs it did not finish stay accepted in the journal and run at the next start.
impl JobQueue for Service {
    async fn submit(&self, spec: JobSpec) -> Result<Intake, QueueError> {
        Ok(Service::submit(self, spec).await?)
    }

    async fn status(&self, id: &JobId) -> Result<Option<JobStatus>, QueueError> {
        Ok(Service::status(self, id))
    }

    fn metrics(&self) -> String {
        Service::metrics(self)
    }

    async fn shutdown(&self) -> usize {
        Service::shutdown(self).await
    }
}
