//! Step 5.3: a pool of tokio tasks with a concurrency limit.
//!
//! Jobs wait in a bounded queue (step 5.2). One task, the *dispatcher*, takes them out and
//! spawns one task per job into a `JoinSet`, but only while fewer than `concurrency` jobs are
//! running: when every slot is taken, it waits for a job to finish before it takes the next
//! one. So at most `concurrency` jobs run, at most `queue_capacity` wait, and a producer beyond
//! that waits in `submit`. Every job is answered exactly once, and a job that panics is
//! answered as a failure instead of taking the pool down.
//!
//! Rejected: `concurrency` worker tasks sharing the queue's receiver. tokio's `Receiver` is
//! not `Clone`, so the workers would share it behind an async `Mutex`; a worker whose job
//! panics dies with it, so each job would still have to run in a task of its own; and to stop
//! the jobs (step 5.6) one would have to reach the job tasks through the workers. The
//! `JoinSet` holds exactly the running jobs: its length is the number in flight, joining it
//! reports each job's end, and `abort_all` stops them all.
//!
//! Also rejected: a `Semaphore` next to the `JoinSet`. That is the tool when tasks are spawned
//! from many places (one per web request); here one loop spawns every task, so the set's own
//! length is the count, and there is no second number that could disagree with it.

use std::collections::HashMap;
use std::future::Future;
use std::panic;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::{self, JoinError, JoinHandle, JoinSet};

use crate::job::{Job, JobError, JobId};
use crate::queue::{JobReceiver, JobSender, queue};
use crate::tasks::task_failure;
use crate::thread_pool::{JobResult, SubmitError};

/// How a [`TaskPool`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolConfig {
    /// At most this many jobs run at the same time (0 is treated as 1).
    pub concurrency: usize,
    /// Room for this many jobs waiting to start (0 is treated as 1, see [`queue`]).
    pub queue_capacity: usize,
    /// How long one job may run, counted from when it starts, not from when it was queued.
    // TODO: nothing uses this yet. Pass it to `dispatch`.
    pub job_timeout: Duration,
}

/// A pool of tokio tasks that runs at most [`PoolConfig::concurrency`] jobs at once.
#[derive(Debug)]
#[must_use = "a `TaskPool` dropped without `close` loses its jobs' answers: call `close`"]
pub struct TaskPool<T> {
    /// The sending side of the job queue. Dropping it is how the pool closes.
    jobs: JobSender,
    /// The dispatcher task; its output is every job's answer.
    dispatcher: JoinHandle<Vec<JobResult<T>>>,
}

impl<T: Send + 'static> TaskPool<T> {
    /// Starts a pool that runs `handler` on each job it is given.
    ///
    /// `handler` is shared by every job's task, so it is `Send + Sync + 'static`, like the
    /// thread pool's handler in step 4.2; the future it returns runs in a task of its own, so
    /// it is `Send + 'static`, like the futures in step 5.1.
    ///
    /// # Panics
    ///
    /// When called outside a tokio runtime, because the pool spawns its dispatcher task.
    pub fn start<H, F>(config: PoolConfig, handler: H) -> Self
    where
        H: Fn(Job) -> F + Send + Sync + 'static,
        F: Future<Output = Result<T, JobError>> + Send + 'static,
    {
        let (jobs, waiting) = queue(config.queue_capacity);
        let dispatcher = tokio::spawn(dispatch(waiting, config.concurrency.max(1), handler));
        TaskPool { jobs, dispatcher }
    }

    /// Queues `job`, waiting while the queue is full.
    ///
    /// # Errors
    ///
    /// [`SubmitError::Closed`] with the job when the pool no longer takes jobs.
    pub async fn submit(&self, job: Job) -> Result<(), SubmitError> {
        self.jobs.submit(job).await
    }

    /// Queues `job` if there is room right now, and gives it back if not.
    ///
    /// # Errors
    ///
    /// [`SubmitError::Full`] or [`SubmitError::Closed`] with the job.
    pub fn try_submit(&self, job: Job) -> Result<(), SubmitError> {
        self.jobs.try_submit(job)
    }

    /// Stops taking jobs, waits until every job already queued or running has finished, and
    /// returns one answer per job, in the order they finished.
    ///
    /// # Panics
    ///
    /// When the dispatcher panicked, which only a bug in this module can cause: the job
    /// handlers' panics are caught in their own tasks.
    pub async fn close(self) -> Vec<JobResult<T>> {
        // Dropping the only sender closes the queue: the dispatcher still takes every job in
        // it, then `recv` gives `None`, and it waits for the running jobs before it returns.
        drop(self.jobs);
        match self.dispatcher.await {
            Ok(answers) => answers,
            Err(error) if error.is_panic() => panic::resume_unwind(error.into_panic()),
            // Cancelled: the runtime is shutting down, and nobody is left to read answers.
            Err(_) => Vec::new(),
        }
    }
}

