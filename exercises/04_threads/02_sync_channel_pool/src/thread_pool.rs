//! Step 4.2: a fixed pool of worker threads fed through a bounded channel.
//!
//! Jobs go into a `sync_channel` with room for `capacity` jobs. When it is full, `submit`
//! waits: that is backpressure, and it is what keeps a burst of uploads from filling memory.
//! Closing the pool drops the sending side; the workers finish every job already queued, see
//! the channel end, and exit. Every job submitted gets exactly one answer.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, SyncSender};
use std::thread::JoinHandle;
// TODO: you will need more of `std::sync::mpsc`, `std::sync::{Arc, PoisonError}` and
// `std::thread`.

use crate::job::{Job, JobError, JobId};
use crate::parallel::panic_message;

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
}

impl<T: Send + 'static> WorkerPool<T> {
    /// Starts `workers` threads (at least one) that run `handler` on each job, with room for
    /// `capacity` jobs waiting in the queue. A `capacity` of 0 hands each job straight from
    /// `submit` to an idle worker.
    pub fn new<F>(workers: usize, capacity: usize, handler: F) -> Self
    where
        F: Fn(Job) -> Result<T, JobError> + Send + Sync + 'static,
    {
        // TODO: start `workers` threads (at least one:
        // `a_pool_asked_for_zero_workers_still_runs_one`) that take jobs from one bounded queue
        // of `capacity` jobs and run `work`; the answers come back on a channel of their own,
        // for `close` to collect (`the_workers_run_jobs_at_the_same_time`).
        let _ = (workers, capacity, handler, work::<T, F>);
        todo!("start the worker threads and the two channels")
    }

    /// Queues `job`, waiting while the queue is full.
    pub fn submit(&self, job: Job) -> Result<(), SubmitError> {
        // TODO: wait while the queue is full
        // (`submit_waits_for_room_and_the_job_is_still_answered`); a job the pool cannot take
        // goes back to the caller, never dropped.
        let _ = job;
        todo!("send the job, waiting for room")
    }

    /// Queues `job` if there is room right now, and gives it back if not.
    pub fn try_submit(&self, job: Job) -> Result<(), SubmitError> {
        // TODO: never wait: a full queue hands the job back at once, saying it was full
        // (`a_full_queue_refuses_try_submit_and_gives_the_job_back`).
        let _ = job;
        todo!("try_send the job and hand it back when refused")
    }

    /// Stops taking jobs, lets the workers finish every job already queued, and returns one
    /// answer per job, in no particular order.
    pub fn close(self) -> Vec<JobResult<T>> {
        let WorkerPool {
            jobs,
            workers,
            results,
        } = self;
        // TODO: no new job is taken, every job already queued is still run, and each job has
        // exactly one answer (`close_still_answers_the_jobs_waiting_in_the_queue`,
        // `every_job_is_answered_exactly_once`).
        let _ = (jobs, workers, results);
        todo!("close the queue, join the workers, collect the answers")
    }
}

/// One worker thread's loop: take a job, answer it, repeat until the queue is closed.
fn work<T, F>(queue: &Mutex<Receiver<Job>>, handler: &F, answers: &Sender<JobResult<T>>)
where
    F: Fn(Job) -> Result<T, JobError>,
{
    // TODO: answer every job this worker takes, with `run_one`, until the queue is closed and
    // empty. No worker may hold the queue's lock while it runs a job: the lesson's "Beware"
    // paragraph shows how that happens (`the_workers_run_jobs_at_the_same_time`). A panicking
    // job must not end the worker (`a_panicking_job_is_answered_and_the_workers_keep_going`).
    let _ = (queue, handler, answers);
    todo!("the worker loop: take one job, answer it, repeat")
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
