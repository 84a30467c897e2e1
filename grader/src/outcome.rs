//! What a check means for the learner: the verdict, what to do next, and where they go now.
//!
//! This is the one place that decides. [`decide`] turns a [`CheckReport`] into a
//! [`CheckOutcome`], a plain value; `render::check_outcome` prints it; `app` only calls the
//! two. Nothing here prints, and nothing here writes the progress file except through
//! [`Session`] methods in [`check`].

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cargo::{Diagnostic, Location, distinct};
use crate::check::{CheckReport, Verdict};
use crate::course::Step;
use crate::error::Result as GraderResult;
use crate::session::{self, MoveOn, Session};
use crate::testrun::{FailureReason, TestFailure};

/// Whether a pass moves the learner on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `cargo grade` and `watch`: a pass moves on to the next step.
    Advance,
    /// `cargo grade check`: the position stays; a pass only says how to move on.
    Stay,
}

/// A check, decided: everything `render` needs, with paths relative to the course root.
#[derive(Debug, Clone)]
pub struct CheckOutcome {
    /// The step checked.
    pub step: Step,
    /// What the check found.
    pub report: CheckReport,
    /// The graded test files that differ from the shipped ones, relative to the course root.
    pub edited_tests: Vec<String>,
    /// What the verdict asks of the learner.
    pub advice: Advice,
    /// Which hint comes next.
    pub hint: HintAdvice,
    /// Where the learner is now.
    pub progression: Progression,
}

impl CheckOutcome {
    /// Whether the step counts as passed.
    pub fn passed(&self) -> bool {
        self.report.counts_as_pass()
    }
}

/// What a verdict asks of the learner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Advice {
    /// Fix the first compile error.
    Compile {
        /// The first distinct error.
        first: Diagnostic,
        /// How many other distinct errors there are. cargo builds the library twice (once
        /// alone, once for its unit tests) and reports an error in it once per build; those
        /// copies are not counted.
        more: usize,
        /// Where to fix it.
        open: Place,
    },
    /// Make the failing tests pass.
    Tests {
        /// How many tests passed.
        passed: usize,
        /// The failures, in the order of the test files.
        failures: Vec<ShownFailure>,
        /// The test file to read, relative to the course root.
        read: String,
        /// Where to change the code.
        change: Place,
    },
    /// Every failing test stopped at the same panic in the tests' own support code (Part 7's,
    /// when it finds no PostgreSQL server): do what its message says. Shown once, since
    /// repeated for every test it would bury itself, and "change your file" would send the
    /// learner the wrong way.
    Support {
        /// How many tests passed.
        passed: usize,
        /// The failing tests' names.
        tests: Vec<String>,
        /// The panic's message.
        message: String,
        /// Where it happened, `path:line:column`.
        location: String,
    },
    /// Fix what clippy found.
    Clippy {
        /// The findings, first one first.
        findings: Vec<Diagnostic>,
        /// The step's extra lints.
        lints: Vec<String>,
        /// Where to fix them.
        fix: Place,
    },
    /// The step has no tests: a course problem.
    NoTests,
    /// Every test passed.
    Passed {
        /// How many.
        tests: usize,
        /// Whether the pass counts (it does not while the graded tests are edited).
        counted: bool,
    },
}

/// A failing test, and whether it failed in a `todo!()` of the starter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownFailure {
    /// The failure.
    pub failure: TestFailure,
    /// It panicked with "not yet implemented": a `todo!()` the learner has not replaced.
    pub in_todo: bool,
}

/// Where the learner should look, and why there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    /// One or more files, relative to the course root, with `:line:column` when known.
    pub files: Vec<String>,
    /// Why these files.
    pub why: Why,
}

impl Place {
    /// One file, where the error or panic is.
    pub fn at_fault(file: impl Into<String>) -> Place {
        Place {
            files: vec![file.into()],
            why: Why::AtFault,
        }
    }
}

