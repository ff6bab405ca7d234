//! When to send a request again, how long to wait first, and how many retries the
//! whole client may spend.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::error::{ApiErrorKind, ErrorBody, classify, is_retryable_status};

/// Retries of a call after the first attempt, unless configured otherwise.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// The longest `Retry-After` honoured; a server asking for more is not retried.
pub const DEFAULT_RETRY_AFTER_CAP: Duration = Duration::from_secs(60);
/// First backoff delay (doubled for each retry).
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(500);
/// Longest backoff delay.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(8);

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

/// Decides on an error response: `x-should-retry` first, then the status (an
/// exhausted balance or spend limit is never retried), then the delay from
/// `retry-after-ms` / `retry-after` (capped) or exponential backoff with jitter.
pub(crate) fn decide(
    policy: &RetryPolicy,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    retry: u32,
) -> Decision {
    let forced = headers
        .get("x-should-retry")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase());
    let retryable = match forced.as_deref() {
        Some("true") => true,
        Some("false") => false,
        _ => {
            is_retryable_status(status) && {
                let parsed = ErrorBody::from_bytes(body);
                classify(
                    status,
                    parsed.message.as_deref().unwrap_or(""),
                    parsed.code.as_deref(),
                ) != ApiErrorKind::InsufficientBalance
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

/// The delay a response asks for: `retry-after-ms` (milliseconds), else
/// `retry-after` (seconds, fractional seconds, or an HTTP date). Invalid or
/// negative values count as absent.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let seconds = |s: &str| {
        s.parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n >= 0.0)
            .and_then(|n| Duration::try_from_secs_f64(n).ok())
    };
    if let Some(ms) = text("retry-after-ms").and_then(|s| seconds(s).map(|d| d / 1000)) {
        return Some(ms);
    }
    let value = text("retry-after")?;
    if let Some(d) = seconds(value) {
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
    capped.mul_f64(1.0 - 0.25 * random_unit())
}

/// A number in [0, 1): randomness for jitter only.
fn random_unit() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// A client-wide allowance of retries, shared by clones of a client: each request
/// adds [`RetryBudget::RATIO`] of a token (up to a ceiling), each retry spends one.
/// So a burst of failing requests retries at most `INITIAL + RATIO × requests`
/// times, however many are in flight, which keeps a failing key from hammering the
/// API (Venice locks a key after 20 failed requests in 30 seconds).
#[derive(Debug)]
pub(crate) struct RetryBudget {
    tokens: Mutex<f64>,
}

impl RetryBudget {
    /// Tokens available to a new client.
    pub const INITIAL: f64 = 10.0;
    /// Tokens each request earns.
    pub const RATIO: f64 = 0.1;
    /// Most tokens ever held.
    pub const CEILING: f64 = 100.0;

    pub fn new() -> Self {
        RetryBudget {
            tokens: Mutex::new(Self::INITIAL),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut f64) -> R) -> R {
        let mut guard = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// Records a new request.
    pub fn deposit(&self) {
        self.with(|t| *t = (*t + Self::RATIO).min(Self::CEILING));
    }

    /// Takes a token for a retry; `false` when the budget is spent.
    pub fn withdraw(&self) -> bool {
        self.with(|t| {
            if *t >= 1.0 {
                *t -= 1.0;
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

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
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
    }

    #[test]
    fn decisions_follow_status_header_and_balance() {
        let p = RetryPolicy::default();
        let s = |n| StatusCode::from_u16(n).unwrap();
        let none = HeaderMap::new();
        for n in [408, 409, 429, 500, 502, 503, 504] {
            assert!(
                matches!(decide(&p, s(n), &none, b"", 0), Decision::Retry(_)),
                "{n}"
            );
        }
        for n in [400, 401, 402, 403, 404, 413, 415, 422] {
            assert_eq!(
                decide(&p, s(n), &none, b"", 0),
                Decision::Stop(StopReason::NotRetryable),
                "{n}"
            );
        }
        assert_eq!(
            decide(
                &p,
                s(429),
                &none,
                br#"{"error": "Insufficient USD or VCU balance"}"#,
                0
            ),
            Decision::Stop(StopReason::NotRetryable)
        );
        assert_eq!(
            decide(&p, s(503), &headers(&[("x-should-retry", "false")]), b"", 0),
            Decision::Stop(StopReason::NotRetryable)
        );
        assert!(matches!(
            decide(&p, s(400), &headers(&[("x-should-retry", "true")]), b"", 0),
            Decision::Retry(_)
        ));
        assert_eq!(
            decide(&p, s(429), &headers(&[("retry-after", "61")]), b"", 0),
            Decision::Stop(StopReason::RetryAfterTooLong)
        );
        assert_eq!(
            decide(&p, s(429), &headers(&[("retry-after", "60")]), b"", 0),
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
        for _ in 0..100 {
            b.deposit();
        }
        let mut granted = 0;
        while b.withdraw() {
            granted += 1;
        }
        assert_eq!(granted, 20); // 10 initial + 100 × 0.1
    }
}
