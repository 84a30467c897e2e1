//! The check pipeline for one package: build its tests with clippy linting the code as it
//! compiles, then run them. Deciding the verdict lives here; printing it lives in `render`.

use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;

use crate::cargo::{Cargo, Diagnostic};
use crate::course::Step;
use crate::error::{Error, Result};
use crate::pristine::Pristine;
use crate::testrun::{self, Runner, TestFailure, TestOutcome};

/// The verdict on one package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The code or its tests do not compile.
    CompileError {
        /// The compiler's errors, first one first.
        errors: Vec<Diagnostic>,
    },
    /// Some tests failed or did not finish.
    TestsFailed {
        /// How many passed.
        passed: usize,
        /// The ones that did not.
        failures: Vec<TestFailure>,
    },
    /// The package has no tests at all. With the shipped test files in place that is a course
    /// problem, and [`check_step`] reports it as an error.
    NoTests,
    /// The tests pass but clippy reports problems.
    Clippy {
        /// Clippy's findings, first one first.
        findings: Vec<Diagnostic>,
    },
    /// Everything passes.
    Passed {
        /// How many tests passed.
        tests: usize,
    },
}

impl Verdict {
    /// Whether everything passed.
    pub fn passed(&self) -> bool {
        matches!(self, Verdict::Passed { .. })
    }

    /// A few words for the progress file and the team report.
    pub fn summary(&self) -> String {
        match self {
            Verdict::CompileError { errors } => {
                match errors.first().and_then(|e| e.code.as_ref()) {
                    Some(code) => format!("compile error {code}"),
                    None => "compile error".to_string(),
                }
            }
            Verdict::TestsFailed { failures, .. } => match failures.as_slice() {
                [only] => format!("test `{}` failed", only.name),
                [first, ..] => format!("{} tests failed, first `{}`", failures.len(), first.name),
                [] => "tests failed".to_string(),
            },
            Verdict::NoTests => "no tests".to_string(),
            Verdict::Clippy { findings } => match findings.first().and_then(|f| f.code.as_ref()) {
                Some(lint) => format!("clippy: {lint}"),
                None => "clippy".to_string(),
            },
            Verdict::Passed { .. } => "passed".to_string(),
        }
    }
}

/// The result of checking one step.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// The step's ID.
    pub step: String,
    /// The step's label, e.g. `1.3`.
    pub label: String,
    /// The verdict.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Graded files (tests, the step's `Cargo.toml`, a build script) that differ from what was
    /// shipped, before or after the check; a pass does not count while any do.
    pub edited_tests: Vec<PathBuf>,
    /// Wall-clock seconds the check took.
    pub seconds: f64,
}

impl CheckReport {
    /// Whether the step counts as passed: everything passed with the shipped tests.
    pub fn counts_as_pass(&self) -> bool {
        self.verdict.passed() && self.edited_tests.is_empty()
    }
}

/// Checks `package` against `step`'s tests, time limit and lints.
///
/// One build gives the test executables and clippy's findings (see
/// [`Cargo::lint_with_clippy`]); the findings count only once the tests pass.
///
/// # Errors
///
/// Only when cargo cannot run at all (clippy not installed among the reasons).
pub fn check_package(cargo: &Cargo, runner: Runner, step: &Step, package: &str) -> Result<Verdict> {
    run_pipeline(
        cargo,
        runner,
        step,
        package,
        None,
        Some(&step.manifest.lints),
        false,
    )
}

/// Like [`check_package`] without clippy: for starters, which are expected to fail anyway.
///
/// # Errors
///
/// Only when cargo cannot run at all.
pub fn check_package_without_clippy(
    cargo: &Cargo,
    runner: Runner,
    step: &Step,
    package: &str,
) -> Result<Verdict> {
    run_pipeline(cargo, runner, step, package, None, None, false)
}

