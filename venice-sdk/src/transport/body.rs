//! Reading a response body whole, through the one [`Bounded`] reader, held
//! once in memory ([`read_body`], [`read_within`]).

use bytes::{Bytes, BytesMut};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::bounded::{Bounded, Limits, Over, Stop, Whose, within};
use super::failure::{map_reqwest, request_timeout};
use crate::config::Config;
use crate::error::{ApiError, SizeLimit};
use crate::operations::Operation;
use crate::{Error, headers};

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
    let (over, max) = if truncate {
        (Over::Cut, limit as u64)
    } else {
        (Over::Fail, limit as u64)
    };
    let whose = Whose {
        operation,
        status,
        request_id: None,
        redactor: &config.redactor,
    };
    let error = |stop: Stop, headers: &HeaderMap| {
        let whose = Whose {
            request_id: headers::request_id(headers),
            ..whose
        };
        stop.into_error(&whose, |e| map_reqwest(config, operation, e, attempts))
    };
    let limits = Limits::whole((max, SizeLimit::Response), over);
    if !truncate && declared.is_some_and(|n| n > max) {
        return Err(error(Stop::TooLarge(limits.max), &headers));
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
    let stream = std::pin::pin!(response.bytes_stream());
    let mut body = Bounded::new(stream, limits, 0);
    while let Some(chunk) = body.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            // A broken error body still says enough with what arrived.
            Err(Stop::Transport(_)) if truncate && total > 0 => break,
            Err(stop) => return Err(error(stop, &headers)),
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
