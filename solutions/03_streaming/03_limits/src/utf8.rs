//! A byte-at-a-time UTF-8 check that says *where* the first bad byte is.
//!
//! GIVEN in step 3.2, complete: the rules are a table to copy, not a lesson; the lesson is
//! what the reader does with the answer.
//!
//! `std::str::from_utf8` says whether a slice is UTF-8 and how far it is valid, but a
//! streaming reader never holds the whole input, and the record it does hold has lost its
//! quotes and delimiters, so an offset into it is not a place in the file. So the reader checks
//! each run of text in a field with `std::str::from_utf8`, which is fast, while it still knows
//! where the run is, and reports a broken character there. Where a character is only cut in
//! two (by the end of a read, or by a delimiter), this check takes over: it sees the input's
//! bytes one at a time, as `Parser::step` does, and remembers where the character started.
//!
//! The rules are those of RFC 3629 (the table in `Utf8Check::check`): no overlong forms, no
//! UTF-16 surrogates, nothing above U+10FFFF. `RecordBuf::finish` still converts with
//! `String::from_utf8`, so the standard library stays the final judge.

use crate::Position;

/// The state between two bytes: how many continuation bytes the current character still needs,
/// and the range the next one must be in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Utf8Check {
    needed: u8,
    lower: u8,
    upper: u8,
    /// Where the current character started.
    start: Position,
}

impl Default for Utf8Check {
    fn default() -> Utf8Check {
        Utf8Check {
            needed: 0,
            lower: 0x80,
            upper: 0xBF,
            start: Position::START,
        }
    }
}

impl Utf8Check {
    /// Checks the byte at `here`. On a bad byte, returns where the broken character starts and
    /// starts over, so one bad byte is one error.
    pub(crate) fn check(&mut self, byte: u8, here: Position) -> Result<(), Position> {
        if self.needed > 0 {
            if (self.lower..=self.upper).contains(&byte) {
                self.needed -= 1;
                self.lower = 0x80;
                self.upper = 0xBF;
                return Ok(());
            }
            // The character was cut short. Report where it started; `byte` itself may begin
            // a good character, so it is checked again from a clean state (its error, if any,
            // is a later one and not reported).
            let start = self.start;
            *self = Utf8Check::default();
            let _ = self.check(byte, here);
            return Err(start);
        }
        // The first byte decides the length and the range of the second byte.
        let (needed, lower, upper) = match byte {
            0x00..=0x7F => return Ok(()),
            0xC2..=0xDF => (1, 0x80, 0xBF),
            0xE0 => (2, 0xA0, 0xBF), // no overlong three-byte forms
            0xE1..=0xEC | 0xEE..=0xEF => (2, 0x80, 0xBF),
            0xED => (2, 0x80, 0x9F), // no surrogates (U+D800..U+DFFF)
            0xF0 => (3, 0x90, 0xBF), // no overlong four-byte forms
            0xF1..=0xF3 => (3, 0x80, 0xBF),
            0xF4 => (3, 0x80, 0x8F), // nothing above U+10FFFF
            // 0x80..=0xC1 (a continuation byte on its own, or an overlong two-byte form) and
            // 0xF5..=0xFF never start a character.
            _ => return Err(here),
        };
        *self = Utf8Check {
            needed,
            lower,
            upper,
            start: here,
        };
        Ok(())
    }

    /// `true` between characters: an ASCII byte now would be valid.
    pub(crate) fn is_clear(&self) -> bool {
        self.needed == 0
    }

    /// At the end of the input: a character still waiting for bytes is an error.
    pub(crate) fn finish(&mut self) -> Result<(), Position> {
        let state = std::mem::take(self);
        if state.needed > 0 {
            Err(state.start)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The offset of the first error `Utf8Check` finds in `bytes`, if any.
    fn first_error(bytes: &[u8]) -> Option<usize> {
        let mut check = Utf8Check::default();
        let mut here = Position::START;
        for &byte in bytes {
            if let Err(at) = check.check(byte, here) {
                return Some(at.byte);
            }
            here.skip_byte();
        }
        check.finish().err().map(|at| at.byte)
    }

    #[test]
    fn agrees_with_the_standard_library() {
        let samples: &[&[u8]] = &[
            b"plain ascii",
            "Zoë, 東京, 🦀".as_bytes(),
            b"Zo\xE9",
            b"\xC3",
            b"\xC3(",
            b"\xE2\x82",
            b"\xE2\x82\xAC",
            b"\xC0\xAF",
            b"\xE0\x80\xAF",
            b"\xED\xA0\x80",
            b"\xF0\x8F\xBF\xBF",
            b"\xF4\x90\x80\x80",
            b"\xF5",
            b"\xFF",
            b"\x80",
            b"ok\xF0\x9F\xA6\x80ok",
            b"a\xF0\x9F\xA6",
        ];
        for bytes in samples {
            let expected = std::str::from_utf8(bytes).err().map(|e| e.valid_up_to());
            assert_eq!(first_error(bytes), expected, "for {bytes:?}");
        }
    }
}
