//! The graded tests of step 5.6. Read them: they are the specification.
//!
//! Every test runs on paused time (`start_paused = true`): the clock jumps straight to the
//! next timer whenever every task is waiting, so a job that "takes 100 seconds" takes no real
//! time, and `Instant` differences are exact. A test shuts the pool down at an exact moment by
//! sleeping on that clock first.

use std::collections::BTreeMap;
use std::future::pending;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::{Instant, sleep, timeout};

use graceful_shutdown::job::{Job, JobError, JobId};
use graceful_shutdown::pool::{PoolConfig, PoolReport, TaskPool};
use graceful_shutdown::retry::{Jitter, RetryPolicy};
use graceful_shutdown::thread_pool::SubmitError;

const SEED: u64 = 7;
const GRACE: Duration = Duration::from_secs(30);

const POLICY: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    base_delay: Duration::from_secs(20),
    max_delay: Duration::from_secs(60),
};

fn config(concurrency: usize) -> PoolConfig {
    PoolConfig {
        concurrency,
        queue_capacity: 64,
        job_timeout: Duration::from_secs(600),
        retry: POLICY,
        jitter_seed: SEED,
        shutdown_grace: GRACE,
    }
}

fn secs(seconds: u64) -> Duration {
    Duration::from_secs(seconds)
}

/// What the handler does with a job, from its payload: `"10"` sleeps 10 seconds and succeeds,
/// `"hang"` never finishes, `"busy"` fails with a retryable error, `"broken"` with a permanent
/// one.
async fn act(job: Job, finished: Arc<Mutex<Vec<u64>>>) -> Result<u64, JobError> {
    match job.payload.as_str() {
        "hang" => pending().await,
        "busy" => Err(JobError::Retryable("database busy".to_string())),
        "broken" => Err(JobError::Permanent("not a CSV file".to_string())),
        seconds => {
            let seconds = seconds
                .parse()
                .expect("a test job's payload is a number of seconds");
            sleep(secs(seconds)).await;
            finished.lock().unwrap().push(job.id.0);
            Ok(job.id.0)
        }
    }
}

/// A pool running [`act`], the list of jobs whose handler ran to the end, and the start time.
fn start_pool(concurrency: usize) -> (TaskPool<u64>, Arc<Mutex<Vec<u64>>>, Instant) {
    let finished = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&finished);
    let pool = TaskPool::start(config(concurrency), move |job| act(job, Arc::clone(&seen)));
    (pool, finished, Instant::now())
}

async fn submit_all(pool: &TaskPool<u64>, jobs: &[(u64, &str)]) {
    for &(id, payload) in jobs {
        pool.submit(Job::new(id, payload)).await.unwrap();
    }
}

/// Waits for `report`, failing the test instead of hanging if it takes over an hour of
/// (paused) time.
async fn within_an_hour(report: impl Future<Output = PoolReport<u64>>) -> PoolReport<u64> {
    timeout(secs(3600), report)
        .await
        .expect("the pool never finished: after a shutdown it must stop within its grace period")
}

fn done_ids(report: &PoolReport<u64>) -> Vec<u64> {
    let mut ids: Vec<u64> = report.done.iter().map(|done| done.id.0).collect();
    ids.sort_unstable();
    ids
}

fn unfinished_ids(report: &PoolReport<u64>) -> Vec<u64> {
    report.unfinished.iter().map(|job| job.id.0).collect()
}

#[tokio::test(start_paused = true)]
async fn without_a_shutdown_close_still_runs_every_job_to_the_end() {
    let (pool, _, start) = start_pool(2);
    submit_all(&pool, &[(1, "100"), (2, "10"), (3, "10")]).await;
    let report = within_an_hour(pool.close()).await;
    assert_eq!(
        done_ids(&report),
        [1, 2, 3],
        "without a shutdown every job runs to the end, however long it takes: a queue that \
         ends (`recv` gives `None`) is not a shutdown, and the grace period applies only after one"
    );
    assert!(
        report.unfinished.is_empty(),
        "without a shutdown no job is handed back unfinished"
    );
    assert_eq!(
        start.elapsed(),
        secs(100),
        "the grace period applies only after a shutdown: `close` waits for the 100s job"
    );
}

#[tokio::test(start_paused = true)]
async fn a_shutdown_hands_back_the_queued_jobs_unstarted_and_in_order() {
    let (pool, finished, _) = start_pool(1);
    submit_all(&pool, &[(1, "10"), (2, "5"), (3, "5"), (4, "5")]).await;
    sleep(secs(1)).await; // job 1 is running, jobs 2 to 4 are queued
    let report = within_an_hour(pool.shutdown()).await;
    assert_eq!(
        done_ids(&report),
        [1],
        "job 1 was running and finished in its grace period"
    );
    assert_eq!(
        report.unfinished,
        [Job::new(2, "5"), Job::new(3, "5"), Job::new(4, "5")],
        "the queued jobs come back as they were, in queue order, without being started"
    );
    assert_eq!(
        *finished.lock().unwrap(),
        [1],
        "no queued job was started after the shutdown"
    );
}

