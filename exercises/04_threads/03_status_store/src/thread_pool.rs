//! Step 4.2: a fixed pool of worker threads fed through a bounded channel.
//!
//! Jobs go into a `sync_channel` with room for `capacity` jobs. When it is full, `submit`
//! waits: that is backpressure, and it is what keeps a burst of uploads from filling memory.
//! Closing the pool drops the sending side; the workers finish every job already queued, see
//! the channel end, and exit. Every job submitted gets exactly one answer.
//!
//! Step 4.3 adds a [`StatusStore`]: each job moves `Queued -> Running -> Done/Failed`, and
//! anyone holding a handle from [`WorkerPool::statuses`] can watch it happen.

use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};

use crate::job::{Job, JobError, JobId};
use crate::parallel::panic_message;
use crate::status::StatusStore;
// TODO: you will need `crate::status::Status` too.

/// The answer to one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobResult<T> {
    /// The job this answers.
    pub id: JobId,
    /// What the handler returned.
    pub result: Result<T, JobError>,
}

/// Why the pool did not take a job. The job comes back inside the error, so a refused job is
/// never silently dropped: the caller decides whether to retry, park or reject it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitError {
    /// The queue is full (only from [`WorkerPool::try_submit`]).
    Full(Job),
    /// No worker is left to take the job.
    Closed(Job),
}

/// A fixed number of worker threads taking jobs from one bounded queue.
#[derive(Debug)]
#[must_use = "a `WorkerPool` dropped without `close` loses queued jobs and answers: call `close`"]
pub struct WorkerPool<T> {
    /// The sending side of the job queue. Dropping it is how the pool closes.
    jobs: SyncSender<Job>,
    /// The worker threads, joined by [`WorkerPool::close`].
    workers: Vec<JoinHandle<()>>,
    /// Where the workers send their answers.
    results: Receiver<JobResult<T>>,
    /// Where each job is; shared with every worker.
    statuses: StatusStore,
}

impl<T: Send + 'static> WorkerPool<T> {
    /// Starts `workers` threads (at least one) that run `handler` on each job, with room for
    /// `capacity` jobs waiting in the queue. A `capacity` of 0 hands each job straight from
    /// `submit` to an idle worker.
    pub fn new<F>(workers: usize, capacity: usize, handler: F) -> Self
    where
        F: Fn(Job) -> Result<T, JobError> + Send + Sync + 'static,
    {
        let (jobs, queue) = mpsc::sync_channel(capacity);
        // The answers go through an unbounded channel on purpose. Its size is capped by the
        // jobs already accepted, and a bounded one could deadlock: workers blocked on a full
        // answer channel while the caller is blocked in `submit` and never reads answers.
        let (answers, results) = mpsc::channel();
        // A std `Receiver` has one owner, so the workers share it behind a mutex. (Cloning is
        // not possible; one channel per worker would need a dispatcher in front.)
        let queue = Arc::new(Mutex::new(queue));
        // `Arc`, not a clone per worker: the handler may capture big state, and `F: Sync`
        // is exactly what lets several threads call it through shared references.
        let handler = Arc::new(handler);
        let statuses = StatusStore::new();
        let workers = (0..workers.max(1))
            .map(|_| {
                let queue = Arc::clone(&queue);
                let handler = Arc::clone(&handler);
                let answers = answers.clone();
                let statuses = statuses.clone();
                // `thread::spawn`, not a scope: the threads outlive `new`, so everything they
                // use is moved in and owned (`'static`), which is why `F` and `T` are `'static`.
                thread::spawn(move || work(&queue, handler.as_ref(), &answers, &statuses))
            })
            .collect();
        WorkerPool {
            jobs,
            workers,
            results,
            statuses,
        }
    }

    /// A handle to the pool's status store, to watch jobs move. It stays usable after
    /// [`WorkerPool::close`], with every answered job `Done` or `Failed`.
    pub fn statuses(&self) -> StatusStore {
        self.statuses.clone()
    }

    /// Queues `job`, waiting while the queue is full.
    pub fn submit(&self, job: Job) -> Result<(), SubmitError> {
        // TODO: mark the job `Queued` in `self.statuses`. Think about *when*: a worker may
        // take the job and mark it `Running` before `send` returns. When the pool refuses the
        // job, put back the status the id had before (a retried job has one), or none
        // (`every_job_of_a_busy_pool_ends_finished`, `a_refused_job_leaves_no_status_behind`,
        // `a_refused_retry_keeps_the_earlier_status`).
        // `send` on a `SyncSender` blocks while the queue is full: this wait *is* the
        // backpressure. It fails only when every worker is gone, and then returns the job.
        self.jobs
            .send(job)
            .map_err(|error| SubmitError::Closed(error.0))
    }

    /// Queues `job` if there is room right now, and gives it back if not.
    pub fn try_submit(&self, job: Job) -> Result<(), SubmitError> {
        // TODO: as in `submit`, the job is `Queued` while the pool holds it, and gets its
        // earlier status back (or none) when the pool refuses it.
        self.jobs.try_send(job).map_err(|error| match error {
            TrySendError::Full(job) => SubmitError::Full(job),
            TrySendError::Disconnected(job) => SubmitError::Closed(job),
        })
    }

    /// Stops taking jobs, lets the workers finish every job already queued, and returns one
    /// answer per job, in no particular order.
    pub fn close(self) -> Vec<JobResult<T>> {
        let WorkerPool {
            jobs,
            workers,
            results,
            statuses: _,
        } = self;
        // Dropping the only sender closes the queue. The workers still receive every job in
        // it; `recv` fails only once the queue is closed *and* empty.
        drop(jobs);
        for worker in workers {
            // A worker cannot panic: `run_one` catches the handler's panics, and that is the
            // only code of ours that runs user logic. So `join` only waits here.
            let _ = worker.join();
        }
        // Every worker has exited, so every answer is already in the channel.
        results.try_iter().collect()
    }
}

