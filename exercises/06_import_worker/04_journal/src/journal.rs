//! Step 6.4: a durable journal of job events, and recovery after a crash.
//!
//! The worker acknowledges a job only once an `accepted` record for it is on disk, so a crash
//! (a deploy, a `kill -9`, a power cut) loses no acknowledged job: at start the worker replays
//! the journal and runs again every job that was accepted and not finished. A job may so run
//! twice; step 6.3 made that harmless.
//!
//! The file is append-only, one record after another, each framed as
//!
//! ```text
//! [length: u32, little-endian][CRC-32 of the payload: u32, little-endian][payload: JSON]
//! ```
//!
//! The length says where a record ends without trusting its content; the checksum says whether
//! the bytes are the ones written. A crash in the middle of an append leaves a *torn* last
//! record: too short, or with a wrong checksum. It was never acknowledged (the append had not
//! returned), so replay cuts it off. A bad record with good records *after* it is different:
//! that is damage, not a crash, and the worker refuses to start rather than drop jobs in
//! silence.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::outputs::{TempOutput, remove_temp_files};
use crate::spec::JobSpec;

/// The largest payload a record may have. A job spec is at most 16 KiB; a length above this
/// is garbage (a torn header), not a record.
pub const MAX_RECORD_BYTES: u32 = 64 * 1024;

/// The bytes before each payload: its length and its checksum.
pub const HEADER_BYTES: usize = 8;

/// What happened to a job. The journal holds these, in the order they happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum Event {
    /// The job was taken in. `spec` is its JSON, checked again on replay.
    Accepted {
        /// The job's id.
        job_id: String,
        /// The job spec, as [`JobSpec::to_json`] writes it.
        spec: String,
    },
    /// An attempt at the job started. More than one means it ran again (a retry or a crash).
    Started {
        /// The job's id.
        job_id: String,
    },
    /// The job finished: its outputs are committed.
    Finished {
        /// The job's id.
        job_id: String,
    },
    /// The job failed for good.
    Dead {
        /// The job's id.
        job_id: String,
        /// Its last error.
        error: String,
    },
}

impl Event {
    /// The job the event is about.
    pub fn job_id(&self) -> &str {
        match self {
            Event::Accepted { job_id, .. }
            | Event::Started { job_id }
            | Event::Finished { job_id }
            | Event::Dead { job_id, .. } => job_id,
        }
    }
}

/// Why the journal cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The file could not be read or written.
    #[error("could not use the journal {path}")]
    Io {
        /// The journal's path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A bad record with good records after it: the file is damaged, not torn by a crash.
    #[error(
        "the journal {path} is damaged at byte {offset}: {problem} (keep a copy, then move it aside to start empty, or restore it from a backup)"
    )]
    Damaged {
        /// The journal's path.
        path: PathBuf,
        /// Where the bad record starts.
        offset: u64,
        /// What is wrong with it.
        problem: String,
    },
}

/// One record's frame: length, checksum, payload.
pub fn encode(payload: &[u8]) -> Vec<u8> {
    // TODO: the length as a `u32` (little-endian bytes), the CRC-32 of the payload
    // (`crc32fast::hash`), then the payload (test `a_frame_is_length_checksum_payload`).
    let _ = payload;
    todo!("frame one record")
}

/// What reading one record found.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A whole record with the right checksum: its payload.
    Record(Vec<u8>),
    /// The input ended cleanly before a record.
    End,
    /// The input ended inside a record: the tail of an append that never finished.
    Torn,
    /// A record whose checksum is wrong, or whose length is impossible.
    Bad {
        /// The payload length its header declares: where it would end.
        declared_len: u64,
        /// What is wrong.
        problem: String,
    },
}

