#![doc = include_str!("../README.md")]
//!
//! ## The API at a glance
//!
//! - Every call returns [`Result<Response<T>, Error>`](Response): the body (`Deref`)
//!   with its [`ResponseMeta`] (status, request id, rate limits, balances,
//!   deprecation notices, content flags, raw headers).
//! - [`Error`] is one enum: API errors with Venice's message in whichever shape it
//!   came, timeouts naming the limit, connection failures, undecodable bodies,
//!   requests refused before sending because they break the spec's rules, and
//!   configuration errors. The API key never appears in any `Debug` or `Display`.
//! - Request and response types are generated from the OpenAPI document
//!   (see [`types`]); [`Client::raw`] is the generated client, for anything else.
//! - [`ClientBuilder`] sets the key, base URL, timeouts, size limits and retries;
//!   [`ClientBuilder::http_client`] takes your own `reqwest::Client`.
//! - [`SPEC_VERSION`] is the version of the OpenAPI document this release was
//!   generated from.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

// The generated code names the SDK's own types by crate path (`::venice_sdk::Secret`).
extern crate self as venice_sdk;

/// The client generated from `spec/venice.yaml` by `cargo xtask regen`.
///
/// Lints are relaxed here only: this code is never edited by hand.
#[allow(
    missing_docs,
    unused_imports,
    unreachable_patterns,
    dead_code,
    clippy::all,
    clippy::pedantic,
    clippy::unwrap_used,
    clippy::expect_used,
    rustdoc::all
)]
#[rustfmt::skip]
mod generated;

mod client;
mod config;
mod credentials;
pub mod defaults;
pub mod error;
mod headers;
mod json;
pub mod meta;
mod paginate;
mod raw;
mod refusal;
pub mod resources;
pub mod response_stream;
pub mod retry;
mod secret;
mod shape;
pub mod sse;
pub mod stream;
pub mod structured;
pub mod tee;
mod transport;
mod validate;

pub use client::{Client, ClientBuilder};
pub use defaults::{
    DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_MAX_TOOL_ROUNDS,
    DEFAULT_STREAM_IDLE_TIMEOUT, DEFAULT_TIMEOUT, DEFAULT_TOOL_CONCURRENCY,
};
pub use error::{
    ApiError, ApiErrorKind, ConsentAcceptance, ConsentRequired, ContentPolicyRefusal, DecodeError,
    Error, JobError, JobErrorKind, ParseError, ParseErrorKind, StreamError, StreamErrorKind,
    TeeError, TeeErrorKind, TimeoutKind,
};
pub use generated::operations::{SPEC_SHA256, SPEC_VERSION};
pub use generated::{Client as RawClient, builder, operations, types};
pub use json::from_json;
pub use meta::{Response, ResponseMeta};
pub use paginate::{Pages, Paging};
pub use resources::{
    ApiKeys, Audio, Carried, Characters, Chat, ChatCompletion, ClonedVoice, Cost, Embedding,
    EmbeddingInput, EmbeddingList, Embeddings, FileInput, GeneratedImages, ImageInput, ImageSource,
    Images, JsonOrText, Message, ModelId, Models, OpenAiImages, Parsed, SpeechStream, Tool,
    ToolCall, Transcription, VeniceParameters, Video, WebSearch,
};
pub use resources::{Augment, Responses, RetrieveOutcome, Tee, TeeSession};
pub use resources::{
    Billing, CharacterFilters, Crypto, CsvExport, CsvPage, PaymentRequirement, PaymentResponse,
    UsageHistoryQuery, UsagePeriod, X402,
};
pub use resources::{Capability, HandlerErrors, Round, ToolRun, ToolRunner};
pub use resources::{
    DownloadUrl, Job, JobKind, JobTicket, JobUpdate, Media, Progress, ProgressStream,
};
pub use response_stream::{ResponseEvent, ResponseStream};
pub use secret::Secret;
pub use stream::{ChatCompletionChunk, ChatStream};
pub use structured::{ParseOptions, ResponseFormat, schemars};
pub use tee::{Attestation, AttestationReport};
