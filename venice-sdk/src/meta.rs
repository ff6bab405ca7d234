//! What a response says besides its body: status, request id, rate limits,
//! balances, deprecations and content flags.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// A successful response: the decoded body plus its [`ResponseMeta`], and
/// for a JSON answer the answer as received.
///
/// Derefs to the body, so `response.choices` works directly. What the typed
/// body does not carry — a field Venice added after this SDK was generated —
/// is read with [`json_at`](Self::json_at) by its JSON pointer:
///
/// ```
/// # async fn run(client: venice_sdk::Client) -> Result<(), venice_sdk::Error> {
/// use venice_sdk::{Message, types::ChatCompletionRequest};
///
/// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Hi")]);
/// let completion = client.chat().create(request).await?;
/// // Venice's `cost` of the call, `{"usd": …, "diem": …}`, when it sends one.
/// if let Some(usd) = completion.json_at::<f64>("/cost/usd")? {
///     println!("this answer cost ${usd}");
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Response<T> {
    inner: T,
    meta: ResponseMeta,
    /// The JSON answer as received (none for media, text, or an answer that
    /// carries a credential).
    json: Option<bytes::Bytes>,
}

impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("inner", &self.inner)
            .field("meta", &self.meta)
            .field("json", &self.json.as_ref().map(|j| JsonLen(j.len())))
            .finish()
    }
}

/// How `Debug` shows the kept answer: its length only.
struct JsonLen(usize);

impl fmt::Debug for JsonLen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes of JSON>", self.0)
    }
}

impl<T> Response<T> {
    /// Pairs a body with its metadata.
    ///
    /// ```
    /// use venice_sdk::{Response, ResponseMeta};
    ///
    /// // For your own fakes: a body with the metadata of a 200 without headers.
    /// let meta = ResponseMeta::from_headers(reqwest::StatusCode::OK, reqwest::header::HeaderMap::new());
    /// let response = Response::new(vec![1, 2, 3], meta);
    /// assert_eq!(response.len(), 3); // derefs to the body
    /// ```
    pub fn new(inner: T, meta: ResponseMeta) -> Self {
        Self {
            inner,
            meta,
            json: None,
        }
    }

    /// Keeps `json`, the answer `inner` was decoded from: copied when small
    /// (it may be a slice of the connection's read buffer, which it would
    /// otherwise keep alive), shared when large (then it has a buffer of its
    /// own).
    pub(crate) fn with_json(mut self, json: bytes::Bytes) -> Self {
        self.json = Some(if json.len() <= 64 * 1024 {
            bytes::Bytes::copy_from_slice(&json)
        } else {
            json
        });
        self
    }

    /// The metadata: status, request id, rate limits, balances, headers.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let models = client.models().list(None).await?;
    /// println!("request {:?}, {:?} requests left", models.meta().request_id, models.meta().rate_limits.requests.remaining);
    /// # Ok(()) }
    /// ```
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The JSON answer exactly as Venice sent it, with the fields the typed
    /// body names and those it does not. `None` for answers that were not
    /// JSON (media, text), and for answers that carry a credential (a new API
    /// key), which are never kept.
    ///
    /// ```
    /// # async fn run(client: venice_sdk::Client) -> Result<(), venice_sdk::Error> {
    /// let models = client.models().list(None).await?;
    /// if let Some(json) = models.json() {
    ///     std::fs::write("models.json", json).ok();
    /// }
    /// # Ok(()) }
    /// ```
    pub fn json(&self) -> Option<&[u8]> {
        self.json.as_deref()
    }

    /// The body, dropping the metadata.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let models: venice_sdk::types::ListModelsResponse = client.models().list(None).await?.into_inner();
    /// # Ok(()) }
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// The body and the metadata.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let (models, meta) = client.models().list(None).await?.into_parts();
    /// println!("{} models, status {}", models.data.len(), meta.status);
    /// # Ok(()) }
    /// ```
    pub fn into_parts(self) -> (T, ResponseMeta) {
        (self.inner, self.meta)
    }

