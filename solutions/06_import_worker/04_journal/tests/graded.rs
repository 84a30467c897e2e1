//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate journal_solution as journal;

#[path = "../../../../exercises/06_import_worker/04_journal/tests/journal.rs"]
mod graded;
