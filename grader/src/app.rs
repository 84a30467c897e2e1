//! Carrying out one command: the glue between the session, the checks and the renderer.
//!
//! Every command returns an [`Outcome`], which the binary turns into an exit code:
//! 0 done or passed, 1 not yet (a failing check, findings), 2 via `Err` (a problem with the
//! course or the command).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::check::CheckReport;
use crate::cli::{Cli, Command};
use crate::course::{Course, Step};
use crate::error::{Error, Result};
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

/// Whether output gets colors: not with `NO_COLOR`, not when stdout is not a terminal.
pub fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
        && std::io::stdout().is_terminal()
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
            print!("{}", render::hint(&step, &hint));
            Ok(Outcome::Success)
        }
        Some(Command::Solution { step, peek }) => solution(&root, color, &step, peek),
        Some(Command::Reset { step, tests }) => reset(&root, color, &step, tests),
        Some(Command::Goto { step }) => {
            let mut session = open(&root, color)?;
            let step = session.resolve(Some(&step))?;
            session.goto(&step)?;
            print_moved(&session, &step);
            Ok(Outcome::Success)
        }
        Some(Command::Next) => {
            let mut session = open(&root, color)?;
            let current = session.resolve(None)?;
            let Some(next) = session.step_after(&current) else {
                println!("{} is the last step of the course.", current.label());
                return Ok(Outcome::Success);
            };
            session.goto(&next)?;
            print_moved(&session, &next);
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
                println!("{}", to_json(&report)?);
            } else {
                print!("{}", render::learner_report(&report));
            }
            Ok(Outcome::Success)
        }
        Some(Command::Team { reports }) => team(&reports),
        Some(Command::Verify { step, quick, json }) => {
            verify(&root, color, step.as_deref(), quick, json)
        }
        Some(Command::Seal) => {
            // Not `into_valid`: a gap in the numbering (a part still being written) must not
            // stop an author from sealing the steps that exist; `verify` reports the gap.
            let course = Course::discover(&root);
            Pristine::seal(&course)?.save(&root)?;
            println!(
                "Wrote {} for {} steps.",
                crate::pristine::LOCK_PATH,
                course.steps().count()
            );
            Ok(Outcome::Success)
        }
    }
}

fn open(root: &Path, color: bool) -> Result<Session> {
    let session = Session::open(root, color)?;
    if let Some(notice) = session.notice() {
        eprintln!("{} {notice}\n", colored::Colorize::yellow("!"));
    }
    Ok(session)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value)
        .map_err(|err| Error::Usage(format!("cannot write JSON: {err}")))
}

/// `cargo grade`: check the current step; on a pass, move on.
fn default(root: &Path, color: bool) -> Result<Outcome> {
    let mut session = open(root, color)?;
    let Some(step) = session.current().cloned() else {
        print!("{}", render::next_up(None, root));
        return Ok(Outcome::Success);
    };
    check_and_print(&mut session, &step, true)
}

/// Checks `step`, prints the verdict, and (with `advance`) moves on after a pass.
fn check_and_print(session: &mut Session, step: &Step, advance: bool) -> Result<Outcome> {
    println!("{}", render::standing(&session.standing(step)));
    print!("{}", render::step_heading(step, session.root()));
    println!("{}", colored::Colorize::dimmed("  checking..."));
    let report = session.check(step)?;
    let hints_used = session
        .progress
        .step(&step.id)
        .map_or(0, |entry| entry.hints_used);
    print!(
        "\n{}",
        render::check_report(&report, step, session.root(), hints_used)
    );
    if !report.counts_as_pass() {
        return Ok(Outcome::NotYet);
    }
    let next = session.step_after(step);
    if advance {
        if let Some(next) = &next {
            session.goto(next)?;
        } else {
            session.progress.current = None;
            session.save()?;
        }
        print!("{}", render::next_up(next.as_ref(), session.root()));
    } else if let Some(next) = &next {
        println!(
            "\n`cargo grade goto {}` moves on to {}.",
            next.label(),
            next.manifest.title
        );
    }
    Ok(Outcome::Success)
}

fn check(root: &Path, color: bool, step: Option<&str>, json: bool) -> Result<Outcome> {
    let mut session = open(root, color && !json)?;
    let step = session.resolve(step)?;
    if json {
        let report: CheckReport = session.check(&step)?;
        println!("{}", to_json(&report)?);
        return Ok(if report.counts_as_pass() {
            Outcome::Success
        } else {
            Outcome::NotYet
        });
    }
    check_and_print(&mut session, &step, false)
}

fn watch(root: &Path, color: bool, poll: bool) -> Result<Outcome> {
    let mut session = open(root, color)?;
    loop {
        let Some(step) = session.current().cloned() else {
            print!("{}", render::next_up(None, root));
            return Ok(Outcome::Success);
        };
        // Watch before checking, so that a save during the check is not missed.
        let watcher = FolderWatch::new(&step.exercise_dir, poll)?;
        let outcome = check_and_print(&mut session, &step, true)?;
        if outcome == Outcome::Success {
            continue;
        }
        println!(
            "\n{}",
            colored::Colorize::dimmed(
                format!(
                    "Watching {} for changes{}. Ctrl-C to stop.",
                    session.relative(&step.exercise_dir).display(),
                    if poll { " (polling)" } else { "" }
                )
                .as_str()
            )
        );
        if watcher.next_change().is_none() {
            return Err(Error::Usage(
                "the file watcher stopped; run `cargo grade watch --poll`".into(),
            ));
        }
        println!();
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
            let status = if entry.is_some_and(|e| e.passed()) {
                "done"
            } else if current.as_deref() == Some(step.id.as_str()) {
                "current"
            } else {
                "pending"
            };
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
        println!("{}", to_json(&rows)?);
    } else {
        let parts: Vec<(u32, String)> = session
            .course
            .parts
            .iter()
            .map(|part| (part.number, part.title.clone()))
            .collect();
        print!("{}", render::list(&rows, &parts));
    }
    Ok(Outcome::Success)
}

