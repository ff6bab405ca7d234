//! The response headers the SDK reads, and the one way it reads them.
//!
//! Names are parsed once (a lookup by `&str` parses and hashes the name each
//! time). A value is read only if it is visible ASCII; it is trimmed, and an empty
//! value counts as absent. Parsing numbers, dates and flags is left to the caller.

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

/// `cf-ray`: the request id Venice support asks for.
pub(crate) static CF_RAY: HeaderName = HeaderName::from_static("cf-ray");
/// `x-request-id`: the request id of proxies and other servers.
pub(crate) static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
pub(crate) static LIMIT_REQUESTS: HeaderName =
    HeaderName::from_static("x-ratelimit-limit-requests");
pub(crate) static REMAINING_REQUESTS: HeaderName =
    HeaderName::from_static("x-ratelimit-remaining-requests");
pub(crate) static RESET_REQUESTS: HeaderName =
    HeaderName::from_static("x-ratelimit-reset-requests");
pub(crate) static LIMIT_TOKENS: HeaderName = HeaderName::from_static("x-ratelimit-limit-tokens");
pub(crate) static REMAINING_TOKENS: HeaderName =
    HeaderName::from_static("x-ratelimit-remaining-tokens");
pub(crate) static RESET_TOKENS: HeaderName = HeaderName::from_static("x-ratelimit-reset-tokens");
pub(crate) static BALANCE_USD: HeaderName = HeaderName::from_static("x-venice-balance-usd");
pub(crate) static BALANCE_VCU: HeaderName = HeaderName::from_static("x-venice-balance-vcu");
pub(crate) static BALANCE_DIEM: HeaderName = HeaderName::from_static("x-venice-balance-diem");
pub(crate) static DEPRECATION_WARNING: HeaderName =
    HeaderName::from_static("x-venice-model-deprecation-warning");
pub(crate) static DEPRECATION_DATE: HeaderName =
    HeaderName::from_static("x-venice-model-deprecation-date");
pub(crate) static IS_BLURRED: HeaderName = HeaderName::from_static("x-venice-is-blurred");
pub(crate) static IS_CONTENT_VIOLATION: HeaderName =
    HeaderName::from_static("x-venice-is-content-violation");
/// `Deprecation` (RFC 9745): when the endpoint was deprecated.
pub(crate) static DEPRECATION: HeaderName = HeaderName::from_static("deprecation");
/// `Sunset` (RFC 8594): when the endpoint stops answering.
pub(crate) static SUNSET: HeaderName = HeaderName::from_static("sunset");
/// `Link` (RFC 8288): the successor (`rel="successor-version"`) and the
/// deprecation notice (`rel="deprecation"`) of a deprecated endpoint.
pub(crate) static LINK: HeaderName = HeaderName::from_static("link");
pub(crate) static RETRY_AFTER: HeaderName = HeaderName::from_static("retry-after");
pub(crate) static RETRY_AFTER_MS: HeaderName = HeaderName::from_static("retry-after-ms");
pub(crate) static SHOULD_RETRY: HeaderName = HeaderName::from_static("x-should-retry");
/// Sent by the SDK on retries: the retry's number (1, 2, …).
pub(crate) static RETRY_COUNT: HeaderName = HeaderName::from_static("x-retry-count");

/// Sent by the SDK to operations that declare it: one key per call, the same for
/// every attempt.
pub(crate) static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The value of `name`: visible ASCII, trimmed, not empty.
pub(crate) fn text<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Option<&'h str> {
    headers.get(name).and_then(value_text)
}

/// A header value as text: visible ASCII, trimmed, not empty.
pub(crate) fn value_text(value: &HeaderValue) -> Option<&str> {
    value.to_str().ok().map(str::trim).filter(|s| !s.is_empty())
}

/// The request id: `cf-ray`, else `x-request-id`.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<&str> {
    text(headers, &CF_RAY).or_else(|| text(headers, &REQUEST_ID))
}

/// The `Content-Type`, as sent.
pub(crate) fn content_type(headers: &HeaderMap) -> Option<&str> {
    text(headers, &CONTENT_TYPE)
}

/// Whether the media type starts with `prefix` (`image/`, `text/event-stream`),
/// ignoring case.
pub(crate) fn media_type_is(headers: &HeaderMap, prefix: &str) -> bool {
    content_type(headers).is_some_and(|ct| {
        ct.len() >= prefix.len()
            && ct
                .get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    })
}

/// The media type of an answer, without parameters, in lower case (empty when
/// none was sent).
pub(crate) fn media_type_of(headers: &reqwest::header::HeaderMap) -> String {
    content_type(headers)
        .and_then(|ct| ct.split(';').next())
        .map(|ct| ct.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Header values share the connection's read buffer; a response that lives long
/// gets copies in its metadata rather than pin that buffer.
pub(crate) fn copy_headers(headers: &HeaderMap) -> HeaderMap {
    let mut copy = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_bytes(value.as_bytes()) {
            copy.append(name.clone(), value);
        }
    }
    copy
}

/// A header map of `(name, value)` pairs, for tests.
#[cfg(test)]
pub(crate) fn from_pairs(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&'static str, &'static [u8])]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, reqwest::header::HeaderValue::from_bytes(v).unwrap());
        }
        h
    }

    #[test]
    fn values_are_trimmed_ascii_and_never_empty() {
        let h = map(&[
            ("cf-ray", b"  abc  "),
            ("x-request-id", b"   "),
            ("retry-after", b"\xff"),
        ]);
        assert_eq!(text(&h, &CF_RAY), Some("abc"));
        assert_eq!(text(&h, &REQUEST_ID), None);
        assert_eq!(text(&h, &RETRY_AFTER), None);
    }

    #[test]
    fn the_request_id_falls_back_to_x_request_id() {
        assert_eq!(request_id(&map(&[("x-request-id", b"r-1")])), Some("r-1"));
        assert_eq!(
            request_id(&map(&[("x-request-id", b"r-1"), ("cf-ray", b"ray")])),
            Some("ray")
        );
        assert_eq!(request_id(&HeaderMap::new()), None);
    }

    #[test]
    fn media_types_match_by_prefix_ignoring_case() {
        let h = map(&[("content-type", b"Text/Event-Stream; charset=utf-8")]);
        assert!(media_type_is(&h, "text/event-stream"));
        assert!(!media_type_is(&h, "image/"));
        assert!(!media_type_is(
            &map(&[("content-type", b"te")]),
            "text/event-stream"
        ));
        assert!(!media_type_is(&HeaderMap::new(), "image/"));
    }
}
