//! Rust SDK for the Venice.ai API.
//!
//! The request and response types are generated from the Venice OpenAPI document
//! (see [`types`]); [`RawClient`] is the generated client with one builder method per
//! operation.
#![forbid(unsafe_code)]

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
pub mod transport;

pub use generated::{Client as RawClient, builder, operations, types};
