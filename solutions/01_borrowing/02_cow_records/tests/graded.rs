//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate cow_records_solution as cow_records;

#[path = "../../../../exercises/01_borrowing/02_cow_records/tests/cow_records.rs"]
mod graded;
