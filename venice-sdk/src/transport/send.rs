//! [`send`]: the one send function. Every request of every operation goes
//! through it: it opens the call's tracing span, makes the attempts (the retry
//! loop, its deadlines and its headers) and hands the last answer to the
//! [`Answer`] that reads it. The answer's reader returns what the caller
//! gets. The attempt loop is not generic: it is compiled once, whatever the
//! answer and its type.

use reqwest::header::{CONTENT_LOCATION, HeaderValue, LOCATION};
use tracing::Instrument as _;

use super::answer::{Answer, Exchange, Mode};
use super::body::{Buffered, read_body};
use super::bounded::within;
use super::failure::{map_reqwest, request_timeout};
use super::span::{CallSpan, millis};
use crate::config::Config;
use crate::credentials;
use crate::defaults::ERROR_BODY_READ_LIMIT;
use crate::operations::Operation;
use crate::retry::{self, Replay};
use crate::{Error, headers};

/// Where the attempts of a call get their request: a built request (cloned for
/// each attempt; sent once if its body cannot be cloned), or a first request and
/// a factory that builds the next ones anew (multipart uploads reopen their files;
/// nothing is copied unless a retry happens).
pub(crate) enum Source<'a> {
    #[cfg_attr(not(feature = "raw"), allow(dead_code))] // `Client::raw`'s path
    Built(Option<Box<reqwest::Request>>),
    Factory {
        first: Option<Box<reqwest::Request>>,
        build: Box<dyn Fn() -> Result<reqwest::Request, Error> + Send + Sync + 'a>,
        /// How safe a repeat is, when the call knows better than its operation's
        /// method (a job status read is a `POST` that changes nothing).
        replay: Option<Replay>,
    },
}

impl Source<'_> {
    /// A source that sends `request` (cloned for each attempt).
    #[cfg_attr(not(feature = "raw"), allow(dead_code))] // `Client::raw`'s path
    pub fn built(request: reqwest::Request) -> Source<'static> {
        Source::Built(Some(Box::new(request)))
    }

    /// The replay class the call sets instead of its operation's, if any.
    fn replay(&self) -> Option<Replay> {
        match self {
            Source::Built(_) => None,
            Source::Factory { replay, .. } => *replay,
        }
    }

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
            Source::Factory { first, build, .. } => match first.take() {
                Some(request) => Ok((*request, true)),
                None => Ok((build()?, true)),
            },
        }
    }
}

/// How safe it is to send `op` again (see [`Replay`]).
fn replay_of(op: &Operation) -> Replay {
    Replay::classify(op.method, op.returns_secret, op.idempotency_key)
}

