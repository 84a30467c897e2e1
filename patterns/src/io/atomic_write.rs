//! # IO-2: Atomic file replacement
//!
//! ## Use when
//! A program writes a file that someone else reads (an export, a report, a config, a job's
//! output), and a reader must never see a half-written one, even after a crash.
//!
//! ## Why
//! Write a temporary file in the *same folder* (rename is atomic only within one file
//! system), `sync_all` it, `rename` it over the target, then `sync_all` the folder. A reader
//! opens either the old file or the new one. The first fsync makes sure the data is on disk
//! before the name points at it (otherwise a power cut can leave an empty file); the second
//! makes the rename itself durable. Give the temporary file a unique, recognisable name
//! (`.name.tmp-<pid>-<n>`), open it with `create_new`, remove it on failure, and remove
//! leftovers of a killed process at start.
//!
//! ## Avoid
//! `fs::write(target, bytes)`: it truncates the target first, so a crash or an error half-way
//! leaves a cut file, and a reader in between sees one (the test
//! `fs_write_shows_a_reader_the_truncated_file` shows the empty moment). A missing fsync is
//! invisible to tests: copy the whole recipe.
//!
//! ## Steps
//! - `06_import_worker/03_atomic_outputs`

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT: AtomicU64 = AtomicU64::new(0);

/// Replaces `target` with `bytes`, all at once: readers see the old content or the new.
///
/// # Errors
///
/// The `io::Error` of the step that failed; the target is then unchanged and no temporary
/// file is left.
pub fn replace(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?
        .to_string_lossy();
    let unique = NEXT.fetch_add(1, Ordering::Relaxed);
    let temp = target.with_file_name(format!(".{name}.tmp-{}-{unique}", std::process::id()));
    let result = write_synced(&temp, bytes).and_then(|()| fs::rename(&temp, target));
    if result.is_err() {
        // Best effort: the error that matters is the one already in `result`.
        let _ = fs::remove_file(&temp);
        return result;
    }
    sync_folder(target)
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn sync_folder(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        File::open(folder)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.json");
        fs::write(&target, "old").unwrap();
        replace(&target, b"new").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(names(dir.path()), ["report.json"]);
    }

    #[test]
    fn a_failed_replace_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        // The target is a folder: the rename fails after the temporary file was written.
        let target = dir.path().join("taken");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("inside"), "x").unwrap();
        assert!(replace(&target, b"new").is_err());
        assert_eq!(names(dir.path()), ["taken"]);
    }

    #[test]
    fn fs_write_shows_a_reader_the_truncated_file() {
        // `fs::write` is `File::create` (truncate) then `write_all`: between the two, a reader
        // sees an empty file. Reproduced step by step, since the gap is too short to hit.
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.json");
        fs::write(&target, "old").unwrap();
        let mut file = File::create(&target).unwrap();
        assert_eq!(
            fs::read_to_string(&target).unwrap(),
            "",
            "a reader here sees nothing"
        );
        file.write_all(b"new").unwrap();
    }
}
