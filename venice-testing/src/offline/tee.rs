//! `GET /tee/attestation` and the chat of `e2ee-*` models: an offline enclave
//! with a fixed secp256k1 key.
//!
//! The attestation is self-consistent and bound to the request's nonce: the
//! signing address is the Keccak-256 address of the enclave's key, and a
//! synthesized TDX v4 quote (48-byte header, 584-byte TD report, no
//! signature) carries `address || 12 zero bytes || nonce` as report data with
//! the debug bit clear. (The quote is not signed by any Intel key: the SDK does
//! not verify quote signatures, and nor could anything here.)
//!
//! Chat with an `e2ee-*` model needs the `X-Venice-TEE-*` headers and
//! `stream: true`: every message's content is decrypted with the enclave's
//! key, answered like any chat, and each delta's content encrypted to the
//! client's key (secp256k1 ECDH, HKDF-SHA256 with info `ecdsa_encryption`,
//! AES-256-GCM; hex of `ephemeral key || nonce || ciphertext`). A last user
//! message containing `[offline:tamper]` gets a delta with one ciphertext
//! byte flipped, and one containing `[offline:plaintext]` a delta sent in
//! plain text, so tests can see the SDK refuse both.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use k256::elliptic_curve::sec1::ToEncodedPoint;
use k256::{PublicKey, SecretKey};
use serde_json::{Value, json};
use sha2::Sha256;
use sha3::{Digest, Keccak256};

use super::{Reply, State, chat, header};

/// The offline enclave's secret key (fixed: its attestation is the same in
/// every run but for the nonce).
const ENCLAVE_SECRET: [u8; 32] = [
    0x5e, 0xc7, 0x3a, 0x11, 0x0f, 0xf1, 0xce, 0x0e, 0x4c, 0x1a, 0x7e, 0x5e, 0xc2, 0x3e, 0x7d, 0x0e,
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf0, 0x01,
];

/// The TDX quote's header and TD report body (v4, TD10).
const HEADER_LEN: usize = 48;
const BODY_LEN: usize = 584;

fn enclave_key() -> Option<SecretKey> {
    SecretKey::from_slice(&ENCLAVE_SECRET).ok()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

fn point(key: &PublicKey) -> Vec<u8> {
    key.to_encoded_point(false).as_bytes().to_vec()
}

fn address(key: &PublicKey) -> Vec<u8> {
    let point = point(key);
    let digest = Keccak256::digest(point.get(1..).unwrap_or_default());
    digest.get(12..).unwrap_or_default().to_vec()
}

fn cipher(secret: &SecretKey, public: &PublicKey) -> Option<Aes256Gcm> {
    let shared = k256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), public.as_affine());
    let mut key = [0u8; 32];
    Hkdf::<Sha256>::new(None, shared.raw_secret_bytes())
        .expand(b"ecdsa_encryption", &mut key)
        .ok()?;
    Aes256Gcm::new_from_slice(&key).ok()
}

/// Encrypts `plaintext` to `recipient` with a fresh ephemeral key and nonce.
fn seal(recipient: &PublicKey, plaintext: &[u8]) -> Option<String> {
    let mut secret = [0u8; 32];
    getrandom::getrandom(&mut secret).ok()?;
    let ephemeral = SecretKey::from_slice(&secret).ok()?;
    let mut nonce = [0u8; 12];
    getrandom::getrandom(&mut nonce).ok()?;
    let ciphertext = cipher(&ephemeral, recipient)?
        .encrypt(Nonce::from_slice(&nonce), plaintext)
        .ok()?;
    let mut out = point(&ephemeral.public_key());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext);
    Some(hex(&out))
}

/// Decrypts a field encrypted to `secret`.
fn open(secret: &SecretKey, field: &str) -> Option<Vec<u8>> {
    let bytes = unhex(field)?;
    if bytes.len() < 65 + 12 + 16 {
        return None;
    }
    let (ephemeral, rest) = bytes.split_at(65);
    let (nonce, ciphertext) = rest.split_at(12);
    let ephemeral = PublicKey::from_sec1_bytes(ephemeral).ok()?;
    cipher(secret, &ephemeral)?
        .decrypt(Nonce::from_slice(nonce), ciphertext)
        .ok()
}

