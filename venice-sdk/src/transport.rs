//! How requests are sent: authentication, time limits, bounded bodies, and the
//! mapping of every failure into [`Error`].
//!
//! The generated client calls the hooks below around each request. The SDK gives
//! each call its own [`Inner`] with a call slot where the hooks leave what they
//! saw (status, headers, the body of an error, or an SDK error), because
//! progenitor's error type can carry neither an error's status nor the SDK's errors.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use progenitor_client::{ClientHooks, ClientInfo, Error as RawError, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT};

use crate::error::{ApiError, DecodeError, TimeoutKind, excerpt};
use crate::generated::Client as RawClient;
use crate::operations::{self, Operation};
use crate::{Error, Secret};

/// The resolved client configuration, shared by every clone of a client.
pub(crate) struct Config {
    pub base_url: String,
    pub api_key: Option<Secret>,
    /// `Bearer <key>`, marked sensitive.
    pub auth: Option<HeaderValue>,
    pub user_agent: HeaderValue,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_response_size: usize,
    pub stream_idle_timeout: Duration,
    pub max_event_size: usize,
    pub http: reqwest::Client,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key)
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_response_size", &self.max_response_size)
            .field("stream_idle_timeout", &self.stream_idle_timeout)
            .field("max_event_size", &self.max_event_size)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Replaces the API key by `<redacted>` wherever it appears in `text`.
    pub fn scrub(&self, text: String) -> String {
        match &self.api_key {
            Some(key) if key.expose().len() >= 4 && text.contains(key.expose()) => {
                text.replace(key.expose(), "<redacted>")
            }
            _ => text,
        }
    }
}

/// What the generated client carries: the shared configuration and, for calls made
/// through [`Client`](crate::Client), the call's slot.
#[derive(Clone, Debug)]
pub struct Inner {
    pub(crate) config: Arc<Config>,
    pub(crate) call: Option<Arc<CallSlot>>,
}

/// What the hooks saw during one call.
#[derive(Debug, Default)]
pub(crate) struct CallSlot {
    state: Mutex<CallState>,
}

#[derive(Debug, Default)]
struct CallState {
    status: Option<StatusCode>,
    headers: Option<HeaderMap>,
    /// The body of an error response.
    error_body: Option<Bytes>,
    /// An error the SDK found itself.
    error: Option<Error>,
    attempts: u32,
}

impl CallSlot {
    fn with<R>(&self, f: impl FnOnce(&mut CallState) -> R) -> R {
        let mut guard = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }

    fn fail(&self, error: Error) {
        self.with(|s| s.error = Some(error));
    }
}

/// A response read whole, within the size limit.
#[derive(Debug)]
pub(crate) struct Buffered {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub version: reqwest::Version,
    pub body: Bytes,
    pub attempts: u32,
}

impl Buffered {
    fn into_reqwest(self) -> reqwest::Response {
        let mut response = http::Response::new(self.body);
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        *response.version_mut() = self.version;
        reqwest::Response::from(response)
    }

