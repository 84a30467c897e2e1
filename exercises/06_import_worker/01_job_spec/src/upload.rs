//! Step 6.1: the path of an upload, checked twice.
//!
//! A job spec names its upload by a path relative to the import root, and that text comes from
//! outside the worker. A worker that joins it to the root and opens the result reads whatever
//! the text points at: `../../etc/passwd`, `/home/deploy/.ssh/id_rsa`, a symlink a customer
//! planted that leads out of the root, or a FIFO that blocks the worker forever. So the path is
//! checked in two places, each for what it can know:
//!
//! - [`UploadPath::parse`] checks the *text*: not empty, not too long, no NUL, relative, no
//!   `..`. A value of the type is a path that cannot climb out by itself.
//! - [`ImportRoot::open`] checks the *file*: where the path really leads once every symlink is
//!   followed (canonicalised), that this is still inside the root, and that it is a regular
//!   file, not a directory, a FIFO or a device.

use std::fs::{self, File, Metadata};
use std::io;
use std::path::{Path, PathBuf};

// TODO: `std::path::Component` names the parts of a path.

use serde::Serialize;

/// The longest upload path accepted, in bytes. Real uploads are `customer/2026/orders.csv`;
/// a path of kilobytes is an attack on something (a log line, a file system limit).
pub const MAX_PATH_BYTES: usize = 1024;

/// An upload's path relative to the import root, checked as text: it cannot lead out of the
/// root by itself (symlinks are [`ImportRoot::open`]'s business).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct UploadPath(String);

/// Why a text is not an [`UploadPath`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem}")]
pub struct InvalidPath {
    problem: String,
}

impl InvalidPath {
    fn new(problem: impl Into<String>) -> InvalidPath {
        InvalidPath {
            problem: problem.into(),
        }
    }
}

impl UploadPath {
    /// Checks `text` as a relative path that stays inside whatever folder it is joined to.
    ///
    /// # Errors
    ///
    /// [`InvalidPath`] saying what is wrong: empty, longer than [`MAX_PATH_BYTES`], a NUL
    /// byte, a backslash, absolute, or a `..` component.
    pub fn parse(text: &str) -> Result<UploadPath, InvalidPath> {
        // TODO: refuse, each with an `InvalidPath::new("...")` that says what is wrong:
        // - an empty text, and one longer than MAX_PATH_BYTES (check the length first);
        // - a NUL byte (`\0`) and a backslash;
        // - an absolute path (`Path::has_root`);
        // - a `..` *component*: walk `Path::new(text).components()`. `v1..2.csv` is a fine
        //   name (test `two_dots_inside_a_name_are_fine`).
        let _ = text;
        todo!("check the text of an upload path")
    }

    /// The path as it was sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why an upload could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Nothing is at that path.
    #[error(
        "upload `{0}` does not exist under the import root (store the file first, then send its path)"
    )]
    Missing(String),
    /// The path leads outside the import root, through a symlink.
    #[error("upload `{0}` leads outside the import root (send the path of a file inside it)")]
    Outside(String),
    /// The path leads to something that is not a regular file.
    #[error("upload `{path}` is {what}, not a file (send the path of a file)")]
    NotAFile {
        /// The path as sent.
        path: String,
        /// What it is instead: "a directory", "a FIFO", ...
        what: &'static str,
    },
    /// The file changed between the check and the open: someone is swapping files.
    #[error("upload `{0}` changed while it was being opened (send the job again)")]
    Changed(String),
    /// The file system refused.
    #[error("could not open upload `{path}`")]
    Io {
        /// The path as sent.
        path: String,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// The folder uploads live in. Nothing outside it is ever opened through it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRoot {
    /// Canonical: absolute, without `.`, `..` or symlinks. The check "inside the root"
    /// compares canonical paths, so the root must be one too: a root reached through a symlink
    /// (`/srv/import` -> `/data/import`) would otherwise contain nothing at all.
    dir: PathBuf,
}

impl ImportRoot {
    /// The import root at `dir`.
    ///
    /// # Errors
    ///
    /// The `io::Error` when `dir` does not exist or is not a folder.
    pub fn new(dir: impl AsRef<Path>) -> io::Result<ImportRoot> {
        let dir = fs::canonicalize(dir)?;
        if !fs::metadata(&dir)?.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                "the import root is not a folder",
            ));
        }
        Ok(ImportRoot { dir })
    }

    /// The root's canonical path.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Opens `upload` for reading, if it is a regular file inside the root.
    ///
    /// # Errors
    ///
    /// [`UploadError::Missing`], [`UploadError::Outside`] (a symlink leads out),
    /// [`UploadError::NotAFile`] (a directory, a FIFO, a device), [`UploadError::Changed`],
    /// or [`UploadError::Io`].
    pub fn open(&self, upload: &UploadPath) -> Result<File, UploadError> {
        // TODO: in this order (each step has a test that a careless order fails):
        // 1. `fs::canonicalize(self.dir.join(...))`: where the path really leads, with every
        //    symlink followed. `NotFound` is `UploadError::Missing`.
        // 2. Still inside the root? `Path::starts_with` compares whole components.
        //    Otherwise `UploadError::Outside`.
        // 3. `fs::metadata` *before* opening: opening a FIFO blocks forever. `not_a_file`
        //    below says what it is when it is not a regular file (`UploadError::NotAFile`).
        // 4. Open it, and check with `same_file` that the opened file is the one you looked
        //    at (`UploadError::Changed` if not).
        let _ = (upload, not_a_file, same_file);
        todo!("open an upload that is a file inside the root")
    }
}

/// What the file is, when it is not a regular file.
fn not_a_file(metadata: &Metadata) -> Option<&'static str> {
    let kind = metadata.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a FIFO");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
        if kind.is_block_device() || kind.is_char_device() {
            return Some("a device");
        }
    }
    Some("not a regular file")
}

/// `true` when both metadata describe one file (same device and inode on Unix).
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        // No inode numbers in std elsewhere: compare what there is.
        a.len() == b.len() && a.file_type() == b.file_type()
    }
}
