//! What a reasoning model asks to get back on the next turn (`thought_signature`,
//! `reasoning_details`, a tool call's own extra fields) goes back unchanged, from a
//! plain answer and from a collected stream; and the cost of an answer is read.
//!
//! The fields are the request's assistant-message fields the 2026-07-31 spec
//! documents ("pass back … exactly as received"); the answers here carry them as
//! Gemini does through Venice, where the answer's schema does not name them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use httpmock::prelude::*;
use serde_json::{Value, json};
use venice_sdk::types::ChatCompletionRequest;
use venice_sdk::{Client, Message, Tool};

const KEY: &str = "vk-carry-KEY-1f2e3d";

fn client(base: &str) -> Client {
    Client::builder()
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .api_key(KEY)
        .base_url(base)
        .build()
        .unwrap()
}

fn request() -> ChatCompletionRequest {
    ChatCompletionRequest::new("gemini-3-pro-preview", [Message::user("Weather in Oslo?")])
        .with_tools([Tool::function(
            "get_weather",
            "Weather for a city",
            json!({"type": "object", "properties": {"city": {"type": "string"}}}),
        )])
}

fn reasoning_details() -> Value {
    json!([{"type": "reasoning.encrypted", "data": "CiQB4/H/Xk9s…signed", "format": "google-gemini-v1", "index": 0}])
}

/// An answer with a tool call, signed thoughts, an extra field on the call, and
/// its cost.
fn tool_call_answer() -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1_780_000_000, "model": "gemini-3-pro-preview",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": null, "reasoning_content": "I should call the tool.",
            "reasoning_details": reasoning_details(),
            "thought_signature": "sig-7f3a",
            "tool_calls": [{"id": "call_1", "type": "function",
                "function": {"name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"},
                "extra_content": {"google": {"thought_signature": "call-sig-1"}}}]
        }}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 25},
        "cost": {"usd": 0.00042, "diem": 0}
    })
}

/// The assistant turn the next request must carry.
fn expected_turn() -> Value {
    json!({
        "role": "assistant",
        "reasoning_content": "I should call the tool.",
        "reasoning_details": reasoning_details(),
        "thought_signature": "sig-7f3a",
        "tool_calls": [{"id": "call_1", "type": "function",
            "function": {"name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"},
            "extra_content": {"google": {"thought_signature": "call-sig-1"}}}]
    })
}

#[tokio::test]
async fn tool_calls_carry_the_signatures_into_the_next_request() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/chat/completions")
                .body_excludes("call_1");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(tool_call_answer());
        })
        .await;
    let c = client(&server.base_url());
    let answer = c.chat().create(request()).await.unwrap();
    first.assert_async().await;

    let calls = answer.tool_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].name, "get_weather");
    assert_eq!(calls[0].carried.message["thought_signature"], "sig-7f3a");
    assert_eq!(
        calls[0].carried.message["reasoning_content"], "I should call the tool.",
        "the reasoning text goes back within the turn"
    );

    let mut next = request();
    next.messages.push(Message::assistant_tool_calls(&calls));
    next.messages
        .push(Message::tool(&calls[0].id, "12°C, light rain"));
    let sent = serde_json::to_value(&next).unwrap();
    assert_eq!(sent["messages"][1], expected_turn());

    // And on the wire, exactly so.
    let second = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/chat/completions")
                .json_body_includes(json!({"messages": [{}, expected_turn()]}).to_string())
                .body_includes("\"tool_call_id\":\"call_1\"");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({
                    "id": "chatcmpl-2", "object": "chat.completion", "created": 1, "model": "gemini-3-pro-preview",
                    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "12°C and rain."}}],
                    "usage": {"prompt_tokens": 30, "completion_tokens": 5, "total_tokens": 35}
                }));
        })
        .await;
    let done = c.chat().create(next).await.unwrap();
    second.assert_async().await;
    assert_eq!(done.text().as_deref(), Some("12°C and rain."));
}

#[tokio::test]
async fn the_assistant_message_of_an_answer_is_the_next_turn() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/chat/completions");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(tool_call_answer());
        })
        .await;
    let answer = client(&server.base_url())
        .chat()
        .create(request())
        .await
        .unwrap();
    let turn = serde_json::to_value(answer.assistant_message().unwrap()).unwrap();
    assert_eq!(turn, expected_turn());

    // The typed completion alone carries the same (its fields hold them raw).
    let typed = answer.into_inner().tool_calls();
    assert_eq!(
        serde_json::to_value(Message::assistant_tool_calls(&typed)).unwrap(),
        expected_turn()
    );
}

