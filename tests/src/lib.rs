//! Cross-crate tests of the venice-rs workspace live in `tests/tests/`.
//!
//! This crate has no code of its own: it exists so that tests which need the
//! generator stack (to check the checked-in client) stay out of `venice-sdk`'s
//! dependency tree.

/// The workspace README's code blocks, compiled as doctests (`venice-sdk`'s crate
/// docs are its own README, which ships with the package).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The maintainers' guide's code blocks (shell and text today; a Rust block added
/// there is compiled like the README's).
#[cfg(doctest)]
#[doc = include_str!("../../CONTRIBUTING.md")]
pub struct ContributingDoctests;

/// venice-testing's README: each pattern of "Provoking errors" runs against the
/// offline Venice (`tests/provoked_errors.rs` holds the fuller tests).
#[cfg(doctest)]
#[doc = include_str!("../../venice-testing/README.md")]
pub struct TestingReadmeDoctests;
