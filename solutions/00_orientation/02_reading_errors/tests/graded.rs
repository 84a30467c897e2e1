//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate reading_errors_solution as reading_errors;

#[path = "../../../../exercises/00_orientation/02_reading_errors/tests/reading_errors.rs"]
mod graded;
