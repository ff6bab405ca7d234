//! What a test can make the offline Venice do: require a key, answer a
//! scripted status (with its body and headers) or after a delay, and record
//! the requests it received.

use std::fmt;
use std::time::Duration;

use serde_json::{Value, json};

use super::Reply;

/// What the offline Venice answers to one call of an operation, queued with
/// [`OfflineVenice::fail_next`](super::OfflineVenice::fail_next) or
/// [`OfflineVenice::script`](super::OfflineVenice::script): an error status
/// with Venice's error body and any headers, or the usual answer; either after
/// an optional delay.
///
/// ```
/// use std::time::Duration;
/// use venice_testing::Answer;
///
/// // 429 with `Retry-After: 2` and the rate-limit headers at zero.
/// let limited = Answer::rate_limited(2);
/// assert_eq!(limited.status_code(), Some(429));
/// // 503 with Venice's body `{"error": "Upstream busy"}` and a header.
/// let busy = Answer::error(503, "Upstream busy").header("retry-after", "1");
/// assert_eq!(busy.status_code(), Some(503));
/// // The offline Venice's usual answer, half a second late.
/// let slow = Answer::usual().delay(Duration::from_millis(500));
/// assert_eq!(slow.status_code(), None);
/// ```
#[derive(Clone)]
pub struct Answer {
    /// `None`: the usual answer.
    error: Option<ErrorAnswer>,
    headers: Vec<(String, String)>,
    delay: Duration,
}

#[derive(Clone)]
struct ErrorAnswer {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Answer");
        match &self.error {
            Some(e) => s
                .field("status", &e.status)
                .field("body", &String::from_utf8_lossy(&e.body)),
            None => s.field("status", &"usual"),
        };
        s.field("headers", &self.headers)
            .field("delay", &self.delay)
            .finish()
    }
}

