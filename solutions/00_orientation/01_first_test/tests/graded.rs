//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate first_test_solution as first_test;

#[path = "../../../../exercises/00_orientation/01_first_test/tests/first_test.rs"]
mod graded;