/// Reads the next record from `input`.
///
/// # Errors
///
/// The `io::Error` when `input` fails (an early end is [`Frame::Torn`], not an error).
pub fn read_frame(input: &mut impl Read) -> io::Result<Frame> {
    // TODO (tests `frames_read_back_one_by_one` to `a_garbage_length_is_refused_without_allocating_it`):
    // - read the 8-byte header with `read_full`: 0 bytes is `Frame::End`, fewer than 8 is
    //   `Frame::Torn`;
    // - a length over MAX_RECORD_BYTES is `Frame::Bad` (do not allocate it!);
    // - read the payload: fewer bytes than the length is `Frame::Torn`;
    // - a checksum that does not match is `Frame::Bad`, otherwise `Frame::Record(payload)`.
    let _ = (input, read_full::<&[u8]>);
    todo!("read one record")
}

/// Reads until `buf` is full or the input ends; returns how many bytes were read.
fn read_full<R: Read>(input: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        // `get_mut(filled..)` is always `Some` here (`filled < buf.len()`); the `else` arm
        // only keeps the indexing panic-free.
        let Some(rest) = buf.get_mut(filled..) else {
            break;
        };
        match input.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

/// Where each job stands after replaying the journal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replay {
    /// Jobs accepted and neither finished nor dead, in the order they were accepted: run
    /// them again.
    pub pending: Vec<JobSpec>,
    /// Jobs that finished.
    pub finished: Vec<String>,
    /// Jobs that failed for good, with their last error.
    pub dead: BTreeMap<String, String>,
    /// How many attempts started, over all jobs (more than the jobs: some ran again).
    pub attempts: u64,
    /// How many bytes of a torn last record were cut off (0 after a clean stop).
    pub cut_bytes: u64,
}

/// The append-only journal file.
#[derive(Debug)]
pub struct Journal {
    file: File,
    path: PathBuf,
}

impl Journal {
    /// Opens the journal at `path` (creating it when missing), replays it, and cuts off a torn
    /// last record so the next append starts on a clean boundary.
    ///
    /// # Errors
    ///
    /// [`JournalError::Damaged`] when a bad record has good ones after it, or a record does
    /// not hold an event; [`JournalError::Io`] when the file cannot be used.
    pub fn open(path: impl Into<PathBuf>) -> Result<(Journal, Replay), JournalError> {
        let path = path.into();
        let io_error = |source| JournalError::Io {
            path: path.clone(),
            source,
        };
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(io_error)?;
        let len = file.metadata().map_err(io_error)?.len();
        let mut events = Vec::new();
        let mut valid = 0u64;
        let mut input = BufReader::new(&file);
        loop {
            let frame = read_frame(&mut input).map_err(io_error)?;
            match frame {
                Frame::End => break,
                Frame::Record(payload) => {
                    let event = serde_json::from_slice::<Event>(&payload).map_err(|error| {
                        JournalError::Damaged {
                            path: path.clone(),
                            offset: valid,
                            problem: format!("not an event: {error}"),
                        }
                    })?;
                    events.push(event);
                    valid += (HEADER_BYTES + payload.len()) as u64;
                }
                Frame::Torn => break,
                Frame::Bad {
                    declared_len,
                    problem,
                } => {
                    // TODO (tests `a_damaged_record_in_the_middle_stops_the_start`,
                    // `a_last_record_with_a_wrong_checksum_is_cut`): torn or damaged? A
                    // frame that would end at or past `len` is the torn tail of an append:
                    // stop reading here. One that ends before `len` has records after it:
                    // return `JournalError::Damaged` with `offset: valid`.
                    let _ = (declared_len, problem);
                    break;
                }
            }
        }
        drop(input);
        // TODO (test `a_torn_last_record_is_cut_and_the_next_append_is_readable`): when
        // `valid < len`, cut the file to `valid` bytes (`File::set_len`) and sync it, so the
        // next append does not land behind the torn bytes.
        let mut replay = replay(&events);
        replay.cut_bytes = len - valid;
        Ok((Journal { file, path }, replay))
    }

