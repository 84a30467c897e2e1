//! Shared state between threads and tasks: `STATE-n`.
