//! Shared state between threads and tasks: `STATE-n`.

pub mod short_critical_sections;
