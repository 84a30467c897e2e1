//! The worker process: this bench program started again with `BENCH_WORKER` set. It claims
//! and completes jobs until the queue is empty, and reports what it did on its stdout.

use std::env;
use std::io::Write;
use std::time::{Duration, Instant};

use newtypes_solution::{ErrorBudget, import_orders};
use retries_notify_solution::claim::{ClaimedJob, claim, complete, complete_batch};
use retries_notify_solution::job::JobId;
use serde_json::{Value, json};
use tokio_postgres::{Client, Config};

use crate::BenchResult;
use crate::server::connect;

/// Long enough that no lease runs out during a run: every job is claimed once.
const LEASE: Duration = Duration::from_secs(600);

/// What a job does when it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A no-op job: the queue's own cost.
    Noop,
    /// A 10 KB CSV upload in the payload, parsed and validated by the job.
    Csv10k,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Noop => "no-op",
            Kind::Csv10k => "10 KB csv",
        }
    }

    fn from_name(name: &str) -> Option<Kind> {
        [Kind::Noop, Kind::Csv10k]
            .into_iter()
            .find(|kind| kind.name() == name)
    }
}

/// Runs as one worker: connect, say `ready`, wait for `go`, claim and complete until no job is
/// left, then print the jobs worked and every claim statement's latency.
pub fn worker_process(spec: &str) -> BenchResult<()> {
    let mut parts = spec.split(':');
    let kind = parts
        .next()
        .and_then(Kind::from_name)
        .ok_or_else(|| format!("BENCH_WORKER={spec}: no job kind"))?;
    let batch: i64 = parts.next().ok_or("BENCH_WORKER: no batch size")?.parse()?;
    let together = parts.next().ok_or("BENCH_WORKER: no completion mode")? == "1";
    let name = format!("bench-worker-{}", parts.next().unwrap_or("0"));
    let config: Config = env::var("BENCH_CONNINFO")?.parse()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let client = connect(&config).await?;
        println!("ready");
        std::io::stdout().flush()?;
        let mut go = String::new();
        std::io::stdin().read_line(&mut go)?;

        let mut latencies = Vec::new();
        let mut worked = 0_u64;
        loop {
            let started = Instant::now();
            let claimed = if batch == 1 {
                claim(&client, &name, LEASE).await?.into_iter().collect()
            } else {
                claim_batch(&client, &name, LEASE, batch).await?
            };
            if claimed.is_empty() {
                // The queue is empty: every job was enqueued before the workers started.
                break;
            }
            latencies.push(started.elapsed().as_micros().to_string());
            if together {
                let mut done = Vec::with_capacity(claimed.len());
                for job in claimed {
                    let result = work(kind, &job)?;
                    done.push((job, result));
                }
                let refused = complete_batch(&client, &done).await?;
                if !refused.is_empty() {
                    return Err(format!("completions refused: {refused:?}").into());
                }
                worked += done.len() as u64;
            } else {
                for job in claimed {
                    let result = work(kind, &job)?;
                    complete(&client, &job, &result).await?;
                    worked += 1;
                }
            }
        }
        println!("jobs={worked} latencies_us={}", latencies.join(","));
        Ok(())
    })
}

/// Claims up to `limit` due jobs for `worker` in one statement: the library's `claim` with
/// `LIMIT n` instead of `LIMIT 1`, and `IN` instead of `=`.
///
/// One statement (and one commit) for `limit` jobs instead of one each. The price: the jobs
/// wait in this worker while it runs the ones before them, with their leases running, and no
/// other worker may take them meanwhile, so a batch suits short jobs (a lease of minutes, jobs
/// of milliseconds), not long ones.
async fn claim_batch(
    client: &Client,
    worker: &str,
    lease: Duration,
    limit: i64,
) -> Result<Vec<ClaimedJob>, tokio_postgres::Error> {
    let rows = client
        .query(
            "UPDATE jobs
                SET state = 'running',
                    attempt = attempt + 1,
                    worker = $1,
                    lease_until = now() + make_interval(secs => $2)
              WHERE id IN (
                    SELECT id FROM jobs
                     WHERE (state = 'queued' AND run_at <= now())
                        OR (state = 'running' AND lease_until < now())
                     ORDER BY run_at, id
                     LIMIT $3
                       FOR UPDATE SKIP LOCKED)
          RETURNING id, job_key, kind, payload, attempt",
            &[&worker, &lease.as_secs_f64(), &limit],
        )
        .await?;
    rows.into_iter()
        .map(|row| {
            Ok(ClaimedJob {
                id: JobId(row.try_get("id")?),
                key: row.try_get("job_key")?,
                kind: row.try_get("kind")?,
                payload: row.try_get("payload")?,
                attempt: row.try_get("attempt")?,
            })
        })
        .collect()
}

/// Runs one job: nothing for a no-op, the Part 3 import of its CSV for a 10 KB job.
fn work(kind: Kind, job: &ClaimedJob) -> BenchResult<Value> {
    match kind {
        Kind::Noop => Ok(json!({})),
        Kind::Csv10k => {
            let csv = job.payload["csv"]
                .as_str()
                .ok_or_else(|| format!("job {} has no csv in its payload", job.key))?;
            let import = import_orders(csv.as_bytes(), &ErrorBudget::default())?;
            Ok(json!({
                "rows": import.report.rows,
                "bad_rows": import.report.bad_rows.len(),
                "total_cents": import.total_cents(),
            }))
        }
    }
}

/// A deterministic CSV upload of orders, just under `bytes` long: whole rows only.
pub fn upload_csv(bytes: usize) -> String {
    let mut csv = String::from("customer_id,email,amount_cents\n");
    for n in 1.. {
        let amount = (n * 7919) % 200_000 - 50_000;
        let row = format!("{n},customer{n}@example.com,{amount}\n");
        if csv.len() + row.len() > bytes {
            break;
        }
        csv.push_str(&row);
    }
    csv
}
