//! Step 6.6: the running worker: intake, the pool, the journal and the statuses, together.
//!
//! The order of [`Service::submit`] is the promise the HTTP answer makes: a job is claimed
//! (so its id is taken once), written to the journal and synced, and only then acknowledged
//! and queued. A crash before the sync loses a job nobody was told about; a crash after it
//! loses nothing, because the next start replays the journal.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;
use tokio::task::JoinHandle;
use tracing::{info, warn};
use worker::job::Job;
use worker::pool::{Outcomes, PoolConfig, PoolReport, TaskPool};
use worker::retry::{Outcome, RetryPolicy};

use crate::job::{Importer, JobSummary, summary_path};
use crate::journal::{Event, Journal, JournalError, recover};
use crate::spec::{JobId, JobSpec};
use crate::upload::ImportRoot;

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where uploads are.
    pub root: PathBuf,
    /// Where outputs go.
    pub out_dir: PathBuf,
    /// The journal file.
    pub journal: PathBuf,
    /// Jobs running at once.
    pub concurrency: usize,
    /// Jobs accepted and not finished, at most; more are refused with "busy".
    pub max_pending: usize,
    /// How long one attempt may run.
    pub job_timeout: Duration,
    /// At a shutdown, how long running jobs may take to finish.
    pub shutdown_grace: Duration,
}

/// Where a job stands, as `GET /jobs/{id}` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum JobStatus {
    /// Accepted and journaled; waiting or running.
    Queued,
    /// Finished: its outputs are in place.
    Done {
        /// Rows after the header.
        rows: u64,
        /// Good rows.
        good: u64,
        /// Bad rows.
        bad: u64,
    },
    /// Failed for good.
    Dead {
        /// Its last error.
        error: String,
    },
}

/// What [`Service::submit`] did with a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intake {
    /// New, journaled and queued: answer 202.
    Accepted,
    /// The id is known already (a client retrying after a lost answer): nothing was done.
    Known(JobStatus),
}

/// Why a job was not taken. Each is temporary: the client should send it again later.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// Too many jobs are waiting.
    #[error("busy: {0} jobs are waiting (send it again later)")]
    Busy(usize),
    /// The journal could not be written, so the job cannot be promised.
    #[error("could not write the journal (send it again later)")]
    Journal(#[source] io::Error),
}

