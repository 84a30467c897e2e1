//! The graded tests of step 4.3. Read them: they are the specification.
//!
//! Some tests make a thread panic on purpose, so `cargo test` prints "thread ... panicked"
//! lines even when every test passes.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use status_store::job::{Job, JobError, JobId};
use status_store::status::{Status, StatusCounts, StatusStore};
use status_store::thread_pool::{SubmitError, WorkerPool};

/// How long a test waits for something that should happen at once before it fails with a
/// message. It is a limit, never a pause: when all is well, nothing waits for it.
const PATIENCE: Duration = Duration::from_secs(5);

fn id(n: u64) -> JobId {
    JobId(n)
}

/// A pool with one worker whose handler reports each job it starts on the returned receiver,
/// then waits until the test sends `()` on the returned sender. Job 13 fails.
fn held_pool(capacity: usize) -> (WorkerPool<u64>, mpsc::Sender<()>, mpsc::Receiver<JobId>) {
    let (started, started_rx) = mpsc::channel();
    let (release, release_rx) = mpsc::channel::<()>();
    let release_rx = std::sync::Mutex::new(release_rx);
    let pool = WorkerPool::new(1, capacity, move |job: Job| {
        started.send(job.id).unwrap();
        release_rx.lock().unwrap().recv().unwrap();
        if job.id.0 == 13 {
            return Err(JobError::Permanent("unlucky".to_string()));
        }
        Ok(job.id.0)
    });
    (pool, release, started_rx)
}

#[test]
fn a_new_store_knows_no_jobs() {
    let store = StatusStore::new();
    assert_eq!(store.status(id(1)), None, "nobody has set a status yet");
    assert_eq!(store.counts(), StatusCounts::default(), "nothing to count");
}

#[test]
fn the_store_keeps_the_latest_status_of_each_job() {
    let store = StatusStore::new();
    store.set(id(1), Status::Queued);
    store.set(id(2), Status::Queued);
    store.set(id(1), Status::Running);
    assert_eq!(store.status(id(1)), Some(Status::Running), "set replaces");
    assert_eq!(
        store.status(id(2)),
        Some(Status::Queued),
        "other jobs are untouched"
    );
    assert_eq!(
        store.remove(id(2)),
        Some(Status::Queued),
        "remove returns the last status"
    );
    assert_eq!(store.status(id(2)), None, "a removed job is unknown");
    assert_eq!(store.remove(id(2)), None, "removing twice finds nothing");
}

#[test]
fn clones_are_handles_to_one_store() {
    let store = StatusStore::new();
    let other = store.clone();
    other.set(id(7), Status::Done);
    assert_eq!(
        store.status(id(7)),
        Some(Status::Done),
        "a clone must share the map (an `Arc`), not copy it"
    );
}

#[test]
fn counts_add_up_each_status() {
    let store = StatusStore::new();
    store.set(id(1), Status::Queued);
    store.set(id(2), Status::Running);
    store.set(id(3), Status::Done);
    store.set(id(4), Status::Done);
    store.set(
        id(5),
        Status::Failed(JobError::Retryable("busy".to_string())),
    );
    assert_eq!(
        store.counts(),
        StatusCounts {
            queued: 1,
            running: 1,
            done: 2,
            failed: 1,
        }
    );
    let queued = store.inspect(|statuses| {
        statuses
            .values()
            .filter(|status| **status == Status::Queued)
            .count()
    });
    assert_eq!(queued, 1, "`inspect` runs the closure on the whole map");
}

