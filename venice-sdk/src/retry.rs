//! When to send a request again, how long to wait first, and how many retries the
//! whole client may spend.
//!
//! # The retry policy
//!
//! A request that may have reached the server is not sent again if sending it
//! twice could charge twice or create something twice. Whether a failure is
//! retried depends on the kind of operation and on what went wrong:
//!
//! | what happened | `GET`/`PUT`/`DELETE`/…, or an operation that takes an `Idempotency-Key` | `POST`/`PATCH` (chat, images, upscale, …) | creates a credential (`POST /api_keys`, web3 key) or pays (`x402().top_up`) |
//! |---|---|---|---|
//! | connection refused / connect failed or timed out (nothing sent) | retried | retried | retried |
//! | connection broke after the request was written, before an answer | retried | **not retried** | **not retried** |
//! | request timeout (the server may be working on it) | not retried | not retried | not retried |
//! | 408, 429 (rate limit or capacity), 503 saying the model is at capacity | retried | retried | **not retried** |
//! | 409, 500, 502, 503 (other), 504 | retried | **not retried** | **not retried** |
//! | 402, or 429 saying the balance or spend limit is exhausted | never | never | never |
//! | other 4xx | not retried | not retried | not retried |
//! | `x-should-retry: true` / `false` from the server | overrides the status | overrides the status | ignored (not retried) |
//!
//! Each retry waits for the server's `retry-after-ms` / `retry-after` when it
//! sends one (a wait longer than the cap — including values too large for any
//! clock — is not retried: the error is returned at once), else
//! `min(initial · 2^n, max)` less up to 25 % jitter. Retries carry an
//! `x-retry-count` header with their number (1, 2, …). An operation whose spec
//! declares an `Idempotency-Key` header gets one generated key per call, sent
//! unchanged by every attempt, so the server can recognise a repeat.
//!
//! All clones of a client share a retry budget: in any period, the retries
//! spent are at most 10 plus 10 % of the requests started in that period.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use venice_operation::Method;

use crate::error::{ApiErrorKind, ErrorBody, classify, is_retryable_status};
use crate::headers;

use crate::defaults::{
    DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_MAX_RETRIES, DEFAULT_RETRY_AFTER_CAP,
};

/// How a client retries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct RetryPolicy {
    pub max_retries: u32,
    pub retry_after_cap: Duration,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: DEFAULT_MAX_RETRIES,
            retry_after_cap: DEFAULT_RETRY_AFTER_CAP,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
        }
    }
}

/// How safe it is to send an operation's request a second time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Replay {
    /// Sending it twice has the effect of sending it once (`GET`, `HEAD`, `PUT`,
    /// `DELETE`, `OPTIONS`, `TRACE`): every transient failure is retried.
    Idempotent,
    /// It may charge or create something (`POST`, `PATCH`): retried only when the
    /// request never left, or the server says it refused it (408, 429, 503 at
    /// capacity).
    Unsafe,
    /// It creates a credential that would be lost if made twice, or carries a
    /// signed payment (an x402 top-up): retried only when the request never
    /// left, whatever the server answers.
    Never,
}

impl Replay {
    /// The class of an operation: from its method, whether it returns a secret,
    /// and whether it takes an `Idempotency-Key` (then the server recognises a
    /// repeat, so it is retried like an idempotent method).
    pub fn classify(method: Method, returns_secret: bool, idempotency_key: bool) -> Replay {
        if returns_secret {
            Replay::Never
        } else if idempotency_key {
            Replay::Idempotent
        } else {
            match method {
                Method::Get
                | Method::Head
                | Method::Put
                | Method::Delete
                | Method::Options
                | Method::Trace => Replay::Idempotent,
                Method::Post | Method::Patch => Replay::Unsafe,
            }
        }
    }

    /// Whether a transport failure that happened after the connection was made
    /// (the request may have been written) may be retried.
    pub fn after_send(self) -> bool {
        self == Replay::Idempotent
    }
}

/// What to do after an error response.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Decision {
    /// Send again after this delay.
    Retry(Duration),
    /// Return the error.
    Stop(StopReason),
}

/// Why an error response is not retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StopReason {
    /// The status (or Venice's message) says a retry cannot help.
    NotRetryable,
    /// The server asked for a longer wait than the cap.
    RetryAfterTooLong,
}

