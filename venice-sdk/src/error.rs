//! The one error type of the SDK.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::meta::{EndpointDeprecation, ResponseMeta};
use crate::refusal::{NEEDS_CONSENT, PROVIDER_CONTENT_POLICY};
use crate::secret::Redactor;

pub use crate::refusal::{ConsentAcceptance, ConsentRequired, ContentPolicyRefusal};

pub(crate) use crate::defaults::{MAX_DISPLAYED_TEXT, MAX_ERROR_BODY_EXCERPT};

/// Server-provided text as an error's `Display` shows it: on one line, with
/// control characters (`\n`, `\r`, `\t`, ESC, U+2028, U+2029, bidirectional
/// overrides, …) escaped the way Rust writes them (`\n`, `\u{1b}`), and cut at
/// [`MAX_DISPLAYED_TEXT`] characters (ending in `…`). A server cannot start a
/// new log line or restyle a terminal through an error message.
pub(crate) struct Shown<'a>(pub &'a str);

/// Whether `c` is written escaped: control characters, line and paragraph
/// separators, and the invisible marks that reorder or hide text.
fn is_escaped(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write as _;
        let mut written = 0usize;
        for c in self.0.chars() {
            if is_escaped(c) {
                let escaped = c.escape_default();
                let len = escaped.len();
                if written + len > MAX_DISPLAYED_TEXT {
                    return f.write_char('…');
                }
                for e in escaped {
                    f.write_char(e)?;
                }
                written += len;
            } else {
                if written + 1 > MAX_DISPLAYED_TEXT {
                    return f.write_char('…');
                }
                f.write_char(c)?;
                written += 1;
            }
        }
        Ok(())
    }
}

/// Everything that can go wrong in a call.
///
/// `Display` is one line a person can act on; [`Error::status`],
/// [`Error::request_id`], [`Error::is_retryable`] and [`Error::is_timeout`] answer
/// the questions code usually asks. No variant ever holds the API key.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// # venice.fail_next(&venice_sdk::operations::LIST_MODELS, venice_testing::Answer::rate_limited(30));
/// # let client = client.with_max_retries(0);
/// use venice_sdk::{ApiErrorKind, Error};
///
/// match client.models().list(None).await {
///     Ok(models) => println!("{} models", models.data.len()),
///     Err(Error::Api(e)) if e.kind == ApiErrorKind::RateLimited => eprintln!("slow down: {}", e.message),
///     Err(e) if e.is_retryable() => eprintln!("try again later: {e}"),
///     Err(e) => return Err(e),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status (4xx/5xx).
    #[error("{0}")]
    Api(Box<ApiError>),
    /// A time limit fired.
    #[error("{operation}: the {limit} of {after:?} elapsed{attempts}", attempts = attempts_suffix(*.attempts))]
    Timeout {
        /// Which limit fired.
        limit: TimeoutKind,
        /// Its configured value.
        after: Duration,
        /// The operation.
        operation: &'static str,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The connection failed or broke before a whole response arrived.
    #[error("{operation}: connection failed: {}{attempts}", Shown(.message), attempts = attempts_suffix(*.attempts))]
    Connection {
        /// The operation.
        operation: &'static str,
        /// What happened, from the HTTP stack.
        message: String,
        /// How many attempts were made.
        attempts: u32,
        /// The underlying error.
        #[source]
        source: Option<reqwest::Error>,
    },
    /// The HTTP client followed a redirect to another origin (scheme, host or
    /// port) than the request's: the answer came from elsewhere, and nothing
    /// of it was read or decoded. Only a client given to
    /// [`ClientBuilder::http_client`](crate::ClientBuilder::http_client)
    /// follows redirects: build it with
    /// `.redirect(reqwest::redirect::Policy::none())`.
    #[error(
        "{operation}: the HTTP client followed a redirect to another origin ({}), which the SDK does not accept; the answer was not read. Build the reqwest::Client given to ClientBuilder::http_client with .redirect(reqwest::redirect::Policy::none())",
        Shown(.to)
    )]
    Redirected {
        /// The operation.
        operation: &'static str,
        /// The origin the client was sent to (`https://host:port`; no path or
        /// query).
        to: String,
        /// How many attempts were made.
        attempts: u32,
    },
    /// A success response arrived but its body is not what the operation returns.
    #[error("{0}")]
    Decode(Box<DecodeError>),
    /// A streamed response went wrong mid-way (see [`StreamErrorKind`]).
    #[error("{0}")]
    Stream(Box<StreamError>),
    /// A response body went past one of the client's size limits, however it
    /// was read: whole, into a writer, as a live stream, or as a media job's
    /// download. Nothing past the limit was read; what was written into a
    /// writer stays written. `setting` names the limit, and so the
    /// [`ClientBuilder`](crate::ClientBuilder) method that raises it.
    ///
    /// ```
    /// # fn show(err: &venice_sdk::Error) {
    /// if let venice_sdk::Error::BodyTooLarge { limit, setting, .. } = err {
    ///     eprintln!("over {limit} bytes: raise {setting}");
    /// }
    /// # }
    /// ```
    #[error(
        "{operation}: response body larger than the {limit}-byte limit (status {status}); raise it with {setting}"
    )]
    BodyTooLarge {
        /// The operation.
        operation: &'static str,
        /// The response status.
        status: StatusCode,
        /// The limit in bytes.
        limit: u64,
        /// Which limit it is.
        setting: SizeLimit,
        /// The request id, if the response had one.
        request_id: Option<String>,
    },
    /// The request breaks a rule of the API and was not sent.
    #[error("invalid request: `{field}` {message}")]
    InvalidRequest {
        /// The offending field, as a path into the request (`messages`, `width`).
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The client is misconfigured (API key, base URL, HTTP client).
    #[error("configuration error: {0}")]
    Config(String),
    /// A media job (video, music) did not end with its media: it failed,
    /// expired, ran past its deadline, or its download could not finish (see
    /// [`JobErrorKind`]).
    #[error("{0}")]
    Job(Box<JobError>),
    /// A structured answer (a chat completion asked for JSON of a type, a tool
    /// call's arguments) could not be read into its type: the model refused, the
    /// answer was cut, or the JSON is not JSON or not the type's (see
    /// [`ParseErrorKind`]). The raw text is kept in [`ParseError::raw`].
    #[error("{0}")]
    Parse(Box<ParseError>),
    /// A tool handler of a [`ToolRunner`](crate::ToolRunner) failed and the
    /// runner was told to stop on handler errors
    /// ([`HandlerErrors::EndRun`](crate::HandlerErrors::EndRun)).
    #[error("tool `{tool}` (call {call_id}) failed: {}", Shown(.message))]
    ToolFailed {
        /// The tool's name.
        tool: String,
        /// The call's id.
        call_id: String,
        /// What the handler said.
        message: String,
    },
    /// A paginated walk ([`Pages`](crate::Pages), `usage_history_csv_all`)
    /// stopped because the server's pages would not end it: the same cursor
    /// twice, a page repeating an earlier page, or more pages than
    /// [`Paging::max_pages`](crate::Paging::max_pages) allows. The items
    /// yielded before it are good; `reason` says what happened and what to do.
    #[error("{operation}: pagination stopped: {reason}")]
    Pagination {
        /// The operation being walked.
        operation: &'static str,
        /// What happened and what to do (the SDK's own text; no server text).
        reason: String,
    },
    /// A private (TEE) call could not be made safely: the enclave's
    /// attestation did not pass, the model does not offer end-to-end
    /// encryption, a message could not be encrypted, or a streamed answer did
    /// not decrypt (see [`TeeErrorKind`]). Nothing is sent in plaintext and
    /// no ciphertext is passed through as text.
    #[error("{0}")]
    Tee(Box<TeeError>),
    /// A local file could not be read or written.
    #[error("cannot read or write {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Why a structured answer could not be read into its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The model refused to answer (the message's `refusal`, kept in `raw`): ask
    /// differently, or handle the refusal.
    Refused,
    /// The answer was cut (`finish_reason: length`) before the JSON ended:
    /// raise `max_completion_tokens`, or ask for less.
    Truncated,
    /// The answer has no text to read.
    Empty,
    /// The text is not JSON: the model ignored the format (check that the model
    /// supports response schemas: `models().with_capability(..)`).
    NotJson,
    /// The JSON does not fit the type (`path` says where): the schema sent and
    /// the type read differ, or the model did not follow a non-strict schema.
    Mismatch,
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParseErrorKind::Refused => "the model refused",
            ParseErrorKind::Truncated => {
                "the answer was cut (finish_reason: length) before its JSON ended; raise max_completion_tokens"
            }
            ParseErrorKind::Empty => "the answer has no text",
            ParseErrorKind::NotJson => "the text is not JSON",
            ParseErrorKind::Mismatch => "the JSON does not fit the type",
        })
    }
}

