//! The graded tests of step 6.5. Read them: they are the specification.
//!
//! The metrics are checked as the exact text Prometheus reads. The logs are captured by one
//! `tracing` subscriber for the whole test binary (the blocking pool's threads only see a
//! global one); each test looks for its own job id in it.

use std::fs;
use std::io::{self, Write};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use observability::job::{Importer, JobSummary};
use observability::metrics::{LATENCY_WINDOW, Metrics, quantile};
use observability::pipeline::Summary;
use observability::spec::JobSpec;
use observability::upload::ImportRoot;
use worker::job::{Job, JobError};
use worker::retry::{DeadLetter, Done, Outcome};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The value of the line starting with `name ` (or `name{...} `) in `text`.
fn value(text: &str, name: &str) -> String {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no line `{name} <value>` in:\n{text}"))
        .to_string()
}

// ---- quantiles ----

#[test]
fn quantiles_use_the_nearest_rank() {
    let sorted: Vec<Duration> = (1..=100).map(ms).collect();
    assert_eq!(quantile(&sorted, 0.5), Some(ms(50)));
    assert_eq!(quantile(&sorted, 0.95), Some(ms(95)));
    assert_eq!(quantile(&sorted, 1.0), Some(ms(100)));
    assert_eq!(quantile(&sorted, 0.0), Some(ms(1)));
    assert_eq!(quantile(&[ms(7)], 0.95), Some(ms(7)));
    assert_eq!(quantile(&[], 0.5), None);
}

// ---- the exposition text ----

#[test]
fn fresh_metrics_render_every_series_at_zero() {
    let expected = "\
# HELP import_jobs_accepted_total Jobs taken in and journaled.
# TYPE import_jobs_accepted_total counter
import_jobs_accepted_total 0
# HELP import_jobs_done_total Jobs whose outputs are in place.
# TYPE import_jobs_done_total counter
import_jobs_done_total 0
# HELP import_jobs_retried_total Attempts after a job's first.
# TYPE import_jobs_retried_total counter
import_jobs_retried_total 0
# HELP import_jobs_dead_total Jobs that failed for good.
# TYPE import_jobs_dead_total counter
import_jobs_dead_total 0
# HELP import_rows_good_total Rows written as JSON Lines.
# TYPE import_rows_good_total counter
import_rows_good_total 0
# HELP import_rows_bad_total Rows written to reject reports.
# TYPE import_rows_bad_total counter
import_rows_bad_total 0
# HELP import_upload_bytes_total Bytes of uploads imported.
# TYPE import_upload_bytes_total counter
import_upload_bytes_total 0
# HELP import_job_duration_seconds Job time from start to outputs in place, quantiles over the last 1024 jobs.
# TYPE import_job_duration_seconds summary
import_job_duration_seconds{quantile=\"0.5\"} NaN
import_job_duration_seconds{quantile=\"0.95\"} NaN
import_job_duration_seconds_sum 0
import_job_duration_seconds_count 0
";
    assert_eq!(Metrics::default().render(), expected);
}

#[test]
fn latencies_render_as_p50_p95_sum_and_count() {
    let metrics = Metrics::default();
    // Out of order on purpose: the quantiles need them sorted.
    for n in (1..=100).rev() {
        metrics.observe_latency(ms(n));
    }
    let text = metrics.render();
    assert_eq!(
        value(&text, "import_job_duration_seconds{quantile=\"0.5\"}"),
        "0.05"
    );
    assert_eq!(
        value(&text, "import_job_duration_seconds{quantile=\"0.95\"}"),
        "0.095"
    );
    assert_eq!(value(&text, "import_job_duration_seconds_sum"), "5.05");
    assert_eq!(value(&text, "import_job_duration_seconds_count"), "100");
}

#[test]
fn quantiles_cover_recent_jobs_and_memory_stays_bounded() {
    let metrics = Metrics::default();
    for _ in 0..5000 {
        metrics.observe_latency(Duration::from_secs(1));
    }
    for _ in 0..LATENCY_WINDOW {
        metrics.observe_latency(ms(10));
    }
    let text = metrics.render();
    assert_eq!(
        value(&text, "import_job_duration_seconds{quantile=\"0.95\"}"),
        "0.01",
        "the slow jobs have left the window"
    );
    let count = 5000 + LATENCY_WINDOW;
    assert_eq!(
        value(&text, "import_job_duration_seconds_count"),
        count.to_string()
    );
}

#[test]
fn outcomes_count_retries_and_dead_jobs() {
    let metrics = Metrics::default();
    metrics.job_accepted();
    metrics.job_accepted();
    metrics.job_outcome(&Outcome::Done(Done {
        id: worker::job::JobId(1),
        value: (),
        attempts: 3,
    }));
    metrics.job_outcome::<()>(&Outcome::Dead(DeadLetter {
        job: Job::new(2, ""),
        error: JobError::Permanent("broken".into()),
        attempts: 2,
    }));
    let text = metrics.render();
    assert_eq!(value(&text, "import_jobs_accepted_total"), "2");
    assert_eq!(value(&text, "import_jobs_retried_total"), "3");
    assert_eq!(value(&text, "import_jobs_dead_total"), "1");
}

// ---- a job, its metrics and its logs ----

/// Every log line of this test binary.
fn logs() -> &'static Mutex<Vec<u8>> {
    static LOGS: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_writer(|| Capture)
            .with_ansi(false)
            .without_time()
            .finish();
        // The blocking pool's threads are not the test's thread: only a global subscriber
        // sees their events.
        tracing::subscriber::set_global_default(subscriber).expect("the first subscriber");
        Mutex::new(Vec::new())
    })
}

