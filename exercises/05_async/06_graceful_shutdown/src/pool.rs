//! Step 5.3: a pool of tokio tasks with a concurrency limit. Step 5.4: a time limit per job.
//! Step 5.5: retries with backoff, and dead letters. Step 5.6: graceful shutdown.
//!
//! Jobs wait in a bounded queue (step 5.2). One task, the *dispatcher*, takes them out and
//! spawns one task per job into a `JoinSet`, but only while fewer than `concurrency` jobs are
//! running: when every slot is taken, it waits for a job to finish before it takes the next
//! one. So at most `concurrency` jobs run, at most `queue_capacity` wait, and a producer beyond
//! that waits in `submit`. Every job is answered exactly once, and a job that panics is
//! answered as a failure instead of taking the pool down. A job that runs longer than
//! `job_timeout` is stopped and answered as a retryable failure, so a hung job cannot hold its
//! slot forever. A job that fails with a retryable error is tried again inside its task, after
//! a backoff, up to the policy's limit; one that will not be tried again is a dead letter. So
//! [`TaskPool::close`] reports every job exactly once: done, or dead.
//!
//! A shutdown ([`TaskPool::shutdown`], or cancelling [`TaskPool::shutdown_token`]) stops
//! intake at once, hands back the jobs still queued, gives the running jobs until
//! `shutdown_grace` to finish, and aborts the rest. The jobs that did not finish come back in
//! [`PoolReport::unfinished`], so no job is lost: every job is done, dead, or unfinished.
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
use tokio_util::sync::CancellationToken;

use crate::job::{Job, JobError};
use crate::queue::{JobReceiver, JobSender, queue};
use crate::retry::{DeadLetter, Done, Jitter, Outcome, RetryPolicy, run_with_retries};
use crate::tasks::task_failure;
use crate::thread_pool::SubmitError;

/// How a [`TaskPool`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolConfig {
    /// At most this many jobs run at the same time (0 is treated as 1).
    pub concurrency: usize,
    /// Room for this many jobs waiting to start (0 is treated as 1, see [`queue`]).
    pub queue_capacity: usize,
    /// How long one attempt at a job may run, counted from when it starts.
    pub job_timeout: Duration,
    /// When and how often a failed job is tried again.
    pub retry: RetryPolicy,
    /// Seeds every job's [`Jitter`]: the same seed gives the same retry delays.
    pub jitter_seed: u64,
    /// After a shutdown, how long running jobs may take to finish before they are aborted.
    /// Keep it shorter than the platform's own (Kubernetes kills after 30 seconds).
    pub shutdown_grace: Duration,
}

/// What the pool did with the jobs it was given. Every job is in exactly one list.
///
/// The pool fills it as jobs end and hands it over at the end, so it holds every answer at
/// once (see [`TaskPool`] about memory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolReport<T> {
    /// Jobs that succeeded, in the order they finished.
    pub done: Vec<Done<T>>,
    /// Jobs that failed for good, in the order they gave up.
    pub dead_letters: Vec<DeadLetter>,
    /// Jobs a shutdown stopped: still queued, waiting for a retry, or still running at the
    /// deadline. They may have done part of their work; run them again later.
    pub unfinished: Vec<Job>,
}

impl<T> Default for PoolReport<T> {
    // Written out: `#[derive(Default)]` would demand `T: Default`, which an empty report
    // does not need.
    fn default() -> Self {
        PoolReport {
            done: Vec::new(),
            dead_letters: Vec::new(),
            unfinished: Vec::new(),
        }
    }
}

/// A pool of tokio tasks that runs at most [`PoolConfig::concurrency`] jobs at once.
///
/// It keeps every answer for its [`PoolReport`] until [`TaskPool::close`], so its memory grows
/// with the number of jobs answered. That fits a batch of jobs; a worker that runs all day
/// streams its answers out instead, as the import worker of Part 6 does.
#[derive(Debug)]
#[must_use = "a `TaskPool` dropped without `close` loses its jobs' answers: call `close`"]
pub struct TaskPool<T> {
    /// The sending side of the job queue. Dropping it is how the pool closes.
    jobs: JobSender,
    /// The dispatcher task; its output is where every job went.
    dispatcher: JoinHandle<PoolReport<T>>,
    /// Cancelled to shut the pool down.
    shutdown: CancellationToken,
}

impl<T: Send + 'static> TaskPool<T> {
    /// Starts a pool that runs `handler` on each job it is given, trying failed jobs again as
    /// `config.retry` says.
    ///
    /// `handler` is shared by every job's task, so it is `Send + Sync + 'static`, like the
    /// thread pool's handler in step 4.2; the future it returns runs in a task of its own, so
    /// it is `Send + 'static`, like the futures in step 5.1. It is called once per attempt,
    /// each time with a copy of the job.
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
        let shutdown = CancellationToken::new();
        let dispatcher = tokio::spawn(dispatch(waiting, config, shutdown.clone(), handler));
        TaskPool {
            jobs,
            dispatcher,
            shutdown,
        }
    }

    /// A token that shuts the pool down when cancelled, for whoever decides when to stop: a
    /// signal handler, an admin endpoint. Then call [`TaskPool::close`] for the report.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
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

    /// Stops taking jobs, waits until every job already queued or running is done or dead,
    /// and reports where each one went: every job since the pool started, all kept in memory
    /// until now (see [`TaskPool`]). (If the pool is shut down meanwhile, jobs that did
    /// not finish are reported unfinished instead.)
    ///
    /// # Panics
    ///
    /// When the dispatcher panicked, which only a bug in this module can cause: the job
    /// handlers' panics are caught in their own tasks.
    pub async fn close(self) -> PoolReport<T> {
        // Dropping the only sender closes the queue: the dispatcher still takes every job in
        // it, then `recv` gives `None`, and it waits for the running jobs before it returns.
        drop(self.jobs);
        report_of(self.dispatcher).await
    }

    /// Shuts the pool down: stops intake, hands back the queued jobs, gives the running jobs
    /// until `shutdown_grace` to finish, aborts the rest, and reports where each job went.
    ///
    /// # Panics
    ///
    /// When the dispatcher panicked (see [`TaskPool::close`]).
    pub async fn shutdown(self) -> PoolReport<T> {
        self.shutdown.cancel();
        report_of(self.dispatcher).await
    }
}