impl Answer {
    /// `status` with Venice's error body `{"error": message}`.
    ///
    /// ```
    /// use venice_testing::Answer;
    ///
    /// let answer = Answer::error(402, "Insufficient USD or VCU balance to complete request");
    /// assert_eq!(answer.status_code(), Some(402));
    /// ```
    pub fn error(status: u16, message: &str) -> Answer {
        Answer {
            error: Some(ErrorAnswer {
                status,
                content_type: "application/json; charset=utf-8".to_owned(),
                body: serde_json::to_vec(&json!({ "error": message })).unwrap_or_default(),
            }),
            headers: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    /// `status` with Venice's error body and the usual message of that status
    /// (`503`: `"Service temporarily unavailable"`).
    ///
    /// ```
    /// use venice_testing::Answer;
    ///
    /// assert_eq!(Answer::status(503).status_code(), Some(503));
    /// ```
    pub fn status(status: u16) -> Answer {
        let message = match status {
            400 => "Invalid request parameters",
            401 => "Authentication failed",
            402 => "Insufficient USD or VCU balance to complete request",
            403 => "Unauthorized access",
            404 => "Not found",
            415 => "Invalid request content-type",
            429 => "Rate limit exceeded",
            500 => "Inference processing failed",
            502 => "Bad gateway",
            503 => "Service temporarily unavailable",
            504 => "Gateway timeout",
            _ => "Request failed",
        };
        Answer::error(status, message)
    }

    /// `429 Rate limit exceeded` with `Retry-After: <seconds>` and the
    /// `x-ratelimit-remaining-requests` and `x-ratelimit-remaining-tokens`
    /// headers at `0`.
    ///
    /// ```
    /// use venice_testing::Answer;
    ///
    /// assert_eq!(Answer::rate_limited(1).status_code(), Some(429));
    /// ```
    pub fn rate_limited(retry_after_seconds: u64) -> Answer {
        Answer::status(429)
            .retry_after(retry_after_seconds)
            .header("x-ratelimit-remaining-requests", "0")
            .header("x-ratelimit-remaining-tokens", "0")
    }

    /// The offline Venice's usual answer to the request (in a script, a call
    /// that succeeds; with [`delay`](Self::delay), a slow one).
    ///
    /// ```
    /// use venice_testing::Answer;
    ///
    /// assert_eq!(Answer::usual().status_code(), None);
    /// ```
    pub fn usual() -> Answer {
        Answer {
            error: None,
            headers: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    /// Adds a header (replacing one of Venice's of that name, such as
    /// `x-ratelimit-remaining-requests`).
    ///
    /// ```
    /// use venice_testing::Answer;
    ///
    /// let answer = Answer::status(503).header("x-venice-region", "us-west");
    /// assert!(format!("{answer:?}").contains("x-venice-region"));
    /// ```
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Answer {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// Adds `Retry-After: <seconds>`.
    ///
    /// ```
    /// use venice_testing::Answer;
    ///
    /// let answer = Answer::status(503).retry_after(3);
    /// assert!(format!("{answer:?}").contains("retry-after"));
    /// ```
    #[must_use]
    pub fn retry_after(self, seconds: u64) -> Answer {
        self.header("retry-after", &seconds.to_string())
    }

    /// Replaces the error body with this JSON (an error answer only; the usual
    /// answer keeps its body).
    ///
    /// ```
    /// use venice_testing::Answer;
    ///
    /// let answer = Answer::status(400).json(&serde_json::json!({
    ///     "error": "Invalid request parameters",
    ///     "details": {"_errors": [], "model": {"_errors": ["Required"]}}
    /// }));
    /// assert!(format!("{answer:?}").contains("details"));
    /// ```
    #[must_use]
    pub fn json(mut self, body: &Value) -> Answer {
        if let Some(error) = &mut self.error {
            error.content_type = "application/json; charset=utf-8".to_owned();
            error.body = serde_json::to_vec(body).unwrap_or_default();
        }
        self
    }

    /// Replaces the error body with `body` of `content_type` (an HTML page
    /// from a proxy, say; an error answer only).
    ///
    /// ```
    /// use venice_testing::Answer;
    ///
    /// let answer = Answer::status(502).body("text/html", b"<html>Bad gateway</html>");
    /// assert!(format!("{answer:?}").contains("<html>"));
    /// ```
    #[must_use]
    pub fn body(mut self, content_type: &str, body: &[u8]) -> Answer {
        if let Some(error) = &mut self.error {
            error.content_type = content_type.to_owned();
            error.body = body.to_vec();
        }
        self
    }

    /// Answers only after `delay` (on top of the server's
    /// [`latency`](OfflineVeniceBuilder::latency)).
    ///
    /// ```
    /// use std::time::Duration;
    /// use venice_testing::Answer;
    ///
    /// let answer = Answer::usual().delay(Duration::from_millis(50));
    /// assert!(format!("{answer:?}").contains("50ms"));
    /// ```
    #[must_use]
    pub fn delay(mut self, delay: Duration) -> Answer {
        self.delay = delay;
        self
    }

    /// The status this answer has, or `None` for the usual answer.
    ///
    /// ```
    /// use venice_testing::Answer;
    ///
    /// assert_eq!(Answer::status(500).status_code(), Some(500));
    /// ```
    pub fn status_code(&self) -> Option<u16> {
        self.error.as_ref().map(|e| e.status)
    }

    pub(crate) fn delay_of(&self) -> Duration {
        self.delay
    }

    /// The reply of an error answer (`None` for the usual answer).
    pub(crate) fn reply(&self) -> Option<Reply> {
        let error = self.error.as_ref()?;
        let mut reply = Reply::new(error.status, error.content_type.clone(), error.body.clone());
        reply.headers.extend(self.headers.iter().cloned());
        Some(reply)
    }

    /// The headers to add to the usual answer.
    pub(crate) fn headers(&self) -> &[(String, String)] {
        &self.headers
    }
}

/// A request the offline Venice received, as
/// [`OfflineVenice::requests`](super::OfflineVenice::requests) lists it: the
/// `Authorization` header's value is redacted (`Bearer [REDACTED]`), so
/// printing a recorded request shows no key.
///
/// ```
/// use venice_testing::OfflineVenice;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// let venice = OfflineVenice::start().await;
/// venice.client().models().list(None).await?;
/// let seen = venice.requests();
/// assert_eq!(seen[0].method, "GET");
/// assert_eq!(seen[0].path, "/api/v1/models");
/// assert_eq!(seen[0].operation, Some("listModels"));
/// assert_eq!(seen[0].header("authorization"), Some("Bearer [REDACTED]"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method, upper case (`POST`).
    pub method: String,
    /// The path, without the query (`/api/v1/chat/completions`).
    pub path: String,
    /// The query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// The headers, names lower case, in order; `authorization` redacted.
    pub headers: Vec<(String, String)>,
    /// The body as received.
    pub body: Vec<u8>,
    /// The id of the operation it reached (`"createChatCompletion"`), or
    /// `None` for a download URL or an unknown path.
    pub operation: Option<&'static str>,
}

impl RecordedRequest {
    /// The value of header `name` (case-insensitive; the first, if repeated).
    ///
    /// ```
    /// use venice_testing::OfflineVenice;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// let venice = OfflineVenice::start().await;
    /// venice.client().models().list(None).await?;
    /// assert!(venice.requests()[0].header("User-Agent").is_some());
    /// # Ok(())
    /// # }
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, when it is JSON.
    ///
    /// ```
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    /// use venice_testing::OfflineVenice;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// let venice = OfflineVenice::start().await;
    /// let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Hi")]);
    /// venice.client().chat().create(request).await?;
    /// let sent = venice.requests()[0].json().unwrap();
    /// assert_eq!(sent["model"], "llama-3.3-70b");
    /// # Ok(())
    /// # }
    /// ```
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// Options of an [`OfflineVenice`](super::OfflineVenice) set before it starts:
/// the one API key it accepts, and a latency added to every answer. Made by
/// [`OfflineVenice::builder`](super::OfflineVenice::builder).
///
/// ```
/// use std::time::Duration;
/// use venice_testing::OfflineVenice;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let venice = OfflineVenice::builder()
///     .require_key("vk-test-only-this-one")
///     .latency(Duration::from_millis(20))
///     .start()
///     .await;
/// // Its own client sends the required key.
/// assert!(venice.client().models().list(None).await.is_ok());
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct OfflineVeniceBuilder {
    pub(crate) required_key: Option<String>,
    pub(crate) latency: Duration,
}

impl OfflineVeniceBuilder {
    /// Accepts only `key`: another key gets 401 (`{"error": "Authentication
    /// failed"}`) on every operation, and a missing one on the operations whose
    /// spec security requires a key (a wallet still authenticates where the
    /// spec allows one). [`OfflineVenice::client`](super::OfflineVenice::client)
    /// then sends `key`.
    ///
    /// ```
    /// use venice_testing::OfflineVenice;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let venice = OfflineVenice::builder().require_key("vk-right").start().await;
    /// let wrong = venice.client_builder().api_key("vk-wrong").build().unwrap();
    /// let err = wrong.billing().balance().await.unwrap_err();
    /// assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    /// # }
    /// ```
    #[must_use]
    pub fn require_key(mut self, key: impl Into<String>) -> OfflineVeniceBuilder {
        self.required_key = Some(key.into());
        self
    }

    /// Waits `latency` before every answer. The offline Venice answers one
    /// request at a time while it waits (each server runs on one thread), so
    /// concurrent requests queue up behind a slow one.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use venice_testing::OfflineVenice;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let venice = OfflineVenice::builder().latency(Duration::from_millis(50)).start().await;
    /// let started = Instant::now();
    /// venice.client().models().list(None).await.unwrap();
    /// assert!(started.elapsed() >= Duration::from_millis(50));
    /// # }
    /// ```
    #[must_use]
    pub fn latency(mut self, latency: Duration) -> OfflineVeniceBuilder {
        self.latency = latency;
        self
    }

    /// Starts the offline Venice on a free port of 127.0.0.1.
    ///
    /// ```
    /// use venice_testing::OfflineVenice;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let venice = OfflineVenice::builder().start().await;
    /// assert!(venice.base_url().starts_with("http://127.0.0.1:"));
    /// # }
    /// ```
    pub async fn start(self) -> super::OfflineVenice {
        super::OfflineVenice::start_with(self).await
    }
}

/// The `Authorization` value as recorded: its scheme kept, the credential not.
pub(crate) fn redact_authorization(value: &str) -> String {
    match value.trim().split_once(' ') {
        Some((scheme, _)) => format!("{scheme} [REDACTED]"),
        None => "[REDACTED]".to_owned(),
    }
}
