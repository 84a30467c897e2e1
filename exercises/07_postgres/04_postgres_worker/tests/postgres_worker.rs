//! The graded tests of step 7.4. Read them: they are the specification.
//!
//! They run against a real PostgreSQL server (see `support/postgres.rs`), some through the
//! library and some through the real program. No test waits on the clock for a lease to run
//! out: a test moves `lease_until` into the past instead, as time would. Jobs that must be
//! running at a given moment run a stand-in handler that says when it started and then waits
//! to be released, so what runs where never depends on the machine's speed. Waits for the
//! program poll with a bound of minutes, far above the real work.

#[path = "support/postgres.rs"]
mod postgres;

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use postgres_worker::job::{Importer, JobSummary, good_rows_path, rejects_path, summary_path};
use postgres_worker::metrics::Metrics;
use postgres_worker::pipeline::Summary;
use postgres_worker::queue::JobQueue;
use postgres_worker::runner::{Handler, TableSettings};
use postgres_worker::spec::{JobId, JobSpec};
use postgres_worker::table::{Recorded, TableQueue, give_back, record};
use postgres_worker::upload::ImportRoot;
use serde_json::Value;
use step_6_6::service::{Intake, JobStatus};
use step_7_3::claim::{ClaimError, ClaimedJob, claim};
use tokio::sync::{Semaphore, mpsc};
use tokio_postgres::Client;
use tokio_postgres::config::Host;
use worker::job::JobError;
use worker::retry::RetryPolicy;

use postgres::TestDb;

/// The program under test: the reference's `import-worker-pg` or the exercise's.
fn binary() -> &'static str {
    option_env!("CARGO_BIN_EXE_import-worker-pg")
        .or(option_env!("CARGO_BIN_EXE_my-import-worker-pg"))
        .unwrap_or("the test was built without the binary")
}

/// The longest any wait may take: a hang guard, never a measure of speed.
const PATIENCE: Duration = Duration::from_secs(120);
const LEASE: Duration = Duration::from_secs(30);
const POLICY: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    base_delay: Duration::from_secs(10),
    max_delay: Duration::from_secs(60),
};
const HEADER: &str = "customer_id,email,amount_cents\n";

// ---- helpers ----

fn spec(id: &str) -> JobSpec {
    JobSpec::from_json(spec_json(id, "u.csv").as_bytes()).expect("a valid spec")
}

