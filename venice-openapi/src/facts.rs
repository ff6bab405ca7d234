//! Facts derived from a normalized document for the SDK's hand-written layer:
//! the value constraints of request bodies (checked before a request is sent), and
//! example responses built from the spec's `example`s (for mocks and tests).

use serde_json::{Map, Value};

use crate::walk::{pointer_escape as escape, ref_of};

/// A value rule (`minItems`, `maxLength`, `maximum`, …): the SDK's own type, so the
/// generator writes what this module finds as is.
pub use venice_operation::Rule;

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

/// The HTTP methods an OpenAPI path item may hold operations under.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The header parameters of the operation at `METHOD path`, named as the spec
/// writes them: the path item's and then the operation's (a `$ref` to
/// `components/parameters` followed; an operation's parameter replaces the path
/// item's of the same name), each name once (compared without regard to case,
/// as HTTP does).
pub fn header_parameters(doc: &Value, method: &str, path: &str) -> Vec<String> {
    let item = doc.pointer(&format!("/paths/{}", escape(path)));
    let operation = item.and_then(|i| i.get(method.to_ascii_lowercase()));
    let headers_of = |holder: Option<&Value>| -> Vec<String> {
        holder
            .and_then(|h| h.get("parameters"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| resolve_component(doc, "parameters", p))
            .filter(|p| p.get("in").and_then(Value::as_str) == Some("header"))
            .filter_map(|p| p.get("name").and_then(Value::as_str))
            .map(str::to_owned)
            .collect()
    };
    let own = headers_of(operation);
    let mut out: Vec<String> = Vec::new();
    for name in headers_of(item).into_iter().chain(own.iter().cloned()) {
        if !out.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            out.push(name);
        }
    }
    out
}

/// The response headers the success answers (`2XX`) of `METHOD path` declare,
/// named as the spec writes them (a `$ref` to `components/responses` followed),
/// in document order, each name once (compared without regard to case).
pub fn success_response_headers(doc: &Value, method: &str, path: &str) -> Vec<String> {
    let pointer = format!(
        "/paths/{}/{}/responses",
        escape(path),
        method.to_ascii_lowercase()
    );
    let mut out: Vec<String> = Vec::new();
    let responses = doc.pointer(&pointer).and_then(Value::as_object);
    for (status, response) in responses.into_iter().flatten() {
        if !status.starts_with('2') {
            continue;
        }
        let response = resolve_component(doc, "responses", response);
        let names = response.get("headers").and_then(Value::as_object);
        for name in names.into_iter().flat_map(|h| h.keys()) {
            if !out.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                out.push(name.clone());
            }
        }
    }
    out
}

/// The header a wallet credential travels in: the name of the spec's security
/// scheme of type `apiKey` in a header (Venice's Sign-In-With-X scheme). The
/// bearer scheme is `type: http`, so it is never one; an `apiKey` header
/// named `Authorization` (an API key by another name) is not counted either.
/// When several such schemes exist, only those some security requirement
/// (the document's or an operation's) names count.
///
/// `Ok(None)`: the spec has no such scheme. An error names the headers when
/// two different ones remain: which one carries the wallet's token is then
/// not something the shape tells.
pub fn wallet_auth_header(doc: &Value) -> Result<Option<String>, String> {
    let schemes = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object);
    let candidates: Vec<(&String, &str)> = schemes
        .into_iter()
        .flatten()
        .filter(|(_, s)| {
            s.get("type").and_then(Value::as_str) == Some("apiKey")
                && s.get("in").and_then(Value::as_str) == Some("header")
        })
        .filter_map(|(scheme, s)| Some((scheme, s.get("name").and_then(Value::as_str)?)))
        .filter(|(_, header)| {
            !header.trim().is_empty() && !header.eq_ignore_ascii_case("authorization")
        })
        .collect();
    let mut named: Vec<&str> = Vec::new();
    requirement_names(doc.get("security"), &mut named);
    let paths = doc.get("paths").and_then(Value::as_object);
    for item in paths.into_iter().flat_map(|p| p.values()) {
        for method in METHODS {
            requirement_names(
                item.get(method).and_then(|op| op.get("security")),
                &mut named,
            );
        }
    }
    let used: Vec<&str> = candidates
        .iter()
        .filter(|(scheme, _)| named.contains(&scheme.as_str()))
        .map(|(_, header)| *header)
        .collect();
    let pool = if used.is_empty() {
        candidates.iter().map(|(_, header)| *header).collect()
    } else {
        used
    };
    let mut distinct: Vec<&str> = Vec::new();
    for header in pool {
        if !distinct.iter().any(|d| d.eq_ignore_ascii_case(header)) {
            distinct.push(header);
        }
    }
    match distinct.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some((*one).to_owned())),
        several => Err(format!(
            "several apiKey header schemes could carry the wallet credential ({}); the SDK sends the wallet token under one",
            several.join(", ")
        )),
    }
}

