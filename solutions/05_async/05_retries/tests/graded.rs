//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate retries_solution as retries;

#[path = "../../../../exercises/05_async/05_retries/tests/retries.rs"]
mod graded;
