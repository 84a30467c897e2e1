//! The graded tests of step 7.3. Read them: they are the specification.
//!
//! They run against a real PostgreSQL server (see `support/postgres.rs`). No test waits on the
//! clock for a retry to come due: a test moves `run_at` or `finished_at` instead, as time would.

#[path = "support/postgres.rs"]
mod postgres;

use std::time::Duration;

use retries_notify::claim::{ClaimError, ClaimedJob, claim, complete};
use retries_notify::enqueue::enqueue;
use retries_notify::job::{JobKey, NewJob};
use retries_notify::migrate::migrate;
use retries_notify::retry::{Failed, delete_finished, fail, jitter_for};
use retries_notify::wake::{JobWaker, Wake};
use serde_json::{Value, json};
use tokio_postgres::Client;
use worker::job::JobError;
use worker::retry::RetryPolicy;

use postgres::TestDb;

const LEASE: Duration = Duration::from_secs(30);
const SEED: u64 = 7;
const POLICY: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    base_delay: Duration::from_secs(10),
    max_delay: Duration::from_secs(60),
};

async fn migrated() -> (TestDb, Client) {
    let db = TestDb::new().await;
    let mut client = db.connect().await;
    migrate(&mut client).await.unwrap();
    (db, client)
}

async fn enqueue_one(client: &mut Client, key: &str) {
    let transaction = client.transaction().await.unwrap();
    let job = NewJob {
        key: JobKey::try_from(key).unwrap(),
        kind: "import".to_string(),
        payload: json!({}),
    };
    enqueue(&transaction, &job).await.unwrap();
    transaction.commit().await.unwrap();
}

async fn claim_one(client: &Client) -> ClaimedJob {
    claim(client, "worker-a", LEASE)
        .await
        .unwrap()
        .expect("a due job to claim")
}

/// Makes every queued job due now, as the passing of its backoff would.
async fn come_due(client: &Client) {
    client
        .execute("UPDATE jobs SET run_at = now() WHERE state = 'queued'", &[])
        .await
        .unwrap();
}

async fn state_and_errors(client: &Client) -> (String, Value) {
    let row = client
        .query_one("SELECT state, errors FROM jobs", &[])
        .await
        .unwrap();
    (row.get(0), row.get(1))
}

/// Whether the only job has a `finished_at`: set when it is done or dead, and only then.
async fn is_finished(client: &Client) -> bool {
    client
        .query_one("SELECT finished_at IS NOT NULL FROM jobs", &[])
        .await
        .unwrap()
        .get(0)
}

fn retryable(message: &str) -> JobError {
    JobError::Retryable(message.to_string())
}

#[tokio::test]
async fn a_retryable_failure_is_queued_again_after_its_backoff() {
    let (_db, mut client) = migrated().await;
    enqueue_one(&mut client, "upload-1").await;
    let job = claim_one(&client).await;

    let failed = fail(
        &client,
        &job,
        &retryable("storage timed out"),
        &POLICY,
        SEED,
    )
    .await
    .unwrap();
    let expected = POLICY.delay(1, &mut jitter_for(SEED, &job));
    assert_eq!(
        failed,
        Failed::RetryIn(expected),
        "the delay is Part 5's `RetryPolicy::delay` with this job's jitter (`jitter_for`)"
    );
    let (state, _) = state_and_errors(&client).await;
    assert_eq!(
        state, "queued",
        "a job with attempts left goes back into the queue"
    );
    assert!(
        !is_finished(&client).await,
        "a job queued for a retry is not finished: leave `finished_at` empty"
    );

    let early: bool = client
        .query_one(
            "SELECT run_at > now() + make_interval(secs => $1) - interval '5 seconds' FROM jobs",
            &[&expected.as_secs_f64()],
        )
        .await
        .unwrap()
        .get(0);
    assert!(
        early,
        "`run_at` moves {expected:?} into the future, so no worker takes it before"
    );
    if expected > Duration::ZERO {
        assert_eq!(
            claim(&client, "worker-b", LEASE).await.unwrap(),
            None,
            "the retry is not due yet"
        );
    }
    come_due(&client).await;
    let again = claim_one(&client).await;
    assert_eq!(again.attempt, 2, "the retry is the second attempt");
}

#[tokio::test]
async fn every_failed_attempt_keeps_its_error() {
    let (_db, mut client) = migrated().await;
    enqueue_one(&mut client, "upload-2").await;
    for message in ["storage timed out", "connection reset"] {
        let job = claim_one(&client).await;
        fail(&client, &job, &retryable(message), &POLICY, SEED)
            .await
            .unwrap();
        come_due(&client).await;
    }
    let (_, errors) = state_and_errors(&client).await;
    let errors = errors.as_array().expect("`errors` is a JSON array");
    assert_eq!(errors.len(), 2, "one entry per failed attempt: {errors:?}");
    assert_eq!(errors[0]["attempt"], 1);
    assert_eq!(errors[0]["error"], "retryable: storage timed out");
    assert_eq!(errors[1]["attempt"], 2);
    assert_eq!(errors[1]["error"], "retryable: connection reset");
}

#[tokio::test]
async fn a_permanent_failure_is_a_dead_letter_at_once() {
    let (_db, mut client) = migrated().await;
    enqueue_one(&mut client, "upload-3").await;
    let job = claim_one(&client).await;
    let failed = fail(
        &client,
        &job,
        &JobError::Permanent("not a CSV file".to_string()),
        &POLICY,
        SEED,
    )
    .await
    .unwrap();
    assert_eq!(
        failed,
        Failed::Dead,
        "trying again cannot fix a permanent error"
    );
    let (state, errors) = state_and_errors(&client).await;
    assert_eq!(state, "dead");
    assert_eq!(errors[0]["error"], "permanent: not a CSV file");
    assert!(
        is_finished(&client).await,
        "a dead letter is finished: set `finished_at`, as `complete` does for a done job"
    );
    come_due(&client).await;
    assert_eq!(
        claim(&client, "worker-b", LEASE).await.unwrap(),
        None,
        "a dead job is never claimed again"
    );
}

