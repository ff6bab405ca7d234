//! Private chat: the attestation checks on a recorded live answer (and every
//! single-byte change to it), and end-to-end encrypted chat against the
//! offline Venice's enclave and scripted loopback servers.

#![cfg(feature = "tee")] // private chat: on by default
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use support::{FaultServer, ok_json};
use venice_sdk::types::ChatCompletionRequest;
use venice_sdk::{Attestation, AttestationCheck};
use venice_sdk::{Error, Message, TeeErrorKind};
use venice_testing::OfflineVenice;

const MODEL: &str = "e2ee-gemma-3-27b-p";
/// Where the TD report data sits in a v4 quote: header 48 + body 584 - 64.
const REPORT_DATA_AT: usize = 568;
/// The TD attributes: header 48 + body offset 120.
const TD_ATTRIBUTES_AT: usize = 168;

/// The recorded answer and the nonce that was sent for it (from the recorded
/// request's query, not from the answer).
fn recorded() -> (Value, [u8; 32]) {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/recorded/tee_attestation/2.json");
    let envelope: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let body: Value = serde_json::from_str(envelope["response"]["body"].as_str().unwrap()).unwrap();
    let query = envelope["request"]["query"].as_str().unwrap();
    let nonce = query
        .split('&')
        .find_map(|p| p.strip_prefix("nonce="))
        .unwrap();
    (body, unhex(nonce).try_into().unwrap())
}

