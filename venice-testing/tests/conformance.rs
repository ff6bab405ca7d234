//! Conformance: the offline Venice answers as the spec says.
//!
//! Walks every operation of `spec/venice.yaml` (upstream's file, not the
//! SDK's table) and sends each a valid request and an invalid one, written
//! by hand over HTTP as any client would. Each answer's status must be one
//! the spec lists for the operation (valid: a success; invalid: a 4xx), its
//! media type one the spec lists for that status, and a JSON body must
//! validate against the spec's schema for it. An error status the spec does
//! not list for an operation must still carry Venice's error body
//! (`StandardError`); such answers are printed.
//!
//! Requests are built from the spec (its examples, parameters and request
//! schemas); the operations whose valid request needs state (a job to
//! retrieve, a key to read, a wallet) or inputs the examples do not give (an
//! audio file, a model the offline catalog has) take theirs from
//! [`valid_override`]. An operation of the spec with no request that works
//! fails the test.
//!
//! The validator covers the OpenAPI 3.0 subset the spec uses: `$ref` to
//! `components/schemas`, `type`, `nullable`, `enum`, `properties`,
//! `required`, `additionalProperties`, `items`, `allOf`, `anyOf`, `oneOf`,
//! `minimum`/`maximum`, `minItems`/`maxItems`. `oneOf` is checked as `anyOf`:
//! the spec's `oneOf` members overlap (a 402 is a `StandardError` and an
//! `X402InferencePaymentRequired` at once), so "exactly one" would refuse
//! answers upstream sends.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;

use serde_json::{Map, Value, json};
use venice_openapi::facts::example_for;
use venice_testing::{OFFLINE_API_KEY, OfflineVenice, fixtures};

const WALLET: &str = "0x4444444444444444444444444444444444444444";

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/venice.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    venice_openapi::load_yaml(&text).unwrap()
}

// ---------------------------------------------------------------------------
// Requests

#[derive(Clone, Debug)]
enum Body {
    None,
    Json(Value),
    Raw(String, Vec<u8>),
}

#[derive(Clone, Debug)]
struct Request {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Body,
}

impl Request {
    fn header(mut self, name: &str, value: &str) -> Request {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    fn without_header(mut self, name: &str) -> Request {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self
    }

    fn json(mut self, body: Value) -> Request {
        self.body = Body::Json(body);
        self
    }

    fn form(mut self, parts: &[(&str, Option<&str>, &[u8])]) -> Request {
        let boundary = "conformance-7e1b";
        let mut body = Vec::new();
        for (name, file, data) in parts {
            let _ = write!(
                Text(&mut body),
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\""
            );
            if let Some(file) = file {
                let _ = write!(Text(&mut body), "; filename=\"{file}\"");
            }
            body.extend_from_slice(b"\r\n\r\n");
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        }
        let _ = write!(Text(&mut body), "--{boundary}--\r\n");
        self.body = Body::Raw(format!("multipart/form-data; boundary={boundary}"), body);
        self
    }

    fn query(mut self, name: &str, value: &str) -> Request {
        self.query.retain(|(k, _)| k != name);
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    fn path(mut self, path: String) -> Request {
        self.path = path;
        self
    }
}

/// `write!` into a byte buffer.
struct Text<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Text<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

struct Answer {
    status: u16,
    media_type: String,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body)
            .chars()
            .take(400)
            .collect()
    }
}

async fn send(venice: &OfflineVenice, request: &Request) -> Answer {
    let http = reqwest::Client::new();
    let mut builder = http
        .request(
            request.method.parse().unwrap(),
            format!("{}{}", venice.base_url(), request.path),
        )
        .query(&request.query);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    builder = match &request.body {
        Body::None => builder,
        Body::Json(v) => builder
            .header("content-type", "application/json")
            .body(v.to_string()),
        Body::Raw(ct, bytes) => builder.header("content-type", ct).body(bytes.clone()),
    };
    let response = builder.send().await.unwrap();
    let status = response.status().as_u16();
    let media_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let body = response.bytes().await.unwrap().to_vec();
    Answer {
        status,
        media_type,
        body,
    }
}

