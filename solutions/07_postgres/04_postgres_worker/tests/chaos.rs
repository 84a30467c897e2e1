//! The chaos test of the import worker on PostgreSQL: three worker processes of the real
//! program share one jobs table while the test SIGKILLs them at random and starts them again,
//! and once pauses one (SIGSTOP) until its jobs are taken over, so that it wakes up as a stale
//! worker. At the end:
//!
//! - no job is lost: every job is `done`, none is dead, none is still claimed (`running`) and
//!   none holds a lease;
//! - every job's outputs exist once (three files, no temporary or partial file left) and are
//!   byte-identical to a run of the same job without the program and without kills;
//! - every re-run came after a lease ran out: a trigger the test installs records each claim
//!   with the lease it replaced, and no claim took a job whose lease was still valid;
//! - the stale worker's writes were refused and counted (`import_queue_fenced_total`).
//!
//! The default is 10,000 small jobs and 20 kills, about 30 s on a 2-core machine. The kill
//! points and victims come from a seeded generator; the seed is printed, and `CHAOS_SEED`
//! replays it. Longer (50,000 jobs and 100 kills took about 6 minutes here):
//!
//! ```text
//! CHAOS_JOBS=50000 CHAOS_KILLS=100 cargo test -p postgres_worker_solution --test chaos -- --nocapture
//! ```
//!
//! Nothing here sleeps to synchronise: the test polls the table (every 20 ms) for the progress
//! it waits for, with a generous bound that only stops a hang.

#[path = "../../../../exercises/07_postgres/04_postgres_worker/tests/support/postgres.rs"]
mod postgres;

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use postgres_worker_solution::job::{Importer, good_rows_path, rejects_path, summary_path};
use postgres_worker_solution::spec::JobSpec;
use postgres_worker_solution::upload::ImportRoot;
use tokio_postgres::Client;
use tokio_postgres::config::Host;

use postgres::TestDb;

const BINARY: &str = env!("CARGO_BIN_EXE_import-worker-pg");
/// A hang guard for the whole run, never a measure of speed.
const PATIENCE: Duration = Duration::from_secs(600);
const POLL: Duration = Duration::from_millis(20);
const WORKERS: usize = 3;
const VARIANTS: usize = 5;
/// Short, so that a killed worker's jobs come back soon; long enough that a live worker,
/// renewing at every third of it, keeps its jobs on a loaded machine.
const LEASE_SECS: &str = "2";

fn from_env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// A seeded pseudo-random number generator (SplitMix64): the kill points repeat per seed.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn upload_text(variant: usize) -> String {
    let mut text = "customer_id,email,amount_cents\n".to_string();
    for n in 1..=4 + variant {
        text.push_str(&format!("{n},c{n}@example.com,{}\n", n * 10 + variant));
    }
    text.push_str("99,not-an-email,5\n");
    text
}

