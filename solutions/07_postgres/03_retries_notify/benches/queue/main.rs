//! Jobs per second through the PostgreSQL job queue of Part 7, claim latency, claiming in
//! batches, enqueue speed and the table's size after many jobs.
//!
//! ```text
//! cargo bench -p retries_notify_solution --bench queue                  # 3 rounds, ~2.5 min
//! cargo bench -p retries_notify_solution --bench queue -- 5             # 5 rounds
//! cargo bench -p retries_notify_solution --bench queue -- 3 400 1000000 # rounds, jobs per run,
//!                                                                       # jobs for the size figure
//! ```
//!
//! The size figure defaults to 200,000 jobs, about 40 s here; a million takes about 3 minutes
//! more on this 2-core machine, so ask for it with the third number, as above.
//!
//! # What runs
//!
//! - The server: `DATABASE_URL` when it is set (the bench creates a database of its own there
//!   and drops it at the end). Otherwise a throwaway cluster, as the tests' harness starts one
//!   (`initdb` and `pg_ctl` into a temporary folder, a Unix socket and no TCP port, as the
//!   `postgres` user when run as root), stopped and deleted at the end, also when the bench
//!   fails. Unlike the tests' cluster, this one keeps `fsync` ON (and `synchronous_commit` on):
//!   every claim and every completion is a commit that waits for the disk, as it would in
//!   production, so the figures are honest about what a commit costs.
//! - The workers: this program started again as 1, 2 or 4 child *processes* (`BENCH_WORKER`
//!   set), each with one connection of its own, claiming and completing until the queue is
//!   empty. The jobs are enqueued before the workers start (a burn-down, as River's bench does).
//!   Time runs from the moment every worker is connected and told to go until the last one has
//!   reported.
//! - The jobs: no-op jobs (`{"n": 17}`), and 10 KB jobs whose payload carries a generated
//!   10 KB CSV upload (about 290 rows) that the job parses and validates with the Part 3
//!   reference parser (`newtypes_solution::import_orders`), not a stand-in.
//! - Claiming: the library's `claim` (one job per statement) beside `claim_batch` (below: up to
//!   ten jobs per statement). Each job is completed on its own with the library's `complete`,
//!   fenced by its attempt, in both; a third contender claims in batches and completes each
//!   batch in one statement with the library's `complete_batch` (fenced row by row).
//! - Claim latency: the time of each claim statement, measured in the workers; for
//!   `claim_batch`, of each statement (which claims up to ten jobs).
//! - Enqueue: the library's `enqueue`, 100 jobs per transaction, and one job per transaction.
//! - Size: `pg_total_relation_size('jobs')` after `SIZE_JOBS` no-op jobs went through the
//!   table, with and without `delete_finished`. A million jobs through the per-job path would
//!   take hours at this machine's commit cost, so this figure writes the same row versions with
//!   set-based statements, 10,000 jobs at a time (an INSERT, the claim UPDATE, the completion
//!   UPDATE), with a plain `VACUUM` every 100,000 jobs, as autovacuum would do on a busy table;
//!   one variant calls `delete_finished` after every 10,000.
//!
//! Each throughput figure is the median of the rounds; in every round each contender runs once,
//! in turn, so a machine that slows down during the bench moves every figure, not the last one's.
//! Figures, not pass or fail.
//!
//! # Compared with a published figure
//!
//! River (riverqueue.com/docs/benchmarks) works "about 46k jobs/sec" in its burn-down bench:
//! 1,000,000 no-op jobs inserted first, then worked by 2,000 goroutines in one process, on an
//! 8-core 2022 M2 MacBook Air with a local PostgreSQL. The setups differ in every way that
//! matters, so the ratio is a gauge, not a verdict:
//! - hardware: 8 fast cores and a laptop NVMe (where, on macOS, an fsync does not flush the
//!   drive's cache) against 2 virtual cores shared with other work and a virtual disk whose
//!   fsync takes about 6 ms here (`pg_test_fsync`: ~175 syncs/s);
//! - batching: River fetches many jobs per query, and its batch completer (the default)
//!   gathers completions for up to 250 ms and writes up to 5,000 of them in one UPDATE
//!   (`internal/jobcompleter/job_completer.go`), so one commit serves thousands of jobs; here
//!   every completion is a commit of its own, or (`complete_batch`) one per batch of at most
//!   ten, and claims are batched by at most ten;
//! - concurrency: 2,000 jobs in flight in one process against 1 to 4 processes with one job
//!   each in flight;
//! - the job: River's are no-ops; ours are no-ops and 10 KB parses.
//!
//! Our no-op figure is bound by the commit: about two per job (claim, complete) with one
//! worker, shared among workers by group commit as workers are added.

