//! Facts derived from a normalized document for the SDK's hand-written layer:
//! the value constraints of request bodies (checked before a request is sent), and
//! example responses built from the spec's `example`s (for mocks and tests).

use serde_json::{Map, Value};

use crate::walk::{pointer_escape as escape, ref_of};

/// How deep `$ref`s and nesting are followed; deeper parts are left unchecked.
const MAX_DEPTH: usize = 12;

/// One rule a request body must satisfy at a place.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    /// JSON pointer to the value; `*` stands for every item of an array.
    pub pointer: String,
    /// The rule.
    pub rule: Rule,
}

/// A value rule from the schema keywords the generated types do not enforce.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// `minItems`.
    MinItems(u64),
    /// `maxItems`.
    MaxItems(u64),
    /// `minLength`, in characters.
    MinLength(u64),
    /// `maxLength`, in characters.
    MaxLength(u64),
    /// `minimum` (`exclusiveMinimum: true` makes it strict).
    Minimum {
        /// The bound.
        value: f64,
        /// Whether the bound itself is excluded.
        exclusive: bool,
    },
    /// `maximum` (`exclusiveMaximum: true` makes it strict).
    Maximum {
        /// The bound.
        value: f64,
        /// Whether the bound itself is excluded.
        exclusive: bool,
    },
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let mut current = schema;
    for _ in 0..MAX_DEPTH {
        match ref_of(current, "schemas") {
            Some(name) => match doc.pointer(&format!("/components/schemas/{}", escape(name))) {
                Some(target) => current = target,
                None => return current,
            },
            None => return current,
        }
    }
    current
}

/// The constraints of the JSON request body of the operation at `METHOD path`.
pub fn request_constraints(doc: &Value, method: &str, path: &str) -> Vec<Constraint> {
    let pointer = format!(
        "/paths/{}/{}/requestBody/content/application~1json/schema",
        escape(path),
        method.to_ascii_lowercase()
    );
    let mut out = Vec::new();
    if let Some(schema) = doc.pointer(&pointer) {
        collect_constraints(doc, schema, String::new(), 0, &mut out);
    }
    out
}

fn collect_constraints(
    doc: &Value,
    schema: &Value,
    pointer: String,
    depth: usize,
    out: &mut Vec<Constraint>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let schema = resolve(doc, schema);
    let Some(obj) = schema.as_object() else {
        return;
    };
    let uint = |k: &str| obj.get(k).and_then(Value::as_u64);
    let flag = |k: &str| obj.get(k).and_then(Value::as_bool).unwrap_or(false);
    let mut push = |rule| {
        out.push(Constraint {
            pointer: pointer.clone(),
            rule,
        })
    };
    if let Some(n) = uint("minItems") {
        push(Rule::MinItems(n));
    }
    if let Some(n) = uint("maxItems") {
        push(Rule::MaxItems(n));
    }
    if let Some(n) = uint("minLength") {
        push(Rule::MinLength(n));
    }
    if let Some(n) = uint("maxLength") {
        push(Rule::MaxLength(n));
    }
    if let Some(value) = obj.get("minimum").and_then(Value::as_f64) {
        push(Rule::Minimum {
            value,
            exclusive: flag("exclusiveMinimum"),
        });
    }
    if let Some(value) = obj.get("maximum").and_then(Value::as_f64) {
        push(Rule::Maximum {
            value,
            exclusive: flag("exclusiveMaximum"),
        });
    }
    if let Some(Value::Object(props)) = obj.get("properties") {
        for (name, child) in props {
            collect_constraints(
                doc,
                child,
                format!("{pointer}/{}", escape(name)),
                depth + 1,
                out,
            );
        }
    }
    if let Some(items) = obj.get("items") {
        collect_constraints(doc, items, format!("{pointer}/*"), depth + 1, out);
    }
    // Every member of an allOf applies; the members of a union do not all apply.
    if let Some(Value::Array(all)) = obj.get("allOf") {
        for member in all {
            collect_constraints(doc, member, pointer.clone(), depth + 1, out);
        }
    }
}

/// An example JSON value for `schema`, built from the spec's `example`s (falling
/// back to `default`, the first `enum` value, and then a placeholder of the right
/// type), with every property filled in.
pub fn example_for(doc: &Value, schema: &Value) -> Value {
    example_at(doc, schema, 0)
}

