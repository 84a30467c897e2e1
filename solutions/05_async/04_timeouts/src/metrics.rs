//! Step 4.4: counters for one run of the worker, shared by every worker thread.
//!
//! The first version of this file was written and tested on one thread with
//! `Rc<RefCell<MetricsSnapshot>>`. Handing it to the pool's threads did not compile (E0277):
//! `Rc` is not `Send`, because two threads updating its reference count at once would corrupt
//! it, and `RefCell` is not `Sync`, because its borrow flag is not updated atomically either.
//! The thread-safe versions of the same two ideas are `Arc` (an atomic reference count) and
//! `Mutex` (a borrow flag that makes other threads wait instead of panicking).

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

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
        // One snapshot is read under one lock, so `succeeded + failed <= started` holds; the
        // saturating subtraction only guards against a future change breaking that.
        self.started
            .saturating_sub(self.succeeded)
            .saturating_sub(self.failed)
    }
}

/// Counters for one run of the worker. Cloning it gives another handle to the same
/// counters, so the pool's workers and the job handlers can all update them.
#[derive(Debug, Clone, Default)]
pub struct RunMetrics {
    // `Arc`, not `Rc`: the handles live on several threads, and only an atomic reference
    // count survives clones and drops racing on two cores. `Mutex`, not `RefCell`: two
    // threads may update at once, and a `Mutex` makes the second one wait.
    // Rejected: one `AtomicU64` per counter. Each update would be lock-free, but a snapshot
    // would read the counters one by one while jobs finish in between, so `in_flight` could
    // come out wrong. One lock over all the counters keeps every snapshot consistent, and
    // each critical section is a few additions.
    counters: Arc<Mutex<MetricsSnapshot>>,
}

impl RunMetrics {
    /// Counters that start at zero.
    pub fn new() -> Self {
        RunMetrics::default()
    }

    /// The one place that locks.
    fn lock(&self) -> MutexGuard<'_, MetricsSnapshot> {
        // Every critical section below is a few integer additions or one copy, none of which
        // can panic halfway, so a poisoned lock still guards consistent counters: take them
        // back rather than stop every worker for a number.
        self.counters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a job that a worker is about to run.
    pub fn job_started(&self) {
        self.lock().started += 1;
    }

    /// Counts a finished job from its handler's result.
    pub fn job_finished<T>(&self, result: &Result<T, JobError>) {
        let mut counters = self.lock();
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
        self.lock().rows += rows;
    }

    /// A copy of the counters as they are now.
    pub fn snapshot(&self) -> MetricsSnapshot {
        *self.lock()
    }
}
