//! Which job each task of a `JoinSet` runs: the one map ASYNC-2 and ASYNC-5 share.
//!
//! A task that panics or is aborted comes back from `join_next_with_id` as a `JoinError` that
//! knows its task id and nothing else. This map turns the id back into the job, so the failure
//! is that job's.
//!
//! The invariant, stated here once: a task's job is recorded by [`TaskJobs::spawned`] right
//! after `spawn`, before the loop awaits anything, so it is recorded before the `JoinSet` can
//! hand the task back; and a `JoinSet` hands back each task once. So [`TaskJobs::finished`]
//! always finds the job. A miss is a bug in the loop that drives the set, and it panics:
//! rejected, skipping the task silently, which would drop a job from every list of a report
//! that promises to account for each job.

use std::collections::HashMap;

use tokio::task;

/// The job of each running task, by task id.
#[derive(Debug)]
pub struct TaskJobs<J> {
    jobs: HashMap<task::Id, J>,
}

impl<J> Default for TaskJobs<J> {
    fn default() -> Self {
        TaskJobs {
            jobs: HashMap::new(),
        }
    }
}

impl<J> TaskJobs<J> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the job of a task just spawned. Call it before the next `.await`.
    pub fn spawned(&mut self, task: task::Id, job: J) {
        self.jobs.insert(task, job);
    }

    /// Takes out the job of a task that ended.
    ///
    /// # Panics
    ///
    /// When the task was not recorded, or is asked for twice: see the invariant in the module
    /// documentation.
    pub fn finished(&mut self, task: task::Id) -> J {
        // Invariant: see the module documentation.
        #[allow(clippy::expect_used)]
        self.jobs
            .remove(&task)
            .expect("every task's job is recorded at spawn and taken once")
    }
}

#[cfg(test)]
mod tests {
    use tokio::task::JoinSet;

    use super::*;

    #[tokio::test]
    async fn a_panicked_task_gives_back_its_job() {
        let mut running = JoinSet::new();
        let mut jobs = TaskJobs::new();
        for job in ["a", "b"] {
            let task = running.spawn(async move {
                assert_ne!(job, "b", "job b panics");
            });
            jobs.spawned(task.id(), job);
        }
        let mut failed = Vec::new();
        while let Some(joined) = running.join_next_with_id().await {
            match joined {
                Ok((task, ())) => assert_eq!(jobs.finished(task), "a"),
                Err(error) => failed.push(jobs.finished(error.id())),
            }
        }
        assert_eq!(failed, ["b"]);
    }
}
