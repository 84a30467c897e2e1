//! The `import-worker` binary: everything is in the library, so the tests can reach it.

fn main() -> std::process::ExitCode {
    import_worker_solution::app::main()
}
