//! Turning verdicts and lists into text for a person. Nothing here decides anything: what a
//! check means and what to suggest comes decided in an `outcome::CheckOutcome`.
//!
//! Colors come from `colored`, which the binary switches off for `NO_COLOR` and when stdout is
//! not a terminal; every message reads the same without them.

use std::fmt::Write as _;
use std::path::Path;

use colored::Colorize;

use crate::cargo::Diagnostic;
use crate::carry::Plan;
use crate::course::Step;
use crate::error::Error;
use crate::explain;
use crate::outcome::{
    Advice, CheckOutcome, HintAdvice, Place, Progression, ShownFailure, StepStatus, Why,
};
use crate::patterns::Pattern;
use crate::progress::StepState;
use crate::report::{LearnerReport, TeamState, TeamView};
use crate::restore::{FileDiff, ResetReport};
use crate::session::{Hint, Standing};
use crate::testrun::FailureReason;
use crate::verify::Finding;

/// How many failing tests to show in full; the rest are named only.
const SHOWN_FAILURES: usize = 3;

/// `Part 1 · step 3 of 7 · 9/33 done`, and how many steps were skipped, if any.
fn standing_line(standing: &Standing) -> String {
    let mut line = format!(
        "Part {} · step {} of {} · {}/{} done",
        standing.part, standing.step_in_part, standing.steps_in_part, standing.done, standing.total
    );
    if standing.skipped > 0 {
        let _ = write!(line, " · {} skipped", standing.skipped);
    }
    line
}

/// What is printed while a step is checked: where it stands in the course
/// (`Part 1 · step 3 of 7 · 9/33 done`), its label, title and folder, and `checking...`.
pub fn check_heading(standing: &Standing, step: &Step, root: &Path) -> String {
    format!(
        "{}\n{} {}\n  {}\n{}\n",
        standing_line(standing).dimmed(),
        step.label().bold(),
        step.manifest.title.bold(),
        relative(&step.exercise_dir, root),
        "  checking...".dimmed()
    )
}

/// After `goto` or `next`: where the learner is now and what to read.
pub fn moved(step: &Step, root: &Path) -> String {
    format!(
        "You are now on {} {}.\nRead {}, then run `cargo grade`.\n",
        step.label(),
        step.manifest.title,
        relative(&step.exercise_dir.join("README.md"), root)
    )
}

/// `next` on the last step.
pub fn last_step(step: &Step) -> String {
    format!("{} is the last step of the course.\n", step.label())
}

/// After `seal`.
pub fn sealed(steps: usize) -> String {
    format!(
        "Wrote {} for {steps} step{}.\n",
        crate::pristine::LOCK_PATH,
        plural(steps)
    )
}

/// A notice about the progress file, for standard error.
pub fn progress_notice(text: &str) -> String {
    format!("{} {text}\n", "!".yellow())
}

/// `watch` waiting for the next save.
pub fn watching(dir: &Path, poll: bool) -> String {
    format!(
        "{}\n",
        format!(
            "Watching {} for changes{}. Ctrl-C to stop.",
            dir.display(),
            if poll { " (polling)" } else { "" }
        )
        .dimmed()
    )
}

/// `solution` for a step that has not passed, without `--peek`.
pub fn solution_hidden(step: &Step) -> String {
    let label = step.label();
    format!(
        "{label} has not passed yet, so its solution stays hidden: working it out is where the learning happens.\n\
         `cargo grade hint {label}` gives the next hint; `cargo grade solution {label} --peek` shows the reference anyway (recorded in your progress).\n"
    )
}

/// The learner's code against the reference, file by file.
pub fn solution(step: &Step, diffs: &[FileDiff], root: &Path) -> String {
    let mut out = format!(
        "Your code (yours/) against the reference (reference/) for {} {}:\n\n",
        step.label(),
        step.manifest.title
    );
    for file in diffs {
        if file.diff.is_empty() {
            let _ = writeln!(out, "{}: the same as the reference", file.file.display());
        } else {
            let _ = writeln!(out, "{}", diff(&file.diff));
        }
    }
    let _ = writeln!(
        out,
        "\nThe reference in full: {}",
        relative(&step.solution_dir.join("src"), root)
    );
    out
}

