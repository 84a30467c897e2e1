//! # ERR-2: anyhow with context at the application edge
//!
//! ## Use when
//! Code whose errors are *reported*, not branched on: a binary's `main`, a CLI command, a job
//! handler at the top of a worker. Below it sit libraries with typed errors
//! ([`ConfigError`] here, `ImportError` in the course); at the edge, each failure needs to
//! say which input it was about and what the program was doing.
//!
//! ## Why
//! `anyhow::Error` holds any `Error + Send + Sync + 'static`, so `?` works on every library's
//! error without a wrapper enum that nobody matches on. `.with_context(|| ...)` adds a sentence
//! (the path, the job) and keeps the original error as its source, so `{:#}` prints the
//! whole chain on one line (`loading the port from app.conf: port is not a number: invalid
//! digit found in string`), and `downcast_ref` still finds the typed error when the edge must
//! decide something, such as an exit code ([`exit_code`]). Libraries keep `thiserror` enums, so
//! their callers can `match` and the compiler lists every case.
//!
//! ## Avoid
//! `anyhow::Result` in a library's public API. The caller can no longer `match` on the
//! error: the compiler rejects the pattern, and all that is left is `downcast_ref` guesswork
//! or reading the message text.
//!
//! ```compile_fail,E0308
//! use patterns::err::anyhow_edge::ConfigError;
//!
//! // A library function that returns `anyhow::Result` instead of `Result<_, ConfigError>`.
//! fn parse_port(text: &str) -> anyhow::Result<u16> {
//!     Ok(patterns::err::anyhow_edge::parse_port(text)?)
//! }
//!
//! match parse_port("port=http") {
//!     Ok(port) => println!("{port}"),
//!     Err(ConfigError::MissingPort) => println!("use the default"), // expected `anyhow::Error`
//!     Err(error) => println!("{error:#}"),
//! }
//! ```
//!
//! Also avoid `.unwrap()` at the edge (`clippy::unwrap_used`): the panic message has no path
//! and no chain, and it ends the process instead of reporting. And avoid adding the same
//! context twice (the path in every layer): each message appears once in the chain.
//!
//! ## Steps
//! - `02_errors/04_thiserror_anyhow`

use std::fs;
use std::num::ParseIntError;
use std::path::Path;

use anyhow::Context;

/// The library side: a typed error its callers can branch on.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// No `port=` line.
    #[error("no port= line")]
    MissingPort,
    /// The value of `port=` is not a port number. The cause is the source, not in the message.
    #[error("port is not a number")]
    BadPort(#[source] ParseIntError),
}

/// The library: finds `port=<number>` in a config text.
///
/// # Errors
///
/// [`ConfigError::MissingPort`] without a `port=` line, [`ConfigError::BadPort`] when its value
/// is not a number from 0 to 65535.
pub fn parse_port(text: &str) -> Result<u16, ConfigError> {
    let value = text
        .lines()
        .find_map(|line| line.strip_prefix("port="))
        .ok_or(ConfigError::MissingPort)?;
    value.trim().parse().map_err(ConfigError::BadPort)
}

/// The application edge: reads the config at `path` and returns its port.
///
/// # Errors
///
/// When the file cannot be read or holds no valid port. The error names the path once, and
/// keeps the `io::Error` or [`ConfigError`] underneath.
pub fn load_port(path: &Path) -> anyhow::Result<u16> {
    read_port(path).with_context(|| format!("loading the port from {}", path.display()))
}

fn read_port(path: &Path) -> anyhow::Result<u16> {
    let text = fs::read_to_string(path).context("could not read the file")?;
    // `ConfigError` already says what is wrong; `?` alone converts it into `anyhow::Error`.
    Ok(parse_port(&text)?)
}

/// Where the edge must decide something, it downcasts to the library's type: exit code 2
/// when the user must fix the config, 1 for anything else (a missing file, a disk error).
pub fn exit_code(error: &anyhow::Error) -> u8 {
    match error.downcast_ref::<ConfigError>() {
        Some(ConfigError::MissingPort | ConfigError::BadPort(_)) => 2,
        None => 1,
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::path::PathBuf;

    use super::*;

    /// A config file in the temporary directory, unique to this test process and `name`.
    struct TempConfig(PathBuf);

    impl TempConfig {
        fn new(name: &str, text: &str) -> TempConfig {
            let path = std::env::temp_dir().join(format!("err2-{}-{name}", std::process::id()));
            fs::write(&path, text).unwrap();
            TempConfig(path)
        }
    }

    impl Drop for TempConfig {
        fn drop(&mut self) {
            let _ = fs::remove_file(&self.0);
        }
    }

    #[test]
    fn the_library_error_can_be_matched() {
        assert_eq!(parse_port("name=x\nport=8080\n").unwrap(), 8080);
        assert!(matches!(
            parse_port("name=x"),
            Err(ConfigError::MissingPort)
        ));
        assert!(matches!(
            parse_port("port=70000"),
            Err(ConfigError::BadPort(_))
        ));
    }

    #[test]
    fn a_missing_file_names_the_path_and_keeps_the_io_error() {
        let path = std::env::temp_dir().join(format!("err2-{}-missing", std::process::id()));
        let error = load_port(&path).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("loading the port from {}", path.display())
        );
        assert!(format!("{error:#}").contains(": could not read the file: "));
        let cause = error.downcast_ref::<io::Error>().unwrap();
        assert_eq!(cause.kind(), io::ErrorKind::NotFound);
        assert_eq!(exit_code(&error), 1);
    }

    #[test]
    fn a_bad_config_reads_as_one_line_and_stays_typed() {
        let config = TempConfig::new("bad", "port=http\n");
        let error = load_port(&config.0).unwrap_err();
        assert_eq!(
            format!("{error:#}"),
            format!(
                "loading the port from {}: port is not a number: invalid digit found in string",
                config.0.display()
            ),
            "the path once, then each cause once"
        );
        assert!(matches!(
            error.downcast_ref::<ConfigError>(),
            Some(ConfigError::BadPort(_))
        ));
        assert_eq!(exit_code(&error), 2);
    }

    #[test]
    fn a_good_config_loads() {
        let config = TempConfig::new("good", "port=8080\n");
        assert_eq!(load_port(&config.0).unwrap(), 8080);
    }
}
