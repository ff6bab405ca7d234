//! `POST /responses` (the Responses API, alpha): one message answering the last
//! user input, with usage; with `stream: true`, the same as OpenAI-style
//! Responses events (`response.created` … `response.completed`).

use serde_json::{Value, json};

use super::{Reply, State, catalog, chat};
use crate::{fixtures, util};

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
    let model = match catalog::text_model(model_name) {
        Ok(model) => model,
        Err(reply) => return reply,
    };
    let answer = chat::text_answer(&question, &[]);
    let n = state.next_id();
    let input_tokens = util::tokens(&question);
    let output_tokens = util::tokens(&answer);
    let body = json!({
        "id": format!("resp_{}", util::hex(state.seed, n, 24)),
        "object": "response",
        "created_at": util::unix_now(),
        "model": model.id,
        "status": "completed",
        "output": [{
            "type": "message",
            "id": format!("msg_{}", util::hex(state.seed, n, 24)),
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
        return Reply::sse(fixtures::response_events_of(&body)).with_cost(cost);
    }
    Reply::json(200, &body).with_cost(cost)
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
