//! The graded tests of step 5.2. Read them: they are the specification.
//!
//! To show that a producer is *waiting*, a test gives it a deadline with
//! `tokio::time::timeout`. The tests run with `start_paused = true`: tokio's clock stands still
//! and jumps ahead only when every task is waiting, so the deadline passes at once, in no real
//! time, and only if the producer really is stuck. No sleeps, no flaky timing.

use std::collections::BTreeSet;
use std::time::Duration;

use tokio::time::timeout;

use bounded_queue::job::Job;
use bounded_queue::queue::{JobReceiver, queue};
use bounded_queue::thread_pool::SubmitError;

/// Long enough for any producer that is not stuck to finish, on the paused clock.
const A_MINUTE: Duration = Duration::from_secs(60);

/// Takes every job left in the queue until it ends, as ids.
async fn drain(receiver: &mut JobReceiver) -> Vec<u64> {
    let mut ids = Vec::new();
    while let Some(job) = receiver.recv().await {
        ids.push(job.id.0);
    }
    ids
}

#[tokio::test]
async fn jobs_come_out_in_the_order_they_went_in() {
    let (sender, mut receiver) = queue(8);
    for id in 1..=5 {
        sender.submit(Job::new(id, "")).await.unwrap();
    }
    drop(sender);
    assert_eq!(drain(&mut receiver).await, [1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn try_submit_refuses_when_full_and_hands_the_job_back() {
    let (sender, mut receiver) = queue(2);
    sender.try_submit(Job::new(1, "")).unwrap();
    sender.try_submit(Job::new(2, "")).unwrap();
    assert_eq!(
        sender.try_submit(Job::new(3, "keep me")),
        Err(SubmitError::Full(Job::new(3, "keep me"))),
        "a queue of capacity 2 holding 2 jobs is full: `try_submit` must refuse and hand the \
         job back (is the channel unbounded?)"
    );
    assert_eq!(receiver.recv().await.map(|job| job.id.0), Some(1));
    assert_eq!(
        sender.try_submit(Job::new(3, "")),
        Ok(()),
        "taking a job out makes room for one more"
    );
}

#[tokio::test(start_paused = true)]
async fn submit_waits_while_the_queue_is_full() {
    let (sender, mut receiver) = queue(2);
    sender.submit(Job::new(1, "")).await.unwrap();
    sender.submit(Job::new(2, "")).await.unwrap();
    let mut producer = tokio::spawn(async move { sender.submit(Job::new(3, "")).await });
    assert!(
        timeout(A_MINUTE, &mut producer).await.is_err(),
        "the queue is full, so `submit` must wait for room instead of returning (backpressure)"
    );
    assert_eq!(receiver.recv().await.map(|job| job.id.0), Some(1));
    let submitted = timeout(A_MINUTE, producer)
        .await
        .expect("once a job is taken out, the waiting `submit` should finish")
        .unwrap();
    assert_eq!(submitted, Ok(()));
    assert_eq!(
        drain(&mut receiver).await,
        [2, 3],
        "the job that waited is queued after the others"
    );
}

#[tokio::test(start_paused = true)]
async fn recv_waits_for_a_job_while_a_sender_is_alive() {
    let (sender, mut receiver) = queue(2);
    assert!(
        timeout(A_MINUTE, receiver.recv()).await.is_err(),
        "an empty queue with a live sender is not finished: `recv` must wait, not return None"
    );
    sender.submit(Job::new(1, "")).await.unwrap();
    assert_eq!(receiver.recv().await.map(|job| job.id.0), Some(1));
}

#[tokio::test]
async fn many_producers_each_job_arrives_exactly_once() {
    let (sender, mut receiver) = queue(3);
    for producer in 0..4 {
        let sender = sender.clone();
        tokio::spawn(async move {
            for n in 0..50 {
                sender
                    .submit(Job::new(producer * 100 + n, ""))
                    .await
                    .unwrap();
            }
        });
    }
    // The queue ends when every sender is gone: the producers' clones and this one.
    drop(sender);
    let ids = drain(&mut receiver).await;
    let unique: BTreeSet<u64> = ids.iter().copied().collect();
    assert_eq!(ids.len(), 200, "4 producers sent 50 jobs each");
    assert_eq!(unique.len(), 200, "no job may arrive twice");
}

#[tokio::test]
async fn close_stops_intake_but_hands_out_what_was_queued() {
    let (sender, mut receiver) = queue(4);
    sender.submit(Job::new(1, "")).await.unwrap();
    sender.submit(Job::new(2, "")).await.unwrap();
    receiver.close();
    assert_eq!(
        sender.try_submit(Job::new(3, "late")),
        Err(SubmitError::Closed(Job::new(3, "late"))),
        "after `close`, `try_submit` refuses with Closed (not Full) and hands the job back"
    );
    assert_eq!(
        sender.submit(Job::new(4, "late")).await,
        Err(SubmitError::Closed(Job::new(4, "late"))),
        "after `close`, `submit` refuses with Closed and hands the job back"
    );
    assert_eq!(
        drain(&mut receiver).await,
        [1, 2],
        "closing must not drop the jobs already queued; then `recv` gives None"
    );
}

#[tokio::test(start_paused = true)]
async fn a_waiting_producer_gets_its_job_back_when_the_queue_closes() {
    let (sender, mut receiver) = queue(1);
    sender.submit(Job::new(1, "")).await.unwrap();
    let mut producer = tokio::spawn(async move { sender.submit(Job::new(2, "mine")).await });
    assert!(
        timeout(A_MINUTE, &mut producer).await.is_err(),
        "the queue is full, so the producer waits"
    );
    receiver.close();
    let submitted = timeout(A_MINUTE, producer)
        .await
        .expect("closing the queue must wake a producer that waits for room")
        .unwrap();
    assert_eq!(
        submitted,
        Err(SubmitError::Closed(Job::new(2, "mine"))),
        "the waiting producer learns the queue closed and gets its job back"
    );
    assert_eq!(drain(&mut receiver).await, [1]);
}

#[tokio::test]
async fn dropping_every_sender_ends_the_queue_after_the_last_job() {
    let (sender, mut receiver) = queue(4);
    let other = sender.clone();
    sender.submit(Job::new(1, "")).await.unwrap();
    other.submit(Job::new(2, "")).await.unwrap();
    drop(sender);
    drop(other);
    assert_eq!(
        drain(&mut receiver).await,
        [1, 2],
        "jobs sent before the senders were dropped are still delivered, then the queue ends"
    );
}

#[tokio::test]
async fn a_queue_of_capacity_zero_holds_one_job() {
    let (sender, _receiver) = queue(0);
    assert_eq!(
        sender.try_submit(Job::new(1, "")),
        Ok(()),
        "capacity 0 is treated as 1 (tokio's channel panics on 0)"
    );
    assert_eq!(
        sender.try_submit(Job::new(2, "")),
        Err(SubmitError::Full(Job::new(2, ""))),
        "and one job fills it"
    );
}
