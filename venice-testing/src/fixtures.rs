//! Ready-made responses for tests: chat completions, stream chunks, server-sent
//! event bodies (chat and Responses API), real PNG images, the spec's examples
//! and Venice's headers.
//!
//! ```
//! use venice_testing::fixtures;
//!
//! let completion = fixtures::chat_completion("llama-3.3-70b", "Hello!");
//! assert_eq!(completion.text().as_deref(), Some("Hello!"));
//!
//! let chunks = fixtures::chat_chunks("qwen3-4b", "Greet back.", "Hi there");
//! let body = fixtures::sse_body(&chunks);
//! assert!(body.ends_with("data: [DONE]\n\n"));
//!
//! let png = fixtures::sample_png();
//! assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
//! ```

use std::fmt;

use httpmock::Then;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use venice_sdk::operations::Operation;
use venice_sdk::{ChatCompletionChunk, types};
use venice_sdk::{ChunkChoice, Delta};

use crate::{png, util};

/// A PNG of `width` × `height` pixels: a colour gradient, valid for any decoder.
///
/// The data is stored uncompressed, so keep images small (a 64 × 64 image is 12 KiB).
///
/// ```
/// let png = venice_testing::fixtures::png(64, 32);
/// assert_eq!(venice_testing::fixtures::png_dimensions(&png), Some((64, 32)));
/// ```
pub fn png(width: u32, height: u32) -> Vec<u8> {
    gradient_png(width, height, 0)
}

/// A gradient PNG whose colours depend on `seed` (different prompts, different images).
pub(crate) fn gradient_png(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let [r0, g0, b0, ..] = seed.to_le_bytes();
    let (w, h) = (width.max(1), height.max(1));
    png::encode(w, h, move |x, y| {
        let fx = u8::try_from(x * 255 / w.max(2).saturating_sub(1).max(1)).unwrap_or(u8::MAX);
        let fy = u8::try_from(y * 255 / h.max(2).saturating_sub(1).max(1)).unwrap_or(u8::MAX);
        [
            fx.wrapping_add(r0),
            fy.wrapping_add(g0),
            (fx / 2).wrapping_add(fy / 2).wrapping_add(b0),
        ]
    })
}

/// A valid 8 × 8 PNG.
///
/// ```
/// let png = venice_testing::fixtures::sample_png();
/// assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
/// ```
pub fn sample_png() -> Vec<u8> {
    png(8, 8)
}

/// The width and height in a PNG's header, or `None` if `data` is not a PNG.
///
/// ```
/// use venice_testing::fixtures::{png_dimensions, sample_png};
///
/// assert_eq!(png_dimensions(&sample_png()), Some((8, 8)));
/// assert_eq!(png_dimensions(b"GIF89a"), None);
/// ```
pub fn png_dimensions(data: &[u8]) -> Option<(u32, u32)> {
    png::dimensions(data)
}

/// A finished chat completion answering `text`, as `chat().create` returns it.
///
/// ```
/// let completion = venice_testing::fixtures::chat_completion("llama-3.3-70b", "Hello!");
/// assert_eq!(completion.text().as_deref(), Some("Hello!"));
/// assert_eq!(completion.model, "llama-3.3-70b");
/// ```
pub fn chat_completion(model: &str, text: &str) -> types::CreateChatCompletionResponse {
    let completion_tokens = i64::try_from(util::pieces(text).len()).unwrap_or(i64::MAX);
    util::typed(serde_json::json!({
        "created": util::unix_now(),
        "id": format!("chatcmpl-{}", util::hex(util::random_seed(), 0, 32)),
        "model": model,
        "object": "chat.completion",
        "usage": usage(12, completion_tokens),
        "choices": [{
            "finish_reason": "stop",
            "index": 0,
            "message": {"role": "assistant", "content": text},
        }],
    }))
}

/// Token usage: `prompt_tokens`, `completion_tokens` and their sum, as JSON.
fn usage(prompt_tokens: i64, completion_tokens: i64) -> serde_json::Value {
    serde_json::json!({
        "completion_tokens": completion_tokens,
        "prompt_tokens": prompt_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    })
}

