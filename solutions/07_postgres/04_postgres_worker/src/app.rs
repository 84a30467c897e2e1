//! Step 7.4 (given): the `import-worker-pg` program, Part 6's with a choice of queue.
//!
//! ```text
//! import-worker-pg serve --root /srv/uploads --out /srv/imports --journal /srv/imports/jobs.journal
//! import-worker-pg serve --root /srv/uploads --out /srv/imports --queue postgres://worker@db/imports
//! import-worker-pg check customer.csv
//! ```
//!
//! With the table, start as many processes as you like, on as many machines as share the
//! upload and output folders: they share the one queue.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use step_6_6::check::check;
use step_6_6::service::{Config as JournalConfig, Service};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::{error, info};
use worker::retry::RetryPolicy;

use crate::cli::{Cli, Command, QueueChoice, ServeArgs, exit};
use crate::queue::JobQueue;
use crate::runner::TableSettings;
use crate::server::router;
use crate::table::TableQueue;

/// Runs the program with the process's arguments, and returns its exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match cli.command {
        Command::Check { file } => match check(&file) {
            Ok(report) => {
                print!("{}", report.text);
                ExitCode::from(if report.clean {
                    exit::OK
                } else {
                    exit::BAD_FILE
                })
            }
            Err(error) => {
                eprintln!("error: cannot open {}: {error}", file.display());
                ExitCode::from(exit::CANNOT_START)
            }
        },
        Command::Serve(args) => {
            let runtime = match tokio::runtime::Runtime::new() {
                Ok(runtime) => runtime,
                Err(error) => {
                    eprintln!("error: cannot start the async runtime: {error}");
                    return ExitCode::from(exit::CANNOT_START);
                }
            };
            let code = runtime.block_on(serve(args));
            runtime.shutdown_timeout(Duration::from_secs(5));
            ExitCode::from(code)
        }
    }
}

/// Starts the queue `args` chooses, then serves until SIGTERM or SIGINT.
async fn serve(args: ServeArgs) -> u8 {
    let started = match args.queue.clone() {
        QueueChoice::Journal => match start_journal(&args).await {
            Ok(service) => serve_with(service, &args).await,
            Err(error) => Err(error),
        },
        QueueChoice::Postgres(database) => match start_table(&args, *database).await {
            Ok(queue) => serve_with(queue, &args).await,
            Err(error) => Err(error),
        },
    };
    started.unwrap_or_else(|error| {
        // `{:#}` prints the whole chain: "cannot start: cannot use the job queue's database".
        eprintln!("error: {error:#}");
        exit::CANNOT_START
    })
}

async fn start_journal(args: &ServeArgs) -> anyhow::Result<Service> {
    let Some(journal) = args.journal.clone() else {
        anyhow::bail!(
            "cannot start: the journal queue needs `--journal FILE` (or choose the table with \
             `--queue postgres://...`)"
        );
    };
    let config = JournalConfig {
        root: args.root.clone(),
        out_dir: args.out.clone(),
        journal,
        concurrency: args.concurrency,
        max_pending: args.max_pending,
        job_timeout: Duration::from_secs(args.job_timeout_secs),
        shutdown_grace: Duration::from_secs(args.shutdown_grace_secs),
    };
    Service::start(&config).await.context("cannot start")
}

async fn start_table(
    args: &ServeArgs,
    database: tokio_postgres::Config,
) -> anyhow::Result<TableQueue> {
    let settings = TableSettings {
        database,
        root: args.root.clone(),
        out_dir: args.out.clone(),
        worker: args
            .worker_name
            .clone()
            .unwrap_or_else(|| format!("import-worker-{}", std::process::id())),
        concurrency: args.concurrency,
        lease: Duration::from_secs(args.lease_secs),
        poll: Duration::from_secs(args.poll_secs),
        job_timeout: Duration::from_secs(args.job_timeout_secs),
        shutdown_grace: Duration::from_secs(args.shutdown_grace_secs),
        // Part 6's policy: three attempts, backoff from 200 ms up to 5 s.
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        },
        seed: u64::from(std::process::id()),
    };
    TableQueue::start(&settings).await.context("cannot start")
}

/// Serves `queue` over HTTP until a signal, then shuts it down; the exit code.
async fn serve_with<Q: JobQueue>(queue: Q, args: &ServeArgs) -> anyhow::Result<u8> {
    let queue = Arc::new(queue);
    let stop = CancellationToken::new();
    let ready = async {
        cancel_on_signal(stop.clone()).context("cannot listen for signals")?;
        let listener = TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let address = listener.local_addr().context("no local address")?;
        anyhow::Ok((listener, address))
    };
    let (listener, address) = match ready.await {
        Ok(ready) => ready,
        Err(error) => {
            // The queue has started already: hand its jobs back before giving up.
            queue.shutdown().await;
            return Err(error);
        }
    };
    // Printed only once the queue is ready, the port is bound and signals are heard: a script
    // or a test that reads this line can send jobs, or SIGTERM, at once.
    println!("listening on {address}");
    let grace = Duration::from_secs(args.shutdown_grace_secs);
    let server = axum::serve(listener, router(Arc::clone(&queue)))
        .with_graceful_shutdown(stop.clone().cancelled_owned());
    if let Err(error) = server.await {
        error!(%error, "the HTTP server failed");
    }
    info!("stopping: no new jobs; running jobs get {grace:?}");
    match tokio::time::timeout(grace + Duration::from_secs(5), queue.shutdown()).await {
        Ok(handed_back) => {
            info!(
                handed_back,
                "stopped; jobs not finished are back in the queue"
            );
            Ok(exit::OK)
        }
        Err(_) => {
            error!("the shutdown deadline passed");
            Ok(exit::DEADLINE)
        }
    }
}

/// Cancels `stop` at the first SIGTERM (what process managers send) or SIGINT (Ctrl-C).
///
/// The handlers are in place when this returns, not when a spawned task first runs: a SIGTERM
/// that comes right after "listening on" would otherwise end the process with no shutdown.
/// (Hence `signal(SignalKind::interrupt())` rather than `tokio::signal::ctrl_c()`, which only
/// listens once it is first polled.)
///
/// # Errors
///
/// The `io::Error` when a handler cannot be installed.
fn cancel_on_signal(stop: CancellationToken) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        tokio::spawn(async move {
            tokio::select! {
                _ = term.recv() => info!("SIGTERM"),
                _ = interrupt.recv() => info!("SIGINT"),
            }
            stop.cancel();
        });
    }
    #[cfg(not(unix))]
    {
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            stop.cancel();
        });
    }
    Ok(())
}