fn spec_json(id: &str, upload: &str) -> String {
    format!(r#"{{"job_id": "{id}", "upload": "{upload}", "schema": "orders"}}"#)
}

/// A summary as a finished job would have it, without running the pipeline.
fn summary_of(spec: &JobSpec, good: u64, bad: u64) -> JobSummary {
    JobSummary {
        job_id: spec.id.clone(),
        upload: spec.upload.clone(),
        schema: spec.schema,
        bytes: 10,
        rows: Summary {
            rows: good + bad,
            good,
            bad,
        },
    }
}

fn settings(db: &TestDb, worker: &str, folder: &tempfile::TempDir) -> TableSettings {
    TableSettings {
        database: db.config().clone(),
        root: folder.path().to_path_buf(),
        out_dir: folder.path().to_path_buf(),
        worker: worker.to_string(),
        concurrency: 1,
        lease: LEASE,
        poll: Duration::from_secs(1),
        job_timeout: Duration::from_secs(300),
        shutdown_grace: Duration::ZERO,
        retry: POLICY,
        seed: 7,
    }
}

/// A handler whose jobs say (with their id) when they start, then wait until `release` has a
/// permit for them, and finish with a summary.
fn held_handler(started: mpsc::UnboundedSender<String>, release: Arc<Semaphore>) -> Handler {
    Arc::new(move |spec: JobSpec| {
        let started = started.clone();
        let release = Arc::clone(&release);
        Box::pin(async move {
            let _ = started.send(spec.id.as_str().to_string());
            let permit = release.acquire().await;
            drop(permit);
            Ok(summary_of(&spec, 2, 1))
        })
    })
}

async fn started_queue(
    db: &TestDb,
    worker: &str,
    folder: &tempfile::TempDir,
    handler: Handler,
) -> TableQueue {
    TableQueue::start_with(
        &settings(db, worker, folder),
        handler,
        Arc::new(Metrics::default()),
    )
    .await
    .expect("the table's worker starts")
}

async fn row(client: &Client, key: &str) -> (String, i32, Option<String>, Option<Value>) {
    let row = client
        .query_one(
            "SELECT state, attempt, worker, result FROM jobs WHERE job_key = $1",
            &[&key],
        )
        .await
        .expect("the job's row");
    (row.get(0), row.get(1), row.get(2), row.get(3))
}

/// Waits (polling the table, bounded) until `key` is in `state`.
async fn wait_for_state(client: &Client, key: &str, state: &str) {
    let started = Instant::now();
    while row(client, key).await.0 != state {
        assert!(started.elapsed() < PATIENCE, "{key} never became {state}");
        tokio::time::sleep(Duration::from_millis(20)).await; // polling, not synchronising
    }
}

/// Migrates and enqueues `id` directly, for the tests of `record` and `give_back`.
async fn migrated_with_job(db: &TestDb, id: &str) -> Client {
    let mut client = db.connect().await;
    step_7_3::migrate::migrate(&mut client)
        .await
        .expect("migrate");
    let transaction = client.transaction().await.expect("begin");
    let job = step_7_3::job::NewJob {
        key: step_7_3::job::JobKey::try_from(id).expect("key"),
        kind: "import".to_string(),
        payload: serde_json::to_value(spec(id)).expect("json"),
    };
    step_7_3::enqueue::enqueue(&transaction, &job)
        .await
        .expect("enqueue");
    transaction.commit().await.expect("commit");
    client
}

async fn claim_as(client: &Client, worker: &str) -> ClaimedJob {
    claim(client, worker, LEASE)
        .await
        .expect("claim")
        .expect("a due job")
}

/// Makes every running job's lease run out, as time would.
async fn expire_leases(client: &Client) {
    client
        .execute(
            "UPDATE jobs SET lease_until = now() - interval '1 second' WHERE state = 'running'",
            &[],
        )
        .await
        .expect("expire");
}

// ---- intake and status ----

#[tokio::test]
async fn a_job_is_taken_in_once_per_id_and_committed() {
    let db = TestDb::new().await;
    let folder = tempfile::tempdir().expect("a folder");
    let (started, _seen) = mpsc::unbounded_channel();
    let queue = started_queue(
        &db,
        "w1",
        &folder,
        held_handler(started, Arc::new(Semaphore::new(0))),
    )
    .await;
    let first = queue.submit(spec("acme-1")).await.expect("submit");
    assert_eq!(first, Intake::Accepted);
    // Committed: another connection sees it.
    let client = db.connect().await;
    let count: i64 = client
        .query_one("SELECT count(*) FROM jobs WHERE job_key = 'acme-1'", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(count, 1);
    let again = queue.submit(spec("acme-1")).await.expect("submit again");
    assert_eq!(
        again,
        Intake::Known(JobStatus::Queued),
        "a repeated id is known, not enqueued again"
    );
    let count: i64 = client
        .query_one("SELECT count(*) FROM jobs", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(count, 1);
    assert!(
        queue.metrics().contains("import_jobs_accepted_total 1"),
        "{}",
        queue.metrics()
    );
    queue.shutdown().await;
}

#[tokio::test]
async fn status_reads_where_the_job_stands_in_the_table() {
    let db = TestDb::new().await;
    let folder = tempfile::tempdir().expect("a folder");
    let (started, _seen) = mpsc::unbounded_channel();
    let queue = started_queue(
        &db,
        "w1",
        &folder,
        held_handler(started, Arc::new(Semaphore::new(0))),
    )
    .await;
    queue.shutdown().await; // intake and status only: nothing claims
    let id = |text: &str| JobId::parse(text).expect("id");
    assert_eq!(queue.status(&id("nobody")).await.expect("status"), None);
    for key in ["q-1", "d-1", "x-1"] {
        queue.submit(spec(key)).await.expect("submit");
    }
    let client = db.connect().await;
    client
        .execute(
            "UPDATE jobs SET state = 'done', attempt = 1,
                    result = '{\"rows\": 5, \"good\": 4, \"bad\": 1}' WHERE job_key = 'd-1'",
            &[],
        )
        .await
        .expect("done");
    client
        .execute(
            "UPDATE jobs SET state = 'dead', attempt = 2, errors = '[
                {\"attempt\": 1, \"error\": \"disk full\"},
                {\"attempt\": 2, \"error\": \"upload missing\"}]' WHERE job_key = 'x-1'",
            &[],
        )
        .await
        .expect("dead");
    assert_eq!(
        queue.status(&id("q-1")).await.expect("status"),
        Some(JobStatus::Queued)
    );
    assert_eq!(
        queue.status(&id("d-1")).await.expect("status"),
        Some(JobStatus::Done {
            rows: 5,
            good: 4,
            bad: 1
        })
    );
    assert_eq!(
        queue.status(&id("x-1")).await.expect("status"),
        Some(JobStatus::Dead {
            error: "upload missing".to_string()
        }),
        "a dead job shows its last error"
    );
}

// ---- recording an attempt, fenced ----

#[tokio::test]
async fn a_finished_attempt_is_recorded_done_with_its_summary() {
    let db = TestDb::new().await;
    let client = migrated_with_job(&db, "r-1").await;
    let job = claim_as(&client, "w1").await;
    let summary = summary_of(&spec("r-1"), 4, 1);
    let recorded = record(&client, &job, &Ok(summary.clone()), &POLICY, 7).await;
    assert_eq!(recorded.expect("recorded"), Recorded::Done);
    let (state, attempt, _, result) = row(&client, "r-1").await;
    assert_eq!((state.as_str(), attempt), ("done", 1));
    let result = result.expect("the summary is the job's result");
    assert_eq!(result, serde_json::to_value(&summary).expect("json"));
}

#[tokio::test]
async fn a_failed_attempt_is_retried_or_dead_by_the_policy() {
    let db = TestDb::new().await;
    let client = migrated_with_job(&db, "f-1").await;
    let job = claim_as(&client, "w1").await;
    let retry = record(
        &client,
        &job,
        &Err(JobError::Retryable("disk busy".into())),
        &POLICY,
        7,
    )
    .await;
    assert_eq!(retry.expect("recorded"), Recorded::Retry);
    assert_eq!(row(&client, "f-1").await.0, "queued");
    client
        .execute("UPDATE jobs SET run_at = now()", &[])
        .await
        .expect("come due");
    let job = claim_as(&client, "w1").await;
    let dead = record(
        &client,
        &job,
        &Err(JobError::Permanent("not a CSV".into())),
        &POLICY,
        7,
    )
    .await;
    assert_eq!(dead.expect("recorded"), Recorded::Dead);
    assert_eq!(row(&client, "f-1").await.0, "dead");
}

#[tokio::test]
async fn a_stale_attempt_cannot_record_over_the_newer_one() {
    let db = TestDb::new().await;
    let client = migrated_with_job(&db, "s-1").await;
    let stale = claim_as(&client, "w1").await;
    expire_leases(&client).await;
    let newer = claim_as(&client, "w2").await;
    assert_eq!(newer.attempt, 2);
    let refused = record(
        &client,
        &stale,
        &Ok(summary_of(&spec("s-1"), 1, 0)),
        &POLICY,
        7,
    )
    .await;
    assert!(
        matches!(refused, Err(ClaimError::Fenced { attempt: 1, .. })),
        "a completion from a lost lease is refused: {refused:?}"
    );
    let refused = record(
        &client,
        &stale,
        &Err(JobError::Permanent("x".into())),
        &POLICY,
        7,
    )
    .await;
    assert!(
        matches!(refused, Err(ClaimError::Fenced { .. })),
        "{refused:?}"
    );
    let (state, attempt, worker, _) = row(&client, "s-1").await;
    assert_eq!(
        (state.as_str(), attempt, worker.as_deref()),
        ("running", 2, Some("w2")),
        "the newer attempt still holds the job"
    );
    let done = record(
        &client,
        &newer,
        &Ok(summary_of(&spec("s-1"), 1, 0)),
        &POLICY,
        7,
    )
    .await;
    assert_eq!(done.expect("the newer attempt records"), Recorded::Done);
}

// ---- handing back ----

#[tokio::test]
async fn a_job_handed_back_is_claimable_at_once_by_another_worker() {
    let db = TestDb::new().await;
    let client = migrated_with_job(&db, "g-1").await;
    let job = claim_as(&client, "w1").await;
    give_back(&client, &job).await.expect("handed back");
    let row_now = client
        .query_one(
            "SELECT state, lease_until IS NULL, worker IS NULL, run_at <= now() FROM jobs",
            &[],
        )
        .await
        .expect("row");
    assert_eq!(
        (
            row_now.get::<_, String>(0),
            row_now.get::<_, bool>(1),
            row_now.get::<_, bool>(2),
            row_now.get::<_, bool>(3)
        ),
        ("queued".to_string(), true, true, true),
        "queued, due now, no lease, no worker"
    );
    // Within its 30 s lease, yet claimable at once: the lease was given back.
    let again = claim(&client, "w2", LEASE).await.expect("claim");
    let again = again.expect("the job handed back is claimable at once");
    assert_eq!(again.attempt, 2, "the attempt is not given back");
    let stale = give_back(&client, &job).await;
    assert!(
        matches!(stale, Err(ClaimError::Fenced { .. })),
        "the old claim cannot hand back the newer attempt's job: {stale:?}"
    );
    assert_eq!(row(&client, "g-1").await.0, "running");
}

#[tokio::test]
async fn a_shutdown_hands_its_running_jobs_back() {
    let db = TestDb::new().await;
    let folder = tempfile::tempdir().expect("a folder");
    let (started, mut seen) = mpsc::unbounded_channel();
    // Released never: the job is running when the shutdown comes, and its grace is zero.
    let queue = started_queue(
        &db,
        "w1",
        &folder,
        held_handler(started, Arc::new(Semaphore::new(0))),
    )
    .await;
    queue.submit(spec("h-1")).await.expect("submit");
    assert_eq!(seen.recv().await.as_deref(), Some("h-1"), "the job started");
    let handed_back = queue.shutdown().await;
    assert_eq!(handed_back, 1);
    assert!(
        queue.metrics().contains("import_queue_given_back_total 1"),
        "{}",
        queue.metrics()
    );
    let client = db.connect().await;
    let again = claim(&client, "w2", LEASE).await.expect("claim");
    let again = again.expect("claimable at once, not after the 30 s lease");
    assert_eq!((again.key.as_str(), again.attempt), ("h-1", 2));
}

// ---- several workers ----

#[tokio::test]
async fn two_workers_share_one_queue_without_waiting_for_each_other() {
    let db = TestDb::new().await;
    let folder = tempfile::tempdir().expect("a folder");
    let release = Arc::new(Semaphore::new(0));
    let (started, mut seen) = mpsc::unbounded_channel();
    // One job at a time each: while a holds its job, only b can take the second.
    let a = started_queue(
        &db,
        "a",
        &folder,
        held_handler(started.clone(), Arc::clone(&release)),
    )
    .await;
    let b = started_queue(
        &db,
        "b",
        &folder,
        held_handler(started, Arc::clone(&release)),
    )
    .await;
    a.submit(spec("job-1")).await.expect("submit");
    b.submit(spec("job-2")).await.expect("submit");
    let mut running = BTreeSet::new();
    running.insert(seen.recv().await.expect("a job started"));
    running.insert(seen.recv().await.expect("a second job started"));
    assert_eq!(
        running,
        BTreeSet::from(["job-1".to_string(), "job-2".to_string()])
    );
    let client = db.connect().await;
    let holders: BTreeSet<String> = client
        .query("SELECT worker FROM jobs WHERE state = 'running'", &[])
        .await
        .expect("rows")
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(
        holders,
        BTreeSet::from(["a".to_string(), "b".to_string()]),
        "each worker holds one job"
    );
    release.add_permits(2);
    for key in ["job-1", "job-2"] {
        wait_for_state(&client, key, "done").await;
        assert_eq!(row(&client, key).await.1, 1, "{key} ran once");
    }
    a.shutdown().await;
    b.shutdown().await;
}

// ---- the program ----

/// `postgres://...` for the test's database, as the program takes it.
fn database_url(db: &TestDb) -> String {
    let config = db.config();
    let encode = |text: &str| {
        text.bytes()
            .map(|byte| {
                if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                    (byte as char).to_string()
                } else {
                    format!("%{byte:02X}")
                }
            })
            .collect::<String>()
    };
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => encode(host),
        Some(Host::Unix(path)) => encode(&path.to_string_lossy()),
        None => "localhost".to_string(),
    };
    let port = config
        .get_ports()
        .first()
        .map(|port| format!(":{port}"))
        .unwrap_or_default();
    let user = encode(config.get_user().unwrap_or("postgres"));
    let password = config
        .get_password()
        .map(|password| format!(":{}", encode(&String::from_utf8_lossy(password))))
        .unwrap_or_default();
    let dbname = encode(config.get_dbname().unwrap_or("postgres"));
    format!("postgres://{user}{password}@{host}{port}/{dbname}")
}

/// A running `import-worker-pg serve`.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(root: &PathBuf, out: &PathBuf, queue: &[&str], log: &PathBuf) -> Server {
        let log_file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("open the log");
        let mut child = Command::new(binary())
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--shutdown-grace-secs",
                "5",
            ])
            .arg("--root")
            .arg(root)
            .arg("--out")
            .arg(out)
            .args(queue)
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .expect("start the worker");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read stdout");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| {
                let log = fs::read_to_string(log).unwrap_or_default();
                panic!("the worker must print `listening on ADDR` once ready; got {line:?}\n{log}")
            });
        Server { child, addr }
    }

    fn terminate(mut self) -> ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success());
        self.child.wait().expect("wait for the worker")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request; the status and the body.
