//! Turning verdicts and lists into text for a person. Nothing here decides anything.
//!
//! Colors come from `colored`, which the binary switches off for `NO_COLOR` and when stdout is
//! not a terminal; every message reads the same without them.

use std::fmt::Write as _;
use std::path::Path;

use colored::Colorize;

use crate::cargo::Diagnostic;
use crate::check::{CheckReport, Verdict};
use crate::course::Step;
use crate::explain;
use crate::patterns::Pattern;
use crate::report::{LearnerReport, TeamStep};
use crate::session::{Hint, Standing};
use crate::testrun::{FailureReason, TestFailure};
use crate::verify::Finding;

/// How many failing tests to show in full; the rest are named only.
const SHOWN_FAILURES: usize = 3;

/// `Part 1 · step 3 of 7 · 9/33 done`.
pub fn standing(standing: &Standing) -> String {
    format!(
        "Part {} · step {} of {} · {}/{} done",
        standing.part, standing.step_in_part, standing.steps_in_part, standing.done, standing.total
    )
    .dimmed()
    .to_string()
}

/// The step's heading: label, title and folder.
pub fn step_heading(step: &Step, root: &Path) -> String {
    format!(
        "{} {}\n  {}\n",
        step.label().bold(),
        step.manifest.title.bold(),
        relative(&step.exercise_dir, root)
    )
}

fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The learner's main file in a step: `src/lib.rs`.
fn main_file(exercise_dir: &Path, root: &Path) -> String {
    relative(&exercise_dir.join("src/lib.rs"), root)
}

/// The file to change after failing tests: where the first failure in the learner's `src/`
/// happened (a `todo!()` in `src/reader.rs`, say), else the step's main file.
fn file_to_change(failures: &[TestFailure], exercise_dir: &Path, root: &Path) -> String {
    let src = exercise_dir.join("src");
    failures
        .iter()
        .find_map(|failure| match &failure.reason {
            FailureReason::Panicked {
                location: Some(location),
                ..
            } => {
                // `path:line:column`, the path relative to the course root or absolute.
                let path = location.rsplitn(3, ':').nth(2)?;
                let path = root.join(path);
                path.starts_with(&src).then(|| relative(&path, root))
            }
            _ => None,
        })
        .unwrap_or_else(|| main_file(exercise_dir, root))
}

