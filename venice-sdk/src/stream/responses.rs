//! Streamed Responses API answers: typed events from a server-sent event
//! stream ([`ResponseEvent`]), the stream itself ([`ResponseStream`]), and an
//! accumulator that folds events into the final response
//! ([`ResponseAccumulator`]).
//!
//! The spec has no schemas for these events: their shapes are OpenAI's
//! Responses streaming events, which Venice's endpoint follows. Every payload
//! tolerates missing and unknown fields; an event type this SDK does not know,
//! or a payload that does not fit its type, is kept as
//! [`ResponseEvent::Unknown`] with its JSON instead of failing the stream.

use std::collections::BTreeMap;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::events::{Decode, EventSource, TypedEvents};
use super::sse::Event;
use crate::transport::LiveBody;
use crate::{Error, ResponseMeta, types};

/// The response as it stands, sent with `response.created`,
/// `response.in_progress`, `response.completed` and `response.incomplete`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let request: venice_sdk::types::ResponsesRequest =
///     venice_sdk::from_json(br#"{"model": "llama-3.3-70b", "input": "Hi"}"#)?;
/// let mut events = client.responses().stream(request).await?;
/// while let Some(event) = events.next().await {
///     if let venice_sdk::ResponseEvent::Completed(snapshot) = event? {
///         println!("{:?}", snapshot.response.id);
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponseSnapshot {
    /// The response: no output yet when created, all of it when completed.
    pub response: types::ResponsesApiResponse,
    /// The event's position in the stream, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<u64>,
}

/// An output item, sent when it is added (`response.output_item.added`, with
/// its content still empty) and when it is done (`response.output_item.done`,
/// whole).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let request: venice_sdk::types::ResponsesRequest =
///     venice_sdk::from_json(br#"{"model": "llama-3.3-70b", "input": "Hi"}"#)?;
/// let mut events = client.responses().stream(request).await?;
/// while let Some(event) = events.next().await {
///     if let venice_sdk::ResponseEvent::OutputItemDone(item) = event? {
///         println!("item {} done", item.output_index);
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponseOutputItemEvent {
    /// The item's position in the response's `output`.
    #[serde(default)]
    pub output_index: u32,
    /// The item (a message, reasoning, a function call, …).
    pub item: types::ResponsesApiResponseOutputItem,
    /// The event's position in the stream, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<u64>,
}

/// Where an event's content belongs, and the event's place in the stream.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let request: venice_sdk::types::ResponsesRequest =
///     venice_sdk::from_json(br#"{"model": "llama-3.3-70b", "input": "Hi"}"#)?;
/// let mut events = client.responses().stream(request).await?;
/// while let Some(event) = events.next().await {
///     if let venice_sdk::ResponseEvent::OutputTextDelta(delta) = event? {
///         println!("item {}: {}", delta.place.output_index, delta.delta);
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponsePlace {
    /// The output item's id.
    #[serde(default)]
    pub item_id: String,
    /// The item's position in the response's `output`.
    #[serde(default)]
    pub output_index: u32,
    /// The content part's position in a message item's `content`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_index: Option<u32>,
    /// The summary part's position in a reasoning item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary_index: Option<u32>,
    /// The event's position in the stream, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<u64>,
}

/// A piece of text added at a [`ResponsePlace`]: of the answer
/// (`response.output_text.delta`), of a function call's JSON arguments
/// (`response.function_call_arguments.delta`), or of a reasoning summary
/// (`response.reasoning_summary_text.delta`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let request: venice_sdk::types::ResponsesRequest =
///     venice_sdk::from_json(br#"{"model": "llama-3.3-70b", "input": "Hi"}"#)?;
/// let mut events = client.responses().stream(request).await?;
/// while let Some(event) = events.next().await {
///     if let venice_sdk::ResponseEvent::OutputTextDelta(delta) = event? {
///         print!("{}", delta.delta);
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponseDelta {
    /// Where it belongs.
    #[serde(flatten)]
    pub place: ResponsePlace,
    /// The text this event adds.
    pub delta: String,
}

