//! Limits that keep one hostile file from exhausting memory (pattern PARSE-2).

/// How large one field, one record and one row's field count may be.
///
/// A streaming reader holds one record at a time, so its memory is bounded by the largest
/// record it accepts. Without limits, that bound is the size of the upload: one unclosed quote
/// near the top turns the whole file into one field. With them, memory stays below about twice
/// `max_record_bytes` (the record, and the input kept while a quoted line break is in doubt)
/// plus `max_fields` small positions, whatever the customer sends.
///
/// A row over a limit is a row error: the reader reads on to the row's end without storing it,
/// so it costs time in proportion to its length, never memory. A row inside quotes ends, for
/// this purpose, at its next line break: the quote is then most likely the mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest field, in bytes after unquoting.
    pub max_field_bytes: usize,
    /// The longest record, in bytes of field text (quotes and commas not counted).
    pub max_record_bytes: usize,
    /// The most fields in one record.
    pub max_fields: usize,
}

impl Default for Limits {
    /// 64 KiB per field, 1 MiB per record, 1024 fields: generous for orders, customers or
    /// products (a long free-text note is a few KiB), and small enough that a thousand readers
    /// in one process use about a gigabyte at worst.
    fn default() -> Limits {
        Limits {
            max_field_bytes: 64 * 1024,
            max_record_bytes: 1024 * 1024,
            max_fields: 1024,
        }
    }
}
