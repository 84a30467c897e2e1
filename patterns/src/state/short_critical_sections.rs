//! # STATE-1: Short critical sections with `Arc<Mutex<_>>`
//!
//! ## Use when
//! Several threads read and update one small piece of shared state: a job status map,
//! counters, a cache. Also in async code, as long as no `.await` happens while the lock is
//! held (otherwise see STATE-2).
//!
//! ## Why
//! `Arc` gives every thread its own handle to one value; the `Mutex` lets one thread in at a
//! time. Everyone else waits while the lock is held, so a critical section does the map
//! operation and nothing else: copy out what you need, let the guard drop, then do the slow
//! work (parsing, I/O, sending on a channel) with the lock released. Wrapping the lock in one
//! private method keeps every section that short, because callers never see a guard.
//!
//! A lock is *poisoned* when a thread panicked while holding it. When every section is one
//! insert or one read, a panic cannot leave the data half-updated, so take the data back with
//! `PoisonError::into_inner` instead of letting `.unwrap()` spread the panic to every thread.
//!
//! ## Avoid
//! Holding the guard across slow work. It compiles, and every other thread waits for the
//! parse:
//!
//! ```no_run
//! # use std::collections::HashMap;
//! # use std::sync::Mutex;
//! # fn parse(_: &str) {}
//! let statuses = Mutex::new(HashMap::new());
//! let mut guard = statuses.lock().unwrap();
//! guard.insert(7, "running");
//! parse("a large file"); // the lock is still held here
//! guard.insert(7, "done");
//! ```
//!
//! No lint catches that in threaded code; a test does (step 4.3 reads the status from another
//! thread while a job runs). In async code clippy's `await_holding_lock` catches a guard held
//! across `.await`. A guard cannot even leave its thread, which the compiler enforces:
//!
//! ```compile_fail,E0277
//! let statuses = std::sync::Mutex::new(0);
//! let guard = statuses.lock().unwrap();
//! std::thread::scope(|scope| {
//!     scope.spawn(move || drop(guard)); // `MutexGuard` is not `Send`
//! });
//! ```
//!
//! ## Steps
//! - `04_threads/02_sync_channel_pool`
//! - `04_threads/03_status_store`
//! - `04_threads/04_send_sync`
//! - `05_async/07_status_actor`

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A thread is working on it.
    Running,
    /// It is finished.
    Done,
}

/// Job statuses shared by many threads. Cloning it gives another handle to the same map.
#[derive(Debug, Clone, Default)]
pub struct SharedStatus {
    statuses: Arc<Mutex<HashMap<u64, Status>>>,
}

impl SharedStatus {
    /// The one place that locks. The guard never leaves this type, so no caller can hold it
    /// across slow work.
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Status>> {
        // Every section below is one insert or one read: a panic cannot leave the map
        // half-updated, so a poisoned lock still guards good data.
        self.statuses.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records `status` for job `id`.
    pub fn set(&self, id: u64, status: Status) {
        self.lock().insert(id, status);
    }

    /// The status of job `id`, copied out so the lock is released on return.
    pub fn get(&self, id: u64) -> Option<Status> {
        self.lock().get(&id).copied()
    }

    /// Marks job `id` running, runs `work` with the lock released, then marks it done.
    ///
    /// # Panics
    ///
    /// When `work` panics; the job then stays `Running`. Catch panics where jobs are run
    /// (step 4.3's pool records them as failed).
    pub fn track<T>(&self, id: u64, work: impl FnOnce() -> T) -> T {
        self.set(id, Status::Running);
        let output = work();
        self.set(id, Status::Done);
        output
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::thread;

    #[test]
    fn updates_from_many_threads_are_all_kept() {
        let status = SharedStatus::default();
        thread::scope(|scope| {
            for worker in 0..4 {
                let status = status.clone();
                scope.spawn(move || {
                    for job in 0..100 {
                        status.track(worker * 100 + job, || ());
                    }
                });
            }
        });
        for id in 0..400 {
            assert_eq!(status.get(id), Some(Status::Done), "job {id}");
        }
    }

    #[test]
    fn the_status_is_readable_while_the_work_runs() {
        let status = SharedStatus::default();
        let (started, started_rx) = mpsc::channel();
        let (finish, finish_rx) = mpsc::channel::<()>();
        thread::scope(|scope| {
            let worker = status.clone();
            scope.spawn(move || {
                worker.track(1, || {
                    started.send(()).unwrap();
                    finish_rx.recv().unwrap();
                })
            });
            started_rx.recv().unwrap();
            // This would wait forever if `track` held the lock across `work`.
            assert_eq!(status.get(1), Some(Status::Running));
            finish.send(()).unwrap();
        });
        assert_eq!(status.get(1), Some(Status::Done));
    }

    #[test]
    fn a_poisoned_lock_still_works() {
        let status = SharedStatus::default();
        status.set(1, Status::Done);
        let poisoner = status.clone();
        let panicked = thread::spawn(move || {
            let _guard = poisoner.lock();
            panic!("a thread dies while holding the lock");
        })
        .join();
        assert!(panicked.is_err());
        assert_eq!(status.get(1), Some(Status::Done));
        status.set(2, Status::Running);
        assert_eq!(status.get(2), Some(Status::Running));
    }
}