/// A check's verdict, and what to do next.
pub fn check_report(report: &CheckReport, step: &Step, root: &Path, hints_used: u32) -> String {
    let mut out = String::new();
    if !report.edited_tests.is_empty() {
        let files: Vec<String> = report
            .edited_tests
            .iter()
            .map(|f| relative(f, root))
            .collect();
        let _ = writeln!(
            out,
            "{} You changed the graded tests: {}.\n  The tests are the specification, so a pass does not count while they differ\n  \
             from the shipped ones. Put them back with `cargo grade reset {} --tests`\n  \
             (your changed tests are copied to .grader/backups first).\n",
            "!".yellow().bold(),
            files.join(", "),
            step.label()
        );
    }
    let hint_line = next_hint_line(step, hints_used);
    match &report.verdict {
        Verdict::CompileError { errors } => {
            let first = errors.first();
            let _ = writeln!(out, "{} The code does not compile yet.", "✗".red().bold());
            if let Some(plain) = first
                .and_then(|e| e.code.as_deref())
                .and_then(explain::error_code)
            {
                let _ = writeln!(out, "  In plain words: {plain}.");
            }
            if let Some(error) = first {
                let _ = writeln!(out, "\n{}", indent(error.rendered.trim_end(), 2));
            }
            if errors.len() > 1 {
                let more = errors.len() - 1;
                let _ = writeln!(
                    out,
                    "  (and {more} more error{}; fix the first one first: later ones often follow from it)",
                    plural(more)
                );
            }
            let place = first.and_then(|e| e.location.as_ref()).map_or_else(
                || main_file(&step.exercise_dir, root),
                |l| format!("{}:{}:{}", l.file, l.line, l.column),
            );
            let _ = writeln!(
                out,
                "\n{} open {place}, fix the error above, and run `cargo grade` again.",
                "Next:".bold()
            );
            if let Some(code) = first
                .and_then(|e| e.code.as_deref())
                .filter(|c| c.starts_with('E'))
            {
                let _ = writeln!(out, "      The long explanation: `rustc --explain {code}`.");
            }
            let _ = writeln!(out, "      {hint_line}");
        }
        Verdict::TestsFailed { passed, failures } => {
            let total = passed + failures.len();
            let _ = writeln!(
                out,
                "{} {} of {total} test{} did not pass.\n",
                "✗".red().bold(),
                failures.len(),
                plural(total)
            );
            for failure in failures.iter().take(SHOWN_FAILURES) {
                let _ = writeln!(out, "{}", test_failure(failure));
            }
            if failures.len() > SHOWN_FAILURES {
                let rest: Vec<&str> = failures
                    .iter()
                    .skip(SHOWN_FAILURES)
                    .map(|f| f.name.as_str())
                    .collect();
                let _ = writeln!(out, "  and also: {}\n", rest.join(", "));
            }
            let tests = step.test_files();
            let test_file = tests
                .first()
                .map_or_else(|| "tests/".to_string(), |t| relative(t, root));
            let _ = writeln!(
                out,
                "{} read the failing test in {test_file}, change {}, and run `cargo grade` again.",
                "Next:".bold(),
                file_to_change(failures, &step.exercise_dir, root)
            );
            let _ = writeln!(out, "      {hint_line}");
        }
        Verdict::NoTests => {
            let _ = writeln!(
                out,
                "{} This step has no tests to run. That is a problem with the course, not with your code:\n  \
                 please tell the course authors (step {}).",
                "!".yellow().bold(),
                step.id
            );
        }
        Verdict::Clippy { findings } => {
            let lints = if step.manifest.lints.is_empty() {
                String::new()
            } else {
                format!(
                    " (this step also enforces {})",
                    step.manifest.lints.join(", ")
                )
            };
            let _ = writeln!(
                out,
                "{} The tests pass, but clippy has {} finding{}{lints}.\n",
                "✗".red().bold(),
                findings.len(),
                plural(findings.len())
            );
            for finding in findings.iter().take(SHOWN_FAILURES) {
                let _ = writeln!(out, "{}\n", indent(finding.rendered.trim_end(), 2));
            }
            let _ = writeln!(
                out,
                "{} fix what clippy says in {}, and run `cargo grade` again.",
                "Next:".bold(),
                main_file(&step.exercise_dir, root)
            );
            let _ = writeln!(out, "      {hint_line}");
        }
        Verdict::Passed { tests } => {
            if report.edited_tests.is_empty() {
                let _ = writeln!(
                    out,
                    "{} {} passed: all {tests} test{} pass and clippy is clean.\n\n  {} {}",
                    "✓".green().bold(),
                    step.label(),
                    plural(*tests),
                    "You learned:".bold(),
                    step.manifest.learned.trim()
                );
            } else {
                let _ = writeln!(
                    out,
                    "{} All {tests} tests pass, with edited tests: not counted.",
                    "!".yellow().bold()
                );
            }
        }
    }
    out
}

fn next_hint_line(step: &Step, hints_used: u32) -> String {
    let total = step.manifest.hints.len();
    let next = (hints_used as usize + 1).min(total);
    if (hints_used as usize) < total {
        format!("Stuck? `cargo grade hint` shows hint {next} of {total}.")
    } else {
        format!(
            "You have seen all {total} hints; `cargo grade solution {} --peek` shows the reference (recorded).",
            step.label()
        )
    }
}

fn test_failure(failure: &TestFailure) -> String {
    match &failure.reason {
        FailureReason::Panicked { message, location } => {
            let mut at = location
                .as_ref()
                .map_or_else(String::new, |l| format!("\n    (at {l})"));
            if message.starts_with("not yet implemented") {
                at.push_str("\n    This is a `todo!()` in the starter: replace it with your code.");
            }
            format!(
                "  {} {}\n{}{at}\n",
                "✗".red(),
                failure.name.bold(),
                indent(message, 4)
            )
        }
        FailureReason::TimedOut { limit_secs } => format!(
            "  {} {} did not finish in {limit_secs} s.\n    \
             Look for a loop whose condition never changes, or a channel nobody closes.\n",
            "⏱".red(),
            failure.name.bold()
        ),
        FailureReason::StackOverflow => format!(
            "  {} {} overflowed its stack.\n    \
             Look for unbounded recursion: a function that calls itself with no case that stops.\n",
            "✗".red(),
            failure.name.bold()
        ),
        FailureReason::Crashed { how } => format!(
            "  {} {} stopped the test program before it finished ({how}).\n    \
             Look for `std::process::exit` or `abort` in your code: a test passes only by running to its end.\n",
            "✗".red(),
            failure.name.bold()
        ),
        FailureReason::ResultUnreadable => format!(
            "  {} {} printed straight to stdout without a newline, over the line that says\n    \
             whether it passed, so its result could not be read. Print with `println!` (the test\n    \
             harness keeps that apart) or end what you print with a newline.\n",
            "✗".red(),
            failure.name.bold()
        ),
        FailureReason::DidNotRun { stopped_at } => format!(
            "  {} {} did not run{}.\n",
            "✗".red(),
            failure.name.bold(),
            stopped_at.as_ref().map_or_else(
                || " (it was not built: is the file missing?)".to_string(),
                |first| format!(": the test program stopped at {first}")
            )
        ),
    }
}

