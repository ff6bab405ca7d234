//! Visiting the schemas and operations of an OpenAPI document held as JSON.
//!
//! The passes work on `serde_json::Value` rather than on `openapiv3` types so that
//! they can repair documents `openapiv3` would reject (a response without a
//! `description`, say) before the typed parse.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// The HTTP methods an OpenAPI path item may hold, in the order the generator visits them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Keys under which a schema holds a list of sub-schemas.
const LIST_KEYS: [&str; 3] = ["allOf", "anyOf", "oneOf"];

/// Calls `f` on `schema` and on every schema nested in it, children before parents.
pub fn walk_schema(schema: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        for child in props.values_mut() {
            walk_schema(child, f);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child @ Value::Object(_)) = obj.get_mut(key) {
            walk_schema(child, f);
        }
    }
    for key in LIST_KEYS {
        if let Some(Value::Array(list)) = obj.get_mut(key) {
            for child in list {
                walk_schema(child, f);
            }
        }
    }
    f(schema);
}

/// The values of `value` when it is a mapping (none otherwise).
fn entries(value: Option<&mut Value>) -> impl Iterator<Item = &mut Value> {
    value
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|map| map.values_mut())
}

/// Calls `f` on the `schema` of each entry of a mapping (headers, parameters).
fn walk_schemas_of(map: Option<&mut Value>, f: &mut dyn FnMut(&mut Value)) {
    for entry in entries(map) {
        if let Some(schema) = entry.get_mut("schema") {
            walk_schema(schema, f);
        }
    }
}

/// Calls `f` on every schema of a `content` map (`{media type: {schema}}`).
fn walk_content(content: Option<&mut Value>, f: &mut dyn FnMut(&mut Value)) {
    walk_schemas_of(content, f);
}

fn walk_parameters(params: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    if let Some(params) = params.as_array_mut() {
        for p in params {
            if let Some(schema) = p.get_mut("schema") {
                walk_schema(schema, f);
            }
            walk_content(p.get_mut("content"), f);
        }
    }
}

/// Calls `f` on the schemas of a response's `content` and, with `headers`, of its
/// headers.
fn walk_response(response: &mut Value, headers: bool, f: &mut dyn FnMut(&mut Value)) {
    walk_content(response.get_mut("content"), f);
    if headers {
        walk_schemas_of(response.get_mut("headers"), f);
    }
}

/// Calls `f` on every schema in the document: components, parameters, bodies,
/// responses and headers, nested ones included (children before parents).
pub fn walk_all_schemas(doc: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    if let Some(components) = doc.get_mut("components") {
        for schema in entries(components.get_mut("schemas")) {
            walk_schema(schema, f);
        }
        for response in entries(components.get_mut("responses")) {
            walk_response(response, true, f);
        }
        walk_schemas_of(components.get_mut("parameters"), f);
        for body in entries(components.get_mut("requestBodies")) {
            walk_content(body.get_mut("content"), f);
        }
    }
    for_each_operation(doc, &mut |op| {
        if let Some(params) = op.operation.get_mut("parameters") {
            walk_parameters(params, f);
        }
        walk_content(
            op.operation
                .get_mut("requestBody")
                .and_then(|b| b.get_mut("content")),
            f,
        );
        for response in entries(op.operation.get_mut("responses")) {
            walk_response(response, true, f);
        }
    });
    for item in entries(doc.get_mut("paths")) {
        if let Some(params) = item.get_mut("parameters") {
            walk_parameters(params, f);
        }
    }
}

/// Calls `f` on every schema a response can reach: inline response schemas and the
/// component schemas they reference, directly or not (children before parents).
/// Returns the number of component schemas reached.
pub fn walk_response_schemas(doc: &mut Value, f: &mut dyn FnMut(&mut Value)) -> usize {
    walk_reachable(doc, "responses", f)
}