/// A structured answer that could not be read into its type, with the raw text.
///
/// ```
/// # fn handle(e: venice_sdk::Error) {
/// use venice_sdk::{Error, ParseErrorKind};
/// if let Error::Parse(e) = &e {
///     match e.kind {
///         ParseErrorKind::Truncated => eprintln!("cut after {} bytes", e.raw.len()),
///         ParseErrorKind::Refused => eprintln!("refused: {}", e.raw),
///         _ => eprintln!("{e}"),
///     }
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseError {
    /// Why.
    pub kind: ParseErrorKind,
    /// What was read: `` `Recipe` from the chat completion`` or
    /// `` the arguments of tool `get_weather` ``.
    pub what: String,
    /// Where in the JSON the value that does not fit is (`steps[2].minutes`), for
    /// [`ParseErrorKind::Mismatch`].
    pub path: Option<String>,
    /// What the JSON reader said.
    pub message: String,
    /// The text as received: the content, the refusal or the arguments.
    pub raw: String,
}

impl ParseError {
    pub(crate) fn error(
        kind: ParseErrorKind,
        what: impl Into<String>,
        message: impl Into<String>,
        raw: impl Into<String>,
    ) -> Error {
        Error::Parse(Box::new(ParseError {
            kind,
            what: what.into(),
            path: None,
            message: message.into(),
            raw: raw.into(),
        }))
    }

    /// A [`ParseErrorKind::Mismatch`]: `raw` is JSON, but not of the
    /// expected shape at `path` (`None`: at the top).
    pub(crate) fn mismatch(
        what: impl Into<String>,
        path: Option<String>,
        message: impl Into<String>,
        raw: impl Into<String>,
    ) -> Error {
        Error::Parse(Box::new(ParseError {
            kind: ParseErrorKind::Mismatch,
            what: what.into(),
            path,
            message: message.into(),
            raw: raw.into(),
        }))
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.what, self.kind)?;
        if let Some(path) = &self.path {
            write!(f, " at `{}`", Shown(path))?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", Shown(&self.message))?;
        }
        write!(f, " (received: {})", Shown(&self.raw))
    }
}

fn attempts_suffix(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (after {attempts} attempts)")
    } else {
        String::new()
    }
}

/// Which of the client's size limits a body went past
/// ([`Error::BodyTooLarge`]). `Display` names the
/// [`ClientBuilder`](crate::ClientBuilder) method that raises it.
///
/// ```
/// use venice_sdk::SizeLimit;
/// assert_eq!(SizeLimit::Download.to_string(), "ClientBuilder::max_download_size");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SizeLimit {
    /// [`ClientBuilder::max_response_size`](crate::ClientBuilder::max_response_size):
    /// every answer read whole, written into a writer or streamed.
    Response,
    /// [`ClientBuilder::max_download_size`](crate::ClientBuilder::max_download_size):
    /// a media job's download.
    Download,
}

impl fmt::Display for SizeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SizeLimit::Response => "ClientBuilder::max_response_size",
            SizeLimit::Download => "ClientBuilder::max_download_size",
        })
    }
}

/// Which time limit fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// Establishing the connection.
    Connect,
    /// The whole request of a non-streaming call.
    Request,
    /// The time between two reads of a stream.
    Idle,
    /// The whole of a stream, from the response head to its last byte
    /// ([`ClientBuilder::stream_timeout`](crate::ClientBuilder::stream_timeout)).
    Stream,
}

impl fmt::Display for TimeoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutKind::Connect => "connect timeout",
            TimeoutKind::Request => "request timeout",
            TimeoutKind::Idle => "stream idle timeout",
            TimeoutKind::Stream => "stream timeout",
        })
    }
}

