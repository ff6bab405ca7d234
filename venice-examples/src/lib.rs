//! The examples of `venice-sdk`, one program per task, in `examples/`:
//! `cargo run --example quickstart` (offline unless `VENICE_API_KEY` is set).
//!
//! This crate has no code of its own: it exists so that building an example
//! compiles only what the examples use, not `venice-sdk`'s test-only
//! dependencies. `tests/examples.rs` runs every example against one offline
//! Venice.
#![forbid(unsafe_code)]
