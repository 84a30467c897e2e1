//! # OWN-4: An iterator that borrows its input
//!
//! ## Use when
//! You hand out pieces of a text (records, lines, tokens) one at a time. Keep the unread rest
//! as a `&'a str` in a struct, cut one item off its front in `next`, and return items that
//! borrow from the input: `type Item = ...<'a>`.
//!
//! ## Why
//! Nothing is copied and only one item is in flight, however large the input; callers get
//! `for`, `filter`, `take` and `collect` for free, and can stop early. Because items borrow
//! from the input (`'a`) and not from the iterator, a caller may keep an item while asking for
//! the next one.
//!
//! ## Avoid
//! Parsing everything into a `Vec<Vec<String>>` first: it copies every field and holds the
//! whole upload in memory (no lint catches it; tests that check for `Cow::Borrowed` do).
//! And keeping borrowed items after the input is gone, which the compiler rejects; convert
//! them to owned data first (`to_string`, `into_owned`):
//!
//! ```compile_fail,E0597
//! use patterns::own::borrowing_iterator::numbered_lines;
//!
//! let first = {
//!     let upload = String::from("id,name\n1,Ada\n");
//!     numbered_lines(&upload).next() // borrows `upload`...
//! }; // ...which is dropped here
//! println!("{first:?}");
//! ```
//!
//! ## Steps
//! - `01_borrowing/04_record_iterator`

/// Returns an iterator over the non-blank lines of `text`, each with its 1-based line number.
pub fn numbered_lines(text: &str) -> NumberedLines<'_> {
    NumberedLines {
        rest: text,
        line: 0,
    }
}

/// The iterator returned by [`numbered_lines`].
#[derive(Debug, Clone)]
pub struct NumberedLines<'a> {
    /// The text not read yet.
    rest: &'a str,
    /// The number of the last line read.
    line: usize,
}

impl<'a> Iterator for NumberedLines<'a> {
    // `&'a str`, not `&str` tied to `&mut self`: the lines borrow from the text.
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        while !self.rest.is_empty() {
            let (line, rest) = self.rest.split_once('\n').unwrap_or((self.rest, ""));
            self.rest = rest;
            self.line += 1;
            let line = line.strip_suffix('\r').unwrap_or(line);
            if !line.is_empty() {
                return Some((self.line, line));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_and_blank_ones_skipped() {
        let lines: Vec<_> = numbered_lines("id\r\n\n1,Ada\n2,Bob").collect();
        assert_eq!(lines, [(1, "id"), (3, "1,Ada"), (4, "2,Bob")]);
    }

    #[test]
    fn items_can_be_kept_while_reading_on() {
        let text = String::from("a\nb\n");
        let mut lines = numbered_lines(&text);
        let first = lines.next();
        let second = lines.next();
        assert_eq!((first, second), (Some((1, "a")), Some((2, "b"))));
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn owned_copies_outlive_the_text() {
        let kept: Vec<String> = {
            let upload = String::from("x\ny\n");
            numbered_lines(&upload)
                .map(|(_, line)| line.to_string())
                .collect()
        };
        assert_eq!(kept, ["x", "y"]);
    }
}
