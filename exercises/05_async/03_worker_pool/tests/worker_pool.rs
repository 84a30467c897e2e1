//! The graded tests of step 5.3. Read them: they are the specification.
//!
//! The tests hold jobs at a gate that the test opens, so "three jobs are running" is a fact
//! the test waits for, not a guess about timing. To show that something does *not* happen
//! (a fourth job starting), a test waits for it with a deadline on paused time: the clock
//! jumps ahead only when every task is waiting, so the deadline passes at once, in no real
//! time, and only if nothing else can happen.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::timeout;

use worker_pool::job::{Job, JobError};
use worker_pool::pool::{PoolConfig, TaskPool};
use worker_pool::thread_pool::{JobResult, SubmitError};

/// Long enough for anything that is not stuck, on the paused clock.
const A_MINUTE: Duration = Duration::from_secs(60);

fn config(concurrency: usize, queue_capacity: usize) -> PoolConfig {
    PoolConfig {
        concurrency,
        queue_capacity,
    }
}

/// The answers by job id, failing the test if a job was answered twice.
fn by_id<T>(answers: Vec<JobResult<T>>) -> BTreeMap<u64, Result<T, JobError>> {
    let mut by_id = BTreeMap::new();
    for answer in answers {
        let id = answer.id.0;
        assert!(
            by_id.insert(id, answer.result).is_none(),
            "job {id} was answered twice"
        );
    }
    by_id
}

/// What a gated pool's jobs do: count themselves in and out, report that they started, and
/// wait at the gate until the test opens it.
struct Probe {
    in_flight: AtomicUsize,
    peak: AtomicUsize,
}

struct GatedPool {
    pool: TaskPool<u64>,
    probe: Arc<Probe>,
    started: mpsc::UnboundedReceiver<u64>,
    gate: watch::Sender<bool>,
}

impl GatedPool {
    fn start(config: PoolConfig) -> Self {
        let probe = Arc::new(Probe {
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        });
        let (started_tx, started) = mpsc::unbounded_channel();
        let (gate, gate_rx) = watch::channel(false);
        let job_probe = Arc::clone(&probe);
        let pool = TaskPool::start(config, move |job: Job| {
            let probe = Arc::clone(&job_probe);
            let started = started_tx.clone();
            let mut gate = gate_rx.clone();
            async move {
                let now = probe.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                probe.peak.fetch_max(now, Ordering::SeqCst);
                started.send(job.id.0).unwrap();
                let _ = gate.wait_for(|open| *open).await;
                probe.in_flight.fetch_sub(1, Ordering::SeqCst);
                Ok(job.id.0)
            }
        });
        GatedPool {
            pool,
            probe,
            started,
            gate,
        }
    }

    /// Waits until a job starts and returns its id, or `None` if none starts.
    async fn next_start(&mut self) -> Option<u64> {
        timeout(A_MINUTE, self.started.recv()).await.ok().flatten()
    }

    fn open_gate(&self) {
        self.gate.send_replace(true);
    }
}

#[tokio::test(start_paused = true)]
async fn the_pool_never_runs_more_jobs_than_the_limit() {
    let mut gated = GatedPool::start(config(3, 10));
    for id in 1..=10 {
        gated.pool.submit(Job::new(id, "")).await.unwrap();
    }
    for n in 1..=3 {
        assert!(
            gated.next_start().await.is_some(),
            "only {} job(s) started, with 10 queued and a limit of 3: the pool should run 3 \
             jobs at the same time",
            n - 1
        );
    }
    assert_eq!(
        gated.next_start().await,
        None,
        "a 4th job started while 3 were still running: the limit is 3"
    );
    assert_eq!(gated.probe.in_flight.load(Ordering::SeqCst), 3);
    gated.open_gate();
    let answers = by_id(gated.pool.close().await);
    assert_eq!(answers.len(), 10, "every job is answered");
    assert_eq!(
        gated.probe.peak.load(Ordering::SeqCst),
        3,
        "at most 3 jobs may ever run at the same time"
    );
}

