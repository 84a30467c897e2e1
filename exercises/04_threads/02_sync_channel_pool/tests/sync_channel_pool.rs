//! The graded tests of step 4.2. Read them: they are the specification.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

use sync_channel_pool::job::{Job, JobError};
use sync_channel_pool::thread_pool::{JobResult, SubmitError, WorkerPool};

/// Holds every handler that calls `wait` until the test calls `open`.
#[derive(Default)]
struct Gate {
    open: Mutex<bool>,
    changed: Condvar,
}

impl Gate {
    fn wait(&self) {
        let open = self.open.lock().unwrap();
        drop(self.changed.wait_while(open, |open| !*open).unwrap());
    }

    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.changed.notify_all();
    }
}

/// Lets `expected` threads wait until all of them have arrived. It gives up after a few
/// seconds, so a pool that runs one job at a time fails with a message instead of hanging.
struct Rendezvous {
    state: Mutex<(usize, bool)>,
    arrived: Condvar,
    expected: usize,
}

impl Rendezvous {
    fn new(expected: usize) -> Self {
        Rendezvous {
            state: Mutex::new((0, false)),
            arrived: Condvar::new(),
            expected,
        }
    }

    /// Returns `true` when all the expected threads were here at the same time.
    fn arrive(&self) -> bool {
        let mut state = self.state.lock().unwrap();
        state.0 += 1;
        self.arrived.notify_all();
        let (mut state, _) = self
            .arrived
            .wait_timeout_while(state, Duration::from_secs(5), |(count, gave_up)| {
                *count < self.expected && !*gave_up
            })
            .unwrap();
        if state.0 >= self.expected {
            true
        } else {
            state.1 = true;
            false
        }
    }
}

/// The answers by job id, failing the test if a job was answered twice.
fn by_id<T>(results: Vec<JobResult<T>>) -> BTreeMap<u64, Result<T, JobError>> {
    let mut answers = BTreeMap::new();
    for answer in results {
        let id = answer.id.0;
        assert!(
            answers.insert(id, answer.result).is_none(),
            "job {id} was answered twice"
        );
    }
    answers
}

/// A pool of one or more workers whose handler reports each job it starts on `started` and
/// then waits at `gate`; it answers with the job's id.
fn gated_pool(
    workers: usize,
    capacity: usize,
) -> (WorkerPool<u64>, Arc<Gate>, mpsc::Receiver<u64>) {
    let gate = Arc::new(Gate::default());
    let (started, started_rx) = mpsc::channel();
    let handler_gate = Arc::clone(&gate);
    let pool = WorkerPool::new(workers, capacity, move |job: Job| {
        started.send(job.id.0).unwrap();
        handler_gate.wait();
        Ok(job.id.0)
    });
    (pool, gate, started_rx)
}

#[test]
fn every_job_is_answered_exactly_once() {
    let pool = WorkerPool::new(4, 2, |job: Job| match job.payload.as_str() {
        "flaky" => Err(JobError::Retryable(format!("{} timed out", job.id))),
        "broken" => Err(JobError::Permanent(format!("{} is malformed", job.id))),
        text => Ok(text.len()),
    });
    for id in 0..200 {
        let payload = match id % 10 {
            3 => "flaky".to_string(),
            7 => "broken".to_string(),
            n => "x".repeat(n as usize),
        };
        pool.submit(Job::new(id, payload)).unwrap();
    }
    let answers = by_id(pool.close());
    assert_eq!(answers.len(), 200, "every submitted job needs one answer");
    for (id, answer) in answers {
        let expected = match id % 10 {
            3 => Err(JobError::Retryable(format!("job {id} timed out"))),
            7 => Err(JobError::Permanent(format!("job {id} is malformed"))),
            n => Ok(n as usize),
        };
        assert_eq!(
            answer, expected,
            "job {id} should be answered with what its handler returned, errors included"
        );
    }
}

#[test]
fn the_workers_run_jobs_at_the_same_time() {
    let all_here = Arc::new(Rendezvous::new(3));
    let meeting = Arc::clone(&all_here);
    let pool = WorkerPool::new(3, 3, move |_job: Job| Ok(meeting.arrive()));
    for id in 0..3 {
        pool.submit(Job::new(id, "")).unwrap();
    }
    for (id, together) in by_id(pool.close()) {
        assert_eq!(
            together,
            Ok(true),
            "job {id} ran while the other workers were idle: is the queue's lock held while a \
             job runs? (`while let Ok(job) = queue.lock()...recv()` holds it for the whole loop)"
        );
    }
}

