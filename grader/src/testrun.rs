//! Building and running a package's tests, with a time limit per test.
//!
//! Two runners give the same [`TestOutcome`]:
//!
//! - **cargo-nextest**, when installed: every test in its own process, ended after the step's
//!   time limit, results read from nextest's JUnit report;
//! - **libtest**, otherwise: cargo builds the test executables and the grader runs each one
//!   with one test thread under a watchdog, so a learner's infinite loop still ends in a verdict
//!   that names the test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::cargo::{self, Cargo, Diagnostic, Lines, TestExecutable};
use crate::error::{Error, Result};
use crate::metadata;
use crate::process::{self, Finished, Limit, Stream};
use crate::rebuild::Rebuild;

/// What running a package's tests found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TestOutcome {
    /// The tests did not compile.
    CompileError {
        /// The compiler's errors, first one first.
        errors: Vec<Diagnostic>,
    },
    /// The tests ran.
    Ran {
        /// How many passed.
        passed: usize,
        /// The ones that did not.
        failures: Vec<TestFailure>,
        /// What clippy found in the package's library while the tests were built, each once
        /// (empty when the build did not lint).
        findings: Vec<Diagnostic>,
    },
}

/// One test that did not pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestFailure {
    /// The test's name, e.g. `splits_on_commas`.
    pub name: String,
    /// Why it did not pass.
    #[serde(flatten)]
    pub reason: FailureReason,
}

/// Why a test did not pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum FailureReason {
    /// It panicked, usually in an `assert!`.
    Panicked {
        /// The panic message, e.g. "assertion `left == right` failed ...".
        message: String,
        /// Where, e.g. `tests/split.rs:12:5`.
        location: Option<String>,
    },
    /// It was still running when the time limit ran out.
    TimedOut {
        /// The limit, in seconds.
        limit_secs: u64,
    },
    /// It overflowed its stack (the test program aborts then).
    StackOverflow,
    /// The test program ended while this test ran, before the test reported a result: a
    /// `std::process::exit`, an abort, a signal.
    Crashed {
        /// How the program ended, e.g. `exit code 0` or `signal 6 (SIGABRT)`.
        how: String,
    },
    /// It ran (later tests reported), but its result could not be read: output it printed
    /// straight to stdout, without a newline, ran into libtest's own `test name ... ok` line.
    ResultUnreadable,
    /// It never ran, because the test program had stopped at an earlier test (or was never
    /// built).
    DidNotRun {
        /// The test at which the program stopped, when known.
        stopped_at: Option<String>,
    },
}

/// Which runner to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runner {
    /// cargo-nextest.
    Nextest,
    /// The standard test harness under the grader's watchdog.
    Libtest,
}

impl Runner {
    /// cargo-nextest when `cargo-nextest` is on the `PATH` (or in `~/.cargo/bin`), else libtest.
    /// `GRADER_RUNNER=libtest` forces the fallback.
    pub fn detect() -> Runner {
        if std::env::var("GRADER_RUNNER").is_ok_and(|runner| runner == "libtest") {
            return Runner::Libtest;
        }
        if nextest_program().is_some() {
            Runner::Nextest
        } else {
            Runner::Libtest
        }
    }
}

/// The `cargo-nextest` program, where cargo would find it: on the `PATH`, else in cargo's own
/// `bin` folder.
fn nextest_program() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        dirs.push(PathBuf::from(home).join("bin"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    let name = cargo::executable("cargo-nextest");
    dirs.into_iter()
        .map(|dir| dir.join(&name))
        .find(|program| program.is_file())
}

/// How a check builds a package's tests.
#[derive(Debug, Clone, Copy)]
pub struct Build<'a> {
    /// With clippy's driver and the step's lints, clippy lints the package's code as it
    /// compiles it (see [`Cargo::lint_with_clippy`]); without, the build is a plain one.
    pub clippy: Option<(&'a Path, &'a [String])>,
    /// Whether to build the library's own test harness: when it has unit tests (see
    /// [`has_unit_tests`]), or when nothing else would be built (no file in `tests/`, and
    /// cargo refuses `--test '*'`). Else it is a second compile and a link of the library for
    /// no test: 0.08 s of processor time in a check of step 1.1.
    pub library_harness: bool,
    /// Whether the build may run without cargo when cargo would only run the compiler commands
    /// it ran for the last check (see [`crate::rebuild`]), and a build through cargo keeps
    /// them: for a learner's checks, which follow one another on the same step, not for
    /// `verify`, which checks each package once.
    pub rebuild: bool,
}

impl Build<'_> {
    /// Sets up a `cargo test --no-run` (or nextest's) command for this build.
    fn apply(&self, command: &mut std::process::Command) {
        self.lint(command);
        if !self.library_harness {
            // Every file in `tests/`, as cargo finds them, and not the library's harness.
            command.args(["--test", "*"]);
        }
    }

    /// Sets up a command (cargo's, or a compiler's) to lint as this build does.
    fn lint(&self, command: &mut std::process::Command) {
        if let Some((driver, lints)) = self.clippy {
            Cargo::lint_with_clippy(command, driver, lints);
        }
    }

    /// What of this build changes the compiler commands, in a line: for [`Rebuild`]'s key.
    fn describe(&self, cargo: &Cargo) -> String {
        let (driver, lints) = self.clippy.unzip();
        format!(
            "driver={driver:?} lints={lints:?} library_harness={} format={}",
            self.library_harness,
            cargo.message_format()
        )
    }
}

/// Whether any Rust file under `src` holds a test (`#[test]`, `#[tokio::test]`, or code only
/// for tests), so the library's own test harness is worth building.
pub fn has_unit_tests(src: &Path) -> bool {
    const MARKS: [&str; 4] = ["#[test", "cfg(test", "::test]", "::test("];
    crate::course::rust_sources_below(src)
        .any(|(_, text)| MARKS.iter().any(|mark| text.contains(mark)))
}

