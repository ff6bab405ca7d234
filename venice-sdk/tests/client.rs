//! The SDK surface over a loopback mock: auth, metadata, errors, images, validation,
//! secrets.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use httpmock::prelude::*;
use serde_json::json;
use venice_sdk::types::{self, ChatCompletionRequest, GenerateImageRequest};
use venice_sdk::{ApiErrorKind, Client, Error, ImageInput, Message, TimeoutKind};

const KEY: &str = "vk-test-SECRET-4f9c2a7e1b";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRfake-png-body";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .api_key(KEY)
        .base_url(server.base_url())
        .build()
        .unwrap()
}

fn chat_request() -> ChatCompletionRequest {
    ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Why is the sky blue?")])
}

fn completion_body() -> serde_json::Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "llama-3.3-70b",
        "choices": [{"index": 0, "finish_reason": "stop", "stop_reason": null, "logprobs": null,
            "message": {"role": "assistant", "content": "Rayleigh scattering.", "reasoning_content": null, "tool_calls": []}}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8},
        "venice_parameters": null
    })
}

#[tokio::test]
async fn chat_sends_key_user_agent_and_no_api_version_and_reads_metadata() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/chat/completions")
                .header("authorization", format!("Bearer {KEY}"))
                .header("user-agent", concat!("venice-sdk/", env!("CARGO_PKG_VERSION")))
                .header_missing("api-version")
                .json_body(json!({"model": "llama-3.3-70b", "messages": [{"role": "user", "content": "Why is the sky blue?"}]}));
            then.status(200)
                .header("content-type", "application/json")
                .header("cf-ray", "8f00aa-SJC")
                .header("x-ratelimit-remaining-requests", "42")
                .header("x-ratelimit-reset-requests", "30")
                .header("x-ratelimit-remaining-tokens", "1000")
                .header("x-venice-balance-usd", "9.75")
                .header("x-venice-model-deprecation-warning", "moving on")
                .json_body(completion_body());
        })
        .await;
    let response = client(&server).chat().create(chat_request()).await.unwrap();
    mock.assert_async().await;
    assert_eq!(response.text().as_deref(), Some("Rayleigh scattering."));
    assert_eq!(response.usage.total_tokens as f64, 8.0);
    let meta = response.meta();
    assert_eq!(meta.status.as_u16(), 200);
    assert_eq!(meta.request_id.as_deref(), Some("8f00aa-SJC"));
    assert_eq!(meta.rate_limits.requests.remaining, Some(42));
    assert!(meta.rate_limits.requests.reset_in().unwrap() <= Duration::from_secs(30));
    assert_eq!(meta.rate_limits.tokens.remaining, Some(1000));
    assert_eq!(meta.balances.usd, Some(9.75));
    assert_eq!(
        meta.deprecation.as_ref().unwrap().warning.as_deref(),
        Some("moving on")
    );
    assert_eq!(meta.headers["cf-ray"], "8f00aa-SJC");
}

#[tokio::test]
async fn create_clears_stream_so_the_answer_is_json() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/chat/completions")
                .json_body_excludes(r#"{"stream": true}"#);
            then.status(200).json_body(completion_body());
        })
        .await;
    let mut request = chat_request();
    request.stream = Some(true);
    client(&server).chat().create(request).await.unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn web3_operations_never_send_the_key() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api_keys/generate_web3_key")
                .header_missing("authorization");
            then.status(200)
                .json_body(json!({"success": true, "data": {"token": "jwt-to-sign"}}));
        })
        .await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api_keys/generate_web3_key")
                .header_missing("authorization")
                .json_body_includes(
                    r#"{"address": "0xabc", "signature": "0xsig", "token": "jwt-to-sign"}"#,
                );
            then.status(200).json_body(json!({"success": true, "data": {
                "id": "k1", "apiKey": "vk-NEW-KEY-from-wallet", "apiKeyType": "INFERENCE",
                "description": "Web3 API Key", "expiresAt": null,
                "consumptionLimit": {"usd": null, "diem": null}, "limitPeriod": "DAY"
            }}));
        })
        .await;
    let c = client(&server);
    let t = c.api_keys().web3_token().await.unwrap();
    assert_eq!(t.data.token, "jwt-to-sign");
    let body: types::PostApiKeyGenerateWeb3KeyBody = serde_json::from_value(json!({
        "address": "0xabc", "signature": "0xsig", "token": "jwt-to-sign", "apiKeyType": "INFERENCE"
    }))
    .unwrap();
    let created = c.api_keys().create_web3_key(body).await.unwrap();
    token.assert_async().await;
    create.assert_async().await;
    assert_eq!(created.data.api_key.expose(), "vk-NEW-KEY-from-wallet");
    assert!(!format!("{created:?}").contains("vk-NEW-KEY-from-wallet"));
}

