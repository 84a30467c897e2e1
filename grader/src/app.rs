//! Carrying out one command: the glue between the session, the checks and the renderer.
//!
//! Every command returns an [`Outcome`], which the binary turns into an exit code:
//! 0 done or passed, 1 not yet (a failing check, findings), 2 via `Err` (a problem with the
//! course or the command).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::carry;
use crate::check::CheckReport;
use crate::cli::{Cli, Command};
use crate::course::{Course, Step};
use crate::error::{Error, Result};
use crate::outcome::{self, Mode, Progression, StepStatus};
use crate::pristine::Pristine;
use crate::render::{self, ListRow};
use crate::report::{self, LearnerReport};
use crate::restore;
use crate::session::Session;
use crate::verify::{self, Depth};
use crate::watch::FolderWatch;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done, or the check passed.
    Success,
    /// The check did not pass, or verify has findings.
    NotYet,
}

/// Whether output gets colors: not with `NO_COLOR`, not on a `TERM=dumb` terminal (an
/// editor's output pane, say), not when stdout is not a terminal.
pub fn use_color() -> bool {
    color_allowed(
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    ) && std::io::stdout().is_terminal()
}

fn color_allowed(no_color: Option<&std::ffi::OsStr>, term: Option<&std::ffi::OsStr>) -> bool {
    no_color.is_none_or(|value| value.is_empty()) && term.is_none_or(|term| term != "dumb")
}

/// Set once a write to standard output found the pipe closed: `watch` then has no reader left
/// and stops, instead of checking (and counting attempts) for nobody.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes to standard output. A closed pipe (`cargo grade list | head -1`) ends the output
/// quietly and the command still ends as it would have; any other write error (`> /dev/full`)
/// is an error, never a panic as `print!` would give.
fn emit(text: std::fmt::Arguments<'_>) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_fmt(text).and_then(|()| stdout.flush()) {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(cause) => Err(Error::Output { cause }),
        Ok(()) => Ok(()),
    }
}

/// `print!` through [`emit`], returning its error.
macro_rules! say {
    ($($arg:tt)*) => {
        emit(format_args!($($arg)*))?
    };
}

