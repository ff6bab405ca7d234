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
mod error;
mod headers;
mod json;
mod meta;
pub mod operations;
mod paginate;
mod raw;
mod refusal;
mod resources;
mod response_stream;
pub mod retry;
mod secret;
mod shape;
// The SSE parser is public only for the benchmark (feature
// `unstable-bench-internals`, not for users).
#[cfg(feature = "unstable-bench-internals")]
#[doc(hidden)]
pub mod sse;
#[cfg(not(feature = "unstable-bench-internals"))]
mod sse;
mod stream;
mod structured;
mod tee;
mod transport;
mod validate;

pub use client::{Client, ClientBuilder};
pub use error::{
    ApiError, ApiErrorKind, ConsentAcceptance, ConsentRequired, ContentPolicyRefusal, DecodeError,
    Error, JobError, JobErrorKind, ParseError, ParseErrorKind, StreamError, StreamErrorKind,
    TeeError, TeeErrorKind, TimeoutKind,
};
/// The request builders of the generated client ([`RawClient`]'s methods
/// return them).
pub use generated::builder as raw_builder;
pub use generated::operations::{SPEC_SHA256, SPEC_VERSION};
pub use generated::{Client as RawClient, types};
pub use json::from_json;
pub use meta::{
    Balances, ContentFlags, Deprecation, EndpointDeprecation, JsonOrText, RateLimit, RateLimits,
    Response, ResponseMeta,
};
pub use paginate::{Pages, Paging};
pub use resources::{
    ApiKeys, Audio, Carried, Characters, Chat, ChatCompletion, ClonedVoice, Cost, Embedding,
    EmbeddingInput, EmbeddingList, Embeddings, FileInput, GeneratedImages, ImageInput, ImageSource,
    Images, Message, ModelId, Models, OpenAiImages, Parsed, SpeechStream, TimedText, Timestamps,
    Tool, ToolCall, Transcription, VeniceParameters, Video, WebSearch,
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
pub use response_stream::{
    ResponseAccumulator, ResponseArgumentsDone, ResponseContentPartEvent, ResponseDelta,
    ResponseEvent, ResponseOutputItemEvent, ResponsePlace, ResponseSnapshot, ResponseStream,
    ResponseTextDone,
};
pub use secret::Secret;
pub use stream::{
    ChatAccumulator, ChatCompletionChunk, ChatStream, ChunkChoice, Delta, FunctionDelta,
    ToolCallDelta,
};
pub use structured::{ParseOptions, ResponseFormat, name_of, schema_of, schemars, strict_schema};
pub use tee::{Attestation, AttestationCheck, AttestationReport};
