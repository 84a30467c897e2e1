//! The graded tests of step 4.4. Read them: they are the specification.
//!
//! Until `RunMetrics` is thread-safe, this file does not even compile: the first tests are
//! checks the compiler runs, not the test runner.

use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::sync::{Arc, Barrier};

use send_sync::job::{Job, JobError};
use send_sync::metrics::{MetricsSnapshot, RunMetrics};
use send_sync::records::records;
use send_sync::status::StatusStore;
use send_sync::thread_pool::WorkerPool;

/// Compiles only when `T` may be moved to another thread (`Send`) and shared between
/// threads by reference (`Sync`). There is nothing to run: the check is the compiling.
fn assert_send_sync<T: Send + Sync>() {}

/// Compiles only when `T` may be moved to another thread.
fn assert_send<T: Send>() {}

#[test]
fn the_shared_types_are_send_and_sync() {
    assert_send_sync::<RunMetrics>();
    assert_send_sync::<StatusStore>();
    assert_send::<WorkerPool<u64>>();
}

#[test]
fn the_pool_counts_every_job_it_runs() {
    let pool = WorkerPool::new(4, 4, |job: Job| match job.payload.as_str() {
        "flaky" => Err(JobError::Retryable("database busy".to_string())),
        "broken" => Err(JobError::Permanent("malformed".to_string())),
        "panic" => panic!("bad input"),
        _ => Ok(()),
    });
    let metrics = pool.metrics();
    for n in 0..100 {
        let payload = match n % 10 {
            1 | 2 => "flaky",
            3 => "broken",
            4 => "panic",
            _ => "fine",
        };
        pool.submit(Job::new(n, payload)).unwrap();
    }
    assert_eq!(pool.close().len(), 100);
    assert_eq!(
        metrics.snapshot(),
        MetricsSnapshot {
            started: 100,
            succeeded: 60,
            failed: 40,
            retryable: 20,
            rows: 0,
        },
        "4 workers counted 100 jobs at once: every update must be kept (a panic counts as a \
         permanent failure)"
    );
}

#[test]
fn handlers_on_many_threads_share_one_set_of_counters() {
    let metrics = RunMetrics::new();
    // Four jobs at a time meet here, so four workers update the counters together.
    let together = Arc::new(Barrier::new(4));
    let pool = {
        let metrics = metrics.clone();
        WorkerPool::with_metrics(4, 8, metrics.clone(), move |job: Job| {
            let rows = records(&job.payload).count() as u64;
            together.wait();
            metrics.add_rows(rows);
            Ok(rows)
        })
    };
    for n in 0..40 {
        pool.submit(Job::new(n, "id,name\n1,Ada\n2,Grace\n"))
            .unwrap();
    }
    assert_eq!(pool.close().len(), 40);
    let snapshot = metrics.snapshot();
    assert_eq!(
        snapshot.rows, 120,
        "40 uploads of 3 records each, counted by the handlers on 4 threads: clones of \
         `RunMetrics` must share one set of counters"
    );
    assert_eq!(
        (snapshot.started, snapshot.succeeded),
        (40, 40),
        "`with_metrics` counts into the metrics it was given"
    );
}

#[test]
fn a_snapshot_shows_the_jobs_in_flight() {
    let (started, started_rx) = mpsc::channel();
    let (release, release_rx) = mpsc::channel::<()>();
    let release_rx = std::sync::Mutex::new(release_rx);
    let pool = WorkerPool::new(1, 1, move |job: Job| {
        started.send(job.id).unwrap();
        release_rx.lock().unwrap().recv().unwrap();
        Ok(())
    });
    let metrics = pool.metrics();
    pool.submit(Job::new(1, "")).unwrap();
    started_rx.recv().unwrap();
    let during = metrics.snapshot();
    assert_eq!(
        (during.started, during.in_flight()),
        (1, 1),
        "while job 1 runs, it is started and in flight"
    );
    release.send(()).unwrap();
    pool.close();
    let after = metrics.snapshot();
    assert_eq!((after.succeeded, after.in_flight()), (1, 0));
    assert_eq!(
        during.succeeded, 0,
        "a snapshot is a copy: it does not change when the counters do"
    );
}