/// The check of one package. `lock`, when given, names the exercise's graded test files (see
/// [`graded_targets`]); without, they are the files in its `tests/`.
fn run_pipeline(
    cargo: &Cargo,
    runner: Runner,
    step: &Step,
    package: &str,
    lock: Option<&Pristine>,
    lints: Option<&[String]>,
    rebuild: bool,
) -> Result<Verdict> {
    let graded = graded_targets(cargo, step, package, lock);
    let dir = if package == step.package() {
        &step.exercise_dir
    } else {
        &step.solution_dir
    };
    let test_files = !crate::course::rust_files_in(&dir.join("tests")).is_empty();
    // Without clippy the tests still run, so a learner sees them fail or pass before being
    // sent to install it.
    let driver = lints.and_then(|_| Cargo::clippy_driver());
    let build = testrun::Build {
        clippy: driver.as_deref().zip(lints),
        library_harness: !test_files || testrun::has_unit_tests(&dir.join("src")),
        rebuild,
    };
    let tests = testrun::run_tests(
        cargo,
        runner,
        package,
        &graded,
        step.manifest.time_limit_secs,
        build,
    )?;
    Ok(match tests {
        TestOutcome::CompileError { errors } => Verdict::CompileError { errors },
        TestOutcome::Ran {
            passed: 0,
            failures,
            ..
        } if failures.is_empty() => Verdict::NoTests,
        TestOutcome::Ran {
            passed,
            mut failures,
            ..
        } if !failures.is_empty() => {
            sort_by_source_order(&mut failures, &step.test_files());
            Verdict::TestsFailed { passed, failures }
        }
        TestOutcome::Ran { .. } if lints.is_some() && driver.is_none() => {
            return Err(Error::Tool {
                tool: "clippy",
                detail: "the tests pass, but clippy is not installed for this toolchain, so \
                         the step's lints cannot be checked"
                    .to_string(),
                advice: "install it with `rustup component add clippy`, then run `cargo grade` \
                         again",
            });
        }
        TestOutcome::Ran {
            passed, findings, ..
        } if findings.is_empty() => Verdict::Passed { tests: passed },
        TestOutcome::Ran { findings, .. } => Verdict::Clippy { findings },
    })
}

/// Orders failures as the tests appear in the test files: the first test of a file is usually
/// the simplest, and the best one to read first. Tests not found keep their place at the end.
fn sort_by_source_order(failures: &mut [TestFailure], test_files: &[PathBuf]) {
    let sources = crate::course::read_sources(test_files.to_vec());
    failures.sort_by_key(|failure| {
        crate::course::find_test_fn(&failure.name, &sources).unwrap_or((usize::MAX, usize::MAX))
    });
}

/// The test targets whose every test must run and pass: the exercise's shipped test files
/// (from the lock, so a deleted file is missed rather than forgotten), or the solution's
/// wrapper.
fn graded_targets(
    cargo: &Cargo,
    step: &Step,
    package: &str,
    lock: Option<&Pristine>,
) -> Vec<String> {
    if package != step.package() {
        return vec!["graded".to_string()];
    }
    let shipped = lock
        .map(|lock| lock.test_files_of(&cargo.root, step))
        .filter(|files| !files.is_empty())
        .unwrap_or_else(|| step.test_files());
    shipped
        .iter()
        .filter_map(|file| Some(file.file_stem()?.to_string_lossy().into_owned()))
        .collect()
}

/// Checks a step's exercise as the learner has it, timing the whole check.
///
/// # Errors
///
/// Only when cargo cannot run at all.
pub fn check_step(
    cargo: &Cargo,
    runner: Runner,
    step: &Step,
    lock: Option<&Pristine>,
) -> Result<CheckReport> {
    let started = Instant::now();
    let edited = || lock.map_or_else(Vec::new, |lock| lock.edited_tests(&cargo.root, step));
    let mut edited_tests = edited();
    let lints = Some(step.manifest.lints.as_slice());
    let verdict = run_pipeline(cargo, runner, step, step.package(), lock, lints, true)?;
    // Looked at again after the check: a build script can change the tests during the build and
    // put them back before the check ends, and one that deletes itself is caught before.
    for file in edited() {
        if !edited_tests.contains(&file) {
            edited_tests.push(file);
        }
    }
    edited_tests.sort();
    if verdict == Verdict::NoTests && edited_tests.is_empty() {
        return Err(Error::Course(format!(
            "step {} has no tests to run although its test files are as shipped: that is a \
             problem with the course, not with your code; please tell the course authors",
            step.label()
        )));
    }
    Ok(CheckReport {
        step: step.id.clone(),
        label: step.label(),
        verdict,
        edited_tests,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Builds what the checks of `steps` will need, so the first check of a part does not wait
/// for its dependencies: the exercises' test builds, linted as a check builds them. A
/// starter that does not compile yet (on purpose or not) does not stop the dependencies from
/// being built; its errors are for the check to show.
///
/// # Errors
///
/// When cargo cannot run, or a build runs out of time.
pub fn warm(cargo: &Cargo, steps: &[Step]) -> Result<()> {
    let mut tests = cargo.command();
    tests.args([
        "test",
        "--no-run",
        "--message-format",
        cargo.message_format(),
    ]);
    for step in steps {
        tests.args(["--package", step.package()]);
    }
    // Each step's own lints are left to its check: they make cargo compile the step's crate
    // again, which takes a moment; its dependencies are what takes minutes.
    if let Some(driver) = Cargo::clippy_driver() {
        Cargo::lint_with_clippy(&mut tests, &driver, &[]);
    }
    cargo.build(tests)?;
    Ok(())
}
