//! Step 4.4: counters for one run of the worker, shared by every worker thread.
//!
//! A colleague wrote this on one thread, where it worked and passed review, and then handed
//! it to the pool's worker threads (`src/thread_pool.rs`). Now the crate does not compile.
//!
//! TODO: make `RunMetrics` safe to share between threads (`Send + Sync`) and keep its
//! behaviour: clones are handles to one set of counters. Read the compiler's E0277 first.

use std::cell::RefCell;
use std::rc::Rc;

use crate::job::JobError;

/// The numbers of one run, copied out of [`RunMetrics`] at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MetricsSnapshot {
    /// Jobs a worker has started.
    pub started: u64,
    /// Jobs whose handler succeeded.
    pub succeeded: u64,
    /// Jobs whose handler failed or panicked.
    pub failed: u64,
    /// Of the failed jobs, those that failed with a retryable error.
    pub retryable: u64,
    /// Rows imported, as reported by the handlers.
    pub rows: u64,
}

impl MetricsSnapshot {
    /// Jobs started and not finished yet.
    pub fn in_flight(&self) -> u64 {
        self.started
            .saturating_sub(self.succeeded)
            .saturating_sub(self.failed)
    }
}

/// Counters for one run of the worker. Cloning it gives another handle to the same
/// counters, so the pool's workers and the job handlers can all update them.
#[derive(Debug, Clone, Default)]
pub struct RunMetrics {
    counters: Rc<RefCell<MetricsSnapshot>>,
}

impl RunMetrics {
    /// Counters that start at zero.
    pub fn new() -> Self {
        RunMetrics::default()
    }

    /// Counts a job that a worker is about to run.
    pub fn job_started(&self) {
        self.counters.borrow_mut().started += 1;
    }

    /// Counts a finished job from its handler's result.
    pub fn job_finished<T>(&self, result: &Result<T, JobError>) {
        let mut counters = self.counters.borrow_mut();
        match result {
            Ok(_) => counters.succeeded += 1,
            Err(error) => {
                counters.failed += 1;
                if error.is_retryable() {
                    counters.retryable += 1;
                }
            }
        }
    }

    /// Adds `rows` to the rows imported in this run.
    pub fn add_rows(&self, rows: u64) {
        self.counters.borrow_mut().rows += rows;
    }

    /// A copy of the counters as they are now.
    pub fn snapshot(&self) -> MetricsSnapshot {
        *self.counters.borrow()
    }
}
