//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate buf_read_solution as buf_read;

#[path = "../../../../exercises/03_streaming/01_buf_read/tests/buf_read.rs"]
mod graded;
