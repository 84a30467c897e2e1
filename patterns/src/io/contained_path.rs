//! # IO-1: Paths from outside stay inside a root
//!
//! ## Use when
//! A request names a file by path (an upload, a report to download, a template) and the
//! program opens it under a folder of its own.
//!
//! ## Why
//! `root.join(name)` trusts `name`: `../../etc/passwd` climbs out, an absolute path replaces
//! the root, a NUL byte ends the path early for the OS. Check twice, each where it can be
//! known. The *text*, once, where it enters: not empty, capped in length, no NUL, relative, no
//! `..` component (`Path::components`, not `contains("..")`, which refuses `v1..2.csv`). The
//! *file*, when it is opened, because the disk changes: `fs::canonicalize` follows every
//! symlink, and the result must still `starts_with` the canonical root (a whole-component
//! comparison: `/srv/data-old` does not start with `/srv/data`). Look at the metadata before
//! opening (opening a FIFO blocks until a writer comes), and compare the opened file's device
//! and inode with what you looked at, in case it was swapped in between.
//!
//! ## Avoid
//! Checking only the text: a symlinked folder inside the root (`acme -> /`) passes every text
//! rule. And comparing paths as strings: `"/srv/data-old".starts_with("/srv/data")` is `true`.
//! The test `a_symlink_out_passes_a_text_check` shows the first.
//!
//! ## Steps
//! - `06_import_worker/01_job_spec`

use std::fs::{self, File};
use std::io;
use std::path::{Component, Path, PathBuf};

/// Why a requested path was refused.
#[derive(Debug, thiserror::Error)]
pub enum PathRefused {
    /// The text itself is not allowed (empty, too long, NUL, absolute, `..`).
    #[error("path {0:?} is not a relative path inside the folder")]
    Text(String),
    /// The path leads outside the root (through a symlink), or to something not a file.
    #[error("path {0:?} does not lead to a file inside the folder")]
    Outside(String),
    /// The file system refused.
    #[error("could not open {path:?}")]
    Io {
        /// The requested path.
        path: String,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// The longest path accepted, in bytes.
pub const MAX_PATH_BYTES: usize = 1024;

/// `true` when `text` is a relative path without `..` that is safe to join to a root.
pub fn is_contained(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_PATH_BYTES
        && !text.contains(['\0', '\\'])
        && Path::new(text)
            .components()
            .all(|part| matches!(part, Component::Normal(_) | Component::CurDir))
}

/// Opens `text` under `root` (a canonical path, see [`fs::canonicalize`]) if it is a regular
/// file inside it.
///
/// # Errors
///
/// [`PathRefused`] saying which check failed.
pub fn open_inside(root: &Path, text: &str) -> Result<File, PathRefused> {
    if !is_contained(text) {
        return Err(PathRefused::Text(text.to_string()));
    }
    let io = |source| PathRefused::Io {
        path: text.to_string(),
        source,
    };
    let real: PathBuf = fs::canonicalize(root.join(text)).map_err(io)?;
    let checked = fs::metadata(&real).map_err(io)?;
    if !real.starts_with(root) || !checked.is_file() {
        return Err(PathRefused::Outside(text.to_string()));
    }
    let file = File::open(&real).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let opened = file.metadata().map_err(io)?;
        if (opened.dev(), opened.ino()) != (checked.dev(), checked.ino()) {
            return Err(PathRefused::Outside(text.to_string()));
        }
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A root with `in.csv`, and `secret.csv` beside the root.
    fn layout() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("root")).unwrap();
        fs::write(dir.path().join("root/in.csv"), "a\n").unwrap();
        fs::write(dir.path().join("secret.csv"), "s\n").unwrap();
        let root = fs::canonicalize(dir.path().join("root")).unwrap();
        (dir, root)
    }

    #[test]
    fn text_rules() {
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "a\0b", "a\\b"] {
            assert!(!is_contained(bad), "{bad:?}");
        }
        for good in ["in.csv", "a/b.csv", "v1..2.csv", "./in.csv"] {
            assert!(is_contained(good), "{good:?}");
        }
        assert!(!is_contained(&"a".repeat(MAX_PATH_BYTES + 1)));
    }

    #[test]
    fn a_file_inside_is_opened() {
        let (_dir, root) = layout();
        assert!(open_inside(&root, "in.csv").is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_out_passes_a_text_check() {
        let (dir, root) = layout();
        std::os::unix::fs::symlink(dir.path().join("secret.csv"), root.join("x.csv")).unwrap();
        assert!(is_contained("x.csv"), "the text alone looks harmless");
        assert!(matches!(
            open_inside(&root, "x.csv"),
            Err(PathRefused::Outside(_))
        ));
    }

    #[test]
    fn a_directory_is_not_a_file() {
        let (_dir, root) = layout();
        fs::create_dir(root.join("sub")).unwrap();
        assert!(matches!(
            open_inside(&root, "sub"),
            Err(PathRefused::Outside(_))
        ));
    }
}
