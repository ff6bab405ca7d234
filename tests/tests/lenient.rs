//! Lenient responses, proved over the whole spec: for every operation with a
//! JSON success answer, an example valid for its schema (built from the
//! normalized schema itself) decodes into the operation's response type; so
//! does every variant of it with one required field dropped, and with one
//! required field set to `null`, at any depth.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use serde_json::{Map, Value, json};
use venice_sdk::operations;
use venice_testing::generated::decode_success_answer;

/// The normalized spec: the schemas the generated types come from.
fn normalized() -> Value {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/venice.yaml"))
            .unwrap();
    venice_openapi::normalize_str(&text).unwrap().document
}

/// `schema` with a `$ref` followed.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let mut schema = schema;
    for _ in 0..16 {
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
            return schema;
        };
        let pointer = reference.trim_start_matches('#');
        match doc.pointer(pointer) {
            Some(target) => schema = target,
            None => return schema,
        }
    }
    schema
}

/// The members of a union (`anyOf`/`oneOf`) that are not just `null`.
fn members<'a>(doc: &'a Value, schema: &'a Value) -> Vec<&'a Value> {
    ["anyOf", "oneOf"]
        .iter()
        .filter_map(|k| schema.get(k).and_then(Value::as_array))
        .flatten()
        .map(|m| resolve(doc, m))
        .filter(|m| m.get("type").and_then(Value::as_str) != Some("null"))
        .filter(|m| !(m.get("nullable") == Some(&json!(true)) && m.get("type").is_none()))
        .collect()
}

/// A value valid for `schema`: every property present, the first member of
/// a union, one item in an array, the first value of an enum.
fn example(doc: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(doc, schema);
    if depth > 12 {
        return Value::Null;
    }
    if let Some(value) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|v| v.first())
    {
        return value.clone();
    }
    if let Some(value) = schema.get("const") {
        return value.clone();
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in all {
            if let Value::Object(o) = example(doc, part, depth + 1) {
                merged.extend(o);
            }
        }
        return Value::Object(merged);
    }
    if let Some(first) = members(doc, schema).first() {
        return example(doc, first, depth + 1);
    }
    let kind = schema.get("type").and_then(Value::as_str);
    match kind {
        Some("object") | None if schema.get("properties").is_some() => {
            let mut object = Map::new();
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (name, property) in properties {
                    object.insert(name.clone(), example(doc, property, depth + 1));
                }
            }
            Value::Object(object)
        }
        Some("object") => json!({}),
        Some("array") => match schema.get("items") {
            Some(items) => json!([example(doc, items, depth + 1)]),
            None => json!([]),
        },
        Some("string") => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => json!("2026-07-31T12:00:00Z"),
            Some("date") => json!("2026-07-31"),
            Some("uri") | Some("url") => json!("https://example.com/x"),
            _ => json!("x"),
        },
        Some("integer") => json!(
            schema
                .get("minimum")
                .and_then(Value::as_i64)
                .unwrap_or(1)
                .max(1)
        ),
        Some("number") => json!(
            schema
                .get("minimum")
                .and_then(Value::as_f64)
                .unwrap_or(1.5)
                .max(1.5)
        ),
        Some("boolean") => json!(true),
        _ => json!("x"),
    }
}

/// Every variant of `value` (valid for `schema`) with one required field
/// dropped or set to `null`, with the JSON path it concerns.
fn variants(
    doc: &Value,
    schema: &Value,
    value: &Value,
    path: &str,
    out: &mut Vec<(String, Value)>,
    depth: usize,
) {
    let schema = resolve(doc, schema);
    if depth > 12 {
        return;
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for part in all {
            variants(doc, part, value, path, out, depth + 1);
        }
    }
    if let Some(first) = members(doc, schema).first() {
        variants(doc, first, value, path, out, depth + 1);
    }
    match value {
        Value::Object(object) => {
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for name in required {
                if object.contains_key(name) {
                    let mut dropped = object.clone();
                    dropped.remove(name);
                    out.push((format!("{path}.{name} missing"), Value::Object(dropped)));
                    let mut nulled = object.clone();
                    nulled.insert(name.to_owned(), Value::Null);
                    out.push((format!("{path}.{name} null"), Value::Object(nulled)));
                }
            }
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (name, property) in properties {
                    let Some(inner) = object.get(name) else {
                        continue;
                    };
                    let mut nested = Vec::new();
                    variants(
                        doc,
                        property,
                        inner,
                        &format!("{path}.{name}"),
                        &mut nested,
                        depth + 1,
                    );
                    for (at, variant) in nested {
                        let mut whole = object.clone();
                        whole.insert(name.clone(), variant);
                        out.push((at, Value::Object(whole)));
                    }
                }
            }
        }
        Value::Array(items) => {
            if let (Some(item), Some(item_schema)) = (items.first(), schema.get("items")) {
                let mut nested = Vec::new();
                variants(
                    doc,
                    item_schema,
                    item,
                    &format!("{path}[0]"),
                    &mut nested,
                    depth + 1,
                );
                for (at, variant) in nested {
                    out.push((at, json!([variant])));
                }
            }
        }
        _ => {}
    }
}

/// The schema of the JSON success answer of `method path`.
fn success_schema<'a>(doc: &'a Value, method: &str, path: &str) -> Option<&'a Value> {
    let operation = doc
        .get("paths")?
        .get(path)?
        .get(method.to_ascii_lowercase())?;
    let responses = operation.get("responses")?.as_object()?;
    responses
        .iter()
        .filter(|(status, _)| status.starts_with('2'))
        .find_map(|(_, response)| {
            resolve(doc, response)
                .get("content")?
                .get("application/json")?
                .get("schema")
        })
}

#[test]
fn every_answer_decodes_with_any_required_field_missing_or_null() {
    let doc = normalized();
    let mut operations_checked = 0;
    let mut variants_checked = 0;
    let mut failures = Vec::new();
    for op in operations::ALL {
        let Some(schema) = success_schema(&doc, op.method.as_str(), op.path) else {
            continue;
        };
        let valid = example(&doc, schema, 0);
        let decode =
            |value: &Value| decode_success_answer(op.rust_name, value.to_string().as_bytes());
        match decode(&valid) {
            None => continue,
            Some(Ok(())) => {}
            Some(Err(e)) => {
                failures.push(format!(
                    "{}: the valid example does not decode: {e}\n  {valid}",
                    op.id
                ));
                continue;
            }
        }
        operations_checked += 1;
        let mut all = Vec::new();
        variants(&doc, schema, &valid, "", &mut all, 0);
        for (at, variant) in all {
            variants_checked += 1;
            if let Some(Err(e)) = decode(&variant) {
                failures.push(format!("{} with {at}: {e}", op.id));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The walk reached the answers (a change that made it skip them all
    // would otherwise pass).
    assert!(
        operations_checked >= 30,
        "only {operations_checked} operations checked"
    );
    assert!(
        variants_checked >= 500,
        "only {variants_checked} variants checked"
    );
    eprintln!("{operations_checked} operations, {variants_checked} variants decoded");
}