/// The whole text of a content part, once done (`response.output_text.done`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let request: venice_sdk::types::ResponsesRequest =
///     venice_sdk::from_json(br#"{"model": "llama-3.3-70b", "input": "Hi"}"#)?;
/// let mut events = client.responses().stream(request).await?;
/// while let Some(event) = events.next().await {
///     if let venice_sdk::ResponseEvent::OutputTextDone(done) = event? {
///         println!("whole text: {}", done.text);
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponseTextDone {
    /// Where it belongs.
    #[serde(flatten)]
    pub place: ResponsePlace,
    /// The part's text.
    pub text: String,
}

/// A function call's whole arguments, once done
/// (`response.function_call_arguments.done`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let request: venice_sdk::types::ResponsesRequest =
///     venice_sdk::from_json(br#"{"model": "llama-3.3-70b", "input": "Hi"}"#)?;
/// let mut events = client.responses().stream(request).await?;
/// while let Some(event) = events.next().await {
///     if let venice_sdk::ResponseEvent::FunctionCallArgumentsDone(done) = event? {
///         println!("arguments: {}", done.arguments);
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponseArgumentsDone {
    /// Where they belong.
    #[serde(flatten)]
    pub place: ResponsePlace,
    /// The arguments, a JSON text.
    pub arguments: String,
}

/// A content part of a message item, sent when it is added
/// (`response.content_part.added`) and when it is done
/// (`response.content_part.done`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let request: venice_sdk::types::ResponsesRequest =
///     venice_sdk::from_json(br#"{"model": "llama-3.3-70b", "input": "Hi"}"#)?;
/// let mut events = client.responses().stream(request).await?;
/// while let Some(event) = events.next().await {
///     if let venice_sdk::ResponseEvent::ContentPartAdded(part) = event? {
///         println!("new part in item {}", part.place.output_index);
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponseContentPartEvent {
    /// Where it belongs.
    #[serde(flatten)]
    pub place: ResponsePlace,
    /// The part (`{"type": "output_text", "text": …}`, or a kind this SDK does
    /// not know), as sent.
    pub part: Value,
}

/// One event of a streamed response, by its `type`.
///
/// `response.failed` and `error` events are not items: they end the stream
/// with an [`Error::Stream`] of kind
/// [`StreamErrorKind::Server`](crate::StreamErrorKind::Server) carrying the
/// server's message and code.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let request: venice_sdk::types::ResponsesRequest =
///     venice_sdk::from_json(br#"{"model": "llama-3.3-70b", "input": "Hi"}"#)?;
/// use venice_sdk::ResponseEvent;
///
/// let mut events = client.responses().stream(request).await?;
/// while let Some(event) = events.next().await {
///     match event? {
///         ResponseEvent::OutputTextDelta(delta) => print!("{}", delta.delta),
///         other => eprintln!("[{}]", other.event_type()),
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ResponseEvent {
    /// `response.created`: the response exists, no output yet.
    Created(ResponseSnapshot),
    /// `response.in_progress`: the model is working.
    InProgress(ResponseSnapshot),
    /// `response.output_item.added`: an output item begins.
    OutputItemAdded(ResponseOutputItemEvent),
    /// `response.content_part.added`: a content part of a message begins.
    ContentPartAdded(ResponseContentPartEvent),
    /// `response.output_text.delta`: a piece of the answer's text.
    OutputTextDelta(ResponseDelta),
    /// `response.output_text.done`: a text part is whole.
    OutputTextDone(ResponseTextDone),
    /// `response.content_part.done`: a content part is whole.
    ContentPartDone(ResponseContentPartEvent),
    /// `response.output_item.done`: an output item is whole.
    OutputItemDone(ResponseOutputItemEvent),
    /// `response.function_call_arguments.delta`: a piece of a call's arguments.
    FunctionCallArgumentsDelta(ResponseDelta),
    /// `response.function_call_arguments.done`: a call's arguments are whole.
    FunctionCallArgumentsDone(ResponseArgumentsDone),
    /// `response.reasoning_summary_text.delta`: a piece of a reasoning summary.
    ReasoningSummaryTextDelta(ResponseDelta),
    /// `response.completed`: the final response, with usage; the last event.
    Completed(ResponseSnapshot),
    /// `response.incomplete`: the response stopped early (e.g. at
    /// `max_output_tokens`); the last event.
    Incomplete(ResponseSnapshot),
    /// An event of a type this SDK does not type (or whose payload did not fit
    /// its type), as sent.
    Unknown {
        /// The event's `type` (or the SSE event name when the data has none).
        event_type: String,
        /// The event's data.
        data: Value,
    },
}

