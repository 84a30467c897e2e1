//! The course grader: checks a learner's step with cargo, keeps their progress, and says what
//! to do next.
//!
//! The binary (`cargo grade`) is a thin shell around [`app::run`]. See ARCHITECTURE.md for the
//! map of the modules.

#![warn(clippy::unwrap_used, clippy::expect_used, missing_docs)]

pub mod app;
pub mod cargo;
pub mod carry;
pub mod check;
pub mod cli;
pub mod course;
pub mod error;
pub mod explain;
pub mod fsutil;
pub mod hints;
pub mod lesson;
pub mod manifest;
pub mod metadata;
pub mod outcome;
pub mod patterns;
pub mod pristine;
pub mod process;
pub mod progress;
pub mod rebuild;
pub mod render;
pub mod report;
pub mod restore;
pub mod session;
pub mod team_page;
pub mod testrun;
pub mod verify;
pub mod watch;

pub use error::{Error, Result};
