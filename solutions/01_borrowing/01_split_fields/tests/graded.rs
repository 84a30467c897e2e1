//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate split_fields_solution as split_fields;

#[path = "../../../../exercises/01_borrowing/01_split_fields/tests/split_fields.rs"]
mod graded;
