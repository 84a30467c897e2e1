//! # IO-3: A durable journal (length + checksum framing)
//!
//! ## Use when
//! A program promises something ("job accepted", "payment recorded") and must keep the
//! promise across a crash, without a database: an append-only file it replays at start.
//!
//! ## Why
//! A crash can stop an append after any byte. Frame each record as `[len u32][crc32 u32]
//! [payload]`: the length says where it ends without trusting its content, the checksum says
//! whether the bytes are the ones written. Append the whole frame with one `write_all` and
//! `sync_data` before making the promise. On replay, a record that ends early or fails its
//! checksum *at the end of the file* is the torn tail of an unfinished append (never promised):
//! cut it with `set_len`, so the next append starts on a boundary. A bad record with more after
//! it is damage: refuse to start rather than drop promises in silence. Check a length against a
//! limit before allocating it. Compact by writing the live records to a new file and renaming
//! it over the old one (IO-2).
//!
//! ## Avoid
//! A `BufWriter` on the journal, or lines of JSON without a checksum: a buffered record is lost
//! after the promise, and a changed byte inside a string is still valid JSON (the test
//! `a_changed_byte_in_a_line_is_still_json` shows it). And appending without cutting a torn
//! tail first: the garbage ends up in the middle.
//!
//! ## Steps
//! - `06_import_worker/04_journal`

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

/// The largest payload accepted; a larger length is garbage.
pub const MAX_RECORD: u32 = 1 << 20;

/// An append-only journal of byte records.
#[derive(Debug)]
pub struct Journal {
    file: File,
}

impl Journal {
    /// Opens `path`, returns its whole records, and cuts a torn tail.
    ///
    /// # Errors
    ///
    /// `InvalidData` when a bad record has more after it; the `io::Error` of the file.
    pub fn open(path: &Path) -> io::Result<(Journal, Vec<Vec<u8>>)> {
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let (records, valid) = parse(&bytes)?;
        if valid < bytes.len() {
            file.set_len(valid as u64)?;
            file.sync_all()?;
        }
        Ok((Journal { file }, records))
    }

    /// Appends one record and returns once it is on disk.
    ///
    /// # Errors
    ///
    /// The `io::Error` of the write or the sync: then make no promise.
    pub fn append(&mut self, payload: &[u8]) -> io::Result<()> {
        let len = u32::try_from(payload.len())
            .ok()
            .filter(|&len| len <= MAX_RECORD)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "record too large"))?;
        let mut frame = Vec::with_capacity(8 + payload.len());
        frame.extend_from_slice(&len.to_le_bytes());
        frame.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
        frame.extend_from_slice(payload);
        self.file.write_all(&frame)?;
        self.file.sync_data()
    }
}

/// The whole records in `bytes`, and where they end.
fn parse(bytes: &[u8]) -> io::Result<(Vec<Vec<u8>>, usize)> {
    let mut records = Vec::new();
    let mut at = 0;
    while let Some(header) = bytes.get(at..at + 8) {
        let [l0, l1, l2, l3, c0, c1, c2, c3] = <[u8; 8]>::try_from(header)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "short header"))?;
        let len = u32::from_le_bytes([l0, l1, l2, l3]);
        let end = at + 8 + len as usize;
        let payload = bytes.get(at + 8..end).filter(|_| len <= MAX_RECORD);
        match payload {
            Some(payload) if crc32fast::hash(payload) == u32::from_le_bytes([c0, c1, c2, c3]) => {
                records.push(payload.to_vec());
                at = end;
            }
            // Bad, but reaching the end of the file: the torn tail of an unfinished append.
            _ if end >= bytes.len() => break,
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("journal damaged at byte {at}"),
                ));
            }
        }
    }
    Ok((records, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_a_reopen_and_a_torn_tail_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (mut journal, _) = Journal::open(&path).unwrap();
        journal.append(b"one").unwrap();
        journal.append(b"two").unwrap();
        drop(journal);
        let whole = std::fs::metadata(&path).unwrap().len();
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(&[5, 0, 0, 0, 1, 2]).unwrap();
        drop(file);
        let (mut journal, records) = Journal::open(&path).unwrap();
        assert_eq!(records, [b"one".to_vec(), b"two".to_vec()]);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), whole);
        journal.append(b"three").unwrap();
        drop(journal);
        assert_eq!(Journal::open(&path).unwrap().1.len(), 3);
    }

    #[test]
    fn damage_in_the_middle_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let (mut journal, _) = Journal::open(&path).unwrap();
        journal.append(b"one").unwrap();
        journal.append(b"two").unwrap();
        drop(journal);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[9] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(Journal::open(&path).is_err());
    }

    #[test]
    fn a_changed_byte_in_a_line_is_still_json() {
        let line = br#"{"job":"acme-1"}"#.to_vec();
        let mut changed = line.clone();
        changed[13] ^= 1; // "acme-1" becomes "acme-0"
        let text = String::from_utf8(changed).unwrap();
        assert!(text.starts_with("{\"job\":\"acme-") && text.ends_with("\"}"));
        assert_ne!(crc32fast::hash(&line), crc32fast::hash(text.as_bytes()));
    }
}
