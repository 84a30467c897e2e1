//! # ERR-1: A library error with a position
//!
//! ## Use when
//! A library turns input into data and must say what went wrong and where: a parser, a
//! validator, a config loader. The caller shows the error to a person, counts it, or branches
//! on it.
//!
//! ## Why
//! One struct holds the *where* ([`Position`]) and an enum holds the *what* ([`ErrorKind`]),
//! so every kind gets a position without repeating it, and callers `match` on the kind instead
//! of parsing text. `Display` is written for the person who fixes the file: where, then what;
//! lowercase and without a trailing period, so it reads well inside longer messages. The type
//! implements `std::error::Error` and keeps the underlying error as its `source()` rather than
//! flattening it into text, so `?`, `Box<dyn Error>` and `anyhow` all work with it.
//!
//! `ErrorKind` will grow (every new check of the input is a new kind), and it is deliberately
//! *not* `#[non_exhaustive]`. Its callers are in the same workspace, so when a kind is added,
//! each `match` on it stops compiling until someone decides what the new kind means there
//! (skip the row? stop the import?). `#[non_exhaustive]` is for a library published to callers
//! you cannot update: it lets you add a kind in a minor release, but every caller outside the
//! crate must then write a `_ =>` arm, which from then on handles each new kind silently. This
//! match compiles only because the enum is exhaustive:
//!
//! ```
//! use patterns::err::parse_error::ErrorKind;
//!
//! fn counts_against_the_budget(kind: &ErrorKind) -> bool {
//!     match kind {
//!         ErrorKind::StrayQuote => true,
//!         ErrorKind::InvalidNumber(_) => true,
//!         // no `_ =>` arm: a new kind is a compile error here, not a silent `true`
//!     }
//! }
//! # assert!(counts_against_the_budget(&ErrorKind::StrayQuote));
//! ```
//!
//! ## Avoid
//! `Result<T, String>`. Callers cannot match on a string, the position is buried in text, and a
//! `String` is not an `Error`, so it cannot even be another error's source:
//!
//! ```compile_fail,E0277
//! #[derive(Debug)]
//! struct ImportFailed {
//!     cause: String,
//! }
//!
//! impl std::fmt::Display for ImportFailed {
//!     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
//!         f.write_str("import failed")
//!     }
//! }
//!
//! impl std::error::Error for ImportFailed {
//!     fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
//!         Some(&self.cause) // `String` is not an `Error`
//!     }
//! }
//! ```
//!
//! Also avoid `map_err(|e| e.to_string())`: it compiles, and it throws the cause away.
//!
//! ## Steps
//! - `02_errors/01_parse_error`
//! - `02_errors/02_question_mark`
//! - `02_errors/04_thiserror_anyhow`

use std::error::Error;
use std::fmt;
use std::num::ParseIntError;

/// A place in the input. Line and column count from 1 (the column in characters, as an editor
/// shows it); the byte offset counts from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The character on the line, from 1.
    pub column: usize,
    /// The bytes before this place, from 0.
    pub byte: usize,
}

/// What is wrong. `thiserror` writes `Display` from the `#[error]` texts and `source()` from
/// the `#[source]` field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    /// A `"` inside a field that does not start with one.
    #[error("unexpected quote in an unquoted field")]
    StrayQuote,
    /// A field that should hold a whole number does not.
    #[error("not a whole number")]
    InvalidNumber(#[source] ParseIntError),
}

/// A row that could not be read: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Where the problem is.
    pub position: Position,
    /// What the problem is.
    pub kind: ErrorKind,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Position { line, column, .. } = self.position;
        write!(f, "line {line}, column {column}: {}", self.kind)
    }
}

// Written by hand because the cause of a `ParseError` is the cause of its kind (the
// `ParseIntError`), not the kind itself: making `kind` the source would print its message
// twice in a report that walks the chain ("...: not a whole number: not a whole number: ...").
impl Error for ParseError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.kind.source()
    }
}

/// Parses a whole number found at `position`, keeping the `ParseIntError` as the source.
pub fn parse_number(text: &str, position: Position) -> Result<u64, ParseError> {
    text.parse().map_err(|cause| ParseError {
        position,
        kind: ErrorKind::InvalidNumber(cause),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: Position = Position {
        line: 3,
        column: 12,
        byte: 40,
    };

    #[test]
    fn display_says_where_then_what() {
        let error = parse_number("12x", AT).unwrap_err();
        assert_eq!(error.to_string(), "line 3, column 12: not a whole number");
        assert_eq!(error.position, AT);
    }

    #[test]
    fn the_cause_is_kept_as_the_source() {
        let error = parse_number("12x", AT).unwrap_err();
        let source = error.source().expect("a number error has a cause");
        assert!(source.downcast_ref::<ParseIntError>().is_some());
        assert!(
            source.source().is_none(),
            "the chain is error -> cause, without the kind repeated in between"
        );
    }

    #[test]
    fn callers_can_match_on_the_kind() {
        let error = ParseError {
            position: AT,
            kind: ErrorKind::StrayQuote,
        };
        assert!(matches!(error.kind, ErrorKind::StrayQuote));
        assert!(error.source().is_none());
        let boxed: Box<dyn Error + Send + Sync> = Box::new(error);
        assert!(boxed.to_string().starts_with("line 3, column 12: "));
    }
}
