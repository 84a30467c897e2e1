//! The graded tests of step 4.1. Read them: they are the specification.
//!
//! Some tests make a thread panic on purpose, so `cargo test` prints "thread ... panicked"
//! lines even when every test passes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use scoped_threads::parallel::{
    FileReport, FileSummary, SourceFile, parse_files, parse_files_with,
};

fn parsed(name: &str, records: usize, widest: usize) -> FileReport {
    FileReport::Parsed(FileSummary {
        name: name.to_string(),
        records,
        widest,
    })
}

fn panicked(name: &str, message: &str) -> FileReport {
    FileReport::Panicked {
        name: name.to_string(),
        message: message.to_string(),
    }
}

/// A summary that only carries the file's name, for tests that do not care about counts.
fn named(file: &SourceFile) -> FileSummary {
    FileSummary {
        name: file.name.clone(),
        records: 0,
        widest: 0,
    }
}

/// Lets `expected` threads wait until all of them have arrived. It gives up after a few
/// seconds, so a solution that runs the files one after another fails with a message
/// instead of waiting forever.
struct Rendezvous {
    state: Mutex<(usize, bool)>,
    arrived: Condvar,
    expected: usize,
}

impl Rendezvous {
    fn new(expected: usize) -> Self {
        Rendezvous {
            state: Mutex::new((0, false)),
            arrived: Condvar::new(),
            expected,
        }
    }

    /// Returns `true` when all the expected threads were here at the same time.
    fn arrive(&self) -> bool {
        let mut state = self.state.lock().unwrap();
        state.0 += 1;
        self.arrived.notify_all();
        let (mut state, _) = self
            .arrived
            .wait_timeout_while(state, Duration::from_secs(5), |(count, gave_up)| {
                *count < self.expected && !*gave_up
            })
            .unwrap();
        if state.0 >= self.expected {
            true
        } else {
            state.1 = true;
            false
        }
    }
}

#[test]
fn no_files_give_no_reports() {
    assert_eq!(parse_files(&[]), vec![], "no files, no reports");
}

#[test]
fn every_file_is_summarized_in_input_order() {
    let files = vec![
        SourceFile::new("orders.csv", "id,amount\n1,250\n2,990\n"),
        SourceFile::new("empty.csv", ""),
        SourceFile::new(
            "notes.csv",
            "id,note\n7,\"two\nlines\"\n8,\"say \"\"hi\"\"\",extra\n",
        ),
    ];
    let reports = parse_files(&files);
    assert_eq!(
        reports,
        vec![
            parsed("orders.csv", 3, 2),
            parsed("empty.csv", 0, 0),
            parsed("notes.csv", 3, 3),
        ],
        "one report per file, in the order of the input, whichever thread finished first"
    );
}

#[test]
fn each_file_is_parsed_exactly_once() {
    let calls = AtomicUsize::new(0);
    let files: Vec<SourceFile> = (0..6)
        .map(|i| SourceFile::new(format!("file{i}.csv"), "a,b\n"))
        .collect();
    let reports = parse_files_with(&files, |file| {
        calls.fetch_add(1, Ordering::SeqCst);
        named(file)
    });
    assert_eq!(
        calls.load(Ordering::SeqCst),
        6,
        "the parse function should run once per file"
    );
    let names: Vec<FileReport> = files.iter().map(|file| parsed(&file.name, 0, 0)).collect();
    assert_eq!(reports, names, "one report per file, in input order");
}

#[test]
fn the_files_are_parsed_at_the_same_time() {
    let files: Vec<SourceFile> = (0..4)
        .map(|i| SourceFile::new(format!("part{i}.csv"), "x\n"))
        .collect();
    let all_here = Rendezvous::new(files.len());
    let reports = parse_files_with(&files, |file| {
        let together = all_here.arrive();
        FileSummary {
            name: file.name.clone(),
            records: usize::from(together),
            widest: 0,
        }
    });
    for report in &reports {
        match report {
            FileReport::Parsed(summary) => assert_eq!(
                summary.records, 1,
                "{} was not parsed while the other files were: spawn every thread before \
                 joining any of them",
                summary.name
            ),
            other => panic!("expected every file to parse, got {other:?}"),
        }
    }
    assert_eq!(reports.len(), 4, "one report per file");
}

#[test]
fn reports_keep_input_order_when_later_files_finish_first() {
    let files: Vec<SourceFile> = (0..4)
        .map(|i| SourceFile::new(format!("file{i}.csv"), "x\n"))
        .collect();
    // The files finish last to first: file `i` waits until every file after it has finished.
    // Like `Rendezvous`, it gives up after a few seconds instead of waiting forever.
    let finished = Mutex::new((0, false));
    let changed = Condvar::new();
    let reports = parse_files_with(&files, |file| {
        let later_files = files.len() - 1 - files.iter().position(|f| f == file).unwrap();
        let state = finished.lock().unwrap();
        let (mut state, waited) = changed
            .wait_timeout_while(state, Duration::from_secs(5), |(count, gave_up)| {
                *count < later_files && !*gave_up
            })
            .unwrap();
        if waited.timed_out() {
            state.1 = true;
        }
        state.0 += 1;
        changed.notify_all();
        named(file)
    });
    let expected: Vec<FileReport> = files.iter().map(|file| parsed(&file.name, 0, 0)).collect();
    assert_eq!(
        reports, expected,
        "the last file finished first, yet the reports must follow the order of the input: \
         join the handles in the order you spawned them"
    );
}

#[test]
fn a_panic_in_one_file_is_reported_and_the_others_still_parse() {
    let files = vec![
        SourceFile::new("good1.csv", "a\n"),
        SourceFile::new("bad.csv", "a\n"),
        SourceFile::new("good2.csv", "a\n"),
    ];
    let reports = parse_files_with(&files, |file| {
        if file.name == "bad.csv" {
            panic!("cannot parse {}", file.name);
        }
        named(file)
    });
    assert_eq!(
        reports,
        vec![
            parsed("good1.csv", 0, 0),
            panicked("bad.csv", "cannot parse bad.csv"),
            parsed("good2.csv", 0, 0),
        ],
        "the panicking file is reported with the panic's message, and the others still parse"
    );
}

#[test]
fn a_panic_with_a_plain_text_message_keeps_its_text() {
    let files = vec![SourceFile::new("boom.csv", "")];
    let reports = parse_files_with(&files, |_| panic!("boom"));
    assert_eq!(
        reports,
        vec![panicked("boom.csv", "boom")],
        "`panic!(\"boom\")` carries a `&str`: the report keeps its text"
    );
}

#[test]
fn every_file_panicking_still_gives_one_report_each() {
    let files: Vec<SourceFile> = (0..3)
        .map(|i| SourceFile::new(format!("bad{i}.csv"), ""))
        .collect();
    let reports = parse_files_with(&files, |file| panic!("{} is broken", file.name));
    assert_eq!(
        reports,
        vec![
            panicked("bad0.csv", "bad0.csv is broken"),
            panicked("bad1.csv", "bad1.csv is broken"),
            panicked("bad2.csv", "bad2.csv is broken"),
        ],
        "no panic may escape: every file gets a report"
    );
}
