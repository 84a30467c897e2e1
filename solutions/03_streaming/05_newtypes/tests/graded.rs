//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate newtypes_solution as newtypes;

#[path = "../../../../exercises/03_streaming/05_newtypes/tests/newtypes.rs"]
mod graded;