impl ResponseEvent {
    /// The event's type as the API names it (`response.output_text.delta`).
    ///
    /// ```
    /// use venice_sdk::ResponseEvent;
    ///
    /// let event = ResponseEvent::from_json("response.in_progress", serde_json::json!({}));
    /// assert_eq!(event.event_type(), "response.in_progress");
    /// ```
    pub fn event_type(&self) -> &str {
        match self {
            ResponseEvent::Created(_) => "response.created",
            ResponseEvent::InProgress(_) => "response.in_progress",
            ResponseEvent::OutputItemAdded(_) => "response.output_item.added",
            ResponseEvent::ContentPartAdded(_) => "response.content_part.added",
            ResponseEvent::OutputTextDelta(_) => "response.output_text.delta",
            ResponseEvent::OutputTextDone(_) => "response.output_text.done",
            ResponseEvent::ContentPartDone(_) => "response.content_part.done",
            ResponseEvent::OutputItemDone(_) => "response.output_item.done",
            ResponseEvent::FunctionCallArgumentsDelta(_) => {
                "response.function_call_arguments.delta"
            }
            ResponseEvent::FunctionCallArgumentsDone(_) => "response.function_call_arguments.done",
            ResponseEvent::ReasoningSummaryTextDelta(_) => "response.reasoning_summary_text.delta",
            ResponseEvent::Completed(_) => "response.completed",
            ResponseEvent::Incomplete(_) => "response.incomplete",
            ResponseEvent::Unknown { event_type, .. } => event_type,
        }
    }

    /// The answer's text this event adds (an `output_text.delta`), if any.
    ///
    /// ```
    /// use venice_sdk::ResponseEvent;
    ///
    /// let event = ResponseEvent::from_json(
    ///     "response.output_text.delta",
    ///     serde_json::json!({"item_id": "m1", "output_index": 0, "content_index": 0, "delta": "Hi"}),
    /// );
    /// assert_eq!(event.text_delta(), Some("Hi"));
    /// ```
    pub fn text_delta(&self) -> Option<&str> {
        match self {
            ResponseEvent::OutputTextDelta(d) => Some(&d.delta),
            _ => None,
        }
    }

    /// The event of type `event_type` with data `data`: typed when the type is
    /// known and the data fits it, else [`Unknown`](Self::Unknown).
    ///
    /// ```
    /// use venice_sdk::ResponseEvent;
    ///
    /// // A type the SDK does not know yet is kept, not dropped.
    /// let event = ResponseEvent::from_json("response.new_thing", serde_json::json!({"x": 1}));
    /// assert!(matches!(event, ResponseEvent::Unknown { .. }));
    /// ```
    pub fn from_json(event_type: &str, data: Value) -> ResponseEvent {
        use ResponseEvent as E;
        let typed = match event_type {
            "response.created" => fit(&data, E::Created),
            "response.in_progress" => fit(&data, E::InProgress),
            "response.output_item.added" => fit(&data, E::OutputItemAdded),
            "response.content_part.added" => fit(&data, E::ContentPartAdded),
            "response.output_text.delta" => fit(&data, E::OutputTextDelta),
            "response.output_text.done" => fit(&data, E::OutputTextDone),
            "response.content_part.done" => fit(&data, E::ContentPartDone),
            "response.output_item.done" => fit(&data, E::OutputItemDone),
            "response.function_call_arguments.delta" => fit(&data, E::FunctionCallArgumentsDelta),
            "response.function_call_arguments.done" => fit(&data, E::FunctionCallArgumentsDone),
            "response.reasoning_summary_text.delta" => fit(&data, E::ReasoningSummaryTextDelta),
            "response.completed" => fit(&data, E::Completed),
            "response.incomplete" => fit(&data, E::Incomplete),
            _ => None,
        };
        typed.unwrap_or_else(|| E::Unknown {
            event_type: event_type.to_owned(),
            data,
        })
    }
}

