//! # ERR-3: Row errors versus fatal errors
//!
//! ## Use when
//! A job processes many independent items (rows of an upload, lines of a log, messages of a
//! batch). One bad item should cost only itself, but some failures must stop the whole job:
//! the input cannot be read, or so many items are bad that the input is clearly wrong.
//!
//! ## Why
//! Two types for two outcomes. A [`RowError`] is data: it is collected into the result and
//! the loop goes on. A [`BatchError`] is the `Err` of the whole function. There is no
//! `From<RowError> for BatchError`, so `?` on a row error does not compile: stopping the job
//! for one row has to be written on purpose. A [`Budget`] rejects hopeless inputs: the count
//! is checked after every bad row (which also bounds the memory of the report), the share
//! only at the end, when it means something.
//!
//! ## Avoid
//! `?` on every error in the loop: the first bad row stops the whole upload. With separate
//! types the compiler catches it:
//!
//! ```compile_fail,E0277
//! use patterns::err::row_errors::{BatchError, RowError};
//!
//! fn check(line: &str) -> Result<i64, RowError> {
//!     line.parse().map_err(|_| RowError { line: 1, reason: "not a whole number" })
//! }
//!
//! fn import(lines: &[&str]) -> Result<Vec<i64>, BatchError> {
//!     let mut good = Vec::new();
//!     for line in lines {
//!         good.push(check(line)?); // no `From<RowError> for BatchError`
//!     }
//!     Ok(good)
//! }
//! ```
//!
//! Also avoid checking the share of bad rows after each row (one bad first row is 100%) and
//! computing it as `bad / rows * 100` in integers (always 0, and a division by zero for an
//! empty input); the tests below pin both down.
//!
//! ## Steps
//! - `02_errors/03_error_budget`
//! - `03_streaming/04_typed_rows`

use std::io;

/// One bad item: where it is and why. The job records it and goes on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct RowError {
    /// The 1-based line of the item.
    pub line: usize,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// What stops the whole job.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The input could not be read.
    #[error("could not read the input")]
    Io(#[from] io::Error),
    /// More items are bad than the budget allows.
    #[error("too many bad rows: {bad} of the {rows} rows read")]
    TooManyBadRows {
        /// Rows read before the job stopped.
        rows: usize,
        /// Bad rows among them.
        bad: usize,
    },
}

/// How many bad rows an input may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Stop as soon as there are more bad rows than this.
    pub max_bad_rows: usize,
    /// Reject the input when, at its end, more than this percentage of rows are bad.
    pub max_bad_percent: u8,
}

impl Budget {
    fn count_exceeded(&self, bad: usize) -> bool {
        bad > self.max_bad_rows
    }

    fn share_exceeded(&self, bad: usize, rows: usize) -> bool {
        // Cross-multiplied: exact, and no division by zero when `rows` is 0. A `u8` percentage
        // keeps `percent * rows` far from overflow for any row count that fits in memory.
        bad * 100 > usize::from(self.max_bad_percent) * rows
    }
}

/// The outcome of a job that finished: the good items, and the bad ones.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Amounts {
    /// One value per good row.
    pub good: Vec<i64>,
    /// One error per bad row.
    pub bad: Vec<RowError>,
}

/// Reads one whole number per line, for example from `reader.lines()`.
pub fn read_amounts(
    lines: impl IntoIterator<Item = io::Result<String>>,
    budget: &Budget,
) -> Result<Amounts, BatchError> {
    let mut out = Amounts::default();
    let mut rows = 0;
    for (index, line) in lines.into_iter().enumerate() {
        let line = line?; // fatal: `From<io::Error>` exists on purpose
        rows += 1;
        match line.trim().parse() {
            Ok(amount) => out.good.push(amount),
            Err(_) => {
                let reason = "not a whole number";
                out.bad.push(RowError {
                    line: index + 1,
                    reason,
                });
                if budget.count_exceeded(out.bad.len()) {
                    let bad = out.bad.len();
                    return Err(BatchError::TooManyBadRows { rows, bad });
                }
            }
        }
    }
    if budget.share_exceeded(out.bad.len(), rows) {
        let bad = out.bad.len();
        return Err(BatchError::TooManyBadRows { rows, bad });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LENIENT: Budget = Budget {
        max_bad_rows: 10,
        max_bad_percent: 50,
    };

    fn lines(text: &str) -> Vec<io::Result<String>> {
        text.lines().map(|line| Ok(line.to_string())).collect()
    }

    #[test]
    fn bad_rows_are_recorded_and_reading_goes_on() {
        let out = read_amounts(lines("1\nx\n3"), &LENIENT).unwrap();
        assert_eq!(out.good, [1, 3]);
        assert_eq!(out.bad[0].to_string(), "line 2: not a whole number");
    }

    #[test]
    fn a_read_error_stops_everything() {
        let broken = vec![Ok("1".to_string()), Err(io::Error::other("disk gone"))];
        let error = read_amounts(broken, &LENIENT).unwrap_err();
        assert!(matches!(error, BatchError::Io(_)));
    }

    #[test]
    fn the_count_stops_early_and_the_share_is_judged_at_the_end() {
        let strict = Budget {
            max_bad_rows: 1,
            max_bad_percent: 50,
        };
        let error = read_amounts(lines("x\ny\n1\n2\n3"), &strict).unwrap_err();
        assert!(matches!(
            error,
            BatchError::TooManyBadRows { rows: 2, bad: 2 }
        ));

        // One bad first row is 100% after one row, but only 25% of the whole input.
        assert!(read_amounts(lines("x\n1\n2\n3"), &LENIENT).is_ok());
        let error = read_amounts(lines("x\ny\nz\n1"), &LENIENT).unwrap_err();
        assert_eq!(error.to_string(), "too many bad rows: 3 of the 4 rows read");
        assert!(
            read_amounts(lines(""), &LENIENT).is_ok(),
            "no rows, no division"
        );
    }
}
