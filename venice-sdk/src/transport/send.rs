//! The entry points of the send path: what a resource method (or the generated
//! client's hooks) calls to send one request of an operation.

use std::future::Future;

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};
use tracing::Instrument as _;

use super::attempt::{Mode, Outcome, Source, attempts, within};
use super::body::{Buffered, read_body};
use super::failure::request_timeout;
use super::span::CallSpan;
use crate::config::Config;
use crate::credentials;
use crate::error::DecodeError;
use crate::operations::{Auth, Method, Operation};
use crate::{Error, headers};

/// The request method of an operation: every [`Method`] has its own (no
/// fallback; a method added to [`Method`] fails this build until it is named here).
pub(crate) fn http_method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Put => reqwest::Method::PUT,
        Method::Post => reqwest::Method::POST,
        Method::Delete => reqwest::Method::DELETE,
        Method::Options => reqwest::Method::OPTIONS,
        Method::Head => reqwest::Method::HEAD,
        Method::Patch => reqwest::Method::PATCH,
        Method::Trace => reqwest::Method::TRACE,
    }
}

/// Adds what every request needs: the credentials the operation takes (see
/// [`Auth`]) and the user agent. Drops progenitor's `api-version` header.
///
/// - `Bearer`, `Optional`: the API key, when the client has one.
/// - `BearerOrWallet`: the API key, else the wallet's token.
/// - `Wallet`: the wallet token only.
/// - `None`: no credential at all.
///
/// The wallet token goes in the spec's wallet header
/// ([`credentials::wallet_header`]); a wallet token under a legacy name is
/// always dropped (nothing is sent under a legacy name). A request without
/// the client's token keeps the one it carries under the spec's name when the
/// operation declares that header as its own parameter (the generated
/// builder's `sign_in_with_x(..)`). Every credential header ends marked
/// sensitive, whoever set it.
pub(crate) fn prepare(config: &Config, op: &Operation, request: &mut reqwest::Request) {
    let headers = request.headers_mut();
    headers.remove("api-version");
    let (key, wallet) = match op.auth {
        Auth::Bearer | Auth::Optional => (config.auth.as_ref(), None),
        Auth::BearerOrWallet => match &config.auth {
            Some(key) => (Some(key), None),
            None => (None, config.wallet.as_ref()),
        },
        Auth::Wallet => (None, config.wallet.as_ref()),
        Auth::None => (None, None),
    };
    match key {
        Some(key) => {
            headers.insert(AUTHORIZATION, key.clone());
        }
        None => {
            headers.remove(AUTHORIZATION);
        }
    }
    for legacy in credentials::LEGACY_WALLET_HEADERS {
        headers.remove(legacy);
    }
    if let Some(name) = credentials::wallet_header() {
        match wallet {
            Some(token) => {
                headers.insert(name.clone(), token.clone());
            }
            None => {
                let own_parameter = op
                    .header_params
                    .iter()
                    .any(|p| p.eq_ignore_ascii_case(name.as_str()));
                if !own_parameter {
                    headers.remove(name);
                }
            }
        }
    }
    credentials::mark_sensitive(headers);
    if !headers.contains_key(USER_AGENT) {
        headers.insert(USER_AGENT, config.user_agent.clone());
    }
}

/// Runs one call of `op` inside its tracing span, and records how it ended:
/// the answer's status, attempts and request id, or the error. Every entry
/// point below is one `traced` around its own way of getting the answer.
async fn traced<T: Answered>(
    config: &Config,
    op: &'static Operation,
    call: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let span = CallSpan::open(op);
    let result = call.instrument(span.span.clone()).await;
    match &result {
        Ok(answer) => {
            let (status, attempts, headers) = answer.summary();
            span.answered(
                status,
                attempts,
                headers::request_id(headers),
                &config.redactor,
            );
        }
        Err(e) => span.failed(e),
    }
    result
}

/// What a call's span records of an answer.
trait Answered {
    /// Its status, the attempts it took, and its headers.
    fn summary(&self) -> (StatusCode, u32, &HeaderMap);
}

impl Answered for Buffered {
    fn summary(&self) -> (StatusCode, u32, &HeaderMap) {
        (self.status, self.attempts, &self.headers)
    }
}

impl Answered for (reqwest::Response, u32) {
    fn summary(&self) -> (StatusCode, u32, &HeaderMap) {
        (self.0.status(), self.1, self.0.headers())
    }
}

impl Answered for (Opened, u32) {
    fn summary(&self) -> (StatusCode, u32, &HeaderMap) {
        match &self.0 {
            Opened::Response(response) => (response.status(), self.1, response.headers()),
            Opened::Redirect { error, .. } => (error.status, self.1, &error.meta.headers),
        }
    }
}

