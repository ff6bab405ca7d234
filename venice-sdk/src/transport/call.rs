//! [`Call`]: one request of an operation, described once and built anew for each
//! attempt — path parameters (percent-encoded), query, headers, a JSON body
//! (checked against the spec's value rules and serialized once) or a multipart
//! form (rebuilt from its parts), with the credentials its auth mode takes —
//! and what to make of the answer: each of its last methods hands the call to
//! [`send`] with one [`answer`](super::answer) reader (JSON decoded into its
//! type, bytes of an expected media type, bytes streamed into a writer, JSON or
//! text, JSON or media by the answer's media type, a body read as it arrives,
//! or a server-sent event stream).
//!
//! Adding an operation to a resource is one `Call` chain:
//! `Call::new(&operations::GET_CHARACTER_BY_SLUG).path("slug", slug).json(config)`.

use std::borrow::Cow;
use std::marker::PhantomData;

use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue, USER_AGENT};
use serde::de::DeserializeOwned;

use super::answer::{
    Answer, Buffer, Decode, DecodeOrHead, DecodeOrText, DecodeOrWrite, Head, HeadOrRedirect,
    JsonOrMedia, JsonOrOpen, Live, Opened, WriteTo, describe,
};
use super::live::LiveBody;
use super::send::{Source, send};
use crate::config::Config;
use crate::credentials;
use crate::meta::JsonOrText;
use crate::operations::{Auth, Method, Operation, OperationExt as _};
use crate::retry::Replay;
use crate::{Error, Response};

/// The request method of an operation: every [`Method`] has its own (no
/// fallback; a method added to [`Method`] fails this build until it is named here).
pub(crate) fn http_method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Put => reqwest::Method::PUT,
        Method::Post => reqwest::Method::POST,
        Method::Delete => reqwest::Method::DELETE,
        Method::Options => reqwest::Method::OPTIONS,
        Method::Head => reqwest::Method::HEAD,
        Method::Patch => reqwest::Method::PATCH,
        Method::Trace => reqwest::Method::TRACE,
    }
}

/// Adds what every request needs: the credentials the operation takes (see
/// [`Auth`]) and the user agent. Drops progenitor's `api-version` header.
///
/// - `Bearer`, `Optional`: the API key, when the client has one.
/// - `BearerOrWallet`: the API key, else the wallet's token.
/// - `Wallet`: the wallet token only.
/// - `None`: no credential at all.
///
/// The wallet token goes in the spec's wallet header
/// ([`credentials::wallet_header`]); a wallet token under a legacy name is
/// always dropped (nothing is sent under a legacy name). A request without
/// the client's token keeps the one it carries under the spec's name when the
/// operation declares that header as its own parameter (the generated
/// builder's `sign_in_with_x(..)`). Every credential header ends marked
/// sensitive, whoever set it.
pub(crate) fn prepare(config: &Config, op: &Operation, request: &mut reqwest::Request) {
    let headers = request.headers_mut();
    headers.remove("api-version");
    let (key, wallet) = match op.auth {
        Auth::Bearer | Auth::Optional => (config.auth.as_ref(), None),
        Auth::BearerOrWallet => match &config.auth {
            Some(key) => (Some(key), None),
            None => (None, config.wallet.as_ref()),
        },
        Auth::Wallet => (None, config.wallet.as_ref()),
        Auth::None => (None, None),
    };
    match key {
        Some(key) => {
            headers.insert(AUTHORIZATION, key.clone());
        }
        None => {
            headers.remove(AUTHORIZATION);
        }
    }
    for legacy in credentials::LEGACY_WALLET_HEADERS {
        headers.remove(legacy);
    }
    if let Some(name) = credentials::wallet_header() {
        match wallet {
            Some(token) => {
                headers.insert(name.clone(), token.clone());
            }
            None => {
                let own_parameter = op
                    .header_params
                    .iter()
                    .any(|p| p.eq_ignore_ascii_case(name.as_str()));
                if !own_parameter {
                    headers.remove(name);
                }
            }
        }
    }
    credentials::mark_sensitive(headers);
    if !headers.contains_key(USER_AGENT) {
        headers.insert(USER_AGENT, config.user_agent.clone());
    }
}

