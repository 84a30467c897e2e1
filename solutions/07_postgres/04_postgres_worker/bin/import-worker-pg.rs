//! The `import-worker-pg` binary: everything is in the library, so the tests can reach it.

fn main() -> std::process::ExitCode {
    postgres_worker_solution::app::main()
}