/// After `reset`: where the backup is, and what was put back.
pub fn reset(step: &Step, report: &ResetReport, tests_only: bool, root: &Path) -> String {
    let (what, verb) = if tests_only {
        ("graded tests", "are")
    } else {
        ("starter", "is")
    };
    let put_back = report.restored.len() + report.removed.len();
    let mut out = format!(
        "Your files of {} are saved in {}.\nThe {what} {verb} restored{}.\n",
        step.label(),
        relative(&report.backup, root),
        if put_back == 0 {
            " (nothing had changed)".to_string()
        } else {
            format!(" ({put_back} file{} put back)", plural(put_back))
        }
    );
    for removed in &report.removed {
        let _ = writeln!(
            out,
            "  {} was not part of the {what}; it is only in the backup now",
            relative(removed, root)
        );
    }
    out
}

/// What `reset` of a passed step means for its pass: a check of the starter withdraws it.
pub fn reset_of_a_passed_step(step: &Step) -> String {
    format!(
        "{} {} was passed: a check of the starter withdraws the pass, and a check of your \
         code passing again gives it back. Your passing code is in the backup above.\n",
        "Note:".bold(),
        step.label()
    )
}

fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// A check's outcome: the banner about edited tests, the verdict with what to do next, and
/// where the learner goes now.
pub fn check_outcome(outcome: &CheckOutcome, root: &Path) -> String {
    let mut out = edited_tests(&outcome.edited_tests, &outcome.step);
    let hint = hint_line(outcome.hint, &outcome.step);
    out.push_str(&match &outcome.advice {
        Advice::Compile { first, more, open } => compile_error(first, *more, open, &hint),
        Advice::Tests {
            passed,
            failures,
            read,
            change,
        } => tests_failed(*passed, failures, read, change, &hint),
        Advice::Support {
            passed,
            tests,
            message,
            location,
        } => support_failure(*passed, tests, message, location),
        Advice::Clippy {
            findings,
            lints,
            fix,
        } => clippy(findings, lints, fix, &hint),
        Advice::NoTests => no_tests(&outcome.step),
        Advice::Passed { tests, counted } => passed(&outcome.step, *tests, *counted),
    });
    out.push_str(&progression(&outcome.progression, root));
    out
}

fn edited_tests(files: &[String], step: &Step) -> String {
    if files.is_empty() {
        return String::new();
    }
    format!(
        "{} You changed the graded tests: {}.\n  The tests are the specification, so a pass does not count while they differ\n  \
         from the shipped ones. Put them back with `cargo grade reset {} --tests`\n  \
         (your changed tests are copied to .grader/backups first).\n\n",
        "!".yellow().bold(),
        files.join(", "),
        step.label()
    )
}

fn compile_error(first: &Diagnostic, more: usize, open: &Place, hint: &str) -> String {
    let mut out = format!("{} The code does not compile yet.\n", "✗".red().bold());
    let code = first.code.as_deref();
    if let Some(plain) = code.and_then(explain::error_code) {
        let _ = writeln!(out, "  In plain words: {plain}.");
    }
    if !first.rendered.trim().is_empty() {
        let _ = writeln!(out, "\n{}", indent(first.rendered.trim_end(), 2));
    }
    if more > 0 {
        let _ = writeln!(
            out,
            "  (and {more} more error{}; fix the first one first: later ones often follow from it)",
            plural(more)
        );
    }
    let _ = writeln!(
        out,
        "\n{} open {}, fix the error above, and run `cargo grade` again.",
        "Next:".bold(),
        open.files.join(" or ")
    );
    match &open.why {
        Why::FollowedNote {
            reported,
            in_tests: true,
        } => {
            let _ = writeln!(
                out,
                "      rustc reports it in the graded tests ({reported}), which you do not change;\n      \
                 its notes lead to the code to change."
            );
        }
        Why::FollowedNote {
            reported,
            in_tests: false,
        } => {
            let _ = writeln!(
                out,
                "      rustc reports the error at {reported}; its notes lead to the code to change."
            );
        }
        Why::NotYours { reported } => {
            let _ = writeln!(
                out,
                "      rustc reports it in the graded tests ({reported}), which you do not change:\n      \
                 the code they use is yours, and the step's TODOs are there."
            );
        }
        Why::AtFault | Why::Todos | Why::MainFile => {}
    }
    if let Some(code) = code.filter(|c| c.starts_with('E')) {
        let _ = writeln!(out, "      The long explanation: `rustc --explain {code}`.");
    }
    let _ = writeln!(out, "      {hint}");
    out
}