/// What a path segment may hold as is: RFC 3986 unreserved characters.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A multipart form, built anew for each attempt.
type FormFactory<'a> = Box<dyn Fn() -> Result<reqwest::multipart::Form, Error> + Send + Sync + 'a>;

/// The body of a call.
enum Payload<'a> {
    None,
    /// Serialized once; each attempt shares the bytes.
    Json(Bytes),
    Form(FormFactory<'a>),
}

/// One request of an operation.
pub(crate) struct Call<'a> {
    op: &'static Operation,
    /// An absolute URL the server handed out (a `download_url`), in place of
    /// the base URL and the operation's path.
    target: Option<&'a str>,
    /// How safe a repeat is, when the call knows better than its method.
    replay: Option<Replay>,
    path: Vec<(&'static str, &'a str)>,
    query: Vec<(&'static str, String)>,
    headers: Vec<(HeaderName, HeaderValue)>,
    accept: &'static str,
    payload: Payload<'a>,
}

impl<'a> Call<'a> {
    /// A call of `op`, accepting JSON, with nothing set.
    pub fn new(op: &'static Operation) -> Self {
        Call {
            op,
            target: None,
            replay: None,
            path: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            accept: "application/json",
            payload: Payload::None,
        }
    }

    /// Sends the call to `url`, an absolute `http(s)` URL the API handed out,
    /// instead of the base URL and the operation's path. The operation's auth
    /// mode still decides the credentials (`Auth::None`: none). The URL is a
    /// credential: it is never quoted in errors or logs, its secret parts (query
    /// values, user info) are scrubbed from whatever the server sends back, and
    /// the call's errors drop the answer's `Location` and `Content-Location`
    /// (see [`call_config`](Self::call_config)).
    pub fn at_url(mut self, url: &'a str) -> Self {
        self.target = Some(url);
        self
    }

    /// Retries the call like an idempotent one, whatever its method: for a
    /// `POST` that only reads (a job's status, without deleting anything).
    pub fn idempotent(mut self) -> Self {
        self.replay = Some(Replay::Idempotent);
        self
    }

    /// Sends the call at most once once it may have reached the server, whatever
    /// the server answers (`429`, `408`, `x-should-retry: true`): for a request
    /// carrying a signed payment. Only a connection that failed before anything
    /// was sent is tried again.
    pub fn sent_once(mut self) -> Self {
        self.replay = Some(Replay::Never);
        self
    }