/// `data` decoded as `T` and wrapped, or `None` when it does not fit.
fn fit<T: DeserializeOwned>(
    data: &Value,
    wrap: impl FnOnce(T) -> ResponseEvent,
) -> Option<ResponseEvent> {
    T::deserialize(data).ok().map(wrap)
}

/// Whether an event of this type is the last of a response that ended well.
fn is_final(event_type: &str) -> bool {
    matches!(event_type, "response.completed" | "response.incomplete")
}

/// A streamed response (`responses().stream`): a [`Stream`] of
/// [`ResponseEvent`]s.
///
/// Items are pulled from the connection as the caller asks for them. An item is
/// `Err` for an event that could not be read (too large, not UTF-8, not JSON:
/// the stream goes on) or for a failure that ends it: an `error` or
/// `response.failed` event, a broken connection, a stall longer than the idle
/// timeout, the overall stream timeout, the size limit, or a body that ends
/// before `response.completed` (or `response.incomplete`, or `data: [DONE]`),
/// which is [`StreamErrorKind::Truncated`](crate::StreamErrorKind::Truncated). Dropping it closes the connection.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let request: venice_sdk::types::ResponsesRequest =
///     venice_sdk::from_json(br#"{"model": "llama-3.3-70b", "input": "Hi"}"#)?;
/// let mut events = client.responses().stream(request).await?;
/// while let Some(event) = events.next().await {
///     if let Some(text) = event?.text_delta() {
///         print!("{text}");
///     }
/// }
/// # Ok(()) }
/// ```
pub struct ResponseStream {
    inner: TypedEvents<EventDecoder>,
}

impl fmt::Debug for ResponseStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

/// Typed events from server-sent events: `error` and `response.failed` end the
/// stream with an error, `response.completed` and `response.incomplete` make
/// the answer whole, `[DONE]` ends it.
#[derive(Default)]
struct EventDecoder {
    finished: bool,
}

impl ResponseStream {
    /// The typed events of a `text/event-stream` body.
    pub(crate) fn new(body: LiveBody) -> ResponseStream {
        ResponseStream {
            inner: TypedEvents::new(EventSource::new(body), EventDecoder::default()),
        }
    }

    /// The response metadata (status, request id, rate limits, headers).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request: venice_sdk::types::ResponsesRequest =
    ///     venice_sdk::from_json(br#"{"model": "llama-3.3-70b", "input": "Hi"}"#)?;
    /// let events = client.responses().stream(request).await?;
    /// println!("request id {:?}", events.meta().request_id);
    /// # Ok(()) }
    /// ```
    pub fn meta(&self) -> &ResponseMeta {
        self.inner.meta()
    }

    /// The next event, or `None` at the end; the same as `StreamExt::next`,
    /// without needing the `futures` crate.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request: venice_sdk::types::ResponsesRequest =
    ///     venice_sdk::from_json(br#"{"model": "llama-3.3-70b", "input": "Hi"}"#)?;
    /// let mut events = client.responses().stream(request).await?;
    /// while let Some(event) = events.next().await {
    ///     eprintln!("{}", event?.event_type());
    /// }
    /// # Ok(()) }
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub async fn next(&mut self) -> Option<Result<ResponseEvent, Error>> {
        StreamExt::next(self).await
    }

