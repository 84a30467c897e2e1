//! # ASYNC-2: A worker pool with a concurrency limit
//!
//! ## Use when
//! Many independent jobs, each doing I/O (imports, HTTP calls, queries), must not all run at
//! once: files, connections and the database all have limits of their own.
//!
//! ## Why
//! One loop spawns every job into a `JoinSet` and waits for a job to finish whenever
//! `limit` are running, *before* it takes the next one. The set's length is the number in
//! flight, so there is no second counter to get wrong; `join_next_with_id` reports each job as
//! it ends; `abort_all` stops them all at shutdown. Each job runs in a task of its own, so a
//! panic stops at that task: it comes back as a `JoinError` that knows its task id, and a map
//! from task id to job (`TaskJobs`, shared with ASYNC-5, which states its invariant) turns it
//! into that job's failure. The handler is called *inside* the task, so even a handler that
//! panics before returning its future is contained.
//!
//! The failure is the `JoinError` itself, not a message made from it: the caller can ask
//! `is_panic()`, take the payload with `into_panic()`, or log it as a source (ERR-1). A
//! `String` built with `format!` would keep the words and lose all of that.
//!
//! When tasks are spawned from many places (one per web request), no single loop sees them
//! all: share an `Arc<Semaphore>` and move an `acquire_owned` permit into each task instead.
//!
//! ## Avoid
//! `tokio::spawn` per job with no limit: it compiles, passes every small test, and under a
//! burst opens a thousand connections at once. No lint catches it; the test
//! `an_unlimited_spawn_runs_everything_at_once` below shows the difference.
//!
//! ```no_run
//! # async fn import(_: u32) {}
//! # async fn example(jobs: Vec<u32>) {
//! for job in jobs {
//!     tokio::spawn(import(job)); // no limit, and nobody hears about its panic
//! }
//! # }
//! ```
//!
//! Also avoid N worker tasks sharing one receiver behind a `Mutex`: a job's panic kills its
//! worker, so each job needs its own task anyway, and now two layers must be stopped at
//! shutdown.
//!
//! ## Steps
//! - `05_async/03_worker_pool`
//! - `05_async/04_timeouts`

use std::future::Future;
use std::sync::Arc;

use tokio::task::{JoinError, JoinSet};

use super::task_jobs::TaskJobs;

/// Runs `work` on every input, at most `limit` at once (at least 1), and returns
/// `(index, outcome)` per input in the order they finished. A job that panicked is an `Err`
/// with its `JoinError` (`is_panic()` is true; `into_panic()` gives the payload). Jobs are never
/// aborted here, so there is no other kind of `JoinError`.
pub async fn run_limited<I, T, W, F>(
    inputs: Vec<I>,
    limit: usize,
    work: W,
) -> Vec<(usize, Result<T, JoinError>)>
where
    I: Send + 'static,
    T: Send + 'static,
    W: Fn(I) -> F + Send + Sync + 'static,
    F: Future<Output = T> + Send + 'static,
{
    let work = Arc::new(work);
    let mut running = JoinSet::new();
    let mut index_of_task = TaskJobs::new();
    let mut done = Vec::new();
    let mut inputs = inputs.into_iter().enumerate();
    loop {
        // A free slot first, then the next input.
        let joined = if running.len() >= limit.max(1) {
            running.join_next_with_id().await
        } else if let Some((index, input)) = inputs.next() {
            let work = Arc::clone(&work);
            let task = running.spawn(async move { work(input).await });
            index_of_task.spawned(task.id(), index);
            continue;
        } else {
            // Nothing left to start: drain the rest.
            running.join_next_with_id().await
        };
        let Some(joined) = joined else { break };
        let (task, outcome) = match joined {
            Ok((task, value)) => (task, Ok(value)),
            Err(error) => (error.id(), Err(error)),
        };
        done.push((index_of_task.finished(task), outcome));
    }
    done
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use tokio::time::{Instant, sleep};

    use super::*;

    /// A job that takes a second on the paused clock and records the peak of jobs in flight.
    async fn measured(n: u32, in_flight: Arc<AtomicUsize>, peak: Arc<AtomicUsize>) -> u32 {
        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        peak.fetch_max(now, Ordering::SeqCst);
        sleep(Duration::from_secs(1)).await;
        in_flight.fetch_sub(1, Ordering::SeqCst);
        n * 2
    }

    #[tokio::test(start_paused = true)]
    async fn at_most_limit_jobs_run_at_once() {
        let (in_flight, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let counters = (Arc::clone(&in_flight), Arc::clone(&peak));
        let job = move |n| measured(n, Arc::clone(&counters.0), Arc::clone(&counters.1));
        let start = Instant::now();
        let mut done = run_limited((0..10).collect(), 3, job).await;
        done.sort_by_key(|(index, _)| *index);
        assert_eq!(done.len(), 10);
        assert!(matches!(done[9], (9, Ok(18))), "{:?}", done[9]);
        assert_eq!(peak.load(Ordering::SeqCst), 3);
        // 10 one-second jobs, 3 at a time: 4 rounds on the paused clock.
        assert_eq!(start.elapsed(), Duration::from_secs(4));
    }

    #[tokio::test]
    async fn a_panic_is_that_jobs_failure() {
        let done = run_limited(vec![1, 0, 2], 2, |n: u32| {
            assert!(n != 0, "zero");
            async move { 10 / n }
        })
        .await;
        assert_eq!(done.len(), 3);
        let failed: Vec<(usize, JoinError)> = done
            .into_iter()
            .filter_map(|(index, outcome)| Some((index, outcome.err()?)))
            .collect();
        assert_eq!(failed.len(), 1);
        let (index, error) = failed.into_iter().next().unwrap();
        assert_eq!(index, 1, "the failure belongs to input 1");
        assert!(error.is_panic(), "the typed error says what happened");
        let payload = error.into_panic();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"zero"));
    }

    #[tokio::test(start_paused = true)]
    async fn an_unlimited_spawn_runs_everything_at_once() {
        let (in_flight, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let handles: Vec<_> = (0..10)
            .map(|n| tokio::spawn(measured(n, Arc::clone(&in_flight), Arc::clone(&peak))))
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 10, "all ten at once");
    }
}
