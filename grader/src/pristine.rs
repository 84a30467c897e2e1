//! `exercises/starters.lock`: the git blob ID of every starter and test file as shipped.
//!
//! With it the grader can tell that a learner edited a test file (its blob ID changed) and can
//! restore a starter from git's object store (`git cat-file blob ID`), even after the learner
//! committed their own changes over it. Git blob IDs, not a fresh hash, because git already
//! holds every shipped version under exactly that ID.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};

use crate::course::{Course, Step};
use crate::error::{Error, Result};

/// Where the lock file lives, relative to the course root.
pub const LOCK_PATH: &str = "exercises/starters.lock";

const HEADER: &str = "\
# Written by `cargo grade seal`; do not edit by hand.
# The git blob ID of every shipped starter, test file and step manifest, so the grader can
# notice an edited test and restore a starter (`cargo grade reset`).
";

/// The shipped state of the exercises: relative path to git blob ID.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pristine {
    entries: BTreeMap<String, String>,
}

/// The git blob ID of some bytes: what `git hash-object` prints.
pub fn blob_id(bytes: &[u8]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(format!("blob {}\0", bytes.len()).as_bytes());
    hasher.update(bytes);
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The files of a step that decide what is built and graded, besides `src/` and `tests/`: the
/// manifest (`autotests = false` with a `[[test]]` of one's own, or a `[lib] path` into
/// `solutions/`, would change what runs), a build script (which could rewrite the tests during
/// the build), and `step.toml` (its `lints` are what clippy enforces, its `time_limit_secs` how
/// long a test may run). A build script is covered whether or not one was shipped: one that
/// appears is an edit.
const BUILD_FILES: [&str; 3] = ["Cargo.toml", "build.rs", "step.toml"];

/// The files of a step that the lock covers: everything below `src/` and `tests/`, and the
/// step's `Cargo.toml`, `build.rs` and `step.toml`.
pub fn tracked_files(step: &Step) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["src", "tests"]
        .iter()
        .flat_map(|dir| walkdir::WalkDir::new(step.exercise_dir.join(dir)).sort_by_file_name())
        .flatten()
        // A symbolic link counts as the file it points to (an editor or a learner may keep
        // `src/lib.rs` elsewhere): it is read, and backed up, through the link.
        .filter(|entry| !entry.file_type().is_dir())
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.extend(
        BUILD_FILES
            .iter()
            .map(|name| step.exercise_dir.join(name))
            .filter(|path| path.is_file()),
    );
    files.sort();
    files
}

/// Whether a tracked file is graded (sealed: an edit voids a pass) rather than the learner's to
/// change: everything but `src/`.
pub fn is_graded(step: &Step, path: &Path) -> bool {
    !path.starts_with(step.exercise_dir.join("src"))
}

