//! The wire format of Venice's end-to-end encryption, built from maintained
//! RustCrypto crates only (no cryptography is written here): secp256k1 ECDH
//! between an ephemeral (or session) key and the recipient's key, the raw
//! 32-byte X coordinate fed to HKDF-SHA256 (no salt, info
//! `ecdsa_encryption`) for an AES-256-GCM key, a random 12-byte nonce, no
//! associated data. An encrypted field is the lowercase hex of
//! `ephemeral public key (65 bytes, uncompressed) || nonce (12) || ciphertext
//! and tag`.
//!
//! Also the hex helpers, the OS random source and the Ethereum-style address
//! (Keccak-256) of a public key.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use k256::elliptic_curve::sec1::ToEncodedPoint;
use k256::{PublicKey, SecretKey};
use sha2::Sha256;
use sha3::{Digest, Keccak256};
use zeroize::Zeroizing;

/// HKDF's `info` for the AES key.
const INFO: &[u8] = b"ecdsa_encryption";
/// An uncompressed SEC1 point: `04 || X || Y`.
pub(crate) const POINT_LEN: usize = 65;
/// The AES-GCM nonce.
pub(crate) const NONCE_LEN: usize = 12;
/// The AES-GCM tag.
const TAG_LEN: usize = 16;
/// The shortest encrypted field (empty plaintext), in bytes.
pub(crate) const MIN_ENVELOPE_LEN: usize = POINT_LEN + NONCE_LEN + TAG_LEN;

/// Why an encrypted field could not be opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpenError {
    /// Not an encrypted field at all: not hex, too short, or no public key
    /// where the ephemeral key goes (plain text, most likely).
    NotEnvelope,
    /// Shaped like an encrypted field, but the tag did not verify with this
    /// key: altered, or encrypted to another key.
    Authentication,
}

/// The OS random source failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RandomFailed;

/// `bytes` as lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// The bytes of a hex string (either case; an optional `0x` prefix), or
/// `None` for anything else.
pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    let text = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    if !text.len().is_multiple_of(2) {
        return None;
    }
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    text.as_bytes()
        .chunks_exact(2)
        .map(|pair| Some((digit(pair[0])? << 4) | digit(pair[1])?))
        .collect()
}

/// Fills `buf` from the operating system's random source.
pub(crate) fn fill_random(buf: &mut [u8]) -> Result<(), RandomFailed> {
    getrandom::getrandom(buf).map_err(|_| RandomFailed)
}

/// A fresh 32-byte nonce from the OS random source.
pub(crate) fn random_nonce() -> Result<[u8; 32], RandomFailed> {
    let mut nonce = [0u8; 32];
    fill_random(&mut nonce)?;
    Ok(nonce)
}

/// A fresh secp256k1 key from the OS random source.
pub(crate) fn random_key() -> Result<SecretKey, RandomFailed> {
    // A uniformly random 32-byte string is a valid scalar but with
    // probability ~2^-128; a few tries make a failure the random source's.
    for _ in 0..8 {
        let mut bytes = Zeroizing::new([0u8; 32]);
        fill_random(&mut bytes[..])?;
        if let Ok(key) = SecretKey::from_slice(&bytes[..]) {
            return Ok(key);
        }
    }
    Err(RandomFailed)
}

/// The uncompressed SEC1 encoding of `key` (`04 || X || Y`, 65 bytes).
pub(crate) fn point(key: &PublicKey) -> Vec<u8> {
    key.to_encoded_point(false).as_bytes().to_vec()
}

/// A secp256k1 public key from its SEC1 encoding (65 bytes uncompressed or
/// 33 compressed); `None` when it is not a point of the curve.
pub(crate) fn public_key(sec1: &[u8]) -> Option<PublicKey> {
    PublicKey::from_sec1_bytes(sec1).ok()
}

/// The Ethereum-style address of `key`: the last 20 bytes of Keccak-256 over
/// the 64-byte uncompressed point without its `04` prefix.
pub(crate) fn address(key: &PublicKey) -> [u8; 20] {
    let encoded = key.to_encoded_point(false);
    let digest = Keccak256::digest(&encoded.as_bytes()[1..]);
    let mut address = [0u8; 20];
    address.copy_from_slice(&digest[12..]);
    address
}

/// The AES-256-GCM cipher of the ECDH secret between `secret` and `public`.
fn cipher(secret: &SecretKey, public: &PublicKey) -> Aes256Gcm {
    let shared = k256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), public.as_affine());
    let hkdf = Hkdf::<Sha256>::new(None, shared.raw_secret_bytes());
    let mut key = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA256's limit of 255 * 32: this cannot fail.
    let _ = hkdf.expand(INFO, &mut key[..]);
    Aes256Gcm::new(aes_gcm::Key::<Aes256Gcm>::from_slice(&key[..]))
}

/// Encrypts `plaintext` to `recipient` with a fresh ephemeral key and nonce.
pub(crate) fn seal(recipient: &PublicKey, plaintext: &[u8]) -> Result<String, RandomFailed> {
    let ephemeral = random_key()?;
    let mut nonce = [0u8; NONCE_LEN];
    fill_random(&mut nonce)?;
    Ok(seal_with(recipient, &ephemeral, &nonce, plaintext))
}

/// Encrypts `plaintext` to `recipient` with the given ephemeral key and nonce
/// (deterministic: for [`seal`] and known-answer tests).
pub(crate) fn seal_with(
    recipient: &PublicKey,
    ephemeral: &SecretKey,
    nonce: &[u8; NONCE_LEN],
    plaintext: &[u8],
) -> String {
    // AES-GCM fails only past 2^36 bytes of plaintext, which no chat message is.
    let ciphertext = cipher(ephemeral, recipient)
        .encrypt(Nonce::from_slice(nonce), plaintext)
        .unwrap_or_default();
    let mut out = point(&ephemeral.public_key());
    out.extend_from_slice(nonce);
    out.extend_from_slice(&ciphertext);
    hex(&out)
}

