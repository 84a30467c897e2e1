//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate graceful_shutdown_solution as graceful_shutdown;

#[path = "../../../../exercises/05_async/06_graceful_shutdown/tests/graceful_shutdown.rs"]
mod graded;
