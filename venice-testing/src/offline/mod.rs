//! The offline Venice: a local HTTP server that answers every operation of the
//! spec the way api.venice.ai does.

mod audio;
mod augment;
mod billing;
mod catalog;
mod chat;
mod crypto;
mod embeddings;
mod form;
mod images;
mod jobs;
mod keys;
mod responses;
mod script;
#[cfg(feature = "tee")]
mod tee;
#[cfg(not(feature = "tee"))]
#[path = "tee_off.rs"]
mod tee;
mod x402;

pub use script::{Answer, OfflineVeniceBuilder, RecordedRequest};

pub(crate) use x402::spec_payment_headers;

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use serde::Serialize;
use serde_json::{Value, json};
use venice_sdk::operations::{self, Auth, Method, Operation};
use venice_sdk::types::CreateChatCompletionResponseUsage;
use venice_sdk::{Client, ClientBuilder};

use crate::util;

/// The API key [`OfflineVenice::client`] sends. Any non-empty key is accepted,
/// unless the server was built with
/// [`require_key`](OfflineVeniceBuilder::require_key).
///
/// ```
/// assert!(venice_testing::OFFLINE_API_KEY.starts_with("vk-"));
/// ```
pub const OFFLINE_API_KEY: &str = "vk-offline-0123456789abcdef";

/// The path prefix of the API, as on api.venice.ai (`/api/v1/models`).
///
/// ```
/// use venice_testing::{API_PREFIX, OfflineVenice};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let venice = OfflineVenice::start().await;
/// assert!(venice.base_url().ends_with(API_PREFIX));
/// # }
/// ```
pub const API_PREFIX: &str = "/api/v1";

const REQUESTS_PER_MINUTE: u64 = 500;
const TOKENS_PER_MINUTE: u64 = 1_000_000;

