//! Step 7.4 (given): the worker side of the table: claim, run, keep the lease, record.
//!
//! One task claims: it waits for a free slot (at most `concurrency` jobs at once), claims the
//! oldest due job with a lease (step 7.2), and hands it to a task of its own. When no job is
//! due it waits for a notification or the slow poll (step 7.3). Each job task runs Part 6's
//! pipeline, renews the lease at a third of its length while the job runs, and writes the
//! outcome fenced by the attempt ([`record`]). At a shutdown, claiming stops first; running
//! jobs get the grace to finish, and the rest are cancelled and handed back ([`give_back`]).

use std::fs;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use step_6_6::job::{Importer, JobSummary};
use step_6_6::metrics::Metrics;
use step_6_6::outputs::TEMP_MARKER;
use step_6_6::spec::JobSpec;
use step_6_6::upload::ImportRoot;
use step_7_3::claim::{ClaimError, ClaimedJob, claim, renew};
use step_7_3::migrate::migrate;
use step_7_3::wake::{JobWaker, Wake};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;
use tokio_postgres::{Client, Config, NoTls};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{debug, info, warn};
use worker::job::JobError;
use worker::retry::RetryPolicy;

use crate::table::{Recorded, TableQueue, give_back, record};

/// How a worker process runs the table's jobs.
#[derive(Debug, Clone)]
pub struct TableSettings {
    /// The database: `postgres://user@host/db`, parsed.
    pub database: Config,
    /// Where uploads are.
    pub root: PathBuf,
    /// Where outputs go (shared by every worker process, as the uploads are).
    pub out_dir: PathBuf,
    /// This process's name in the table's `worker` column: who holds a job.
    pub worker: String,
    /// Jobs running at once in this process.
    pub concurrency: usize,
    /// How long a claim holds a job without a renewal. A killed worker's jobs wait this long
    /// before another worker takes them.
    pub lease: Duration,
    /// How often an idle worker looks for jobs without a notification.
    pub poll: Duration,
    /// How long one attempt may run.
    pub job_timeout: Duration,
    /// At a shutdown, how long running jobs may take to finish before they are handed back.
    pub shutdown_grace: Duration,
    /// When a failed attempt is tried again, and when a job is dead (Part 5's policy).
    pub retry: RetryPolicy,
    /// The seed of the retry jitter.
    pub seed: u64,
}

/// What runs one job: Part 6's `Importer::run_spec` in the program, a stand-in in tests.
pub type Handler = Arc<
    dyn Fn(JobSpec) -> Pin<Box<dyn Future<Output = Result<JobSummary, JobError>> + Send>>
        + Send
        + Sync,
>;

