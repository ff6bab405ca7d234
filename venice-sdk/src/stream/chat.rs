//! Streaming chat completions: typed chunks from a server-sent event stream,
//! pulled by the caller, and an accumulator that folds them into a completion.
//!
//! The stream is a plain [`futures::Stream`]: no task is spawned and nothing is
//! buffered beyond the event being parsed. Dropping it closes the connection.

use std::collections::BTreeMap;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::events::{Decode, EventSource, TypedEvents};
use super::sse::Event;
use crate::transport::LiveBody;
use crate::{Error, ResponseMeta, types};

/// One `chat.completion.chunk` of a streamed completion.
///
/// Every field is optional or defaulted and unknown fields are ignored, so chunks
/// from newer servers (or other OpenAI-compatible ones) still decode.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// use venice_sdk::{Message, types::ChatCompletionRequest};
///
/// let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Hi")]);
/// let mut stream = client.chat().stream(request).await?;
/// while let Some(chunk) = stream.next().await {
///     let chunk = chunk?;
///     print!("{}", chunk.delta_text());
///     if let Some(usage) = &chunk.usage {
///         println!("\n{usage:?}");
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChatCompletionChunk {
    /// The completion id (the same for every chunk).
    #[serde(default)]
    pub id: String,
    /// `chat.completion.chunk`.
    #[serde(default)]
    pub object: String,
    /// Unix time the completion was created.
    #[serde(default)]
    pub created: i64,
    /// The model answering.
    #[serde(default)]
    pub model: String,
    /// The deltas, one per choice.
    #[serde(default)]
    pub choices: Vec<ChunkChoice>,
    /// Token usage; sent in a final chunk when `stream_options.include_usage` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<types::CreateChatCompletionResponseUsage>,
    /// Venice's extras, such as web search citations (first or last chunk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venice_parameters: Option<Value>,
    /// What the request cost (`{"usd", "diem"}`), when a chunk says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Value>,
}

/// The delta of one choice.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// use venice_sdk::{Message, types::ChatCompletionRequest};
///
/// let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Hi")]);
/// let mut stream = client.chat().stream(request).await?;
/// while let Some(chunk) = stream.next().await {
///     for choice in &chunk?.choices {
///         if let Some(reason) = &choice.finish_reason {
///             println!("choice {} finished: {reason}", choice.index);
///         }
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChunkChoice {
    /// Which choice this delta belongs to.
    #[serde(default)]
    pub index: u32,
    /// What this chunk adds.
    #[serde(default)]
    pub delta: Delta,
    /// Why the choice finished (`stop`, `length`, `tool_calls`, or a value this
    /// SDK does not know yet), on its last chunk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<String>,
    /// Log probabilities, when requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<Value>,
}

/// Text and tool-call fragments added by a chunk.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// use venice_sdk::{Message, types::ChatCompletionRequest};
///
/// let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Hi")]);
/// let mut stream = client.chat().stream(request).await?;
/// while let Some(chunk) = stream.next().await {
///     for choice in &chunk?.choices {
///         print!("{}", choice.delta.content.as_deref().unwrap_or(""));
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    /// The role, on the first chunk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// A piece of the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// A piece of the model's reasoning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
    /// Pieces of tool calls, merged by `index`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCallDelta>,
    /// Reasoning details (signed thoughts) to send back unchanged on the next
    /// turn; appended across chunks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasoning_details: Vec<Value>,
    /// A thought signature to send back unchanged on the next turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thought_signature: Option<String>,
}

/// A fragment of a tool call.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// use venice_sdk::{Message, types::ChatCompletionRequest};
///
/// let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Hi")]);
/// let mut stream = client.chat().stream(request).await?;
/// while let Some(chunk) = stream.next().await {
///     for choice in &chunk?.choices {
///         for call in &choice.delta.tool_calls {
///             println!("tool call #{}: {:?}", call.index, call.function.as_ref().and_then(|f| f.name.as_deref()));
///         }
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolCallDelta {
    /// Which tool call of the choice this fragment belongs to.
    #[serde(default)]
    pub index: u32,
    /// The call id, on its first fragment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `function`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name and argument fragments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<FunctionDelta>,
    /// The call's other fields (`extra_content`, …), sent back with it.
    #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, Value>,
}

