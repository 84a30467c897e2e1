//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate question_mark_solution as question_mark;

#[path = "../../../../exercises/02_errors/02_question_mark/tests/question_mark.rs"]
mod graded;