/// Why a [`Place`] was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Why {
    /// The error or panic is there.
    AtFault,
    /// The error is reported at `reported`, but rustc's notes lead to the place named.
    FollowedNote {
        /// Where rustc reports the error.
        reported: String,
        /// `reported` is in the graded tests, which the learner does not change.
        in_tests: bool,
    },
    /// The error or failed assertion is in a file the learner does not change (the graded
    /// tests); the place named holds the step's TODOs.
    NotYours {
        /// Where the error is reported.
        reported: String,
    },
    /// The step's TODOs are there.
    Todos,
    /// Nothing points anywhere better than the step's `src/lib.rs`.
    MainFile,
}

/// Which hint comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HintAdvice {
    /// `cargo grade hint` shows this level next.
    Next {
        /// 1-based.
        level: usize,
        /// How many levels the step has.
        total: usize,
    },
    /// Every level has been shown.
    AllSeen {
        /// How many levels the step has.
        total: usize,
    },
}

/// Where the learner stands after the check.
#[derive(Debug, Clone)]
pub enum Progression {
    /// Nothing moved and there is nothing to suggest: the step did not pass, or it passed in
    /// `check` and there is nowhere to go.
    Unchanged,
    /// It passed and the learner moved on to this step.
    MovedTo(Step),
    /// It passed under `check`; `cargo grade goto` moves on to this step.
    GotoNext(Step),
    /// It passed under `check`, and the step after it is already the current one.
    ContinueWith(Step),
    /// It passed, and every step of the course has passed.
    Finished,
    /// It passed and was the last step, but `count` steps have not passed; the learner moved
    /// to the first of them.
    StepsLeft {
        /// The first step not passed, now the current one.
        first: Step,
        /// How many steps have not passed.
        count: usize,
        /// How many of those the learner skipped (went past without working on them).
        skipped: usize,
    },
}

/// Checks `step`, records it, decides what follows, and moves the learner on as decided.
///
/// # Errors
///
/// When cargo cannot run, or the progress cannot be saved.
pub fn check(session: &mut Session, step: &Step, mode: Mode) -> GraderResult<CheckOutcome> {
    let report = session.check(step)?;
    let outcome = decide(session, step, report, mode);
    match &outcome.progression {
        Progression::MovedTo(next) | Progression::StepsLeft { first: next, .. } => {
            session.goto(next)?;
        }
        Progression::Finished => session.finish()?,
        Progression::Unchanged | Progression::GotoNext(_) | Progression::ContinueWith(_) => {}
    }
    Ok(outcome)
}

/// Decides what a check of `step` means, with the check already recorded in `session`.
pub fn decide(session: &Session, step: &Step, report: CheckReport, mode: Mode) -> CheckOutcome {
    let root = session.root();
    let hints_used = session
        .progress
        .step(&step.id)
        .map_or(0, |entry| entry.hints_used as usize);
    let total = step.hints.len();
    let hint = if hints_used < total {
        HintAdvice::Next {
            level: hints_used + 1,
            total,
        }
    } else {
        HintAdvice::AllSeen { total }
    };
    let progression = if report.counts_as_pass() {
        progression(session, step, mode)
    } else {
        Progression::Unchanged
    };
    CheckOutcome {
        step: step.clone(),
        edited_tests: report
            .edited_tests
            .iter()
            .map(|file| relative(file, root))
            .collect(),
        advice: advice(&report, step, root),
        hint,
        progression,
        report,
    }
}

fn progression(session: &Session, step: &Step, mode: Mode) -> Progression {
    // Where a learner goes is the session's decision (`next_after`, `move_on_suggestion`);
    // this only says it in the terms of one check.
    match mode {
        Mode::Advance => match session.next_after(step) {
            session::Progression::Next(next) => Progression::MovedTo(next),
            session::Progression::EarlierStepsLeft {
                first,
                not_done,
                skipped,
            } => Progression::StepsLeft {
                first,
                count: not_done,
                skipped,
            },
            session::Progression::Finished => Progression::Finished,
        },
        Mode::Stay => match session.move_on_suggestion(step) {
            Some(MoveOn::AlreadyThere(next)) => Progression::ContinueWith(next),
            Some(MoveOn::Goto(next)) => Progression::GotoNext(next),
            None => Progression::Unchanged,
        },
    }
}

