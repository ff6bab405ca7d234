//! The normalization passes, each fixing one shape the generator mishandles.
//!
//! A pass is a plain function over the JSON document. It records one line for each
//! change it makes, naming where, so a maintainer running a new upstream spec sees
//! exactly what was rewritten. The passes run in the order of [`PASSES`].

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value, json};

use crate::walk::{
    collect_refs, components, deref, for_each_operation, object_entry, pointer_escape,
    reachable_schemas, ref_of, resolved_schema, walk_all_schemas, walk_request_schemas,
    walk_response_schemas, walk_schema,
};
use crate::{Auth, Error, OperationInfo, WrapReason};

/// A named normalization pass.
pub struct Pass {
    /// Short stable name, shown in the report.
    pub name: &'static str,
    /// The function; it pushes one line into the change list for each change.
    pub run: fn(&mut Value, &mut Context, &mut Vec<String>) -> Result<(), Error>,
}

/// State the passes share: what they learned about the operations.
#[derive(Debug, Default)]
pub struct Context {
    ops: Vec<OperationInfo>,
    /// (METHOD, path) → index into `ops`.
    index: HashMap<(String, String), usize>,
}

impl Context {
    fn op_mut(&mut self, method: &str, path: &str) -> Option<&mut OperationInfo> {
        let i = *self
            .index
            .get(&(method.to_ascii_uppercase(), path.to_owned()))?;
        self.ops.get_mut(i)
    }

    /// The operations with the ids they have after all passes.
    pub(crate) fn into_operations(mut self, doc: &Value) -> Vec<OperationInfo> {
        let mut doc = doc.clone();
        for_each_operation(&mut doc, &mut |op| {
            let id = op
                .operation
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_owned);
            if let (Some(info), Some(id)) = (self.op_mut(op.method, op.path), id) {
                info.operation_id = id;
            }
        });
        self.ops
    }
}

/// Every pass, in the order it runs.
pub const PASSES: &[Pass] = &[
    Pass {
        name: "inventory",
        run: inventory,
    },
    Pass {
        name: "response_descriptions",
        run: response_descriptions,
    },
    Pass {
        name: "operation_ids",
        run: operation_ids,
    },
    Pass {
        name: "transport_headers",
        run: transport_headers,
    },
    Pass {
        name: "string_formats",
        run: string_formats,
    },
    Pass {
        name: "closed_all_of",
        run: closed_all_of,
    },
    Pass {
        name: "form_bodies",
        run: form_bodies,
    },
    Pass {
        name: "binary_responses",
        run: binary_responses,
    },
    Pass {
        name: "delete_body_as_query",
        run: delete_body_as_query,
    },
    Pass {
        name: "shared_error_schema",
        run: shared_error_schema,
    },
    Pass {
        name: "single_success_schema",
        run: single_success_schema,
    },
    Pass {
        name: "nullable_unions",
        run: nullable_unions,
    },
    Pass {
        name: "discriminated_unions",
        run: discriminated_unions,
    },
    Pass {
        name: "open_response_types",
        run: open_response_types,
    },
    Pass {
        name: "nullable_required_responses",
        run: nullable_required_responses,
    },
    Pass {
        name: "request_defaults",
        run: request_defaults,
    },
    Pass {
        name: "echoed_values",
        run: echoed_values,
    },
    Pass {
        name: "secret_fields",
        run: secret_fields,
    },
    Pass {
        name: "open_unions",
        run: open_unions,
    },
    Pass {
        name: "same_type_unions",
        run: same_type_unions,
    },
    Pass {
        name: "any_of_to_one_of",
        run: any_of_to_one_of,
    },
    Pass {
        name: "enum_identifier_collisions",
        run: enum_identifier_collisions,
    },
    Pass {
        name: "title_collisions",
        run: title_collisions,
    },
];

/// Records every operation with its original id, how it authenticates and whether
/// it takes an `Idempotency-Key`.
///
/// progenitor has no security model: `security: []` (no auth for this operation),
/// optional auth (`[{}, {BearerAuth: []}]`) and wallet-only schemes are dropped on
/// the floor. The SDK reads this inventory, emitted into the generated code, to send
/// the API key only where the operation accepts it.
pub fn inventory(doc: &mut Value, ctx: &mut Context, _: &mut Vec<String>) -> Result<(), Error> {
    let schemes = components(doc, "securitySchemes");
    let global_auth = auth_mode(doc.get("security"), &schemes);
    let parameters = components(doc, "parameters");
    let path_params: HashMap<String, Value> = doc
        .get("paths")
        .and_then(Value::as_object)
        .map(|paths| {
            paths
                .iter()
                .filter_map(|(p, item)| Some((p.clone(), item.get("parameters")?.clone())))
                .collect()
        })
        .unwrap_or_default();
    for_each_operation(doc, &mut |op| {
        let original_id = op
            .operation
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let auth = match op.operation.get("security") {
            Some(sec) => auth_mode(Some(sec), &schemes),
            None => global_auth,
        };
        let declares_header = |params: Option<&Value>, name: &str| {
            params.and_then(Value::as_array).is_some_and(|list| {
                list.iter().any(|p| {
                    let p = deref(&parameters, "parameters", p);
                    p.get("in").and_then(Value::as_str) == Some("header")
                        && p.get("name")
                            .and_then(Value::as_str)
                            .is_some_and(|n| n.eq_ignore_ascii_case(name))
                })
            })
        };
        let idempotency_key = declares_header(op.operation.get("parameters"), "Idempotency-Key")
            || declares_header(path_params.get(op.path), "Idempotency-Key");
        let method = op.method.to_ascii_uppercase();
        ctx.index
            .insert((method.clone(), op.path.to_owned()), ctx.ops.len());
        ctx.ops.push(OperationInfo {
            operation_id: original_id.clone().unwrap_or_default(),
            original_id,
            method,
            path: op.path.to_owned(),
            auth,
            idempotency_key,
            generated: true,
            wrap: Vec::new(),
        });
    });
    Ok(())
}

/// The authentication mode of a security requirement list.
///
/// Absent, empty, or only empty requirements (`{}`): [`Auth::None`]. An empty
/// requirement beside others: [`Auth::Optional`]. Otherwise bearer and other
/// (wallet) schemes decide between [`Auth::Bearer`], [`Auth::BearerOrWallet`] and
/// [`Auth::Wallet`]. A requirement naming an unknown scheme counts as bearer, the
/// safe reading (the key is sent).
pub fn auth_mode(security: Option<&Value>, schemes: &Value) -> Auth {
    let Some(list) = security.and_then(Value::as_array) else {
        return Auth::None;
    };
    let mut empty = false;
    let mut bearer = false;
    let mut wallet = false;
    for requirement in list {
        let Some(req) = requirement.as_object() else {
            continue;
        };
        if req.is_empty() {
            empty = true;
        }
        for name in req.keys() {
            let scheme = schemes.get(name);
            let is_bearer = scheme.is_none_or(|s| {
                s.get("type").and_then(Value::as_str) == Some("http")
                    && s.get("scheme")
                        .and_then(Value::as_str)
                        .is_some_and(|v| v.eq_ignore_ascii_case("bearer"))
            });
            if is_bearer {
                bearer = true;
            } else {
                wallet = true;
            }
        }
    }
    match (empty, bearer, wallet) {
        (_, false, false) => Auth::None,
        (true, _, _) => Auth::Optional,
        (false, true, false) => Auth::Bearer,
        (false, true, true) => Auth::BearerOrWallet,
        (false, false, true) => Auth::Wallet,
    }
}