/// The operations of the spec: method, path, operation object.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if matches!(
                method.as_str(),
                "get" | "put" | "post" | "delete" | "patch" | "head" | "options" | "trace"
            ) {
                out.push((method.to_ascii_uppercase(), path.clone(), op.clone()));
            }
        }
    }
    out
}

/// The name of an operation: its `operationId`, else `METHOD path`.
fn name_of(method: &str, path: &str, op: &Value) -> String {
    op.get("operationId")
        .and_then(Value::as_str)
        .map_or_else(|| format!("{method} {path}"), str::to_owned)
}

/// A `$ref` followed to its target (any component kind).
fn deref<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let mut current = value;
    for _ in 0..16 {
        match current.get("$ref").and_then(Value::as_str) {
            Some(r) => match r.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                Some(target) => current = target,
                None => return current,
            },
            None => return current,
        }
    }
    current
}

/// An example value of a parameter (its own, its schema's, or one built).
fn parameter_example(doc: &Value, param: &Value) -> Value {
    if let Some(example) = param.get("example") {
        return example.clone();
    }
    example_for(doc, param.get("schema").unwrap_or(&Value::Null))
}

fn as_param_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(as_param_text)
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    }
}

/// The request the spec describes for an operation: path parameters and
/// required query parameters from their examples, the credentials the
/// operation's security asks for, and a JSON body from the request schema's
/// examples (or an empty form).
fn generic_request(doc: &Value, method: &str, path: &str, op: &Value) -> Request {
    let mut filled = path.to_owned();
    let mut query = Vec::new();
    for param in op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let param = deref(doc, param);
        let name = param["name"].as_str().unwrap_or_default();
        match param["in"].as_str() {
            Some("path") => {
                let value = as_param_text(&parameter_example(doc, param));
                filled = filled.replace(&format!("{{{name}}}"), &value);
            }
            Some("query") if param["required"] == true => {
                query.push((
                    name.to_owned(),
                    as_param_text(&parameter_example(doc, param)),
                ));
            }
            _ => {}
        }
    }
    let mut headers = vec![(
        "authorization".to_owned(),
        format!("Bearer {OFFLINE_API_KEY}"),
    )];
    let security = op.get("security").or_else(|| doc.get("security"));
    let wallet_only = security.and_then(Value::as_array).is_some_and(|s| {
        !s.is_empty()
            && s.iter().all(|req| {
                req.as_object().is_some_and(|o| {
                    !o.is_empty() && o.keys().all(|k| !k.to_ascii_lowercase().contains("bearer"))
                })
            })
    });
    if wallet_only {
        headers = vec![(
            "sign-in-with-x".to_owned(),
            OfflineVenice::wallet_token(WALLET),
        )];
    }
    let content = op.pointer("/requestBody/content");
    let body = match content {
        Some(c) if c.get("application/json").is_some() => {
            Body::Json(example_for(doc, &c["application/json"]["schema"]))
        }
        Some(c) if c.get("multipart/form-data").is_some() => Body::Raw(
            "multipart/form-data; boundary=b".to_owned(),
            b"--b--\r\n".to_vec(),
        ),
        _ => Body::None,
    };
    Request {
        method: method.to_owned(),
        path: filled,
        query,
        headers,
        body,
    }
}

// ---------------------------------------------------------------------------
// Per-operation valid requests

/// An MP3 the offline Venice spoke (it transcribes its own speech back).
async fn speech(venice: &OfflineVenice) -> Vec<u8> {
    let request = Request {
        method: "POST".into(),
        path: "/audio/speech".into(),
        query: Vec::new(),
        headers: vec![("authorization".into(), format!("Bearer {OFFLINE_API_KEY}"))],
        body: Body::Json(
            json!({"input": "Conformance.", "model": "tts-kokoro", "voice": "af_sky", "response_format": "mp3"}),
        ),
    };
    let answer = send(venice, &request).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.body
}

