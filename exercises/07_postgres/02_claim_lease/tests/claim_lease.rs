//! The graded tests of step 7.2. Read them: they are the specification.
//!
//! They run against a real PostgreSQL server (see `support/postgres.rs`). No test waits for a
//! lease to run out on the clock: a test that needs an expired lease moves `lease_until` into
//! the past, as the passing of time would.

#[path = "support/postgres.rs"]
mod postgres;

use std::collections::BTreeSet;
use std::time::Duration;

use claim_lease::claim::{ClaimError, ClaimedJob, claim, complete, renew};
use claim_lease::enqueue::enqueue;
use claim_lease::job::{JobKey, NewJob};
use claim_lease::migrate::migrate;
use serde_json::json;
use tokio_postgres::Client;

use postgres::TestDb;

const LEASE: Duration = Duration::from_secs(30);

async fn migrated() -> (TestDb, Client) {
    let db = TestDb::new().await;
    let mut client = db.connect().await;
    migrate(&mut client).await.unwrap();
    (db, client)
}

/// Enqueues and commits jobs `upload-1` .. `upload-n`, oldest first.
async fn enqueue_jobs(client: &mut Client, n: usize) {
    for i in 1..=n {
        let transaction = client.transaction().await.unwrap();
        let job = NewJob {
            key: JobKey::try_from(format!("upload-{i}").as_str()).unwrap(),
            kind: "import".to_string(),
            payload: json!({ "n": i }),
        };
        enqueue(&transaction, &job).await.unwrap();
        transaction.commit().await.unwrap();
    }
}

/// Makes every lease run out now, as a worker that died long ago would leave it.
async fn expire_leases(client: &Client) {
    client
        .execute(
            "UPDATE jobs SET lease_until = now() - interval '1 second' WHERE state = 'running'",
            &[],
        )
        .await
        .unwrap();
}

async fn claim_one(client: &Client, worker: &str) -> ClaimedJob {
    claim(client, worker, LEASE)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{worker} found no job to claim"))
}

#[tokio::test]
async fn a_claim_takes_the_oldest_due_job_and_leases_it() {
    let (db, mut client) = migrated().await;
    enqueue_jobs(&mut client, 2).await;

    let job = claim_one(&client, "worker-a").await;
    assert_eq!(job.key, "upload-1", "the oldest job first");
    assert_eq!(job.kind, "import");
    assert_eq!(job.payload, json!({ "n": 1 }));
    assert_eq!(job.attempt, 1, "the first claim is attempt 1");

    let other = db.connect().await;
    let row = other
        .query_one(
            "SELECT state, worker, lease_until > now() + interval '29 seconds'
               FROM jobs WHERE id = $1",
            &[&job.id.0],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, &str>(0), "running");
    assert_eq!(
        row.get::<_, &str>(1),
        "worker-a",
        "the row says who holds it"
    );
    assert!(
        row.get::<_, bool>(2),
        "the lease runs for the 30 seconds asked for"
    );
}

#[tokio::test]
async fn no_due_job_is_none() {
    let (_db, mut client) = migrated().await;
    assert_eq!(claim(&client, "worker-a", LEASE).await.unwrap(), None);

    enqueue_jobs(&mut client, 1).await;
    client
        .execute("UPDATE jobs SET run_at = now() + interval '1 hour'", &[])
        .await
        .unwrap();
    assert_eq!(
        claim(&client, "worker-a", LEASE).await.unwrap(),
        None,
        "a job whose `run_at` is in the future is not due yet"
    );
}

#[tokio::test]
async fn a_locked_job_is_skipped_not_waited_for() {
    let (db, mut client) = migrated().await;
    enqueue_jobs(&mut client, 2).await;

    // Another worker is in the middle of claiming the oldest job: its row is locked.
    let mut other = db.connect().await;
    let holding = other.transaction().await.unwrap();
    holding
        .execute(
            "SELECT id FROM jobs WHERE job_key = 'upload-1' FOR UPDATE",
            &[],
        )
        .await
        .unwrap();

    let claimed = tokio::time::timeout(Duration::from_secs(30), claim(&client, "worker-b", LEASE))
        .await
        .unwrap_or_else(|_| {
            panic!(
                "the claim waited for the job another worker has locked: lock the row you pick \
                 with `FOR UPDATE SKIP LOCKED`, so a busy row is passed over"
            )
        })
        .unwrap();
    assert_eq!(
        claimed.map(|job| job.key),
        Some("upload-2".to_string()),
        "with the oldest job locked, the next one is claimed"
    );
    holding.rollback().await.unwrap();
}

