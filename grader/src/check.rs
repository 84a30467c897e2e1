//! The check pipeline for one package: build and run its tests, then clippy with the step's
//! lints. Deciding the verdict lives here; printing it lives in `render`.

use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;

use crate::cargo::{self, Cargo, Diagnostic};
use crate::course::Step;
use crate::error::{Error, Result};
use crate::pristine::Pristine;
use crate::process::Running;
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
/// Clippy runs at the same time as the tests, in a target directory of its own so the two do
/// not wait for each other's build lock; its findings count only once the tests pass.
///
/// # Errors
///
/// Only when cargo cannot run at all.
pub fn check_package(cargo: &Cargo, runner: Runner, step: &Step, package: &str) -> Result<Verdict> {
    let clippy = start_clippy(cargo, package, &step.manifest.lints)?;
    run_pipeline(cargo, runner, step, package, Some(clippy))
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
    run_pipeline(cargo, runner, step, package, None)
}

fn run_pipeline(
    cargo: &Cargo,
    runner: Runner,
    step: &Step,
    package: &str,
    clippy: Option<Running>,
) -> Result<Verdict> {
    let graded = graded_targets(cargo, step, package);
    let tests = testrun::run_tests(
        cargo,
        runner,
        package,
        &graded,
        step.manifest.time_limit_secs,
    );
    // Every way out but a pass drops `clippy`, which ends it: its answer is not needed.
    match tests? {
        TestOutcome::CompileError { errors } => Ok(Verdict::CompileError { errors }),
        TestOutcome::Ran {
            passed: 0,
            failures,
        } if failures.is_empty() => Ok(Verdict::NoTests),
        TestOutcome::Ran {
            passed,
            mut failures,
        } if !failures.is_empty() => {
            sort_by_source_order(&mut failures, &step.test_files());
            Ok(Verdict::TestsFailed { passed, failures })
        }
        TestOutcome::Ran { passed, .. } => {
            let Some(clippy) = clippy else {
                return Ok(Verdict::Passed { tests: passed });
            };
            clippy_verdict(&cargo.finish_build(clippy)?, passed)
        }
    }
}

