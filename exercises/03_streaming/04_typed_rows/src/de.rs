//! A serde `Deserializer` over one record: the machinery behind [`Rows`](crate::Rows).
//!
//! GIVEN in step 3.4, complete: read it to see how serde meets a new format; no step asks you
//! to change it.
//!
//! A derived `Deserialize` for a struct asks its deserializer for a *map* from field names to
//! values. This module presents a record as that map: the keys are the header's names, the
//! values the record's fields. Each value is text, parsed into the type the struct asks for
//! (`u64`, `bool`, `Option<_>`, a `String`...). You do not need to write code like this to use
//! serde, only to teach serde a new format.
//!
//! Errors carry the index of the column they happened in, so that `Rows` can name the column
//! and point at the field. `missing_field` and `unknown_field` are kept apart from other
//! errors because they are about the header, not the row.

use std::cell::Cell;
use std::fmt;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, Visitor};
use serde::forward_to_deserialize_any;

use crate::record::RecordBuf;
use crate::typed::Header;

/// Why a record could not become a row value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeError {
    /// What went wrong.
    pub(crate) kind: DeErrorKind,
    /// The 0-based column it went wrong in, when there is one.
    pub(crate) column: Option<usize>,
}

/// What went wrong, in the three cases `Rows` reports differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DeErrorKind {
    /// The row type has a field the header has no column for.
    MissingColumn(&'static str),
    /// The header has a column the row type does not accept (`#[serde(deny_unknown_fields)]`).
    UnknownColumn,
    /// A value does not parse, or the row type refused it; the text says why.
    Invalid(String),
}

impl DeError {
    /// The same error, in `column` unless it already knows its column.
    fn in_column(mut self, column: usize) -> DeError {
        self.column.get_or_insert(column);
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            DeErrorKind::MissingColumn(name) => write!(f, "missing column {name:?}"),
            DeErrorKind::UnknownColumn => f.write_str("unknown column"),
            DeErrorKind::Invalid(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for DeError {}

// serde builds its errors through this trait: `custom` for any message (a failed parse, a
// `TryFrom` that said no), and two dedicated constructors for the header problems.
impl de::Error for DeError {
    fn custom<T: fmt::Display>(message: T) -> DeError {
        DeError {
            kind: DeErrorKind::Invalid(message.to_string()),
            column: None,
        }
    }

    fn missing_field(field: &'static str) -> DeError {
        DeError {
            kind: DeErrorKind::MissingColumn(field),
            column: None,
        }
    }

    fn unknown_field(_field: &str, _expected: &'static [&'static str]) -> DeError {
        DeError {
            kind: DeErrorKind::UnknownColumn,
            column: None,
        }
    }
}

/// Deserializes `record` as a `T`, taking the field names from `header`.
///
/// The caller has checked that the record has as many fields as the header has columns.
pub(crate) fn from_record<'a, T>(header: &'a Header, record: &'a RecordBuf) -> Result<T, DeError>
where
    T: de::Deserialize<'a>,
{
    T::deserialize(RecordDeserializer { header, record })
}

/// The whole record, seen as a map from column names to values.
struct RecordDeserializer<'a> {
    header: &'a Header,
    record: &'a RecordBuf,
}

impl<'de> de::Deserializer<'de> for RecordDeserializer<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let last_key = Cell::new(None);
        let columns = Columns {
            header: self.header,
            record: self.record,
            next: 0,
            last_key: &last_key,
        };
        visitor
            .visit_map(columns)
            .map_err(|error| match (&error.kind, last_key.get()) {
                // A row type that reads its keys as plain strings refuses an unknown one after
                // the key was read, so the error has no column yet: it is the last key's.
                (DeErrorKind::UnknownColumn, Some(column)) => error.in_column(column),
                _ => error,
            })
    }

    // Structs, maps and everything else are read as the map above.
    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

/// Walks the columns: a key (the header's name), then its value (the record's field).
struct Columns<'a, 'k> {
    header: &'a Header,
    record: &'a RecordBuf,
    /// The column whose key comes next.
    next: usize,
    /// The column of the last key handed out, to place errors raised after it.
    last_key: &'k Cell<Option<usize>>,
}

impl<'de> de::MapAccess<'de> for Columns<'de, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some(name) = self.header.name(self.next) else {
            return Ok(None);
        };
        // Unnamed columns at the end of the header (Excel's trailing comma) are not keys: the
        // row type never sees them. Their fields must be empty, or a value would be lost.
        // Only an empty name can be one of them, so `named_len` (which walks the header's
        // names) is asked only then: asking it for every record was 1% of the typed bench.
        if name.is_empty() && self.next >= self.header.named_len() {
            for column in self.next..self.header.len() {
                if !self.record.field(column).unwrap_or_default().is_empty() {
                    return Err(DeError {
                        kind: DeErrorKind::Invalid(
                            "a value in a column without a name (give the column a name in the header)"
                                .to_string(),
                        ),
                        column: Some(column),
                    });
                }
            }
            return Ok(None);
        }
        self.last_key.set(Some(self.next));
        let key = BorrowedStrDeserializer::<DeError>::new(name);
        seed.deserialize(key)
            .map(Some)
            .map_err(|error| error.in_column(self.next))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let column = self.next;
        self.next += 1;
        let text = self.record.field(column).unwrap_or_default();
        seed.deserialize(Value(text))
            .map_err(|error| error.in_column(column))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.header.len().saturating_sub(self.next))
    }
}

/// One field's text, parsed into whatever type the row asks for.
struct Value<'a>(&'a str);

