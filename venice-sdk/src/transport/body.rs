//! Reading a response body whole, within its limits, held once in memory
//! ([`read_body`], [`read_within`]); and what every body reader shares: the
//! one [`too_large`] error past a size limit, however the body is read (here,
//! into a sink by [`copy`](super::copy), or live by [`live`](super::live)),
//! and [`within`], a deadline on any wait.

use bytes::{Bytes, BytesMut};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::failure::{map_reqwest, request_timeout};
use crate::config::Config;
use crate::error::{ApiError, SizeLimit};
use crate::operations::Operation;
use crate::secret::Redactor;
use crate::{Error, headers};

/// Runs `work` until `deadline` (`None`: no deadline, as when a timeout is too
/// large for the clock); `None` when the deadline passed first.
pub(crate) async fn within<F: std::future::Future>(
    deadline: Option<tokio::time::Instant>,
    work: F,
) -> Option<F::Output> {
    match deadline {
        Some(at) => tokio::time::timeout_at(at, work).await.ok(),
        None => Some(work.await),
    }
}

/// A response read whole, within the size limit.
#[derive(Debug)]
pub(crate) struct Buffered {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub attempts: u32,
    /// The `Location` of an error answer to a call sent to a URL the API
    /// handed out, taken out of `headers` (and so out of any error made of
    /// them): a credential, for a caller that follows redirects.
    pub location: Option<reqwest::header::HeaderValue>,
}

impl Buffered {
    /// The answer as an API error, whatever its status: for the answers the
    /// attempts gave up on ([`Answer::failure`](super::answer::Answer::failure)).
    pub fn into_api_error(self, operation: &'static str, config: &Config) -> Box<ApiError> {
        let headers = self.headers;
        Box::new(ApiError::new(
            operation,
            self.status,
            headers,
            &self.body,
            self.attempts,
            &config.redactor,
        ))
    }
}

/// The one error for a success body past its size limit, however it is read
/// (whole, into a writer, as a live stream, or as a media download): the
/// operation, the status, the limit and which setting it is, and the request
/// id with the client's secrets scrubbed.
pub(crate) fn too_large(
    operation: &'static str,
    status: StatusCode,
    (limit, setting): (u64, SizeLimit),
    request_id: Option<&str>,
    redactor: &Redactor,
) -> Error {
    Error::BodyTooLarge {
        operation,
        status,
        limit,
        setting,
        request_id: request_id.map(|id| redactor.scrub_str(id).into_owned()),
    }
}

/// The response size limit, as [`too_large`] names it.
pub(crate) fn response_limit(config: &Config) -> (u64, SizeLimit) {
    (config.max_response_size as u64, SizeLimit::Response)
}

/// Reads a body whole, up to `limit` bytes. Past the limit a success body is
/// [`Error::BodyTooLarge`]; an error body (`truncate`) is cut at the limit.
pub(crate) async fn read_body(
    config: &Config,
    operation: &'static str,
    mut response: reqwest::Response,
    attempts: u32,
    limit: usize,
    truncate: bool,
) -> Result<Buffered, Error> {
    let status = response.status();
    // The body does not need the headers: move them out rather than copy them.
    let declared = response.content_length();
    let headers = std::mem::take(response.headers_mut());
    let too_large = |headers: &HeaderMap| {
        too_large(
            operation,
            status,
            (limit as u64, SizeLimit::Response),
            headers::request_id(headers),
            &config.redactor,
        )
    };
    if !truncate && declared.is_some_and(|n| usize::try_from(n).map_or(true, |n| n > limit)) {
        return Err(too_large(&headers));
    }
    // One chunk is kept as is. More are gathered into one buffer sized from
    // Content-Length when it is declared; without it, the chunks are kept as
    // they came and copied once into a buffer of the exact size at the end
    // (a buffer grown by doubling could hold twice the body, and three times
    // while it grows): the body is held once, and at most twice while it is
    // put together.
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut gathered: Option<BytesMut> = None;
    let mut total = 0usize;
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            // A broken error body still says enough with what arrived.
            Err(_) if truncate && total > 0 => break,
            Err(e) => return Err(map_reqwest(config, operation, e, attempts)),
        };
        let chunk = if total.saturating_add(chunk.len()) > limit {
            if !truncate {
                return Err(too_large(&headers));
            }
            chunk.slice(..limit.saturating_sub(total))
        } else {
            chunk
        };
        total = total.saturating_add(chunk.len());
        match (&mut gathered, declared) {
            (Some(buf), _) => buf.extend_from_slice(&chunk),
            (None, Some(declared)) if !chunks.is_empty() => {
                let capacity = usize::try_from(declared)
                    .unwrap_or(limit)
                    .clamp(total, limit);
                let mut buf = BytesMut::with_capacity(capacity);
                for earlier in chunks.drain(..) {
                    buf.extend_from_slice(&earlier);
                }
                buf.extend_from_slice(&chunk);
                gathered = Some(buf);
            }
            (None, _) => chunks.push(chunk),
        }
        if total >= limit {
            break;
        }
    }
    let body = match gathered {
        Some(buf) => buf.freeze(),
        None if chunks.len() <= 1 => chunks.pop().unwrap_or_default(),
        None => {
            let mut buf = BytesMut::with_capacity(total);
            for chunk in chunks.drain(..) {
                buf.extend_from_slice(&chunk);
            }
            buf.freeze()
        }
    };
    Ok(Buffered {
        status,
        headers,
        body,
        attempts,
        location: None,
    })
}

/// Reads a success body whole within the response size limit and before
/// `deadline` (`None`: no deadline of its own), else a request timeout.
pub(crate) async fn read_within(
    config: &Config,
    op: &'static Operation,
    response: reqwest::Response,
    attempt: u32,
    deadline: Option<tokio::time::Instant>,
) -> Result<Buffered, Error> {
    let read = read_body(
        config,
        op.id,
        response,
        attempt,
        config.max_response_size,
        false,
    );
    within(deadline, read)
        .await
        .ok_or_else(|| request_timeout(config, op.id, attempt))?
}
