//! Jobs per second and peak memory of the Part 5 pool, with retries and timeouts wired in,
//! beside the same workload through Python's `asyncio.Queue`.
//!
//! ```text
//! cargo bench -p status_actor_solution --bench jobs          # median of 3
//! cargo bench -p status_actor_solution --bench jobs -- 5     # median of 5
//! python3 solutions/05_async/07_status_actor/benches/python_asyncio.py 1000000 64 1024
//! ```
//!
//! The last line runs the Python peer alone (jobs, concurrency, queue capacity); the bench runs
//! it itself, round by round beside the Rust pool, and prints the ratios.
//!
//! Each measurement runs in a child process of its own (this program started again with
//! `BENCH_MODE` set), so each reports its own peak resident memory (`VmHWM`). The jobs are
//! no-ops, so the figures are the pool's own cost per job: queueing, dispatching, one task per
//! job, the timeout and the retry bookkeeping. Figures, not pass or fail.
//!
//! The producer that submits the jobs is a task on the runtime, as the server's HTTP handlers
//! are (step 6.6). Rejected: submitting from the future given to `block_on`. That future runs
//! on the calling thread, outside the runtime's workers, so on the multi-thread runtime every
//! job that frees a queue slot wakes that thread with a system call (`futex`): a third of the
//! time under `perf`, which measured the bench's thread handoffs rather than the pool.
//!
//! The pool streams its outcomes (`TaskPool::start_streaming`), as a worker that runs all day
//! does, and a task of its own counts them: so its peak memory should not grow with the number
//! of jobs. The bench prints the ratio of the peaks at 1,000,000 and at 100,000 jobs.

use std::env;
use std::error::Error;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use status_actor_solution::job::{Job, JobError};
use status_actor_solution::pool::{PoolConfig, TaskPool};
use status_actor_solution::retry::{Outcome, RetryPolicy};

type BenchResult<T> = Result<T, Box<dyn Error>>;

/// Jobs running at once, in Rust and in Python alike.
const CONCURRENCY: usize = 64;
/// Jobs waiting in the bounded queue, in Rust and in Python alike.
const QUEUE_CAPACITY: usize = 1024;
/// Outcomes waiting to be counted.
const OUTCOME_CAPACITY: usize = 1024;

/// One run: the jobs done, how long it took and the peak memory.
#[derive(Debug, Clone, Copy)]
struct Run {
    jobs: u64,
    seconds: f64,
    max_rss_kib: u64,
}

fn main() -> BenchResult<()> {
    if let Ok(mode) = env::var("BENCH_MODE") {
        let (jobs, runtime) = mode.split_once(':').unwrap_or((&mode, "multi"));
        let run = run_pool(jobs.parse()?, runtime == "current")?;
        println!(
            "jobs={} seconds={:.4} max_rss_kib={}",
            run.jobs, run.seconds, run.max_rss_kib
        );
        return Ok(());
    }
    // `cargo bench` passes `--bench`; a number after it is ours.
    let runs = env::args()
        .skip(1)
        .find_map(|arg| arg.parse::<u64>().ok())
        .unwrap_or(3)
        .max(1);
    println!(
        "no-op jobs, concurrency {CONCURRENCY}, queue capacity {QUEUE_CAPACITY}, \
         a 5 s timeout and up to 3 attempts per job; outcomes streamed and counted \
         (channel capacity {OUTCOME_CAPACITY})"
    );
    println!(
        "tokio multi-thread: {} worker threads; current-thread: the pool and the producer \
         on one thread, as Python's event loop",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!("each figure: the median of {runs} runs, each in a process of its own\n");

    let mut multi = Vec::new();
    let mut current = Vec::new();
    let mut python = Vec::new();
    let python_ok = python_asyncio(1_000).is_ok();
    for jobs in [100_000, 1_000_000] {
        // Round after round, each contender once per round, so that a machine that speeds up
        // or slows down during the bench moves every figure, not only the last one's.
        let (mut m, mut c, mut p) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..runs {
            m.push(child(jobs, "multi")?);
            c.push(child(jobs, "current")?);
            if python_ok {
                p.push(python_asyncio(jobs)?);
            }
        }
        print_row("Rust, multi-thread", jobs, median(m.clone()));
        print_row("Rust, current-thread", jobs, median(c.clone()));
        multi.push(median(m));
        current.push(median(c));
        if python_ok {
            let run = median(p);
            print_row("Python asyncio.Queue", jobs, run);
            python.push(run);
        } else {
            println!(
                "{:<22} {jobs:>9} jobs  skipped: python3 did not run",
                "Python asyncio.Queue"
            );
        }
    }

    println!();
    for (label, rust) in [("multi-thread", &multi), ("current-thread", &current)] {
        for (ours, theirs) in rust.iter().zip(&python) {
            println!(
                "Rust {label:<14} / Python at {:>9} jobs: {:>5.1}x the jobs per second",
                ours.jobs,
                per_second(*ours) / per_second(*theirs)
            );
        }
    }
    for (label, rust) in [("multi-thread", &multi), ("current-thread", &current)] {
        if let [small, large] = rust[..] {
            // Flat memory means about 1x: the pool keeps nothing per job once it is counted.
            println!(
                "Rust {label:<14} peak RSS at 1,000,000 jobs / at 100,000 jobs: {:.2}x \
                 ({:.2} MB / {:.2} MB)",
                large.max_rss_kib as f64 / small.max_rss_kib as f64,
                large.max_rss_kib as f64 / 1024.0,
                small.max_rss_kib as f64 / 1024.0
            );
        }
    }
    Ok(())
}

fn per_second(run: Run) -> f64 {
    run.jobs as f64 / run.seconds
}

fn print_row(label: &str, jobs: u64, run: Run) {
    println!(
        "{label:<22} {jobs:>9} jobs {:>11.0} jobs/s {:>8.2} MB peak RSS",
        per_second(run),
        run.max_rss_kib as f64 / 1024.0
    );
}

/// The run with the median time (of an even count, the slower of the middle two).
fn median(mut runs: Vec<Run>) -> Run {
    runs.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    runs[runs.len() / 2]
}

fn child(jobs: u64, runtime: &str) -> BenchResult<Run> {
    let output = Command::new(env::current_exe()?)
        .env("BENCH_MODE", format!("{jobs}:{runtime}"))
        .output()?;
    parse_run("the Rust pool", &output)
}

fn python_asyncio(jobs: u64) -> BenchResult<Run> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/python_asyncio.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(jobs.to_string())
        .arg(CONCURRENCY.to_string())
        .arg(QUEUE_CAPACITY.to_string())
        .output()?;
    parse_run("python3", &output)
}

