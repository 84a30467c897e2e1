//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate status_actor_solution as status_actor;

#[path = "../../../../exercises/05_async/07_status_actor/tests/status_actor.rs"]
mod graded;
