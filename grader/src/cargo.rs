//! Running cargo and reading its JSON messages.
//!
//! The grader asks cargo for `--message-format json` and reads the compiler's diagnostics and
//! the built test executables from it, instead of scraping cargo's human output, which changes
//! between releases.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::process::{self, Finished, Limit, Running, Stream};

/// How to run cargo for one course.
#[derive(Debug, Clone)]
pub struct Cargo {
    /// The course root, where cargo runs.
    pub root: PathBuf,
    /// Whether diagnostics are rendered with ANSI colors.
    pub color: bool,
}

/// One compiler diagnostic (an error or a warning) about the learner's code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// `error` or `warning`.
    pub level: String,
    /// The error code or lint name, e.g. `E0382` or `clippy::unwrap_used`.
    pub code: Option<String>,
    /// The one-line message, e.g. "borrow of moved value: `line`".
    pub message: String,
    /// The diagnostic exactly as rustc renders it in a terminal.
    pub rendered: String,
    /// Where the primary span starts: file (relative to the package), line, column.
    pub location: Option<Location>,
    /// Where rustc's notes point, in their order: for "`Rc<..>` cannot be sent between threads"
    /// at a `spawn`, the field of the learner's type that is not `Send`.
    pub notes: Vec<Location>,
}

/// A position in a source file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file, as the compiler names it.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
}

/// A test executable cargo built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestExecutable {
    /// The executable.
    pub path: PathBuf,
    /// The package's directory, where its tests run.
    pub package_dir: PathBuf,
    /// The target's name: `add` for `tests/add.rs`, the library's name for its unit tests.
    pub target: String,
    /// The target's kind: `lib`, `test` (a file in `tests/`), `bin`, ...
    pub kind: String,
}

impl TestExecutable {
    /// Whether it is the integration test target `name` (`tests/<name>.rs`), not a library
    /// or binary that happens to share the name.
    pub fn is_test_target(&self, name: &str) -> bool {
        self.kind == "test" && self.target == name
    }
}

/// What cargo's JSON messages said about one build.
#[derive(Debug, Default)]
pub struct BuildMessages {
    /// Diagnostics of the level `error`, in the order the compiler emitted them (at most
    /// [`MAX_ERRORS`]).
    pub errors: Vec<Diagnostic>,
    /// Warnings about a library, with the library's name: clippy's findings when the build
    /// ran under [`Cargo::lint_with_clippy`] (at most twice [`MAX_ERRORS`]: cargo compiles a
    /// library twice, and each compile says it all again).
    pub library_warnings: Vec<(String, Diagnostic)>,
    /// Test executables that were built.
    pub test_executables: Vec<TestExecutable>,
}

impl BuildMessages {
    /// The warnings about `package`'s own library, each once: what clippy found in the
    /// learner's code. Warnings about the other packages the build compiled (an earlier step's
    /// reference) and about test files are not the learner's to fix here.
    pub fn findings_of(&self, package: &str) -> Vec<Diagnostic> {
        // A library's name is its package's, with `-` as `_`.
        let library = package.replace('-', "_");
        let warnings: Vec<Diagnostic> = self
            .library_warnings
            .iter()
            .filter(|(name, _)| *name == library)
            .map(|(_, warning)| warning.clone())
            .collect();
        distinct(&warnings).into_iter().cloned().collect()
    }
}

/// The diagnostics without repeats, first one first: cargo compiles a library twice (once for
/// `(lib)`, once for `(lib test)`), and each compile reports the same error or finding.
pub fn distinct(diagnostics: &[Diagnostic]) -> Vec<&Diagnostic> {
    let mut seen: Vec<&Diagnostic> = Vec::new();
    for diagnostic in diagnostics {
        let repeat = seen.iter().any(|other| {
            other.code == diagnostic.code
                && other.message == diagnostic.message
                && other.location == diagnostic.location
        });
        if !repeat {
            seen.push(diagnostic);
        }
    }
    seen
}

/// How many compiler errors are kept: a learner reads the first; the rest often follow from it.
pub const MAX_ERRORS: usize = 50;

/// The longest a build may take before the grader stops it.
///
/// Generous on purpose: the first check of a part on a slow laptop compiles tokio and friends
/// (a few minutes). Only a build script, a macro or a `const` computation that never ends
/// reaches it.
pub const BUILD_LIMIT: Duration = Duration::from_secs(15 * 60);

