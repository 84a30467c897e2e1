//! The graded tests of step 6.4. Read them: they are the specification.
//!
//! A crash is simulated the way it looks on disk: the tests cut the journal file short, or
//! change a byte, and open it again. No test can pull the plug, so none can tell whether
//! `append` syncs: that part is yours to get right from the lesson.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

use journal::journal::{
    Event, Frame, HEADER_BYTES, Journal, JournalError, encode, read_frame, recover,
};
use journal::outputs::TEMP_MARKER;
use journal::spec::JobSpec;

fn spec(id: &str) -> JobSpec {
    let json = format!(r#"{{"job_id": "{id}", "upload": "acme/{id}.csv", "schema": "orders"}}"#);
    JobSpec::from_json(json.as_bytes()).expect("a good spec")
}

fn accepted(id: &str) -> Event {
    Event::Accepted {
        job_id: id.to_string(),
        spec: spec(id).to_json(),
    }
}

fn finished(id: &str) -> Event {
    Event::Finished {
        job_id: id.to_string(),
    }
}

fn ids(specs: &[JobSpec]) -> Vec<&str> {
    specs.iter().map(|spec| spec.id.as_str()).collect()
}

/// A journal at `path` holding `events`.
fn write_journal(path: &Path, events: &[Event]) {
    let (mut journal, _) = Journal::open(path).expect("open");
    for event in events {
        journal.append(event).expect("append");
    }
}

fn len(path: &Path) -> u64 {
    fs::metadata(path).expect("the journal exists").len()
}

// ---- framing ----

#[test]
fn a_frame_is_length_checksum_payload() {
    let frame = encode(b"hello");
    assert_eq!(frame.len(), HEADER_BYTES + 5);
    assert_eq!(&frame[..4], &5u32.to_le_bytes());
    assert_eq!(&frame[4..8], &crc32fast::hash(b"hello").to_le_bytes());
    assert_eq!(&frame[8..], b"hello");
}

#[test]
fn frames_read_back_one_by_one() {
    let mut bytes = encode(b"one");
    bytes.extend(encode(b""));
    bytes.extend(encode(b"three"));
    let mut input = bytes.as_slice();
    assert_eq!(
        read_frame(&mut input).expect("read"),
        Frame::Record(b"one".to_vec())
    );
    assert_eq!(
        read_frame(&mut input).expect("read"),
        Frame::Record(Vec::new())
    );
    assert_eq!(
        read_frame(&mut input).expect("read"),
        Frame::Record(b"three".to_vec())
    );
    assert_eq!(read_frame(&mut input).expect("read"), Frame::End);
}

#[test]
fn a_frame_cut_anywhere_is_torn() {
    let frame = encode(b"{\"event\":\"finished\",\"job_id\":\"a\"}");
    for cut in 1..frame.len() {
        let mut input = &frame[..cut];
        assert_eq!(
            read_frame(&mut input).expect("read"),
            Frame::Torn,
            "cut at {cut}"
        );
    }
}

#[test]
fn a_changed_byte_is_caught_by_the_checksum() {
    let mut frame = encode(b"{\"job_id\":\"acme-1\"}");
    let last = frame.len() - 3;
    frame[last] ^= 0x01; // "acme-1" becomes "acme-0": still valid JSON
    let mut input = frame.as_slice();
    assert!(
        matches!(read_frame(&mut input).expect("read"), Frame::Bad { .. }),
        "a record whose bytes changed must not be read as a record"
    );
}

#[test]
fn a_garbage_length_is_refused_without_allocating_it() {
    let mut frame = u32::MAX.to_le_bytes().to_vec();
    frame.extend_from_slice(&[0; 12]);
    let mut input = frame.as_slice();
    assert!(matches!(
        read_frame(&mut input).expect("read"),
        Frame::Bad { .. }
    ));
}

// ---- the journal ----

#[test]
fn a_new_journal_is_empty() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (_journal, replay) = Journal::open(dir.path().join("jobs.journal")).expect("open");
    assert!(replay.pending.is_empty());
    assert_eq!(replay.cut_bytes, 0);
}

#[test]
fn an_appended_record_is_in_the_file_when_append_returns() {
    // No buffer that a crash could lose after the job was acknowledged.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("jobs.journal");
    let (mut journal, _) = Journal::open(&path).expect("open");
    journal.append(&accepted("a")).expect("append");
    let payload = serde_json::to_vec(&accepted("a")).expect("json");
    assert_eq!(fs::read(&path).expect("read"), encode(&payload));
}

#[test]
fn replay_re_queues_what_was_accepted_and_not_finished_in_order() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("jobs.journal");
    let dead = Event::Dead {
        job_id: "d".into(),
        error: "permanent: broken file".into(),
    };
    let started = |id: &str| Event::Started { job_id: id.into() };
    write_journal(
        &path,
        &[
            accepted("c"),
            accepted("a"),
            started("c"),
            accepted("d"),
            started("a"),
            finished("a"),
            accepted("b"),
            started("d"),
            dead,
            started("c"),
        ],
    );
    let (_journal, replay) = Journal::open(&path).expect("reopen");
    assert_eq!(ids(&replay.pending), ["c", "b"]);
    assert_eq!(replay.pending[0], spec("c"), "the spec comes back whole");
    assert_eq!(replay.finished, ["a"]);
    assert_eq!(
        replay.dead.get("d").map(String::as_str),
        Some("permanent: broken file")
    );
    assert_eq!(replay.attempts, 4);
}

