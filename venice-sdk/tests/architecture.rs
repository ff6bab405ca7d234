//! The module map of `venice-sdk` stays a map: no module cycles at any level,
//! and the generated code reaches hand-written code only through its
//! documented seam.
//!
//! Read from the sources: every `crate::…`, `super::…` and `self::…` path of a
//! file is an edge from the file's module to the deepest module the path
//! names; a name a module re-exports (`pub use media_job::Job` in
//! `resources/mod.rs`, `crate::Error` at the root) is followed to the module
//! that defines it. An edge between `a::b::c` and `a::d` is an edge between the
//! siblings `a::b` and `a::d` in the graph of `a`'s children; each such graph,
//! the crate root's included, must be acyclic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path (`["resources", "media_job"]`; the root is `[]`).
type Module = Vec<String>;

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

/// The module a source file defines (`src/resources/mod.rs` → `resources`).
fn module_of(src: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Module = rel
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_owned()
        })
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// A file's code without comments (doc links name items without depending on
/// them) and without its `#[cfg(test)] mod tests` (tests may reach anywhere).
fn code_of(text: &str) -> String {
    let mut out = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() == "#[cfg(test)]"
            && lines
                .peek()
                .is_some_and(|l| l.trim_start().starts_with("mod "))
        {
            break;
        }
        let trimmed = line.trim_start();
        if !trimmed.starts_with("//") {
            out.push(line);
        }
    }
    out.join("\n")
}

fn ident(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Every path of the code that starts at `crate`, `super` or `self`, as its
/// segments (`crate::{a, b::c}` gives `[crate, a]` and `[crate, b, c]`).
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for start in ["crate::", "super::", "self::"] {
        let mut at = 0;
        while let Some(i) = code[at..].find(start) {
            let begin = at + i;
            at = begin + start.len();
            let before = code[..begin].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == ':') {
                continue;
            }
            let head = start.trim_end_matches("::").to_owned();
            walk(&code[at..], vec![head], &mut found);
        }
    }
    found
}

/// Reads `a::b::{c, d::e}` after a prefix into full paths.
fn walk(rest: &str, prefix: Vec<String>, found: &mut Vec<Vec<String>>) {
    let mut path = prefix;
    let mut rest = rest;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        walk(group[start..i].trim(), path.clone(), found);
                        return;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        walk(group[start..i].trim(), path.clone(), found);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            return;
        }
        let name = ident(rest);
        if name.is_empty() {
            break;
        }
        rest = &rest[name.len()..];
        path.push(name);
        match rest.strip_prefix("::") {
            Some(r) => rest = r.trim_start(),
            None => break,
        }
    }
    found.push(path);
}

