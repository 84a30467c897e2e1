//! The workspace's metadata for cargo-nextest, kept between checks while it still holds.
//!
//! nextest needs the workspace's packages and targets to find and run a package's test
//! binaries. Left alone, it asks cargo for them with every dependency resolved, on each run
//! (about 0.15 s with this course's eighty crates); `--no-deps` takes a third of that, and
//! keeping the answer takes nothing. Between two checks of a step, what cargo reads to make
//! the answer almost never changes, so the answer is kept in `target/grader/metadata/`, one
//! file per package checked, beside a key: what the answer was made from. A check whose key
//! differs asks cargo again.
//!
//! The key covers what can change the checked package's part of the answer: the course's
//! folder, the cargo program, the workspace's `Cargo.toml` and the package's, and the files
//! cargo discovers targets from (`src/lib.rs`, `src/main.rs`, `build.rs`, and the names in
//! `src/bin`, `tests`, `examples`, `benches`). Other packages' parts may be out of date; nextest
//! runs only the checked package's tests, so it does not read them.
//!
//! Rejected: a key over every package of the workspace, which costs a few hundred file
//! look-ups per check to guard parts of the answer that nextest never reads for this package.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cargo::Cargo;
use crate::fsutil;
use crate::process;

/// A file holding the workspace's metadata as `cargo metadata --no-deps` gives it, made for
/// `package` (or found still valid), to hand to nextest's `--cargo-metadata`. `None` when cargo
/// fails here or the file cannot be written: nextest then asks cargo itself.
pub fn for_package(cargo: &Cargo, package: &str) -> Option<PathBuf> {
    let dir = cargo.target_dir().join("grader").join("metadata");
    let json = dir.join(format!("{package}.json"));
    let key_file = dir.join(format!("{package}.key"));
    // The key names the package's manifest on its first line, so checking it reads a few file
    // times and folders, never the answer itself (175 KB of JSON for this course).
    if let Ok(key) = std::fs::read_to_string(&key_file)
        && let Some(manifest) = key
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("manifest "))
        && json.is_file()
        && layout_key(&cargo.root, Path::new(manifest)) == key
    {
        return Some(json);
    }

    let mut command = cargo.command();
    command.args([
        "metadata",
        "--format-version",
        "1",
        "--no-deps",
        "--offline",
    ]);
    // Not capped: the metadata is cargo's, not the learner's, and is needed whole.
    let output = process::output_uncapped(&mut command).ok()?;
    if !output.success() {
        return None;
    }
    let bytes = output.stdout.into_bytes();
    // The answer first, then its key: a reader that sees the new key sees the new answer. Each
    // write replaces its file whole, so two graders writing at once leave one answer, which
    // is the workspace's metadata either way.
    fsutil::write_atomic(&json, &bytes).ok()?;
    // Without a key the answer is still good for this check; the next one asks again.
    if let Some(manifest) = manifest_of(&String::from_utf8_lossy(&bytes), package) {
        let _ = fsutil::write_atomic(&key_file, layout_key(&cargo.root, &manifest).as_bytes());
    }
    Some(json)
}

/// The manifest of `package` in `metadata`; `None` when `metadata` is unreadable or does not
/// name the package.
fn manifest_of(metadata: &str, package: &str) -> Option<PathBuf> {
    let metadata: Value = serde_json::from_str(metadata).ok()?;
    package_entry(&metadata, package)?["manifest_path"]
        .as_str()
        .map(PathBuf::from)
}

/// The entry of `package` among `metadata`'s packages.
pub(crate) fn package_entry<'a>(metadata: &'a Value, package: &str) -> Option<&'a Value> {
    metadata["packages"]
        .as_array()?
        .iter()
        .find(|entry| entry["name"] == package)
}