fn tests_failed(
    passed: usize,
    failures: &[ShownFailure],
    read: &str,
    change: &Place,
    hint: &str,
) -> String {
    let total = passed + failures.len();
    let mut out = format!(
        "{} {} of {total} test{} did not pass.\n\n",
        "✗".red().bold(),
        failures.len(),
        plural(total)
    );
    for shown in failures.iter().take(SHOWN_FAILURES) {
        let _ = writeln!(out, "{}", test_failure(shown));
    }
    if failures.len() > SHOWN_FAILURES {
        let rest: Vec<&str> = failures
            .iter()
            .skip(SHOWN_FAILURES)
            .map(|shown| shown.failure.name.as_str())
            .collect();
        let _ = writeln!(out, "  and also: {}\n", rest.join(", "));
    }
    let why = match change.why {
        Why::Todos => " (where the step's TODOs are)",
        _ => "",
    };
    let _ = writeln!(
        out,
        "{} read the failing test in {read}, change {}{why}, and run `cargo grade` again.\n      {hint}",
        "Next:".bold(),
        change.files.join(" or "),
    );
    out
}

fn support_failure(passed: usize, tests: &[String], message: &str, location: &str) -> String {
    let total = passed + tests.len();
    format!(
        "{} {} of {total} tests did not pass, all with the same message:\n\n{}\n    (at {location})\n\n  \
         The tests: {}\n\n{} the tests stopped in their own support code, not in yours: do what the \
         message says, and run `cargo grade` again.\n",
        "✗".red().bold(),
        tests.len(),
        indent(message, 4),
        tests.join(", "),
        "Next:".bold(),
    )
}

fn clippy(findings: &[Diagnostic], lints_of_step: &[String], fix: &Place, hint: &str) -> String {
    let lints = if lints_of_step.is_empty() {
        String::new()
    } else {
        format!(" (this step also enforces {})", lints_of_step.join(", "))
    };
    let mut out = format!(
        "{} The tests pass, but clippy has {} finding{}{lints}.\n\n",
        "✗".red().bold(),
        findings.len(),
        plural(findings.len())
    );
    for finding in findings.iter().take(SHOWN_FAILURES) {
        let _ = writeln!(out, "{}\n", indent(finding.rendered.trim_end(), 2));
    }
    // The step's own lints are forced (`--force-warn`): an `allow` in the code is ignored, and
    // a learner who wrote one should know why it did nothing.
    if findings.iter().any(|finding| {
        finding
            .code
            .as_ref()
            .is_some_and(|code| lints_of_step.contains(code))
    }) {
        let _ = writeln!(
            out,
            "  This step's lints hold even where the code says `allow`: change the code the lint\n  \
             points at.\n"
        );
    }
    let _ = writeln!(
        out,
        "{} fix what clippy says in {}, and run `cargo grade` again.\n      {hint}",
        "Next:".bold(),
        fix.files.join(" or ")
    );
    out
}

fn no_tests(step: &Step) -> String {
    format!(
        "{} This step has no tests to run. That is a problem with the course, not with your code:\n  \
         please tell the course authors (step {}).\n",
        "!".yellow().bold(),
        step.id
    )
}

fn passed(step: &Step, tests: usize, counted: bool) -> String {
    let all = if tests == 1 {
        "the 1 test passes".to_string()
    } else {
        format!("all {tests} tests pass")
    };
    if counted {
        format!(
            "{} {} passed: {all} and clippy is clean.\n\n  {} {}\n",
            "✓".green().bold(),
            step.label(),
            "You learned:".bold(),
            step.manifest.learned.trim()
        )
    } else {
        format!(
            "{} {}{}, with edited tests: not counted.\n",
            "!".yellow().bold(),
            all.get(..1).unwrap_or_default().to_uppercase(),
            all.get(1..).unwrap_or_default()
        )
    }
}

fn hint_line(hint: HintAdvice, step: &Step) -> String {
    match hint {
        HintAdvice::Next { level, total } => {
            format!("Stuck? `cargo grade hint` shows hint {level} of {total}.")
        }
        HintAdvice::AllSeen { total } => format!(
            "You have seen all {total} hints; `cargo grade solution {} --peek` shows the reference (recorded).",
            step.label()
        ),
    }
}