/// The file that declares the first failing test: a graded test file, or, for a test of the
/// learner's own (`#[cfg(test)] mod tests` in `src/`), the source file that holds it, so the
/// Next line does not send them to a test file without that test. `None` when no file has it.
fn declaring_file(failures: &[TestFailure], step: &Step) -> Option<PathBuf> {
    let first = failures.first()?;
    let mut sources = crate::course::read_sources(step.test_files());
    sources.extend(crate::course::rust_sources_below(
        &step.exercise_dir.join("src"),
    ));
    let (index, _) = crate::course::find_test_fn(&first.name, &sources)?;
    sources.into_iter().nth(index).map(|(file, _)| file)
}

/// The one panic (message and location) every failing test stopped at, when there are several
/// and it is in the step's tests folder but not in `read`, the test file the learner is told to
/// read: the tests' own support code. A panic in the learner's code, in the test file or in
/// `std` is about the learner's code, and `None`.
fn stopped_in_support_code<'a>(
    failures: &'a [TestFailure],
    read: &str,
) -> Option<(&'a str, &'a str)> {
    let reason = |failure: &'a TestFailure| match &failure.reason {
        FailureReason::Panicked {
            message,
            location: Some(location),
        } => Some((message.as_str(), location.as_str())),
        _ => None,
    };
    let (first, rest) = failures.split_first()?;
    let shared = reason(first)?;
    if rest.is_empty() || rest.iter().any(|failure| reason(failure) != Some(shared)) {
        return None;
    }
    // A location is `path:line:column`.
    let file = shared.1.split(':').next().unwrap_or(shared.1);
    let tests = Path::new(read).parent()?;
    (file != read && Path::new(file).starts_with(tests)).then_some(shared)
}

fn advice(report: &CheckReport, step: &Step, root: &Path) -> Advice {
    match &report.verdict {
        Verdict::CompileError { errors } => {
            let distinct = distinct(errors);
            match distinct.first() {
                Some(first) => Advice::Compile {
                    first: (*first).clone(),
                    more: distinct.len() - 1,
                    open: place_of_error(first, step, root),
                },
                // cargo failed with error messages that had no spans: send to the main file.
                None => Advice::Compile {
                    first: Diagnostic {
                        level: "error".into(),
                        code: None,
                        message: "the build failed".into(),
                        rendered: String::new(),
                        location: None,
                        notes: Vec::new(),
                    },
                    more: 0,
                    open: todo_place(step, root),
                },
            }
        }
        Verdict::TestsFailed { passed, failures } => {
            let read = declaring_file(failures, step)
                .or_else(|| step.test_files().into_iter().next())
                .map_or_else(
                    || "tests/".to_string(),
                    |file| relative(file.as_path(), root),
                );
            if let Some((message, location)) = stopped_in_support_code(failures, &read) {
                return Advice::Support {
                    passed: *passed,
                    tests: failures
                        .iter()
                        .map(|failure| failure.name.clone())
                        .collect(),
                    message: message.to_string(),
                    location: location.to_string(),
                };
            }
            Advice::Tests {
                passed: *passed,
                failures: failures
                    .iter()
                    .map(|failure| ShownFailure {
                        in_todo: matches!(&failure.reason, FailureReason::Panicked { message, .. }
                            if message.starts_with("not yet implemented")),
                        failure: failure.clone(),
                    })
                    .collect(),
                read,
                change: place_of_failure(failures, step, root),
            }
        }
        Verdict::Clippy { findings } => Advice::Clippy {
            findings: findings.clone(),
            lints: step.manifest.lints.clone(),
            fix: findings
                .first()
                .and_then(|finding| finding.location.as_ref())
                .map(|location| (root.join(&location.file), location))
                .filter(|(file, _)| file.starts_with(step.exercise_dir.join("src")))
                .map_or_else(
                    || main_place(step, root),
                    |(file, _)| Place::at_fault(relative(&file, root)),
                ),
        },
        Verdict::NoTests => Advice::NoTests,
        Verdict::Passed { tests } => Advice::Passed {
            tests: *tests,
            counted: report.edited_tests.is_empty(),
        },
    }
}