/// Decides on an error response: an operation that creates a credential (or a
/// call that carries a payment) is never retried once sent; otherwise `x-should-retry` first, then the status (an
/// exhausted balance or spend limit is never retried; a non-idempotent operation
/// only when the server refused it), then the delay from `retry-after-ms` /
/// `retry-after` (capped) or exponential backoff with jitter.
pub(crate) fn decide(
    policy: &RetryPolicy,
    replay: Replay,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    retry: u32,
) -> Decision {
    if replay == Replay::Never {
        return Decision::Stop(StopReason::NotRetryable);
    }
    let forced = headers::text(headers, &headers::SHOULD_RETRY).map(str::to_ascii_lowercase);
    let retryable = match forced.as_deref() {
        Some("true") => true,
        Some("false") => false,
        _ => {
            is_retryable_status(status) && {
                let parsed = ErrorBody::from_bytes(body);
                let kind = classify(
                    status,
                    parsed.message.as_deref().unwrap_or(""),
                    parsed.code.as_deref(),
                );
                kind.retry_may_help() && (replay == Replay::Idempotent || refused(status, kind))
            }
        }
    };
    if !retryable {
        return Decision::Stop(StopReason::NotRetryable);
    }
    match retry_after(headers, SystemTime::now()) {
        Some(wait) if wait > policy.retry_after_cap => {
            Decision::Stop(StopReason::RetryAfterTooLong)
        }
        Some(wait) => Decision::Retry(wait),
        None => Decision::Retry(backoff(policy, retry)),
    }
}

/// Whether an error status says the server did not process the request, so that
/// sending a non-idempotent request again cannot do it twice.
fn refused(status: StatusCode, kind: ApiErrorKind) -> bool {
    match status.as_u16() {
        408 | 429 => true,
        503 => kind == ApiErrorKind::ModelOverloaded,
        _ => false,
    }
}

/// The delay a response asks for: `retry-after-ms` (milliseconds), else
/// `retry-after` (seconds, fractional seconds, or an HTTP date). Invalid or
/// negative values count as absent; a finite value too large for a `Duration`
/// (`1e20`) is [`Duration::MAX`], which no cap allows.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let seconds = |s: &str, per_second: f64| {
        s.parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n >= 0.0)
            .map(|n| Duration::try_from_secs_f64(n / per_second).unwrap_or(Duration::MAX))
    };
    if let Some(ms) =
        headers::text(headers, &headers::RETRY_AFTER_MS).and_then(|s| seconds(s, 1000.0))
    {
        return Some(ms);
    }
    let value = headers::text(headers, &headers::RETRY_AFTER)?;
    if let Some(d) = seconds(value, 1.0) {
        return Some(d);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or_default())
}

/// `min(initial · 2^retry, max)`, less up to 25 % jitter.
pub(crate) fn backoff(policy: &RetryPolicy, retry: u32) -> Duration {
    let exp = policy
        .initial_backoff
        .saturating_mul(2u32.saturating_pow(retry.min(30)));
    let capped = exp.min(policy.max_backoff);
    // Checked: `mul_f64` panics when a huge configured backoff rounds past `MAX`.
    Duration::try_from_secs_f64(capped.as_secs_f64() * (1.0 - 0.25 * fastrand::f64()))
        .unwrap_or(capped)
}

/// A client-wide allowance of retries, shared by clones of a client: each request
/// adds a tenth of a token ([`RetryBudget::RATIO_TENTHS`]), each retry spends one, and the tokens
/// never exceed [`RetryBudget::CEILING`], which equals [`RetryBudget::INITIAL`].
///
/// So in *any* period of time, however long the client was healthy before it and
/// however many calls are in flight, the retries spent are at most
/// `INITIAL + 10 % × requests started in that period` (the tokens held at its
/// start are at most `CEILING`). That keeps a failing key from hammering the API
/// (Venice locks a key after 20 failed requests in 30 seconds).
#[derive(Debug)]
pub(crate) struct RetryBudget {
    /// Tokens in tenths, so that deposits add up exactly.
    tenths: Mutex<u32>,
}

