extern crate newtypes_solution as limits;
#[path = "../../../../exercises/03_streaming/03_limits/tests/limits.rs"]
mod graded;
