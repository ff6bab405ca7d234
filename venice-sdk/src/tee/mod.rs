//! Private by proof: checking a confidential model's attestation, and the
//! wire format of end-to-end encrypted chat, without I/O. The handle and the
//! session are [`Tee`](crate::Tee) and [`TeeSession`](crate::TeeSession)
//! (`client.tee()`); what is checked, what it proves and the wire format are
//! written once, in `privacy.md`, shown on [`Tee`](crate::Tee)'s page.

mod attestation;
pub(crate) mod crypto;
mod quote;

pub use attestation::{Attestation, AttestationCheck, AttestationReport};