use std::env;
use std::error::Error;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use retries_notify_solution::enqueue::enqueue;
use retries_notify_solution::job::{JobKey, NewJob};
use retries_notify_solution::migrate::migrate;
use retries_notify_solution::retry::delete_finished;
use serde_json::json;
use tokio_postgres::{Client, Config};

use server::{Server, connect, conninfo};
use worker::{Kind, upload_csv, worker_process};

mod server;
mod worker;

type BenchResult<T> = Result<T, Box<dyn Error>>;

/// Jobs per transaction when enqueueing in batches.
const ENQUEUE_BATCH: usize = 100;
/// Jobs per `claim_batch` statement.
const CLAIM_BATCH: i64 = 10;
/// The size of the CSV upload a 10 KB job carries and parses.
const CSV_BYTES: usize = 10 * 1024;
/// Jobs per set-based step of the size figure, and how often `delete_finished` runs there.
const SIZE_CHUNK: u64 = 10_000;
/// How often the size figure vacuums, as autovacuum would.
const SIZE_VACUUM_EVERY: u64 = 100_000;

fn main() -> BenchResult<()> {
    if let Ok(spec) = env::var("BENCH_WORKER") {
        return worker_process(&spec);
    }
    // `cargo bench` passes `--bench`; the numbers after it are ours.
    let numbers: Vec<u64> = env::args()
        .skip(1)
        .filter_map(|arg| arg.replace('_', "").parse().ok())
        .collect();
    let rounds = numbers.first().copied().unwrap_or(3).max(1);
    let jobs = numbers.get(1).copied().unwrap_or(400).max(1);
    let size_jobs = numbers.get(2).copied().unwrap_or(200_000);

    // Dropped at the end of `main`, also when the bench fails: the cluster is stopped and its
    // folder deleted.
    let server = Server::find_or_start()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(bench(&server, rounds, jobs, size_jobs))
}

// --- the contenders -------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
struct Contender {
    kind: Kind,
    workers: usize,
    /// 1: the library's `claim`; more: `claim_batch` with this many jobs per statement.
    batch: i64,
    /// Each batch's completions in one statement (`complete_batch`) instead of one each.
    together: bool,
}

impl Contender {
    fn claim_name(self) -> String {
        match (self.batch, self.together) {
            (1, _) => "one at a time".to_string(),
            (batch, false) => format!("batch of {batch}"),
            (batch, true) => format!("batch of {batch}, completed together"),
        }
    }
}

/// One run of one contender.
#[derive(Debug, Clone, Copy)]
struct Run {
    jobs_per_second: f64,
    enqueue_per_second: f64,
    claim_p50_ms: f64,
    claim_p95_ms: f64,
}

// --- the parent: rounds, medians, the table --------------------------------------------------

async fn bench(server: &Server, rounds: u64, jobs: u64, size_jobs: u64) -> BenchResult<()> {
    let admin = connect(&server.config(&server.admin_db)).await?;
    let dbname = format!("course_queue_bench_{}", std::process::id());
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {dbname}"))
        .await?;
    admin
        .batch_execute(&format!("CREATE DATABASE {dbname}"))
        .await?;
    let outcome = bench_in(server, &dbname, rounds, jobs, size_jobs).await;
    // On a server of the caller's (`DATABASE_URL`) the bench's database must not stay behind;
    // a throwaway cluster is deleted whole anyway.
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {dbname} WITH (FORCE)"))
        .await?;
    outcome
}

