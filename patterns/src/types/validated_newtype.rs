//! # TYPE-1: Validated newtypes (parse, don't validate)
//!
//! ## Use when
//! A value has rules (an email address, an amount, an identifier, a product code) and more
//! than one function relies on them.
//!
//! ## Why
//! Check once, at the boundary, and keep the proof in the type. A newtype with a *private*
//! field can only be made by its constructor, `TryFrom<&str>`, which checks the rules and says
//! what is wrong in words a customer understands. Every later function takes the newtype, so
//! none re-checks and none can forget to. Route `Deserialize` through the same check with
//! `#[serde(try_from = "String")]`: a derived `Deserialize` on the inner field would be a
//! second way in that skips it. Read access (`as_str`, `Display`) is fine; `&mut` access or a
//! `pub` field is not.
//!
//! ## Avoid
//! A `pub` field: anyone can build an invalid value without the check. Keep it private and
//! the compiler refuses:
//!
//! ```compile_fail,E0423
//! use patterns::types::validated_newtype::Sku;
//!
//! let sku = Sku(String::from("not a sku")); // the field is private
//! ```
//!
//! Also avoid validating in a separate function (`fn is_valid_sku(&str) -> bool`) and passing
//! `String`s around: nothing records that the check ran (the test
//! `a_plain_string_carries_no_proof` shows the gap).
//!
//! ## Steps
//! - `03_streaming/05_newtypes`

use std::fmt;

use serde::Deserialize;

/// A product code: three capital letters, a dash, four digits (`ABC-1234`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct Sku(String);

/// Why a text is not a [`Sku`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "not a product code (expected three capital letters, a dash and four digits, like ABC-1234)"
)]
pub struct InvalidSku;

impl Sku {
    /// The code, as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn check(text: &str) -> Result<(), InvalidSku> {
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 8
            && bytes.iter().enumerate().all(|(i, b)| match i {
                0..=2 => b.is_ascii_uppercase(),
                3 => *b == b'-',
                _ => b.is_ascii_digit(),
            });
        if shape_ok { Ok(()) } else { Err(InvalidSku) }
    }
}

impl TryFrom<&str> for Sku {
    type Error = InvalidSku;

    fn try_from(text: &str) -> Result<Sku, InvalidSku> {
        Sku::check(text)?;
        Ok(Sku(text.to_string()))
    }
}

/// The one serde uses: checks and keeps the `String` without copying it.
impl TryFrom<String> for Sku {
    type Error = InvalidSku;

    fn try_from(text: String) -> Result<Sku, InvalidSku> {
        Sku::check(&text)?;
        Ok(Sku(text))
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use serde::de::IntoDeserializer;
    use serde::de::value::Error as DeError;

    use super::*;

    #[test]
    fn only_valid_codes_become_skus() {
        assert_eq!(Sku::try_from("ABC-1234").unwrap().as_str(), "ABC-1234");
        for bad in [
            "",
            "abc-1234",
            "ABC1234",
            "ABC-123",
            "ABC-12345",
            "ÄBC-1234",
        ] {
            assert_eq!(Sku::try_from(bad), Err(InvalidSku), "{bad:?}");
        }
    }

    #[test]
    fn deserializing_goes_through_the_same_check() {
        let good = Sku::deserialize("ABC-1234".to_string().into_deserializer());
        assert_eq!(
            good.map(|sku| sku.to_string()),
            Ok::<_, DeError>("ABC-1234".into())
        );
        let bad: Result<Sku, DeError> = Sku::deserialize("abc".to_string().into_deserializer());
        assert!(
            bad.unwrap_err()
                .to_string()
                .starts_with("not a product code")
        );
    }

    #[test]
    fn a_plain_string_carries_no_proof() {
        fn is_valid_sku(text: &str) -> bool {
            Sku::check(text).is_ok()
        }
        // Nothing stops a caller from skipping the check: the type is the same either way.
        fn reorder(sku: &str) -> String {
            format!("reorder {sku}")
        }
        let checked = "ABC-1234";
        let unchecked = "whatever";
        assert!(is_valid_sku(checked));
        assert_eq!(reorder(unchecked), "reorder whatever");
    }
}
