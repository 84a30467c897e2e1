//! Files a worker reads and writes for other people: `IO-n`.

pub mod atomic_write;
pub mod contained_path;
pub mod journal;
