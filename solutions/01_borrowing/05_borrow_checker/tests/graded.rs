//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate borrow_checker_solution as borrow_checker;

#[path = "../../../../exercises/01_borrowing/05_borrow_checker/tests/borrow_checker.rs"]
mod graded;
