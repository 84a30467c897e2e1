//! # ASYNC-1: A bounded queue with backpressure
//!
//! ## Use when
//! Producers hand work to consumers through a queue (uploads to import workers, events to a
//! writer), and producers can at times be faster than consumers.
//!
//! ## Why
//! A queue with a fixed capacity turns "the workers are behind" into a signal the producer
//! feels: `submit` waits while the queue is full (backpressure), so memory holds at most
//! `capacity` waiting items however large the burst. A caller that must not wait uses
//! `try_submit` and gets the item back with `Full`, to answer "busy, try later". Closing the
//! queue from the receiving side (`Receiver::close`) stops intake and still hands out every
//! item already queued, so nothing accepted is lost. Refused items always come back inside
//! the error: the caller decides what happens to them.
//!
//! ## Avoid
//! `mpsc::unbounded_channel` for work that can pile up. Its `send` never waits and never
//! refuses, so nothing tells the producers to slow down: the queue, and the process's memory,
//! grow without limit until the process is killed, losing everything in it. No lint catches
//! it; the test `an_unbounded_channel_never_pushes_back` below shows the difference.
//!
//! Also avoid dropping the receiver to stop intake: that drops every queued item with it.
//! And know that `Sender::send` is not cancel-safe: a `submit` future dropped while it waits
//! (it lost a `select!`, a `timeout` ran out) drops its item. Use `Sender::reserve` first when
//! the item must survive the wait.
//!
//! ## Steps
//! - `05_async/02_bounded_queue`
//! - `05_async/03_worker_pool`

use tokio::sync::mpsc::{self, error::TrySendError};

/// Why the queue did not take an item. The item comes back inside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused<T> {
    /// The queue is full (only from [`Intake::try_submit`]).
    Full(T),
    /// The queue is closed.
    Closed(T),
}

/// The sending side of a bounded queue. Clone it for each producer.
#[derive(Debug, Clone)]
pub struct Intake<T> {
    sender: mpsc::Sender<T>,
}

/// A queue with room for `capacity` waiting items (at least 1: tokio's channel panics on 0).
pub fn bounded<T>(capacity: usize) -> (Intake<T>, mpsc::Receiver<T>) {
    let (sender, receiver) = mpsc::channel(capacity.max(1));
    (Intake { sender }, receiver)
}

impl<T> Intake<T> {
    /// Queues `item`, waiting while the queue is full.
    ///
    /// # Errors
    ///
    /// [`Refused::Closed`] with the item when the queue is closed, also while waiting.
    pub async fn submit(&self, item: T) -> Result<(), Refused<T>> {
        self.sender
            .send(item)
            .await
            .map_err(|error| Refused::Closed(error.0))
    }

    /// Queues `item` only if there is room now.
    ///
    /// # Errors
    ///
    /// [`Refused::Full`] or [`Refused::Closed`] with the item.
    pub fn try_submit(&self, item: T) -> Result<(), Refused<T>> {
        self.sender.try_send(item).map_err(|error| match error {
            TrySendError::Full(item) => Refused::Full(item),
            TrySendError::Closed(item) => Refused::Closed(item),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::time::timeout;

    use super::*;

    const A_MINUTE: Duration = Duration::from_secs(60);

    // Paused time: the clock jumps ahead only when every task waits, so a timeout that
    // expires proves the producer is stuck, in no real time.
    #[tokio::test(start_paused = true)]
    async fn a_full_queue_makes_the_producer_wait() {
        let (intake, mut receiver) = bounded(1);
        intake.submit(1).await.unwrap();
        let mut producer = tokio::spawn(async move { intake.submit(2).await });
        assert!(timeout(A_MINUTE, &mut producer).await.is_err(), "waiting");
        assert_eq!(receiver.recv().await, Some(1));
        assert_eq!(producer.await.unwrap(), Ok(()), "room made, item queued");
        assert_eq!(receiver.recv().await, Some(2));
    }

    #[tokio::test]
    async fn try_submit_hands_the_item_back_and_close_drains() {
        let (intake, mut receiver) = bounded(1);
        intake.try_submit("a").unwrap();
        assert_eq!(intake.try_submit("b"), Err(Refused::Full("b")));
        receiver.close();
        assert_eq!(intake.submit("c").await, Err(Refused::Closed("c")));
        assert_eq!(
            receiver.recv().await,
            Some("a"),
            "queued items survive close"
        );
        assert_eq!(receiver.recv().await, None);
    }

    #[tokio::test]
    async fn an_unbounded_channel_never_pushes_back() {
        let (sender, _receiver) = mpsc::unbounded_channel();
        for n in 0..100_000 {
            // Never waits, never refuses: all of it sits in memory.
            assert!(sender.send(n).is_ok());
        }
    }
}