/// A local stand-in for api.venice.ai, for examples, demos and tests that should
/// run without a network or an API key.
///
/// It listens on 127.0.0.1 (an [`httpmock::MockServer`] with dynamic responders)
/// and answers every operation of [`venice_sdk::operations::ALL`] with realistic
/// bodies and the headers Venice sends (`cf-ray`, `x-ratelimit-*`,
/// `x-venice-balance-*`):
///
/// - **chat**: a short answer to the last user message (a few questions have
///   real answers, such as "Why is the sky blue?"); `reasoning_content` for
///   reasoning models (`qwen3-4b`, `qwen3-235b`, unless `disable_thinking=true`);
///   a call of one of the request's `tools`, with arguments following its schema,
///   and an answer from the tool results once they are sent back; web search
///   citations when `enable_web_search` is `on` or `auto`; JSON following a
///   `response_format` schema; `finish_reason: "length"` when
///   `max_completion_tokens` cuts the answer; and with `"stream": true` the same
///   as `chat.completion.chunk` server-sent events (reasoning deltas, content
///   deltas, a `stop` chunk, a usage chunk, `data: [DONE]`);
/// - **images**: a real PNG (a small gradient, at most 80 pixels a side) as
///   `image/png` with `return_binary`, else base64 in JSON; upscaling returns a
///   PNG `scale` times the size of the uploaded PNG (at most 256 pixels a side);
///   edits and multi-edits return a PNG the size of the (first) input image
///   (at most 256 pixels a side; PNG whatever `output_format` asks), background
///   removal a PNG with a transparent background; images may come as base64,
///   data URLs, `http(s)` URLs (not fetched) or uploads; the OpenAI-compatible
///   `/images/generations` answers `b64_json` or a data URL;
/// - **embeddings**: unit vectors in which texts sharing words are close, the
///   same text always the same vector (1024 values for `text-embedding-bge-m3`,
///   or `dimensions`), as numbers or base64;
/// - **audio**: speech as real MP3 (silent frames), WAV or PCM (a soft tone)
///   as long as the text would take to say (`opus`, `aac`, `flac` are a 400:
///   the offline Venice does not encode them); the text travels inside the
///   file, so transcribing the offline Venice's own speech gives it back (any
///   other recording gets a stock sentence), as JSON with word, segment and
///   character timestamps or as text; voice cloning returns `vv_` handles that
///   speech accepts with the model they were cloned for; video transcription
///   answers a stock transcript; speech with `"streaming": true` answers the
///   same audio (sent as one body: the client reads it in whatever chunks the
///   connection delivers, so pacing is not simulated);
/// - **models**, traits, compatibility mappings, image styles and characters from
///   a small catalog (text: `llama-3.3-70b` (default), `llama-3.2-3b`,
///   `qwen3-4b`, `qwen3-235b`, `mistral-31-24b`, `venice-uncensored`,
///   `qwen-2.5-coder-32b`, `e2ee-gemma-3-27b-p` (`supportsE2EE`,
///   `supportsTeeAttestation`); image: `venice-sd35` (default), `flux-dev`,
///   `flux-dev-uncensored`, `hidream`; and the models of the other operations,
///   one or two of each type: `asr`, `embedding`, `music`, `tts`, `upscale`,
///   `inpaint`, `video`), filtered by every `type` of the spec (`all` lists
///   every model); a character by slug (404 for an unknown one);
/// - **API keys**: a list that creating and deleting keys change, rate limits and
///   balances, and the wallet (web3) key flow; a key by id, its updates, and
///   the rate-limit log;
/// - **billing**: the balance it charges, usage analytics over a lookback or
///   a date range, and a usage history of 57 entries (one every 3 hours from
///   2026-06-01T00:00:00Z, the same in every run) walked by cursor, as JSON or
///   as CSV with `x-next-cursor` (`Accept: text/csv`); filters sent with a
///   cursor, or a cursor it did not make, are a 400; the deprecated
///   `GET /billing/usage` answers `410 Gone` (as to accounts made since
///   2026-07-07) with the `Deprecation: @1783555200` and
///   `Link: </api/v1/billing/usage-history>; rel="successor-version"` headers
///   of the spec;
/// - **characters**: the catalog's characters, filtered and paged by
///   `limit`/`offset`, and their reviews paged by `page`/`pageSize` (45 for
///   `alan-watts`, 7 for `marcus-aurelius`; an unknown slug is a 404);
/// - **crypto RPC**: the networks, and a node per network answering
///   `eth_chainId`, `eth_blockNumber`, `net_version`, … (a JSON-RPC error for
///   other methods), with the credit headers and the `Idempotency-Key` replay
///   cache (same key and body: the cached answer with `Idempotent-Replayed:
///   true`; same key, other body: 400);
/// - **x402**: wallets authenticated by their Sign-In-With-X token in the
///   spec's `SIGN-IN-WITH-X` header (or the legacy `X-Sign-In-With-X`; 401
///   without, 403 for another wallet; see [`OfflineVenice::wallet_token`]), a
///   balance and a ledger per wallet, and top-ups: `402` with the payment
///   requirements (body and `PAYMENT-REQUIRED` header; each option with its
///   `scheme` and `maxTimeoutSeconds`) without a payment, the wallet credited
///   with one in `PAYMENT-SIGNATURE` (or the legacy `X-402-Payment` or
///   `X-PAYMENT`; see [`OfflineVenice::payment_signature`]), and the
///   settlement in the `PAYMENT-RESPONSE` header (base64 JSON `{ success,
///   network, payer, transaction }`); inference authenticated by a wallet
///   alone (no API key) is paid from that wallet's credit (a `CHARGE` in its
///   ledger), and answers `402` with the spec's `insufficient_balance`
///   requirements (and `PAYMENT-REQUIRED`) while it has none.
/// - **video and music jobs**: quotes from the duration; a queued job answers
///   `PROCESSING` (with a growing `execution_duration`) to its first two
///   retrieves, then its media: an MP4 (`video/mp4`) or an MP3 (`audio/mpeg`);
///   video model `offline-vps-text-to-video` returns a `download_url` when
///   queued, on a second loopback listener (another origin, as storage is:
///   [`download_origin`](Self::download_origin)), and retrieve answers
///   `COMPLETED` in JSON instead; that
///   URL serves the MP4 without the API key (a request carrying an
///   `Authorization` header is refused with 400, so tests prove no key is
///   sent), honours `Range: bytes=N-` with a 206, and is revoked by a
///   `DELETE` (counted by [`calls`](Self::calls) as `mediaDownload` and
///   `mediaRevoke`); a prompt containing `[offline:fail]` makes the job answer
///   `FAILED` after processing, one containing `[offline:expire]` makes it
///   vanish (404), one containing `[offline:content-policy]` makes retrieve
///   answer `422` of type `provider_content_policy` after processing
///   (`credits_refunded: true`, `recommended_model:
///   "wan-2-7-text-to-video"`, the job's cost given back); a video prompt
///   containing `[offline:consent]` is refused with `409 needs_consent`
///   (flow `seedance`, a policy text, `face_media_roles: ["image"]`) until the
///   request carries `consents.seedance` with every statement `true`;
///   `complete` (or `delete_media_on_completion`) deletes the job, and an
///   unknown job is a 404;
/// - **responses** (`POST /responses`): one assistant message answering the last
///   user input, with usage; with `"stream": true` the same as Responses
///   events (`response.created`, `response.in_progress`, the message item and
///   its text part added, word-sized `response.output_text.delta`s, the part
///   and item done, `response.completed` with usage, then `data: [DONE]`);
/// - **private chat** (not in the spec): `GET /tee/attestation?model=&nonce=`
///   for `e2ee-*` models answers a self-consistent attestation of a fixed
///   enclave key bound to the nonce (the Keccak-256 signing address, and a
///   synthesized, unsigned TDX v4 quote whose report data is `address || 12
///   zero bytes || nonce`, debug bit clear; counted by
///   [`calls`](Self::calls) as `getTeeAttestation`); chat with an `e2ee-*`
///   model needs the `X-Venice-TEE-*` headers and `stream: true`, decrypts
///   the messages with the enclave's key (400 for any it cannot) and streams
///   deltas encrypted to the client's key; `[offline:tamper]` in the last
///   user message alters one encrypted delta, `[offline:plaintext]` sends one
///   in plain text;
/// - **augment**: a stand-in Markdown page for any `http(s)` URL (X, Twitter
///   and Reddit refused), `limit` search results made from the query, and the
///   text of an uploaded plain-text file or simple PDF (JSON or `text/plain`).
///
/// Forms (`multipart/form-data`) are read with a real parser: a part's
/// headers may come in any order, as RFC 7578 allows.
///
/// Errors are Venice's too: 401 `{"error": "Authentication failed"}` without a
/// key (or with another key than the one a server built with
/// [`require_key`](OfflineVeniceBuilder::require_key) accepts), 400 `Invalid
/// request parameters` with details for a malformed body, 404 for a model it
/// does not know, 415 for a wrong content type, and whatever
/// [`fail_next`](Self::fail_next) and [`script`](Self::script) queue (any
/// status, body and headers, after a delay if asked). Every request is
/// recorded for assertions ([`requests`](Self::requests)). Balances and
/// remaining rate limits go down as requests are made.
///
/// Dropping it stops answering (the server returns to httpmock's pool).
///
/// ```
/// use venice_testing::OfflineVenice;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// let venice = OfflineVenice::start().await;
/// let client = venice.client();
/// let models = client.models().list(None).await?;
/// assert!(models.data.iter().any(|m| m.id == "llama-3.3-70b"));
/// assert!(models.meta().rate_limits.requests.remaining.is_some());
/// # Ok(())
/// # }
/// ```
pub struct OfflineVenice {
    server: MockServer,
    /// The storage origin of download URLs.
    media_server: MockServer,
    state: Arc<State>,
}

impl fmt::Debug for OfflineVenice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OfflineVenice")
            .field("base_url", &self.base_url())
            .field("requests", &self.request_count())
            .finish_non_exhaustive()
    }
}