/// A step a valid request needs first (queue a job, create a key), sent as
/// the generic request of that operation with a body.
async fn setup(venice: &OfflineVenice, method: &str, path: &str, body: Value) -> Value {
    let request = Request {
        method: method.into(),
        path: path.into(),
        query: Vec::new(),
        headers: vec![("authorization".into(), format!("Bearer {OFFLINE_API_KEY}"))],
        body: if method == "GET" {
            Body::None
        } else {
            Body::Json(body)
        },
    };
    let answer = send(venice, &request).await;
    assert!(
        answer.status < 300,
        "setup {method} {path}: {} {}",
        answer.status,
        answer.text()
    );
    answer.json()
}

const VIDEO_MODEL: &str = "offline-vps-text-to-video";
const MUSIC_MODEL: &str = "elevenlabs-music";

/// The operations whose valid request the spec's examples cannot give:
/// models the offline catalog has, files, state made first. `None`: the
/// generic request.
async fn valid_override(venice: &OfflineVenice, id: &str, generic: Request) -> Option<Request> {
    let png = fixtures::sample_png();
    let chat = json!({"model": "llama-3.3-70b", "messages": [{"role": "user", "content": "Why is the sky blue?"}]});
    Some(match id {
        "createChatCompletion" => generic.json(chat),
        "createResponse" => {
            generic.json(json!({"model": "llama-3.3-70b", "input": "Why is the sky blue?"}))
        }
        "generateImage" => {
            generic.json(json!({"model": "venice-sd35", "prompt": "a lighthouse at dusk"}))
        }
        "simpleGenerateImage" => {
            generic.json(json!({"model": "venice-sd35", "prompt": "a lighthouse at dusk"}))
        }
        "upscaleImage" => generic.form(&[("image", Some("a.png"), &png), ("scale", None, b"2")]),
        "editImage" => generic.form(&[
            ("image", Some("a.png"), &png),
            ("prompt", None, b"make it blue"),
        ]),
        "multiEditImage" => generic.form(&[
            ("images", Some("a.png"), &png),
            ("images", Some("b.png"), &png),
            ("prompt", None, b"combine them"),
        ]),
        "backgroundRemoveImage" => generic.form(&[("image", Some("a.png"), &png)]),
        "createEmbedding" => {
            generic.json(json!({"model": "text-embedding-bge-m3", "input": "hello"}))
        }
        "createSpeech" => {
            generic.json(json!({"input": "Hello.", "model": "tts-kokoro", "voice": "af_sky"}))
        }
        "createTranscription" => {
            let audio = speech(venice).await;
            generic.form(&[
                ("file", Some("speech.mp3"), &audio),
                ("model", None, b"openai/whisper-large-v3"),
            ])
        }
        "createClonedVoice" => {
            let audio = speech(venice).await;
            generic.form(&[
                ("file", Some("sample.mp3"), &audio),
                ("model", None, b"tts-chatterbox-hd"),
            ])
        }
        "createTextParser" => generic.form(&[("file", Some("notes.txt"), b"Plain text notes.")]),
        "quoteVideo" => generic.json(json!({"model": VIDEO_MODEL, "duration": "5s"})),
        "queueVideo" => {
            generic.json(json!({"model": VIDEO_MODEL, "prompt": "a lighthouse", "duration": "5s"}))
        }
        "retrieveVideo" | "completeVideo" => {
            let queued = setup(
                venice,
                "POST",
                "/video/queue",
                json!({"model": VIDEO_MODEL, "prompt": "a bridge", "duration": "5s"}),
            )
            .await;
            generic.json(json!({"model": VIDEO_MODEL, "queue_id": queued["queue_id"]}))
        }
        "quoteAudio" => generic.json(json!({"model": MUSIC_MODEL, "duration_seconds": 30})),
        "queueAudio" => generic.json(json!({"model": MUSIC_MODEL, "prompt": "a calm piano piece"})),
        "retrieveAudio" | "completeAudio" => {
            let queued = setup(
                venice,
                "POST",
                "/audio/queue",
                json!({"model": MUSIC_MODEL, "prompt": "a calm piano piece"}),
            )
            .await;
            generic.json(json!({"model": MUSIC_MODEL, "queue_id": queued["queue_id"]}))
        }
        "createVideoTranscription" => generic.json(json!({"url": "https://example.com/v.mp4"})),
        "getApiKeyById" | "deleteApiKey" | "updateApiKey" => {
            let created = setup(
                venice,
                "POST",
                "/api_keys",
                json!({"apiKeyType": "INFERENCE", "description": "conformance"}),
            )
            .await;
            let key_id = created["data"]["id"].as_str().unwrap().to_owned();
            match id {
                "getApiKeyById" => generic.path(format!("/api_keys/{key_id}")),
                "deleteApiKey" => generic.query("id", &key_id),
                _ => generic.json(json!({"id": key_id, "description": "renamed"})),
            }
        }
        "createApiKey" => {
            generic.json(json!({"apiKeyType": "INFERENCE", "description": "conformance"}))
        }
        "postApiKeyGenerateWeb3Key" => {
            let token = setup(venice, "GET", "/api_keys/generate_web3_key", Value::Null).await;
            generic.without_header("authorization").json(json!({
                "address": WALLET,
                "signature": format!("0x{}", "ab".repeat(65)),
                "token": token["data"]["token"],
                "apiKeyType": "INFERENCE"
            }))
        }
        "getCharacterBySlug" => generic.path("/characters/alan-watts".into()),
        "getCharacterReviews" => generic.path("/characters/alan-watts/reviews".into()),
        "cryptoRpcProxy" => generic
            .path("/crypto/rpc/ethereum-mainnet".into())
            .json(json!({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})),
        "getX402Balance" => generic.path(format!("/x402/balance/{WALLET}")),
        "getX402Transactions" => generic.path(format!("/x402/transactions/{WALLET}")),
        "topUpX402Balance" => generic.without_header("authorization").header(
            "payment-signature",
            &OfflineVenice::payment_signature(WALLET, 10.0),
        ),
        "webScrape" => generic.json(json!({"url": "https://example.com/article"})),
        "webSearch" => generic.json(json!({"query": "lighthouses"})),
        _ => return None,
    })
}

