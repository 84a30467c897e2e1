//! Tokio queues, pools, timeouts, retries and shutdown: `ASYNC-n`.