fn http(addr: SocketAddr, method: &str, path: &str, body: &str) -> io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(PATIENCE))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| io::Error::other(format!("not an HTTP response: {response:?}")))?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string());
    Ok((status, body.unwrap_or_default()))
}

/// Polls `GET /jobs/{id}` until the job is done; its answer.
fn wait_until_done(addr: SocketAddr, id: &str) -> Value {
    let started = Instant::now();
    loop {
        let (status, body) = http(addr, "GET", &format!("/jobs/{id}"), "").expect("get");
        assert_eq!(status, 200, "{body}");
        let json: Value = serde_json::from_str(&body).expect("JSON");
        if json["job"]["status"] == "done" {
            return json;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "job {id} never finished: {body}"
        );
        thread::sleep(Duration::from_millis(20)); // polling, not synchronising
    }
}

struct Folders {
    dir: tempfile::TempDir,
}

impl Folders {
    fn new(upload: &str) -> Folders {
        let dir = tempfile::tempdir().expect("a temporary folder");
        fs::create_dir_all(dir.path().join("import")).expect("mkdir");
        fs::create_dir_all(dir.path().join("out")).expect("mkdir");
        fs::write(dir.path().join("import/u.csv"), upload).expect("write the upload");
        Folders { dir }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// The three outputs of a run without the program, for job `ref`.
async fn expected_outputs(folders: &Folders) -> [Vec<u8>; 3] {
    let reference = tempfile::tempdir().expect("a temporary folder");
    let root = ImportRoot::new(folders.path("import")).expect("root");
    let importer = Importer::new(root, reference.path());
    let spec = spec("ref");
    importer
        .run_spec(spec.clone())
        .await
        .expect("a reference run");
    [
        good_rows_path(reference.path(), &spec.id),
        rejects_path(reference.path(), &spec.id),
        summary_path(reference.path(), &spec.id),
    ]
    .map(|path| fs::read(path).expect("reference output"))
}

#[test]
fn the_journal_stays_the_default_queue() {
    let folders = Folders::new(&format!("{HEADER}1,a@b.co,5\n2,nobody,7\n"));
    let (root, out, log) = (
        folders.path("import"),
        folders.path("out"),
        folders.path("log"),
    );
    let no_journal = Command::new(binary())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .arg("--root")
        .arg(&root)
        .arg("--out")
        .arg(&out)
        .env_remove("IMPORT_QUEUE")
        .output()
        .expect("run serve");
    assert_eq!(no_journal.status.code(), Some(3), "{no_journal:?}");
    assert!(
        String::from_utf8_lossy(&no_journal.stderr).contains("--journal"),
        "says what is missing: {no_journal:?}"
    );
    let journal = folders.path("jobs.journal");
    let journal = journal.to_string_lossy();
    let server = Server::start(&root, &out, &["--journal", &journal], &log);
    let (status, body) =
        http(server.addr, "POST", "/jobs", &spec_json("j-1", "u.csv")).expect("post");
    assert_eq!(status, 202, "{body}");
    let json = wait_until_done(server.addr, "j-1");
    assert_eq!(
        (json["job"]["good"].as_u64(), json["job"]["bad"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(
        fs::metadata(folders.path("jobs.journal")).is_ok(),
        "the journal holds the queue"
    );
    assert!(server.terminate().success());
}

#[tokio::test(flavor = "multi_thread")]
async fn several_processes_share_one_queue_in_the_table() {
    let db = TestDb::new().await;
    let url = database_url(&db);
    let mut upload = HEADER.to_string();
    for n in 1..=40 {
        upload.push_str(&format!("{n},c{n}@example.com,{}\n", n * 10));
    }
    upload.push_str("41,nobody,5\n");
    let folders = Folders::new(&upload);
    let expected = expected_outputs(&folders).await;
    let (root, out, log) = (
        folders.path("import"),
        folders.path("out"),
        folders.path("log"),
    );
    let queue = ["--queue", url.as_str(), "--worker-name"];
    let a = Server::start(&root, &out, &[&queue[..], &["a"]].concat(), &log);
    let b = Server::start(&root, &out, &[&queue[..], &["b"]].concat(), &log);
    let jobs: Vec<String> = (0..20).map(|n| format!("p-{n:02}")).collect();
    tokio::task::spawn_blocking(move || {
        // Half the jobs through each process, and each job's repeat through the other one:
        // both read one table, so the repeat is known there.
        for (n, id) in jobs.iter().enumerate() {
            let (first, second) = if n % 2 == 0 { (&a, &b) } else { (&b, &a) };
            let body = spec_json(id, "u.csv");
            let (status, text) = http(first.addr, "POST", "/jobs", &body).expect("post");
            assert_eq!(status, 202, "{text}");
            let (status, text) = http(second.addr, "POST", "/jobs", &body).expect("post again");
            assert_eq!(status, 200, "the other process knows the job: {text}");
        }
        for (n, id) in jobs.iter().enumerate() {
            let server = if n % 2 == 0 { &b } else { &a };
            let json = wait_until_done(server.addr, id);
            assert_eq!(json["job"]["bad"].as_u64(), Some(1), "{json}");
        }
        assert!(a.terminate().success(), "SIGTERM exits 0");
        assert!(b.terminate().success(), "SIGTERM exits 0");
    })
    .await
    .expect("the client");
    let client = db.connect().await;
    let rows = client
        .query(
            "SELECT job_key, state, attempt FROM jobs ORDER BY job_key",
            &[],
        )
        .await
        .expect("rows");
    assert_eq!(rows.len(), 20, "one row per job, however often it was sent");
    for row in &rows {
        let (key, state, attempt): (String, String, i32) = (row.get(0), row.get(1), row.get(2));
        assert_eq!((state.as_str(), attempt), ("done", 1), "{key} ran once");
        let spec = spec(&key);
        let [good, rejects, summary] = &expected;
        assert_eq!(
            &fs::read(good_rows_path(&out, &spec.id)).expect("good"),
            good,
            "{key}"
        );
        assert_eq!(
            &fs::read(rejects_path(&out, &spec.id)).expect("rejects"),
            rejects,
            "{key}"
        );
        let summary = String::from_utf8_lossy(summary).replace("\"ref\"", &format!("\"{key}\""));
        let written = fs::read_to_string(summary_path(&out, &spec.id)).expect("summary");
        assert_eq!(written, summary, "{key}");
    }
}
