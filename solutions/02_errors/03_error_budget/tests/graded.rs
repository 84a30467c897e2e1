//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate error_budget_solution as error_budget;

#[path = "../../../../exercises/02_errors/03_error_budget/tests/error_budget.rs"]
mod graded;