fn unhex(text: &str) -> Vec<u8> {
    let text = text.trim_start_matches("0x");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `answer` with the hex string at `field` changed by `change` on its bytes.
fn altered(answer: &Value, field: &str, change: impl FnOnce(&mut Vec<u8>)) -> Value {
    let mut answer = answer.clone();
    let text = answer.pointer(field).unwrap().as_str().unwrap().to_owned();
    let prefixed = text.starts_with("0x");
    let mut bytes = unhex(&text);
    change(&mut bytes);
    *answer.pointer_mut(field).unwrap() = json!(format!(
        "{}{}",
        if prefixed { "0x" } else { "" },
        hex(&bytes)
    ));
    answer
}

fn failed(check: &AttestationCheck) -> bool {
    matches!(check, AttestationCheck::Failed(reason) if !reason.is_empty())
}

#[test]
fn the_recorded_attestation_verifies_with_its_nonce() {
    let (answer, nonce) = recorded();
    let attestation = Attestation::verify(&answer, &nonce);
    let report = &attestation.report;
    assert!(report.passed(), "{:?}", report.failures());
    assert!(report.failures().is_empty());
    assert_eq!(attestation.nonce, hex(&nonce));
    assert_eq!(attestation.model.as_deref(), Some(MODEL));
    assert_eq!(attestation.tee_hardware.as_deref(), Some("intel-tdx"));
    assert_eq!(
        attestation.signing_address.as_deref(),
        Some("0xa6df16ebBc510D97A32b99B4DFD33793acC90e2b")
    );
}

#[test]
fn another_sent_nonce_is_rejected_whatever_the_answer_echoes() {
    let (answer, nonce) = recorded();
    for at in 0..32 {
        let mut sent = nonce;
        sent[at] ^= 0x01;
        let report = Attestation::verify(&answer, &sent).report;
        assert!(!report.passed(), "byte {at} of the sent nonce");
        assert!(failed(&report.nonce), "byte {at}");
        assert!(failed(&report.report_data), "byte {at}");
    }
}

#[test]
fn every_byte_of_the_echoed_nonce_is_checked() {
    let (answer, nonce) = recorded();
    for at in 0..32 {
        let changed = altered(&answer, "/nonce", |b| b[at] ^= 0x80);
        let report = Attestation::verify(&changed, &nonce).report;
        assert!(!report.passed(), "byte {at}");
        assert!(failed(&report.nonce), "byte {at}");
    }
}

#[test]
fn every_byte_of_the_signing_key_is_checked() {
    let (answer, nonce) = recorded();
    for at in 0..65 {
        let changed = altered(&answer, "/signing_public_key", |b| b[at] ^= 0x01);
        let report = Attestation::verify(&changed, &nonce).report;
        assert!(!report.passed(), "byte {at}");
        assert!(failed(&report.signing_address), "byte {at}");
    }
}

#[test]
fn every_byte_of_the_signing_address_is_checked() {
    let (answer, nonce) = recorded();
    for at in 0..20 {
        let changed = altered(&answer, "/signing_address", |b| b[at] ^= 0x01);
        let report = Attestation::verify(&changed, &nonce).report;
        assert!(!report.passed(), "byte {at}");
        assert!(failed(&report.signing_address), "byte {at}");
        assert!(failed(&report.report_data), "byte {at}");
    }
}

#[test]
fn every_byte_of_the_quote_report_data_is_checked() {
    let (answer, nonce) = recorded();
    for at in REPORT_DATA_AT..REPORT_DATA_AT + 64 {
        let changed = altered(&answer, "/intel_quote", |b| b[at] ^= 0x01);
        let report = Attestation::verify(&changed, &nonce).report;
        assert!(!report.passed(), "quote byte {at}");
        assert!(failed(&report.report_data), "quote byte {at}");
        assert!(failed(&report.server_report_data), "quote byte {at}");
        // The rest of the answer still checks out.
        assert!(report.signing_address.passed() && report.nonce.passed());
    }
}

#[test]
fn the_debug_bit_is_checked() {
    let (answer, nonce) = recorded();
    let changed = altered(&answer, "/intel_quote", |b| b[TD_ATTRIBUTES_AT] |= 0x01);
    let report = Attestation::verify(&changed, &nonce).report;
    assert!(!report.passed());
    assert!(failed(&report.debug_disabled));
    assert!(report.report_data.passed());
    // Another bit of the attributes is not the debug bit.
    let changed = altered(&answer, "/intel_quote", |b| b[TD_ATTRIBUTES_AT + 1] ^= 0x01);
    assert!(Attestation::verify(&changed, &nonce).report.passed());
}

#[test]
fn the_servers_claims_are_checked_apart() {
    let (answer, nonce) = recorded();
    for at in 0..64 {
        let changed = altered(&answer, "/server_verification/tdx/reportData", |b| {
            b[at] ^= 0x01;
        });
        let report = Attestation::verify(&changed, &nonce).report;
        assert!(failed(&report.server_report_data), "byte {at}");
        assert!(report.report_data.passed(), "the SDK's own check holds");
        assert!(!report.passed());
    }
    let mut changed = answer.clone();
    changed["verified"] = json!(false);
    let report = Attestation::verify(&changed, &nonce).report;
    assert!(failed(&report.server_verified));
    assert!(!report.passed());
    changed["verified"] = json!("true");
    assert!(failed(
        &Attestation::verify(&changed, &nonce).report.server_verified
    ));
}

#[test]
fn missing_or_malformed_fields_fail_closed() {
    let (answer, nonce) = recorded();
    for field in [
        "nonce",
        "signing_public_key",
        "signing_address",
        "intel_quote",
        "server_verification",
        "verified",
    ] {
        let mut missing = answer.clone();
        missing.as_object_mut().unwrap().remove(field);
        let report = Attestation::verify(&missing, &nonce).report;
        assert!(!report.passed(), "without {field}");
        let mut junk = answer.clone();
        junk[field] = json!("not hex at all");
        assert!(
            !Attestation::verify(&junk, &nonce).report.passed(),
            "junk {field}"
        );
    }
    // A quote cut short, of another version, or of another TEE type.
    for change in [
        Box::new(|b: &mut Vec<u8>| b.truncate(600)) as Box<dyn Fn(&mut Vec<u8>)>,
        Box::new(|b: &mut Vec<u8>| b[0] = 3),
        Box::new(|b: &mut Vec<u8>| b[4] = 0),
    ] {
        let changed = altered(&answer, "/intel_quote", change);
        let report = Attestation::verify(&changed, &nonce).report;
        assert!(failed(&report.report_data) && failed(&report.debug_disabled));
    }
    assert!(!Attestation::verify(&json!(null), &nonce).report.passed());
    assert_eq!(
        Attestation::verify(&json!({}), &nonce)
            .report
            .failures()
            .len(),
        6
    );
}

#[tokio::test]
async fn attestation_sends_a_fresh_nonce_and_checks_against_it() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let first = client.tee().attestation(MODEL).await.unwrap();
    let second = client.tee().attestation(MODEL).await.unwrap();
    assert!(first.report.passed(), "{:?}", first.report.failures());
    assert!(second.report.passed());
    assert_ne!(first.nonce, second.nonce);
    for nonce in [&first.nonce, &second.nonce] {
        assert_eq!(nonce.len(), 64);
        assert!(
            nonce
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }
    assert_eq!(venice.calls("getTeeAttestation"), 2);
}

#[tokio::test]
async fn a_replayed_attestation_fails_and_opens_no_session() {
    let (answer, _) = recorded();
    let models = json!({"object": "list", "type": "text", "data": [
        {"id": MODEL, "object": "model", "type": "text", "created": 0, "owned_by": "venice.ai",
         "model_spec": {"capabilities": {"supportsE2EE": true, "supportsTeeAttestation": true}}}
    ]});
    let server = FaultServer::start(vec![
        ok_json(&answer.to_string()),
        ok_json(&models.to_string()),
        ok_json(&answer.to_string()),
    ])
    .await;
    let client = server.client();
    // The live answer, replayed: every check but the nonce's holds.
    let attestation = client.tee().attestation(MODEL).await.unwrap();
    let report = &attestation.report;
    assert!(failed(&report.nonce) && failed(&report.report_data));
    assert!(report.signing_address.passed() && report.debug_disabled.passed());
    assert!(report.server_verified.passed());
    // The nonce on the wire is the one checked.
    let request = String::from_utf8_lossy(&server.requests.lock().unwrap()[0]).into_owned();
    assert!(
        request.contains(&format!("nonce={}", attestation.nonce)),
        "{request}"
    );
    assert!(request.starts_with("GET /tee/attestation?model=e2ee-gemma-3-27b-p&nonce="));
    // And no session opens on it.
    let err = client.tee().session(MODEL).await.unwrap_err();
    let Error::Tee(tee) = &err else {
        panic!("{err:?}")
    };
    let TeeErrorKind::AttestationFailed { failures } = &tee.kind else {
        panic!("{tee:?}")
    };
    assert!(
        failures.iter().any(|f| f.starts_with("nonce:")),
        "{failures:?}"
    );
    assert!(
        err.to_string().contains("attestation did not pass"),
        "{err}"
    );
    assert_eq!(server.attempts(), 3, "no chat was sent");
}

#[tokio::test]
async fn a_model_without_e2ee_gets_no_session() {
    let venice = OfflineVenice::start().await;
    let err = venice
        .client()
        .tee()
        .session("llama-3.3-70b")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Tee(t) if t.kind == TeeErrorKind::NotE2ee && t.model == "llama-3.3-70b"),
        "{err:?}"
    );
    assert_eq!(venice.calls("getTeeAttestation"), 0);
}

