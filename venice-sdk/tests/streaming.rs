//! Streaming chat completions through the real client over loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use futures::StreamExt;
use httpmock::prelude::*;
use serde_json::json;
use venice_sdk::types::ChatCompletionRequest;
use venice_sdk::{Client, Error, Message, StreamErrorKind, TimeoutKind};

mod support;
use support::{SSE_HEAD, assert_closed, scripted_server};

const KEY: &str = "vk-stream-KEY-8c1f5e0d";

fn request() -> ChatCompletionRequest {
    ChatCompletionRequest::new("qwen3-4b", [Message::user("Count to three")])
}

fn client(base: &str) -> Client {
    Client::builder()
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .api_key(KEY)
        .base_url(base)
        .stream_idle_timeout(Duration::from_millis(300))
        .build()
        .unwrap()
}

fn chunk(content: &str) -> String {
    format!(
        "data: {}\n\n",
        json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "qwen3-4b",
               "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": null}]})
    )
}

fn venice_stream() -> String {
    let mut s = String::from(": keep-alive\n\n");
    s.push_str(&format!(
        "data: {}\n\n",
        json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "qwen3-4b",
               "choices": [{"index": 0, "delta": {"role": "assistant", "reasoning_content": "Easy."}}],
               "venice_parameters": {"web_search_citations": []}})
    ));
    s.push_str(&chunk("One, "));
    s.push_str(": keep-alive\r\n\r\n");
    s.push_str(&chunk("two, "));
    s.push_str(&chunk("three."));
    s.push_str(&format!(
        "data: {}\n\n",
        json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "qwen3-4b",
               "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    ));
    s.push_str(&format!(
        "data: {}\n\n",
        json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "qwen3-4b", "choices": [],
               "usage": {"prompt_tokens": 4, "completion_tokens": 6, "total_tokens": 10}})
    ));
    s.push_str("data: [DONE]\n\ndata: {\"ignored\": true}\n\n");
    s
}

async fn sse_server(body: String) -> MockServer {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/chat/completions")
                .header("authorization", format!("Bearer {KEY}"))
                .header("accept", "text/event-stream")
                .json_body_includes(r#"{"stream": true}"#);
            then.status(200)
                .header("content-type", "text/event-stream")
                .header("cf-ray", "ray-stream")
                .body(body);
        })
        .await;
    server
}

#[tokio::test]
async fn a_venice_stream_yields_typed_chunks_and_ends_at_done() {
    let server = sse_server(venice_stream()).await;
    let mut stream = client(&server.base_url())
        .chat()
        .stream(request())
        .await
        .unwrap();
    assert_eq!(stream.meta().request_id.as_deref(), Some("ray-stream"));
    let mut text = String::new();
    let mut reasoning = String::new();
    let mut count = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        text.push_str(chunk.delta_text());
        reasoning.push_str(chunk.delta_reasoning());
        count += 1;
    }
    assert_eq!(text, "One, two, three.");
    assert_eq!(reasoning, "Easy.");
    assert_eq!(count, 6, "nothing after [DONE]");
}

#[tokio::test]
async fn collect_completion_gives_what_create_would() {
    let server = sse_server(venice_stream()).await;
    let done = client(&server.base_url())
        .chat()
        .stream(request())
        .await
        .unwrap()
        .collect_completion()
        .await
        .unwrap();
    assert_eq!(done.text().as_deref(), Some("One, two, three."));
    assert_eq!(done.reasoning(), Some("Easy."));
    assert_eq!(done.choices[0].finish_reason, "stop");
    assert_eq!(done.usage.total_tokens as f64, 10.0);
    assert_eq!(done.meta().request_id.as_deref(), Some("ray-stream"));
}

#[tokio::test]
async fn the_text_view_yields_only_text() {
    let server = sse_server(venice_stream()).await;
    let parts: Vec<String> = client(&server.base_url())
        .chat()
        .stream(request())
        .await
        .unwrap()
        .text()
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(parts, ["One, ", "two, ", "three."]);
}

