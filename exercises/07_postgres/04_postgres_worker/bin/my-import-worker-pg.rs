//! Your `import-worker-pg` binary (named `my-import-worker-pg`, so it never overwrites the
//! reference's in `target/`): everything is in the library, in `src/app.rs`.

fn main() -> std::process::ExitCode {
    postgres_worker::app::main()
}
