//! Borrowing and ownership in parsers: `OWN-n`.

pub mod borrow_in_own_out;
pub mod borrowing_iterator;
pub mod cow_text;
pub mod state_machine;
