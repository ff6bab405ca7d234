//! The entry points of the send path: what a resource method (or the generated
//! client's hooks) calls to send one request of an operation.

use reqwest::header::{AUTHORIZATION, HeaderValue, USER_AGENT};
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

/// Sends a request (with retries) and reads the body whole, within the size
/// limit. Error statuses are returned as `Ok` too (with their body), so the caller
/// can decode them its own way ([`Buffered::success`] makes them errors).
pub(crate) async fn execute(
    config: &Config,
    op: &'static Operation,
    source: Source<'_>,
) -> Result<Buffered, Error> {
    let span = CallSpan::open(op);
    let result = async {
        match attempts(config, op, source, Mode::Whole).await? {
            Outcome::Success(response, attempt) => {
                let limit = config.max_response_size;
                read_body(config, op.id, response, attempt, limit, false).await
            }
            Outcome::Failure(buffered) => Ok(buffered),
        }
    }
    .instrument(span.span.clone())
    .await;
    match &result {
        Ok(b) => span.answered(
            b.status,
            b.attempts,
            headers::request_id(&b.headers),
            &config.redactor,
        ),
        Err(e) => span.failed(e),
    }
    result
}

/// Sends a request (with retries) and returns a success response with its body
/// unread, for the caller to stream; an error status is read and returned as the
/// error.
pub(crate) async fn send_for_body(
    config: &Config,
    op: &'static Operation,
    source: Source<'_>,
) -> Result<reqwest::Response, Error> {
    let span = CallSpan::open(op);
    let outcome = attempts(config, op, source, Mode::Whole)
        .instrument(span.span.clone())
        .await;
    let result = match outcome {
        Ok(Outcome::Success(response, attempt)) => {
            span.answered(
                response.status(),
                attempt,
                headers::request_id(response.headers()),
                &config.redactor,
            );
            return Ok(response);
        }
        Ok(Outcome::Failure(buffered)) => buffered.success(op.id, config).and_then(|_| {
            Err(Error::Config(
                "unreachable: failure with success status".into(),
            ))
        }),
        Err(e) => Err(e),
    };
    if let Err(e) = &result {
        span.failed(e);
    }
    result
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
    let span = CallSpan::open(op);
    let result = open_stream_inner(config, op, source, expected, described)
        .instrument(span.span.clone())
        .await;
    match result {
        Ok((response, attempts)) => {
            span.answered(
                response.status(),
                attempts,
                headers::request_id(response.headers()),
                &config.redactor,
            );
            Ok(response)
        }
        Err(e) => {
            span.failed(&e);
            Err(e)
        }
    }
}

async fn open_stream_inner(
    config: &Config,
    op: &'static Operation,
    source: Source<'_>,
    expected: &str,
    described: &str,
) -> Result<(reqwest::Response, u32), Error> {
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
    let span = CallSpan::open(op);
    let result = head(config, op, source).instrument(span.span.clone()).await;
    match &result {
        Ok((response, attempts)) => span.answered(
            response.status(),
            *attempts,
            headers::request_id(response.headers()),
            &config.redactor,
        ),
        Err(e) => span.failed(e),
    }
    result
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
    let span = CallSpan::open(op);
    let result = async {
        match attempts(config, op, source, Mode::Stream).await? {
            Outcome::Success(response, attempt) => Ok((Opened::Response(response), attempt)),
            Outcome::Failure(mut buffered) => {
                let location = buffered.location.take();
                let attempt = buffered.attempts;
                match buffered.success(op.id, config) {
                    Err(Error::Api(error)) if follow(error.status) => {
                        Ok((Opened::Redirect { error, location }, attempt))
                    }
                    Err(e) => Err(e),
                    Ok(_) => Err(Error::Config(
                        "unreachable: failure with success status".into(),
                    )),
                }
            }
        }
    }
    .instrument(span.span.clone())
    .await;
    match result {
        Ok((opened, attempt)) => {
            let (status, headers) = match &opened {
                Opened::Response(response) => (response.status(), response.headers()),
                Opened::Redirect { error, .. } => (error.status, &error.meta.headers),
            };
            span.answered(
                status,
                attempt,
                headers::request_id(headers),
                &config.redactor,
            );
            Ok(opened)
        }
        Err(e) => {
            span.failed(&e);
            Err(e)
        }
    }
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
        Outcome::Failure(buffered) => {
            buffered.success(op.id, config)?;
            Err(Error::Config(
                "unreachable: failure with success status".into(),
            ))
        }
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