impl OfflineVenice {
    /// Starts an offline Venice on a free port of 127.0.0.1, accepting any
    /// API key and answering without delay.
    ///
    /// ```
    /// use venice_testing::OfflineVenice;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let venice = OfflineVenice::start().await;
    /// assert!(venice.base_url().starts_with("http://127.0.0.1:"));
    /// # }
    /// ```
    pub async fn start() -> OfflineVenice {
        OfflineVenice::builder().start().await
    }

    /// Options to set before starting: the one key it accepts, a latency.
    ///
    /// ```
    /// use venice_testing::OfflineVenice;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let venice = OfflineVenice::builder().require_key("vk-mine").start().await;
    /// assert!(venice.client().models().list(None).await.is_ok());
    /// # }
    /// ```
    pub fn builder() -> OfflineVeniceBuilder {
        OfflineVeniceBuilder::default()
    }

    async fn start_with(options: OfflineVeniceBuilder) -> OfflineVenice {
        let server = MockServer::start_async().await;
        // Download URLs live on another origin, as real storage does.
        let media_server = MockServer::start_async().await;
        let state = Arc::new(State::new(media_server.base_url(), options));
        // Fixed paths first: httpmock answers with the first match, and
        // `/api_keys/{id}` must not take `/api_keys/rate_limits`.
        let (fixed, templated): (Vec<&'static Operation>, Vec<_>) = operations::ALL
            .iter()
            .partition(|op| !op.path.contains('{'));
        for op in fixed.into_iter().chain(templated) {
            let state = Arc::clone(&state);
            server
                .mock_async(|when, then| {
                    // A path parameter (`{id}`) matches one segment.
                    let route = format!("^{API_PREFIX}{}$", route_pattern(op.path));
                    when.method(op.method.as_str()).path_matches(route.as_str());
                    then.respond_with(move |req: &HttpMockRequest| state.respond(op, req));
                })
                .await;
        }
        // Not in the spec (so not in `operations::ALL`): the TEE attestation.
        let tee = Arc::clone(&state);
        server
            .mock_async(|when, then| {
                let route = format!("^{API_PREFIX}/tee/attestation$");
                when.method(Method::Get.as_str())
                    .path_matches(route.as_str());
                then.respond_with(move |req: &HttpMockRequest| tee.tee_attestation(req));
            })
            .await;
        let media = Arc::clone(&state);
        media_server
            .mock_async(|when, then| {
                let route = format!("^{}[^/]+$", jobs::MEDIA_PATH);
                when.path_matches(route.as_str());
                then.respond_with(move |req: &HttpMockRequest| media.media(req));
            })
            .await;
        let media_fallback = Arc::clone(&state);
        media_server
            .mock_async(|when, then| {
                when.any_request();
                then.respond_with(move |req: &HttpMockRequest| media_fallback.not_found(req));
            })
            .await;
        let fallback = Arc::clone(&state);
        server
            .mock_async(|when, then| {
                when.any_request();
                then.respond_with(move |req: &HttpMockRequest| fallback.not_found(req));
            })
            .await;
        OfflineVenice {
            server,
            media_server,
            state,
        }
    }

    /// The base URL to give a client: `http://127.0.0.1:<port>/api/v1`.
    ///
    /// ```
    /// use venice_testing::OfflineVenice;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let venice = OfflineVenice::start().await;
    /// assert!(venice.base_url().ends_with("/api/v1"));
    /// # }
    /// ```
    pub fn base_url(&self) -> String {
        format!("{}{API_PREFIX}", self.server.base_url())
    }

    /// A client pointed at this server, with the key [`OFFLINE_API_KEY`] (or
    /// the [required](OfflineVeniceBuilder::require_key) one) and the SDK's
    /// defaults otherwise (retries included).
    ///
    /// ```
    /// use venice_testing::OfflineVenice;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let venice = OfflineVenice::start().await;
    /// assert!(venice.client().models().list(None).await.is_ok());
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// If the HTTP client cannot be built at all (no TLS backend); the URL and
    /// key are always valid. [`client_builder`](Self::client_builder) returns
    /// that error instead.
    pub fn client(&self) -> Client {
        match self.client_builder().build() {
            Ok(client) => client,
            // The URL and key are well-formed; only a broken TLS/HTTP stack fails here.
            Err(e) => panic!("cannot build a client for the offline Venice: {e}"),
        }
    }

    /// A builder pointed at this server with the key [`OFFLINE_API_KEY`] (or
    /// the [required](OfflineVeniceBuilder::require_key) one), to set
    /// timeouts, an HTTP client or other options before building.
    ///
    /// ```
    /// use std::time::Duration;
    /// use venice_testing::OfflineVenice;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// let venice = OfflineVenice::start().await;
    /// let client = venice.client_builder().max_retries(0).build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn client_builder(&self) -> ClientBuilder {
        let key = self
            .state
            .required_key
            .clone()
            .unwrap_or_else(|| OFFLINE_API_KEY.to_owned());
        Client::builder().api_key(key).base_url(self.base_url())
    }

    /// Makes the next call of `operation` answer `answer` instead of the usual
    /// answer: any status, with Venice's error body or another, and headers
    /// (`Retry-After`, rate limits), after a delay if asked. Calls queue up:
    /// three calls of `fail_next` answer the next three calls of the operation
    /// (the same as one [`script`](Self::script) of three answers).
    ///
    /// The operation is named by its constant in [`venice_sdk::operations`],
    /// so a misspelt name does not compile. Each attempt that reaches the
    /// operation uses one answer (a request refused for its credentials, 401,
    /// uses none). The SDK retries 429 and 5xx statuses: queue one answer per
    /// attempt, or use a client with retries off, to see the error.
    ///
    /// ```
    /// use venice_sdk::{Message, operations, types::ChatCompletionRequest};
    /// use venice_testing::{Answer, OfflineVenice};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let venice = OfflineVenice::start().await;
    /// venice.fail_next(&operations::CREATE_CHAT_COMPLETION, Answer::rate_limited(1));
    /// let client = venice.client_builder().max_retries(0).build().unwrap();
    /// let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Hi")]);
    /// let err = client.chat().create(request).await.unwrap_err();
    /// assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    /// # }
    /// ```
    pub fn fail_next(&self, operation: &Operation, answer: Answer) {
        self.script(operation, [answer]);
    }