/// A fragment of a function call.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// use venice_sdk::{Message, types::ChatCompletionRequest};
///
/// let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Hi")]);
/// // Fragments of a call's arguments arrive across chunks; collecting joins them.
/// let completion = client.chat().stream(request).await?.collect_completion().await?;
/// for call in completion.tool_calls() {
///     println!("{}({})", call.name, call.arguments);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FunctionDelta {
    /// The function name, usually whole on the first fragment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A piece of the JSON arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<String>,
}

impl ChatCompletionChunk {
    /// The content this chunk adds to the first choice (empty if none).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Hi")]);
    /// let mut stream = client.chat().stream(request).await?;
    /// let mut answer = String::new();
    /// while let Some(chunk) = stream.next().await {
    ///     answer.push_str(chunk?.delta_text());
    /// }
    /// assert!(!answer.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn delta_text(&self) -> &str {
        self.choices
            .first()
            .and_then(|c| c.delta.content.as_deref())
            .unwrap_or("")
    }

    /// The reasoning this chunk adds to the first choice (empty if none).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Hi")]);
    /// let mut stream = client.chat().stream(request).await?;
    /// while let Some(chunk) = stream.next().await {
    ///     let chunk = chunk?;
    ///     eprint!("{}", chunk.delta_reasoning()); // empty when the model does not reason
    ///     print!("{}", chunk.delta_text());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn delta_reasoning(&self) -> &str {
        self.choices
            .first()
            .and_then(|c| c.delta.reasoning_content.as_deref())
            .unwrap_or("")
    }
}

/// A streamed chat completion: a [`Stream`] of [`ChatCompletionChunk`]s.
///
/// Items are pulled from the connection as the caller asks for them. An item is
/// `Err` for an event that could not be read (the stream goes on) or for a
/// failure that ends it (server error event, broken connection, stall longer than
/// the idle timeout, truncation). After `data: [DONE]` the stream ends and
/// nothing more is read.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// use venice_sdk::{Message, types::ChatCompletionRequest};
///
/// let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Hi")]);
/// let mut stream = client.chat().stream(request).await?;
/// println!("request id {:?}", stream.meta().request_id);
/// while let Some(chunk) = stream.next().await {
///     print!("{}", chunk?.delta_text());
/// }
/// # Ok(()) }
/// ```
pub struct ChatStream {
    inner: TypedEvents<ChunkDecoder>,
}

impl fmt::Debug for ChatStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

/// What a mapped stream does to each chunk before handing it out (the
/// decryption of a private chat's deltas); an error ends the stream.
pub(crate) type ChunkMap =
    Box<dyn FnMut(ChatCompletionChunk) -> Result<ChatCompletionChunk, Error> + Send + Sync>;

/// Chunks from events: `[DONE]` ends the stream; a chunk with a finish reason
/// makes the answer whole; each chunk goes through `map`, if set.
#[derive(Default)]
struct ChunkDecoder {
    finished_choice: bool,
    map: Option<ChunkMap>,
}

impl ChatStream {
    /// The chunks of a `text/event-stream` body.
    pub(crate) fn new(body: LiveBody) -> ChatStream {
        ChatStream {
            inner: TypedEvents::new(EventSource::new(body), ChunkDecoder::default()),
        }
    }

    /// The chunks of an event stream, each made by `map` from the decoded
    /// one; the first error of `map` ends the stream (nothing more is read).
    /// Private chat decrypts its chunks with it.
    #[cfg(feature = "tee")]
    pub(crate) fn mapped(body: LiveBody, map: ChunkMap) -> ChatStream {
        ChatStream {
            inner: TypedEvents::new(
                EventSource::new(body),
                ChunkDecoder {
                    finished_choice: false,
                    map: Some(map),
                },
            ),
        }
    }

    /// The response metadata (status, request id, rate limits, headers).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Hi")]);
    /// let stream = client.chat().stream(request).await?;
    /// println!("{:?} requests left", stream.meta().rate_limits.requests.remaining);
    /// # Ok(()) }
    /// ```
    pub fn meta(&self) -> &ResponseMeta {
        self.inner.meta()
    }