    /// The error of a non-success response, if this is one.
    pub fn error_for_status(&self, operation: &'static str) -> Option<Error> {
        (!self.status.is_success()).then(|| {
            Error::Api(Box::new(ApiError::new(
                operation,
                self.status,
                self.headers.clone(),
                &self.body,
                self.attempts,
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

/// Sends a prepared request and reads the body whole, within the size limit.
///
/// Error statuses are returned as `Ok` too (with their body), so the caller can
/// decode them its own way.
pub(crate) async fn execute(
    config: &Config,
    operation: &'static str,
    mut request: reqwest::Request,
) -> Result<Buffered, Error> {
    if request.timeout().is_none() {
        *request.timeout_mut() = Some(config.timeout);
    }
    let attempts = 1;
    let response = config
        .http
        .execute(request)
        .await
        .map_err(|e| map_reqwest(config, operation, e, attempts))?;
    read_capped(config, operation, response, attempts).await
}

/// Sends a prepared streaming request and waits for the response head (within the
/// request timeout). Error statuses and non-event-stream answers are read (within
/// the size limit) and returned as errors.
pub(crate) async fn open_stream(
    config: &Config,
    operation: &'static str,
    request: reqwest::Request,
) -> Result<(reqwest::Response, crate::ResponseMeta), Error> {
    let attempts = 1;
    let response = match tokio::time::timeout(config.timeout, config.http.execute(request)).await {
        Ok(result) => result.map_err(|e| map_reqwest(config, operation, e, attempts))?,
        Err(_) => {
            return Err(Error::Timeout {
                limit: TimeoutKind::Request,
                after: config.timeout,
                operation,
                attempts,
            });
        }
    };
    let status = response.status();
    let content_type = header_str(response.headers(), CONTENT_TYPE.as_str());
    let is_event_stream = content_type.as_deref().is_some_and(|ct| {
        ct.trim_start()
            .to_ascii_lowercase()
            .starts_with("text/event-stream")
    });
    if status.is_success() && is_event_stream {
        let meta = crate::ResponseMeta::from_headers(status, response.headers().clone());
        return Ok((response, meta));
    }
    let buffered = read_capped(config, operation, response, attempts).await?;
    if let Some(error) = buffered.error_for_status(operation) {
        return Err(error);
    }
    Err(Error::Decode(Box::new(DecodeError {
        operation,
        status,
        message: format!(
            "expected a text/event-stream, got {}",
            content_type.as_deref().unwrap_or("no content type")
        ),
        content_type,
        excerpt: Some(config.scrub(excerpt(&buffered.body))),
        request_id: header_str(&buffered.headers, "cf-ray"),
    })))
}

async fn read_capped(
    config: &Config,
    operation: &'static str,
    mut response: reqwest::Response,
    attempts: u32,
) -> Result<Buffered, Error> {
    let status = response.status();
    let headers = response.headers().clone();
    let version = response.version();
    let limit = config.max_response_size;
    let too_large = |headers: &HeaderMap| Error::BodyTooLarge {
        operation,
        status,
        limit,
        request_id: header_str(headers, "cf-ray"),
    };
    let declared = response.content_length();
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(&headers));
    }
    // One chunk is kept as is; more are gathered into one buffer, sized from
    // Content-Length when known, so the body is held once.
    let mut first: Option<Bytes> = None;
    let mut gathered: Option<BytesMut> = None;
    let mut total = 0usize;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| map_reqwest(config, operation, e, attempts))?
    {
        total += chunk.len();
        if total > limit {
            return Err(too_large(&headers));
        }
        match (&mut first, &mut gathered) {
            (None, None) => first = Some(chunk),
            (Some(head), None) => {
                let capacity = declared.map_or(total, |n| n as usize).max(total);
                let mut buf = BytesMut::with_capacity(capacity);
                buf.extend_from_slice(head);
                buf.extend_from_slice(&chunk);
                first = None;
                gathered = Some(buf);
            }
            (_, Some(buf)) => buf.extend_from_slice(&chunk),
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
        version,
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
        message: config.scrub(message),
        attempts,
        source: Some(error),
    }
}

fn synthetic(status: StatusCode) -> reqwest::Response {
    let mut response = http::Response::new(Bytes::new());
    *response.status_mut() = status;
    reqwest::Response::from(response)
}

/// The spec's name of an operation, from the name progenitor passes to hooks.
pub(crate) fn operation_name(rust_name: &str) -> (&'static str, Option<&'static Operation>) {
    match operations::find(rust_name) {
        Some(op) => (op.id, Some(op)),
        None => ("request", None),
    }
}

impl ClientHooks<Inner> for RawClient {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), RawError<E>> {
        let inner = self.inner();
        let (_, op) = operation_name(info.operation_id);
        match prepare(&inner.config, op, request) {
            Ok(()) => Ok(()),
            Err(error) => {
                let text = error.to_string();
                if let Some(slot) = &inner.call {
                    slot.fail(error);
                }
                Err(RawError::InvalidRequest(text))
            }
        }
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let inner = self.inner();
        let config = &inner.config;
        let Some(slot) = &inner.call else {
            // The bare generated client: only the time limit applies.
            let mut request = request;
            if request.timeout().is_none() {
                *request.timeout_mut() = Some(config.timeout);
            }
            return config.http.execute(request).await;
        };
        let (name, _) = operation_name(info.operation_id);
        match execute(config, name, request).await {
            Ok(buffered) => {
                slot.with(|s| {
                    s.status = Some(buffered.status);
                    s.headers = Some(buffered.headers.clone());
                    s.attempts = buffered.attempts;
                    if !buffered.status.is_success() {
                        s.error_body = Some(buffered.body.clone());
                    }
                });
                Ok(buffered.into_reqwest())
            }
            Err(error) => {
                // The slot holds the real error; the generated code gets an empty
                // response that fails to decode, and `finish` returns the slot's error.
                let status = error.status().unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                slot.fail(error);
                Ok(synthetic(status))
            }
        }
    }
}

/// One call through the generated client, with its own slot.
pub(crate) struct Call {
    pub raw: RawClient,
    slot: Arc<CallSlot>,
    config: Arc<Config>,
}

impl Call {
    pub fn new(config: &Arc<Config>) -> Call {
        let slot = Arc::new(CallSlot::default());
        let raw = RawClient::new_with_client(
            &config.base_url,
            config.http.clone(),
            Inner {
                config: Arc::clone(config),
                call: Some(Arc::clone(&slot)),
            },
        );
        Call {
            raw,
            slot,
            config: Arc::clone(config),
        }
    }

    /// Turns the generated method's result into the SDK's.
    pub fn finish<T, E>(
        self,
        operation: &'static str,
        result: Result<progenitor_client::ResponseValue<T>, RawError<E>>,
    ) -> Result<crate::Response<T>, Error> {
        let error = match result {
            Ok(value) => {
                let status = value.status();
                let headers = value.headers().clone();
                return Ok(crate::Response::new(
                    value.into_inner(),
                    crate::ResponseMeta::from_headers(status, headers),
                ));
            }
            Err(e) => e,
        };
        let state = self.slot.with(std::mem::take);
        if let Some(own) = state.error {
            return Err(own);
        }
        let attempts = state.attempts.max(1);
        if let (Some(status), Some(headers)) = (state.status, state.headers.clone())
            && !status.is_success()
        {
            let body = state.error_body.unwrap_or_default();
            return Err(Error::Api(Box::new(ApiError::new(
                operation, status, headers, &body, attempts,
            ))));
        }
        let op = operations::find(operation);
        Err(match error {
            RawError::InvalidResponsePayload(bytes, e) => {
                let headers = state.headers.unwrap_or_default();
                let keep = !op.is_some_and(|o| o.returns_secret);
                Error::Decode(Box::new(DecodeError {
                    operation,
                    status: state.status.unwrap_or(StatusCode::OK),
                    content_type: header_str(&headers, CONTENT_TYPE.as_str()),
                    message: e.to_string(),
                    excerpt: keep.then(|| self.config.scrub(excerpt(&bytes))),
                    request_id: header_str(&headers, "cf-ray"),
                }))
            }
            RawError::UnexpectedResponse(response) => Error::Decode(Box::new(DecodeError {
                operation,
                status: response.status(),
                content_type: header_str(response.headers(), CONTENT_TYPE.as_str()),
                message: "the spec lists no such status for this operation".into(),
                excerpt: None,
                request_id: header_str(response.headers(), "cf-ray"),
            })),
            RawError::CommunicationError(e)
            | RawError::ResponseBodyError(e)
            | RawError::InvalidUpgrade(e) => map_reqwest(&self.config, operation, e, attempts),
            RawError::InvalidRequest(message) => {
                // From the generated builders: "error converting supplied value for X: …"
                let field = message
                    .split_once("value for ")
                    .and_then(|(_, rest)| rest.split_once(':'))
                    .map(|(field, _)| field.trim().to_owned())
                    .unwrap_or_else(|| "body".to_owned());
                Error::invalid(field, self.config.scrub(message))
            }
            RawError::ErrorResponse(value) => Error::Api(Box::new(ApiError::new(
                operation,
                value.status(),
                value.headers().clone(),
                &[],
                attempts,
            ))),
            RawError::Custom(message) => Error::Config(self.config.scrub(message)),
        })
    }
}