    /// Queues answers for the next calls of `operation`, in order: `[503,
    /// 503, usual]` fails two calls and lets the third through. Answers queue
    /// after those already queued; once they are used up the operation answers
    /// as usual.
    ///
    /// ```
    /// use venice_sdk::operations;
    /// use venice_testing::{Answer, OfflineVenice};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let venice = OfflineVenice::start().await;
    /// venice.script(
    ///     &operations::LIST_MODELS,
    ///     [Answer::status(503), Answer::status(503), Answer::usual()],
    /// );
    /// // The SDK retries the two 503s and gets the list.
    /// let client = venice
    ///     .client_builder()
    ///     .retry_backoff(std::time::Duration::from_millis(1), std::time::Duration::from_millis(2))
    ///     .build()
    ///     .unwrap();
    /// assert!(client.models().list(None).await.is_ok());
    /// assert_eq!(venice.calls(operations::LIST_MODELS.id), 3);
    /// # }
    /// ```
    pub fn script(&self, operation: &Operation, answers: impl IntoIterator<Item = Answer>) {
        let id = operation.id.to_owned();
        self.state.with(|inner| {
            inner.scripts.entry(id).or_default().extend(answers);
        });
    }

    /// Every request this server received so far (download URLs and unknown
    /// paths included), in order of arrival, with the `Authorization` value
    /// redacted.
    ///
    /// ```
    /// use venice_testing::OfflineVenice;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// let venice = OfflineVenice::start().await;
    /// venice.client().models().list(None).await?;
    /// let seen = venice.requests();
    /// assert_eq!(seen.len(), 1);
    /// assert_eq!(seen[0].path, "/api/v1/models");
    /// assert!(seen[0].query.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.with(|inner| inner.recorded.clone())
    }

    /// How many requests this server has answered, of any operation.
    ///
    /// ```
    /// use venice_testing::OfflineVenice;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let venice = OfflineVenice::start().await;
    /// assert_eq!(venice.request_count(), 0);
    /// # }
    /// ```
    pub fn request_count(&self) -> u64 {
        self.state.requests.load(Ordering::Relaxed)
    }

    /// How many requests of `operation_id` this server has answered (errors
    /// included); `mediaDownload` and `mediaRevoke` count the download URL's.
    ///
    /// ```
    /// use venice_sdk::operations;
    /// use venice_testing::OfflineVenice;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let venice = OfflineVenice::start().await;
    /// assert_eq!(venice.calls(operations::LIST_MODELS.id), 0);
    /// # }
    /// ```
    pub fn calls(&self, operation_id: &str) -> u64 {
        self.state
            .with(|inner| inner.calls.get(operation_id).copied().unwrap_or(0))
    }

    /// The `Idempotency-Key` headers received so far, in order (every
    /// attempt of every operation, failed ones included).
    ///
    /// ```
    /// use venice_testing::OfflineVenice;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let venice = OfflineVenice::start().await;
    /// assert!(venice.idempotency_keys().is_empty());
    /// # }
    /// ```
    pub fn idempotency_keys(&self) -> Vec<String> {
        self.state.with(|inner| inner.idempotency_keys.clone())
    }

    /// The origin of the download URLs this server issues
    /// (`http://127.0.0.1:<port>`): a second loopback listener, not the
    /// API's origin, as Venice's storage is.
    ///
    /// ```
    /// use venice_testing::OfflineVenice;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let venice = OfflineVenice::start().await;
    /// assert!(!venice.base_url().starts_with(&venice.download_origin()));
    /// # }
    /// ```
    pub fn download_origin(&self) -> String {
        self.media_server.base_url()
    }

    /// The underlying mock server (its address, for instance).
    ///
    /// Mocks added to it never answer: the offline Venice's own, including a
    /// catch-all 404, were created first and httpmock answers with the first
    /// match. To change an answer use [`fail_next`](Self::fail_next), or mock
    /// with [`VeniceMocks`](crate::VeniceMocks) on a server of your own.
    ///
    /// ```
    /// use venice_testing::OfflineVenice;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let venice = OfflineVenice::start().await;
    /// assert!(venice.base_url().starts_with(&venice.server().base_url()));
    /// # }
    /// ```
    pub fn server(&self) -> &MockServer {
        &self.server
    }
}

#[derive(Clone, Copy)]
struct Balances {
    usd: f64,
    vcu: f64,
    diem: f64,
}

/// Mutable state shared by the responders.
struct Inner {
    balances: Balances,
    keys: Vec<Value>,
    jobs: jobs::Jobs,
    /// Cloned voices: handle and the model it was cloned for.
    voices: Vec<(String, String)>,
    /// Answers queued by `fail_next` and `script`, by operation id.
    scripts: HashMap<String, VecDeque<Answer>>,
    /// Every request received, in order.
    recorded: Vec<RecordedRequest>,
    calls: HashMap<String, u64>,
    tokens_used: u64,
    /// x402 wallets by normalized address.
    wallets: HashMap<String, x402::Wallet>,
    /// Crypto RPC answers by idempotency key: the body sent and the answer.
    rpc_replays: HashMap<String, (Vec<u8>, Vec<u8>)>,
    idempotency_keys: Vec<String>,
}

pub(crate) struct State {
    seed: u64,
    /// `http://127.0.0.1:<port>` of the storage listener, for the download
    /// URLs it hands out (another origin than the API's).
    media_url: String,
    /// The one key accepted, when set.
    required_key: Option<String>,
    /// Waited before every answer.
    latency: Duration,
    requests: AtomicU64,
    ids: AtomicU64,
    started_ms: u128,
    inner: Mutex<Inner>,
}