/// The chunks of a streamed answer, as Venice sends them: a first chunk with the
/// role, `reasoning` word by word (skipped if empty), `text` word by word, a chunk
/// with `finish_reason: "stop"`, and a usage chunk.
///
/// ```
/// use venice_sdk::ChatCompletionChunk;
///
/// let chunks = venice_testing::fixtures::chat_chunks("qwen3-4b", "", "Hi there");
/// let text: String = chunks.iter().map(ChatCompletionChunk::delta_text).collect();
/// assert_eq!(text, "Hi there");
/// assert!(chunks.last().is_some_and(|c| c.usage.is_some()));
/// ```
pub fn chat_chunks(model: &str, reasoning: &str, text: &str) -> Vec<ChatCompletionChunk> {
    let id = format!("chatcmpl-{}", util::hex(util::random_seed(), 0, 32));
    let base = chunk_base(id, util::unix_now(), model);
    let reasoning_pieces = util::pieces(reasoning);
    let text_pieces = util::pieces(text);
    let completion_tokens =
        i64::try_from(reasoning_pieces.len() + text_pieces.len()).unwrap_or(i64::MAX);
    text_chunks(
        &base,
        reasoning_pieces,
        text_pieces,
        "stop",
        util::typed(usage(12, completion_tokens)),
    )
}

/// A chunk of a stream with its id, creation time and model, and nothing else.
pub(crate) fn chunk_base(id: String, created: i64, model: &str) -> ChatCompletionChunk {
    ChatCompletionChunk {
        id,
        object: "chat.completion.chunk".into(),
        created,
        model: model.into(),
        ..ChatCompletionChunk::default()
    }
}

/// `base` carrying one choice: `delta`, and `finish_reason` if any.
pub(crate) fn delta_chunk(
    base: &ChatCompletionChunk,
    delta: Delta,
    finish_reason: Option<&str>,
) -> ChatCompletionChunk {
    ChatCompletionChunk {
        choices: vec![ChunkChoice {
            index: 0,
            delta,
            finish_reason: finish_reason.map(str::to_owned),
            logprobs: None,
        }],
        ..base.clone()
    }
}

/// The chunks of a streamed text answer: a first chunk with the role, the
/// `reasoning` pieces, the `text` pieces, a chunk with `finish`, and a usage
/// chunk.
pub(crate) fn text_chunks(
    base: &ChatCompletionChunk,
    reasoning: Vec<String>,
    text: Vec<String>,
    finish: &str,
    usage: types::CreateChatCompletionResponseUsage,
) -> Vec<ChatCompletionChunk> {
    let mut chunks = vec![delta_chunk(
        base,
        Delta {
            role: Some("assistant".into()),
            content: Some(String::new()),
            ..Delta::default()
        },
        None,
    )];
    let reasoning = reasoning.into_iter().map(|piece| Delta {
        reasoning_content: Some(piece),
        ..Delta::default()
    });
    let text = text.into_iter().map(|piece| Delta {
        content: Some(piece),
        ..Delta::default()
    });
    chunks.extend(reasoning.chain(text).map(|d| delta_chunk(base, d, None)));
    chunks.push(delta_chunk(base, Delta::default(), Some(finish)));
    chunks.push(ChatCompletionChunk {
        usage: Some(usage),
        ..base.clone()
    });
    chunks
}

/// A `text/event-stream` body: one `data:` event per chunk, then `data: [DONE]`.
///
/// ```
/// use venice_testing::fixtures::{chat_chunks, sse_body};
///
/// let chunks = chat_chunks("qwen3-4b", "", "Hi");
/// let body = sse_body(&chunks);
/// assert_eq!(body.matches("data: ").count(), chunks.len() + 1);
/// assert!(body.ends_with("data: [DONE]\n\n"));
/// ```
pub fn sse_body(chunks: &[ChatCompletionChunk]) -> String {
    let mut body = String::new();
    for chunk in chunks {
        // A chunk of plain strings and numbers always serializes.
        let json = serde_json::to_string(chunk).unwrap_or_default();
        body.push_str("data: ");
        body.push_str(&json);
        body.push_str("\n\n");
    }
    body.push_str("data: [DONE]\n\n");
    body
}