/// `path` relative to `root`, with `/` separators, as the lock file writes it.
fn key(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

impl Pristine {
    /// Reads the lock file of the course at `root`; `None` when there is none.
    ///
    /// # Errors
    ///
    /// An error naming the file and line when a line is not `<40 hex digits>  <path>`.
    pub fn load(root: &Path) -> Result<Option<Pristine>> {
        let path = root.join(LOCK_PATH);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(Error::io("read", path, err)),
        };
        let mut entries = BTreeMap::new();
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let parsed = line.split_once("  ").filter(|(id, file)| {
                id.len() == 40 && id.bytes().all(|b| b.is_ascii_hexdigit()) && !file.is_empty()
            });
            let Some((id, file)) = parsed else {
                return Err(Error::Course(format!(
                    "{LOCK_PATH}, line {}: expected `<git blob id>  <path>`, found `{line}`\n  \
                     course authors: run `cargo grade seal` to write the file again; learners: \
                     restore it with `git checkout -- {LOCK_PATH}`",
                    index + 1
                )));
            };
            entries.insert(file.to_string(), id.to_string());
        }
        Ok(Some(Pristine { entries }))
    }

    /// Records the current files of every step (for course authors: `cargo grade seal`).
    ///
    /// # Errors
    ///
    /// An I/O error naming the file that could not be read.
    pub fn snapshot(course: &Course) -> Result<Pristine> {
        let mut entries = BTreeMap::new();
        for step in course.steps() {
            for file in tracked_files(step) {
                let bytes = std::fs::read(&file).map_err(|err| Error::io("read", &file, err))?;
                entries.insert(key(&course.root, &file), blob_id(&bytes));
            }
        }
        Ok(Pristine { entries })
    }

    /// What `cargo grade seal` writes: the current files of every step, unless that would
    /// re-bless graded files a learner changed.
    ///
    /// Seal is a course author's command, but a learner can run it too (a message, or an
    /// assistant, may suggest it), and a lock that records their edited tests makes an edited
    /// test count as shipped. No fact of git tells an author's edit from a learner's (both are
    /// uncommitted changes to committed files), and a lock kept outside the checkout would not
    /// travel with the course. What does tell them apart is the learner's own progress file:
    /// so seal refuses to change the graded files of a step this checkout has checked (it has
    /// attempts in `.grader/progress.json`), and says how to put the files back. An author who
    /// changed such a step on purpose sets `GRADER_AUTHOR=1`. A learner determined to cheat
    /// can do the same, or edit the grader: this stops the accident, not the forger.
    ///
    /// # Errors
    ///
    /// I/O errors naming the file, and [`Error::SealRefused`] when the seal would re-bless a
    /// learner's changes.
    pub fn seal(course: &Course) -> Result<Pristine> {
        let current = Pristine::snapshot(course)?;
        if std::env::var_os("GRADER_AUTHOR").is_some_and(|value| !value.is_empty()) {
            return Ok(current);
        }
        let Some(old) = Pristine::load(&course.root)? else {
            return Ok(current);
        };
        let attempted = attempted_steps(&course.root);
        let mut refused: Vec<(String, String)> = Vec::new();
        for step in course.steps().filter(|step| attempted.contains(&step.id)) {
            let prefix = format!("{}/", key(&course.root, &step.exercise_dir));
            let files: std::collections::BTreeSet<&String> = old
                .entries
                .keys()
                .chain(current.entries.keys())
                .filter(|file| file.starts_with(&prefix))
                .filter(|file| is_graded(step, &course.root.join(file)))
                .collect();
            for file in files {
                if old.entries.get(file) != current.entries.get(file) {
                    refused.push((step.label(), file.clone()));
                }
            }
        }
        let Some((label, _)) = refused.first() else {
            return Ok(current);
        };
        let files: Vec<&str> = refused.iter().map(|(_, file)| file.as_str()).collect();
        Err(Error::SealRefused {
            files: files.join(", "),
            step: label.clone(),
        })
    }

    /// Writes the lock file.
    ///
    /// # Errors
    ///
    /// An I/O error naming the file.
    pub fn save(&self, root: &Path) -> Result<()> {
        let mut text = String::from(HEADER);
        for (file, id) in &self.entries {
            text.push_str(&format!("{id}  {file}\n"));
        }
        crate::fsutil::write_atomic(&root.join(LOCK_PATH), text.as_bytes())
    }

    /// The shipped files of a step: (absolute path, blob ID).
    pub fn files_of(&self, root: &Path, step: &Step) -> Vec<(PathBuf, String)> {
        let prefix = format!("{}/", key(root, &step.exercise_dir));
        self.entries
            .iter()
            .filter(|(file, _)| file.starts_with(&prefix))
            .map(|(file, id)| (root.join(file), id.clone()))
            .collect()
    }

    /// The shipped test files of `step` (`tests/*.rs`), each a graded test target.
    pub fn test_files_of(&self, root: &Path, step: &Step) -> Vec<PathBuf> {
        let tests = step.exercise_dir.join("tests");
        self.files_of(root, step)
            .into_iter()
            .map(|(file, _)| file)
            .filter(|file| {
                file.parent() == Some(tests.as_path())
                    && file.extension().is_some_and(|ext| ext == "rs")
            })
            .collect()
    }

    /// Whether the learner's files of `step` (its `src/`) are exactly the starter's: the step
    /// is not begun. `false` when the lock does not know the step.
    pub fn is_untouched_starter(&self, root: &Path, step: &Step) -> bool {
        self.changed_files(root, step, |file, _| !is_graded(step, file))
            .is_some_and(|changed| changed.is_empty())
    }

    /// The graded files of `step` (tests, `Cargo.toml`, `step.toml`, a build script: see
    /// [`is_graded`]) that differ from what was shipped: changed, deleted, or added outside
    /// `tests/`. Empty when the lock does not know the step (a course author's new step).
    pub fn edited_tests(&self, root: &Path, step: &Step) -> Vec<PathBuf> {
        // A file the learner adds to `tests/` is a test of their own: it runs, and must pass,
        // beside the shipped ones, which it cannot change (the targets graded are the sealed
        // ones). It is not an edit. An added build file is.
        let own_tests = step.exercise_dir.join("tests");
        self.changed_files(root, step, |file, shipped| {
            is_graded(step, file) && (shipped || !file.starts_with(&own_tests))
        })
        .unwrap_or_default()
    }

    /// The files of `step` that `select` picks (given a file and whether it was shipped) and
    /// that differ from the lock: changed, added or deleted, sorted. `None` when the lock
    /// holds none of the picked files.
    fn changed_files(
        &self,
        root: &Path,
        step: &Step,
        select: impl Fn(&Path, bool) -> bool,
    ) -> Option<Vec<PathBuf>> {
        let shipped: BTreeMap<PathBuf, String> = self
            .files_of(root, step)
            .into_iter()
            .filter(|(file, _)| select(file, true))
            .collect();
        if shipped.is_empty() {
            return None;
        }
        let mut changed: Vec<PathBuf> = tracked_files(step)
            .into_iter()
            .filter(|file| select(file, shipped.contains_key(file)))
            .filter(|file| {
                let now = std::fs::read(file).map(|bytes| blob_id(&bytes)).ok();
                now.as_ref() != shipped.get(file)
            })
            .collect();
        changed.extend(shipped.keys().filter(|file| !file.exists()).cloned());
        changed.sort();
        Some(changed)
    }

    /// Lines describing how this lock differs from `other`, for `verify`.
    pub fn differences(&self, other: &Pristine) -> Vec<String> {
        let mut lines = Vec::new();
        for (file, id) in &self.entries {
            match other.entries.get(file) {
                None => lines.push(format!("{file} is in {LOCK_PATH} but not on disk")),
                Some(other_id) if other_id != id => {
                    lines.push(format!("{file} differs from {LOCK_PATH}"));
                }
                Some(_) => {}
            }
        }
        for file in other.entries.keys() {
            if !self.entries.contains_key(file) {
                lines.push(format!("{file} is not in {LOCK_PATH}"));
            }
        }
        lines
    }
}

/// The steps checked in this checkout's progress file, read leniently: an unreadable
/// file counts as none (`seal` must not fail on it; the grader moves it aside on its next run).
fn attempted_steps(root: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(root.join(crate::progress::PROGRESS_PATH)) else {
        return Vec::new();
    };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    value["steps"]
        .as_object()
        .map(|steps| {
            steps
                .iter()
                // A check of the untouched starter counts no attempt, but it is a learner's
                // check all the same.
                .filter(|(_, entry)| {
                    entry["attempts"].as_u64().is_some_and(|n| n > 0)
                        || entry["last_checked"].is_u64()
                })
                .map(|(id, _)| id.clone())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_ids_match_git() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            blob_id(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        // `git hash-object /dev/null`
        assert_eq!(blob_id(b""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }

    #[test]
    fn a_malformed_line_is_reported_with_its_number() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("exercises")).unwrap();
        std::fs::write(dir.path().join(LOCK_PATH), "# c\nnot a line\n").unwrap();
        let err = Pristine::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
    }
}