/// One error from the compiler: its code (like `E0277`) and its message.
#[derive(Debug)]
struct CompileError {
    code: String,
    message: String,
}

/// Compiles `source` as a small library of its own with `rustc`, and returns its errors.
fn compile_errors(source: &str) -> Vec<CompileError> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("snippet.rs");
    std::fs::write(&file, source).unwrap();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let output = Command::new(&rustc)
        .args(["--edition", "2024", "--crate-type", "lib", "--crate-name"])
        .arg("snippet")
        .args(["--error-format", "json", "--emit", "metadata", "--out-dir"])
        .arg(dir.path())
        .arg(Path::new(&file))
        .output()
        .unwrap_or_else(|error| panic!("could not run {rustc:?}: {error}"));
    // With `--error-format json`, rustc writes one JSON object per diagnostic to stderr.
    let errors: Vec<CompileError> = String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|diagnostic| diagnostic["level"] == "error")
        .map(|diagnostic| CompileError {
            code: diagnostic["code"]["code"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            message: diagnostic["message"].as_str().unwrap_or("").to_string(),
        })
        .collect();
    assert_eq!(
        output.status.success(),
        errors.is_empty(),
        "rustc's exit status and its error list disagree: {errors:?}"
    );
    errors
}

/// The first version of the metrics, reduced to its core: an `Rc<RefCell<_>>` moved into a
/// thread.
const RC_ACROSS_THREADS: &str = r#"
use std::cell::RefCell;
use std::rc::Rc;
use std::thread;

pub fn count_in_background(counter: Rc<RefCell<u64>>) {
    let worker = thread::spawn(move || *counter.borrow_mut() += 1);
    let _ = worker.join();
}
"#;

/// Half a fix: `Arc` may cross threads only if what it points to may be shared (`Sync`).
const ARC_REFCELL_ACROSS_THREADS: &str = r#"
use std::cell::RefCell;
use std::sync::Arc;
use std::thread;

pub fn count_in_background(counter: Arc<RefCell<u64>>) {
    let worker = thread::spawn(move || *counter.borrow_mut() += 1);
    let _ = worker.join();
}
"#;

/// The same code with the thread-safe replacements.
const ARC_ACROSS_THREADS: &str = r#"
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

pub fn count_in_background(counter: Arc<Mutex<u64>>) {
    let worker = thread::spawn(move || {
        *counter.lock().unwrap_or_else(PoisonError::into_inner) += 1;
    });
    let _ = worker.join();
}
"#;

#[test]
fn the_compiler_refuses_to_send_an_rc_to_another_thread() {
    let errors = compile_errors(RC_ACROSS_THREADS);
    assert!(
        errors
            .iter()
            .any(|error| error.code == "E0277" && error.message.contains("Rc")),
        "moving an `Rc<RefCell<_>>` into `thread::spawn` should fail with E0277 (a trait \
         bound, `Send`, is not satisfied) naming `Rc`; rustc said: {errors:?}"
    );
}

#[test]
fn an_arc_around_a_refcell_is_refused_too() {
    let errors = compile_errors(ARC_REFCELL_ACROSS_THREADS);
    assert!(
        errors
            .iter()
            .any(|error| error.code == "E0277" && error.message.contains("RefCell")),
        "`Arc<RefCell<_>>` should fail with E0277 naming `RefCell`: it cannot be shared \
         between threads (it is not `Sync`); rustc said: {errors:?}"
    );
}

#[test]
fn the_same_code_with_arc_and_mutex_compiles() {
    let errors = compile_errors(ARC_ACROSS_THREADS);
    assert!(
        errors.is_empty(),
        "with `Arc<Mutex<_>>` the snippet should compile; rustc said: {errors:?}"
    );
}