#[tokio::test]
async fn an_encrypted_chat_round_trips_through_the_enclave() {
    let venice = OfflineVenice::start().await;
    let session = venice.client().tee().session(MODEL).await.unwrap();
    assert!(session.attestation().report.passed());
    assert_eq!(session.client_public_key().len(), 130);
    assert!(session.client_public_key().starts_with("04"));
    // The offline enclave answers only messages it can decrypt with its key,
    // sent with the TEE headers: an answer means they were encrypted.
    let request = ChatCompletionRequest::new(
        MODEL,
        [
            Message::system("Be brief."),
            Message::user("Why is the sky blue?"),
        ],
    );
    let mut stream = session.chat(request.clone()).await.unwrap();
    let mut text = String::new();
    while let Some(chunk) = stream.next().await {
        text.push_str(chunk.unwrap().delta_text());
    }
    assert!(text.contains("Rayleigh scattering"), "{text}");
    let completion = session
        .chat(request)
        .await
        .unwrap()
        .collect_completion()
        .await
        .unwrap();
    assert_eq!(completion.text().as_deref(), Some(text.as_str()));
    assert_eq!(completion.finish_reason(), Some("stop"));
}

#[tokio::test]
async fn a_tampered_delta_ends_the_stream_with_a_typed_error() {
    let venice = OfflineVenice::start().await;
    let session = venice.client().tee().session(MODEL).await.unwrap();
    for (prompt, expected) in [
        ("Hello [offline:tamper]", "Decrypt"),
        ("Hello [offline:plaintext]", "NotEncrypted"),
    ] {
        let request = ChatCompletionRequest::new(MODEL, [Message::user(prompt)]);
        let mut stream = session.chat(request).await.unwrap();
        let mut shown = String::new();
        let err = loop {
            match stream.next().await {
                Some(Ok(chunk)) => shown.push_str(chunk.delta_text()),
                Some(Err(e)) => break e,
                None => panic!("the stream ended without an error for {prompt}"),
            }
        };
        assert!(stream.next().await.is_none(), "the error ends the stream");
        assert!(
            shown.is_empty(),
            "nothing before the altered delta: {shown}"
        );
        let Error::Tee(tee) = &err else {
            panic!("{err:?}")
        };
        let kind = match tee.kind {
            TeeErrorKind::Decrypt { choice: 0 } => "Decrypt",
            TeeErrorKind::NotEncrypted { choice: 0 } => "NotEncrypted",
            ref other => panic!("{other:?}"),
        };
        assert_eq!(kind, expected);
        // The error shows neither the ciphertext nor the text.
        let message = err.to_string();
        assert!(
            !message.contains("Hello") && message.len() < 400,
            "{message}"
        );
        // collect_completion ends the same way.
        let request = ChatCompletionRequest::new(MODEL, [Message::user(prompt)]);
        let collected = session
            .chat(request)
            .await
            .unwrap()
            .collect_completion()
            .await;
        assert!(matches!(collected, Err(Error::Tee(_))), "{collected:?}");
    }
}

