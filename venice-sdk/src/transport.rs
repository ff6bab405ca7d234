//! How requests are sent: authentication, time limits, bounded bodies, and the
//! mapping of every failure into [`Error`].
//!
//! The resource methods build their requests from the generated operations table
//! and decode into the generated types; the generated client
//! itself ([`Client::raw`](crate::Client::raw)) gets authentication, the user
//! agent, the spec's value rules and the timeout through its hooks.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use progenitor_client::{ClientHooks, ClientInfo, Error as RawError, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{
    AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT,
};

use tracing::Instrument as _;

use crate::error::{ApiError, DecodeError, TimeoutKind, scrubbed_excerpt};
use crate::generated::Client as RawClient;
use crate::operations::{self, Operation};
use crate::retry::{self, Replay, RetryBudget, RetryPolicy};
use crate::secret::Redactor;
use crate::{Error, Secret};

/// The resolved client configuration, shared by every clone of a client.
#[derive(Clone)]
pub(crate) struct Config {
    pub base_url: String,
    pub api_key: Option<Secret>,
    /// Scrubs the API key from whatever the server sends back into an error.
    pub redactor: Redactor,
    /// `Bearer <key>`, marked sensitive.
    pub auth: Option<HeaderValue>,
    pub user_agent: HeaderValue,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_response_size: usize,
    pub stream_idle_timeout: Duration,
    /// The overall limit of a stream, if any.
    pub stream_timeout: Option<Duration>,
    pub max_event_size: usize,
    pub retry: RetryPolicy,
    /// Shared by every clone of the client.
    pub budget: Arc<RetryBudget>,
    /// Whether `http` was built by the SDK (so its connect timeout is ours to set).
    pub own_http: bool,
    pub http: reqwest::Client,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key)
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field(
                "connect_timeout",
                if self.own_http {
                    &self.connect_timeout as &dyn fmt::Debug
                } else {
                    &"set on the custom HTTP client"
                },
            )
            .field("max_response_size", &self.max_response_size)
            .field("stream_idle_timeout", &self.stream_idle_timeout)
            .field("stream_timeout", &self.stream_timeout)
            .field("max_event_size", &self.max_event_size)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// What the generated client carries: the shared configuration, read by its hooks.
#[derive(Clone, Debug)]
pub struct Inner {
    pub(crate) config: Arc<Config>,
}

/// A response read whole, within the size limit.
#[derive(Debug)]
pub(crate) struct Buffered {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub attempts: u32,
}

impl Buffered {
    /// The error of a non-success response, if this is one, with the secrets of
    /// `redactor` scrubbed from it.
    pub fn error_for_status(&self, operation: &'static str, redactor: &Redactor) -> Option<Error> {
        (!self.status.is_success()).then(|| {
            Error::Api(Box::new(ApiError::new(
                operation,
                self.status,
                self.headers.clone(),
                &self.body,
                self.attempts,
                redactor,
            )))
        })
    }
}

/// Adds what every request needs: the API key (unless the operation opts out of
/// authentication), the user agent, and a check of the body against the spec's
/// value rules. Drops progenitor's `api-version` header.
pub(crate) fn prepare(
    config: &Config,
    op: Option<&Operation>,
    request: &mut reqwest::Request,
) -> Result<(), Error> {
    let headers = request.headers_mut();
    headers.remove("api-version");
    if op.is_none_or(|op| op.requires_auth) {
        if let Some(auth) = &config.auth {
            headers.insert(AUTHORIZATION, auth.clone());
        }
    } else {
        headers.remove(AUTHORIZATION);
    }
    if !headers.contains_key(USER_AGENT) {
        headers.insert(USER_AGENT, config.user_agent.clone());
    }
    if let Some(op) = op
        && !op.constraints.is_empty()
        && let Some(body) = request.body().and_then(reqwest::Body::as_bytes)
        && let Ok(value) = serde_json::from_slice::<serde_json::Value>(body)
    {
        crate::validate::check(&value, op.constraints)?;
    }
    Ok(())
}