struct Capture;

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        logs().lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The captured lines that contain `needle`.
fn lines_with(needle: &str) -> Vec<String> {
    let bytes = logs().lock().expect("not poisoned").clone();
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter(|line| line.contains(needle))
        .map(str::to_string)
        .collect()
}

/// Runs job `id` on an upload with two good rows and one bad one.
async fn run_job(id: &str) -> (Arc<Importer>, Result<JobSummary, JobError>, usize) {
    let _ = logs();
    let dir = tempfile::tempdir().expect("a temporary folder");
    fs::create_dir_all(dir.path().join("import")).expect("mkdir");
    fs::create_dir_all(dir.path().join("out")).expect("mkdir");
    let upload = "customer_id,email,amount_cents\n1,a@b.co,5\n0,x,1\n2,c@d.co,7\n";
    fs::write(dir.path().join("import/u.csv"), upload).expect("write");
    let root = ImportRoot::new(dir.path().join("import")).expect("root");
    let importer = Arc::new(Importer::new(root, dir.path().join("out")));
    let json = format!(r#"{{"job_id": "{id}", "upload": "u.csv", "schema": "orders"}}"#);
    let spec = JobSpec::from_json(json.as_bytes()).expect("spec");
    let result = importer.run_spec(spec).await;
    (importer, result, upload.len())
}

#[tokio::test]
async fn a_finished_job_adds_its_rows_bytes_and_time() {
    let (importer, result, bytes) = run_job("metrics-1").await;
    assert_eq!(
        result.expect("runs").rows,
        Summary {
            rows: 3,
            good: 2,
            bad: 1
        }
    );
    let text = importer.metrics().render();
    assert_eq!(value(&text, "import_jobs_done_total"), "1");
    assert_eq!(value(&text, "import_rows_good_total"), "2");
    assert_eq!(value(&text, "import_rows_bad_total"), "1");
    assert_eq!(value(&text, "import_upload_bytes_total"), bytes.to_string());
    assert_eq!(value(&text, "import_job_duration_seconds_count"), "1");
}

#[tokio::test]
async fn the_job_finished_line_carries_the_job_id() {
    run_job("span-1").await.1.expect("runs");
    let lines = lines_with("job finished");
    assert!(
        lines.iter().any(|line| line.contains("job{job_id=span-1}")),
        "no `job finished` line inside a `job` span with job_id=span-1 in {lines:#?}"
    );
}

#[tokio::test]
async fn lines_from_the_async_part_carry_the_job_id() {
    run_job("span-3").await.1.expect("runs");
    let lines = lines_with("upload opened");
    assert!(
        lines.iter().any(|line| line.contains("job{job_id=span-3}")),
        "the `upload opened` line is logged while the job's future runs; the whole future \
         must run inside the job's span: {lines:#?}"
    );
}

#[tokio::test]
async fn lines_from_the_blocking_thread_carry_the_job_id_too() {
    run_job("span-2").await.1.expect("runs");
    let lines = lines_with("upload read");
    assert!(
        lines.iter().any(|line| line.contains("job{job_id=span-2}")),
        "the `upload read` line comes from the blocking pool's thread; it must be inside the \
         job's span too: {lines:#?}"
    );
}
