//! Building and running a package's tests, with a time limit per test.
//!
//! Two runners give the same [`TestOutcome`]:
//!
//! - **cargo-nextest**, when installed: every test in its own process, ended after the step's
//!   time limit, results read from nextest's JUnit report;
//! - **libtest**, otherwise: cargo builds the test executables and the grader runs each one
//!   with one test thread under a watchdog, so a learner's infinite loop still ends in a verdict
//!   that names the test.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde::Serialize;

use crate::cargo::{self, Cargo, Diagnostic};
use crate::error::{Error, Result};

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
        let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|path| std::env::split_paths(&path).collect())
            .unwrap_or_default();
        if let Some(home) = std::env::var_os("CARGO_HOME") {
            dirs.push(PathBuf::from(home).join("bin"));
        }
        if let Some(home) = std::env::var_os("HOME") {
            dirs.push(PathBuf::from(home).join(".cargo/bin"));
        }
        if dirs.iter().any(|dir| dir.join("cargo-nextest").is_file()) {
            Runner::Nextest
        } else {
            Runner::Libtest
        }
    }
}

/// Builds and runs the tests of `package`, each test limited to `limit_secs`.
///
/// # Errors
///
/// Only when a tool cannot run at all; failing tests and compile errors are outcomes.
pub fn run_tests(
    cargo: &Cargo,
    runner: Runner,
    package: &str,
    limit_secs: u64,
) -> Result<TestOutcome> {
    match runner {
        Runner::Nextest => run_nextest(cargo, package, limit_secs),
        Runner::Libtest => run_libtest(cargo, package, limit_secs),
    }
}

// ---------------------------------------------------------------------------------------------
// cargo-nextest

fn run_nextest(cargo: &Cargo, package: &str, limit_secs: u64) -> Result<TestOutcome> {
    // The profile lives in a file of the grader's own, passed with `--tool-config-file`, so the
    // time limit can differ per step and the repository needs no nextest configuration.
    // The process ID keeps two graders (a `watch` and a `check`) from sharing files.
    let dir = cargo.target_dir().join("grader");
    std::fs::create_dir_all(&dir).map_err(|err| Error::io("create", &dir, err))?;
    let id = std::process::id();
    let junit = dir.join(format!("junit-{id}.xml"));
    let config = dir.join(format!("nextest-{id}.toml"));
    let _ = std::fs::remove_file(&junit);
    let toml = format!(
        "[profile.grader]\n\
         fail-fast = false\nretries = 0\n\
         status-level = \"none\"\nfinal-status-level = \"none\"\n\
         failure-output = \"never\"\nsuccess-output = \"never\"\n\
         slow-timeout = {{ period = \"{limit_secs}s\", terminate-after = 1 }}\n\
         [profile.grader.junit]\npath = {junit:?}\n\
         store-success-output = false\nstore-failure-output = true\n",
        junit = junit.display().to_string(),
    );
    std::fs::write(&config, toml).map_err(|err| Error::io("write", &config, err))?;
    let metadata = workspace_metadata(cargo, &dir.join(format!("metadata-{id}.json")));

    let mut command = cargo.command();
    command
        .args([
            "nextest",
            "run",
            "--package",
            package,
            "--profile",
            "grader",
        ])
        .arg("--tool-config-file")
        .arg(format!("grader:{}", config.display()))
        .args(["--cargo-message-format", cargo.message_format()])
        .args(["--cargo-quiet", "--color", "never", "--no-tests", "fail"])
        .args(["--show-progress", "none"]);
    if let Some(metadata) = &metadata {
        command.arg("--cargo-metadata").arg(metadata);
    }
    let output = cargo.output(command)?;
    let _ = std::fs::remove_file(&config);
    if let Some(metadata) = &metadata {
        let _ = std::fs::remove_file(metadata);
    }
    let messages = cargo::parse_messages(&String::from_utf8_lossy(&output.stdout));
    if !messages.errors.is_empty() {
        return Ok(TestOutcome::CompileError {
            errors: messages.errors,
        });
    }
    let report = std::fs::read_to_string(&junit);
    let _ = std::fs::remove_file(&junit);
    match report {
        Ok(xml) => Ok(parse_junit(&xml, limit_secs)),
        Err(_) => Err(Error::Course(format!(
            "cargo nextest did not run the tests of `{package}`:\n{}",
            String::from_utf8_lossy(&output.stderr).trim_end()
        ))),
    }
}

