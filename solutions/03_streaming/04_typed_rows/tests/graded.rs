//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate typed_rows_solution as typed_rows;

#[path = "../../../../exercises/03_streaming/04_typed_rows/tests/typed_rows.rs"]
mod graded;