/// Writes a notice to standard error; a notice that cannot be written is dropped, since there
/// is nowhere left to say so.
fn notice(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// Prints an error that stopped a command: to standard error, or as a JSON object on standard
/// output for a command run with `--json`, so that a program reading it gets JSON either way.
pub fn print_error(err: &Error, json: bool) {
    if json {
        let value = serde_json::json!({ "error": err.to_string(), "advice": err.advice() });
        let _ = writeln!(std::io::stdout(), "{value:#}");
    } else {
        let _ = write!(std::io::stderr(), "{}", render::error(err));
    }
}

/// Runs the command `cli` names.
///
/// # Errors
///
/// Problems with the course, the progress file or the tools; see [`Error`].
pub fn run(cli: Cli) -> Result<Outcome> {
    let color = use_color();
    colored::control::set_override(color);
    let start = match cli.root {
        Some(root) => root,
        None => std::env::current_dir().map_err(|err| Error::io("read", ".", err))?,
    };
    let root = Course::find_root(&start)?;
    match cli.command {
        None => default(&root, color),
        Some(Command::Check { step, json }) => check(&root, color, step.as_deref(), json),
        Some(Command::Watch { poll }) => watch(&root, color, poll),
        Some(Command::List { json }) => list(&root, json),
        Some(Command::Hint { step }) => {
            let mut session = open(&root, color)?;
            let step = session.resolve(step.as_deref())?;
            let hint = session.hint(&step)?;
            say!("{}", render::hint(&step, &hint));
            Ok(Outcome::Success)
        }
        Some(Command::Solution { step, peek }) => solution(&root, color, &step, peek),
        Some(Command::Reset { step, tests }) => reset(&root, color, &step, tests),
        Some(Command::Goto { step }) => {
            let mut session = open(&root, color)?;
            let step = session.resolve(Some(&step))?;
            session.goto(&step)?;
            say!("{}", render::moved(&step, &root));
            Ok(Outcome::Success)
        }
        Some(Command::Next) => {
            let mut session = open(&root, color)?;
            let current = session.resolve(None)?;
            let Some(next) = session.step_after(&current) else {
                say!("{}", render::last_step(&current));
                return Ok(Outcome::Success);
            };
            session.goto(&next)?;
            say!("{}", render::moved(&next, &root));
            Ok(Outcome::Success)
        }
        Some(Command::Warm { part }) => warm(&root, color, part.as_deref()),
        Some(Command::Pattern { id }) => pattern(&root, id.as_deref()),
        Some(Command::Report { name, json }) => {
            let session = open(&root, color)?;
            let learner = name
                .or_else(git_user_name)
                .unwrap_or_else(|| "a learner".into());
            let report = report::learner_report(&session, learner);
            if json {
                say!("{}\n", to_json(&report)?);
            } else {
                say!("{}", render::learner_report(&report));
            }
            Ok(Outcome::Success)
        }
        Some(Command::Team { reports, html }) => team(&reports, html.as_deref()),
        Some(Command::Verify { step, quick, json }) => verify(&root, step.as_deref(), quick, json),
        Some(Command::Carry { file, write }) => carry(&root, &file, write),
        Some(Command::Seal) => {
            // Not `into_valid`: a gap in the numbering (a part still being written) must not
            // stop an author from sealing the steps that exist; `verify` reports the gap.
            let course = Course::discover(&root);
            Pristine::seal(&course)?.save(&root)?;
            say!("{}", render::sealed(course.steps().count()));
            Ok(Outcome::Success)
        }
    }
}

fn open(root: &Path, color: bool) -> Result<Session> {
    let session = Session::open(root, color)?;
    if let Some(text) = session.notice() {
        notice(&render::progress_notice(text));
    }
    Ok(session)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value).map_err(|cause| Error::Json { cause })
}

/// `cargo grade`: check the current step; on a pass, move on.
fn default(root: &Path, color: bool) -> Result<Outcome> {
    let mut session = open(root, color)?;
    let Some(step) = session.current().cloned() else {
        say!("{}", render::progression(&Progression::Finished, root));
        return Ok(Outcome::Success);
    };
    check_and_print(&mut session, &step, Mode::Advance)
}

/// Checks `step` and prints the outcome; `outcome::check` decides it and moves the learner.
fn check_and_print(session: &mut Session, step: &Step, mode: Mode) -> Result<Outcome> {
    say!(
        "{}",
        render::check_heading(&session.standing(step), step, session.root())
    );
    let outcome = outcome::check(session, step, mode)?;
    say!("\n{}", render::check_outcome(&outcome, session.root()));
    Ok(if outcome.passed() {
        Outcome::Success
    } else {
        Outcome::NotYet
    })
}

fn check(root: &Path, color: bool, step: Option<&str>, json: bool) -> Result<Outcome> {
    let mut session = open(root, color && !json)?;
    let step = session.resolve(step)?;
    if json {
        let report: CheckReport = session.check(&step)?;
        say!("{}\n", to_json(&report)?);
        return Ok(if report.counts_as_pass() {
            Outcome::Success
        } else {
            Outcome::NotYet
        });
    }
    check_and_print(&mut session, &step, Mode::Stay)
}

fn watch(root: &Path, color: bool, poll: bool) -> Result<Outcome> {
    let mut session = open(root, color)?;
    let mut checked = false;
    loop {
        // Another terminal may have moved on or passed a step since the last check.
        session.reload()?;
        let Some(step) = session.current().cloned() else {
            // After the last pass the check has said so already.
            if !checked {
                say!("{}", render::progression(&Progression::Finished, root));
            }
            return Ok(Outcome::Success);
        };
        checked = true;
        // Watch before checking, so that a save during the check is not missed.
        let watcher = FolderWatch::new(&step.exercise_dir, poll)?;
        let outcome = check_and_print(&mut session, &step, Mode::Advance)?;
        if STDOUT_CLOSED.load(Ordering::Relaxed) {
            // Nobody reads what watch says (`cargo grade watch | head`, a closed editor pane).
            return Ok(outcome);
        }
        if outcome == Outcome::Success {
            continue;
        }
        say!(
            "\n{}",
            render::watching(&session.relative(&step.exercise_dir), poll)
        );
        if watcher.next_change().is_none() {
            return Err(Error::WatchStopped);
        }
        say!("\n");
    }
}