impl State {
    fn new(media_url: String, options: OfflineVeniceBuilder) -> State {
        let seed = util::random_seed();
        State {
            seed,
            media_url,
            required_key: options.required_key,
            latency: options.latency,
            requests: AtomicU64::new(0),
            ids: AtomicU64::new(0),
            started_ms: util::unix_now_ms(),
            inner: Mutex::new(Inner {
                balances: Balances {
                    usd: 25.0,
                    vcu: 100.0,
                    diem: 4.5,
                },
                keys: keys::initial(seed),
                jobs: jobs::Jobs::new(),
                voices: Vec::new(),
                scripts: HashMap::new(),
                recorded: Vec::new(),
                calls: HashMap::new(),
                tokens_used: 0,
                wallets: HashMap::new(),
                rpc_replays: HashMap::new(),
                idempotency_keys: Vec::new(),
            }),
        }
    }

    /// Runs `f` on the shared state (a panicking responder does not poison it).
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut inner)
    }

    /// A fresh number for ids.
    fn next_id(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::Relaxed)
    }

    /// Answers one request of `op`.
    fn respond(&self, op: &'static Operation, req: &HttpMockRequest) -> HttpMockResponse {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        self.record(req, Some(op.id));
        self.with(|inner| *inner.calls.entry(op.id.to_owned()).or_default() += 1);
        let reply = self.handle(op, req);
        self.finish(n, reply)
    }

    /// Records a request (its `Authorization` value redacted) and waits the
    /// server's latency.
    fn record(&self, req: &HttpMockRequest, operation: Option<&'static str>) {
        let headers = req
            .headers_vec()
            .iter()
            .map(|(k, v)| {
                let name = k.to_ascii_lowercase();
                let value = if name == "authorization" {
                    script::redact_authorization(v)
                } else {
                    v.clone()
                };
                (name, value)
            })
            .collect();
        let recorded = RecordedRequest {
            method: req.method_str().to_ascii_uppercase(),
            path: req.uri().path().to_owned(),
            query: req.query_params(),
            headers,
            body: req.body_ref().to_vec(),
            operation,
        };
        self.with(|inner| inner.recorded.push(recorded));
        if !self.latency.is_zero() {
            std::thread::sleep(self.latency);
        }
    }

    fn handle(&self, op: &'static Operation, req: &HttpMockRequest) -> Reply {
        let idempotency_key = header(req, "idempotency-key");
        if let Some(key) = &idempotency_key {
            self.with(|inner| inner.idempotency_keys.push(key.clone()));
        }
        let wallet = x402::wallet_token(req).is_some();
        let key = bearer_key(req);
        // A key other than the required one is refused wherever it is sent.
        if let (Some(required), Some(key)) = (&self.required_key, &key)
            && key != required
        {
            return Reply::error(401, "Authentication failed");
        }
        let allowed = match op.auth {
            Auth::Bearer => key.is_some(),
            Auth::BearerOrWallet => key.is_some() || wallet,
            Auth::Wallet => wallet,
            Auth::Optional | Auth::None => true,
        };
        if !allowed {
            return Reply::error(401, "Authentication failed");
        }
        let scripted = self.with(|inner| {
            let queue = inner.scripts.get_mut(op.id)?;
            let next = queue.pop_front();
            if queue.is_empty() {
                inner.scripts.remove(op.id);
            }
            next
        });
        let mut extra_headers = Vec::new();
        if let Some(answer) = scripted {
            if !answer.delay_of().is_zero() {
                std::thread::sleep(answer.delay_of());
            }
            if let Some(reply) = answer.reply() {
                return reply;
            }
            extra_headers = answer.headers().to_vec();
        }
        // Inference paid by a wallet: its own credit, not the account's.
        let mut reply = if op.auth == Auth::BearerOrWallet && key.is_none() {
            let wallet = match x402::payer(req) {
                Ok(wallet) => wallet,
                Err(reply) => return reply,
            };
            if let Err(reply) = x402::require_credit(self, &wallet, op) {
                return reply;
            }
            let reply = self.route(op, req, idempotency_key);
            x402::charge(self, &wallet, reply)
        } else {
            self.route(op, req, idempotency_key)
        };
        reply.headers.extend(extra_headers);
        reply
    }

    /// The answer of `op` to an authorized request.
    fn route(
        &self,
        op: &'static Operation,
        req: &HttpMockRequest,
        idempotency_key: Option<String>,
    ) -> Reply {
        let content_type = header(req, "content-type").unwrap_or_default();
        let json_body = || -> Result<Value, Reply> {
            if !content_type
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
            {
                return Err(Reply::error(415, "Invalid request content-type"));
            }
            serde_json::from_slice(req.body_ref()).map_err(|e| {
                Reply::invalid(json!({"_errors": [format!("Invalid JSON body: {e}")]}))
            })
        };
        let type_param = |default: &str| {
            req.query_params()
                .into_iter()
                .find(|(k, _)| k == "type")
                .map_or_else(|| default.to_owned(), |(_, v)| v)
        };
        use jobs::Kind::{Audio, Video};
        // By the operations' constants: an operation renamed or removed upstream
        // is a compile error here, the one place to fix.
        match op.id {
            id if id == operations::CREATE_CHAT_COMPLETION.id => match json_body() {
                Ok(body)
                    if body
                        .get("model")
                        .and_then(Value::as_str)
                        .is_some_and(catalog::is_e2ee) =>
                {
                    tee::chat(self, req, &body)
                }
                Ok(body) => chat::create(self, &body),
                Err(reply) => reply,
            },
            id if id == operations::GENERATE_IMAGE.id => match json_body() {
                Ok(body) => images::generate(self, &body),
                Err(reply) => reply,
            },
            id if id == operations::UPSCALE_IMAGE.id => {
                images::upscale(self, &content_type, req.body_ref())
            }
            id if id == operations::EDIT_IMAGE.id => {
                images::edit(self, &content_type, req.body_ref())
            }
            id if id == operations::MULTI_EDIT_IMAGE.id => {
                images::multi_edit(self, &content_type, req.body_ref())
            }
            id if id == operations::BACKGROUND_REMOVE_IMAGE.id => {
                images::remove_background(self, &content_type, req.body_ref())
            }
            id if id == operations::SIMPLE_GENERATE_IMAGE.id => match json_body() {
                Ok(body) => images::generations(self, &body),
                Err(reply) => reply,
            },
            id if id == operations::CREATE_EMBEDDING.id => match json_body() {
                Ok(body) => embeddings::create(self, &body),
                Err(reply) => reply,
            },
            id if id == operations::CREATE_SPEECH.id => match json_body() {
                Ok(body) => audio::speech(self, &body),
                Err(reply) => reply,
            },
            id if id == operations::CREATE_TRANSCRIPTION.id => {
                audio::transcribe(self, &content_type, req.body_ref())
            }
            id if id == operations::CREATE_CLONED_VOICE.id => {
                audio::clone_voice(self, &content_type, req.body_ref())
            }
            id if id == operations::CREATE_VIDEO_TRANSCRIPTION.id => match json_body() {
                Ok(body) => audio::video_transcription(self, &body),
                Err(reply) => reply,
            },
            id if id == operations::LIST_IMAGE_STYLES.id => Reply::json(200, &catalog::styles()),
            id if id == operations::LIST_MODELS.id => match type_param("text").as_str() {
                t if t == "all" || t == "code" || catalog::KINDS.contains(&t) => {
                    Reply::json(200, &catalog::models(t))
                }
                _ => invalid_type(),
            },
            id if id == operations::LIST_MODEL_TRAITS.id => match type_param("text").as_str() {
                t @ ("text" | "image") => Reply::json(200, &catalog::traits(t)),
                _ => invalid_type(),
            },
            id if id == operations::LIST_MODEL_COMPATIBILITY_MAPPING.id => {
                match type_param("text").as_str() {
                    t @ ("text" | "image") => Reply::json(200, &catalog::compatibility_mapping(t)),
                    _ => invalid_type(),
                }
            }
            id if id == operations::GET_API_KEYS.id => keys::list(self),
            id if id == operations::CREATE_API_KEY.id => match json_body() {
                Ok(body) => keys::create(self, &body),
                Err(reply) => reply,
            },
            id if id == operations::DELETE_API_KEY.id => keys::delete(self, &req.query_params()),
            id if id == operations::GET_API_KEY_RATE_LIMITS.id => keys::rate_limits(self),
            id if id == operations::GET_API_KEY_GENERATE_WEB3_KEY.id => keys::web3_token(),
            id if id == operations::POST_API_KEY_GENERATE_WEB3_KEY.id => match json_body() {
                Ok(body) => keys::create_web3_key(self, &body),
                Err(reply) => reply,
            },
            id if id == operations::LIST_CHARACTERS.id => {
                match catalog::characters_filtered(&req.query_params()) {
                    Ok(list) => Reply::json(200, &list),
                    Err(details) => Reply::invalid(details),
                }
            }
            id if id == operations::GET_API_KEY_BY_ID.id => keys::get(self, &path_param(req, op)),
            id if id == operations::UPDATE_API_KEY.id => match json_body() {
                Ok(body) => keys::update(self, &body),
                Err(reply) => reply,
            },
            id if id == operations::GET_API_KEY_RATE_LIMIT_LOGS.id => keys::rate_limit_logs(self),
            id if id == operations::GET_BILLING_BALANCE.id => billing::balance(self),
            id if id == operations::GET_BILLING_USAGE.id => billing::usage(),
            id if id == operations::GET_BILLING_USAGE_ANALYTICS.id => {
                billing::usage_analytics(self, &req.query_params())
            }
            id if id == operations::GET_BILLING_USAGE_HISTORY.id => billing::usage_history(
                self,
                &req.query_params(),
                &header(req, "accept").unwrap_or_default(),
            ),
            id if id == operations::GET_CHARACTER_BY_SLUG.id => {
                match catalog::character(&path_param(req, op)) {
                    Ok(found) => Reply::json(200, &found),
                    Err((status, body)) => Reply::json(status, &body),
                }
            }
            id if id == operations::GET_CHARACTER_REVIEWS.id => {
                match catalog::reviews(&path_param(req, op), &req.query_params()) {
                    Ok(page) => {
                        let pagination = &page["pagination"];
                        let text = |key: &str| pagination[key].to_string();
                        let (limit, number, total, pages) = (
                            text("pageSize"),
                            text("page"),
                            text("total"),
                            text("totalPages"),
                        );
                        Reply::json(200, &page).with_headers(&[
                            ("x-pagination-limit", &limit),
                            ("x-pagination-page", &number),
                            ("x-pagination-total", &total),
                            ("x-pagination-total-pages", &pages),
                        ])
                    }
                    Err((status, body)) => Reply::json(status, &body),
                }
            }
            id if id == operations::LIST_CRYPTO_RPC_NETWORKS.id => crypto::list_networks(),
            id if id == operations::CRYPTO_RPC_PROXY.id => match json_body() {
                Ok(body) => crypto::rpc(
                    self,
                    &path_param(req, op),
                    req.body_ref(),
                    &body,
                    idempotency_key.as_deref(),
                ),
                Err(reply) => reply,
            },
            id if id == operations::GET_X402_BALANCE.id => {
                x402::balance(self, req, &path_param(req, op))
            }
            id if id == operations::GET_X402_TRANSACTIONS.id => {
                x402::transactions(self, req, &path_param(req, op))
            }
            id if id == operations::TOP_UP_X402_BALANCE.id => x402::top_up(self, req),
            id if id == operations::QUOTE_VIDEO.id => with_json(json_body(), jobs::quote_video),
            id if id == operations::QUEUE_VIDEO.id => {
                with_json(json_body(), |b| jobs::queue(self, Video, b))
            }
            id if id == operations::RETRIEVE_VIDEO.id => {
                with_json(json_body(), |b| jobs::retrieve(self, Video, b))
            }
            id if id == operations::COMPLETE_VIDEO.id => {
                with_json(json_body(), |b| jobs::complete(self, Video, b))
            }
            id if id == operations::QUOTE_AUDIO.id => with_json(json_body(), jobs::quote_audio),
            id if id == operations::QUEUE_AUDIO.id => {
                with_json(json_body(), |b| jobs::queue(self, Audio, b))
            }
            id if id == operations::RETRIEVE_AUDIO.id => {
                with_json(json_body(), |b| jobs::retrieve(self, Audio, b))
            }
            id if id == operations::COMPLETE_AUDIO.id => {
                with_json(json_body(), |b| jobs::complete(self, Audio, b))
            }
            id if id == operations::CREATE_RESPONSE.id => {
                with_json(json_body(), |b| responses::create(self, b))
            }
            id if id == operations::WEB_SCRAPE.id => with_json(json_body(), augment::scrape),
            id if id == operations::WEB_SEARCH.id => with_json(json_body(), augment::search),
            id if id == operations::CREATE_TEXT_PARSER.id => {
                augment::parse_text(&content_type, req.body_ref())
            }
            // An operation added to the spec after this crate was written: the
            // spec's example is the best answer there is.
            _ => match op.example_response {
                Some(example) => Reply::raw_json(200, example.as_bytes().to_vec()),
                None => Reply::error(
                    501,
                    &format!("the offline Venice does not implement {} yet", op.id),
                ),
            },
        }
    }

    /// Answers a request to a download URL (counted as `mediaDownload` for a
    /// `GET`, `mediaRevoke` for a `DELETE`).
    fn media(&self, req: &HttpMockRequest) -> HttpMockResponse {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        self.record(req, None);
        let method = req.method_str().to_ascii_uppercase();
        let counted = if method == "DELETE" {
            "mediaRevoke"
        } else {
            "mediaDownload"
        };
        self.with(|inner| *inner.calls.entry(counted.to_owned()).or_default() += 1);
        let token = req
            .query_params()
            .into_iter()
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v);
        let reply = jobs::media(
            self,
            &method,
            req.uri().path(),
            token.as_deref(),
            header(req, "authorization").is_some(),
            header(req, "range").as_deref(),
        );
        self.finish(n, reply)
    }

    /// `GET /tee/attestation` (counted as `getTeeAttestation`).
    fn tee_attestation(&self, req: &HttpMockRequest) -> HttpMockResponse {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        self.record(req, None);
        self.with(|inner| {
            *inner
                .calls
                .entry("getTeeAttestation".to_owned())
                .or_default() += 1
        });
        let key = bearer_key(req);
        let refused = match (&self.required_key, &key) {
            (_, None) => true,
            (Some(required), Some(key)) => key != required,
            (None, Some(_)) => false,
        };
        let reply = if refused {
            Reply::error(401, "Authentication failed")
        } else {
            tee::attestation(&req.query_params())
        };
        self.finish(n, reply)
    }

    fn not_found(&self, req: &HttpMockRequest) -> HttpMockResponse {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        self.record(req, None);
        let path = req.uri_str().split('?').next().unwrap_or("").to_owned();
        let reply = Reply::error(
            404,
            &format!(
                "Not found: {} {path} (the offline Venice answers the operations of venice_sdk::operations::ALL under {API_PREFIX})",
                req.method_str()
            ),
        );
        self.finish(n, reply)
    }

    /// Adds Venice's headers, charges the balance and builds the response.
    fn finish(&self, n: u64, reply: Reply) -> HttpMockResponse {
        let (balances, tokens_used) = self.with(|inner| {
            if reply.status < 400 {
                inner.tokens_used = inner.tokens_used.saturating_add(reply.tokens);
                inner.balances.usd = (inner.balances.usd - reply.cost_usd).max(0.0);
                inner.balances.vcu = (inner.balances.vcu - reply.cost_usd * 10.0).max(0.0);
            }
            (inner.balances, inner.tokens_used)
        });
        let window_ms = 60_000u128;
        let elapsed = util::unix_now_ms().saturating_sub(self.started_ms);
        let reset_ms = self.started_ms + (elapsed / window_ms + 1) * window_ms;
        let venice_headers = [
            ("content-type", reply.content_type.to_string()),
            ("cf-ray", format!("{}-SJC", util::hex(self.seed, n, 16))),
            (
                "x-ratelimit-limit-requests",
                REQUESTS_PER_MINUTE.to_string(),
            ),
            (
                "x-ratelimit-remaining-requests",
                (REQUESTS_PER_MINUTE - 1 - n % REQUESTS_PER_MINUTE).to_string(),
            ),
            ("x-ratelimit-reset-requests", reset_ms.to_string()),
            ("x-ratelimit-limit-tokens", TOKENS_PER_MINUTE.to_string()),
            (
                "x-ratelimit-remaining-tokens",
                TOKENS_PER_MINUTE
                    .saturating_sub(tokens_used % TOKENS_PER_MINUTE)
                    .to_string(),
            ),
            ("x-ratelimit-reset-tokens", reset_ms.to_string()),
            ("x-venice-balance-usd", format!("{:.4}", balances.usd)),
            ("x-venice-balance-vcu", format!("{:.4}", balances.vcu)),
            ("x-venice-balance-diem", format!("{:.4}", balances.diem)),
        ];
        let mut builder = HttpMockResponse::builder().status(reply.status);
        // A header of the answer replaces Venice's of that name.
        for (name, value) in venice_headers {
            if !reply
                .headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case(name))
            {
                builder = builder.header(name, value);
            }
        }
        for (name, value) in reply.headers {
            builder = builder.header(name, value);
        }
        builder.body(reply.body).build()
    }
}