/// What the metadata's part about the package of `manifest` is made from, as it is now on
/// disk; its first line names the manifest.
pub(crate) fn layout_key(root: &Path, manifest: &Path) -> String {
    let package_dir = manifest.parent().unwrap_or(manifest);
    let mut key = format!("manifest {}\n", manifest.display());
    // The folder, because the answer holds absolute paths: a course moved elsewhere keeps
    // its files' times but not its paths.
    let _ = writeln!(key, "root {}", root.display());
    let _ = writeln!(
        key,
        "cargo {}",
        std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
    );
    for file in [root.join("Cargo.toml"), manifest.to_path_buf()] {
        let _ = writeln!(key, "{} {}", file.display(), stamp(&file));
    }
    for file in ["build.rs", "src/lib.rs", "src/main.rs"] {
        let _ = writeln!(key, "{file} {}", package_dir.join(file).is_file());
    }
    for dir in ["src/bin", "tests", "examples", "benches"] {
        let _ = writeln!(key, "{dir}: {}", names_in(&package_dir.join(dir)).join(" "));
    }
    key
}

/// A file's length and modification time, or `missing`.
pub(crate) fn stamp(path: &Path) -> String {
    match std::fs::metadata(path) {
        Ok(meta) => {
            let modified = meta
                .modified()
                .ok()
                .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |since| since.as_nanos());
            format!("{} {modified}", meta.len())
        }
        Err(_) => "missing".to_string(),
    }
}

/// The sorted names in `dir`, a folder's name ending in `/` and, when cargo would take the
/// folder as a target of its own, `/main.rs`.
fn names_in(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if !path.is_dir() {
                name
            } else if path.join("main.rs").is_file() {
                format!("{name}/main.rs")
            } else {
                format!("{name}/")
            }
        })
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workspace of one package, `step`, with a library and one test file.
    fn workspace() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("Cargo.toml", "[workspace]\nmembers = [\"step\"]\n");
        write("step/Cargo.toml", "[package]\nname = \"step\"\n");
        write("step/src/lib.rs", "");
        write("step/tests/step.rs", "");
        dir
    }

    fn key_of(root: &Path) -> String {
        layout_key(root, &root.join("step/Cargo.toml"))
    }

    #[test]
    fn the_key_holds_while_only_source_files_change() {
        let dir = workspace();
        let root = dir.path();
        let before = key_of(root);
        // An edit of the learner's code, however the editor saves it.
        std::fs::write(root.join("step/src/lib.rs"), "pub fn f() {}").unwrap();
        std::fs::write(root.join("step/tests/step.rs"), "#[test] fn t() {}").unwrap();
        assert_eq!(key_of(root), before);
    }

    #[test]
    fn the_key_changes_with_a_new_target_or_an_edited_manifest() {
        let dir = workspace();
        let root = dir.path();
        let mut seen = vec![key_of(root)];
        let mut changed = |what: &str, change: &dyn Fn()| {
            change();
            let now = key_of(root);
            assert!(!seen.contains(&now), "{what} left the key as it was");
            seen.push(now);
        };
        changed("a new test file", &|| {
            std::fs::write(root.join("step/tests/more.rs"), "").unwrap()
        });
        changed("a binary", &|| {
            std::fs::write(root.join("step/src/main.rs"), "").unwrap()
        });
        changed("an example in a folder", &|| {
            std::fs::create_dir_all(root.join("step/examples/demo")).unwrap();
            std::fs::write(root.join("step/examples/demo/main.rs"), "").unwrap();
        });
        changed("the package's manifest", &|| {
            std::fs::write(
                root.join("step/Cargo.toml"),
                "[package]\nname = \"step\"\n[lib]\ntest = false\n",
            )
            .unwrap()
        });
        changed("the workspace's manifest", &|| {
            std::fs::write(
                root.join("Cargo.toml"),
                "[workspace]\nmembers = [\"step\", \"other\"]\n",
            )
            .unwrap()
        });
    }

    #[test]
    fn the_manifest_is_found_by_package_name() {
        let metadata = r#"{"packages": [{"name": "step", "manifest_path": "/c/step/Cargo.toml"}]}"#;
        assert_eq!(
            manifest_of(metadata, "step"),
            Some(PathBuf::from("/c/step/Cargo.toml"))
        );
        assert_eq!(manifest_of(metadata, "other"), None);
        assert_eq!(manifest_of("not json", "step"), None);
    }

    #[test]
    fn a_course_in_another_folder_has_another_key() {
        let (one, two) = (workspace(), workspace());
        let manifest = one.path().join("step/Cargo.toml");
        assert_ne!(
            layout_key(one.path(), &manifest),
            layout_key(two.path(), &manifest)
        );
    }
}