/// Gives every response a `description`.
///
/// Prevents: `openapiv3` rejecting the whole document ("missing field
/// `description`"), which newer Venice specs trigger.
pub fn response_descriptions(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    for_each_operation(doc, &mut |op| {
        let Some(Value::Object(responses)) = op.operation.get_mut("responses") else {
            return;
        };
        for (status, response) in responses.iter_mut() {
            let Some(response) = response.as_object_mut() else {
                continue;
            };
            if response.contains_key("$ref") || response.contains_key("description") {
                continue;
            }
            let text = status_text(status);
            response.insert("description".into(), Value::String(text.into()));
            changes.push(format!(
                "{} {} {status}: added description",
                op.method.to_ascii_uppercase(),
                op.path
            ));
        }
    });
    if let Some(Value::Object(responses)) = doc.pointer_mut("/components/responses") {
        for (name, response) in responses.iter_mut() {
            if let Some(obj) = response.as_object_mut()
                && !obj.contains_key("description")
                && !obj.contains_key("$ref")
            {
                obj.insert("description".into(), Value::String(name.clone()));
                changes.push(format!("components.responses.{name}: added description"));
            }
        }
    }
    Ok(())
}

fn status_text(status: &str) -> &'static str {
    match status.as_bytes().first() {
        Some(b'2') => "Success",
        Some(b'3') => "Redirect",
        Some(b'4') => "Client error",
        Some(b'5') => "Server error",
        _ => "Response",
    }
}

/// Gives every operation a unique `operationId`.
///
/// Prevents: progenitor refusing the spec ("path ... is missing operation ID",
/// "duplicate operation ID"). A missing id, and every duplicate but one, is replaced
/// by a name derived from the method and path: `GET /image/styles` →
/// `listImageStyles`, `GET /models/traits` → `listModelTraits`. Of a group of
/// duplicates, the operation whose derived name equals the shared id keeps it (else
/// the first in document order).
pub fn operation_ids(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    // First count the ids and the derived names.
    let mut seen: Vec<(String, &'static str, Option<String>)> = Vec::new();
    for_each_operation(doc, &mut |op| {
        let id = op
            .operation
            .get("operationId")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned);
        seen.push((op.path.to_owned(), op.method, id));
    });
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (_, _, id)) in seen.iter().enumerate() {
        if let Some(id) = id {
            groups.entry(id.as_str()).or_default().push(i);
        }
    }
    let mut keep: HashSet<usize> = HashSet::new();
    for (id, members) in &groups {
        let owner = members
            .iter()
            .copied()
            .find(|&i| derived_id(seen[i].1, &seen[i].0) == *id)
            .unwrap_or(members[0]);
        keep.insert(owner);
    }
    let mut taken: HashSet<String> = keep.iter().filter_map(|&i| seen[i].2.clone()).collect();
    let mut new_ids: HashMap<usize, String> = HashMap::new();
    for (i, (path, method, id)) in seen.iter().enumerate() {
        if keep.contains(&i) {
            continue;
        }
        let base = derived_id(method, path);
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        taken.insert(name.clone());
        changes.push(match id {
            Some(old) => format!(
                "{} {path}: duplicate operationId `{old}` renamed to `{name}`",
                method.to_ascii_uppercase()
            ),
            None => format!(
                "{} {path}: missing operationId set to `{name}`",
                method.to_ascii_uppercase()
            ),
        });
        new_ids.insert(i, name);
    }
    let mut i = 0;
    for_each_operation(doc, &mut |op| {
        if let (Some(name), Some(obj)) = (new_ids.get(&i), op.operation.as_object_mut()) {
            obj.insert("operationId".into(), Value::String(name.clone()));
        }
        i += 1;
    });
    Ok(())
}

/// The operation id derived from a method and path, in lower camel case.
///
/// The verb comes from the method (`GET` of a collection → `list`, of a templated
/// item → `get`; `POST` → `create`; `PUT`/`PATCH` → `update`; `DELETE` → `delete`).
/// Every segment but the last is made singular; `{param}` segments become
/// `By{Param}`: `GET /models/{id}/traits` → `listModelByIdTraits`.
pub fn derived_id(method: &str, path: &str) -> String {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let ends_in_param = segments.last().is_some_and(|s| s.starts_with('{'));
    let verb = match method.to_ascii_lowercase().as_str() {
        "get" if ends_in_param => "get",
        "get" => "list",
        "post" => "create",
        "put" | "patch" => "update",
        "delete" => "delete",
        other => return format!("{other}{}", camel_segments(&segments)),
    };
    format!("{verb}{}", camel_segments(&segments))
}

fn camel_segments(segments: &[&str]) -> String {
    let mut out = String::new();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        if let Some(param) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            out.push_str("By");
            out.push_str(&pascal(param));
        } else if last {
            out.push_str(&pascal(seg));
        } else {
            out.push_str(&pascal(&singular(seg)));
        }
    }
    out
}

fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.ends_with("ss") || word.ends_with("us") {
        word.to_owned()
    } else if let Some(stem) = word.strip_suffix('s') {
        stem.to_owned()
    } else {
        word.to_owned()
    }
}

/// `compatibility_mapping` → `CompatibilityMapping`, `api-keys` → `ApiKeys`.
pub fn pascal(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Header parameters that belong to the HTTP transport, not to the caller.
const TRANSPORT_HEADERS: [&str; 6] = [
    "accept-encoding",
    "accept",
    "content-type",
    "content-length",
    "authorization",
    "user-agent",
];

/// Removes header parameters that are the transport's job (`Accept-Encoding`,
/// `Content-Type`, `Authorization`, …).
///
/// Prevents: a builder method such as `.accept_encoding("gzip, br")` that fights the
/// HTTP client's own decompression (reqwest sets and decodes `Accept-Encoding`).
pub fn transport_headers(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    let components = components(doc, "parameters");
    let is_transport = |p: &Value| -> bool {
        let resolved = deref(&components, "parameters", p);
        resolved.get("in").and_then(Value::as_str) == Some("header")
            && resolved
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| TRANSPORT_HEADERS.contains(&n.to_ascii_lowercase().as_str()))
    };
    let mut strip = |params: &mut Value, at: String| {
        if let Some(list) = params.as_array_mut() {
            list.retain(|p| {
                let drop = is_transport(p);
                if drop {
                    let name = p.get("name").and_then(Value::as_str).unwrap_or("$ref");
                    changes.push(format!("{at}: removed header parameter `{name}`"));
                }
                !drop
            });
        }
    };
    for_each_operation(doc, &mut |op| {
        if let Some(params) = op.operation.get_mut("parameters") {
            strip(
                params,
                format!("{} {}", op.method.to_ascii_uppercase(), op.path),
            );
        }
    });
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            if let Some(params) = item.get_mut("parameters") {
                strip(params, path.clone());
            }
        }
    }
    Ok(())
}

