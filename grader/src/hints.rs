//! Where a step's hints live: `solutions/<part>/<step>/hints.toml`, beside the reference.
//!
//! Not in the step folder: a learner browses `exercises/` and opens the files a lesson points
//! to, and a hint seen by accident is a hint `cargo grade hint` never recorded. A learner who
//! browses `solutions/` has the answer anyway, so the hints may sit there in plain text.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::manifest::{self, ManifestError};

/// The hints file's name, in the step's solution folder.
pub const HINTS_FILE: &str = "hints.toml";

/// The contents of `hints.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct HintsFile {
    /// Hints, from a nudge to nearly the answer.
    hints: Vec<String>,
}

/// The hints file of the step whose reference solution is in `solution_dir`.
pub fn path(solution_dir: &Path) -> PathBuf {
    solution_dir.join(HINTS_FILE)
}

/// Reads the hints of the step whose reference solution is in `solution_dir`; `None` when
/// the step has no hints file.
///
/// # Errors
///
/// A [`ManifestError`] naming the file, line and key when the file cannot be read or is not
/// `hints = ["...", ...]`.
pub fn load(solution_dir: &Path) -> Result<Option<Vec<String>>, ManifestError> {
    let path = path(solution_dir);
    if !path.is_file() {
        return Ok(None);
    }
    manifest::load::<HintsFile>(&path).map(|file| Some(file.hints))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_are_read_from_beside_the_solution() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()).unwrap(), None);
        std::fs::write(path(dir.path()), "hints = [\"nudge\", \"nearly\"]\n").unwrap();
        assert_eq!(
            load(dir.path()).unwrap(),
            Some(vec!["nudge".to_string(), "nearly".to_string()])
        );
    }

    #[test]
    fn a_malformed_hints_file_names_its_line_and_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(path(dir.path()), "hints = [\"a\"]\nhint = \"b\"\n").unwrap();
        let err = load(dir.path()).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert_eq!(err.key.as_deref(), Some("hint"));
        assert!(err.to_string().contains("hints.toml"), "{err}");
    }
}