/// The invalid request of an operation: a payment that is none, a body that
/// is no object, an empty form, a query value outside its enum or type, an
/// unknown slug, a wallet token that is none, or (when the operation takes
/// none of these) another API key than the one the server requires.
fn invalid_request(doc: &Value, op: &Value, valid: &Request) -> (Request, &'static str) {
    let mut request = valid.clone();
    if valid.headers.iter().any(|(k, _)| k == "payment-signature") {
        return (
            request.header("payment-signature", "bm90LWEtcGF5bWVudA=="),
            "a payment that is none",
        );
    }
    match &valid.body {
        Body::Json(_) => {
            return (
                request.json(json!(["not", "an", "object"])),
                "a body that is no object",
            );
        }
        Body::Raw(ct, _) if ct.starts_with("multipart/") => {
            request.body = Body::Raw(
                "multipart/form-data; boundary=b".to_owned(),
                b"--b--\r\n".to_vec(),
            );
            return (request, "an empty form");
        }
        _ => {}
    }
    for param in op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let param = deref(doc, param);
        if param["in"] != "query" {
            continue;
        }
        let schema = deref(doc, &param["schema"]);
        let typed = schema.get("enum").is_some()
            || schema.get("anyOf").is_some()
            || matches!(
                schema["type"].as_str(),
                Some("integer" | "number" | "boolean")
            );
        if typed {
            let name = param["name"].as_str().unwrap_or_default();
            return (
                request.query(name, "not-a-valid-value"),
                "a query value outside its type",
            );
        }
    }
    if valid.path.contains("/characters/") {
        return (
            request.path(valid.path.replace("alan-watts", "no-such-character")),
            "an unknown slug",
        );
    }
    if valid.headers.iter().any(|(k, _)| k == "sign-in-with-x") {
        return (
            request.header("sign-in-with-x", "not-a-siwx-token"),
            "a wallet token that is none",
        );
    }
    (
        request.header("authorization", "Bearer vk-not-the-required-key"),
        "another API key",
    )
}

// ---------------------------------------------------------------------------
// Checking answers