/// String formats typify maps to types outside the standard library (`chrono`,
/// `uuid`) or to strict parsers (`std::net`).
const TYPED_STRING_FORMATS: [&str; 7] = ["date-time", "date", "time", "uuid", "ip", "ipv4", "ipv6"];

/// Keeps strings with a `format` such as `date-time`, `date` or `uuid` plain strings;
/// the format stays in the doc comment.
///
/// Prevents: typify emitting `chrono::DateTime<Utc>`, `chrono::NaiveDate` and
/// `uuid::Uuid`, which the SDK does not depend on (the generated code does not
/// compile), and a response whose timestamp is not strict RFC 3339 failing to decode
/// as a whole. Formats typify keeps as `String` (`uri`, `email`, …) are untouched.
pub fn string_formats(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    let mut count = 0usize;
    walk_all_objects(doc, &mut |obj| {
        if obj.get("type").and_then(Value::as_str) != Some("string") {
            return;
        }
        let Some(format) = obj.get("format").and_then(Value::as_str).map(str::to_owned) else {
            return;
        };
        if !TYPED_STRING_FORMATS.contains(&format.as_str()) {
            return;
        }
        obj.remove("format");
        let note = format!("Format: `{format}` (kept as text).");
        append_note(obj, &note);
        count += 1;
    });
    summarize(
        changes,
        count,
        "strings with a date, time, uuid or ip format kept as text",
    );
    Ok(())
}

/// Opens the closed members of an `allOf` that other members extend.
///
/// Prevents: typify resolving `allOf: [{$ref: Closed}, {properties: {extra}}]`,
/// where `Closed` has `additionalProperties: false`, to `Closed` alone: `extra`
/// silently disappears from the generated type (and `deny_unknown_fields` would
/// refuse it). The closed member is inlined without `additionalProperties: false`,
/// so the members merge into one struct with every property.
pub fn closed_all_of(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    let components = components(doc, "schemas");
    let resolve = |m: &Value| resolved_schema(&components, m);
    let mut count = 0usize;
    walk_all_schemas(doc, &mut |schema| {
        let Some(Value::Array(members)) = schema.get_mut("allOf") else {
            return;
        };
        let resolved: Vec<Value> = members.iter().map(&resolve).collect();
        let names = |s: &Value| -> BTreeSet<String> {
            s.get("properties")
                .and_then(Value::as_object)
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default()
        };
        let mut changed = false;
        for (i, member) in members.iter_mut().enumerate() {
            let closed = &resolved[i];
            if closed.get("additionalProperties") != Some(&Value::Bool(false)) {
                continue;
            }
            let own = names(closed);
            let extended = resolved
                .iter()
                .enumerate()
                .any(|(j, other)| j != i && names(other).iter().any(|n| !own.contains(n)));
            if !extended {
                continue;
            }
            let mut open = closed.clone();
            if let Some(obj) = open.as_object_mut() {
                obj.remove("additionalProperties");
            }
            *member = open;
            changed = true;
        }
        if changed {
            count += 1;
        }
    });
    summarize(
        changes,
        count,
        "allOf of a closed schema and more properties merged into one open schema",
    );
    Ok(())
}

fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// Handles request bodies that are not JSON.
///
/// Prevents: progenitor refusing the spec ("unexpected content type") on a
/// `multipart/form-data` body, and its `todo!()` on a body that offers JSON *and*
/// multipart. A body with no JSON form takes its operation out of the generated client;
/// the body schema is kept as a component type (`{OperationId}Body`) and the
/// operation is recorded for a hand-written wrapper. A body that also has JSON keeps
/// only the JSON form.
pub fn form_bodies(
    doc: &mut Value,
    ctx: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    let mut hoisted: Vec<(String, Value)> = Vec::new();
    let mut removed: Vec<(String, &'static str)> = Vec::new();
    let mut taken: HashSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    for_each_operation(doc, &mut |op| {
        let id = op
            .operation
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or("operation")
            .to_owned();
        let Some(Value::Object(content)) = op.operation.pointer_mut("/requestBody/content") else {
            return;
        };
        if content.is_empty() || content.keys().all(|k| is_json(k)) {
            return;
        }
        let where_ = format!("{} {}", op.method.to_ascii_uppercase(), op.path);
        if content.keys().any(|k| is_json(k)) {
            let dropped: Vec<String> = content.keys().filter(|k| !is_json(k)).cloned().collect();
            content.retain(|k, _| is_json(k));
            changes.push(format!("{where_}: kept the JSON body, dropped {dropped:?}"));
            return;
        }
        let mut name = format!("{}Body", pascal(&id));
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{}Body{n}", pascal(&id));
            n += 1;
        }
        taken.insert(name.clone());
        let media: Vec<String> = content.keys().cloned().collect();
        let schema = content
            .values()
            .next()
            .and_then(|m| m.get("schema"))
            .cloned()
            .unwrap_or_else(|| json!({"type": "object"}));
        hoisted.push((name.clone(), schema));
        removed.push((op.path.to_owned(), op.method));
        if let Some(info) = ctx.op_mut(op.method, op.path) {
            info.generated = false;
            info.wrap.push(WrapReason::MultipartBody {
                schema: name.clone(),
            });
        }
        changes.push(format!(
            "{where_} ({id}): {media:?} body; operation left to a wrapper, body schema kept as `{name}`"
        ));
    });
    if !hoisted.is_empty() {
        let Some(root) = doc.as_object_mut() else {
            return Ok(());
        };
        let schemas = components_schemas(root)?;
        for (name, mut schema) in hoisted {
            // Binary form fields have no JSON meaning; keep them as strings so the
            // generated type can still describe the form.
            walk_schema(&mut schema, &mut |s| {
                if s.get("format").and_then(Value::as_str) == Some("binary")
                    && let Some(obj) = s.as_object_mut()
                {
                    obj.remove("format");
                }
            });
            schemas.insert(name, schema);
        }
    }
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for (path, method) in removed {
            if let Some(Value::Object(item)) = paths.get_mut(&path) {
                item.remove(method);
                if !item
                    .keys()
                    .any(|k| crate::walk::METHODS.contains(&k.as_str()))
                {
                    paths.remove(&path);
                }
            }
        }
    }
    Ok(())
}

