//! Step 6.3: an output file that appears whole or not at all.
//!
//! A job that writes straight into `orders.jsonl` leaves half a file behind when it is killed,
//! times out or fails, and whoever reads the folder meanwhile imports half an upload. So a
//! [`TempOutput`] writes to a temporary file beside the target and, once everything is written
//! and on disk, renames it over the target. On one file system `rename` is atomic: a reader
//! opens the old file or the new one, never a mix.
//!
//! "On disk" needs two `fsync`s. The file's, before the rename: otherwise, after a power cut,
//! the rename may have reached the disk and the data not, and the target is empty. And the
//! folder's, after the rename: the rename is a change to the folder, and until the folder is
//! synced it may be lost, bringing the old file back.

use std::fs::File;
// TODO: you will need `std::fs::{self, OpenOptions}`.
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
// TODO: and `std::sync::atomic::Ordering`, for the counter's `fetch_add`.

/// What every temporary file's name contains, and no finished output's does.
pub const TEMP_MARKER: &str = ".tmp-";

/// Numbers the temporary files of this process, so two attempts at one job (a timed-out one
/// still stopping, and its retry) never share one.
static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

/// A file being written to a temporary name, renamed to its target by [`TempOutput::commit`].
/// Dropped without a commit, it removes the temporary file: the target never sees a part.
#[derive(Debug)]
pub struct TempOutput {
    /// `None` only after `commit` took it.
    file: Option<BufWriter<File>>,
    temp: PathBuf,
    target: PathBuf,
    /// Set once the rename has happened: from then on the temporary name is gone.
    committed: bool,
}

impl TempOutput {
    /// Starts writing `target` under a temporary name in the same folder.
    ///
    /// # Errors
    ///
    /// The `io::Error` when the temporary file cannot be created.
    pub fn create(target: impl Into<PathBuf>) -> io::Result<TempOutput> {
        // TODO: create the temporary file (test `before_the_commit_only_a_hidden_temporary_file_exists`):
        // - in the *same folder* as `target` (`rename` is atomic only within one file system);
        // - named `.<target's file name>` + TEMP_MARKER + something unique to this process
        //   and this call (`std::process::id()` and the `NEXT_TEMP` counter), so two writers
        //   of one target never share it (test `two_writers_of_one_target_do_not_share_a_temporary_file`);
        // - opened with `create_new(true)`: never truncate someone else's file.
        let _ = (target.into(), &NEXT_TEMP);
        todo!("create the temporary file beside the target")
    }

    /// The path the output will have once committed.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Makes the output visible under its target name, whole: flush, fsync the file, rename,
    /// fsync the folder.
    ///
    /// # Errors
    ///
    /// The `io::Error` of the step that failed; the temporary file is then removed and the
    /// target is as it was.
    pub fn commit(mut self) -> io::Result<()> {
        // TODO: flush (`BufWriter::into_inner` reports a failed flush), `sync_all` the file,
        // `fs::rename` it over the target, set `committed`, and fsync the folder with
        // `sync_folder`. No test can catch a missing fsync: the lesson says what it costs.
        let _ = (self.file.take(), sync_folder);
        todo!("make the output visible, whole")
    }
}

impl Write for TempOutput {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(file) => file.write(buf),
            None => Err(io::Error::other("the output is already committed")),
        }
    }

    // Forwarded, not left to the default (a loop over `write`): serde_json writes each row
    // in a dozen small pieces with `write_all`, and `BufWriter`'s own `write_all` copies a
    // small piece into its buffer with no loop and no call (`perf`: 8% of a job's CPU, then 5%).
    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.write_all(buf),
            None => Err(io::Error::other("the output is already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for TempOutput {
    fn drop(&mut self) {
        // TODO: unless committed, remove the temporary file (close it first), ignoring an
        // error: a `drop` cannot report one (test `an_output_dropped_without_a_commit_leaves_nothing`).
        let _ = (&self.temp, self.committed);
    }
}

/// Fsyncs the folder holding `path`, so a rename in it survives a power cut.
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
        // Windows cannot open a folder as a file; NTFS journals renames itself.
        let _ = path;
        Ok(())
    }
}

/// Removes the temporary files left in `dir` by a process that died before it could commit
/// or remove them, and returns how many there were. Call it at start, before any job runs.
///
/// # Errors
///
/// The `io::Error` when `dir` cannot be read or a file cannot be removed.
pub fn remove_temp_files(dir: &Path) -> io::Result<usize> {
    // TODO: remove the files in `dir` whose name starts with `.` and contains TEMP_MARKER,
    // and nothing else; count them (test `temporary_files_left_by_a_crash_are_removed_and_nothing_else`).
    let _ = dir;
    todo!("remove the temporary files a crash left behind")
}