/// Decrypts an encrypted field meant for `secret`.
pub(crate) fn open(secret: &SecretKey, field: &str) -> Result<Zeroizing<Vec<u8>>, OpenError> {
    let bytes = unhex(field.trim()).ok_or(OpenError::NotEnvelope)?;
    if bytes.len() < MIN_ENVELOPE_LEN {
        return Err(OpenError::NotEnvelope);
    }
    let (ephemeral, rest) = bytes.split_at(POINT_LEN);
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    if ephemeral.first() != Some(&0x04) {
        return Err(OpenError::NotEnvelope);
    }
    // A 04-prefixed 65-byte string that is no point of the curve: altered.
    let ephemeral = public_key(ephemeral).ok_or(OpenError::Authentication)?;
    cipher(secret, &ephemeral)
        .decrypt(Nonce::from_slice(nonce), ciphertext)
        .map(Zeroizing::new)
        .map_err(|_| OpenError::Authentication)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    // Known answers made by `venice-sdk/tests/vectors/tee_kat.py` with
    // Python's `cryptography` (an independent implementation); its output,
    // copied as is.
    include!("../../tests/vectors/tee_kat.rs");

    fn key(hex_text: &str) -> SecretKey {
        SecretKey::from_slice(&unhex(hex_text).unwrap()).unwrap()
    }

    #[test]
    fn public_keys_and_addresses_match_python() {
        for (secret, public, address_hex) in [
            (CLIENT_SECRET, CLIENT_PUBLIC, CLIENT_ADDRESS),
            (MODEL_SECRET, MODEL_PUBLIC, MODEL_ADDRESS),
        ] {
            let public_key = key(secret).public_key();
            assert_eq!(hex(&point(&public_key)), public);
            assert_eq!(hex(&address(&public_key)), address_hex);
        }
    }

    #[test]
    fn encryption_matches_python_byte_for_byte() {
        let model = key(MODEL_SECRET).public_key();
        let nonce: [u8; NONCE_LEN] = unhex(NONCE).unwrap().try_into().unwrap();
        let sealed = seal_with(&model, &key(EPHEMERAL_SECRET), &nonce, PLAINTEXT.as_bytes());
        assert_eq!(sealed, TO_MODEL);
        // And the model's key opens it.
        assert_eq!(
            &open(&key(MODEL_SECRET), &sealed).unwrap()[..],
            PLAINTEXT.as_bytes()
        );
    }

    #[test]
    fn python_ciphertext_decrypts() {
        let opened = open(&key(CLIENT_SECRET), TO_CLIENT).unwrap();
        assert_eq!(&opened[..], REPLY.as_bytes());
        // Uppercase hex is the same field.
        let opened = open(&key(CLIENT_SECRET), &TO_CLIENT.to_uppercase()).unwrap();
        assert_eq!(&opened[..], REPLY.as_bytes());
    }

    #[test]
    fn every_altered_byte_fails_authentication() {
        let bytes = unhex(TO_CLIENT).unwrap();
        for at in 0..bytes.len() {
            let mut altered = bytes.clone();
            altered[at] ^= 0x01;
            let result = open(&key(CLIENT_SECRET), &hex(&altered));
            assert!(result.is_err(), "byte {at} altered and still opened");
            if at > 0 {
                assert_eq!(result.unwrap_err(), OpenError::Authentication, "byte {at}");
            }
        }
        // The wrong key.
        assert_eq!(
            open(&key(MODEL_SECRET), TO_CLIENT).unwrap_err(),
            OpenError::Authentication
        );
    }

    #[test]
    fn plain_text_and_short_fields_are_not_envelopes() {
        let secret = key(CLIENT_SECRET);
        for field in [
            "",
            "Hello",
            "deadbeef",
            &TO_CLIENT[..2 * MIN_ENVELOPE_LEN - 2],
            "zz",
        ] {
            assert_eq!(
                open(&secret, field).unwrap_err(),
                OpenError::NotEnvelope,
                "{field}"
            );
        }
        // 05 where the 04 prefix goes.
        let mut bytes = unhex(TO_CLIENT).unwrap();
        bytes[0] = 0x05;
        assert_eq!(
            open(&secret, &hex(&bytes)).unwrap_err(),
            OpenError::NotEnvelope
        );
    }

    #[test]
    fn seal_uses_fresh_keys_and_round_trips() {
        let model = key(MODEL_SECRET).public_key();
        let a = seal(&model, b"same text").unwrap();
        let b = seal(&model, b"same text").unwrap();
        assert_ne!(a, b);
        assert_ne!(a[..130], b[..130], "a fresh ephemeral key per message");
        assert_eq!(&open(&key(MODEL_SECRET), &a).unwrap()[..], b"same text");
        assert_eq!(a, a.to_lowercase());
    }

    #[test]
    fn hex_round_trips_and_refuses_junk() {
        assert_eq!(hex(&[0, 1, 0xab, 0xff]), "0001abff");
        assert_eq!(unhex("0001ABff").unwrap(), vec![0, 1, 0xab, 0xff]);
        assert_eq!(unhex("0x0a").unwrap(), vec![10]);
        assert!(unhex("abc").is_none());
        assert!(unhex("gg").is_none());
        assert!(unhex("é1").is_none());
    }
}
