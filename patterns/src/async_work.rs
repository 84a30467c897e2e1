//! Tokio queues, pools, timeouts, retries and shutdown: `ASYNC-n`.

pub mod spawn_blocking;
