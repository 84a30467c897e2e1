//! Step 6.6: the `import-worker` program: takes import jobs over HTTP, or checks one file.
//! The binary (`bin/`) only calls [`main`].
//!
//! ```text
//! import-worker serve --root /srv/uploads --out /srv/imports --journal /srv/imports/jobs.journal
//! import-worker check customer.csv
//! ```
//!
//! Logs go to stderr (`RUST_LOG=debug` for more); stdout says only where it listens, so a
//! script can read the port of `--listen 127.0.0.1:0`.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::{error, info};

use crate::check::check;
use crate::cli::{Cli, Command, ServeArgs, exit};
use crate::server::router;
use crate::service::{Config, Service};

/// Runs the program with the process's arguments, and returns its exit code.
pub fn main() -> ExitCode {
    // `parse` prints the error or the help and exits with 2 (or 0 for `--help`).
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal: a log file or a journald stream would get
        // escape codes in the middle of its fields.
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
            // Blocking work still stopping (it checks its token between rows) gets a moment;
            // the journal has every job it did not finish.
            runtime.shutdown_timeout(Duration::from_secs(5));
            ExitCode::from(code)
        }
    }
}

/// Serves until SIGTERM or SIGINT; returns the exit code.
async fn serve(args: ServeArgs) -> u8 {
    let grace = Duration::from_secs(args.shutdown_grace_secs);
    // Signals are heard before "listening on" is printed: a script that sends SIGTERM the
    // moment it reads that line gets a graceful stop, not the default action (an instant exit).
    let stop = CancellationToken::new();
    if let Err(error) = cancel_on_signal(stop.clone()) {
        eprintln!("error: cannot listen for signals: {error}");
        return exit::CANNOT_START;
    }
    let (service, listener) = match start(&args).await {
        Ok(started) => started,
        Err(error) => {
            // `{:#}` prints the whole chain: "cannot start: the journal ... is damaged at ...".
            eprintln!("error: {error:#}");
            return exit::CANNOT_START;
        }
    };
    let app = router(Arc::clone(&service));
    let server = axum::serve(listener, app).with_graceful_shutdown(stop.clone().cancelled_owned());
    if let Err(error) = server.await {
        error!(%error, "the HTTP server failed");
    }
    info!("stopping: no new jobs; running jobs get {grace:?}");
    // The pool has its own grace; this outer limit is for everything else (the journal's
    // last writes), so a stuck disk cannot keep a deploy waiting forever.
    match tokio::time::timeout(grace + Duration::from_secs(5), service.shutdown()).await {
        Ok(unfinished) => {
            info!(unfinished, "stopped; unfinished jobs run at the next start");
            exit::OK
        }
        Err(_) => {
            error!("the shutdown deadline passed");
            exit::DEADLINE
        }
    }
}

async fn start(args: &ServeArgs) -> anyhow::Result<(Arc<Service>, TcpListener)> {
    let config = Config {
        root: args.root.clone(),
        out_dir: args.out.clone(),
        journal: args.journal.clone(),
        concurrency: args.concurrency,
        max_pending: args.max_pending,
        job_timeout: Duration::from_secs(args.job_timeout_secs),
        shutdown_grace: Duration::from_secs(args.shutdown_grace_secs),
    };
    let service = Service::start(&config).await.context("cannot start")?;
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr().context("no local address")?;
    // Printed only once the journal is replayed and the port is bound: a script or a test that
    // reads this line can send jobs at once.
    println!("listening on {address}");
    Ok((Arc::new(service), listener))
}

/// Cancels `stop` at the first SIGTERM (what process managers send) or SIGINT (Ctrl-C).
///
/// The handlers are in place when this returns, not when a spawned task first runs: a SIGTERM
/// that came between the spawn and that first run would end the process with no shutdown.
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