fn indent(text: &str, spaces: usize) -> String {
    let pad = " ".repeat(spaces);
    text.lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("{pad}{line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// What to do after a step passed: the next step, or the end of the course.
pub fn next_up(next: Option<&Step>, root: &Path) -> String {
    match next {
        Some(step) => format!(
            "\n{} {} {}. Read {}, then run `cargo grade`.\n",
            "Next up:".bold(),
            step.label(),
            step.manifest.title,
            relative(&step.exercise_dir.join("README.md"), root)
        ),
        None => format!(
            "\n{} You have finished every step of the course. `cargo grade report` sums up your work.\n",
            "Well done!".green().bold()
        ),
    }
}

/// A hint, with where it stands among the levels.
pub fn hint(step: &Step, hint: &Hint) -> String {
    let mut out = format!(
        "{} {} · hint {} of {}\n\n{}\n",
        step.label(),
        step.manifest.title.bold(),
        hint.level,
        hint.total,
        indent(hint.text.trim(), 2)
    );
    if hint.level >= hint.total {
        let _ = write!(
            out,
            "\nThat is the last hint. If you are still stuck, `cargo grade solution {} --peek` shows the reference (recorded in your progress).\n",
            step.label()
        );
    }
    out
}

/// One row of `list`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ListRow {
    /// E.g. `1.3`.
    pub label: String,
    /// The step's ID.
    pub id: String,
    /// The step's title.
    pub title: String,
    /// `done`, `current` or `pending`.
    pub status: &'static str,
    /// How many checks.
    pub attempts: u32,
}

/// The `list` table, with part headings.
pub fn list(rows: &[ListRow], parts: &[(u32, String)]) -> String {
    let mut out = String::new();
    for (number, title) in parts {
        let _ = writeln!(out, "{}", format!("Part {number} · {title}").bold());
        for row in rows
            .iter()
            .filter(|row| row.label.split('.').next() == Some(&number.to_string()))
        {
            let status = match row.status {
                "done" => "✓ done   ".green().to_string(),
                "current" => "→ current".yellow().bold().to_string(),
                _ => "  pending".dimmed().to_string(),
            };
            let attempts = if row.attempts > 0 {
                format!(
                    "  ({} attempt{})",
                    row.attempts,
                    plural(row.attempts as usize)
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {status}  {:<5} {}{}",
                row.label,
                row.title,
                attempts.dimmed()
            );
        }
        out.push('\n');
    }
    out
}

/// A unified diff, colored by line.
pub fn diff(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.starts_with("+++") || line.starts_with("---") {
                line.bold().to_string()
            } else if line.starts_with('+') {
                line.green().to_string()
            } else if line.starts_with('-') {
                line.red().to_string()
            } else if line.starts_with("@@") {
                line.cyan().to_string()
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The pattern list.
pub fn pattern_list(patterns: &[Pattern], root: &Path) -> String {
    let mut out = String::new();
    for pattern in patterns {
        let _ = writeln!(
            out,
            "{:<9} {}  {}",
            pattern.id.bold(),
            pattern.title,
            relative(&pattern.path, root).dimmed()
        );
    }
    if patterns.is_empty() {
        out.push_str("The catalog has no patterns yet.\n");
    } else {
        out.push_str("\n`cargo grade pattern ID` prints one; `cargo doc -p patterns --open` renders them all.\n");
    }
    out
}

/// One pattern: documentation, then code.
pub fn pattern(pattern: &Pattern, root: &Path) -> String {
    format!(
        "{}\n\n{}\n\n{}\n{}\n",
        pattern.doc.trim(),
        format!("── code ({}) ──", relative(&pattern.path, root)).dimmed(),
        pattern.code,
        "──".dimmed()
    )
}

/// `verify`'s findings, one line each, then a summary.
pub fn findings(findings: &[Finding], steps: usize) -> String {
    let mut out = String::new();
    for finding in findings {
        let _ = writeln!(out, "{} {}: {}", "✗".red(), finding.step, finding.message);
    }
    if findings.is_empty() {
        let _ = writeln!(
            out,
            "{} verify: {steps} steps, no findings.",
            "✓".green().bold()
        );
    } else {
        let _ = writeln!(
            out,
            "verify: {steps} steps, {} finding{}.",
            findings.len(),
            plural(findings.len())
        );
    }
    out
}

/// A learner's report as Markdown, to paste into a chat or an issue.
pub fn learner_report(report: &LearnerReport) -> String {
    let done = report.steps.iter().filter(|s| s.done).count();
    let mut out = format!(
        "# Course progress: {}\n\n{done} of {} steps done.\n\n",
        report.learner,
        report.steps.len()
    );
    out.push_str(
        "| step | title | status | attempts | time | hints |\n|---|---|---|---|---|---|\n",
    );
    for step in &report.steps {
        let status = if step.done {
            if step.solution_peeked {
                "done (peeked)"
            } else {
                "done"
            }
        } else if report.current.as_deref() == Some(step.id.as_str()) {
            "current"
        } else {
            "pending"
        };
        let time = step
            .seconds_to_pass
            .map_or_else(|| "-".to_string(), crate::fsutil::human_duration);
        let _ = writeln!(
            out,
            "| {} | {} | {status} | {} | {time} | {} |",
            step.label, step.title, step.attempts, step.hints_used
        );
    }
    out
}

/// The team view: per step, how many finished, the effort it took, and who is stuck there.
pub fn team(steps: &[TeamStep], learners: usize) -> String {
    let mut out = format!("{learners} learner{}\n\n", plural(learners));
    out.push_str("step   done  attempts  time     hints  title\n");
    for step in steps {
        let attempts = step
            .median_attempts
            .map_or_else(|| "-".into(), |a| a.to_string());
        let time = step
            .median_seconds
            .map_or_else(|| "-".into(), crate::fsutil::human_duration);
        let _ = writeln!(
            out,
            "{:<6} {:>4}  {:>8}  {:<8} {:>5}  {}",
            step.label, step.done, attempts, time, step.hints, step.title
        );
        for (learner, verdict) in &step.stuck_here {
            let _ = writeln!(
                out,
                "         {} {learner}: {verdict}",
                "stuck here →".yellow()
            );
        }
    }
    out.push_str("\nattempts and time are medians over the learners who finished the step.\n");
    out
}

/// The first error of a diagnostic list, for one-line messages.
pub fn first_message(diagnostics: &[Diagnostic]) -> &str {
    diagnostics.first().map_or("", |d| d.message.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panicked(location: Option<&str>) -> TestFailure {
        TestFailure {
            name: "reads_records".to_string(),
            reason: FailureReason::Panicked {
                message: "not yet implemented".to_string(),
                location: location.map(str::to_string),
            },
        }
    }

    #[test]
    fn the_file_to_change_is_where_the_starter_panicked() {
        let root = Path::new("/course");
        let step = Path::new("/course/exercises/03_streaming/01_buf_read");
        let check = |failures: &[TestFailure], expected: &str| {
            assert_eq!(file_to_change(failures, step, root), expected);
        };
        check(
            &[panicked(Some(
                "exercises/03_streaming/01_buf_read/src/reader.rs:119:9",
            ))],
            "exercises/03_streaming/01_buf_read/src/reader.rs",
        );
        // A failed assertion in the test file says nothing about which source file to open.
        check(
            &[panicked(Some(
                "exercises/03_streaming/01_buf_read/tests/buf_read.rs:12:5",
            ))],
            "exercises/03_streaming/01_buf_read/src/lib.rs",
        );
        check(
            &[panicked(None)],
            "exercises/03_streaming/01_buf_read/src/lib.rs",
        );
    }
}