/// A new idempotency key: 128 random bits in the UUID v4 layout.
fn idempotency_key() -> HeaderValue {
    let bits = fastrand::u128(..);
    let bits = (bits & !(0xF << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
    let hex = format!("{bits:032x}");
    let key = format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    );
    HeaderValue::from_str(&key).unwrap_or_else(|_| HeaderValue::from_static("venice-sdk"))
}

/// The last answer of the attempts.
enum Last {
    /// A success status; its body is unread.
    Success(reqwest::Response),
    /// An error status the attempts gave up on; its body read.
    Failure(Buffered),
}

/// Sends one call of `op` and returns what `answer` makes of its last
/// answer. Inside the call's tracing span (see [`CallSpan`]): the attempts
/// ([`attempts`]), then the answer's reader, which gets the success response
/// with its body unread, or the error answer the attempts gave up on with its
/// body read. The span records the answer's status, attempts and request id
/// when it is handed over, and the error if the call fails at any step,
/// reading and decoding included.
pub(crate) async fn send<A: Answer>(
    config: &Config,
    op: &'static Operation,
    source: Source<'_>,
    answer: A,
) -> Result<A::Output, Error> {
    let span = CallSpan::open(op);
    let read = async {
        let (last, exchange) = attempts(config, op, source, A::MODE, &span).await?;
        match last {
            Last::Success(response) => answer.success(&exchange, response).await,
            Last::Failure(buffered) => answer.failure(&exchange, buffered),
        }
    };
    let result = read.instrument(span.span.clone()).await;
    span.ended(result.as_ref().err());
    result
}

/// Sends the request, retrying what is worth retrying within the client's retry
/// budget, as the [retry policy](crate::retry) says: connection failures before
/// the request left, other transport failures only for idempotent operations, and
/// error statuses per [`retry::decide`]. Retries carry `x-retry-count`. Each
/// attempt is a tracing event. Returns the last answer, for [`send`] to hand
/// to its reader.
///
/// Every wait has a deadline: in [`Mode::Stream`] the request timeout covers the
/// response head *and* the reading of an error body (and the answer's reader
/// gets the same deadline for what it reads before handing the body over).
///
/// An answer from another origin than the request's (a custom HTTP client
/// followed a redirect) is [`Error::Redirected`], unread and not retried.
async fn attempts<'c>(
    config: &'c Config,
    op: &'static Operation,
    mut source: Source<'_>,
    mode: Mode,
    span: &CallSpan,
) -> Result<(Last, Exchange<'c>), Error> {
    let operation = op.id;
    let mut replay = source.replay().unwrap_or_else(|| replay_of(op));
    // One key for every attempt of the call, unless the caller set one.
    let idempotency_key = op.idempotency_key.then(idempotency_key);
    config.budget.deposit();
    let mut attempt: u32 = 0;
    loop {
        attempt = attempt.saturating_add(1);
        let (mut request, may_repeat) = source.next()?;
        let can_retry = may_repeat && attempt <= config.retry.max_retries;
        // A request carrying a payment (under the spec's header or a legacy
        // one, however it got there) is never sent again once it may have
        // reached the server.
        if replay != Replay::Never && credentials::carries_payment(request.headers()) {
            replay = Replay::Never;
        }
        let headers = request.headers_mut();
        if attempt > 1 {
            headers.insert(headers::RETRY_COUNT.clone(), HeaderValue::from(attempt - 1));
        }
        if let Some(key) = &idempotency_key
            && !headers.contains_key(&headers::IDEMPOTENCY_KEY)
        {
            headers.insert(headers::IDEMPOTENCY_KEY.clone(), key.clone());
        }
        tracing::debug!(attempt, "sending");
        // A client given by the user may follow redirects: the answer must
        // come from where the request was sent.
        let origin = request.url().origin();
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
        let reached = response.url().origin();
        if reached != origin {
            tracing::warn!(
                attempt,
                "the HTTP client followed a redirect to another origin; the answer is not read"
            );
            return Err(Error::Redirected {
                operation,
                to: config.redactor.scrub(reached.ascii_serialization()),
                attempts: attempt,
            });
        }
        let status = response.status();
        tracing::debug!(attempt, status = status.as_u16(), "response");
        let exchange = Exchange {
            config,
            op,
            attempt,
            // In `Mode::Whole` the request's own timeout covers the body.
            deadline: deadline.filter(|_| mode == Mode::Stream),
        };
        if status.is_success() {
            span.answered(
                status,
                attempt,
                headers::request_id(response.headers()),
                &config.redactor,
            );
            return Ok((Last::Success(response), exchange));
        }
        let limit = config.max_response_size.min(ERROR_BODY_READ_LIMIT);
        let read = read_body(config, operation, response, attempt, limit, true);
        let mut buffered = match mode {
            Mode::Whole => read.await?,
            Mode::Stream => within(deadline, read)
                .await
                .ok_or_else(|| request_timeout(config, operation, attempt))??,
        };
        if config.external {
            // Where a URL the API handed out sends the client is a credential
            // of its own: no error of such a call holds it.
            buffered.location = buffered.headers.remove(LOCATION).map(|mut location| {
                location.set_sensitive(true);
                location
            });
            buffered.headers.remove(CONTENT_LOCATION);
        }
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
        span.answered(
            status,
            attempt,
            headers::request_id(&buffered.headers),
            &config.redactor,
        );
        return Ok((Last::Failure(buffered), exchange));
    }
}

#[cfg(test)]
mod tests {
    use super::{Replay, idempotency_key, replay_of};
    use crate::operations;

    #[test]
    fn operations_are_classed_by_what_a_repeat_would_do() {
        assert_eq!(
            replay_of(&operations::CREATE_CHAT_COMPLETION),
            Replay::Unsafe
        );
        assert_eq!(replay_of(&operations::CREATE_API_KEY), Replay::Never);
        assert_eq!(
            replay_of(&operations::POST_API_KEY_GENERATE_WEB3_KEY),
            Replay::Never
        );
        assert_eq!(replay_of(&operations::CRYPTO_RPC_PROXY), Replay::Idempotent);
        assert_eq!(replay_of(&operations::LIST_MODELS), Replay::Idempotent);
        assert_eq!(replay_of(&operations::DELETE_API_KEY), Replay::Idempotent);
    }

    #[test]
    fn idempotency_keys_are_uuid_v4_and_differ() {
        let a = idempotency_key();
        let b = idempotency_key();
        assert_ne!(a, b);
        let text = a.to_str().unwrap();
        assert_eq!(text.len(), 36);
        let parts: Vec<&str> = text.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'), "{text}");
        assert!(
            matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'),
            "{text}"
        );
    }
}
