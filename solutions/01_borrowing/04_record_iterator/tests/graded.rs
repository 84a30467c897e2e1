//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate record_iterator_solution as record_iterator;

#[path = "../../../../exercises/01_borrowing/04_record_iterator/tests/record_iterator.rs"]
mod graded;