/// Calls `f` on every schema a request body can reach (children before parents).
pub fn walk_request_schemas(doc: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    walk_reachable(doc, "requestBody", f);
}

/// Calls `f` on every schema reachable from the `key` part of each operation
/// (`responses` or `requestBody`): its inline `content` schemas (not those of
/// response headers), and the component schemas they reference, directly or not.
/// Returns the number of components reached.
fn walk_reachable(doc: &mut Value, key: &str, f: &mut dyn FnMut(&mut Value)) -> usize {
    let mut roots: Vec<String> = Vec::new();
    for_each_operation(doc, &mut |op| {
        if let Some(part) = op.operation.get(key) {
            collect_refs(part, &mut roots);
        }
    });
    if key == "responses"
        && let Some(responses) = doc.pointer("/components/responses")
    {
        collect_refs(responses, &mut roots);
    }
    let reachable = reachable_schemas(doc, roots);
    for_each_operation(doc, &mut |op| {
        let Some(part) = op.operation.get_mut(key) else {
            return;
        };
        // A request body holds `content`; a responses map holds responses that do.
        if part.get("content").is_some() {
            walk_content(part.get_mut("content"), f);
        } else {
            for response in entries(Some(part)) {
                walk_response(response, false, f);
            }
        }
    });
    if let Some(Value::Object(all)) = doc.pointer_mut("/components/schemas") {
        for name in &reachable {
            if let Some(s) = all.get_mut(name) {
                walk_schema(s, f);
            }
        }
    }
    reachable.len()
}

/// The names of the component schemas `roots` name or reference, directly or not
/// (a name without a schema counts too).
pub fn reachable_schemas(doc: &Value, mut roots: Vec<String>) -> BTreeSet<String> {
    let schemas = doc.pointer("/components/schemas");
    let mut reached = BTreeSet::new();
    while let Some(name) = roots.pop() {
        if reached.insert(name.clone())
            && let Some(schema) = schemas.and_then(|all| all.get(&name))
        {
            collect_refs(schema, &mut roots);
        }
    }
    reached
}

/// One operation of the document, handed to [`for_each_operation`] callbacks.
pub struct OperationMut<'a> {
    /// The path template, e.g. `/models/{id}`.
    pub path: &'a str,
    /// The lower-case HTTP method.
    pub method: &'static str,
    /// The operation object.
    pub operation: &'a mut Value,
}

/// Calls `f` on every operation, in document order of paths and in [`METHODS`] order.
pub fn for_each_operation(doc: &mut Value, f: &mut dyn FnMut(OperationMut<'_>)) {
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for method in METHODS {
            if let Some(operation @ Value::Object(_)) = item.get_mut(method) {
                f(OperationMut {
                    path,
                    method,
                    operation,
                });
            }
        }
    }
}

/// The component name a local `$ref` points at (`#/components/schemas/Name` → `Name`).
pub fn ref_name<'a>(reference: &'a str, section: &str) -> Option<&'a str> {
    reference
        .strip_prefix("#/components/")?
        .strip_prefix(section)?
        .strip_prefix('/')
}

/// The component name a local `$ref` value points at in `section`
/// (`{$ref: '#/components/schemas/Name'}` → `Name`).
pub fn ref_of<'a>(value: &'a Value, section: &str) -> Option<&'a str> {
    value
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| ref_name(r, section))
}

/// A copy of one section of `components` (`"schemas"`, `"parameters"`,
/// `"securitySchemes"`), `null` when absent: what a pass reads while it
/// rewrites the document.
pub fn components(doc: &Value, section: &str) -> Value {
    doc.get("components")
        .and_then(|c| c.get(section))
        .cloned()
        .unwrap_or(Value::Null)
}

/// What `value` stands for: the entry of `components` (one section, such as
/// `components.parameters`) its `$ref` in `section` points at, or `value` itself
/// when it is no such reference or the target is missing.
pub fn deref<'a>(components: &'a Value, section: &str, value: &'a Value) -> &'a Value {
    ref_of(value, section)
        .and_then(|name| components.get(name))
        .unwrap_or(value)
}

