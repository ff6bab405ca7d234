//! The client and its builder.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;

#[cfg(feature = "raw")]
use crate::RawClient;
use crate::config::{self, Config, Extras};
use crate::credentials;
use crate::retry::{RetryBudget, RetryPolicy};
use crate::secret::Redactor;
use crate::{Error, Secret};

use crate::defaults::{
    DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_DOWNLOAD_SIZE, DEFAULT_MAX_EVENT_SIZE,
    DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_STREAM_IDLE_TIMEOUT, DEFAULT_TIMEOUT,
};

/// A Venice API client.
///
/// Cheap to clone (clones share one connection pool and configuration) and safe to
/// share between tasks. Each resource method returns a short-lived handle:
/// `client.chat().create(request)`.
///
/// `Debug` never shows the API key.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// use venice_sdk::{Message, types::ChatCompletionRequest};
///
/// // Built once, cloned freely (clones share connections and configuration).
/// let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Hi")]);
/// let answer = client.chat().create(request).await?;
/// println!("{}", answer.text().unwrap_or_default());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    config: Arc<Config>,
    #[cfg(feature = "raw")]
    raw: Arc<RawClient>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder, starting from the defaults: [`DEFAULT_BASE_URL`], no API key,
    /// [`DEFAULT_TIMEOUT`], [`DEFAULT_CONNECT_TIMEOUT`].
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// use std::time::Duration;
    ///
    /// let client = venice_sdk::Client::builder()
    ///     .api_key("my-key")
    ///     .timeout(Duration::from_secs(120))
    ///     .max_retries(3)
    ///     .build()?;
    /// assert_eq!(client.base_url(), venice_sdk::defaults::DEFAULT_BASE_URL);
    /// # Ok(()) }
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: `VENICE_API_KEY` (required) and
    /// `VENICE_BASE_URL` (optional).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// // VENICE_API_KEY=... (and optionally VENICE_BASE_URL=...)
    /// let client = venice_sdk::Client::from_env()?;
    /// # Ok(()) }
    /// ```
    pub fn from_env() -> Result<Client, Error> {
        let key = std::env::var("VENICE_API_KEY").map_err(|_| {
            Error::Config(
                "VENICE_API_KEY is not set (or not UTF-8); export it, or pass a key with Client::builder().api_key(..)".into(),
            )
        })?;
        let mut builder = Client::builder().api_key(key);
        if let Ok(url) = std::env::var("VENICE_BASE_URL") {
            builder = builder.base_url(url);
        }
        builder.build()
    }

    /// The generated client, for anything the resources do not cover.
    ///
    /// Its calls go through the same send path as the resource methods: the API
    /// key (left off the operations the spec marks `security: []`), the user
    /// agent, the spec's value rules (checked before sending), retries per the
    /// [retry policy](crate::retry) within the shared budget, the timeouts, the
    /// response size limit, the scrubbing of the API key from error bodies and
    /// headers, and a tracing span per call.
    ///
    /// What they do not get: response metadata and the SDK's [`Error`]: they
    /// return progenitor's types; a failure of the send path itself (a timeout, a
    /// connection failure, an oversized body) is `progenitor_client::Error::Custom`
    /// with the SDK error's message.
    ///
    /// Operations whose response carries a secret (`POST /api_keys`,
    /// `POST /api_keys/generate_web3_key`: see
    /// [`Operation::returns_secret`](crate::operations::Operation::returns_secret))
    /// are refused before anything is sent, with
    /// `progenitor_client::Error::InvalidRequest` naming the method to call
    /// instead ([`ApiKeys::create`](crate::resources::ApiKeys::create),
    /// [`ApiKeys::create_web3_key`](crate::resources::ApiKeys::create_web3_key)):
    /// an undecodable answer to them would put the new key in the error's
    /// `Display`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// // Progenitor's builder for `GET /image/styles`, on the SDK's send path.
    /// let styles = client.raw().list_image_styles().send().await;
    /// assert!(styles.is_ok());
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "raw")]
    pub fn raw(&self) -> &RawClient {
        &self.raw
    }

    /// A client like this one (same connections and retry budget) whose calls
    /// retry at most `retries` times; `0` disables retries. For one call:
    /// `client.with_max_retries(0).chat().create(req)`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// // This one call is not retried; `client` keeps its own setting.
    /// let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Hi")]);
    /// let answer = client.with_max_retries(0).chat().create(request).await?;
    /// # Ok(()) }
    /// ```
    pub fn with_max_retries(&self, retries: u32) -> Client {
        self.derive(|c| c.retry.max_retries = retries)
    }

    /// A client like this one whose non-streaming calls (and stream heads) time
    /// out after `timeout`.
    ///
    /// Zero is a configuration error; a duration too large for the clock (such as
    /// `Duration::MAX`) means no limit.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// use std::time::Duration;
    ///
    /// let patient = client.with_timeout(Duration::from_secs(1800))?;
    /// let models = patient.models().list(None).await?;
    /// // Zero is refused with a message naming the setting.
    /// assert!(client.with_timeout(Duration::ZERO).is_err());
    /// # Ok(()) }
    /// ```
    pub fn with_timeout(&self, timeout: Duration) -> Result<Client, Error> {
        let timeout = config::positive("timeout", timeout)?;
        Ok(self.derive(|c| c.timeout = timeout))
    }

    /// A client like this one whose connections must be established within
    /// `timeout`.
    ///
    /// The connect timeout belongs to the HTTP client's connection pool, so the
    /// returned client has a pool of its own (the retry budget is still shared).
    /// With a client given to [`ClientBuilder::http_client`] this is a
    /// configuration error: set the timeout on that client.
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// use std::time::Duration;
    ///
    /// let client = venice_sdk::Client::builder().api_key("my-key").build()?;
    /// let quick = client.with_connect_timeout(Duration::from_secs(2))?;
    /// # Ok(()) }
    /// ```
    pub fn with_connect_timeout(&self, timeout: Duration) -> Result<Client, Error> {
        if !self.config.own_http {
            return Err(Error::Config(
                "the connect timeout of a custom HTTP client is set on that client".into(),
            ));
        }
        let timeout = config::positive("connect_timeout", timeout)?;
        let http = config::default_http(&self.config.base_url, timeout, &self.config.user_agent)?;
        Ok(self.derive(|c| {
            c.connect_timeout = timeout;
            c.http = http;
        }))
    }

    /// A client like this one whose streams end after `timeout` without a byte.
    ///
    /// Zero is a configuration error; `Duration::MAX` means no limit.
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// use std::time::Duration;
    ///
    /// let client = venice_sdk::Client::builder().api_key("my-key").build()?;
    /// // A slow reasoning model may think for minutes between tokens.
    /// let patient = client.with_stream_idle_timeout(Duration::from_secs(600))?;
    /// # Ok(()) }
    /// ```
    pub fn with_stream_idle_timeout(&self, timeout: Duration) -> Result<Client, Error> {
        let timeout = config::positive("stream_idle_timeout", timeout)?;
        Ok(self.derive(|c| c.stream_idle_timeout = timeout))
    }

    /// A client like this one whose streams (and media downloads) end with [`TimeoutKind::Stream`](crate::TimeoutKind::Stream) once they have
    /// run for `limit` in all, even while bytes keep coming.
    ///
    /// Zero is a configuration error; `Duration::MAX` means no limit.
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// use std::time::Duration;
    ///
    /// let client = venice_sdk::Client::builder().api_key("my-key").build()?;
    /// let bounded = client.with_stream_timeout(Duration::from_secs(300))?;
    /// # Ok(()) }
    /// ```
    pub fn with_stream_timeout(&self, limit: Duration) -> Result<Client, Error> {
        let limit = config::positive("stream_timeout", limit)?;
        Ok(self.derive(|c| c.stream_timeout = Some(limit)))
    }

    /// A client like this one whose JSON request bodies carry `fields` too:
    /// the escape hatch for a request field Venice accepts and this SDK does
    /// not know yet, without leaving the typed method. `fields` is a JSON
    /// object; its members are merged over the typed body (a field of the
    /// same name is replaced). The typed fields are still checked against the
    /// spec's value rules; the extra ones are sent as given. Calls before
    /// this one are unchanged; calling it again adds more fields.
    ///
    /// ```
    /// # async fn run(client: venice_sdk::Client) -> Result<(), venice_sdk::Error> {
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Hi")]);
    /// let completion = client
    ///     .with_extra_body(serde_json::json!({"fallbacks": ["qwen3-4b"]}))?
    ///     .chat()
    ///     .create(request)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// A value that is not a JSON object is an [`Error::Config`]. Multipart
    /// uploads (images, audio) do not take extra body fields. Put a secret in
    /// a header with [`with_secret_header`](Self::with_secret_header), which
    /// keeps it out of errors and logs.
    pub fn with_extra_body(&self, fields: serde_json::Value) -> Result<Client, Error> {
        let serde_json::Value::Object(fields) = fields else {
            return Err(Error::Config(
                "with_extra_body takes a JSON object of fields (`json!({\"field\": value})`)"
                    .into(),
            ));
        };
        Ok(self.derive(|c| {
            let mut extras = Extras::clone(&c.extras);
            extras.body.extend(fields);
            c.extras = Arc::new(extras);
        }))
    }

    /// A client like this one whose requests to the API carry the header
    /// `name: value` (replacing one of the same name the SDK would send).
    /// Never sent to a URL the API handed out (a `download_url`).
    ///
    /// ```
    /// # fn run(client: venice_sdk::Client) -> Result<(), venice_sdk::Error> {
    /// let traced = client.with_header("x-trace-id", "checkout-42")?;
    /// # Ok(()) }
    /// ```
    ///
    /// A header that carries a credential — `Authorization`, the wallet
    /// header (`SIGN-IN-WITH-X`, or the legacy `X-Sign-In-With-X`), an x402
    /// payment header (`PAYMENT-SIGNATURE`, or the legacy `X-402-Payment`
    /// and `X-PAYMENT`) — is taken as
    /// [`with_secret_header`](Self::with_secret_header) takes it. A request
    /// carrying a payment is never sent twice once it may have reached the
    /// server.
    ///
    /// A name or value an HTTP header cannot carry is an [`Error::Config`].
    pub fn with_header(&self, name: &str, value: &str) -> Result<Client, Error> {
        if reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .is_ok_and(|parsed| credentials::is_credential(&parsed))
        {
            return self.with_secret_header(name, value);
        }
        let value = HeaderValue::from_str(value).map_err(|_| {
            Error::Config(format!(
                "the value of header `{}` has characters a header cannot carry (a line break?)",
                crate::error::Shown(name)
            ))
        })?;
        self.add_header(name, value, None)
    }

    /// Like [`with_header`](Self::with_header) for a credential (a token of
    /// another service behind a gateway): the value is a sensitive header,
    /// and is replaced by `<redacted>` wherever the server echoes it into an
    /// error, as the API key is.
    ///
    /// ```
    /// # fn run(client: venice_sdk::Client) -> Result<(), venice_sdk::Error> {
    /// let gated = client.with_secret_header("x-gateway-token", "gw-s3cr3t-token")?;
    /// # Ok(()) }
    /// ```
    pub fn with_secret_header(
        &self,
        name: &str,
        value: impl Into<Secret>,
    ) -> Result<Client, Error> {
        let secret: Secret = value.into();
        let mut header = HeaderValue::from_str(secret.expose()).map_err(|_| {
            Error::Config(format!(
                "the value of header `{}` has characters a header cannot carry (a line break?); it is not quoted",
                crate::error::Shown(name)
            ))
        })?;
        header.set_sensitive(true);
        self.add_header(name, header, Some(secret))
    }

    fn add_header(
        &self,
        name: &str,
        value: HeaderValue,
        secret: Option<Secret>,
    ) -> Result<Client, Error> {
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            Error::Config(format!(
                "`{}` is not a valid HTTP header name",
                crate::error::Shown(name)
            ))
        })?;
        Ok(self.derive(|c| {
            let mut extras = Extras::clone(&c.extras);
            extras.headers.retain(|(n, _)| *n != name);
            extras.headers.push((name, value));
            c.extras = Arc::new(extras);
            if let Some(secret) = &secret {
                c.redactor = c.redactor.with(secret);
            }
        }))
    }

    /// A client like this one whose requests to the API carry the query
    /// parameter `name=value` too (after the SDK's own). Never sent to a URL
    /// the API handed out.
    ///
    /// ```
    /// # fn run(client: venice_sdk::Client) {
    /// let client = client.with_query("preview", "true");
    /// # }
    /// ```
    pub fn with_query(&self, name: &str, value: impl ToString) -> Client {
        let pair = (name.to_owned(), value.to_string());
        self.derive(|c| {
            let mut extras = Extras::clone(&c.extras);
            extras.query.push(pair);
            c.extras = Arc::new(extras);
        })
    }

    fn derive(&self, change: impl FnOnce(&mut Config)) -> Client {
        let mut config = Config::clone(&self.config);
        change(&mut config);
        Client::from_config(Arc::new(config))
    }

    fn from_config(config: Arc<Config>) -> Client {
        #[cfg(feature = "raw")]
        let raw = Arc::new(RawClient::new_with_client(
            &config.base_url,
            config.http.clone(),
            config::Inner {
                config: Arc::clone(&config),
            },
        ));
        Client {
            config,
            #[cfg(feature = "raw")]
            raw,
        }
    }

    /// The base URL requests go to.
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// let client = venice_sdk::Client::builder()
    ///     .api_key("my-key")
    ///     .base_url("http://127.0.0.1:8080/api/v1/")
    ///     .build()?;
    /// assert_eq!(client.base_url(), "http://127.0.0.1:8080/api/v1");
    /// # Ok(()) }
    /// ```
    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    pub(crate) fn config(&self) -> &Arc<Config> {
        &self.config
    }
}