#[tokio::test]
async fn created_keys_never_show_in_debug() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api_keys")
                .json_body_includes(r#"{"description": "ci"}"#);
            then.status(200).json_body(json!({"success": true, "data": {
                "id": "k2", "apiKey": "vk-BRAND-NEW-secret-77", "apiKeyType": "ADMIN",
                "description": "ci", "expiresAt": null,
                "consumptionLimit": {"usd": null, "diem": null}, "limitPeriod": "DAY"
            }}));
        })
        .await;
    let body: types::CreateApiKeyBody =
        serde_json::from_value(json!({"apiKeyType": "ADMIN", "description": "ci"})).unwrap();
    let created = client(&server).api_keys().create(body).await.unwrap();
    assert_eq!(created.data.api_key.expose(), "vk-BRAND-NEW-secret-77");
    let shown = format!("{created:?} {:#?}", created.data);
    assert!(!shown.contains("vk-BRAND-NEW-secret-77"), "{shown}");
    assert!(shown.contains("<redacted>"));
}

#[tokio::test]
async fn an_undecodable_created_key_is_not_quoted_in_the_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/api_keys");
            then.status(200)
                .body(r#"{"success": true, "data": {"apiKey": "vk-LEAK-ME-not", "id": 5"#);
        })
        .await;
    let body: types::CreateApiKeyBody =
        serde_json::from_value(json!({"apiKeyType": "ADMIN", "description": "ci"})).unwrap();
    let err = client(&server).api_keys().create(body).await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("vk-LEAK-ME-not"), "{shown}");
}

#[tokio::test]
async fn delete_sends_the_id_as_query_parameter() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/api_keys")
                .query_param("id", "e28e82dc")
                .body("");
            then.status(200).json_body(json!({"success": true}));
        })
        .await;
    let out = client(&server).api_keys().delete("e28e82dc").await.unwrap();
    mock.assert_async().await;
    assert!(out.success);
    assert!(matches!(
        client(&server).api_keys().delete(" ").await,
        Err(Error::InvalidRequest { ref field, .. }) if field == "id"
    ));
}

#[tokio::test]
async fn error_bodies_in_every_shape_become_api_errors() {
    let cases: Vec<(u16, &str, &str, ApiErrorKind, bool)> = vec![
        (
            402,
            r#"{"error": "Insufficient USD or VCU balance to complete request"}"#,
            "Insufficient USD or VCU balance to complete request",
            ApiErrorKind::InsufficientBalance,
            false,
        ),
        (
            400,
            r#"{"error": "Invalid request parameters", "details": {"_errors": [], "model": {"_errors": ["Required"]}}}"#,
            "Invalid request parameters",
            ApiErrorKind::BadRequest,
            false,
        ),
        (
            503,
            r#"{"error": {"message": "The model is at capacity. Please try again later.", "code": "MODEL_AT_CAPACITY"}}"#,
            "The model is at capacity. Please try again later.",
            ApiErrorKind::ModelOverloaded,
            true,
        ),
        (
            429,
            r#"{"error": "Rate limit exceeded"}"#,
            "Rate limit exceeded",
            ApiErrorKind::RateLimited,
            true,
        ),
        (
            502,
            "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
            "non-JSON error page: 502 Bad Gateway",
            ApiErrorKind::ServerError,
            true,
        ),
        (418, "", "I'm a teapot", ApiErrorKind::Other, false),
    ];
    for (status, body, message, kind, retryable) in cases {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(POST).path("/chat/completions");
                then.status(status).header("cf-ray", "ray-1").body(body);
            })
            .await;
        let err = client(&server)
            .chat()
            .create(chat_request())
            .await
            .unwrap_err();
        let api = err.api().unwrap_or_else(|| panic!("{status}: {err:?}"));
        assert_eq!(api.status.as_u16(), status);
        assert_eq!(api.message, message, "{status}");
        assert_eq!(api.kind, kind, "{status}");
        assert_eq!(err.is_retryable(), retryable, "{status}");
        assert_eq!(err.request_id(), Some("ray-1"));
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        let shown = err.to_string();
        assert!(shown.starts_with(&status.to_string()), "{shown}");
        assert!(shown.contains("request id ray-1"), "{shown}");
        assert!(!format!("{shown} {err:?}").contains(KEY));
    }
}