#[tokio::test]
async fn errors_before_the_stream_are_api_errors() {
    for (status, content_type, body, message) in [
        (
            429,
            "application/json",
            r#"{"error": "Rate limit exceeded"}"#,
            "Rate limit exceeded",
        ),
        (
            503,
            "text/html",
            "<html><title>Service Unavailable</title></html>",
            "non-JSON error page: Service Unavailable",
        ),
    ] {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(POST).path("/chat/completions");
                then.status(status)
                    .header("content-type", content_type)
                    .body(body);
            })
            .await;
        let err = client(&server.base_url())
            .chat()
            .stream(request())
            .await
            .unwrap_err();
        let api = err.api().unwrap_or_else(|| panic!("{err:?}"));
        assert_eq!(api.status.as_u16(), status);
        assert_eq!(api.message, message);
    }
}

#[tokio::test]
async fn a_json_answer_to_a_stream_request_is_a_clear_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/chat/completions");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({"id": "x"}));
        })
        .await;
    let err = client(&server.base_url())
        .chat()
        .stream(request())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("expected a text/event-stream, got application/json"),
        "{err}"
    );
}

#[tokio::test]
async fn an_error_event_mid_stream_is_an_error_item_then_the_end() {
    let mut body = chunk("Hel");
    body.push_str(
        "data: {\"error\": {\"message\": \"model crashed\", \"code\": \"INFERENCE_FAILED\"}}\n\n",
    );
    body.push_str(&chunk("never"));
    let server = sse_server(body).await;
    let items: Vec<_> = client(&server.base_url())
        .chat()
        .stream(request())
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().unwrap().delta_text(), "Hel");
    let Err(Error::Stream(e)) = &items[1] else {
        panic!("{:?}", items[1])
    };
    assert_eq!(
        e.kind,
        StreamErrorKind::Server {
            message: "model crashed".into(),
            code: Some("INFERENCE_FAILED".into())
        }
    );
}

#[tokio::test]
async fn a_bad_event_is_an_error_item_and_the_stream_goes_on() {
    let mut body = chunk("a");
    body.push_str("data: {not json\n\n");
    body.push_str(&chunk("b"));
    body.push_str("data: {\"choices\": [{\"delta\": {}, \"finish_reason\": \"stop\"}]}\n\n");
    let server = sse_server(body).await;
    let items: Vec<_> = client(&server.base_url())
        .chat()
        .stream(request())
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(items.len(), 4, "{items:?}");
    assert!(
        matches!(&items[1], Err(Error::Stream(e)) if matches!(e.kind, StreamErrorKind::InvalidJson { .. }))
    );
    assert_eq!(items[2].as_ref().unwrap().delta_text(), "b");
    assert!(
        items[3].is_ok(),
        "a finished stream without [DONE] still ends cleanly"
    );
}

#[tokio::test]
async fn a_truncated_stream_is_an_error_not_a_silent_success() {
    let server = sse_server(format!(
        "{}{}",
        chunk("a"),
        "data: {\"choices\": [{\"delta\": {\"content\": \"b\"}}"
    ))
    .await;
    let items: Vec<_> = client(&server.base_url())
        .chat()
        .stream(request())
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(matches!(&items[1], Err(Error::Stream(e)) if e.kind == StreamErrorKind::Truncated));
    let err = client(&server.base_url())
        .chat()
        .stream(request())
        .await
        .unwrap()
        .collect_completion()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("ended before [DONE]"), "{err}");
}

#[tokio::test]
async fn a_connection_dropped_mid_event_is_an_error() {
    let (base, server) = scripted_server(
        SSE_HEAD,
        vec![(0, chunk("a")), (10, "data: {\"choi".into())],
        Duration::ZERO,
    )
    .await;
    let items: Vec<_> = client(&base)
        .chat()
        .stream(request())
        .await
        .unwrap()
        .collect()
        .await;
    server.await.unwrap();
    assert_eq!(items[0].as_ref().unwrap().delta_text(), "a");
    let last = items.last().unwrap();
    assert!(
        matches!(last, Err(Error::Connection { .. }) | Err(Error::Stream(_))),
        "{last:?}"
    );
}

