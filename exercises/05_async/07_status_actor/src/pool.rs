//! Step 5.3: a pool of tokio tasks with a concurrency limit. Step 5.4: a time limit per job.
//! Step 5.5: retries with backoff, and dead letters. Step 5.6: graceful shutdown. Step 5.7:
//! outcomes streamed out on a bounded channel, for a worker that runs all day.
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
//! [`TaskPool::start`] keeps every outcome for the report, which suits a batch. A worker that
//! runs all day uses [`TaskPool::start_streaming`] instead: each outcome goes out on a bounded
//! channel ([`Outcomes`]) as its job ends, and the pool's memory stays flat however many jobs
//! it runs. The dispatcher does not care which: it hands each outcome to a private `Sink`.
//!
//! Also rejected: a `Semaphore` next to the `JoinSet`. That is the tool when tasks are spawned
//! from many places (one per web request); here one loop spawns every task, so the set's own
//! length is the count, and there is no second number that could disagree with it.

use std::collections::HashMap;
use std::future::Future;
use std::panic;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::{self, JoinError, JoinHandle, JoinSet};
use tokio::time::{Instant, timeout_at};
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

impl<T> PoolReport<T> {
    /// Files one outcome under done, dead or unfinished.
    fn add(&mut self, outcome: Outcome<T>) {
        match outcome {
            Outcome::Done(done) => self.done.push(done),
            Outcome::Dead(dead) => self.dead_letters.push(dead),
            Outcome::Unfinished(job) => self.unfinished.push(job),
        }
    }
}

/// The outcomes of a pool started with [`TaskPool::start_streaming`], one per job, in the
/// order the jobs end.
///
/// The channel behind it is bounded, so read it *while* you submit, from another task: when
/// it is full, the pool waits for you before it records the next outcome, so no job starts,
/// the queue fills up, and `submit` waits (`try_submit` says `Full`). That is backpressure,
/// not a bug: a reader that falls behind slows the producers down instead of growing memory.
#[derive(Debug)]
pub struct Outcomes<T> {
    receiver: mpsc::Receiver<Outcome<T>>,
}

impl<T> Outcomes<T> {
    /// The next job's outcome, waiting until a job ends; `None` once the pool has stopped
    /// (after [`TaskPool::close`] or a shutdown) and every outcome it sent has been read.
    pub async fn recv(&mut self) -> Option<Outcome<T>> {
        self.receiver.recv().await
    }
}

/// Where the dispatcher puts each job's outcome. An enum of two plain cases: a trait with two
/// implementations would say the same with more machinery, for a choice made once at start.
#[derive(Debug)]
enum Sink<T> {
    /// Into the report that `close` returns ([`TaskPool::start`]).
    Collect,
    /// Out on a bounded channel as each job ends ([`TaskPool::start_streaming`]).
    ///
    /// Rejected: an unbounded channel. It never makes the pool wait, so when the reader is
    /// slower than the jobs, the outcomes pile up in the channel and memory grows again.
    Stream(mpsc::Sender<Outcome<T>>),
}

impl<T> Sink<T> {
    /// Records one job's outcome: in `report`, or on the channel, waiting while it is full.
    ///
    /// The wait races the shutdown: a reader that stopped reading must not keep a shutdown
    /// from its deadline. From the shutdown on, and when the reader is gone, outcomes go in
    /// `report`, so none is lost. (After a shutdown at most `queue_capacity + concurrency`
    /// jobs are left, so the report stays small; a reader that drops `Outcomes` early takes
    /// the flat memory with it.)
    async fn record(
        &self,
        outcome: Outcome<T>,
        shutdown: &CancellationToken,
        report: &mut PoolReport<T>,
    ) {
        let Sink::Stream(sender) = self else {
            report.add(outcome);
            return;
        };
        // Most of the time the channel has room: send at once, without setting up the race
        // below. `try_send` hands the outcome back when it cannot send, so nothing is lost.
        let outcome = if shutdown.is_cancelled() {
            outcome
        } else {
            match sender.try_send(outcome) {
                Ok(()) => return,
                Err(mpsc::error::TrySendError::Full(outcome)) => outcome,
                Err(mpsc::error::TrySendError::Closed(outcome)) => {
                    report.add(outcome);
                    return;
                }
            }
        };
        tokio::select! {
            // A shutdown first: once it has come, nothing waits for the reader.
            biased;
            () = shutdown.cancelled() => report.add(outcome),
            // `reserve`, not `send(outcome)`: if the shutdown wins while `send` waits, dropping
            // it drops the outcome with it. `reserve` waits for room holding nothing, and the
            // permit it returns sends without waiting.
            permit = sender.reserve() => match permit {
                Ok(permit) => permit.send(outcome),
                // The reader dropped `Outcomes`: keep the outcome for the report.
                Err(_) => report.add(outcome),
            },
        }
    }
}