/// Why the table's worker could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The import root is missing.
    #[error("the import root {0} is not a folder")]
    Root(PathBuf, #[source] io::Error),
    /// The output folder is missing.
    #[error("the output folder {0} is not a folder")]
    Out(PathBuf, #[source] io::Error),
    /// The database cannot be reached, or the jobs table cannot be migrated.
    #[error("cannot use the job queue's database (is it running, and does the URL name it?)")]
    Database(#[from] tokio_postgres::Error),
}

/// The queue's own counters, beside Part 6's metrics.
#[derive(Debug, Default)]
struct Counters {
    claimed: AtomicU64,
    retried: AtomicU64,
    dead: AtomicU64,
    given_back: AtomicU64,
    fenced: AtomicU64,
}

/// Adds one to `counter`. `Relaxed`: each counter is independent, as in Part 6's metrics.
fn add_one(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// What the claiming task and the job tasks share.
struct Context {
    client: Arc<Client>,
    settings: TableSettings,
    handler: Handler,
    metrics: Arc<Metrics>,
    counters: Counters,
    stop_claiming: CancellationToken,
    stop_jobs: CancellationToken,
    tracker: TaskTracker,
}

/// The running worker side of a [`TableQueue`].
pub struct Runner {
    context: Arc<Context>,
    claimer: Mutex<Option<JoinHandle<()>>>,
}

impl TableQueue {
    /// Starts a worker on the table: checks the folders, removes the temporary files of dead
    /// workers, connects, migrates, and starts claiming jobs for Part 6's pipeline.
    ///
    /// # Errors
    ///
    /// [`StartError`] when a folder is missing or the database cannot be used.
    pub async fn start(settings: &TableSettings) -> Result<TableQueue, StartError> {
        let root = ImportRoot::new(&settings.root)
            .map_err(|error| StartError::Root(settings.root.clone(), error))?;
        let removed = remove_dead_temp_files(&settings.out_dir)
            .map_err(|error| StartError::Out(settings.out_dir.clone(), error))?;
        info!(removed, "temporary files of dead workers removed");
        let importer = Arc::new(Importer::new(root, &settings.out_dir));
        let metrics = Arc::clone(importer.metrics());
        let handler: Handler = Arc::new(move |spec| {
            let importer = Arc::clone(&importer);
            Box::pin(async move { importer.run_spec(spec).await })
        });
        TableQueue::start_with(settings, handler, metrics).await
    }

    /// Starts a worker on the table that runs each job with `handler` and counts into
    /// `metrics`; [`TableQueue::start`] passes Part 6's pipeline.
    ///
    /// # Errors
    ///
    /// [`StartError::Database`] when the database cannot be used.
    pub async fn start_with(
        settings: &TableSettings,
        handler: Handler,
        metrics: Arc<Metrics>,
    ) -> Result<TableQueue, StartError> {
        // Three connections: the intake's (transactions need it to themselves), the one
        // the worker claims and records on, and the waker's own (`JobWaker::listen`).
        let mut intake = connect(&settings.database).await?;
        // Every process migrates at start; the advisory lock in `migrate` lets one do it.
        migrate(&mut intake).await?;
        let client = Arc::new(connect(&settings.database).await?);
        let context = Arc::new(Context {
            client: Arc::clone(&client),
            settings: settings.clone(),
            handler,
            metrics,
            counters: Counters::default(),
            stop_claiming: CancellationToken::new(),
            stop_jobs: CancellationToken::new(),
            tracker: TaskTracker::new(),
        });
        let claimer = tokio::spawn(claim_jobs(Arc::clone(&context)));
        info!(worker = %settings.worker, "claiming jobs from the table");
        Ok(TableQueue {
            intake: tokio::sync::Mutex::new(intake),
            client,
            runner: Runner {
                context,
                claimer: Mutex::new(Some(claimer)),
            },
        })
    }
}

impl Runner {
    /// Part 6's metrics, to count an accepted job.
    pub fn metrics(&self) -> &Metrics {
        &self.context.metrics
    }

    /// Part 6's metrics and the queue's counters, in Prometheus's text format.
    pub fn render_metrics(&self) -> String {
        let counters = &self.context.counters;
        let mut text = self.context.metrics.render();
        for (name, help, counter) in [
            (
                "import_queue_claims_total",
                "Jobs claimed from the table.",
                &counters.claimed,
            ),
            (
                "import_queue_retried_total",
                "Failed attempts queued again.",
                &counters.retried,
            ),
            (
                "import_queue_dead_total",
                "Jobs that failed for good.",
                &counters.dead,
            ),
            (
                "import_queue_given_back_total",
                "Jobs handed back at a shutdown.",
                &counters.given_back,
            ),
            (
                "import_queue_fenced_total",
                "Writes refused because a newer attempt holds the job.",
                &counters.fenced,
            ),
        ] {
            let value = counter.load(Ordering::Relaxed);
            text.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
            ));
        }
        text
    }

    /// Stops claiming, gives running jobs the grace, then cancels and hands back the rest.
    /// Returns how many jobs were handed back.
    pub async fn shutdown(&self) -> usize {
        let context = &self.context;
        context.stop_claiming.cancel();
        let claimer = self
            .claimer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(claimer) = claimer {
            // Once it has returned, no job is claimed any more: every claim is tracked.
            let _ = claimer.await;
        }
        context.tracker.close();
        let grace = context.settings.shutdown_grace;
        if tokio::time::timeout(grace, context.tracker.wait())
            .await
            .is_err()
        {
            context.stop_jobs.cancel();
            context.tracker.wait().await;
        }
        let given_back = context.counters.given_back.load(Ordering::Relaxed);
        usize::try_from(given_back).unwrap_or(usize::MAX)
    }
}

async fn connect(config: &Config) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            // Every statement on this client fails from now on, and says so; the jobs this
            // worker holds are taken over by others once their leases run out.
            warn!(%error, "the database connection ended");
        }
    });
    Ok(client)
}

/// Claims jobs while there is a free slot, until told to stop.
async fn claim_jobs(context: Arc<Context>) {
    let settings = &context.settings;
    let slots = Arc::new(Semaphore::new(settings.concurrency.max(1)));
    let mut waker: Option<JobWaker> = None;
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&slots).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return, // closed: never, the semaphore lives here
            },
            () = context.stop_claiming.cancelled() => return,
        };
        let job = loop {
            if context.stop_claiming.is_cancelled() {
                return;
            }
            match claim(&context.client, &settings.worker, settings.lease).await {
                Ok(Some(job)) => break job,
                Ok(None) => {}
                Err(error) => warn!(%error, "could not claim; trying again after the poll"),
            }
            // Nothing due: wait for a committed job's notification, or the poll.
            if waker.is_none() {
                waker = JobWaker::listen(&settings.database, settings.poll)
                    .await
                    .inspect_err(|error| warn!(%error, "cannot listen; polling only"))
                    .ok();
            }
            let wake = {
                let woke = async {
                    match waker.as_mut() {
                        Some(waker) => waker.wait().await,
                        None => {
                            tokio::time::sleep(settings.poll).await;
                            Wake::Poll
                        }
                    }
                };
                tokio::select! {
                    wake = woke => wake,
                    () = context.stop_claiming.cancelled() => return,
                }
            };
            if wake == Wake::Disconnected {
                waker = None;
            }
        };
        add_one(&context.counters.claimed);
        debug!(job_key = %job.key, attempt = job.attempt, "claimed");
        context
            .tracker
            .spawn(run_claimed(Arc::clone(&context), job, permit));
    }
}