fn spec_json(id: &str, variant: usize) -> String {
    format!(r#"{{"job_id": "{id}", "upload": "u{variant}.csv", "schema": "orders"}}"#)
}

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

/// One worker process of the real program.
struct Worker {
    child: Child,
    name: String,
    addr: SocketAddr,
}

impl Worker {
    fn start(name: &str, url: &str, root: &Path, out: &Path, log: &Path) -> Worker {
        let log_file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("open the log");
        let mut child = Command::new(BINARY)
            .args(["serve", "--listen", "127.0.0.1:0", "--queue", url])
            .args(["--worker-name", name, "--lease-secs", LEASE_SECS])
            .args(["--poll-secs", "1", "--concurrency", "2"])
            .args(["--shutdown-grace-secs", "5"])
            .arg("--root")
            .arg(root)
            .arg("--out")
            .arg(out)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .expect("start a worker");
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
                panic!("a worker must print `listening on ADDR`; got {line:?}\n{log}")
            });
        Worker {
            child,
            name: name.to_string(),
            addr,
        }
    }

    fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill {signal}");
    }

    fn kill(mut self) {
        self.child.kill().expect("SIGKILL"); // `Child::kill` is SIGKILL on Unix
        let _ = self.child.wait();
    }

    fn terminate(mut self) {
        self.signal("-TERM");
        let status = self.child.wait().expect("wait for a worker");
        assert!(
            status.success(),
            "{} exits 0 at SIGTERM: {status:?}",
            self.name
        );
    }

    /// One counter from `GET /metrics`.
    fn counter(&self, name: &str) -> u64 {
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        write!(
            stream,
            "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        response
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{name} ")))
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {response}"))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn count(client: &Client, sql: &str) -> i64 {
    client
        .query_one(sql, &[])
        .await
        .unwrap_or_else(|error| panic!("{sql}: {error:?}"))
        .get(0)
}

/// Polls `sql` (a count) until `done` says yes; bounded by `PATIENCE` from `started`.
async fn wait_until(client: &Client, sql: &str, started: Instant, done: impl Fn(i64) -> bool) {
    loop {
        let value = count(client, sql).await;
        if done(value) {
            return;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "gave up waiting on `{sql}` (now {value})"
        );
        tokio::time::sleep(POLL).await; // polling the table, not synchronising
    }
}

/// The outputs of each upload variant from a run without the program, for job `ref`.
async fn expected_outputs(root: &Path) -> Vec<[Vec<u8>; 3]> {
    let reference = tempfile::tempdir().expect("a temporary folder");
    let importer = Importer::new(ImportRoot::new(root).expect("root"), reference.path());
    let mut expected = Vec::new();
    for variant in 0..VARIANTS {
        let spec = JobSpec::from_json(spec_json("ref", variant).as_bytes()).expect("spec");
        importer
            .run_spec(spec.clone())
            .await
            .expect("a reference run");
        expected.push(
            [
                good_rows_path(reference.path(), &spec.id),
                rejects_path(reference.path(), &spec.id),
                summary_path(reference.path(), &spec.id),
            ]
            .map(|path| fs::read(path).expect("reference output")),
        );
    }
    expected
}

/// A folder for the outputs: in memory where there is `/dev/shm`, so that 10,000 jobs' fsyncs
/// cost nothing. A SIGKILL loses no written data either way (the kernel keeps it); what this
/// test checks is the queue's logic, not the disk's.
fn output_folder() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(dir) = tempfile::tempdir_in(shm)
    {
        return dir;
    }
    tempfile::tempdir().expect("a temporary folder")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_kills_lose_no_job_and_rerun_only_after_a_lease_ran_out() {
    let jobs = usize::try_from(from_env("CHAOS_JOBS", 10_000)).expect("a count");
    let kills = usize::try_from(from_env("CHAOS_KILLS", 20)).expect("a count");
    let seed = from_env("CHAOS_SEED", 0x7A_5EED);
    println!("chaos: {jobs} jobs, {kills} kills, seed {seed} (CHAOS_SEED={seed} replays it)");
    let started = Instant::now();

    let db = TestDb::new().await;
    let url = database_url(&db);
    let mut client = db.connect().await;
    step_7_3::migrate::migrate(&mut client)
        .await
        .expect("migrate");
    // Every claim, with what it replaced: the test's own trigger, not the program's.
    client
        .batch_execute(
            "CREATE TABLE claim_history (
                 job_id bigint, attempt integer, worker text,
                 old_state text, old_worker text, old_lease_until timestamptz,
                 claimed_at timestamptz);
             CREATE FUNCTION record_claim() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
                 IF NEW.attempt <> OLD.attempt THEN
                     INSERT INTO claim_history VALUES (NEW.id, NEW.attempt, NEW.worker,
                         OLD.state, OLD.worker, OLD.lease_until, now());
                 END IF;
                 RETURN NULL;
             END $$;
             CREATE TRIGGER jobs_claims AFTER UPDATE ON jobs
                 FOR EACH ROW EXECUTE FUNCTION record_claim();",
        )
        .await
        .expect("the claim history");

    let folder = tempfile::tempdir().expect("a temporary folder");
    let root = folder.path().join("import");
    fs::create_dir_all(&root).expect("mkdir");
    for variant in 0..VARIANTS {
        fs::write(root.join(format!("u{variant}.csv")), upload_text(variant)).expect("upload");
    }
    let out_folder = output_folder();
    let out = out_folder.path().to_path_buf();
    let log = folder.path().join("workers.log");
    let expected = expected_outputs(&root).await;

    // Every job in one statement, before the workers start: a burn-down.
    let ids: Vec<String> = (0..jobs).map(|n| format!("chaos-{n:06}")).collect();
    let payloads: Vec<serde_json::Value> = (0..jobs)
        .map(|n| {
            let spec =
                JobSpec::from_json(spec_json(&ids[n], n % VARIANTS).as_bytes()).expect("spec");
            serde_json::to_value(spec).expect("json")
        })
        .collect();
    client
        .execute(
            "INSERT INTO jobs (job_key, kind, payload)
             SELECT key, 'import', payload FROM unnest($1::text[], $2::jsonb[]) AS t(key, payload)",
            &[&ids, &payloads],
        )
        .await
        .expect("enqueue");

    let mut rng = seed;
    let mut kill_points: Vec<i64> = (0..kills)
        .map(|_| i64::try_from(next(&mut rng) % (jobs as u64 * 9 / 10).max(1)).expect("fits"))
        .collect();
    kill_points.sort_unstable();
    let pause_point = i64::try_from(jobs / 2).expect("fits");

    let start = |name: String| Worker::start(&name, &url, &root, &out, &log);
    let mut generation = 0;
    let mut workers: Vec<Worker> = (0..WORKERS)
        .map(|slot| start(format!("w{slot}-g0")))
        .collect();
    let mut killed = BTreeSet::new();
    let mut paused: Option<(String, u64)> = None; // the stale worker, and its refused writes
    let done_sql = "SELECT count(*) FROM jobs WHERE state = 'done'";
    for (n, point) in kill_points.iter().enumerate() {
        wait_until(&client, done_sql, started, |done| done >= *point).await;
        if paused.is_none() && *point >= pause_point {
            let fenced = pause_until_taken_over(&client, &workers[0], started).await;
            paused = Some((workers[0].name.clone(), fenced));
        }
        let slot = usize::try_from(next(&mut rng) % WORKERS as u64).expect("fits");
        generation += 1;
        let fresh = start(format!("w{slot}-g{generation}"));
        let victim = std::mem::replace(&mut workers[slot], fresh);
        println!(
            "kill {}/{kills}: {} after {point} jobs done",
            n + 1,
            victim.name
        );
        killed.insert(victim.name.clone());
        victim.kill();
    }
    if paused.is_none() {
        wait_until(&client, done_sql, started, |done| done >= pause_point).await;
        let fenced = pause_until_taken_over(&client, &workers[0], started).await;
        paused = Some((workers[0].name.clone(), fenced));
    }
    let (paused_name, fenced) = paused.expect("a worker was paused");
    let all = i64::try_from(jobs).expect("fits");
    wait_until(&client, done_sql, started, |done| done == all).await;

    for worker in workers {
        worker.terminate();
    }
    // One more start: it removes the temporary files the killed workers left.
    start("sweeper".to_string()).terminate();
    let took = started.elapsed();

    // No job lost, none dead, none claimed, none holding a lease.
    assert_eq!(count(&client, "SELECT count(*) FROM jobs").await, all);
    assert_eq!(count(&client, done_sql).await, all, "every job is done");
    assert_eq!(
        count(
            &client,
            "SELECT count(*) FROM jobs WHERE state = 'running' OR lease_until IS NOT NULL"
        )
        .await,
        0,
        "no job is left claimed"
    );
    // Re-runs only after a lease ran out.
    let early = count(
        &client,
        "SELECT count(*) FROM claim_history
          WHERE attempt > 1 AND NOT (old_state = 'running' AND old_lease_until < claimed_at)",
    )
    .await;
    assert_eq!(
        early, 0,
        "a job was claimed again while its lease was valid"
    );
    let reruns = count(
        &client,
        "SELECT count(*) FROM claim_history WHERE attempt > 1",
    )
    .await;
    let killed_list: Vec<String> = killed.iter().cloned().collect();
    let from_live: i64 = client
        .query_one(
            "SELECT count(*) FROM claim_history
              WHERE attempt > 1 AND old_worker <> ALL($1) AND old_worker <> $2",
            &[&killed_list, &paused_name],
        )
        .await
        .expect("count")
        .get(0);
    // Outputs: once each, whole, byte-identical to the run without kills.
    let names: Vec<String> = fs::read_dir(&out)
        .expect("read the outputs")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let stray: Vec<&String> = names.iter().filter(|name| name.starts_with('.')).collect();
    assert!(stray.is_empty(), "temporary files left: {stray:?}");
    assert_eq!(names.len(), 3 * jobs, "one set of three outputs per job");
    for (n, id) in ids.iter().enumerate() {
        let spec = JobSpec::from_json(spec_json(id, n % VARIANTS).as_bytes()).expect("spec");
        let [good, rejects, summary] = &expected[n % VARIANTS];
        assert_eq!(
            &fs::read(good_rows_path(&out, &spec.id)).expect("good"),
            good,
            "{id}"
        );
        assert_eq!(
            &fs::read(rejects_path(&out, &spec.id)).expect("rejects"),
            rejects,
            "{id}"
        );
        let summary = String::from_utf8_lossy(summary).replace("\"ref\"", &format!("\"{id}\""));
        let written = fs::read_to_string(summary_path(&out, &spec.id)).expect("summary");
        assert_eq!(written, summary, "{id}");
    }
    println!(
        "chaos: {jobs} jobs done once each, {kills} kills, {reruns} re-runs (all after a lease \
         ran out; {from_live} of them of a live worker's lapsed lease), {fenced} stale writes \
         refused by {paused_name}, in {:.1} s",
        took.as_secs_f64()
    );
}

