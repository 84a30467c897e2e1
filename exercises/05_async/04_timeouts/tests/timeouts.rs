//! The graded tests of step 5.4. Read them: they are the specification.
//!
//! Every test runs on paused time (`start_paused = true`): tokio's clock stands still and
//! jumps straight to the next timer whenever every task is waiting. A 5-second timeout takes no
//! real time, and `start.elapsed()` is exact, so the tests can check *when* a job was stopped.

use std::collections::BTreeMap;
use std::future::pending;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::oneshot::{self, error::TryRecvError};
use tokio::time::{Instant, sleep, timeout};

use timeouts::job::{Job, JobError};
use timeouts::pool::{PoolConfig, TaskPool};
use timeouts::thread_pool::JobResult;
use timeouts::timeouts::run_with_timeout;

const FIVE_SECONDS: Duration = Duration::from_secs(5);

fn timed_out() -> Result<u64, JobError> {
    Err(JobError::Retryable("timed out after 5s".to_string()))
}

fn config(concurrency: usize) -> PoolConfig {
    PoolConfig {
        concurrency,
        queue_capacity: 8,
        job_timeout: FIVE_SECONDS,
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

/// Closes the pool, failing the test if that takes more than a minute (on the paused clock)
/// instead of hanging: with a hung job, `close` only returns if the job is stopped.
async fn close_within_a_minute<T: Send + 'static>(pool: TaskPool<T>) -> Vec<JobResult<T>> {
    timeout(Duration::from_secs(60), pool.close()).await.expect(
        "the pool never finished: a job that hangs must be stopped after its 5s. Is the \
         handler's future wrapped in `run_with_timeout` in `dispatch`?",
    )
}

/// Something a job holds while it runs. Once it is dropped, the test's receiver says
/// `TryRecvError::Closed`; while the job still holds it, `TryRecvError::Empty`.
struct Held(#[allow(dead_code)] oneshot::Sender<()>);

fn held() -> (Held, oneshot::Receiver<()>) {
    let (sender, receiver) = oneshot::channel();
    (Held(sender), receiver)
}

#[tokio::test(start_paused = true)]
async fn a_job_that_never_finishes_times_out() {
    let start = Instant::now();
    let result = run_with_timeout(FIVE_SECONDS, pending::<Result<u64, JobError>>()).await;
    assert_eq!(
        result,
        timed_out(),
        "a job that never finishes must end in a timeout, as a retryable error"
    );
    assert_eq!(
        start.elapsed(),
        FIVE_SECONDS,
        "the job should be given exactly its 5 seconds"
    );
}

#[tokio::test(start_paused = true)]
async fn a_job_that_finishes_in_time_keeps_its_answer() {
    let ok = run_with_timeout(FIVE_SECONDS, async {
        sleep(Duration::from_millis(4900)).await;
        Ok(7)
    })
    .await;
    assert_eq!(ok, Ok(7), "4.9s is within the limit of 5s");
    let failed = run_with_timeout(FIVE_SECONDS, async {
        Err::<u64, _>(JobError::Permanent("bad header".to_string()))
    })
    .await;
    assert_eq!(
        failed,
        Err(JobError::Permanent("bad header".to_string())),
        "the job's own error is its answer, unchanged"
    );
}

#[tokio::test(start_paused = true)]
async fn the_message_says_how_long_the_job_had() {
    let result = run_with_timeout(
        Duration::from_millis(1500),
        pending::<Result<(), JobError>>(),
    )
    .await
    .unwrap_err();
    assert_eq!(result.to_string(), "retryable: timed out after 1.5s");
    assert!(result.is_retryable(), "a timeout is worth another attempt");
}

#[tokio::test(start_paused = true)]
async fn a_timed_out_job_is_cancelled_at_its_await_point() {
    let finished = Arc::new(AtomicBool::new(false));
    let (guard, mut guard_dropped) = held();
    let job = {
        let finished = Arc::clone(&finished);
        async move {
            let _guard = guard;
            sleep(Duration::from_secs(10)).await; // cancelled while waiting here
            finished.store(true, Ordering::SeqCst);
            Ok(1)
        }
    };
    assert_eq!(run_with_timeout(FIVE_SECONDS, job).await, timed_out());
    assert!(
        matches!(guard_dropped.try_recv(), Err(TryRecvError::Closed)),
        "when the timeout fires, the job's future is dropped, and what it held with it"
    );
    sleep(Duration::from_secs(60)).await; // on the paused clock: no real time passes
    assert!(
        !finished.load(Ordering::SeqCst),
        "a cancelled job never runs the code after the `.await` it was stopped at"
    );
}

#[tokio::test(start_paused = true)]
async fn the_pool_answers_a_hung_job_with_a_timeout() {
    let pool = TaskPool::start(config(2), |job: Job| async move {
        match job.payload.as_str() {
            "hang" => pending().await,
            "panic" => panic!("cannot handle {}", job.id),
            _ => Ok(job.id.0),
        }
    });
    pool.submit(Job::new(1, "hang")).await.unwrap();
    pool.submit(Job::new(2, "")).await.unwrap();
    pool.submit(Job::new(3, "panic")).await.unwrap();
    let answers = by_id(close_within_a_minute(pool).await);
    assert_eq!(
        answers[&1],
        timed_out(),
        "the job that never finishes is answered as timed out after 5s"
    );
    assert_eq!(answers[&2], Ok(2), "the other jobs are answered as before");
    assert_eq!(
        answers[&3],
        Err(JobError::Permanent(
            "handler panicked: cannot handle job 3".to_string()
        )),
        "a panic is still a permanent failure"
    );
}

#[tokio::test(start_paused = true)]
async fn a_timed_out_job_frees_its_slot() {
    let start = Instant::now();
    let pool = TaskPool::start(config(1), |job: Job| async move {
        if job.payload == "hang" {
            pending::<()>().await;
        }
        Ok(job.id.0)
    });
    for (id, payload) in [(1, "hang"), (2, "hang"), (3, "")] {
        pool.submit(Job::new(id, payload)).await.unwrap();
    }
    let answers = by_id(close_within_a_minute(pool).await);
    assert_eq!(answers[&1], timed_out());
    assert_eq!(answers[&2], timed_out());
    assert_eq!(
        answers[&3],
        Ok(3),
        "with one slot, job 3 runs once the hung jobs have been stopped"
    );
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(10),
        "two hung jobs, one after the other, hold the only slot for 5s each"
    );
}

#[tokio::test(start_paused = true)]
async fn each_job_gets_its_full_time_from_when_it_starts() {
    let pool = TaskPool::start(config(1), |job: Job| async move {
        sleep(Duration::from_secs(4)).await;
        Ok(job.id.0)
    });
    for id in 1..=3 {
        pool.submit(Job::new(id, "")).await.unwrap();
    }
    let answers = by_id(close_within_a_minute(pool).await);
    for id in 1..=3 {
        assert_eq!(
            answers[&id],
            Ok(id),
            "job {id} takes 4s of its 5s. Job 3 waited 8s in the queue first, which must not \
             count: start the clock when the job starts"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn the_pool_cancels_a_timed_out_job_instead_of_leaving_it_running() {
    let finished = Arc::new(AtomicBool::new(false));
    let (guard, mut guard_dropped) = held();
    let guard = std::sync::Mutex::new(Some(guard));
    let pool = {
        let finished = Arc::clone(&finished);
        TaskPool::start(config(2), move |job: Job| {
            let guard = guard.lock().unwrap().take();
            let finished = Arc::clone(&finished);
            async move {
                let _guard = guard;
                sleep(Duration::from_secs(10)).await;
                finished.store(true, Ordering::SeqCst);
                Ok(job.id.0)
            }
        })
    };
    pool.submit(Job::new(1, "")).await.unwrap();
    let answers = by_id(close_within_a_minute(pool).await);
    assert_eq!(answers[&1], timed_out());
    assert!(
        matches!(guard_dropped.try_recv(), Err(TryRecvError::Closed)),
        "the timed-out job's future must be dropped: put the timeout around the handler's \
         future, not around something that only waits for it"
    );
    sleep(Duration::from_secs(60)).await; // on the paused clock: no real time passes
    assert!(
        !finished.load(Ordering::SeqCst),
        "the timed-out job kept running after its answer was given"
    );
}
