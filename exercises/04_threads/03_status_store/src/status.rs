//! Step 4.3: where each job is, in a store that every worker thread shares.
//!
//! The store is one `HashMap<JobId, Status>` behind `Arc<Mutex<_>>`. `Arc` gives each thread
//! its own handle to the one map; the `Mutex` lets one thread at a time in. Every critical
//! section is one map operation: the guard never leaves this module, so no caller can hold the
//! lock while a job runs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
// TODO: you may need `std::sync::PoisonError`.

use crate::job::{JobError, JobId};

/// Where a job is. A job moves `Queued -> Running -> Done` or `Queued -> Running -> Failed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Accepted, waiting for a worker.
    Queued,
    /// A worker is running it.
    Running,
    /// The handler succeeded.
    Done,
    /// The handler failed (or panicked), with why.
    Failed(JobError),
}

impl Status {
    /// `true` for `Done` and `Failed`: the job will not change any more.
    pub fn is_finished(&self) -> bool {
        matches!(self, Status::Done | Status::Failed(_))
    }
}

/// How many jobs are in each status, read in one critical section so the numbers agree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    /// Jobs waiting for a worker.
    pub queued: usize,
    /// Jobs a worker is running.
    pub running: usize,
    /// Jobs that succeeded.
    pub done: usize,
    /// Jobs that failed.
    pub failed: usize,
}

/// The status of every job, shared by the pool and its workers. Cloning it gives another
/// handle to the same map, not a copy of it.
#[derive(Debug, Clone, Default)]
pub struct StatusStore {
    statuses: Arc<Mutex<HashMap<JobId, Status>>>,
}

impl StatusStore {
    /// An empty store.
    pub fn new() -> Self {
        StatusStore::default()
    }

    /// The one place that locks. It returns the guard to this module only, so every critical
    /// section is written here and stays one map operation long.
    fn lock(&self) -> MutexGuard<'_, HashMap<JobId, Status>> {
        // TODO: lock `self.statuses` and return the guard. `lock()` fails when the lock is
        // poisoned (a thread panicked while holding it). Decide what that means for this map:
        // can any critical section in this file leave it half-changed? If none can, the map
        // is still good: take the guard back with `PoisonError::into_inner`, and write down
        // why in a comment. (`.unwrap()` is not an answer: this step forbids it.) Test:
        // `a_panic_while_the_lock_is_held_does_not_break_the_store`.
        let _ = &self.statuses;
        todo!("lock the map and handle a poisoned lock")
    }

    /// Records `status` for job `id`, replacing what was there.
    pub fn set(&self, id: JobId, status: Status) {
        self.lock().insert(id, status);
    }

    /// The status of job `id`, or `None` for a job the store does not know.
    pub fn status(&self, id: JobId) -> Option<Status> {
        // TODO: a copy of `id`'s status, with the guard dropped before this function returns
        // (`the_store_keeps_the_latest_status_of_each_job`, `a_new_store_knows_no_jobs`).
        let _ = id;
        todo!("read one job's status")
    }

    /// Forgets job `id` and returns its last status.
    pub fn remove(&self, id: JobId) -> Option<Status> {
        self.lock().remove(&id)
    }

    /// Runs `read` on the whole map under the lock, for reads that need several entries to
    /// agree (counts, a report). Keep `read` short: every worker waits while it runs.
    pub fn inspect<R>(&self, read: impl FnOnce(&HashMap<JobId, Status>) -> R) -> R {
        // TODO: `read` sees the whole map at one moment, under the lock, and cannot change it;
        // return what it returns (`counts` below relies on it: `counts_add_up_each_status`).
        let _ = read;
        todo!("run `read` on the map under the lock")
    }

    /// How many jobs are in each status.
    pub fn counts(&self) -> StatusCounts {
        // One critical section for the whole count. Calling `status` once per job instead
        // would let jobs move between the calls, and the numbers would not add up.
        self.inspect(|statuses| {
            let mut counts = StatusCounts::default();
            for status in statuses.values() {
                match status {
                    Status::Queued => counts.queued += 1,
                    Status::Running => counts.running += 1,
                    Status::Done => counts.done += 1,
                    Status::Failed(_) => counts.failed += 1,
                }
            }
            counts
        })
    }
}