/// The answer to a JSON body, or the error reading it.
fn with_json(body: Result<Value, Reply>, answer: impl FnOnce(&Value) -> Reply) -> Reply {
    match body {
        Ok(body) => answer(&body),
        Err(reply) => reply,
    }
}

/// The text of `field`: present and 1 to `max` characters long (the spec's
/// `minLength: 1` and `maxLength`), else the API's 400 naming the field.
fn required_text<'b>(body: &'b Value, field: &str, max: usize) -> Result<&'b str, Reply> {
    match body.get(field).and_then(Value::as_str) {
        Some(text) if !text.is_empty() && text.chars().count() <= max => Ok(text),
        Some(_) => Err(Reply::invalid(json!({field: {"_errors": [
            format!("String must contain between 1 and {max} character(s)")
        ]}}))),
        None => Err(Reply::invalid(json!({field: {"_errors": ["Required"]}}))),
    }
}

fn invalid_type() -> Reply {
    Reply::invalid(json!({"type": {"_errors": ["Invalid enum value"]}}))
}

/// A header's value (the first, if repeated).
fn header(req: &HttpMockRequest, name: &str) -> Option<String> {
    req.headers_vec()
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

/// A path template as a regular expression: `{name}` matches one segment, the
/// rest itself.
fn route_pattern(template: &str) -> String {
    let mut pattern = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        pattern.push_str(&regex::escape(&rest[..open]));
        pattern.push_str("[^/]+");
        rest = rest[open..]
            .find('}')
            .map_or("", |close| &rest[open + close + 1..]);
    }
    pattern.push_str(&regex::escape(rest));
    pattern
}

