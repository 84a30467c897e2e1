//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate timeouts_solution as timeouts;

#[path = "../../../../exercises/05_async/04_timeouts/tests/timeouts.rs"]
mod graded;