/// The problems of an answer of an operation: its status, media type and body
/// against the spec's response for that status.
fn check(
    doc: &Value,
    op: &Value,
    answer: &Answer,
    notes: &mut Vec<String>,
    label: &str,
) -> Vec<String> {
    let responses = &op["responses"];
    let status = answer.status.to_string();
    let range = format!("{}XX", answer.status / 100);
    let response = responses
        .get(&status)
        .or_else(|| responses.get(&range))
        .or_else(|| responses.get("default"))
        .map(|r| deref(doc, r));
    let mut problems = Vec::new();
    let Some(response) = response else {
        if answer.status < 400 {
            return vec![format!("status {status} is not in the spec")];
        }
        // An error the spec does not list here: still Venice's error body.
        notes.push(format!("{label}: {status} is not listed by the spec"));
        let schema = json!({"$ref": "#/components/schemas/StandardError"});
        if answer.media_type != "application/json" {
            problems.push(format!(
                "{status}: media type {:?} is not JSON",
                answer.media_type
            ));
        } else {
            validate(doc, &schema, &answer.json(), "$", &mut problems);
        }
        return problems;
    };
    let Some(content) = response.get("content").and_then(Value::as_object) else {
        if !answer.body.is_empty() {
            problems.push(format!("{status}: a body where the spec has none"));
        }
        return problems;
    };
    let Some((_, media)) = content
        .iter()
        .find(|(k, _)| k.to_ascii_lowercase() == answer.media_type)
    else {
        return vec![format!(
            "{status}: media type {:?}, the spec lists {:?}",
            answer.media_type,
            content.keys().collect::<Vec<_>>()
        )];
    };
    if answer.media_type == "application/json" {
        let Ok(body) = serde_json::from_slice::<Value>(&answer.body) else {
            return vec![format!("{status}: the body is not JSON: {}", answer.text())];
        };
        if let Some(schema) = media.get("schema") {
            validate(doc, schema, &body, "$", &mut problems);
        }
    } else if answer.body.is_empty() {
        problems.push(format!("{status}: an empty {} body", answer.media_type));
    }
    problems
}

