//! `cargo grade`: parse the arguments, run the command, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use grader::app::{self, Outcome};
use grader::cli::Cli;

fn main() -> ExitCode {
    // Before any child starts: SIGTERM/SIGINT/SIGHUP/SIGQUIT then end every child the grader
    // started.
    grader::process::install_signal_handlers();
    let cli = Cli::parse();
    let json = cli.wants_json();
    match app::run(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::NotYet) => ExitCode::from(1),
        Err(err) => {
            app::print_error(&err, json);
            ExitCode::from(2)
        }
    }
}