#[tokio::test]
async fn a_success_with_a_bad_body_is_a_decode_error_with_the_status() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/characters");
            then.status(200)
                .header("content-type", "text/html")
                .body("<html>hi</html>");
        })
        .await;
    let err = client(&server).characters().list().await.unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.status.as_u16(), 200);
    assert_eq!(decode.content_type.as_deref(), Some("text/html"));
    assert_eq!(decode.excerpt.as_deref(), Some("<html>hi</html>"));
    assert!(err.to_string().contains("listCharacters"), "{err}");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/characters");
            then.status(200).body(vec![b' '; 4096]);
        })
        .await;
    let c = Client::builder()
        .base_url(server.base_url())
        .max_response_size(1024)
        .build()
        .unwrap();
    let err = c.characters().list().await.unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 1024, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_request_timeout_is_reported_as_such() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/characters");
            then.status(200)
                .delay(Duration::from_millis(800))
                .json_body(json!({"data": [], "object": "list"}));
        })
        .await;
    let c = Client::builder()
        .base_url(server.base_url())
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let err = c.characters().list().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(matches!(
        err,
        Error::Timeout {
            limit: TimeoutKind::Request,
            ..
        }
    ));
    assert!(err.to_string().contains("request timeout"), "{err}");
}

#[tokio::test]
async fn a_refused_connection_is_a_connection_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let c = Client::builder()
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .api_key(KEY)
        .base_url(format!("http://{addr}"))
        .build()
        .unwrap();
    let err = c.models().list(None).await.unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert!(!format!("{err} {err:?}").contains(KEY));
}

#[tokio::test]
async fn requests_breaking_the_spec_rules_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200);
        })
        .await;
    let c = client(&server);
    let empty = ChatCompletionRequest::new("llama-3.3-70b", []);
    let err = c.chat().create(empty).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { field, .. } if field == "messages"),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "invalid request: `messages` must have at least 1 item (has 0)"
    );

    let wide = GenerateImageRequest::new("flux-dev", "a cat")
        .unwrap()
        .with_size(2048, 512)
        .unwrap();
    let err = c.images().generate(wide.clone()).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { field, .. } if field == "width"),
        "{err}"
    );
    let err = c.images().generate_bytes(wide).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { field, .. } if field == "width"),
        "{err}"
    );

    // The seed spec also bounded `steps` (at most 50); the current one does not, so
    // the bound on `height` stands in for a second rule.
    let tall = GenerateImageRequest::new("flux-dev", "a cat")
        .unwrap()
        .with_size(512, 4096)
        .unwrap();
    let err = c.images().generate(tall).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { field, .. } if field == "height"),
        "{err}"
    );

    let err = GenerateImageRequest::new("flux-dev", "x".repeat(7501)).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { field, .. } if field == "prompt"),
        "{err}"
    );
    let err = c
        .images()
        .upscale(ImageInput::bytes(PNG.to_vec()), 0.0)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { field, .. } if field == "scale"),
        "{err}"
    );

    assert_eq!(any.calls_async().await, 0, "nothing may be sent");
}

#[tokio::test]
async fn generate_decodes_base64_images() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/image/generate")
                .json_body_includes(r#"{"model": "flux-dev", "prompt": "a cat"}"#)
                .json_body_excludes(r#"{"return_binary": true}"#);
            then.status(200)
                .header("x-venice-is-blurred", "false")
                .header("x-venice-is-content-violation", "false")
                .json_body(json!({
                    "id": "img-1",
                    "images": ["iVBORw0KGgoAAAANSUhEUg=="],
                    "timing": {"inferenceDuration": 1.0, "inferencePreprocessingTime": 0.1, "inferenceQueueTime": 0.2, "total": 1.3}
                }));
        })
        .await;
    let request = GenerateImageRequest::new("flux-dev", "a cat").unwrap();
    let images = client(&server).images().generate(request).await.unwrap();
    mock.assert_async().await;
    assert_eq!(images.images.len(), 1);
    assert!(images.images[0].starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(images.meta().content.is_blurred, Some(false));
}

#[tokio::test]
async fn generate_bytes_returns_the_png_and_refuses_json() {
    let server = MockServer::start_async().await;
    let png = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/image/generate")
                .header("authorization", format!("Bearer {KEY}"))
                .json_body_includes(r#"{"return_binary": true, "prompt": "a cat"}"#);
            then.status(200)
                .header("content-type", "image/png")
                .header("x-venice-is-content-violation", "true")
                .body(PNG);
        })
        .await;
    let request = GenerateImageRequest::new("flux-dev", "a cat").unwrap();
    let bytes = client(&server)
        .images()
        .generate_bytes(request)
        .await
        .unwrap();
    png.assert_async().await;
    assert_eq!(&bytes[..], PNG);
    assert_eq!(bytes.meta().content.is_content_violation, Some(true));

    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/image/generate");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({"id": "x", "images": []}));
        })
        .await;
    let request = GenerateImageRequest::new("flux-dev", "a cat").unwrap();
    let err = client(&server)
        .images()
        .generate_bytes(request)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("expected an image, got application/json"),
        "{err}"
    );
}