/// Validates `value` against an OpenAPI 3.0 schema (the subset the spec uses).
fn validate(doc: &Value, schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    let schema = deref(doc, schema);
    let Some(obj) = schema.as_object() else {
        return;
    };
    if value.is_null() && obj.get("nullable") == Some(&Value::Bool(true)) {
        return;
    }
    if let Some(all) = obj.get("allOf").and_then(Value::as_array) {
        for member in all {
            validate(doc, member, value, at, problems);
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(members) = obj.get(key).and_then(Value::as_array) {
            let fits = members.iter().any(|m| {
                let mut inner = Vec::new();
                validate(doc, m, value, at, &mut inner);
                inner.is_empty()
            });
            if !fits {
                // Name the closest member's problems (fewest).
                let closest = members
                    .iter()
                    .map(|m| {
                        let mut inner = Vec::new();
                        validate(doc, m, value, at, &mut inner);
                        inner
                    })
                    .min_by_key(Vec::len)
                    .unwrap_or_default();
                problems.push(format!(
                    "{at}: fits no member of {key}: {}",
                    closest.join("; ")
                ));
            }
        }
    }
    if let Some(kind) = obj.get("type").and_then(Value::as_str) {
        let fits = match kind {
            "string" => value.is_string(),
            "number" => value.is_number(),
            "integer" => {
                value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            "boolean" => value.is_boolean(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => true,
        };
        if !fits {
            problems.push(format!("{at}: expected {kind}, got {}", short(value)));
            return;
        }
    }
    if let Some(values) = obj.get("enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        problems.push(format!("{at}: {} is not one of {values:?}", short(value)));
    }
    if let Some(n) = value.as_f64() {
        if let Some(min) = obj.get("minimum").and_then(Value::as_f64)
            && n < min
        {
            problems.push(format!("{at}: {n} < minimum {min}"));
        }
        if let Some(max) = obj.get("maximum").and_then(Value::as_f64)
            && n > max
        {
            problems.push(format!("{at}: {n} > maximum {max}"));
        }
    }
    if let Some(items) = value.as_array() {
        if let Some(min) = obj.get("minItems").and_then(Value::as_u64)
            && (items.len() as u64) < min
        {
            problems.push(format!("{at}: fewer than {min} items"));
        }
        if let Some(max) = obj.get("maxItems").and_then(Value::as_u64)
            && (items.len() as u64) > max
        {
            problems.push(format!("{at}: more than {max} items"));
        }
        if let Some(item_schema) = obj.get("items") {
            for (i, item) in items.iter().enumerate() {
                validate(doc, item_schema, item, &format!("{at}[{i}]"), problems);
            }
        }
    }
    if let Some(fields) = value.as_object() {
        let empty = Map::new();
        let properties = obj
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for name in obj
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !fields.contains_key(name) {
                problems.push(format!("{at}: missing required {name:?}"));
            }
        }
        for (name, field) in fields {
            let path = format!("{at}.{name}");
            match (properties.get(name), obj.get("additionalProperties")) {
                (Some(property), _) => validate(doc, property, field, &path, problems),
                (None, Some(Value::Bool(false))) => {
                    problems.push(format!("{at}: {name:?} is not allowed"));
                }
                (None, Some(extra @ Value::Object(_))) => {
                    validate(doc, extra, field, &path, problems);
                }
                _ => {}
            }
        }
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

// ---------------------------------------------------------------------------
// The test

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_of_the_spec_answers_as_the_spec_says() {
    let doc = spec();
    // Requiring the key the requests send: another key is an invalid request.
    let venice = OfflineVenice::builder()
        .require_key(OFFLINE_API_KEY)
        .start()
        .await;
    // A wallet with credit, for the operations it may pay for.
    let top_up = Request {
        method: "POST".into(),
        path: "/x402/top-up".into(),
        query: Vec::new(),
        headers: vec![(
            "payment-signature".into(),
            OfflineVenice::payment_signature(WALLET, 20.0),
        )],
        body: Body::None,
    };
    assert_eq!(send(&venice, &top_up).await.status, 200);
    // One inference paid by the wallet, so its ledger holds a charge too.
    let paid = Request {
        method: "POST".into(),
        path: "/chat/completions".into(),
        query: Vec::new(),
        headers: vec![("sign-in-with-x".into(), OfflineVenice::wallet_token(WALLET))],
        body: Body::Json(
            json!({"model": "llama-3.3-70b", "messages": [{"role": "user", "content": "Hi"}]}),
        ),
    };
    assert_eq!(send(&venice, &paid).await.status, 200);

    let ops = operations(&doc);
    assert!(ops.len() >= 40, "the spec has {} operations", ops.len());
    let mut failures = Vec::new();
    let mut notes = Vec::new();
    for (method, path, op) in &ops {
        let name = name_of(method, path, op);
        let generic = generic_request(&doc, method, path, op);
        let valid = match valid_override(&venice, &name, generic.clone()).await {
            Some(request) => request,
            None => generic,
        };
        let answer = send(&venice, &valid).await;
        let label = format!("{name} ({method} {path}) valid");
        if !(200..300).contains(&answer.status) && !deprecated_and_gone(op, answer.status) {
            failures.push(format!(
                "{label}: {} {}: {}",
                answer.status,
                answer.media_type,
                answer.text()
            ));
        }
        for problem in check(&doc, op, &answer, &mut notes, &label) {
            failures.push(format!("{label}: {problem}"));
        }

        let (invalid, how) = invalid_request(&doc, op, &valid);
        let answer = send(&venice, &invalid).await;
        let label = format!("{name} ({method} {path}) invalid ({how})");
        if !(400..500).contains(&answer.status) {
            failures.push(format!(
                "{label}: {} (expected a 4xx): {}",
                answer.status,
                answer.text()
            ));
        }
        for problem in check(&doc, op, &answer, &mut notes, &label) {
            failures.push(format!("{label}: {problem}"));
        }
    }
    for note in &notes {
        eprintln!("note: {note}");
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A deprecated operation that upstream has turned off (`410 Gone`, listed
/// by the spec) answers that to a valid request.
fn deprecated_and_gone(op: &Value, status: u16) -> bool {
    status == 410 && op["deprecated"] == true && op["responses"].get("410").is_some()
}

#[test]
fn the_validator_refuses_what_the_schema_refuses() {
    let doc = json!({"components": {"schemas": {"E": {
        "type": "object",
        "properties": {"error": {"type": "string"}, "n": {"type": "integer", "nullable": true, "minimum": 0}},
        "required": ["error"],
        "additionalProperties": false
    }}}});
    let schema = json!({"$ref": "#/components/schemas/E"});
    let problems = |value: Value| {
        let mut out = Vec::new();
        validate(&doc, &schema, &value, "$", &mut out);
        out
    };
    assert!(problems(json!({"error": "x"})).is_empty());
    assert!(problems(json!({"error": "x", "n": null})).is_empty());
    assert_eq!(problems(json!({})).len(), 1);
    assert_eq!(problems(json!({"error": 1})).len(), 1);
    assert_eq!(problems(json!({"error": "x", "n": -1})).len(), 1);
    assert_eq!(problems(json!({"error": "x", "n": 1.5})).len(), 1);
    assert_eq!(problems(json!({"error": "x", "extra": true})).len(), 1);
    let any = json!({"anyOf": [{"type": "string", "enum": ["a"]}, {"type": "integer"}]});
    let mut out = Vec::new();
    validate(&doc, &any, &json!("b"), "$", &mut out);
    assert_eq!(out.len(), 1);
}

/// The answers tests provoke and the wallet flow follow the spec too: 402
/// to a wallet without credit, 401 to another key, a scripted 429.
#[tokio::test]
async fn provoked_and_payment_answers_follow_the_spec() {
    let doc = spec();
    let venice = OfflineVenice::builder()
        .require_key(OFFLINE_API_KEY)
        .start()
        .await;
    let chat_op = operations(&doc)
        .into_iter()
        .find(|(m, p, _)| m == "POST" && p == "/chat/completions")
        .map(|(_, _, op)| op)
        .unwrap();
    let chat = Request {
        method: "POST".into(),
        path: "/chat/completions".into(),
        query: Vec::new(),
        headers: vec![("authorization".into(), format!("Bearer {OFFLINE_API_KEY}"))],
        body: Body::Json(
            json!({"model": "llama-3.3-70b", "messages": [{"role": "user", "content": "Hi"}]}),
        ),
    };
    let mut notes = Vec::new();
    let mut failures = Vec::new();
    let mut expect = |label: &str, answer: &Answer, status: u16| {
        if answer.status != status {
            failures.push(format!(
                "{label}: {} (expected {status}): {}",
                answer.status,
                answer.text()
            ));
        }
        for problem in check(&doc, &chat_op, answer, &mut notes, label) {
            failures.push(format!("{label}: {problem}"));
        }
    };

    let empty_wallet = chat
        .clone()
        .without_header("authorization")
        .header("sign-in-with-x", &OfflineVenice::wallet_token(WALLET));
    let payment_required = send(&venice, &empty_wallet).await;
    expect("an empty wallet", &payment_required, 402);
    // Not only Venice's error body (the first member of the 402's `oneOf`):
    // the payment requirements the spec describes.
    let mut problems = Vec::new();
    validate(
        &doc,
        &json!({"$ref": "#/components/schemas/X402InferencePaymentRequired"}),
        &payment_required.json(),
        "$",
        &mut problems,
    );
    assert!(problems.is_empty(), "{problems:?}");
    let other_key = chat.clone().header("authorization", "Bearer vk-other");
    expect("another key", &send(&venice, &other_key).await, 401);
    expect(
        "no key",
        &send(&venice, &chat.clone().without_header("authorization")).await,
        401,
    );
    venice.fail_next(
        &venice_sdk::operations::CREATE_CHAT_COMPLETION,
        venice_testing::Answer::rate_limited(3),
    );
    expect("a scripted 429", &send(&venice, &chat).await, 429);
    assert!(notes.is_empty(), "{notes:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
