//! Streamed answers, in one place: the bytes of a `text/event-stream` body
//! become events, the events become typed items, and the items fold into the
//! answer a non-streaming call would have returned.
//!
//! - [`sse`]: the SSE parser (bytes → [`sse::Event`]s), linear-time, bounded.
//! - [`events`]: [`EventSource`](events::EventSource) (a live body's events, under the stream
//!   limits, with the errors every stream reports the same way) and
//!   [`TypedEvents`], the one wrapper both typed streams share: a [`Decode`]
//!   turns events into items, and the end-of-stream rules (truncation,
//!   `[DONE]`, closing) are written once there.
//! - [`chat`]: chat completion chunks, [`ChatStream`], [`ChatAccumulator`].
//! - [`responses`]: Responses API events, [`ResponseStream`],
//!   [`ResponseAccumulator`].
//!
//! Imports run one way: `chat` and `responses` use `events`, which uses
//! `sse`; the body under it is the send path's
//! [`LiveBody`](crate::transport::LiveBody), and the send path knows nothing
//! of events.

#[cfg(feature = "chat")]
pub(crate) mod chat;
pub(crate) mod events;
#[cfg(feature = "responses")]
pub(crate) mod responses;
// The SSE parser is public only for the benchmark (feature
// `unstable-bench-internals`, not for users).
#[cfg(feature = "unstable-bench-internals")]
pub mod sse;
#[cfg(not(feature = "unstable-bench-internals"))]
pub(crate) mod sse;

#[cfg(feature = "chat")]
pub use chat::{
    ChatAccumulator, ChatCompletionChunk, ChatStream, ChunkChoice, Delta, FunctionDelta,
    ToolCallDelta,
};
#[cfg(feature = "responses")]
pub use responses::{
    ResponseAccumulator, ResponseArgumentsDone, ResponseContentPartEvent, ResponseDelta,
    ResponseEvent, ResponseOutputItemEvent, ResponsePlace, ResponseSnapshot, ResponseStream,
    ResponseTextDone,
};
