//! Step 7.4: the jobs table behind the queue interface.
//!
//! The HTTP intake enqueues into the table of steps 7.1-7.3; the [`runner`](crate::runner)
//! claims from it with a lease, runs Part 6's pipeline, and writes the outcome fenced by the
//! attempt. Any number of worker processes, on any number of machines, share one table: the
//! table is the queue, and no process holds a job that another could not take over once its
//! lease runs out.

use std::sync::Arc;

use serde_json::Value;
use step_6_6::job::JobSummary;
use step_6_6::service::{Intake, JobStatus};
use step_6_6::spec::{JobId, JobSpec};
use step_7_3::claim::{ClaimError, ClaimedJob, complete};
use step_7_3::enqueue::enqueue;
use step_7_3::job::{Enqueued, JobKey, NewJob};
use step_7_3::retry::{Failed, fail};
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
        // A job id is 1 to 64 letters, digits, `-` or `_`: always a valid job key (not empty,
        // short, no control characters), so this `expect` cannot fire.
        let key = JobKey::try_from(spec.id.as_str()).expect("a job id is a valid job key");
        let job = NewJob {
            key,
            kind: IMPORT_KIND.to_string(),
            // The spec as a JSON object, so a person reading the table sees its fields;
            // serializing a struct of strings and numbers cannot fail.
            payload: serde_json::to_value(&spec).expect("a job spec serializes to JSON"),
        };
        let enqueued = {
            let mut intake = self.intake.lock().await;
            let transaction = intake.transaction().await?;
            let enqueued = enqueue(&transaction, &job).await?;
            // Only after the commit is the job promised: a 202 before it could name a job that
            // a rollback (or a crash) then loses.
            transaction.commit().await?;
            enqueued
        };
        match enqueued {
            Enqueued::New(_) => {
                self.runner.metrics().job_accepted();
                Ok(Intake::Accepted)
            }
            // Taken in before (a client retrying after a lost answer): say where it stands.
            // It exists, so `None` cannot come back; `Queued` is the safe answer if it did.
            Enqueued::AlreadyQueued(_) => {
                let status = self.status(&spec.id).await?;
                Ok(Intake::Known(status.unwrap_or(JobStatus::Queued)))
            }
        }
    }

    async fn status(&self, id: &JobId) -> Result<Option<JobStatus>, QueueError> {
        let row = self
            .client
            .query_opt(
                "SELECT state, result, errors FROM jobs WHERE job_key = $1",
                &[&id.as_str()],
            )
            .await?;
        let Some(row) = row else { return Ok(None) };
        let state: String = row.try_get("state")?;
        let status = match state.as_str() {
            "done" => {
                let result: Option<Value> = row.try_get("result")?;
                let count = |name: &str| {
                    result
                        .as_ref()
                        .and_then(|result| result.get(name))
                        .and_then(Value::as_u64)
                        .unwrap_or(0)
                };
                JobStatus::Done {
                    rows: count("rows"),
                    good: count("good"),
                    bad: count("bad"),
                }
            }
            "dead" => {
                // The last attempt's error: `errors` keeps one entry per failed attempt.
                let errors: Value = row.try_get("errors")?;
                let last = errors
                    .as_array()
                    .and_then(|errors| errors.last())
                    .and_then(|last| last.get("error"))
                    .and_then(Value::as_str)
                    .unwrap_or("no error recorded");
                JobStatus::Dead {
                    error: last.to_string(),
                }
            }
            // Queued or running (or retrying): waiting for its outputs.
            _ => JobStatus::Queued,
        };
        Ok(Some(status))
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
    match outcome {
        Ok(summary) => {
            // Serializing a struct of strings and numbers cannot fail; `Null` would only
            // leave the status without its counts.
            let result = serde_json::to_value(summary).unwrap_or(Value::Null);
            complete(client, job, &result).await?;
            Ok(Recorded::Done)
        }
        Err(error) => match fail(client, job, error, policy, seed).await? {
            Failed::RetryIn(_) => Ok(Recorded::Retry),
            Failed::Dead => Ok(Recorded::Dead),
        },
    }
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
    // Fenced like every write about a claim: a worker whose lease already ran out must not
    // requeue a job that a newer attempt is running.
    let given_back = client
        .execute(
            "UPDATE jobs SET state = 'queued', run_at = now(), lease_until = NULL, worker = NULL
              WHERE id = $1 AND attempt = $2 AND state = 'running'",
            &[&job.id.0, &job.attempt],
        )
        .await?;
    if given_back == 1 {
        Ok(())
    } else {
        Err(ClaimError::Fenced {
            id: job.id.0,
            attempt: job.attempt,
        })
    }
}
