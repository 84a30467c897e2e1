//! The patterns catalog, read from `patterns/src`: every `.rs` file whose first line is a
//! heading `//! # ID: Title` is a pattern.
//!
//! Reading the source, rather than keeping a list in the grader, means a pattern exists in
//! exactly one place: the compiled, tested module a reviewer copies.

use std::path::{Path, PathBuf};

/// The sections every pattern's documentation has, in order.
pub const SECTIONS: [&str; 4] = ["## Use when", "## Why", "## Avoid", "## Steps"];

/// One pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// E.g. `ERR-2`.
    pub id: String,
    /// E.g. "anyhow with context at the application edge".
    pub title: String,
    /// The module file.
    pub path: PathBuf,
    /// The module documentation, without the `//!` markers.
    pub doc: String,
    /// The code after the documentation.
    pub code: String,
}

impl Pattern {
    /// The sections of [`SECTIONS`] that the documentation lacks.
    pub fn missing_sections(&self) -> Vec<&'static str> {
        SECTIONS
            .into_iter()
            .filter(|section| !self.doc.lines().any(|line| line.trim_end() == *section))
            .collect()
    }
}

/// Every pattern below `<root>/patterns/src`, sorted by family and number (`ERR-2` before
/// `ERR-10`).
pub fn catalog(root: &Path) -> Vec<Pattern> {
    let mut patterns: Vec<Pattern> = crate::course::rust_sources_below(&root.join("patterns/src"))
        .filter_map(|(path, text)| parse(&path, &text))
        .collect();
    patterns.sort_by_key(|pattern| sort_key(&pattern.id));
    patterns
}

fn sort_key(id: &str) -> (String, u32) {
    let (family, number) = id.rsplit_once('-').unwrap_or((id, "0"));
    (family.to_string(), number.parse().unwrap_or(0))
}

/// Reads one pattern file; `None` when it does not start with a pattern heading.
pub fn parse(path: &Path, text: &str) -> Option<Pattern> {
    let heading = text.lines().next()?.strip_prefix("//! # ")?;
    let (id, title) = heading.split_once(": ")?;
    let is_id = id.split_once('-').is_some_and(|(family, number)| {
        !family.is_empty()
            && family.bytes().all(|b| b.is_ascii_uppercase())
            && !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit())
    });
    if !is_id {
        return None;
    }
    let doc_lines = text.lines().take_while(|line| line.starts_with("//!"));
    let doc: Vec<&str> = doc_lines
        .map(|line| {
            line.strip_prefix("//! ")
                .unwrap_or(line.trim_start_matches("//!"))
        })
        .collect();
    let code: Vec<&str> = text.lines().skip(doc.len()).collect();
    Some(Pattern {
        id: id.to_string(),
        title: title.trim().to_string(),
        path: path.to_path_buf(),
        doc: doc.join("\n"),
        code: code.join("\n").trim().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_file_is_read() {
        let text = "//! # ERR-2: Context at the edge\n//!\n//! ## Use when\n//! x\n//! ## Why\n\
                    //! ## Avoid\n//! ## Steps\n\npub fn f() {}\n";
        let pattern = parse(Path::new("p.rs"), text).unwrap();
        assert_eq!(pattern.id, "ERR-2");
        assert_eq!(pattern.title, "Context at the edge");
        assert!(pattern.doc.starts_with("# ERR-2"));
        assert_eq!(pattern.code, "pub fn f() {}");
        assert!(pattern.missing_sections().is_empty());
    }

    #[test]
    fn files_without_a_heading_are_not_patterns() {
        assert!(parse(Path::new("own.rs"), "//! Ownership patterns\npub mod x;\n").is_none());
        assert!(parse(Path::new("x.rs"), "//! # lower-1: nope\n").is_none());
    }

    #[test]
    fn missing_sections_are_named() {
        let pattern = parse(Path::new("p.rs"), "//! # OWN-1: T\n//! ## Why\n").unwrap();
        assert_eq!(
            pattern.missing_sections(),
            vec!["## Use when", "## Avoid", "## Steps"]
        );
    }

    #[test]
    fn ids_sort_by_number() {
        let mut ids = vec!["ERR-10", "ERR-2", "ASYNC-1"];
        ids.sort_by_key(|id| sort_key(id));
        assert_eq!(ids, vec!["ASYNC-1", "ERR-2", "ERR-10"]);
    }
}
