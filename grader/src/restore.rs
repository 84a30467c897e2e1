//! `reset` and `solution`: giving back the starter, and comparing with the reference.
//!
//! A learner's files are never overwritten or deleted before they are copied to a timestamped
//! folder under `.grader/backups/`.

use std::path::{Path, PathBuf};

use crate::course::Step;
use crate::error::{Error, Result};
use crate::fsutil;
use crate::pristine::{self, Pristine};

/// Where backups go, relative to the course root.
pub const BACKUPS_PATH: &str = ".grader/backups";

/// What `reset` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetReport {
    /// The folder holding the learner's files as they were.
    pub backup: PathBuf,
    /// The files restored to the starter.
    pub restored: Vec<PathBuf>,
    /// Files the learner had added, now only in the backup.
    pub removed: Vec<PathBuf>,
}

/// Copies the step's `src/` and `tests/` to a new folder under `.grader/backups/`.
///
/// # Errors
///
/// An I/O error naming the file that could not be copied; nothing has been changed then.
pub fn backup(root: &Path, step: &Step) -> Result<PathBuf> {
    let name = format!(
        "{}-{}",
        step.id.replace('/', "-"),
        fsutil::stamp(fsutil::now())
    );
    // Two resets within one second get two folders, not one overwritten.
    let backup = fsutil::unused_path(root.join(BACKUPS_PATH).join(&name));
    for file in pristine::tracked_files(step) {
        let relative = file.strip_prefix(&step.exercise_dir).unwrap_or(&file);
        let target = backup.join(relative);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(|err| Error::io("create", dir, err))?;
        }
        std::fs::copy(&file, &target).map_err(|err| Error::io("back up", &file, err))?;
    }
    Ok(backup)
}

/// Restores the shipped starter and tests of `step`, after a backup.
///
/// The shipped bytes come from git's object store (`git cat-file blob ID`), using the IDs in
/// `exercises/starters.lock`, so this works even after the learner committed their changes.
///
/// # Errors
///
/// When the course has no lock file, git does not have a shipped version (nothing is changed
/// then), or a file cannot be written.
pub fn reset(root: &Path, step: &Step, tests_only: bool) -> Result<ResetReport> {
    let pristine = Pristine::load(root)?.ok_or(Error::NoLock)?;
    // `--tests` puts back every graded file: the tests, and the manifest and build script that
    // decide how they are built.
    let in_scope = |path: &Path| !tests_only || pristine::is_graded(step, path);
    let shipped: Vec<(PathBuf, String)> = pristine
        .files_of(root, step)
        .into_iter()
        .filter(|(path, _)| in_scope(path))
        .collect();
    // Read every shipped file first: if git lacks one, stop before touching anything.
    let mut contents = Vec::new();
    for (path, id) in &shipped {
        contents.push((path.clone(), git_blob(root, id, path)?));
    }
    let backup = backup(root, step)?;
    let mut removed = Vec::new();
    for file in pristine::tracked_files(step) {
        if in_scope(&file) && !shipped.iter().any(|(path, _)| *path == file) {
            std::fs::remove_file(&file).map_err(|err| Error::io("remove", &file, err))?;
            removed.push(file);
        }
    }
    let mut restored = Vec::new();
    for (path, bytes) in contents {
        let current = std::fs::read(&path).ok();
        if current.as_deref() != Some(bytes.as_slice()) {
            fsutil::write_atomic(&path, &bytes)?;
            restored.push(path);
        }
    }
    Ok(ResetReport {
        backup,
        restored,
        removed,
    })
}

/// The bytes of a git blob.
fn git_blob(root: &Path, id: &str, path: &Path) -> Result<Vec<u8>> {
    let advice = "`reset` restores the starter from git's history; install git, or copy the \
                  step's files from a fresh download of the course";
    git_object(root, id, advice)?.ok_or_else(|| Error::NotShipped {
        path: path.to_path_buf(),
        blob: id.to_string(),
    })
}

/// The committed content (git's `HEAD`) of a file, `relative` to the course root.
///
/// # Errors
///
/// When git cannot run, or HEAD has no such file.
pub fn committed(root: &Path, relative: &Path) -> Result<Vec<u8>> {
    let spec = format!("HEAD:./{}", relative.display());
    let advice = "`carry` compares a file with its committed version; install git";
    git_object(root, &spec, advice)?.ok_or_else(|| Error::NotCommitted {
        path: relative.to_path_buf(),
    })
}

/// The bytes of the git object `spec` (a blob ID, or `HEAD:./path`) in the repository at
/// `root`; `None` when git has no such object.
fn git_object(root: &Path, spec: &str, advice: &'static str) -> Result<Option<Vec<u8>>> {
    let output = crate::process::output_uncapped(
        std::process::Command::new("git")
            .args(["cat-file", "blob", spec])
            .current_dir(root),
    )
    .map_err(|cause| Error::Spawn {
        program: "git".to_string(),
        cause,
        advice,
    })?;
    Ok(output.success().then(|| output.stdout.into_bytes()))
}

/// One file's difference between the learner's code and the reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiff {
    /// The file, relative to the step folder, e.g. `src/lib.rs`.
    pub file: PathBuf,
    /// A unified diff; empty when the files are the same.
    pub diff: String,
}

/// Compares the learner's `src/` with the reference solution's, file by file.
///
/// # Errors
///
/// An I/O error naming a file that exists but cannot be read.
pub fn solution_diff(step: &Step) -> Result<Vec<FileDiff>> {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in [&step.exercise_dir, &step.solution_dir] {
        for entry in walkdir::WalkDir::new(dir.join("src"))
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if entry.file_type().is_file()
                && let Ok(relative) = entry.path().strip_prefix(dir)
                && !files.iter().any(|file| file == relative)
            {
                files.push(relative.to_path_buf());
            }
        }
    }
    files.sort();
    let mut diffs = Vec::new();
    for file in files {
        let mine = read_or_empty(&step.exercise_dir.join(&file))?;
        let reference = read_or_empty(&step.solution_dir.join(&file))?;
        let name = file.display().to_string();
        let diff = similar::TextDiff::from_lines(&mine, &reference)
            .unified_diff()
            .context_radius(3)
            .header(&format!("yours/{name}"), &format!("reference/{name}"))
            .to_string();
        diffs.push(FileDiff { file, diff });
    }
    Ok(diffs)
}

fn read_or_empty(path: &Path) -> Result<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(err) => Err(Error::io("read", path, err)),
    }
}