/// One worker thread's loop: take a job, answer it, repeat until the queue is closed.
fn work<T, F>(
    queue: &Mutex<Receiver<Job>>,
    handler: &F,
    answers: &Sender<JobResult<T>>,
    statuses: &StatusStore,
) where
    F: Fn(Job) -> Result<T, JobError>,
{
    loop {
        // Lock, take one job, unlock. The guard is a temporary that is dropped at the end of
        // this statement, so the lock is held while *waiting* for a job, never while running
        // one. `while let Ok(job) = queue.lock()...recv()` would keep the guard alive for the
        // whole loop body, and the pool would run one job at a time.
        // The lock is poisoned only if a thread panicked while holding it, and `recv` does
        // not panic; if it ever happens the receiver is still intact, so take it back.
        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(job) = next else {
            // The queue is closed and empty: a clean exit.
            return;
        };
        // TODO: mark the job `Running` before it runs and `Done` or `Failed(error)` after, in
        // `statuses`. The handler must run with the store unlocked, and the final status must
        // be set before the answer is sent: whoever has the answer expects it finished
        // (`each_job_moves_from_queued_to_running_to_done`,
        // `failed_and_panicking_jobs_end_failed_with_the_reason`,
        // `the_lock_is_not_held_while_a_job_runs`).
        let _ = statuses;
        let answer = run_one(handler, job);
        if answers.send(answer).is_err() {
            // Nobody is listening any more (the pool was dropped without `close`).
            return;
        }
    }
}

/// Runs the handler on one job and turns a panic into a permanent error, so one bad job
/// cannot kill a worker and leave its job without an answer.
pub fn run_one<T, F>(handler: &F, job: Job) -> JobResult<T>
where
    F: Fn(Job) -> Result<T, JobError>,
{
    let id = job.id;
    // `AssertUnwindSafe`: after a panic we drop the job and report it, and the same handler
    // runs the next jobs. State it keeps between calls could be half-changed, but the pool's
    // handler is `Fn + Sync`, so such state sits behind its own synchronisation (a `Mutex`
    // held during the panic is poisoned), and dealing with that is the handler's responsibility.
    let result = panic::catch_unwind(AssertUnwindSafe(|| handler(job))).unwrap_or_else(|payload| {
        Err(JobError::Permanent(format!(
            "handler panicked: {}",
            panic_message(payload.as_ref())
        )))
    });
    JobResult { id, result }
}
