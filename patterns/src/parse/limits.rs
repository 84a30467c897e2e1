//! # PARSE-2: Limits against hostile input
//!
//! ## Use when
//! Input you do not control decides how much you read into memory: a line, a field, a record,
//! a request body, a count of items.
//!
//! ## Why
//! Without a limit, the input chooses your memory use: one missing line break or unclosed
//! quote turns a 10 GB upload into one "line". A limit makes the bound yours. Check it
//! *before* storing the next byte (so the buffer never exceeds it) and stop storing at once, with
//! an error that names the limit and where the oversized piece starts. Whether reading may go
//! on depends on whether the end of the piece can be found without storing it: a CSV row over
//! the field limit ends at its next line break outside quotes, so the reference parser (step
//! 3.3) skips to it and reports one bad row; a line whose end never comes is fatal, as here.
//! `Read::take` does the bounding for whole reads. Keep the limits in one `Copy` struct with a `Default`
//! chosen for the data (and a comment saying why those numbers).
//!
//! ## Avoid
//! `read_line`, `read_until`, `read_to_end` or `lines()` on untrusted input without a
//! `take`: each grows its buffer to whatever the input holds. The test
//! `an_unbounded_read_line_holds_the_whole_line` shows a 4 MiB "line" landing in memory, where
//! [`read_line_limited`] stops after 1 KiB.
//!
//! ## Steps
//! - `03_streaming/03_limits`

use std::io::{self, BufRead, Read};

/// Why [`read_line_limited`] stopped.
#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    /// The line is longer than the limit. Reading should stop: the input is not what we accept.
    #[error("line {line} is longer than {limit} bytes")]
    TooLong {
        /// The 1-based line that is too long.
        line: usize,
        /// The limit, in bytes.
        limit: usize,
    },
    /// The input could not be read.
    #[error("could not read the input")]
    Io(#[from] io::Error),
}

/// Reads the next line (without its `\n`) into `line`, refusing lines over `limit` bytes.
///
/// `line_number` is only for the error message. Memory: `line` never holds more than
/// `limit + 1` bytes, and the input is read no further than that.
///
/// # Errors
///
/// [`LimitError::TooLong`] for a line over the limit, [`LimitError::Io`] when reading fails.
pub fn read_line_limited(
    input: &mut impl BufRead,
    line: &mut Vec<u8>,
    limit: usize,
    line_number: usize,
) -> Result<bool, LimitError> {
    line.clear();
    // One byte more than the limit, so "exactly at the limit" and "over it" look different.
    let most = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let read = input.by_ref().take(most).read_until(b'\n', line)?;
    if read == 0 {
        return Ok(false);
    }
    if line.last() == Some(&b'\n') {
        line.pop();
    }
    if line.len() > limit {
        return Err(LimitError::TooLong {
            line: line_number,
            limit,
        });
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_up_to_the_limit_are_read() {
        let mut input: &[u8] = b"1234\n12345\n";
        let mut line = Vec::new();
        assert!(read_line_limited(&mut input, &mut line, 5, 1).unwrap());
        assert_eq!(line, b"1234");
        assert!(read_line_limited(&mut input, &mut line, 5, 2).unwrap());
        assert_eq!(line, b"12345", "exactly at the limit is fine");
        assert!(!read_line_limited(&mut input, &mut line, 5, 3).unwrap());
    }

    #[test]
    fn a_huge_line_fails_fast_in_bounded_memory() {
        // 50 MiB without a line break, generated, never stored.
        let mut input = io::BufReader::new(io::repeat(b'x').take(50 << 20));
        let mut line = Vec::new();
        let error = read_line_limited(&mut input, &mut line, 1024, 7).unwrap_err();
        assert_eq!(error.to_string(), "line 7 is longer than 1024 bytes");
        assert!(line.capacity() <= 4096, "the buffer stayed small");
    }

    #[test]
    fn an_unbounded_read_line_holds_the_whole_line() {
        // The anti-pattern, measured: `read_until` without `take` stores everything.
        let mut input = io::BufReader::new(io::repeat(b'x').take(4 << 20));
        let mut line = Vec::new();
        input.read_until(b'\n', &mut line).unwrap();
        assert_eq!(line.len(), 4 << 20);
    }
}