#[test]
fn a_torn_last_record_is_cut_and_the_next_append_is_readable() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("jobs.journal");
    write_journal(&path, &[accepted("a"), accepted("b")]);
    let whole = len(&path);
    // A crash in the middle of appending "c": half of its frame reached the disk.
    let frame = encode(&serde_json::to_vec(&accepted("c")).expect("json"));
    let mut file = OpenOptions::new().append(true).open(&path).expect("open");
    file.write_all(&frame[..frame.len() / 2]).expect("write");
    drop(file);

    let (mut journal, replay) = Journal::open(&path).expect("a torn tail is not an error");
    assert_eq!(ids(&replay.pending), ["a", "b"], "c was never acknowledged");
    assert_eq!(replay.cut_bytes, (frame.len() / 2) as u64);
    assert_eq!(len(&path), whole, "the torn bytes are cut off the file");

    journal
        .append(&accepted("d"))
        .expect("append after the cut");
    drop(journal);
    let (_journal, replay) = Journal::open(&path).expect("reopen");
    assert_eq!(ids(&replay.pending), ["a", "b", "d"]);
}

#[test]
fn a_torn_header_is_cut_too() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("jobs.journal");
    write_journal(&path, &[accepted("a")]);
    let whole = len(&path);
    let mut file = OpenOptions::new().append(true).open(&path).expect("open");
    file.write_all(&[0x2a, 0, 0]).expect("write");
    drop(file);
    let (_journal, replay) = Journal::open(&path).expect("open");
    assert_eq!(ids(&replay.pending), ["a"]);
    assert_eq!(len(&path), whole);
}

#[test]
fn a_last_record_with_a_wrong_checksum_is_cut() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("jobs.journal");
    write_journal(&path, &[accepted("a"), finished("a")]);
    let mut bytes = fs::read(&path).expect("read");
    let last = bytes.len() - 3;
    bytes[last] ^= 0x01; // the finished record now names another job
    fs::write(&path, &bytes).expect("write");
    let (_journal, replay) = Journal::open(&path).expect("a torn tail is not an error");
    assert_eq!(
        ids(&replay.pending),
        ["a"],
        "a is not finished: that record never completed"
    );
}

#[test]
fn a_damaged_record_in_the_middle_stops_the_start() {
    // Records after a bad one were written after it: this is damage, not a crash, and
    // dropping them would lose acknowledged jobs in silence.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("jobs.journal");
    write_journal(&path, &[accepted("a"), accepted("b"), accepted("c")]);
    let mut bytes = fs::read(&path).expect("read");
    let first = encode(&serde_json::to_vec(&accepted("a")).expect("json")).len();
    bytes[first + HEADER_BYTES + 5] ^= 0x01;
    fs::write(&path, &bytes).expect("write");
    match Journal::open(&path) {
        Err(JournalError::Damaged { offset, .. }) => assert_eq!(offset, first as u64),
        other => panic!("a damaged journal must stop the start, got {other:?}"),
    }
    assert_eq!(
        fs::read(&path).expect("read"),
        bytes,
        "a damaged journal is not changed"
    );
}

#[test]
fn compaction_keeps_only_what_replay_needs() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("jobs.journal");
    let mut events = Vec::new();
    for n in 0..100 {
        let id = format!("done-{n}");
        events.push(accepted(&id));
        events.push(finished(&id));
    }
    events.push(accepted("left-1"));
    events.push(accepted("left-2"));
    write_journal(&path, &events);
    let before = len(&path);

    let (mut journal, replay) = Journal::open(&path).expect("open");
    journal.compact(&replay).expect("compact");
    assert!(
        len(&path) * 10 < before,
        "{} bytes left of {before}",
        len(&path)
    );
    journal
        .append(&accepted("after"))
        .expect("append after compaction");
    drop(journal);

    let (_journal, again) = Journal::open(&path).expect("reopen");
    assert_eq!(ids(&again.pending), ["left-1", "left-2", "after"]);
    let names: Vec<_> = fs::read_dir(dir.path()).expect("read").collect();
    assert_eq!(names.len(), 1, "no temporary file is left");
}

#[test]
fn recovery_removes_temporary_outputs_and_replays() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("out");
    fs::create_dir(&out).expect("mkdir");
    let stale = out.join(format!(".a.jsonl{TEMP_MARKER}77-0"));
    fs::write(&stale, "half a ro").expect("write");
    let path = dir.path().join("jobs.journal");
    write_journal(&path, &[accepted("a")]);
    let (_journal, replay) = recover(&path, &out).expect("recover");
    assert_eq!(ids(&replay.pending), ["a"]);
    assert!(!stale.exists(), "a crash's temporary output is removed");
}