    /// Only the answer's text: each item is what an `output_text.delta` adds
    /// (other events are skipped; errors come through).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request: venice_sdk::types::ResponsesRequest =
    ///     venice_sdk::from_json(br#"{"model": "llama-3.3-70b", "input": "Hi"}"#)?;
    /// use futures::StreamExt;
    ///
    /// let mut text = client.responses().stream(request).await?.text();
    /// while let Some(piece) = text.next().await {
    ///     print!("{}", piece?);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn text(self) -> impl Stream<Item = Result<String, Error>> + Unpin {
        self.inner.text(|event| match event {
            ResponseEvent::OutputTextDelta(d) => Some(d.delta),
            _ => None,
        })
    }

    /// Reads the whole stream and returns the final response: the one
    /// `response.completed` (or `response.incomplete`) carries, else one built
    /// from the events (see [`ResponseAccumulator`]).
    ///
    /// The first error ends the collection and is returned; a stream that ends
    /// before its final event is
    /// [`StreamErrorKind::Truncated`](crate::StreamErrorKind::Truncated). What is read is
    /// bounded like any stream: at most
    /// [`max_response_size`](crate::ClientBuilder::max_response_size) bytes in
    /// all, and within the [`stream_timeout`](crate::ClientBuilder::stream_timeout)
    /// when one is set.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request: venice_sdk::types::ResponsesRequest =
    ///     venice_sdk::from_json(br#"{"model": "llama-3.3-70b", "input": "Hi"}"#)?;
    /// let response = client.responses().stream(request).await?.collect_response().await?;
    /// println!("{}", response.output_text());
    /// # Ok(()) }
    /// ```
    pub async fn collect_response(
        self,
    ) -> Result<crate::Response<types::ResponsesApiResponse>, Error> {
        self.inner
            .collect_into(ResponseAccumulator::add, |acc| (acc.finish(), None))
            .await
    }
}

impl Decode for EventDecoder {
    type Item = ResponseEvent;
    const NAME: &'static str = "ResponseStream";

    fn decode(&mut self, source: &mut EventSource, event: Event) -> Result<ResponseEvent, Error> {
        let data = event.data.trim();
        let value = match crate::json::from_str::<Value>(data) {
            Ok(value) => value,
            Err(_) if event.event == "error" => {
                return Err(source.server_error_text(data));
            }
            Err(e) => return Err(source.invalid_json(&e)),
        };
        let event_type = match value.get("type").and_then(Value::as_str) {
            Some(t) => t.to_owned(),
            // Venice's own error shape, `{"error": …}`, carries no type.
            None if value.get("error").is_some() => "error".to_owned(),
            None => event.event,
        };
        match event_type.as_str() {
            "error" => Err(source.server_error(&value)),
            "response.failed" => {
                let failed = value.get("response").unwrap_or(&value);
                Err(source.server_error(failed))
            }
            other => {
                if is_final(other) {
                    self.finished = true;
                }
                Ok(ResponseEvent::from_json(other, value))
            }
        }
    }

    fn finished(&self) -> bool {
        self.finished
    }
}

impl Stream for ResponseStream {
    type Item = Result<ResponseEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_item(cx)
    }
}

/// Folds events into the final response; what
/// [`ResponseStream::collect_response`] uses, public for callers that also show
/// each event as it arrives.
///
/// The response `response.completed` (or `response.incomplete`) carries wins.
/// Without it, the last snapshot (`response.created`/`in_progress`) is the
/// base, and its `output` is built from the items: each `output_item.done`
/// item as sent, else the `output_item.added` item with what the deltas built
/// filled in (a message's text parts, a function call's arguments, a
/// reasoning summary), else a message of the text deltas alone.
///
/// ```
/// # use venice_sdk::{ResponseAccumulator, ResponseEvent};
/// let mut acc = ResponseAccumulator::default();
/// for delta in ["Hel", "lo"] {
///     acc.add(ResponseEvent::from_json(
///         "response.output_text.delta",
///         serde_json::json!({"item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": delta}),
///     ));
/// }
/// assert_eq!(acc.finish().output_text(), "Hello");
/// ```
#[derive(Debug, Default)]
pub struct ResponseAccumulator {
    /// The last snapshot before the end.
    base: Option<types::ResponsesApiResponse>,
    /// The final response, when it came.
    last: Option<types::ResponsesApiResponse>,
    items: BTreeMap<u32, ItemAcc>,
}