/// Why a media job did not end with its media.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum JobErrorKind {
    /// The server reported a status that is neither `PROCESSING` nor
    /// `COMPLETED` (`FAILED`, `ERROR`, or one this SDK does not know): the job
    /// will not finish.
    Failed {
        /// The status as sent.
        status: String,
        /// The status answer as sent (scrubbed of the API key, cut at 64 KiB).
        body: String,
    },
    /// Venice answered 404: the media expired (Venice keeps it for a limited
    /// time), was deleted (`complete`, `delete_media_on_completion`, a revoked
    /// `download_url`), or the model and queue id do not name a job.
    Expired,
    /// The job was still processing when the wait's deadline passed. It may
    /// still finish: wait again, or resume it later from its ticket.
    DeadlineExceeded {
        /// The deadline.
        after: Duration,
    },
    /// The job is `COMPLETED`, but its media is at the `download_url` given when
    /// it was queued, which this handle does not have.
    NoMedia,
    /// The transfer kept breaking off and could not be resumed within the
    /// client's retries.
    Incomplete {
        /// Bytes written into the writer.
        written: u64,
        /// The media's length, when the server said.
        expected: Option<u64>,
    },
    /// The cleanup call answered `success: false`: the media is still stored.
    CleanupRefused,
    /// The media changed on the server during the download: a resumed
    /// transfer was of another version (another `ETag`, `Last-Modified` or
    /// length, or a whole new body), and what was already written went into
    /// a writer that cannot start over ([`Media::download_to`]; `save` and
    /// `bytes` start over from byte 0 instead, until the media keeps
    /// changing past the client's retries). Also a transfer that sent more
    /// bytes than the media's declared length. Download it again.
    ///
    /// [`Media::download_to`]: crate::resources::Media::download_to
    Changed,
    /// The model's provider refused the job for its content policy (a `422`
    /// of type `provider_content_policy` when polled; the [`JobError`]'s
    /// source is that [`ApiError`]). Venice refunds the credits: queue it
    /// again on the recommended model, or with another prompt.
    ///
    /// ```
    /// # fn check(e: &venice_sdk::JobError) {
    /// if let venice_sdk::JobErrorKind::ContentPolicy(refusal) = &e.kind {
    ///     println!("try {:?}", refusal.recommended_model);
    /// }
    /// # }
    /// ```
    ContentPolicy(ContentPolicyRefusal),
}

/// A media job that did not end with its media: which job, why, and the
/// underlying error when there is one (the 404 of an expired job, the last
/// transport error of a broken download).
///
/// `Display` says what happened and what to do; the `download_url` is never
/// shown.
#[derive(Debug)]
pub struct JobError {
    /// What went wrong.
    pub kind: JobErrorKind,
    /// What the job makes: `"video"` or `"music"`.
    pub media: &'static str,
    /// The job's model.
    pub model: String,
    /// The job's queue id.
    pub queue_id: String,
    /// How many status polls the wait made (0 outside a wait).
    pub polls: u32,
    /// The error behind this one, if any.
    pub source: Option<Error>,
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} job {} ({}): ",
            self.media,
            Shown(&self.queue_id),
            Shown(&self.model)
        )?;
        match &self.kind {
            JobErrorKind::Failed { status, .. } => write!(
                f,
                "the server reports status `{}`, so it will not finish; queue the job again (JobErrorKind::Failed has the server's answer)",
                Shown(status)
            ),
            JobErrorKind::Expired => f.write_str(
                "Venice answered 404: the media expired or was deleted (or the model and queue id name no job); queue the job again",
            ),
            JobErrorKind::DeadlineExceeded { after } => write!(
                f,
                "still processing when the deadline of {after:?} passed ({} polls); it may still finish: wait again with a longer Job::deadline, or resume it later from its ticket",
                self.polls
            ),
            JobErrorKind::NoMedia => f.write_str(
                "COMPLETED, but its media is at the download_url returned when it was queued, which this handle lacks; resume it from the saved JobTicket",
            ),
            JobErrorKind::Incomplete { written, expected } => {
                write!(f, "the download broke off after {written} bytes")?;
                if let Some(expected) = expected {
                    write!(f, " of {expected}")?;
                }
                f.write_str(" and could not be resumed within the client's retries; download it again")?;
                if let Some(source) = &self.source {
                    write!(f, " (last failure: {source})")?;
                }
                Ok(())
            }
            JobErrorKind::CleanupRefused => f.write_str(
                "the cleanup answered success: false, so the media is still stored; call complete again later",
            ),
            JobErrorKind::Changed => f.write_str(
                "the media changed on the server during the download (a resumed transfer was of another version, or sent more than the declared length), so what was written cannot be completed; download it again",
            ),
            JobErrorKind::ContentPolicy(refusal) => {
                f.write_str("the model's provider refused it for its content policy")?;
                match refusal.credits_refunded {
                    Some(true) => f.write_str(" (credits refunded)")?,
                    Some(false) => f.write_str(" (credits not refunded)")?,
                    None => {}
                }
                match &refusal.recommended_model {
                    Some(model) => write!(f, "; queue it again on {}", Shown(model)),
                    None => f.write_str("; queue it again on another model or with another prompt"),
                }
            }
        }
    }
}

impl std::error::Error for JobError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Why a private (TEE) call could not be made safely.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TeeErrorKind {
    /// The enclave's attestation did not pass one or more checks (each named
    /// in `failures`, with what was wrong): no session is opened on it.
    AttestationFailed {
        /// The failed checks, as `check: what was wrong`.
        failures: Vec<String>,
    },
    /// The model does not advertise end-to-end encryption
    /// (`supportsE2EE` in `/models`), or `/models` does not list it.
    NotE2ee,
    /// A request message cannot be encrypted: its content is not plain text
    /// (image or audio parts, or an array of parts).
    UnsupportedContent {
        /// The message's position in `messages`.
        message: usize,
    },
    /// A streamed delta did not decrypt: it is not for this session's key, or
    /// it was altered on the way (authentication failed).
    Decrypt {
        /// The choice the delta belonged to.
        choice: u32,
    },
    /// A streamed delta was plain text (or not an encrypted field at all)
    /// where ciphertext was expected.
    NotEncrypted {
        /// The choice the delta belonged to.
        choice: u32,
    },
    /// The operating system's random source failed, so no key or nonce could
    /// be made.
    Random,
}

/// A private (TEE) call that could not be made safely: which model, and why.
///
/// Neither `Display` nor `Debug` ever holds a key, a ciphertext or a
/// decrypted text.
///
/// ```
/// # fn check(e: &venice_sdk::Error) {
/// if let venice_sdk::Error::Tee(tee) = e {
///     if let venice_sdk::TeeErrorKind::AttestationFailed { failures } = &tee.kind {
///         eprintln!("{} is not attested: {}", tee.model, failures.join("; "));
///     }
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeeError {
    /// What went wrong.
    pub kind: TeeErrorKind,
    /// The model the call was for.
    pub model: String,
}

impl TeeError {
    /// An [`Error::Tee`] of `kind` for `model`.
    #[cfg(feature = "tee")]
    pub(crate) fn error(kind: TeeErrorKind, model: &str) -> Error {
        Error::Tee(Box::new(TeeError {
            kind,
            model: model.to_owned(),
        }))
    }
}