/// Waits for the dispatcher and returns its report.
async fn report_of<T>(dispatcher: JoinHandle<PoolReport<T>>) -> PoolReport<T> {
    match dispatcher.await {
        Ok(report) => report,
        Err(error) if error.is_panic() => panic::resume_unwind(error.into_panic()),
        // Cancelled: the runtime is shutting down, and nobody is left to read the report.
        Err(_) => PoolReport::default(),
    }
}

/// The dispatcher: takes jobs from the queue, runs each in a task of its own with at most
/// `concurrency` running at once, and files every job under done, dead or unfinished. It
/// returns when the queue has ended and every job has finished, or after a shutdown.
async fn dispatch<T, H, F>(
    mut waiting: JobReceiver,
    config: PoolConfig,
    shutdown: CancellationToken,
    handler: H,
) -> PoolReport<T>
where
    T: Send + 'static,
    H: Fn(Job) -> F + Send + Sync + 'static,
    F: Future<Output = Result<T, JobError>> + Send + 'static,
{
    let concurrency = config.concurrency.max(1);
    // One handler for every task: an `Arc`, as in the thread pool of step 4.2.
    let handler = Arc::new(handler);
    let mut running = JoinSet::new();
    // Which job each task runs. A task that ends without an answer (at a shutdown, an aborted
    // one) comes back as a `JoinError`, which knows its task's id but not our job, and that
    // job must not be lost.
    let mut job_of_task = HashMap::new();
    let mut report = PoolReport::default();
    // TODO (step 5.6): a cancelled `shutdown` ends this loop at once, whatever it is waiting
    // for: a free slot or the next job
    // (`a_shutdown_hands_back_the_queued_jobs_unstarted_and_in_order`,
    // `a_cancelled_token_shuts_the_pool_down_like_shutdown`). Without a shutdown it behaves as
    // before (`without_a_shutdown_close_still_runs_every_job_to_the_end`).
    loop {
        if running.len() >= concurrency {
            // Every slot is taken: wait for a job to finish *before* taking the next one out of
            // the queue. Taking it first would hold it here, outside the queue, where neither
            // `try_submit` nor anyone else can see that the pool is full.
            if let Some(joined) = running.join_next_with_id().await {
                file(joined, &mut job_of_task, &mut report);
            }
            continue;
        }
        let Some(job) = waiting.recv().await else {
            // The queue is closed and every job in it has been taken.
            break;
        };
        // Each job draws its delays from its own generator, seeded from the pool's seed and
        // its id, so its delays do not depend on the order tasks run in.
        let jitter = Jitter::for_job(config.jitter_seed, job.id);
        let attempts = run_with_retries(
            job.clone(),
            config.retry,
            jitter,
            config.job_timeout,
            Arc::clone(&handler),
            shutdown.clone(),
        );
        let task = running.spawn(attempts);
        job_of_task.insert(task.id(), job);
    }
    // TODO (step 5.6): after the loop, the lesson's three phases. Every job ends up in
    // exactly one list of the report (`no_job_is_lost_or_done_twice_across_a_shutdown`):
    // queued jobs come back unstarted and in order; running jobs get `shutdown_grace` in
    // total, not each (`running_jobs_finish_within_the_grace_period`); the ones still running
    // then are stopped and handed back
    // (`jobs_still_running_at_the_deadline_are_aborted_and_handed_back`).
    // Until then, this waits for every running job, however long it takes.
    while let Some(joined) = running.join_next_with_id().await {
        file(joined, &mut job_of_task, &mut report);
    }
    report
}

/// Files one joined task's job under done, dead or unfinished.
fn file<T>(
    joined: Result<(task::Id, Outcome<T>), JoinError>,
    job_of_task: &mut HashMap<task::Id, Job>,
    report: &mut PoolReport<T>,
) {
    let (task, outcome) = match joined {
        Ok((task, outcome)) => (task, Ok(outcome)),
        Err(error) => (error.id(), Err(error)),
    };
    // Invariant: `dispatch` records every task's job when it spawns the task, before it joins
    // any task, and each task is joined once. So the job is always there. (`remove`, not
    // `get`: the map holds only the jobs still running.)
    let job = job_of_task
        .remove(&task)
        .expect("every task's job is recorded when the task is spawned");
    match outcome {
        Ok(Outcome::Done(done)) => report.done.push(done),
        Ok(Outcome::Dead(dead)) => report.dead_letters.push(dead),
        Ok(Outcome::Unfinished(job)) => report.unfinished.push(job),
        // Aborted at the deadline: the job did not fail, it was stopped. It goes back.
        Err(error) if error.is_cancelled() => report.unfinished.push(job),
        // The job's task itself panicked: not an attempt (their panics stop in
        // `run_attempt`), so only a bug in this crate gets here. The job is kept as a dead
        // letter rather than lost; `attempts: 0` says no attempt reported back.
        Err(error) => report.dead_letters.push(DeadLetter {
            job,
            error: task_failure(error),
            attempts: 0,
        }),
    }
}