/// Where the attempts of a call get their request: a built request (cloned for
/// each attempt; sent once if its body cannot be cloned), or a factory that builds
/// it anew (multipart uploads, rebuilt from the same bytes).
pub(crate) enum Source<'a> {
    Built(Option<Box<reqwest::Request>>),
    Factory(Box<dyn Fn() -> Result<reqwest::Request, Error> + Send + Sync + 'a>),
}

impl Source<'_> {
    /// The request for the next attempt, and whether another may follow it.
    fn next(&mut self) -> Result<(reqwest::Request, bool), Error> {
        match self {
            Source::Built(slot) => {
                let Some(request) = slot.take() else {
                    return Err(Error::Config("request already sent".into()));
                };
                match request.try_clone() {
                    Some(copy) => {
                        *slot = Some(request);
                        Ok((copy, true))
                    }
                    None => Ok((*request, false)),
                }
            }
            Source::Factory(build) => Ok((build()?, true)),
        }
    }
}

/// How the response head of a successful attempt is awaited.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The request timeout covers the whole exchange, body included.
    Whole,
    /// The request timeout covers the head only; the body is a stream.
    Stream,
}

/// Most of an error body read to build the error (the excerpt keeps 64 KiB).
const ERROR_BODY_READ_LIMIT: usize = 1024 * 1024;

/// The outcome of the attempts of a call.
enum Outcome {
    /// A success status; its body is unread.
    Success(reqwest::Response, u32),
    /// An error status that is not retried (any more); its body read.
    Failure(Buffered),
}

/// Sends the request, retrying what is worth retrying within the client's retry
/// budget, as the [retry policy](crate::retry) says: connection failures before
/// the request left, other transport failures only for idempotent operations, and
/// error statuses per [`retry::decide`]. Retries carry `x-retry-count`; an
/// operation that declares `Idempotency-Key` gets one key for all its attempts.
/// Each attempt is a tracing event.
///
/// Every wait has a deadline: in [`Mode::Stream`] the request timeout covers the
/// response head *and* the reading of an error body.
async fn attempts(
    config: &Config,
    op: &'static Operation,
    mut source: Source<'_>,
    mode: Mode,
) -> Result<Outcome, Error> {
    let operation = op.id;
    let replay = Replay::of(&op.method(), op.returns_secret);
    config.budget.deposit();
    let mut attempt: u32 = 0;
    loop {
        attempt = attempt.saturating_add(1);
        let (mut request, may_repeat) = source.next()?;
        let can_retry = may_repeat && attempt <= config.retry.max_retries;
        if attempt > 1 {
            request
                .headers_mut()
                .insert(RETRY_COUNT.clone(), HeaderValue::from(attempt - 1));
        }
        tracing::debug!(attempt, "sending");
        let deadline = tokio::time::Instant::now().checked_add(config.timeout);
        let sent = match mode {
            Mode::Whole => {
                if request.timeout().is_none() {
                    *request.timeout_mut() = Some(config.timeout);
                }
                config.http.execute(request).await
            }
            Mode::Stream => match within(deadline, config.http.execute(request)).await {
                Some(result) => result,
                None => {
                    tracing::debug!(attempt, "no response head within the request timeout");
                    return Err(request_timeout(config, operation, attempt));
                }
            },
        };
        let response = match sent {
            Ok(response) => response,
            Err(e) => {
                // A connect failure means nothing was sent. Any other failure before
                // a response may come after the request was written: only an
                // idempotent operation may repeat it. A timed-out request may have
                // been processed: never repeated.
                let retryable =
                    e.is_connect() || (replay.after_send() && e.is_request() && !e.is_timeout());
                let error = map_reqwest(config, operation, e, attempt);
                if retryable && can_retry && config.budget.withdraw() {
                    let delay = retry::backoff(&config.retry, attempt - 1);
                    tracing::info!(attempt, delay_ms = millis(delay), error = %error, "retrying after a connection failure");
                    tokio::time::sleep(delay).await;
                    continue;
                }
                tracing::debug!(attempt, error = %error, "giving up");
                return Err(error);
            }
        };
        let status = response.status();
        tracing::debug!(attempt, status = status.as_u16(), "response");
        if status.is_success() {
            return Ok(Outcome::Success(response, attempt));
        }
        let limit = config.max_response_size.min(ERROR_BODY_READ_LIMIT);
        let read = read_body(config, operation, response, attempt, limit, true);
        let buffered = match mode {
            Mode::Whole => read.await?,
            Mode::Stream => within(deadline, read)
                .await
                .ok_or_else(|| request_timeout(config, operation, attempt))??,
        };
        if can_retry {
            match retry::decide(
                &config.retry,
                replay,
                status,
                &buffered.headers,
                &buffered.body,
                attempt - 1,
            ) {
                retry::Decision::Retry(delay) if config.budget.withdraw() => {
                    tracing::info!(
                        attempt,
                        status = status.as_u16(),
                        delay_ms = millis(delay),
                        "retrying"
                    );
                    tokio::time::sleep(delay).await;
                    continue;
                }
                retry::Decision::Retry(_) => {
                    tracing::warn!(
                        attempt,
                        status = status.as_u16(),
                        "retry budget spent; not retrying"
                    );
                }
                retry::Decision::Stop(reason) => {
                    tracing::debug!(attempt, status = status.as_u16(), ?reason, "not retrying");
                }
            }
        }
        return Ok(Outcome::Failure(buffered));
    }
}

