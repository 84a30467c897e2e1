//! The reference's own test of `complete_batch`, an optional addition to the step's library
//! that the queue bench measures. Not a graded test: the learner's 7.3 does not write it.

#[path = "../../../../exercises/07_postgres/03_retries_notify/tests/support/postgres.rs"]
mod postgres;

use std::time::Duration;

use retries_notify_solution::claim::{ClaimedJob, claim, complete_batch};
use retries_notify_solution::enqueue::enqueue;
use retries_notify_solution::job::{JobKey, NewJob};
use retries_notify_solution::migrate::migrate;
use serde_json::json;

use postgres::TestDb;

const LEASE: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_batch_completes_its_current_claims_and_refuses_the_stale_one() {
    let db = TestDb::new().await;
    let mut client = db.connect().await;
    migrate(&mut client).await.expect("migrate");
    let transaction = client.transaction().await.expect("begin");
    for key in ["b-1", "b-2", "b-3"] {
        let job = NewJob {
            key: JobKey::try_from(key).expect("key"),
            kind: "import".to_string(),
            payload: json!({}),
        };
        enqueue(&transaction, &job).await.expect("enqueue");
    }
    transaction.commit().await.expect("commit");
    let mut claimed: Vec<ClaimedJob> = Vec::new();
    for _ in 0..3 {
        let job = claim(&client, "w1", LEASE).await.expect("claim");
        claimed.push(job.expect("a due job"));
    }
    // b-3's lease runs out and w2 claims it again: w1's claim of it is stale.
    client
        .execute(
            "UPDATE jobs SET lease_until = now() - interval '1 second' WHERE job_key = 'b-3'",
            &[],
        )
        .await
        .expect("expire");
    let newer = claim(&client, "w2", LEASE).await.expect("claim");
    let newer = newer.expect("b-3 again");
    assert_eq!((newer.key.as_str(), newer.attempt), ("b-3", 2));

    let done: Vec<(ClaimedJob, serde_json::Value)> = claimed
        .iter()
        .map(|job| (job.clone(), json!({ "key": job.key })))
        .collect();
    let refused = complete_batch(&client, &done).await.expect("complete");
    assert_eq!(refused, vec![newer.id], "only the stale claim is refused");
    let rows = client
        .query(
            "SELECT job_key, state, result, finished_at IS NOT NULL, lease_until IS NULL
               FROM jobs ORDER BY job_key",
            &[],
        )
        .await
        .expect("rows");
    let seen: Vec<(String, String, Option<serde_json::Value>, bool, bool)> = rows
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4)))
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                "b-1".into(),
                "done".into(),
                Some(json!({"key": "b-1"})),
                true,
                true
            ),
            (
                "b-2".into(),
                "done".into(),
                Some(json!({"key": "b-2"})),
                true,
                true
            ),
            ("b-3".into(), "running".into(), None, false, false),
        ],
        "each current claim is done with its own result; the newer attempt still holds b-3"
    );
    assert!(
        complete_batch(&client, &[])
            .await
            .expect("empty")
            .is_empty(),
        "an empty batch writes nothing"
    );
}