/// Records success responses that can be JSON or binary, keeping only the JSON form.
///
/// Prevents: the generated method failing to decode a binary answer (e.g. the PNG of
/// `return_binary: true`) as JSON without saying why. The wrapper named in the report
/// dispatches on `Content-Type` instead.
pub fn binary_responses(
    doc: &mut Value,
    ctx: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    for_each_operation(doc, &mut |op| {
        let Some(Value::Object(responses)) = op.operation.get_mut("responses") else {
            return;
        };
        let mut binary: BTreeSet<String> = BTreeSet::new();
        for (status, response) in responses.iter_mut() {
            if !status.starts_with('2') {
                continue;
            }
            let Some(Value::Object(content)) = response.get_mut("content") else {
                continue;
            };
            if content.keys().any(|k| is_json(k)) && content.keys().any(|k| !is_json(k)) {
                for k in content.keys().filter(|k| !is_json(k)) {
                    binary.insert(k.clone());
                }
                content.retain(|k, _| is_json(k));
            }
        }
        if binary.is_empty() {
            return;
        }
        let media_types: Vec<String> = binary.into_iter().collect();
        changes.push(format!(
            "{} {}: JSON response kept; {media_types:?} recorded for a wrapper",
            op.method.to_ascii_uppercase(),
            op.path
        ));
        if let Some(info) = ctx.op_mut(op.method, op.path) {
            info.wrap.push(WrapReason::BinaryResponse { media_types });
        }
    });
    Ok(())
}

/// Replaces a `DELETE` body that is a copy of the success response with the query
/// parameter `id`.
///
/// Prevents: a generated `delete` that sends the response schema (`{success: bool}`)
/// as its body and has no way to name the resource. The API takes the id as query
/// parameter `id`, as every later spec documents.
pub fn delete_body_as_query(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    for_each_operation(doc, &mut |op| {
        if op.method != "delete" {
            return;
        }
        let body = op
            .operation
            .pointer("/requestBody/content/application~1json/schema")
            .cloned();
        let Some(body) = body else {
            return;
        };
        let Some(Value::Object(responses)) = op.operation.get("responses") else {
            return;
        };
        let copies_response = responses.iter().any(|(status, r)| {
            status.starts_with('2') && r.pointer("/content/application~1json/schema") == Some(&body)
        });
        if !copies_response {
            return;
        }
        let Some(obj) = op.operation.as_object_mut() else {
            return;
        };
        obj.remove("requestBody");
        let params = obj
            .entry("parameters")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(list) = params.as_array_mut() {
            let has_id = list
                .iter()
                .any(|p| p.get("name").and_then(Value::as_str) == Some("id"));
            if !has_id {
                list.push(json!({
                    "name": "id",
                    "in": "query",
                    "required": true,
                    "description": "The id of the resource to delete.",
                    "schema": {"type": "string"}
                }));
            }
        }
        changes.push(format!(
            "DELETE {}: body copied the response schema; replaced by query parameter `id`",
            op.path
        ));
    });
    Ok(())
}

/// The name of the shared error schema.
pub const ERROR_SCHEMA: &str = "ApiErrorBody";

/// Points every 4xx/5xx response at one shared error schema, and adds `4XX`/`5XX`
/// so statuses the spec does not list decode the same way.
///
/// Prevents: progenitor naming every inline response `{OpId}Response` so that the
/// first (the success type) wins and each error body fails to decode as
/// `InvalidResponsePayload`; and its panic on `assert!(response_types.len() <= 1)`
/// when several distinct error schemas are referenced. The shared schema accepts
/// every shape Venice sends: `{"error": "…"}`, `{"error": {"message": …}}`, with
/// `details`, `issues` or `code`.
pub fn shared_error_schema(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    let Some(root) = doc.as_object_mut() else {
        return Ok(());
    };
    let schemas = components_schemas(root)?;
    if let Some(existing) = schemas.get(ERROR_SCHEMA) {
        if existing != &error_schema() {
            return Err(Error::Unsupported {
                pass: "shared_error_schema",
                location: format!("components.schemas.{ERROR_SCHEMA}"),
                message: format!(
                    "the spec defines its own `{ERROR_SCHEMA}`; rename ERROR_SCHEMA in the pass"
                ),
            });
        }
    } else {
        schemas.insert(ERROR_SCHEMA.into(), error_schema());
    }
    // The properties the replaced error bodies declare (x402's `accepts`,
    // `x402Version`, `topUpInstructions`, …) stay readable as untyped fields.
    let components = components(doc, "schemas");
    let mut extra: Vec<(String, String)> = Vec::new();
    for_each_operation(doc, &mut |op| {
        let Some(Value::Object(responses)) = op.operation.get("responses") else {
            return;
        };
        for (status, response) in responses {
            if !(status.starts_with('4') || status.starts_with('5')) {
                continue;
            }
            if let Some(schema) = response.pointer("/content/application~1json/schema") {
                error_property_names(schema, &components, 0, &mut extra);
            }
        }
    });
    let mut added = Vec::new();
    if let Some(Value::Object(props)) =
        doc.pointer_mut(&format!("/components/schemas/{ERROR_SCHEMA}/properties"))
    {
        for (name, description) in extra {
            if !props.contains_key(&name) {
                props.insert(name.clone(), json!({"description": description}));
                added.push(name);
            }
        }
    }
    if !added.is_empty() {
        changes.push(format!(
            "`{ERROR_SCHEMA}` keeps the fields of the error bodies it replaces: {}",
            added.join(", ")
        ));
    }
    let reference = json!({"$ref": format!("#/components/schemas/{ERROR_SCHEMA}")});
    for_each_operation(doc, &mut |op| {
        let where_ = format!("{} {}", op.method.to_ascii_uppercase(), op.path);
        let Some(op_obj) = op.operation.as_object_mut() else {
            return;
        };
        // A malformed `responses` is left for the OpenAPI parse to report.
        let Value::Object(responses) = op_obj
            .entry("responses")
            .or_insert_with(|| Value::Object(Map::new()))
        else {
            return;
        };
        // Every error status decodes to the same type, so the listed statuses fold
        // into the `4XX`/`5XX` ranges; their descriptions are kept in the range's.
        let mut notes: [Vec<String>; 2] = [Vec::new(), Vec::new()];
        let mut folded = 0;
        responses.retain(|status, response| {
            let class = match status.as_bytes().first() {
                Some(b'4') => 0,
                Some(b'5') => 1,
                _ => return true,
            };
            if !status.eq_ignore_ascii_case("4XX") && !status.eq_ignore_ascii_case("5XX") {
                folded += 1;
            }
            let description = response
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !description.is_empty() {
                notes[class].push(
                    if status.len() == 3 && status.bytes().all(|b| b.is_ascii_digit()) {
                        format!("{status}: {description}")
                    } else {
                        description.to_owned()
                    },
                );
            }
            false
        });
        for (class, range) in ["4XX", "5XX"].into_iter().enumerate() {
            let description = if notes[class].is_empty() {
                if class == 0 {
                    "Client error".to_owned()
                } else {
                    "Server error".to_owned()
                }
            } else {
                notes[class].join("; ")
            };
            responses.insert(
                range.into(),
                json!({
                    "description": description,
                    "content": {"application/json": {"schema": reference.clone()}}
                }),
            );
        }
        changes.push(format!(
            "{where_}: {folded} error responses folded into 4XX/5XX of `{ERROR_SCHEMA}`"
        ));
    });
    Ok(())
}

