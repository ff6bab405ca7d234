//! The offline Venice answers as the spec says to any client, not only to the
//! SDK: forms whatever the order of a part's headers, every model type, real
//! characters, wallets that pay, download URLs on another origin. Requests are
//! written by hand here (reqwest), as another language's client would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use venice_testing::{OFFLINE_API_KEY, OfflineVenice, fixtures};

/// A raw answer: status, content type, body.
struct Answer {
    status: u16,
    content_type: String,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

async fn send(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.bytes().await.unwrap().to_vec();
    Answer {
        status,
        content_type,
        headers,
        body,
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::new()
}

/// A multipart body whose parts write `Content-Type` before
/// `Content-Disposition` (RFC 7578 fixes no order).
fn form_content_type_first(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----offline-py-client-7f3a";
    let mut body = Vec::new();
    for (name, file, data) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(file) => body.extend_from_slice(
                format!("Content-Type: application/octet-stream\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Type: text/plain\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_form(
    venice: &OfflineVenice,
    path: &str,
    parts: &[(&str, Option<&str>, &[u8])],
) -> Answer {
    let (content_type, body) = form_content_type_first(parts);
    send(
        http()
            .post(format!("{}{path}", venice.base_url()))
            .bearer_auth(OFFLINE_API_KEY)
            .header("content-type", content_type)
            .body(body),
    )
    .await
}

#[tokio::test]
async fn forms_are_read_whatever_the_order_of_a_parts_headers() {
    let venice = OfflineVenice::start().await;
    let png = fixtures::sample_png();
    let up = post_form(
        &venice,
        "/image/upscale",
        &[("image", Some("a.png"), &png), ("scale", None, b"2")],
    )
    .await;
    assert_eq!(up.status, 200, "{}", String::from_utf8_lossy(&up.body));
    assert_eq!(up.content_type, "image/png");
    assert_eq!(fixtures::png_dimensions(&up.body), Some((16, 16)));

    let bg = post_form(
        &venice,
        "/image/background-remove",
        &[("image", Some("a.png"), &png)],
    )
    .await;
    assert_eq!(bg.status, 200, "{}", String::from_utf8_lossy(&bg.body));
    assert_eq!(bg.content_type, "image/png");

    // The offline Venice's own speech, transcribed back.
    let speech = send(
        http()
            .post(format!("{}/audio/speech", venice.base_url()))
            .bearer_auth(OFFLINE_API_KEY)
            .header("content-type", "application/json")
            .body(json!({"input": "Hello from a form", "model": "tts-kokoro", "voice": "af_sky", "response_format": "mp3"}).to_string()),
    )
    .await;
    assert_eq!(
        speech.status,
        200,
        "{}",
        String::from_utf8_lossy(&speech.body)
    );
    let heard = post_form(
        &venice,
        "/audio/transcriptions",
        &[
            ("file", Some("speech.mp3"), &speech.body),
            ("model", None, b"openai/whisper-large-v3"),
        ],
    )
    .await;
    assert_eq!(
        heard.status,
        200,
        "{}",
        String::from_utf8_lossy(&heard.body)
    );
    assert_eq!(heard.json()["text"], "Hello from a form");

    let cloned = post_form(
        &venice,
        "/audio/voices",
        &[
            ("file", Some("sample.mp3"), &speech.body),
            ("model", None, b"tts-chatterbox-hd"),
        ],
    )
    .await;
    assert_eq!(
        cloned.status,
        200,
        "{}",
        String::from_utf8_lossy(&cloned.body)
    );
    assert!(cloned.json()["id"].as_str().unwrap().starts_with("vv_"));

    // A body that is no form is a 400, never a panic.
    let broken = send(
        http()
            .post(format!("{}/image/upscale", venice.base_url()))
            .bearer_auth(OFFLINE_API_KEY)
            .header("content-type", "multipart/form-data; boundary=nope")
            .body("--other\r\n\r\n"),
    )
    .await;
    assert_eq!(broken.status, 400);
}

const MODEL_TYPES: &[&str] = &[
    "asr",
    "embedding",
    "image",
    "music",
    "text",
    "tts",
    "upscale",
    "inpaint",
    "video",
];

#[tokio::test]
async fn every_model_type_of_the_spec_filters_and_all_lists_every_one() {
    let venice = OfflineVenice::start().await;
    let list = |query: &str| send(http().get(format!("{}/models?type={query}", venice.base_url())));
    let mut seen = Vec::new();
    for kind in MODEL_TYPES {
        let answer = list(kind).await;
        assert_eq!(answer.status, 200, "type={kind}");
        let body = answer.json();
        assert_eq!(body["type"], *kind);
        let data = body["data"].as_array().unwrap();
        assert!(!data.is_empty(), "no {kind} model");
        assert!(
            data.iter().all(|m| m["type"] == *kind),
            "type={kind}: {data:?}"
        );
        seen.extend(data.iter().map(|m| m["id"].as_str().unwrap().to_owned()));
    }
    let all = list("all").await.json();
    let mut all: Vec<String> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    all.sort();
    seen.sort();
    assert_eq!(all, seen, "`all` is every type's models");
    let code = list("code").await.json();
    assert!(
        code["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == "qwen-2.5-coder-32b")
    );
    assert_eq!(list("sound").await.status, 400);
}

#[tokio::test]
async fn characters_are_answered_by_slug_and_their_reviews_page() {
    let venice = OfflineVenice::start().await;
    let get = |path: String| {
        send(
            http()
                .get(format!("{}{path}", venice.base_url()))
                .bearer_auth(OFFLINE_API_KEY),
        )
    };
    for slug in ["alan-watts", "marcus-aurelius"] {
        let answer = get(format!("/characters/{slug}")).await;
        assert_eq!(answer.status, 200);
        let body = answer.json();
        assert_eq!(body["object"], "character");
        assert_eq!(body["data"]["slug"], slug);
    }
    let watts = get("/characters/alan-watts".into()).await.json();
    let marcus = get("/characters/marcus-aurelius".into()).await.json();
    assert_ne!(watts["data"]["name"], marcus["data"]["name"]);
    assert_eq!(
        get("/characters/no-such-character".into()).await.status,
        404
    );
    assert_eq!(
        get("/characters/no-such-character/reviews".into())
            .await
            .status,
        404
    );

    // 45 reviews of alan-watts: pages of 20, 20 and 5, no review twice.
    let mut ids = Vec::new();
    for (page, expected) in [(1, 20), (2, 20), (3, 5), (4, 0)] {
        let answer = get(format!(
            "/characters/alan-watts/reviews?page={page}&pageSize=20"
        ))
        .await;
        assert_eq!(answer.status, 200);
        let body = answer.json();
        assert_eq!(
            body["data"].as_array().unwrap().len(),
            expected,
            "page {page}"
        );
        assert_eq!(body["pagination"]["total"], 45);
        assert_eq!(body["pagination"]["totalPages"], 3);
        assert_eq!(
            answer.headers["x-pagination-page"],
            page.to_string().as_str()
        );
        ids.extend(
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].clone()),
        );
    }
    let mut unique = ids.clone();
    unique.sort_by_key(Value::to_string);
    unique.dedup();
    assert_eq!(unique.len(), 45);
    assert_eq!(
        get("/characters/alan-watts/reviews?pageSize=0".into())
            .await
            .status,
        400
    );
}

const WALLET: &str = "0x3333333333333333333333333333333333333333";

async fn wallet_chat(venice: &OfflineVenice) -> Answer {
    send(
        http()
            .post(format!("{}/chat/completions", venice.base_url()))
            .header("sign-in-with-x", OfflineVenice::wallet_token(WALLET))
            .header("content-type", "application/json")
            .body(json!({"model": "llama-3.3-70b", "messages": [{"role": "user", "content": "Why is the sky blue?"}]}).to_string()),
    )
    .await
}

async fn wallet_balance(venice: &OfflineVenice) -> f64 {
    let answer = send(
        http()
            .get(format!("{}/x402/balance/{WALLET}", venice.base_url()))
            .header("sign-in-with-x", OfflineVenice::wallet_token(WALLET)),
    )
    .await;
    answer.json()["data"]["balanceUsd"].as_f64().unwrap()
}

#[tokio::test]
async fn a_wallet_pays_for_its_inference_and_gets_402_when_empty() {
    let venice = OfflineVenice::start().await;
    let empty = wallet_chat(&venice).await;
    assert_eq!(
        empty.status,
        402,
        "{}",
        String::from_utf8_lossy(&empty.body)
    );
    let body = empty.json();
    assert_eq!(body["code"], "PAYMENT_REQUIRED");
    assert_eq!(body["reason"], "insufficient_balance");
    assert!(body["topUpInstructions"]["step1"].is_string());
    assert!(empty.headers.contains_key("payment-required"));

    let top_up = send(
        http()
            .post(format!("{}/x402/top-up", venice.base_url()))
            .header(
                "payment-signature",
                OfflineVenice::payment_signature(WALLET, 5.0),
            ),
    )
    .await;
    assert_eq!(top_up.status, 200);
    let before = wallet_balance(&venice).await;
    assert!((before - 5.0).abs() < 1e-9);
    // Cheap answers: several of them to move the two-decimal balance.
    for _ in 0..20 {
        let paid = wallet_chat(&venice).await;
        assert_eq!(paid.status, 200);
    }
    let transactions = send(
        http()
            .get(format!("{}/x402/transactions/{WALLET}", venice.base_url()))
            .header("sign-in-with-x", OfflineVenice::wallet_token(WALLET)),
    )
    .await
    .json();
    let ledger = transactions["data"]["transactions"].as_array().unwrap();
    let charges: Vec<&Value> = ledger.iter().filter(|t| t["type"] == "CHARGE").collect();
    assert_eq!(charges.len(), 20);
    let charged: f64 = charges.iter().map(|t| -t["amount"].as_f64().unwrap()).sum();
    assert!(charged > 0.0, "each answer costs something");
    // Newest first: the last charge left the wallet with what it had less the charges.
    let after = charges[0]["balanceAfter"].as_f64().unwrap();
    assert!(
        (before - charged - after).abs() < 1e-9,
        "{before} - {charged} != {after}"
    );
    assert!(after < before, "wallet inference lowers the balance");
}

#[tokio::test]
async fn download_urls_are_on_another_origin_than_the_api() {
    let venice = OfflineVenice::start().await;
    let queued = send(
        http()
            .post(format!("{}/video/queue", venice.base_url()))
            .bearer_auth(OFFLINE_API_KEY)
            .header("content-type", "application/json")
            .body(json!({"model": "offline-vps-text-to-video", "prompt": "a lighthouse", "duration": "5s"}).to_string()),
    )
    .await;
    assert_eq!(
        queued.status,
        200,
        "{}",
        String::from_utf8_lossy(&queued.body)
    );
    let url = queued.json()["download_url"].as_str().unwrap().to_owned();
    let api_origin = venice.server().base_url();
    assert!(url.starts_with(&venice.download_origin()), "{url}");
    assert!(
        !url.starts_with(&api_origin),
        "{url} is on the API's origin"
    );
    // The API's origin does not serve it.
    let path = url.strip_prefix(&venice.download_origin()).unwrap();
    let wrong = send(http().get(format!("{api_origin}{path}"))).await;
    assert_eq!(wrong.status, 404);
}