impl fmt::Display for TeeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "private chat with {}: ", Shown(&self.model))?;
        match &self.kind {
            TeeErrorKind::AttestationFailed { failures } => write!(
                f,
                "the enclave's attestation did not pass ({}); do not send it private data: try again later or pick another e2ee model",
                Shown(&failures.join("; "))
            ),
            TeeErrorKind::NotE2ee => f.write_str(
                "the model does not offer end-to-end encryption (no supportsE2EE in /models); pick one from client.models().with_capability(Capability::E2ee)",
            ),
            TeeErrorKind::UnsupportedContent { message } => write!(
                f,
                "messages[{message}] is not plain text, and only text content can be encrypted; send text only"
            ),
            TeeErrorKind::Decrypt { choice } => write!(
                f,
                "a streamed delta of choice {choice} did not decrypt with this session's key (altered, or encrypted to another key); the stream was ended, open a new session"
            ),
            TeeErrorKind::NotEncrypted { choice } => write!(
                f,
                "a streamed delta of choice {choice} was not encrypted where ciphertext was expected; the stream was ended and nothing of it was shown"
            ),
            TeeErrorKind::Random => f.write_str(
                "the operating system's random source failed, so no key or nonce could be made; try again",
            ),
        }
    }
}

impl std::error::Error for TeeError {}

/// What kind of API error this is, from the status and Venice's message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// 400 / 422: the request is invalid.
    BadRequest,
    /// 401: the API key is missing, wrong or revoked.
    Unauthorized,
    /// 402 (or a 429 saying so): no balance left or the spend limit is reached.
    /// Retrying does not help.
    InsufficientBalance,
    /// 403: the key may not do this.
    Forbidden,
    /// 404: no such resource or model.
    NotFound,
    /// 413: the request is too large.
    PayloadTooLarge,
    /// 415: wrong content type.
    UnsupportedMediaType,
    /// 429: too many requests for this key.
    RateLimited,
    /// 429/503 saying the model is overloaded or at capacity.
    ModelOverloaded,
    /// 503: the model or service is offline.
    Unavailable,
    /// 504 or 408: the server gave up waiting.
    Timeout,
    /// Another 5xx.
    ServerError,
    /// 409 `needs_consent`: the video model needs the user's consent to its
    /// face-media policy before the job can be queued; nothing was queued or
    /// charged. Show [`ApiError::consent`]'s policy to the user and, only if
    /// they accept, queue again with
    /// [`ConsentRequired::apply_to`]. Retrying as is does not help.
    ///
    /// ```
    /// # fn check(e: &venice_sdk::ApiError) {
    /// if e.kind == venice_sdk::ApiErrorKind::ConsentRequired {
    ///     let consent = e.consent().unwrap_or_default();
    ///     println!("{}", consent.policy_text.as_deref().unwrap_or(""));
    /// }
    /// # }
    /// ```
    ConsentRequired,
    /// 422 `provider_content_policy`: the model's provider refused the
    /// request for its content policy; the credits are refunded
    /// ([`ApiError::content_policy`] says so, and which model to use instead).
    /// Queue it again on the recommended model or with another prompt.
    ///
    /// ```
    /// # fn check(e: &venice_sdk::ApiError) {
    /// if e.kind == venice_sdk::ApiErrorKind::ContentPolicy {
    ///     let model = e.content_policy().and_then(|r| r.recommended_model);
    ///     println!("try {model:?}");
    /// }
    /// # }
    /// ```
    ContentPolicy,
    /// 410: the endpoint is gone. Move to its successor
    /// ([`ApiError::endpoint_deprecation`]: the `Link` header's
    /// `successor-version`). Retrying does not help.
    ///
    /// ```
    /// # fn check(e: &venice_sdk::ApiError) {
    /// if e.kind == venice_sdk::ApiErrorKind::Gone {
    ///     println!("move to {:?}", e.endpoint_deprecation().and_then(|d| d.successor.as_deref()));
    /// }
    /// # }
    /// ```
    Gone,
    /// Any other status.
    Other,
}

/// An error status from the API, with Venice's error body in whichever shape it came.
///
/// The client's API key is replaced by `<redacted>` wherever the server echoed
/// it: message, code, details, body and headers (so the parsed metadata too).
/// `Display` shows the message, code and request id escaped and capped (see
/// [`MAX_DISPLAYED_TEXT`]); the fields keep the whole text.
#[derive(Clone, Debug)]
pub struct ApiError {
    /// The operation that failed (`createChatCompletion`).
    pub operation: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// Venice's message (`error`, `error.message` or `message`), or a summary of a
    /// body that was not JSON.
    pub message: String,
    /// Venice's error code, when it sent one.
    pub code: Option<String>,
    /// Validation details (`details` or `issues`), when sent.
    pub details: Option<Value>,
    /// The classification.
    pub kind: ApiErrorKind,
    /// The response metadata: request id, rate limits, balances, headers.
    pub meta: ResponseMeta,
    /// The body as received, lossily decoded and cut at 64 KiB.
    pub body: String,
    /// How many attempts were made.
    pub attempts: u32,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        if !self.message.is_empty() {
            write!(f, ": {}", Shown(&self.message))?;
        }
        if let Some(code) = &self.code {
            write!(f, " [{}]", Shown(code))?;
        }
        match &self.meta.request_id {
            Some(id) => write!(f, " (request id {}", Shown(id))?,
            None => write!(f, " ({}", self.operation)?,
        }
        if self.attempts > 1 {
            write!(f, ", after {} attempts", self.attempts)?;
        }
        f.write_str(")")
    }
}

/// The details of the refusals that ask something of the user.
impl ApiError {
    /// The error body as JSON, when it was JSON and kept whole.
    fn body_json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// What to consent to, when this is [`ApiErrorKind::ConsentRequired`]
    /// (`409 needs_consent` from `POST /video/queue`): the consent flow, the
    /// policy text to show the user, the media with faces. Fields the body
    /// lacks are `None` (or empty).
    ///
    /// What to do: show the policy to the user and, only if they accept it,
    /// put their [`ConsentAcceptance`] on the request with
    /// [`ConsentRequired::apply_to`] and queue it again.
    ///
    /// ```
    /// # fn check(e: &venice_sdk::ApiError) {
    /// if let Some(consent) = e.consent() {
    ///     println!("{}", consent.policy_text.as_deref().unwrap_or("(no policy text)"));
    /// }
    /// # }
    /// ```
    pub fn consent(&self) -> Option<ConsentRequired> {
        (self.kind == ApiErrorKind::ConsentRequired).then(|| {
            self.body_json()
                .and_then(|body| ConsentRequired::from_body(&body))
                .unwrap_or_default()
        })
    }

