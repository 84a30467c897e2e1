//! The graded tests of step 5.7. Read them: they are the specification.
//!
//! The actor needs no clock, so most tests run on a plain `#[tokio::test]` runtime (one
//! thread). The test with many tasks uses a runtime with several threads, so the tasks really
//! do send at the same time. The tests of the pool's streaming mode (given code, at the end)
//! run on paused time, where a wait that can never end times out at once.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use tokio::time::{Instant, timeout};

use status_actor::actor::{ActorStopped, StatusHandle};
use status_actor::job::{Job, JobError, JobId};
use status_actor::pool::{Outcomes, PoolConfig, PoolReport, TaskPool};
use status_actor::retry::{Outcome, RetryPolicy};
use status_actor::status::{Status, StatusCounts};
use status_actor::tasks::{Summary, process, run_blocking};
use status_actor::thread_pool::SubmitError;

#[tokio::test]
async fn a_status_that_was_set_can_be_read_back() {
    let (status, _actor) = StatusHandle::spawn(8);
    status.set(JobId(1), Status::Queued).await.unwrap();
    status.set(JobId(1), Status::Running).await.unwrap();
    status.set(JobId(2), Status::Queued).await.unwrap();
    assert_eq!(
        status.status(JobId(1)).await,
        Ok(Some(Status::Running)),
        "the last status set for job 1. (`Err(ActorStopped)` means the actor's task ended: \
         did `run` panic on a question it does not answer yet?)"
    );
    assert_eq!(status.status(JobId(2)).await, Ok(Some(Status::Queued)));
}

#[tokio::test]
async fn an_unknown_job_has_no_status() {
    let (status, _actor) = StatusHandle::spawn(8);
    assert_eq!(
        status.status(JobId(99)).await,
        Ok(None),
        "a job nobody set is `None`, not an error"
    );
}

#[tokio::test]
async fn remove_returns_the_last_status_and_forgets_the_job() {
    let (status, _actor) = StatusHandle::spawn(8);
    let failed = Status::Failed(JobError::Permanent("bad file".to_string()));
    status.set(JobId(3), failed.clone()).await.unwrap();
    assert_eq!(status.remove(JobId(3)).await, Ok(Some(failed)));
    assert_eq!(
        status.status(JobId(3)).await,
        Ok(None),
        "removed means gone"
    );
    assert_eq!(
        status.remove(JobId(3)).await,
        Ok(None),
        "removing twice is fine"
    );
}

