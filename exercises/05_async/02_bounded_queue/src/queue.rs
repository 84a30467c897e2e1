//! Step 5.2: a bounded job queue with backpressure, on tokio's `mpsc` channel.
//!
//! The queue has room for a fixed number of jobs. When it is full, [`JobSender::submit`]
//! waits until a job is taken out: that wait is the backpressure that keeps a burst of uploads
//! from filling memory. [`JobSender::try_submit`] refuses instead of waiting, for callers that
//! would rather answer "busy, try later" (an HTTP 503) than hold a connection open. Closing
//! the queue stops intake, and every job already in it is still handed out.
//!
//! Rejected: `mpsc::unbounded_channel`. Its `send` never waits, so nothing ever tells the
//! producers to slow down, and a burst that the workers cannot keep up with grows the queue,
//! and the process's memory, without limit.

use tokio::sync::mpsc;
// TODO: you will need `tokio::sync::mpsc::error::TrySendError`.

use crate::job::Job;
use crate::thread_pool::SubmitError;

/// Makes a job queue with room for `capacity` jobs waiting to be taken, at least 1.
///
/// `capacity` 0 is treated as 1: tokio's bounded channel needs room for one message (it
/// panics on 0), and unlike `std::sync::mpsc::sync_channel(0)` it has no hand-over mode.
pub fn queue(capacity: usize) -> (JobSender, JobReceiver) {
    // TODO: a queue with room for `capacity` waiting jobs, and for one when `capacity` is 0
    // (`a_queue_of_capacity_zero_holds_one_job`; read the `# Panics` section of tokio's
    // `mpsc::channel`).
    let _ = capacity;
    todo!("make a bounded channel with room for at least one job")
}

/// The sending side of a job queue. Clone it to give each producer its own; the queue ends
/// when every clone is dropped (or the receiver closes it).
#[derive(Debug, Clone)]
pub struct JobSender {
    sender: mpsc::Sender<Job>,
}

impl JobSender {
    /// Queues `job`, waiting while the queue is full.
    ///
    /// # Errors
    ///
    /// [`SubmitError::Closed`] with the job when the queue is closed, also when it closes while
    /// this call is waiting for room.
    ///
    /// # Cancel safety
    ///
    /// If this future is dropped while it waits for room (it lost a `tokio::select!`, or a
    /// `tokio::time::timeout` ran out), the job is dropped with it. A caller that must not lose
    /// the job awaits `submit` to the end, or calls [`JobSender::try_submit`], which hands the
    /// job back when there is no room.
    pub async fn submit(&self, job: Job) -> Result<(), SubmitError> {
        // TODO: wait while the queue is full (`submit_waits_while_the_queue_is_full`); a closed
        // queue hands the job back (`a_waiting_producer_gets_its_job_back_when_the_queue_closes`).
        let _ = (&self.sender, job);
        todo!("send the job, waiting for room")
    }

    /// Queues `job` if there is room right now, and gives it back if not.
    ///
    /// # Errors
    ///
    /// [`SubmitError::Full`] with the job when the queue is full, [`SubmitError::Closed`] with
    /// the job when it is closed.
    pub fn try_submit(&self, job: Job) -> Result<(), SubmitError> {
        // TODO: never wait: a full or closed queue hands the job back at once, saying which
        // (`try_submit_refuses_when_full_and_hands_the_job_back`).
        let _ = (&self.sender, job);
        todo!("try to send the job without waiting")
    }
}

/// The receiving side of a job queue. There is one: a job is taken out exactly once.
#[derive(Debug)]
pub struct JobReceiver {
    receiver: mpsc::Receiver<Job>,
}

impl JobReceiver {
    /// The next job, waiting while the queue is empty. `None` once the queue is closed (every
    /// sender dropped, or [`JobReceiver::close`]) *and* every job in it has been taken.
    pub async fn recv(&mut self) -> Option<Job> {
        // TODO: the next job, waiting while the queue is empty; `None` once it is closed or
        // every sender is gone, and empty (`recv_waits_for_a_job_while_a_sender_is_alive`).
        let _ = &mut self.receiver;
        todo!("receive the next job")
    }

    /// Stops intake without losing a job. Every later submit fails with
    /// [`SubmitError::Closed`], a producer waiting for room gets its job back the same way,
    /// and [`JobReceiver::recv`] still hands out every job already queued.
    pub fn close(&mut self) {
        // TODO: as the doc comment says; the jobs already queued must survive
        // (`close_stops_intake_but_hands_out_what_was_queued`).
        let _ = &mut self.receiver;
        todo!("close the channel")
    }
}