#[tokio::test(start_paused = true)]
async fn running_jobs_finish_within_the_grace_period() {
    let (pool, _, start) = start_pool(3);
    submit_all(&pool, &[(1, "10"), (2, "25"), (3, "34")]).await;
    sleep(secs(5)).await;
    let report = within_an_hour(pool.shutdown()).await;
    assert_eq!(
        done_ids(&report),
        [1, 2, 3],
        "shut down at 5s with 30s of grace (until 35s): jobs ending at 10s, 25s and 34s all finish"
    );
    assert_eq!(
        start.elapsed(),
        secs(34),
        "the shutdown ends when the last job does, not at the deadline"
    );
}

#[tokio::test(start_paused = true)]
async fn jobs_still_running_at_the_deadline_are_aborted_and_handed_back() {
    let (pool, finished, start) = start_pool(3);
    submit_all(&pool, &[(1, "10"), (2, "hang"), (3, "100")]).await;
    sleep(secs(5)).await;
    let shutdown_at = Instant::now();
    let report = within_an_hour(pool.shutdown()).await;
    assert_eq!(
        shutdown_at.elapsed(),
        GRACE,
        "one deadline for all running jobs: exactly the 30s grace period after the shutdown"
    );
    assert_eq!(done_ids(&report), [1]);
    let mut unfinished = unfinished_ids(&report);
    unfinished.sort_unstable();
    assert_eq!(
        unfinished,
        [2, 3],
        "jobs aborted at the deadline are not lost: they come back unfinished"
    );
    assert!(
        report.dead_letters.is_empty(),
        "an aborted job did not fail"
    );
    sleep(secs(3600)).await;
    assert_eq!(
        *finished.lock().unwrap(),
        [1],
        "an aborted job is stopped, not left running: job 3 never reaches its end"
    );
    assert_eq!(start.elapsed(), secs(5) + GRACE + secs(3600));
}

#[tokio::test(start_paused = true)]
async fn a_job_waiting_for_a_retry_comes_back_at_once() {
    // Job 1 fails at once and waits a backoff of at least a second (seeded, so known).
    let backoff = POLICY.delay(1, &mut Jitter::for_job(SEED, JobId(1)));
    assert!(
        backoff > secs(1),
        "the test needs a backoff over 1s, got {backoff:?}"
    );
    let (pool, _, start) = start_pool(2);
    submit_all(&pool, &[(1, "busy")]).await;
    sleep(secs(1)).await;
    let report = within_an_hour(pool.shutdown()).await;
    assert_eq!(
        unfinished_ids(&report),
        [1],
        "a job waiting for its retry is not running: it goes back unfinished"
    );
    assert!(report.dead_letters.is_empty());
    assert_eq!(
        start.elapsed(),
        secs(1),
        "it stops waiting the moment the shutdown comes: race the backoff's `sleep` against \
         `shutdown.cancelled()` in `select!`"
    );
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_token_shuts_the_pool_down_like_shutdown() {
    let (pool, _, _) = start_pool(1);
    let token = pool.shutdown_token(); // what a Ctrl-C handler would hold
    submit_all(&pool, &[(1, "10"), (2, "10")]).await;
    sleep(secs(1)).await;
    token.cancel();
    sleep(Duration::from_millis(1)).await; // let the pool see it
    assert!(
        matches!(pool.try_submit(Job::new(3, "10")), Err(SubmitError::Closed(job)) if job.id == JobId(3)),
        "after a shutdown, intake is closed and a new job is handed back to its producer"
    );
    let report = within_an_hour(pool.close()).await;
    assert_eq!(done_ids(&report), [1]);
    assert_eq!(unfinished_ids(&report), [2]);
}

#[tokio::test(start_paused = true)]
async fn no_job_is_lost_or_done_twice_across_a_shutdown() {
    // Quick and slow jobs, hung ones, failing ones: some end in each list.
    let (pool, finished, _) = start_pool(6);
    let kinds = ["1", "5", "busy", "broken", "20", "hang", "50"];
    let jobs: Vec<(u64, &str)> = (1..=40)
        .map(|id| (id, kinds[id as usize % kinds.len()]))
        .collect();
    submit_all(&pool, &jobs).await;
    sleep(Duration::from_millis(12_500)).await;
    let report = within_an_hour(pool.shutdown()).await;

    let mut lists = BTreeMap::new();
    let done = report.done.iter().map(|done| (done.id.0, "done"));
    let dead = report
        .dead_letters
        .iter()
        .map(|dead| (dead.job.id.0, "dead"));
    let unfinished = report.unfinished.iter().map(|job| (job.id.0, "unfinished"));
    for (id, list) in done.chain(dead).chain(unfinished) {
        lists.entry(id).or_insert_with(Vec::new).push(list);
    }
    for id in 1..=40 {
        assert_eq!(
            lists.get(&id).map(Vec::len),
            Some(1),
            "job {id} must be in exactly one of done, dead_letters and unfinished: {:?}",
            lists.get(&id)
        );
    }
    assert_eq!(lists.len(), 40, "no job that was never submitted");
    let mut finished = finished.lock().unwrap().clone();
    finished.sort_unstable();
    assert_eq!(
        done_ids(&report),
        finished,
        "the jobs reported done are exactly the jobs whose handler ran to the end"
    );
    assert!(!report.done.is_empty() && !report.dead_letters.is_empty());
    assert!(!report.unfinished.is_empty());
}