/// The dispatcher: takes jobs from the queue, runs each in a task of its own with at most
/// `concurrency` running at once, and collects one answer per job.
async fn dispatch<T, H, F>(
    mut waiting: JobReceiver,
    concurrency: usize,
    handler: H,
) -> Vec<JobResult<T>>
where
    T: Send + 'static,
    H: Fn(Job) -> F + Send + Sync + 'static,
    F: Future<Output = Result<T, JobError>> + Send + 'static,
{
    // One handler for every task: an `Arc`, as in the thread pool of step 4.2.
    let handler = Arc::new(handler);
    let mut running = JoinSet::new();
    // Which job each task runs. A task that panicked comes back as a `JoinError`, which knows
    // its task's id but not our job's, and that job still needs its answer.
    let mut job_of_task = HashMap::new();
    let mut answers = Vec::new();
    loop {
        if running.len() >= concurrency {
            // Every slot is taken: wait for a job to finish *before* taking the next one out of
            // the queue. Taking it first would hold it here, outside the queue, where neither
            // `try_submit` nor anyone else can see that the pool is full.
            if let Some(joined) = running.join_next_with_id().await {
                answers.push(answer(joined, &mut job_of_task));
            }
            continue;
        }
        let Some(job) = waiting.recv().await else {
            // The queue is closed and every job in it has been taken.
            break;
        };
        let id = job.id;
        let handler = Arc::clone(&handler);
        // The handler is called *inside* the task, so a handler that panics before it even
        // returns its future panics in the task too, where the `JoinSet` catches it.
        // `tokio::spawn(handler(job))` would run that first part here, and the panic would take
        // the dispatcher and every answer down with it.
        // TODO: each job gets `job_timeout` from when it starts running, not from when it was
        // queued; a job out of time is stopped, answered, and frees its slot
        // (`each_job_gets_its_full_time_from_when_it_starts`, `a_timed_out_job_frees_its_slot`,
        // `the_pool_cancels_a_timed_out_job_instead_of_leaving_it_running`).
        let task = running.spawn(async move { handler(job).await });
        job_of_task.insert(task.id(), id);
    }
    // No more jobs will come: wait for the ones still running.
    while let Some(joined) = running.join_next_with_id().await {
        answers.push(answer(joined, &mut job_of_task));
    }
    answers
}

/// The answer for one joined task: the handler's result, or a failure when the task panicked.
fn answer<T>(
    joined: Result<(task::Id, Result<T, JobError>), JoinError>,
    job_of_task: &mut HashMap<task::Id, JobId>,
) -> JobResult<T> {
    let (task, result) = match joined {
        Ok((task, result)) => (task, result),
        Err(error) => (error.id(), Err(task_failure(error))),
    };
    // Invariant: `dispatch` records every task's job right after spawning it, before it joins
    // any task, and each task is joined once. So the id is always there. (`remove`, not `get`:
    // the map holds only the jobs still running.)
    let id = job_of_task
        .remove(&task)
        .expect("every task's job is recorded when the task is spawned");
    JobResult { id, result }
}
