extern crate newtypes_solution as bytes_not_strings;
#[path = "../../../../exercises/03_streaming/02_bytes_not_strings/tests/bytes_not_strings.rs"]
mod graded;