#[tokio::test]
async fn content_that_cannot_be_encrypted_is_refused_before_sending() {
    let venice = OfflineVenice::start().await;
    let session = venice.client().tee().session(MODEL).await.unwrap();
    let parts: Message =
        venice_sdk::from_json(br#"{"role": "user", "content": [{"type": "text", "text": "Hi"}]}"#)
            .unwrap();
    let request = ChatCompletionRequest::new(MODEL, [Message::user("first"), parts]);
    let err = session.chat(request).await.unwrap_err();
    assert!(
        matches!(&err, Error::Tee(t) if t.kind == TeeErrorKind::UnsupportedContent { message: 1 }),
        "{err:?}"
    );
    // Another model than the session's.
    let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Hi")]);
    assert!(matches!(
        session.chat(request).await.unwrap_err(),
        Error::InvalidRequest { .. }
    ));
    assert_eq!(venice.calls("createChatCompletion"), 0, "nothing was sent");
}

#[tokio::test]
async fn the_session_key_stays_out_of_debug() {
    let venice = OfflineVenice::start().await;
    let session = venice.client().tee().session(MODEL).await.unwrap();
    let debug = format!("{session:?}");
    assert!(debug.contains(session.client_public_key()));
    assert!(
        debug.contains("TeeSession") && debug.ends_with(".. }"),
        "{debug}"
    );
    // Public keys only: 2 of them, 130 hex digits each, and nothing else long.
    let long_hex = debug
        .split(|c: char| !c.is_ascii_hexdigit())
        .filter(|w| w.len() >= 64)
        .count();
    assert_eq!(long_hex, 2, "{debug}");
}

#[test]
fn neither_prompts_nor_answers_reach_the_trace_log() {
    let log = support::logged_without(
        &["A very private question", "Rayleigh scattering", "sky blue"],
        async {
            let venice = OfflineVenice::start().await;
            let session = venice.client().tee().session(MODEL).await.unwrap();
            let request = ChatCompletionRequest::new(
                MODEL,
                [Message::user(
                    "A very private question: why is the sky blue?",
                )],
            );
            let answer = session
                .chat(request)
                .await
                .unwrap()
                .collect_completion()
                .await
                .unwrap();
            assert!(answer.text().unwrap().contains("Rayleigh scattering"));
        },
    );
    assert!(log.contains("createE2eeChatCompletion"), "{log}");
    assert!(log.contains("getTeeAttestation"), "{log}");
}
