//! Reading a response body whole, within a size limit, held once in memory.

use bytes::{Bytes, BytesMut};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::failure::map_reqwest;
use crate::config::Config;
use crate::error::ApiError;
use crate::secret::Redactor;
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
    /// The error of a non-success response, if this is one, with the client's
    /// secrets scrubbed from it.
    pub fn error_for_status(&self, operation: &'static str, config: &Config) -> Option<Error> {
        (!self.status.is_success()).then(|| {
            Error::Api(Box::new(ApiError::new(
                operation,
                self.status,
                self.headers.clone(),
                &self.body,
                self.attempts,
                &config.redactor,
            )))
        })
    }

    /// The answer as an API error, whatever its status: for the answers the
    /// attempt loop already judged failures
    /// ([`Outcome::Failure`](super::attempt::Outcome::Failure)).
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

    /// The error of a non-success response, or this response.
    pub fn success(self, operation: &'static str, config: &Config) -> Result<Buffered, Error> {
        match self.error_for_status(operation, config) {
            Some(error) => Err(error),
            None => Ok(self),
        }
    }
}

/// The one error for a success body past its size limit, however it is read
/// (whole, into a writer, or as a live stream): the operation, the status,
/// the limit, and the request id with the client's secrets scrubbed.
pub(crate) fn too_large(
    operation: &'static str,
    status: StatusCode,
    limit: usize,
    request_id: Option<&str>,
    redactor: &Redactor,
) -> Error {
    Error::BodyTooLarge {
        operation,
        status,
        limit,
        request_id: request_id.map(|id| redactor.scrub_str(id).into_owned()),
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
    let too_large = |headers: &HeaderMap| {
        too_large(
            operation,
            status,
            limit,
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