/// Gives all JSON success responses of an operation one schema: when they differ
/// (`200` one object, `201` another), every one gets a `oneOf` of the distinct
/// schemas.
///
/// Prevents: progenitor's panic on `assert!(response_types.len() <= 1)` for an
/// operation with several success types.
pub fn single_success_schema(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    for_each_operation(doc, &mut |op| {
        let Some(Value::Object(responses)) = op.operation.get_mut("responses") else {
            return;
        };
        let mut distinct: Vec<Value> = Vec::new();
        for (status, response) in responses.iter() {
            if !status.starts_with('2') {
                continue;
            }
            if let Some(schema) = response.pointer("/content/application~1json/schema")
                && !distinct.contains(schema)
            {
                distinct.push(schema.clone());
            }
        }
        if distinct.len() < 2 {
            return;
        }
        let merged = json!({"oneOf": distinct});
        for (status, response) in responses.iter_mut() {
            if status.starts_with('2')
                && let Some(schema) = response.pointer_mut("/content/application~1json/schema")
            {
                *schema = merged.clone();
            }
        }
        changes.push(format!(
            "{} {}: {} distinct success schemas merged into one oneOf",
            op.method.to_ascii_uppercase(),
            op.path,
            distinct.len()
        ));
    });
    Ok(())
}

/// The top-level property names (with a description) of an error body schema,
/// following `$ref`s and the members of unions.
fn error_property_names(
    schema: &Value,
    components: &Value,
    depth: usize,
    out: &mut Vec<(String, String)>,
) {
    if depth > 8 {
        return;
    }
    if let Some(name) = ref_of(schema, "schemas") {
        if let Some(target) = components.get(name) {
            error_property_names(target, components, depth + 1, out);
        }
        return;
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(members)) = schema.get(key) {
            for m in members {
                error_property_names(m, components, depth + 1, out);
            }
        }
    }
    if let Some(Value::Object(props)) = schema.get("properties") {
        for (name, prop) in props {
            if out.iter().any(|(n, _)| n == name) {
                continue;
            }
            let description = prop
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("A field of some error bodies.")
                .to_owned();
            out.push((name.clone(), description));
        }
    }
}

fn error_schema() -> Value {
    json!({
        "description": "An error body as the Venice API sends it. `error` is usually a message string and sometimes an object with a `message`; validation errors add `details` or `issues`.",
        "type": "object",
        "properties": {
            "error": {"description": "The error message, or an object holding it."},
            "message": {"type": "string", "description": "A message, when the body carries one outside `error`."},
            "code": {"description": "A machine-readable error code, when given."},
            "details": {"description": "Details about invalid input."},
            "issues": {"description": "Validation issues."}
        }
    })
}

/// A union member that only says "or null": `{nullable: true}`, `{type: "null"}`,
/// `{enum: [null]}` (with at most documentation keys beside).
fn is_null_only(member: &Value) -> bool {
    let Some(obj) = member.as_object() else {
        return false;
    };
    let says_null = obj.get("nullable") == Some(&Value::Bool(true))
        || obj.get("type").and_then(Value::as_str) == Some("null")
        || obj.get("enum") == Some(&json!([null]));
    let doc_only = obj.keys().all(|k| {
        matches!(
            k.as_str(),
            "nullable" | "type" | "enum" | "description" | "title" | "example" | "default"
        )
    });
    let type_ok = obj.get("type").is_none_or(|t| t.as_str() == Some("null"));
    let enum_ok = obj.get("enum").is_none_or(|e| e == &json!([null]));
    says_null && doc_only && type_ok && enum_ok
}

/// Folds null-only members of `anyOf`/`oneOf` into `nullable: true`.
///
/// Prevents: typify turning `anyOf: [{type: string}, {nullable: true}]` into a struct
/// of `#[serde(flatten)] subtype_N: Option<..>` fields, which fails at run time both
/// ways ("can only flatten structs and maps"). One remaining member becomes the
/// schema itself (a `$ref` is kept under a single `allOf`), so the Rust type is
/// `Option<T>`; several remain a union.
pub fn nullable_unions(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    let mut count = 0usize;
    walk_all_schemas(doc, &mut |schema| {
        if fold_nullable(schema) {
            count += 1;
        }
    });
    summarize(
        changes,
        count,
        "unions with null-only members made nullable",
    );
    Ok(())
}

fn fold_nullable(schema: &mut Value) -> bool {
    let Some(obj) = schema.as_object_mut() else {
        return false;
    };
    let mut changed = false;
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(members)) = obj.get(key) else {
            continue;
        };
        if !members.iter().any(is_null_only) {
            continue;
        }
        let rest: Vec<Value> = members
            .iter()
            .filter(|m| !is_null_only(m))
            .cloned()
            .collect();
        obj.remove(key);
        obj.insert("nullable".into(), Value::Bool(true));
        changed = true;
        match rest.len() {
            0 => {}
            1 => {
                let Some(Value::Object(member)) = rest.into_iter().next() else {
                    continue;
                };
                if member.contains_key("$ref") {
                    obj.insert("allOf".into(), Value::Array(vec![Value::Object(member)]));
                } else {
                    for (k, v) in member {
                        if k != "nullable" && !obj.contains_key(&k) {
                            obj.insert(k, v);
                        }
                    }
                }
            }
            _ => {
                obj.insert(key.into(), Value::Array(rest));
            }
        }
    }
    changed
}

/// Makes every schema a response can reach tolerant of what the server adds later:
/// no `additionalProperties: false`, closed string enums become strings, and string
/// `pattern`s are dropped.
///
/// Prevents: `#[serde(deny_unknown_fields)]` on response types (a new server field
/// breaks decoding) and closed enums with no catch-all (a new model `type` or
/// `finish_reason` breaks decoding). The string keeps whatever value the server sent;
/// the known values stay in the doc comment. A `pattern` would make typify validate
/// (and reject) what the server sends.
pub fn open_response_types(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    let mut opened = 0usize;
    let reachable = walk_response_schemas(doc, &mut |schema| opened += open_schema(schema));
    if opened > 0 {
        changes.push(format!(
            "{opened} response schemas opened (unknown fields and enum values accepted); {reachable} component schemas reachable from responses"
        ));
    }
    // Components no operation reaches are only ever read by users (the spec keeps
    // them as documentation of a shape): opened like response types.
    let mut orphans = 0usize;
    walk_orphan_schemas(doc, &mut |schema| {
        let mut n = 0;
        walk_schema(schema, &mut |s| n += open_schema(s));
        if n > 0 {
            orphans += 1;
        }
    });
    summarize(
        changes,
        orphans,
        "component schemas no operation uses opened like response types",
    );
    Ok(())
}

/// Calls `f` on each component schema no operation reaches (directly or not):
/// a shape the spec only documents, which users only ever read.
fn walk_orphan_schemas(doc: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    let mut used: Vec<String> = Vec::new();
    for_each_operation(doc, &mut |op| collect_refs(op.operation, &mut used));
    if let Some(responses) = doc.pointer("/components/responses") {
        collect_refs(responses, &mut used);
    }
    let reached = reachable_schemas(doc, used);
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for (name, schema) in schemas.iter_mut() {
            if !reached.contains(name) {
                f(schema);
            }
        }
    }
}

/// A key marking a discriminator property that [`open_response_types`] keeps
/// closed (set by [`discriminated_unions`], removed when read).
const DISCRIMINATOR_MARK: &str = "x-venice-discriminator";

