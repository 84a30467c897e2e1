//! The graded tests of step 5.7. Read them: they are the specification.
//!
//! The actor needs no clock, so most tests run on a plain `#[tokio::test]` runtime (one
//! thread). The test with many tasks uses a runtime with several threads, so the tasks really
//! do send at the same time.

use std::thread;

use status_actor::actor::{ActorStopped, StatusHandle};
use status_actor::job::{Job, JobError, JobId};
use status_actor::status::{Status, StatusCounts};
use status_actor::tasks::{Summary, process, run_blocking};

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
