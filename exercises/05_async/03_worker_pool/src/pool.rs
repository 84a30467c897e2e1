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

use tokio::task::{self, JoinError, JoinHandle};
// TODO: you will need `std::sync::Arc` and `tokio::task::JoinSet`, and `std::panic` for
// `close`.

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
        // TODO: queue the job, waiting while the queue is full; a closed pool hands the job
        // back (`a_full_pool_pushes_back_on_producers`). Step 5.2's queue already does this.
        let _ = (&self.jobs, job);
        todo!("queue the job, waiting for room")
    }

    /// Queues `job` if there is room right now, and gives it back if not.
    ///
    /// # Errors
    ///
    /// [`SubmitError::Full`] or [`SubmitError::Closed`] with the job.
    pub fn try_submit(&self, job: Job) -> Result<(), SubmitError> {
        // TODO: queue the job only if there is room now, and hand it back if not
        // (`a_full_pool_pushes_back_on_producers`).
        let _ = (&self.jobs, job);
        todo!("queue the job if there is room")
    }

    /// Stops taking jobs, waits until every job already queued or running has finished, and
    /// returns one answer per job, in the order they finished.
    ///
    /// # Panics
    ///
    /// When the dispatcher panicked, which only a bug in this module can cause: the job
    /// handlers' panics are caught in their own tasks.
    pub async fn close(self) -> Vec<JobResult<T>> {
        // TODO: after `close` the pool takes no new job, and it returns once every job that
        // was queued or running has its answer (`close_waits_for_queued_and_running_jobs`,
        // `closing_an_idle_pool_returns_no_answers`). A panic of the dispatcher is a bug in
        // this module: let it reach the caller (see `# Panics`) rather than hide it.
        let _ = (self.jobs, self.dispatcher);
        todo!("close the queue and wait for the dispatcher's answers")
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
    // TODO: the dispatcher (the lesson draws its loop). What must hold:
    // - never more than `concurrency` jobs run at once
    //   (`the_pool_never_runs_more_jobs_than_the_limit`,
    //   `a_limit_of_one_runs_jobs_one_at_a_time`);
    // - a job leaves the queue only when it can start, so the queue, not the dispatcher, holds
    //   the waiting jobs and `try_submit` sees a full pool
    //   (`a_full_pool_pushes_back_on_producers`);
    // - every job gets exactly one answer, made by `answer` below, also when its handler
    //   panics, even before its future starts (`every_job_is_answered_exactly_once`,
    //   `a_panicking_job_is_answered_and_the_pool_keeps_going`,
    //   `a_handler_that_panics_before_its_future_starts_is_contained_too`);
    // - it returns once the queue is closed and empty and every job has finished.
    let _ = (&mut waiting, concurrency, handler, answer::<T>);
    todo!("run the jobs, at most `concurrency` at once")
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
