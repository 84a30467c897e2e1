//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate worker_pool_solution as worker_pool;

#[path = "../../../../exercises/05_async/03_worker_pool/tests/worker_pool.rs"]
mod graded;
