//! # ASYNC-5: Graceful shutdown with a deadline
//!
//! ## Use when
//! A worker takes jobs from a queue and is stopped on purpose: a deploy, a scale-down, Ctrl-C.
//! The platform waits a little (Kubernetes: 30 seconds) and then kills the process.
//!
//! ## Why
//! Shutdown has three phases, and every job ends in exactly one list of the report:
//!
//! 1. **Stop intake.** Whoever decides to stop (a signal handler, a test) cancels a
//!    `CancellationToken`. The worker's `select!` is `biased` so the stop wins over a waiting
//!    job. It closes the queue: producers' `send` now fails and hands them their job back.
//!    Jobs still in the queue never started; they go back as *unfinished*.
//! 2. **Let in-flight jobs finish, until a deadline.** Most finish in time and are *done*.
//!    The deadline is ours and shorter than the platform's, so we stop on our own terms.
//! 3. **Abort what is left.** `JoinSet::abort_all` cancels the stragglers at their next
//!    `.await`; a map from task id to job (`TaskJobs`, shared with ASYNC-2, which states its
//!    invariant) turns each cancelled task back into its job, which goes back as *unfinished*
//!    too, for the next worker to run again.
//!
//! An aborted job may have done part of its work, so it may run twice: shutdown gives
//! at-least-once delivery, and jobs must be idempotent (Part 6's journal makes them so).
//! When the queue simply ends (every sender dropped), the worker finishes every running job
//! with no deadline, unless a shutdown arrives meanwhile.
//!
//! `JoinSet` rather than `tokio_util::task::TaskTracker`: we need each task's result and the
//! power to abort it. A `TaskTracker` fits tasks spawned from many places whose results go
//! elsewhere; it only tells you when they are all gone.
//!
//! ## Avoid
//! Shutdown that drops the queue: returning from `main` on Ctrl-C (or dropping the runtime)
//! cancels every task and frees every queued job, and nothing records which jobs were lost:
//!
//! ```no_run
//! # async fn run_worker() {}
//! # async fn example() {
//! tokio::select! {
//!     () = run_worker() => {}
//!     _ = tokio::signal::ctrl_c() => return, // in-flight and queued jobs vanish
//! }
//! # }
//! ```
//!
//! No lint sees this. The test `every_job_ends_in_exactly_one_list` does: it counts every job
//! id across `done`, `failed` and `unfinished`.
//!
//! ## Steps
//! - `05_async/06_graceful_shutdown`

use std::future::Future;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::{self, JoinError, JoinSet};
use tokio::time::{self, Instant};
use tokio_util::sync::CancellationToken;

use super::task_jobs::TaskJobs;

/// Where every job went. Each job id is in exactly one list.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Jobs that ran to the end.
    pub done: Vec<u64>,
    /// Jobs whose task panicked.
    pub failed: Vec<u64>,
    /// Jobs still queued at shutdown, or still running at the deadline: run them again.
    pub unfinished: Vec<u64>,
}

/// Runs `work` on each job from `queue`, at most `max_in_flight` at a time, until the queue
/// ends or `shutdown` is cancelled; after a shutdown, running jobs get `grace` to finish.
pub async fn run_until_shutdown<F, Fut>(
    mut queue: mpsc::Receiver<u64>,
    max_in_flight: usize,
    shutdown: CancellationToken,
    grace: Duration,
    work: F,
) -> ShutdownReport
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut report = ShutdownReport::default();
    let mut running = JoinSet::new();
    let mut in_flight = TaskJobs::new();
    let max_in_flight = max_in_flight.max(1);
    let mut intake_open = true;
    loop {
        if !intake_open && running.is_empty() {
            break; // the queue ended and every job finished: no shutdown needed
        }
        tokio::select! {
            biased; // check the branches in order: a shutdown wins over a waiting job
            () = shutdown.cancelled() => break,
            Some(finished) = running.join_next_with_id() => {
                record(finished, &mut in_flight, &mut report);
            }
            next = queue.recv(), if intake_open && running.len() < max_in_flight => match next {
                Some(job) => {
                    let handle = running.spawn(work(job));
                    in_flight.spawned(handle.id(), job);
                }
                None => intake_open = false, // every sender is gone: finish what runs
            },
        }
    }
    // Phase 1: no more intake. `close` makes producers' `send` fail; what was queued is
    // still delivered by `recv` (without waiting), and goes back unstarted.
    queue.close();
    while let Some(job) = queue.recv().await {
        report.unfinished.push(job);
    }
    // Phase 2: the running jobs get until the deadline.
    let deadline = Instant::now() + grace;
    while let Ok(Some(finished)) = time::timeout_at(deadline, running.join_next_with_id()).await {
        record(finished, &mut in_flight, &mut report);
    }
    // Phase 3: abort the rest. Each aborted task comes back as a cancelled `JoinError`,
    // and `record` turns it into an unfinished job. (A task that finished just now is done.)
    running.abort_all();
    while let Some(finished) = running.join_next_with_id().await {
        record(finished, &mut in_flight, &mut report);
    }
    report
}

