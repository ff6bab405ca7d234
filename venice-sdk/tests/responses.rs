//! Streamed Responses API answers through the real client over loopback: the
//! offline Venice (what users see) and scripted servers (cut, stalled,
//! oversized and failing streams).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};
use venice_sdk::ResponseAccumulator;
use venice_sdk::operations;
use venice_sdk::types::{ResponsesApiResponse, ResponsesRequest};
use venice_sdk::{
    Client, ClientBuilder, Error, ResponseEvent, ResponseStream, StreamErrorKind, TimeoutKind,
};
use venice_testing::{OfflineVenice, VeniceMocks, fixtures};

mod support;
use support::{
    FaultServer, KEY, Reply, SSE_HEAD, assert_clean, assert_closed, http, logged, scripted_server,
    stream_client,
};

const QUESTION: &str = "Why is the sky blue?";

fn request() -> ResponsesRequest {
    serde_json::from_value(serde_json::json!({"input": QUESTION, "model": "llama-3.3-70b"}))
        .unwrap()
}

/// A client of `base` with a short idle timeout, changed by `tune`.
fn client(base: &str) -> Client {
    stream_client(base, |b| b)
}

/// The final response of the scripted streams.
fn completed() -> Value {
    json!({"id": "resp_1", "object": "response", "created_at": 1_764_000_000, "model": "llama-3.3-70b",
           "status": "completed",
           "output": [{"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
                       "content": [{"type": "output_text", "text": "Hello, world", "annotations": []}]}],
           "usage": {"input_tokens": 5, "output_tokens": 3, "total_tokens": 8}})
}

/// One event as OpenAI writes it: `event: <type>` and the JSON with its `type`.
fn event(data: Value) -> String {
    format!(
        "event: {}\ndata: {data}\n\n",
        data["type"].as_str().unwrap()
    )
}

fn delta(text: &str) -> String {
    event(
        json!({"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0,
                 "content_index": 0, "delta": text}),
    )
}

/// Everything up to the first text delta.
fn opening() -> String {
    let mut started = completed();
    started["status"] = json!("in_progress");
    started["output"] = json!([]);
    started.as_object_mut().unwrap().remove("usage");
    [
        event(json!({"type": "response.created", "response": started, "sequence_number": 0})),
        event(json!({"type": "response.output_item.added", "output_index": 0,
                     "item": {"type": "message", "id": "msg_1", "status": "in_progress", "role": "assistant", "content": []}})),
    ]
    .concat()
}

/// A whole stream: opening, deltas, an event of a type this SDK does not know,
/// the text done, completed (no `[DONE]`, as OpenAI ends it).
fn whole_stream() -> String {
    [
        opening(),
        delta("Hello"),
        event(json!({"type": "response.audio.transcript.delta", "delta": "new", "extra": [1, 2]})),
        delta(", world"),
        event(
            json!({"type": "response.output_text.done", "item_id": "msg_1", "output_index": 0,
                     "content_index": 0, "text": "Hello, world"}),
        ),
        event(json!({"type": "response.completed", "response": completed()})),
    ]
    .concat()
}

fn sse(body: String) -> Reply {
    http(
        200,
        &[
            ("content-type", "text/event-stream"),
            ("cf-ray", "ray-resp"),
        ],
        body,
    )
}

/// A streamed answer to [`request`] by `client`.
async fn stream_of(client: &Client) -> ResponseStream {
    client.responses().stream(request()).await.unwrap()
}

/// A stream of `body`, sent whole by a loopback server, read by a client
/// changed by `tune`.
async fn open_with(
    body: String,
    tune: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> ResponseStream {
    let server = FaultServer::start(vec![sse(body)]).await;
    stream_of(&stream_client(&server.base, tune)).await
}

async fn open(body: String) -> ResponseStream {
    open_with(body, |b| b).await
}

async fn collected(body: String) -> Vec<Result<ResponseEvent, Error>> {
    open(body).await.collect().await
}

#[tokio::test]
async fn the_offline_stream_decodes_in_order_and_matches_create() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let mut stream = stream_of(&client).await;
    assert!(stream.meta().request_id.is_some());
    let mut kinds = Vec::new();
    let mut text = String::new();
    let mut last = None;
    while let Some(event) = stream.next().await {
        let event = event.unwrap();
        kinds.push(event.event_type().to_owned());
        text.push_str(event.text_delta().unwrap_or(""));
        assert!(!matches!(event, ResponseEvent::Unknown { .. }), "{event:?}");
        if let ResponseEvent::Completed(done) = event {
            last = Some(done.response);
        }
    }
    let deltas = kinds
        .iter()
        .filter(|k| *k == "response.output_text.delta")
        .count();
    assert!(deltas > 3, "{kinds:?}");
    let mut expected = vec![
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ];
    expected.extend(std::iter::repeat_n("response.output_text.delta", deltas));
    expected.extend([
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]);
    assert_eq!(kinds, expected);
    let last = last.unwrap();
    assert_eq!(last.status, "completed");
    assert_eq!(last.output_text(), text);
    assert!(last.usage.as_ref().unwrap().total_tokens as f64 > 0.0);
    // The same answer as the whole response.
    let whole = client.responses().create(request()).await.unwrap();
    assert_eq!(whole.output_text(), text);
    assert!(text.contains("Rayleigh scattering"), "{text}");
    assert_eq!(venice.calls("createResponse"), 2);
}

