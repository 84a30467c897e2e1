//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate limits_solution as limits;

#[path = "../../../../exercises/03_streaming/03_limits/tests/limits.rs"]
mod graded;