    /// Converts the body, keeping the metadata and the answer as received.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let count = client.models().list(None).await?.map(|models| models.data.len());
    /// println!("{} models (request {:?})", *count, count.meta().request_id);
    /// # Ok(()) }
    /// ```
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            inner: f(self.inner),
            meta: self.meta,
            json: self.json,
        }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for Response<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

/// Response metadata, parsed from the headers Venice sends.
///
/// Every field is `None` when its header is absent or malformed; [`headers`]
/// has them all as received.
///
/// [`headers`]: ResponseMeta::headers
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let models = client.models().list(None).await?;
/// let meta = models.meta();
/// println!("status {}, USD balance {:?}", meta.status, meta.balances.usd);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct ResponseMeta {
    /// The HTTP status.
    pub status: StatusCode,
    /// The request id to quote to support (`CF-RAY`).
    pub request_id: Option<String>,
    /// Request and token rate limits (`x-ratelimit-*`).
    pub rate_limits: RateLimits,
    /// Account balances after the request (`x-venice-balance-*`).
    pub balances: Balances,
    /// A deprecation notice for the model used (`x-venice-model-deprecation-*`).
    pub deprecation: Option<Deprecation>,
    /// A deprecation notice for the endpoint called (`Deprecation`, `Sunset`,
    /// and `Link` with `rel="successor-version"`), on any answer that carries
    /// one: the successes of a deprecated operation as well as its `410 Gone`.
    ///
    /// ```
    /// # async fn run(client: venice_sdk::Client) -> Result<(), venice_sdk::Error> {
    /// let balance = client.billing().balance().await?;
    /// if let Some(notice) = &balance.meta().endpoint_deprecation {
    ///     eprintln!("deprecated endpoint; move to {:?}", notice.successor);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// Boxed: most answers have none, and every answer carries a
    /// `ResponseMeta`.
    pub endpoint_deprecation: Option<Box<EndpointDeprecation>>,
    /// Image content flags (`x-venice-is-blurred`, `x-venice-is-content-violation`).
    pub content: ContentFlags,
    /// Every header as received.
    pub headers: HeaderMap,
}

/// Rate limits of the key for requests and for tokens.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let models = client.models().list(None).await?;
/// let limits = &models.meta().rate_limits;
/// println!("{:?} of {:?} requests left", limits.requests.remaining, limits.requests.limit);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RateLimits {
    /// `x-ratelimit-{limit,remaining,reset}-requests`.
    pub requests: RateLimit,
    /// `x-ratelimit-{limit,remaining,reset}-tokens`.
    pub tokens: RateLimit,
}

/// One rate limit.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let models = client.models().list(None).await?;
/// let tokens = &models.meta().rate_limits.tokens;
/// println!("{:?} tokens left", tokens.remaining);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RateLimit {
    /// The limit per window.
    pub limit: Option<u64>,
    /// What is left in the current window.
    pub remaining: Option<u64>,
    /// When the window resets. Venice sends epoch seconds, epoch milliseconds or
    /// seconds from now; all are normalized to an instant.
    pub reset_at: Option<SystemTime>,
}

impl RateLimit {
    /// Time until the window resets, from now (zero if already past).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let models = client.models().list(None).await?;
    /// if let Some(wait) = models.meta().rate_limits.requests.reset_in() {
    ///     println!("the request window resets in {} s", wait.as_secs());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn reset_in(&self) -> Option<Duration> {
        self.reset_at
            .map(|at| at.duration_since(SystemTime::now()).unwrap_or_default())
    }
}

/// Account balances.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let models = client.models().list(None).await?;
/// let balances = &models.meta().balances;
/// println!("USD {:?}, DIEM {:?}", balances.usd, balances.diem);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Balances {
    /// `x-venice-balance-usd`.
    pub usd: Option<f64>,
    /// `x-venice-balance-vcu`.
    pub vcu: Option<f64>,
    /// `x-venice-balance-diem`.
    pub diem: Option<f64>,
}