/// Builds and runs the tests of `package`, each test limited to `limit_secs`.
///
/// `graded` names the package's graded test targets (`add` for `tests/add.rs`): each must be
/// built and every test in it must run to its end and report `ok`, else the missing ones are
/// failures. Other targets (the learner's own unit tests) must pass too.
///
/// # Errors
///
/// When a tool cannot run at all, the build runs out of time, or nextest's report cannot be
/// read; failing tests and compile errors are outcomes.
pub fn run_tests(
    cargo: &Cargo,
    runner: Runner,
    package: &str,
    graded: &[String],
    limit_secs: u64,
    build: Build<'_>,
) -> Result<TestOutcome> {
    let mut outcome = match runner {
        Runner::Nextest => run_nextest(cargo, package, graded, limit_secs, build),
        Runner::Libtest => run_libtest(cargo, package, graded, limit_secs, build),
    }?;
    // A plain build's warnings (a starter's unused code) are not findings: nothing asked.
    if let (TestOutcome::Ran { findings, .. }, None) = (&mut outcome, build.clippy) {
        findings.clear();
    }
    Ok(outcome)
}

/// The files a run writes for nextest, removed when the run ends, however it ends.
struct TempFiles(Vec<PathBuf>);

impl Drop for TempFiles {
    fn drop(&mut self) {
        for file in &self.0 {
            let _ = std::fs::remove_file(file);
        }
    }
}

/// libtest's own last line for a test that ran to its end and passed, as nextest runs each
/// test (`--exact NAME`, one test per process).
const ONE_PASSED: &str = "test result: ok. 1 passed";

/// What libtest or Rust's runtime prints when a thread overflows its stack.
const STACK_OVERFLOW: &str = "has overflowed its stack";

// ---------------------------------------------------------------------------------------------
// cargo-nextest

fn run_nextest(
    cargo: &Cargo,
    package: &str,
    graded: &[String],
    limit_secs: u64,
    build: Build<'_>,
) -> Result<TestOutcome> {
    // The profile lives in a file of the grader's own, passed as nextest's whole configuration
    // (`--config-file`), so the time limit can differ per step and nothing else counts: a
    // `.config/nextest.toml` in the course (a `default-filter` that leaves a failing test out,
    // a wrapper script that prints a pass) or the learner's own nextest settings would change
    // what a pass means.
    // The process ID keeps two graders (a `watch` and a `check`) from sharing files.
    let dir = cargo.target_dir().join("grader");
    std::fs::create_dir_all(&dir).map_err(|err| Error::io("create", &dir, err))?;
    let id = std::process::id();
    let junit = dir.join(format!("junit-{id}.xml"));
    let config = dir.join(format!("nextest-{id}.toml"));
    let _temp = TempFiles(vec![junit.clone(), config.clone()]);
    let _ = std::fs::remove_file(&junit);
    // Nextest counts a test process that exits with status 0 as a pass, even one that called
    // `std::process::exit(0)` halfway. So the success output is kept in the report, and a pass
    // needs libtest's own closing line in it (see `finish_case`). A failure's output is not
    // kept: a test that prints without end until its time limit would make nextest write
    // hundreds of megabytes, and the failure's text already holds the panic message. (A
    // passing test's output is bounded by its time limit; nextest has no cap of its own.)
    let toml = format!(
        "[profile.grader]\n\
         fail-fast = false\nretries = 0\n\
         status-level = \"none\"\nfinal-status-level = \"none\"\n\
         failure-output = \"never\"\nsuccess-output = \"never\"\n\
         slow-timeout = {{ period = \"{limit_secs}s\", terminate-after = 1 }}\n\
         [profile.grader.junit]\npath = {junit:?}\n\
         store-success-output = true\nstore-failure-output = false\n",
        junit = junit.display().to_string(),
    );
    std::fs::write(&config, toml).map_err(|err| Error::io("write", &config, err))?;
    let metadata = metadata::for_package(cargo, package);
    let nextest = nextest_program();

    let nextest_command = |subcommand: &str| {
        nextest_command(
            cargo,
            nextest.clone(),
            subcommand,
            &config,
            metadata.as_deref(),
        )
    };
    let run_args = [
        "--profile",
        "grader",
        "--no-tests",
        "pass",
        "--show-progress",
        "none",
    ];

    // Without cargo, when cargo would only run the compiler commands it ran last time.
    let rebuild = match (&metadata, &nextest) {
        (Some(metadata), Some(nextest)) if build.rebuild => {
            Rebuild::prepare(cargo, package, &build.describe(cargo), metadata, nextest)
        }
        _ => None,
    };
    // The check through cargo. Without cargo, the compiler commands get this command's
    // environment.
    let mut command = nextest_command("run");
    command
        .args(run_args)
        .args(["--package", package])
        .args(["--cargo-message-format", cargo.message_format()]);
    if rebuild.is_some() {
        // Cargo prints the commands it runs, with the variables it sets for them (`-vv`), to
        // be kept for the next check.
        command.args(["--cargo-verbose", "--cargo-verbose"]);
    }
    build.apply(&mut command);

    if let Some(rebuild) = &rebuild
        && let Some(record) = rebuild.recorded()
        && let Some(messages) = rebuild.run(cargo, &record, &command)?
    {
        if !messages.errors.is_empty() {
            return Ok(TestOutcome::CompileError {
                errors: messages.errors,
            });
        }
        let mut tests = nextest_command("run");
        tests
            .args(run_args)
            .arg("--binaries-metadata")
            .arg(rebuild.binaries());
        let run = cargo.build(tests)?;
        return nextest_outcome(package, graded, limit_secs, &junit, &run, &messages);
    }

    // The build and every test, within the build's limit: each test has its own limit too.
    let run = cargo.build(command)?;
    if !run.messages.errors.is_empty() {
        return Ok(TestOutcome::CompileError {
            errors: run.messages.errors,
        });
    }
    let outcome = nextest_outcome(package, graded, limit_secs, &junit, &run, &run.messages)?;
    // Kept for the edit that follows a failure. After a pass the learner moves on, and the
    // list of test executables would cost a pass 0.2 s for nothing.
    let passed = matches!(&outcome, TestOutcome::Ran { failures, findings, .. }
        if failures.is_empty() && findings.is_empty());
    if let (Some(rebuild), Some(metadata), Some(nextest), false) =
        (&rebuild, &metadata, &nextest, passed)
    {
        // Taken again: a manifest saved during the build makes the commands of no use.
        let after = Rebuild::prepare(cargo, package, &build.describe(cargo), metadata, nextest);
        let Some(after) = after else {
            return Ok(outcome);
        };
        rebuild.keep(&run, &after, || {
            let mut command = nextest_command("list");
            command.args(["--package", package]).args([
                "--list-type",
                "binaries-only",
                "--message-format",
                "json",
            ]);
            build.apply(&mut command);
            let listed = process::output_uncapped(&mut command).ok()?;
            listed.success().then(|| listed.stdout.text())
        });
    }
    Ok(outcome)
}

