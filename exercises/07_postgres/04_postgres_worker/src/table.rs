//! Step 7.4: the jobs table behind the queue interface.
//!
//! The HTTP intake enqueues into the table of steps 7.1-7.3; the [`runner`](crate::runner)
//! claims from it with a lease, runs Part 6's pipeline, and writes the outcome fenced by the
//! attempt. Any number of worker processes, on any number of machines, share one table: the
//! table is the queue, and no process holds a job that another could not take over once its
//! lease runs out.

use std::sync::Arc;

use step_6_6::job::JobSummary;
use step_6_6::service::{Intake, JobStatus};
use step_6_6::spec::{JobId, JobSpec};
use step_7_3::claim::{ClaimError, ClaimedJob, complete};
use step_7_3::enqueue::enqueue;
use step_7_3::retry::fail;
use tokio_postgres::Client;
use worker::job::JobError;
use worker::retry::RetryPolicy;

use crate::queue::{JobQueue, QueueError};
use crate::runner::Runner;

/// The `kind` of an import job in the table.
pub const IMPORT_KIND: &str = "import";

/// The import worker's queue in PostgreSQL: intake, status, and the runner that claims.
pub struct TableQueue {
    /// The intake's connection. A transaction needs the client to itself (`&mut`), so one
    /// intake at a time uses it; a team with heavy intake gives it a connection pool instead.
    pub(crate) intake: tokio::sync::Mutex<Client>,
    /// Status queries; shared with nobody that needs `&mut`.
    pub(crate) client: Arc<Client>,
    pub(crate) runner: Runner,
}

impl JobQueue for TableQueue {
    /// Enqueues the job in a transaction of its own and commits: the job is durable when the
    /// commit returns, and any worker process may claim it from then on.
    async fn submit(&self, spec: JobSpec) -> Result<Intake, QueueError> {
        // TODO (step 7.4): when this answers `Intake::Accepted`, the job is committed: another
        // connection sees its row, so the 202 that follows is a promise (test
        // `a_job_is_taken_in_once_per_id_and_committed`). The row is enqueued as step 7.1 does
        // it, with the key `spec.id`, the kind `IMPORT_KIND` and the spec as JSON for payload:
        // that is what the runner, in any process, reads back (test
        // `several_processes_share_one_queue_in_the_table`). A new job counts as accepted in
        // `self.runner.metrics()`; an id taken in before is `Intake::Known` with its status,
        // and no second row.
        let _ = (spec, &self.intake, enqueue, IMPORT_KIND);
        todo!("enqueue the job in a committed transaction")
    }

    async fn status(&self, id: &JobId) -> Result<Option<JobStatus>, QueueError> {
        // TODO (step 7.4): read the row whose `job_key` is `id` with `self.client`: none is
        // `None`; `done` is `JobStatus::Done` with `rows`, `good` and `bad` from its `result`;
        // `dead` is `JobStatus::Dead` with the last entry of `errors`; anything else is
        // `JobStatus::Queued` (test `status_reads_where_the_job_stands_in_the_table`).
        let _ = (id, &self.client);
        todo!("read where the job stands")
    }

    fn metrics(&self) -> String {
        self.runner.render_metrics()
    }

    async fn shutdown(&self) -> usize {
        self.runner.shutdown().await
    }
}

/// What became of a finished attempt, once written to the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// The job is done: its outputs are in place and its summary is the row's `result`.
    Done,
    /// The attempt failed; the job runs again when its backoff is over, on any worker.
    Retry,
    /// The job failed for good: a dead letter with every attempt's error.
    Dead,
}

/// Writes the outcome of this claim's attempt: `done` with the summary, or a failure that is
/// retried or dead by `policy` (step 7.3's `fail`).
///
/// # Errors
///
/// [`ClaimError::Fenced`] when the claim no longer holds the job (its lease ran out and a newer
/// attempt claimed it): nothing is written, and the newer attempt's result stands.
pub async fn record(
    client: &Client,
    job: &ClaimedJob,
    outcome: &Result<JobSummary, JobError>,
    policy: &RetryPolicy,
    seed: u64,
) -> Result<Recorded, ClaimError> {
    // TODO (step 7.4): a finished attempt leaves the job `done` with the summary as its
    // `result`, and answers `Recorded::Done` (test
    // `a_finished_attempt_is_recorded_done_with_its_summary`); a failed one is queued again or
    // dead as `policy` decides, with `seed` for the jitter, and answers `Recorded::Retry` or
    // `Recorded::Dead` (test `a_failed_attempt_is_retried_or_dead_by_the_policy`). A claim that
    // no longer holds the job writes nothing and answers `ClaimError::Fenced` (test
    // `a_stale_attempt_cannot_record_over_the_newer_one`). Steps 7.2 and 7.3 wrote each of these
    // writes already.
    let _ = (client, job, outcome, policy, seed, complete, fail);
    todo!("record the attempt's outcome")
}

/// Hands a claimed job back to the queue at once, as a worker that stops does with the jobs it
/// did not finish: `queued`, due now, no lease, no worker. The next claim, by any worker, takes
/// it straight away instead of after the lease would have run out.
///
/// The attempt is not given back: it stays counted, so the next claim has a higher attempt
/// than this one, and this claim's fence keeps refusing its writes.
///
/// # Errors
///
/// [`ClaimError::Fenced`] when the claim no longer holds the job (nothing is written), and
/// [`ClaimError::Database`] when the statement fails (the lease then runs out as after a
/// crash).
pub async fn give_back(client: &Client, job: &ClaimedJob) -> Result<(), ClaimError> {
    // TODO (step 7.4): with one UPDATE fenced by the attempt (as `complete` is), make the job
    // `queued`, due now, with no lease and no worker; leave `attempt` as it is. No row
    // updated means the claim is stale: `ClaimError::Fenced` (tests
    // `a_job_handed_back_is_claimable_at_once_by_another_worker`,
    // `a_shutdown_hands_its_running_jobs_back`).
    let _ = (client, job);
    todo!("hand the job back to the queue")
}
