//! Your `import-worker` binary (named `my-import-worker`, so it never overwrites the
//! reference's in `target/`): everything is in the library, in `src/app.rs`.

fn main() -> std::process::ExitCode {
    import_worker::app::main()
}