    /// The provider's refusal, when this is [`ApiErrorKind::ContentPolicy`]
    /// (`422 provider_content_policy` from `POST /video/retrieve`): whether
    /// the credits were refunded, and a model that may accept the request.
    ///
    /// What to do: queue the request again on the recommended model (or
    /// with another prompt); the same request on the same model is refused
    /// again.
    ///
    /// ```
    /// # fn check(e: &venice_sdk::ApiError) {
    /// if let Some(refusal) = e.content_policy() {
    ///     println!("refunded: {:?}, try {:?}", refusal.credits_refunded, refusal.recommended_model);
    /// }
    /// # }
    /// ```
    pub fn content_policy(&self) -> Option<ContentPolicyRefusal> {
        (self.kind == ApiErrorKind::ContentPolicy).then(|| {
            self.body_json()
                .and_then(|body| ContentPolicyRefusal::from_body(&body))
                .unwrap_or_default()
        })
    }

    /// The endpoint's deprecation notice, when the answer carried one
    /// (always worth a look on [`ApiErrorKind::Gone`]): when it was
    /// deprecated, and its successor to move to. The same as
    /// `meta.endpoint_deprecation`.
    ///
    /// ```
    /// # fn check(e: &venice_sdk::ApiError) {
    /// if e.kind == venice_sdk::ApiErrorKind::Gone {
    ///     let successor = e.endpoint_deprecation().and_then(|d| d.successor.as_deref());
    ///     println!("gone; use {}", successor.unwrap_or("(no successor named)"));
    /// }
    /// # }
    /// ```
    pub fn endpoint_deprecation(&self) -> Option<&EndpointDeprecation> {
        self.meta.endpoint_deprecation.as_deref()
    }
}

/// A success response whose body could not be decoded.
///
/// The client's API key is replaced by `<redacted>` in every field; `Display`
/// shows the server's text escaped and capped (see [`MAX_DISPLAYED_TEXT`]).
#[derive(Clone, Debug)]
pub struct DecodeError {
    /// The operation.
    pub operation: &'static str,
    /// The response status.
    pub status: StatusCode,
    /// The response `Content-Type`, if any.
    pub content_type: Option<String>,
    /// What is wrong, from the decoder.
    pub message: String,
    /// The start of the body (at most 64 KiB, lossily decoded), unless the
    /// operation returns a credential, in which case it is never kept.
    pub excerpt: Option<String>,
    /// The request id, if the response had one.
    pub request_id: Option<String>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: could not decode the {} response",
            self.operation, self.status
        )?;
        if let Some(ct) = &self.content_type {
            write!(f, " ({})", Shown(ct))?;
        }
        write!(f, ": {}", Shown(&self.message))?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {})", Shown(id))?;
        }
        Ok(())
    }
}

/// What went wrong inside a stream.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamErrorKind {
    /// The body ended before `data: [DONE]` and before the answer's last event
    /// (a chat chunk with a finish reason; a Responses `response.completed` or
    /// `response.incomplete`).
    Truncated,
    /// One event was larger than the limit; it was skipped.
    EventTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// One event was not valid UTF-8; it was skipped.
    InvalidUtf8,
    /// One event was not a JSON chunk; it was skipped.
    InvalidJson {
        /// What the decoder said.
        message: String,
    },
    /// The server sent an error event; the stream ends.
    Server {
        /// The message.
        message: String,
        /// The code, when sent.
        code: Option<String>,
    },
}

impl fmt::Display for StreamErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamErrorKind::Truncated => {
                f.write_str("the stream ended before [DONE] and before its last event (a finished choice, response.completed)")
            }
            StreamErrorKind::EventTooLarge { limit } => write!(
                f,
                "an event larger than the {limit}-byte limit was skipped (raise it with ClientBuilder::max_event_size)"
            ),
            StreamErrorKind::InvalidUtf8 => {
                f.write_str("an event was not valid UTF-8 and was skipped")
            }
            StreamErrorKind::InvalidJson { message } => {
                write!(
                    f,
                    "an event was not a valid chunk and was skipped: {}",
                    Shown(message)
                )
            }
            StreamErrorKind::Server { message, code } => {
                write!(
                    f,
                    "the server reported an error mid-stream: {}",
                    Shown(message)
                )?;
                if let Some(code) = code {
                    write!(f, " [{}]", Shown(code))?;
                }
                Ok(())
            }
        }
    }
}

/// A problem in the middle of a stream.
///
/// The client's API key is replaced by `<redacted>` in the server's text;
/// `Display` shows that text escaped and capped (see
/// [`MAX_DISPLAYED_TEXT`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamError {
    /// The operation.
    pub operation: &'static str,
    /// What went wrong.
    pub kind: StreamErrorKind,
    /// The request id of the response, if any.
    pub request_id: Option<String>,
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.operation, self.kind)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {})", Shown(id))?;
        }
        Ok(())
    }
}

impl DecodeError {
    /// The error of a success response of `operation` whose body is not what the
    /// operation returns: `message` says what is wrong; `body`, when given, is
    /// kept as an excerpt. Every field is scrubbed of the client's secrets.
    pub(crate) fn error(
        operation: &'static str,
        status: StatusCode,
        headers: &HeaderMap,
        message: String,
        body: Option<&[u8]>,
        redactor: &Redactor,
    ) -> Error {
        let header = |value: Option<&str>| value.map(|v| redactor.scrub_str(v).into_owned());
        Error::Decode(Box::new(DecodeError {
            operation,
            status,
            content_type: header(crate::headers::content_type(headers)),
            message: redactor.scrub(message),
            excerpt: body.map(|b| scrubbed_excerpt(b, redactor)),
            request_id: header(crate::headers::request_id(headers)),
        }))
    }

    /// The error of an answer whose media type is not the `expected` one
    /// (`"an image"`, `"a text/event-stream"`).
    pub(crate) fn unexpected_media(
        operation: &'static str,
        status: StatusCode,
        headers: &HeaderMap,
        expected: &str,
        body: Option<&[u8]>,
        redactor: &Redactor,
    ) -> Error {
        let got = crate::headers::content_type(headers).unwrap_or("no content type");
        let message = format!("expected {expected}, got {got}");
        DecodeError::error(operation, status, headers, message, body, redactor)
    }
}

