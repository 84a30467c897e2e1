//! The check pipeline for one package: build and run its tests, then clippy with the step's
//! lints. Deciding the verdict lives here; printing it lives in `render`.

use std::path::PathBuf;
use std::process::{Child, Output, Stdio};
use std::time::Instant;

use serde::Serialize;

use crate::cargo::{self, Cargo, Diagnostic};
use crate::course::Step;
use crate::error::{Error, Result};
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
    /// The package has no tests at all: a course problem, not the learner's.
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
    /// Graded test files that differ from what was shipped; a pass does not count while any do.
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
    mut clippy: Option<Child>,
) -> Result<Verdict> {
    let tests = testrun::run_tests(cargo, runner, package, step.manifest.time_limit_secs);
    let tests = match tests {
        Ok(tests) => tests,
        Err(err) => {
            stop(&mut clippy);
            return Err(err);
        }
    };
    match tests {
        TestOutcome::CompileError { errors } => {
            stop(&mut clippy);
            Ok(Verdict::CompileError { errors })
        }
        TestOutcome::Ran {
            passed: 0,
            failures,
        } if failures.is_empty() => {
            stop(&mut clippy);
            Ok(Verdict::NoTests)
        }
        TestOutcome::Ran {
            passed,
            mut failures,
        } if !failures.is_empty() => {
            stop(&mut clippy);
            sort_by_source_order(&mut failures, &step.test_files());
            Ok(Verdict::TestsFailed { passed, failures })
        }
        TestOutcome::Ran { passed, .. } => {
            let Some(clippy) = clippy else {
                return Ok(Verdict::Passed { tests: passed });
            };
            let output = clippy.wait_with_output().map_err(cargo::spawn_error)?;
            clippy_verdict(&output, passed)
        }
    }
}

/// Reads clippy's answer once the tests have passed.
///
/// A clippy that fails without a single finding did not lint at all (most often it is not
/// installed): that is an error to fix, never a silent pass.
fn clippy_verdict(output: &Output, passed: usize) -> Result<Verdict> {
    let findings = cargo::parse_messages(&String::from_utf8_lossy(&output.stdout)).errors;
    if !findings.is_empty() {
        return Ok(Verdict::Clippy { findings });
    }
    if output.status.success() {
        return Ok(Verdict::Passed { tests: passed });
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
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
    let sources: Vec<String> = test_files
        .iter()
        .filter_map(|file| std::fs::read_to_string(file).ok())
        .collect();
    failures.sort_by_key(|failure| {
        // `graded::module::name` (a solution's wrapper) and `name` both end in the fn's name.
        let name = failure.name.rsplit("::").next().unwrap_or(&failure.name);
        let needle = format!("fn {name}(");
        sources
            .iter()
            .enumerate()
            .find_map(|(index, text)| text.find(&needle).map(|at| (index, at)))
            .unwrap_or((usize::MAX, usize::MAX))
    });
}

/// Starts `cargo clippy` on the package's library with every warning and the step's lints as
/// errors. Only the learner's code is linted, not the graded tests.
fn start_clippy(cargo: &Cargo, package: &str, lints: &[String]) -> Result<Child> {
    let mut command = cargo.command();
    command
        .args(["clippy", "--quiet", "--lib", "--package", package])
        .args(["--message-format", cargo.message_format()])
        .arg("--target-dir")
        .arg(cargo.target_dir().join("grader-clippy"))
        .args(["--", "-D", "warnings"]);
    for lint in lints {
        command.args(["-D", lint]);
    }
    command
        .stdout(Stdio::piped())
        // Read only when clippy fails without findings, to say why (see `clippy_verdict`).
        .stderr(Stdio::piped())
        .spawn()
        .map_err(cargo::spawn_error)
}

/// Ends a clippy run whose answer is no longer needed.
fn stop(child: &mut Option<Child>) {
    if let Some(child) = child {
        let _ = child.kill();
        let _ = child.wait();
    }
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
    Ok(CheckReport {
        step: step.id.clone(),
        label: step.label(),
        verdict,
        edited_tests,
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    fn output(code: i32, stdout: &str, stderr: &str) -> Output {
        Output {
            // A raw wait status holds the exit code in its second byte.
            status: std::process::ExitStatus::from_raw(code << 8),
            stdout: stdout.as_bytes().to_vec(),
            stderr: stderr.as_bytes().to_vec(),
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