/// Configures a [`Client`].
///
/// ```
/// # fn main() -> Result<(), venice_sdk::Error> {
/// use std::time::Duration;
///
/// let client = venice_sdk::Client::builder()
///     .api_key("my-key")
///     .timeout(Duration::from_secs(300))
///     .stream_idle_timeout(Duration::from_secs(60))
///     .max_retries(1)
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    api_key: Option<Secret>,
    wallet: Option<Secret>,
    base_url: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    max_response_size: Option<usize>,
    max_download_size: Option<u64>,
    stream_idle_timeout: Option<Duration>,
    stream_timeout: Option<Duration>,
    max_event_size: Option<usize>,
    max_retries: Option<u32>,
    backoff: Option<(Duration, Duration)>,
    retry_after_cap: Option<Duration>,
    allow_insecure_http: bool,
    http_client: Option<reqwest::Client>,
    http_client_follows_no_redirects: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key)
            .field("wallet", &self.wallet)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_response_size", &self.max_response_size)
            .field("max_download_size", &self.max_download_size)
            .field("stream_idle_timeout", &self.stream_idle_timeout)
            .field("stream_timeout", &self.stream_timeout)
            .field("max_event_size", &self.max_event_size)
            .field("max_retries", &self.max_retries)
            .field("backoff", &self.backoff)
            .field("retry_after_cap", &self.retry_after_cap)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("http_client", &self.http_client.is_some())
            .field(
                "http_client_follows_no_redirects",
                &self.http_client_follows_no_redirects,
            )
            .finish()
    }
}