/// The header that numbers a retry (absent on the first attempt).
static RETRY_COUNT: HeaderName = HeaderName::from_static("x-retry-count");

/// A duration in whole milliseconds for logs, saturating.
fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

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

fn request_timeout(config: &Config, operation: &'static str, attempts: u32) -> Error {
    Error::Timeout {
        limit: TimeoutKind::Request,
        after: config.timeout,
        operation,
        attempts,
    }
}

fn call_span(op: &'static Operation) -> tracing::Span {
    tracing::info_span!(
        "venice.call",
        operation = op.id,
        method = op.method,
        path = op.path,
        status = tracing::field::Empty,
        attempts = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
        request_id = tracing::field::Empty,
    )
}

fn close_span(
    span: &tracing::Span,
    started: std::time::Instant,
    result: &Result<Buffered, Error>,
    redactor: &Redactor,
) {
    span.record("duration_ms", millis(started.elapsed()));
    match result {
        Ok(b) => {
            span.record("status", b.status.as_u16());
            span.record("attempts", b.attempts);
            if let Some(id) = header_str(&b.headers, "cf-ray") {
                span.record("request_id", redactor.scrub(id).as_str());
            }
        }
        Err(e) => {
            if let Some(status) = e.status() {
                span.record("status", status.as_u16());
            }
            if let Some(id) = e.request_id() {
                span.record("request_id", id);
            }
        }
    }
}

/// Sends a prepared request (with retries) and reads the body whole, within the
/// size limit. Error statuses are returned as `Ok` too (with their body), so the
/// caller can decode them its own way.
pub(crate) async fn execute(
    config: &Config,
    op: &'static Operation,
    source: Source<'_>,
) -> Result<Buffered, Error> {
    let operation = op.id;
    let span = call_span(op);
    let started = std::time::Instant::now();
    let result = async {
        match attempts(config, op, source, Mode::Whole).await? {
            Outcome::Success(response, attempt) => {
                read_body(
                    config,
                    operation,
                    response,
                    attempt,
                    config.max_response_size,
                    false,
                )
                .await
            }
            Outcome::Failure(buffered) => Ok(buffered),
        }
    }
    .instrument(span.clone())
    .await;
    close_span(&span, started, &result, &config.redactor);
    result
}

