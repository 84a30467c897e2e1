//! Step 6.6: `import-worker check FILE`: what the parser thinks of a customer's file, without
//! importing it. For support: "is it the file or the worker?"

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use crate::rows::{OrderRows, Row};

/// How many bad rows the report lists; the count covers all of them.
pub const LISTED_REJECTS: usize = 20;

/// What `check` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// The report, in words.
    pub text: String,
    /// `true` when every row is good.
    pub clean: bool,
}

/// Reads the orders file at `path` and reports its rows.
///
/// # Errors
///
/// The `io::Error` when the file cannot be opened. A file that cannot be parsed is a report,
/// not an error.
pub fn check(path: &Path) -> std::io::Result<CheckReport> {
    let file = File::open(path)?;
    let mut text = String::new();
    let (mut rows, mut bad) = (0u64, 0u64);
    let reader = match OrderRows::new(BufReader::new(file)) {
        Ok(reader) => reader,
        Err(error) => {
            let _ = writeln!(text, "{}: cannot be read: {error}", path.display());
            return Ok(CheckReport { text, clean: false });
        }
    };
    for row in reader {
        match row {
            Ok(Row::Good(_)) => rows += 1,
            Ok(Row::Bad(reject)) => {
                rows += 1;
                bad += 1;
                if bad <= LISTED_REJECTS as u64 {
                    let field = reject.field.as_deref().unwrap_or("-");
                    let _ = writeln!(
                        text,
                        "line {}, column {}, {field} {:?}: {}",
                        reject.line, reject.column, reject.value, reject.reason
                    );
                }
            }
            Err(error) => {
                let _ = writeln!(text, "{}: stops here: {error}", path.display());
                return Ok(CheckReport { text, clean: false });
            }
        }
    }
    let _ = writeln!(text, "{}: {rows} rows, {bad} bad", path.display());
    Ok(CheckReport {
        text,
        clean: bad == 0,
    })
}