impl ClientBuilder {
    /// The API key, sent as `Authorization: Bearer <key>`.
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// let client = venice_sdk::Client::builder().api_key("my-key").build()?;
    /// // The key never shows in Debug.
    /// assert!(!format!("{client:?}").contains("my-key"));
    /// # Ok(()) }
    /// ```
    pub fn api_key(mut self, key: impl Into<Secret>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// A wallet's Sign-In-With-X token (base64 JSON proving the wallet's
    /// ownership, made by your wallet tooling: the SDK never signs anything).
    ///
    /// It is sent in the header the spec names for it
    /// ([`operations::WALLET_AUTH_HEADER`](crate::operations::WALLET_AUTH_HEADER):
    /// `SIGN-IN-WITH-X`; Venice still accepts the legacy `X-Sign-In-With-X`,
    /// which the SDK no longer sends) to the operations that take a wallet
    /// signature (the x402 wallet endpoints), and to those that take either
    /// credential when the client has no API key; never elsewhere. Like the
    /// key, it never appears in `Debug`, errors or logs. With a client given
    /// to [`http_client`](Self::http_client), [`build`](Self::build) refuses
    /// it unless that client follows no redirect (see there).
    ///
    /// ```
    /// # fn run(token: String) -> Result<(), venice_sdk::Error> {
    /// // `token`: base64 JSON of the signed SIWX message, from your wallet tooling.
    /// let client = venice_sdk::Client::builder().sign_in_with_x(token).build()?;
    /// # Ok(()) }
    /// ```
    pub fn sign_in_with_x(mut self, token: impl Into<Secret>) -> Self {
        self.wallet = Some(token.into());
        self
    }

    /// Where to send requests (default [`DEFAULT_BASE_URL`]); a trailing `/` is ignored.
    ///
    /// `https://` URLs are accepted, and `http://` ones only on a loopback host
    /// (`localhost`, `127.0.0.0/8`, `[::1]`, for tests and local proxies): plain
    /// HTTP elsewhere would send the API key and the prompts in clear, so it is a
    /// configuration error unless [`allow_insecure_http`](Self::allow_insecure_http)
    /// is set.
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// let client = venice_sdk::Client::builder()
    ///     .base_url("http://localhost:8080/api/v1")
    ///     .build()?;
    /// // Plain HTTP to a host that is not loopback is refused...
    /// assert!(venice_sdk::Client::builder().base_url("http://example.com/api/v1").build().is_err());
    /// # Ok(()) }
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Accepts an `http://` base URL on a host that is not loopback (a trusted
    /// network, a TLS-terminating sidecar). The key and every request then travel
    /// unencrypted to that host.
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// let client = venice_sdk::Client::builder()
    ///     .base_url("http://venice-proxy.internal/api/v1")
    ///     .allow_insecure_http()
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn allow_insecure_http(mut self) -> Self {
        self.allow_insecure_http = true;
        self
    }

    /// Time allowed for a whole non-streaming request (default 600 s).
    ///
    /// For every timeout of the builder: zero is a configuration error, and a
    /// duration too large for the clock (such as `Duration::MAX`) means no limit.
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// use std::time::Duration;
    /// let client = venice_sdk::Client::builder().timeout(Duration::from_secs(120)).build()?;
    /// # Ok(()) }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Time allowed to connect (default 10 s). Not applied to a client given with
    /// [`http_client`](Self::http_client): configure that one yourself.
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// use std::time::Duration;
    /// let client = venice_sdk::Client::builder().connect_timeout(Duration::from_secs(3)).build()?;
    /// # Ok(()) }
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Largest response body read into memory (default 64 MiB); a larger one is
    /// [`Error::BodyTooLarge`] naming
    /// [`SizeLimit::Response`](crate::SizeLimit::Response). Streams and
    /// [`generate_to`](crate::resources::Images::generate_to) are held to the same
    /// total, so a server trickling bytes cannot make them grow without end.
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// let client = venice_sdk::Client::builder().max_response_size(256 << 20).build()?;
    /// # Ok(()) }
    /// ```
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = Some(bytes);
        self
    }

    /// Most bytes a media job's download
    /// ([`Media::save`](crate::resources::Media::save),
    /// [`Media::download_to`](crate::resources::Media::download_to)) may deliver
    /// (default 8 GiB, [`DEFAULT_MAX_DOWNLOAD_SIZE`]; `u64::MAX` for no limit).
    /// Downloads are written out as they arrive, never held in memory, so they
    /// are not held to [`max_response_size`](Self::max_response_size); this
    /// limit only stops a server that would fill the disk. Past it the
    /// download ends with [`Error::BodyTooLarge`] naming
    /// [`SizeLimit::Download`](crate::SizeLimit::Download).
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// let client = venice_sdk::Client::builder().max_download_size(2 << 30).build()?;
    /// # Ok(()) }
    /// ```
    pub fn max_download_size(mut self, bytes: u64) -> Self {
        self.max_download_size = Some(bytes);
        self
    }

    /// Longest silence allowed between two reads of a stream (default 120 s); a
    /// stream may run longer than [`timeout`](Self::timeout) as long as bytes keep
    /// coming. A stall is [`Error::Timeout`] with [`TimeoutKind::Idle`](crate::TimeoutKind::Idle).
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// use std::time::Duration;
    /// let client = venice_sdk::Client::builder().stream_idle_timeout(Duration::from_secs(300)).build()?;
    /// # Ok(()) }
    /// ```
    pub fn stream_idle_timeout(mut self, timeout: Duration) -> Self {
        self.stream_idle_timeout = Some(timeout);
        self
    }

    /// Overall time limit of a stream, from its response head to its last byte
    /// (default: none — a stream may run as long as bytes keep coming within the
    /// [idle timeout](Self::stream_idle_timeout)). Past it, the stream ends with
    /// [`Error::Timeout`] with [`TimeoutKind::Stream`](crate::TimeoutKind::Stream).
    /// It also bounds each media job download
    /// ([`Media::save`](crate::resources::Media::save), `download_to`, `bytes`)
    /// as a whole, its resumes included.
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// use std::time::Duration;
    /// let client = venice_sdk::Client::builder().stream_timeout(Duration::from_secs(900)).build()?;
    /// # Ok(()) }
    /// ```
    pub fn stream_timeout(mut self, limit: Duration) -> Self {
        self.stream_timeout = Some(limit);
        self
    }

    /// Largest single server-sent event of a stream (default 16 MiB); a larger one
    /// is skipped and reported as an error item.
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// let client = venice_sdk::Client::builder().max_event_size(1 << 20).build()?;
    /// # Ok(()) }
    /// ```
    pub fn max_event_size(mut self, bytes: usize) -> Self {
        self.max_event_size = Some(bytes);
        self
    }

    /// Retries after the first attempt (default 2; 0 disables retries).
    ///
    /// What is retried depends on whether sending the request twice could do it
    /// twice: idempotent operations are retried on connection failures and 408,
    /// 409, 429, 500, 502, 503, 504; paid or creating ones (`POST`) only when the
    /// request never left or the server refused it (408, 429, 503 at capacity);
    /// API key creation and x402 top-ups (a signed payment) only when the
    /// request never left. Never an exhausted
    /// balance or spend limit. The whole table is in the [`retry`](crate::retry)
    /// module. A response header `x-should-retry: true|false` overrides the status.
    /// The delay is the server's `retry-after-ms` / `retry-after` (up to
    /// [`retry_after_cap`](Self::retry_after_cap)), else exponential backoff with
    /// jitter. All clones of the client share a retry budget: in any period, at
    /// most 10 + 10 % of the requests started in it are retried.
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// let client = venice_sdk::Client::builder().max_retries(0).build()?; // never retry
    /// # Ok(()) }
    /// ```
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// The backoff between retries: `initial`, doubled each retry, at most `max`
    /// (defaults 0.5 s and 8 s), less up to 25 % jitter.
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// use std::time::Duration;
    /// let client = venice_sdk::Client::builder()
    ///     .retry_backoff(Duration::from_millis(250), Duration::from_secs(10))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn retry_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.backoff = Some((initial, max));
        self
    }

