//! `step.toml` and `part.toml`: the metadata of a step and of a part.
//!
//! Both are parsed with serde and `deny_unknown_fields`, so a misspelt key is an error that
//! names the file, the line and the key, instead of a setting that silently does nothing.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;

/// The per-test time limit when a step does not set one.
pub const DEFAULT_TIME_LIMIT_SECS: u64 = 10;

/// The contents of a step's `step.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepManifest {
    /// A short title in sentence case.
    pub title: String,
    /// The one to three concepts the step teaches.
    pub concepts: Vec<String>,
    /// One or two sentences shown when the step passes.
    pub learned: String,
    /// The IDs of the patterns the step teaches or uses, e.g. `OWN-2`.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Extra lints that must not fire in the learner's code, e.g. `clippy::unwrap_used`.
    #[serde(default)]
    pub lints: Vec<String>,
    /// The time one test may run before it counts as hanging.
    #[serde(default = "default_time_limit")]
    pub time_limit_secs: u64,
    /// What the untouched starter does.
    #[serde(default)]
    pub starter: StarterKind,
    /// The files below `src/` that this step changes, e.g. `src/pool.rs`: stubs in the
    /// starter, the learner's work in the solution. Every other file is carried unchanged, and
    /// `verify` checks that it is (see `carry`).
    #[serde(default)]
    pub changes: Vec<String>,
    /// The steps whose solutions this step's starter carries files from, e.g.
    /// `["01_borrowing/05_borrow_checker"]`; `None` means the previous step, `[]` a step that
    /// starts afresh.
    #[serde(default)]
    pub carries_from: Option<Vec<String>>,
}

/// The key that used to hold hints in `step.toml`; they live beside the solution now.
const OLD_HINTS_KEY: &str = "hints";

fn default_time_limit() -> u64 {
    DEFAULT_TIME_LIMIT_SECS
}

/// How the untouched starter of a step fails: `verify` checks that it does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StarterKind {
    /// It compiles and at least one test fails (most steps).
    #[default]
    FailsTests,
    /// It does not compile: the step is about fixing compile errors.
    FailsToCompile,
}

/// The contents of a part's `part.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartManifest {
    /// The part's title, e.g. "Borrowing through parsing".
    pub title: String,
    /// One sentence: what the learner builds in this part.
    #[serde(default)]
    pub summary: String,
    /// An optional part (Part 7, for teams that outgrow one machine): the course is finished
    /// without it, its steps are not counted as left to do, and `list` says it is optional.
    #[serde(default)]
    pub optional: bool,
}

/// A manifest that could not be read: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line, when the problem sits on one line.
    pub line: Option<usize>,
    /// The key involved, when known.
    pub key: Option<String>,
    /// What the TOML parser said.
    pub message: String,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ", key `{key}`")?;
        }
        write!(
            f,
            ": {}\n  fix that file and run the command again (ARCHITECTURE.md lists the keys of step.toml)",
            self.message
        )
    }
}

impl std::error::Error for ManifestError {}

/// Reads and parses a manifest file.
///
/// # Errors
///
/// A [`ManifestError`] naming the file (and the line and key where known) when the file cannot
/// be read or does not match the expected keys and types.
pub fn load<T: DeserializeOwned>(path: &Path) -> Result<T, ManifestError> {
    let text = std::fs::read_to_string(path).map_err(|err| ManifestError {
        path: path.to_path_buf(),
        line: None,
        key: None,
        message: format!("cannot read the file: {err}"),
    })?;
    parse(path, &text)
}

/// Parses manifest text; `path` is only used in the error.
///
/// # Errors
///
/// A [`ManifestError`] when the text does not match the expected keys and types.
pub fn parse<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, ManifestError> {
    if let Some(error) = old_hints_key(path, text) {
        return Err(error);
    }
    toml::from_str(text).map_err(|err| {
        let message = err.message().trim().to_string();
        let line = err.span().map(|span| line_of(text, span.start));
        let key = key_in_message(&message).or_else(|| line.and_then(|l| key_on_line(text, l)));
        ManifestError {
            path: path.to_path_buf(),
            line,
            key,
            message,
        }
    })
}