/// A model deprecation notice.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let models = client.models().list(None).await?;
/// if let Some(notice) = &models.meta().deprecation {
///     eprintln!("deprecated: {notice:?}");
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deprecation {
    /// `x-venice-model-deprecation-warning`.
    pub warning: Option<String>,
    /// `x-venice-model-deprecation-date`, as sent.
    pub date: Option<String>,
}

/// An endpoint deprecation notice, read from the headers of an answer:
/// `Deprecation` (RFC 9745: when the endpoint was or will be deprecated,
/// `@<unix seconds>`), `Sunset` (RFC 8594: when it stops answering) and
/// `Link` (RFC 8288: `rel="successor-version"`, the endpoint to move to;
/// `rel="deprecation"`, a page about the deprecation).
///
/// Read leniently: a value that is not visible ASCII, or longer than
/// [`MAX_DEPRECATION_HEADER`], is
/// ignored; a `Deprecation` value that is not a date is kept as sent in
/// [`deprecation`](Self::deprecation) with no
/// [`deprecated_at`](Self::deprecated_at). Present on an answer when any of
/// the three says something.
///
/// What to do: move to the [`successor`](Self::successor) before the
/// [`sunset`](Self::sunset); once the endpoint answers
/// [`ApiErrorKind::Gone`](crate::ApiErrorKind::Gone) only the successor works.
///
/// ```
/// use reqwest::{StatusCode, header::HeaderMap};
/// use venice_sdk::ResponseMeta;
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("deprecation", "@1783555200".parse().unwrap());
/// headers.insert("link", r#"</api/v1/billing/usage-history>; rel="successor-version""#.parse().unwrap());
/// let meta = ResponseMeta::from_headers(StatusCode::GONE, headers);
/// let notice = meta.endpoint_deprecation.as_deref().unwrap();
/// assert_eq!(notice.deprecated_at, Some(UNIX_EPOCH + Duration::from_secs(1_783_555_200)));
/// assert_eq!(notice.successor.as_deref(), Some("/api/v1/billing/usage-history"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EndpointDeprecation {
    /// When the endpoint was (or will be) deprecated: the `Deprecation`
    /// header's date (`@1783555200`; an HTTP date is read too).
    pub deprecated_at: Option<SystemTime>,
    /// The `Deprecation` header as sent (trimmed), date or not.
    pub deprecation: Option<String>,
    /// When the endpoint stops answering: the `Sunset` header's HTTP date.
    pub sunset: Option<SystemTime>,
    /// The endpoint to use instead: the target of the first `Link` with
    /// relation `successor-version`, as sent — a URL, or a path on the API's
    /// host (`/api/v1/billing/usage-history`).
    pub successor: Option<String>,
    /// A page about the deprecation: the target of the first `Link` with
    /// relation `deprecation`, as sent.
    pub documentation: Option<String>,
}

impl EndpointDeprecation {
    /// The notice of `headers`, if they carry one.
    fn from_headers(headers: &HeaderMap) -> Option<EndpointDeprecation> {
        let bounded = |name: &HeaderName| {
            names::text(headers, name).filter(|v| v.len() <= MAX_DEPRECATION_HEADER)
        };
        let deprecation = bounded(&names::DEPRECATION);
        let sunset = bounded(&names::SUNSET).and_then(|v| httpdate::parse_http_date(v).ok());
        let mut successor = None;
        let mut documentation = None;
        for value in headers.get_all(&names::LINK).iter().take(MAX_LINK_HEADERS) {
            let Some(value) =
                names::value_text(value).filter(|v| v.len() <= MAX_DEPRECATION_HEADER)
            else {
                continue;
            };
            for (target, params) in links(value) {
                if target.is_empty() {
                    continue;
                }
                if successor.is_none() && has_relation(params, "successor-version") {
                    successor = Some(target.to_owned());
                }
                if documentation.is_none() && has_relation(params, "deprecation") {
                    documentation = Some(target.to_owned());
                }
            }
        }
        if deprecation.is_none()
            && sunset.is_none()
            && successor.is_none()
            && documentation.is_none()
        {
            return None;
        }
        Some(EndpointDeprecation {
            deprecated_at: deprecation.and_then(parse_deprecation_date),
            deprecation: deprecation.map(str::to_owned),
            sunset,
            successor,
            documentation,
        })
    }
}

