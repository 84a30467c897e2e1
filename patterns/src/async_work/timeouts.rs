//! # ASYNC-3: Timeouts that cancel and report
//!
//! ## Use when
//! A unit of work waits on something outside your control (a server, a disk, a lock) and must
//! not hold its resources, or its slot in a pool, forever.
//!
//! ## Why
//! `tokio::time::timeout(limit, future)` races the future against a timer and, when time runs
//! out, *drops* the future: it stops at the `.await` it was waiting at, never runs the code
//! after it, and drops its locals (files close, connections go back, guards release). Put the
//! timeout around the work's own future, where the work starts, so the clock counts the work
//! and not its wait in a queue. Turn the expiry into an error that says how long the work
//! had, and that a caller can retry: the work did not fail, it ran out of time.
//!
//! Test it on paused time (`#[tokio::test(start_paused = true)]`): the clock jumps to the next
//! timer when every task waits, so a 5-second limit takes no real time and elapsed times are
//! exact. A future that never finishes is `std::future::pending()`.
//!
//! ## Avoid
//! A timeout whose expiry is dropped on the floor: the work is cancelled and nobody hears of
//! it. The result of `timeout` is `#[must_use]`, so the lint catches the plainest form (but
//! not `let _ = ...`):
//!
//! ```compile_fail
//! #![deny(unused_must_use)]
//! # async fn upload() {}
//! async fn run() {
//!     tokio::time::timeout(std::time::Duration::from_secs(5), upload()).await;
//! }
//! ```
//!
//! Also avoid a timeout around a `JoinHandle`: it stops *waiting* and leaves the task running
//! (the test `a_timeout_on_a_join_handle_leaves_the_work_running` shows it). And remember that
//! work which never reaches an `.await` (a long parse) cannot be cancelled: move it to
//! `spawn_blocking`, and know that a blocking thread runs on after its timeout.
//!
//! ## Steps
//! - `05_async/04_timeouts`

use std::future::Future;
use std::time::Duration;

/// The work ran out of time and was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("timed out after {limit:?}")]
pub struct TimedOut {
    /// How long the work had.
    pub limit: Duration,
}

/// Runs `work` for at most `limit`, counting from the first poll.
///
/// # Errors
///
/// [`TimedOut`] when time ran out; `work` has then been dropped (cancelled).
pub async fn within<T>(limit: Duration, work: impl Future<Output = T>) -> Result<T, TimedOut> {
    tokio::time::timeout(limit, work)
        .await
        .map_err(|_elapsed| TimedOut { limit })
}

#[cfg(test)]
mod tests {
    use std::future::pending;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use tokio::time::{Instant, sleep};

    use super::*;

    const LIMIT: Duration = Duration::from_secs(5);

    /// Sets `finished` if it runs to the end, after a minute.
    async fn slow(finished: Arc<AtomicBool>) {
        sleep(Duration::from_secs(60)).await;
        finished.store(true, Ordering::SeqCst);
    }

    #[tokio::test(start_paused = true)]
    async fn work_that_never_finishes_ends_in_a_verdict() {
        let start = Instant::now();
        let verdict = within(LIMIT, pending::<()>()).await;
        assert_eq!(verdict, Err(TimedOut { limit: LIMIT }));
        assert_eq!(start.elapsed(), LIMIT, "exactly 5s on the paused clock");
        assert_eq!(verdict.unwrap_err().to_string(), "timed out after 5s");
        assert_eq!(within(LIMIT, async { 7 }).await, Ok(7));
    }

    #[tokio::test(start_paused = true)]
    async fn timed_out_work_is_cancelled_at_its_await() {
        let finished = Arc::new(AtomicBool::new(false));
        assert!(within(LIMIT, slow(Arc::clone(&finished))).await.is_err());
        sleep(Duration::from_secs(120)).await; // paused clock: no real time
        assert!(
            !finished.load(Ordering::SeqCst),
            "never ran past its .await"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_on_a_join_handle_leaves_the_work_running() {
        let finished = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn(slow(Arc::clone(&finished)));
        assert!(within(LIMIT, task).await.is_err(), "we stopped waiting...");
        sleep(Duration::from_secs(120)).await;
        assert!(
            finished.load(Ordering::SeqCst),
            "...but the task ran to the end"
        );
    }
}
