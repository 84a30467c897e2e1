//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate sync_channel_pool_solution as sync_channel_pool;

#[path = "../../../../exercises/04_threads/02_sync_channel_pool/tests/sync_channel_pool.rs"]
mod graded;