/// The `text/event-stream` body of a streamed Responses API answer whose final
/// form is `response` (OpenAI's Responses events, each with `event:` and a
/// `sequence_number`):
///
/// - `response.created` and `response.in_progress` (status `in_progress`, no
///   output, no usage yet);
/// - per output item, `response.output_item.added` (a message without its
///   content, a function call without its arguments) and, for a message, per
///   text part `response.content_part.added`, the text word by word in
///   `response.output_text.delta`s, `response.output_text.done` and
///   `response.content_part.done`; for a function call, its arguments in a
///   `response.function_call_arguments.delta` and `.done`; then
///   `response.output_item.done` with the item whole;
/// - `response.completed` with `response` itself, then `data: [DONE]` (as
///   Venice ends its chat streams).
///
/// ```
/// use venice_testing::fixtures;
///
/// let response = fixtures::example::<venice_sdk::types::ResponsesApiResponse>(
///     &venice_sdk::operations::CREATE_RESPONSE,
/// ).unwrap();
/// let body = fixtures::response_events(&response);
/// assert!(body.starts_with("event: response.created\n"));
/// assert!(body.ends_with("data: [DONE]\n\n"));
/// ```
pub fn response_events(response: &types::ResponsesApiResponse) -> String {
    response_events_of(&serde_json::to_value(response).unwrap_or_default())
}

/// [`response_events`] of a response as JSON.
pub(crate) fn response_events_of(completed: &Value) -> String {
    let mut started = completed.clone();
    started["status"] = json!("in_progress");
    started["output"] = json!([]);
    if let Some(fields) = started.as_object_mut() {
        fields.remove("usage");
    }
    let mut events = vec![
        json!({"type": "response.created", "response": started}),
        json!({"type": "response.in_progress", "response": started}),
    ];
    let items = completed["output"].as_array().cloned().unwrap_or_default();
    for (output_index, item) in items.into_iter().enumerate() {
        item_events(&mut events, output_index, item);
    }
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

/// The events of one output item, from added to done.
fn item_events(events: &mut Vec<Value>, output_index: usize, item: Value) {
    let item_id = item["id"].clone();
    let at = |kind: &str| json!({"type": kind, "item_id": item_id, "output_index": output_index});
    let with = |mut event: Value, field: &str, value: Value| {
        event[field] = value;
        event
    };
    let mut added = with(item.clone(), "status", json!("in_progress"));
    match item["type"].as_str() {
        Some("message") => {
            added["content"] = json!([]);
            events.push(json!({"type": "response.output_item.added", "output_index": output_index, "item": added}));
            let parts = item["content"].as_array().cloned().unwrap_or_default();
            for (content_index, part) in parts.into_iter().enumerate() {
                let text = part["text"].as_str().unwrap_or_default().to_owned();
                let at = |kind: &str| with(at(kind), "content_index", json!(content_index));
                events.push(with(at("response.content_part.added"), "part", with(part.clone(), "text", json!(""))));
                for piece in util::pieces(&text) {
                    events.push(with(at("response.output_text.delta"), "delta", json!(piece)));
                }
                events.push(with(at("response.output_text.done"), "text", json!(text)));
                events.push(with(at("response.content_part.done"), "part", part));
            }
        }
        Some("function_call") => {
            added["arguments"] = json!("");
            events.push(json!({"type": "response.output_item.added", "output_index": output_index, "item": added}));
            let arguments = item["arguments"].clone();
            events.push(with(at("response.function_call_arguments.delta"), "delta", arguments.clone()));
            events.push(with(at("response.function_call_arguments.done"), "arguments", arguments));
        }
        _ => events.push(json!({"type": "response.output_item.added", "output_index": output_index, "item": added})),
    }
    events.push(
        json!({"type": "response.output_item.done", "output_index": output_index, "item": item}),
    );
}

/// The body Venice sends with an error status: `{"error": message}`.
///
/// ```
/// let body = venice_testing::fixtures::error_body("Rate limit exceeded");
/// assert_eq!(body, serde_json::json!({"error": "Rate limit exceeded"}));
/// ```
pub fn error_body(message: &str) -> Value {
    json!({ "error": message })
}

/// The spec's example success body of an operation
/// (`&operations::LIST_MODELS`), as JSON.
///
/// `None` for an operation without a JSON example (`upscaleImage` answers with
/// image bytes).
///
/// ```
/// use venice_sdk::operations;
/// use venice_testing::fixtures::example_json;
///
/// let models = example_json(&operations::LIST_MODELS).expect("the spec has an example");
/// assert!(models["data"].is_array());
/// ```
pub fn example_json(operation: &Operation) -> Option<Value> {
    serde_json::from_str(operation.example_response?).ok()
}

/// The spec's example success body of an operation, decoded as `T`:
/// `fixtures::example::<types::ListModelsResponse>(&operations::LIST_MODELS)`.
///
/// ```
/// use venice_sdk::{operations, types::ListModelsResponse};
/// use venice_testing::fixtures;
///
/// let models: ListModelsResponse = fixtures::example(&operations::LIST_MODELS)?;
/// assert!(!models.data.is_empty());
/// # Ok::<(), fixtures::ExampleError>(())
/// ```
pub fn example<T: DeserializeOwned>(operation: &Operation) -> Result<T, ExampleError> {
    let value = example_json(operation).ok_or_else(|| ExampleError {
        operation: operation.id.to_owned(),
        message: "the operation has no JSON example".into(),
    })?;
    serde_json::from_value(value).map_err(|e| ExampleError {
        operation: operation.id.to_owned(),
        message: e.to_string(),
    })
}

/// Why [`example`] has no value.
///
/// ```
/// use venice_sdk::{operations, types::ListModelsResponse};
/// use venice_testing::fixtures;
///
/// // The spec's example of a chat completion is no list of models.
/// let err = fixtures::example::<ListModelsResponse>(&operations::CREATE_CHAT_COMPLETION)
///     .unwrap_err();
/// assert_eq!(err.operation, "createChatCompletion");
/// println!("{err}");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExampleError {
    /// The operation asked for.
    pub operation: String,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for ExampleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "example of {}: {}", self.operation, self.message)
    }
}

