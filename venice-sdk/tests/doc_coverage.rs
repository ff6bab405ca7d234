//! Every public method of the resources, and of the client, its builder,
//! errors, responses, streams, pages and structured outputs, has a code
//! example in its doc comment, so the rustdoc teaches by example and the examples are compiled
//! (and, where the offline Venice answers, run) as doctests.
//!
//! Read from the sources as text: each `pub fn` / `pub async fn` (also
//! `const`/`unsafe`) of `src/resources/**` and of the files in [`ALSO`] outside its `#[cfg(test)]` module
//! must have a code fence in the doc comment above it. `pub(crate)` and
//! private items are not checked, nor anything under `#[cfg(test)]`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Whether a trimmed line declares a public function (`pub fn`,
/// `pub async fn`, `pub const fn`, …; not `pub(crate) fn`).
fn is_pub_fn(trimmed: &str) -> bool {
    let Some(mut rest) = trimmed.strip_prefix("pub ") else {
        return false;
    };
    loop {
        if rest.starts_with("fn ") {
            return true;
        }
        match ["async ", "const ", "unsafe "]
            .iter()
            .find_map(|q| rest.strip_prefix(q))
        {
            Some(r) => rest = r,
            None => return false,
        }
    }
}

/// The doc comment above line `at` (attributes in between skipped).
fn doc_above(lines: &[&str], at: usize) -> String {
    let mut doc = Vec::new();
    let mut i = at;
    let mut in_attr = false;
    while i > 0 {
        i -= 1;
        let t = lines[i].trim();
        if in_attr {
            if t.starts_with("#[") {
                in_attr = false;
            }
            continue;
        }
        if let Some(d) = t.strip_prefix("///") {
            doc.push(d.to_owned());
        } else if t.starts_with("#[") {
            // A one-line attribute.
        } else if t.ends_with(")]") || t.ends_with(']') && !t.ends_with("[]") {
            // The last line of an attribute spanning lines.
            in_attr = true;
        } else {
            break;
        }
    }
    doc.reverse();
    doc.join("\n")
}

/// The line after the item starting at line `start` (a `#[cfg(test)]` module
/// or function): up to its closing brace, braces counted naively (test code
/// keeps them balanced), or its `;`.
fn end_of_item(lines: &[&str], start: usize) -> usize {
    let mut depth = 0usize;
    let mut opened = false;
    for (n, line) in lines.iter().enumerate().skip(start) {
        for c in line.chars() {
            match c {
                '{' => {
                    depth += 1;
                    opened = true;
                }
                '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        if (opened && depth == 0) || (!opened && line.trim_end().ends_with(';')) {
            return n + 1;
        }
    }
    lines.len()
}

/// The hand-written files outside `src/resources` whose public functions
/// users call directly.
const ALSO: [&str; 8] = [
    "src/client.rs",
    "src/error.rs",
    "src/meta.rs",
    "src/stream",
    "src/paginate.rs",
    "src/structured.rs",
    "src/json",
    "src/tee",
];

/// Files under [`ALSO`] that are not for users: the SSE parser is public only
/// with the benchmark's `unstable-bench-internals` feature.
const NOT_FOR_USERS: [&str; 1] = ["src/stream/sse.rs"];

/// `file:line: name` of every public function without a code example.
fn offenders(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    sources(&root.join("src/resources"), &mut files);
    for also in ALSO {
        let path = root.join(also);
        if path.is_dir() {
            sources(&path, &mut files);
        } else {
            assert!(path.is_file(), "{also} is gone: update ALSO");
            files.push(path);
        }
    }
    files.retain(|f| !NOT_FOR_USERS.iter().any(|n| f.ends_with(n)));
    files.sort();
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut skip_to = 0;
        for (n, line) in lines.iter().enumerate() {
            if n < skip_to {
                continue;
            }
            let trimmed = line.trim();
            if trimmed == "#[cfg(test)]" {
                skip_to = end_of_item(&lines, n + 1);
                continue;
            }
            if !is_pub_fn(trimmed) {
                continue;
            }
            if !doc_above(&lines, n).contains("```") {
                let rel = file.strip_prefix(root).unwrap().display();
                let name: String = trimmed
                    .split("fn ")
                    .nth(1)
                    .unwrap_or("")
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                found.push(format!("{rel}:{}: {name}", n + 1));
            }
        }
    }
    found
}

#[test]
fn every_public_resource_method_has_an_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let missing = offenders(root);
    assert!(
        missing.is_empty(),
        "{} public methods have no code example in their doc comment:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn the_scan_sees_what_it_should() {
    assert!(is_pub_fn("pub fn new() -> Self {"));
    assert!(is_pub_fn(
        "pub async fn create(&self) -> Result<(), Error> {"
    ));
    assert!(is_pub_fn("pub const fn id(&self) -> u8 {"));
    assert!(!is_pub_fn("pub(crate) fn hidden() {}"));
    assert!(!is_pub_fn("fn private() {}"));
    assert!(!is_pub_fn("pub struct Fn;"));
    let src = "/// Text.\n///\n/// ```\n/// x();\n/// ```\n#[allow(\n    clippy::x,\n)]\n#[must_use]\npub fn x() {}";
    let lines: Vec<&str> = src.lines().collect();
    assert!(doc_above(&lines, lines.len() - 1).contains("```"));
    let tests = [
        "#[cfg(test)]",
        "mod tests {",
        "    pub fn helper() {",
        "    }",
        "}",
        "/// Doc.",
        "pub fn after() {}",
    ];
    assert_eq!(end_of_item(&tests, 1), 5);
    let bare = "/// Text only.\npub fn y() {}";
    let lines: Vec<&str> = bare.lines().collect();
    assert!(!doc_above(&lines, 1).contains("```"));
}