impl RetryBudget {
    /// Tokens available to a new client.
    pub const INITIAL: u32 = crate::defaults::RETRY_BUDGET_INITIAL;
    /// Tokens each request earns, in tenths of a token.
    pub const RATIO_TENTHS: u32 = crate::defaults::RETRY_BUDGET_PERCENT / 10;
    /// Most tokens ever held: a long healthy period does not pile up retries
    /// for a later failing burst.
    pub const CEILING: u32 = Self::INITIAL;

    pub fn new() -> Self {
        RetryBudget {
            tenths: Mutex::new(Self::INITIAL * 10),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut u32) -> R) -> R {
        let mut guard = self.tenths.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// Records a new request.
    pub fn deposit(&self) {
        self.with(|t| *t = t.saturating_add(Self::RATIO_TENTHS).min(Self::CEILING * 10));
    }

    /// Takes a token for a retry; `false` when the budget is spent.
    pub fn withdraw(&self) -> bool {
        self.with(|t| {
            if *t >= 10 {
                *t -= 10;
                true
            } else {
                false
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    use crate::headers::from_pairs as headers;

    /// Every header the SDK reads, from responses of any status.
    const READ_HEADERS: &[&str] = &[
        "cf-ray",
        "x-request-id",
        "x-ratelimit-limit-requests",
        "x-ratelimit-remaining-requests",
        "x-ratelimit-reset-requests",
        "x-ratelimit-limit-tokens",
        "x-ratelimit-remaining-tokens",
        "x-ratelimit-reset-tokens",
        "x-venice-balance-usd",
        "x-venice-balance-vcu",
        "x-venice-balance-diem",
        "x-venice-model-deprecation-warning",
        "x-venice-model-deprecation-date",
        "x-venice-is-blurred",
        "x-venice-is-content-violation",
        "retry-after",
        "retry-after-ms",
        "x-should-retry",
        "content-type",
    ];

    mod hostile {
        use proptest::prelude::*;

        use std::time::SystemTime;

        use reqwest::StatusCode;

        use super::*;
        use crate::meta::ResponseMeta;
        use crate::retry::{self, Replay, RetryPolicy};

        /// Values a hostile or broken server may send: huge, negative, fractional,
        /// exponent, not a number, non-ASCII (obs-text bytes), empty.
        fn value() -> impl Strategy<Value = Vec<u8>> {
            prop_oneof![
                prop::sample::select(vec![
                    "1e23",
                    "-1e23",
                    "1e20",
                    "1e308",
                    "1.8e308",
                    "-0",
                    "0",
                    "0.0000001",
                    "NaN",
                    "inf",
                    "-inf",
                    "18446744073709551616",
                    "9223372036854775807",
                    "99999999999999999999999999",
                    "1e-400",
                    "0x10",
                    "1_000",
                    " 5 ",
                    "",
                    "Thu, 01 Jan 1970 00:00:00 GMT",
                    "Fri, 31 Dec 9999 23:59:59 GMT",
                ])
                .prop_map(|s| s.as_bytes().to_vec()),
                any::<f64>().prop_map(|f| f.to_string().into_bytes()),
                any::<i128>().prop_map(|n| n.to_string().into_bytes()),
                "-?[0-9]{1,40}(\\.[0-9]{0,20})?([eE][-+]?[0-9]{1,6})?".prop_map(String::into_bytes),
                // Non-ASCII text (digits of other scripts among it) as UTF-8 bytes.
                "[0-9٠-٩०-९é€\\u{2028} -~]{0,16}".prop_map(String::into_bytes),
                // Arbitrary visible bytes, obs-text included.
                prop::collection::vec(prop_oneof![0x20u8..0x7f, 0x80u8..=0xff], 0..24),
            ]
        }

        fn headers() -> impl Strategy<Value = HeaderMap> {
            prop::collection::vec(value(), READ_HEADERS.len()).prop_map(|values| {
                let mut map = HeaderMap::new();
                for (name, value) in READ_HEADERS.iter().zip(values) {
                    if let Ok(value) = reqwest::header::HeaderValue::from_bytes(&value) {
                        map.insert(*name, value);
                    }
                }
                map
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

            /// No header value panics the metadata parser or the retry decision,
            /// on success and error statuses alike.
            #[test]
            fn any_header_value_is_read_without_panic(
                headers in headers(),
                status in prop::sample::select(vec![200u16, 400, 408, 429, 500, 503]),
            ) {
                let status = StatusCode::from_u16(status).unwrap();
                let policy = RetryPolicy::default();
                for replay in [Replay::Idempotent, Replay::Unsafe, Replay::Never] {
                    let _ = retry::decide(&policy, replay, status, &headers, b"{}", 3);
                }
                let _ = retry::retry_after(&headers, SystemTime::now());
                let meta = ResponseMeta::from_headers(status, headers);
                let _ = (meta.rate_limits.requests.reset_in(), meta.rate_limits.tokens.reset_in());
            }
        }
    }

    #[test]
    fn retry_after_forms() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let ra = |pairs: &[(&str, &str)]| retry_after(&headers(pairs), now);
        assert_eq!(
            ra(&[("retry-after-ms", "100")]),
            Some(Duration::from_millis(100))
        );
        assert_eq!(
            ra(&[("retry-after-ms", "100"), ("retry-after", "9")]),
            Some(Duration::from_millis(100))
        );
        assert_eq!(ra(&[("retry-after", "1")]), Some(Duration::from_secs(1)));
        assert_eq!(
            ra(&[("retry-after", "0.5")]),
            Some(Duration::from_millis(500))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(3));
        assert_eq!(ra(&[("retry-after", &date)]), Some(Duration::from_secs(3)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(3));
        assert_eq!(ra(&[("retry-after", &past)]), Some(Duration::ZERO));
        assert_eq!(ra(&[("retry-after", "abc")]), None);
        assert_eq!(ra(&[("retry-after", "-1")]), None);
        assert_eq!(
            ra(&[("retry-after-ms", "NaN"), ("retry-after", "2")]),
            Some(Duration::from_secs(2))
        );
        assert_eq!(ra(&[("retry-after", "1e400")]), None);
        // Finite but beyond a Duration: a wait longer than any cap, not "absent".
        assert_eq!(ra(&[("retry-after", "1e20")]), Some(Duration::MAX));
        assert_eq!(ra(&[("retry-after-ms", "1e23")]), Some(Duration::MAX));
    }

    #[test]
    fn waits_beyond_any_duration_stop_retrying() {
        let p = RetryPolicy::default();
        let s = StatusCode::TOO_MANY_REQUESTS;
        for h in [("retry-after", "1e20"), ("retry-after-ms", "1e23")] {
            assert_eq!(
                decide(&p, Replay::Idempotent, s, &headers(&[h]), b"", 0),
                Decision::Stop(StopReason::RetryAfterTooLong),
                "{h:?}"
            );
        }
    }

    #[test]
    fn non_idempotent_operations_retry_only_refusals() {
        let p = RetryPolicy::default();
        let s = |n| StatusCode::from_u16(n).unwrap();
        let none = HeaderMap::new();
        let capacity = br#"{"error": "The model is at capacity"}"#;
        for (n, body) in [(408, &b""[..]), (429, b""), (503, capacity)] {
            assert!(
                matches!(
                    decide(&p, Replay::Unsafe, s(n), &none, body, 0),
                    Decision::Retry(_)
                ),
                "{n}"
            );
        }
        for n in [409, 500, 502, 503, 504] {
            assert_eq!(
                decide(&p, Replay::Unsafe, s(n), &none, b"", 0),
                Decision::Stop(StopReason::NotRetryable),
                "{n}"
            );
        }
        // A credential-creating call is never sent twice, whatever the server says.
        for n in [408, 429, 503] {
            assert_eq!(
                decide(
                    &p,
                    Replay::Never,
                    s(n),
                    &headers(&[("x-should-retry", "true")]),
                    capacity,
                    0
                ),
                Decision::Stop(StopReason::NotRetryable),
                "{n}"
            );
        }
        use venice_operation::Method;
        assert_eq!(
            Replay::classify(Method::Get, false, false),
            Replay::Idempotent
        );
        assert_eq!(
            Replay::classify(Method::Delete, false, false),
            Replay::Idempotent
        );
        assert_eq!(Replay::classify(Method::Post, false, false), Replay::Unsafe);
        assert_eq!(
            Replay::classify(Method::Patch, false, false),
            Replay::Unsafe
        );
        assert_eq!(
            Replay::classify(Method::Post, false, true),
            Replay::Idempotent
        );
        assert_eq!(Replay::classify(Method::Post, true, true), Replay::Never);
    }

    #[test]
    fn a_huge_backoff_does_not_panic() {
        let p = RetryPolicy {
            initial_backoff: Duration::MAX,
            max_backoff: Duration::MAX,
            ..RetryPolicy::default()
        };
        for retry in [0, 1, 40] {
            assert!(backoff(&p, retry) >= Duration::from_secs(1 << 60));
        }
    }

    #[test]
    fn decisions_follow_status_header_and_balance() {
        let p = RetryPolicy::default();
        let s = |n| StatusCode::from_u16(n).unwrap();
        let none = HeaderMap::new();
        for n in [408, 409, 429, 500, 502, 503, 504] {
            assert!(
                matches!(
                    decide(&p, Replay::Idempotent, s(n), &none, b"", 0),
                    Decision::Retry(_)
                ),
                "{n}"
            );
        }
        for n in [400, 401, 402, 403, 404, 413, 415, 422] {
            assert_eq!(
                decide(&p, Replay::Idempotent, s(n), &none, b"", 0),
                Decision::Stop(StopReason::NotRetryable),
                "{n}"
            );
        }
        assert_eq!(
            decide(
                &p,
                Replay::Idempotent,
                s(429),
                &none,
                br#"{"error": "Insufficient USD or VCU balance"}"#,
                0
            ),
            Decision::Stop(StopReason::NotRetryable)
        );
        // A 409 asking for consent does not change on a retry.
        assert_eq!(
            decide(
                &p,
                Replay::Idempotent,
                s(409),
                &none,
                br#"{"error": {"code": "needs_consent", "message": "consent"}}"#,
                0
            ),
            Decision::Stop(StopReason::NotRetryable)
        );
        for n in [410, 422] {
            assert_eq!(
                decide(&p, Replay::Idempotent, s(n), &none, b"", 0),
                Decision::Stop(StopReason::NotRetryable),
                "{n}"
            );
        }
        assert_eq!(
            decide(
                &p,
                Replay::Idempotent,
                s(503),
                &headers(&[("x-should-retry", "false")]),
                b"",
                0
            ),
            Decision::Stop(StopReason::NotRetryable)
        );
        assert!(matches!(
            decide(
                &p,
                Replay::Idempotent,
                s(400),
                &headers(&[("x-should-retry", "true")]),
                b"",
                0
            ),
            Decision::Retry(_)
        ));
        assert_eq!(
            decide(
                &p,
                Replay::Idempotent,
                s(429),
                &headers(&[("retry-after", "61")]),
                b"",
                0
            ),
            Decision::Stop(StopReason::RetryAfterTooLong)
        );
        assert_eq!(
            decide(
                &p,
                Replay::Idempotent,
                s(429),
                &headers(&[("retry-after", "60")]),
                b"",
                0
            ),
            Decision::Retry(Duration::from_secs(60))
        );
    }

    #[test]
    fn backoff_doubles_caps_and_jitters_down_by_at_most_a_quarter() {
        let p = RetryPolicy::default();
        for retry in 0..10 {
            let full = Duration::from_millis(500)
                .saturating_mul(1 << retry)
                .min(Duration::from_secs(8));
            for _ in 0..50 {
                let d = backoff(&p, retry);
                assert!(d <= full && d >= full.mul_f64(0.75), "{retry}: {d:?}");
            }
        }
    }

    #[test]
    fn the_budget_allows_initial_plus_a_fraction_of_requests() {
        let b = RetryBudget::new();
        // A failing burst of 100 requests: each deposits, then retries.
        let mut granted = 0;
        for _ in 0..100 {
            b.deposit();
            while b.withdraw() {
                granted += 1;
            }
        }
        // 10 initial + 100 × 0.1, less the first tenth (the budget was full).
        assert_eq!(granted, 19);
    }

    #[test]
    fn a_long_healthy_period_does_not_pile_up_retries() {
        let b = RetryBudget::new();
        for _ in 0..1000 {
            b.deposit();
        }
        let mut granted = 0;
        for _ in 0..50 {
            b.deposit();
            while b.withdraw() {
                granted += 1;
            }
        }
        // At most 10 + 10 % of the 50 requests of the burst.
        assert!(granted <= 15, "{granted}");
    }
}