#[test]
fn updates_from_many_threads_at_once_are_all_kept() {
    let store = StatusStore::new();
    let start = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8u64)
        .map(|thread| {
            let store = store.clone();
            let start = Arc::clone(&start);
            thread::spawn(move || {
                start.wait(); // all eight write at the same time
                for n in 0..250 {
                    store.set(id(thread * 1000 + n), Status::Running);
                    store.set(id(thread * 1000 + n), Status::Done);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(
        store.counts(),
        StatusCounts {
            done: 2000,
            ..StatusCounts::default()
        },
        "8 threads x 250 jobs, every update kept"
    );
}

#[test]
fn a_panic_while_the_lock_is_held_does_not_break_the_store() {
    let store = StatusStore::new();
    store.set(id(1), Status::Done);
    let reader = store.clone();
    let crashed = thread::spawn(move || {
        reader.inspect(|_statuses| -> usize { panic!("a bug in a report, under the lock") })
    })
    .join();
    assert!(
        crashed.is_err(),
        "the panic in the closure should end that thread"
    );
    // The lock is now poisoned. The map is intact (the reader only had `&HashMap`), so the
    // store should go on working instead of panicking in every thread that uses it next.
    assert_eq!(
        store.status(id(1)),
        Some(Status::Done),
        "reading after a poisoned lock: take the map back with `PoisonError::into_inner`"
    );
    store.set(id(2), Status::Queued);
    assert_eq!(
        store.status(id(2)),
        Some(Status::Queued),
        "writing after a poisoned lock"
    );
    assert_eq!(store.counts().done, 1, "counting after a poisoned lock");
}

#[test]
fn each_job_moves_from_queued_to_running_to_done() {
    let (pool, release, started) = held_pool(4);
    let statuses = pool.statuses();
    pool.submit(Job::new(1, "")).unwrap();
    pool.submit(Job::new(2, "")).unwrap();
    assert_eq!(started.recv().unwrap(), id(1), "the worker starts job 1");
    assert_eq!(
        statuses.status(id(1)),
        Some(Status::Running),
        "job 1 is running: set `Running` before the handler runs (and `Queued` before `send`: \
         written after it, `Queued` can overwrite the worker's `Running`)"
    );
    assert_eq!(
        statuses.status(id(2)),
        Some(Status::Queued),
        "job 2 waits in the queue: `submit` sets `Queued`"
    );
    release.send(()).unwrap();
    assert_eq!(
        started.recv().unwrap(),
        id(2),
        "the worker moves on to job 2"
    );
    assert_eq!(
        statuses.status(id(1)),
        Some(Status::Done),
        "job 1 finished before the worker took job 2"
    );
    assert_eq!(statuses.status(id(2)), Some(Status::Running));
    release.send(()).unwrap();
    let answers = pool.close();
    assert_eq!(answers.len(), 2, "both jobs are answered");
    assert_eq!(
        statuses.status(id(2)),
        Some(Status::Done),
        "after `close`, every answered job is finished"
    );
}

#[test]
fn failed_and_panicking_jobs_end_failed_with_the_reason() {
    let pool = WorkerPool::new(2, 4, |job: Job| match job.payload.as_str() {
        "flaky" => Err(JobError::Retryable("database busy".to_string())),
        "panic" => panic!("bad input"),
        _ => Ok(()),
    });
    let statuses = pool.statuses();
    pool.submit(Job::new(1, "fine")).unwrap();
    pool.submit(Job::new(2, "flaky")).unwrap();
    pool.submit(Job::new(3, "panic")).unwrap();
    pool.close();
    assert_eq!(statuses.status(id(1)), Some(Status::Done));
    assert_eq!(
        statuses.status(id(2)),
        Some(Status::Failed(JobError::Retryable(
            "database busy".to_string()
        ))),
        "a failed job keeps the handler's error"
    );
    assert_eq!(
        statuses.status(id(3)),
        Some(Status::Failed(JobError::Permanent(
            "handler panicked: bad input".to_string()
        ))),
        "a panicking job fails with the error `run_one` made of the panic"
    );
}

#[test]
fn the_lock_is_not_held_while_a_job_runs() {
    let (pool, release, started) = held_pool(1);
    let statuses = pool.statuses();
    pool.submit(Job::new(1, "")).unwrap();
    assert_eq!(started.recv().unwrap(), id(1));
    // Job 1 is now blocked in its handler. Read and write the store from another thread.
    let (answer, answer_rx) = mpsc::channel();
    let reader = {
        let statuses = statuses.clone();
        thread::spawn(move || {
            statuses.set(id(99), Status::Queued);
            answer.send(statuses.status(id(1))).unwrap();
        })
    };
    match answer_rx.recv_timeout(PATIENCE) {
        Ok(status) => assert_eq!(
            status,
            Some(Status::Running),
            "job 1 has started, so it is `Running` (is `Queued` set after `send`, overwriting it?)"
        ),
        Err(RecvTimeoutError::Timeout) => panic!(
            "reading the store waited for the running job: the lock must be released \
             before the handler runs, not held across it"
        ),
        Err(RecvTimeoutError::Disconnected) => panic!("the reading thread panicked"),
    }
    release.send(()).unwrap();
    reader.join().unwrap();
    pool.close();
}

#[test]
fn a_refused_job_leaves_no_status_behind() {
    let (pool, release, started) = held_pool(1);
    let statuses = pool.statuses();
    pool.submit(Job::new(1, "")).unwrap();
    assert_eq!(started.recv().unwrap(), id(1));
    pool.try_submit(Job::new(2, "")).unwrap(); // fills the queue
    assert_eq!(
        pool.try_submit(Job::new(3, "")),
        Err(SubmitError::Full(Job::new(3, "")))
    );
    assert_eq!(
        statuses.status(id(3)),
        None,
        "the pool did not take job 3, so the store must not say it is queued"
    );
    assert_eq!(statuses.status(id(2)), Some(Status::Queued));
    release.send(()).unwrap();
    release.send(()).unwrap();
    pool.close();
}

#[test]
fn a_refused_retry_keeps_the_earlier_status() {
    let (pool, release, started) = held_pool(1);
    let statuses = pool.statuses();
    pool.submit(Job::new(13, "")).unwrap();
    assert_eq!(started.recv().unwrap(), id(13));
    release.send(()).unwrap(); // job 13 fails
    pool.submit(Job::new(2, "")).unwrap();
    assert_eq!(started.recv().unwrap(), id(2), "job 13 is finished");
    let failed = Some(Status::Failed(JobError::Permanent("unlucky".to_string())));
    assert_eq!(statuses.status(id(13)), failed);
    pool.try_submit(Job::new(3, "")).unwrap(); // fills the queue
    assert_eq!(
        pool.try_submit(Job::new(13, "")),
        Err(SubmitError::Full(Job::new(13, ""))),
        "the queue is full, so the retry of job 13 is refused"
    );
    assert_eq!(
        statuses.status(id(13)),
        failed,
        "the pool did not take the retry, so job 13 keeps the status it had before \
         (put the earlier status back; removing it erases why job 13 failed)"
    );
    release.send(()).unwrap();
    release.send(()).unwrap();
    pool.close();
}

#[test]
fn every_job_of_a_busy_pool_ends_finished() {
    // Capacity 0: `submit` returns just as a worker takes the job, so a `Queued` written
    // after `send` races the worker's `Running` and `Done`, and sooner or later overwrites them.
    let pool = WorkerPool::new(4, 0, |job: Job| {
        if job.id.0.is_multiple_of(13) {
            Err(JobError::Permanent(format!("{} is malformed", job.id)))
        } else {
            Ok(job.id.0)
        }
    });
    let statuses = pool.statuses();
    for n in 1..=1300 {
        pool.submit(Job::new(n, "")).unwrap();
    }
    let answers = pool.close();
    assert_eq!(answers.len(), 1300);
    assert_eq!(
        statuses.counts(),
        StatusCounts {
            queued: 0,
            running: 0,
            done: 1200,
            failed: 100,
        },
        "every job ends `Done` or `Failed`; a job still `Queued` or `Running` after `close` \
         means a status was overwritten (set `Queued` before the job enters the queue)"
    );
}