#[derive(Debug, Default)]
struct ItemAcc {
    id: String,
    added: Option<types::ResponsesApiResponseOutputItem>,
    done: Option<types::ResponsesApiResponseOutputItem>,
    /// Text per content index.
    parts: BTreeMap<u32, String>,
    /// Reasoning summary text per summary index.
    summary: BTreeMap<u32, String>,
    arguments: Option<String>,
}

impl ResponseAccumulator {
    /// Adds an event.
    ///
    /// ```
    /// use venice_sdk::{ResponseAccumulator, ResponseEvent};
    ///
    /// let mut acc = ResponseAccumulator::default();
    /// acc.add(ResponseEvent::from_json(
    ///     "response.output_text.delta",
    ///     serde_json::json!({"item_id": "m1", "output_index": 0, "content_index": 0, "delta": "Hi"}),
    /// ));
    /// assert_eq!(acc.finish().output_text(), "Hi");
    /// ```
    pub fn add(&mut self, event: ResponseEvent) {
        match event {
            ResponseEvent::Created(s) | ResponseEvent::InProgress(s) => {
                self.base = Some(s.response)
            }
            ResponseEvent::Completed(s) | ResponseEvent::Incomplete(s) => {
                self.last = Some(s.response);
            }
            ResponseEvent::OutputItemAdded(e) => {
                self.items.entry(e.output_index).or_default().added = Some(e.item)
            }
            ResponseEvent::OutputItemDone(e) => {
                self.items.entry(e.output_index).or_default().done = Some(e.item)
            }
            ResponseEvent::OutputTextDelta(d) => {
                let content_index = d.place.content_index.unwrap_or_default();
                let item = self.item(d.place);
                item.parts
                    .entry(content_index)
                    .or_default()
                    .push_str(&d.delta);
            }
            ResponseEvent::OutputTextDone(d) => {
                let content_index = d.place.content_index.unwrap_or_default();
                self.item(d.place).parts.insert(content_index, d.text);
            }
            ResponseEvent::FunctionCallArgumentsDelta(d) => {
                let item = self.item(d.place);
                item.arguments.get_or_insert_default().push_str(&d.delta);
            }
            ResponseEvent::FunctionCallArgumentsDone(d) => {
                self.item(d.place).arguments = Some(d.arguments);
            }
            ResponseEvent::ReasoningSummaryTextDelta(d) => {
                let summary_index = d.place.summary_index.unwrap_or_default();
                let item = self.item(d.place);
                item.summary
                    .entry(summary_index)
                    .or_default()
                    .push_str(&d.delta);
            }
            _ => {}
        }
    }

    fn item(&mut self, place: ResponsePlace) -> &mut ItemAcc {
        let item = self.items.entry(place.output_index).or_default();
        if item.id.is_empty() {
            item.id = place.item_id;
        }
        item
    }

    /// The response so far.
    ///
    /// ```
    /// let response = venice_sdk::ResponseAccumulator::default().finish();
    /// assert!(response.output.is_empty());
    /// ```
    pub fn finish(self) -> types::ResponsesApiResponse {
        if let Some(last) = self.last {
            return last;
        }
        let mut response = self.base.unwrap_or_else(|| {
            crate::shape::build(
                "ResponsesApiResponse",
                serde_json::json!({
                    "created_at": 0, "id": "", "model": "", "object": "response",
                    "output": [], "status": "in_progress",
                }),
            )
        });
        response.output = self
            .items
            .into_values()
            .filter_map(ItemAcc::finish)
            .collect();
        response
    }
}

