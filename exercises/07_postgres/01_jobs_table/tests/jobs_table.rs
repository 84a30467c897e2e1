//! The graded tests of step 7.1. Read them: they are the specification.
//!
//! They run against a real PostgreSQL server (see `support/postgres.rs`: `DATABASE_URL`, or a
//! throwaway server the tests start themselves). Each test has a database of its own.

#[path = "support/postgres.rs"]
mod postgres;

use std::time::Duration;

use jobs_table::enqueue::enqueue;
use jobs_table::job::{Enqueued, JobKey, JobKeyError, NewJob};
use jobs_table::migrate::migrate;
use serde_json::json;
use tokio_postgres::Client;

use postgres::TestDb;

/// A fresh database with the migrations applied, and a connection to it.
async fn migrated() -> (TestDb, Client) {
    let db = TestDb::new().await;
    let mut client = db.connect().await;
    migrate(&mut client).await.unwrap_or_else(|error| {
        panic!("the migrations must apply to an empty database: {error:?}")
    });
    (db, client)
}

fn import(key: &str) -> NewJob {
    NewJob {
        key: JobKey::try_from(key).unwrap(),
        kind: "import".to_string(),
        payload: json!({ "upload": format!("{key}.csv") }),
    }
}

async fn count_jobs(client: &Client) -> i64 {
    client
        .query_one("SELECT count(*) FROM jobs", &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn migrations_apply_once_however_often_they_run() {
    let (_db, mut client) = migrated().await;
    migrate(&mut client).await.unwrap();
    let versions: Vec<i32> = client
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(versions, [1]);
}

#[tokio::test]
async fn two_workers_starting_at_once_both_find_the_schema_ready() {
    let db = TestDb::new().await;
    let (mut first, mut second) = (db.connect().await, db.connect().await);
    let (a, b) = tokio::join!(migrate(&mut first), migrate(&mut second));
    a.unwrap();
    b.unwrap();
    assert_eq!(count_jobs(&first).await, 0);
}

#[tokio::test]
async fn a_committed_job_is_queued_with_its_kind_and_payload() {
    let (db, mut client) = migrated().await;
    let transaction = client.transaction().await.unwrap();
    let enqueued = enqueue(&transaction, &import("upload-1")).await.unwrap();
    assert!(
        matches!(enqueued, Enqueued::New(_)),
        "a key seen for the first time is a new job, got {enqueued:?}"
    );

    let other = db.connect().await;
    assert_eq!(
        count_jobs(&other).await,
        0,
        "a job enqueued in a transaction is invisible to workers until the caller commits"
    );
    transaction.commit().await.unwrap();

    let row = other
        .query_one(
            "SELECT id, job_key, kind, payload, state, attempt, run_at <= now() FROM jobs",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>("id"), enqueued.id().0);
    assert_eq!(row.get::<_, &str>("job_key"), "upload-1");
    assert_eq!(row.get::<_, &str>("kind"), "import");
    assert_eq!(
        row.get::<_, serde_json::Value>("payload"),
        json!({ "upload": "upload-1.csv" })
    );
    assert_eq!(row.get::<_, &str>("state"), "queued");
    assert_eq!(
        row.get::<_, i32>("attempt"),
        0,
        "no attempt has been made yet"
    );
    assert!(row.get::<_, bool>(6), "a new job is due at once");
}

#[tokio::test]
async fn a_rolled_back_upload_leaves_no_job() {
    let (_db, mut client) = migrated().await;
    client
        .batch_execute("CREATE TABLE uploads (id text PRIMARY KEY)")
        .await
        .unwrap();
    let transaction = client.transaction().await.unwrap();
    transaction
        .execute("INSERT INTO uploads (id) VALUES ('upload-2')", &[])
        .await
        .unwrap();
    enqueue(&transaction, &import("upload-2")).await.unwrap();
    // Saving the upload failed after the enqueue: the caller rolls back.
    transaction.rollback().await.unwrap();

    assert_eq!(
        count_jobs(&client).await,
        0,
        "the job must be written in the caller's transaction, so rolling it back removes the \
         job too (did `enqueue` use a connection or a transaction of its own?)"
    );
}

#[tokio::test]
async fn enqueueing_the_same_key_twice_gives_one_job() {
    let (_db, mut client) = migrated().await;
    let transaction = client.transaction().await.unwrap();
    let first = enqueue(&transaction, &import("upload-3")).await.unwrap();
    transaction.commit().await.unwrap();

    let transaction = client.transaction().await.unwrap();
    let again = enqueue(&transaction, &import("upload-3"))
        .await
        .unwrap_or_else(|error| {
            panic!(
                "a repeated key is not an error: the client retried its request. Make the key \
                 unique in the table and let the INSERT skip a conflict: {error:?}"
            )
        });
    transaction.commit().await.unwrap();

    assert_eq!(again, Enqueued::AlreadyQueued(first.id()));
    assert_eq!(count_jobs(&client).await, 1);
}

#[tokio::test]
async fn the_same_key_from_two_transactions_at_once_gives_one_job() {
    let (db, mut first) = migrated().await;
    let mut second = db.connect().await;
    let watcher = db.connect().await;
    let second_pid: i32 = second
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);

    let a = first.transaction().await.unwrap();
    let new = enqueue(&a, &import("upload-4")).await.unwrap();

    // The second request arrives while the first is not committed yet.
    let racing = tokio::spawn(async move {
        let b = second.transaction().await.unwrap();
        let answer = enqueue(&b, &import("upload-4")).await;
        if answer.is_ok() {
            b.commit().await.unwrap();
        }
        answer
    });

    // Wait (on the server's own view, not on a clock) until the second insert is blocked by
    // the first one's uncommitted row, so the race really happens.
    let blocked = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let waiting: bool = watcher
                .query_one(
                    "SELECT coalesce(bool_or(wait_event_type = 'Lock'), false)
                     FROM pg_stat_activity WHERE pid = $1",
                    &[&second_pid],
                )
                .await
                .unwrap()
                .get(0);
            if waiting {
                break;
            }
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(
        blocked.is_ok(),
        "the second enqueue of the same key never waited for the first transaction: was the \
         key checked with a SELECT that cannot see uncommitted rows?"
    );
    a.commit().await.unwrap();

    let answer = racing.await.unwrap().unwrap_or_else(|error| {
        panic!(
            "the second enqueue failed instead of finding the first job. A SELECT before the \
             INSERT cannot see a row that is not committed yet; let the unique index decide \
             with `ON CONFLICT ... DO NOTHING`: {error:?}"
        )
    });
    assert_eq!(answer, Enqueued::AlreadyQueued(new.id()));
    assert_eq!(count_jobs(&first).await, 1);
}

#[tokio::test]
async fn the_table_refuses_what_no_job_can_be() {
    let (_db, client) = migrated().await;
    let empty_key = client
        .execute(
            "INSERT INTO jobs (job_key, kind, payload) VALUES ('', 'import', '{}')",
            &[],
        )
        .await;
    assert!(
        empty_key.is_err(),
        "a job with an empty key must be refused by the table itself, not only by `JobKey`"
    );

    client
        .execute(
            "INSERT INTO jobs (job_key, kind, payload) VALUES ('upload-5', 'import', '{}')",
            &[],
        )
        .await
        .unwrap();
    let typo = client.execute("UPDATE jobs SET state = 'qeued'", &[]).await;
    assert!(
        typo.is_err(),
        "`state` is one of queued, running, done or dead; the table must refuse 'qeued' \
         (a CHECK constraint)"
    );
}

#[tokio::test]
async fn workers_find_due_jobs_through_a_small_index() {
    let (_db, client) = migrated().await;
    let indexes: Vec<String> = client
        .query(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'jobs'",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert!(
        indexes
            .iter()
            .any(|index| index.contains("(run_at)") && index.contains("WHERE (state = 'queued'")),
        "workers ask for the oldest queued job that is due: the table needs an index on \
         `run_at` holding only queued jobs (a partial index); found {indexes:#?}"
    );
}

#[test]
fn a_key_is_checked_before_it_reaches_the_database() {
    assert_eq!(JobKey::try_from(""), Err(JobKeyError::Empty));
    assert_eq!(
        JobKey::try_from("x".repeat(201).as_str()),
        Err(JobKeyError::TooLong(201))
    );
    assert_eq!(
        JobKey::try_from("upload\n1"),
        Err(JobKeyError::ControlCharacter)
    );
    assert_eq!(JobKey::try_from("upload-6").unwrap().as_str(), "upload-6");
}
