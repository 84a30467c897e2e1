//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate status_store_solution as status_store;

#[path = "../../../../exercises/04_threads/03_status_store/tests/status_store.rs"]
mod graded;
