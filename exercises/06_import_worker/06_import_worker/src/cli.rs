//! Step 6.6: the command line, and the exit codes a process manager reads.

use std::net::SocketAddr;
use std::path::PathBuf;

/// The import worker.
#[derive(Debug, clap::Parser)]
#[command(name = "import-worker", version, about)]
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
    /// The journal file.
    #[arg(long)]
    pub journal: PathBuf,
    /// Jobs running at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Jobs accepted and not finished, at most.
    #[arg(long, default_value_t = 10_000)]
    pub max_pending: usize,
    /// Seconds one attempt at a job may run.
    #[arg(long, default_value_t = 300)]
    pub job_timeout_secs: u64,
    /// Seconds running jobs get to finish after SIGTERM.
    #[arg(long, default_value_t = 10)]
    pub shutdown_grace_secs: u64,
}

/// Exit codes. 2 is clap's for a bad command line.
pub mod exit {
    /// Served until told to stop, and stopped cleanly; or `check` found no bad row.
    pub const OK: u8 = 0;
    /// `check` found bad rows, or a file it cannot read on.
    pub const BAD_FILE: u8 = 1;
    /// Could not start: a folder is missing, the journal is damaged, the address is taken.
    pub const CANNOT_START: u8 = 3;
    /// The shutdown deadline passed with work still running (it runs again at the next start).
    pub const DEADLINE: u8 = 4;
}