/// Calls a JSON operation of the generated table directly: builds the request from
/// the operation's method and path, with `query` and an optional JSON `body`,
/// checks it, sends it (with retries), and decodes the success body into `T` (the
/// generated response type). Used by the resource methods: one read of the body,
/// one decode, the headers moved into the metadata.
pub(crate) async fn call_json<T: serde::de::DeserializeOwned>(
    config: &Config,
    op: &'static Operation,
    query: &[(&str, &str)],
    body: Option<&(impl serde::Serialize + Sync + ?Sized)>,
) -> Result<crate::Response<T>, Error> {
    if op.path.contains('{') {
        return Err(Error::Config(format!(
            "{} needs path parameters; call it through Client::raw()",
            op.id
        )));
    }
    let method = op.method();
    let url = format!("{}{}", config.base_url, op.path);
    // Built for the first attempt and again only for a retry: no copy kept.
    let build = || -> Result<reqwest::Request, Error> {
        let mut builder = config.http.request(method.clone(), &url).header(
            reqwest::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
        if !query.is_empty() {
            builder = builder.query(query);
        }
        if let Some(body) = body {
            builder = builder.json(body);
        }
        let mut request = builder
            .build()
            .map_err(|e| Error::invalid("body", e.to_string()))?;
        prepare(config, Some(op), &mut request)?;
        Ok(request)
    };
    let buffered = execute(config, op, Source::Factory(Box::new(build))).await?;
    if let Some(error) = buffered.error_for_status(op.id, &config.redactor) {
        return Err(error);
    }
    match serde_json::from_slice::<T>(&buffered.body) {
        Ok(value) => Ok(crate::Response::new(
            value,
            crate::ResponseMeta::from_headers(buffered.status, buffered.headers),
        )),
        Err(e) => Err(Error::Decode(Box::new(DecodeError {
            operation: op.id,
            status: buffered.status,
            content_type: config
                .redactor
                .scrub_opt(header_str(&buffered.headers, CONTENT_TYPE.as_str())),
            // serde quotes the values it rejects: for a body holding a new key,
            // only where the error is.
            message: if op.returns_secret {
                format!(
                    "{:?} error at line {} column {}",
                    e.classify(),
                    e.line(),
                    e.column()
                )
            } else {
                config.redactor.scrub(e.to_string())
            },
            excerpt: (!op.returns_secret)
                .then(|| scrubbed_excerpt(&buffered.body, &config.redactor)),
            request_id: config
                .redactor
                .scrub_opt(header_str(&buffered.headers, "cf-ray")),
        }))),
    }
}

/// Sends a prepared request (with retries) and returns a success response with its
/// body unread, for the caller to stream; an error status is read and returned as
/// the error.
pub(crate) async fn send_for_body(
    config: &Config,
    op: &'static Operation,
    source: Source<'_>,
) -> Result<reqwest::Response, Error> {
    let operation = op.id;
    let span = call_span(op);
    let started = std::time::Instant::now();
    let outcome = attempts(config, op, source, Mode::Whole)
        .instrument(span.clone())
        .await;
    span.record("duration_ms", millis(started.elapsed()));
    match outcome? {
        Outcome::Success(response, attempt) => {
            span.record("status", response.status().as_u16());
            span.record("attempts", attempt);
            Ok(response)
        }
        Outcome::Failure(buffered) => {
            span.record("status", buffered.status.as_u16());
            span.record("attempts", buffered.attempts);
            Err(buffered
                .error_for_status(operation, &config.redactor)
                .unwrap_or_else(|| {
                    Error::Config("unreachable: failure with success status".into())
                }))
        }
    }
}

/// Sends a prepared streaming request (with retries until a success status) and
/// waits for the response head within the request timeout. Error statuses and
/// answers that are not an event stream are read (within the size limit) and
/// returned as errors; no retry happens once the stream is handed over.
pub(crate) async fn open_stream(
    config: &Config,
    op: &'static Operation,
    request: reqwest::Request,
) -> Result<(reqwest::Response, crate::ResponseMeta), Error> {
    let operation = op.id;
    let span = call_span(op);
    let started = std::time::Instant::now();
    // The head, and then a body that is not an event stream, within the timeout.
    let deadline = tokio::time::Instant::now().checked_add(config.timeout);
    let outcome = attempts(
        config,
        op,
        Source::Built(Some(Box::new(request))),
        Mode::Stream,
    )
    .instrument(span.clone())
    .await;
    span.record("duration_ms", millis(started.elapsed()));
    let (response, attempt) = match outcome? {
        Outcome::Success(response, attempt) => (response, attempt),
        Outcome::Failure(buffered) => {
            span.record("status", buffered.status.as_u16());
            span.record("attempts", buffered.attempts);
            return Err(buffered
                .error_for_status(operation, &config.redactor)
                .unwrap_or_else(|| {
                    Error::Config("unreachable: failure with success status".into())
                }));
        }
    };
    span.record("status", response.status().as_u16());
    span.record("attempts", attempt);
    let status = response.status();
    let content_type = header_str(response.headers(), CONTENT_TYPE.as_str());
    let is_event_stream = content_type.as_deref().is_some_and(|ct| {
        ct.trim_start()
            .to_ascii_lowercase()
            .starts_with("text/event-stream")
    });
    if is_event_stream {
        // Header values share the connection's read buffer; a stream lives long,
        // so its metadata gets copies rather than pin that buffer.
        let mut headers = HeaderMap::with_capacity(response.headers().len());
        for (name, value) in response.headers() {
            if let Ok(copy) = HeaderValue::from_bytes(value.as_bytes()) {
                headers.append(name.clone(), copy);
            }
        }
        // Stream errors quote the request id of this metadata.
        config.redactor.scrub_headers(&mut headers);
        let meta = crate::ResponseMeta::from_headers(status, headers);
        return Ok((response, meta));
    }
    let read = read_body(
        config,
        operation,
        response,
        attempt,
        config.max_response_size,
        false,
    );
    let buffered = within(deadline, read)
        .await
        .ok_or_else(|| request_timeout(config, operation, attempt))??;
    let content_type = config.redactor.scrub_opt(content_type);
    Err(Error::Decode(Box::new(DecodeError {
        operation,
        status,
        message: format!(
            "expected a text/event-stream, got {}",
            content_type.as_deref().unwrap_or("no content type")
        ),
        content_type,
        excerpt: Some(scrubbed_excerpt(&buffered.body, &config.redactor)),
        request_id: config
            .redactor
            .scrub_opt(header_str(&buffered.headers, "cf-ray")),
    })))
}

/// Reads a body whole, up to `limit` bytes. Past the limit a success body is
/// [`Error::BodyTooLarge`]; an error body (`truncate`) is cut at the limit.
async fn read_body(
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
    let too_large = |headers: &HeaderMap| Error::BodyTooLarge {
        operation,
        status,
        limit,
        request_id: config.redactor.scrub_opt(header_str(headers, "cf-ray")),
    };
    if !truncate && declared.is_some_and(|n| usize::try_from(n).map_or(true, |n| n > limit)) {
        return Err(too_large(&headers));
    }
    // One chunk is kept as is; more are gathered into one buffer, sized from
    // Content-Length when known, so the body is held once.
    let mut first: Option<Bytes> = None;
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
        match (&mut first, &mut gathered) {
            (None, None) => first = Some(chunk),
            (Some(head), None) => {
                let capacity = declared
                    .map_or(total, |n| usize::try_from(n).unwrap_or(limit))
                    .clamp(total, limit);
                let mut buf = BytesMut::with_capacity(capacity);
                buf.extend_from_slice(head);
                buf.extend_from_slice(&chunk);
                first = None;
                gathered = Some(buf);
            }
            (_, Some(buf)) => buf.extend_from_slice(&chunk),
        }
        if total >= limit {
            break;
        }
    }
    let body = match (first, gathered) {
        (_, Some(buf)) => buf.freeze(),
        (Some(one), None) => one,
        (None, None) => Bytes::new(),
    };
    Ok(Buffered {
        status,
        headers,
        body,
        attempts,
    })
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Maps a transport error from reqwest.
pub(crate) fn map_reqwest(
    config: &Config,
    operation: &'static str,
    error: reqwest::Error,
    attempts: u32,
) -> Error {
    if error.is_timeout() {
        let (limit, after) = if error.is_connect() {
            (TimeoutKind::Connect, config.connect_timeout)
        } else {
            (TimeoutKind::Request, config.timeout)
        };
        return Error::Timeout {
            limit,
            after,
            operation,
            attempts,
        };
    }
    let mut message = error.to_string();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    let message = if error.is_body() || error.is_decode() {
        format!("the response body broke off: {message}")
    } else {
        message
    };
    Error::Connection {
        operation,
        message: config.redactor.scrub(message),
        attempts,
        source: Some(error),
    }
}

impl Operation {
    /// The operation's HTTP method.
    pub(crate) fn method(&self) -> reqwest::Method {
        use reqwest::Method;
        match self.method {
            "GET" => Method::GET,
            "PUT" => Method::PUT,
            "DELETE" => Method::DELETE,
            "PATCH" => Method::PATCH,
            "HEAD" => Method::HEAD,
            "OPTIONS" => Method::OPTIONS,
            "TRACE" => Method::TRACE,
            // POST, and nothing else: the generator emits OpenAPI's methods only.
            // POST is also the most careful class for retries.
            _ => Method::POST,
        }
    }
}

/// The operation at `METHOD path` in the generated table.
///
/// Resources find their operation by method and path, which upstream keeps when it
/// renames operation ids; a missing one is a configuration error naming it (and
/// the test of every operation fails first).
pub(crate) fn operation(method: &str, path: &str) -> Result<&'static Operation, Error> {
    operations::ALL
        .iter()
        .find(|op| op.method == method && op.path == path)
        .ok_or_else(|| {
            Error::Config(format!(
                "the spec this SDK was generated from has no {method} {path}"
            ))
        })
}

