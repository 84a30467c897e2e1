//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate parse_error_solution as parse_error;

#[path = "../../../../exercises/02_errors/01_parse_error/tests/parse_error.rs"]
mod graded;
