//! # PARSE-1: Stream records into a reused buffer
//!
//! ## Use when
//! You process an input that may be larger than memory, or arrives slowly (a file, a socket,
//! a decompressor), one record at a time.
//!
//! ## Why
//! Read from a `BufRead` and let the *caller* own the record buffer:
//! `read_record(&mut self, buf: &mut Vec<u8>) -> io::Result<bool>` clears `buf` and fills it
//! again. The allocation made for the longest record is reused for every later one, so the
//! steady state allocates nothing per record, and memory holds one record, never the input.
//! `fill_buf` lends the reader's own bytes; `consume(n)` takes exactly the `n` that belong to
//! this record, and a record that spans several reads is simply a loop around the two.
//! Test it with a reader that returns one byte per read: the result must not change.
//!
//! ## Avoid
//! Returning a new `String` per record (`BufRead::lines`): one allocation per record, and a
//! record cannot hold a quoted line break. And keeping the slice from `fill_buf` while you
//! `consume`: the buffer it points into is about to change, and the compiler refuses it:
//!
//! ```compile_fail,E0499
//! use std::io::BufRead;
//!
//! fn first_byte(mut input: impl BufRead) -> std::io::Result<Option<u8>> {
//!     let buf = input.fill_buf()?;
//!     input.consume(1); // `buf` still borrows `input`
//!     Ok(buf.first().copied())
//! }
//! ```
//!
//! ## Steps
//! - `03_streaming/01_buf_read`
//! - `03_streaming/02_bytes_not_strings`

use std::io::{self, BufRead};

/// Reads `\n`-terminated lines from any `BufRead` into a buffer the caller reuses.
#[derive(Debug)]
pub struct LineReader<R> {
    inner: R,
}

impl<R: BufRead> LineReader<R> {
    /// A reader over `inner`.
    pub fn new(inner: R) -> LineReader<R> {
        LineReader { inner }
    }

    /// Replaces `line` with the next line, without its `\n`. `Ok(false)` at the end.
    ///
    /// # Errors
    ///
    /// The underlying reader's errors, except `Interrupted`, which is retried.
    pub fn read_line(&mut self, line: &mut Vec<u8>) -> io::Result<bool> {
        line.clear(); // keeps the capacity: this is the reuse
        let mut read_any = false;
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(buf) => buf,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            if buf.is_empty() {
                return Ok(read_any); // the end: a last line without `\n` still counts
            }
            read_any = true;
            // Take bytes up to the line break, no further: the rest is the next line's.
            let (used, done) = match buf.iter().position(|&b| b == b'\n') {
                Some(end) => {
                    line.extend_from_slice(buf.get(..end).unwrap_or_default());
                    (end + 1, true)
                }
                None => {
                    line.extend_from_slice(buf);
                    (buf.len(), false)
                }
            };
            self.inner.consume(used);
            if done {
                return Ok(true);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `BufRead` that hands out one byte per `fill_buf`.
    struct OneByte<'a>(&'a [u8]);

    impl io::Read for OneByte<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.fill_buf()?.read(out)?;
            self.consume(n);
            Ok(n)
        }
    }

    impl BufRead for OneByte<'_> {
        fn fill_buf(&mut self) -> io::Result<&[u8]> {
            Ok(&self.0[..self.0.len().min(1)])
        }
        fn consume(&mut self, n: usize) {
            self.0 = &self.0[n..];
        }
    }

    fn all_lines(mut reader: LineReader<impl BufRead>) -> Vec<Vec<u8>> {
        let mut line = Vec::new();
        let mut lines = Vec::new();
        while reader.read_line(&mut line).unwrap() {
            lines.push(line.clone());
        }
        lines
    }

    #[test]
    fn tiny_reads_give_the_same_lines() {
        let input = b"first\n\nthird, longer\nlast";
        let whole = all_lines(LineReader::new(&input[..]));
        assert_eq!(whole, [&b"first"[..], b"", b"third, longer", b"last"]);
        assert_eq!(all_lines(LineReader::new(OneByte(input))), whole);
    }

    #[test]
    fn the_buffer_is_reused() {
        let input = "same length line\n".repeat(100);
        let mut reader = LineReader::new(input.as_bytes());
        let mut line = Vec::new();
        reader.read_line(&mut line).unwrap();
        let (address, capacity) = (line.as_ptr(), line.capacity());
        while reader.read_line(&mut line).unwrap() {
            assert_eq!((line.as_ptr(), line.capacity()), (address, capacity));
        }
    }

    #[test]
    fn only_one_line_is_taken_from_the_input() {
        let mut input: &[u8] = b"a\nb\n";
        let mut line = Vec::new();
        LineReader::new(&mut input).read_line(&mut line).unwrap();
        assert_eq!(
            input, b"b\n",
            "the rest stays in the input for the next call"
        );
    }
}
