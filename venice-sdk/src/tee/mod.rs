//! Private by proof: checking a confidential model's attestation, and the
//! wire format of end-to-end encrypted chat. The handle and the session are
//! [`Tee`](crate::Tee) and [`TeeSession`](crate::TeeSession)
//! (`client.tee()`).
//!
//! Venice's `e2ee-*` models run in confidential VMs (Intel TDX with NVIDIA
//! GPUs). `GET /tee/attestation` (not in the OpenAPI document) answers, for a
//! fresh 32-byte nonce from the OS random source, the enclave's signing key
//! and address, an Intel TDX quote and NVIDIA GPU evidence, and the server's
//! own verification.
//!
//! # What the SDK checks
//!
//! Every check is fail-closed (a missing or malformed field fails it), and
//! each has its line in the [`AttestationReport`]:
//!
//! 1. `nonce`: the answer echoes the nonce the SDK sent (compared with what
//!    was sent);
//! 2. `signing_address`: the address is the Keccak-256 address of the
//!    signing key;
//! 3. `report_data`: the TD report data inside the TDX quote (read from the
//!    quote's bytes) is `signing_address || 12 zero bytes || nonce`;
//! 4. `server_report_data`: the server's own verification names the same
//!    report data;
//! 5. `debug_disabled`: the TD's debug bit is clear;
//! 6. `server_verified`: the server claims `verified: true` (a claim, kept
//!    apart from what the SDK checked).
//!
//! # What that proves, and what it does not
//!
//! Passing proves that the answer is fresh (made for this request's nonce,
//! not replayed), that the key a session encrypts to is the one the quote
//! binds to that nonce, and that the quote describes a TD that is not in
//! debug mode. It does **not** prove that the quote was signed by genuine
//! Intel hardware: the quote's signature and its certificate chain up to
//! Intel's root are not verified by the SDK (the server's `verified` claim
//! says it did, and that is a claim). The NVIDIA GPU evidence
//! (`nvidia_payload`) is not verified either, nor are the TD's measurements
//! (`mrtd`, RTMRs) compared with a known build. A server able to forge a
//! TDX quote could pass these checks; verify the quote with Intel's DCAP
//! tooling where that matters.
//!
//! # The encryption
//!
//! secp256k1 ECDH between a fresh ephemeral key and the recipient's key (the
//! raw 32-byte X coordinate), HKDF-SHA256 (no salt, info
//! `ecdsa_encryption`, 32 bytes) for an AES-256-GCM key, a random 12-byte
//! nonce, no associated data; each encrypted field is the lowercase hex of
//! `ephemeral public key (65 bytes) || nonce (12) || ciphertext and tag`.
//! Messages are encrypted to the enclave's key, one ephemeral key per
//! message; the answer's deltas come back encrypted to the session's key.
//! Only maintained RustCrypto crates are used (`k256`, `hkdf`, `sha2`,
//! `aes-gcm`, `sha3`), with keys from the OS random source (`getrandom`).

mod attestation;
pub(crate) mod crypto;
mod quote;

pub use attestation::{Attestation, AttestationCheck, AttestationReport};