#[tokio::test(start_paused = true)]
async fn a_limit_of_one_runs_jobs_one_at_a_time() {
    let mut gated = GatedPool::start(config(1, 5));
    for id in 1..=3 {
        gated.pool.submit(Job::new(id, "")).await.unwrap();
    }
    assert_eq!(gated.next_start().await, Some(1));
    assert_eq!(
        gated.next_start().await,
        None,
        "with a limit of 1, job 2 must wait until job 1 has finished"
    );
    gated.open_gate();
    assert_eq!(by_id(gated.pool.close().await).len(), 3);
    assert_eq!(gated.probe.peak.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn every_job_is_answered_exactly_once() {
    let pool = TaskPool::start(config(4, 2), |job: Job| async move {
        match job.payload.as_str() {
            "flaky" => Err(JobError::Retryable(format!("{} timed out", job.id))),
            "broken" => Err(JobError::Permanent(format!("{} is malformed", job.id))),
            text => Ok(text.len()),
        }
    });
    for id in 0..200 {
        let payload = match id % 10 {
            3 => "flaky".to_string(),
            7 => "broken".to_string(),
            n => "x".repeat(n as usize),
        };
        pool.submit(Job::new(id, payload)).await.unwrap();
    }
    let answers = by_id(pool.close().await);
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

#[tokio::test]
async fn a_panicking_job_is_answered_and_the_pool_keeps_going() {
    let pool = TaskPool::start(config(2, 4), |job: Job| async move {
        if job.payload == "panic" {
            panic!("cannot handle {}", job.id);
        }
        Ok(job.id.0)
    });
    for id in 0..20 {
        let payload = if id == 5 { "panic" } else { "" };
        pool.submit(Job::new(id, payload)).await.unwrap();
    }
    let answers = by_id(pool.close().await);
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
        "a panic is answered as a permanent error (`task_failure` from step 5.1), with the \
         id of the job that panicked"
    );
    assert_eq!(answers[&19], Ok(19));
}

#[tokio::test]
async fn a_handler_that_panics_before_its_future_starts_is_contained_too() {
    let pool = TaskPool::start(config(2, 4), |job: Job| {
        // This check runs when the handler is *called*, before any `.await`.
        assert!(job.payload != "invalid", "refusing {}", job.id);
        async move { Ok(job.id.0) }
    });
    for id in 0..4 {
        let payload = if id == 1 { "invalid" } else { "" };
        pool.submit(Job::new(id, payload)).await.unwrap();
    }
    let closed = tokio::spawn(pool.close()).await;
    let answers = by_id(closed.expect(
        "the pool crashed on a handler that panics when called: call the handler inside the \
         job's task, not before spawning it",
    ));
    assert_eq!(answers.len(), 4, "every job is answered");
    assert_eq!(
        answers[&1],
        Err(JobError::Permanent(
            "handler panicked: refusing job 1".to_string()
        ))
    );
}

#[tokio::test(start_paused = true)]
async fn a_full_pool_pushes_back_on_producers() {
    let mut gated = GatedPool::start(config(1, 1));
    gated.pool.submit(Job::new(1, "")).await.unwrap();
    assert_eq!(gated.next_start().await, Some(1), "job 1 runs");
    gated.pool.try_submit(Job::new(2, "")).unwrap();
    // Give the dispatcher every chance to run (a minute on the paused clock): job 2 must stay
    // in the queue, because the only slot is taken.
    assert_eq!(
        gated.next_start().await,
        None,
        "job 2 started while job 1 was still running: the limit is 1"
    );
    assert_eq!(
        gated.pool.try_submit(Job::new(3, "keep me")),
        Err(SubmitError::Full(Job::new(3, "keep me"))),
        "one job running (the limit) and one queued (the capacity): the pool is full. Does \
         the dispatcher take a job out of the queue before a slot is free?"
    );
    assert!(
        timeout(A_MINUTE, gated.pool.submit(Job::new(3, "")))
            .await
            .is_err(),
        "`submit` must wait while the pool is full"
    );
    gated.open_gate();
    let answers = by_id(gated.pool.close().await);
    assert_eq!(
        answers.keys().copied().collect::<Vec<_>>(),
        [1, 2],
        "the accepted jobs are answered, the refused one is not"
    );
}

#[tokio::test(start_paused = true)]
async fn close_waits_for_queued_and_running_jobs() {
    let mut gated = GatedPool::start(config(2, 5));
    for id in 1..=5 {
        gated.pool.submit(Job::new(id, "")).await.unwrap();
    }
    assert!(gated.next_start().await.is_some());
    assert!(gated.next_start().await.is_some());
    let mut closing = tokio::spawn(gated.pool.close());
    assert!(
        timeout(A_MINUTE, &mut closing).await.is_err(),
        "`close` must wait while jobs are still running"
    );
    gated.gate.send_replace(true);
    let closed = timeout(A_MINUTE, closing).await.expect(
        "`close` did not return after every job had finished: it must drop the job sender \
         first, so the dispatcher sees the queue end",
    );
    let answers = by_id(closed.unwrap());
    assert_eq!(
        answers.keys().copied().collect::<Vec<_>>(),
        [1, 2, 3, 4, 5],
        "closing stops intake but must answer the jobs running and the jobs still queued"
    );
}

#[tokio::test]
async fn closing_an_idle_pool_returns_no_answers() {
    let pool = TaskPool::start(config(4, 8), |_job: Job| async { Ok(()) });
    assert!(pool.close().await.is_empty());
}

#[tokio::test]
async fn a_limit_of_zero_is_treated_as_one() {
    let pool = TaskPool::start(config(0, 0), |job: Job| async move { Ok(job.id.0) });
    pool.submit(Job::new(1, "")).await.unwrap();
    assert_eq!(by_id(pool.close().await).len(), 1, "the job still runs");
}