/// A nextest command of a check (`run`, `list`): the grader's configuration file and the
/// workspace's `metadata`, and nothing of the learner's nextest settings.
fn nextest_command(
    cargo: &Cargo,
    program: Option<PathBuf>,
    subcommand: &str,
    config: &Path,
    metadata: Option<&Path>,
) -> std::process::Command {
    let mut command = cargo.subcommand("nextest", program);
    command
        .arg(subcommand)
        .arg("--config-file")
        .arg(config)
        .args(["--color", "never"]);
    if let Some(metadata) = metadata {
        command.arg("--cargo-metadata").arg(metadata);
    }
    // nextest reads `NEXTEST_*` variables as if they were options (`NEXTEST_RETRIES=3`
    // passes a test that fails twice first): a learner's shell set up for work must not
    // change a verdict.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("NEXTEST_") {
            command.env_remove(name);
        }
    }
    // Nor the learner's own nextest settings (`~/.config/nextest/config.toml`). A variable,
    // not `--user-config-file none`: a nextest older than user settings ignores the
    // variable, and would refuse the option and with it every check.
    command.env("NEXTEST_USER_CONFIG_FILE", "none");
    // Nextest starts each test through a copy of itself (a "double spawn") so that a Ctrl-Z
    // in the terminal cannot catch it halfway through starting a test. Under the grader,
    // nextest runs in a process group of its own, which the terminal's Ctrl-Z never reaches
    // (`process::Running`), so the extra start of nextest per test buys nothing here. It
    // cost 0.03 s of every check of ten tests.
    command.env("NEXTEST_DOUBLE_SPAWN", "0");
    command
}

/// The outcome of a nextest run of `package`'s tests, from its JUnit report at `junit` and the
/// build's `messages` (its test executables and findings).
fn nextest_outcome(
    package: &str,
    graded: &[String],
    limit_secs: u64,
    junit: &Path,
    run: &cargo::CargoRun,
    messages: &cargo::BuildMessages,
) -> Result<TestOutcome> {
    let report = match std::fs::read_to_string(junit) {
        Ok(xml) => xml,
        Err(_) => {
            return Err(run.failure(&format!(
                "cargo nextest did not run the tests of `{package}`"
            )));
        }
    };
    let mut outcome = parse_junit(&report, limit_secs).map_err(|detail| Error::Tool {
        tool: "cargo nextest",
        detail: format!("the test report was unreadable ({detail})"),
        advice: "run `cargo grade` again; if it happens again, run the step's tests with \
                 `GRADER_RUNNER=libtest cargo grade` and tell the course authors",
    })?;
    outcome
        .failures
        .extend(missing_targets(graded, &messages.test_executables));
    // Without the failure's output the report cannot tell a stack overflow from another abort:
    // run such a test once more, alone, and read what it printed. Only aborts pay for this.
    for (failure, suite) in outcome.failures.iter_mut().zip(&outcome.failure_suites) {
        let aborted =
            matches!(&failure.reason, FailureReason::Crashed { how } if how.contains("SIGABRT"));
        // Nextest names a library's unit tests `package`, a `tests/` file's `package::name`.
        let executable = messages.test_executables.iter().find(|executable| {
            match suite
                .strip_prefix(package)
                .and_then(|rest| rest.strip_prefix("::"))
            {
                Some(target) => executable.is_test_target(target),
                None => suite == package && executable.kind == "lib",
            }
        });
        if aborted
            && let Some(executable) = executable
            && let Some(reason) = why_aborted(executable, &failure.name, limit_secs)?
        {
            failure.reason = reason;
        }
    }
    Ok(TestOutcome::Ran {
        passed: outcome.passed,
        failures: outcome.failures,
        findings: messages.findings_of(package),
    })
}

/// A failure for each graded test target that cargo did not build (a deleted file, a
/// manifest that turned it off): its tests cannot have run.
fn missing_targets(graded: &[String], built: &[TestExecutable]) -> Vec<TestFailure> {
    graded
        .iter()
        .filter(|target| {
            !built
                .iter()
                .any(|executable| executable.is_test_target(target))
        })
        .map(|target| TestFailure {
            name: format!("tests/{target}.rs"),
            reason: FailureReason::DidNotRun { stopped_at: None },
        })
        .collect()
}

/// What nextest's JUnit report says.
#[derive(Debug, Default)]
struct JunitOutcome {
    passed: usize,
    failures: Vec<TestFailure>,
    /// The test binary of each failure, e.g. `add::add`.
    failure_suites: Vec<String>,
    /// The test binaries that ran, e.g. `add::add`.
    suites: Vec<String>,
}

/// The `<testcase>` being read.
#[derive(Debug, Default)]
struct Case {
    name: Option<String>,
    /// The `<failure>`'s type and text, once seen; its `message` attribute when it has no
    /// text (the attribute repeats the text's first line, so it is not added to it).
    failure: Option<(String, String)>,
    stdout: String,
    stderr: String,
    /// An ignored test (`#[ignore]`): neither a pass nor a failure, as libtest counts it.
    skipped: bool,
}

/// Where text inside a `<testcase>` goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inside {
    Nothing,
    Failure,
    Stdout,
    Stderr,
}

