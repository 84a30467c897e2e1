//! # OWN-3: An enum state machine
//!
//! ## Use when
//! What a byte (or event) means depends on what came before it: a `,` ends a CSV field, except
//! inside quotes. Name each situation as an enum variant and write every transition as one
//! `match` on the state and the input.
//!
//! ## Why
//! The enum lists every situation the code can be in, and `match` must handle all of them:
//! add a variant and the compiler points at every place that has to decide what it means.
//! The transitions sit in one function, readable as a table and testable one row at a time.
//!
//! ## Avoid
//! Flag soup: `in_quotes: bool` plus `after_quote: bool` has a combination that means nothing,
//! and nothing checks that each combination is handled. With an enum, a forgotten state does not
//! compile:
//!
//! ```compile_fail,E0004
//! enum State { FieldStart, Unquoted, Quoted, QuoteInQuoted }
//!
//! fn describe(state: State) -> &'static str {
//!     match state {
//!         State::FieldStart => "start",
//!         State::Unquoted => "plain",
//!         State::Quoted => "quoted",
//!         // `QuoteInQuoted` forgotten: non-exhaustive patterns
//!     }
//! }
//! ```
//!
//! Also avoid a `_ =>` arm over the states: it compiles, and silently swallows the next
//! variant someone adds (clippy's restriction lint `wildcard_enum_match_arm` catches it).
//!
//! ## Steps
//! - `01_borrowing/03_quoted_fields`
//! - `01_borrowing/04_record_iterator`

/// Where a CSV scanner is inside the current field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Nothing of the field read yet.
    FieldStart,
    /// Inside a field that did not start with a quote.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just read a `"` inside quotes: the closing quote, or the first half of `""`.
    QuoteInQuoted,
}

impl State {
    /// The state after reading `byte`, and whether `byte` ended the field.
    pub fn next(self, byte: u8) -> (State, bool) {
        // Every arm names its states; none says `_` for them. A new variant is then unhandled
        // and the match does not compile, instead of falling silently into a catch-all arm.
        match (self, byte) {
            (State::Quoted, b'"') => (State::QuoteInQuoted, false),
            // Inside quotes a `,` is data.
            (State::Quoted, _) => (State::Quoted, false),
            (State::FieldStart | State::Unquoted | State::QuoteInQuoted, b',') => {
                (State::FieldStart, true)
            }
            (State::FieldStart, b'"') => (State::Quoted, false),
            (State::QuoteInQuoted, b'"') => (State::Quoted, false),
            (State::FieldStart | State::Unquoted | State::QuoteInQuoted, _) => {
                (State::Unquoted, false)
            }
        }
    }
}

/// The number of fields in one CSV line, where a quoted field may contain commas.
pub fn count_fields(line: &str) -> usize {
    let mut state = State::FieldStart;
    let mut fields = 1;
    for &byte in line.as_bytes() {
        let (next, ended_field) = state.next(byte);
        if ended_field {
            fields += 1;
        }
        state = next;
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commas_inside_quotes_do_not_end_a_field() {
        assert_eq!(count_fields("\"Smith, Ada\",42"), 2);
        assert_eq!(count_fields("\"say \"\"hi, you\"\"\",x"), 2);
    }

    #[test]
    fn every_line_has_at_least_one_field() {
        assert_eq!(count_fields(""), 1);
        assert_eq!(count_fields(",,"), 3);
    }

    #[test]
    fn transitions_read_like_a_table() {
        assert_eq!(State::FieldStart.next(b'"'), (State::Quoted, false));
        assert_eq!(State::Quoted.next(b','), (State::Quoted, false));
        assert_eq!(State::QuoteInQuoted.next(b','), (State::FieldStart, true));
        assert_eq!(State::QuoteInQuoted.next(b'"'), (State::Quoted, false));
    }
}