fn list(root: &Path, json: bool) -> Result<Outcome> {
    let session = open(root, false)?;
    let current = session.current().map(|step| step.id.clone());
    let rows: Vec<ListRow> = session
        .course
        .steps()
        .map(|step| {
            let entry = session.progress.step(&step.id);
            let status = StepStatus::of(
                entry.is_some_and(|e| e.passed()),
                entry.is_some_and(|e| e.solution_peeked),
                current.as_deref() == Some(step.id.as_str()),
            );
            ListRow {
                label: step.label(),
                id: step.id.clone(),
                title: step.manifest.title.clone(),
                status,
                attempts: entry.map_or(0, |e| e.attempts),
            }
        })
        .collect();
    if json {
        say!("{}\n", to_json(&rows)?);
    } else {
        let parts: Vec<(u32, String)> = session
            .course
            .parts
            .iter()
            .map(|part| {
                let title = if part.optional {
                    format!(
                        "{} (optional: the course is finished without it)",
                        part.title
                    )
                } else {
                    part.title.clone()
                };
                (part.number, title)
            })
            .collect();
        say!("{}", render::list(&rows, &parts));
    }
    Ok(Outcome::Success)
}

fn solution(root: &Path, color: bool, query: &str, peek: bool) -> Result<Outcome> {
    let mut session = open(root, color)?;
    let step = session.resolve(Some(query))?;
    if !session.progress.passed(&step.id) {
        if !peek {
            say!("{}", render::solution_hidden(&step));
            return Ok(Outcome::NotYet);
        }
        session.record_peek(&step)?;
    }
    let diffs = restore::solution_diff(&step)?;
    say!("{}", render::solution(&step, &diffs, root));
    Ok(Outcome::Success)
}

fn reset(root: &Path, color: bool, query: &str, tests_only: bool) -> Result<Outcome> {
    let session = open(root, color)?;
    let step = session.resolve(Some(query))?;
    let report = restore::reset(root, &step, tests_only)?;
    let was_passed = session.progress.passed(&step.id);
    say!("{}", render::reset(&step, &report, tests_only, root));
    if was_passed && !tests_only {
        say!("{}", render::reset_of_a_passed_step(&step));
    }
    Ok(Outcome::Success)
}

fn pattern(root: &Path, id: Option<&str>) -> Result<Outcome> {
    let catalog = crate::patterns::catalog(root);
    match id {
        None => say!("{}", render::pattern_list(&catalog, root)),
        Some(id) => {
            let pattern = catalog
                .iter()
                .find(|pattern| pattern.id.eq_ignore_ascii_case(id))
                .ok_or_else(|| Error::UnknownPattern(id.to_string()))?;
            say!("{}", render::pattern(pattern, root));
        }
    }
    Ok(Outcome::Success)
}

fn team(paths: &[PathBuf], html: Option<&Path>) -> Result<Outcome> {
    let mut reports = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|err| Error::io("read", path, err))?;
        let report: LearnerReport =
            serde_json::from_str(&text).map_err(|cause| Error::NotAReport {
                path: path.clone(),
                cause,
            })?;
        reports.push(report);
    }
    let view = report::team_view(&reports);
    say!("{}", render::team(&view));
    if let Some(html) = html {
        crate::fsutil::write_atomic(html, crate::team_page::html(&view).as_bytes())?;
        say!("\nWrote {}: open it in a browser.\n", html.display());
    }
    Ok(Outcome::Success)
}

