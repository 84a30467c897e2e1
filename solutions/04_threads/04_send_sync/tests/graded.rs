//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate send_sync_solution as send_sync;

#[path = "../../../../exercises/04_threads/04_send_sync/tests/send_sync.rs"]
mod graded;
