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
        write!(f, ": {}", self.message)
    }
}

impl ManifestError {
    /// What to do: fix the file, and where its keys are described. A `part.toml` has keys of
    /// its own, so its advice does not send the author to `step.toml`'s table.
    pub fn advice(&self) -> &'static str {
        if self
            .path
            .file_name()
            .is_some_and(|name| name == "part.toml")
        {
            "fix that file and run the command again (a part.toml has `title` and an optional `summary`)"
        } else {
            "fix that file and run the command again (ARCHITECTURE.md lists the keys of step.toml)"
        }
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
        let start = err.span().map(|span| span.start);
        let key = key_in_message(&message).or_else(|| start.and_then(|at| key_at(text, at)));
        ManifestError {
            path: path.to_path_buf(),
            line: start.map(|at| line_of(text, at)),
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

/// The top-level key whose value holds byte `offset`: the last `key =` before it that starts a
/// line outside any string, array or table value.
///
/// Not the key on the error's line: an array left open (`hints = ["a"` with no `]`) is
/// reported where the parser gave up, on the next key's line, and a bad escape inside a
/// multi-line string sits on a line with no key at all.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let mut key = None;
    // Open `[` and `{` of values; a `[table]` header is skipped with its line.
    let mut depth = 0usize;
    let mut at_line_start = true;
    let mut chars = text.get(..offset).unwrap_or(text).char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        match c {
            '\n' => {
                at_line_start = true;
                continue;
            }
            '#' => {
                // A comment runs to the end of the line.
                while chars.next_if(|&(_, c)| c != '\n').is_some() {}
                continue;
            }
            c if c.is_whitespace() => continue,
            _ => {}
        }
        let line_start = std::mem::replace(&mut at_line_start, false);
        match c {
            '"' | '\'' => skip_string(text, index, c, &mut chars),
            '[' if line_start && depth == 0 => {
                while chars.next_if(|&(_, c)| c != '\n').is_some() {}
            }
            '[' | '{' => depth += 1,
            ']' | '}' => depth = depth.saturating_sub(1),
            _ if line_start && depth == 0 => {
                let line = text.get(index..).unwrap_or_default();
                let line = line.split('\n').next().unwrap_or_default();
                if let Some((name, _)) = line.split_once('=') {
                    key = Some(name.trim().to_string());
                }
            }
            _ => {}
        }
    }
    key.filter(|key| !key.is_empty())
}

/// Moves `chars` past the string that opens at `start` with `quote` (`"`, `'`, or three of
/// either); a one-line string left open ends before its line break.
fn skip_string(
    text: &str,
    start: usize,
    quote: char,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
) {
    let triple: String = std::iter::repeat_n(quote, 3).collect();
    let closes_here = |index: usize| {
        text.get(index..)
            .is_some_and(|rest| rest.starts_with(&triple))
    };
    let multi_line = closes_here(start);
    if multi_line {
        chars.nth(1);
    }
    while let Some((index, c)) = chars.next_if(|&(_, c)| multi_line || c != '\n') {
        if c == '\\' && quote == '"' {
            chars.next();
        } else if c == quote && !multi_line {
            return;
        } else if c == quote && closes_here(index) {
            chars.nth(1);
            return;
        }
    }
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
    fn an_unclosed_array_names_its_own_key() {
        // TOML notices the missing `]` on the next key's line; before, that key was named.
        let err = error_of(&GOOD.replace(r#"concepts = ["x"]"#, r#"concepts = ["x", "y""#));
        assert_eq!(err.key.as_deref(), Some("concepts"), "{err}");
        let err = error_of("lints = [\n  \"a\",\n  \"b\"\ntitle = \"t\"\n");
        assert_eq!(err.key.as_deref(), Some("lints"), "{err}");
    }

    #[test]
    fn a_bad_escape_names_the_key_of_its_string() {
        let err = error_of(&GOOD.replace("learned = \"y\"", r#"learned = "a \q b""#));
        assert_eq!(err.key.as_deref(), Some("learned"), "{err}");
        assert_eq!(err.line, Some(4));
        let err = error_of(&GOOD.replace(
            "learned = \"y\"",
            "learned = \"\"\"\nfirst line\nsecond \\q line\n\"\"\"",
        ));
        assert_eq!(err.key.as_deref(), Some("learned"), "{err}");
    }

    #[test]
    fn keys_inside_strings_and_comments_are_not_keys() {
        let text = "title = \"a = b\" # c = d\nhints = [\"e = f\", # g = h\n  \"i\"\nlearned = 1\n";
        let at = text.find("learned").unwrap();
        assert_eq!(key_at(text, at), Some("hints".to_string()));
        let at = text.find("# c").unwrap();
        assert_eq!(key_at(text, at), Some("title".to_string()));
    }

    #[test]
    fn a_part_manifest_error_does_not_mention_step_keys() {
        let err = parse::<PartManifest>(Path::new("exercises/01_a/part.toml"), "titel = \"x\"\n")
            .unwrap_err();
        assert_eq!(err.key.as_deref(), Some("titel"));
        assert!(!err.advice().contains("step.toml"), "{}", err.advice());
        assert!(err.advice().contains("`summary`"), "{}", err.advice());
        assert!(error_of("x = 1").advice().contains("step.toml"));
    }

    #[test]
    fn an_unknown_starter_kind_is_an_error() {
        let err = error_of(&format!("{GOOD}starter = \"passes\"\n"));
        assert_eq!(err.key.as_deref(), Some("starter"));
    }
}