/// Reads nextest's JUnit report: a `<testcase>` passed when it has no `<failure>` and its
/// output ends with libtest's `test result: ok. 1 passed`; else the failure's type and text,
/// and the output, say why.
///
/// A learner's code that prints that very line and then exits with status 0 still passes
/// here: nothing in the output of a process tells libtest's words from the code's. Telling
/// them apart needs a channel the code cannot write to, which neither runner offers.
fn parse_junit(xml: &str, limit_secs: u64) -> std::result::Result<JunitOutcome, String> {
    use quick_xml::events::Event;

    let mut reader = quick_xml::Reader::from_str(xml);
    let mut outcome = JunitOutcome::default();
    let mut case = Case::default();
    let mut inside = Inside::Nothing;
    let text = |case: &mut Case, inside: Inside, new: &str| {
        let target = match inside {
            Inside::Failure => case.failure.as_mut().map(|(_, body)| body),
            Inside::Stdout => Some(&mut case.stdout),
            Inside::Stderr => Some(&mut case.stderr),
            Inside::Nothing => None,
        };
        if let Some(target) = target {
            target.push_str(new);
        }
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|err| format!("at byte {}: {err}", reader.buffer_position()))?;
        let opens = matches!(event, Event::Start(_));
        match event {
            Event::Start(tag) | Event::Empty(tag) if tag.name().as_ref() == b"testsuite" => {
                if let Some(name) = attribute(&tag, b"name") {
                    outcome.suites.push(name);
                }
            }
            Event::Empty(tag) if tag.name().as_ref() == b"testcase" => {
                // No output at all, so no libtest result line either.
                let case = Case {
                    name: attribute(&tag, b"name"),
                    ..Case::default()
                };
                finish_case(case, limit_secs, &mut outcome);
            }
            Event::Start(tag) if tag.name().as_ref() == b"testcase" => {
                case = Case {
                    name: attribute(&tag, b"name"),
                    ..Case::default()
                };
            }
            Event::Start(tag) | Event::Empty(tag) if tag.name().as_ref() == b"failure" => {
                let kind = attribute(&tag, b"type").unwrap_or_default();
                let message = attribute(&tag, b"message").unwrap_or_default();
                // With text to come, the text says it all; without, the message is all there is.
                case.failure = Some((kind, if opens { String::new() } else { message }));
                inside = if opens {
                    Inside::Failure
                } else {
                    Inside::Nothing
                };
            }
            Event::Start(tag) | Event::Empty(tag) if tag.name().as_ref() == b"skipped" => {
                case.skipped = true;
            }
            Event::Start(tag) if tag.name().as_ref() == b"system-out" => inside = Inside::Stdout,
            Event::Start(tag) if tag.name().as_ref() == b"system-err" => inside = Inside::Stderr,
            Event::Text(new) => {
                let new = new
                    .unescape()
                    .map_err(|err| format!("at byte {}: {err}", reader.buffer_position()))?;
                text(&mut case, inside, &new);
            }
            Event::CData(new) => text(&mut case, inside, &String::from_utf8_lossy(&new)),
            Event::End(tag) if tag.name().as_ref() == b"testcase" => {
                inside = Inside::Nothing;
                finish_case(std::mem::take(&mut case), limit_secs, &mut outcome);
            }
            Event::End(_) => inside = Inside::Nothing,
            Event::Eof => break,
            _ => {}
        }
    }
    if outcome.suites.is_empty() && !xml.contains("<testsuites") {
        return Err("it has no <testsuites> element".to_string());
    }
    Ok(outcome)
}

fn finish_case(case: Case, limit_secs: u64, outcome: &mut JunitOutcome) {
    let Some(name) = case.name.filter(|_| !case.skipped) else {
        return;
    };
    let overflowed =
        |body: &str| body.contains(STACK_OVERFLOW) || case.stderr.contains(STACK_OVERFLOW);
    let reason = match case.failure {
        None if case.stdout.contains(ONE_PASSED) => {
            outcome.passed += 1;
            return;
        }
        None if overflowed("") => FailureReason::StackOverflow,
        // Nextest saw status 0, but libtest never said the test passed: the code ended the
        // process itself.
        None => FailureReason::Crashed {
            how: "exit code 0".to_string(),
        },
        Some((kind, _)) if kind.contains("timeout") => FailureReason::TimedOut { limit_secs },
        Some((_, body)) if overflowed(&body) => FailureReason::StackOverflow,
        // "process aborted with signal 6 (SIGABRT)": the report holds no more (see
        // `run_nextest`, which asks the test itself).
        Some((kind, body)) if kind.contains("abort") => FailureReason::Crashed {
            how: body
                .lines()
                .next()
                .and_then(|line| line.split_once(" with "))
                .map_or("an abort", |(_, how)| how)
                .trim()
                .to_string(),
        },
        // The test's stderr, when kept, holds every panic; the failure text only the first.
        Some(_) if case.stderr.contains(" panicked at ") => panic_reason(&name, &case.stderr),
        Some((_, body)) if body.contains(" panicked at ") => panic_reason(&name, &body),
        // "test failure with exit code 1", "test abort with signal 9 (SIGKILL)".
        Some((kind, _)) => FailureReason::Crashed {
            how: kind
                .split_once(" with ")
                .map_or(kind.as_str(), |(_, how)| how)
                .to_string(),
        },
    };
    outcome.failures.push(TestFailure { name, reason });
    outcome
        .failure_suites
        .push(outcome.suites.last().cloned().unwrap_or_default());
}

/// Runs one test that aborted under nextest again, alone, to read why from its own output:
/// a stack overflow, or `None` when it says nothing more.
fn why_aborted(
    executable: &TestExecutable,
    name: &str,
    limit_secs: u64,
) -> Result<Option<FailureReason>> {
    let finished = process::run(
        &mut test_command(executable, &["--exact", name, "--test-threads=1"]),
        Limit::total(Duration::from_secs(limit_secs)),
        &mut |_, _| false,
    )
    .map_err(|err| Error::io("run", &executable.path, err))?;
    Ok(finished
        .stderr
        .text()
        .contains(STACK_OVERFLOW)
        .then_some(FailureReason::StackOverflow))
}

/// A command that runs a test executable as cargo would: in its package's folder.
fn test_command(executable: &TestExecutable, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(&executable.path);
    command
        .args(args)
        .current_dir(&executable.package_dir)
        .env("CARGO_MANIFEST_DIR", &executable.package_dir)
        .env("RUST_BACKTRACE", "0")
        // A learner's `RUST_TEST_NOCAPTURE=1` would send every `println!` of a passing test
        // into the middle of libtest's `test name ... ok`, and its result would go unread.
        .env_remove("RUST_TEST_NOCAPTURE");
    command
}