/// Where the learner stands after a check, or when there is no current step.
pub fn progression(progression: &Progression, root: &Path) -> String {
    let read = |step: &Step| relative(&step.exercise_dir.join("README.md"), root);
    match progression {
        Progression::Unchanged => String::new(),
        Progression::MovedTo(step) => format!(
            "\n{} {} {}. Read {}, then run `cargo grade`.\n",
            "Next up:".bold(),
            step.label(),
            step.manifest.title,
            read(step)
        ),
        Progression::GotoNext(step) => format!(
            "\n`cargo grade goto {}` moves on to {}.\n",
            step.label(),
            step.manifest.title
        ),
        Progression::ContinueWith(step) => format!(
            "\nYour current step is {} {}: `cargo grade` checks it.\n",
            step.label(),
            step.manifest.title
        ),
        Progression::Finished => format!(
            "\n{} You have finished every step of the course. `cargo grade report` sums up your work.\n",
            "Well done!".green().bold()
        ),
        Progression::StepsLeft {
            first,
            count,
            skipped,
        } => format!(
            "\nNo step after this one is left to do, but {count} step{} {} not passed yet{}.\n\
             {} {} {}. Read {}, then run `cargo grade`.\n",
            plural(*count),
            if *count == 1 { "has" } else { "have" },
            if *skipped > 0 {
                format!(" ({skipped} skipped)")
            } else {
                String::new()
            },
            "Next up:".bold(),
            first.label(),
            first.manifest.title,
            read(first)
        ),
    }
}

/// An error that stopped a command, with what to do about it on its own line.
pub fn error(err: &Error) -> String {
    match err.advice() {
        Some(advice) => format!("error: {err}\n  {advice}\n"),
        None => format!("error: {err}\n"),
    }
}