/// Sends a request (with retries) and reads the body whole, within the size
/// limit. Error statuses are returned as `Ok` too (with their body), so the caller
/// can decode them its own way ([`Buffered::success`] makes them errors).
pub(crate) async fn execute(
    config: &Config,
    op: &'static Operation,
    source: Source<'_>,
) -> Result<Buffered, Error> {
    traced(config, op, async {
        match attempts(config, op, source, Mode::Whole).await? {
            Outcome::Success(response, attempt) => {
                let limit = config.max_response_size;
                read_body(config, op.id, response, attempt, limit, false).await
            }
            Outcome::Failure(buffered) => Ok(buffered),
        }
    })
    .await
}

/// Sends a request (with retries) and returns a success response with its body
/// unread, for the caller to stream; an error status is read and returned as the
/// error.
pub(crate) async fn send_for_body(
    config: &Config,
    op: &'static Operation,
    source: Source<'_>,
) -> Result<reqwest::Response, Error> {
    let (response, _) = traced(config, op, async {
        match attempts(config, op, source, Mode::Whole).await? {
            Outcome::Success(response, attempt) => Ok((response, attempt)),
            Outcome::Failure(buffered) => Err(Error::Api(buffered.into_api_error(op.id, config))),
        }
    })
    .await?;
    Ok(response)
}

/// Sends a streaming request (with retries until a success status) and waits for
/// the response head within the request timeout. Error statuses and answers that
/// are not of the `expected` media type (`text/event-stream`, `audio/`; named
/// `described` in the error) are read (within the size limit and the same
/// timeout) and returned as errors; no retry happens once the stream is handed
/// over. The body is then the caller's to read under the stream limits.
pub(crate) async fn open_stream(
    config: &Config,
    op: &'static Operation,
    source: Source<'_>,
    expected: &str,
    described: &str,
) -> Result<reqwest::Response, Error> {
    let (response, _) = traced(config, op, async {
        // The head, and then a body of another media type, within the timeout.
        let deadline = tokio::time::Instant::now().checked_add(config.timeout);
        let (response, attempt) = head(config, op, source).await?;
        if headers::media_type_is(response.headers(), expected) {
            return Ok((response, attempt));
        }
        let buffered = read_within(config, op, response, attempt, deadline).await?;
        Err(DecodeError::unexpected_media(
            op.id,
            buffered.status,
            &buffered.headers,
            described,
            Some(&buffered.body),
            &config.redactor,
        ))
    })
    .await?;
    Ok(response)
}

/// Sends a request (with retries until a success status) and returns the
/// success response once its head has arrived within the request timeout, its
/// body unread: the caller reads it under limits of its own (a download's idle
/// timeout), not under the request timeout. Error statuses are read (within the
/// size limit and the same timeout) and returned as errors.
pub(crate) async fn open_body(
    config: &Config,
    op: &'static Operation,
    source: Source<'_>,
) -> Result<(reqwest::Response, u32), Error> {
    traced(config, op, head(config, op, source)).await
}

/// Sends a request (with retries until a success status) like [`open_body`],
/// but an error answer whose status `follow` accepts is
/// [`Opened::Redirect`](Opened::Redirect): its error, and the
/// `Location` the transport kept apart from it.
pub(crate) async fn open_or_redirect(
    config: &Config,
    op: &'static Operation,
    source: Source<'_>,
    follow: fn(reqwest::StatusCode) -> bool,
) -> Result<Opened, Error> {
    let (opened, _) = traced(config, op, async {
        match attempts(config, op, source, Mode::Stream).await? {
            Outcome::Success(response, attempt) => Ok((Opened::Response(response), attempt)),
            Outcome::Failure(mut buffered) => {
                let location = buffered.location.take();
                let attempt = buffered.attempts;
                let error = buffered.into_api_error(op.id, config);
                if follow(error.status) {
                    Ok((Opened::Redirect { error, location }, attempt))
                } else {
                    Err(Error::Api(error))
                }
            }
        }
    })
    .await?;
    Ok(opened)
}

/// The attempts of a call whose head is awaited within the request timeout: a
/// success response (body unread) and its attempt number, or the error status
/// as an error.
async fn head(
    config: &Config,
    op: &'static Operation,
    source: Source<'_>,
) -> Result<(reqwest::Response, u32), Error> {
    match attempts(config, op, source, Mode::Stream).await? {
        Outcome::Success(response, attempt) => Ok((response, attempt)),
        Outcome::Failure(buffered) => Err(Error::Api(buffered.into_api_error(op.id, config))),
    }
}

/// Reads a body whole within the response size limit and before `deadline`
/// (`None`: no deadline of its own), else a request timeout.
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

/// What `Call::open_or_redirect` got.
pub(crate) enum Opened {
    /// A success response, its body unread.
    Response(reqwest::Response),
    /// An error answer whose status the caller follows.
    Redirect {
        /// Its error (without `Location` or `Content-Location` when the call
        /// was sent `at_url`).
        error: Box<crate::ApiError>,
        /// The answer's `Location`, if it had one: a credential, for the
        /// caller to follow and never to show.
        location: Option<HeaderValue>,
    },
}
