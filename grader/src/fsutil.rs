//! Small file-system helpers shared by the progress file, the lock file and backups.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// Writes `bytes` to `path` so that a reader sees the old file or the new one, never half of
/// one: the bytes go to a temporary file beside it, which is then renamed over `path`.
///
/// The temporary file's name is unique to this process and call (`<name>.tmp-<pid>-<n>`), so
/// two graders writing at once never write into the same temporary file; a fixed `.tmp` name
/// was rejected because two writers interleave in it and rename a mix of both.
///
/// # Errors
///
/// An I/O error naming the file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|err| Error::io("create", dir, err))?;
    }
    let (temp, mut file) = create_temp_beside(path)?;
    let written = file
        .write_all(bytes)
        // Flushed to disk before the rename, so that a crash leaves the old file or the new
        // one, not an empty one.
        .and_then(|()| file.sync_all())
        .map_err(|err| Error::io("write", &temp, err))
        .and_then(|()| std::fs::rename(&temp, path).map_err(|err| Error::io("write", path, err)));
    if written.is_err() {
        // Best effort: the write already failed, and that error is the one worth reporting.
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// Creates a new, empty file beside `path` whose name no other process or call uses.
fn create_temp_beside(path: &Path) -> Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut temp = path.as_os_str().to_owned();
        temp.push(format!(".tmp-{}-{n}", std::process::id()));
        let temp = PathBuf::from(temp);
        // `create_new` fails when the name exists (a leftover of a crashed run with the same
        // process ID): try the next number rather than write into someone else's file.
        match File::options().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(err) => return Err(Error::io("create", &temp, err)),
        }
    }
}

/// `base` if nothing exists there, else `base-2`, `base-3`, ...: a name for a backup or a file
/// moved aside that never overwrites an earlier one made in the same second.
///
/// Two processes can still race for the same name between the look and the write: the
/// progress file moves files aside under its lock for that reason.
pub fn unused_path(base: PathBuf) -> PathBuf {
    let mut candidate = base.clone();
    let mut suffix = 1u32;
    // `symlink_metadata`, not `exists`: a dangling link is still a name that is taken.
    while candidate.symlink_metadata().is_ok() {
        suffix = suffix.saturating_add(1);
        let mut name = base.as_os_str().to_owned();
        name.push(format!("-{suffix}"));
        candidate = PathBuf::from(name);
    }
    candidate
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// A Unix time as `YYYYMMDD-HHMMSS` in UTC, for file names.
pub fn stamp(unix_secs: u64) -> String {
    let days = unix_secs / 86_400;
    let secs = unix_secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}{month:02}{day:02}-{:02}{:02}{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to a (year, month, day) date; Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// A duration in words: `45 s`, `12 min`, `3 h 5 min`.
pub fn human_duration(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs / 60),
        _ => format!("{} h {} min", secs / 3600, secs / 60 % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_utc_dates() {
        assert_eq!(stamp(0), "19700101-000000");
        // 2026-11-21 14:42:09 UTC
        assert_eq!(stamp(1_795_272_129), "20261121-144209");
        // a leap day
        assert_eq!(stamp(951_782_400), "20000229-000000");
    }

    #[test]
    fn durations_read_plainly() {
        assert_eq!(human_duration(45), "45 s");
        assert_eq!(human_duration(720), "12 min");
        assert_eq!(human_duration(3 * 3600 + 300), "3 h 5 min");
    }

    #[test]
    fn atomic_writes_replace_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("a"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["b.json"], "no temporary file is left behind");
    }

    #[test]
    fn writers_on_many_threads_never_mix_their_bytes() {
        // With one shared `.tmp` name, two writers interleave in it; with unique names every
        // reader sees one writer's whole text.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.json");
        std::thread::scope(|scope| {
            for writer in 0..8u8 {
                let path = &path;
                scope.spawn(move || {
                    let text = vec![b'a' + writer; 64 * 1024];
                    for _ in 0..10 {
                        write_atomic(path, &text).unwrap();
                        let seen = std::fs::read(path).unwrap();
                        assert_eq!(seen.len(), text.len());
                        assert!(seen.iter().all(|&b| b == seen[0]), "a mixed file");
                    }
                });
            }
        });
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn unused_paths_never_repeat_an_existing_name() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("x.unreadable-1");
        let mut made = Vec::new();
        for _ in 0..6 {
            let path = unused_path(base.clone());
            std::fs::write(&path, "").unwrap();
            made.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
        assert_eq!(
            made,
            [
                "x.unreadable-1",
                "x.unreadable-1-2",
                "x.unreadable-1-3",
                "x.unreadable-1-4",
                "x.unreadable-1-5",
                "x.unreadable-1-6"
            ]
        );
    }
}
