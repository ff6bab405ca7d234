//! A string that never prints: API keys, sent or received.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::sync::Arc;

use percent_encoding::percent_decode_str;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use zeroize::Zeroize;

/// A credential: the client's API key, or a key the API returns.
///
/// - `Debug` prints `Secret(<redacted>)`; there is no `Display`. Read the value
///   with [`Secret::expose`] where it must really be used.
/// - Serialization is never implicit: serializing a `Secret` (or a response
///   type holding one, such as
///   [`CreateApiKeyResponse`](crate::types::CreateApiKeyResponse)) **fails** with
///   a serde error rather than write the key. To write it, say so: call
///   [`Secret::expose`], put `#[serde(serialize_with =
///   "venice_sdk::Secret::serialize_exposed")]` on a field of your own type, or
///   serialize inside [`Secret::exposing`] (for the generated types, whose
///   fields you cannot annotate). Deserialization reads a plain string.
/// - Equality (`==`) takes the same time for any two values of the same length.
/// - The value is zeroized (overwritten with zeros) when the `Secret` is
///   dropped, and so are the SDK's own copies of the API key (kept to scrub
///   error messages, or made while building the header). Not zeroized: the
///   `Authorization: Bearer …` header value the client builds from its key
///   (kept for the client's life, marked sensitive), the copies reqwest and
///   hyper make of it when they write a request, copies you make from
///   [`Secret::expose`], the `&str` a `Secret` was copied from (a `String`
///   given by value is moved, not copied), and the buffers a received key
///   passed through before it became a `Secret` (reqwest's and hyper's read
///   buffers, serde's scratch space, the response body).
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The credential itself. Take care where it goes.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Serializes the value itself: the explicit opt-in for a field of your own
    /// type, `#[serde(serialize_with = "venice_sdk::Secret::serialize_exposed")]`.
    ///
    /// ```
    /// #[derive(serde::Serialize)]
    /// struct Saved {
    ///     #[serde(serialize_with = "venice_sdk::Secret::serialize_exposed")]
    ///     key: venice_sdk::Secret,
    /// }
    /// let saved = Saved { key: venice_sdk::Secret::new("vk-123456") };
    /// assert_eq!(serde_json::to_string(&saved).unwrap(), r#"{"key":"vk-123456"}"#);
    /// ```
    pub fn serialize_exposed<S: Serializer>(
        secret: &Secret,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(secret.expose())
    }

    /// Runs `f` with the values of every `Secret` serialized as plain strings, on
    /// this thread, for the duration of the call: the explicit opt-in for types
    /// whose fields cannot carry `serialize_with` (the generated response types).
    ///
    /// Serialization started on another thread (or after `f` returns) still fails.
    ///
    /// ```
    /// use venice_sdk::{Secret, types::CreateApiKeyResponse};
    /// # let response: CreateApiKeyResponse = serde_json::from_str(r#"{"success": true, "data":
    /// #   {"id": "k1", "apiKey": "vk-new", "apiKeyType": "INFERENCE", "expiresAt": null,
    /// #   "consumptionLimit": {}, "limitPeriod": "DAY"}}"#).unwrap();
    /// assert!(serde_json::to_string(&response).is_err());
    /// let json = Secret::exposing(|| serde_json::to_string(&response)).unwrap();
    /// assert!(json.contains("vk-new"));
    /// ```
    pub fn exposing<R>(f: impl FnOnce() -> R) -> R {
        struct Restore(u32);
        impl Drop for Restore {
            fn drop(&mut self) {
                EXPOSED.with(|depth| depth.set(self.0));
            }
        }
        let previous = EXPOSED.with(|depth| {
            let previous = depth.get();
            depth.set(previous.saturating_add(1));
            previous
        });
        let _restore = Restore(previous);
        f()
    }
}

thread_local! {
    /// How many [`Secret::exposing`] calls are running on this thread.
    static EXPOSED: Cell<u32> = const { Cell::new(0) };
}

/// Fails, unless inside [`Secret::exposing`]: a secret is written only on request.
impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if EXPOSED.with(Cell::get) > 0 {
            return serializer.serialize_str(self.expose());
        }
        Err(serde::ser::Error::custom(
            "a Secret is not serialized implicitly; use Secret::expose(), \
             #[serde(serialize_with = \"venice_sdk::Secret::serialize_exposed\")] \
             or Secret::exposing(|| ..) to write the value",
        ))
    }
}

/// Constant time for values of the same length: every byte is compared, and the
/// first difference does not end the comparison. Different lengths compare
/// unequal at once (the length is not secret).
impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
        std::hint::black_box(difference) == 0
    }
}