#[tokio::test]
async fn the_offline_text_view_and_collect_agree() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let parts: Vec<String> = stream_of(&client)
        .await
        .text()
        .map(Result::unwrap)
        .collect()
        .await;
    assert!(parts.len() > 3);
    let done = stream_of(&client).await.collect_response().await.unwrap();
    assert_eq!(done.output_text(), parts.concat());
    assert_eq!(done.status, "completed");
    assert!(done.meta().request_id.is_some());
}

#[tokio::test]
async fn a_scripted_stream_gives_typed_events_text_and_the_completed_response() {
    let items = collected(whole_stream()).await;
    let kinds: Vec<&str> = items
        .iter()
        .map(|e| e.as_ref().unwrap().event_type())
        .collect();
    assert_eq!(
        kinds,
        [
            "response.created",
            "response.output_item.added",
            "response.output_text.delta",
            "response.audio.transcript.delta",
            "response.output_text.delta",
            "response.output_text.done",
            "response.completed"
        ]
    );
    let ResponseEvent::Created(created) = items[0].as_ref().unwrap() else {
        panic!("{:?}", items[0])
    };
    assert_eq!(created.response.id, "resp_1");
    assert_eq!(created.response.status, "in_progress");
    assert_eq!(created.sequence_number, Some(0));
    let ResponseEvent::OutputTextDelta(d) = items[2].as_ref().unwrap() else {
        panic!("{:?}", items[2])
    };
    assert_eq!(d.place.item_id, "msg_1");
    assert_eq!((d.place.output_index, d.place.content_index), (0, Some(0)));
    assert_eq!(d.delta, "Hello");
    // An event type this SDK does not know is kept, with its JSON.
    assert_eq!(
        items[3].as_ref().unwrap(),
        &ResponseEvent::Unknown {
            event_type: "response.audio.transcript.delta".into(),
            data: json!({"type": "response.audio.transcript.delta", "delta": "new", "extra": [1, 2]}),
        }
    );

    let text: Vec<String> = open(whole_stream())
        .await
        .text()
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(text, ["Hello", ", world"]);
    let server = FaultServer::start(vec![sse(whole_stream())]).await;
    let done = stream_of(&client(&server.base))
        .await
        .collect_response()
        .await
        .unwrap();
    let expected: ResponsesApiResponse = serde_json::from_value(completed()).unwrap();
    assert_eq!(*done, expected);
    assert_eq!(done.output_text(), text.concat());
    assert_eq!(done.meta().request_id.as_deref(), Some("ray-resp"));
    // The request asked for a stream.
    let sent = server.requests.lock().unwrap()[0].clone();
    let sent = String::from_utf8_lossy(&sent).to_ascii_lowercase();
    assert!(sent.contains("\"stream\":true"), "{sent}");
    assert!(sent.contains("accept: text/event-stream"), "{sent}");
}

#[tokio::test]
async fn a_final_event_that_does_not_fit_is_unknown_and_collect_builds_from_deltas() {
    let body = [
        opening(),
        delta("Hel"),
        delta("lo"),
        event(json!({"type": "response.completed", "response": {"id": 7}})),
        "data: [DONE]\n\n".to_owned(),
    ]
    .concat();
    let items = collected(body.clone()).await;
    assert_eq!(items.len(), 5, "{items:?}");
    assert!(matches!(
        items[4].as_ref().unwrap(),
        ResponseEvent::Unknown { event_type, data } if event_type == "response.completed" && data["response"]["id"] == 7
    ));
    let done = open(body).await.collect_response().await.unwrap();
    assert_eq!(done.id, "resp_1");
    assert_eq!(done.output_text(), "Hello");
    assert_eq!(done.output.len(), 1);
}

