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
    // `len` fits: payloads come from `Event`s, whose specs are capped at 16 KiB, and
    // `append` refuses anything over MAX_RECORD_BYTES before calling this.
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    let mut frame = Vec::with_capacity(HEADER_BYTES + payload.len());
    frame.extend_from_slice(&len.to_le_bytes());
    frame.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    frame.extend_from_slice(payload);
    frame
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
    let mut header = [0u8; HEADER_BYTES];
    match read_full(input, &mut header)? {
        0 => return Ok(Frame::End),
        HEADER_BYTES => {}
        _ => return Ok(Frame::Torn),
    }
    let [l0, l1, l2, l3, c0, c1, c2, c3] = header;
    let len = u32::from_le_bytes([l0, l1, l2, l3]);
    let crc = u32::from_le_bytes([c0, c1, c2, c3]);
    if len > MAX_RECORD_BYTES {
        // Do not allocate what a garbage length asks for. Torn or damaged is for the caller to
        // decide, from whether anything follows.
        return Ok(Frame::Bad {
            declared_len: u64::from(len),
            problem: format!("a record of {len} bytes"),
        });
    }
    let mut payload = vec![0u8; len as usize];
    if read_full(input, &mut payload)? < payload.len() {
        return Ok(Frame::Torn);
    }
    if crc32fast::hash(&payload) != crc {
        return Ok(Frame::Bad {
            declared_len: u64::from(len),
            problem: "wrong checksum".to_string(),
        });
    }
    Ok(Frame::Record(payload))
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
                    // Torn or damaged? An append that was cut short is the *last* thing in the
                    // file. The bad frame's declared end tells: at or past the end of the file,
                    // nothing good can follow it. (A torn header may declare any length; if
                    // that reaches past the end, it is torn too.)
                    let declared_end = valid + HEADER_BYTES as u64 + declared_len;
                    if declared_end < len {
                        return Err(JournalError::Damaged {
                            path,
                            offset: valid,
                            problem,
                        });
                    }
                    break;
                }
            }
        }
        drop(input);
        if valid < len {
            // Cut the torn tail: appending after it would bury it in the middle of the file,
            // where the next replay would take it for damage.
            file.set_len(valid).map_err(io_error)?;
            file.sync_all().map_err(io_error)?;
        }
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
        let payload = serde_json::to_vec(event).map_err(io::Error::from)?;
        if payload.len() > MAX_RECORD_BYTES as usize {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a journal record over the size limit",
            ));
        }
        // One `write_all` of the whole frame, on a file opened for appending: no buffer that a
        // crash could lose after we said "done".
        self.file.write_all(&encode(&payload))?;
        // `sync_data`: the bytes and the file's new length reach the disk (enough to read them
        // back); the modification time may lag, which replay never looks at.
        self.file.sync_data()
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