/// An RFC 9745 date (a structured-field date: `@` and at most 15 digits,
/// maybe negative), or an HTTP date (earlier drafts of the header).
fn parse_deprecation_date(value: &str) -> Option<SystemTime> {
    let Some(date) = value.strip_prefix('@') else {
        return httpdate::parse_http_date(value).ok();
    };
    let (negative, digits) = match date.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, date),
    };
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seconds = Duration::from_secs(digits.parse::<u64>().ok()?);
    if negative {
        UNIX_EPOCH.checked_sub(seconds)
    } else {
        UNIX_EPOCH.checked_add(seconds)
    }
}

/// `text` cut at the first `separator` outside a quoted string: the part
/// before, and the rest after the separator (none when there is none).
fn split_unquoted(text: &str, separator: char) -> (&str, Option<&str>) {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                let (before, after) = text.split_at(i);
                return (before, after.get(separator.len_utf8()..));
            }
            _ => {}
        }
    }
    (text, None)
}

/// The links of one `Link` header value (RFC 8288): each target (trimmed)
/// with its parameters (`; rel="successor-version"`). Reading stops at the
/// first link that is not `<target>…`.
fn links(value: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches([',', ' ', '\t']);
        let Some((target, after)) = rest.strip_prefix('<').and_then(|r| r.split_once('>')) else {
            return found;
        };
        let (params, next) = split_unquoted(after, ',');
        found.push((target.trim(), params));
        match next {
            Some(next) => rest = next,
            None => return found,
        }
    }
}

/// Whether a link's parameters give it the relation type `wanted`: its
/// first `rel` (a token or a quoted list separated by spaces), ignoring case.
fn has_relation(params: &str, wanted: &str) -> bool {
    let mut rest = Some(params);
    while let Some(text) = rest {
        let (param, next) = split_unquoted(text, ';');
        rest = next;
        let Some((name, value)) = param.split_once('=') else {
            continue;
        };
        if !name.trim().eq_ignore_ascii_case("rel") {
            continue;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        return value
            .split_ascii_whitespace()
            .any(|relation| relation.eq_ignore_ascii_case(wanted));
    }
    false
}

/// Content flags of generated images.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let models = client.models().list(None).await?;
/// println!("{:?}", models.meta().content);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContentFlags {
    /// `x-venice-is-blurred`.
    pub is_blurred: Option<bool>,
    /// `x-venice-is-content-violation`.
    pub is_content_violation: Option<bool>,
}

use reqwest::header::HeaderName;

use crate::defaults::{MAX_DEPRECATION_HEADER, MAX_LINK_HEADERS};
use crate::headers::{self as names};

/// The headers [`ResponseMeta::from_headers`] reads, in the order of [`Slot`].
static READ: [&HeaderName; 15] = [
    &names::CF_RAY,
    &names::REQUEST_ID,
    &names::LIMIT_REQUESTS,
    &names::REMAINING_REQUESTS,
    &names::RESET_REQUESTS,
    &names::LIMIT_TOKENS,
    &names::REMAINING_TOKENS,
    &names::RESET_TOKENS,
    &names::BALANCE_USD,
    &names::BALANCE_VCU,
    &names::BALANCE_DIEM,
    &names::DEPRECATION_WARNING,
    &names::DEPRECATION_DATE,
    &names::IS_BLURRED,
    &names::IS_CONTENT_VIOLATION,
];

