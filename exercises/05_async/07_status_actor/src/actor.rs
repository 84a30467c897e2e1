//! Step 5.7: the job status store as an actor.
//!
//! Step 4.3 shared one `HashMap` between threads behind `Arc<Mutex<_>>` ([`crate::status`],
//! kept for comparison; the two share its `Status` and `StatusCounts`). Here one task owns
//! the map outright, and everybody else sends it commands through a bounded channel (its
//! *mailbox*); a question carries a `oneshot` sender for the answer. No lock exists, so no
//! task can hold one across an `.await`, and the map's invariants live in one loop.
//!
//! Rejected alternative: `Arc<tokio::sync::Mutex<HashMap>>`. It works, but every caller then
//! writes its own critical section, and one that awaits inside it stalls every other caller.
//! (A `std::sync::Mutex` with short sections, as in STATE-1, is also fine for a map this
//! simple; the lesson compares the two.)

use std::collections::HashMap;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::job::JobId;
use crate::status::{Status, StatusCounts};

/// The actor is gone (its task panicked or was aborted), so nobody keeps statuses any more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the status actor has stopped")]
pub struct ActorStopped;

/// A message in the actor's mailbox. A question carries the sending half of a `oneshot`
/// channel: the actor answers on it, and the asker awaits the receiving half.
#[derive(Debug)]
enum Command {
    Set {
        id: JobId,
        status: Status,
    },
    Get {
        id: JobId,
        reply: oneshot::Sender<Option<Status>>,
    },
    Remove {
        id: JobId,
        reply: oneshot::Sender<Option<Status>>,
    },
    Counts {
        reply: oneshot::Sender<StatusCounts>,
    },
}

/// A handle to the status actor. Clone it for every task that needs it: a clone is another
/// sender into the same mailbox. The actor stops when the last handle is dropped.
#[derive(Debug, Clone)]
pub struct StatusHandle {
    mailbox: mpsc::Sender<Command>,
}

impl StatusHandle {
    /// Starts the actor with room for `capacity` waiting commands (at least 1), and returns
    /// a handle to it and the actor task's handle (which ends when every `StatusHandle` is
    /// dropped).
    ///
    /// # Panics
    ///
    /// When called outside a tokio runtime.
    pub fn spawn(capacity: usize) -> (StatusHandle, JoinHandle<()>) {
        // Bounded, like every queue in this worker: when the actor falls behind, senders wait
        // (backpressure) instead of growing the mailbox without limit.
        let (mailbox, commands) = mpsc::channel(capacity.max(1));
        let actor = tokio::spawn(run(commands));
        (StatusHandle { mailbox }, actor)
    }

    /// Records `status` for job `id`.
    ///
    /// Returns once the command is in the mailbox, not once it is applied. That is enough:
    /// the mailbox is first in, first out, so any question sent after this returns is
    /// answered after the update.
    ///
    /// # Errors
    ///
    /// [`ActorStopped`] when the actor is gone.
    pub async fn set(&self, id: JobId, status: Status) -> Result<(), ActorStopped> {
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
    pub async fn status(&self, id: JobId) -> Result<Option<Status>, ActorStopped> {
        // TODO: ask the actor and return its answer (`a_status_that_was_set_can_be_read_back`).
        // An actor that is gone is `ActorStopped`, never a panic or a wait forever
        // (`a_stopped_actor_is_an_error_not_a_panic`).
        todo!("ask the actor for the status of {id}")
    }

    /// Forgets job `id` and returns its last status.
    ///
    /// # Errors
    ///
    /// [`ActorStopped`] when the actor is gone.
    pub async fn remove(&self, id: JobId) -> Result<Option<Status>, ActorStopped> {
        // TODO: like `status` (`remove_returns_the_last_status_and_forgets_the_job`).
        todo!("ask the actor to remove {id}")
    }

    /// How many jobs are in each status.
    ///
    /// # Errors
    ///
    /// [`ActorStopped`] when the actor is gone.
    pub async fn counts(&self) -> Result<StatusCounts, ActorStopped> {
        // TODO: like `status` (`counts_add_up_every_status`).
        todo!("ask the actor for the counts")
    }
}

/// The actor: owns the map and answers commands one at a time until every handle is gone.
async fn run(mut commands: mpsc::Receiver<Command>) {
    let mut statuses: HashMap<JobId, Status> = HashMap::new();
    // `recv` returns `None` once every sender (every `StatusHandle`) is dropped and the
    // mailbox is empty: the actor's natural end, with no shutdown message needed.
    while let Some(command) = commands.recv().await {
        // Never `.await` in here on anything slow: while the actor waits, nobody gets an
        // answer. Each arm is one map operation.
        match command {
            Command::Set { id, status } => {
                statuses.insert(id, status);
            }
            // TODO: answer each question from the map. An asker that stopped waiting must not
            // stop the actor: the others still need it
            // (`updates_from_many_tasks_through_cloned_handles_are_all_kept`).
            question => todo!("answer {question:?}"),
        }
    }
}

fn count(statuses: &HashMap<JobId, Status>) -> StatusCounts {
    let mut counts = StatusCounts::default();
    for status in statuses.values() {
        match status {
            Status::Queued => counts.queued += 1,
            Status::Running => counts.running += 1,
            Status::Done => counts.done += 1,
            Status::Failed(_) => counts.failed += 1,
        }
    }
    counts
}
