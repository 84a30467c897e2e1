//! Step 7.4 (given): Part 6's command line, with `--queue` to choose where jobs wait.

use std::net::SocketAddr;
use std::path::PathBuf;

/// The import worker, with its queue in a journal file or in PostgreSQL.
#[derive(Debug, clap::Parser)]
#[command(name = "import-worker-pg", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Take import jobs over HTTP until SIGTERM or SIGINT.
    Serve(ServeArgs),
    /// Print what the parser thinks of an orders file, without importing it.
    Check {
        /// The file.
        file: PathBuf,
    },
}

/// Where jobs wait.
#[derive(Debug, Clone)]
pub enum QueueChoice {
    /// Part 6's journal file on this machine (`--journal`).
    Journal,
    /// The jobs table in PostgreSQL, shared by every worker process that names it.
    Postgres(Box<tokio_postgres::Config>),
}

/// Reads `--queue`: `journal`, or a `postgres://` URL.
///
/// # Errors
///
/// A sentence saying what to write instead.
pub fn parse_queue(text: &str) -> Result<QueueChoice, String> {
    if text == "journal" {
        return Ok(QueueChoice::Journal);
    }
    if !(text.starts_with("postgres://") || text.starts_with("postgresql://")) {
        return Err(
            "write `journal`, or a PostgreSQL URL such as postgres://worker@db.internal/imports"
                .to_string(),
        );
    }
    text.parse::<tokio_postgres::Config>()
        .map(|config| QueueChoice::Postgres(Box::new(config)))
        .map_err(|error| {
            format!(
                "not a PostgreSQL URL: {error} (for example postgres://worker@localhost/imports)"
            )
        })
}

/// `serve`'s options.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on. Loopback by default: put a proxy with TLS and authentication in
    /// front before listening anywhere else.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The folder uploads are stored in.
    #[arg(long)]
    pub root: PathBuf,
    /// The folder outputs are written to.
    #[arg(long)]
    pub out: PathBuf,
    /// Where jobs wait: `journal` (a file on this machine, `--journal`) or a PostgreSQL URL
    /// (`postgres://user@host/db`, shared by every worker that names it). Also read from
    /// `IMPORT_QUEUE`, so a password need not be on the command line.
    #[arg(long, env = "IMPORT_QUEUE", default_value = "journal", value_parser = parse_queue)]
    pub queue: QueueChoice,
    /// The journal file, with `--queue journal`.
    #[arg(long)]
    pub journal: Option<PathBuf>,
    /// This worker's name in the jobs table (default: `import-worker-<pid>`).
    #[arg(long)]
    pub worker_name: Option<String>,
    /// Seconds a claimed job is this worker's without a renewal; a killed worker's jobs wait
    /// this long before another worker takes them.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub lease_secs: u64,
    /// Seconds between looks at the table when no notification came.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub poll_secs: u64,
    /// Jobs running at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Jobs accepted and not finished, at most (the journal queue; the table has no cap).
    #[arg(long, default_value_t = 10_000)]
    pub max_pending: usize,
    /// Seconds one attempt at a job may run.
    #[arg(long, default_value_t = 300)]
    pub job_timeout_secs: u64,
    /// Seconds running jobs get to finish after SIGTERM.
    #[arg(long, default_value_t = 10)]
    pub shutdown_grace_secs: u64,
}

/// Exit codes, as Part 6's. 2 is clap's for a bad command line.
pub use step_6_6::cli::exit;