/// The names of the schemes a `security` list's requirements name, into `out`.
fn requirement_names<'d>(security: Option<&'d Value>, out: &mut Vec<&'d str>) {
    let requirements = security.and_then(Value::as_array);
    for requirement in requirements.into_iter().flatten() {
        out.extend(
            requirement
                .as_object()
                .into_iter()
                .flat_map(|r| r.keys())
                .map(String::as_str),
        );
    }
}

/// The entry of `components/<section>` a `$ref` of `value` points at, or
/// `value` itself (also when the target is missing).
fn resolve_component<'a>(doc: &'a Value, section: &str, value: &'a Value) -> &'a Value {
    ref_of(value, section)
        .and_then(|name| doc.pointer(&format!("/components/{section}/{}", escape(name))))
        .unwrap_or(value)
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
    fn header_parameters_merge_the_path_item_and_follow_refs() {
        let doc = json!({
            "paths": {"/pay": {
                "parameters": [{"in": "header", "name": "X-Trace"}, {"in": "query", "name": "q"}],
                "post": {"parameters": [
                    {"$ref": "#/components/parameters/Payment"},
                    {"in": "header", "name": "x-trace"},
                    {"in": "path", "name": "id"}
                ]}
            }},
            "components": {"parameters": {"Payment": {"in": "header", "name": "PAYMENT-SIGNATURE"}}}
        });
        assert_eq!(
            header_parameters(&doc, "POST", "/pay"),
            ["X-Trace", "PAYMENT-SIGNATURE"]
        );
        assert!(header_parameters(&doc, "GET", "/pay").contains(&"X-Trace".to_owned()));
        assert!(header_parameters(&doc, "GET", "/nowhere").is_empty());
    }

    #[test]
    fn response_headers_are_those_of_success_answers() {
        let doc = json!({
            "paths": {"/pay": {"post": {"responses": {
                "200": {"headers": {"PAYMENT-RESPONSE": {"schema": {"type": "string"}}}},
                "201": {"$ref": "#/components/responses/Made"},
                "402": {"headers": {"PAYMENT-REQUIRED": {}}}
            }}}},
            "components": {"responses": {"Made": {"headers": {"payment-response": {}, "Location": {}}}}}
        });
        assert_eq!(
            success_response_headers(&doc, "post", "/pay"),
            ["PAYMENT-RESPONSE", "Location"]
        );
    }

    #[test]
    fn the_wallet_header_is_the_api_key_header_scheme_by_shape() {
        let with = |schemes: Value, security: Value| {
            json!({
                "components": {"securitySchemes": schemes},
                "paths": {"/a": {"get": {"security": security}}}
            })
        };
        let bearer = json!({"type": "http", "scheme": "bearer"});
        // Whatever the scheme is called.
        let doc = with(
            json!({"Bearer": bearer, "wallet2": {"type": "apiKey", "in": "header", "name": "SIGN-IN-WITH-X"}}),
            json!([{"Bearer": []}, {"wallet2": []}]),
        );
        assert_eq!(wallet_auth_header(&doc), Ok(Some("SIGN-IN-WITH-X".into())));
        // No apiKey header scheme: none; an apiKey `Authorization` or one in
        // a query is no wallet header.
        let doc = with(
            json!({"Bearer": bearer, "key": {"type": "apiKey", "in": "header", "name": "Authorization"},
                   "q": {"type": "apiKey", "in": "query", "name": "token"}}),
            json!([{"Bearer": []}]),
        );
        assert_eq!(wallet_auth_header(&doc), Ok(None));
        // Two: the one a requirement names wins; two named are ambiguous.
        let schemes = json!({
            "a": {"type": "apiKey", "in": "header", "name": "X-One"},
            "b": {"type": "apiKey", "in": "header", "name": "X-Two"}
        });
        let doc = with(schemes.clone(), json!([{"b": []}]));
        assert_eq!(wallet_auth_header(&doc), Ok(Some("X-Two".into())));
        let doc = with(schemes.clone(), json!([{"a": []}, {"b": []}]));
        let err = wallet_auth_header(&doc).unwrap_err();
        assert!(err.contains("X-One") && err.contains("X-Two"), "{err}");
        let doc = with(schemes, json!([]));
        assert!(wallet_auth_header(&doc).is_err());
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
