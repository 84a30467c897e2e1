//! # STATE-2: An actor with oneshot replies
//!
//! ## Use when
//! Async tasks share state that needs async work to update (I/O, timers), or whose fields
//! must change together, or that many tasks update at once: a job status store, a connection
//! registry, a rate limiter. For a quick synchronous update a mutex is simpler (STATE-1).
//!
//! ## Why
//! One task owns the state outright and nobody else can reach it, so there is no lock to
//! hold too long or to poison. Everybody else sends it commands through a **bounded** mpsc
//! channel (its mailbox): when the actor falls behind, senders wait instead of growing memory.
//! A question carries the sending half of a `oneshot` channel; the asker awaits the other
//! half. The mailbox is first in, first out, so a question sent after an update is answered
//! after it. Callers see a small cloneable handle with one async method per command. When the
//! actor is gone, `send` fails: callers get an error, never a hang. The actor stops by itself
//! when the last handle is dropped.
//!
//! ## Avoid
//! Sharing the state as `Arc<std::sync::Mutex<_>>` and holding the guard across an `.await`.
//! While the task waits, the lock stays held: every other task that locks blocks its worker
//! thread, and on a single-threaded runtime the program deadlocks. Clippy's
//! `await_holding_lock` flags it, and the future is not `Send` (a `MutexGuard` must stay on
//! its thread), so `tokio::spawn` rejects it:
//!
//! ```compile_fail,E0277
//! use std::sync::Mutex;
//!
//! async fn save(_total: u64) {}
//!
//! async fn add(total: &Mutex<u64>, n: u64) {
//!     let mut guard = total.lock().unwrap();
//!     *guard += n;
//!     save(*guard).await; // the guard is still alive here
//! }
//!
//! fn spawnable<F: std::future::Future + Send>(_: F) {}
//!
//! fn check(total: &'static Mutex<u64>) {
//!     spawnable(add(total, 1)); // `MutexGuard<u64>` cannot be sent between threads
//! }
//! ```
//!
//! ## Steps
//! - `05_async/07_status_actor`

use std::collections::HashMap;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A worker is running it.
    Running,
    /// It is finished.
    Done,
}

/// The actor has stopped (it panicked or was aborted): nobody keeps the statuses any more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the status actor has stopped")]
pub struct ActorStopped;

/// What the actor can be asked to do. A question carries a `oneshot` sender for its answer.
#[derive(Debug)]
enum Command {
    Set {
        id: u64,
        status: Status,
    },
    Get {
        id: u64,
        reply: oneshot::Sender<Option<Status>>,
    },
}

/// A handle to the actor. A clone is another sender into the same mailbox.
#[derive(Debug, Clone)]
pub struct Statuses {
    mailbox: mpsc::Sender<Command>,
}

impl Statuses {
    /// Starts the actor with room for `capacity` waiting commands (at least one). The
    /// returned `JoinHandle` finishes once every handle is dropped.
    ///
    /// # Panics
    ///
    /// When called outside a tokio runtime.
    pub fn spawn(capacity: usize) -> (Statuses, JoinHandle<()>) {
        let (mailbox, commands) = mpsc::channel(capacity.max(1));
        (Statuses { mailbox }, tokio::spawn(run(commands)))
    }

    /// Records `status` for job `id`. Returns once the command is in the mailbox, which is
    /// enough: anything asked afterwards is answered after this update.
    ///
    /// # Errors
    ///
    /// [`ActorStopped`] when the actor is gone.
    pub async fn set(&self, id: u64, status: Status) -> Result<(), ActorStopped> {
        self.mailbox
            .send(Command::Set { id, status })
            .await
            .map_err(|_| ActorStopped)
    }

    /// The status of job `id`, or `None` for a job the actor does not know.
    ///
    /// # Errors
    ///
    /// [`ActorStopped`] when the actor is gone.
    pub async fn get(&self, id: u64) -> Result<Option<Status>, ActorStopped> {
        let (reply, answer) = oneshot::channel();
        self.mailbox
            .send(Command::Get { id, reply })
            .await
            .map_err(|_| ActorStopped)?;
        // The reply sender is dropped unanswered only if the actor dies mid-command.
        answer.await.map_err(|_| ActorStopped)
    }
}

/// The actor: the only code that touches the map, one command at a time.
async fn run(mut commands: mpsc::Receiver<Command>) {
    let mut statuses = HashMap::new();
    // `recv` returns `None` once every handle is dropped and the mailbox is empty.
    while let Some(command) = commands.recv().await {
        match command {
            Command::Set { id, status } => {
                statuses.insert(id, status);
            }
            Command::Get { id, reply } => {
                // The asker may have stopped waiting (a timeout): not the actor's problem.
                let _ = reply.send(statuses.get(&id).copied());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_question_is_answered_after_the_updates_sent_before_it() {
        let (statuses, _actor) = Statuses::spawn(4);
        statuses.set(1, Status::Running).await.unwrap();
        statuses.set(1, Status::Done).await.unwrap();
        assert_eq!(statuses.get(1).await, Ok(Some(Status::Done)));
        assert_eq!(statuses.get(2).await, Ok(None), "an unknown job");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn many_tasks_update_through_one_small_mailbox() {
        let (statuses, _actor) = Statuses::spawn(2);
        let mut tasks = tokio::task::JoinSet::new();
        for worker in 0..8 {
            let statuses = statuses.clone();
            tasks.spawn(async move {
                for job in 0..50 {
                    statuses
                        .set(worker * 100 + job, Status::Done)
                        .await
                        .unwrap();
                }
            });
        }
        while let Some(task) = tasks.join_next().await {
            task.unwrap();
        }
        for worker in 0..8 {
            for job in 0..50 {
                let id = worker * 100 + job;
                assert_eq!(statuses.get(id).await, Ok(Some(Status::Done)), "job {id}");
            }
        }
    }

    #[tokio::test]
    async fn the_actor_stops_when_the_last_handle_is_dropped() {
        let (statuses, actor) = Statuses::spawn(4);
        let other = statuses.clone();
        drop(statuses);
        other.set(1, Status::Done).await.unwrap();
        drop(other);
        actor.await.unwrap(); // finishes: no handle can send any more
    }

    #[tokio::test]
    async fn a_stopped_actor_is_an_error_not_a_hang() {
        let (statuses, actor) = Statuses::spawn(4);
        actor.abort();
        assert!(actor.await.unwrap_err().is_cancelled());
        assert_eq!(statuses.set(1, Status::Done).await, Err(ActorStopped));
        assert_eq!(statuses.get(1).await, Err(ActorStopped));
    }
}
