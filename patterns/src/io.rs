//! Files and promises a worker makes to others: contained paths, atomic outputs, a durable
//! journal, idempotent intake: `IO-n`.

pub mod atomic_write;
pub mod contained_path;
pub mod idempotent_intake;
pub mod journal;