/// [`BUILD_LIMIT`], or `GRADER_BUILD_LIMIT_SECS` when set (for the grader's own tests, which
/// need a build that never ends to end sooner).
pub fn build_limit() -> Duration {
    std::env::var("GRADER_BUILD_LIMIT_SECS")
        .ok()
        .and_then(|secs| secs.parse().ok())
        .map_or(BUILD_LIMIT, Duration::from_secs)
}

/// What one cargo run left: its exit, its JSON messages and the end of what it said.
#[derive(Debug)]
pub struct CargoRun {
    /// How cargo ended.
    pub finished: Finished,
    /// Its JSON messages, read as they came.
    pub messages: BuildMessages,
    /// The commands cargo said it ran (`--verbose`), each as cargo prints it between
    /// backquotes: `CARGO_CRATE_NAME=add /path/to/rustc --crate-name add ...`.
    pub commands: Vec<String>,
}

impl CargoRun {
    /// Whether cargo exited with status 0.
    pub fn success(&self) -> bool {
        self.finished.success()
    }

    /// What cargo printed on stderr (capped).
    pub fn stderr(&self) -> String {
        self.finished.stderr.text()
    }

    /// The error for a cargo run that ended without what it was run for (a test report, test
    /// executables) and without a compiler error to show: `what` names what is missing.
    ///
    /// The message keeps what cargo said but its progress lines ("Compiling serde") and
    /// nextest's warnings about dependencies missing from the grader's `--no-deps` metadata
    /// (see `testrun::workspace_metadata`): with both left in, a full disk's one line was lost
    /// under forty lines of noise. A full disk gets its own advice.
    pub fn failure(&self, what: &str) -> Error {
        let stderr = self.stderr();
        let said: Vec<&str> = stderr
            .lines()
            .filter(|line| !is_progress_noise(line))
            .collect();
        let said = said.join("\n");
        // The build runs clippy's driver in rustc's place (see `Cargo::lint_with_clippy`).
        if stderr.contains("clippy-driver")
            && (stderr.contains("not installed") || stderr.contains("never executed"))
        {
            // rustup's own line ("'clippy-driver' is not installed for the toolchain ...")
            // says it best; cargo's ("process didn't exit successfully: ...") comes first.
            let lines = || stderr.lines().map(str::trim);
            let detail = lines()
                .find(|line| line.contains("not installed"))
                .or_else(|| lines().find(|line| line.contains("clippy-driver")))
                .unwrap_or("clippy-driver did not start");
            return Error::Tool {
                tool: "clippy",
                detail: format!(
                    "{what}: {}",
                    detail.strip_prefix("error: ").unwrap_or(detail)
                ),
                advice: "install it with `rustup component add clippy`, then run `cargo grade` \
                         again",
            };
        }
        if stderr.contains("No space left on device") {
            return Error::Tool {
                tool: "cargo",
                detail: format!("{what}: the disk is full\n{}", said.trim_end()),
                advice: "free some space (`cargo clean` in the course folder removes the build \
                         files, which are rebuilt when needed), then run `cargo grade` again",
            };
        }
        Error::Course(format!("{what}:\n{}", said.trim_end()))
    }
}

