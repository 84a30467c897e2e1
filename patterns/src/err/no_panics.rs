//! # ERR-4: Return errors, never panic on input
//!
//! ## Use when
//! Code reads input it does not control: uploads, requests, messages, files. Every way the input
//! can be wrong must come back as a value (`Option`, `Result`), because a panic ends the job
//! without a report, or the whole process with `panic = "abort"`.
//!
//! ## Why
//! Each panicking operation has a twin that returns a value: `get(i)` for `[i]`, `get(a..b)`
//! for `&text[a..b]` (which also panics inside a multi-byte character), `?` for `.unwrap()`,
//! `checked_add` or a wider type for `+`. The lints below make clippy list every panic path,
//! even the ones that are safe today, so none hides in a change tomorrow; a property test
//! feeds random input to find the ones no lint sees, such as an overflow in `.sum()`.
//!
//! ```toml
//! # step.toml of a course step, or `[lints.clippy]` in a crate that reads untrusted input
//! lints = ["clippy::unwrap_used", "clippy::expect_used", "clippy::indexing_slicing",
//!          "clippy::string_slice", "clippy::panic"]
//! ```
//!
//! ## Avoid
//! `&text[..n]` to shorten a text: it panics when byte `n` falls inside a character, which
//! ASCII test data never shows (`clippy::string_slice` flags it; the test
//! `slicing_bytes_panics_inside_a_character` shows the panic). Also avoid `.sum()` and `+` on
//! amounts from the input: they panic in debug builds and wrap around silently in release
//! builds (`a_plain_sum_would_overflow` below).
//!
//! ## Steps
//! - `02_errors/05_no_panics`

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::string_slice,
        clippy::panic
    )
)]

/// The field at `index` of a row, or `None` when the row is shorter. Never `fields[index]`.
pub fn field<'a>(fields: &[&'a str], index: usize) -> Option<&'a str> {
    fields.get(index).copied()
}

/// At most `max_chars` characters from the start of `text`, cut on a character boundary.
pub fn shorten(text: &str, max_chars: usize) -> &str {
    // `char_indices` yields only char boundaries, so `get` always succeeds; `unwrap_or(text)`
    // is the honest answer for "no cut needed" too.
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => text.get(..end).unwrap_or(text),
        None => text,
    }
}

/// The sum of `amounts`, or `None` when it does not fit in an `i64`.
pub fn total(amounts: &[i64]) -> Option<i64> {
    // In `i128` the sum of fewer than 2^63 `i64`s cannot overflow, and the intermediate sums
    // may leave the `i64` range as long as the total comes back into it.
    let sum = amounts
        .iter()
        .try_fold(0_i128, |sum, &amount| sum.checked_add(i128::from(amount)))?;
    i64::try_from(sum).ok()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_short_row_has_no_field_instead_of_a_panic() {
        assert_eq!(field(&["1", "ann"], 1), Some("ann"));
        assert_eq!(field(&["1"], 2), None);
    }

    #[test]
    fn slicing_bytes_panics_inside_a_character() {
        let text = "xé";
        let cut = std::panic::catch_unwind(|| text[..2].len());
        assert!(cut.is_err(), "byte 2 is inside the `é`");
        assert_eq!(shorten(text, 1), "x");
        assert_eq!(shorten(text, 2), "xé");
        assert_eq!(shorten("", 3), "");
    }

    #[test]
    fn a_plain_sum_would_overflow() {
        let amounts = [i64::MAX, 1];
        assert_eq!(amounts[0].checked_add(amounts[1]), None);
        assert_eq!(total(&amounts), None);
        assert_eq!(total(&[i64::MAX, 1, -1]), Some(i64::MAX));
        assert_eq!(total(&[]), Some(0));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn shorten_never_panics(text in any::<String>(), max_chars in 0usize..20) {
            let short = shorten(&text, max_chars);
            prop_assert!(text.starts_with(short));
            prop_assert!(short.chars().count() <= max_chars);
        }

        #[test]
        fn total_is_exact_when_it_fits(amounts in proptest::collection::vec(any::<i64>(), 0..6)) {
            let exact: i128 = amounts.iter().map(|&amount| i128::from(amount)).sum();
            prop_assert_eq!(total(&amounts), i64::try_from(exact).ok());
        }
    }
}