fn attribute(tag: &quick_xml::events::BytesStart<'_>, key: &[u8]) -> Option<String> {
    tag.attributes()
        .flatten()
        .find(|attr| attr.key.as_ref() == key)
        .and_then(|attr| attr.unescape_value().ok().map(|value| value.into_owned()))
}

// ---------------------------------------------------------------------------------------------
// libtest under a watchdog

fn run_libtest(
    cargo: &Cargo,
    package: &str,
    graded: &[String],
    limit_secs: u64,
    build: Build<'_>,
) -> Result<TestOutcome> {
    let mut command = cargo.command();
    command
        .args(["test", "--no-run", "--package", package])
        .args(["--message-format", cargo.message_format()]);
    build.apply(&mut command);
    let run = cargo.build(command)?;
    if !run.messages.errors.is_empty() {
        return Ok(TestOutcome::CompileError {
            errors: run.messages.errors,
        });
    }
    if !run.success() {
        return Err(run.failure(&format!("cargo could not build the tests of `{package}`")));
    }
    let mut passed = 0;
    let mut failures = Vec::new();
    for executable in &run.messages.test_executables {
        let (ok, failed) = run_test_executable(executable, limit_secs)?;
        passed += ok;
        failures.extend(failed);
    }
    failures.extend(missing_targets(graded, &run.messages.test_executables));
    Ok(TestOutcome::Ran {
        passed,
        failures,
        findings: run.messages.findings_of(package),
    })
}

/// Runs one test executable with one test thread, ending it when no test finishes within
/// `limit_secs`. Returns the number passed and the failures.
///
/// Every test the executable lists (`--list`) must report `ok` in its output; a test with no
/// result is a failure, whatever the exit status says.
fn run_test_executable(
    executable: &TestExecutable,
    limit_secs: u64,
) -> Result<(usize, Vec<TestFailure>)> {
    let limit = Duration::from_secs(limit_secs);
    let command = |args: &[&str]| test_command(executable, args);
    let spawn_error = |err| Error::io("run", &executable.path, err);
    let listed = process::run(
        &mut command(&["--list", "--format", "terse"]),
        Limit::total(limit),
        &mut |_, _| false,
    )
    .map_err(spawn_error)?;
    let expected: Vec<String> = listed
        .stdout
        .text()
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_string)
        .collect();

    // One thread, so that libtest prints `test name ... ` before each test starts and the
    // tests run in the order `--list` gives.
    let mut scan = LibtestScan::new(&expected);
    let finished = process::run(
        &mut command(&["--test-threads=1", "--color", "never"]),
        Limit {
            time: Some(limit),
            per_progress: true,
        },
        &mut |stream, chunk| stream == Stream::Stdout && scan.push(chunk),
    )
    .map_err(spawn_error)?;
    Ok(judge_libtest(
        &expected,
        &scan.results,
        &finished,
        &executable.target,
        limit_secs,
    ))
}

/// A test's result as libtest printed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Result1 {
    Ok,
    Failed,
    Ignored,
}

/// Reads libtest's results as they arrive, in time linear in the output.
#[derive(Debug)]
struct LibtestScan {
    lines: Lines,
    results: Vec<(String, Result1)>,
    /// The tests `--list` gave, each still waiting for its first result.
    waiting: BTreeSet<String>,
}

impl LibtestScan {
    fn new(expected: &[String]) -> LibtestScan {
        LibtestScan {
            lines: Lines::new(64 * 1024),
            results: Vec::new(),
            waiting: expected.iter().cloned().collect(),
        }
    }

    /// Adds a chunk of stdout; `true` when a listed test reported its first result in it.
    ///
    /// Only that counts as progress, which gives the next test its own time limit: code that
    /// prints `test x ... ok` lines without end (a forgery, or one name again and again) would
    /// otherwise keep the time limit from ever running out. So a program gets at most one
    /// time limit per listed test, and one more.
    fn push(&mut self, chunk: &[u8]) -> bool {
        let mut progress = false;
        let (results, waiting) = (&mut self.results, &mut self.waiting);
        self.lines.push(chunk, &mut |line| {
            if let Some((name, result)) = result_of(line) {
                progress |= waiting.remove(name);
                results.push((name.to_string(), result));
            }
        });
        progress
    }
}

/// `test name ... ok` to `(name, Ok)`.
fn result_of(line: &str) -> Option<(&str, Result1)> {
    let rest = line.strip_prefix("test ")?;
    let (name, result) = rest.rsplit_once(" ... ")?;
    let result = match result.trim() {
        "ok" => Result1::Ok,
        "FAILED" => Result1::Failed,
        "ignored" => Result1::Ignored,
        _ => return None,
    };
    Some((name, result))
}

/// Decides each listed test's fate from the results seen and how the program ended.
///
/// As under nextest (see `parse_junit`), a result line is trusted: code that writes
/// `test name ... ok` for every listed test straight to stdout and then exits with status 0
/// still passes. An exit, an abort, a crash or a hang without such forgery never does.
fn judge_libtest(
    expected: &[String],
    results: &[(String, Result1)],
    finished: &Finished,
    target: &str,
    limit_secs: u64,
) -> (usize, Vec<TestFailure>) {
    let text = finished.stdout.text();
    let stderr = finished.stderr.text();
    let result = |name: &str| {
        results
            .iter()
            .find(|(seen, _)| seen == name)
            .map(|(_, result)| *result)
    };
    let mut passed = 0;
    let mut failures = Vec::new();
    // The first listed test without a result was running when the program stopped.
    let mut stopped_at: Option<String> = None;
    for name in expected {
        let reason = match result(name) {
            Some(Result1::Ok) => {
                passed += 1;
                continue;
            }
            Some(Result1::Ignored) => continue,
            Some(Result1::Failed) => panic_reason(name, failure_section(&text, name)),
            // A later test reported, so the program went on past this one.
            None if expected
                .iter()
                .skip_while(|other| *other != name)
                .skip(1)
                .any(|later| result(later).is_some()) =>
            {
                FailureReason::ResultUnreadable
            }
            None => match &stopped_at {
                Some(first) => FailureReason::DidNotRun {
                    stopped_at: Some(first.clone()),
                },
                None => {
                    stopped_at = Some(name.clone());
                    ended_early(finished, &stderr, limit_secs)
                }
            },
        };
        failures.push(TestFailure {
            name: name.clone(),
            reason,
        });
    }
    // Every test said ok, yet the program failed (code run after the tests, an exit status
    // forced from a destructor): not a pass either.
    if failures.is_empty() && !finished.success() {
        failures.push(TestFailure {
            name: target.to_string(),
            reason: ended_early(finished, &stderr, limit_secs),
        });
    }
    (passed, failures)
}

