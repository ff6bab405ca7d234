//! `POST /responses` (the Responses API, alpha): one message answering the last
//! user input, with usage; with `stream: true`, the same as OpenAI-style
//! Responses events (`response.created` … `response.completed`).

use serde_json::{Value, json};

use super::{Reply, State, catalog, chat};
use crate::util;

pub(crate) fn create(state: &State, body: &Value) -> Reply {
    let Some(model_name) = body.get("model").and_then(Value::as_str) else {
        return Reply::invalid(json!({"model": {"_errors": ["Required"]}}));
    };
    let question = match body.get("input") {
        Some(Value::String(text)) if !text.trim().is_empty() => text.clone(),
        Some(Value::Array(items)) if !items.is_empty() => last_user_text(items),
        Some(_) => {
            return Reply::invalid(json!({"input": {"_errors": ["Input must not be empty"]}}));
        }
        None => return Reply::invalid(json!({"input": {"_errors": ["Required"]}})),
    };
    let stream = body.get("stream").and_then(Value::as_bool) == Some(true);
    let Some(model) = catalog::resolve(model_name, "text") else {
        return Reply::error(
            404,
            &format!(
                "Specified model not found: {model_name} (the offline Venice has {})",
                catalog::ids("text").join(", ")
            ),
        );
    };
    let answer = chat::text_answer(&question, &[]);
    let n = state.next_id();
    let input_tokens = util::tokens(&question);
    let output_tokens = util::tokens(&answer);
    let message_id = format!("msg_{}", util::hex(state.seed, n, 24));
    let body = json!({
        "id": format!("resp_{}", util::hex(state.seed, n, 24)),
        "object": "response",
        "created_at": util::unix_now(),
        "model": model.id,
        "status": "completed",
        "output": [{
            "type": "message",
            "id": message_id,
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": answer, "annotations": []}]
        }],
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens
        }
    });
    let cost = input_tokens as f64 * 0.7e-6 + output_tokens as f64 * 2.8e-6;
    if stream {
        return Reply::sse(events(&body, &message_id, &answer)).with_cost(cost);
    }
    Reply::json(200, &body).with_cost(cost)
}

/// The server-sent events of a streamed response whose final form is
/// `completed`: `response.created` and `response.in_progress` (no output, no
/// usage yet), the message item and its text part added, the text in
/// word-sized `response.output_text.delta`s, each piece done again whole, then
/// `response.completed` with `completed` itself; ended like Venice's chat
/// stream, with `data: [DONE]`.
fn events(completed: &Value, message_id: &str, answer: &str) -> String {
    let mut started = completed.clone();
    started["status"] = json!("in_progress");
    started["output"] = json!([]);
    if let Some(fields) = started.as_object_mut() {
        fields.remove("usage");
    }
    let part = |text: &str| json!({"type": "output_text", "text": text, "annotations": []});
    let item = |status: &str, content: Value| json!({"type": "message", "id": message_id, "status": status, "role": "assistant", "content": content});
    let at = |kind: &str| json!({"type": kind, "item_id": message_id, "output_index": 0, "content_index": 0});
    let mut events = vec![
        json!({"type": "response.created", "response": started}),
        json!({"type": "response.in_progress", "response": started}),
        json!({"type": "response.output_item.added", "output_index": 0, "item": item("in_progress", json!([]))}),
        with(at("response.content_part.added"), "part", part("")),
    ];
    for piece in util::pieces(answer) {
        events.push(with(
            at("response.output_text.delta"),
            "delta",
            json!(piece),
        ));
    }
    events.push(with(at("response.output_text.done"), "text", json!(answer)));
    events.push(with(at("response.content_part.done"), "part", part(answer)));
    events.push(
        json!({"type": "response.output_item.done", "output_index": 0,
                       "item": item("completed", json!([part(answer)]))}),
    );
    events.push(json!({"type": "response.completed", "response": completed}));
    let mut body = String::new();
    for (sequence, mut event) in events.into_iter().enumerate() {
        event["sequence_number"] = json!(sequence);
        let kind = event["type"].as_str().unwrap_or_default().to_owned();
        body.push_str(&format!("event: {kind}\ndata: {event}\n\n"));
    }
    body.push_str("data: [DONE]\n\n");
    body
}

/// `event` with `field` set to `value`.
fn with(mut event: Value, field: &str, value: Value) -> Value {
    event[field] = value;
    event
}

/// The text of the last user message of an input list (`content` a string or
/// `input_text` parts).
fn last_user_text(items: &[Value]) -> String {
    items
        .iter()
        .rev()
        .find(|item| item.get("role").and_then(Value::as_str) == Some("user"))
        .and_then(|item| item.get("content"))
        .map(|content| match content {
            Value::String(text) => text.clone(),
            Value::Array(parts) => parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join(" "),
            _ => String::new(),
        })
        .unwrap_or_default()
}
