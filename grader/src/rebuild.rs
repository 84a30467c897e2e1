//! A check's build without cargo, while cargo would run the same compiler commands again.
//!
//! After an edit to a step's `src/`, cargo compiles the step's library and its test files again
//! (and the library's own test harness when it has unit tests). Before it starts the first
//! compile, cargo loads and resolves the whole workspace, 276 packages in `Cargo.lock`: about
//! 0.07 s here, a quarter of a check of step 1.1, on every check. nextest then asks rustc twice
//! about the host before it starts cargo.
//!
//! So a check that builds through cargo keeps the compiler commands cargo ran for the step's
//! crates (cargo prints them with `--verbose`) in `target/grader/rebuild/`, with nextest's list
//! of the test executables they make, under a key: what could make cargo run other commands.
//! The next check of the step, while the key holds, runs those commands itself and hands
//! nextest the list (`--binaries-metadata`): no cargo at all.
//!
//! The key covers:
//! - the course's folder, the cargo and nextest programs, and the programs the commands run
//!   (rustc, clippy's driver): a new toolchain makes new commands;
//! - the workspace's manifests and lock file, cargo's configuration files, and the environment
//!   variables that change a build (`CARGO*`, `RUSTC*`, `RUSTFLAGS`, `RUSTUP*`, `CLIPPY*`);
//! - the files cargo finds the step's targets from (a new file in `tests/` is a new target);
//! - how the check builds: the step's lints, and whether the library's harness is built;
//! - every file of the workspace packages the step builds on (2.5 uses 2.4's reference): cargo
//!   would compile an edited one first.
//!
//! The step's own source files are not in the key: they are what the commands compile, and
//! rustc reads them afresh each time, including a module the learner has just added.
//!
//! Whenever in doubt, cargo builds: no record yet, a key that differs, a dependency's build
//! output gone (`cargo clean`), cargo's build lock held by another cargo (rust-analyzer), a
//! compiler command that fails without an error in the step's own files, or one with an error
//! that says a dependency's build is missing or unreadable (`cargo clean -p thiserror` leaves
//! the commands' own inputs in place and takes away what those were built on). Only errors in
//! the step's own files are the learner's to fix; any other failure may be the record's fault,
//! and cargo will say what it is. `GRADER_REBUILD=cargo` turns this off.
//!
//! The commands run with the environment the check's cargo command would have had (clippy's
//! driver, `RUSTC`, nextest's variables): code that reads a variable when it is compiled
//! (`env!`) sees the same either way.
//!
//! Cargo's record of the step's crates (`target/debug/.fingerprint/<package>-<hash>/`) is
//! removed before the commands run: cargo would otherwise take the files they write for its
//! own, and a variable read by `env!` that differs from cargo's last build would go unseen.
//! The next build through cargo (a hand-run `cargo test`, a key that changed) compiles the
//! step's crates again, as it would after any edit.
//!
//! Rejected:
//! - a program of the grader's own in rustc's place, to record the commands: cargo puts that
//!   program's path in the hash of every crate it compiles;
//! - keeping the step's outputs when its sources have not changed since the last build: that
//!   is cargo's freshness check written a second time, for a check run twice without an edit;
//! - replaying in `verify`, which checks each package once.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cargo::{self, BuildMessages, Cargo, CargoRun, Lines, TestExecutable};
use crate::error::Result;
use crate::fsutil;
use crate::metadata;
use crate::process::{KEEP_BYTES, Limit, Running, Stream};

/// The version of the record's format, part of the key.
const FORMAT: u32 = 1;

/// rustc's errors about loading a dependency's build rather than about the code: a crate not
/// found (E0463), a newer or incompatible build of it (E0460, E0461, E0462, E0514), several
/// candidates (E0464, E0523), unreadable metadata (E0786).
const CRATE_LOADING: [&str; 8] = [
    "E0460", "E0461", "E0462", "E0463", "E0464", "E0514", "E0523", "E0786",
];

/// A package's way to a build without cargo: where its record is kept, and the key as things
/// stand now.
#[derive(Debug)]
pub struct Rebuild {
    package: String,
    package_dir: PathBuf,
    record: PathBuf,
    binaries: PathBuf,
    key: String,
    /// `Cargo.lock`'s length and time, apart from the key: cargo itself writes the file when
    /// it is missing or out of date, during the very build whose commands are kept.
    lock: String,
}