/// The value of the (one) path parameter of `op` in the request's path,
/// percent-decoded: `abc` of `/api/v1/api_keys/abc` for `/api_keys/{id}`.
fn path_param(req: &HttpMockRequest, op: &Operation) -> String {
    let path = req.uri().path().to_owned();
    let rest = path.strip_prefix(API_PREFIX).unwrap_or(&path);
    let template: Vec<&str> = op.path.split('/').collect();
    let segments: Vec<&str> = rest.split('/').collect();
    let raw = template
        .iter()
        .position(|t| t.starts_with('{'))
        .and_then(|i| segments.get(i))
        .copied()
        .unwrap_or("");
    percent_decode(raw)
}

/// `%XX` sequences decoded (lossily, as UTF-8).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The key of the request's `Authorization: Bearer <key>`, when non-empty.
fn bearer_key(req: &HttpMockRequest) -> Option<String> {
    let value = header(req, "authorization")?;
    let value = value.trim();
    let scheme = value.get(..7)?;
    if !scheme.eq_ignore_ascii_case("bearer ") {
        return None;
    }
    let key = value.get(7..)?.trim();
    (!key.is_empty()).then(|| key.to_owned())
}

/// A response before Venice's headers are added.
#[derive(Debug)]
pub(crate) struct Reply {
    status: u16,
    content_type: std::borrow::Cow<'static, str>,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
    /// Tokens this request used (for the token rate limit).
    tokens: u64,
    /// What this request costs (taken from the balance).
    cost_usd: f64,
}