/// Writes the workspace's metadata without its dependencies to `path`, for nextest.
///
/// Left alone, nextest asks cargo for the metadata with every dependency resolved, on each
/// run: about 0.15 s with this course's sixty crates, a fifth of a check. The workspace's own
/// packages and targets, which is what nextest needs to find and run their test binaries,
/// take cargo a third of that. `None` (nextest then asks cargo itself) if cargo fails here.
fn workspace_metadata(cargo: &Cargo, path: &Path) -> Option<PathBuf> {
    let mut command = cargo.command();
    command.args([
        "metadata",
        "--format-version",
        "1",
        "--no-deps",
        "--offline",
    ]);
    let output = cargo.output(command).ok()?;
    if !output.status.success() {
        return None;
    }
    std::fs::write(path, &output.stdout).ok()?;
    Some(path.to_path_buf())
}

/// Reads nextest's JUnit report: `<testcase/>` passed; a `<testcase>` with a `<failure>`
/// failed, and the failure's `type` says whether it timed out.
fn parse_junit(xml: &str, limit_secs: u64) -> TestOutcome {
    use quick_xml::events::Event;

    let mut reader = quick_xml::Reader::from_str(xml);
    let mut passed = 0;
    let mut failures = Vec::new();
    // The open <testcase>, and its <failure> (type, text) once seen.
    let mut case: Option<String> = None;
    let mut failure: Option<(String, String)> = None;
    let mut in_failure = false;
    // The test's captured stderr: every panic, where the <failure> text has only one.
    let mut stderr = String::new();
    let mut in_stderr = false;
    loop {
        match reader.read_event() {
            Ok(Event::Empty(tag)) if tag.name().as_ref() == b"testcase" => passed += 1,
            Ok(Event::Start(tag)) if tag.name().as_ref() == b"testcase" => {
                case = attribute(&tag, b"name");
                failure = None;
                stderr.clear();
            }
            Ok(Event::Start(tag)) if tag.name().as_ref() == b"system-err" => in_stderr = true,
            Ok(Event::End(tag)) if tag.name().as_ref() == b"system-err" => in_stderr = false,
            Ok(Event::Text(text)) if in_stderr => {
                if let Ok(text) = text.unescape() {
                    stderr.push_str(&text);
                }
            }
            Ok(Event::Start(tag)) if tag.name().as_ref() == b"failure" => {
                failure = Some((attribute(&tag, b"type").unwrap_or_default(), String::new()));
                in_failure = true;
            }
            Ok(Event::Empty(tag)) if tag.name().as_ref() == b"failure" => {
                failure = Some((attribute(&tag, b"type").unwrap_or_default(), String::new()));
            }
            Ok(Event::Text(text)) if in_failure => {
                if let (Some((_, body)), Ok(text)) = (failure.as_mut(), text.unescape()) {
                    body.push_str(&text);
                }
            }
            Ok(Event::End(tag)) if tag.name().as_ref() == b"failure" => in_failure = false,
            Ok(Event::End(tag)) if tag.name().as_ref() == b"testcase" => {
                if let Some((_, body)) = failure
                    .as_mut()
                    .filter(|_| stderr.contains(" panicked at "))
                {
                    *body = std::mem::take(&mut stderr);
                }
                finish_case(
                    case.take(),
                    failure.take(),
                    limit_secs,
                    &mut passed,
                    &mut failures,
                );
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    TestOutcome::Ran { passed, failures }
}

fn finish_case(
    name: Option<String>,
    failure: Option<(String, String)>,
    limit_secs: u64,
    passed: &mut usize,
    failures: &mut Vec<TestFailure>,
) {
    let Some(name) = name else { return };
    match failure {
        None => *passed += 1,
        Some((kind, _)) if kind.contains("timeout") => failures.push(TestFailure {
            name,
            reason: FailureReason::TimedOut { limit_secs },
        }),
        Some((_, body)) => failures.push(TestFailure {
            reason: panic_reason(&name, &body),
            name,
        }),
    }
}

fn attribute(tag: &quick_xml::events::BytesStart<'_>, key: &[u8]) -> Option<String> {
    tag.attributes()
        .flatten()
        .find(|attr| attr.key.as_ref() == key)
        .and_then(|attr| attr.unescape_value().ok().map(|value| value.into_owned()))
}

// ---------------------------------------------------------------------------------------------
// libtest under a watchdog

fn run_libtest(cargo: &Cargo, package: &str, limit_secs: u64) -> Result<TestOutcome> {
    let mut command = cargo.command();
    command
        .args(["test", "--no-run", "--quiet", "--package", package])
        .args(["--message-format", cargo.message_format()]);
    let output = cargo.output(command)?;
    let messages = cargo::parse_messages(&String::from_utf8_lossy(&output.stdout));
    if !messages.errors.is_empty() {
        return Ok(TestOutcome::CompileError {
            errors: messages.errors,
        });
    }
    if !output.status.success() {
        return Err(Error::Course(format!(
            "cargo could not build the tests of `{package}`:\n{}",
            String::from_utf8_lossy(&output.stderr).trim_end()
        )));
    }
    let mut passed = 0;
    let mut failures = Vec::new();
    for (executable, package_dir) in &messages.test_executables {
        let (ok, failed) = run_test_executable(executable, package_dir, limit_secs)?;
        passed += ok;
        failures.extend(failed);
    }
    Ok(TestOutcome::Ran { passed, failures })
}

/// Runs one test executable with one test thread, ending it when no test finishes within
/// `limit_secs`. Returns the number passed and the failures.
fn run_test_executable(
    executable: &Path,
    package_dir: &Path,
    limit_secs: u64,
) -> Result<(usize, Vec<TestFailure>)> {
    // One thread, so that libtest prints `test name ... ` before each test starts: when the
    // watchdog fires, the last such line names the test that hangs.
    let mut child = std::process::Command::new(executable)
        .args(["--test-threads=1", "--color", "never"])
        .current_dir(package_dir)
        .env("CARGO_MANIFEST_DIR", package_dir)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|err| Error::io("run", executable, err))?;
    let output = watch_output(&mut child, Duration::from_secs(limit_secs));
    Ok(parse_libtest(&output.text, output.timed_out, limit_secs))
}

struct WatchedOutput {
    text: String,
    timed_out: bool,
}

/// Collects a child's stdout; kills it when `quiet_limit` passes without a test finishing.
fn watch_output(child: &mut Child, quiet_limit: Duration) -> WatchedOutput {
    let (sender, receiver) = mpsc::channel::<Vec<u8>>();
    if let Some(mut stdout) = child.stdout.take() {
        std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(read @ 1..) = stdout.read(&mut buffer) {
                if sender
                    .send(buffer.get(..read).unwrap_or_default().to_vec())
                    .is_err()
                {
                    break;
                }
            }
        });
    }
    let mut bytes = Vec::new();
    let mut timed_out = false;
    let mut finished_lines = 0;
    let mut deadline = std::time::Instant::now() + quiet_limit;
    loop {
        let wait = deadline.saturating_duration_since(std::time::Instant::now());
        match receiver.recv_timeout(wait) {
            Ok(chunk) => {
                bytes.extend(chunk);
                // A test finishing restarts the clock; output within a test does not.
                let finished = String::from_utf8_lossy(&bytes)
                    .lines()
                    .filter(|line| result_of(line).is_some())
                    .count();
                if finished > finished_lines {
                    finished_lines = finished;
                    deadline = std::time::Instant::now() + quiet_limit;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                timed_out = true;
                let _ = child.kill();
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let _ = child.wait();
    WatchedOutput {
        text: String::from_utf8_lossy(&bytes).into_owned(),
        timed_out,
    }
}

/// `test name ... ok` to `(name, "ok")`.
fn result_of(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("test ")?;
    let (name, result) = rest.rsplit_once(" ... ")?;
    matches!(result.trim(), "ok" | "FAILED" | "ignored").then_some((name, result.trim()))
}

/// Reads libtest's plain output: results per test, and the captured output of failures.
fn parse_libtest(text: &str, timed_out: bool, limit_secs: u64) -> (usize, Vec<TestFailure>) {
    let mut passed = 0;
    let mut failed = Vec::new();
    for line in text.lines() {
        match result_of(line) {
            Some((_, "ok")) => passed += 1,
            Some((name, "FAILED")) => failed.push(name.to_string()),
            _ => {}
        }
    }
    let mut failures: Vec<TestFailure> = failed
        .into_iter()
        .map(|name| {
            // The captured output sits between `---- name stdout ----` and the next `----`
            // header or the closing `failures:` list.
            let section = text
                .split(&format!("---- {name} stdout ----"))
                .nth(1)
                .and_then(|rest| rest.split("\n---- ").next())
                .and_then(|rest| rest.split("\n\nfailures:").next())
                .unwrap_or_default();
            TestFailure {
                reason: panic_reason(&name, section),
                name,
            }
        })
        .collect();
    // With one test thread, the test that hangs is the last `test name ... ` with no result.
    let hanging = text
        .lines()
        .last()
        .and_then(|last| last.strip_prefix("test "))
        .filter(|_| timed_out)
        .map(|rest| rest.trim_end().trim_end_matches("...").trim().to_string());
    if let Some(name) = hanging {
        failures.push(TestFailure {
            name,
            reason: FailureReason::TimedOut { limit_secs },
        });
    }
    (passed, failures)
}

/// The panic message and location in the captured output of the test `test`.
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
                message.to_string()
            },
            location: None,
        };
    };
    let mut message = first.message.clone();
    for (_, other) in panics.iter().enumerate().filter(|(index, _)| *index != own) {
        message.push_str(&format!(
            "\n\nthread '{}' also panicked at {}:\n{}",
            other.thread, other.location, other.message
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

    #[test]
    fn junit_reports_passes_failures_and_timeouts() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nextest-run" tests="3">
  <testsuite name="a::t" tests="3">
    <testcase name="ok" classname="a::t" time="0.007"/>
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
    </testcase>
  </testsuite>
</testsuites>"#;
        let TestOutcome::Ran { passed, failures } = parse_junit(xml, 7) else {
            panic!("expected a test run");
        };
        assert_eq!(passed, 1);
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
    fn libtest_output_reports_failures_with_messages() {
        let text = "\nrunning 3 tests\ntest a ... ok\ntest b ... FAILED\ntest c ... ok\n\nfailures:\n\n\
                    ---- b stdout ----\n\nthread 'b' panicked at tests/t.rs:9:5:\nexpected 2\n\
                    note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\n\n\
                    failures:\n    b\n\ntest result: FAILED. 2 passed; 1 failed\n";
        let (passed, failures) = parse_libtest(text, false, 10);
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
        let TestOutcome::Ran { failures, .. } = parse_junit(xml, 7) else {
            panic!("expected a test run");
        };
        assert_eq!(
            failures[0].reason,
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
        let (passed, failures) =
            parse_libtest("\nrunning 2 tests\ntest a ... ok\ntest b ... ", true, 3);
        assert_eq!(passed, 1);
        assert_eq!(failures[0].name, "b");
        assert_eq!(
            failures[0].reason,
            FailureReason::TimedOut { limit_secs: 3 }
        );
    }
}