/// Why the worker could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The import root is missing.
    #[error("the import root {0} is not a folder")]
    Root(PathBuf, #[source] io::Error),
    /// The output folder is missing.
    #[error("the output folder {0} is not a folder")]
    Out(PathBuf, #[source] io::Error),
    /// The journal is damaged or cannot be used.
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// What the service shares with its outcome recorder.
#[derive(Debug)]
struct Shared {
    importer: Arc<Importer>,
    journal: Arc<Mutex<Journal>>,
    statuses: Mutex<HashMap<String, JobStatus>>,
    pending: AtomicUsize,
}

/// The running worker.
#[derive(Debug)]
pub struct Service {
    shared: Arc<Shared>,
    pool: Mutex<Option<TaskPool<JobSummary>>>,
    recorder: Mutex<Option<JoinHandle<()>>>,
    next_seq: AtomicU64,
    max_pending: usize,
}

/// Locks `mutex`, going on after a panic elsewhere: every critical section here leaves the
/// data whole (an insert, a remove, an append that either happened or did not).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Service {
    /// Starts the worker: cleans up after a crash, replays and compacts the journal, starts
    /// the pool and queues again every job that was accepted and not finished.
    ///
    /// # Errors
    ///
    /// [`StartError`] when a folder is missing or the journal is damaged.
    pub async fn start(config: &Config) -> Result<Service, StartError> {
        let root = ImportRoot::new(&config.root)
            .map_err(|error| StartError::Root(config.root.clone(), error))?;
        fs::read_dir(&config.out_dir)
            .map_err(|error| StartError::Out(config.out_dir.clone(), error))?;
        let (mut journal, replay) = recover(&config.journal, &config.out_dir)?;
        // Compacting at start keeps the journal as small as the jobs in flight, and at a
        // moment when nothing else appends.
        journal
            .compact(&replay)
            .map_err(|source| JournalError::Io {
                path: config.journal.clone(),
                source,
            })?;
        info!(
            pending = replay.pending.len(),
            dead = replay.dead.len(),
            cut_bytes = replay.cut_bytes,
            "journal replayed"
        );
        let mut statuses = HashMap::new();
        for (id, error) in &replay.dead {
            statuses.insert(
                id.clone(),
                JobStatus::Dead {
                    error: error.clone(),
                },
            );
        }
        for spec in &replay.pending {
            statuses.insert(spec.id.as_str().to_string(), JobStatus::Queued);
        }
        let importer = Arc::new(Importer::new(root, &config.out_dir));
        let shared = Arc::new(Shared {
            importer: Arc::clone(&importer),
            journal: Arc::new(Mutex::new(journal)),
            statuses: Mutex::new(statuses),
            pending: AtomicUsize::new(replay.pending.len()),
        });
        let pool_config = PoolConfig {
            concurrency: config.concurrency,
            // Room for every job the intake may accept, so queuing an accepted job never
            // has to wait or fail.
            queue_capacity: config.max_pending.max(replay.pending.len()),
            job_timeout: config.job_timeout,
            retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(200),
                max_delay: Duration::from_secs(5),
            },
            jitter_seed: u64::from(std::process::id()),
            shutdown_grace: config.shutdown_grace,
        };
        let (pool, outcomes) =
            TaskPool::start_streaming(pool_config, 64, move |job| Arc::clone(&importer).run(job));
        let recorder = tokio::spawn(record_outcomes(outcomes, Arc::clone(&shared)));
        let mut seq = 0;
        for spec in replay.pending {
            seq += 1;
            // The queue has room for all of them (see `queue_capacity`).
            if let Err(error) = pool.submit(Job::new(seq, spec.to_json())).await {
                warn!(?error, "could not queue a replayed job");
            }
        }
        Ok(Service {
            shared,
            pool: Mutex::new(Some(pool)),
            recorder: Mutex::new(Some(recorder)),
            next_seq: AtomicU64::new(seq + 1),
            max_pending: config.max_pending,
        })
    }

    /// Takes a job in: claims its id, journals it (synced), and queues it.
    ///
    /// Run it in a task of its own (`tokio::spawn`), not in a future that may be dropped: a
    /// request whose client hangs up must not stop an intake half-way.
    ///
    /// # Errors
    ///
    /// [`IntakeError::Busy`] when `max_pending` jobs wait, [`IntakeError::Journal`] when the
    /// journal cannot be written. Neither took the job: the client sends it again.
    pub async fn submit(&self, spec: JobSpec) -> Result<Intake, IntakeError> {
        // TODO: the intake, in this order (each has a test; read `Shared` and `record` below):
        // 1. Known already? An id in `statuses`, or finished on disk (`finished_status`), is
        //    answered `Intake::Known(status)`: nothing is done twice
        //    (test `a_repeated_job_id_is_recognised_not_run_twice`).
        // 2. `pending >= max_pending` is `IntakeError::Busy`.
        // 3. Claim the id *under the same lock* as the check: insert `JobStatus::Queued` and
        //    add one to `pending`, so a second request with this id during step 4 finds it.
        // 4. Append `Event::Accepted { job_id, spec: spec.to_json() }` to the journal, on the
        //    blocking pool (it waits for fsync): `tokio::task::spawn_blocking` with
        //    `lock(&journal).append(&event)`. If that fails, give the id back and return
        //    `IntakeError::Journal`: nothing was promised.
        // 5. Only now: count it (`metrics().job_accepted()`), and queue
        //    `Job::new(next_seq, spec.to_json())` with the pool's `try_submit`. A refused
        //    queue is logged, not an error: the job is journaled, the next start runs it.
        //    Answer `Intake::Accepted` (tests `a_job_is_accepted_run_and_reported`,
        //    `chaos_sigkill_loses_no_acknowledged_job`).
        let _ = (spec, self.max_pending, &self.next_seq, &self.pool);
        todo!("take a job in: claim, journal, then acknowledge")
    }

    /// Where job `id` stands, or `None` for an id never accepted.
    pub fn status(&self, id: &JobId) -> Option<JobStatus> {
        if let Some(status) = lock(&self.shared.statuses).get(id.as_str()) {
            return Some(status.clone());
        }
        finished_status(self.shared.importer.out_dir(), id)
    }

    /// The metrics in Prometheus's text format.
    pub fn metrics(&self) -> String {
        self.shared.importer.metrics().render()
    }

    /// Stops taking jobs, gives running jobs the shutdown grace to finish, and records every
    /// outcome. Jobs that did not finish stay accepted in the journal: the next start runs
    /// them. Returns how many did not finish.
    pub async fn shutdown(&self) -> usize {
        let pool = lock(&self.pool).take();
        let Some(pool) = pool else { return 0 };
        let report: PoolReport<JobSummary> = pool.shutdown().await;
        let unfinished = report.unfinished.len();
        // What the pool settled after the shutdown was not streamed: record it too.
        for done in report.done {
            record(&self.shared, Outcome::Done(done)).await;
        }
        for dead in report.dead_letters {
            record(&self.shared, Outcome::Dead(dead)).await;
        }
        let recorder = lock(&self.recorder).take();
        if let Some(recorder) = recorder {
            let _ = recorder.await;
        }
        unfinished
    }
}

