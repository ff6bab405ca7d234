//! [`EventSource`]: the server-sent events of a streamed answer, read through
//! [`LiveBody`] (idle timeout, overall timeout, size limit) and the SSE parser
//! (event-size limit), with the errors every typed stream reports the same way;
//! and [`TypedEvents`], the items a [`Decode`] makes of them with the end-of-
//! stream rules (truncation) every typed stream shares.
//! [`ChatStream`](crate::ChatStream) and
//! [`ResponseStream`](crate::ResponseStream) are typed event streams.

use std::collections::VecDeque;
use std::fmt;
use std::task::{Context, Poll};

use serde_json::Value;

use futures::{Stream, StreamExt};

use super::sse::{Event, SseError, SseParser};
use crate::error::{ErrorBody, StreamError, StreamErrorKind};
use crate::secret::Redactor;
use crate::transport::LiveBody;
use crate::{Error, ResponseMeta};

/// The events of a `text/event-stream` body, pulled as the caller asks.
pub(crate) struct EventSource {
    body: LiveBody,
    parser: SseParser,
    /// Events parsed at the end of the body, not yet handed out.
    pending: VecDeque<Result<Event, SseError>>,
    /// Set when the stream failed or the reader closed it: nothing more is read
    /// or handed out.
    closed: bool,
    /// Scrubs the API key from what the server says in the stream.
    redactor: Redactor,
}

impl EventSource {
    /// The events of a body whose head said `text/event-stream`.
    pub(crate) fn new(body: LiveBody) -> EventSource {
        EventSource {
            parser: SseParser::with_max_event_size(body.max_event_size()),
            redactor: body.redactor().clone(),
            body,
            pending: VecDeque::new(),
            closed: false,
        }
    }

    /// The response metadata.
    pub(crate) fn meta(&self) -> &ResponseMeta {
        self.body.meta()
    }