#[tokio::test]
async fn a_stall_beyond_the_idle_timeout_ends_the_stream_with_a_timeout() {
    let (base, _server) = scripted_server(
        SSE_HEAD,
        vec![(0, chunk("a")), (5_000, chunk("late"))],
        Duration::ZERO,
    )
    .await;
    let started = std::time::Instant::now();
    let items: Vec<_> = client(&base)
        .chat()
        .stream(request())
        .await
        .unwrap()
        .collect()
        .await;
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(items.len(), 2, "{items:?}");
    let err = items[1].as_ref().unwrap_err();
    assert!(err.is_timeout());
    assert!(matches!(
        err,
        Error::Timeout {
            limit: TimeoutKind::Idle,
            ..
        }
    ));
}

#[tokio::test]
async fn keep_alives_keep_a_slow_stream_alive_past_the_request_timeout() {
    let mut parts = vec![(0, chunk("a"))];
    for _ in 0..6 {
        parts.push((100, ": keep-alive\n\n".to_owned()));
    }
    parts.push((100, "data: {\"choices\": [{\"delta\": {\"content\": \"z\"}, \"finish_reason\": \"stop\"}]}\n\ndata: [DONE]\n\n".to_owned()));
    let (base, _server) = scripted_server(SSE_HEAD, parts, Duration::ZERO).await;
    let c = Client::builder()
        .base_url(base)
        .timeout(Duration::from_millis(400))
        .stream_idle_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let text: Vec<String> = c
        .chat()
        .stream(request())
        .await
        .unwrap()
        .text()
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(text, ["a", "z"]);
}

#[tokio::test]
async fn dropping_the_stream_closes_the_connection() {
    let parts: Vec<(u64, String)> = (0..200).map(|i| (20, chunk(&format!("{i} ")))).collect();
    let (base, server) = scripted_server(SSE_HEAD, parts, Duration::from_secs(5)).await;
    let mut stream = client(&base).chat().stream(request()).await.unwrap();
    assert_eq!(stream.next().await.unwrap().unwrap().delta_text(), "0 ");
    drop(stream);
    assert_closed(server).await;
}

#[tokio::test]
async fn tool_calls_and_citations_are_collected_from_a_real_looking_stream() {
    let events = [
        json!({"id": "c2", "object": "chat.completion.chunk", "created": 2, "model": "qwen3-235b",
               "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}],
               "venice_parameters": {"enable_web_search": "on", "enable_e2ee": false, "enable_web_citations": true,
                   "enable_web_scraping": false, "include_venice_system_prompt": true,
                   "include_search_results_in_stream": false, "return_search_results_as_documents": false,
                   "strip_thinking_response": false, "disable_thinking": false, "web_search_citations": [
                   {"title": "Oslo weather", "url": "https://weather.example/oslo", "content": "Rain", "date": "2026-11-25"}]}}),
        json!({"id": "c2", "object": "chat.completion.chunk", "created": 2, "model": "qwen3-235b",
               "choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                   "function": {"name": "get_weather", "arguments": "{\"city\":"}}]}}]}),
        json!({"id": "c2", "object": "chat.completion.chunk", "created": 2, "model": "qwen3-235b",
               "choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "\"Oslo\"}"}}]}}]}),
        json!({"id": "c2", "object": "chat.completion.chunk", "created": 2, "model": "qwen3-235b",
               "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}),
    ];
    let mut body = String::new();
    for e in events {
        body.push_str(&format!("data: {e}\r\n\r\n"));
    }
    body.push_str("data: [DONE]\r\n\r\n");
    let server = sse_server(body).await;
    let done = client(&server.base_url())
        .chat()
        .stream(request())
        .await
        .unwrap()
        .collect_completion()
        .await
        .unwrap();
    assert_eq!(done.choices[0].finish_reason, "tool_calls");
    let venice_sdk::types::CreateChatCompletionResponseChoicesItemMessage::AssistantMessage {
        tool_calls,
        ..
    } = &done.choices[0].message
    else {
        panic!("assistant message expected")
    };
    let tool_calls = tool_calls.as_deref().unwrap();
    assert_eq!(
        tool_calls[0]["function"]["arguments"],
        "{\"city\":\"Oslo\"}"
    );
    assert_eq!(tool_calls[0]["id"], "call_1");
    assert_eq!(
        done.venice_parameters
            .as_ref()
            .unwrap()
            .web_search_citations[0]
            .title,
        "Oslo weather"
    );
}