    /// The next chunk, or `None` at the end; the same as `StreamExt::next`, without
    /// needing the `futures` crate.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Hi")]);
    /// let mut stream = client.chat().stream(request).await?;
    /// while let Some(chunk) = stream.next().await {
    ///     print!("{}", chunk?.delta_text());
    /// }
    /// # Ok(()) }
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub async fn next(&mut self) -> Option<Result<ChatCompletionChunk, Error>> {
        StreamExt::next(self).await
    }

    /// Only the text: each item is the content a chunk adds (chunks without text
    /// are skipped).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Hi")]);
    /// use futures::StreamExt;
    ///
    /// let mut text = client.chat().stream(request).await?.text();
    /// while let Some(piece) = text.next().await {
    ///     print!("{}", piece?);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn text(self) -> impl Stream<Item = Result<String, Error>> + Unpin {
        self.inner.text(|chunk| {
            let text = chunk.delta_text();
            (!text.is_empty()).then(|| text.to_owned())
        })
    }

    /// Reads the whole stream and folds it into the completion `chat().create`
    /// would have returned: content and reasoning joined per choice, tool-call
    /// fragments merged by index, finish reasons, usage, cost and citations.
    /// What the model asks to get back (`reasoning_details`, `thought_signature`,
    /// a call's own extra fields) is kept in the answer's JSON, so that the
    /// returned response's [`tool_calls`](crate::Response) and
    /// `assistant_message()` carry it into the next turn.
    ///
    /// The first error ends the collection and is returned. What is read is
    /// bounded like any stream: at most
    /// [`max_response_size`](crate::ClientBuilder::max_response_size) bytes in all
    /// ([`Error::BodyTooLarge`]), and within the
    /// [`stream_timeout`](crate::ClientBuilder::stream_timeout) when one is set.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Hi")]);
    /// let completion = client.chat().stream(request).await?.collect_completion().await?;
    /// println!("{}", completion.text().unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub async fn collect_completion(
        self,
    ) -> Result<crate::Response<types::CreateChatCompletionResponse>, Error> {
        self.inner
            .collect_into(ChatAccumulator::add, ChatAccumulator::finish_with_json)
            .await
    }
}

impl ChatStream {
    /// Reads the whole stream ([`collect_completion`](Self::collect_completion))
    /// and its text as JSON into `T`, as
    /// [`Chat::parse`](crate::Chat::parse) does; set the response format first
    /// (`request.with_response_format(ResponseFormat::for_type::<T>()?)`).
    ///
    /// ```no_run
    /// # async fn run(client: venice_sdk::Client, request: venice_sdk::types::ChatCompletionRequest) -> Result<(), venice_sdk::Error> {
    /// use venice_sdk::ResponseFormat;
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Haiku { lines: Vec<String> }
    ///
    /// let request = request.with_response_format(ResponseFormat::for_type::<Haiku>()?);
    /// let parsed = client.chat().stream(request).await?.collect_parsed::<Haiku>().await?;
    /// println!("{}", parsed.value.lines.join("\n"));
    /// # Ok(()) }
    /// ```
    pub async fn collect_parsed<T: serde::de::DeserializeOwned>(
        self,
    ) -> Result<crate::structured::Parsed<T>, Error> {
        let completion = self.collect_completion().await?;
        let value = completion.parse::<T>()?;
        Ok(crate::structured::Parsed { value, completion })
    }
}

impl Decode for ChunkDecoder {
    type Item = ChatCompletionChunk;
    const NAME: &'static str = "ChatStream";