/// Why a test program stopped before a test reported its result.
fn ended_early(finished: &Finished, stderr: &str, limit_secs: u64) -> FailureReason {
    match finished.status {
        None => FailureReason::TimedOut { limit_secs },
        Some(_) if stderr.contains(STACK_OVERFLOW) => FailureReason::StackOverflow,
        Some(status) => FailureReason::Crashed {
            how: process::describe_status(status),
        },
    }
}

/// The captured output of a failed test: between `---- name stdout ----` and the next `----`
/// header or the closing `failures:` list.
fn failure_section<'a>(text: &'a str, name: &str) -> &'a str {
    text.split(&format!("---- {name} stdout ----"))
        .nth(1)
        .and_then(|rest| rest.split("\n---- ").next())
        .and_then(|rest| rest.split("\n\nfailures:").next())
        .unwrap_or_default()
}

/// The longest panic message kept, start and end each: a test that panics with 20 MB of text
/// shows the start and the end of it.
const MESSAGE_KEEP: usize = 4 * 1024;

/// The panic message and location in a test's captured output.
///
/// Rust prints `thread 'name' (id) panicked at tests/x.rs:3:8:` and the message on the next
/// lines, then `note: run with RUST_BACKTRACE=1 ...`. A helper thread may panic first (a
/// `recv()` that fails because the test's own assertion failed and dropped the sender): the
/// panic of the test's own thread, which libtest names after the test, says what went wrong,
/// so it comes first and the others follow it in the message.
pub fn panic_reason(test: &str, output: &str) -> FailureReason {
    let panics = panics_in(output);
    let own = panics
        .iter()
        .position(|panic| is_test_thread(&panic.thread, test))
        .unwrap_or(0);
    let Some(first) = panics.get(own) else {
        let message = output.trim();
        return FailureReason::Panicked {
            message: if message.is_empty() {
                "the test failed without a panic message".to_string()
            } else {
                process::cap_text(message, MESSAGE_KEEP)
            },
            location: None,
        };
    };
    // Each message is capped: a test that panics with 20 MB of text shows its start and end.
    let mut message = process::cap_text(&first.message, MESSAGE_KEEP);
    for (_, other) in panics.iter().enumerate().filter(|(index, _)| *index != own) {
        message.push_str(&format!(
            "\n\nthread '{}' also panicked at {}:\n{}",
            other.thread,
            other.location,
            process::cap_text(&other.message, MESSAGE_KEEP)
        ));
    }
    FailureReason::Panicked {
        message,
        location: Some(first.location.clone()),
    }
}

/// One panic in a test's output.
struct Panic {
    thread: String,
    location: String,
    message: String,
}

/// Every `thread '...' panicked at ...:` in `output`, with the message lines below it up to
/// the `note:` or `stack backtrace:` that ends it.
fn panics_in(output: &str) -> Vec<Panic> {
    let mut panics: Vec<Panic> = Vec::new();
    let mut in_message = false;
    for line in output.lines() {
        if let Some((thread, location)) = panic_header(line) {
            panics.push(Panic {
                thread: thread.to_string(),
                location: location.to_string(),
                message: String::new(),
            });
            in_message = true;
        } else if line.starts_with("note: ") || line.starts_with("stack backtrace:") {
            in_message = false;
        } else if let Some(panic) = panics.last_mut().filter(|_| in_message) {
            if !panic.message.is_empty() {
                panic.message.push('\n');
            }
            panic.message.push_str(line);
        }
    }
    for panic in &mut panics {
        panic.message.truncate(panic.message.trim_end().len());
    }
    panics
}

/// `thread 'name' (12) panicked at tests/x.rs:3:8:` to `("name", "tests/x.rs:3:8")`.
fn panic_header(line: &str) -> Option<(&str, &str)> {
    let (thread, rest) = line.strip_prefix("thread '")?.split_once('\'')?;
    let (_, location) = rest.split_once(" panicked at ")?;
    Some((thread, location.trim().trim_end_matches(':')))
}