/// A program's file name on this system: `rustc`, `rustc.exe`.
pub fn executable(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

/// Whether rustc flags (separated by spaces, or by `\x1f` as in `CARGO_ENCODED_RUSTFLAGS`)
/// silence lints: `--cap-lints allow`, `-A warnings`, `--allow=clippy::all`. Flags that make
/// lints stricter (`-D warnings`) do not hide a finding.
fn silences_lints(flags: &str) -> bool {
    const SILENCING: [&str; 3] = ["-A", "--allow", "--cap-lints"];
    flags
        .split(|c: char| c.is_whitespace() || c == '\x1f')
        .any(|flag| SILENCING.iter().any(|level| flag.starts_with(level)))
}

/// A line of cargo's or nextest's stderr that says nothing about why a run failed.
fn is_progress_noise(line: &str) -> bool {
    let trimmed = line.trim_start();
    [
        "Compiling ",
        "Checking ",
        "Fresh ",
        "Downloaded ",
        "Downloading ",
        "Blocking ",
        "Running `",
    ]
    .iter()
    .any(|status| trimmed.starts_with(status))
        || line.contains("which wasn't produced by cargo metadata")
        // What a dependency's build script printed, which `--verbose --verbose` shows:
        // `[serde 1.0.0] cargo:rerun-if-changed=build.rs`.
        || (trimmed.starts_with('[') && trimmed.contains("] "))
}

impl Cargo {
    /// The cargo program: the one that started us when run through `cargo grade`, else `cargo`.
    fn program() -> PathBuf {
        std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
    }

    /// A cargo command in the course root, building in the course's own target directory.
    pub fn command(&self) -> Command {
        self.command_of(&Self::program())
    }

    /// A cargo subcommand (`clippy`, `nextest`): its own program `cargo-<name>`, started
    /// directly when `program` is where it is and the cargo that started the grader is known
    /// (`cargo grade` sets `CARGO`), else `cargo <name>`.
    ///
    /// Through cargo, a subcommand costs a cargo start-up only to find its program on the
    /// `PATH`, then, for clippy, a pass through rustup's proxy; and nextest asks `rustc` for its
    /// version and library folder on every run, each time through rustup's `rustc` proxy.
    /// About 0.1 s of a check that takes half a second, for nothing. Started directly, the
    /// program gets `CARGO` as cargo would give it, and `RUSTC` names the compiler beside that
    /// cargo, which is the one cargo itself runs, unless the learner has set `RUSTC`.
    pub fn subcommand(&self, name: &str, program: Option<PathBuf>) -> Command {
        let real_cargo = std::env::var_os("CARGO").map(PathBuf::from);
        let mut command = match (real_cargo, program) {
            (Some(real_cargo), Some(program)) => {
                let mut command = self.command_of(&program);
                let rustc = real_cargo.with_file_name(executable("rustc"));
                if std::env::var_os("RUSTC").is_none() && rustc.is_file() {
                    command.env("RUSTC", rustc);
                }
                command
            }
            _ => self.command(),
        };
        command.arg(name);
        command
    }

    /// A program of the toolchain that started the grader, beside its cargo (`cargo-clippy`);
    /// `None` when `CARGO` is not set or the program is not there.
    pub fn beside_cargo(name: &str) -> Option<PathBuf> {
        let path = PathBuf::from(std::env::var_os("CARGO")?).with_file_name(executable(name));
        path.is_file().then_some(path)
    }

    /// Like [`Cargo::command`], for a program that runs cargo itself: in the course root, with
    /// the same target directory and environment.
    fn command_of(&self, program: &Path) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(&self.root)
            .stdin(Stdio::null())
            // Each copy of the course builds in its own `target/`, whatever `CARGO_TARGET_DIR`
            // or `build.target-dir` says: cargo keys a workspace member's build by its path
            // relative to the workspace, so two copies sharing one target directory would be
            // judged by each other's builds (the environment beats cargo's config files).
            .env("CARGO_TARGET_DIR", self.target_dir())
            // Tests panic with a message, not a backtrace: the message is what a learner needs.
            .env("RUST_BACKTRACE", "0");
        command
    }

    /// The value for `--message-format`.
    pub fn message_format(&self) -> &'static str {
        if self.color {
            "json-diagnostic-rendered-ansi"
        } else {
            "json"
        }
    }

    /// The course's own target directory, `<root>/target` (see [`Cargo::command`]).
    pub fn target_dir(&self) -> PathBuf {
        self.root.join("target")
    }

    /// Clippy's driver: the one beside the cargo that started the grader (`cargo grade` sets
    /// `CARGO`), `None` when that toolchain has none (clippy is not installed); without
    /// `CARGO`, the `clippy-driver` on the `PATH`.
    pub fn clippy_driver() -> Option<PathBuf> {
        if std::env::var_os("CARGO").is_some() {
            Cargo::beside_cargo("clippy-driver")
        } else {
            Some(PathBuf::from(executable("clippy-driver")))
        }
    }

    /// Makes a test build lint the selected packages' own code with clippy as it compiles it:
    /// clippy's driver takes rustc's place for the workspace's packages
    /// (`RUSTC_WORKSPACE_WRAPPER`, which is how `cargo clippy` itself runs it), so one build
    /// gives both the test executables and clippy's findings, as warnings in its messages
    /// (see [`BuildMessages::findings_of`]).
    ///
    /// The rejected alternative is a `cargo clippy` beside the tests, as the grader ran until
    /// it was measured: a second cargo start-up and a second compile of the library on a
    /// machine with two cores, about 0.05 s of every check, and every dependency built twice.
    /// One build also means the code clippy reads is the code the tests run: a
    /// `#[cfg(clippy)]` twin of a function cannot show clippy one body and the tests another.
    ///
    /// The arguments reach the driver the way `cargo clippy` passes them (`CLIPPY_ARGS`,
    /// separated by `__CLIPPY_HACKERY__`):
    /// - `--no-deps`: only the selected package is linted, not the earlier steps' references a
    ///   step depends on, which may hold on purpose what this step's lints refuse (2.5
    ///   depends on 2.4, whose string slices are 2.5's task);
    /// - `--force-warn` for each of the step's `lints`: a warning, so a finding never stops
    ///   the tests from running, that no `#[allow(...)]` in the learner's code can lift (the
    ///   step that teaches doing without `unwrap` must not pass with
    ///   `#![allow(clippy::unwrap_used)]`).
    ///
    /// cargo names a workspace package's build after its wrapper too, so these builds sit
    /// beside those of a `cargo test` run by hand, and neither undoes the other.
    pub fn lint_with_clippy(command: &mut Command, driver: &Path, lints: &[String]) {
        let mut args = String::from("--no-deps__CLIPPY_HACKERY__");
        for lint in lints {
            args.push_str("--force-warn__CLIPPY_HACKERY__");
            args.push_str(lint);
            args.push_str("__CLIPPY_HACKERY__");
        }
        command
            .env("RUSTC_WORKSPACE_WRAPPER", driver)
            .env("CLIPPY_ARGS", args);
        // Flags for rustc from the learner's shell (`RUSTFLAGS` and its kin) reach this build,
        // and `--cap-lints allow` among them turns clippy off, forced lints included. A
        // variable that silences lints is left out of the check, which then builds the
        // dependencies once more, without it. Any other is kept: leaving out `-D warnings` or
        // `-C target-cpu=native` would cost that rebuild on every switch between a check and
        // a `cargo test` by hand, for nothing.
        for (name, value) in std::env::vars_os() {
            let name = name.to_string_lossy();
            let rustflags = name == "RUSTFLAGS"
                || name == "CARGO_ENCODED_RUSTFLAGS"
                || name == "CARGO_BUILD_RUSTFLAGS"
                || (name.starts_with("CARGO_TARGET_") && name.ends_with("_RUSTFLAGS"));
            if rustflags && silences_lints(&value.to_string_lossy()) {
                command.env_remove(name.as_ref());
            }
        }
    }

    /// Runs a cargo command that builds, within [`build_limit`], reading its JSON messages
    /// as they come and saying on stderr what a long wait is about: dependencies being
    /// compiled for the first time, or another cargo holding the build lock.
    ///
    /// # Errors
    ///
    /// [`Error::Spawn`] when cargo cannot be started, [`Error::Tool`] when the build ran out
    /// of time.
    pub fn build(&self, command: Command) -> Result<CargoRun> {
        self.finish_build(self.start_build(command)?)
    }

    /// Starts a cargo command that builds; [`Cargo::finish_build`] reads its answer.
    ///
    /// # Errors
    ///
    /// [`Error::Spawn`] when cargo cannot be started.
    pub fn start_build(&self, mut command: Command) -> Result<Running> {
        Running::start(&mut command, process::KEEP_BYTES).map_err(spawn_error)
    }

    /// Reads the answer of a build begun with [`Cargo::start_build`]; see [`Cargo::build`].
    ///
    /// # Errors
    ///
    /// [`Error::Spawn`] when cargo cannot be waited for, [`Error::Tool`] when the build ran out
    /// of time.
    pub fn finish_build(&self, running: Running) -> Result<CargoRun> {
        let limit = build_limit();
        let mut messages = BuildMessages::default();
        let mut stdout_lines = Lines::new(MAX_LINE);
        let mut stderr_lines = Lines::new(MAX_LINE);
        let mut progress = BuildProgress::default();
        let mut commands = Vec::new();
        let finished = running
            .finish(Limit::total(limit), &mut |stream, chunk| {
                match stream {
                    Stream::Stdout => {
                        stdout_lines.push(chunk, &mut |line| read_message(line, &mut messages))
                    }
                    Stream::Stderr => {
                        stderr_lines.push(chunk, &mut |line| match ran_command(line) {
                            Some(command) => commands.push(command.to_string()),
                            None => progress.line(line),
                        })
                    }
                }
                false
            })
            .map_err(spawn_error)?;
        stdout_lines.finish(&mut |line| read_message(line, &mut messages));
        if finished.timed_out() {
            return Err(build_ran_out_of_time());
        }
        Ok(CargoRun {
            finished,
            messages,
            commands,
        })
    }
}