impl Eq for Secret {}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// What replaces a secret in scrubbed text.
const REDACTED: &str = "<redacted>";

/// The shortest value of a URL [`Redactor::with_url`] takes for a secret.
pub(crate) const URL_SECRET_MIN: usize = 8;

/// The name a header whose name holds a secret gets instead.
pub(crate) const REDACTED_HEADER: &str = "x-redacted";

/// The secrets to scrub from whatever a server sends back before it reaches an
/// error, a `Display`, a `Debug` or a log: the client's API key. Secrets
/// shorter than 4 characters are not scrubbed (they would blank out ordinary text).
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    /// Each secret and, when JSON writes it differently, its escaped form.
    patterns: Arc<[Secret]>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} patterns)", self.patterns.len())
    }
}

impl Redactor {
    /// A redactor of these secrets.
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a Secret>) -> Redactor {
        let mut patterns = Vec::new();
        for secret in secrets {
            let raw = secret.expose();
            if raw.chars().count() < 4 {
                continue;
            }
            patterns.push(secret.clone());
            // A key with `"`, `\` or `/` can appear escaped inside a JSON body.
            if let Ok(quoted) = serde_json::to_string(raw).map(Secret::new) {
                let quoted = quoted.expose();
                let escaped = &quoted[1..quoted.len() - 1];
                if escaped != raw {
                    patterns.push(Secret::new(escaped));
                }
                if escaped.contains('/') {
                    patterns.push(Secret::new(escaped.replace('/', "\\/")));
                }
            }
        }
        Redactor {
            patterns: patterns.into(),
        }
    }

    /// This redactor plus `secret`: for a credential of one call (an x402
    /// payment signature) that the server might echo into an error.
    pub fn with(&self, secret: &Secret) -> Redactor {
        self.with_all([secret])
    }

    /// This redactor plus `secrets`.
    pub fn with_all<'a>(&self, secrets: impl IntoIterator<Item = &'a Secret>) -> Redactor {
        let added = Redactor::new(secrets);
        if added.patterns.is_empty() {
            return self.clone();
        }
        let patterns: Vec<Secret> = self
            .patterns
            .iter()
            .chain(added.patterns.iter())
            .cloned()
            .collect();
        Redactor {
            patterns: patterns.into(),
        }
    }

    /// This redactor plus the secret parts of `url`, a URL the API handed out
    /// (a `download_url`) for the call sent to it, which storage may echo into
    /// an error (S3's `<SignatureProvided>`): each query value as written,
    /// percent-decoded and form-decoded (`+` as a space), and the user name and
    /// password likewise. Values shorter than [`URL_SECRET_MIN`] characters
    /// (`X-Amz-Expires=3600`, `X-Amz-SignedHeaders=host`) are left alone: they
    /// would blank out ordinary words, and are no secret.
    pub fn with_url(&self, url: &str) -> Redactor {
        let Ok(parsed) = reqwest::Url::parse(url.trim()) else {
            return self.clone();
        };
        let mut learned: Vec<Secret> = Vec::new();
        let mut learn = |written: &str| {
            let decoded = percent_decode_str(written).decode_utf8_lossy();
            let form = written.replace('+', " ");
            let form_decoded = percent_decode_str(&form).decode_utf8_lossy();
            for value in [written, &decoded, &form_decoded] {
                if value.chars().count() >= URL_SECRET_MIN
                    && !learned.iter().any(|known| known.expose() == value)
                {
                    learned.push(Secret::new(value));
                }
            }
        };
        if let Some(query) = parsed.query() {
            for pair in query.split('&') {
                learn(pair.split_once('=').map_or(pair, |(_, value)| value));
            }
        }
        learn(parsed.username());
        if let Some(password) = parsed.password() {
            learn(password);
        }
        self.with_all(&learned)
    }

    /// The length in bytes of the longest secret.
    pub fn longest(&self) -> usize {
        self.patterns
            .iter()
            .map(|p| p.expose().len())
            .max()
            .unwrap_or(0)
    }

    /// Whether `text` holds a secret.
    fn finds(&self, text: &str) -> bool {
        self.patterns.iter().any(|p| text.contains(p.expose()))
    }

    /// Whether `secret` is scrubbed already (or too short to be).
    #[cfg_attr(not(feature = "raw"), allow(dead_code))] // `Client::raw`'s path
    pub fn covers(&self, secret: &Secret) -> bool {
        let raw = secret.expose();
        raw.chars().count() < 4 || self.patterns.iter().any(|p| p.expose() == raw)
    }

    /// Whether a header name holds a secret, whatever the case of either.
    fn finds_in_name(&self, name: &str) -> bool {
        self.patterns
            .iter()
            .any(|p| contains_ignore_ascii_case(name.as_bytes(), p.expose().as_bytes()))
    }

    /// `text` with every secret replaced by `<redacted>`.
    pub fn scrub(&self, text: String) -> String {
        match self.scrub_str(&text) {
            Cow::Borrowed(_) => text,
            Cow::Owned(scrubbed) => scrubbed,
        }
    }

    /// `text` with every secret replaced by `<redacted>` (borrowed when clean).
    pub fn scrub_str<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if !self.finds(text) {
            return Cow::Borrowed(text);
        }
        let mut out = text.to_owned();
        for p in self.patterns.iter() {
            if out.contains(p.expose()) {
                out = out.replace(p.expose(), REDACTED);
            }
        }
        Cow::Owned(out)
    }

    /// Scrubs an optional string.
    pub fn scrub_opt(&self, text: Option<String>) -> Option<String> {
        text.map(|t| self.scrub(t))
    }

    /// Scrubs every string (and object key) of a JSON value.
    pub fn scrub_value(&self, value: &mut Value) {
        if self.patterns.is_empty() {
            return;
        }
        match value {
            Value::String(s) if self.finds(s) => *s = self.scrub(std::mem::take(s)),
            Value::Array(items) => items.iter_mut().for_each(|v| self.scrub_value(v)),
            Value::Object(map) => {
                if map.keys().any(|k| self.finds(k)) {
                    let old = std::mem::take(map);
                    for (k, v) in old {
                        map.insert(self.scrub(k), v);
                    }
                }
                map.values_mut().for_each(|v| self.scrub_value(v));
            }
            _ => {}
        }
    }

    /// `body` with every secret replaced by `<redacted>`, byte-wise (the same
    /// bytes, not copied, when it holds none).
    #[cfg_attr(not(feature = "raw"), allow(dead_code))] // `Client::raw`'s path
    pub fn scrub_bytes(&self, body: bytes::Bytes) -> bytes::Bytes {
        let mut out: Option<Vec<u8>> = None;
        for p in self.patterns.iter() {
            let needle = p.expose().as_bytes();
            let current = out.as_deref().unwrap_or(&body);
            if contains_bytes(current, needle) {
                out = Some(replace_bytes(current, needle, REDACTED.as_bytes()));
            }
        }
        out.map_or(body, bytes::Bytes::from)
    }

    /// Scrubs every header holding a secret: a name holding one (compared
    /// without regard to case: names arrive in lower case) becomes
    /// [`REDACTED_HEADER`]; every value holding one has it replaced by
    /// `<redacted>` (byte-wise, so values that are not UTF-8 are covered too).
    pub fn scrub_headers(&self, headers: &mut HeaderMap) {
        if self.patterns.is_empty() {
            return;
        }
        if headers.keys().any(|name| self.finds_in_name(name.as_str())) {
            let old = std::mem::take(headers);
            let mut current: Option<HeaderName> = None;
            for (name, value) in old {
                // `None`: another value of the name before it.
                if let Some(name) = name {
                    current = Some(if self.finds_in_name(name.as_str()) {
                        HeaderName::from_static(REDACTED_HEADER)
                    } else {
                        name
                    });
                }
                if let Some(name) = &current {
                    headers.append(name.clone(), value);
                }
            }
        }
        for value in headers.values_mut() {
            let bytes = value.as_bytes();
            if !self
                .patterns
                .iter()
                .any(|p| contains_bytes(bytes, p.expose().as_bytes()))
            {
                continue;
            }
            let mut out = bytes.to_vec();
            for p in self.patterns.iter() {
                out = replace_bytes(&out, p.expose().as_bytes(), REDACTED.as_bytes());
            }
            let sensitive = value.is_sensitive();
            *value = HeaderValue::from_bytes(&out)
                .unwrap_or_else(|_| HeaderValue::from_static(REDACTED));
            value.set_sensitive(sensitive);
        }
    }
}