/// The compiler commands of one build of a package through cargo.
#[derive(Debug, Serialize, Deserialize)]
pub struct Record {
    /// What the commands were made from (see the module's documentation), as a SHA-1 (the git
    /// blob ID of its text).
    key: String,
    /// `Cargo.lock`'s length and time.
    lock: String,
    /// The programs the commands run, each with its length and modification time.
    tools: Vec<(PathBuf, String)>,
    /// In the order cargo ran them: the library first.
    units: Vec<Unit>,
}

/// One compiler command: one crate of the package.
#[derive(Debug, Serialize, Deserialize)]
struct Unit {
    /// The target's name, as cargo's messages give it: `add` for `src/lib.rs` or `tests/add.rs`.
    target: String,
    /// The target's kind: `lib`, or `test` for a file in `tests/`.
    kind: String,
    /// The test executable the command makes; `None` for the library itself.
    executable: Option<PathBuf>,
    /// The variables cargo set for the command.
    env: Vec<(String, String)>,
    /// The program, then its arguments.
    program: PathBuf,
    args: Vec<String>,
}

impl Rebuild {
    /// The way for `package`, from the workspace's `metadata` (see [`metadata::for_package`]);
    /// `None` when it is turned off, or when cargo would do more for the package than compile
    /// its library and test files (a build script, a binary, an example).
    pub fn prepare(
        cargo: &Cargo,
        package: &str,
        build: &str,
        metadata: &Path,
        nextest: &Path,
    ) -> Option<Rebuild> {
        if std::env::var("GRADER_REBUILD").is_ok_and(|how| how == "cargo") {
            return None;
        }
        let text = std::fs::read_to_string(metadata).ok()?;
        let metadata: Value = serde_json::from_str(&text).ok()?;
        let packages = metadata["packages"].as_array()?;
        let this = metadata::package_entry(&metadata, package)?;
        let manifest = PathBuf::from(this["manifest_path"].as_str()?);
        let package_dir = manifest.parent()?.to_path_buf();
        let only_lib_and_tests = this["targets"].as_array()?.iter().all(|target| {
            target["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().all(|kind| kind == "lib" || kind == "test"))
        });
        if !only_lib_and_tests {
            return None;
        }
        let dir = cargo.target_dir().join("grader").join("rebuild");
        let key = key(cargo, build, &manifest, packages, nextest);
        Some(Rebuild {
            package: package.to_string(),
            package_dir,
            record: dir.join(format!("{package}.json")),
            binaries: dir.join(format!("{package}.binaries.json")),
            key,
            lock: metadata::stamp(&cargo.root.join("Cargo.lock")),
        })
    }

    /// nextest's list of the test executables, for `--binaries-metadata`.
    pub fn binaries(&self) -> &Path {
        &self.binaries
    }

    /// The kept record, when its key and its programs hold.
    pub fn recorded(&self) -> Option<Record> {
        let text = std::fs::read_to_string(&self.record).ok()?;
        let record: Record = serde_json::from_str(&text).ok()?;
        let tools_hold = record
            .tools
            .iter()
            .all(|(tool, stamp)| metadata::stamp(tool) == *stamp);
        let holds = record.key == self.key && record.lock == self.lock && tools_hold;
        (holds && self.binaries.is_file()).then_some(record)
    }

    /// Runs the record's commands in the course root, each with the environment `environment`
    /// (the check's cargo command, not run) sets up: clippy's driver and the step's lints,
    /// `RUSTC`, nextest's variables. The build's messages, as cargo's would be; `None` when
    /// cargo should build instead (see the module's documentation).
    ///
    /// As cargo does, the crates that do not need the library (its own test harness) compile
    /// beside it, and the test files beside one another once it is built: on two cores, step
    /// 3.3's library and harness one after the other took 0.15 s more than cargo.
    ///
    /// # Errors
    ///
    /// When a command runs past the build's time limit.
    pub fn run(
        &self,
        cargo: &Cargo,
        record: &Record,
        environment: &Command,
    ) -> Result<Option<BuildMessages>> {
        let outputs_there = record
            .units
            .iter()
            .flat_map(|unit| externs(&unit.args))
            .all(|path| Path::new(path).is_file());
        if !outputs_there {
            return Ok(None);
        }
        // Cargo's own lock on its build folder, held until the commands end: a cargo building
        // at the same time (a second terminal, rust-analyzer) would mix its files with these.
        // When cargo holds it, cargo builds, and says it is waiting.
        let lock_path = cargo.target_dir().join("debug").join(".cargo-lock");
        let Ok(lock) = File::options().write(true).open(&lock_path) else {
            return Ok(None);
        };
        if lock.try_lock().is_err() {
            return Ok(None);
        }
        self.forget_cargos_record(cargo, record);
        let env: Vec<(&OsStr, Option<&OsStr>)> = environment.get_envs().collect();
        let env = env.as_slice();
        let (library, others): (Vec<&Unit>, Vec<&Unit>) = record
            .units
            .iter()
            .partition(|unit| unit.executable.is_none());
        let (beside, after): (Vec<&Unit>, Vec<&Unit>) =
            others.into_iter().partition(|unit| unit.kind == "lib");
        let compiled: Vec<Result<Option<Compiled>>> = std::thread::scope(|scope| {
            let beside: Vec<_> = beside
                .into_iter()
                .map(|unit| scope.spawn(move || compile(cargo, unit, env)))
                .collect();
            let mut compiled: Vec<Result<Option<Compiled>>> = library
                .into_iter()
                .map(|unit| compile(cargo, unit, env))
                .collect();
            let library_built = compiled
                .iter()
                .all(|result| matches!(result, Ok(Some(unit)) if unit.succeeded));
            if library_built {
                let after: Vec<_> = after
                    .into_iter()
                    .map(|unit| scope.spawn(move || compile(cargo, unit, env)))
                    .collect();
                compiled.extend(after.into_iter().map(joined));
            }
            compiled.extend(beside.into_iter().map(joined));
            compiled
        });
        let mut messages = BuildMessages::default();
        let mut all_succeeded = true;
        for unit in compiled {
            let Some(unit) = unit? else {
                return Ok(None);
            };
            all_succeeded &= unit.succeeded;
            messages.errors.extend(unit.messages.errors);
            messages
                .library_warnings
                .extend(unit.messages.library_warnings);
        }
        messages.errors.truncate(cargo::MAX_ERRORS);
        messages.library_warnings.truncate(2 * cargo::MAX_ERRORS);
        if !all_succeeded {
            let learners = messages
                .errors
                .iter()
                .filter_map(|error| error.location.as_ref())
                .any(|location| {
                    cargo
                        .root
                        .join(&location.file)
                        .starts_with(&self.package_dir)
                });
            let dependency_missing = messages.errors.iter().any(|error| {
                error
                    .code
                    .as_deref()
                    .is_some_and(|code| CRATE_LOADING.contains(&code))
            });
            return Ok((learners && !dependency_missing).then_some(messages));
        }
        messages.test_executables = record
            .units
            .iter()
            .filter_map(|unit| {
                Some(TestExecutable {
                    path: unit.executable.clone()?,
                    package_dir: self.package_dir.clone(),
                    target: unit.target.clone(),
                    kind: unit.kind.clone(),
                })
            })
            .collect();
        Ok(Some(messages))
    }

    /// Removes cargo's record of the crates `record` makes, so that cargo compiles them again
    /// rather than take the files these commands write for its own. A folder of another
    /// layout than cargo's today is not found, and nothing is removed.
    fn forget_cargos_record(&self, cargo: &Cargo, record: &Record) {
        let fingerprints = cargo.target_dir().join("debug").join(".fingerprint");
        for unit in &record.units {
            let hash = unit
                .args
                .iter()
                .find_map(|arg| arg.strip_prefix("extra-filename=-"));
            if let Some(hash) = hash {
                let _ =
                    std::fs::remove_dir_all(fingerprints.join(format!("{}-{hash}", self.package)));
            }
        }
    }

    /// Keeps the compiler commands of `run`, a build through cargo with `--verbose`, when it
    /// compiled every crate of the package and the key held throughout: `after` is this way
    /// prepared again after the build. `list` gives nextest's list of the test executables
    /// (`cargo nextest list --list-type binaries-only`).
    pub fn keep(&self, run: &CargoRun, after: &Rebuild, list: impl FnOnce() -> Option<String>) {
        if after.key != self.key {
            return;
        }
        let Some(units) = units_of(&run.commands, &self.package_dir, &run.messages) else {
            return;
        };
        let Some(binaries) = list() else {
            return;
        };
        let listed: Option<Vec<PathBuf>> =
            serde_json::from_str::<Value>(&binaries)
                .ok()
                .and_then(|list| {
                    list["rust-binaries"].as_object().map(|binaries| {
                        binaries
                            .values()
                            .filter_map(|binary| binary["binary-path"].as_str().map(PathBuf::from))
                            .collect()
                    })
                });
        let mut made: Vec<PathBuf> = units.iter().filter_map(|u| u.executable.clone()).collect();
        let (Some(mut listed), false) = (listed, made.is_empty()) else {
            return;
        };
        listed.sort();
        made.sort();
        if listed != made {
            return;
        }
        let mut tools: Vec<PathBuf> = Vec::new();
        for unit in &units {
            // A wrapper (clippy's driver) gets the compiler as its first argument.
            let wrapped = unit.args.first().map(PathBuf::from);
            for tool in std::iter::once(unit.program.clone()).chain(wrapped) {
                if tool.is_absolute() && tool.is_file() && !tools.contains(&tool) {
                    tools.push(tool);
                }
            }
        }
        let record = Record {
            key: after.key.clone(),
            lock: after.lock.clone(),
            tools: tools
                .into_iter()
                .map(|tool| {
                    let stamp = metadata::stamp(&tool);
                    (tool, stamp)
                })
                .collect(),
            units,
        };
        let Ok(json) = serde_json::to_vec(&record) else {
            return;
        };
        // The list first, then the record: a record always finds its list. A failed write
        // leaves no record that holds, and cargo builds.
        let _ = std::fs::remove_file(&self.record);
        if fsutil::write_atomic(&self.binaries, binaries.as_bytes()).is_ok() {
            let _ = fsutil::write_atomic(&self.record, &json);
        }
    }
}

/// What one compiler command said, and whether it succeeded.
struct Compiled {
    messages: BuildMessages,
    succeeded: bool,
}

/// Runs one recorded compiler command, reading its diagnostics as cargo would; `Ok(None)` when
/// it cannot start.
fn compile(
    cargo: &Cargo,
    unit: &Unit,
    environment: &[(&OsStr, Option<&OsStr>)],
) -> Result<Option<Compiled>> {
    let mut command = Command::new(&unit.program);
    command.args(&unit.args).current_dir(&cargo.root);
    // What the check's cargo command had, then what cargo set for this command.
    for (name, value) in environment {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    command.envs(unit.env.iter().map(|(name, value)| (name, value)));
    let Ok(running) = Running::start(&mut command, KEEP_BYTES) else {
        return Ok(None);
    };
    let library = unit.kind == "lib";
    let mut messages = BuildMessages::default();
    let mut lines = Lines::new(cargo::MAX_LINE);
    let mut read = |line: &str| {
        if let Ok(mut message) = serde_json::from_str::<Value>(line)
            && message["$message_type"] == "diagnostic"
        {
            // Cargo always asks rustc for colors, and takes them out itself for
            // `--message-format json`.
            if !cargo.color
                && let Some(rendered) = message["rendered"].as_str()
            {
                message["rendered"] = Value::String(without_colors(rendered));
            }
            cargo::read_diagnostic(&message, &unit.target, library, &mut messages);
        }
    };
    let finished = running
        .finish(Limit::total(cargo::build_limit()), &mut |stream, chunk| {
            if stream == Stream::Stderr {
                lines.push(chunk, &mut read);
            }
            false
        })
        .map_err(cargo::spawn_error)?;
    lines.finish(&mut read);
    if finished.timed_out() {
        return Err(cargo::build_ran_out_of_time());
    }
    Ok(Some(Compiled {
        messages,
        succeeded: finished.success(),
    }))
}

/// The answer of a compile on a thread of its own; a thread that panicked is a compile that
/// could not run, and cargo builds.
fn joined(
    handle: std::thread::ScopedJoinHandle<'_, Result<Option<Compiled>>>,
) -> Result<Option<Compiled>> {
    handle.join().unwrap_or(Ok(None))
}

/// The beginnings of the names of the environment variables that can change a build: cargo's
/// (`CARGO_*`, its configuration among them), rustc's, rustup's (which toolchain), clippy's.
/// Not `RUST_BACKTRACE` or `RUST_LOG`, which a learner may set in one terminal and not in
/// another: they change how the tests run, not what is built, and each change of the key costs
/// a check through cargo.
const BUILD_VARIABLES: [&str; 7] = [
    "CARGO",
    "RUSTC",
    "RUSTFLAGS",
    "RUSTDOCFLAGS",
    "RUSTUP",
    "RUST_TARGET_PATH",
    "CLIPPY",
];

/// The variables among `variables` that can change a build (see [`BUILD_VARIABLES`]), sorted.
fn build_variables(
    variables: impl Iterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
) -> Vec<(String, String)> {
    let mut kept: Vec<(String, String)> = variables
        .map(|(name, value)| {
            (
                name.to_string_lossy().into_owned(),
                value.to_string_lossy().into_owned(),
            )
        })
        .filter(|(name, _)| BUILD_VARIABLES.iter().any(|p| name.starts_with(p)))
        .collect();
    kept.sort();
    kept
}

/// What could make cargo run other commands for the package of `manifest` (see the module's
/// documentation), as a SHA-1 in hex.
fn key(cargo: &Cargo, build: &str, manifest: &Path, packages: &[Value], nextest: &Path) -> String {
    let mut key = format!("format {FORMAT}\nbuild {build}\n");
    key.push_str(&metadata::layout_key(&cargo.root, manifest));
    let mut files = vec![nextest.to_path_buf()];
    // Cargo's configuration: in the folder it runs in and every folder above, and its home.
    for dir in cargo.root.ancestors() {
        files.push(dir.join(".cargo").join("config.toml"));
        files.push(dir.join(".cargo").join("config"));
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    if let Some(home) = home {
        files.push(home.join("config.toml"));
        files.push(home.join("config"));
    }
    for file in files {
        let _ = writeln!(key, "{} {}", file.display(), metadata::stamp(&file));
    }
    let variables = build_variables(std::env::vars_os());
    for (name, value) in variables {
        let _ = writeln!(key, "env {name}={value}");
    }
    for dir in dependency_dirs(packages, manifest) {
        let _ = writeln!(key, "dependency {}", dir.display());
        for entry in walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| entry.file_name() != "target")
            .flatten()
            .filter(|entry| entry.file_type().is_file())
        {
            let _ = writeln!(
                key,
                "  {} {}",
                entry.path().display(),
                metadata::stamp(entry.path())
            );
        }
    }
    crate::pristine::blob_id(key.as_bytes())
}

/// The folders of the workspace packages that the package of `manifest` builds on, directly
/// or through another (its dev-dependencies too: its tests use them), sorted.
fn dependency_dirs(packages: &[Value], manifest: &Path) -> Vec<PathBuf> {
    let dir_of = |entry: &Value| {
        entry["manifest_path"]
            .as_str()
            .and_then(|path| Path::new(path).parent())
            .map(Path::to_path_buf)
    };
    let path_dependencies = |entry: &Value, with_dev: bool| -> Vec<PathBuf> {
        entry["dependencies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|dependency| with_dev || dependency["kind"] != "dev")
            .filter_map(|dependency| dependency["path"].as_str().map(PathBuf::from))
            .collect()
    };
    let Some(this) = packages
        .iter()
        .find(|entry| entry["manifest_path"].as_str() == Some(&*manifest.to_string_lossy()))
    else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = Vec::new();
    let mut next = path_dependencies(this, true);
    while let Some(dir) = next.pop() {
        if found.contains(&dir) {
            continue;
        }
        if let Some(entry) = packages
            .iter()
            .find(|entry| dir_of(entry).as_ref() == Some(&dir))
        {
            next.extend(path_dependencies(entry, false));
        }
        found.push(dir);
    }
    found.sort();
    found
}

/// `text` without its ANSI escape sequences (`\x1b[1m`, `\x1b[0m`).
fn without_colors(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // `ESC [`, parameters, then one final character from `@` to `~`.
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}

/// The paths of a command's `--extern name=path` arguments.
fn externs(args: &[String]) -> impl Iterator<Item = &str> {
    args.windows(2)
        .filter(|pair| pair[0] == "--extern")
        .filter_map(|pair| pair[1].split_once('=').map(|(_, path)| path))
}

/// The package's compiler commands among `commands` (cargo's `--verbose` lines), each matched to
/// what it made; `None` unless they are exactly one library and one command for each test
/// executable cargo reported, and nothing else.
fn units_of(
    commands: &[String],
    package_dir: &Path,
    messages: &BuildMessages,
) -> Option<Vec<Unit>> {
    let mut units: Vec<Unit> = Vec::new();
    for text in commands {
        let Printed { env, program, args } = parse_command(text)?;
        let manifest_dir = env
            .iter()
            .find(|(name, _)| name == "CARGO_MANIFEST_DIR")
            .map(|(_, dir)| dir.as_str());
        if manifest_dir.map(Path::new) != Some(package_dir) {
            continue;
        }
        let value = |flag: &str| {
            args.windows(2)
                .find(|pair| pair[0] == flag)
                .map(|pair| pair[1].as_str())
        };
        let crate_name = value("--crate-name")?;
        let unit = if args.iter().any(|arg| arg == "--test") {
            let extra = args
                .iter()
                .find_map(|arg| arg.strip_prefix("extra-filename="))
                .unwrap_or_default();
            let path = Path::new(value("--out-dir")?).join(format!("{crate_name}{extra}"));
            let executable = messages
                .test_executables
                .iter()
                .find(|executable| executable.path == path)?;
            Unit {
                target: executable.target.clone(),
                kind: executable.kind.clone(),
                executable: Some(path),
                env,
                program,
                args,
            }
        } else if value("--crate-type") == Some("lib") {
            Unit {
                target: crate_name.to_string(),
                kind: "lib".to_string(),
                executable: None,
                env,
                program,
                args,
            }
        } else {
            return None;
        };
        if units
            .iter()
            .any(|other| other.executable == unit.executable)
        {
            return None;
        }
        units.push(unit);
    }
    let libraries = units
        .iter()
        .filter(|unit| unit.executable.is_none())
        .count();
    let tests = units.len() - libraries;
    // The library first: the test crates link to it.
    units.sort_by_key(|unit| unit.executable.is_some());
    (libraries == 1 && tests == messages.test_executables.len() && tests > 0).then_some(units)
}

/// A command as cargo prints it with `--verbose`: `NAME=value ... program argument ...`, each
/// variable's value and argument quoted for a POSIX shell where it needs to be (cargo quotes
/// with `'...'`, and writes a `'` as `'\''`). `None` when it does not read as one, or the
/// program is not a file (cargo prints the program's path unquoted).
fn parse_command(text: &str) -> Option<Printed> {
    let mut words = shell_words(text)?.into_iter();
    let mut env = Vec::new();
    let program = loop {
        let word = words.next()?;
        match word.split_once('=') {
            Some((name, value)) if is_variable_name(name) => {
                env.push((name.to_string(), value.to_string()));
            }
            _ => break PathBuf::from(word),
        }
    };
    program.is_file().then(|| Printed {
        env,
        program,
        args: words.collect(),
    })
}

/// A command as cargo printed it: the variables it set, the program, its arguments.
#[derive(Debug, PartialEq, Eq)]
struct Printed {
    env: Vec<(String, String)>,
    program: PathBuf,
    args: Vec<String>,
}

fn is_variable_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Splits a line as a POSIX shell would: words between spaces, `'...'` taken as it is, and a
/// `\` keeping the character after it. `None` for an unclosed quote or a trailing `\`.
fn shell_words(text: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' => words.extend(word.take()),
            '\'' => {
                let word = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => word.push(c),
                    }
                }
            }
            '\\' => word.get_or_insert_with(String::new).push(chars.next()?),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargos_quoting_is_read_back_word_for_word() {
        let check = |line: &str, expected: &[&str]| {
            assert_eq!(shell_words(line).unwrap(), expected, "{line}");
        };
        check("a b  c", &["a", "b", "c"]);
        check("A='' B=x", &["A=", "B=x"]);
        check("--cfg 'feature=\"std\"'", &["--cfg", "feature=\"std\""]);
        check("'it'\\''s' 'a!b'", &["it's", "a!b"]);
        check("'cfg(docsrs,test)' x\\ y", &["cfg(docsrs,test)", "x y"]);
        assert_eq!(shell_words("'open"), None);
        assert_eq!(shell_words("trailing\\"), None);
    }

    #[test]
    fn only_variables_that_change_a_build_are_in_the_key() {
        let variables = [
            ("RUST_BACKTRACE", "1"),
            ("RUSTFLAGS", "-D warnings"),
            ("PATH", "/bin"),
            ("CARGO_TARGET_DIR", "/t"),
            ("RUST_LOG", "debug"),
            ("RUSTUP_TOOLCHAIN", "stable"),
        ]
        .map(|(name, value)| (name.into(), value.into()));
        let kept: Vec<String> = build_variables(variables.into_iter())
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(kept, ["CARGO_TARGET_DIR", "RUSTFLAGS", "RUSTUP_TOOLCHAIN"]);
    }

    #[test]
    fn colors_are_taken_out_as_cargo_does() {
        let rendered = "\x1b[0m\x1b[1m\x1b[38;5;9merror[E0428]\x1b[0m: twice\n  \x1b[94m|\x1b[0m";
        assert_eq!(without_colors(rendered), "error[E0428]: twice\n  |");
    }

    #[test]
    fn a_command_is_its_variables_its_program_and_its_arguments() {
        let program = std::env::current_exe().unwrap();
        let line = format!(
            "CARGO_PKG_AUTHORS='' CARGO_CRATE_NAME=add {} --crate-name add --cfg 'feature=\"x\"'",
            program.display()
        );
        let printed = parse_command(&line).unwrap();
        assert_eq!(
            printed.env,
            [
                ("CARGO_PKG_AUTHORS".to_string(), String::new()),
                ("CARGO_CRATE_NAME".to_string(), "add".to_string())
            ]
        );
        assert_eq!(printed.program, program);
        assert_eq!(
            printed.args,
            ["--crate-name", "add", "--cfg", "feature=\"x\""]
        );
        // A program that is not a file (a path with a space, which cargo leaves unquoted).
        assert_eq!(parse_command("A=1 /no/such rustc"), None);
    }

    fn unit_line(dir: &str, program: &Path, rest: &str) -> String {
        format!("CARGO_MANIFEST_DIR={dir} {} {rest}", program.display())
    }

    #[test]
    fn units_are_one_library_and_a_command_for_each_test_executable() {
        let program = std::env::current_exe().unwrap();
        let lib = unit_line(
            "/c/ex",
            &program,
            "--crate-name add --crate-type lib --out-dir /t/deps -C extra-filename=-1",
        );
        let test = unit_line(
            "/c/ex",
            &program,
            "--crate-name add --test --out-dir /t/deps -C extra-filename=-2",
        );
        let dependency = unit_line("/c/other", &program, "--crate-name dep --crate-type lib");
        let messages = BuildMessages {
            test_executables: vec![TestExecutable {
                path: PathBuf::from("/t/deps/add-2"),
                package_dir: PathBuf::from("/c/ex"),
                target: "add".to_string(),
                kind: "test".to_string(),
            }],
            ..BuildMessages::default()
        };
        let dir = Path::new("/c/ex");
        let units = units_of(
            &[dependency.clone(), test.clone(), lib.clone()],
            dir,
            &messages,
        )
        .unwrap();
        assert_eq!(units.len(), 2);
        assert_eq!(
            (units[0].kind.as_str(), &units[0].executable),
            ("lib", &None)
        );
        assert_eq!(
            units[1].executable.as_deref(),
            Some(Path::new("/t/deps/add-2"))
        );
        // A crate that was fresh (not compiled this time) leaves the record incomplete.
        assert!(units_of(std::slice::from_ref(&test), dir, &messages).is_none());
        assert!(units_of(std::slice::from_ref(&lib), dir, &messages).is_none());
        // So does anything that is neither (a build script, a binary).
        let binary = unit_line("/c/ex", &program, "--crate-name add --crate-type bin");
        assert!(units_of(&[lib, test, binary], dir, &messages).is_none());
    }

    #[test]
    fn the_dependencies_are_the_workspace_packages_built_on_directly_or_not() {
        let packages: Vec<Value> = serde_json::from_str(
            r#"[
              {"manifest_path": "/c/step/Cargo.toml", "dependencies": [
                {"name": "a", "path": "/c/a", "kind": null},
                {"name": "t", "path": "/c/t", "kind": "dev"},
                {"name": "serde", "kind": null}]},
              {"manifest_path": "/c/a/Cargo.toml", "dependencies": [
                {"name": "b", "path": "/c/b", "kind": null},
                {"name": "x", "path": "/c/x", "kind": "dev"}]},
              {"manifest_path": "/c/b/Cargo.toml", "dependencies": []},
              {"manifest_path": "/c/t/Cargo.toml", "dependencies": []}
            ]"#,
        )
        .unwrap();
        let dirs = dependency_dirs(&packages, Path::new("/c/step/Cargo.toml"));
        let expected: Vec<PathBuf> = ["/c/a", "/c/b", "/c/t"].iter().map(PathBuf::from).collect();
        assert_eq!(dirs, expected);
    }
}