/// The error for a build still running at [`build_limit`].
pub fn build_ran_out_of_time() -> Error {
    let secs = build_limit().as_secs();
    let took = if secs >= 120 {
        format!("{} minutes", secs / 60)
    } else {
        format!("{secs} seconds")
    };
    Error::Tool {
        tool: "cargo build",
        detail: format!("the build was still running after {took}, so the grader stopped it"),
        advice: "a first build of a part's dependencies takes a few minutes, never this \
                 long: look for a build script (`build.rs`), a macro or a `const` \
                 computation in your code that never ends, \
                 and check that nothing else is building in the course folder",
    }
}

/// The command of one of cargo's `--verbose` lines, ``Running `...` ``: what is between the
/// backquotes.
fn ran_command(line: &str) -> Option<&str> {
    line.trim_start()
        .strip_prefix("Running `")?
        .strip_suffix('`')
}

/// The longest JSON message line kept whole (a diagnostic rendered with colors is a few KB);
/// longer lines are cut and then skipped as unreadable.
pub(crate) const MAX_LINE: usize = 1 << 20;

/// Says on stderr why a build takes long, from cargo's status lines.
#[derive(Debug, Default)]
struct BuildProgress {
    dependencies: bool,
    lock: bool,
}

impl BuildProgress {
    fn line(&mut self, line: &str) {
        for message in self.messages(line) {
            eprintln!("{message}");
        }
    }

