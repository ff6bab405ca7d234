//! Mutations that simulate what upstream does between two specs without breaking
//! anyone: a new optional property on every object schema, a new value on every
//! enum, a new member on every union, a new operation.
//!
//! `cargo xtask mutate-check` regenerates the SDK from a mutated spec into a
//! scratch copy and compiles it with its examples: a wrapper that builds a
//! generated struct with an exhaustive literal, or matches a generated enum without
//! a fallback arm, fails there.

use serde_json::{Value, json};
use venice_openapi::walk::{resolved_schema, walk_all_schemas};

/// The name of the property added to every object schema.
pub const MUTANT_FIELD: &str = "x_mutant_field";
/// The value added to every enum of strings.
pub const MUTANT_VALUE: &str = "x-mutant-value";
/// The path of the added operation.
pub const MUTANT_PATH: &str = "/x-mutant/{id}";

/// How many places each mutation touched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mutations {
    /// Object schemas that got a new optional property.
    pub fields: usize,
    /// Enums that got a new value.
    pub enum_values: usize,
    /// Unions that got a new member.
    pub union_members: usize,
    /// Operations added.
    pub operations: usize,
}

fn is_null_only(member: &Value) -> bool {
    member.get("nullable") == Some(&Value::Bool(true))
        && member
            .as_object()
            .is_some_and(|o| !o.contains_key("type") && !o.contains_key("$ref"))
        || member.get("type").and_then(Value::as_str) == Some("null")
}

fn is_plain_string(member: &Value) -> bool {
    member.get("type").and_then(Value::as_str) == Some("string")
        && !member.as_object().is_some_and(|o| o.contains_key("format"))
}

fn accepts_anything(member: &Value) -> bool {
    member.as_object().is_some_and(|o| {
        !o.keys().any(|k| {
            matches!(
                k.as_str(),
                "type" | "$ref" | "properties" | "items" | "enum"
            )
        }) && !o.contains_key("anyOf")
            && !o.contains_key("oneOf")
            && !o.contains_key("allOf")
    })
}

/// A member a union did not have: a copy of its first object member (with a new
/// value for every single-valued property, which is how tagged unions name their
/// variants, and one more property), or a boolean for a union of other types.
fn new_member(members: &[Value], components: &Value) -> Value {
    let object = members
        .iter()
        .map(|m| resolved_schema(components, m))
        .find(|m| m.get("properties").is_some());
    match object {
        Some(mut member) => {
            if let Some(obj) = member.as_object_mut() {
                obj.remove("title");
                obj.insert(
                    "description".into(),
                    json!("A member added by the mutation check."),
                );
            }
            if let Some(Value::Object(props)) = member.get_mut("properties") {
                for prop in props.values_mut() {
                    if prop
                        .get("enum")
                        .and_then(Value::as_array)
                        .is_some_and(|e| e.len() == 1)
                    {
                        prop["enum"] = json!([MUTANT_VALUE]);
                    }
                }
                props.insert("x_mutant_member".into(), json!({"type": "string"}));
            }
            member
        }
        None => json!({"type": "boolean", "description": "A member added by the mutation check."}),
    }
}