/// The status of a job finished on disk: its summary file, read.
fn finished_status(out_dir: &Path, id: &JobId) -> Option<JobStatus> {
    #[derive(serde::Deserialize)]
    struct Counts {
        rows: u64,
        good: u64,
        bad: u64,
    }
    let text = fs::read(summary_path(out_dir, id)).ok()?;
    let counts: Counts = serde_json::from_slice(&text).ok()?;
    Some(JobStatus::Done {
        rows: counts.rows,
        good: counts.good,
        bad: counts.bad,
    })
}

/// Records each outcome as the pool streams it, until the pool stops.
async fn record_outcomes(mut outcomes: Outcomes<JobSummary>, shared: Arc<Shared>) {
    while let Some(outcome) = outcomes.recv().await {
        record(&shared, outcome).await;
    }
}

/// Journals one outcome and updates the status and the counters.
async fn record(shared: &Arc<Shared>, outcome: Outcome<JobSummary>) {
    shared.importer.metrics().job_outcome(&outcome);
    let (id, status) = match outcome {
        Outcome::Done(done) => {
            let rows = done.value.rows;
            let status = JobStatus::Done {
                rows: rows.rows,
                good: rows.good,
                bad: rows.bad,
            };
            (done.value.job_id.as_str().to_string(), status)
        }
        Outcome::Dead(dead) => {
            let Ok(spec) = JobSpec::from_json(dead.job.payload.as_bytes()) else {
                return;
            };
            let status = JobStatus::Dead {
                error: dead.error.to_string(),
            };
            (spec.id.as_str().to_string(), status)
        }
        // Stays accepted in the journal: the next start runs it.
        Outcome::Unfinished(_) => {
            shared.pending.fetch_sub(1, Ordering::SeqCst);
            return;
        }
    };
    let event = match &status {
        JobStatus::Dead { error } => Event::Dead {
            job_id: id.clone(),
            error: error.clone(),
        },
        _ => Event::Finished { job_id: id.clone() },
    };
    let journal = Arc::clone(&shared.journal);
    // A lost `finished` record only means the job runs once more after a crash, with the same
    // bytes: a failure here is logged, not fatal.
    match tokio::task::spawn_blocking(move || lock(&journal).append(&event)).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => warn!(job_id = %id, %error, "could not journal the outcome"),
        Err(error) => warn!(job_id = %id, %error, "could not journal the outcome"),
    }
    lock(&shared.statuses).insert(id, status);
    shared.pending.fetch_sub(1, Ordering::SeqCst);
}