/// Marks the member [`discriminated_unions`] adds: it takes any JSON value, but
/// is not a member that makes the union take anything (`open_unions`).
const UNKNOWN_MEMBER_MARK: &str = "x-venice-unknown-member";

/// Title of the member [`discriminated_unions`] adds to each union it keeps
/// discriminable.
const UNKNOWN_MEMBER_TITLE: &str = "Unknown";

/// Keeps the tag of response unions closed, and adds a member for tags not
/// known yet.
///
/// Prevents: an untagged enum decoding every item as its first member. A union
/// whose members are objects told apart by one property holding a one-value
/// enum (`type: message`, `type: reasoning`, …) is read by trying each member in
/// turn; once [`open_response_types`] turns that property into a plain string,
/// the first member whose other fields fit wins (a `message` output read as
/// `reasoning`, its content lost). Here the tag stays a one-value enum, so a
/// member only matches its own tag, and a last member (an object, titled
/// `Unknown`) takes any item of a type upstream adds later, so a new type never
/// fails the whole response. Members may be inline or `$ref`s.
pub fn discriminated_unions(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    let components = components(doc, "schemas");
    let mut unions = 0usize;
    // Component members are marked once all unions are found (the walk holds
    // the document).
    let mut component_marks: Vec<(String, String)> = Vec::new();
    let mut visit = |schema: &mut Value| {
        let Some(obj) = schema.as_object_mut() else {
            return;
        };
        for key in ["anyOf", "oneOf"] {
            let Some(Value::Array(members)) = obj.get_mut(key) else {
                continue;
            };
            let resolved: Vec<Value> = members
                .iter()
                .map(|m| resolved_schema(&components, m))
                .collect();
            let Some(tag) = discriminator(&resolved) else {
                continue;
            };
            for member in members.iter_mut() {
                match ref_of(member, "schemas") {
                    Some(name) => component_marks.push((name.to_owned(), tag.clone())),
                    None => {
                        if let Some(Value::Object(p)) =
                            member.pointer_mut(&format!("/properties/{}", pointer_escape(&tag)))
                        {
                            mark_discriminator(p, &tag);
                        }
                    }
                }
            }
            members.push(json!({
                "title": UNKNOWN_MEMBER_TITLE,
                // Any JSON (not only an object): an item the server sent as
                // `null` or missing what the spec requires is kept too. The
                // mark keeps `open_unions` from folding the union into it.
                UNKNOWN_MEMBER_MARK: true,
                "description": format!(
                    "An item whose `{tag}` this version of the SDK does not know, or that lacks what the spec requires: the JSON as sent."
                ),
            }));
            unions += 1;
        }
    };
    walk_response_schemas(doc, &mut visit);
    // Shapes only documented are read like responses (see `open_response_types`).
    walk_orphan_schemas(doc, &mut |schema| walk_schema(schema, &mut visit));
    for (name, tag) in component_marks {
        let at = format!(
            "/components/schemas/{}/properties/{}",
            pointer_escape(&name),
            pointer_escape(&tag)
        );
        if let Some(Value::Object(p)) = doc.pointer_mut(&at) {
            mark_discriminator(p, &tag);
        }
    }
    summarize(
        changes,
        unions,
        "response unions told apart by a one-value tag kept discriminable, with a member for unknown tags",
    );
    Ok(())
}

/// Marks the one-value enum `prop` (named `tag`) to stay closed, and titles it
/// after its value (`type: function_call` → `FunctionCallType`).
///
/// Without the title typify names it after the member's title and the property
/// (`FunctionCallOutputType`), and reuses the first type of that name for a
/// same-titled member elsewhere holding another value, so the other member never
/// matches. Named after the value, two tags share a type only when they hold the
/// same value.
fn mark_discriminator(prop: &mut Map<String, Value>, tag: &str) {
    prop.insert(DISCRIMINATOR_MARK.into(), Value::Bool(true));
    if let Some([Value::String(value)]) = prop
        .get("enum")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        let title = format!("{value}_{tag}");
        prop.insert("title".into(), Value::String(title));
    }
}

/// The property that tells the members of a union apart, when there is one:
/// every member (at least two) is an object holding it as a one-value string
/// enum, each with a different value.
fn discriminator(members: &[Value]) -> Option<String> {
    let first = members.first()?.get("properties")?.as_object()?;
    if members.len() < 2 {
        return None;
    }
    let one_value = |member: &Value, name: &str| -> Option<String> {
        let prop = member.get("properties")?.get(name)?;
        if prop.get("type").and_then(Value::as_str) != Some("string") {
            return None;
        }
        match prop.get("enum")?.as_array()?.as_slice() {
            [Value::String(v)] => Some(v.clone()),
            _ => None,
        }
    };
    first
        .keys()
        .find(|name| {
            let mut seen = HashSet::new();
            members
                .iter()
                .all(|m| one_value(m, name).is_some_and(|v| seen.insert(v)))
        })
        .cloned()
}

fn open_schema(schema: &mut Value) -> usize {
    let Some(obj) = schema.as_object_mut() else {
        return 0;
    };
    if obj.remove(DISCRIMINATOR_MARK).is_some() {
        return 0;
    }
    let mut n = 0;
    if obj.get("additionalProperties") == Some(&Value::Bool(false)) {
        obj.remove("additionalProperties");
        n += 1;
    }
    let is_string = obj.get("type").and_then(Value::as_str) == Some("string");
    if is_string && obj.remove("pattern").is_some() {
        n += 1;
    }
    // An integer's bounds make typify pick `NonZeroU64` (`minimum: 1`) or a
    // narrower type: what the server sends is what it is.
    if obj.get("type").and_then(Value::as_str) == Some("integer") {
        for bound in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] {
            if obj.remove(bound).is_some() {
                n += 1;
            }
        }
    }
    if is_string && let Some(Value::Array(values)) = obj.remove("enum") {
        let known: Vec<String> = values
            .iter()
            .filter_map(Value::as_str)
            .map(|v| format!("`{v}`"))
            .collect();
        let note = format!("Known values: {}.", known.join(", "));
        append_note(obj, &note);
        n += 1;
    }
    n
}

/// Keeps as raw JSON the values the spec says to send back exactly as
/// received (`reasoning_details`: "pass back the reasoning_details exactly as
/// received to preserve thought signatures").
///
/// Prevents: a typed struct for such an object drops the keys the spec does not
/// list (a provider's `signature`) and rewrites numbers (`"index": 0` becomes
/// `0.0` once typed `number`), so the value sent back is not the one received
/// and the provider refuses it or loses its chain of thought. An object, or the
/// objects of an array, whose property description says "exactly as received"
/// becomes any JSON (`serde_json::Value`); a string stays a string (it is
/// sent back as it is).
pub fn echoed_values(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    let mut count = 0usize;
    // Requests and answers alike: the value read from an answer is the one sent back.
    walk_all_schemas(doc, &mut |schema| {
        let Some(Value::Object(props)) = schema.get_mut("properties") else {
            return;
        };
        for prop in props.values_mut() {
            let echoed = prop
                .get("description")
                .and_then(Value::as_str)
                .is_some_and(|d| d.to_ascii_lowercase().contains("exactly as received"));
            if !echoed {
                continue;
            }
            let target = if prop.get("type").and_then(Value::as_str) == Some("array") {
                prop.get_mut("items")
            } else {
                Some(&mut *prop)
            };
            let Some(Value::Object(target)) = target else {
                continue;
            };
            let is_object = target.get("type").and_then(Value::as_str) == Some("object")
                || target.contains_key("properties");
            if is_object {
                let description = target.get("description").cloned();
                target.clear();
                if let Some(d) = description {
                    target.insert("description".into(), d);
                }
                append_note(target, "Kept as the JSON received: sent back unchanged.");
                count += 1;
            }
        }
    });
    summarize(
        changes,
        count,
        "request values the spec says to send back exactly as received kept as raw JSON",
    );
    Ok(())
}