fn verify(root: &Path, step: Option<&str>, quick: bool, json: bool) -> Result<Outcome> {
    let cargo = crate::cargo::Cargo {
        root: root.to_path_buf(),
        color: false,
    };
    let course_steps = Course::discover(root).steps().count();
    let depth = if quick { Depth::Static } else { Depth::Full };
    let runner = crate::testrun::Runner::detect();
    let findings = verify::verify(root, &cargo, runner, depth, step, &mut |step| {
        notice(&format!("verify: {} {}", step.label(), step.id));
    });
    if json {
        say!("{}\n", to_json(&findings)?);
    } else {
        say!(
            "{}",
            render::findings(&findings, if step.is_some() { 1 } else { course_steps })
        );
    }
    Ok(if findings.is_empty() {
        Outcome::Success
    } else {
        Outcome::NotYet
    })
}

/// `cargo grade carry FILE [--write]`: list, and with `write` make, the copies of a changed
/// file in later steps.
fn carry(root: &Path, file: &Path, write: bool) -> Result<Outcome> {
    let course = Course::discover(root);
    let path = std::path::absolute(file).map_err(|err| Error::io("find", file, err))?;
    let relative = course.relative(&path).to_path_buf();
    let origin = carry::locate(&course, &path)?;
    let new = std::fs::read(&path).map_err(|err| Error::io("read", &path, err))?;
    let old = crate::restore::committed(root, &relative)?;
    if old == new {
        say!(
            "{} is the same as in git's HEAD: nothing to carry. Change it first; carry then \
             copies the change into the later steps that hold the committed version.\n",
            relative.display()
        );
        return Ok(Outcome::Success);
    }
    let plan = carry::plan(&course, &origin, &old, &new);
    say!("{}", render::carry_plan(&plan, &relative, root, write));
    if write && !plan.writes.is_empty() {
        // Resealed as `seal` would, with its guard: carry writes only files below `src/`, but
        // a reseal records the graded files as they are, and must not bless a learner's
        // edited tests. Asked before anything is written, so a refusal changes nothing.
        Pristine::seal(&course)?;
        for target in &plan.writes {
            crate::fsutil::write_atomic(target, &new)?;
        }
        Pristine::seal(&course)?.save(root)?;
        say!("Resealed {}.\n", crate::pristine::LOCK_PATH);
    }
    Ok(if plan.by_hand.is_empty() {
        Outcome::Success
    } else {
        Outcome::NotYet
    })
}

/// `cargo grade warm [PART]`: build a part's dependencies (see [`crate::check::warm`]).
fn warm(root: &Path, color: bool, part: Option<&str>) -> Result<Outcome> {
    let session = open(root, color)?;
    let current = session.current().map(|step| step.part);
    let part = match part {
        None => current.and_then(|number| session.course.parts.iter().find(|p| p.number == number)),
        Some(query) => session.course.parts.iter().find(|p| {
            query.parse::<u32>().is_ok_and(|number| number == p.number)
                || p.dir_name == query.trim_end_matches('/')
        }),
    }
    .ok_or_else(|| Error::UnknownPart(part.unwrap_or("(the current step)").to_string()))?;
    say!(
        "Building the dependencies of Part {} {}...\n",
        part.number,
        part.title
    );
    crate::check::warm(&session.cargo, &part.steps)?;
    say!(
        "Part {} is ready: its first check builds only your code.\n",
        part.number
    );
    Ok(Outcome::Success)
}

fn git_user_name() -> Option<String> {
    let output =
        crate::process::output(std::process::Command::new("git").args(["config", "user.name"]))
            .ok()?;
    let name = output.stdout.text().trim().to_string();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn colors_switch_off_for_no_color_and_a_dumb_terminal() {
        let some = |text| Some(OsStr::new(text));
        assert!(color_allowed(None, some("xterm-256color")));
        assert!(color_allowed(some(""), None));
        assert!(!color_allowed(some("1"), some("xterm")));
        assert!(!color_allowed(None, some("dumb")));
    }
}