/// A `step.toml` that still holds `hints`: say where hints live now, rather than only that
/// the key is unknown.
fn old_hints_key(path: &Path, text: &str) -> Option<ManifestError> {
    if path.file_name()? != "step.toml" {
        return None;
    }
    let line = text.lines().position(|line| {
        line.split_once('=')
            .is_some_and(|(key, _)| key.trim() == OLD_HINTS_KEY)
    })?;
    let step = path.parent()?;
    let solution = match (step.parent()?.file_name(), step.file_name()) {
        (Some(part), Some(step)) => format!(
            "solutions/{}/{}/{}",
            part.to_string_lossy(),
            step.to_string_lossy(),
            crate::hints::HINTS_FILE
        ),
        _ => format!("solutions/<part>/<step>/{}", crate::hints::HINTS_FILE),
    };
    Some(ManifestError {
        path: path.to_path_buf(),
        line: Some(line + 1),
        key: Some(OLD_HINTS_KEY.to_string()),
        message: format!(
            "hints no longer live in step.toml, where a learner browsing the step sees them: \
             move them to {solution} as `hints = [...]`, where `cargo grade hint` reads them"
        ),
    })
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or(text);
    before.matches('\n').count() + 1
}

/// serde names the key in its messages as "missing field `title`" or "unknown field `titel`".
fn key_in_message(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("missing field `")
        .or_else(|| message.strip_prefix("unknown field `"))?;
    rest.split('`').next().map(str::to_string)
}

/// The key assigned on a line such as `hints = "x"`.
fn key_on_line(text: &str, line: usize) -> Option<String> {
    let content = text.lines().nth(line.checked_sub(1)?)?;
    let (key, _) = content.split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && !key.starts_with('#')).then(|| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> ManifestError {
        parse::<StepManifest>(Path::new("step.toml"), text).unwrap_err()
    }

    const GOOD: &str = r#"
title = "A title"
concepts = ["x"]
learned = "y"
time_limit_secs = 5
"#;

    #[test]
    fn a_minimal_manifest_gets_defaults() {
        let manifest: StepManifest = parse(Path::new("step.toml"), GOOD).unwrap();
        assert_eq!(manifest.time_limit_secs, 5);
        assert_eq!(manifest.starter, StarterKind::FailsTests);
        assert!(manifest.lints.is_empty());
        assert!(manifest.changes.is_empty());
        assert_eq!(manifest.carries_from, None);
        let text = GOOD.replace("time_limit_secs = 5\n", "");
        let manifest: StepManifest = parse(Path::new("step.toml"), &text).unwrap();
        assert_eq!(manifest.time_limit_secs, DEFAULT_TIME_LIMIT_SECS);
    }

    #[test]
    fn hints_left_in_step_toml_say_where_they_live_now() {
        let path = Path::new("exercises/01_basics/02_next/step.toml");
        let text = format!("{GOOD}hints = [\"a\", \"b\"]\n");
        let err = parse::<StepManifest>(path, &text).unwrap_err();
        assert_eq!(err.line, Some(6));
        assert_eq!(err.key.as_deref(), Some("hints"));
        assert!(
            err.message
                .contains("move them to solutions/01_basics/02_next/hints.toml"),
            "{err}"
        );
    }

    #[test]
    fn a_wrong_type_names_the_line_and_the_key() {
        let err = error_of(&GOOD.replace("time_limit_secs = 5", r#"time_limit_secs = "a""#));
        assert_eq!(err.line, Some(5));
        assert_eq!(err.key.as_deref(), Some("time_limit_secs"));
    }

    #[test]
    fn a_missing_key_is_named() {
        let err = error_of(&GOOD.replace("learned = \"y\"\n", ""));
        assert_eq!(err.key.as_deref(), Some("learned"));
        assert!(err.to_string().contains("step.toml"), "{err}");
    }

    #[test]
    fn a_misspelt_key_is_named_with_its_line() {
        let err = error_of(&format!("{GOOD}titel = \"z\"\n"));
        assert_eq!(err.key.as_deref(), Some("titel"));
        assert_eq!(err.line, Some(6));
    }

    #[test]
    fn broken_toml_names_the_line() {
        let err = error_of("title = \"unclosed\nconcepts = []\n");
        assert_eq!(err.line, Some(1));
    }

    #[test]
    fn an_unknown_starter_kind_is_an_error() {
        let err = error_of(&format!("{GOOD}starter = \"passes\"\n"));
        assert_eq!(err.key.as_deref(), Some("starter"));
    }
}
