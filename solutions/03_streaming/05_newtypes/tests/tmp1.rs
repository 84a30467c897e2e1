extern crate newtypes_solution as buf_read;
#[path = "../../../../exercises/03_streaming/01_buf_read/tests/buf_read.rs"]
mod graded;