/// Files one finished task's job under `done`, `failed` or `unfinished`.
fn record(
    finished: Result<(task::Id, ()), JoinError>,
    in_flight: &mut TaskJobs<u64>,
    report: &mut ShutdownReport,
) {
    let id = match &finished {
        Ok((id, ())) => *id,
        Err(error) => error.id(),
    };
    let job = in_flight.finished(id);
    match finished {
        Ok(_) => report.done.push(job),
        Err(error) if error.is_cancelled() => report.unfinished.push(job),
        Err(_) => report.failed.push(job),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Job `id` takes `id` seconds, except job 3, which takes a minute; job 7 panics.
    async fn work(id: u64) {
        let seconds = if id == 3 { 60 } else { id };
        time::sleep(Duration::from_secs(seconds)).await;
        assert_ne!(id, 7, "job 7 always panics");
    }

    fn queue_of(jobs: std::ops::RangeInclusive<u64>) -> mpsc::Receiver<u64> {
        let (sender, queue) = mpsc::channel(16);
        for job in jobs {
            sender.try_send(job).unwrap();
        }
        queue
    }

    fn sorted(mut ids: Vec<u64>) -> Vec<u64> {
        ids.sort_unstable();
        ids
    }

    #[tokio::test(start_paused = true)]
    async fn every_job_ends_in_exactly_one_list() {
        let queue = queue_of(1..=10);
        let shutdown = CancellationToken::new();
        let stopper = shutdown.clone();
        tokio::spawn(async move {
            time::sleep(Duration::from_millis(1500)).await;
            stopper.cancel();
        });
        let start = Instant::now();
        let grace = Duration::from_secs(5);
        let report = run_until_shutdown(queue, 3, shutdown, grace, work).await;

        // t=0: jobs 1, 2, 3 start. t=1: 1 is done, 4 starts. t=1.5: shutdown, 5..=10 go back.
        // t=2: 2 is done. t=5: 4 is done. t=6.5: the deadline aborts job 3.
        assert_eq!(sorted(report.done.clone()), [1, 2, 4]);
        assert_eq!(sorted(report.unfinished.clone()), [3, 5, 6, 7, 8, 9, 10]);
        assert_eq!(start.elapsed(), Duration::from_millis(6500));
        let mut all = [report.done, report.failed, report.unfinished].concat();
        all.sort_unstable();
        assert_eq!(all, (1..=10).collect::<Vec<_>>(), "each job exactly once");
    }

    #[tokio::test(start_paused = true)]
    async fn when_the_queue_ends_every_job_runs_to_the_end() {
        let start = Instant::now();
        let report = run_until_shutdown(
            queue_of(1..=8),
            8,
            CancellationToken::new(),
            Duration::ZERO,
            work,
        )
        .await;
        assert_eq!(sorted(report.done), [1, 2, 3, 4, 5, 6, 8]);
        assert_eq!(report.failed, [7], "a panic costs only its own job");
        assert!(report.unfinished.is_empty());
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(60),
            "no deadline without shutdown"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_shutdown_before_any_work_hands_every_job_back() {
        let shutdown = CancellationToken::new();
        shutdown.cancel();
        let report = run_until_shutdown(queue_of(1..=4), 2, shutdown, Duration::ZERO, work).await;
        assert_eq!(
            report.unfinished,
            [1, 2, 3, 4],
            "queued jobs come back in order"
        );
        assert!(report.done.is_empty());
    }
}
