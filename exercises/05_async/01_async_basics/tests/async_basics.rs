//! The graded tests of step 5.1. Read them: they are the specification.
//!
//! The tests that need time run with `start_paused = true`: tokio's clock stands still and
//! jumps ahead whenever every task is waiting, so `sleep(30s)` takes no real time and a test
//! can measure exactly how long a batch took on that clock.

use std::time::Duration;

use tokio::time::{Instant, sleep};

use async_basics::job::{Job, JobError, JobId};
use async_basics::tasks::{Summary, process, run_all, run_all_with, task_failure};
use async_basics::thread_pool::JobResult;

/// The ids of the answers, in the order they came back.
fn ids<T>(answers: &[JobResult<T>]) -> Vec<u64> {
    answers.iter().map(|answer| answer.id.0).collect()
}

#[tokio::test]
async fn process_counts_the_records_of_the_payload() {
    let summary = process(Job::new(1, "id,name\n1,Ada\n2,Grace,extra\n")).await;
    assert_eq!(
        summary,
        Ok(Summary {
            records: 3,
            widest: 3
        }),
        "three records (the header counts), the widest with 3 fields"
    );
}

#[tokio::test]
async fn an_empty_payload_is_a_permanent_error() {
    for payload in ["", "\n\r\n\n"] {
        assert_eq!(
            process(Job::new(7, payload)).await,
            Err(JobError::Permanent("job 7 has no records".to_string())),
            "the payload {payload:?} holds no records: trying again cannot help"
        );
    }
}

#[tokio::test]
async fn run_all_answers_every_job_in_job_order() {
    let jobs = vec![
        Job::new(3, "a,b\n1,2\n"),
        Job::new(1, ""),
        Job::new(2, "x\n"),
    ];
    let answers = run_all(jobs).await;
    assert_eq!(
        answers,
        vec![
            JobResult {
                id: JobId(3),
                result: Ok(Summary {
                    records: 2,
                    widest: 2
                })
            },
            JobResult {
                id: JobId(1),
                result: Err(JobError::Permanent("job 1 has no records".to_string()))
            },
            JobResult {
                id: JobId(2),
                result: Ok(Summary {
                    records: 1,
                    widest: 1
                })
            },
        ],
        "one answer per job, in the order of the jobs, errors included"
    );
}

#[tokio::test]
async fn no_jobs_no_answers() {
    assert!(run_all(Vec::new()).await.is_empty());
}

#[tokio::test(start_paused = true)]
async fn the_jobs_run_at_the_same_time() {
    let start = Instant::now();
    let jobs = (1..=3).map(|id| Job::new(id, "")).collect();
    let answers = run_all_with(jobs, |job: Job| async move {
        sleep(Duration::from_secs(10 * job.id.0)).await;
        Ok(job.id.0)
    })
    .await;
    assert_eq!(ids(&answers), [1, 2, 3]);
    let took = start.elapsed();
    assert_eq!(
        took,
        Duration::from_secs(30),
        "jobs of 10s, 20s and 30s that run at the same time take 30s; one after another they \
         take 60s. Spawn every task first, then await the handles"
    );
}

#[tokio::test(start_paused = true)]
async fn answers_keep_job_order_when_later_jobs_finish_first() {
    let jobs = (1..=4).map(|id| Job::new(id, "")).collect();
    let answers = run_all_with(jobs, |job: Job| async move {
        // Job 1 is the slowest, job 4 the quickest.
        sleep(Duration::from_secs(10 * (5 - job.id.0))).await;
        Ok(job.id.0 * 100)
    })
    .await;
    assert_eq!(
        ids(&answers),
        [1, 2, 3, 4],
        "answers come back in the order of the jobs, not the order the tasks finished"
    );
    let results: Vec<_> = answers.into_iter().map(|answer| answer.result).collect();
    assert_eq!(results, [Ok(100), Ok(200), Ok(300), Ok(400)]);
}

#[tokio::test]
async fn a_panicking_job_is_answered_and_the_others_still_run() {
    let jobs = (1..=3).map(|id| Job::new(id, "")).collect();
    let answers = run_all_with(jobs, |job: Job| async move {
        if job.id.0 == 2 {
            panic!("cannot handle {}", job.id);
        }
        Ok(job.id.0)
    })
    .await;
    assert_eq!(
        ids(&answers),
        [1, 2, 3],
        "every job is answered, even after a panic"
    );
    assert_eq!(answers[0].result, Ok(1));
    assert_eq!(
        answers[1].result,
        Err(JobError::Permanent(
            "handler panicked: cannot handle job 2".to_string()
        )),
        "a task's panic comes back as a JoinError: answer it with `task_failure`"
    );
    assert_eq!(answers[2].result, Ok(3));
}

#[tokio::test]
async fn a_panic_is_a_permanent_failure() {
    let panicked = tokio::spawn(async { panic!("bad row format") }).await;
    let error = panicked.expect_err("the task panicked, so awaiting it gives a JoinError");
    assert_eq!(
        task_failure(error),
        JobError::Permanent("handler panicked: bad row format".to_string()),
        "a panic is a bug in the handler: running the job again hits it again"
    );
}

#[tokio::test]
async fn a_cancelled_task_is_a_retryable_failure() {
    let task = tokio::spawn(std::future::pending::<()>());
    task.abort();
    let error = task
        .await
        .expect_err("an aborted task ends without output, so awaiting it gives a JoinError");
    assert!(error.is_cancelled());
    assert_eq!(
        task_failure(error),
        JobError::Retryable("task was cancelled".to_string()),
        "a cancelled job did not fail, it was stopped: another attempt may work"
    );
}
