//! Borrowing and ownership in parsers: `OWN-n`.