/// Applies every mutation to a loaded (not yet normalized) document.
pub fn mutate(doc: &mut Value) -> Mutations {
    let mut m = Mutations::default();
    let components = venice_openapi::walk::components(doc, "schemas");
    walk_all_schemas(doc, &mut |schema| {
        let Some(obj) = schema.as_object_mut() else {
            return;
        };
        if let Some(Value::Object(props)) = obj.get_mut("properties")
            && !props.contains_key(MUTANT_FIELD)
        {
            props.insert(
                MUTANT_FIELD.into(),
                json!({"type": "string", "description": "A field added by the mutation check."}),
            );
            m.fields += 1;
        }
        if let Some(Value::Array(values)) = obj.get_mut("enum") {
            // A string enum gets a string, an enum of numbers a number. A
            // one-value enum is a constant (the tag that names a union's variant,
            // `success: [true]`): upstream does not grow those.
            let new = if values.len() < 2 {
                None
            } else if values.iter().all(Value::is_string) {
                Some(json!(MUTANT_VALUE))
            } else if values.iter().all(Value::is_i64) {
                values
                    .iter()
                    .filter_map(Value::as_i64)
                    .max()
                    .map(|n| json!(n + 1))
            } else {
                None
            };
            if let Some(new) = new
                && !values.contains(&new)
                && !values.iter().any(Value::is_null)
            {
                values.push(new);
                m.enum_values += 1;
            }
        }
        for key in ["anyOf", "oneOf"] {
            let Some(Value::Array(members)) = obj.get(key) else {
                continue;
            };
            let real: Vec<&Value> = members.iter().filter(|v| !is_null_only(v)).collect();
            // A union of one type and null is an optional value, strings only are a
            // string, and a union with an anything-member is any value: a new member
            // would change the field's type, which is not what this simulates.
            if real.len() < 2
                || real.iter().all(|v| is_plain_string(v))
                || real.iter().any(|v| accepts_anything(v))
            {
                continue;
            }
            let member = new_member(members, &components);
            if let Some(Value::Array(members)) = obj.get_mut(key) {
                members.push(member);
                m.union_members += 1;
            }
        }
    });
    if let Some(Value::Object(paths)) = doc.get_mut("paths")
        && !paths.contains_key(MUTANT_PATH)
    {
        paths.insert(
            MUTANT_PATH.into(),
            json!({"get": {
                "operationId": "getXMutant",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"id": {"type": "string"}}
                }}}}}
            }}),
        );
        m.operations += 1;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_mutation_applies() {
        let mut doc = json!({
            "paths": {"/a": {"get": {"responses": {}}}},
            "components": {"schemas": {
                "Obj": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["a", "b"]}}},
                "Ints": {"type": "integer", "enum": [1, 2, 4]},
                "Flag": {"type": "boolean", "enum": [true]},
                "Tagged": {"oneOf": [
                    {"type": "object", "properties": {"role": {"type": "string", "enum": ["user"]}}},
                    {"type": "object", "properties": {"role": {"type": "string", "enum": ["tool"]}}}
                ]},
                "Opt": {"anyOf": [{"type": "string"}, {"nullable": true}]},
                "Strs": {"anyOf": [{"type": "string"}, {"type": "string", "enum": ["x"]}]},
                "Mixed": {"anyOf": [{"type": "string"}, {"type": "integer"}]}
            }}
        });
        let m = mutate(&mut doc);
        let s = &doc["components"]["schemas"];
        assert_eq!(s["Obj"]["properties"][MUTANT_FIELD]["type"], "string");
        assert_eq!(
            s["Obj"]["properties"]["kind"]["enum"],
            json!(["a", "b", MUTANT_VALUE])
        );
        assert_eq!(s["Ints"]["enum"], json!([1, 2, 4, 5]));
        assert_eq!(s["Flag"]["enum"], json!([true]), "a constant stays one");
        let tagged = s["Tagged"]["oneOf"].as_array().unwrap();
        assert_eq!(tagged.len(), 3);
        assert_eq!(
            tagged[2]["properties"]["role"]["enum"],
            json!([MUTANT_VALUE])
        );
        assert_eq!(
            s["Opt"]["anyOf"].as_array().unwrap().len(),
            2,
            "optional stays optional"
        );
        assert_eq!(s["Strs"]["anyOf"].as_array().unwrap().len(), 2);
        assert_eq!(s["Mixed"]["anyOf"][2]["type"], "boolean");
        assert!(doc["paths"].get(MUTANT_PATH).is_some());
        assert_eq!(m.operations, 1);
        assert_eq!(m.union_members, 2);
        assert_eq!((m.fields, m.enum_values), (3, 2), "{m:?}");
    }
}