/// Turns a path written in `from` into absolute segments.
fn absolute(from: &Module, path: &[String]) -> Module {
    let mut base: Module = Vec::new();
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => rest = &path[1..],
        Some("self") => {
            base = from.clone();
            rest = &path[1..];
        }
        Some("super") => {
            base = from.clone();
            while rest.first().map(String::as_str) == Some("super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        _ => {}
    }
    base.extend(rest.iter().filter(|s| *s != "self").cloned());
    base
}

struct Crate {
    modules: BTreeSet<Module>,
    /// (module, name) → the module the re-exported name comes from.
    exports: BTreeMap<(Module, String), Module>,
    /// module → the absolute paths its code names.
    uses: BTreeMap<Module, Vec<Module>>,
}

fn read_crate(src: &Path) -> Crate {
    let mut files = Vec::new();
    sources(src, &mut files);
    let mut modules = BTreeSet::new();
    let mut texts = Vec::new();
    for file in &files {
        let module = module_of(src, file);
        modules.insert(module.clone());
        texts.push((module, code_of(&std::fs::read_to_string(file).unwrap())));
    }
    let mut exports = BTreeMap::new();
    let mut uses: BTreeMap<Module, Vec<Module>> = BTreeMap::new();
    for (module, code) in &texts {
        for statement in code.split(';') {
            let statement = statement.trim();
            let Some(tail) = statement
                .strip_prefix("pub use ")
                .or_else(|| statement.strip_prefix("pub(crate) use "))
            else {
                continue;
            };
            // A re-export names a child module first when it is relative.
            let first = ident(tail);
            let tail = if ["crate", "super", "self"].contains(&first.as_str()) {
                tail.to_owned()
            } else {
                format!("self::{tail}")
            };
            let mut found = Vec::new();
            walk(
                tail.trim_start_matches("self::"),
                vec!["self".into()],
                &mut found,
            );
            if tail.starts_with("crate::") || tail.starts_with("super::") {
                found = paths(&tail);
            }
            for path in found {
                let target = absolute(module, &path);
                if let Some(name) = target.last() {
                    let name = name.rsplit(" as ").next().unwrap_or(name).to_owned();
                    exports.insert((module.clone(), name), target);
                }
            }
        }
        // A file with inline modules (the generated one) is read for
        // `crate::` paths only: its `super::` and `self::` are relative to
        // modules the file itself opens.
        let inline = code.lines().any(|l| {
            let l = l
                .trim_start()
                .trim_start_matches("pub ")
                .trim_start_matches("pub(crate) ");
            l.strip_prefix("mod ")
                .is_some_and(|rest| rest.trim_end().ends_with('{'))
        });
        uses.entry(module.clone()).or_default().extend(
            paths(code)
                .iter()
                .filter(|p| !inline || p[0] == "crate")
                .map(|p| absolute(module, p)),
        );
    }
    Crate {
        modules,
        exports,
        uses,
    }
}

impl Crate {
    /// The module an absolute path lands in: its longest module prefix, then
    /// through re-exports of that module (at most a few hops).
    fn resolve(&self, path: &Module) -> Module {
        let mut path = path.clone();
        for _ in 0..8 {
            let mut len = path.len();
            while len > 0 && !self.modules.contains(&path[..len]) {
                len -= 1;
            }
            let module = path[..len].to_vec();
            let Some(name) = path.get(len) else {
                return module;
            };
            match self.exports.get(&(module.clone(), name.clone())) {
                Some(target) if *target != path => {
                    let mut next = target.clone();
                    next.extend(path[len + 1..].iter().cloned());
                    path = next;
                }
                _ => return module,
            }
        }
        path
    }

    /// For every parent module, the edges between its children.
    fn graphs(&self) -> BTreeMap<Module, BTreeMap<String, BTreeSet<String>>> {
        let mut graphs: BTreeMap<Module, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
        for (from, targets) in &self.uses {
            for target in targets {
                let to = self.resolve(target);
                let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
                if let (Some(a), Some(b)) = (from.get(common), to.get(common)) {
                    graphs
                        .entry(from[..common].to_vec())
                        .or_default()
                        .entry(a.clone())
                        .or_default()
                        .insert(b.clone());
                }
            }
        }
        graphs
    }
}

/// A cycle of the graph, if there is one.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        stack.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let start = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(next, edges, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in edges.keys() {
        if !state.contains_key(node.as_str()) {
            let mut stack = Vec::new();
            if let Some(c) = visit(node, edges, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

fn the_crate() -> Crate {
    read_crate(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

#[test]
fn no_module_level_has_a_cycle() {
    let graphs = the_crate().graphs();
    assert!(
        graphs[&Vec::new()].len() > 10,
        "the root was read: {graphs:?}"
    );
    assert!(
        graphs.contains_key(&vec!["resources".to_owned()])
            && graphs.contains_key(&vec!["transport".to_owned()]),
        "the folders were read: {:?}",
        graphs.keys().collect::<Vec<_>>()
    );
    let mut cycles = Vec::new();
    for (parent, edges) in &graphs {
        let mut edges = edges.clone();
        // Report every cycle: cut an edge of each one found and look again.
        while let Some(cycle) = find_cycle(&edges) {
            cycles.push(format!(
                "in `crate::{}`: {}",
                parent.join("::"),
                cycle.join(" -> ")
            ));
            if let (Some(a), Some(b)) = (cycle.first(), cycle.get(1)) {
                edges.entry(a.clone()).or_default().remove(b);
            }
        }
    }
    assert!(cycles.is_empty(), "module cycles:\n{}", cycles.join("\n"));
}

#[test]
fn generated_code_reaches_hand_written_code_through_its_seam_only() {
    let graphs = the_crate().graphs();
    let from_generated: Vec<&String> = graphs[&Vec::new()]["generated"].iter().collect();
    assert_eq!(from_generated, ["config"], "the seam is config::Inner");
}

#[test]
fn the_reader_sees_nested_cycles() {
    let dir = std::env::temp_dir().join(format!("venice-arch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("jobs")).unwrap();
    std::fs::write(dir.join("lib.rs"), "mod jobs;\npub use jobs::Job;\n").unwrap();
    std::fs::write(
        dir.join("jobs/mod.rs"),
        "mod poll;\nmod media;\npub use poll::Job;\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("jobs/poll.rs"),
        "use super::media::Media;\npub struct Job;\n",
    )
    .unwrap();
    std::fs::write(dir.join("jobs/media.rs"), "pub struct Media(crate::Job);\n").unwrap();
    let graphs = read_crate(&dir).graphs();
    let jobs = &graphs[&vec!["jobs".to_owned()]];
    assert_eq!(
        find_cycle(jobs),
        Some(vec!["media".into(), "poll".into(), "media".into()]),
        "{graphs:?}"
    );
    // Without the back edge, no cycle.
    std::fs::write(dir.join("jobs/media.rs"), "pub struct Media;\n").unwrap();
    assert_eq!(
        find_cycle(&read_crate(&dir).graphs()[&vec!["jobs".to_owned()]]),
        None
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn paths_are_read_whole() {
    assert_eq!(
        paths("use crate::{a, b::{c, d}};\nlet x = super::e::f(1);"),
        [
            vec!["crate", "a"],
            vec!["crate", "b", "c"],
            vec!["crate", "b", "d"],
            vec!["super", "e", "f"]
        ]
    );
    let from = vec!["resources".to_owned(), "video".to_owned()];
    assert_eq!(
        absolute(&from, &["super".into(), "jobs".into()]),
        ["resources", "jobs"]
    );
}
