//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate retries_notify_solution as retries_notify;

#[path = "../../../../exercises/07_postgres/03_retries_notify/tests/retries_notify.rs"]
mod graded;