impl Error {
    /// The HTTP status, when a response arrived.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # venice.fail_next(&venice_sdk::operations::LIST_MODELS, venice_testing::Answer::rate_limited(30));
    /// # let client = client.with_max_retries(0);
    /// let err = client.models().list(None).await.unwrap_err();
    /// assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    /// # Ok(()) }
    /// ```
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::BodyTooLarge { status, .. } => Some(*status),
            Error::Job(e) => e.source.as_ref().and_then(Error::status),
            _ => None,
        }
    }

    /// The request id (`CF-RAY`) to quote to Venice support, when a response arrived.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # venice.fail_next(&venice_sdk::operations::LIST_MODELS, venice_testing::Answer::rate_limited(30));
    /// # let client = client.with_max_retries(0);
    /// let err = client.models().list(None).await.unwrap_err();
    /// if let Some(id) = err.request_id() {
    ///     eprintln!("quote {id} to Venice support");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.meta.request_id.as_deref(),
            Error::Decode(e) => e.request_id.as_deref(),
            Error::BodyTooLarge { request_id, .. } => request_id.as_deref(),
            Error::Stream(e) => e.request_id.as_deref(),
            Error::Job(e) => e.source.as_ref().and_then(Error::request_id),
            _ => None,
        }
    }

    /// The API error, if this is one.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # venice.fail_next(&venice_sdk::operations::LIST_MODELS, venice_testing::Answer::rate_limited(30));
    /// # let client = client.with_max_retries(0);
    /// let err = client.models().list(None).await.unwrap_err();
    /// let api = err.api().expect("an answer from the API");
    /// println!("{} ({:?}): {}", api.status, api.kind, api.message);
    /// # Ok(()) }
    /// ```
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the same request may succeed if sent again: connection failures,
    /// timeouts, and 408, 409, 429, 500, 502, 503, 504 — but never an exhausted
    /// balance or spend limit, nor a consent the user has not given
    /// ([`ApiErrorKind::ConsentRequired`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # venice.fail_next(&venice_sdk::operations::LIST_MODELS, venice_testing::Answer::rate_limited(30));
    /// # let client = client.with_max_retries(0);
    /// let err = client.models().list(None).await.unwrap_err();
    /// assert!(err.is_retryable()); // 429: later, the same call may succeed
    /// # Ok(()) }
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.kind.retry_may_help() && is_retryable_status(e.status),
            Error::Connection { .. } | Error::Timeout { .. } => true,
            _ => false,
        }
    }

    /// Whether a time limit fired (see [`Error::Timeout`] for which).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # venice.fail_next(&venice_sdk::operations::LIST_MODELS, venice_testing::Answer::rate_limited(30));
    /// # let client = client.with_max_retries(0);
    /// let err = client.models().list(None).await.unwrap_err();
    /// assert!(!err.is_timeout()); // a refusal, not a time limit
    /// # Ok(()) }
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// The provider's content policy refusal, whether it came as an API error
    /// ([`ApiErrorKind::ContentPolicy`]) or ended a media job
    /// ([`JobErrorKind::ContentPolicy`]). See [`ContentPolicyRefusal`] for
    /// what to do.
    ///
    /// ```
    /// # fn check(e: &venice_sdk::Error) {
    /// if let Some(refusal) = e.content_policy() {
    ///     println!("try {:?}", refusal.recommended_model);
    /// }
    /// # }
    /// ```
    pub fn content_policy(&self) -> Option<ContentPolicyRefusal> {
        match self {
            Error::Api(e) => e.content_policy(),
            Error::Job(e) => match &e.kind {
                JobErrorKind::ContentPolicy(refusal) => Some(refusal.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    /// Why a media job did not end with its media, if this is a job error.
    ///
    /// ```no_run
    /// # async fn run(client: venice_sdk::Client, request: venice_sdk::types::QueueVideoRequest) -> Result<(), venice_sdk::Error> {
    /// let job = client.video().generate(request).await?;
    /// match job.wait().await {
    ///     Ok(mut media) => { media.save("clip.mp4").await?; }
    ///     Err(e) => match e.job() {
    ///         Some(job_error) => eprintln!("the job failed: {:?}", job_error.kind),
    ///         None => return Err(e),
    ///     },
    /// }
    /// # Ok(()) }
    /// ```
    pub fn job(&self) -> Option<&JobError> {
        match self {
            Error::Job(e) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidRequest {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl ApiErrorKind {
    /// Whether sending the same request again may succeed, whatever the
    /// status: not when the balance is exhausted or consent is missing.
    pub(crate) fn retry_may_help(self) -> bool {
        !matches!(
            self,
            ApiErrorKind::InsufficientBalance | ApiErrorKind::ConsentRequired
        )
    }
}

/// The statuses worth a retry.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 409 | 429 | 500 | 502 | 503 | 504)
}

/// [`excerpt`] with the secrets of `redactor` scrubbed first, so none is cut in
/// two at the end of the excerpt and left half there.
pub(crate) fn scrubbed_excerpt(bytes: &[u8], redactor: &Redactor) -> String {
    let window = &bytes[..bytes.len().min(MAX_ERROR_BODY_EXCERPT + redactor.longest())];
    let text = redactor.scrub(String::from_utf8_lossy(window).into_owned());
    let mut text = excerpt(text.as_bytes());
    if bytes.len() > window.len() && !text.ends_with('…') {
        text.push('…');
    }
    text
}

/// Cuts `bytes` to at most [`MAX_ERROR_BODY_EXCERPT`] bytes of lossily decoded text.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(MAX_ERROR_BODY_EXCERPT)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if bytes.len() > MAX_ERROR_BODY_EXCERPT {
        text.push('…');
    }
    text
}

/// Venice's error body, read from whichever shape it came in.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ErrorBody {
    pub message: Option<String>,
    pub code: Option<String>,
    pub details: Option<Value>,
}

fn value_to_code(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl ErrorBody {
    /// Reads `{"error": "…"}`, `{"error": {"message": …, "code": …}}`,
    /// `{"message": …}`, with `code`, `details` or `issues` beside.
    pub(crate) fn from_json(v: &Value) -> ErrorBody {
        let mut out = ErrorBody::default();
        let Some(obj) = v.as_object() else {
            if let Value::String(s) = v {
                out.message = Some(s.clone());
            }
            return out;
        };
        match obj.get("error") {
            Some(Value::String(s)) => out.message = Some(s.clone()),
            Some(Value::Object(inner)) => {
                out.message = inner
                    .get("message")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                // A machine-readable `type` (`provider_content_policy`)
                // stands in for a missing code.
                out.code = inner
                    .get("code")
                    .and_then(value_to_code)
                    .or_else(|| inner.get("type").and_then(value_to_code));
                out.details = inner.get("details").cloned();
            }
            _ => {}
        }
        if out.message.is_none() {
            out.message = obj
                .get("message")
                .or_else(|| obj.get("detail"))
                .and_then(Value::as_str)
                .map(str::to_owned);
        }
        if out.code.is_none() {
            out.code = obj.get("code").and_then(value_to_code);
        }
        if out.details.is_none() {
            out.details = obj
                .get("details")
                .or_else(|| obj.get("issues"))
                .filter(|d| !d.is_null())
                .cloned();
        }
        out
    }

    /// Reads a raw body: JSON in any of the shapes above, an HTML page (its
    /// `<title>`), or plain text (its first line).
    pub(crate) fn from_bytes(bytes: &[u8]) -> ErrorBody {
        // Error bodies are read capped (64 KiB): a `Value` of one stays small.
        if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
            return ErrorBody::from_json(&v);
        }
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return ErrorBody::default();
        }
        let lower = trimmed.to_ascii_lowercase();
        if lower.starts_with('<') {
            let title = lower.find("<title>").and_then(|start| {
                let from = start + "<title>".len();
                lower[from..]
                    .find("</title>")
                    .map(|end| trimmed[from..from + end].trim().to_owned())
            });
            return ErrorBody {
                message: Some(match title {
                    Some(t) if !t.is_empty() => format!("non-JSON error page: {t}"),
                    _ => "non-JSON error page (HTML)".to_owned(),
                }),
                ..ErrorBody::default()
            };
        }
        let first_line: String = trimmed
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(300)
            .collect();
        ErrorBody {
            message: Some(first_line),
            ..ErrorBody::default()
        }
    }
}

/// Classifies an error status with Venice's message.
pub(crate) fn classify(status: StatusCode, message: &str, code: Option<&str>) -> ApiErrorKind {
    let text = format!("{} {}", message, code.unwrap_or("")).to_ascii_lowercase();
    let says_balance = text.contains("balance")
        || text.contains("spend limit")
        || text.contains("spending limit")
        || text.contains("insufficient");
    let says_capacity = text.contains("capacity") || text.contains("overload");
    if status.is_client_error()
        && let Some(code) = code
    {
        if code.eq_ignore_ascii_case(NEEDS_CONSENT) {
            return ApiErrorKind::ConsentRequired;
        }
        if code.eq_ignore_ascii_case(PROVIDER_CONTENT_POLICY) {
            return ApiErrorKind::ContentPolicy;
        }
    }
    match status.as_u16() {
        402 => ApiErrorKind::InsufficientBalance,
        429 if says_balance => ApiErrorKind::InsufficientBalance,
        429 if says_capacity => ApiErrorKind::ModelOverloaded,
        429 => ApiErrorKind::RateLimited,
        400 | 422 => ApiErrorKind::BadRequest,
        401 => ApiErrorKind::Unauthorized,
        403 => ApiErrorKind::Forbidden,
        404 => ApiErrorKind::NotFound,
        410 => ApiErrorKind::Gone,
        413 => ApiErrorKind::PayloadTooLarge,
        415 => ApiErrorKind::UnsupportedMediaType,
        503 if says_capacity => ApiErrorKind::ModelOverloaded,
        503 => ApiErrorKind::Unavailable,
        408 | 504 => ApiErrorKind::Timeout,
        500..=599 => ApiErrorKind::ServerError,
        _ => ApiErrorKind::Other,
    }
}

impl ApiError {
    /// Builds the error of an error response from its parts: the one place an
    /// `ApiError` is made, scrubbing the secrets of `redactor` from the body
    /// (before it is parsed or cut), from every field parsed from it, and from
    /// the headers (before the metadata is parsed from them).
    pub(crate) fn new(
        operation: &'static str,
        status: StatusCode,
        mut headers: HeaderMap,
        body: &[u8],
        attempts: u32,
        redactor: &Redactor,
    ) -> ApiError {
        let text = String::from_utf8_lossy(body);
        let scrubbed = redactor.scrub_str(&text);
        // A body that was not UTF-8 is parsed and kept as received, when clean.
        let body: &[u8] = match &scrubbed {
            std::borrow::Cow::Owned(clean) => clean.as_bytes(),
            std::borrow::Cow::Borrowed(_) => body,
        };
        let parsed = ErrorBody::from_bytes(body);
        let message = parsed
            .message
            .map(|m| redactor.scrub(m))
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned());
        let code = redactor.scrub_opt(parsed.code);
        let mut details = parsed.details;
        if let Some(details) = &mut details {
            redactor.scrub_value(details);
        }
        let kind = classify(status, &message, code.as_deref());
        redactor.scrub_headers(&mut headers);
        ApiError {
            operation,
            status,
            message,
            code,
            details,
            kind,
            meta: ResponseMeta::from_headers(status, headers),
            body: excerpt(body),
            attempts,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_venice_error_shape_is_read() {
        let cases = [
            (
                json!({"error": "Insufficient balance"}),
                Some("Insufficient balance"),
                None,
            ),
            (
                json!({"error": {"message": "at capacity", "code": "MODEL_AT_CAPACITY"}}),
                Some("at capacity"),
                Some("MODEL_AT_CAPACITY"),
            ),
            (
                json!({"message": "nope", "code": 42}),
                Some("nope"),
                Some("42"),
            ),
            (
                json!({"error": "Invalid", "details": {"_errors": []}}),
                Some("Invalid"),
                None,
            ),
            (json!([1, 2]), None, None),
        ];
        for (body, message, code) in cases {
            let parsed = ErrorBody::from_json(&body);
            assert_eq!(parsed.message.as_deref(), message, "{body}");
            assert_eq!(parsed.code.as_deref(), code, "{body}");
        }
        let with_issues =
            ErrorBody::from_json(&json!({"error": "bad", "issues": [{"path": ["x"]}]}));
        assert_eq!(with_issues.details, Some(json!([{"path": ["x"]}])));
    }

    #[test]
    fn html_and_text_bodies_are_summarized() {
        let html =
            ErrorBody::from_bytes(b"<html><head><title>502 Bad Gateway</title></head></html>");
        assert_eq!(
            html.message.as_deref(),
            Some("non-JSON error page: 502 Bad Gateway")
        );
        let text = ErrorBody::from_bytes(b"upstream connect error\nmore");
        assert_eq!(text.message.as_deref(), Some("upstream connect error"));
        assert_eq!(ErrorBody::from_bytes(b"  "), ErrorBody::default());
        assert_eq!(
            ErrorBody::from_bytes(b"{\"error\": \"trunc"),
            ErrorBody {
                message: Some("{\"error\": \"trunc".into()),
                ..ErrorBody::default()
            }
        );
    }

    #[test]
    fn classification_separates_balance_rate_limit_and_capacity() {
        let s = |n| StatusCode::from_u16(n).unwrap();
        assert_eq!(
            classify(s(402), "x", None),
            ApiErrorKind::InsufficientBalance
        );
        assert_eq!(
            classify(s(429), "Spend limit reached", None),
            ApiErrorKind::InsufficientBalance
        );
        assert_eq!(
            classify(s(429), "Rate limit exceeded", None),
            ApiErrorKind::RateLimited
        );
        assert_eq!(
            classify(s(429), "Model overloaded", None),
            ApiErrorKind::ModelOverloaded
        );
        assert_eq!(
            classify(
                s(503),
                "The model is at capacity. Please try again later.",
                None
            ),
            ApiErrorKind::ModelOverloaded
        );
        assert_eq!(classify(s(503), "offline", None), ApiErrorKind::Unavailable);
        assert_eq!(classify(s(504), "", None), ApiErrorKind::Timeout);
    }

    #[test]
    fn consent_content_policy_and_gone_are_their_own_kinds() {
        let error = |status: u16, body: Value| {
            ApiError::new(
                "op",
                StatusCode::from_u16(status).unwrap(),
                HeaderMap::new(),
                body.to_string().as_bytes(),
                1,
                &Redactor::default(),
            )
        };
        let consent = error(
            409,
            json!({"error": {"code": "needs_consent", "message": "consent first"}}),
        );
        assert_eq!(consent.kind, ApiErrorKind::ConsentRequired);
        assert!(consent.consent().is_some() && consent.content_policy().is_none());
        assert!(!Error::Api(Box::new(consent)).is_retryable());
        // A plain 409 stays retryable.
        let conflict = error(409, json!({"error": "busy"}));
        assert_eq!(conflict.kind, ApiErrorKind::Other);
        assert!(Error::Api(Box::new(conflict)).is_retryable());
        let refused = error(
            422,
            json!({"error": {"message": "no", "type": "provider_content_policy", "credits_refunded": true}}),
        );
        assert_eq!(refused.kind, ApiErrorKind::ContentPolicy);
        assert_eq!(refused.code.as_deref(), Some("provider_content_policy"));
        assert_eq!(
            refused.content_policy().unwrap().credits_refunded,
            Some(true)
        );
        assert!(refused.consent().is_none());
        assert_eq!(
            error(410, json!({"error": "gone"})).kind,
            ApiErrorKind::Gone
        );
        // The codes count on client errors only.
        let server = error(500, json!({"error": {"code": "needs_consent"}}));
        assert_eq!(server.kind, ApiErrorKind::ServerError);
        assert!(server.consent().is_none());
        // A consent refusal whose body was cut still says consent is needed.
        let mut cut = error(409, json!({"error": {"code": "needs_consent"}}));
        cut.body.push('…');
        assert_eq!(cut.consent(), Some(ConsentRequired::default()));
    }

    #[test]
    fn display_is_one_actionable_line() {
        let mut headers = HeaderMap::new();
        headers.insert("cf-ray", "8f1e2d3c4b5a-SJC".parse().unwrap());
        let e = Error::Api(Box::new(ApiError::new(
            "createChatCompletion",
            StatusCode::PAYMENT_REQUIRED,
            headers,
            br#"{"error": "Insufficient USD or VCU balance"}"#,
            1,
            &Redactor::default(),
        )));
        assert_eq!(
            e.to_string(),
            "402 Payment Required: Insufficient USD or VCU balance (request id 8f1e2d3c4b5a-SJC)"
        );
        assert!(!e.is_retryable());
        assert_eq!(e.request_id(), Some("8f1e2d3c4b5a-SJC"));
        assert!(!e.to_string().contains('\n'));
    }

    #[test]
    fn shown_text_is_one_capped_line() {
        let shown = |s: &str| Shown(s).to_string();
        assert_eq!(shown("plain text"), "plain text");
        assert_eq!(
            shown("a\nb\rc\td\u{1b}[31me\u{2028}f\u{2029}g\u{0}h\u{7f}i\u{85}j\u{202e}k"),
            "a\\nb\\rc\\td\\u{1b}[31me\\u{2028}f\\u{2029}g\\u{0}h\\u{7f}i\\u{85}j\\u{202e}k"
        );
        assert_eq!(shown("é ✓ 日本"), "é ✓ 日本");
        let long = shown(&"x".repeat(10_000));
        assert_eq!(long.chars().count(), MAX_DISPLAYED_TEXT + 1);
        assert!(long.ends_with('…'));
        let escapes = shown(&"\u{1b}".repeat(10_000));
        assert!(escapes.chars().count() <= MAX_DISPLAYED_TEXT + 1);
        assert!(!escapes.chars().any(is_escaped));
        assert_eq!(
            shown(&"y".repeat(MAX_DISPLAYED_TEXT)).chars().count(),
            MAX_DISPLAYED_TEXT
        );
    }

    #[test]
    fn api_errors_scrub_the_key_from_every_field_and_header() {
        const KEY: &str = "vk-unit-KEY-0123456789";
        let redactor = Redactor::new([&crate::Secret::new(KEY)]);
        let mut headers = HeaderMap::new();
        headers.insert("cf-ray", format!("ray-{KEY}").parse().unwrap());
        headers.insert("x-venice-model-deprecation-warning", KEY.parse().unwrap());
        headers.insert("www-authenticate", format!("Bearer {KEY}").parse().unwrap());
        let body = serde_json::json!({
            "error": {"message": format!("bad key {KEY}"), "code": KEY,
                      "details": {"key": [KEY, {"nested": format!("={KEY}=")}]}},
        })
        .to_string();
        let e = ApiError::new(
            "listModels",
            StatusCode::UNAUTHORIZED,
            headers,
            body.as_bytes(),
            1,
            &redactor,
        );
        let text = format!("{e} {e:?}");
        assert!(!text.contains(KEY), "{text}");
        assert_eq!(e.message, "bad key <redacted>");
        assert_eq!(e.code.as_deref(), Some("<redacted>"));
        assert_eq!(e.meta.request_id.as_deref(), Some("ray-<redacted>"));
        assert_eq!(e.kind, ApiErrorKind::Unauthorized);
        // A key cut by the excerpt's end is not left half there.
        let mut big = vec![b'a'; MAX_ERROR_BODY_EXCERPT - 5];
        big.extend_from_slice(KEY.as_bytes());
        big.extend_from_slice(&[b'b'; 100]);
        let cut = scrubbed_excerpt(&big, &redactor);
        assert!(!cut.contains(&KEY[..5]), "{}", &cut[cut.len() - 20..]);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn excerpts_are_capped() {
        let big = vec![b'a'; MAX_ERROR_BODY_EXCERPT * 3];
        let e = excerpt(&big);
        assert!(e.len() <= MAX_ERROR_BODY_EXCERPT + 4);
    }
}