#[tokio::test]
async fn a_collected_stream_carries_them_too() {
    let chunk = |v: Value| format!("data: {v}\n\n");
    let head = json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gemini-3-pro-preview"});
    let with = |choices: Value| {
        let mut c = head.clone();
        c["choices"] = choices;
        c
    };
    let mut body = String::new();
    body.push_str(&chunk(with(
        json!([{"index": 0, "delta": {"role": "assistant",
        "reasoning_details": [{"type": "reasoning.encrypted", "data": "part-1", "index": 0}]}}]),
    )));
    body.push_str(&chunk(with(json!([{"index": 0, "delta": {
        "reasoning_details": [{"type": "reasoning.encrypted", "data": "part-2", "index": 1}],
        "tool_calls": [{"index": 0, "id": "call_9", "type": "function",
            "function": {"name": "get_weather", "arguments": "{\"city\":"},
            "extra_content": {"google": {"thought_signature": "call-sig-9"}}}]}}]))));
    body.push_str(&chunk(with(json!([{"index": 0, "delta": {
        "thought_signature": "sig-stream",
        "tool_calls": [{"index": 0, "function": {"arguments": "\"Oslo\"}"}}]},
        "finish_reason": "tool_calls"}]))));
    let mut last = head.clone();
    last["choices"] = json!([]);
    last["usage"] = json!({"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7});
    last["cost"] = json!({"usd": 0.0001, "diem": 0.5});
    body.push_str(&chunk(last));
    body.push_str("data: [DONE]\n\n");

    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/chat/completions");
            then.status(200)
                .header("content-type", "text/event-stream")
                .body(body);
        })
        .await;
    let done = client(&server.base_url())
        .chat()
        .stream(request())
        .await
        .unwrap()
        .collect_completion()
        .await
        .unwrap();
    let calls = done.tool_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].arguments, "{\"city\":\"Oslo\"}");
    let turn = serde_json::to_value(Message::assistant_tool_calls(&calls)).unwrap();
    assert_eq!(
        turn,
        json!({
            "role": "assistant",
            "reasoning_details": [
                {"type": "reasoning.encrypted", "data": "part-1", "index": 0},
                {"type": "reasoning.encrypted", "data": "part-2", "index": 1}
            ],
            "thought_signature": "sig-stream",
            "tool_calls": [{"id": "call_9", "type": "function",
                "function": {"name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"},
                "extra_content": {"google": {"thought_signature": "call-sig-9"}}}]
        })
    );
    assert_eq!(
        serde_json::to_value(done.assistant_message().unwrap()).unwrap(),
        turn
    );
    let cost = done.cost().unwrap();
    assert_eq!((cost.usd, cost.diem), (0.0001, 0.5));
}

#[test]
fn cost_is_read_leniently() {
    // Decoded as the SDK decodes answers (leniently: a required part may be missing).
    let completion = |cost: Value| -> venice_sdk::ChatCompletion {
        let mut answer = tool_call_answer();
        answer["cost"] = cost;
        venice_sdk::from_json(answer.to_string().as_bytes()).unwrap()
    };
    let cost = completion(json!({"usd": 0.00042, "diem": 0}))
        .cost()
        .unwrap();
    assert_eq!((cost.usd, cost.diem), (0.00042, 0.0));
    assert_eq!(completion(json!({"usd": 1.5})).cost().unwrap().diem, 0.0);
    assert_eq!(completion(Value::Null).cost(), None);
    let mut without = tool_call_answer();
    without.as_object_mut().unwrap().remove("cost");
    let without: venice_sdk::ChatCompletion = serde_json::from_value(without).unwrap();
    assert_eq!(without.cost(), None);
}

#[test]
fn calls_built_by_hand_carry_nothing() {
    let call = venice_sdk::ToolCall::new("c", "f", "{}");
    assert!(call.carried.is_empty());
    let turn = serde_json::to_value(Message::assistant_tool_calls(&[call])).unwrap();
    assert_eq!(
        turn,
        json!({"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]})
    );
}