    /// What to say about one of cargo's status lines.
    fn messages(&mut self, line: &str) -> Vec<String> {
        let line = line.trim();
        let mut messages = Vec::new();
        // Cargo says this when another cargo (rust-analyzer's `cargo check`, a second
        // terminal) holds the build directory; without a word the check looks stuck.
        // With `--verbose` cargo names the lock's file after it: `... on build directory
        // (/course/target/debug/.cargo-lock)`.
        let build_lock = line
            .strip_prefix("Blocking waiting for file lock on ")
            .map(|what| what.split(" (").next().unwrap_or(what))
            .is_some_and(|what| what == "build directory" || what == "artifact directory");
        if build_lock && !self.lock {
            self.lock = true;
            messages.push(
                "  waiting: another cargo is building in this course's target/ folder (often \
                 rust-analyzer); give the editor a folder of its own, see \"Editor setup\" in \
                 README.md"
                    .to_string(),
            );
        }
        // A workspace member's line names its folder in parentheses; a dependency's does not.
        // Only dependencies are shown, so a warm check stays quiet.
        if let Some(krate) = line.strip_prefix("Compiling ")
            && !krate.contains('(')
        {
            if !self.dependencies {
                self.dependencies = true;
                messages.push(
                    "  building this part's dependencies once (a few minutes the first time; \
                     `cargo grade warm` does it ahead of a session):"
                        .to_string(),
                );
            }
            messages.push(format!("    compiling {krate}"));
        }
        messages
    }
}

/// Splits a stream of bytes into lines as it arrives; linear in the bytes, with each line cut
/// at `max` bytes.
#[derive(Debug)]
pub struct Lines {
    partial: Vec<u8>,
    max: usize,
}

impl Lines {
    /// Lines of up to `max` bytes.
    pub fn new(max: usize) -> Lines {
        Lines {
            partial: Vec::new(),
            max,
        }
    }

    /// Adds a chunk, calling `line` for every line it completes (without the newline).
    pub fn push(&mut self, chunk: &[u8], line: &mut dyn FnMut(&str)) {
        let mut rest = chunk;
        while let Some(end) = rest.iter().position(|&byte| byte == b'\n') {
            let (now, after) = rest.split_at(end);
            self.extend(now);
            line(&String::from_utf8_lossy(&self.partial));
            self.partial.clear();
            rest = after.get(1..).unwrap_or_default();
        }
        self.extend(rest);
    }