#[tokio::test]
async fn upscale_sends_a_multipart_form_from_bytes_or_a_file() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/image/upscale")
                .header("authorization", format!("Bearer {KEY}"))
                .header_includes("content-type", "multipart/form-data; boundary=")
                .body_includes("name=\"image\"; filename=\"cat.png\"")
                .body_includes("Content-Type: image/png")
                .body_includes("fake-png-body")
                .body_includes("name=\"scale\"\r\n\r\n4");
            then.status(200)
                .header("content-type", "image/png")
                .body(PNG);
        })
        .await;
    let dir = std::env::temp_dir().join(format!("venice-sdk-upscale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cat.png");
    std::fs::write(&path, PNG).unwrap();
    let out = client(&server)
        .images()
        .upscale(path.clone(), 4.0)
        .await
        .unwrap();
    assert_eq!(&out[..], PNG);
    mock.assert_async().await;

    let missing = client(&server)
        .images()
        .upscale(dir.join("nope.png"), 2.0)
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::Io { .. }), "{missing:?}");
    assert!(missing.to_string().contains("nope.png"), "{missing}");
    let _ = std::fs::remove_dir_all(&dir);

    let server = MockServer::start_async().await;
    let from_bytes = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/image/upscale")
                .body_includes("filename=\"image.png\"");
            then.status(200)
                .header("content-type", "image/png")
                .body(PNG);
        })
        .await;
    client(&server)
        .images()
        .upscale(ImageInput::bytes(PNG.to_vec()), 2.0)
        .await
        .unwrap();
    from_bytes.assert_async().await;
}

#[tokio::test]
async fn unknown_fields_and_enum_values_decode_through_the_sdk() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/models").query_param("type", "text");
            then.status(200).json_body(json!({
                "object": "list", "type": "text", "new_top_level": 1,
                "data": [{"id": "m", "object": "model", "owned_by": "venice.ai", "type": "video",
                    "model_spec": {"traits": [], "privacy": "private", "brandNew": {"x": 1}}, "extra": true}]
            }));
        })
        .await;
    let models = client(&server).models().list("text").await.unwrap();
    assert_eq!(models.data[0].type_, "video");
}

#[test]
fn from_env_explains_a_missing_key() {
    // The variable is never set in the test environment's name space we use here.
    if std::env::var("VENICE_API_KEY").is_err() {
        let err = Client::from_env().unwrap_err();
        assert!(err.to_string().contains("VENICE_API_KEY"), "{err}");
    }
}

#[tokio::test]
async fn generate_to_streams_the_image_into_a_writer() {
    let server = MockServer::start_async().await;
    let big: Vec<u8> = PNG
        .iter()
        .copied()
        .chain((0..200_000u32).map(|i| i as u8))
        .collect();
    let body = big.clone();
    server
        .mock_async(move |when, then| {
            when.method(POST)
                .path("/image/generate")
                .json_body_includes(r#"{"return_binary": true}"#);
            then.status(200)
                .header("content-type", "image/png")
                .body(body);
        })
        .await;
    let mut sink: Vec<u8> = Vec::new();
    let request = GenerateImageRequest::new("flux-dev", "a cat").unwrap();
    let written = client(&server)
        .images()
        .generate_to(request, &mut sink)
        .await
        .unwrap();
    assert_eq!(*written, big.len() as u64);
    assert_eq!(sink, big);

    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/image/generate");
            then.status(200)
                .header("content-type", "application/json")
                .body("{}");
        })
        .await;
    let mut sink: Vec<u8> = Vec::new();
    let request = GenerateImageRequest::new("flux-dev", "a cat").unwrap();
    let err = client(&server)
        .images()
        .generate_to(request, &mut sink)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert!(sink.is_empty());
}