fn example_at(doc: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(doc, schema);
    let Some(obj) = schema.as_object() else {
        return Value::Null;
    };
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    let kind = obj.get("type").and_then(Value::as_str);
    if let Some(example) = obj.get("example") {
        // Array schemas sometimes give one item as the example: wrap it.
        if kind == Some("array") && !example.is_array() {
            return Value::Array(vec![example.clone()]);
        }
        if kind != Some("object") || example.is_object() {
            return example.clone();
        }
    }
    if let Some(default) = obj.get("default") {
        return default.clone();
    }
    if let Some(first) = obj
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(first) = obj
            .get(key)
            .and_then(Value::as_array)
            .and_then(|l| l.first())
        {
            if key == "allOf" {
                let mut merged = Map::new();
                for member in obj.get(key).and_then(Value::as_array).into_iter().flatten() {
                    if let Value::Object(m) = example_at(doc, member, depth + 1) {
                        merged.extend(m);
                    }
                }
                if !merged.is_empty() {
                    return Value::Object(merged);
                }
            }
            return example_at(doc, first, depth + 1);
        }
    }
    match kind {
        Some("string") => Value::String("string".into()),
        Some("integer") => Value::from(0),
        Some("number") => Value::from(0.0),
        Some("boolean") => Value::Bool(false),
        Some("array") => match obj.get("items") {
            Some(items) => Value::Array(vec![example_at(doc, items, depth + 1)]),
            None => Value::Array(Vec::new()),
        },
        _ => {
            let mut out = Map::new();
            if let Some(Value::Object(props)) = obj.get("properties") {
                for (name, child) in props {
                    out.insert(name.clone(), example_at(doc, child, depth + 1));
                }
            }
            if out.is_empty() && obj.get("properties").is_none() && kind.is_none() {
                return Value::Null;
            }
            Value::Object(out)
        }
    }
}

/// An example body of the first JSON success response of `METHOD path`, if any.
pub fn example_response(doc: &Value, method: &str, path: &str) -> Option<Value> {
    let responses = doc
        .pointer(&format!(
            "/paths/{}/{}/responses",
            escape(path),
            method.to_ascii_lowercase()
        ))?
        .as_object()?;
    let (_, response) = responses.iter().find(|(s, _)| s.starts_with('2'))?;
    let schema = response.pointer("/content/application~1json/schema")?;
    Some(example_for(doc, schema))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn constraints_follow_refs_items_and_all_of() {
        let doc = json!({
            "paths": {"/x": {"post": {"requestBody": {"content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Req"
            }}}}}}},
            "components": {"schemas": {
                "Req": {"type": "object", "properties": {
                    "messages": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Msg"}},
                    "width": {"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 1280}
                }},
                "Msg": {"allOf": [{"type": "object", "properties": {"content": {"type": "string", "maxLength": 5}}}]}
            }}
        });
        let c = request_constraints(&doc, "POST", "/x");
        assert_eq!(
            c,
            vec![
                Constraint {
                    pointer: "/messages".into(),
                    rule: Rule::MinItems(1)
                },
                Constraint {
                    pointer: "/messages/*/content".into(),
                    rule: Rule::MaxLength(5)
                },
                Constraint {
                    pointer: "/width".into(),
                    rule: Rule::Minimum {
                        value: 0.0,
                        exclusive: true
                    }
                },
                Constraint {
                    pointer: "/width".into(),
                    rule: Rule::Maximum {
                        value: 1280.0,
                        exclusive: false
                    }
                },
            ]
        );
    }

    #[test]
    fn self_referencing_schemas_terminate() {
        let doc = json!({"components": {"schemas": {"Node": {"type": "object", "properties": {
            "next": {"$ref": "#/components/schemas/Node"}, "v": {"type": "string", "minLength": 1}
        }}}}});
        let schema = json!({"$ref": "#/components/schemas/Node"});
        let mut out = Vec::new();
        collect_constraints(&doc, &schema, String::new(), 0, &mut out);
        assert!(out.len() > 3 && out.len() < 20, "{}", out.len());
        let _ = example_for(&doc, &schema);
    }

    #[test]
    fn examples_prefer_example_then_default_then_enum() {
        let doc = json!({});
        let schema = json!({"type": "object", "properties": {
            "a": {"type": "string", "example": "x"},
            "b": {"type": "integer", "default": 4},
            "c": {"type": "string", "enum": ["p", "q"]},
            "d": {"type": "array", "items": {"type": "boolean"}},
            "e": {"type": "array", "items": {"type": "string"}, "example": "one"}
        }});
        assert_eq!(
            example_for(&doc, &schema),
            json!({"a": "x", "b": 4, "c": "p", "d": [false], "e": ["one"]})
        );
    }
}
