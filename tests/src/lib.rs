//! Cross-crate tests of the venice-rs workspace live in `tests/tests/`.
//!
//! This crate has no code of its own: it exists so that tests which need the
//! generator stack (to check the checked-in client) stay out of `venice-sdk`'s
//! dependency tree.