#[test]
fn a_full_queue_refuses_try_submit_and_gives_the_job_back() {
    let (pool, gate, started) = gated_pool(1, 2);
    pool.submit(Job::new(1, "")).unwrap();
    assert_eq!(started.recv().unwrap(), 1, "the worker should start job 1");
    pool.try_submit(Job::new(2, "")).unwrap();
    pool.try_submit(Job::new(3, "")).unwrap();
    let refused = pool.try_submit(Job::new(4, "keep me"));
    assert_eq!(
        refused,
        Err(SubmitError::Full(Job::new(4, "keep me"))),
        "with the only worker busy and 2 jobs queued, a queue of capacity 2 is full: \
         `try_submit` must refuse and hand the job back (is the channel unbounded?)"
    );
    gate.open();
    let answers = by_id(pool.close());
    assert_eq!(
        answers.keys().copied().collect::<Vec<_>>(),
        vec![1, 2, 3],
        "the accepted jobs are answered, the refused one is not"
    );
}

#[test]
fn a_queue_of_capacity_zero_hands_jobs_straight_to_idle_workers() {
    let (pool, gate, started) = gated_pool(1, 0);
    pool.submit(Job::new(1, "")).unwrap();
    assert_eq!(
        started.recv().unwrap(),
        1,
        "the idle worker should take job 1"
    );
    assert_eq!(
        pool.try_submit(Job::new(2, "")),
        Err(SubmitError::Full(Job::new(2, ""))),
        "capacity 0 queues nothing: with the worker busy, there is no room"
    );
    gate.open();
    assert_eq!(
        by_id(pool.close()).len(),
        1,
        "only job 1 was accepted, so there is one answer"
    );
}

#[test]
fn submit_waits_for_room_and_the_job_is_still_answered() {
    let finished = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(Gate::default());
    let (started, started_rx) = mpsc::channel();
    let pool = {
        let finished = Arc::clone(&finished);
        let gate = Arc::clone(&gate);
        WorkerPool::new(1, 1, move |job: Job| {
            started.send(job.id.0).unwrap();
            gate.wait();
            finished.fetch_add(1, Ordering::SeqCst);
            Ok(job.id.0)
        })
    };
    pool.submit(Job::new(1, "")).unwrap();
    assert_eq!(started_rx.recv().unwrap(), 1);
    pool.submit(Job::new(2, "")).unwrap(); // fills the queue
    let opener = {
        let gate = Arc::clone(&gate);
        thread::spawn(move || gate.open())
    };
    // The queue is full, so this waits until the worker takes job 2, which it does only after
    // job 1 has finished.
    pool.submit(Job::new(3, "")).unwrap();
    assert!(
        finished.load(Ordering::SeqCst) >= 1,
        "submit returned while the queue was still full: it should wait for room"
    );
    opener.join().unwrap();
    let answers = by_id(pool.close());
    assert_eq!(answers.keys().copied().collect::<Vec<_>>(), vec![1, 2, 3]);
}

#[test]
fn close_still_answers_the_jobs_waiting_in_the_queue() {
    let (pool, gate, started) = gated_pool(1, 5);
    for id in 1..=5 {
        pool.submit(Job::new(id, "")).unwrap();
    }
    assert_eq!(started.recv().unwrap(), 1);
    let (closing, closing_rx) = mpsc::channel();
    let closer = thread::spawn(move || {
        closing.send(()).unwrap();
        pool.close()
    });
    closing_rx.recv().unwrap();
    gate.open();
    let answers = by_id(closer.join().unwrap());
    assert_eq!(
        answers.keys().copied().collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5],
        "closing stops intake but must not drop jobs that were already queued"
    );
}

#[test]
fn closing_an_idle_pool_returns_no_answers() {
    let pool: WorkerPool<()> = WorkerPool::new(4, 8, |_job: Job| Ok(()));
    assert!(
        pool.close().is_empty(),
        "no jobs, no answers; and every worker must exit once the queue is closed"
    );
}

#[test]
fn a_panicking_job_is_answered_and_the_workers_keep_going() {
    let pool = WorkerPool::new(2, 4, |job: Job| {
        if job.payload == "panic" {
            panic!("cannot handle {}", job.id);
        }
        Ok(job.id.0)
    });
    for id in 0..20 {
        let payload = if id == 5 { "panic" } else { "" };
        pool.submit(Job::new(id, payload)).unwrap();
    }
    let answers = by_id(pool.close());
    assert_eq!(
        answers.len(),
        20,
        "every job is answered, even after a panic"
    );
    assert_eq!(
        answers[&5],
        Err(JobError::Permanent(
            "handler panicked: cannot handle job 5".to_string()
        )),
        "a panic is answered as a permanent error (use `run_one`)"
    );
    assert_eq!(
        answers[&19],
        Ok(19),
        "the workers go on after a panic: the last job is answered normally"
    );
}

#[test]
fn a_pool_asked_for_zero_workers_still_runs_one() {
    let pool = WorkerPool::new(0, 1, |job: Job| Ok(job.id.0));
    assert_eq!(
        pool.submit(Job::new(1, "")),
        Ok(()),
        "`workers` 0 is treated as 1 (`workers.max(1)`): with no worker at all, nobody holds \
         the queue's receiver and every job is refused"
    );
    assert_eq!(
        by_id(pool.close()),
        BTreeMap::from([(1, Ok(1))]),
        "the one worker answers the job"
    );
}