    fn decode(
        &mut self,
        source: &mut EventSource,
        event: Event,
    ) -> Result<ChatCompletionChunk, Error> {
        let data = event.data.trim();
        // An error event ends the stream, whatever its data: JSON in any of
        // Venice's error shapes, or plain text used as the message.
        if event.event == "error" && crate::json::from_str::<Value>(data).is_err() {
            return Err(source.server_error_text(data));
        }
        // Chunks decode straight into their type. Only an event that may be an error
        // (`{"error": …}`, which would also decode as an empty chunk) takes the
        // slower road through a `Value`.
        if event.event == "error" || data.contains("\"error\"") {
            match crate::json::from_str::<Value>(data) {
                Ok(value)
                    if event.event == "error"
                        || (value.get("error").is_some() && value.get("choices").is_none()) =>
                {
                    return Err(source.server_error(&value));
                }
                Ok(_) => {}
                Err(e) => return Err(source.invalid_json(&e)),
            }
        }
        match crate::json::from_str::<ChatCompletionChunk>(data) {
            Ok(chunk) => {
                let chunk = match self.map.as_mut() {
                    None => chunk,
                    Some(map) => match map(chunk) {
                        Ok(mapped) => mapped,
                        Err(e) => {
                            source.close();
                            return Err(e);
                        }
                    },
                };
                if chunk.choices.iter().any(|c| c.finish_reason.is_some()) {
                    self.finished_choice = true;
                }
                Ok(chunk)
            }
            Err(e) => Err(source.invalid_json(&e)),
        }
    }

    fn finished(&self) -> bool {
        self.finished_choice
    }
}

impl Stream for ChatStream {
    type Item = Result<ChatCompletionChunk, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_item(cx)
    }
}

/// A tool call as the API writes it in a message:
/// `{"id", "type": "function", "function": {"name", "arguments"}}`.
pub(crate) fn tool_call_value(id: &str, kind: &str, name: &str, arguments: &str) -> Value {
    serde_json::json!({
        "id": id,
        "type": kind,
        "function": {"name": name, "arguments": arguments},
    })
}

/// Folds chunks into the completion `chat().create` would have returned; what
/// [`ChatStream::collect_completion`] uses, public for callers that also want to
/// show each chunk as it arrives.
///
/// ```
/// # use venice_sdk::{ChatAccumulator, ChatCompletionChunk};
/// let mut acc = ChatAccumulator::default();
/// acc.add(serde_json::from_str::<ChatCompletionChunk>(r#"{"choices": [{"delta": {"content": "Hi"}, "finish_reason": "stop"}]}"#).unwrap());
/// assert_eq!(acc.finish().text().as_deref(), Some("Hi"));
/// ```
#[derive(Debug, Default)]
pub struct ChatAccumulator {
    id: String,
    created: i64,
    model: String,
    choices: BTreeMap<u32, ChoiceAcc>,
    usage: Option<types::CreateChatCompletionResponseUsage>,
    venice_parameters: Option<Value>,
    cost: Option<Value>,
}

#[derive(Debug, Default)]
struct ChoiceAcc {
    role: Option<String>,
    content: String,
    has_content: bool,
    reasoning: String,
    reasoning_details: Vec<Value>,
    thought_signature: Option<String>,
    finish_reason: Option<String>,
    tool_calls: BTreeMap<u32, ToolCallAcc>,
}

#[derive(Debug, Default)]
struct ToolCallAcc {
    id: Option<String>,
    kind: Option<String>,
    name: String,
    arguments: String,
    extra: serde_json::Map<String, Value>,
}