impl Reply {
    fn new(
        status: u16,
        content_type: impl Into<std::borrow::Cow<'static, str>>,
        body: Vec<u8>,
    ) -> Reply {
        Reply {
            status,
            content_type: content_type.into(),
            body,
            headers: Vec::new(),
            tokens: 0,
            cost_usd: 0.0,
        }
    }

    fn json(status: u16, body: &impl Serialize) -> Reply {
        Reply::raw_json(status, serde_json::to_vec(body).unwrap_or_default())
    }

    fn raw_json(status: u16, body: Vec<u8>) -> Reply {
        Reply::new(status, "application/json; charset=utf-8", body)
    }

    fn error(status: u16, message: &str) -> Reply {
        Reply::json(status, &json!({"error": message}))
    }

    /// 400 with zod-style details, as Venice answers a malformed request:
    /// `{"error": "Invalid request parameters", "details": {"_errors": [], "model": {"_errors": ["Required"]}}}`.
    fn invalid(fields: Value) -> Reply {
        let mut details = serde_json::Map::new();
        details.insert("_errors".into(), json!([]));
        if let Value::Object(fields) = fields {
            details.extend(fields);
        }
        Reply::json(
            400,
            &json!({"error": "Invalid request parameters", "details": details}),
        )
    }

    fn sse(body: String) -> Reply {
        let mut reply = Reply::new(200, "text/event-stream", body.into_bytes());
        reply
            .headers
            .push(("cache-control".into(), "no-cache".into()));
        reply
    }

    fn bytes(content_type: &'static str, body: Vec<u8>) -> Reply {
        Reply::new(200, content_type, body)
    }

    fn text(body: &str) -> Reply {
        Reply::new(200, "text/plain; charset=utf-8", body.as_bytes().to_vec())
    }

    fn with_headers(mut self, headers: &[(&str, &str)]) -> Reply {
        self.headers.extend(
            headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        self
    }

    fn with_cost(mut self, usd: f64) -> Reply {
        self.cost_usd += usd;
        self
    }

    /// Counts the tokens of a chat answer and charges for them.
    fn with_usage(mut self, usage: &CreateChatCompletionResponseUsage) -> Reply {
        // Read from its JSON: the counts are integers or numbers as the spec says.
        let usage = serde_json::to_value(usage).unwrap_or_default();
        let count = |field: &str| {
            usage
                .get(field)
                .and_then(serde_json::Value::as_f64)
                .unwrap_or(0.0)
        };
        self.tokens += usage
            .get("total_tokens")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        // 0.70 USD per million input tokens, 2.80 per million output tokens.
        let cost = count("prompt_tokens") * 0.7e-6 + count("completion_tokens") * 2.8e-6;
        self.with_cost(cost)
    }
}