fn test_failure(shown: &ShownFailure) -> String {
    let failure = &shown.failure;
    match &failure.reason {
        FailureReason::Panicked { message, location } => {
            let mut at = location
                .as_ref()
                .map_or_else(String::new, |l| format!("\n    (at {l})"));
            if shown.in_todo {
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
    pub status: StepStatus,
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
                StepStatus::Done { .. } => "✓ done   ".green().to_string(),
                StepStatus::Current => "→ current".yellow().bold().to_string(),
                StepStatus::Pending => "  pending".dimmed().to_string(),
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
    let steps = format!("{steps} step{}", plural(steps));
    if findings.is_empty() {
        let _ = writeln!(out, "{} verify: {steps}, no findings.", "✓".green().bold());
    } else {
        let _ = writeln!(
            out,
            "verify: {steps}, {} finding{}.",
            findings.len(),
            plural(findings.len())
        );
    }
    out
}

/// What `cargo grade carry` will do, or did (`written`).
pub fn carry_plan(plan: &Plan, origin: &Path, root: &Path, written: bool) -> String {
    let mut out = format!("Carrying the change to {} forward:\n", origin.display());
    let verb = if written { "wrote" } else { "will write" };
    for path in &plan.writes {
        let _ = writeln!(out, "  {verb:<10}  {}", relative(path, root));
    }
    for path in &plan.carried {
        let _ = writeln!(out, "  {:<10}  {}", "carried", relative(path, root));
    }
    for (path, reason) in &plan.by_hand {
        let _ = writeln!(
            out,
            "  {:<10}  {}: {reason}",
            "by hand",
            relative(path, root)
        );
    }
    if let Some((first, step_toml)) = &plan.upstream {
        let first = relative(first, root);
        let _ = writeln!(
            out,
            "Note: {first} holds the committed content too, and this file carries it unchanged, \
             so the change belongs there: make it there and run `cargo grade carry {first}`. If \
             the change starts here on purpose, list the file in `changes` in {}.",
            relative(step_toml, root)
        );
    }
    if plan.writes.is_empty() && plan.by_hand.is_empty() {
        out.push_str("  no later copy holds the committed version: nothing to write\n");
    } else if !written && !plan.writes.is_empty() {
        let _ = writeln!(
            out,
            "Nothing is written yet: run it again with `--write` to write {} file{} and reseal {}.",
            plan.writes.len(),
            plural(plan.writes.len()),
            crate::pristine::LOCK_PATH
        );
    }
    out
}

/// A learner's report as Markdown, to paste into a chat or an issue.
pub fn learner_report(report: &LearnerReport) -> String {
    let states = report.states();
    // Counted as the check's header counts them: the required steps, with the optional part
    // (Part 7) on its own.
    let count = |optional: bool, state: StepState| {
        report
            .steps
            .iter()
            .zip(&states)
            .filter(|(step, s)| step.optional == optional && **s == state)
            .count()
    };
    let required = report.steps.iter().filter(|step| !step.optional).count();
    let optional = report.steps.len() - required;
    let skipped = count(false, StepState::Skipped);
    let mut out = format!(
        "# Course progress: {}\n\n{} of {required} steps done{}",
        report.learner,
        count(false, StepState::Done),
        if skipped > 0 {
            format!(", {skipped} skipped")
        } else {
            String::new()
        }
    );
    if optional > 0 {
        let _ = write!(
            out,
            "; {} of {optional} optional steps done",
            count(true, StepState::Done)
        );
    }
    out.push_str(".\n\n");
    out.push_str(
        "| step | title | status | attempts | time | hints |\n|---|---|---|---|---|---|\n",
    );
    for (step, state) in report.steps.iter().zip(states) {
        let status = match state {
            StepState::Done if step.solution_peeked => "done (peeked)",
            StepState::Done => "done",
            _ if report.current.as_deref() == Some(step.id.as_str()) => "current",
            StepState::Working => "working",
            StepState::Skipped => "skipped",
            StepState::NotStarted => "pending",
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

/// `text` from a learner's report with its control characters written out (`\u{1b}`), so that a
/// name or a verdict cannot clear the facilitator's screen or retitle their terminal.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The team view: per step, how many are in each state and the effort it took; who is stuck
/// or working where; a line per learner; and how "stuck" is decided.
pub fn team(view: &TeamView) -> String {
    let learners = view.learners.len();
    let mut out = format!("{learners} learner{}\n\n", plural(learners));
    out.push_str("step   done  working  stuck  skipped  checks  time          hints  title\n");
    for step in &view.steps {
        let attempts = step
            .need
            .attempts
            .map_or_else(|| "-".into(), |a| a.to_string());
        let time = step.need.seconds.map_or_else(
            || "-".into(),
            |secs| format!("{} ({})", crate::fsutil::human_duration(secs), step.timed),
        );
        let _ = writeln!(
            out,
            "{:<6} {:>4}  {:>7}  {:>5}  {:>7}  {:>6}  {:<12} {:>5}  {}",
            step.label,
            step.count(TeamState::Done),
            step.count(TeamState::Working),
            step.count(TeamState::Stuck),
            step.count(TeamState::Skipped),
            attempts,
            time,
            step.hints,
            step.title
        );
        for state in [TeamState::Stuck, TeamState::Working] {
            for cell in step.cells.iter().filter(|cell| cell.state == state) {
                let arrow = format!("{} →", state.as_str());
                let arrow = if state == TeamState::Stuck {
                    arrow.yellow().to_string()
                } else {
                    arrow
                };
                let time = cell.seconds.map_or_else(String::new, |s| {
                    format!(", {}", crate::fsutil::human_duration(s))
                });
                let _ = writeln!(
                    out,
                    "         {arrow} {}: {} check{}{time}, {} hint{}; last: {}",
                    printable(&cell.learner),
                    cell.attempts,
                    plural(cell.attempts as usize),
                    cell.hints,
                    plural(cell.hints as usize),
                    printable(cell.last_verdict.as_deref().unwrap_or("not checked yet"))
                );
            }
        }
    }
    out.push_str("\nLearners\n");
    let names: Vec<String> = view
        .learners
        .iter()
        .map(|learner| printable(&learner.learner))
        .collect();
    let width = names
        .iter()
        .map(|name| name.chars().count())
        .max()
        .unwrap_or(0);
    for (learner, name) in view.learners.iter().zip(&names) {
        let _ = writeln!(
            out,
            "  {name:<width$}  {} done, {} skipped · {}",
            learner.done, learner.skipped, learner.standing
        );
    }
    let _ = write!(
        out,
        "\nchecks and time: medians over the learners who passed the step (how many, in brackets).\n\
         hints: opened before passing, summed over learners; hints opened after passing are not counted.\n\
         stuck: checked and not passed, with more checks, time or hints than those medians \
         (while no one has passed the step: more than {} checks).\n",
        crate::report::CHECKS_WITHOUT_PEERS
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cargo::Location;
    use crate::check::{CheckReport, Verdict};
    use crate::course::Course;
    use crate::testrun::TestFailure;

    /// The fixture course's step `label`, and the course root.
    fn step(label: &str) -> (Step, std::path::PathBuf) {
        colored::control::set_override(false);
        let course = Course::discover(&crate::outcome::fixture_root());
        (course.find_step(label).unwrap().clone(), course.root)
    }

    /// The verdict an advice is given for (render reads only the advice).
    fn verdict_of(advice: &Advice) -> Verdict {
        match advice {
            Advice::Compile { first, .. } => Verdict::CompileError {
                errors: vec![first.clone()],
            },
            Advice::Tests {
                passed, failures, ..
            } => Verdict::TestsFailed {
                passed: *passed,
                failures: failures.iter().map(|f| f.failure.clone()).collect(),
            },
            Advice::Support {
                passed,
                tests,
                message,
                location,
            } => Verdict::TestsFailed {
                passed: *passed,
                failures: tests
                    .iter()
                    .map(|name| TestFailure {
                        name: name.clone(),
                        reason: FailureReason::Panicked {
                            message: message.clone(),
                            location: Some(location.clone()),
                        },
                    })
                    .collect(),
            },
            Advice::Clippy { findings, .. } => Verdict::Clippy {
                findings: findings.clone(),
            },
            Advice::NoTests => Verdict::NoTests,
            Advice::Passed { tests, .. } => Verdict::Passed { tests: *tests },
        }
    }

    fn outcome(step: &Step, advice: Advice) -> CheckOutcome {
        let verdict = verdict_of(&advice);
        CheckOutcome {
            report: CheckReport {
                step: step.id.clone(),
                label: step.label(),
                verdict,
                edited_tests: Vec::new(),
                seconds: 0.5,
            },
            step: step.clone(),
            edited_tests: Vec::new(),
            advice,
            hint: HintAdvice::Next { level: 1, total: 2 },
            progression: Progression::Unchanged,
        }
    }

    /// The text of a check of `step` with this verdict and advice, nothing else decided.
    fn rendered(step: &Step, root: &Path, advice: Advice) -> String {
        check_outcome(&outcome(step, advice), root)
    }

    fn error(rendered: &str) -> Diagnostic {
        Diagnostic {
            level: "error".into(),
            code: Some("E0515".into()),
            message: "cannot return reference to local variable `best`".into(),
            rendered: rendered.into(),
            location: Some(Location {
                file: "exercises/01_basics/04_broken/src/lib.rs".into(),
                line: 9,
                column: 5,
            }),
            notes: Vec::new(),
        }
    }

    #[test]
    fn control_characters_from_a_report_are_written_out() {
        assert_eq!(printable("ana\u{1b}[2J\u{7}"), "ana\\u{1b}[2J\\u{7}");
        assert_eq!(printable("José"), "José");
    }

    #[test]
    fn verify_counts_its_steps_in_words() {
        colored::control::set_override(false);
        assert_eq!(findings(&[], 1), "✓ verify: 1 step, no findings.\n");
        assert_eq!(findings(&[], 38), "✓ verify: 38 steps, no findings.\n");
    }

    #[test]
    fn a_compile_error_reads_exactly() {
        let (step, root) = step("1.4");
        let first = error(
            "error[E0515]: cannot return reference to local variable `best`\n --> src/lib.rs:9:5",
        );
        let advice = Advice::Compile {
            first: first.clone(),
            more: 1,
            open: Place::at_fault("exercises/01_basics/04_broken/src/lib.rs:9:5"),
        };
        let text = rendered(&step, &root, advice);
        assert_eq!(
            text,
            "✗ The code does not compile yet.\n\
             \x20 In plain words: a function returns a reference to a local value that dies when it returns.\n\
             \n\
             \x20 error[E0515]: cannot return reference to local variable `best`\n\
             \x20  --> src/lib.rs:9:5\n\
             \x20 (and 1 more error; fix the first one first: later ones often follow from it)\n\
             \n\
             Next: open exercises/01_basics/04_broken/src/lib.rs:9:5, fix the error above, and run `cargo grade` again.\n\
             \x20     The long explanation: `rustc --explain E0515`.\n\
             \x20     Stuck? `cargo grade hint` shows hint 1 of 2.\n"
        );
    }

    #[test]
    fn a_compile_error_in_the_tests_says_why_it_points_elsewhere() {
        let (step, root) = step("1.4");
        let first = error("error[E0515]: x");
        let advice = Advice::Compile {
            first: first.clone(),
            more: 0,
            open: Place {
                files: vec!["exercises/01_basics/04_broken/src/lib.rs".into()],
                why: Why::NotYours {
                    reported: "exercises/01_basics/04_broken/tests/broken.rs:6:5".into(),
                },
            },
        };
        let text = rendered(&step, &root, advice);
        assert!(!text.contains("more error"), "{text}");
        assert!(
            text.contains(
                "Next: open exercises/01_basics/04_broken/src/lib.rs, fix the error above, and run `cargo grade` again.\n\
                 \x20     rustc reports it in the graded tests (exercises/01_basics/04_broken/tests/broken.rs:6:5), which you do not change:\n\
                 \x20     the code they use is yours, and the step's TODOs are there.\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn failing_tests_read_exactly() {
        let (step, root) = step("1.1");
        let failures = [
            TestFailure {
                name: "adds_small_numbers".into(),
                reason: FailureReason::Panicked {
                    message: "not yet implemented".into(),
                    location: Some("exercises/01_basics/01_add/src/lib.rs:2:5".into()),
                },
            },
            TestFailure {
                name: "hangs".into(),
                reason: FailureReason::TimedOut { limit_secs: 2 },
            },
        ];
        let advice = Advice::Tests {
            passed: 1,
            failures: vec![
                ShownFailure {
                    failure: failures[0].clone(),
                    in_todo: true,
                },
                ShownFailure {
                    failure: failures[1].clone(),
                    in_todo: false,
                },
            ],
            read: "exercises/01_basics/01_add/tests/add.rs".into(),
            change: Place {
                files: vec!["exercises/01_basics/01_add/src/lib.rs".into()],
                why: Why::Todos,
            },
        };
        let mut outcome = outcome(&step, advice);
        outcome.hint = HintAdvice::AllSeen { total: 2 };
        assert_eq!(
            check_outcome(&outcome, &root),
            "✗ 2 of 3 tests did not pass.\n\
             \n\
             \x20 ✗ adds_small_numbers\n\
             \x20   not yet implemented\n\
             \x20   (at exercises/01_basics/01_add/src/lib.rs:2:5)\n\
             \x20   This is a `todo!()` in the starter: replace it with your code.\n\
             \n\
             \x20 ⏱ hangs did not finish in 2 s.\n\
             \x20   Look for a loop whose condition never changes, or a channel nobody closes.\n\
             \n\
             Next: read the failing test in exercises/01_basics/01_add/tests/add.rs, change exercises/01_basics/01_add/src/lib.rs (where the step's TODOs are), and run `cargo grade` again.\n\
             \x20     You have seen all 2 hints; `cargo grade solution 1.1 --peek` shows the reference (recorded).\n"
        );
    }

    #[test]
    fn a_failure_every_test_meets_in_support_code_reads_exactly() {
        let (step, root) = step("1.1");
        let advice = Advice::Support {
            passed: 1,
            tests: vec!["adds".into(), "adds_zero".into()],
            message: "no server: install one".into(),
            location: "exercises/01_basics/01_add/tests/support/db.rs:9:5".into(),
        };
        assert_eq!(
            check_outcome(&outcome(&step, advice), &root),
            "✗ 2 of 3 tests did not pass, all with the same message:\n\
             \n\
             \x20   no server: install one\n\
             \x20   (at exercises/01_basics/01_add/tests/support/db.rs:9:5)\n\
             \n\
             \x20 The tests: adds, adds_zero\n\
             \n\
             Next: the tests stopped in their own support code, not in yours: do what the message says, and run `cargo grade` again.\n"
        );
    }

    #[test]
    fn a_clippy_finding_reads_exactly() {
        let (step, root) = step("1.3");
        let finding = Diagnostic {
            level: "warning".into(),
            code: Some("clippy::unwrap_used".into()),
            message: "used `unwrap()`".into(),
            rendered: "warning: used `unwrap()`".into(),
            location: None,
            notes: Vec::new(),
        };
        let advice = Advice::Clippy {
            findings: vec![finding.clone()],
            lints: vec!["clippy::unwrap_used".into()],
            fix: Place::at_fault("exercises/01_basics/03_lint/src/lib.rs"),
        };
        let text = rendered(&step, &root, advice);
        assert_eq!(
            text,
            "✗ The tests pass, but clippy has 1 finding (this step also enforces clippy::unwrap_used).\n\
             \n\
             \x20 warning: used `unwrap()`\n\
             \n\
             \x20 This step's lints hold even where the code says `allow`: change the code the lint\n\
             \x20 points at.\n\
             \n\
             Next: fix what clippy says in exercises/01_basics/03_lint/src/lib.rs, and run `cargo grade` again.\n\
             \x20     Stuck? `cargo grade hint` shows hint 1 of 2.\n"
        );
    }

    #[test]
    fn no_tests_reads_exactly() {
        let (step, root) = step("1.1");
        let text = rendered(&step, &root, Advice::NoTests);
        assert_eq!(
            text,
            "! This step has no tests to run. That is a problem with the course, not with your code:\n\
             \x20 please tell the course authors (step 01_basics/01_add).\n"
        );
    }

    #[test]
    fn a_pass_reads_exactly_and_one_test_is_singular() {
        let (step, root) = step("1.1");
        let (next, _) = self::step("1.2");
        let mut passed = outcome(
            &step,
            Advice::Passed {
                tests: 1,
                counted: true,
            },
        );
        passed.progression = Progression::MovedTo(next);
        assert_eq!(
            check_outcome(&passed, &root),
            "✓ 1.1 passed: the 1 test passes and clippy is clean.\n\
             \n\
             \x20 You learned: You made add pass.\n\
             \n\
             Next up: 1.2 Step endless. Read exercises/01_basics/02_endless/README.md, then run `cargo grade`.\n"
        );
        passed.advice = Advice::Passed {
            tests: 2,
            counted: false,
        };
        passed.edited_tests = vec!["exercises/01_basics/01_add/tests/add.rs".into()];
        passed.progression = Progression::Unchanged;
        assert_eq!(
            check_outcome(&passed, &root),
            "! You changed the graded tests: exercises/01_basics/01_add/tests/add.rs.\n\
             \x20 The tests are the specification, so a pass does not count while they differ\n\
             \x20 from the shipped ones. Put them back with `cargo grade reset 1.1 --tests`\n\
             \x20 (your changed tests are copied to .grader/backups first).\n\
             \n\
             ! All 2 tests pass, with edited tests: not counted.\n"
        );
    }

    #[test]
    fn progressions_read_exactly() {
        let (step, root) = step("1.4");
        assert_eq!(
            progression(&Progression::GotoNext(step.clone()), &root),
            "\n`cargo grade goto 1.4` moves on to Step broken.\n"
        );
        assert_eq!(
            progression(&Progression::ContinueWith(step.clone()), &root),
            "\nYour current step is 1.4 Step broken: `cargo grade` checks it.\n"
        );
        assert_eq!(
            progression(
                &Progression::StepsLeft {
                    first: step,
                    count: 3,
                    skipped: 2
                },
                &root
            ),
            "\nNo step after this one is left to do, but 3 steps have not passed yet (2 skipped).\n\
             Next up: 1.4 Step broken. Read exercises/01_basics/04_broken/README.md, then run `cargo grade`.\n"
        );
        assert!(progression(&Progression::Finished, &root).contains("finished every step"));
    }

    #[test]
    fn reset_says_the_graded_tests_are_restored() {
        let (step, root) = step("1.1");
        let report = ResetReport {
            backup: root.join(".grader/backups/01_basics-01_add-1"),
            restored: vec![root.join("exercises/01_basics/01_add/tests/add.rs")],
            removed: Vec::new(),
        };
        assert_eq!(
            reset(&step, &report, true, &root),
            "Your files of 1.1 are saved in .grader/backups/01_basics-01_add-1.\n\
             The graded tests are restored (1 file put back).\n"
        );
        assert!(reset(&step, &report, false, &root).contains("The starter is restored"));
    }

    #[test]
    fn an_error_keeps_its_advice_on_a_line_of_its_own() {
        assert_eq!(
            super::error(&Error::UnknownStep("9.9".into())),
            "error: no step matches `9.9`\n  `cargo grade list` shows every step with its number\n"
        );
        assert_eq!(super::error(&Error::WatchStopped).lines().count(), 2);
        assert_eq!(
            super::error(&Error::Course("the lock file is broken".into())),
            "error: the lock file is broken\n"
        );
    }
}