/// Where to fix a compile error: never a graded test file.
///
/// In order: the error's own place when it is in a file holding the step's TODOs; else the
/// first place rustc's notes lead to that holds TODOs (for "cannot be sent between threads" at
/// a `spawn`, the type whose field is not `Send`); else the error's own place in `src/`; else
/// the first note in `src/`; else, for an error in the tests, the step's TODO files.
fn place_of_error(error: &Diagnostic, step: &Step, root: &Path) -> Place {
    let src = step.exercise_dir.join("src");
    let todos = step.todo_files();
    let at =
        |location: &Location| format!("{}:{}:{}", location.file, location.line, location.column);
    let in_src = |location: &&Location| root.join(&location.file).starts_with(&src);
    let has_todos = |location: &&Location| todos.contains(&root.join(&location.file));
    let primary = error.location.as_ref();
    let reported = primary.map_or_else(|| relative(&step.exercise_dir, root), at);
    let notes = || error.notes.iter().filter(in_src);
    let in_tests = primary.is_some_and(|l| {
        root.join(&l.file)
            .starts_with(step.exercise_dir.join("tests"))
    });
    let followed = |location: &Location| Place {
        files: vec![at(location)],
        why: Why::FollowedNote {
            reported: reported.clone(),
            in_tests,
        },
    };
    if let Some(primary) = primary.filter(has_todos) {
        return Place::at_fault(at(primary));
    }
    if let Some(note) = notes().find(has_todos) {
        return followed(note);
    }
    if let Some(primary) = primary.filter(in_src) {
        return Place::at_fault(at(primary));
    }
    if let Some(note) = notes().next() {
        return followed(note);
    }
    let todo = todo_place(step, root);
    match primary {
        Some(_) => Place {
            files: todo.files,
            why: Why::NotYours { reported },
        },
        None => todo,
    }
}

/// Where to change the code after failing tests: where the first failure in the learner's
/// `src/` panicked (a `todo!()` in `src/reader.rs`, say), else the files with the step's
/// TODOs, else `src/lib.rs`.
fn place_of_failure(failures: &[TestFailure], step: &Step, root: &Path) -> Place {
    let src = step.exercise_dir.join("src");
    failures
        .iter()
        .find_map(|failure| match &failure.reason {
            FailureReason::Panicked {
                location: Some(location),
                ..
            } => {
                // `path:line:column`, the path relative to the course root or absolute.
                let path = root.join(location.rsplitn(3, ':').nth(2)?);
                path.starts_with(&src)
                    .then(|| Place::at_fault(relative(&path, root)))
            }
            _ => None,
        })
        .unwrap_or_else(|| todo_place(step, root))
}

/// The files with the step's TODOs, else the main file.
fn todo_place(step: &Step, root: &Path) -> Place {
    let todos = step.todo_files();
    if todos.is_empty() {
        main_place(step, root)
    } else {
        Place {
            files: todos.iter().map(|file| relative(file, root)).collect(),
            why: Why::Todos,
        }
    }
}

fn main_place(step: &Step, root: &Path) -> Place {
    Place {
        files: vec![relative(&step.exercise_dir.join("src/lib.rs"), root)],
        why: Why::MainFile,
    }
}

fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// A step's status in `list` and in a learner's report: decided once, here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    /// Passed.
    Done {
        /// The solution was shown before the step passed.
        peeked: bool,
    },
    /// The learner's current step.
    Current,
    /// Neither.
    Pending,
}

impl StepStatus {
    /// The status of a step from what the progress file says about it.
    pub fn of(passed: bool, peeked: bool, current: bool) -> StepStatus {
        if passed {
            StepStatus::Done { peeked }
        } else if current {
            StepStatus::Current
        } else {
            StepStatus::Pending
        }
    }