#[tokio::test]
async fn error_events_end_the_stream_with_the_servers_message_and_code() {
    for (kind, failure) in [
        (
            "error",
            json!({"type": "error", "code": "rate_limit_exceeded", "message": "Slow down", "param": null}),
        ),
        (
            "response.failed",
            json!({"type": "response.failed", "response": {
            "id": "resp_1", "object": "response", "created_at": 1, "model": "m", "status": "failed", "output": [],
            "error": {"code": "server_error", "message": "The model crashed"}}}),
        ),
    ] {
        let body = [opening(), delta("Hel"), event(failure), delta("never")].concat();
        let items = collected(body).await;
        assert_eq!(items.len(), 4, "{kind}: {items:?}");
        let Err(Error::Stream(e)) = &items[3] else {
            panic!("{kind}: {:?}", items[3])
        };
        let (message, code) = match kind {
            "error" => ("Slow down", "rate_limit_exceeded"),
            _ => ("The model crashed", "server_error"),
        };
        assert_eq!(
            e.kind,
            StreamErrorKind::Server {
                message: message.into(),
                code: Some(code.into())
            }
        );
        assert_eq!(e.request_id.as_deref(), Some("ray-resp"));
    }
}

#[tokio::test]
async fn a_stream_cut_before_completed_is_truncated_not_a_silent_success() {
    let body = [
        opening(),
        delta("Hel"),
        "data: {\"type\": \"response.output_te".into(),
    ]
    .concat();
    let items = collected(body.clone()).await;
    assert_eq!(items.len(), 4, "{items:?}");
    assert!(matches!(&items[3], Err(Error::Stream(e)) if e.kind == StreamErrorKind::Truncated));
    let err = open(body).await.collect_response().await.unwrap_err();
    assert!(err.to_string().contains("response.completed"), "{err}");
}

#[tokio::test]
async fn a_stalled_stream_ends_with_the_idle_timeout_quickly() {
    let (base, _server) = scripted_server(
        SSE_HEAD,
        vec![(0, opening()), (5_000, delta("late"))],
        Duration::ZERO,
    )
    .await;
    let started = std::time::Instant::now();
    let items: Vec<_> = stream_of(&client(&base)).await.collect().await;
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(matches!(
        items[2],
        Err(Error::Timeout {
            limit: TimeoutKind::Idle,
            ..
        })
    ));
}

#[tokio::test]
async fn the_overall_stream_timeout_holds_while_events_keep_coming() {
    let parts = (0..100).map(|_| (50, delta("x"))).collect();
    let (base, _server) = scripted_server(SSE_HEAD, parts, Duration::ZERO).await;
    let c = stream_client(&base, |b| b.stream_timeout(Duration::from_millis(400)));
    let started = std::time::Instant::now();
    let err = stream_of(&c).await.collect_response().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(matches!(
        err,
        Error::Timeout {
            limit: TimeoutKind::Stream,
            ..
        }
    ));
}

#[tokio::test]
async fn an_oversized_event_is_skipped_and_an_oversized_stream_ends() {
    let big = delta(&"x".repeat(4096));
    let body = [
        opening(),
        big,
        delta("ok"),
        event(json!({"type": "response.completed", "response": completed()})),
    ]
    .concat();
    let stream = open_with(body, |b| b.max_event_size(1024)).await;
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 5, "{items:?}");
    assert!(
        matches!(&items[2], Err(Error::Stream(e)) if e.kind == StreamErrorKind::EventTooLarge { limit: 1024 })
    );
    assert_eq!(items[3].as_ref().unwrap().text_delta(), Some("ok"));
    assert!(matches!(items[4], Ok(ResponseEvent::Completed(_))));

    let body = [
        opening(),
        (0..50).map(|_| delta("0123456789")).collect::<String>(),
    ]
    .concat();
    let stream = open_with(body, |b| b.max_response_size(2048)).await;
    let err = stream.collect_response().await.unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 2048, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn dropping_the_stream_mid_way_closes_the_connection() {
    let mut parts = vec![(0, opening())];
    parts.extend((0..200).map(|i| (20, delta(&format!("{i} ")))));
    let (base, server) = scripted_server(SSE_HEAD, parts, Duration::from_secs(5)).await;
    let mut stream = stream_of(&client(&base)).await;
    let mut seen = 0;
    while let Some(event) = stream.next().await {
        if event.unwrap().text_delta().is_some() {
            seen += 1;
        }
        if seen == 3 {
            break;
        }
    }
    drop(stream);
    assert_closed(server).await;
}

#[test]
fn no_secret_in_logs_or_errors_of_a_failing_stream() {
    logged(async {
        let failure = json!({"type": "error", "code": "bad_key", "message": format!("key {KEY} is not allowed")});
        let body = [opening(), delta("Hel"), event(failure)].concat();
        let items = collected(body).await;
        let err = items.last().unwrap().as_ref().unwrap_err();
        assert_clean(err);
        assert!(err.to_string().contains("<redacted>"), "{err}");
    });
}

