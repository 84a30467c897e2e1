//! Files a worker reads and writes for other people: `IO-n`.

pub mod contained_path;
