//! The Rust SDK for the Venice.ai API.
//!
//! ## Find your task
//!
//! | task | start here |
//! |---|---|
//! | chat | [`Chat::create`] with [`ChatCompletionRequest::new`](types::ChatCompletionRequest) and [`Message`]; the answer's [`text()`](types::CreateChatCompletionResponse::text) |
//! | stream | [`Chat::stream`] → [`ChatStream`] (`next()`, `text()`, [`collect_completion()`](ChatStream::collect_completion)) |
//! | Responses API | [`Responses::create`] with [`ResponsesRequest::new`](types::ResponsesRequest) (model, then a text or a list of items); [`Responses::stream`] |
//! | structured output | [`Chat::parse`] into your own type, [`ResponseFormat`] |
//! | tools | [`Tool::for_type`], [`ToolCall::arguments_as`], and [`ToolRunner`] for the whole loop |
//! | images | [`Images::generate`], [`Images::generate_bytes`], [`Images::edit`], [`Images::upscale`] |
//! | audio | [`Audio::speech`], [`Audio::speech_stream`], [`Audio::transcribe`] |
//! | jobs (video, music) | [`Video::generate`] → [`Job`]: [`Job::progress`] to show progress, [`Job::wait`] → [`Media::save`] |
//! | embeddings | [`Embeddings::create`], [`EmbeddingList::vectors`] |
//! | models | [`Models::list`], [`Models::pick`] by [`Capability`] |
//! | lists across pages | [`Characters::list_all`], [`Billing::usage_history_all`] → [`Pages`] |
//! | private chat | [`Tee::session`] → [`TeeSession::chat`]; [`Tee::attestation`] (the `tee` feature, on by default) |
//! | errors | [`Error`] (match [`Error::Api`] and [`ApiErrorKind`]; [`Error::is_retryable`]) |
//! | metadata | [`Response::meta`] → [`ResponseMeta`] (request id, rate limits, balances) |
//! | configuration | [`Client::builder`] → [`ClientBuilder`] (key, base URL, timeouts, retries, limits) |
//! | retries | the [`retry`] module: what is sent again, and when it is not |
//! | testing | the `venice-testing` crate: `OfflineVenice` (an offline Venice that answers every operation) and typed mocks |
//! | anything else | `Client::raw()`, the generated client (the `raw` feature); [`types`] for every request and response type |
//!
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
//!   (see [`types`]); `Client::raw()` (the `raw` feature) is the generated client, for anything else.
//! - [`ClientBuilder`] sets the key, base URL, timeouts, size limits and retries;
//!   [`ClientBuilder::http_client`] takes your own `reqwest::Client`.
//! - [`SPEC_VERSION`] is the version of the OpenAPI document this release was
//!   generated from.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
// A build with only some areas (see the `all-areas` feature) compiles the shared
// transport, pagination and download code whole, and uses part of it: dead code
// there is by design. With every area, as by default, it is an error (CI).
#![cfg_attr(not(feature = "all-areas"), allow(dead_code, unused_imports))]

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
#[cfg(feature = "raw")]
mod raw;
mod refusal;
mod resources;
pub mod retry;
mod secret;
mod shape;
mod stream;
mod structured;
#[cfg(feature = "tee")]
mod tee;
mod transport;
mod validate;

pub use client::{Client, ClientBuilder};
pub use error::{
    ApiError, ApiErrorKind, ConsentAcceptance, ConsentRequired, ContentPolicyRefusal, DecodeError,
    Error, JobError, JobErrorKind, ParseError, ParseErrorKind, SizeLimit, StreamError,
    StreamErrorKind, TeeError, TeeErrorKind, TimeoutKind,
};
/// The generated client ([`Client::raw`]). Needs the `raw` feature.
#[cfg(feature = "raw")]
pub use generated::Client as RawClient;
/// The request builders of the generated client ([`RawClient`]'s methods
/// return them). Needs the `raw` feature.
#[cfg(feature = "raw")]
pub use generated::builder as raw_builder;
pub use generated::operations::{SPEC_SHA256, SPEC_VERSION};
pub use generated::types;
pub use json::from_json;
pub use meta::{
    Balances, ContentFlags, Deprecation, EndpointDeprecation, JsonOrText, RateLimit, RateLimits,
    Response, ResponseMeta,
};
pub use paginate::{Pages, Paging};
// Each area's handle and helpers, behind the area's feature (`resources/mod.rs`).
pub use resources::*;
pub use secret::Secret;
// The SSE parser is public only for the benchmark (feature
// `unstable-bench-internals`, not for users).
#[cfg(feature = "unstable-bench-internals")]
#[doc(hidden)]
pub use stream::sse;
#[cfg(feature = "chat")]
pub use stream::{
    ChatAccumulator, ChatCompletionChunk, ChatStream, ChunkChoice, Delta, FunctionDelta,
    ToolCallDelta,
};
#[cfg(feature = "responses")]
pub use stream::{
    ResponseAccumulator, ResponseArgumentsDone, ResponseContentPartEvent, ResponseDelta,
    ResponseEvent, ResponseOutputItemEvent, ResponsePlace, ResponseSnapshot, ResponseStream,
    ResponseTextDone,
};
#[cfg(feature = "chat")]
pub use structured::ResponseFormat;
pub use structured::{ParseOptions, name_of, schema_of, schemars, strict_schema};
#[cfg(feature = "tee")]
#[cfg_attr(docsrs, doc(cfg(feature = "tee")))]
pub use tee::{Attestation, AttestationCheck, AttestationReport};