/// A copy of the schema `schema` stands for: the component schema (of
/// `components.schemas`) its `$ref` points at (`null` when missing), or `schema`.
pub fn resolved_schema(components: &Value, schema: &Value) -> Value {
    match ref_of(schema, "schemas") {
        Some(name) => components.get(name).cloned().unwrap_or(Value::Null),
        None => schema.clone(),
    }
}

/// `token` escaped for a JSON pointer (`~` → `~0`, `/` → `~1`).
pub fn pointer_escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Collects the names of component schemas referenced (directly or not) by `schema`.
pub fn collect_refs(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(obj) => {
            if let Some(Value::String(r)) = obj.get("$ref")
                && let Some(name) = ref_name(r, "schemas")
            {
                out.push(name.to_owned());
            }
            for v in obj.values() {
                collect_refs(v, out);
            }
        }
        Value::Array(list) => {
            for v in list {
                collect_refs(v, out);
            }
        }
        _ => {}
    }
}

/// Returns the object under `key`, inserting an empty one when absent.
///
/// A value of another type there is an [`Error::Invalid`](crate::Error::Invalid)
/// naming `at`; it is never overwritten.
pub fn object_entry<'a>(
    parent: &'a mut Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<&'a mut Map<String, Value>, crate::Error> {
    match parent
        .entry(key.to_owned())
        .or_insert_with(|| Value::Object(Map::new()))
    {
        Value::Object(map) => Ok(map),
        other => Err(crate::Error::Invalid {
            path: format!("{at}.{key}"),
            message: format!("expected a mapping, found {other}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn references_resolve_or_fall_back() {
        let schemas = json!({"A": {"type": "string"}});
        let a = json!({"$ref": "#/components/schemas/A"});
        let missing = json!({"$ref": "#/components/schemas/B"});
        let inline = json!({"type": "integer"});
        assert_eq!(ref_of(&a, "schemas"), Some("A"));
        assert_eq!(ref_of(&a, "parameters"), None);
        assert_eq!(deref(&schemas, "schemas", &a), &schemas["A"]);
        assert_eq!(deref(&schemas, "schemas", &missing), &missing);
        assert_eq!(resolved_schema(&schemas, &missing), Value::Null);
        assert_eq!(resolved_schema(&schemas, &inline), inline);
        assert_eq!(pointer_escape("/a~b"), "~1a~0b");
    }

    #[test]
    fn reachability_follows_references_and_walkers_skip_response_headers() {
        let mut doc = json!({
            "paths": {"/x": {"post": {
                "requestBody": {"content": {"application/json": {"schema": {"type": "boolean"}}}},
                "responses": {"200": {
                    "headers": {"h": {"schema": {"type": "number"}}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}
                }}
            }}},
            "components": {"schemas": {
                "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
                "B": {"type": "string"},
                "C": {"type": "integer"}
            }}
        });
        let reached = reachable_schemas(&doc, vec!["A".into()]);
        assert_eq!(reached.into_iter().collect::<Vec<_>>(), ["A", "B"]);
        let mut types = Vec::new();
        let n = walk_response_schemas(&mut doc, &mut |s| {
            types.push(s.get("type").map(ToString::to_string).unwrap_or_default());
        });
        assert_eq!(n, 2);
        assert!(!types.contains(&"\"number\"".to_owned()), "{types:?}");
        assert!(!types.contains(&"\"boolean\"".to_owned()), "{types:?}");
        let mut request = 0;
        walk_request_schemas(&mut doc, &mut |_| request += 1);
        assert_eq!(request, 1);
        let mut all = 0;
        walk_all_schemas(&mut doc, &mut |_| all += 1);
        // C, A, A.b, B, the body, the header and the response's $ref.
        assert_eq!(all, 7);
    }
}
