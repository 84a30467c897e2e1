//! Command-line arguments. Only parsing lives here; the help text is in the doc comments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The course grader: checks your current step and tells you what to do next.
///
/// Run it with no command to check the step you are on.
#[derive(Debug, Parser)]
#[command(
    name = "cargo grade",
    bin_name = "cargo grade",
    version,
    disable_help_subcommand = true
)]
pub struct Cli {
    /// The course folder (default: the one containing the current directory).
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = "GRADER_ROOT",
        hide = true
    )]
    pub root: Option<PathBuf>,

    /// What to do; with none, check the current step.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The grader's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a step (default: the current one) and say what to do next.
    Check {
        /// A step: `1.3`, `quoted_fields` or `01_borrowing/03_quoted_fields`.
        step: Option<String>,
        /// Print the verdict as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Re-check the current step whenever a file in it changes; moves on when it passes.
    Watch {
        /// Look for changes every half second instead of waiting for file-system events (for
        /// network drives, containers and editors whose saves raise no events).
        #[arg(long)]
        poll: bool,
    },
    /// List the parts and steps with their status and attempts.
    List {
        /// Print the list as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show the next hint for a step (default: the current one).
    Hint {
        /// A step: `1.3`, `quoted_fields` or `01_borrowing/03_quoted_fields`.
        step: Option<String>,
    },
    /// Compare your code with the reference solution (once the step has passed).
    Solution {
        /// A step: `1.3`, `quoted_fields` or `01_borrowing/03_quoted_fields`.
        step: String,
        /// Show it before the step has passed; this is recorded in your progress.
        #[arg(long)]
        peek: bool,
    },
    /// Put a step's starter back; your files are copied to .grader/backups first.
    Reset {
        /// A step: `1.3`, `quoted_fields` or `01_borrowing/03_quoted_fields`.
        step: String,
        /// Put back only the graded tests, and keep your code.
        #[arg(long)]
        tests: bool,
    },
    /// Make a step the current one (to skip ahead or go back).
    Goto {
        /// A step: `1.3`, `quoted_fields` or `01_borrowing/03_quoted_fields`.
        step: String,
    },
    /// Move to the step after the current one.
    Next,
    /// Build a part's dependencies ahead of a session, so its first check is quick.
    Warm {
        /// A part: its number (`5`) or folder (`05_async`); default: the current step's part.
        part: Option<String>,
    },
    /// List the patterns, or print one with its documentation and code.
    Pattern {
        /// A pattern ID such as `ERR-2`.
        id: Option<String>,
    },
    /// Print your progress to share: attempts, time and hints per step.
    Report {
        /// Your name in the team view (default: git's user.name).
        #[arg(long)]
        name: Option<String>,
        /// Print JSON, the format `cargo grade team` reads.
        #[arg(long)]
        json: bool,
    },
    /// Combine learners' JSON reports into a view of where the group is stuck.
    Team {
        /// Report files written by `cargo grade report --json`.
        #[arg(required = true)]
        reports: Vec<PathBuf>,
        /// Also write the view as one HTML page (no network, no scripts) to FILE.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
    },
    /// For course authors: every starter fails, every solution passes, every step is complete.
    Verify {
        /// Only this step (the whole-course checks are skipped).
        step: Option<String>,
        /// Check files and metadata only, without compiling anything.
        #[arg(long)]
        quick: bool,
        /// Print the findings as JSON.
        #[arg(long)]
        json: bool,
    },
    /// For course authors: record the shipped starters and tests in exercises/starters.lock.
    Seal,
    /// For course authors: carry a change to one step's file into every later step's copy.
    ///
    /// Compares the file with its committed version (git HEAD) and lists every later copy that
    /// still holds the committed content, in steps that do not list the file in `changes`.
    /// Nothing is written without `--write`.
    Carry {
        /// The changed file, e.g. solutions/03_streaming/01_buf_read/src/reader.rs.
        file: PathBuf,
        /// Write the listed copies and reseal exercises/starters.lock.
        #[arg(long)]
        write: bool,
    },
}

impl Cli {
    /// Whether the command was asked for JSON: its errors are then JSON too.
    pub fn wants_json(&self) -> bool {
        matches!(
            self.command,
            Some(
                Command::Check { json: true, .. }
                    | Command::List { json: true }
                    | Command::Report { json: true, .. }
                    | Command::Verify { json: true, .. }
            )
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_lines_name_the_command_a_learner_types() {
        let err = Cli::try_parse_from(["grader", "goto"]).unwrap_err();
        let text = err.render().to_string();
        assert!(text.contains("Usage: cargo grade goto <STEP>"), "{text}");
    }
}
