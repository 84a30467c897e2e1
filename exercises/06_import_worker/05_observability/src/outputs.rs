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

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// What every temporary file's name contains, and no finished output's does.
pub const TEMP_MARKER: &str = ".tmp-";

/// The write buffer of each output.
const OUTPUT_BUFFER_BYTES: usize = 64 * 1024;

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
        let target = target.into();
        let name = target
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?
            .to_string_lossy();
        // In the *same folder*: `rename` is atomic only within one file system, and another
        // folder (`/tmp`) may be another one. A leading dot hides it from `ls` and globs; the
        // process id and a counter make it unique across processes and attempts.
        let unique = NEXT_TEMP.fetch_add(1, Ordering::Relaxed);
        let temp_name = format!(".{name}{TEMP_MARKER}{}-{unique}", std::process::id());
        let temp = target.with_file_name(temp_name);
        // `create_new`: never truncate a file someone else is writing.
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        Ok(TempOutput {
            // 64 KiB, not the default 8 KiB: an output of hundreds of megabytes then takes
            // an eighth of the `write` calls, for 56 KiB more per open output.
            file: Some(BufWriter::with_capacity(OUTPUT_BUFFER_BYTES, file)),
            temp,
            target,
            committed: false,
        })
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
        let Some(writer) = self.file.take() else {
            return Ok(());
        };
        // `into_inner` flushes and reports a failed flush; dropping a `BufWriter` would
        // swallow it.
        let file = writer
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&self.temp, &self.target)?;
        self.committed = true;
        sync_folder(&self.target)
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
        // Not committed (an error, a cancel, a panic): remove the part written. After a
        // successful commit the temporary name no longer exists, and this does nothing. After
        // a `kill -9` no `drop` runs: `remove_temp_files` cleans up at the next start.
        if !self.committed {
            // Closed first (dropping the writer), then removed. An error here is ignored: a
            // `drop` cannot report one, and a leftover is removed at the next start.
            drop(self.file.take());
            let _ = fs::remove_file(&self.temp);
        }
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
    let mut removed = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // Only our own pattern: a leading dot and the marker. Anything else in the folder is
        // someone's output and not ours to delete.
        if name.starts_with('.') && name.contains(TEMP_MARKER) && entry.file_type()?.is_file() {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}