/// Reads clippy's answer once the tests have passed.
///
/// A clippy that fails without a single finding did not lint at all (most often it is not
/// installed): that is an error to fix, never a silent pass.
fn clippy_verdict(run: &cargo::CargoRun, passed: usize) -> Result<Verdict> {
    let findings = run.messages.errors.clone();
    if !findings.is_empty() {
        return Ok(Verdict::Clippy { findings });
    }
    if run.success() {
        return Ok(Verdict::Passed { tests: passed });
    }
    let stderr = run.stderr();
    let detail = stderr
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .map_or("it exited without a message", |line| {
            line.strip_prefix("error: ").unwrap_or(line)
        })
        .to_string();
    let advice = if stderr.contains("no such command") || stderr.contains("not installed") {
        "install it with `rustup component add clippy`, then run `cargo grade` again"
    } else {
        "run `cargo clippy` in the step's folder to see its whole message"
    };
    Err(Error::Tool {
        tool: "cargo clippy",
        detail,
        advice,
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
fn graded_targets(cargo: &Cargo, step: &Step, package: &str) -> Vec<String> {
    if package != step.package() {
        return vec!["graded".to_string()];
    }
    let shipped = Pristine::load(&cargo.root)
        .ok()
        .flatten()
        .map(|lock| lock.test_files_of(&cargo.root, step))
        .filter(|files| !files.is_empty())
        .unwrap_or_else(|| step.test_files());
    shipped
        .iter()
        .filter_map(|file| Some(file.file_stem()?.to_string_lossy().into_owned()))
        .collect()
}

/// Starts `cargo clippy` on the package's library with every warning and the step's lints as
/// errors. Only the learner's code is linted: not the graded tests, and not the earlier
/// steps' references a step depends on (`--no-deps`), which may hold on purpose what this
/// step's lints refuse (2.5 depends on 2.4, whose string slices are 2.5's task). Dropping the
/// answer unread ends clippy.
fn start_clippy(cargo: &Cargo, package: &str, lints: &[String]) -> Result<Running> {
    let mut command = cargo.subcommand("clippy", Cargo::beside_cargo("cargo-clippy"));
    command
        .args(["--quiet", "--lib", "--no-deps", "--package", package])
        .args(["--message-format", cargo.message_format()])
        .arg("--target-dir")
        .arg(cargo.clippy_target_dir())
        .args(["--", "-D", "warnings"]);
    // `-F` (forbid), not `-D`: a `#![allow(clippy::unwrap_used)]` in the learner's code
    // overrides a `-D` from the command line, and would pass the very step that teaches doing
    // without `unwrap`. Under `-F` such an `allow` is itself an error (E0453). `warnings` stays
    // `-D`: starters need their `#[allow(dead_code)]`.
    for lint in lints {
        command.args(["-F", lint]);
    }
    // Flags for rustc from the learner's shell or cargo configuration (`RUSTFLAGS`,
    // `build.rustflags`, `target.*.rustflags`) reach clippy too, and `--cap-lints allow` among
    // them silences every finding, forbidden ones included. An empty `CARGO_ENCODED_RUSTFLAGS`
    // wins over all of them. Clippy builds in a directory of its own, so no build is redone.
    command.env("CARGO_ENCODED_RUSTFLAGS", "");
    cargo.start_build(command)
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
    edited_tests: Vec<PathBuf>,
) -> Result<CheckReport> {
    let started = Instant::now();
    let verdict = check_package(cargo, runner, step, step.package())?;
    // Looked at again after the check: a build script can change the tests during the build and
    // put them back before the check ends, and one that deletes itself is caught before.
    let mut edited_tests = edited_tests;
    if let Some(lock) = Pristine::load(&cargo.root)? {
        for file in lock.edited_tests(&cargo.root, step) {
            if !edited_tests.contains(&file) {
                edited_tests.push(file);
            }
        }
        edited_tests.sort();
    }
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
/// for its dependencies: the exercises' test builds and clippy's, as a check runs them. A
/// starter that does not compile yet (on purpose or not) does not stop the dependencies from
/// being built; its errors are for the check to show.
///
/// # Errors
///
/// When cargo cannot run, or a build runs out of time.
pub fn warm(cargo: &Cargo, steps: &[Step]) -> Result<()> {
    let packages = |command: &mut std::process::Command| {
        for step in steps {
            command.args(["--package", step.package()]);
        }
    };
    let mut tests = cargo.command();
    tests.args([
        "test",
        "--no-run",
        "--message-format",
        cargo.message_format(),
    ]);
    packages(&mut tests);
    cargo.build(tests)?;
    let mut clippy = cargo.command();
    clippy
        .args([
            "clippy",
            "--lib",
            "--no-deps",
            "--message-format",
            cargo.message_format(),
        ])
        .arg("--target-dir")
        .arg(cargo.clippy_target_dir());
    packages(&mut clippy);
    cargo.build(clippy)?;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    fn output(code: i32, stdout: &str, stderr: &str) -> cargo::CargoRun {
        let mut out = crate::process::Capped::new(1 << 16);
        out.push(stdout.as_bytes());
        let mut err = crate::process::Capped::new(1 << 16);
        err.push(stderr.as_bytes());
        cargo::CargoRun {
            finished: crate::process::Finished {
                // A raw wait status holds the exit code in its second byte.
                status: Some(std::process::ExitStatus::from_raw(code << 8)),
                stdout: out,
                stderr: err,
            },
            messages: cargo::parse_messages(stdout),
        }
    }

    #[test]
    fn a_clean_clippy_passes() {
        let verdict = clippy_verdict(&output(0, "", ""), 3).unwrap();
        assert!(matches!(verdict, Verdict::Passed { tests: 3 }));
    }

    #[test]
    fn a_missing_clippy_is_an_error_with_the_install_command() {
        let stderr = "error: no such command: `clippy`\n\n\tView all installed commands with `cargo --list`\n";
        let err = clippy_verdict(&output(101, "", stderr), 3).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("no such command"), "{message}");
        let advice = err.advice().unwrap_or_default();
        assert!(advice.contains("rustup component add clippy"), "{advice}");
    }

    #[test]
    fn any_other_silent_failure_is_an_error_too() {
        let err = clippy_verdict(&output(1, "", ""), 3).unwrap_err();
        assert!(
            err.to_string().contains("exited without a message"),
            "{err}"
        );
    }
}