    /// Sets the path parameter `{name}`; the value is percent-encoded.
    pub fn path(mut self, name: &'static str, value: &'a str) -> Self {
        self.path.push((name, value));
        self
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    /// Adds the query parameter `name` once per value, in order
    /// (`name=a&name=b`: OpenAPI's default `style: form, explode: true` for
    /// arrays); nothing when there is no value.
    pub fn query_each<V: ToString>(
        mut self,
        name: &'static str,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        self.query
            .extend(values.into_iter().map(|v| (name, v.to_string())));
        self
    }

    /// Adds a query parameter when it has a value.
    pub fn query_opt(self, name: &'static str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    /// Adds a header (a value that cannot travel in a header is refused when the
    /// call is made, naming the header).
    pub fn header(self, name: &'static str, value: HeaderValue) -> Self {
        self.header_named(HeaderName::from_static(name), value)
    }

    /// Adds a header by its parsed name (a name read from the spec).
    pub fn header_named(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Sets what the answer may be (`Accept`).
    pub fn accept(mut self, accept: &'static str) -> Self {
        self.accept = accept;
        self
    }

    /// Sets a JSON body, after checking it against the operation's value rules
    /// (on the typed value: nothing is re-parsed).
    pub fn body<B: serde::Serialize + ?Sized>(mut self, body: &B) -> Result<Self, Error> {
        self.op.check(body)?;
        let bytes = serde_json::to_vec(body).map_err(|e| Error::invalid("body", e.to_string()))?;
        self.payload = Payload::Json(Bytes::from(bytes));
        Ok(self)
    }

    /// Sets a multipart body, built by `form` for each attempt (so a retry sends
    /// the same parts again; files are reopened and streamed).
    pub fn form(
        mut self,
        form: impl Fn() -> Result<reqwest::multipart::Form, Error> + Send + Sync + 'a,
    ) -> Self {
        self.payload = Payload::Form(Box::new(form));
        self
    }

    /// The configuration this call is sent with: the client's, or for a call
    /// sent to a URL the API handed out ([`at_url`](Self::at_url)) the client's
    /// marked `external`, its redactor taught the URL's secret parts.
    fn call_config<'c>(&self, config: &'c Config) -> Cow<'c, Config> {
        match self.target {
            None => Cow::Borrowed(config),
            Some(target) => {
                let mut own = config.clone();
                own.redactor = config.redactor.with_url(target);
                own.external = true;
                Cow::Owned(own)
            }
        }
    }

    /// The URL, with the path parameters in place: the client's parsed base
    /// URL with its path extended (no URL is parsed per request), or the
    /// absolute URL the call was sent to ([`at_url`](Self::at_url)).
    fn url(&self, config: &Config) -> Result<reqwest::Url, Error> {
        if let Some(target) = self.target {
            return external_url(config, target);
        }
        let base_path = config.base.path().trim_end_matches('/');
        let mut path = String::with_capacity(base_path.len() + self.op.path.len() + 16);
        path.push_str(base_path);
        let mut rest = self.op.path;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            path.push_str(&rest[..open]);
            let name = &rest[open + 1..close];
            let value = self
                .path
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| *v)
                .ok_or_else(|| {
                    Error::Config(format!("{}: path parameter `{name}` not set", self.op.id))
                })?;
            if value.trim().is_empty() {
                return Err(Error::invalid(name, "is empty"));
            }
            path.extend(utf8_percent_encode(value, PATH_SEGMENT));
            rest = &rest[close + 1..];
        }
        path.push_str(rest);
        let mut url = config.base.clone();
        url.set_path(&path);
        Ok(url)
    }

    /// The request of one attempt.
    fn build(
        &self,
        config: &Config,
        url: &reqwest::Url,
        json: Option<&Bytes>,
    ) -> Result<reqwest::Request, Error> {
        let mut builder = config
            .http
            .request(http_method(self.op.method), url.clone())
            .header(ACCEPT, HeaderValue::from_static(self.accept));
        if !self.query.is_empty() {
            builder = builder.query(&self.query);
        }
        // The user's additions go to the API only, never to a URL it handed out.
        let extras = self.target.is_none().then_some(&*config.extras);
        if let Some(extras) = extras.filter(|e| !e.query.is_empty()) {
            builder = builder.query(&extras.query);
        }
        for (name, value) in &self.headers {
            builder = builder.header(name.clone(), value.clone());
        }
        builder = match (&self.payload, json) {
            (Payload::Json(_), Some(bytes)) => builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(bytes.clone()),
            (Payload::Form(form), _) => builder.multipart(form()?),
            _ => builder,
        };
        let mut request = builder
            .build()
            .map_err(|e| Error::invalid("request", e.to_string()))?;
        if let Some(extras) = extras {
            for (name, value) in &extras.headers {
                request.headers_mut().insert(name.clone(), value.clone());
            }
        }
        prepare(config, self.op, &mut request);
        Ok(request)
    }

    /// The JSON body to send: the typed one, with the user's extra fields
    /// merged over it (once per call, not per attempt).
    fn json_body(&self, config: &Config) -> Result<Option<Bytes>, Error> {
        let Payload::Json(bytes) = &self.payload else {
            return Ok(None);
        };
        if self.target.is_some() || config.extras.body.is_empty() {
            return Ok(Some(bytes.clone()));
        }
        let mut body: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(bytes)
            .map_err(|_| {
                Error::invalid(
                    "body",
                    "extra body fields need a JSON object body, and this operation's is not one",
                )
            })?;
        for (name, value) in &config.extras.body {
            body.insert(name.clone(), value.clone());
        }
        serde_json::to_vec(&body)
            .map(|merged| Some(Bytes::from(merged)))
            .map_err(|e| Error::invalid("body", e.to_string()))
    }

    /// The attempts' requests: the first built now (so a bad request fails
    /// before anything is sent), the next ones built again only for a retry.
    fn source<'s>(&'s self, config: &'s Config) -> Result<Source<'s>, Error> {
        let url = self.url(config)?;
        let json = self.json_body(config)?;
        let first = self.build(config, &url, json.as_ref())?;
        Ok(Source::Factory {
            first: Some(Box::new(first)),
            build: Box::new(move || self.build(config, &url, json.as_ref())),
            replay: self.replay,
        })
    }

    /// Sends the call (with the [call's configuration](Self::call_config))
    /// and returns what `answer` makes of the answer: the one send path
    /// ([`send`]) under every method below.
    async fn send<A: Answer>(self, config: &Config, answer: A) -> Result<A::Output, Error> {
        let config = &*self.call_config(config);
        let source = self.source(config)?;
        send(config, self.op, source, answer).await
    }

    /// Sends the call and decodes a JSON answer into `T` (the generated response
    /// type) ([`Decode`]).
    pub async fn json<T: DeserializeOwned>(self, config: &Config) -> Result<Response<T>, Error> {
        self.send(config, Decode::new()).await
    }

    /// Sends the call and returns an answer of one of the `expected` media types
    /// (`"image/"`, `"audio/"`) as bytes ([`Buffer`]).
    pub async fn bytes(self, config: &Config, expected: &str) -> Result<Response<Bytes>, Error> {
        self.send(config, Buffer { expected }).await
    }

    /// Sends the call and decodes a JSON answer into `T`, or keeps a text
    /// answer ([`DecodeOrText`]).
    pub async fn json_or_text<T: DeserializeOwned>(
        self,
        config: &Config,
    ) -> Result<Response<JsonOrText<T>>, Error> {
        self.send(config, DecodeOrText::new()).await
    }

    /// Sends the call and writes an answer of the `expected` media type into
    /// `writer` as it arrives, without holding it ([`WriteTo`]).
    pub async fn download<W>(
        self,
        config: &Config,
        expected: &str,
        writer: &mut W,
    ) -> Result<Response<u64>, Error>
    where
        W: tokio::io::AsyncWrite + Unpin + ?Sized,
    {
        self.send(config, WriteTo { expected, writer }).await
    }

    /// Sends the call and, by the answer's media type, decodes a JSON answer
    /// into `T`, or writes media of the `expected` type into `writer`
    /// ([`DecodeOrWrite`]).
    pub async fn json_or_download<T, W>(
        self,
        config: &Config,
        expected: &str,
        writer: &mut W,
    ) -> Result<Response<JsonOrMedia<T>>, Error>
    where
        T: DeserializeOwned,
        W: tokio::io::AsyncWrite + Unpin + ?Sized,
    {
        let json = PhantomData;
        let answer = DecodeOrWrite {
            expected,
            writer,
            json,
        };
        self.send(config, answer).await
    }

    /// Sends the call and returns the success response once its head has
    /// arrived, its body unread ([`Head`]).
    pub async fn open(self, config: &Config) -> Result<reqwest::Response, Error> {
        self.send(config, Head).await
    }

    /// As [`open`](Self::open), but an error answer whose status `follow`
    /// accepts comes back as [`Opened::Redirect`] ([`HeadOrRedirect`]).
    pub async fn open_or_redirect(
        self,
        config: &Config,
        follow: fn(reqwest::StatusCode) -> bool,
    ) -> Result<Opened, Error> {
        self.send(config, HeadOrRedirect { follow }).await
    }

    /// Sends the call and, by the answer's media type, decodes a JSON answer
    /// into `T`, or returns media of the `expected` type with its body unread
    /// ([`DecodeOrHead`]).
    pub async fn json_or_open<T: DeserializeOwned>(
        self,
        config: &Config,
        expected: &str,
    ) -> Result<JsonOrOpen<T>, Error> {
        let json = PhantomData;
        self.send(config, DecodeOrHead { expected, json }).await
    }

    /// Sends the call and returns the answer's body, to be read as it arrives
    /// under the stream limits, once its head says it is of the `expected`
    /// media type ([`Live`]).
    pub async fn body_stream(self, config: &Config, expected: &str) -> Result<LiveBody, Error> {
        let described = &describe(expected);
        self.send(
            config,
            Live {
                expected,
                described,
            },
        )
        .await
    }

    /// Sends the call and returns its `text/event-stream` body once the head
    /// has arrived ([`Live`]), to be read under the stream limits (the typed
    /// streams of [`crate::stream`] read its events).
    pub async fn event_stream(self, config: &Config) -> Result<LiveBody, Error> {
        let expected = "text/event-stream";
        let answer = Live {
            expected,
            described: "a text/event-stream",
        };
        self.accept(expected).send(config, answer).await
    }
}