impl ChatAccumulator {
    /// Adds a chunk: content and reasoning appended per choice, tool-call
    /// fragments merged by index, the last finish reason, usage and citations kept.
    ///
    /// ```
    /// use venice_sdk::{ChatAccumulator, ChatCompletionChunk};
    ///
    /// let mut acc = ChatAccumulator::default();
    /// for piece in ["Hel", "lo"] {
    ///     let chunk: ChatCompletionChunk = venice_sdk::from_json(
    ///         format!(r#"{{"choices": [{{"index": 0, "delta": {{"content": "{piece}"}}}}]}}"#).as_bytes(),
    ///     )?;
    ///     acc.add(chunk);
    /// }
    /// assert_eq!(acc.finish().text().as_deref(), Some("Hello"));
    /// # Ok::<(), venice_sdk::Error>(())
    /// ```
    pub fn add(&mut self, chunk: ChatCompletionChunk) {
        if self.id.is_empty() {
            self.id = chunk.id;
        }
        if self.model.is_empty() {
            self.model = chunk.model;
        }
        if self.created == 0 {
            self.created = chunk.created;
        }
        if chunk.usage.is_some() {
            self.usage = chunk.usage;
        }
        if chunk.cost.is_some() {
            self.cost = chunk.cost;
        }
        if let Some(vp) = chunk.venice_parameters {
            // Citations arrive on the first or the last chunk: keep whichever has them.
            let has_citations = vp
                .get("web_search_citations")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty());
            if has_citations || self.venice_parameters.is_none() {
                self.venice_parameters = Some(vp);
            }
        }
        for choice in chunk.choices {
            let acc = self.choices.entry(choice.index).or_default();
            let delta = choice.delta;
            if delta.role.is_some() {
                acc.role = delta.role;
            }
            if let Some(text) = delta.content {
                acc.content.push_str(&text);
                acc.has_content = true;
            }
            if let Some(text) = delta.reasoning_content {
                acc.reasoning.push_str(&text);
            }
            acc.reasoning_details.extend(delta.reasoning_details);
            if delta.thought_signature.is_some() {
                acc.thought_signature = delta.thought_signature;
            }
            for call in delta.tool_calls {
                let slot = acc.tool_calls.entry(call.index).or_default();
                if call.id.is_some() {
                    slot.id = call.id;
                }
                if call.kind.is_some() {
                    slot.kind = call.kind;
                }
                slot.extra.extend(call.extra);
                if let Some(f) = call.function {
                    if let Some(name) = f.name {
                        slot.name.push_str(&name);
                    }
                    if let Some(args) = f.arguments {
                        slot.arguments.push_str(&args);
                    }
                }
            }
            if choice.finish_reason.is_some() {
                acc.finish_reason = choice.finish_reason;
            }
        }
    }

    /// The completion so far.
    ///
    /// ```
    /// let acc = venice_sdk::ChatAccumulator::default();
    /// let completion = acc.finish(); // nothing added: no choices
    /// assert!(completion.choices.is_empty());
    /// ```
    pub fn finish(self) -> types::CreateChatCompletionResponse {
        Self::typed(self.into_json())
    }

    /// The completion so far, typed, and the JSON it was read from (with the
    /// fields to send back the typed completion has no place for).
    pub(crate) fn finish_with_json(
        self,
    ) -> (types::CreateChatCompletionResponse, Option<bytes::Bytes>) {
        let json = self.into_json();
        let bytes = serde_json::to_vec(&json).ok().map(bytes::Bytes::from);
        (Self::typed(json), bytes)
    }

    /// The completion read from its JSON; Venice's extras kept aside when they
    /// do not fit their type (they never fail the whole completion).
    fn typed(mut json: Value) -> types::CreateChatCompletionResponse {
        let venice_parameters = json
            .as_object_mut()
            .and_then(|o| o.remove("venice_parameters"))
            .and_then(|v| serde_json::from_value(v).ok());
        let mut response: types::CreateChatCompletionResponse =
            crate::shape::build("CreateChatCompletionResponse", json);
        response.venice_parameters = venice_parameters;
        response
    }

    /// The completion as the JSON a server sends: the message union's variants
    /// and the content union's members are the spec's to reshape.
    fn into_json(self) -> Value {
        let choices = self
            .choices
            .into_iter()
            .map(|(index, c)| {
                let tool_calls: Vec<Value> = c
                    .tool_calls
                    .into_values()
                    .map(|t| {
                        let mut call = tool_call_value(
                            &t.id.unwrap_or_default(),
                            t.kind.as_deref().unwrap_or("function"),
                            &t.name,
                            &t.arguments,
                        );
                        if let Some(obj) = call.as_object_mut() {
                            for (k, v) in t.extra {
                                obj.entry(k).or_insert(v);
                            }
                        }
                        call
                    })
                    .collect();
                let mut message = serde_json::json!({
                    "role": "assistant",
                    "content": c.has_content.then_some(c.content),
                    "reasoning_content": (!c.reasoning.is_empty()).then_some(c.reasoning),
                    "tool_calls": tool_calls,
                });
                if let Some(obj) = message.as_object_mut() {
                    if !c.reasoning_details.is_empty() {
                        obj.insert(
                            "reasoning_details".into(),
                            Value::Array(c.reasoning_details),
                        );
                    }
                    if let Some(signature) = c.thought_signature {
                        obj.insert("thought_signature".into(), Value::String(signature));
                    }
                }
                serde_json::json!({
                    "finish_reason": c.finish_reason.unwrap_or_default(),
                    "index": index,
                    "message": message,
                })
            })
            .collect::<Vec<_>>();
        let usage = match &self.usage {
            Some(usage) => crate::shape::json_of(usage),
            None => {
                serde_json::json!({"completion_tokens": 0, "prompt_tokens": 0, "total_tokens": 0})
            }
        };
        let mut json = serde_json::json!({
            "created": self.created,
            "id": self.id,
            "model": self.model,
            "object": "chat.completion",
            "usage": usage,
            "choices": choices,
        });
        if let Some(obj) = json.as_object_mut() {
            if let Some(cost) = self.cost {
                obj.insert("cost".into(), cost);
            }
            if let Some(vp) = self.venice_parameters {
                obj.insert("venice_parameters".into(), vp);
            }
        }
        json
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn chunk(v: Value) -> ChatCompletionChunk {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn chunks_tolerate_missing_and_unknown_fields() {
        let c = chunk(
            json!({"choices": [{"delta": {"content": "x", "new": 1}, "finish_reason": "brand_new"}], "extra": true}),
        );
        assert_eq!(c.delta_text(), "x");
        assert_eq!(c.choices[0].finish_reason.as_deref(), Some("brand_new"));
        assert_eq!(chunk(json!({})).delta_text(), "");
    }

    #[test]
    fn the_accumulator_merges_content_reasoning_tool_calls_usage_and_citations() {
        let mut acc = ChatAccumulator::default();
        for c in [
            json!({"id": "c1", "created": 7, "model": "m", "choices": [{"index": 0, "delta": {"role": "assistant", "reasoning_content": "Let me "}}],
                   "venice_parameters": {"web_search_citations": []}}),
            json!({"id": "c1", "choices": [{"index": 0, "delta": {"reasoning_content": "think."}}]}),
            json!({"id": "c1", "choices": [{"index": 0, "delta": {"content": "Hel"}}, {"index": 1, "delta": {"content": "B"}}]}),
            json!({"id": "c1", "choices": [{"index": 0, "delta": {"content": "lo", "tool_calls": [
                {"index": 0, "id": "call_a", "type": "function", "function": {"name": "get_weather", "arguments": "{\"ci"}},
                {"index": 1, "id": "call_b", "function": {"name": "now", "arguments": ""}}]}}]}),
            json!({"id": "c1", "choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "ty\":\"Oslo\"}"}}]}, "finish_reason": "tool_calls"},
                                           {"index": 1, "delta": {}, "finish_reason": "stop"}]}),
            json!({"id": "c1", "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
                   "venice_parameters": {
                       "enable_e2ee": false, "enable_web_search": "on", "enable_web_citations": true,
                       "enable_web_scraping": false, "include_venice_system_prompt": true,
                       "include_search_results_in_stream": false,
                       "return_search_results_as_documents": false, "strip_thinking_response": false,
                       "disable_thinking": false,
                       "web_search_citations": [{"title": "T", "url": "https://e.x", "content": "c", "date": "d"}]}}),
        ] {
            acc.add(chunk(c));
        }
        let done = acc.finish();
        assert_eq!(done.id, "c1");
        assert_eq!(done.created as f64, 7.0);
        assert_eq!(done.text().as_deref(), Some("Hello"));
        assert_eq!(done.reasoning(), Some("Let me think."));
        assert_eq!(done.choices.len(), 2);
        assert_eq!(done.choices[0].finish_reason, "tool_calls");
        assert_eq!(done.choices[1].finish_reason, "stop");
        let types::CreateChatCompletionResponseChoicesItemMessage::AssistantMessage {
            tool_calls,
            ..
        } = &done.choices[0].message
        else {
            panic!("assistant message expected")
        };
        assert_eq!(
            tool_calls,
            &Some(vec![
                json!({"id": "call_a", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"}}),
                json!({"id": "call_b", "type": "function", "function": {"name": "now", "arguments": ""}}),
            ])
        );
        assert_eq!(done.usage.total_tokens as f64, 7.0);
        let citations = &done
            .venice_parameters
            .as_ref()
            .unwrap()
            .web_search_citations;
        assert_eq!(citations.len(), 1);
        assert_eq!(citations[0].url, "https://e.x");
    }
}
