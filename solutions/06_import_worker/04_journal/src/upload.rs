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
use std::path::{Component, Path, PathBuf};

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
        if text.is_empty() {
            return Err(InvalidPath::new("is empty"));
        }
        // Checked before anything looks at the text more closely, so a megabyte of path costs
        // one comparison.
        if text.len() > MAX_PATH_BYTES {
            return Err(InvalidPath::new(format!(
                "is {} bytes long, more than {MAX_PATH_BYTES}",
                text.len()
            )));
        }
        // A JSON string may hold `\u0000`. The OS ends a path at NUL, so `a.csv\0.png` would
        // pass a check on the name and open `a.csv` (std refuses such a path, but with an
        // error that names no field).
        if text.contains('\0') {
            return Err(InvalidPath::new("contains a NUL byte"));
        }
        // On Windows `\` separates folders, so `..\secret` climbs out there. Refusing it
        // everywhere keeps one rule on every platform.
        if text.contains('\\') {
            return Err(InvalidPath::new(
                "contains a backslash (use `/` between folders)",
            ));
        }
        let path = Path::new(text);
        if path.has_root() || path.is_absolute() {
            return Err(InvalidPath::new("is absolute"));
        }
        // Components, not `text.contains("..")`: that would refuse `v1..2.csv`, a fine name,
        // and it says nothing about what a component is. `Path::components` splits on `/`
        // exactly as the OS will.
        for component in path.components() {
            match component {
                Component::Normal(_) | Component::CurDir => {}
                Component::ParentDir => {
                    return Err(InvalidPath::new("contains `..`"));
                }
                Component::RootDir | Component::Prefix(_) => {
                    return Err(InvalidPath::new("is absolute"));
                }
            }
        }
        Ok(UploadPath(text.to_string()))
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
        let sent = || upload.as_str().to_string();
        let io_error = |source: io::Error| UploadError::Io {
            path: sent(),
            source,
        };
        // `canonicalize` follows every symlink, at any depth, and resolves what is left: the
        // result is where the OS would really go. Checking the *text* for symlinks instead
        // misses a symlinked folder in the middle (`acme -> /etc`).
        let real = match fs::canonicalize(self.dir.join(upload.as_str())) {
            Ok(real) => real,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Err(UploadError::Missing(sent()));
            }
            Err(error) => return Err(io_error(error)),
        };
        // `Path::starts_with` compares whole components: `/srv/import-old/x` does not start
        // with `/srv/import`, although the string does.
        if !real.starts_with(&self.dir) {
            return Err(UploadError::Outside(sent()));
        }
        // Look before opening: opening a FIFO for reading blocks until someone writes to it,
        // and a worker thread stuck there is gone for good.
        let checked = fs::metadata(&real).map_err(io_error)?;
        if let Some(what) = not_a_file(&checked) {
            return Err(UploadError::NotAFile { path: sent(), what });
        }
        let file = File::open(&real).map_err(io_error)?;
        // Between the look and the open, the path could have been swapped for a symlink to
        // somewhere else. The open file's metadata is the file we really have: it must be the
        // very file we checked.
        let opened = file.metadata().map_err(io_error)?;
        if !same_file(&checked, &opened) {
            return Err(UploadError::Changed(sent()));
        }
        Ok(file)
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
