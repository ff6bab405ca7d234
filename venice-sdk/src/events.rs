//! [`EventSource`]: the server-sent events of a streamed answer, read through
//! [`LiveBody`] (idle timeout, overall timeout, size limit) and the SSE parser
//! (event-size limit), with the errors every typed stream reports the same way.
//! [`ChatStream`](crate::ChatStream) and
//! [`ResponseStream`](crate::ResponseStream) decode what it yields.

use std::collections::VecDeque;
use std::task::{Context, Poll};

use serde_json::Value;

use crate::config::Config;
use crate::error::{ErrorBody, StreamError, StreamErrorKind};
use crate::secret::Redactor;
use crate::sse::{Event, SseError, SseParser};
use crate::transport::LiveBody;
use crate::{Error, ResponseMeta};

/// The events of a `text/event-stream` body, pulled as the caller asks.
pub(crate) struct EventSource {
    body: LiveBody,
    parser: SseParser,
    /// Events parsed at the end of the body, not yet handed out.
    pending: VecDeque<Result<Event, SseError>>,
    meta: ResponseMeta,
    operation: &'static str,
    /// Set when the stream failed or the reader closed it: nothing more is read
    /// or handed out.
    closed: bool,
    /// Scrubs the API key from what the server says in the stream.
    redactor: Redactor,
}

impl EventSource {
    /// The events of a response whose head said `text/event-stream`.
    pub(crate) fn new(
        response: reqwest::Response,
        meta: ResponseMeta,
        operation: &'static str,
        config: &Config,
    ) -> EventSource {
        EventSource {
            body: LiveBody::new(response, &meta, operation, config),
            parser: SseParser::with_max_event_size(config.max_event_size),
            pending: VecDeque::new(),
            meta,
            operation,
            closed: false,
            redactor: config.redactor.clone(),
        }
    }

    /// The response metadata.
    pub(crate) fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The operation streamed.
    pub(crate) fn operation(&self) -> &'static str {
        self.operation
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
            operation: self.operation,
            kind,
            request_id: self.meta.request_id.clone(),
        }))
    }

    /// An event whose data is not what the stream carries; the stream goes on.
    pub(crate) fn invalid_json(&self, error: &serde_json::Error) -> Error {
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
