//! Loading YAML whose mappings repeat a key.
//!
//! YAML forbids duplicate keys and `serde_yaml_ng` refuses the whole document on
//! one ("duplicate entry with key …"). Upstream has shipped such a document (a schema
//! property listed twice). Common YAML tools (PyYAML, js-yaml in its default mode)
//! keep the last value; [`load_last_wins`] does the same and returns one warning
//! per repeated key, naming its place and line.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// A YAML value read with "last key wins" for repeated mapping keys.
struct Tolerant {
    value: Value,
    /// (dotted path of the mapping, repeated key), innermost first.
    duplicates: Vec<(Vec<String>, String)>,
}

impl<'de> Deserialize<'de> for Tolerant {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TolerantVisitor)
    }
}

struct TolerantVisitor;

fn leaf(value: Value) -> Tolerant {
    Tolerant {
        value,
        duplicates: Vec::new(),
    }
}

impl<'de> Visitor<'de> for TolerantVisitor {
    type Value = Tolerant;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Tolerant, E> {
        Ok(leaf(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Tolerant, E> {
        Ok(leaf(Value::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Tolerant, E> {
        Ok(leaf(Value::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Tolerant, E> {
        serde_json::Number::from_f64(v)
            .map(|n| leaf(Value::Number(n)))
            .ok_or_else(|| E::custom(format!("number {v} has no JSON form")))
    }
    fn visit_str<E>(self, v: &str) -> Result<Tolerant, E> {
        Ok(leaf(Value::String(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Tolerant, E> {
        Ok(leaf(Value::String(v)))
    }
    fn visit_unit<E>(self) -> Result<Tolerant, E> {
        Ok(leaf(Value::Null))
    }
    fn visit_none<E>(self) -> Result<Tolerant, E> {
        Ok(leaf(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Tolerant, D::Error> {
        Tolerant::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tolerant, A::Error> {
        let mut items = Vec::new();
        let mut duplicates = Vec::new();
        let mut i = 0usize;
        while let Some(item) = seq.next_element::<Tolerant>()? {
            for (mut path, key) in item.duplicates {
                path.insert(0, format!("[{i}]"));
                duplicates.push((path, key));
            }
            items.push(item.value);
            i += 1;
        }
        Ok(Tolerant {
            value: Value::Array(items),
            duplicates,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tolerant, A::Error> {
        let mut out = Map::new();
        let mut duplicates = Vec::new();
        while let Some(key) = map.next_key::<Tolerant>()? {
            let key = match key.value {
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                other => {
                    return Err(de::Error::custom(format!(
                        "mapping key {other} is not a scalar"
                    )));
                }
            };
            let value = map.next_value::<Tolerant>()?;
            for (mut path, k) in value.duplicates {
                path.insert(0, key.clone());
                duplicates.push((path, k));
            }
            if out.insert(key.clone(), value.value).is_some() {
                duplicates.push((Vec::new(), key));
            }
        }
        Ok(Tolerant {
            value: Value::Object(out),
            duplicates,
        })
    }
}

/// Parses `text` keeping the last value of a repeated key; returns the document and
/// one warning per repeated key (`components.schemas.X.properties.y` at line N).
pub fn load_last_wins(text: &str) -> Result<(Value, Vec<String>), String> {
    let tolerant: Tolerant = serde_yaml_ng::from_str(text).map_err(|e| e.to_string())?;
    let lines = key_lines(text);
    let warnings = tolerant
        .duplicates
        .into_iter()
        .map(|(parent, key)| {
            let mut full = parent.clone();
            full.push(key.clone());
            let dotted = full.join(".");
            let at: Vec<String> = lines
                .iter()
                .filter(|(path, _)| *path == full)
                .map(|(_, line)| line.to_string())
                .collect();
            let place = if at.is_empty() {
                "(line unknown: not in block style)".to_owned()
            } else {
                format!("at lines {}", at.join(", "))
            };
            format!("duplicate mapping key `{key}` in `{dotted}` {place}: the last value wins")
        })
        .collect();
    Ok((tolerant.value, warnings))
}

/// The dotted key path and 1-based line of every block-style mapping key of `text`.
///
/// A light reading of YAML's block style (indentation gives nesting, `- ` opens a
/// sequence item): enough to name the line of a repeated key in an OpenAPI file.
fn key_lines(text: &str) -> Vec<(Vec<String>, usize)> {
    let mut out = Vec::new();
    // (indent, key or item marker)
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut counters: Vec<(usize, usize)> = Vec::new();
    let mut in_block_scalar: Option<usize> = None;
    for (n, raw) in text.lines().enumerate() {
        let trimmed = raw.trim_start();
        let indent = raw.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(block_indent) = in_block_scalar {
            if indent > block_indent {
                continue;
            }
            in_block_scalar = None;
        }
        let mut rest = trimmed;
        let mut col = indent;
        while let Some(after) = rest.strip_prefix("- ") {
            while stack.last().is_some_and(|(i, _)| *i >= col) {
                stack.pop();
            }
            counters.retain(|(i, _)| *i <= col);
            let index = match counters.last_mut() {
                Some((i, c)) if *i == col => {
                    *c += 1;
                    *c
                }
                _ => {
                    counters.push((col, 0));
                    0
                }
            };
            stack.push((col, format!("[{index}]")));
            let skipped = rest.len() - after.len();
            col += skipped + (after.len() - after.trim_start().len());
            rest = after.trim_start();
        }
        let Some((key, value)) = split_key(rest) else {
            continue;
        };
        while stack.last().is_some_and(|(i, _)| *i >= col) {
            stack.pop();
        }
        counters.retain(|(i, _)| *i <= col);
        let mut path: Vec<String> = stack.iter().map(|(_, k)| k.clone()).collect();
        path.push(key.clone());
        out.push((path, n + 1));
        stack.push((col, key));
        let v = value.trim();
        if v.starts_with('|') || v.starts_with('>') {
            in_block_scalar = Some(col);
        }
    }
    out
}

/// `key: value` → (key, value), for plain, single- and double-quoted keys.
fn split_key(line: &str) -> Option<(String, &str)> {
    if let Some(q) = line.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let end = line[1..].find(q)? + 1;
        let key = line[1..end].to_owned();
        let rest = line[end + 1..].strip_prefix(':')?;
        return Some((key, rest));
    }
    if line.starts_with(['{', '[', '&', '*', '!', '|', '>']) {
        return None;
    }
    let mut search = 0;
    loop {
        let i = search + line[search..].find(':')?;
        let after = &line[i + 1..];
        if after.is_empty() || after.starts_with(' ') || after.starts_with('\t') {
            return Some((line[..i].trim_end().to_owned(), after));
        }
        search = i + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_key_keeps_the_last_value_and_names_its_lines() {
        let text = "a:\n  b:\n    x: 1\n    y: 2\n    x: 3\n  list:\n    - k: 1\n      k: 2\n";
        let (value, warnings) = load_last_wins(text).unwrap();
        assert_eq!(value["a"]["b"]["x"], 3);
        assert_eq!(value["a"]["list"][0]["k"], 2);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].contains("`x` in `a.b.x` at lines 3, 5"),
            "{warnings:?}"
        );
        assert!(
            warnings[1].contains("`k` in `a.list.[0].k` at lines 7, 8"),
            "{warnings:?}"
        );
    }

    #[test]
    fn block_scalars_and_quoted_keys_do_not_confuse_the_line_finder() {
        let text = "p:\n  d: |\n    q: not a key\n  'q': 1\n  q: 2\n";
        let (value, warnings) = load_last_wins(text).unwrap();
        assert_eq!(value["p"]["q"], 2);
        assert!(warnings[0].contains("at lines 4, 5"), "{warnings:?}");
    }
}