#[tokio::test]
async fn the_last_attempt_fails_into_a_dead_letter() {
    let (_db, mut client) = migrated().await;
    enqueue_one(&mut client, "upload-4").await;
    let mut outcomes = Vec::new();
    for _ in 0..POLICY.max_attempts {
        let job = claim_one(&client).await;
        outcomes.push(
            fail(&client, &job, &retryable("still down"), &POLICY, SEED)
                .await
                .unwrap(),
        );
        come_due(&client).await;
    }
    assert!(matches!(outcomes[0], Failed::RetryIn(_)));
    assert!(matches!(outcomes[1], Failed::RetryIn(_)));
    assert_eq!(
        outcomes[2],
        Failed::Dead,
        "attempt 3 of 3 failed: no attempt is left, so the job is dead"
    );
    let (state, errors) = state_and_errors(&client).await;
    assert_eq!(state, "dead");
    assert_eq!(errors.as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn a_worker_whose_lease_ran_out_cannot_fail_the_job() {
    let (_db, mut client) = migrated().await;
    enqueue_one(&mut client, "upload-5").await;
    let stale = claim_one(&client).await;
    client
        .execute(
            "UPDATE jobs SET lease_until = now() - interval '1 second'",
            &[],
        )
        .await
        .unwrap();
    let _current = claim_one(&client).await;

    let late = fail(&client, &stale, &retryable("slow disk"), &POLICY, SEED).await;
    assert!(
        matches!(late, Err(ClaimError::Fenced { attempt: 1, .. })),
        "attempt 1 lost its lease: its failure must not requeue the job attempt 2 is running \
         (fence the UPDATE by the attempt, as `complete` does); got {late:?}"
    );
    let (state, errors) = state_and_errors(&client).await;
    assert_eq!(state, "running", "attempt 2 still holds the job");
    assert_eq!(
        errors,
        json!([]),
        "nothing was written for the stale attempt"
    );
}

#[tokio::test]
async fn old_finished_jobs_are_deleted_and_dead_ones_kept() {
    let (_db, mut client) = migrated().await;
    for key in ["old-done", "new-done", "old-dead"] {
        enqueue_one(&mut client, key).await;
        let job = claim_one(&client).await;
        if key.ends_with("dead") {
            let permanent = JobError::Permanent("bad file".to_string());
            fail(&client, &job, &permanent, &POLICY, SEED)
                .await
                .unwrap();
        } else {
            complete(&client, &job, &json!({})).await.unwrap();
        }
    }
    let unfinished: Vec<String> = client
        .query("SELECT job_key FROM jobs WHERE finished_at IS NULL", &[])
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert!(
        unfinished.is_empty(),
        "a done or dead job records when it finished (`finished_at`), which is what \
         `delete_finished` counts from; without it: {unfinished:?}"
    );
    client
        .execute(
            "UPDATE jobs SET finished_at = now() - interval '8 days' WHERE job_key LIKE 'old-%'",
            &[],
        )
        .await
        .unwrap();

    let deleted = delete_finished(&client, Duration::from_secs(7 * 24 * 3600))
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    let left: Vec<String> = client
        .query("SELECT job_key FROM jobs ORDER BY job_key", &[])
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(left, ["new-done", "old-dead"]);
}

#[tokio::test]
async fn a_committed_job_wakes_a_listening_worker() {
    let (db, mut client) = migrated().await;
    // A poll interval of an hour: only the notification can wake the worker within the test.
    let mut waker = JobWaker::listen(db.config(), Duration::from_secs(3600))
        .await
        .unwrap();
    enqueue_one(&mut client, "upload-6").await;
    let woken = tokio::time::timeout(Duration::from_secs(30), waker.wait()).await;
    assert_eq!(
        woken,
        Ok(Wake::Notified),
        "the insert's notification must wake `wait` at once; `select!` on the notification \
         channel and the poll timer"
    );
}

#[tokio::test(start_paused = true)]
async fn without_a_notification_the_worker_still_polls() {
    let (db, _client) = migrated().await;
    let mut waker = JobWaker::listen(db.config(), Duration::from_secs(60))
        .await
        .unwrap();
    let start = tokio::time::Instant::now();
    assert_eq!(
        waker.wait().await,
        Wake::Poll,
        "a notification can be lost (a dropped connection) and a retry sends none: wake up \
         after the poll interval anyway"
    );
    assert_eq!(start.elapsed(), Duration::from_secs(60));
}

#[tokio::test]
async fn a_lost_listening_connection_is_reported() {
    let (db, client) = migrated().await;
    // A poll interval of an hour: only the closed connection can end `wait` within the test.
    let mut waker = JobWaker::listen(db.config(), Duration::from_secs(3600))
        .await
        .unwrap();
    // The server ends every other session on this test's database: the waker's is the only one.
    client
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    let woken = tokio::time::timeout(Duration::from_secs(30), waker.wait()).await;
    assert_eq!(
        woken,
        Ok(Wake::Disconnected),
        "the listening connection is gone, so no notification will ever come: when the channel \
         is closed, `wait` must say so at once instead of waiting for the poll"
    );
}