/// A TDX v4 quote whose TD report carries `report_data`, debug bit clear,
/// with an empty signature.
fn quote(report_data: &[u8]) -> Vec<u8> {
    let mut quote = vec![0u8; HEADER_LEN + BODY_LEN + 4];
    quote[0..2].copy_from_slice(&4u16.to_le_bytes()); // version
    quote[2..4].copy_from_slice(&2u16.to_le_bytes()); // ECDSA-256 attestation key
    quote[4..8].copy_from_slice(&0x81u32.to_le_bytes()); // TDX
    // mr_td (body offset 136): something recognizable.
    let mr_td = HEADER_LEN + 136;
    quote[mr_td..mr_td + 16].copy_from_slice(b"offline-venice!!");
    let at = HEADER_LEN + BODY_LEN - 64;
    quote[at..at + 64].copy_from_slice(report_data);
    quote
}

/// `GET /tee/attestation?model=&nonce=`.
pub(crate) fn attestation(query: &[(String, String)]) -> Reply {
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let Some(model) = param("model") else {
        return Reply::invalid(json!({"model": {"_errors": ["Required"]}}));
    };
    let nonce = match param("nonce").as_deref().map(|n| (n, unhex(n))) {
        Some((text, Some(bytes)))
            if bytes.len() == 32 && text.bytes().all(|b| !b.is_ascii_uppercase()) =>
        {
            bytes
        }
        _ => {
            return Reply::invalid(
                json!({"nonce": {"_errors": ["nonce must be 32 bytes as 64 lowercase hex characters"]}}),
            );
        }
    };
    if !super::catalog::is_e2ee(&model) {
        return Reply::error(
            404,
            &format!("Model {model} does not support TEE attestation"),
        );
    }
    let Some(key) = enclave_key() else {
        return Reply::error(500, "the offline enclave has no key");
    };
    let public = key.public_key();
    let address = address(&public);
    let mut report_data = address.clone();
    report_data.extend_from_slice(&[0u8; 12]);
    report_data.extend_from_slice(&nonce);
    let quote = hex(&quote(&report_data));
    let nonce = hex(&nonce);
    let body = json!({
        "signing_address": format!("0x{}", hex(&address)),
        "signing_algo": "ecdsa",
        "request_nonce": nonce,
        "intel_quote": quote,
        "quote": quote,
        "nvidia_payload": json!({"nonce": nonce, "evidence_list": [], "arch": "HOPPER"}).to_string(),
        "signing_public_key": hex(&point(&public)),
        "verified": true,
        "model": model.split(':').next().unwrap_or(&model),
        "nonce": nonce,
        "nonce_source": "client",
        "tee_provider": "offline-venice",
        "tee_hardware": "intel-tdx",
        "upstream_model": "offline/e2ee-model",
        "server_verification": {
            "tdx": {
                "valid": true,
                "signatureValid": false,
                "certificateChainValid": false,
                "reportData": hex(&report_data),
                "tdAttributes": "0000000000000000",
            },
            "nvidia": {"valid": false},
            "signingAddressBinding": {"bound": true, "reportDataAddress": format!("0x{}", hex(&address))},
            "nonceBinding": {"bound": true, "method": "raw"},
            "note": "offline Venice: a synthesized quote, not signed by Intel",
        },
        "candidates_evaluated": 1,
        "candidates_available": 1,
    });
    Reply::json(200, &body)
}