impl Value<'_> {
    /// Parses the text with `FromStr`, saying what was expected when it fails.
    fn parse<T>(&self, expected: &str) -> Result<T, DeError>
    where
        T: std::str::FromStr,
        T::Err: fmt::Display,
    {
        // The value itself is not in the message: `Rows` shows it, escaped and shortened, for
        // every bad value (`ParseError::with_value`), not only for the ones parsed here.
        self.0
            .parse()
            .map_err(|cause| de::Error::custom(format_args!("{expected} ({cause})")))
    }
}

/// `deserialize_<type>` methods that parse the text and call `visit_<type>`.
macro_rules! parse_value {
    ($($method:ident => $visit:ident as $ty:ty, $expected:literal;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            visitor.$visit(self.parse::<$ty>($expected)?)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Value<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // Borrowed: a `&'de str` field in the row type can point into the record.
        visitor.visit_borrowed_str(self.0)
    }

    parse_value! {
        deserialize_bool => visit_bool as bool, "expected true or false";
        deserialize_i8 => visit_i8 as i8, "expected a whole number";
        deserialize_i16 => visit_i16 as i16, "expected a whole number";
        deserialize_i32 => visit_i32 as i32, "expected a whole number";
        deserialize_i64 => visit_i64 as i64, "expected a whole number";
        deserialize_i128 => visit_i128 as i128, "expected a whole number";
        deserialize_u8 => visit_u8 as u8, "expected a whole number";
        deserialize_u16 => visit_u16 as u16, "expected a whole number";
        deserialize_u32 => visit_u32 as u32, "expected a whole number";
        deserialize_u64 => visit_u64 as u64, "expected a whole number";
        deserialize_u128 => visit_u128 as u128, "expected a whole number";
        deserialize_f32 => visit_f32 as f32, "expected a number";
        deserialize_f64 => visit_f64 as f64, "expected a number";
        deserialize_char => visit_char as char, "expected one character";
    }

    /// An empty field is `None`; anything else is `Some`, parsed as the inner type.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.0.is_empty() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    /// A field naming a variant of a unit-only enum, such as `paid` for `Status::Paid`.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_enum(BorrowedStrDeserializer::new(self.0))
    }

    forward_to_deserialize_any! {
        str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

// Probes: how a row type takes its columns, asked once, when the header is read.
//
// A derived `Deserialize` for a struct knows its field names and which ones it can do without,
// but only tells a deserializer while deserializing. So the header check deserializes the row
// type from tiny inputs built to make it say: the list of its fields, and for one column,
// whether it is an `Option`, refused (`deny_unknown_fields`) or ignored. Rejected: asking the
// caller to list the required columns by hand, which drifts from the struct the day someone
// adds a field.

/// The field names of row type `T`, or `None` when `T` is not a plain struct (a map, or a
/// struct with `#[serde(flatten)]`, which takes any column): then only rows can tell.
pub(crate) fn struct_fields<T: de::DeserializeOwned>() -> Option<&'static [&'static str]> {
    let mut fields = None;
    // The probe always ends in an error: the fields are what it came for.
    let _ = T::deserialize(FieldsProbe {
        fields: &mut fields,
    });
    fields
}

/// How a row type takes a column it is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Takes {
    /// A field that is not an `Option`: the header must have it. (A field with
    /// `#[serde(default)]` counts as required too: serde does not tell a deserializer about
    /// defaults. Make such a field an `Option` to let its column be left out.)
    Required,
    /// An `Option` field: its column may be left out.
    Optional,
    /// Not a field, and the type has `#[serde(deny_unknown_fields)]`.
    Refused,
    /// Not a field; the type ignores it.
    Ignored,
}

/// Offers `T` a single column `name`, and reports how it took it.
pub(crate) fn probe_column<T: de::DeserializeOwned>(name: &str) -> Takes {
    let asked = Cell::new(Takes::Ignored);
    let probe = OneColumn {
        name: Some(name),
        asked: &asked,
    };
    match T::deserialize(probe) {
        Err(DeError {
            kind: DeErrorKind::UnknownColumn,
            ..
        }) => Takes::Refused,
        _ => asked.get(),
    }
}

/// A deserializer that records the field names a struct asks for, and gives nothing.
struct FieldsProbe<'a> {
    fields: &'a mut Option<&'static [&'static str]>,
}

fn probe_done() -> DeError {
    de::Error::custom("probe")
}

impl<'de> de::Deserializer<'de> for FieldsProbe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, DeError> {
        Err(probe_done())
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, DeError> {
        *self.fields = Some(fields);
        Err(probe_done())
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum
        identifier ignored_any
    }
}

/// A map of one column whose value records what type the row asks for, and gives nothing.
struct OneColumn<'a> {
    /// The column's name, until it has been handed out as the key.
    name: Option<&'a str>,
    asked: &'a Cell<Takes>,
}

impl<'de> de::Deserializer<'de> for OneColumn<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_map(self)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

impl<'de> de::MapAccess<'de> for OneColumn<'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.name.take() {
            Some(name) => seed
                .deserialize(BorrowedStrDeserializer::<DeError>::new(name))
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        seed.deserialize(ProbeValue { asked: self.asked })
    }
}

/// A value that notes whether it was asked for as an `Option`, ignored, or anything else.
struct ProbeValue<'a> {
    asked: &'a Cell<Takes>,
}

impl<'de> de::Deserializer<'de> for ProbeValue<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, DeError> {
        self.asked.set(Takes::Required);
        Err(probe_done())
    }

    fn deserialize_option<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, DeError> {
        self.asked.set(Takes::Optional);
        Err(probe_done())
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.asked.set(Takes::Ignored);
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
    }
}