/// Runs one claimed job and records its outcome; hands it back when told to stop first.
async fn run_claimed(context: Arc<Context>, job: ClaimedJob, _slot: OwnedSemaphorePermit) {
    let settings = &context.settings;
    // Checked again, as Part 6 checks a replayed journal: the table is not the place to trust
    // that every payload still passes today's rules.
    let outcome = match JobSpec::from_json(job.payload.to_string().as_bytes()) {
        Err(error) => Err(JobError::Permanent(error.to_string())),
        Ok(spec) => {
            let attempt = async {
                match tokio::time::timeout(settings.job_timeout, (context.handler)(spec)).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(JobError::Retryable(format!(
                        "timed out after {:?}",
                        settings.job_timeout
                    ))),
                }
            };
            // Whichever comes first. Dropping the attempt cancels Part 6's pipeline between
            // two rows; its outputs are never committed half-way.
            tokio::select! {
                outcome = attempt => outcome,
                () = keep_lease(&context.client, &job, settings.lease) => {
                    add_one(&context.counters.fenced);
                    warn!(job_key = %job.key, attempt = job.attempt,
                          "lease lost: the job was claimed again; this attempt stops");
                    return;
                }
                () = context.stop_jobs.cancelled() => {
                    hand_back(&context, &job).await;
                    return;
                }
            }
        }
    };
    match record(
        &context.client,
        &job,
        &outcome,
        &settings.retry,
        settings.seed,
    )
    .await
    {
        Ok(Recorded::Done) => {}
        Ok(Recorded::Retry) => add_one(&context.counters.retried),
        Ok(Recorded::Dead) => add_one(&context.counters.dead),
        Err(ClaimError::Fenced { .. }) => {
            add_one(&context.counters.fenced);
            warn!(job_key = %job.key, attempt = job.attempt,
                  "completion refused: the lease ran out and a newer attempt holds the job");
        }
        // Not recorded: the lease runs out and another worker runs the job again, writing
        // the same bytes.
        Err(error) => warn!(job_key = %job.key, %error, "could not record the outcome"),
    }
}

/// Renews the lease at every third of it while the job runs; returns only once the claim is
/// lost (fenced). A failed renewal is tried again at the next third.
async fn keep_lease(client: &Client, job: &ClaimedJob, lease: Duration) {
    loop {
        tokio::time::sleep(lease / 3).await;
        match renew(client, job, lease).await {
            Ok(()) => {}
            Err(ClaimError::Fenced { .. }) => return,
            Err(error) => warn!(job_key = %job.key, %error, "could not renew the lease"),
        }
    }
}

async fn hand_back(context: &Context, job: &ClaimedJob) {
    match give_back(&context.client, job).await {
        Ok(()) => {
            add_one(&context.counters.given_back);
            info!(job_key = %job.key, attempt = job.attempt, "handed back");
        }
        Err(ClaimError::Fenced { .. }) => {
            add_one(&context.counters.fenced);
            warn!(job_key = %job.key, "not handed back: a newer attempt holds the job");
        }
        Err(error) => warn!(job_key = %job.key, %error, "not handed back; its lease runs out"),
    }
}

/// Removes the temporary output files of worker processes that no longer run, and returns how
/// many. Part 6 removes every temporary file at start, since one process owns the folder;
/// here several share it, and a live worker's file is its job in progress. The process id is
/// in each name (`.<file>.tmp-<pid>-<n>`); a process is alive when `/proc/<pid>` exists.
/// Without `/proc` (not Linux), nothing is removed: a leftover costs disk space, a removed
/// live file costs a job's attempt.
///
/// # Errors
///
/// The `io::Error` when `dir` cannot be read or a file cannot be removed.
pub fn remove_dead_temp_files(dir: &Path) -> io::Result<usize> {
    let entries = fs::read_dir(dir)?;
    if !Path::new("/proc/self").exists() {
        return Ok(0);
    }
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Some((_, after)) = name.split_once(TEMP_MARKER) else {
            continue;
        };
        let Some(pid) = after.split('-').next() else {
            continue;
        };
        let alive = Path::new("/proc").join(pid).exists();
        if name.starts_with('.') && !alive && entry.file_type()?.is_file() {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}
