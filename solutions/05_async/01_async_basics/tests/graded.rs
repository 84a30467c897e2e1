//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate async_basics_solution as async_basics;

#[path = "../../../../exercises/05_async/01_async_basics/tests/async_basics.rs"]
mod graded;
