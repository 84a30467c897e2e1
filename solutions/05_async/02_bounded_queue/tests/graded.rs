//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate bounded_queue_solution as bounded_queue;

#[path = "../../../../exercises/05_async/02_bounded_queue/tests/bounded_queue.rs"]
mod graded;
