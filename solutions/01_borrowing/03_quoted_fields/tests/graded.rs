//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate quoted_fields_solution as quoted_fields;

#[path = "../../../../exercises/01_borrowing/03_quoted_fields/tests/quoted_fields.rs"]
mod graded;
