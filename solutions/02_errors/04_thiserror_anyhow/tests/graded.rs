//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate thiserror_anyhow_solution as thiserror_anyhow;

#[path = "../../../../exercises/02_errors/04_thiserror_anyhow/tests/thiserror_anyhow.rs"]
mod graded;