impl ItemAcc {
    /// The item: as done, else as added with what the deltas built, else a
    /// message of the text parts (`None` for an item nothing is known of).
    fn finish(self) -> Option<types::ResponsesApiResponseOutputItem> {
        if self.done.is_some() {
            return self.done;
        }
        // Written as the JSON a server sends (`crate::shape`).
        let text = |parts: BTreeMap<u32, String>| -> Vec<serde_json::Value> {
            parts
                .into_values()
                .map(|text| serde_json::json!({"type": "output_text", "text": text}))
                .collect()
        };
        let Some(mut item) = self.added else {
            if self.parts.is_empty() {
                return None;
            }
            return crate::shape::convert(
                "output",
                serde_json::json!({
                    "type": "message", "id": self.id, "role": "assistant",
                    "status": "in_progress", "content": text(self.parts),
                }),
            )
            .ok();
        };
        // Completed on its JSON, by its `type`: the union's variants are the
        // spec's to add, drop and reorder.
        let mut value = crate::shape::json_of(&item);
        let built = match value.get("type").and_then(serde_json::Value::as_str) {
            Some("message") if !self.parts.is_empty() => {
                Some(("content", Value::from(text(self.parts))))
            }
            Some("function_call") => self.arguments.map(|a| ("arguments", Value::from(a))),
            Some("reasoning") if !self.summary.is_empty() => {
                let summary: Vec<String> = self.summary.into_values().collect();
                Some(("summary", Value::from(summary)))
            }
            _ => None,
        };
        if let Some((field, built)) = built
            && let Some(fields) = value.as_object_mut()
        {
            fields.insert(field.into(), built);
            if let Ok(completed) = crate::shape::convert("output", value) {
                item = completed;
            }
        }
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Every typed event decodes from its OpenAI shape under its own type, and
    /// names that type back; a payload that does not fit stays `Unknown`.
    #[test]
    fn each_type_decodes_and_names_itself() {
        let response = json!({"id": "r", "object": "response", "created_at": 1, "model": "m",
                              "status": "in_progress", "output": []});
        let item = json!({"type": "message", "id": "msg_1", "status": "in_progress",
                          "role": "assistant", "content": []});
        let at = json!({"item_id": "msg_1", "output_index": 0, "content_index": 0});
        let with = |field: &str, value: Value| {
            let mut data = at.clone();
            data[field] = value;
            data
        };
        for (event_type, data) in [
            ("response.created", json!({"response": response})),
            ("response.in_progress", json!({"response": response})),
            (
                "response.output_item.added",
                json!({"output_index": 0, "item": item}),
            ),
            (
                "response.content_part.added",
                with("part", json!({"type": "output_text", "text": ""})),
            ),
            ("response.output_text.delta", with("delta", json!("Hi"))),
            ("response.output_text.done", with("text", json!("Hi"))),
            (
                "response.content_part.done",
                with("part", json!({"type": "output_text", "text": "Hi"})),
            ),
            (
                "response.output_item.done",
                json!({"output_index": 0, "item": item}),
            ),
            (
                "response.function_call_arguments.delta",
                with("delta", json!("{")),
            ),
            (
                "response.function_call_arguments.done",
                with("arguments", json!("{}")),
            ),
            (
                "response.reasoning_summary_text.delta",
                with("delta", json!("Hm")),
            ),
            ("response.completed", json!({"response": response})),
            ("response.incomplete", json!({"response": response})),
        ] {
            let event = ResponseEvent::from_json(event_type, data);
            assert!(!matches!(event, ResponseEvent::Unknown { .. }), "{event:?}");
            assert_eq!(event.event_type(), event_type);
        }
        for (event_type, data) in [
            ("response.output_text.delta", json!({"delta": 5})),
            ("response.completed", json!({"response": {"id": 1}})),
            ("response.output_index_of_tomorrow", json!({"x": 1})),
        ] {
            let event = ResponseEvent::from_json(event_type, data.clone());
            assert_eq!(
                event,
                ResponseEvent::Unknown {
                    event_type: event_type.into(),
                    data
                }
            );
            assert_eq!(event.event_type(), event_type);
        }
    }
}