#[tokio::test]
async fn counts_add_up_every_status() {
    let (status, _actor) = StatusHandle::spawn(8);
    let statuses = [
        Status::Queued,
        Status::Queued,
        Status::Running,
        Status::Done,
        Status::Done,
        Status::Done,
        Status::Failed(JobError::Retryable("timed out".to_string())),
    ];
    for (id, job_status) in (1..).zip(statuses) {
        status.set(JobId(id), job_status).await.unwrap();
    }
    assert_eq!(
        status.counts().await,
        Ok(StatusCounts {
            queued: 2,
            running: 1,
            done: 3,
            failed: 1
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_from_many_tasks_through_cloned_handles_are_all_kept() {
    // A mailbox of 2 for 400 updates: senders must wait for room (backpressure), not fail.
    let (status, _actor) = StatusHandle::spawn(2);
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..4 {
        let status = status.clone();
        tasks.spawn(async move {
            for job in 0..100 {
                let id = JobId(worker * 100 + job);
                status.set(id, Status::Running).await.unwrap();
                status.set(id, Status::Done).await.unwrap();
            }
        });
    }
    while let Some(finished) = tasks.join_next().await {
        finished.unwrap();
    }
    let counts = status.counts().await.unwrap();
    assert_eq!(
        counts.done, 400,
        "every update from every clone reaches the one actor: {counts:?}"
    );
    assert_eq!(
        counts.running, 0,
        "each job's `Done` came after its `Running`"
    );
}

#[tokio::test]
async fn the_actor_stops_when_the_last_handle_is_dropped() {
    let (status, actor) = StatusHandle::spawn(8);
    let clone = status.clone();
    status.set(JobId(1), Status::Done).await.unwrap();
    drop(status);
    assert_eq!(
        clone.status(JobId(1)).await,
        Ok(Some(Status::Done)),
        "one handle is left, so the actor still answers"
    );
    drop(clone);
    // `recv` returns `None` once every sender is gone: the actor's loop ends by itself.
    actor
        .await
        .expect("the actor task ends cleanly, without a panic, once no handle is left");
}

#[tokio::test]
async fn a_stopped_actor_is_an_error_not_a_panic() {
    let (status, actor) = StatusHandle::spawn(8);
    actor.abort();
    assert!(
        actor.await.unwrap_err().is_cancelled(),
        "the actor was aborted"
    );
    assert_eq!(
        status.set(JobId(1), Status::Queued).await,
        Err(ActorStopped)
    );
    assert_eq!(
        status.status(JobId(1)).await,
        Err(ActorStopped),
        "asking a stopped actor returns `ActorStopped` instead of waiting forever"
    );
    assert_eq!(status.counts().await, Err(ActorStopped));
}

#[tokio::test]
async fn run_blocking_runs_the_work_on_another_thread() {
    // A `#[tokio::test]` runtime runs every task on the test's own thread. Blocking work
    // there would stop every other task (the actor too) until it is done.
    let runtime_thread = thread::current().id();
    let ran_on = run_blocking(|| thread::current().id()).await;
    assert_ne!(
        ran_on,
        Ok(runtime_thread),
        "`run_blocking` must run its closure on tokio's blocking pool (`spawn_blocking`), \
         not on the runtime's thread"
    );
    assert!(ran_on.is_ok());
}

#[tokio::test]
async fn a_panic_in_blocking_work_is_a_permanent_error() {
    let result: Result<(), JobError> = run_blocking(|| panic!("parser bug")).await;
    assert_eq!(
        result,
        Err(JobError::Permanent(
            "handler panicked: parser bug".to_string()
        )),
        "the panic stops at the blocking task's edge and becomes an answer, like in step 5.1"
    );
}

#[tokio::test]
async fn process_still_summarizes_the_payload() {
    let text = "id,name\n1,Ada\n2,\"Grace\nHopper\",x\n".repeat(1000);
    assert_eq!(
        process(Job::new(1, text)).await,
        Ok(Summary {
            records: 3000,
            widest: 3
        }),
        "moving the parse to the blocking pool changes where it runs, not what it finds"
    );
    assert_eq!(
        process(Job::new(7, "")).await,
        Err(JobError::Permanent("job 7 has no records".to_string()))
    );
}

// The pool's streaming mode: given code in this step, read `TaskPool::start_streaming`.

const QUEUE: usize = 8;
const CONCURRENCY: usize = 4;
const OUTCOME_CAPACITY: usize = 2;

fn pool_config() -> PoolConfig {
    PoolConfig {
        concurrency: CONCURRENCY,
        queue_capacity: QUEUE,
        job_timeout: Duration::from_secs(60),
        retry: RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(10),
        },
        jitter_seed: 7,
        shutdown_grace: Duration::from_secs(30),
    }
}

/// A streaming pool whose handler answers at once: `"broken"` fails for good, `"busy"` fails
/// once and is retried after a backoff, anything else succeeds with the job's id.
fn start_streaming_pool() -> (TaskPool<u64>, Outcomes<u64>) {
    // The busy jobs that already failed once.
    let failed_once = Arc::new(Mutex::new(HashSet::new()));
    TaskPool::start_streaming(pool_config(), OUTCOME_CAPACITY, move |job: Job| {
        let first_try = failed_once.lock().unwrap().insert(job.id);
        async move {
            match job.payload.as_str() {
                "broken" => Err(JobError::Permanent("not a CSV file".to_string())),
                "busy" if first_try => Err(JobError::Retryable("database busy".to_string())),
                _ => Ok(job.id.0),
            }
        }
    })
}

/// Reads every outcome until the stream ends.
async fn read_all(mut outcomes: Outcomes<u64>) -> Vec<Outcome<u64>> {
    let mut all = Vec::new();
    while let Some(outcome) = outcomes.recv().await {
        all.push(outcome);
    }
    all
}

/// Each job id with the lists it was found in: "done", "dead" or "unfinished".
fn where_each_job_went(
    streamed: &[Outcome<u64>],
    report: &PoolReport<u64>,
) -> BTreeMap<u64, Vec<&'static str>> {
    let mut lists: BTreeMap<u64, Vec<&'static str>> = BTreeMap::new();
    let mut add = |id: JobId, list| lists.entry(id.0).or_default().push(list);
    for outcome in streamed {
        match outcome {
            Outcome::Done(done) => add(done.id, "streamed done"),
            Outcome::Dead(dead) => add(dead.job.id, "streamed dead"),
            Outcome::Unfinished(job) => add(job.id, "streamed unfinished"),
        }
    }
    report
        .done
        .iter()
        .for_each(|done| add(done.id, "report done"));
    report
        .dead_letters
        .iter()
        .for_each(|dead| add(dead.job.id, "report dead"));
    report
        .unfinished
        .iter()
        .for_each(|job| add(job.id, "report unfinished"));
    lists
}

fn report_is_empty(report: &PoolReport<u64>) -> bool {
    report.done.is_empty() && report.dead_letters.is_empty() && report.unfinished.is_empty()
}

/// Submits jobs 1, 2, 3... while nobody reads the outcomes, until a `submit` waits with no end
/// in sight; returns how many were accepted. Stops after `limit` jobs, to fail instead of
/// running forever when nothing pushes back.
async fn submit_until_blocked(pool: &TaskPool<u64>, limit: u64) -> u64 {
    for id in 1..=limit {
        // On paused time, the clock jumps to the timeout only when every task is waiting: so
        // a timeout here means the pool is stuck until someone reads an outcome.
        match timeout(Duration::from_secs(1), pool.submit(Job::new(id, "ok"))).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => panic!("the pool is open, yet submit failed: {error:?}"),
            Err(_) => return id - 1,
        }
    }
    limit
}

#[tokio::test(start_paused = true)]
async fn every_outcome_arrives_on_the_stream_exactly_once() {
    let (pool, outcomes) = start_streaming_pool();
    // Read from another task while this one submits: the stream is bounded.
    let reader = tokio::spawn(read_all(outcomes));
    let payload = |id: u64| match id % 5 {
        0 => "broken",
        1 => "busy",
        _ => "ok",
    };
    for id in 1..=200 {
        pool.submit(Job::new(id, payload(id))).await.unwrap();
    }
    let report = pool.close().await;
    let streamed = timeout(Duration::from_secs(3600), reader)
        .await
        .expect("the stream must end once the pool is closed")
        .unwrap();
    assert!(
        report_is_empty(&report),
        "every outcome was streamed, so the report from close keeps none: {report:?}"
    );
    let lists = where_each_job_went(&streamed, &report);
    for id in 1..=200 {
        let expected = if payload(id) == "broken" {
            "streamed dead"
        } else {
            "streamed done"
        };
        assert_eq!(
            lists.get(&id).map(Vec::as_slice),
            Some(&[expected][..]),
            "job {id} ({}) must arrive exactly once on the stream, as {expected}",
            payload(id)
        );
    }
    assert_eq!(
        lists.len(),
        200,
        "no outcome for a job that was never submitted"
    );
}

#[tokio::test(start_paused = true)]
async fn outcomes_nobody_reads_stop_intake_at_a_bound() {
    let (pool, outcomes) = start_streaming_pool();
    let most = (QUEUE + CONCURRENCY + OUTCOME_CAPACITY) as u64;
    let accepted = submit_until_blocked(&pool, most + 10).await;
    assert!(
        accepted <= most,
        "with nobody reading, at most queue ({QUEUE}) + running ({CONCURRENCY}) + unread \
         outcomes ({OUTCOME_CAPACITY}) = {most} jobs fit, but {accepted} were accepted: \
         is the outcome channel bounded?"
    );
    assert!(
        accepted >= (QUEUE + OUTCOME_CAPACITY) as u64,
        "the queue and the outcome channel both fill before intake stops, yet only {accepted} \
         jobs were accepted"
    );
    assert!(
        matches!(
            pool.try_submit(Job::new(999, "ok")),
            Err(SubmitError::Full(_))
        ),
        "the queue is full while the outcomes are not read"
    );
    // Once someone reads, everything flows again, and nothing was lost meanwhile.
    let reader = tokio::spawn(read_all(outcomes));
    let report = pool.close().await;
    let streamed = reader.await.unwrap();
    assert!(report_is_empty(&report), "{report:?}");
    let lists = where_each_job_went(&streamed, &report);
    assert_eq!(
        lists.keys().copied().collect::<Vec<_>>(),
        (1..=accepted).collect::<Vec<_>>(),
        "every accepted job's outcome arrives once reading resumes"
    );
    assert!(
        lists.values().all(|found| found == &["streamed done"]),
        "{lists:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_shutdown_does_not_wait_for_a_reader_and_keeps_the_rest_in_the_report() {
    let (pool, outcomes) = start_streaming_pool();
    let accepted = submit_until_blocked(&pool, 100).await;
    let shutdown_at = Instant::now();
    let report = timeout(Duration::from_secs(3600), pool.shutdown())
        .await
        .expect("a shutdown must not wait for outcomes nobody reads");
    assert_eq!(
        shutdown_at.elapsed(),
        Duration::ZERO,
        "no job was running: the shutdown ends at once"
    );
    let streamed = read_all(outcomes).await;
    assert_eq!(
        streamed.len(),
        OUTCOME_CAPACITY,
        "the stream holds the outcomes sent before the shutdown: as many as fit"
    );
    let lists = where_each_job_went(&streamed, &report);
    for id in 1..=accepted {
        assert_eq!(
            lists.get(&id).map(Vec::len),
            Some(1),
            "job {id} must be either on the stream or in the report, once: {:?}",
            lists.get(&id)
        );
    }
    assert_eq!(lists.len() as u64, accepted);
}