/// Pauses `worker` (SIGSTOP) at a moment when it holds a job, waits until another worker has
/// claimed that job (its lease ran out), and resumes it: it wakes up stale. Returns how many of
/// its writes were refused, once at least one was.
async fn pause_until_taken_over(client: &Client, worker: &Worker, started: Instant) -> u64 {
    loop {
        assert!(started.elapsed() < PATIENCE, "no pause took a job over");
        worker.signal("-STOP");
        let held = client
            .query_opt(
                "SELECT id, attempt FROM jobs WHERE state = 'running' AND worker = $1 LIMIT 1",
                &[&worker.name],
            )
            .await
            .expect("held jobs");
        let taken_over = match held {
            None => false,
            Some(job) => {
                let (id, attempt): (i64, i32) = (job.get(0), job.get(1));
                loop {
                    let now = client
                        .query_one("SELECT attempt, state FROM jobs WHERE id = $1", &[&id])
                        .await
                        .expect("attempt");
                    let (now, state): (i32, String) = (now.get(0), now.get(1));
                    if now > attempt {
                        println!(
                            "paused {} until job {id} attempt {attempt} was claimed again",
                            worker.name
                        );
                        break true;
                    }
                    // Its completion had reached the server before the pause: not stale.
                    if state != "running" {
                        break false;
                    }
                    assert!(
                        started.elapsed() < PATIENCE,
                        "the paused worker's job was never taken over"
                    );
                    tokio::time::sleep(POLL).await; // polling the table, not synchronising
                }
            }
        };
        worker.signal("-CONT");
        if taken_over {
            // Awake, it renews or completes the job it lost: refused, and counted.
            loop {
                let fenced = worker.counter("import_queue_fenced_total");
                if fenced > 0 {
                    return fenced;
                }
                assert!(
                    started.elapsed() < PATIENCE,
                    "the stale worker's write was never refused"
                );
                tokio::time::sleep(POLL).await; // polling, not synchronising
            }
        }
        // It held nothing (between two jobs): let it go on, and try again a moment later.
        tokio::time::sleep(POLL).await;
    }
}