/// libtest runs each test on a thread named after it: `name`, or `module::name` when the
/// report names the test without its module (or the other way round).
fn is_test_thread(thread: &str, test: &str) -> bool {
    thread == test
        || test.ends_with(&format!("::{thread}"))
        || thread.ends_with(&format!("::{test}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSED_OUTPUT: &str = "<system-out>running 1 test\ntest ok ... ok\n\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 3 filtered out; finished in 0.00s\n</system-out>";

    fn junit(cases: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nextest-run" tests="3">
  <testsuite name="a::t" tests="3">{cases}</testsuite>
</testsuites>"#
        )
    }

    #[test]
    fn a_library_has_unit_tests_when_a_source_file_holds_one() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir_all(src.join("parse")).unwrap();
        std::fs::write(src.join("lib.rs"), "pub mod parse;\n").unwrap();
        std::fs::write(src.join("parse/mod.rs"), "pub fn parse() {}\n").unwrap();
        assert!(!has_unit_tests(&src));
        for test in [
            "#[cfg(test)]\nmod tests {}\n",
            "#[test]\nfn parses() {}\n",
            "#[tokio::test]\nasync fn parses() {}\n",
            "#[tokio::test(start_paused = true)]\nasync fn parses() {}\n",
        ] {
            std::fs::write(
                src.join("parse/mod.rs"),
                format!("pub fn parse() {{}}\n{test}"),
            )
            .unwrap();
            assert!(has_unit_tests(&src), "{test}");
        }
    }

    #[test]
    fn junit_reports_passes_failures_and_timeouts() {
        let xml = junit(&format!(
            r#"
    <testcase name="ok" classname="a::t" time="0.007">{PASSED_OUTPUT}</testcase>
    <testcase name="x" classname="a::t" time="0.141">
      <failure message="thread &apos;x&apos; panicked" type="test failure with exit code 101">thread &apos;x&apos; (5441) panicked at a/tests/t.rs:3:8:
assertion `left == right` failed: f should be two
  left: 1
 right: 2
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace</failure>
      <system-out>running 1 test</system-out>
    </testcase>
    <testcase name="hang" classname="a::t" time="2.002">
      <failure type="test timeout"/>
      <system-out>running 1 test</system-out>
    </testcase>"#
        ));
        let outcome = parse_junit(&xml, 7).unwrap();
        assert_eq!(outcome.passed, 1);
        assert_eq!(outcome.suites, ["a::t"]);
        let failures = outcome.failures;
        assert_eq!(failures.len(), 2);
        assert_eq!(failures[0].name, "x");
        assert_eq!(
            failures[0].reason,
            FailureReason::Panicked {
                message: "assertion `left == right` failed: f should be two\n  left: 1\n right: 2"
                    .into(),
                location: Some("a/tests/t.rs:3:8".into()),
            }
        );
        assert_eq!(failures[1].name, "hang");
        assert_eq!(
            failures[1].reason,
            FailureReason::TimedOut { limit_secs: 7 }
        );
    }

    #[test]
    fn a_nextest_pass_without_libtests_result_line_is_an_early_exit() {
        // `std::process::exit(0)` in the code: nextest saw status 0, libtest said nothing.
        let xml = junit(
            r#"<testcase name="exits" classname="a::t"><system-out>running 1 test
test exits ... </system-out></testcase>
<testcase name="silent" classname="a::t"/>"#,
        );
        let outcome = parse_junit(&xml, 7).unwrap();
        assert_eq!(outcome.passed, 0);
        let how = FailureReason::Crashed {
            how: "exit code 0".into(),
        };
        assert_eq!(outcome.failures[0].reason, how);
        assert_eq!(outcome.failures[1].reason, how);
    }

    #[test]
    fn an_ignored_test_is_neither_passed_nor_failed() {
        let xml = junit(r#"<testcase name="later" classname="a::t"><skipped/></testcase>"#);
        let outcome = parse_junit(&xml, 7).unwrap();
        assert_eq!((outcome.passed, outcome.failures.len()), (0, 0));
    }

    #[test]
    fn a_nextest_stack_overflow_is_named() {
        let xml = junit(
            r#"<testcase name="deep" classname="a::t">
<failure type="test abort with signal 6 (SIGABRT)"/>
<system-err>
thread &apos;deep&apos; has overflowed its stack
fatal runtime error: stack overflow</system-err></testcase>"#,
        );
        let outcome = parse_junit(&xml, 7).unwrap();
        assert_eq!(outcome.failures[0].reason, FailureReason::StackOverflow);
    }

    #[test]
    fn a_malformed_report_is_an_error_not_an_empty_run() {
        let err =
            parse_junit("<testsuites><testsuite name=\"a::t\"><testcase name=", 7).unwrap_err();
        assert!(err.contains("at byte"), "{err}");
        assert!(parse_junit("not a report", 7).is_err());
    }

    #[cfg(unix)]
    fn finished(code: Option<i32>, signal: Option<i32>, stdout: &str, stderr: &str) -> Finished {
        use std::os::unix::process::ExitStatusExt;
        let status = match (code, signal) {
            (Some(code), _) => Some(std::process::ExitStatus::from_raw(code << 8)),
            (None, Some(signal)) => Some(std::process::ExitStatus::from_raw(signal)),
            (None, None) => None,
        };
        let mut out = process::Capped::new(1 << 20);
        out.push(stdout.as_bytes());
        let mut err = process::Capped::new(1 << 20);
        err.push(stderr.as_bytes());
        Finished {
            status,
            stdout: out,
            stderr: err,
        }
    }

    #[cfg(unix)]
    fn judge(
        listed: &[&str],
        stdout: &str,
        stderr: &str,
        code: Option<i32>,
        signal: Option<i32>,
    ) -> (usize, Vec<TestFailure>) {
        let expected: Vec<String> = listed.iter().map(|name| name.to_string()).collect();
        let mut scan = LibtestScan::new(&expected);
        // Byte by byte: results split across chunks are still read.
        for byte in stdout.as_bytes() {
            scan.push(std::slice::from_ref(byte));
        }
        judge_libtest(
            &expected,
            &scan.results,
            &finished(code, signal, stdout, stderr),
            "t",
            3,
        )
    }

    #[test]
    fn only_a_listed_tests_first_result_is_progress() {
        let mut scan = LibtestScan::new(&["a".to_string(), "b".to_string()]);
        assert!(scan.push(b"test a ... ok\n"));
        assert!(!scan.push(b"test a ... ok\n"), "a second result for a");
        assert!(
            !scan.push(b"test fake1 ... ok\n"),
            "a test that was not listed"
        );
        assert!(scan.push(b"test b ... FAILED\n"));
        assert_eq!(scan.results.len(), 4, "every result is still read");
    }

    #[cfg(unix)]
    #[test]
    fn libtest_output_reports_failures_with_messages() {
        let text = "\nrunning 3 tests\ntest a ... ok\ntest b ... FAILED\ntest c ... ok\n\nfailures:\n\n\
                    ---- b stdout ----\n\nthread 'b' panicked at tests/t.rs:9:5:\nexpected 2\n\
                    note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\n\n\
                    failures:\n    b\n\ntest result: FAILED. 2 passed; 1 failed\n";
        let (passed, failures) = judge(&["a", "b", "c"], text, "", Some(101), None);
        assert_eq!(passed, 2);
        assert_eq!(
            failures,
            vec![TestFailure {
                name: "b".into(),
                reason: FailureReason::Panicked {
                    message: "expected 2".into(),
                    location: Some("tests/t.rs:9:5".into()),
                },
            }]
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_tests_own_panic_comes_before_a_helper_threads() {
        // As in 4.3: a helper's `recv()` fails once the test's assertion has failed.
        let output = "\nthread '<unnamed>' (16981) panicked at tests/status_store.rs:31:43:\n\
                      called `Result::unwrap()` on an `Err` value: RecvError\n\
                      note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\n\
                      thread 'job_is_running' (16978) panicked at tests/status_store.rs:40:5:\n\
                      job 1 is running: set `Running` before the handler runs\n  left: 1\n";
        assert_eq!(
            panic_reason("job_is_running", output),
            FailureReason::Panicked {
                message: "job 1 is running: set `Running` before the handler runs\n  left: 1\n\n\
                          thread '<unnamed>' also panicked at tests/status_store.rs:31:43:\n\
                          called `Result::unwrap()` on an `Err` value: RecvError"
                    .into(),
                location: Some("tests/status_store.rs:40:5".into()),
            }
        );
        // A solution's wrapper names the test with its module.
        let FailureReason::Panicked { location, .. } =
            panic_reason("graded::job_is_running", output)
        else {
            panic!("a panic");
        };
        assert_eq!(location.as_deref(), Some("tests/status_store.rs:40:5"));
    }

    #[test]
    fn junit_reads_every_panic_from_the_captured_stderr() {
        let xml = r#"<testsuites><testsuite name="a::t" tests="1">
    <testcase name="job_is_running" classname="a::t" time="0.1">
      <failure type="test failure">thread &apos;job_is_running&apos; (2) panicked at t.rs:9:5:
job 1 is running</failure>
      <system-err>thread &apos;&lt;unnamed&gt;&apos; (3) panicked at t.rs:4:9:
RecvError
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace

thread &apos;job_is_running&apos; (2) panicked at t.rs:9:5:
job 1 is running
</system-err>
    </testcase>
  </testsuite></testsuites>"#;
        let outcome = parse_junit(xml, 7).unwrap();
        assert_eq!(
            outcome.failures[0].reason,
            FailureReason::Panicked {
                message:
                    "job 1 is running\n\nthread '<unnamed>' also panicked at t.rs:4:9:\nRecvError"
                        .into(),
                location: Some("t.rs:9:5".into()),
            }
        );
    }

    #[test]
    fn output_without_a_panic_is_kept_as_the_message() {
        assert_eq!(
            panic_reason("t", "  exited early\n"),
            FailureReason::Panicked {
                message: "exited early".into(),
                location: None,
            }
        );
    }

    #[test]
    fn a_hanging_test_is_named() {
        let (passed, failures) = judge(
            &["a", "b"],
            "\nrunning 2 tests\ntest a ... ok\ntest b ... ",
            "",
            None,
            None,
        );
        assert_eq!(passed, 1);
        assert_eq!(failures[0].name, "b");
        assert_eq!(
            failures[0].reason,
            FailureReason::TimedOut { limit_secs: 3 }
        );
    }

    #[cfg(unix)]
    #[test]
    fn an_exit_in_the_second_test_fails_it_and_the_tests_after_it() {
        let (passed, failures) = judge(
            &["a", "b", "c", "d"],
            "\nrunning 4 tests\ntest a ... ok\ntest b ... ",
            "",
            Some(0),
            None,
        );
        assert_eq!(passed, 1);
        assert_eq!(
            failures[0].reason,
            FailureReason::Crashed {
                how: "exit code 0".into()
            }
        );
        for failure in &failures[1..] {
            assert_eq!(
                failure.reason,
                FailureReason::DidNotRun {
                    stopped_at: Some("b".into())
                }
            );
        }
        assert_eq!(failures.len(), 3);
    }

    #[cfg(unix)]
    #[test]
    fn a_stack_overflow_in_the_second_test_is_named_and_the_rest_did_not_run() {
        let (passed, failures) = judge(
            &["a", "b", "c"],
            "\nrunning 3 tests\ntest a ... ok\ntest b ... ",
            "\nthread 'b' has overflowed its stack\nfatal runtime error: stack overflow, aborting\n",
            None,
            Some(6),
        );
        assert_eq!(passed, 1);
        assert_eq!(failures[0].reason, FailureReason::StackOverflow);
        assert_eq!(failures.len(), 2);
    }

    #[cfg(unix)]
    #[test]
    fn raw_output_that_hides_a_result_is_said_so_and_the_rest_still_count() {
        let (passed, failures) = judge(
            &["a", "b", "c"],
            "test a ... ok\ntest b ... floodfloodok\ntest c ... ok\n",
            "",
            Some(0),
            None,
        );
        assert_eq!(passed, 2);
        assert_eq!(failures[0].name, "b");
        assert_eq!(failures[0].reason, FailureReason::ResultUnreadable);
        assert_eq!(failures.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_forged_result_for_a_test_not_listed_counts_for_nothing() {
        let (passed, failures) = judge(
            &["a"],
            "test a ... ok\ntest forged ... ok\n",
            "",
            Some(0),
            None,
        );
        assert_eq!((passed, failures.len()), (1, 0));
    }

    #[test]
    fn nextests_files_go_however_the_run_ends() {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<PathBuf> = ["nextest-1.toml", "metadata-1.json"]
            .iter()
            .map(|name| dir.path().join(name))
            .collect();
        for file in &files {
            std::fs::write(file, "x").unwrap();
        }
        let early_return = || -> Result<()> {
            let _temp = TempFiles(files.clone());
            Err(Error::NoCurrentStep)
        };
        assert!(early_return().is_err());
        assert!(files.iter().all(|file| !file.exists()));
    }

    #[test]
    fn a_huge_panic_message_is_cut_in_the_middle() {
        let output = format!(
            "thread 'x' panicked at tests/t.rs:1:1:\n{}\nnote: run with",
            "y".repeat(20 << 20)
        );
        let FailureReason::Panicked { message, .. } = panic_reason("t", &output) else {
            panic!("expected a panic");
        };
        assert!(message.len() < 3 * MESSAGE_KEEP, "{}", message.len());
        assert!(message.contains("bytes of output cut here"));
    }
}
