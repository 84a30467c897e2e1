//! Running cargo and reading its JSON messages.
//!
//! The grader asks cargo for `--message-format json` and reads the compiler's diagnostics and
//! the built test executables from it, instead of scraping cargo's human output, which changes
//! between releases.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};

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

/// What cargo's JSON messages said about one build.
#[derive(Debug, Default)]
pub struct BuildMessages {
    /// Diagnostics of the level `error`, in the order the compiler emitted them.
    pub errors: Vec<Diagnostic>,
    /// Test executables that were built: (path, the package's directory).
    pub test_executables: Vec<(PathBuf, PathBuf)>,
}

impl Cargo {
    /// The cargo program: the one that started us when run through `cargo grade`, else `cargo`.
    fn program() -> PathBuf {
        std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
    }

    /// A cargo command in the course root.
    pub fn command(&self) -> Command {
        let mut command = Command::new(Self::program());
        command
            .current_dir(&self.root)
            .stdin(Stdio::null())
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

    /// The target directory: `CARGO_TARGET_DIR`, else `<root>/target`.
    pub fn target_dir(&self) -> PathBuf {
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| self.root.join("target"), PathBuf::from)
    }

    /// Runs a command to completion, capturing its output.
    ///
    /// # Errors
    ///
    /// [`Error::Spawn`] when cargo cannot be started.
    pub fn output(&self, mut command: Command) -> Result<Output> {
        command.output().map_err(spawn_error)
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
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        match message["reason"].as_str() {
            Some("compiler-message") => {
                if let Some(diagnostic) = diagnostic(&message["message"])
                    && diagnostic.level == "error"
                {
                    messages.errors.push(diagnostic);
                }
            }
            Some("compiler-artifact") if message["profile"]["test"] == true => {
                let executable = message["executable"].as_str();
                let manifest = message["manifest_path"].as_str().map(Path::new);
                if let (Some(executable), Some(manifest)) = (executable, manifest) {
                    let package_dir = manifest.parent().unwrap_or(manifest).to_path_buf();
                    messages
                        .test_executables
                        .push((PathBuf::from(executable), package_dir));
                }
            }
            _ => {}
        }
    }
    messages
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

    #[test]
    fn errors_and_test_executables_are_read() {
        let stdout = r#"
{"reason":"compiler-message","message":{"level":"error","message":"borrow of moved value: `a`","code":{"code":"E0382"},"rendered":"error[E0382]: ...","spans":[{"file_name":"src/lib.rs","line_start":4,"column_start":9,"is_primary":true}],"children":[{"level":"note","message":"defined here","spans":[{"file_name":"src/a.rs","line_start":2,"column_start":5,"is_primary":true}]}]}}
{"reason":"compiler-message","message":{"level":"error","message":"aborting due to 1 previous error","code":null,"rendered":"error: aborting","spans":[]}}
{"reason":"compiler-message","message":{"level":"warning","message":"unused","code":null,"rendered":"w","spans":[{"file_name":"src/lib.rs","line_start":1,"column_start":1,"is_primary":true}]}}
{"reason":"compiler-artifact","profile":{"test":true},"executable":"/t/deps/x-1","manifest_path":"/c/ex/Cargo.toml"}
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
            vec![(PathBuf::from("/t/deps/x-1"), PathBuf::from("/c/ex"))]
        );
    }
}
