//! # ASYNC-6: `spawn_blocking` for CPU-heavy work
//!
//! ## Use when
//! An async task must do work that runs for a long time without reaching an `.await`:
//! parsing or hashing a large file, compressing, or calling a blocking library (`std::fs`, a
//! synchronous database driver). "Long" starts at about 100 microseconds.
//!
//! ## Why
//! Tokio runs many tasks on a few worker threads and can only switch tasks at an `.await`. A
//! task that parses for 300 ms keeps its worker thread for 300 ms: the other tasks queued on
//! that thread wait, timers fire late, and on a single-threaded runtime everything stops.
//! `tokio::task::spawn_blocking` runs a closure on a separate pool of threads meant for
//! blocking work and gives back a `JoinHandle` to await, so the async task waits without
//! holding a worker thread. The closure must own its data (`Send + 'static`): move the bytes
//! in, get the result out. A panic in it comes back as an `Err(JoinError)`, not as a crash.
//!
//! The blocking pool is large (512 threads by default) because it is meant for waiting. For
//! CPU work, cap how many run at once with a `tokio::sync::Semaphore` sized to the cores, or
//! a hundred uploads become a hundred threads fighting over two cores.
//!
//! ## Avoid
//! Parsing a large upload directly in an async task:
//!
//! ```no_run
//! # fn count_records(_: &[u8]) -> usize { 0 }
//! async fn import(upload: Vec<u8>) -> usize {
//!     count_records(&upload) // no `.await` for the whole parse: the worker thread is stuck
//! }
//! ```
//!
//! It compiles and no lint catches it; it shows up as latency in every other task. The test
//! `inline_work_keeps_every_other_task_waiting` below shows it on a single-threaded runtime.
//!
//! ## Steps
//! - `05_async/07_status_actor`

use tokio::task::JoinError;

/// What one upload holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadSummary {
    /// Non-empty lines.
    pub lines: usize,
    /// Bytes read.
    pub bytes: usize,
}

/// The blocking work did not finish: it panicked, or the runtime is shutting down.
#[derive(Debug, thiserror::Error)]
#[error("the blocking work did not finish")]
pub struct BlockingFailed(#[from] JoinError);

/// Runs `work` on tokio's blocking pool and waits for it without holding a worker thread.
///
/// # Errors
///
/// [`BlockingFailed`] when `work` panicked or the runtime shut down first.
///
/// # Panics
///
/// When called outside a tokio runtime.
pub async fn run_blocking<T, F>(work: F) -> Result<T, BlockingFailed>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Ok(tokio::task::spawn_blocking(work).await?)
}

/// Summarizes an upload off the async worker threads. `upload` is moved, not borrowed: the
/// blocking thread may outlive this call's stack frame if the caller stops waiting.
///
/// # Errors
///
/// [`BlockingFailed`] when the summary could not be made (see [`run_blocking`]).
pub async fn summarize_upload(upload: Vec<u8>) -> Result<UploadSummary, BlockingFailed> {
    run_blocking(move || summarize(&upload)).await
}

/// The CPU-heavy part, plain synchronous code: easy to test and to benchmark on its own.
fn summarize(upload: &[u8]) -> UploadSummary {
    UploadSummary {
        lines: upload
            .split(|&byte| byte == b'\n')
            .filter(|line| !line.is_empty())
            .count(),
        bytes: upload.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[tokio::test]
    async fn a_large_upload_is_summarized() {
        let upload = "id,name\n1,Ada\n".repeat(100_000).into_bytes();
        let summary = summarize_upload(upload).await.unwrap();
        assert_eq!(
            summary,
            UploadSummary {
                lines: 200_000,
                bytes: 1_400_000
            }
        );
    }

    // `#[tokio::test]` is a single-threaded runtime: one worker thread for every task.
    #[tokio::test]
    async fn blocking_work_leaves_the_runtime_free_for_other_tasks() {
        let (heartbeat, beats) = std::sync::mpsc::channel();
        let other_task = tokio::spawn(async move { heartbeat.send(()).unwrap() });
        // This work cannot finish until the other task has run. Inline it would wait forever;
        // on the blocking pool the only worker thread is free, so the other task runs.
        let heard = run_blocking(move || beats.recv().is_ok()).await.unwrap();
        assert!(heard);
        other_task.await.unwrap();
    }

    #[tokio::test]
    async fn inline_work_keeps_every_other_task_waiting() {
        let ran = Arc::new(AtomicBool::new(false));
        let other_task = {
            let ran = Arc::clone(&ran);
            tokio::spawn(async move { ran.store(true, Ordering::SeqCst) })
        };
        // CPU work without an `.await`: the other task cannot run until it is over.
        let summary = summarize(&b"a\n".repeat(100_000));
        assert_eq!(summary.lines, 100_000);
        assert!(
            !ran.load(Ordering::SeqCst),
            "no `.await` yet, so the runtime never got its thread back"
        );
        other_task.await.unwrap();
        assert!(ran.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn a_panic_in_the_work_is_an_error_for_the_caller() {
        let outcome = run_blocking(|| -> usize { panic!("malformed upload") }).await;
        let error = outcome.unwrap_err();
        assert!(error.0.is_panic(), "the JoinError says it was a panic");
    }
}