fn contains_ignore_ascii_case(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
}

fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && memchr::memmem::find(haystack, needle).is_some()
}

fn replace_bytes(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    if needle.is_empty() {
        return haystack.to_vec();
    }
    let mut out = Vec::with_capacity(haystack.len());
    let mut last = 0;
    for at in memchr::memmem::find_iter(haystack, needle) {
        if at < last {
            continue;
        }
        out.extend_from_slice(haystack.get(last..at).unwrap_or_default());
        out.extend_from_slice(with);
        last = at.saturating_add(needle.len());
    }
    out.extend_from_slice(haystack.get(last..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "vk-123456-SECRET";

    #[test]
    fn debug_hides_the_value_and_deserialize_reads_it() {
        let s = Secret::new(KEY);
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(
            format!("{:#?}", Some(&s)),
            "Some(\n    Secret(<redacted>),\n)"
        );
        let back: Secret = serde_json::from_str(&format!("\"{KEY}\"")).unwrap();
        assert_eq!(back.expose(), KEY);
    }

    #[test]
    fn serializing_a_secret_fails_without_quoting_it() {
        let err = serde_json::to_string(&Secret::new(KEY)).unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains(KEY), "{text}");
        assert!(text.contains("Secret::expose()"), "{text}");
        assert!(serde_json::to_value(Some(Secret::new(KEY))).is_err());
    }

    #[test]
    fn equality_compares_values() {
        assert_eq!(Secret::new(KEY), Secret::new(KEY));
        assert_ne!(Secret::new(KEY), Secret::new("vk-123456-SECRET!"));
        assert_ne!(Secret::new(KEY), Secret::new("vk-123456-SECRE"));
        assert_ne!(Secret::new(KEY), Secret::new("xk-123456-SECRET"));
        assert_ne!(Secret::new(KEY), Secret::new("vk-123456-SECREX"));
        assert_ne!(Secret::new(KEY), Secret::new(""));
        assert_eq!(Secret::new(""), Secret::new(""));
    }

    #[test]
    fn a_url_teaches_its_query_values_and_user_info_in_every_form() {
        let r = Redactor::default().with_url(
            "https://user-name-1:pa%2Fss-word-2@cdn.example/v.mp4?sig=a%2Bb%2Fc-0123&cred=x+y%3Dz-4567&n=3600&flag&LONGFLAGTOKEN9",
        );
        for secret in [
            "a%2Bb%2Fc-0123",
            "a+b/c-0123",
            "x+y%3Dz-4567",
            "x+y=z-4567",
            "x y=z-4567",
            "LONGFLAGTOKEN9",
            "user-name-1",
            "pa%2Fss-word-2",
            "pa/ss-word-2",
        ] {
            assert_eq!(r.scrub(format!("<{secret}>")), "<<redacted>>", "{secret}");
        }
        // Short values and the rest of the URL are ordinary text.
        assert_eq!(
            r.scrub("n=3600 flag sig cdn.example".into()),
            "n=3600 flag sig cdn.example"
        );
        // A URL that does not parse teaches nothing.
        assert_eq!(Redactor::default().with_url("not a url").longest(), 0);
    }

    #[test]
    fn redactor_scrubs_text_json_and_headers() {
        let r = Redactor::new([&Secret::new(KEY)]);
        assert_eq!(
            r.scrub(format!("a {KEY} b {KEY}")),
            "a <redacted> b <redacted>"
        );
        assert!(matches!(r.scrub_str("clean"), Cow::Borrowed(_)));
        let mut v = serde_json::json!({"a": [KEY, {"b": format!("x{KEY}")}], KEY: 1});
        r.scrub_value(&mut v);
        assert!(!v.to_string().contains(KEY), "{v}");
        let mut h = HeaderMap::new();
        h.insert("x-echo", format!("Bearer {KEY}").parse().unwrap());
        h.insert("x-other", "fine".parse().unwrap());
        r.scrub_headers(&mut h);
        assert_eq!(h["x-echo"], "Bearer <redacted>");
        assert_eq!(h["x-other"], "fine");
        // A name holding a secret, in any case, is renamed; its values kept
        // (scrubbed), in order, and the other headers untouched.
        let mixed = Redactor::new([&Secret::new("Wallet-TOKEN-1234")]);
        let mut h = HeaderMap::new();
        h.append("x-wallet-token-1234", "1".parse().unwrap());
        h.append("x-wallet-token-1234", "Wallet-TOKEN-1234".parse().unwrap());
        h.append("x-other", "fine".parse().unwrap());
        mixed.scrub_headers(&mut h);
        let all: Vec<(String, String)> = h
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
            .collect();
        assert_eq!(
            all,
            [
                ("x-redacted".to_owned(), "1".to_owned()),
                ("x-redacted".to_owned(), "<redacted>".to_owned()),
                ("x-other".to_owned(), "fine".to_owned()),
            ]
        );
        // Short keys are not scrubbed; escaped forms are.
        let short = Redactor::new([&Secret::new("abc")]);
        assert_eq!(short.scrub("abc".into()), "abc");
        let odd = Redactor::new([&Secret::new("k/\"q")]);
        assert_eq!(
            odd.scrub(r#"{"e":"k\/\"q k/\"q"}"#.into()),
            r#"{"e":"<redacted> <redacted>"}"#
        );
    }
}