async fn bench_in(
    server: &Server,
    dbname: &str,
    rounds: u64,
    jobs: u64,
    size_jobs: u64,
) -> BenchResult<()> {
    let config = server.config(dbname);
    let mut client = connect(&config).await?;
    migrate(&mut client).await?;
    let settings = client
        .query_one(
            "SELECT current_setting('server_version'), current_setting('fsync'),
                    current_setting('synchronous_commit')",
            &[],
        )
        .await?;
    println!(
        "PostgreSQL {} ({}), fsync={}, synchronous_commit={}; {} CPU cores",
        settings.try_get::<_, String>(0)?,
        server.describe(),
        settings.try_get::<_, String>(1)?,
        settings.try_get::<_, String>(2)?,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "{jobs} jobs per run, enqueued first; each figure: the median of {rounds} rounds, \
         contenders in turn\n"
    );

    let mut contenders = Vec::new();
    for kind in [Kind::Noop, Kind::Csv10k] {
        for workers in [1, 2, 4] {
            for (batch, together) in [(1, false), (CLAIM_BATCH, false), (CLAIM_BATCH, true)] {
                contenders.push(Contender {
                    kind,
                    workers,
                    batch,
                    together,
                });
            }
        }
    }
    let mut runs: Vec<Vec<Run>> = vec![Vec::new(); contenders.len()];
    let mut single_enqueues = Vec::new();
    for round in 1..=rounds {
        let started = Instant::now();
        for (contender, runs) in contenders.iter().zip(&mut runs) {
            runs.push(run_contender(&mut client, &config, *contender, jobs).await?);
        }
        // Enqueue with one job per transaction: one commit, so one disk flush, per job.
        let single = (jobs / 4).max(1);
        truncate(&client).await?;
        single_enqueues.push(enqueue_jobs(&mut client, Kind::Noop, single, 1).await?);
        eprintln!(
            "round {round}/{rounds} done in {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }

    println!(
        "{:<10} {:>7} {:<32} {:>9} {:>12} {:>12}",
        "job", "workers", "claim", "jobs/s", "claim p50", "claim p95"
    );
    for (contender, runs) in contenders.iter().zip(&runs) {
        println!(
            "{:<10} {:>7} {:<32} {:>9.0} {:>9.2} ms {:>9.2} ms",
            contender.kind.name(),
            contender.workers,
            contender.claim_name(),
            median(runs.iter().map(|run| run.jobs_per_second)),
            median(runs.iter().map(|run| run.claim_p50_ms)),
            median(runs.iter().map(|run| run.claim_p95_ms)),
        );
    }
    println!(
        "(claim p50/p95: the time of one claim statement in the workers; a batch statement \
         claims up to {CLAIM_BATCH} jobs)\n"
    );

    for kind in [Kind::Noop, Kind::Csv10k] {
        let enqueues = contenders
            .iter()
            .zip(&runs)
            .filter(|(contender, _)| contender.kind == kind)
            .flat_map(|(_, runs)| runs.iter().map(|run| run.enqueue_per_second));
        println!(
            "enqueue {:<10} {ENQUEUE_BATCH} jobs per transaction: {:>7.0} jobs/s",
            kind.name(),
            median(enqueues)
        );
    }
    println!(
        "enqueue {:<10}   1 job  per transaction: {:>7.0} jobs/s\n",
        Kind::Noop.name(),
        median(single_enqueues.into_iter())
    );
    let best_noop = contenders
        .iter()
        .zip(&runs)
        .filter(|(contender, _)| contender.kind == Kind::Noop)
        .map(|(_, runs)| median(runs.iter().map(|run| run.jobs_per_second)))
        .fold(0.0, f64::max);
    println!(
        "published: River works about 46,000 no-op jobs/s (riverqueue.com/docs/benchmarks: 8-core \
         M2 MacBook Air, 2,000 goroutines, completions batched by up to 5,000); our best no-op \
         figure here: {best_noop:.0} jobs/s. How the setups differ: the top of \
         benches/queue/main.rs\n"
    );

    if size_jobs > 0 {
        let started = Instant::now();
        for delete in [false, true] {
            let size = size_after(&client, size_jobs, delete).await?;
            println!(
                "table size after {size_jobs} no-op jobs, {:<36} {:>7.1} MB \
                 (table {:.1} MB, indexes {:.1} MB, {} rows left)",
                if delete {
                    "delete_finished every 10,000 jobs:"
                } else {
                    "every finished job kept:"
                },
                size.total_bytes as f64 / 1e6,
                size.heap_bytes as f64 / 1e6,
                size.index_bytes as f64 / 1e6,
                size.rows
            );
        }
        eprintln!("size figures took {:.0} s", started.elapsed().as_secs_f64());
    }
    Ok(())
}

async fn truncate(client: &Client) -> BenchResult<()> {
    client
        .batch_execute("TRUNCATE jobs RESTART IDENTITY")
        .await?;
    Ok(())
}

/// Enqueues `jobs` jobs, runs them with the contender's workers and checks every one is done.
async fn run_contender(
    client: &mut Client,
    config: &Config,
    contender: Contender,
    jobs: u64,
) -> BenchResult<Run> {
    truncate(client).await?;
    let enqueue_per_second = enqueue_jobs(client, contender.kind, jobs, ENQUEUE_BATCH).await?;
    // Every run starts from the same state: the enqueue's dirty pages written out, so no run
    // pays for the previous one's checkpoint.
    client.batch_execute("CHECKPOINT").await?;

    let (seconds, mut latencies, worked) = run_workers(config, contender)?;
    let done: i64 = client
        .query_one("SELECT count(*) FROM jobs WHERE state = 'done'", &[])
        .await?
        .try_get(0)?;
    if worked != jobs || u64::try_from(done)? != jobs {
        return Err(format!(
            "{contender:?}: {jobs} jobs enqueued, workers reported {worked}, {done} are done"
        )
        .into());
    }
    latencies.sort_unstable();
    Ok(Run {
        jobs_per_second: jobs as f64 / seconds,
        enqueue_per_second,
        claim_p50_ms: percentile(&latencies, 0.50) / 1000.0,
        claim_p95_ms: percentile(&latencies, 0.95) / 1000.0,
    })
}

/// Enqueues `jobs` jobs of `kind` with the library's `enqueue`, `per_transaction` jobs per
/// transaction, and answers the jobs enqueued per second.
async fn enqueue_jobs(
    client: &mut Client,
    kind: Kind,
    jobs: u64,
    per_transaction: usize,
) -> BenchResult<f64> {
    let csv = matches!(kind, Kind::Csv10k).then(|| upload_csv(CSV_BYTES));
    let started = Instant::now();
    let mut next = 0;
    while next < jobs {
        let transaction = client.transaction().await?;
        let end = (next + per_transaction as u64).min(jobs);
        for n in next..end {
            let payload = match &csv {
                Some(csv) => json!({"upload": n, "csv": csv}),
                None => json!({"n": n}),
            };
            let job = NewJob {
                key: JobKey::try_from(format!("job-{n}").as_str())?,
                kind: kind.name().to_string(),
                payload,
            };
            enqueue(&transaction, &job).await?;
        }
        transaction.commit().await?;
        next = end;
    }
    Ok(jobs as f64 / started.elapsed().as_secs_f64())
}

/// Starts the contender's worker processes, lets them go at once, and answers the seconds
/// until the last one reported, every claim's latency in microseconds and the jobs worked.
fn run_workers(config: &Config, contender: Contender) -> BenchResult<(f64, Vec<u64>, u64)> {
    let mut workers = Vec::new();
    for index in 0..contender.workers {
        workers.push(Worker::spawn(config, contender, index)?);
    }
    // Connected and ready, all of them, before the clock starts.
    for worker in &mut workers {
        let line = worker.read_line()?;
        if line.trim() != "ready" {
            return Err(format!("a worker said {line:?} instead of ready").into());
        }
    }
    let started = Instant::now();
    for worker in &mut workers {
        worker.stdin.write_all(b"go\n")?;
        worker.stdin.flush()?;
    }
    let mut reports = Vec::new();
    for worker in &mut workers {
        reports.push(worker.read_line()?);
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut latencies = Vec::new();
    let mut worked = 0;
    for (worker, report) in workers.iter_mut().zip(reports) {
        let status = worker.child.wait()?;
        if !status.success() {
            return Err(format!("a worker process failed ({status}): {report}").into());
        }
        let field = |name: &str| {
            report
                .split_whitespace()
                .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
                .ok_or_else(|| format!("a worker printed no {name}: {report}"))
        };
        worked += field("jobs")?.parse::<u64>()?;
        for latency in field("latencies_us")?.split(',').filter(|l| !l.is_empty()) {
            latencies.push(latency.parse()?);
        }
    }
    Ok((seconds, latencies, worked))
}

/// A worker process, seen from the parent.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Worker {
    fn spawn(config: &Config, contender: Contender, index: usize) -> BenchResult<Worker> {
        let mut child = Command::new(env::current_exe()?)
            .env(
                "BENCH_WORKER",
                format!(
                    "{}:{}:{}:{index}",
                    contender.kind.name(),
                    contender.batch,
                    u8::from(contender.together)
                ),
            )
            .env("BENCH_CONNINFO", conninfo(config))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take().ok_or("the worker has no stdin")?;
        let stdout = child.stdout.take().ok_or("the worker has no stdout")?;
        Ok(Worker {
            child,
            stdin,
            stdout: BufReader::new(stdout),
        })
    }

    fn read_line(&mut self) -> BenchResult<String> {
        let mut line = String::new();
        if self.stdout.read_line(&mut line)? == 0 {
            return Err("a worker process ended without a word (its error is above)".into());
        }
        Ok(line)
    }
}

/// The value at fraction `p` of sorted `values` (nearest rank); 0 for none.
fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[rank] as f64
}

/// The median (of an even count, the higher of the middle two).
fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

// --- the size figure ------------------------------------------------------------------------

struct Size {
    total_bytes: i64,
    heap_bytes: i64,
    index_bytes: i64,
    rows: i64,
}

/// Passes `jobs` no-op jobs through the table in set-based steps of [`SIZE_CHUNK`] jobs (the
/// same row versions the per-job path writes: an insert, the claim's update, the completion's
/// update), then measures it.
async fn size_after(client: &Client, jobs: u64, delete: bool) -> BenchResult<Size> {
    truncate(client).await?;
    client.batch_execute("VACUUM jobs").await?;
    let mut first = 1_u64;
    while first <= jobs {
        let last = (first + SIZE_CHUNK - 1).min(jobs);
        let (first_id, last_id) = (i64::try_from(first)?, i64::try_from(last)?);
        client
            .execute(
                "INSERT INTO jobs (job_key, kind, payload)
                 SELECT 'job-' || n, 'no-op', jsonb_build_object('n', n)
                   FROM generate_series($1::bigint, $2::bigint) AS n",
                &[&first_id, &last_id],
            )
            .await?;
        // The ids are the job numbers: the table was truncated with RESTART IDENTITY.
        client
            .execute(
                "UPDATE jobs
                    SET state = 'running', attempt = attempt + 1, worker = 'bench',
                        lease_until = now() + interval '10 minutes'
                  WHERE id BETWEEN $1 AND $2",
                &[&first_id, &last_id],
            )
            .await?;
        client
            .execute(
                "UPDATE jobs
                    SET state = 'done', result = '{}', lease_until = NULL, finished_at = now()
                  WHERE id BETWEEN $1 AND $2",
                &[&first_id, &last_id],
            )
            .await?;
        if delete {
            delete_finished(client, Duration::ZERO).await?;
        }
        if last.is_multiple_of(SIZE_VACUUM_EVERY) || last == jobs {
            client.batch_execute("VACUUM jobs").await?;
        }
        first = last + 1;
    }
    let row = client
        .query_one(
            "SELECT pg_total_relation_size('jobs'), pg_relation_size('jobs'),
                    pg_indexes_size('jobs'), (SELECT count(*) FROM jobs)",
            &[],
        )
        .await?;
    Ok(Size {
        total_bytes: row.try_get(0)?,
        heap_bytes: row.try_get(1)?,
        index_bytes: row.try_get(2)?,
        rows: row.try_get(3)?,
    })
}
