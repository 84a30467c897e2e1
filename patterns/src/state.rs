//! Shared state between threads and tasks: `STATE-n`.

pub mod actor;
pub mod short_critical_sections;
