//! Does a header fit the row type? Checked once, when the header is read.
//!
//! GIVEN in step 3.4, complete. A file with the wrong columns is refused at its header,
//! whether or not rows follow (a header-only file with `name,phone` is not "0 orders, fine"),
//! and the error says what was expected, what was found and, when it can tell, why: the
//! mistakes below are the ones customers' files really have.

use serde::de::DeserializeOwned;

use crate::de::{self, Takes};
use crate::record::RecordBuf;
use crate::typed::Header;
use crate::{ErrorKind, ParseError, quote_value};

/// How many of the header's names an error quotes at most.
const FOUND_NAMES: usize = 12;

/// What is wrong with a header, found by [`check`].
#[derive(Debug)]
pub(crate) struct Mismatch {
    /// Every column the row type takes, in its order.
    expected: &'static [&'static str],
    /// Required columns the header lacks.
    missing: Vec<&'static str>,
    /// Header columns (by index) that the row type refuses.
    refused: Vec<usize>,
}

/// Checks that `header` has every column row type `T` requires and none it refuses.
///
/// Returns `None` when it fits, or when `T` is not a plain struct (then the rows tell).
pub(crate) fn check<T: DeserializeOwned>(header: &Header) -> Option<Mismatch> {
    let expected = de::struct_fields::<T>()?;
    let names: Vec<&str> = header.iter().take(header.named_len()).collect();
    let missing: Vec<&'static str> = expected
        .iter()
        .copied()
        .filter(|field| !names.contains(field))
        .filter(|field| de::probe_column::<T>(field) == Takes::Required)
        .collect();
    let refused: Vec<usize> = names
        .iter()
        .enumerate()
        .filter(|(_, name)| !expected.contains(name))
        .filter(|(_, name)| de::probe_column::<T>(name) == Takes::Refused)
        .map(|(index, _)| index)
        .collect();
    if missing.is_empty() && refused.is_empty() {
        return None;
    }
    Some(Mismatch {
        expected,
        missing,
        refused,
    })
}

impl Mismatch {
    /// The fatal error for this mismatch. `next` is the record after the header, if there is
    /// one: when it holds the expected columns, the "header" was a title line.
    pub(crate) fn to_error(&self, header: &Header, next: Option<&RecordBuf>) -> ParseError {
        let error = match (self.missing.first(), self.refused.first()) {
            // A missing column would go at the end of the header.
            (Some(name), _) => {
                let at = header.end();
                ParseError::new(at, header.len() + 1, ErrorKind::MissingColumn).with_column(*name)
            }
            (None, Some(&index)) => header.error_at(index, ErrorKind::UnknownColumn),
            // `check` returns a mismatch only when one of the two lists has an entry.
            (None, None) => header.error_at(0, ErrorKind::UnknownColumn),
        };
        // At most a dozen names: a header of a thousand columns would bury the cause.
        let mut found: Vec<String> = header.iter().take(FOUND_NAMES).map(quote_value).collect();
        if header.len() > FOUND_NAMES {
            found.push(format!("and {} more", header.len() - FOUND_NAMES));
        }
        let mut note = format!(
            "expected the columns {}; found {}",
            self.expected.join(", "),
            found.join(", ")
        );
        if let Some(cause) = self.likely_cause(header, next) {
            note.push_str("; likely cause: ");
            note.push_str(&cause);
        }
        error.with_note(note)
    }

    /// The most likely reason for the mismatch, in words a customer can act on.
    fn likely_cause(&self, header: &Header, next: Option<&RecordBuf>) -> Option<String> {
        let first = header.name(0).unwrap_or_default();
        if header.len() == 1 && first.to_ascii_lowercase().starts_with("sep=") {
            return Some(format!(
                "line {} is Excel's delimiter line; this import takes commas only: delete the \
                 line and save the file as CSV (comma delimited)",
                header.line()
            ));
        }
        // A title above the header: the next line has the columns the first one lacks.
        if let Some(next) = next.filter(|_| !self.missing.is_empty()) {
            let names: Vec<&str> = next.iter().collect();
            if self.missing.iter().all(|name| names.contains(name)) {
                return Some(format!(
                    "line {} looks like the header: delete the line(s) above it",
                    next.line()
                ));
            }
        }
        if header.len() == 1 {
            for delimiter in [';', '\t', '|'] {
                let parts: Vec<&str> = first.split(delimiter).map(str::trim).collect();
                if self.expected.iter().any(|name| parts.contains(name)) {
                    return Some(format!(
                        "the columns are separated by {:?}, not commas: save the file as CSV \
                         (comma delimited)",
                        delimiter.to_string()
                    ));
                }
            }
        }
        for &wanted in &self.missing {
            for name in header.iter() {
                if name.trim() == wanted {
                    return Some(format!(
                        "{} has spaces around it: write {wanted:?}",
                        quote_value(name)
                    ));
                }
                if name.trim().eq_ignore_ascii_case(wanted) {
                    return Some(format!(
                        "names are matched exactly, including case: write {wanted:?}, not {}",
                        quote_value(name)
                    ));
                }
            }
        }
        if self
            .refused
            .iter()
            .any(|&index| header.name(index) == Some(""))
        {
            return Some("a column has no name: name it or delete it".to_string());
        }
        if header.iter().all(|name| !self.expected.contains(&name)) {
            return Some(format!(
                "line {} should be the header, and has none of the expected columns: is this \
                 the right file?",
                header.line()
            ));
        }
        None
    }
}