    /// The operation streamed.
    pub(crate) fn operation(&self) -> &'static str {
        self.body.operation()
    }

    /// Ends the stream: no more reads, the connection is released.
    pub(crate) fn close(&mut self) {
        self.closed = true;
        self.body.close();
        self.pending.clear();
    }

    /// Whether the stream failed or was closed (as opposed to a body that ended
    /// by itself, which [`poll_event`](Self::poll_event) reports as `None`).
    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }

    /// The next event. `Err` is either an event that could not be read (too
    /// large, not UTF-8: the stream goes on) or a failure of the body that ends
    /// it ([`is_closed`](Self::is_closed) is then true). `None` once the body
    /// ended and every event was handed out, or once the stream is closed.
    pub(crate) fn poll_event(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Event, Error>>> {
        loop {
            if self.closed {
                return Poll::Ready(None);
            }
            // Events already parsed come first.
            let next = match self.pending.pop_front() {
                Some(event) => Some(event),
                None => self.parser.next_event(),
            };
            match next {
                Some(Ok(event)) => return Poll::Ready(Some(Ok(event))),
                Some(Err(SseError::EventTooLarge { limit })) => {
                    return Poll::Ready(Some(Err(
                        self.stream_error(StreamErrorKind::EventTooLarge { limit })
                    )));
                }
                Some(Err(SseError::InvalidUtf8 { .. })) => {
                    return Poll::Ready(Some(Err(self.stream_error(StreamErrorKind::InvalidUtf8))));
                }
                None => {}
            }
            if !self.body.is_open() {
                // The body ended and every event was handed out.
                return Poll::Ready(None);
            }
            match self.body.poll_chunk(cx) {
                Poll::Ready(Some(Ok(bytes))) => self.parser.push(&bytes),
                Poll::Ready(Some(Err(e))) => {
                    self.close();
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => self.pending.extend(self.parser.finish()),
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    /// An error of this stream.
    pub(crate) fn stream_error(&self, kind: StreamErrorKind) -> Error {
        Error::Stream(Box::new(StreamError {
            operation: self.operation(),
            kind,
            request_id: self.meta().request_id.clone(),
        }))
    }

    /// An event whose data is not what the stream carries; the stream goes on.
    pub(crate) fn invalid_json(&self, error: &impl std::fmt::Display) -> Error {
        self.stream_error(StreamErrorKind::InvalidJson {
            message: self.redactor.scrub(error.to_string()),
        })
    }

    /// The server's error event, in any of Venice's error shapes (`error`
    /// holding a string or `{message, code}`, or `message` and `code` beside);
    /// closes the stream.
    pub(crate) fn server_error(&mut self, value: &Value) -> Error {
        let body = ErrorBody::from_json(value);
        self.close();
        self.stream_error(StreamErrorKind::Server {
            message: body
                .message
                .map(|m| self.redactor.scrub(m))
                .unwrap_or_else(|| "unknown error".into()),
            code: self.redactor.scrub_opt(body.code),
        })
    }

    /// An error event whose data is not JSON: the text is the message; closes
    /// the stream.
    pub(crate) fn server_error_text(&mut self, data: &str) -> Error {
        let message = if data.is_empty() {
            "unknown error".to_owned()
        } else {
            self.redactor.scrub_str(data).into_owned()
        };
        self.close();
        self.stream_error(StreamErrorKind::Server {
            message,
            code: None,
        })
    }
}

/// What a typed stream makes of each event.
pub(crate) trait Decode {
    /// The items of the stream.
    type Item;
    /// The stream's name, for `Debug`.
    const NAME: &'static str;

    /// The item of one event (`[DONE]` never comes here: it ends every
    /// stream well). A decoder that ends the stream (an error event) closes
    /// `source`.
    fn decode(&mut self, source: &mut EventSource, event: Event) -> Result<Self::Item, Error>;

    /// Whether what was decoded so far makes a whole answer, so that the body
    /// may end here without a truncation error.
    fn finished(&self) -> bool;
}

/// The typed items of an event stream: each event through `D` until
/// `data: [DONE]`, an error that ends the stream followed by nothing, and a
/// body that ends before the answer finished followed by
/// [`StreamErrorKind::Truncated`].
pub(crate) struct TypedEvents<D> {
    source: EventSource,
    decoder: D,
}

impl<D: Decode> TypedEvents<D> {
    /// Decodes the events of `source` with `decoder`.
    pub(crate) fn new(source: EventSource, decoder: D) -> Self {
        TypedEvents { source, decoder }
    }

    /// The response metadata.
    pub(crate) fn meta(&self) -> &ResponseMeta {
        self.source.meta()
    }

    /// The next item; `None` once the stream ended.
    pub(crate) fn poll_item(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<D::Item, Error>>> {
        if self.source.is_closed() {
            return Poll::Ready(None);
        }
        let item = match self.source.poll_event(cx) {
            Poll::Pending => return Poll::Pending,
            // `[DONE]` ends the stream well; nothing more is read.
            Poll::Ready(Some(Ok(event))) if event.data.trim() == "[DONE]" => None,
            Poll::Ready(Some(Ok(event))) => Some(self.decoder.decode(&mut self.source, event)),
            Poll::Ready(Some(Err(e))) => Some(Err(e)),
            Poll::Ready(None) => {
                // The body ended and every event was handed out.
                self.source.close();
                (!self.decoder.finished())
                    .then(|| Err(self.source.stream_error(StreamErrorKind::Truncated)))
            }
        };
        if item.is_none() {
            self.source.close();
        }
        Poll::Ready(item)
    }
}

impl<D: Decode + Unpin> TypedEvents<D> {
    /// Only the text: what `text` makes of each item (items without text are
    /// skipped; errors come through).
    pub(crate) fn text(
        self,
        text: fn(D::Item) -> Option<String>,
    ) -> impl Stream<Item = Result<String, Error>> + Unpin {
        self.filter_map(move |item| futures::future::ready(item.map(text).transpose()))
    }

    /// Reads the whole stream, adding each item to an accumulator, and
    /// returns what `finish` makes of it (the value, and the JSON to keep as
    /// the response's [`json`](crate::Response::json), if any) with the
    /// response metadata; the first error ends it and is returned.
    pub(crate) async fn collect_into<A: Default, T>(
        mut self,
        add: fn(&mut A, D::Item),
        finish: fn(A) -> (T, Option<bytes::Bytes>),
    ) -> Result<crate::Response<T>, Error> {
        let mut acc = A::default();
        while let Some(item) = self.next().await {
            add(&mut acc, item?);
        }
        let (value, json) = finish(acc);
        let response = crate::Response::new(value, self.source.meta().clone());
        Ok(match json {
            Some(json) => response.with_json(json),
            None => response,
        })
    }
}

impl<D: Decode + Unpin> Stream for TypedEvents<D> {
    type Item = Result<D::Item, Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Self::Item>> {
        self.poll_item(cx)
    }
}

impl<D: Decode> fmt::Debug for TypedEvents<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(D::NAME)
            .field("operation", &self.source.operation())
            .field("request_id", &self.source.meta().request_id)
            .field("done", &self.source.is_closed())
            .finish_non_exhaustive()
    }
}
