//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate scoped_threads_solution as scoped_threads;

#[path = "../../../../exercises/04_threads/01_scoped_threads/tests/scoped_threads.rs"]
mod graded;