/// An absolute URL the API handed out, checked before anything is sent to it:
/// `https://`, or plain `http://` only when the client's own base URL is plain
/// HTTP (which the builder allows only to this machine or with
/// `allow_insecure_http`: tests, a local proxy, a network the user trusts); no
/// user name or password. The error never quotes the URL (it may carry a
/// token).
pub(crate) fn external_url(config: &Config, url: &str) -> Result<reqwest::Url, Error> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|_| Error::invalid("download_url", "is not a URL"))?;
    match parsed.scheme() {
        "https" => {}
        "http" if config.base.scheme() == "http" => {}
        "http" => {
            return Err(Error::invalid(
                "download_url",
                "uses plain http:// while the client uses https://; refused so the media does not travel unencrypted",
            ));
        }
        _ => {
            return Err(Error::invalid(
                "download_url",
                "is not an http:// or https:// URL",
            ));
        }
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::invalid(
            "download_url",
            "contains a user name or password",
        ));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations;

    fn config() -> std::sync::Arc<Config> {
        crate::Client::builder()
            .base_url("http://127.0.0.1:9/api/v1")
            .build()
            .unwrap()
            .config()
            .clone()
    }

    #[test]
    fn the_wallet_token_goes_in_the_specs_header_and_every_credential_is_sensitive() {
        const TOKEN: &str = "siwx-token-0a1b2c3d";
        const LEGACY: &str = "legacy-token-9f8e7d";
        const PAYMENT: &str = "payment-value-5a6b7c";
        let client = crate::Client::builder()
            .base_url("http://127.0.0.1:9/api/v1")
            .sign_in_with_x(TOKEN)
            .build()
            .unwrap()
            .with_header("X-Sign-In-With-X", LEGACY)
            .unwrap()
            .with_header("PAYMENT-SIGNATURE", PAYMENT)
            .unwrap();
        let config = client.config().clone();
        let wallet = operations::WALLET_AUTH_HEADER.unwrap().to_ascii_lowercase();
        let call = Call::new(&operations::GET_X402_BALANCE).path("walletAddress", "0x1");
        let url = call.url(&config).unwrap();
        let request = call.build(&config, &url, None).unwrap();
        let headers = request.headers();
        assert_eq!(headers[wallet.as_str()], TOKEN);
        assert!(headers[wallet.as_str()].is_sensitive());
        // The legacy name is not sent beside it.
        assert!(headers.get("x-sign-in-with-x").is_none());
        // A payment set by hand is a credential too.
        assert!(headers["payment-signature"].is_sensitive());
        let shown = format!("{request:?}");
        for secret in [TOKEN, LEGACY, PAYMENT] {
            assert!(!shown.contains(secret), "{shown}");
        }
        // An operation that takes no wallet gets no wallet token.
        let call = Call::new(&operations::LIST_CHARACTERS);
        let url = call.url(&config).unwrap();
        let request = call.build(&config, &url, None).unwrap();
        assert!(request.headers().get(wallet.as_str()).is_none());
        assert!(request.headers().get("x-sign-in-with-x").is_none());
    }

    #[test]
    fn the_users_extras_go_to_the_api_and_never_to_a_url_it_handed_out() {
        let client = crate::Client::builder()
            .base_url("http://127.0.0.1:9/api/v1")
            .build()
            .unwrap()
            .with_secret_header("x-gateway-token", "gw-token-123456")
            .unwrap()
            .with_query("preview", "1")
            .with_extra_body(serde_json::json!({"extra": 1}))
            .unwrap();
        let config = client.config().clone();
        let api = Call::new(&operations::LIST_CHARACTERS);
        let url = api.url(&config).unwrap();
        let request = api.build(&config, &url, None).unwrap();
        assert_eq!(request.headers()["x-gateway-token"], "gw-token-123456");
        assert!(request.headers()["x-gateway-token"].is_sensitive());
        assert_eq!(request.url().query(), Some("preview=1"));
        let external =
            Call::new(&operations::LIST_CHARACTERS).at_url("http://127.0.0.1:9/media/x?sig=abc");
        let url = external.url(&config).unwrap();
        let request = external.build(&config, &url, None).unwrap();
        assert!(request.headers().get("x-gateway-token").is_none());
        assert_eq!(request.url().query(), Some("sig=abc"));
        // A JSON body gets the extra fields (for the API only).
        let body = Call::new(&operations::CREATE_CHAT_COMPLETION)
            .body(
                &serde_json::json!({"model": "m", "messages": [{"role": "user", "content": "x"}]}),
            )
            .unwrap();
        let merged = body.json_body(&config).unwrap().unwrap();
        let merged: serde_json::Value = serde_json::from_slice(&merged).unwrap();
        assert_eq!(merged["extra"], 1);
        assert_eq!(merged["model"], "m");
    }

    #[test]
    fn repeated_query_keys_keep_their_order() {
        let config = config();
        let call = Call::new(&operations::LIST_CHARACTERS)
            .query_each("tags", ["a b", "c&d"])
            .query_each("tags", Vec::<String>::new())
            .query("limit", 5);
        let url = call.url(&config).unwrap();
        let request = call.build(&config, &url, None).unwrap();
        assert_eq!(request.url().query(), Some("tags=a+b&tags=c%26d&limit=5"));
    }

    #[test]
    fn path_parameters_are_percent_encoded_and_required() {
        let config = config();
        let call = Call::new(&operations::GET_CHARACTER_BY_SLUG).path("slug", "a b/../c?d#é");
        assert_eq!(
            call.url(&config).unwrap().as_str(),
            "http://127.0.0.1:9/api/v1/characters/a%20b%2F..%2Fc%3Fd%23%C3%A9"
        );
        let missing = Call::new(&operations::GET_CHARACTER_BY_SLUG);
        assert!(matches!(missing.url(&config), Err(Error::Config(_))));
        let empty = Call::new(&operations::GET_CHARACTER_BY_SLUG).path("slug", " ");
        assert!(matches!(
            empty.url(&config),
            Err(Error::InvalidRequest { .. })
        ));
    }
}
