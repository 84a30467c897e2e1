//! Tokio queues, pools, timeouts, retries and shutdown: `ASYNC-n`.

pub mod retry;
pub mod shutdown;