    /// The longest `Retry-After` honoured (default 60 s). A server asking for a
    /// longer wait is not retried: its error is returned at once.
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// use std::time::Duration;
    /// // Wait at most 30 s for a server that asks to come back later.
    /// let client = venice_sdk::Client::builder().retry_after_cap(Duration::from_secs(30)).build()?;
    /// # Ok(()) }
    /// ```
    pub fn retry_after_cap(mut self, cap: Duration) -> Self {
        self.retry_after_cap = Some(cap);
        self
    }

    /// Sends requests with this `reqwest::Client` (proxies, TLS roots, pools…).
    ///
    /// # Build it with `redirect(Policy::none())`
    ///
    /// **Build the client with `.redirect(reqwest::redirect::Policy::none())`**,
    /// as the SDK's own client is. A client that follows redirects (reqwest's
    /// default, as `reqwest::Client::new()`) sends the request on to wherever a
    /// `3xx` points *before the SDK sees the answer*. To another origin, reqwest
    /// drops `Authorization` (the API key) and cookies, but carries every other
    /// header — a wallet's Sign-In-With-X token, an x402 payment signature —
    /// and, on a `307`/`308`, the body (your prompt). The SDK then refuses the
    /// answer ([`Error::Redirected`]: nothing of it is read or decoded), but
    /// what was sent is gone.
    ///
    /// So through a client given here the SDK sends neither of those
    /// credentials until you say the client follows no redirects with
    /// [`http_client_follows_no_redirects`](Self::http_client_follows_no_redirects):
    /// [`build`](Self::build) refuses a [`sign_in_with_x`](Self::sign_in_with_x)
    /// token, and [`x402().top_up`](crate::resources::X402::top_up) a payment
    /// (both [`Error::Config`], nothing sent).
    ///
    /// The SDK follows no redirect itself, but a media job's `download_url`'s
    /// (which carries no credential, each target held to the URL's rules).
    /// Connection settings (connect timeout, proxies, TLS) are this client's:
    /// the builder's [`connect_timeout`](Self::connect_timeout) does not apply.
    ///
    /// ```
    /// let http = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()?;
    /// let client = venice_sdk::Client::builder()
    ///     .api_key("vk-example")
    ///     .http_client(http)
    ///     .http_client_follows_no_redirects()
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Says that the client given to [`http_client`](Self::http_client) was
    /// built with `.redirect(reqwest::redirect::Policy::none())`, so the SDK
    /// may send it the credentials reqwest would carry to a redirect target:
    /// the [`sign_in_with_x`](Self::sign_in_with_x) token and x402 payment
    /// signatures. The SDK cannot check it (reqwest does not tell): if the
    /// client does follow a redirect to another origin, those credentials
    /// reach it, and the call fails with [`Error::Redirected`].
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// let http = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()
    ///     .map_err(|e| venice_sdk::Error::Config(e.to_string()))?;
    /// let client = venice_sdk::Client::builder()
    ///     .http_client(http)
    ///     .http_client_follows_no_redirects()
    ///     .sign_in_with_x("token")
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn http_client_follows_no_redirects(mut self) -> Self {
        self.http_client_follows_no_redirects = true;
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// ```
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// let client = venice_sdk::Client::builder().api_key("my-key").build()?;
    /// // A bad setting is a configuration error that says which and why.
    /// let err = venice_sdk::Client::builder().base_url("not a url").build().unwrap_err();
    /// assert!(matches!(err, venice_sdk::Error::Config(_)));
    /// # Ok(()) }
    /// ```
    pub fn build(self) -> Result<Client, Error> {
        let (base_url, base) = config::normalize_base_url(
            self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
            self.allow_insecure_http,
        )?;
        let auth = match &self.api_key {
            Some(key) => Some(config::auth_header(key)?),
            None => None,
        };
        let wallet = match &self.wallet {
            Some(token) => Some(config::wallet_header(token)?),
            None => None,
        };
        let timeout = config::positive("timeout", self.timeout.unwrap_or(DEFAULT_TIMEOUT))?;
        let connect_timeout = config::positive(
            "connect_timeout",
            self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
        )?;
        let stream_idle_timeout = config::positive(
            "stream_idle_timeout",
            self.stream_idle_timeout
                .unwrap_or(DEFAULT_STREAM_IDLE_TIMEOUT),
        )?;
        let stream_timeout = match self.stream_timeout {
            Some(limit) => Some(config::positive("stream_timeout", limit)?),
            None => None,
        };
        let user_agent =
            HeaderValue::from_static(concat!("venice-sdk/", env!("CARGO_PKG_VERSION")));
        let own_http = self.http_client.is_none();
        let follows_no_redirects = own_http || self.http_client_follows_no_redirects;
        if self.wallet.is_some() && credentials::wallet_header().is_none() {
            return Err(Error::Config(
                "the spec this SDK was generated from declares no wallet header: a Sign-In-With-X token cannot be sent".into(),
            ));
        }
        if self.wallet.is_some() && !follows_no_redirects {
            return Err(Error::Config(format!(
                "the Sign-In-With-X token is not sent through this HTTP client: {}",
                config::REDIRECTS_UNKNOWN
            )));
        }
        let http = match self.http_client {
            Some(client) => client,
            None => config::default_http(&base_url, connect_timeout, &user_agent)?,
        };
        let redactor = Redactor::new(self.api_key.iter().chain(&self.wallet));
        let config = Arc::new(Config {
            base_url,
            base,
            api_key: self.api_key,
            redactor,
            wallet,
            auth,
            user_agent,
            timeout,
            connect_timeout,
            max_response_size: self.max_response_size.unwrap_or(DEFAULT_MAX_RESPONSE_SIZE),
            max_download_size: self.max_download_size.unwrap_or(DEFAULT_MAX_DOWNLOAD_SIZE),
            stream_idle_timeout,
            stream_timeout,
            max_event_size: self.max_event_size.unwrap_or(DEFAULT_MAX_EVENT_SIZE),
            retry: {
                let mut policy = RetryPolicy::default();
                if let Some(n) = self.max_retries {
                    policy.max_retries = n;
                }
                if let Some((initial, max)) = self.backoff {
                    policy.initial_backoff = initial;
                    policy.max_backoff = max.max(initial);
                }
                if let Some(cap) = self.retry_after_cap {
                    policy.retry_after_cap = cap;
                }
                policy
            },
            budget: Arc::new(RetryBudget::new()),
            own_http,
            follows_no_redirects,
            external: false,
            extras: Arc::default(),
            http,
        });
        Ok(Client::from_config(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    const KEY: &str = "vk-test-SECRET-0123456789";

    #[test]
    fn bad_keys_are_configuration_errors_that_do_not_quote_the_key() {
        for bad in [
            "vk-test-SECRET-0123456789\n",
            "vk test",
            "vk-\u{7f}",
            "vk-é",
            "",
        ] {
            let err = Client::builder().api_key(bad).build().unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{err}");
            let text = format!("{err} {err:?}");
            assert!(bad.is_empty() || !text.contains(bad.trim()), "{text}");
        }
    }

    #[test]
    // Builds an https client: compiled only with a TLS feature.
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    fn debug_of_client_and_builder_hides_the_key() {
        let builder = Client::builder().api_key(KEY);
        assert!(!format!("{builder:?}").contains(KEY));
        let client = builder.build().unwrap();
        #[cfg(feature = "raw")]
        let text = format!("{client:?} {:?}", client.raw());
        #[cfg(not(feature = "raw"))]
        let text = format!("{client:?}");
        assert!(!text.contains(KEY), "{text}");
        assert!(text.contains("<redacted>"));
    }

    #[test]
    // Builds an https client: compiled only with a TLS feature.
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    fn base_urls_are_checked_and_normalized() {
        let c = Client::builder()
            .base_url("http://127.0.0.1:9/api/v1/")
            .build()
            .unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:9/api/v1");
        for bad in ["not a url", "ftp://x", "http://x/?a=1"] {
            assert!(matches!(
                Client::builder().base_url(bad).build(),
                Err(Error::Config(_))
            ));
        }
        assert_eq!(
            Client::builder().build().unwrap().base_url(),
            DEFAULT_BASE_URL
        );
    }

    #[test]
    // Builds an https client: compiled only with a TLS feature.
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    fn zero_timeouts_are_refused_everywhere_and_huge_ones_accepted() {
        let zero = Duration::ZERO;
        let builders = [
            Client::builder().timeout(zero),
            Client::builder().connect_timeout(zero),
            Client::builder().stream_idle_timeout(zero),
            Client::builder().stream_timeout(zero),
        ];
        for b in builders {
            let err = b.build().unwrap_err();
            assert!(
                matches!(&err, Error::Config(m) if m.contains("greater than zero")),
                "{err}"
            );
        }
        let c = Client::builder().build().unwrap();
        assert!(matches!(c.with_timeout(zero), Err(Error::Config(_))));
        assert!(matches!(
            c.with_stream_idle_timeout(zero),
            Err(Error::Config(_))
        ));
        assert!(matches!(c.with_stream_timeout(zero), Err(Error::Config(_))));
        assert!(matches!(
            c.with_connect_timeout(zero),
            Err(Error::Config(_))
        ));
        let max = Duration::MAX;
        let huge = Client::builder()
            .timeout(max)
            .connect_timeout(max)
            .stream_idle_timeout(max)
            .stream_timeout(max)
            .build()
            .unwrap();
        huge.with_timeout(max).unwrap();
        huge.with_stream_idle_timeout(max).unwrap();
        huge.with_stream_timeout(max).unwrap();
        huge.with_connect_timeout(max).unwrap();
    }

    #[test]
    // Builds an https client: compiled only with a TLS feature.
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    fn plain_http_is_refused_off_loopback_unless_allowed() {
        for ok in [
            "http://127.0.0.1:9/api/v1",
            "http://127.8.9.10",
            "http://localhost:8080",
            "http://api.localhost",
            "http://[::1]:9",
            "https://api.example.com/v1",
        ] {
            Client::builder().base_url(ok).build().unwrap();
        }
        for bad in [
            "http://api.example.com/v1",
            "http://10.0.0.1",
            "http://[fe80::1]",
            "http://localhost.example.com",
        ] {
            let err = Client::builder().base_url(bad).build().unwrap_err();
            assert!(
                matches!(&err, Error::Config(m) if m.contains("allow_insecure_http")),
                "{bad}: {err}"
            );
            Client::builder()
                .base_url(bad)
                .allow_insecure_http()
                .build()
                .unwrap();
        }
        let err = Client::builder()
            .base_url("https://user:hunter2@api.example.com")
            .build()
            .unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    // Builds an https client: compiled only with a TLS feature.
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    fn per_call_timeouts_derive_a_client() {
        let c = Client::builder().api_key(KEY).build().unwrap();
        let d = c
            .with_connect_timeout(Duration::from_secs(2))
            .unwrap()
            .with_timeout(Duration::from_secs(3))
            .unwrap()
            .with_stream_idle_timeout(Duration::from_secs(4))
            .unwrap()
            .with_max_retries(0);
        assert_eq!(d.config.connect_timeout, Duration::from_secs(2));
        assert_eq!(d.config.timeout, Duration::from_secs(3));
        assert_eq!(d.config.stream_idle_timeout, Duration::from_secs(4));
        assert_eq!(d.config.retry.max_retries, 0);
        assert!(
            Arc::ptr_eq(&c.config.budget, &d.config.budget),
            "one budget"
        );
        assert_eq!(
            c.config.timeout, DEFAULT_TIMEOUT,
            "the original is unchanged"
        );
        let custom = Client::builder()
            .http_client(reqwest::Client::new())
            .build()
            .unwrap();
        assert!(matches!(
            custom.with_connect_timeout(Duration::from_secs(1)),
            Err(Error::Config(_))
        ));
    }
}