impl std::error::Error for ExampleError {}

/// The request id every mock made by [`VeniceMocks`](crate::VeniceMocks) sends (`cf-ray`).
pub const MOCK_REQUEST_ID: &str = "8f3a1c2b4d5e6f70-SJC";

/// Adds the headers Venice sends with every response: request id (`cf-ray`),
/// rate limits and balances. Use with httpmock's `Then::and`:
/// `then.status(200).and(fixtures::venice_headers)`.
///
/// The values: request id [`MOCK_REQUEST_ID`], 500 requests per minute with 499
/// left, 1 000 000 tokens with 999 000 left, resetting in 60 s, balances 25 USD,
/// 100 VCU and 4.5 DIEM.
///
/// ```
/// use venice_testing::httpmock::{Method::GET, MockServer};
/// use venice_testing::{VeniceMocks, fixtures};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// let server = MockServer::start_async().await;
/// server.mock(|when, then| {
///     when.method(GET).path("/models");
///     then.status(200)
///         .and(fixtures::venice_headers)
///         .json_body(serde_json::json!({"data": [], "object": "list", "type": "text"}));
/// });
/// let models = server.venice_client()?.models().list(None).await?;
/// assert_eq!(models.meta().rate_limits.requests.remaining, Some(499));
/// assert_eq!(models.meta().request_id.as_deref(), Some(fixtures::MOCK_REQUEST_ID));
/// # Ok(()) }
/// ```
pub fn venice_headers(then: Then) -> Then {
    let reset = (util::unix_now_ms() + 60_000).to_string();
    then.header("cf-ray", MOCK_REQUEST_ID)
        .header("x-ratelimit-limit-requests", "500")
        .header("x-ratelimit-remaining-requests", "499")
        .header("x-ratelimit-reset-requests", reset.clone())
        .header("x-ratelimit-limit-tokens", "1000000")
        .header("x-ratelimit-remaining-tokens", "999000")
        .header("x-ratelimit-reset-tokens", reset)
        .header("x-venice-balance-usd", "25.0000")
        .header("x-venice-balance-vcu", "100.0000")
        .header("x-venice-balance-diem", "4.5000")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use venice_sdk::operations;

    #[test]
    fn chunks_fold_back_into_the_text() {
        let chunks = chat_chunks("m", "Think.", "One two three");
        let text: String = chunks.iter().map(ChatCompletionChunk::delta_text).collect();
        let reasoning: String = chunks
            .iter()
            .map(ChatCompletionChunk::delta_reasoning)
            .collect();
        assert_eq!(text, "One two three");
        assert_eq!(reasoning, "Think.");
        let body = sse_body(&chunks);
        assert_eq!(body.matches("data: ").count(), chunks.len() + 1);
        assert!(body.contains(r#""finish_reason":"stop""#));
    }

    #[test]
    fn examples_decode() {
        let models: types::ListModelsResponse = example(&operations::LIST_MODELS).unwrap();
        assert_eq!(models.data[0].id, "llama-3.2-3b");
        assert!(example::<types::ListModelsResponse>(&operations::LIST_CHARACTERS).is_err());
        assert!(example_json(&operations::UPSCALE_IMAGE).is_none());
    }

    #[test]
    fn pngs_have_the_asked_size() {
        assert_eq!(png_dimensions(&png(3, 5)), Some((3, 5)));
        assert_eq!(png_dimensions(&sample_png()), Some((8, 8)));
    }
}