/// Users spawn calls onto multi-threaded runtimes: every future must be `Send`.
#[allow(dead_code)]
fn every_call_is_send_and_the_client_is_shareable() {
    fn send<T: Send>(_: T) {}
    fn share<T: Send + Sync + Clone + 'static>() {}
    share::<Client>();
    let c = Client::builder().build().unwrap();
    send(c.chat().create(chat_request()));
    send(c.chat().stream(chat_request()));
    send(c.models().list(None));
    send(c.images().upscale(ImageInput::bytes(PNG.to_vec()), 2.0));
    send(
        c.images()
            .generate_bytes(GenerateImageRequest::new("m", "p").unwrap()),
    );
    send(c.api_keys().delete("x"));
}

#[allow(dead_code)]
fn the_stream_is_send(stream: venice_sdk::ChatStream) -> impl Send {
    stream
}

/// A request enum value the spec does not list yet (a new video duration) is sent
/// as given; the value rules of the other fields still apply.
#[tokio::test]
async fn a_request_enum_value_the_sdk_does_not_know_is_sent_as_given() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/video/queue")
                .json_body_includes(r#"{"duration": "17s", "aspect_ratio": "7:5"}"#);
            then.status(200)
                .json_body(json!({"model": "video-model", "queue_id": "q-17"}));
        })
        .await;
    let duration: types::QueueVideoRequestDuration = "17s".parse().unwrap();
    let video = || -> types::QueueVideoRequest {
        serde_json::from_value(
            json!({"model": "video-model", "prompt": "a cat", "duration": duration}),
        )
        .unwrap()
    };
    let mut request = video();
    request.aspect_ratio = Some(types::QueueVideoRequestAspectRatio::from("7:5"));
    let body = serde_json::to_value(&request).unwrap();
    assert_eq!(body["duration"], "17s");

    let c = client(&server);
    let queued = c.video().queue(request).await.unwrap();
    mock.assert_async().await;
    assert_eq!(queued.queue_id, "q-17");

    let mut crowded = video();
    crowded.reference_image_urls =
        serde_json::from_value(json!(vec!["https://example.com/a.png"; 10])).unwrap();
    let err = c.video().queue(crowded).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { field, .. } if field == "reference_image_urls"),
        "{err}"
    );
    mock.assert_calls_async(1).await;
}

/// A request enum is built from the string it is sent as, known or not, on
/// any shape upstream gives it (an enum, a free string): an unknown value is
/// sent as given, a known one is the value serde reads.
#[test]
fn request_values_are_built_from_their_wire_strings() {
    use types::QueueVideoRequestDuration as Duration;

    let unknown = Duration::from("17s");
    assert_eq!(unknown, "17s");
    assert_eq!(unknown.to_string(), "17s");
    let json = serde_json::to_string(&unknown).unwrap();
    assert_eq!(json, r#""17s""#);
    assert_eq!(serde_json::from_str::<Duration>(&json).unwrap(), unknown);
    assert_eq!(
        serde_json::from_str::<Duration>(r#""5s""#).unwrap(),
        Duration::from("5s")
    );
    assert_eq!(
        serde_json::to_string(&Duration::from("1 gen")).unwrap(),
        r#""1 gen""#
    );
}

#[tokio::test]
async fn extra_body_fields_headers_and_query_reach_the_api_and_a_secret_header_is_redacted() {
    use httpmock::prelude::*;
    let server = MockServer::start_async().await;
    let seen = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/chat/completions")
                .query_param("preview", "true")
                .header("x-trace-id", "checkout-42")
                .header("x-gateway-token", "gw-s3cr3t-token-123")
                .json_body_includes(r#"{"fallbacks": ["qwen3-4b"]}"#)
                .json_body_includes(r#"{"model": "m"}"#)
                .json_body_includes(r#"{"temperature": 0.5}"#);
            then.status(401)
                .header("content-type", "application/json")
                .body(r#"{"error": "gateway token gw-s3cr3t-token-123 refused"}"#);
        })
        .await;
    let client = Client::builder()
        .api_key("vk-extras-KEY-123456")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let extended = client
        .with_extra_body(serde_json::json!({"fallbacks": ["qwen3-4b"], "temperature": 0.5}))
        .unwrap()
        .with_header("x-trace-id", "checkout-42")
        .unwrap()
        .with_secret_header("x-gateway-token", "gw-s3cr3t-token-123")
        .unwrap()
        .with_query("preview", true);
    let mut request = ChatCompletionRequest::new("m", [Message::user("hi")]);
    request.temperature = Some(0.1);
    let error = extended.chat().create(request).await.unwrap_err();
    seen.assert_async().await;
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("gw-s3cr3t-token-123"), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");
    // The client it came from sends none of it.
    assert!(client.with_extra_body(serde_json::json!([1])).is_err());
    assert!(client.with_header("bad name", "x").is_err());
    assert!(client.with_header("x-ok", "line\nbreak").is_err());
}
