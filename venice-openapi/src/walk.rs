//! Visiting the schemas and operations of an OpenAPI document held as JSON.
//!
//! The passes work on `serde_json::Value` rather than on `openapiv3` types so that
//! they can repair documents `openapiv3` would reject (a response without a
//! `description`, say) before the typed parse.

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

/// Calls `f` on every schema of a `content` map (`{media type: {schema}}`).
fn walk_content(content: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    if let Some(content) = content.as_object_mut() {
        for media in content.values_mut() {
            if let Some(schema) = media.get_mut("schema") {
                walk_schema(schema, f);
            }
        }
    }
}

fn walk_parameters(params: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    if let Some(params) = params.as_array_mut() {
        for p in params {
            if let Some(schema) = p.get_mut("schema") {
                walk_schema(schema, f);
            }
            if let Some(content) = p.get_mut("content") {
                walk_content(content, f);
            }
        }
    }
}

fn walk_responses(responses: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    if let Some(responses) = responses.as_object_mut() {
        for response in responses.values_mut() {
            walk_response(response, f);
        }
    }
}

fn walk_response(response: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    if let Some(content) = response.get_mut("content") {
        walk_content(content, f);
    }
    if let Some(Value::Object(headers)) = response.get_mut("headers") {
        for header in headers.values_mut() {
            if let Some(schema) = header.get_mut("schema") {
                walk_schema(schema, f);
            }
        }
    }
}

/// Calls `f` on every schema in the document: components, parameters, bodies,
/// responses and headers, nested ones included (children before parents).
pub fn walk_all_schemas(doc: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    if let Some(components) = doc.get_mut("components") {
        if let Some(Value::Object(schemas)) = components.get_mut("schemas") {
            for schema in schemas.values_mut() {
                walk_schema(schema, f);
            }
        }
        if let Some(Value::Object(responses)) = components.get_mut("responses") {
            for response in responses.values_mut() {
                walk_response(response, f);
            }
        }
        if let Some(Value::Object(params)) = components.get_mut("parameters") {
            for p in params.values_mut() {
                if let Some(schema) = p.get_mut("schema") {
                    walk_schema(schema, f);
                }
            }
        }
        if let Some(Value::Object(bodies)) = components.get_mut("requestBodies") {
            for body in bodies.values_mut() {
                if let Some(content) = body.get_mut("content") {
                    walk_content(content, f);
                }
            }
        }
    }
    for_each_operation(doc, &mut |op| {
        if let Some(params) = op.operation.get_mut("parameters") {
            walk_parameters(params, f);
        }
        if let Some(content) = op
            .operation
            .get_mut("requestBody")
            .and_then(|b| b.get_mut("content"))
        {
            walk_content(content, f);
        }
        if let Some(responses) = op.operation.get_mut("responses") {
            walk_responses(responses, f);
        }
    });
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for item in paths.values_mut() {
            if let Some(params) = item.get_mut("parameters") {
                walk_parameters(params, f);
            }
        }
    }
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