/// An index into [`READ`].
#[derive(Clone, Copy)]
enum Slot {
    CfRay,
    RequestId,
    LimitRequests,
    RemainingRequests,
    ResetRequests,
    LimitTokens,
    RemainingTokens,
    ResetTokens,
    BalanceUsd,
    BalanceVcu,
    BalanceDiem,
    DeprecationWarning,
    DeprecationDate,
    IsBlurred,
    IsContentViolation,
}

/// The values of the [`READ`] headers of one response (the first of each
/// name, read as [`names::value_text`] does), found in one pass over the
/// headers instead of one lookup per name.
struct Values<'h>([Option<&'h str>; READ.len()]);

impl<'h> Values<'h> {
    fn of(headers: &'h HeaderMap) -> Self {
        let mut values = [None; READ.len()];
        for (name, value) in headers {
            let name = name.as_str();
            // Every name read is `cf-ray` or starts with `x-`: others (most
            // standard headers) are passed over without a comparison.
            if !(name.starts_with("x-") || name == "cf-ray") {
                continue;
            }
            if let Some(i) = READ.iter().position(|n| n.as_str() == name)
                && let Some(slot) = values.get_mut(i)
                && slot.is_none()
            {
                *slot = Some(names::value_text(value));
            }
        }
        // A first value that is not text counts as absent, like a lookup.
        Values(values.map(Option::flatten))
    }

    fn text(&self, slot: Slot) -> Option<&'h str> {
        self.0.get(slot as usize).copied().flatten()
    }

    fn number(&self, slot: Slot) -> Option<f64> {
        self.text(slot)
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|n| n.is_finite())
    }

    fn count(&self, slot: Slot) -> Option<u64> {
        self.number(slot)
            .filter(|n| *n >= 0.0 && *n <= u64::MAX as f64)
            .map(|n| n as u64)
    }

    fn flag(&self, slot: Slot) -> Option<bool> {
        match self.text(slot)?.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Some(true),
            "false" | "0" | "no" => Some(false),
            _ => None,
        }
    }

    fn rate_limit(&self, [limit, remaining, reset]: [Slot; 3], now: SystemTime) -> RateLimit {
        RateLimit {
            limit: self.count(limit),
            remaining: self.count(remaining),
            reset_at: self.text(reset).and_then(|v| parse_reset(v, now)),
        }
    }
}

/// Reads a reset value: epoch milliseconds (> 10^12), epoch seconds (> 10^9), or
/// seconds from `now`.
pub(crate) fn parse_reset(value: &str, now: SystemTime) -> Option<SystemTime> {
    let n: f64 = value.trim().parse().ok()?;
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    // Checked all the way: a server may send any number (`1e23`), and neither
    // `Duration` nor `SystemTime` may panic on it.
    if n > 1e12 {
        UNIX_EPOCH.checked_add(Duration::try_from_secs_f64(n / 1000.0).ok()?)
    } else if n > 1e9 {
        UNIX_EPOCH.checked_add(Duration::try_from_secs_f64(n).ok()?)
    } else {
        now.checked_add(Duration::try_from_secs_f64(n).ok()?)
    }
}