    /// `done`, `current` or `pending`, as `list --json` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Done { .. } => "done",
            StepStatus::Current => "current",
            StepStatus::Pending => "pending",
        }
    }
}

impl Serialize for StepStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The fixture course, for the tests of this module and of `render`.
#[cfg(test)]
pub(crate) fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/course")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::Course;

    fn step(label: &str) -> (Course, Step) {
        let course = Course::discover(&fixture_root());
        let step = course.find_step(label).unwrap().clone();
        (course, step)
    }

    /// Step `label` moved to `<temp>/<folder>`, with these source files in its `src/`.
    fn step_with_sources(
        label: &str,
        folder: &str,
        files: &[(&str, &str)],
    ) -> (tempfile::TempDir, Step) {
        let dir = tempfile::tempdir().unwrap();
        let (_, mut step) = step(label);
        step.exercise_dir = dir.path().join(folder);
        let src = step.exercise_dir.join("src");
        std::fs::create_dir_all(&src).unwrap();
        for (name, text) in files {
            std::fs::write(src.join(name), text).unwrap();
        }
        (dir, step)
    }

    fn error_at(file: &str, notes: &[&str]) -> Diagnostic {
        let location = |file: &str| Location {
            file: file.to_string(),
            line: 3,
            column: 5,
        };
        Diagnostic {
            level: "error".into(),
            code: Some("E0277".into()),
            message: "`Rc<u8>` cannot be sent between threads safely".into(),
            rendered: "error[E0277]: ...".into(),
            location: Some(location(file)),
            notes: notes.iter().map(|file| location(file)).collect(),
        }
    }

    #[test]
    fn one_panic_in_the_tests_support_code_is_advice_of_its_own() {
        let read = "exercises/01_basics/01_add/tests/add.rs";
        let failing_at = |location: &str| -> Vec<TestFailure> {
            ["adds", "adds_zero"]
                .into_iter()
                .map(|name| TestFailure {
                    name: name.into(),
                    reason: FailureReason::Panicked {
                        message: "no server: install one".into(),
                        location: Some(location.into()),
                    },
                })
                .collect()
        };
        let support = "exercises/01_basics/01_add/tests/support/db.rs:9:5";
        assert_eq!(
            stopped_in_support_code(&failing_at(support), read),
            Some(("no server: install one", support))
        );
        // The same panic in the test file the learner reads, in their code or in `std` is
        // about their code; so are different panics, and a single failing test.
        for elsewhere in [
            format!("{read}:20:5"),
            "exercises/01_basics/01_add/src/lib.rs:2:5".to_string(),
            "/rustc/0a1b2c/library/core/src/cell.rs:1:1".to_string(),
        ] {
            assert_eq!(stopped_in_support_code(&failing_at(&elsewhere), read), None);
        }
        let mut different = failing_at(support);
        different[1].reason = FailureReason::Panicked {
            message: "assertion failed".into(),
            location: Some(support.into()),
        };
        assert_eq!(stopped_in_support_code(&different, read), None);
        assert_eq!(
            stopped_in_support_code(&failing_at(support)[..1], read),
            None
        );
    }

    #[test]
    fn an_error_reported_twice_by_cargo_counts_once() {
        let one = error_at("exercises/01_basics/04_broken/src/lib.rs", &[]);
        let mut other = one.clone();
        other.message = "another".into();
        assert_eq!(distinct(&[one.clone(), one.clone()]).len(), 1);
        assert_eq!(distinct(&[one.clone(), one.clone(), other]).len(), 2);
    }

    #[test]
    fn an_error_in_the_tests_sends_to_the_steps_todos_and_says_why() {
        let (course, step) = step("1.4");
        let error = error_at("exercises/01_basics/04_broken/tests/broken.rs", &[]);
        let place = place_of_error(&error, &step, &course.root);
        assert_eq!(place.files, ["exercises/01_basics/04_broken/src/lib.rs"]);
        assert_eq!(
            place.why,
            Why::NotYours {
                reported: "exercises/01_basics/04_broken/tests/broken.rs:3:5".into()
            }
        );
    }

    #[test]
    fn the_chain_of_notes_is_followed_to_the_file_with_todos() {
        let (dir, step) = step_with_sources(
            "1.4",
            "exercises/01_basics/04_broken",
            &[
                ("pool.rs", "// spawns workers\n"),
                ("metrics.rs", "// TODO: make it Sync\n"),
            ],
        );
        let src = step.exercise_dir.join("src");
        let error = error_at(
            "exercises/01_basics/04_broken/src/pool.rs",
            &[
                "exercises/01_basics/04_broken/src/metrics.rs",
                "/rustc/std.rs",
            ],
        );
        let place = place_of_error(&error, &step, dir.path());
        assert_eq!(
            place.files,
            ["exercises/01_basics/04_broken/src/metrics.rs:3:5"]
        );
        assert_eq!(
            place.why,
            Why::FollowedNote {
                reported: "exercises/01_basics/04_broken/src/pool.rs:3:5".into(),
                in_tests: false,
            }
        );
        // Once the TODOs are gone, the error's own place in `src/` is where to look.
        std::fs::write(src.join("metrics.rs"), "// done\n").unwrap();
        let place = place_of_error(&error, &step, dir.path());
        assert_eq!(
            place.files,
            ["exercises/01_basics/04_broken/src/pool.rs:3:5"]
        );
        assert_eq!(place.why, Why::AtFault);
    }

    #[test]
    fn a_failed_assertion_sends_to_the_files_with_todos() {
        let (dir, step) = step_with_sources(
            "1.1",
            "ex",
            &[
                ("lib.rs", "mod timeouts;\n"),
                ("timeouts.rs", "fn f() { todo!() }\n"),
            ],
        );
        let src = step.exercise_dir.join("src");
        let failure = |location: &str| TestFailure {
            name: "t".into(),
            reason: FailureReason::Panicked {
                message: "assertion failed".into(),
                location: Some(location.into()),
            },
        };
        let place = place_of_failure(&[failure("ex/tests/t.rs:3:5")], &step, dir.path());
        assert_eq!(place.files, ["ex/src/timeouts.rs"]);
        assert_eq!(place.why, Why::Todos);
        let place = place_of_failure(&[failure("ex/src/lib.rs:9:1")], &step, dir.path());
        assert_eq!(place.files, ["ex/src/lib.rs"]);
        // Without TODOs and without a panic in `src/`: the main file.
        std::fs::write(src.join("timeouts.rs"), "fn f() {}\n").unwrap();
        let place = place_of_failure(&[failure("ex/tests/t.rs:3:5")], &step, dir.path());
        assert_eq!(place.files, ["ex/src/lib.rs"]);
        assert_eq!(place.why, Why::MainFile);
    }

    #[test]
    fn clippy_is_fixed_in_the_file_of_its_first_finding() {
        let (course, step) = step("1.3");
        let mut finding = error_at("exercises/01_basics/03_lint/src/parse.rs", &[]);
        let report = |finding: Diagnostic| CheckReport {
            step: step.id.clone(),
            label: step.label(),
            verdict: Verdict::Clippy {
                findings: vec![finding],
            },
            edited_tests: Vec::new(),
            seconds: 1.0,
        };
        let fix = |advice| match advice {
            Advice::Clippy { fix, .. } => fix,
            other => panic!("{other:?}"),
        };
        // Before: always src/lib.rs.
        let place = fix(advice(&report(finding.clone()), &step, &course.root));
        assert_eq!(place.files, ["exercises/01_basics/03_lint/src/parse.rs"]);
        finding.location = None;
        let place = fix(advice(&report(finding), &step, &course.root));
        assert_eq!(place.files, ["exercises/01_basics/03_lint/src/lib.rs"]);
    }

    #[test]
    fn statuses_are_decided_in_one_place() {
        assert_eq!(
            StepStatus::of(true, true, true),
            StepStatus::Done { peeked: true }
        );
        assert_eq!(StepStatus::of(false, true, true), StepStatus::Current);
        assert_eq!(StepStatus::of(false, false, false).as_str(), "pending");
    }
}
