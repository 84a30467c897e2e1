//! Tokio queues, pools, timeouts, retries and shutdown: `ASYNC-n`.

pub mod bounded_queue;
pub mod retry;
pub mod shutdown;
pub mod spawn_blocking;
pub mod task_jobs;
pub mod timeouts;
pub mod worker_pool;
