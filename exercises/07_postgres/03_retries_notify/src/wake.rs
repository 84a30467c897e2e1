//! Step 7.3: `LISTEN`/`NOTIFY` wakes an idle worker, with a slow poll as the fallback.
//!
//! An idle worker that polls the table every 100 ms costs the database ten queries a second
//! per worker, all day; one that polls every minute leaves a new upload waiting a minute. So
//! the worker *listens*: the table's trigger sends a notification when a job is committed, and
//! the worker wakes at once. It still polls, slowly: a notification is not stored anywhere, so
//! one sent while the worker's connection was down is lost, and a job retried with a later
//! `run_at` sends none at all.

use std::future::poll_fn;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, Client, Config, NoTls};

/// Why [`JobWaker::wait`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// A job was committed: look for it now.
    Notified,
    /// The poll interval passed without a notification: look anyway.
    Poll,
    /// The listening connection is gone: reconnect (and look, in case a job came meanwhile).
    Disconnected,
}

/// Waits for work: a notification on the `jobs` channel, or the poll interval.
pub struct JobWaker {
    /// Kept open: `LISTEN` lasts as long as the session that issued it.
    _client: Client,
    notifications: mpsc::Receiver<()>,
    poll: Duration,
}

impl JobWaker {
    /// Opens a connection of its own that listens on the `jobs` channel.
    ///
    /// # Errors
    ///
    /// The database's error when connecting or `LISTEN` fails.
    pub async fn listen(
        config: &Config,
        poll: Duration,
    ) -> Result<JobWaker, tokio_postgres::Error> {
        let (client, mut connection) = config.connect(NoTls).await?;
        // Capacity 1 and `try_send`: ten notifications while the worker is busy make one wake,
        // not ten. The worker claims until no job is left anyway, so one wake is enough.
        let (wake, notifications) = mpsc::channel(1);
        tokio::spawn(async move {
            // Notifications arrive through the connection, not the client: this task drives
            // the connection and forwards them. It ends when the connection does, and the
            // dropped sender then tells the waker.
            while let Some(message) = poll_fn(|cx| connection.poll_message(cx)).await {
                match message {
                    Ok(AsyncMessage::Notification(_)) => {
                        let _ = wake.try_send(());
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
        });
        client.batch_execute("LISTEN jobs").await?;
        Ok(JobWaker {
            _client: client,
            notifications,
            poll,
        })
    }

    /// Waits until a job may be waiting: a notification, or the poll interval without one.
    pub async fn wait(&mut self) -> Wake {
        // TODO (step 7.3): answer `Notified` as soon as a notification arrives on
        // `self.notifications` (test `a_committed_job_wakes_a_listening_worker`), `Poll` when
        // `self.poll` has passed without one (test
        // `without_a_notification_the_worker_still_polls`), and `Disconnected` at once when the
        // channel is closed (test
        // `a_lost_listening_connection_is_reported`).
        let _ = (&mut self.notifications, self.poll);
        todo!("wait for a notification or the poll interval")
    }
}