/// `POST /chat/completions` for an `e2ee-*` model.
pub(crate) fn chat(state: &State, req: &httpmock::HttpMockRequest, body: &Value) -> Reply {
    let Some(key) = enclave_key() else {
        return Reply::error(500, "the offline enclave has no key");
    };
    let client_key = header(req, "x-venice-tee-client-pub-key")
        .and_then(|h| unhex(h.trim()))
        .filter(|b| b.len() == 65)
        .and_then(|b| PublicKey::from_sec1_bytes(&b).ok());
    let Some(client_key) = client_key else {
        return Reply::error(
            400,
            "E2EE models need the X-Venice-TEE-Client-Pub-Key header (an uncompressed secp256k1 public key, 130 hex characters)",
        );
    };
    let model_key = header(req, "x-venice-tee-model-pub-key").unwrap_or_default();
    if model_key.trim().to_ascii_lowercase() != hex(&point(&key.public_key())) {
        return Reply::error(
            400,
            "X-Venice-TEE-Model-Pub-Key is not this model's signing key (fetch /tee/attestation)",
        );
    }
    if header(req, "x-venice-tee-signing-algo").as_deref() != Some("ecdsa") {
        return Reply::error(400, "X-Venice-TEE-Signing-Algo must be ecdsa");
    }
    if body.get("stream").and_then(Value::as_bool) != Some(true) {
        return Reply::error(400, "E2EE chat must be streamed (stream: true)");
    }
    let mut plain = body.clone();
    let mut last_user = String::new();
    if let Some(messages) = plain.get_mut("messages").and_then(Value::as_array_mut) {
        for message in messages {
            let is_user = message.get("role").and_then(Value::as_str) == Some("user");
            let Some(content) = message.get_mut("content") else {
                continue;
            };
            let Some(text) = content
                .as_str()
                .and_then(|c| open(&key, c))
                .and_then(|b| String::from_utf8(b).ok())
            else {
                return Reply::error(
                    400,
                    "Failed to decrypt message content: E2EE messages must be encrypted to the model's signing key",
                );
            };
            if is_user {
                last_user.clone_from(&text);
            }
            *content = Value::String(text);
        }
    }
    let mut reply = chat::create(state, &plain);
    if reply.status != 200 {
        return reply;
    }
    let tamper = last_user.contains("[offline:tamper]");
    let leak = last_user.contains("[offline:plaintext]");
    let text = String::from_utf8_lossy(&reply.body).into_owned();
    let mut out = String::with_capacity(text.len().saturating_mul(3));
    let mut altered = false;
    for line in text.split_inclusive('\n') {
        let Some(data) = line.strip_prefix("data: ") else {
            out.push_str(line);
            continue;
        };
        let Ok(mut chunk) = serde_json::from_str::<Value>(data.trim_end()) else {
            out.push_str(line);
            continue;
        };
        if let Some(choices) = chunk.get_mut("choices").and_then(Value::as_array_mut) {
            for choice in choices {
                for field in ["content", "reasoning_content"] {
                    let Some(value) = choice.pointer_mut(&format!("/delta/{field}")) else {
                        continue;
                    };
                    let Some(plain) = value.as_str().filter(|t| !t.is_empty()) else {
                        continue;
                    };
                    let sealed = if leak && !altered {
                        altered = true;
                        plain.to_owned()
                    } else {
                        let Some(mut sealed) = seal(&client_key, plain.as_bytes()) else {
                            return Reply::error(500, "the offline enclave could not encrypt");
                        };
                        if tamper && !altered {
                            altered = true;
                            flip_last_hex_digit(&mut sealed);
                        }
                        sealed
                    };
                    *value = Value::String(sealed);
                }
            }
        }
        out.push_str("data: ");
        out.push_str(&chunk.to_string());
        out.push('\n');
    }
    reply.body = out.into_bytes();
    reply
}

/// Changes the last hex digit of `text` (the GCM tag's last byte).
fn flip_last_hex_digit(text: &mut String) {
    if let Some(last) = text.pop() {
        text.push(if last == '0' { '1' } else { '0' });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_enclave_key_opens_what_is_sealed_to_it() {
        let key = enclave_key().unwrap();
        let sealed = seal(&key.public_key(), b"hello").unwrap();
        assert_eq!(open(&key, &sealed).unwrap(), b"hello");
        let mut bad = sealed.clone();
        flip_last_hex_digit(&mut bad);
        assert!(open(&key, &bad).is_none());
    }

    #[test]
    fn the_quote_carries_the_report_data() {
        let data = [7u8; 64];
        let q = quote(&data);
        assert_eq!(&q[HEADER_LEN + BODY_LEN - 64..HEADER_LEN + BODY_LEN], &data);
        assert_eq!(q[HEADER_LEN + 120] & 1, 0);
    }
}