    /// The last line, when the stream did not end with a newline.
    pub fn finish(&mut self, line: &mut dyn FnMut(&str)) {
        if !self.partial.is_empty() {
            line(&String::from_utf8_lossy(&self.partial));
            self.partial.clear();
        }
    }

    /// The line begun and not yet ended.
    pub fn partial(&self) -> String {
        String::from_utf8_lossy(&self.partial).into_owned()
    }

    fn extend(&mut self, bytes: &[u8]) {
        let room = self.max.saturating_sub(self.partial.len());
        self.partial
            .extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or_default());
    }
}

/// The error for a cargo that would not start.
pub fn spawn_error(source: std::io::Error) -> Error {
    Error::Spawn {
        program: Cargo::program().display().to_string(),
        cause: source,
        advice: "the grader needs the Rust toolchain: install it with rustup (https://rustup.rs) \
                 and open a new terminal",
    }
}

/// Reads cargo's JSON messages (one per line; other lines are ignored).
pub fn parse_messages(stdout: &str) -> BuildMessages {
    let mut messages = BuildMessages::default();
    for line in stdout.lines() {
        read_message(line, &mut messages);
    }
    messages
}

/// Reads one line of cargo's JSON messages into `messages`.
fn read_message(line: &str, messages: &mut BuildMessages) {
    if !line.starts_with('{') {
        return;
    }
    let Ok(message) = serde_json::from_str::<Value>(line) else {
        return;
    };
    match message["reason"].as_str() {
        Some("compiler-message") => {
            let target = &message["target"];
            let library = target["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|kind| kind == "lib"));
            let name = target["name"].as_str().unwrap_or_default();
            read_diagnostic(&message["message"], name, library, messages);
        }
        Some("compiler-artifact") if message["profile"]["test"] == true => {
            let executable = message["executable"].as_str();
            let manifest = message["manifest_path"].as_str().map(Path::new);
            let target = message["target"]["name"].as_str().unwrap_or_default();
            let kind = message["target"]["kind"][0].as_str().unwrap_or_default();
            if let (Some(executable), Some(manifest)) = (executable, manifest) {
                let package_dir = manifest.parent().unwrap_or(manifest).to_path_buf();
                messages.test_executables.push(TestExecutable {
                    path: PathBuf::from(executable),
                    package_dir,
                    target: target.to_string(),
                    kind: kind.to_string(),
                });
            }
        }
        _ => {}
    }
}

/// Reads one of rustc's JSON diagnostics about the target `name` (a library when `library`)
/// into `messages`: an error, or a warning about a library.
pub fn read_diagnostic(message: &Value, name: &str, library: bool, messages: &mut BuildMessages) {
    let Some(diagnostic) = diagnostic(message) else {
        return;
    };
    if diagnostic.level == "error" && messages.errors.len() < MAX_ERRORS {
        messages.errors.push(diagnostic);
    } else if diagnostic.level == "warning"
        && library
        && !name.is_empty()
        && messages.library_warnings.len() < 2 * MAX_ERRORS
    {
        messages
            .library_warnings
            .push((name.to_string(), diagnostic));
    }
}

/// A rustc JSON diagnostic; `None` for the summaries ("aborting due to ...") that have no code
/// and no span.
fn diagnostic(message: &Value) -> Option<Diagnostic> {
    let level = message["level"].as_str()?.to_string();
    let text = message["message"].as_str()?.to_string();
    let spans = message["spans"].as_array();
    if spans.is_none_or(|spans| spans.is_empty()) && message["code"].is_null() {
        return None;
    }
    let location = spans
        .and_then(|spans| spans.iter().find(|span| span["is_primary"] == true))
        .and_then(span_location);
    let notes = message["children"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|child| child["spans"].as_array())
        .flat_map(|spans| spans.iter().filter(|span| span["is_primary"] == true))
        .filter_map(span_location)
        .collect();
    Some(Diagnostic {
        level,
        code: message["code"]["code"].as_str().map(str::to_string),
        message: text,
        rendered: message["rendered"].as_str().unwrap_or_default().to_string(),
        location,
        notes,
    })
}

fn span_location(span: &Value) -> Option<Location> {
    Some(Location {
        file: span["file_name"].as_str()?.to_string(),
        line: span["line_start"].as_u64()?,
        column: span["column_start"].as_u64()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A failed cargo run that printed `stderr`.
    fn failed_run(stderr: &str) -> CargoRun {
        let mut captured = process::Capped::new(process::KEEP_BYTES);
        captured.push(stderr.as_bytes());
        CargoRun {
            finished: Finished {
                status: None,
                stdout: process::Capped::new(process::KEEP_BYTES),
                stderr: captured,
            },
            messages: BuildMessages::default(),
            commands: Vec::new(),
        }
    }

    #[test]
    fn a_failure_shows_what_cargo_said_without_the_noise_around_it() {
        let noise = "warning: saw package ID `registry+https://x#libc@0.2.1` which wasn't produced by cargo metadata\n   Compiling libc v0.2.1\n";
        let run = failed_run(&format!("{}error: linking failed\n", noise.repeat(40)));
        let message = run
            .failure("cargo nextest did not run the tests of `x`")
            .to_string();
        assert_eq!(
            message,
            "cargo nextest did not run the tests of `x`:\nerror: linking failed"
        );
    }

    #[test]
    fn a_full_disk_says_so_and_what_to_do() {
        let run = failed_run(
            "   Compiling libc v0.2.1\nerror: failed to write `/c/target/debug/deps/x.o`: No space left on device (os error 28)\n",
        );
        let err = run.failure("cargo nextest did not run the tests of `x`");
        let message = err.with_advice();
        assert!(message.contains("the disk is full"), "{message}");
        assert!(message.contains("No space left on device"), "{message}");
        assert!(message.contains("`cargo clean`"), "{message}");
        assert!(!message.contains("Compiling"), "{message}");
    }

    #[test]
    fn errors_and_test_executables_are_read() {
        let stdout = r#"
{"reason":"compiler-message","message":{"level":"error","message":"borrow of moved value: `a`","code":{"code":"E0382"},"rendered":"error[E0382]: ...","spans":[{"file_name":"src/lib.rs","line_start":4,"column_start":9,"is_primary":true}],"children":[{"level":"note","message":"defined here","spans":[{"file_name":"src/a.rs","line_start":2,"column_start":5,"is_primary":true}]}]}}
{"reason":"compiler-message","message":{"level":"error","message":"aborting due to 1 previous error","code":null,"rendered":"error: aborting","spans":[]}}
{"reason":"compiler-message","message":{"level":"warning","message":"unused","code":null,"rendered":"w","spans":[{"file_name":"src/lib.rs","line_start":1,"column_start":1,"is_primary":true}]}}
{"reason":"compiler-artifact","profile":{"test":true},"target":{"name":"x","kind":["test"]},"executable":"/t/deps/x-1","manifest_path":"/c/ex/Cargo.toml"}
{"reason":"compiler-artifact","profile":{"test":false},"executable":null,"manifest_path":"/c/ex/Cargo.toml"}
not json
"#;
        let messages = parse_messages(stdout);
        assert_eq!(messages.errors.len(), 1);
        let error = &messages.errors[0];
        assert_eq!(error.code.as_deref(), Some("E0382"));
        assert_eq!(error.location.as_ref().unwrap().line, 4);
        assert_eq!(
            error.notes,
            vec![Location {
                file: "src/a.rs".into(),
                line: 2,
                column: 5
            }]
        );
        assert_eq!(
            messages.test_executables,
            vec![TestExecutable {
                path: PathBuf::from("/t/deps/x-1"),
                package_dir: PathBuf::from("/c/ex"),
                target: "x".into(),
                kind: "test".into(),
            }]
        );
    }

    #[test]
    fn a_missing_clippy_driver_says_how_to_install_it() {
        let run = failed_run(
            "error: 'clippy-driver' is not installed for the toolchain 'stable-x86_64-unknown-linux-gnu'.\nTo install, run `rustup component add clippy`\n",
        );
        let err = run.failure("cargo could not build the tests of `x`");
        assert!(err.to_string().contains("is not installed"), "{err}");
        let advice = err.advice().unwrap_or_default();
        assert!(advice.contains("rustup component add clippy"), "{advice}");
    }

    /// A `compiler-message` line for a warning at `src/lib.rs:line`, from `target`.
    fn warning(line: u64, code: &str, target: &str, kind: &str) -> String {
        format!(
            r#"{{"reason":"compiler-message","target":{{"name":"{target}","kind":["{kind}"]}},"message":{{"level":"warning","message":"m{line}","code":{{"code":"{code}"}},"rendered":"w","spans":[{{"file_name":"src/lib.rs","line_start":{line},"column_start":1,"is_primary":true}}]}}}}"#
        )
    }

    #[test]
    fn findings_are_the_packages_library_warnings_each_once() {
        let stdout = [
            warning(3, "clippy::unwrap_used", "no_panics", "lib"),
            // The same, from the library's second compile (`lib test`).
            warning(3, "clippy::unwrap_used", "no_panics", "lib"),
            warning(5, "dead_code", "no_panics", "lib"),
            // An earlier step's reference the package depends on, and a test file.
            warning(7, "dead_code", "thiserror_anyhow_solution", "lib"),
            warning(9, "clippy::string_slice", "no_panics", "test"),
        ]
        .join("\n");
        let findings = parse_messages(&stdout).findings_of("no-panics");
        let found: Vec<(Option<&str>, u64)> = findings
            .iter()
            .map(|f| (f.code.as_deref(), f.location.as_ref().map_or(0, |l| l.line)))
            .collect();
        assert_eq!(
            found,
            [(Some("clippy::unwrap_used"), 3), (Some("dead_code"), 5)]
        );
    }

    #[test]
    fn only_flags_that_silence_lints_are_left_out() {
        for flags in [
            "--cap-lints=allow",
            "-C opt-level=1 --cap-lints allow",
            "-Awarnings",
            "-A warnings",
            "-C\x1fdebuginfo=0\x1f-Aclippy::all",
            "--allow=unused",
        ] {
            assert!(silences_lints(flags), "{flags}");
        }
        for flags in [
            "",
            "-D warnings",
            "-C target-cpu=native",
            "-Clink-arg=-fuse-ld=mold",
            "--cfg tokio_unstable",
        ] {
            assert!(!silences_lints(flags), "{flags}");
        }
    }

    #[test]
    fn only_dependencies_and_a_held_lock_are_shown() {
        let mut progress = BuildProgress::default();
        assert!(
            progress
                .messages("   Compiling add v0.1.0 (/c/exercises/01_basics/01_add)")
                .is_empty()
        );
        let first = progress.messages("   Compiling tokio v1.47.1");
        assert_eq!(first.len(), 2, "{first:?}");
        assert!(first[0].contains("cargo grade warm"));
        assert_eq!(first[1], "    compiling tokio v1.47.1");
        assert_eq!(
            progress.messages("   Compiling bytes v1.10.1"),
            ["    compiling bytes v1.10.1"]
        );
        assert!(
            progress
                .messages("    Blocking waiting for file lock on package cache")
                .is_empty()
        );
        let lock = progress.messages("    Blocking waiting for file lock on artifact directory");
        assert!(lock[0].contains("rust-analyzer"), "{lock:?}");
        // As cargo says it with `--verbose`, which a check's build may have.
        let mut verbose = BuildProgress::default();
        let lock = verbose.messages(
            "    Blocking waiting for file lock on build directory (/c/target/debug/.cargo-lock)",
        );
        assert!(lock[0].contains("rust-analyzer"), "{lock:?}");
        assert!(
            progress
                .messages("    Blocking waiting for file lock on build directory")
                .is_empty()
        );
    }

    #[test]
    fn lines_are_split_across_chunks_and_cut_at_the_limit() {
        let mut lines = Lines::new(5);
        let mut seen = Vec::new();
        for chunk in ["ab", "c\nde", "fghij\n\nxy"] {
            lines.push(chunk.as_bytes(), &mut |line| seen.push(line.to_string()));
        }
        assert_eq!(seen, ["abc", "defgh", ""]);
        assert_eq!(lines.partial(), "xy");
        lines.finish(&mut |line| seen.push(line.to_string()));
        assert_eq!(seen.last().map(String::as_str), Some("xy"));
    }

    #[test]
    fn the_target_directory_is_the_courses_own_whatever_the_environment_says() {
        let cargo = Cargo {
            root: PathBuf::from("/course"),
            color: false,
        };
        let command = cargo.command();
        let target = command
            .get_envs()
            .find(|(key, _)| *key == "CARGO_TARGET_DIR")
            .and_then(|(_, value)| value);
        assert_eq!(target, Some(Path::new("/course/target").as_os_str()));
    }
}