/// A pool of tokio tasks that runs at most [`PoolConfig::concurrency`] jobs at once.
///
/// Started with [`TaskPool::start`], it keeps every answer for its [`PoolReport`] until
/// [`TaskPool::close`], so its memory grows with the number of jobs answered. That fits a
/// batch of jobs; a worker that runs all day uses [`TaskPool::start_streaming`] and reads
/// each answer as it comes.
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
        Self::with_sink(config, handler, Sink::Collect)
    }

    /// Starts a pool like [`TaskPool::start`], but sends each job's outcome out on
    /// [`Outcomes`] as the job ends, instead of keeping it: its memory stays flat however many
    /// jobs it runs. Room for `outcome_capacity` outcomes (0 is treated as 1) waits there.
    ///
    /// Read the outcomes from another task while you submit (see [`Outcomes`]): the channel is
    /// bounded, so outcomes nobody reads stop the pool. The report from [`TaskPool::close`]
    /// holds only what was not streamed: the outcomes settled after a shutdown (at most
    /// `queue_capacity + concurrency` jobs), and any left after `Outcomes` was dropped.
    ///
    /// # Panics
    ///
    /// When called outside a tokio runtime, because the pool spawns its dispatcher task.
    pub fn start_streaming<H, F>(
        config: PoolConfig,
        outcome_capacity: usize,
        handler: H,
    ) -> (Self, Outcomes<T>)
    where
        H: Fn(Job) -> F + Send + Sync + 'static,
        F: Future<Output = Result<T, JobError>> + Send + 'static,
    {
        // `mpsc::channel` panics on 0; one slot is the smallest channel that works.
        let (sender, receiver) = mpsc::channel(outcome_capacity.max(1));
        let pool = Self::with_sink(config, handler, Sink::Stream(sender));
        (pool, Outcomes { receiver })
    }

    /// Starts the dispatcher with `sink`: what both `start`s share.
    fn with_sink<H, F>(config: PoolConfig, handler: H, sink: Sink<T>) -> Self
    where
        H: Fn(Job) -> F + Send + Sync + 'static,
        F: Future<Output = Result<T, JobError>> + Send + 'static,
    {
        let (jobs, waiting) = queue(config.queue_capacity);
        let shutdown = CancellationToken::new();
        let dispatcher = tokio::spawn(dispatch(waiting, config, shutdown.clone(), handler, sink));
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
    /// until now (see [`TaskPool`]), or with [`TaskPool::start_streaming`] only the ones not
    /// streamed. (If the pool is shut down meanwhile, jobs that did not finish are reported
    /// unfinished instead.)
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
/// `concurrency` running at once, and hands every job's outcome (done, dead or unfinished) to
/// `sink`. It returns when the queue has ended and every job has finished, or after a
/// shutdown. The sender inside a streaming `sink` is dropped with it, which ends `Outcomes`.
async fn dispatch<T, H, F>(
    mut waiting: JobReceiver,
    config: PoolConfig,
    shutdown: CancellationToken,
    handler: H,
    sink: Sink<T>,
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
    let mut intake_open = true;
    loop {
        if !intake_open && running.is_empty() {
            // The queue has ended and every job has finished: a normal close.
            break;
        }
        tokio::select! {
            // Try the branches in order: a shutdown wins over a finished job, and a finished
            // job (a free slot) over taking the next one.
            biased;
            () = shutdown.cancelled() => break,
            // Disabled for this round when nothing is running (`join_next` gives `None`).
            Some(joined) = running.join_next_with_id() => {
                let outcome = outcome_of(joined, &mut job_of_task);
                sink.record(outcome, &shutdown, &mut report).await;
            }
            // Only with a free slot: when every slot is taken, the next job stays in the
            // queue, where `try_submit` can see that the pool is full.
            next = waiting.recv(), if intake_open && running.len() < concurrency => match next {
                Some(job) => {
                    // Each job draws its delays from its own generator, seeded from the pool's
                    // seed and its id, so its delays do not depend on the order tasks run in.
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
                // Every sender is gone and every queued job taken: finish the running ones.
                None => intake_open = false,
            },
        }
    }
    // Phase 1, stop intake: from now on `submit` fails and hands the job back. The jobs still
    // in the queue never started; `recv` still hands them out (without waiting, as the queue
    // is closed), and they go back unfinished, in queue order. Dropping `waiting` instead
    // would lose them. From here on every outcome goes in the report, even when streaming:
    // after a shutdown `Sink::record` would put it there anyway, and after a normal close
    // nothing is left.
    waiting.close();
    while let Some(job) = waiting.recv().await {
        report.unfinished.push(job);
    }
    // Phase 2: the running jobs get until the deadline. One `Instant` for all of them, so the
    // whole shutdown takes at most `shutdown_grace`, not that much per job. (After a normal
    // close nothing is running, and this ends at once.)
    let deadline = Instant::now() + config.shutdown_grace;
    while let Ok(Some(joined)) = timeout_at(deadline, running.join_next_with_id()).await {
        report.add(outcome_of(joined, &mut job_of_task));
    }
    // Phase 3: abort the rest. Each aborted task comes back as a cancelled `JoinError` at its
    // next `.await`, and `outcome_of` hands its job back as unfinished. A task that finished just
    // before the abort comes back with its outcome, as usual.
    running.abort_all();
    while let Some(joined) = running.join_next_with_id().await {
        report.add(outcome_of(joined, &mut job_of_task));
    }
    report
}

/// The outcome of one joined task's job: done, dead or unfinished.
fn outcome_of<T>(
    joined: Result<(task::Id, Outcome<T>), JoinError>,
    job_of_task: &mut HashMap<task::Id, Job>,
) -> Outcome<T> {
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
        Ok(outcome) => outcome,
        // Aborted at the deadline: the job did not fail, it was stopped. It goes back.
        Err(error) if error.is_cancelled() => Outcome::Unfinished(job),
        // The job's task itself panicked: not an attempt (their panics stop in
        // `run_attempt`), so only a bug in this crate gets here. The job is kept as a dead
        // letter rather than lost; `attempts: 0` says no attempt reported back.
        Err(error) => Outcome::Dead(DeadLetter {
            job,
            error: task_failure(error),
            attempts: 0,
        }),
    }
}
