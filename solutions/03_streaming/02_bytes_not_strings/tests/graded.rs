//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate bytes_not_strings_solution as bytes_not_strings;

#[path = "../../../../exercises/03_streaming/02_bytes_not_strings/tests/bytes_not_strings.rs"]
mod graded;
