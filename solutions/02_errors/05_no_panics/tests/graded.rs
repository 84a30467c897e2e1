//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate no_panics_solution as no_panics;

#[path = "../../../../exercises/02_errors/05_no_panics/tests/no_panics.rs"]
mod graded;