/// A response of every kind of output item: reasoning, a function call, a
/// message of two text parts, and an item type this SDK does not know.
fn every_item() -> ResponsesApiResponse {
    serde_json::from_value(json!({
        "id": "resp_9", "object": "response", "created_at": 7, "model": "qwen3-235b", "status": "completed",
        "output": [
            {"type": "reasoning", "id": "rs_1", "summary": ["Look it up."]},
            {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "get_weather",
             "arguments": "{\"city\":\"Oslo\"}", "status": "completed"},
            {"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
             "content": [{"type": "output_text", "text": "Rain in Oslo, ", "annotations": []},
                         {"type": "output_text", "text": "bring a coat.", "annotations": []}]},
            {"type": "image_generation_call", "id": "ig_1", "status": "completed", "result": "…"}
        ],
        "usage": {"input_tokens": 9, "output_tokens": 12, "total_tokens": 21}
    }))
    .unwrap()
}

#[tokio::test]
async fn the_stream_mock_gives_back_its_response_and_the_deltas_rebuild_it() {
    let response = every_item();
    let server = httpmock::MockServer::start_async().await;
    server.mock_response_stream(&response);
    server.mock_response(&fixtures::example(&operations::CREATE_RESPONSE).unwrap());
    let c = client(&server.base_url());
    assert_eq!(
        *stream_of(&c).await.collect_response().await.unwrap(),
        response
    );
    // The whole answer still comes from the other mock.
    assert_ne!(*c.responses().create(request()).await.unwrap(), response);

    // Without the items done and `response.completed`, the accumulator
    // rebuilds the output from the items added and the deltas.
    let mut stream = stream_of(&c).await;
    let mut acc = ResponseAccumulator::default();
    let mut text = String::new();
    while let Some(event) = stream.next().await {
        let event = event.unwrap();
        text.push_str(event.text_delta().unwrap_or_default());
        if !matches!(
            event,
            ResponseEvent::Completed(_) | ResponseEvent::OutputItemDone(_)
        ) {
            acc.add(event);
        }
    }
    assert_eq!(text, "Rain in Oslo, bring a coat.");
    let rebuilt = acc.finish();
    assert_eq!(rebuilt.id, "resp_9");
    assert_eq!(rebuilt.output.len(), 4);
    assert_eq!(rebuilt.output_text(), text);
    let call = serde_json::to_value(&rebuilt.output[1]).unwrap();
    assert_eq!(call["arguments"], "{\"city\":\"Oslo\"}");
    let unknown = serde_json::to_value(&rebuilt.output[3]).unwrap();
    assert_eq!(unknown["type"], "image_generation_call");
}

#[test]
fn the_accumulator_builds_function_calls_and_messages_from_deltas() {
    let mut acc = ResponseAccumulator::default();
    for (kind, data) in [
        (
            "response.output_item.added",
            json!({"output_index": 0, "item": {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "get_weather", "arguments": "", "status": "in_progress"}}),
        ),
        (
            "response.function_call_arguments.delta",
            json!({"item_id": "fc_1", "output_index": 0, "delta": "{\"city\":"}),
        ),
        (
            "response.function_call_arguments.delta",
            json!({"item_id": "fc_1", "output_index": 0, "delta": "\"Oslo\"}"}),
        ),
        (
            "response.output_text.delta",
            json!({"item_id": "msg_2", "output_index": 1, "content_index": 0, "delta": "Checking"}),
        ),
        (
            "response.output_item.added",
            json!({"output_index": 2, "item": {"type": "reasoning", "id": "rs_1", "summary": []}}),
        ),
        (
            "response.reasoning_summary_text.delta",
            json!({"item_id": "rs_1", "output_index": 2, "summary_index": 0, "delta": "Weather "}),
        ),
        (
            "response.reasoning_summary_text.delta",
            json!({"item_id": "rs_1", "output_index": 2, "summary_index": 0, "delta": "first."}),
        ),
        (
            "response.reasoning_summary_text.delta",
            json!({"item_id": "rs_9", "output_index": 3, "summary_index": 0, "delta": "no item"}),
        ),
    ] {
        acc.add(ResponseEvent::from_json(kind, data));
    }
    let done = acc.finish();
    assert_eq!(done.output.len(), 3, "{done:?}");
    let call = serde_json::to_value(&done.output[0]).unwrap();
    assert_eq!(call["arguments"], "{\"city\":\"Oslo\"}");
    assert_eq!(call["name"], "get_weather");
    assert_eq!(done.output_text(), "Checking");
    let reasoning = serde_json::to_value(&done.output[2]).unwrap();
    assert_eq!(reasoning["summary"], json!(["Weather first."]));
}