/// The spec's name of an operation, from the name progenitor passes to hooks.
pub(crate) fn operation_name(rust_name: &str) -> (&'static str, Option<&'static Operation>) {
    match operations::find(rust_name) {
        Some(op) => (op.id, Some(op)),
        None => ("request", None),
    }
}

/// The SDK method to call instead of a raw operation that returns a secret.
fn secret_operation_refusal(op: &Operation) -> String {
    let instead = match (op.method, op.path) {
        ("POST", "/api_keys") => "client.api_keys().create(..)",
        ("POST", "/api_keys/generate_web3_key") => "client.api_keys().create_web3_key(..)",
        _ => "the SDK's resource method for it",
    };
    format!(
        "{} returns a secret and is not sent through Client::raw(), whose errors may quote \
         the response body; call {instead} instead",
        op.id
    )
}

/// The hooks of the generated client, as reached through [`Client::raw`](crate::Client::raw):
/// the API key (except for `security: []` operations), the user agent, the spec's
/// value rules, and the request timeout. Retries, body limits and metadata are the
/// resource methods' (they do not go through the generated client). Operations
/// that return a secret are refused before anything is sent.
impl ClientHooks<Inner> for RawClient {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), RawError<E>> {
        let (_, op) = operation_name(info.operation_id);
        if let Some(op) = op.filter(|op| op.returns_secret) {
            return Err(RawError::InvalidRequest(secret_operation_refusal(op)));
        }
        prepare(&self.inner().config, op, request)
            .map_err(|error| RawError::InvalidRequest(error.to_string()))
    }

    async fn exec(
        &self,
        mut request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let config = &self.inner().config;
        if request.timeout().is_none() {
            *request.timeout_mut() = Some(config.timeout);
        }
        config.http.execute(request).await
    }
}
