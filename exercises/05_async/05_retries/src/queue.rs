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

use tokio::sync::mpsc::{self, error::TrySendError};

use crate::job::Job;
use crate::thread_pool::SubmitError;

/// Makes a job queue with room for `capacity` jobs waiting to be taken, at least 1.
///
/// `capacity` 0 is treated as 1: tokio's bounded channel needs room for one message (it
/// panics on 0), and unlike `std::sync::mpsc::sync_channel(0)` it has no hand-over mode.
pub fn queue(capacity: usize) -> (JobSender, JobReceiver) {
    let (sender, receiver) = mpsc::channel(capacity.max(1));
    (JobSender { sender }, JobReceiver { receiver })
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
        // `send` waits for a free slot: the backpressure. It fails only when the queue is
        // closed, and then hands the job back.
        self.sender
            .send(job)
            .await
            .map_err(|error| SubmitError::Closed(error.0))
    }

    /// Queues `job` if there is room right now, and gives it back if not.
    ///
    /// # Errors
    ///
    /// [`SubmitError::Full`] with the job when the queue is full, [`SubmitError::Closed`] with
    /// the job when it is closed.
    pub fn try_submit(&self, job: Job) -> Result<(), SubmitError> {
        self.sender.try_send(job).map_err(|error| match error {
            TrySendError::Full(job) => SubmitError::Full(job),
            TrySendError::Closed(job) => SubmitError::Closed(job),
        })
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
        self.receiver.recv().await
    }

    /// Stops intake without losing a job. Every later submit fails with
    /// [`SubmitError::Closed`], a producer waiting for room gets its job back the same way,
    /// and [`JobReceiver::recv`] still hands out every job already queued.
    pub fn close(&mut self) {
        // Rejected: dropping the receiver. That also stops intake, but the jobs still queued
        // are dropped with it.
        self.receiver.close();
    }
}