/// Makes required-but-nullable properties of response schemas optional.
///
/// Prevents: typify decoding a required nullable field with
/// `deserialize_with = "Option::deserialize"`, which fails with "missing field" when
/// the server leaves the field out instead of sending `null` (the chat completion's
/// `choices[].logprobs`). The Rust type stays `Option<T>`; absent and `null` both
/// read as `None`.
pub fn nullable_required_responses(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    let mut count = 0usize;
    walk_response_schemas(doc, &mut |schema| {
        let nullable: HashSet<String> = match schema.get("properties") {
            Some(Value::Object(props)) => props
                .iter()
                .filter(|(_, p)| p.get("nullable") == Some(&Value::Bool(true)))
                .map(|(k, _)| k.clone())
                .collect(),
            _ => return,
        };
        if let Some(Value::Array(required)) = schema.get_mut("required") {
            let before = required.len();
            required.retain(|r| r.as_str().is_none_or(|r| !nullable.contains(r)));
            count += before - required.len();
        }
    });
    summarize(
        changes,
        count,
        "required nullable response fields made optional (absent reads as null)",
    );
    Ok(())
}

/// Leaves the defaults of optional request fields to the server.
///
/// Prevents: typify turning an optional field with a `default` into a plain field
/// (`temperature: f64`) that is always sent with the spec's default, overriding the
/// server's own (per-model) default. The field becomes `Option<T>` and is only sent
/// when set; the default stays in its doc comment.
pub fn request_defaults(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    let mut count = 0usize;
    walk_request_schemas(doc, &mut |schema| {
        let required: HashSet<String> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let Some(Value::Object(props)) = schema.get_mut("properties") else {
            return;
        };
        for (name, prop) in props.iter_mut() {
            if required.contains(name) {
                continue;
            }
            let Some(p) = prop.as_object_mut() else {
                continue;
            };
            let Some(default) = p.remove("default") else {
                continue;
            };
            let note = format!("Defaults to `{default}` on the server when unset.");
            append_note(p, &note);
            count += 1;
        }
    });
    summarize(
        changes,
        count,
        "optional request fields no longer sent with the spec's default",
    );
    Ok(())
}

/// The Rust type that holds secrets returned by the API: typify uses it instead of
/// `String` for a schema carrying this as its `x-rust-type` extension.
pub fn secret_rust_type() -> Value {
    json!({"crate": "venice-sdk", "version": "*", "path": "venice_sdk::Secret"})
}

/// Whether a property name denotes an API key or another credential.
pub fn is_secret_name(name: &str) -> bool {
    let key: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    key == "apikey" || key.ends_with("secret") || key == "password" || key == "privatekey"
}

/// Gives string properties that hold credentials (`apiKey`, `api_key`, `secret`, …)
/// in responses the SDK's `Secret` type.
///
/// Prevents: the `#[derive(Debug)]` of generated response types printing a newly
/// created API key into logs and panic messages. `Secret` serializes as the plain
/// string and prints as `Secret(<redacted>)`.
pub fn secret_fields(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    let mut count = 0usize;
    let mut mark = |schema: &mut Value| {
        let Some(Value::Object(props)) = schema.get_mut("properties") else {
            return;
        };
        for (name, prop) in props.iter_mut() {
            let Some(p) = prop.as_object_mut() else {
                continue;
            };
            if is_secret_name(name)
                && p.get("type").and_then(Value::as_str) == Some("string")
                && !p.contains_key("x-rust-type")
            {
                p.insert("x-rust-type".into(), secret_rust_type());
                count += 1;
            }
        }
    };
    walk_response_schemas(doc, &mut mark);
    summarize(
        changes,
        count,
        "credential fields in responses typed as `Secret`",
    );
    Ok(())
}

/// Whether a schema accepts any JSON value: `{}`, or only documentation keys.
fn accepts_anything(schema: &Value) -> bool {
    schema.as_object().is_some_and(|o| {
        o.keys().all(|k| {
            matches!(
                k.as_str(),
                "description" | "title" | "example" | "examples" | "deprecated"
            )
        })
    })
}

/// Replaces a union that has a member accepting anything (`{}`) by that member.
///
/// Prevents: typify emitting an untagged enum such as `Variant0(Value)`,
/// `Variant1(String)`, `Variant2(String)` for `anyOf: [{}, string, string(uri)]`:
/// the first variant swallows every value, so the others are never read and only
/// confuse callers. The union accepts any value, so its type is `serde_json::Value`;
/// the members stay described in the doc comment.
pub fn open_unions(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    let mut count = 0usize;
    walk_all_objects(doc, &mut |obj| {
        for key in ["anyOf", "oneOf"] {
            let Some(Value::Array(members)) = obj.get(key) else {
                continue;
            };
            if !members.iter().any(accepts_anything) {
                continue;
            }
            let kinds: Vec<String> = members
                .iter()
                .map(|m| {
                    let t = m.get("type").and_then(Value::as_str).unwrap_or("any value");
                    match m.get("format").and_then(Value::as_str) {
                        Some(f) => format!("{t} ({f})"),
                        None => t.to_owned(),
                    }
                })
                .collect();
            obj.remove(key);
            let note = format!("Any JSON value (the spec lists: {}).", kinds.join(", "));
            append_note(obj, &note);
            count += 1;
        }
    });
    summarize(
        changes,
        count,
        "unions with a member accepting anything made any JSON value",
    );
    Ok(())
}

/// Merges union members that are all strings (enums or not) into one string schema.
///
/// Prevents: typify's `unreachable!()` panic on `anyOf` of same-typed enums. Members
/// that are all enums merge into one enum with the union of values; if any member is
/// a free string, the result is a free string.
pub fn same_type_unions(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    let mut count = 0usize;
    walk_all_objects(doc, &mut |obj| {
        for key in ["anyOf", "oneOf"] {
            let Some(Value::Array(members)) = obj.get(key) else {
                continue;
            };
            let all_plain_strings = members.len() > 1
                && members.iter().all(|m| {
                    m.as_object().is_some_and(|o| {
                        o.get("type").and_then(Value::as_str) == Some("string")
                            && o.keys().all(|k| {
                                matches!(
                                    k.as_str(),
                                    "type"
                                        | "enum"
                                        | "description"
                                        | "title"
                                        | "example"
                                        | "nullable"
                                )
                            })
                    })
                });
            if !all_plain_strings {
                continue;
            }
            let mut values: Vec<Value> = Vec::new();
            let mut free = false;
            let mut nullable = false;
            for m in members {
                nullable |= m.get("nullable") == Some(&Value::Bool(true));
                match m.get("enum").and_then(Value::as_array) {
                    Some(list) => {
                        for v in list {
                            if !values.contains(v) {
                                values.push(v.clone());
                            }
                        }
                    }
                    None => free = true,
                }
            }
            obj.remove(key);
            obj.insert("type".into(), Value::String("string".into()));
            if nullable {
                obj.insert("nullable".into(), Value::Bool(true));
            }
            if !free {
                obj.insert("enum".into(), Value::Array(values));
            }
            count += 1;
        }
    });
    summarize(
        changes,
        count,
        "unions of string schemas merged into one string schema",
    );
    Ok(())
}