    /// Appends `event` and returns once it is on disk: only then may a job be acknowledged.
    ///
    /// # Errors
    ///
    /// The `io::Error` when the record cannot be written or synced; the job must then not be
    /// acknowledged.
    pub fn append(&mut self, event: &Event) -> io::Result<()> {
        // TODO (test `an_appended_record_is_in_the_file_when_append_returns`): the event as
        // JSON (`serde_json::to_vec`), refused over MAX_RECORD_BYTES, framed with `encode`,
        // written with *one* `write_all`, then synced (`File::sync_data`) before returning:
        // the caller acknowledges the job as soon as this returns.
        let _ = (event, &mut self.file);
        todo!("append one record durably")
    }

    /// Rewrites the journal with only what replay still needs: an `accepted` record for each
    /// pending job and a `dead` record for each dead one. Finished jobs are dropped: their
    /// summary files say they finished. Replaces the file atomically (pattern IO-2).
    ///
    /// # Errors
    ///
    /// The `io::Error` when the new journal cannot be written; the old one is then unchanged.
    pub fn compact(&mut self, replay: &Replay) -> io::Result<()> {
        let mut output = TempOutput::create(&self.path)?;
        for spec in &replay.pending {
            let event = Event::Accepted {
                job_id: spec.id.as_str().to_string(),
                spec: spec.to_json(),
            };
            output.write_all(&encode(
                &serde_json::to_vec(&event).map_err(io::Error::from)?,
            ))?;
        }
        for (job_id, error) in &replay.dead {
            let event = Event::Dead {
                job_id: job_id.clone(),
                error: error.clone(),
            };
            output.write_all(&encode(
                &serde_json::to_vec(&event).map_err(io::Error::from)?,
            ))?;
        }
        output.commit()?;
        // The old handle points at the replaced file: appends must go to the new one.
        self.file = OpenOptions::new().append(true).open(&self.path)?;
        Ok(())
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Folds `events` into where each job stands.
fn replay(events: &[Event]) -> Replay {
    let mut accepted: Vec<(String, String)> = Vec::new();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut ended: BTreeSet<&str> = BTreeSet::new();
    let mut result = Replay::default();
    for event in events {
        match event {
            Event::Accepted { job_id, spec } => {
                // Once per job: intake refuses a repeated id, but a journal is not the place
                // to rely on that.
                if seen.insert(job_id) {
                    accepted.push((job_id.clone(), spec.clone()));
                }
            }
            Event::Started { .. } => result.attempts += 1,
            Event::Finished { job_id } => {
                ended.insert(job_id);
                result.finished.push(job_id.clone());
            }
            Event::Dead { job_id, error } => {
                ended.insert(job_id);
                result.dead.insert(job_id.clone(), error.clone());
            }
        }
    }
    for (job_id, spec) in accepted {
        if ended.contains(job_id.as_str()) {
            continue;
        }
        // Checked again: the journal is a file on disk, and a spec that no longer passes
        // today's rules must not run. It stays out of `pending`, as a dead job.
        match JobSpec::from_json(spec.as_bytes()) {
            Ok(spec) => result.pending.push(spec),
            Err(error) => {
                result.dead.insert(job_id, error.to_string());
            }
        }
    }
    result
}

/// What the worker does at start, before it takes any job: remove the temporary files a crash
/// left in `out_dir`, open and replay the journal, and hand back the jobs to run again.
///
/// # Errors
///
/// As [`Journal::open`], and [`JournalError::Io`] when `out_dir` cannot be cleaned.
pub fn recover(
    journal_path: impl Into<PathBuf>,
    out_dir: &Path,
) -> Result<(Journal, Replay), JournalError> {
    remove_temp_files(out_dir).map_err(|source| JournalError::Io {
        path: out_dir.to_path_buf(),
        source,
    })?;
    Journal::open(journal_path)
}

/// `true` when job `id`'s outputs are committed (its summary file exists), for a journal
/// compacted since it finished.
pub fn finished_on_disk(out_dir: &Path, id: &crate::spec::JobId) -> bool {
    fs::metadata(crate::job::summary_path(out_dir, id)).is_ok_and(|meta| meta.is_file())
}