fn solution(root: &Path, color: bool, query: &str, peek: bool) -> Result<Outcome> {
    let mut session = open(root, color)?;
    let step = session.resolve(Some(query))?;
    if !session.progress.passed(&step.id) {
        if !peek {
            println!(
                "{} has not passed yet, so its solution stays hidden: working it out is where the learning happens.\n\
                 `cargo grade hint {}` gives the next hint; `cargo grade solution {} --peek` shows the reference anyway (recorded in your progress).",
                step.label(),
                step.label(),
                step.label()
            );
            return Ok(Outcome::NotYet);
        }
        session.record_peek(&step)?;
    }
    let diffs = restore::solution_diff(&step)?;
    println!(
        "Your code (yours/) against the reference (reference/) for {} {}:\n",
        step.label(),
        step.manifest.title
    );
    for file in &diffs {
        if file.diff.is_empty() {
            println!("{}: the same as the reference", file.file.display());
        } else {
            println!("{}", render::diff(&file.diff));
        }
    }
    println!(
        "\nThe reference in full: {}",
        session.relative(&step.solution_dir.join("src")).display()
    );
    Ok(Outcome::Success)
}

fn reset(root: &Path, color: bool, query: &str, tests_only: bool) -> Result<Outcome> {
    let session = open(root, color)?;
    let step = session.resolve(Some(query))?;
    let report = restore::reset(root, &step, tests_only)?;
    let what = if tests_only {
        "graded tests"
    } else {
        "starter"
    };
    println!(
        "Your files of {} are saved in {}.\nThe {what} is restored{}.",
        step.label(),
        session.relative(&report.backup).display(),
        if report.restored.is_empty() && report.removed.is_empty() {
            " (nothing had changed)".to_string()
        } else {
            format!(
                " ({} file{} put back)",
                report.restored.len() + report.removed.len(),
                if report.restored.len() + report.removed.len() == 1 {
                    ""
                } else {
                    "s"
                }
            )
        }
    );
    for removed in &report.removed {
        println!(
            "  {} was not part of the {what}; it is only in the backup now",
            session.relative(removed).display()
        );
    }
    Ok(Outcome::Success)
}

fn pattern(root: &Path, id: Option<&str>) -> Result<Outcome> {
    let catalog = crate::patterns::catalog(root);
    match id {
        None => print!("{}", render::pattern_list(&catalog, root)),
        Some(id) => {
            let pattern = catalog
                .iter()
                .find(|pattern| pattern.id.eq_ignore_ascii_case(id))
                .ok_or_else(|| Error::UnknownPattern(id.to_string()))?;
            print!("{}", render::pattern(pattern, root));
        }
    }
    Ok(Outcome::Success)
}

fn team(paths: &[PathBuf]) -> Result<Outcome> {
    let mut reports = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|err| Error::io("read", path, err))?;
        let report: LearnerReport = serde_json::from_str(&text).map_err(|err| {
            Error::Usage(format!(
                "{} is not a report from `cargo grade report --json`: {err}",
                path.display()
            ))
        })?;
        reports.push(report);
    }
    print!(
        "{}",
        render::team(&report::team_view(&reports), reports.len())
    );
    Ok(Outcome::Success)
}

fn verify(
    root: &Path,
    color: bool,
    step: Option<&str>,
    quick: bool,
    json: bool,
) -> Result<Outcome> {
    let cargo = crate::cargo::Cargo {
        root: root.to_path_buf(),
        color: false,
    };
    let course_steps = Course::discover(root).steps().count();
    let depth = if quick { Depth::Static } else { Depth::Full };
    let runner = crate::testrun::Runner::detect();
    let _ = color;
    let findings = verify::verify(root, &cargo, runner, depth, step, &mut |step| {
        eprintln!("verify: {} {}", step.label(), step.id);
    });
    if json {
        println!("{}", to_json(&findings)?);
    } else {
        print!(
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
    .ok_or_else(|| {
        Error::Usage(format!(
            "no part matches `{}`; `cargo grade list` shows the parts with their numbers",
            part.unwrap_or("(the current step)")
        ))
    })?;
    println!(
        "Building the dependencies of Part {} {}...",
        part.number, part.title
    );
    crate::check::warm(&session.cargo, &part.steps)?;
    println!(
        "Part {} is ready: its first check builds only your code.",
        part.number
    );
    Ok(Outcome::Success)
}

fn print_moved(session: &Session, step: &Step) {
    println!(
        "You are now on {} {}.\nRead {}, then run `cargo grade`.",
        step.label(),
        step.manifest.title,
        session
            .relative(&step.exercise_dir.join("README.md"))
            .display()
    );
}

fn git_user_name() -> Option<String> {
    let output =
        crate::process::output(std::process::Command::new("git").args(["config", "user.name"]))
            .ok()?;
    let name = output.stdout.text().trim().to_string();
    (!name.is_empty()).then_some(name)
}