impl ResponseMeta {
    /// Parses the metadata of a response.
    ///
    /// ```
    /// use reqwest::header::{HeaderMap, HeaderValue};
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert("x-ratelimit-remaining-requests", HeaderValue::from_static("42"));
    /// let meta = venice_sdk::ResponseMeta::from_headers(reqwest::StatusCode::OK, headers);
    /// assert_eq!(meta.rate_limits.requests.remaining, Some(42));
    /// ```
    pub fn from_headers(status: StatusCode, headers: HeaderMap) -> ResponseMeta {
        let now = SystemTime::now();
        let (request_id, rate_limits, balances, deprecation, content) = {
            let v = Values::of(&headers);
            let warning = v.text(Slot::DeprecationWarning).map(str::to_owned);
            let date = v.text(Slot::DeprecationDate).map(str::to_owned);
            (
                v.text(Slot::CfRay)
                    .or_else(|| v.text(Slot::RequestId))
                    .map(str::to_owned),
                RateLimits {
                    requests: v.rate_limit(
                        [
                            Slot::LimitRequests,
                            Slot::RemainingRequests,
                            Slot::ResetRequests,
                        ],
                        now,
                    ),
                    tokens: v.rate_limit(
                        [Slot::LimitTokens, Slot::RemainingTokens, Slot::ResetTokens],
                        now,
                    ),
                },
                Balances {
                    usd: v.number(Slot::BalanceUsd),
                    vcu: v.number(Slot::BalanceVcu),
                    diem: v.number(Slot::BalanceDiem),
                },
                (warning.is_some() || date.is_some()).then_some(Deprecation { warning, date }),
                ContentFlags {
                    is_blurred: v.flag(Slot::IsBlurred),
                    is_content_violation: v.flag(Slot::IsContentViolation),
                },
            )
        };
        ResponseMeta {
            status,
            request_id,
            rate_limits,
            balances,
            deprecation,
            endpoint_deprecation: EndpointDeprecation::from_headers(&headers).map(Box::new),
            content,
            headers,
        }
    }

    /// The media type of the body, without parameters (`audio/mpeg`,
    /// `image/webp`, `text/plain`): what format a binary answer is in.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let png = client
    ///     .images()
    ///     .generate_bytes(venice_sdk::types::GenerateImageRequest::new("venice-sd35", "a red fox")?)
    ///     .await?;
    /// println!("{:?}", png.meta().media_type()); // Some("image/png")
    /// # Ok(()) }
    /// ```
    pub fn media_type(&self) -> Option<&str> {
        let content_type = names::content_type(&self.headers)?;
        let media_type = content_type.split(';').next().unwrap_or_default().trim();
        (!media_type.is_empty()).then_some(media_type)
    }
}