/// Turns every remaining `anyOf` into `oneOf`.
///
/// Prevents: typify modelling `anyOf` as a struct of flattened optional members,
/// which cannot deserialize primitives and fails at run time. A `oneOf` becomes an
/// untagged (or, when the members share a discriminating constant, tagged) enum that
/// tries the members in order: the right reading for a value that matches any of them.
pub fn any_of_to_one_of(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    let mut count = 0usize;
    walk_all_objects(doc, &mut |obj| {
        if let Some(members) = obj.remove("anyOf") {
            if obj.contains_key("oneOf") {
                // Both present: keep the anyOf as an allOf constraint of the oneOf.
                let all = obj
                    .entry("allOf")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Some(all) = all.as_array_mut() {
                    all.push(json!({"oneOf": members}));
                }
            } else {
                match members {
                    Value::Array(list) if list.len() == 1 => {
                        obj.insert("allOf".into(), Value::Array(list));
                    }
                    other => {
                        obj.insert("oneOf".into(), other);
                    }
                }
            }
            count += 1;
        }
    });
    summarize(changes, count, "anyOf unions turned into oneOf");
    Ok(())
}

/// The identifier typify would derive from an enum value, reduced to what decides a
/// collision: letters and digits, case folded.
fn identifier_key(value: &str) -> String {
    value
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Turns string enums whose values collide as Rust identifiers into free strings.
///
/// Prevents: typify's panic on enums such as `[auto, Auto]` (two variants named
/// `Auto`). The values stay in the doc comment.
pub fn enum_identifier_collisions(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    let mut count = 0usize;
    walk_all_schemas(doc, &mut |schema| {
        let Some(Value::Array(values)) = schema.get("enum") else {
            return;
        };
        let mut keys = HashSet::new();
        let collides = values.iter().any(|v| match v {
            Value::String(s) => !keys.insert(identifier_key(s)),
            _ => false,
        });
        if collides {
            open_schema(schema);
            count += 1;
        }
    });
    summarize(
        changes,
        count,
        "enums with values that collide as Rust identifiers made free strings",
    );
    Ok(())
}

/// The type name typify derives from a title or component name, reduced to what
/// decides a collision (letters and digits, case folded).
fn type_name_key(title: &str) -> String {
    identifier_key(title)
}

/// Drops the `title` of schemas whose title names different shapes (or the name of
/// a component with another shape).
///
/// Prevents: typify naming a type after its title and reusing the first type of a
/// name for every later schema with that title, whatever its shape (typify's
/// `assign_type`: "If there's already a type of this name … type_id.clone()"). The
/// later schemas would decode as the first one's type. Without a title, typify names
/// each after the place it appears.
pub fn title_collisions(
    doc: &mut Value,
    _: &mut Context,
    changes: &mut Vec<String>,
) -> Result<(), Error> {
    // The direct members of a union name its variants, not types: leave them be.
    walk_all_schemas(doc, &mut |schema| {
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(members)) = schema.get_mut(key) {
                for m in members {
                    if let Some(obj) = m.as_object_mut() {
                        obj.insert(MEMBER_MARK.into(), Value::Bool(true));
                    }
                }
            }
        }
    });
    let mut shapes: HashMap<String, Vec<Value>> = HashMap::new();
    let mut record = |name: &str, schema: &Value| {
        let mut shape = schema.clone();
        if let Some(obj) = shape.as_object_mut() {
            obj.remove("title");
            obj.remove(MEMBER_MARK);
        }
        let list = shapes.entry(type_name_key(name)).or_default();
        if !list.contains(&shape) {
            list.push(shape);
        }
    };
    if let Some(Value::Object(components)) = doc.pointer("/components/schemas") {
        for (name, schema) in components {
            record(name, schema);
        }
    }
    let mut scan = doc.clone();
    walk_all_schemas(&mut scan, &mut |schema| {
        if schema.get(MEMBER_MARK).is_some() {
            return;
        }
        if let Some(title) = schema.get("title").and_then(Value::as_str) {
            let title = title.to_owned();
            record(&title, schema);
        }
    });
    let colliding: BTreeSet<String> = shapes
        .into_iter()
        .filter(|(_, list)| list.len() > 1)
        .map(|(k, _)| k)
        .collect();
    let mut dropped: BTreeSet<String> = BTreeSet::new();
    let mut count = 0usize;
    walk_all_objects(doc, &mut |obj| {
        if obj.remove(MEMBER_MARK).is_some() {
            return;
        }
        let Some(title) = obj.get("title").and_then(Value::as_str).map(str::to_owned) else {
            return;
        };
        if colliding.contains(&type_name_key(&title)) {
            obj.remove("title");
            dropped.insert(title);
            count += 1;
        }
    });
    if count > 0 {
        let names: Vec<String> = dropped.iter().map(|t| format!("`{t}`")).collect();
        changes.push(format!(
            "{count} titles naming different shapes dropped: {}",
            names.join(", ")
        ));
    }
    Ok(())
}

/// Calls `f` on every schema of the document that is a mapping (see
/// [`walk_all_schemas`]).
fn walk_all_objects(doc: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    walk_all_schemas(doc, &mut |schema| {
        if let Some(obj) = schema.as_object_mut() {
            f(obj);
        }
    });
}

/// `components.schemas` of the document root, created when absent.
fn components_schemas(root: &mut Map<String, Value>) -> Result<&mut Map<String, Value>, Error> {
    object_entry(
        object_entry(root, "components", "")?,
        "schemas",
        "components",
    )
}

/// Pushes `"{count} {what}"` to `changes` when `count` is not zero: a pass's summary.
fn summarize(changes: &mut Vec<String>, count: usize, what: &str) {
    if count > 0 {
        changes.push(format!("{count} {what}"));
    }
}

/// Adds `note` as a paragraph of the schema's `description` (the doc comment).
fn append_note(schema: &mut Map<String, Value>, note: &str) {
    let description = match schema.get("description").and_then(Value::as_str) {
        Some(d) => format!("{d}\n\n{note}"),
        None => note.to_owned(),
    };
    schema.insert("description".into(), Value::String(description));
}

/// A temporary key marking the direct members of a union in [`title_collisions`].
const MEMBER_MARK: &str = "x-venice-union-member";

#[cfg(test)]
mod tests;