#[tokio::test]
async fn workers_claiming_at_once_never_share_a_job() {
    let (db, mut client) = migrated().await;
    enqueue_jobs(&mut client, 40).await;

    let mut workers = tokio::task::JoinSet::new();
    for w in 0..4 {
        let worker = db.connect().await;
        workers.spawn(async move {
            let mut mine = Vec::new();
            while let Some(job) = claim(&worker, &format!("worker-{w}"), LEASE).await.unwrap() {
                mine.push(job.key);
            }
            mine
        });
    }
    let mut seen = BTreeSet::new();
    while let Some(mine) = workers.join_next().await {
        for key in mine.unwrap() {
            assert!(seen.insert(key.clone()), "{key} was claimed by two workers");
        }
    }
    assert_eq!(seen.len(), 40, "every job was claimed once");
}

#[tokio::test]
async fn a_job_whose_lease_ran_out_is_claimed_again_with_the_next_attempt() {
    let (_db, mut client) = migrated().await;
    enqueue_jobs(&mut client, 1).await;
    let first = claim_one(&client, "worker-a").await;
    assert_eq!(
        claim(&client, "worker-b", LEASE).await.unwrap(),
        None,
        "a job whose lease is still running belongs to its worker"
    );

    expire_leases(&client).await; // worker-a died
    let second = claim_one(&client, "worker-b").await;
    assert_eq!(second.id, first.id, "the same job");
    assert_eq!(second.attempt, 2, "a new claim is a new attempt");
}

#[tokio::test]
async fn a_worker_whose_lease_ran_out_cannot_finish_the_job() {
    let (_db, mut client) = migrated().await;
    enqueue_jobs(&mut client, 1).await;
    let stale = claim_one(&client, "worker-a").await;
    expire_leases(&client).await; // worker-a was paused for a long time
    let current = claim_one(&client, "worker-b").await;

    let late = complete(&client, &stale, &json!({ "rows": 1 })).await;
    assert!(
        matches!(late, Err(ClaimError::Fenced { attempt: 1, .. })),
        "attempt 1 lost its lease, so its result must be refused (name the attempt in the \
         UPDATE's WHERE clause); got {late:?}"
    );
    complete(&client, &current, &json!({ "rows": 2 }))
        .await
        .unwrap();

    let row = client
        .query_one("SELECT state, attempt, result FROM jobs", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, &str>(0), "done");
    assert_eq!(row.get::<_, i32>(1), 2);
    assert_eq!(
        row.get::<_, serde_json::Value>(2),
        json!({ "rows": 2 }),
        "the current attempt's result stands"
    );
}

#[tokio::test]
async fn a_stale_worker_cannot_overwrite_a_finished_job() {
    let (_db, mut client) = migrated().await;
    enqueue_jobs(&mut client, 1).await;
    let stale = claim_one(&client, "worker-a").await;
    expire_leases(&client).await;
    let current = claim_one(&client, "worker-b").await;
    complete(&client, &current, &json!({ "rows": 2 }))
        .await
        .unwrap();

    let late = complete(&client, &stale, &json!({ "rows": 1 })).await;
    assert!(
        matches!(late, Err(ClaimError::Fenced { .. })),
        "got {late:?}"
    );
    let again = complete(&client, &current, &json!({ "rows": 3 })).await;
    assert!(
        matches!(again, Err(ClaimError::Fenced { .. })),
        "a finished job is not finished twice; got {again:?}"
    );
    let result: serde_json::Value = client
        .query_one("SELECT result FROM jobs", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(result, json!({ "rows": 2 }));
}

#[tokio::test]
async fn a_renewed_lease_keeps_the_job_and_a_lost_one_cannot_be_renewed() {
    let (_db, mut client) = migrated().await;
    enqueue_jobs(&mut client, 1).await;
    let job = claim_one(&client, "worker-a").await;
    renew(&client, &job, Duration::from_secs(600))
        .await
        .unwrap();
    let far: bool = client
        .query_one(
            "SELECT lease_until > now() + interval '590 seconds' FROM jobs",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(far, "renew moves the lease forward");

    expire_leases(&client).await;
    let _newer = claim_one(&client, "worker-b").await;
    let lost = renew(&client, &job, LEASE).await;
    assert!(
        matches!(lost, Err(ClaimError::Fenced { .. })),
        "got {lost:?}"
    );
}