fn parse_run(what: &str, output: &Output) -> BenchResult<Run> {
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("{what} failed: {stderr}").into());
    }
    let field = |name: &str| {
        text.split_whitespace()
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .ok_or_else(|| format!("{what} printed no {name}: {text}"))
    };
    Ok(Run {
        jobs: field("jobs")?.parse()?,
        seconds: field("seconds")?.parse()?,
        max_rss_kib: field("max_rss_kib")?.parse()?,
    })
}

/// Peak resident memory of this process so far, from Linux's `/proc/self/status`.
fn max_rss_kib() -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Pushes `jobs` no-op jobs through a streaming pool and counts their outcomes.
fn run_pool(jobs: u64, current_thread: bool) -> BenchResult<Run> {
    let runtime = if current_thread {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
    };
    let start = Instant::now();
    // A task, not `block_on`'s own future: see the top of this file.
    let work = runtime.spawn(async move {
        let config = PoolConfig {
            concurrency: CONCURRENCY,
            queue_capacity: QUEUE_CAPACITY,
            job_timeout: Duration::from_secs(5),
            retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(100),
                max_delay: Duration::from_secs(10),
            },
            jitter_seed: 42,
            shutdown_grace: Duration::from_secs(20),
        };
        let (pool, mut outcomes) =
            TaskPool::start_streaming(config, OUTCOME_CAPACITY, |_job: Job| async {
                Ok::<(), JobError>(())
            });
        // The outcomes are read in a task of their own, while this one submits: the channel
        // is bounded, and outcomes nobody reads would stop the pool.
        let counter = tokio::spawn(async move {
            let mut done = 0_u64;
            while let Some(outcome) = outcomes.recv().await {
                if matches!(outcome, Outcome::Done(_)) {
                    done += 1;
                }
            }
            done
        });
        for id in 0..jobs {
            // An empty payload: `String::new` does not allocate.
            pool.submit(Job::new(id, String::new()))
                .await
                .map_err(|err| format!("submit: {err:?}"))?;
        }
        // Every outcome was streamed: the report only says no job was left behind.
        let report = pool.close().await;
        let streamed = counter.await.map_err(|err| format!("counter: {err}"))?;
        Ok::<_, String>(streamed + report.done.len() as u64)
    });
    let done = runtime.block_on(work)??;
    if done != jobs {
        return Err(format!("{jobs} no-op jobs submitted, but {done} reported done").into());
    }
    Ok(Run {
        jobs: done,
        seconds: start.elapsed().as_secs_f64(),
        max_rss_kib: max_rss_kib(),
    })
}