/// An answer that is JSON (decoded) or plain text, as the request asked for
/// (transcriptions and parsed documents answer either way).
///
/// ```
/// use venice_sdk::JsonOrText;
///
/// fn show(answer: &JsonOrText<serde_json::Value>) {
///     match answer {
///         JsonOrText::Json(value) => println!("JSON: {value}"),
///         JsonOrText::Text(text) => println!("text: {text}"),
///     }
/// }
/// show(&JsonOrText::Text("id,amount\n1,2".to_owned()));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum JsonOrText<T> {
    /// A JSON answer, decoded.
    Json(T),
    /// A text answer (`text/plain`, `text/csv`, subtitles, …), as sent.
    Text(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::headers::from_pairs as headers;

    #[test]
    fn reset_accepts_three_forms_and_normalizes_them() {
        let now = UNIX_EPOCH + Duration::from_secs(1_750_000_000);
        let target = UNIX_EPOCH + Duration::from_secs(1_750_000_030);
        assert_eq!(parse_reset("1750000030", now), Some(target));
        assert_eq!(parse_reset("1750000030000", now), Some(target));
        assert_eq!(parse_reset("30", now), Some(target));
        assert_eq!(
            parse_reset("0.5", now),
            Some(now + Duration::from_millis(500))
        );
        assert_eq!(parse_reset("soon", now), None);
        assert_eq!(parse_reset("-1", now), None);
        assert_eq!(parse_reset("NaN", now), None);
        assert_eq!(parse_reset("1e400", now), None);
        // Finite, but beyond what a Duration or a SystemTime holds: no panic.
        for huge in ["1e23", "1e22", "1.8e308", "1e30000000"] {
            assert_eq!(parse_reset(huge, now), None, "{huge}");
        }
        assert_eq!(parse_reset("-1e23", now), None);
        assert_eq!(parse_reset("٣٠", now), None);
    }

    #[test]
    fn every_documented_header_is_read() {
        let meta = ResponseMeta::from_headers(
            StatusCode::OK,
            headers(&[
                ("cf-ray", "abc-SJC"),
                ("x-ratelimit-limit-requests", "500"),
                ("x-ratelimit-remaining-requests", "499"),
                ("x-ratelimit-reset-requests", "60"),
                ("x-ratelimit-limit-tokens", "1000000"),
                ("x-ratelimit-remaining-tokens", "999000"),
                ("x-venice-balance-usd", "12.5"),
                ("x-venice-balance-vcu", "100"),
                ("x-venice-balance-diem", "3.25"),
                ("x-venice-model-deprecation-warning", "use another model"),
                ("x-venice-model-deprecation-date", "2026-12-31"),
                ("x-venice-is-blurred", "true"),
                ("x-venice-is-content-violation", "false"),
            ]),
        );
        assert_eq!(meta.request_id.as_deref(), Some("abc-SJC"));
        assert_eq!(meta.rate_limits.requests.limit, Some(500));
        assert_eq!(meta.rate_limits.requests.remaining, Some(499));
        let reset = meta.rate_limits.requests.reset_in().unwrap();
        assert!(reset <= Duration::from_secs(60) && reset > Duration::from_secs(50));
        assert_eq!(meta.rate_limits.tokens.remaining, Some(999_000));
        assert_eq!(meta.rate_limits.tokens.reset_at, None);
        assert_eq!(
            meta.balances,
            Balances {
                usd: Some(12.5),
                vcu: Some(100.0),
                diem: Some(3.25)
            }
        );
        assert_eq!(
            meta.deprecation.as_ref().unwrap().date.as_deref(),
            Some("2026-12-31")
        );
        assert_eq!(meta.content.is_blurred, Some(true));
        assert_eq!(meta.content.is_content_violation, Some(false));
    }

    #[test]
    fn huge_reset_headers_do_not_panic() {
        for status in [StatusCode::OK, StatusCode::TOO_MANY_REQUESTS] {
            let meta = ResponseMeta::from_headers(
                status,
                headers(&[
                    ("x-ratelimit-reset-requests", "1e23"),
                    ("x-ratelimit-reset-tokens", "1e23"),
                ]),
            );
            assert_eq!(meta.rate_limits.requests.reset_at, None);
            assert_eq!(meta.rate_limits.tokens.reset_at, None);
        }
    }

    #[test]
    fn malformed_headers_are_none_not_errors() {
        let meta = ResponseMeta::from_headers(
            StatusCode::OK,
            headers(&[
                ("x-ratelimit-limit-requests", "many"),
                ("x-ratelimit-remaining-requests", "-3"),
                ("x-venice-balance-usd", "inf"),
                ("x-venice-is-blurred", "maybe"),
            ]),
        );
        assert_eq!(meta.rate_limits, RateLimits::default());
        assert_eq!(meta.balances.usd, None);
        assert_eq!(meta.content.is_blurred, None);
        assert!(meta.deprecation.is_none());
    }

    fn notice(pairs: &[(&str, &[u8])]) -> Option<EndpointDeprecation> {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                reqwest::header::HeaderValue::from_bytes(v).unwrap(),
            );
        }
        ResponseMeta::from_headers(StatusCode::OK, h)
            .endpoint_deprecation
            .map(|n| *n)
    }

    #[test]
    fn deprecation_dates_are_rfc_9745_dates_or_kept_raw() {
        let at = |v: &str| notice(&[("deprecation", v.as_bytes())]).unwrap();
        let epoch = |s: u64| Some(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at("@1783555200").deprecated_at, epoch(1_783_555_200));
        assert_eq!(at(" @0 ").deprecated_at, epoch(0));
        assert_eq!(
            at("@999999999999999").deprecated_at,
            epoch(999_999_999_999_999)
        );
        assert_eq!(
            at("@-86400").deprecated_at,
            UNIX_EPOCH.checked_sub(Duration::from_secs(86_400))
        );
        assert_eq!(
            at("Sun, 06 Nov 1994 08:49:37 GMT").deprecated_at,
            epoch(784_111_777)
        );
        for garbage in [
            "@",
            "@-",
            "@1e9",
            "@ 1",
            "@+1",
            "@1.5",
            "@9999999999999999",
            "true",
            "yesterday",
            "@--1",
        ] {
            let n = at(garbage);
            assert_eq!(n.deprecated_at, None, "{garbage}");
            assert_eq!(n.deprecation.as_deref(), Some(garbage.trim()), "{garbage}");
        }
        // Not visible ASCII: ignored, as every header the SDK reads.
        assert_eq!(notice(&[("deprecation", b"\xff@1")]), None);
        assert_eq!(notice(&[("deprecation", "@١٢".as_bytes())]), None);
        let huge = format!("@{}", "1".repeat(MAX_DEPRECATION_HEADER));
        assert_eq!(notice(&[("deprecation", huge.as_bytes())]), None);
        let n = notice(&[("sunset", b"Wed, 01 Jan 2031 00:00:00 GMT")]).unwrap();
        assert_eq!(n.sunset, epoch(1_924_992_000));
        assert_eq!(n.deprecation, None);
        assert_eq!(notice(&[("sunset", b"soon")]), None);
    }

    #[test]
    fn the_successor_is_the_successor_version_link() {
        let successor = |links: &[&str]| {
            let pairs: Vec<(&str, &[u8])> = links.iter().map(|l| ("link", l.as_bytes())).collect();
            notice(&pairs).and_then(|n| n.successor)
        };
        assert_eq!(
            successor(&[r#"</api/v1/billing/usage-history>; rel="successor-version""#]).as_deref(),
            Some("/api/v1/billing/usage-history")
        );
        assert_eq!(
            successor(&[
                r#"<https://a/next>; rel=next, <https://a/new?x=1,2>; title="a, b; c"; REL="latest-version Successor-Version""#
            ])
            .as_deref(),
            Some("https://a/new?x=1,2")
        );
        assert_eq!(
            successor(&["<https://a/1>; rel=next", "< /v2 >;rel=successor-version"]).as_deref(),
            Some("/v2")
        );
        // The first `rel` counts; an empty target, a missing `<` or an
        // unterminated quote end without a successor.
        for none in [
            "<https://a/1>; rel=next; rel=successor-version",
            "<>; rel=successor-version",
            "https://a/1; rel=successor-version",
            r#"<https://a/1>; rel="successor-version"#,
            "<https://a/1; rel=successor-version",
            "",
            ",,,",
        ] {
            assert_eq!(successor(&[none]), None, "{none}");
        }
        let n = notice(&[(
            "link",
            br#"<https://docs/deprecations>; rel="deprecation"; type="text/html""#,
        )])
        .unwrap();
        assert_eq!(
            n.documentation.as_deref(),
            Some("https://docs/deprecations")
        );
        assert_eq!(n.successor, None);
        // A pagination link alone is no notice.
        assert_eq!(notice(&[("link", b"<https://a/2>; rel=next")]), None);
    }

    #[test]
    fn the_media_type_drops_parameters() {
        let meta =
            |ct: &str| ResponseMeta::from_headers(StatusCode::OK, headers(&[("content-type", ct)]));
        assert_eq!(meta("audio/mpeg").media_type(), Some("audio/mpeg"));
        assert_eq!(
            meta("text/plain; charset=utf-8").media_type(),
            Some("text/plain")
        );
        assert_eq!(meta(" ; x=y").media_type(), None);
        assert_eq!(ResponseMeta::default().media_type(), None);
    }
}
