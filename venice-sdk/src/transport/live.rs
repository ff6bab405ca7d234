//! [`LiveBody`]: a success body read as it arrives, under the stream limits —
//! the idle timeout between reads, the overall stream timeout, and the
//! response size limit — with every failure typed. Event streams (chat,
//! responses) and byte streams (speech) read their bodies through it.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::Stream;

use super::bounded::{Bounded, Limits, Whose};
use crate::config::Config;
use crate::secret::Redactor;
use crate::{Error, ResponseMeta};

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// A response body pulled chunk by chunk within the client's stream limits,
/// through the one [`Bounded`] reader.
///
/// Nothing is buffered: each chunk is handed over as it came. After an error
/// (or [`close`](Self::close)) the connection is released and nothing more is
/// read.
pub(crate) struct LiveBody {
    body: Bounded<ByteStream>,
    operation: &'static str,
    meta: ResponseMeta,
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
        let body: ByteStream = Box::pin(response.bytes_stream());
        LiveBody {
            body: Bounded::new(body, Limits::stream(config), 0),
            operation,
            meta,
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
        self.body.close();
    }

    /// Whether the body is still being read (not ended, failed or closed).
    pub(crate) fn is_open(&self) -> bool {
        self.body.is_open()
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
        let stop = match self.body.poll_chunk(cx) {
            Poll::Ready(Some(Err(stop))) => stop,
            Poll::Ready(Some(Ok(bytes))) => return Poll::Ready(Some(Ok(bytes))),
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Pending => return Poll::Pending,
        };
        let whose = Whose {
            operation: self.operation,
            status: self.meta.status,
            request_id: self.meta.request_id.as_deref(),
            redactor: &self.redactor,
        };
        let error = stop.into_error(&whose, |e| {
            let message = if e.is_timeout() {
                "timed out reading the stream".to_owned()
            } else {
                format!("the stream broke off: {e}")
            };
            Error::Connection {
                operation: self.operation,
                message: self.redactor.scrub(message),
                attempts: 1,
                source: Some(e),
            }
        });
        Poll::Ready(Some(Err(error)))
    }
}
