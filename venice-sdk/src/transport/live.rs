//! [`LiveBody`]: a success body read as it arrives, under the stream limits —
//! the idle timeout between reads, the overall stream timeout, and the
//! response size limit — with every failure typed. Event streams (chat,
//! responses) and byte streams (speech) read their bodies through it.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;

use crate::config::Config;
use crate::error::TimeoutKind;
use crate::secret::Redactor;
use crate::{Error, ResponseMeta};

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// A response body pulled chunk by chunk within the client's stream limits.
///
/// Nothing is buffered: each chunk is handed over as it came. After an error
/// (or [`close`](Self::close)) the connection is released and nothing more is
/// read.
pub(crate) struct LiveBody {
    body: Option<ByteStream>,
    operation: &'static str,
    meta: ResponseMeta,
    idle: Duration,
    idle_timer: Pin<Box<tokio::time::Sleep>>,
    /// When bytes last arrived; the timer is only re-armed when it fires early.
    last_read: tokio::time::Instant,
    /// The overall deadline of the stream, if one is configured.
    deadline: Option<(Duration, Pin<Box<tokio::time::Sleep>>)>,
    /// Bytes received so far, and the most allowed.
    received: usize,
    max_total: usize,
    /// Scrubs the API key from what the HTTP stack says.
    redactor: Redactor,
    /// The largest single event a reader of this body as server-sent events
    /// accepts (the client's `max_event_size`).
    max_event_size: usize,
}

impl LiveBody {
    /// The body of `response`, with the client's idle timeout, overall stream
    /// timeout and response size limit, and the metadata of its head.
    /// Its headers are scrubbed of the client's secrets: stream errors quote
    /// the request id of this metadata.
    pub(crate) fn new(
        response: reqwest::Response,
        operation: &'static str,
        config: &Config,
    ) -> LiveBody {
        let mut headers = crate::headers::copy_headers(response.headers());
        config.redactor.scrub_headers(&mut headers);
        let meta = ResponseMeta::from_headers(response.status(), headers);
        let idle = config.stream_idle_timeout;
        LiveBody {
            body: Some(Box::pin(response.bytes_stream())),
            operation,
            meta,
            idle,
            // `sleep` of a duration too large for the clock never fires: no limit.
            idle_timer: Box::pin(tokio::time::sleep(idle)),
            last_read: tokio::time::Instant::now(),
            deadline: config
                .stream_timeout
                .map(|limit| (limit, Box::pin(tokio::time::sleep(limit)))),
            received: 0,
            max_total: config.max_response_size,
            redactor: config.redactor.clone(),
            max_event_size: config.max_event_size,
        }
    }

    /// The client's redactor (for what a reader of the body reports).
    pub(crate) fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The largest single server-sent event a reader of this body accepts.
    pub(crate) fn max_event_size(&self) -> usize {
        self.max_event_size
    }

    /// The response metadata (status, request id, rate limits, headers).
    pub(crate) fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The operation whose answer this is.
    pub(crate) fn operation(&self) -> &'static str {
        self.operation
    }

    /// Stops reading: the connection is released.
    pub(crate) fn close(&mut self) {
        self.body = None;
    }

    /// Whether the body is still being read (not ended, failed or closed).
    pub(crate) fn is_open(&self) -> bool {
        self.body.is_some()
    }

    /// The next chunk; `None` once the body has ended (or was closed). An error
    /// closes the body: a broken connection ([`Error::Connection`]), a stall
    /// longer than the idle timeout or the overall stream timeout
    /// ([`Error::Timeout`]), more bytes than the size limit
    /// ([`Error::BodyTooLarge`]).
    pub(crate) fn poll_chunk(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Error>>> {
        let Some(body) = self.body.as_mut() else {
            return Poll::Ready(None);
        };
        // The overall deadline holds even while bytes keep coming.
        if let Some((limit, timer)) = self.deadline.as_mut()
            && timer.as_mut().poll(cx).is_ready()
        {
            let after = *limit;
            return self.fail(self.timeout(TimeoutKind::Stream, after));
        }
        match body.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(bytes))) => {
                self.received = self.received.saturating_add(bytes.len());
                if self.received > self.max_total {
                    return self.fail(super::body::too_large(
                        self.operation,
                        self.meta.status,
                        (self.max_total as u64, crate::error::SizeLimit::Response),
                        self.meta.request_id.as_deref(),
                        &self.redactor,
                    ));
                }
                self.last_read = tokio::time::Instant::now();
                Poll::Ready(Some(Ok(bytes)))
            }
            Poll::Ready(Some(Err(e))) => {
                let message = if e.is_timeout() {
                    "timed out reading the stream".to_owned()
                } else {
                    format!("the stream broke off: {e}")
                };
                let error = Error::Connection {
                    operation: self.operation,
                    message: self.redactor.scrub(message),
                    attempts: 1,
                    source: Some(e),
                };
                self.fail(error)
            }
            Poll::Ready(None) => {
                self.body = None;
                Poll::Ready(None)
            }
            Poll::Pending => {
                // The timer was armed at an earlier read; a read since then
                // moves the deadline, checked only when the timer fires.
                // A limit too large for the clock is no limit: the timer
                // armed with it never fires.
                if self.idle_timer.as_mut().poll(cx).is_ready() {
                    let deadline = self.last_read.checked_add(self.idle);
                    if let Some(deadline) = deadline
                        && tokio::time::Instant::now() < deadline
                    {
                        self.idle_timer.as_mut().reset(deadline);
                        if self.idle_timer.as_mut().poll(cx).is_pending() {
                            return Poll::Pending;
                        }
                    }
                    return self.fail(self.timeout(TimeoutKind::Idle, self.idle));
                }
                Poll::Pending
            }
        }
    }

    fn timeout(&self, limit: TimeoutKind, after: Duration) -> Error {
        Error::Timeout {
            limit,
            after,
            operation: self.operation,
            attempts: 1,
        }
    }

    /// Closes the body and hands out `error`.
    fn fail(&mut self, error: Error) -> Poll<Option<Result<Bytes, Error>>> {
        self.close();
        Poll::Ready(Some(Err(error)))
    }
}
