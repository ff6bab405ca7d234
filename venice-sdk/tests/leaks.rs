//! Secrets and server text that must not leak: a loopback server echoes the API
//! key (or hands out a new one) wherever a gateway might, and every test asserts
//! that no `Display`, `Debug` or TRACE log line carries it, and that error lines
//! stay one capped line whatever the server sends.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::future::Future;
use std::time::Duration;

use futures::StreamExt;
use serde_json::json;
use support::{FaultServer, Reply, http};
use venice_sdk::defaults::MAX_DISPLAYED_TEXT;
use venice_sdk::types::{self, ChatCompletionRequest, GenerateImageRequest};
use venice_sdk::{Client, Error, Message, Secret, StreamErrorKind};

/// The client's key.
const KEY: &str = "vk-leak-KEY-9f8e7d6c5b4a";
/// A key the server hands out.
const NEW_KEY: &str = "vk-new-CREATED-1a2b3c4d5e";

// ---------------------------------------------------------------------------
// Log capture and the loopback server (tests/support)

/// Runs a test body with a TRACE log capture that must hold neither key.
fn logged<F: Future<Output = ()>>(body: F) -> String {
    support::logged_without(&[KEY, NEW_KEY], body)
}

/// Neither key in the error's `Display` or `Debug`.
fn assert_clean(err: &Error) {
    for shown in [format!("{err}"), format!("{err:?}"), format!("{err:#?}")] {
        assert!(!shown.contains(KEY), "the API key leaks: {shown}");
        assert!(!shown.contains(NEW_KEY), "the new key leaks: {shown}");
    }
}

/// The error's `Display` is one line, free of control characters, and at most
/// `bound` characters long.
fn assert_one_capped_line(err: &Error, bound: usize) {
    let line = err.to_string();
    let bad: Vec<char> = line
        .chars()
        .filter(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
        .collect();
    assert!(bad.is_empty(), "control characters {bad:?} in: {line:?}");
    assert!(
        line.chars().count() <= bound,
        "{} characters: {}…",
        line.chars().count(),
        line.chars().take(200).collect::<String>()
    );
}

/// A server answering every connection with `reply`.
struct Server(FaultServer);

impl Server {
    async fn start(reply: Reply) -> Server {
        Server(FaultServer::start(vec![reply]).await)
    }

    #[cfg(feature = "raw")] // used by the `Client::raw` tests only
    fn attempts(&self) -> usize {
        self.0.attempts()
    }

    /// A client with this file's key, retries off.
    fn client(&self) -> Client {
        Client::builder()
            .api_key(KEY)
            .base_url(&self.0.base)
            .max_retries(0)
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap()
    }
}

fn chat_request() -> ChatCompletionRequest {
    ChatCompletionRequest::new("m", [Message::user("q")])
}

fn image_request() -> GenerateImageRequest {
    serde_json::from_value(json!({"model": "m", "prompt": "p"})).unwrap()
}

fn create_key_body() -> types::CreateApiKeyBody {
    serde_json::from_value(json!({"apiKeyType": "INFERENCE", "description": "d"})).unwrap()
}

// ---------------------------------------------------------------------------
// Point 8: the raw client refuses the operations that return a secret

#[cfg(feature = "raw")] // `Client::raw`
#[test]
fn the_raw_client_refuses_operations_that_return_a_secret_before_sending() {
    logged(async {
        // What the server would answer: undecodable, with a new key in it
        // (progenitor's error would print this body).
        let undecodable = json!({"success": "yes", "data": {"apiKey": NEW_KEY}}).to_string();
        let server = Server::start(http(
            200,
            &[("content-type", "application/json")],
            undecodable,
        ))
        .await;
        let client = server.client();

        let err = client
            .raw()
            .create_api_key()
            .body(create_key_body())
            .send()
            .await
            .unwrap_err();
        let (shown, debug) = (err.to_string(), format!("{err:?}"));
        assert!(
            matches!(err, progenitor_client::Error::InvalidRequest(_)),
            "{debug}"
        );
        assert!(
            shown.contains("client.api_keys().create(..)"),
            "names the method to use: {shown}"
        );
        for text in [&shown, &debug] {
            assert!(!text.contains(NEW_KEY) && !text.contains(KEY), "{text}");
        }

        let web3: types::PostApiKeyGenerateWeb3KeyBody = serde_json::from_value(json!({
            "address": "0xabc", "apiKeyType": "INFERENCE", "signature": "0xsig", "token": "t"
        }))
        .unwrap();
        let err = client
            .raw()
            .post_api_key_generate_web3_key()
            .body(web3)
            .send()
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("client.api_keys().create_web3_key(..)"),
            "{err}"
        );
        assert!(!format!("{err} {err:?}").contains(NEW_KEY));

        assert_eq!(server.attempts(), 0, "nothing was sent");

        // The SDK's own method sends it, and its error does not quote the key.
        let err = client
            .api_keys()
            .create(create_key_body())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        assert_clean(&err);
        // Where the answer went wrong is still told (read from serde_json's
        // message when the lenient decode's error carries no position).
        assert!(err.to_string().contains("at line 1 column "), "{err}");
        assert_eq!(server.attempts(), 1);
    });
}

#[cfg(feature = "raw")] // `Client::raw`
#[test]
fn the_raw_client_still_sends_other_operations() {
    logged(async {
        let server = Server::start(http(
            200,
            &[("content-type", "application/json")],
            r#"{"object": "list", "data": []}"#,
        ))
        .await;
        let characters = server.client().raw().list_characters().send().await;
        assert!(characters.is_ok(), "{characters:?}");
        assert_eq!(server.attempts(), 1);
    });
}

// ---------------------------------------------------------------------------
// Point 9: a key echoed by the server is scrubbed from every error

#[test]
fn a_key_echoed_in_a_401_body_and_headers_is_scrubbed() {
    logged(async {
        let body = json!({
            "error": format!("Invalid API key {KEY}"),
            "code": format!("BAD_KEY:{KEY}"),
            "details": {"authorization": [format!("Bearer {KEY}")], KEY: {"seen": KEY}},
        })
        .to_string();
        let bearer = format!("Bearer {KEY}");
        let ray = format!("ray-{KEY}");
        let server = Server::start(http(
            401,
            &[
                ("content-type", "application/json"),
                ("cf-ray", &ray),
                ("x-echo-authorization", &bearer),
                ("x-venice-model-deprecation-warning", KEY),
            ],
            body,
        ))
        .await;
        let err = server.client().models().list(None).await.unwrap_err();
        assert_clean(&err);
        let api = err.api().expect("an API error");
        assert_eq!(api.status, 401);
        assert_eq!(api.message, "Invalid API key <redacted>");
        assert_eq!(api.code.as_deref(), Some("BAD_KEY:<redacted>"));
        assert!(!api.body.contains(KEY));
        assert!(!api.details.as_ref().unwrap().to_string().contains(KEY));
        assert_eq!(err.request_id(), Some("ray-<redacted>"));
        assert_eq!(
            api.meta.headers["x-echo-authorization"],
            "Bearer <redacted>"
        );
        let warning = api.meta.deprecation.as_ref().unwrap().warning.as_deref();
        assert_eq!(warning, Some("<redacted>"));
    });
}

#[test]
fn a_key_in_an_html_error_page_is_scrubbed() {
    logged(async {
        let page = format!(
            "<html><head><title>502 Bad Gateway ({KEY})</title></head>\
             <body>upstream refused Authorization: Bearer {KEY}</body></html>"
        );
        let server = Server::start(http(502, &[("content-type", "text/html")], page)).await;
        let err = server
            .client()
            .chat()
            .create(chat_request())
            .await
            .unwrap_err();
        assert_clean(&err);
        let api = err.api().expect("an API error");
        assert_eq!(
            api.message,
            "non-JSON error page: 502 Bad Gateway (<redacted>)"
        );
    });
}

#[test]
fn a_key_in_a_non_image_answer_to_an_image_request_is_scrubbed() {
    logged(async {
        let page = format!("<html><body>not an image; your key is {KEY}</body></html>");
        let content_type = format!("text/html; charset=utf-8; x={KEY}");
        let ray = format!("ray-{KEY}");
        let server = Server::start(http(
            200,
            &[("content-type", &content_type), ("cf-ray", &ray)],
            page,
        ))
        .await;
        let client = server.client();

        let err = client
            .images()
            .generate_bytes(image_request())
            .await
            .unwrap_err();
        assert_clean(&err);
        let Error::Decode(decode) = &err else {
            panic!("a decode error: {err:?}")
        };
        assert!(decode.excerpt.as_deref().unwrap().contains("<redacted>"));
        assert_eq!(err.request_id(), Some("ray-<redacted>"));

        let mut sink = Vec::new();
        let err = client
            .images()
            .generate_to(image_request(), &mut sink)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        assert_clean(&err);
        assert!(sink.is_empty());
    });
}

#[test]
fn a_key_in_server_messages_inside_a_stream_is_scrubbed() {
    logged(async {
        let chunk = r#"{"id":"c","choices":[{"index":0,"delta":{"content":"hi"}}]}"#;
        let invalid = json!({"choices": format!("not a list: {KEY}")});
        let error = json!({"error": format!("upstream rejected {KEY}"), "code": KEY});
        let body = format!("data: {chunk}\n\ndata: {invalid}\n\ndata: {error}\n\n");
        let ray = format!("ray-{KEY}");
        let server = Server::start(http(
            200,
            &[("content-type", "text/event-stream"), ("cf-ray", &ray)],
            body,
        ))
        .await;
        let stream = server.client().chat().stream(chat_request()).await.unwrap();
        assert!(!format!("{stream:?}").contains(KEY));
        let items: Vec<_> = stream.collect().await;
        assert_eq!(items.len(), 3, "{items:?}");
        assert_eq!(items[0].as_ref().unwrap().delta_text(), "hi");
        let kinds: Vec<&StreamErrorKind> = items[1..]
            .iter()
            .map(|item| {
                let err = item.as_ref().unwrap_err();
                assert_clean(err);
                assert_eq!(err.request_id(), Some("ray-<redacted>"));
                match err {
                    Error::Stream(e) => &e.kind,
                    other => panic!("a stream error: {other:?}"),
                }
            })
            .collect();
        assert!(
            matches!(kinds[0], StreamErrorKind::InvalidJson { message } if message.contains("<redacted>")),
            "{kinds:?}"
        );
        assert_eq!(
            kinds[1],
            &StreamErrorKind::Server {
                message: "upstream rejected <redacted>".into(),
                code: Some("<redacted>".into()),
            }
        );
    });
}

// ---------------------------------------------------------------------------
// Point 10: Display is one capped line whatever the server sends

/// Text a server could use to forge log lines or restyle a terminal, then 100 KB.
fn hostile_text() -> String {
    format!(
        "bad request\nINFO forged log line\r\n\u{1b}[2J\u{1b}[31mred\u{1b}[0m\ttab\u{2028}sep\u{2029}\u{7}\u{202e}{}",
        "A".repeat(100_000)
    )
}

#[test]
fn an_api_error_display_is_one_capped_line() {
    logged(async {
        let body = json!({"error": hostile_text(), "code": "C\nD\u{1b}[0m"}).to_string();
        let server = Server::start(http(
            400,
            &[("content-type", "application/json"), ("cf-ray", "r\tay")],
            body,
        ))
        .await;
        let err = server.client().models().list(None).await.unwrap_err();
        // status, message, code, request id and operation: each piece capped.
        assert_one_capped_line(&err, MAX_DISPLAYED_TEXT + 100);
        let shown = err.to_string();
        assert!(
            shown.contains("bad request\\nINFO forged log line\\r\\n\\u{1b}[2J"),
            "{shown:.200}"
        );
        assert!(shown.contains("[C\\nD\\u{1b}[0m]"), "{shown}");
        assert!(shown.contains("(request id r\\tay)"), "{shown}");
        // The field keeps the whole message.
        assert_eq!(err.api().unwrap().message, hostile_text());
    });
}

#[test]
fn a_stream_error_display_is_one_capped_line() {
    logged(async {
        let event = json!({"error": hostile_text(), "code": "c\rd"});
        let server = Server::start(http(
            200,
            &[("content-type", "text/event-stream")],
            format!("data: {event}\n\n"),
        ))
        .await;
        let mut stream = server.client().chat().stream(chat_request()).await.unwrap();
        let err = stream.next().await.unwrap().unwrap_err();
        assert_one_capped_line(&err, MAX_DISPLAYED_TEXT + 120);
        assert!(err.to_string().contains("[c\\rd]"), "{err}");
        let Error::Stream(e) = &err else {
            panic!("a stream error: {err:?}")
        };
        assert!(
            matches!(&e.kind, StreamErrorKind::Server { message, .. } if *message == hostile_text())
        );
        assert!(stream.next().await.is_none());
    });
}

// ---------------------------------------------------------------------------
// Point 11: a response holding a new key does not serialize implicitly

#[test]
fn a_created_key_is_not_serialized_implicitly() {
    logged(async {
        let created = json!({"success": true, "data": {
            "id": "k1", "apiKey": NEW_KEY, "apiKeyType": "INFERENCE",
            "description": "d", "expiresAt": null, "consumptionLimit": {}, "limitPeriod": "DAY"}});
        let server = Server::start(http(
            200,
            &[("content-type", "application/json")],
            created.to_string(),
        ))
        .await;
        let response = server
            .client()
            .api_keys()
            .create(create_key_body())
            .await
            .unwrap();
        assert_eq!(response.data.api_key.expose(), NEW_KEY);
        let err = serde_json::to_string(&*response).unwrap_err();
        assert!(!format!("{err} {err:?}").contains(NEW_KEY), "{err}");
        assert!(!format!("{response:?}").contains(NEW_KEY));
        // The answer as received is not kept: it holds the key in clear.
        assert_eq!(response.json(), None);
        assert_eq!(response.json_at::<String>("/data/apiKey").unwrap(), None);
        // Saving it is explicit.
        let saved = Secret::exposing(|| serde_json::to_value(&*response)).unwrap();
        assert_eq!(saved["data"]["apiKey"], NEW_KEY);
    });
}

#[test]
fn a_generated_response_holding_a_key_does_not_serialize_implicitly() {
    let response: venice_sdk::types::CreateApiKeyResponse = serde_json::from_value(
        serde_json::json!({"success": true, "data": {"id": "k1", "apiKey": KEY,
            "apiKeyType": "INFERENCE", "description": "d", "expiresAt": null, "consumptionLimit": {}, "limitPeriod": "DAY"}}),
    )
    .unwrap();
    let err = serde_json::to_string(&response).unwrap_err();
    assert!(!format!("{err} {err:?}").contains(KEY));
    assert!(!format!("{response:?}").contains(KEY));
    // The explicit opt-ins write it, and only while asked.
    let json = Secret::exposing(|| serde_json::to_string(&response)).unwrap();
    assert!(json.contains(KEY), "{json}");
    Secret::exposing(|| {
        Secret::exposing(|| ());
        assert!(
            serde_json::to_string(&response).is_ok(),
            "the outer call still exposes"
        );
    });
    assert!(serde_json::to_string(&response).is_err());
    let panicked = std::panic::catch_unwind(|| {
        Secret::exposing(|| panic!("inside"));
    });
    assert!(panicked.is_err());
    assert!(
        serde_json::to_string(&response).is_err(),
        "a panic does not leave exposure on"
    );
    #[derive(serde::Serialize)]
    struct Mine {
        #[serde(serialize_with = "venice_sdk::Secret::serialize_exposed")]
        key: Secret,
    }
    let mine = Mine {
        key: Secret::new(KEY),
    };
    assert_eq!(
        serde_json::to_string(&mine).unwrap(),
        format!("{{\"key\":\"{KEY}\"}}")
    );
}

// ---------------------------------------------------------------------------
// Wallet credentials and download URLs

/// A wallet's `SIGN-IN-WITH-X` token (lower case: hyper lower-cases header
/// names, so only a lower-case token can come back as one).
const WALLET_TOKEN: &str = "siwx-wallet-token-0a1b2c3d4e5f";
/// A payment signature.
const PAYMENT: &str = "eyJwYXltZW50IjoxfQ-PAYMENT-SIGNATURE-5a6b";
const WALLET: &str = "0x1111111111111111111111111111111111111111";

/// The requests a fault server received, as text.
fn received(server: &FaultServer) -> Vec<String> {
    server
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| String::from_utf8_lossy(r).into_owned())
        .collect()
}

/// A job resumed from a ticket whose `download_url` is `url`, on a client of
/// `server` (this file's key, retries off).
fn download_job(server: &FaultServer, url: &str) -> venice_sdk::Job {
    let ticket = venice_sdk::JobTicket::new(venice_sdk::JobKind::Video, "m", "q1")
        .with_download_url(Some(venice_sdk::DownloadUrl::new(url)));
    Client::builder()
        .api_key(KEY)
        .base_url(&server.base)
        .max_retries(0)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
        .video()
        .resume(ticket)
        .unwrap()
        .poll_interval(Duration::from_millis(5))
}

const COMPLETED: &str =
    r#"{"status": "COMPLETED", "average_execution_time": 1, "execution_duration": 1}"#;

/// None of `secrets` in the error's `Display`, `Debug` or pretty `Debug`.
fn assert_without(err: &Error, secrets: &[&str]) {
    for shown in [format!("{err}"), format!("{err:?}"), format!("{err:#?}")] {
        for secret in secrets {
            assert!(!shown.contains(secret), "{secret} leaks: {shown}");
        }
    }
}

#[test]
fn a_wallet_token_echoed_as_a_header_name_is_redacted() {
    support::logged_without(&[KEY, WALLET_TOKEN], async {
        let name = format!("x-{WALLET_TOKEN}");
        let server = Server::start(http(
            401,
            &[("content-type", "application/json"), (&name, "1")],
            r#"{"error": "Unauthorized"}"#,
        ))
        .await;
        let client = Client::builder()
            .base_url(&server.0.base)
            .sign_in_with_x(WALLET_TOKEN)
            .max_retries(0)
            .build()
            .unwrap();
        let err = client.x402().balance(WALLET).await.unwrap_err();
        assert_without(&err, &[WALLET_TOKEN]);
        let headers = &err.api().unwrap().meta.headers;
        assert_eq!(headers["x-redacted"], "1");
        assert!(headers.keys().all(|k| !k.as_str().contains(WALLET_TOKEN)));
    });
}

#[test]
fn a_payment_signature_echoed_anywhere_is_redacted_and_sent_under_the_specs_name() {
    // Lower case, so that it can come back as a header name too.
    const SIGNATURE: &str = "eyjwyxltzw50ijoxfq-payment-signature-9c8d";
    support::logged_without(&[KEY, SIGNATURE], async {
        let name = format!("x-{SIGNATURE}");
        let body = format!(
            r#"{{"error": "X402_INVALID_PAYMENT", "message": "bad header {SIGNATURE}", "details": {{"got": "{SIGNATURE}"}}}}"#
        );
        let server = FaultServer::start(vec![http(
            400,
            &[
                ("content-type", "application/json"),
                (&name, "1"),
                ("payment-response", SIGNATURE),
                ("cf-ray", SIGNATURE),
            ],
            body,
        )])
        .await;
        let client = Client::builder()
            .api_key(KEY)
            .base_url(&server.base)
            .max_retries(0)
            .build()
            .unwrap();
        let err = client.x402().top_up(SIGNATURE).await.unwrap_err();
        assert_without(&err, &[SIGNATURE, KEY]);
        let api = err.api().unwrap();
        assert_eq!(api.meta.headers["x-redacted"], "1");
        assert_eq!(api.meta.headers["payment-response"], "<redacted>");
        assert_eq!(err.request_id(), Some("<redacted>"));
        assert!(api.body.contains("<redacted>"), "{}", api.body);
        let settlement = api.payment_response().unwrap();
        assert!(!format!("{settlement:?}").contains(SIGNATURE));
        // Sent once, under the spec's name only, and without the API key.
        let seen = received(&server);
        assert_eq!(seen.len(), 1);
        let request = seen[0].to_ascii_lowercase();
        assert!(
            request.contains(&format!("\r\npayment-signature: {SIGNATURE}\r\n")),
            "{request}"
        );
        for legacy in ["x-402-payment:", "x-payment:", "authorization:"] {
            assert!(!request.contains(legacy), "{request}");
        }
    });
}

#[test]
fn a_download_url_under_the_base_path_is_never_quoted_in_transport_errors() {
    const TOKEN: &str = "T0KEN-under-base-path-77aa";
    let log = support::logged_without(&[KEY, TOKEN], async {
        let server =
            FaultServer::start(vec![support::ok_json(COMPLETED), Reply::ResetBeforeHeaders]).await;
        let url = format!("{}/api/v1/media/q1.mp4?token={TOKEN}", server.base);
        let mut media = download_job(&server, &url).wait().await.unwrap();
        let err = media.download_to(&mut Vec::new()).await.unwrap_err();
        assert!(matches!(err, Error::Connection { .. }), "{err:?}");
        assert_without(&err, &[TOKEN, "token="]);
        if let Error::Connection {
            source: Some(source),
            ..
        } = &err
        {
            assert!(source.url().is_none(), "{source:?}");
        }

        // An API URL keeps its path, not its query.
        let server = FaultServer::start(vec![Reply::ResetBeforeHeaders]).await;
        let client = Client::builder()
            .api_key(KEY)
            .base_url(&server.base)
            .max_retries(0)
            .build()
            .unwrap();
        let err = client.models().list("image").await.unwrap_err();
        assert!(matches!(err, Error::Connection { .. }), "{err:?}");
        assert!(err.to_string().contains("/models"), "{err}");
        assert_without(&err, &["type=", "?"]);
    });
    assert!(!log.contains("token="), "{log}");
}

#[test]
fn a_storage_error_echoing_the_download_url_signature_is_redacted() {
    const SIGNATURE: &str = "5ig-a1b2c3d4e5f60718293a";
    const CREDENTIAL: &str = "AKIAEXAMPLE/20240101/us-east-1/s3/aws4_request";
    const CREDENTIAL_RAW: &str = "AKIAEXAMPLE%2F20240101%2Fus-east-1%2Fs3%2Faws4_request";
    support::logged_without(&[KEY, SIGNATURE, CREDENTIAL, CREDENTIAL_RAW], async {
        let body = format!(
            "SignatureDoesNotMatch: got {SIGNATURE} for {CREDENTIAL}\n<Error><SignatureProvided>{SIGNATURE}</SignatureProvided><Credential>{CREDENTIAL_RAW}</Credential></Error>"
        );
        let server = FaultServer::start(vec![
            support::ok_json(COMPLETED),
            http(
                403,
                &[
                    ("content-type", "text/plain"),
                    ("x-amz-signature-provided", SIGNATURE),
                    ("x-amz-credential", CREDENTIAL),
                    ("cf-ray", CREDENTIAL_RAW),
                ],
                body,
            ),
        ])
        .await;
        let url = format!(
            "{}/dl/q1.mp4?X-Amz-Credential={CREDENTIAL_RAW}&X-Amz-Expires=3600&X-Amz-Signature={SIGNATURE}",
            server.base
        );
        let mut media = download_job(&server, &url).wait().await.unwrap();
        let err = media.download_to(&mut Vec::new()).await.unwrap_err();
        assert_without(&err, &[SIGNATURE, CREDENTIAL, CREDENTIAL_RAW]);
        let api = err.api().expect("an API error");
        assert_eq!(api.status, 403);
        assert!(
            api.body.contains("<SignatureProvided><redacted>"),
            "{}",
            api.body
        );
        assert!(api.message.contains("<redacted>"), "{}", api.message);
        assert_eq!(api.meta.headers["x-amz-signature-provided"], "<redacted>");
        assert_eq!(api.meta.headers["x-amz-credential"], "<redacted>");
        assert_eq!(err.request_id(), Some("<redacted>"));
    });
}

#[test]
fn a_download_error_keeps_no_location() {
    const SECRET: &str = "L0CATION-token-9988";
    let location = format!("/other/q1.mp4?sig={SECRET}");
    support::logged_without(&[KEY, SECRET], async {
        // Redirects the download does not follow.
        for status in [300, 304] {
            let server = FaultServer::start(vec![
                support::ok_json(COMPLETED),
                http(
                    status,
                    &[("location", &location), ("content-location", &location)],
                    "",
                ),
            ])
            .await;
            let url = format!("{}/dl/q1.mp4?token=T0KEN-1234", server.base);
            let mut media = download_job(&server, &url).wait().await.unwrap();
            let err = media.download_to(&mut Vec::new()).await.unwrap_err();
            assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{err:?}");
            assert_without(&err, &[SECRET, "/other/"]);
            let headers = &err.api().unwrap().meta.headers;
            assert!(!headers.contains_key("location"), "{headers:?}");
            assert!(!headers.contains_key("content-location"), "{headers:?}");
        }
        // A revocation answered with a redirect.
        let server = FaultServer::start(vec![http(302, &[("location", &location)], "")]).await;
        let url = format!("{}/dl/q1.mp4?token=T0KEN-1234", server.base);
        let err = download_job(&server, &url).complete().await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(302), "{err:?}");
        assert_without(&err, &[SECRET, "/other/"]);
        assert!(!err.api().unwrap().meta.headers.contains_key("location"));
    });
}

#[test]
fn a_redirecting_http_client_carries_no_wallet_credential_to_another_origin() {
    support::logged_without(&[KEY, WALLET_TOKEN, PAYMENT], async {
        let other = FaultServer::start(vec![support::ok_json(
            r#"{"success": true, "data": {"walletAddress": "0x1111111111111111111111111111111111111111", "balanceUsd": 1, "canConsume": true, "minimumTopUpUsd": 5, "suggestedTopUpUsd": 10, "amountCredited": 5, "newBalance": 5, "paymentId": "p", "object": "list"}}"#,
        )])
        .await;
        let elsewhere = format!("{}/elsewhere", other.base);
        let api = FaultServer::start(vec![http(307, &[("location", &elsewhere)], "")]).await;

        // A wallet token with a client whose redirects are unknown: refused
        // when the client is built.
        let built = Client::builder()
            .base_url(&api.base)
            .sign_in_with_x(WALLET_TOKEN)
            .http_client(reqwest::Client::new())
            .build();
        match built {
            Err(Error::Config(message)) => {
                assert!(message.contains("Policy::none()"), "{message}");
                assert!(
                    message.contains("http_client_follows_no_redirects()"),
                    "{message}"
                );
            }
            Ok(client) => {
                let answer = client.x402().balance(WALLET).await;
                panic!(
                    "built and sent; answer {answer:?}; the other origin got {:?}",
                    received(&other)
                );
            }
            Err(e) => panic!("{e:?}"),
        }

        // A payment through such a client: refused, nothing sent.
        let client = Client::builder()
            .api_key(KEY)
            .base_url(&api.base)
            .max_retries(0)
            .http_client(reqwest::Client::new())
            .build()
            .unwrap();
        let err = client.x402().top_up(PAYMENT).await.unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err:?}");
        assert!(err.to_string().contains("Policy::none()"), "{err}");
        assert_eq!(api.attempts(), 0);

        // Other calls go out; a redirect the client followed to another origin
        // is an error, and nothing of that origin's answer is decoded. The
        // API key did not travel (reqwest drops Authorization).
        let err = client.models().list(None).await.unwrap_err();
        let Error::Redirected { to, attempts, .. } = &err else {
            panic!("expected Error::Redirected, got {err:?}");
        };
        assert_eq!(to, &other.base);
        assert_eq!(*attempts, 1, "not retried");
        assert_eq!(err.status(), None);
        assert!(!err.is_retryable());
        assert!(err.to_string().contains("Policy::none()"), "{err}");
        assert_eq!(api.attempts(), 1);
        let seen = received(&other);
        assert_eq!(seen.len(), 1);
        for request in &seen {
            for secret in [KEY, WALLET_TOKEN, PAYMENT] {
                assert!(!request.contains(secret), "{request}");
            }
        }
        assert_without(&err, &[KEY, "elsewhere", "object"]);

        // A client said to follow no redirect that does: the SDK cannot stop
        // reqwest from carrying the token, but it refuses the answer.
        let client = Client::builder()
            .base_url(&api.base)
            .sign_in_with_x(WALLET_TOKEN)
            .max_retries(0)
            .http_client(reqwest::Client::new())
            .http_client_follows_no_redirects()
            .build()
            .unwrap();
        let err = client.x402().balance(WALLET).await.unwrap_err();
        assert!(matches!(err, Error::Redirected { .. }), "{err:?}");
        assert_without(&err, &[WALLET_TOKEN, "elsewhere", "balanceUsd"]);
        let seen = received(&other);
        assert_eq!(seen.len(), 2);
        assert!(seen[1].contains(WALLET_TOKEN), "why the opt-in is needed");
        // Carried under the spec's name, the one the SDK sends.
        assert!(
            seen[1]
                .to_ascii_lowercase()
                .contains(&format!("\r\nsign-in-with-x: {WALLET_TOKEN}\r\n")),
            "{}",
            seen[1]
        );

        // The SDK's own client follows nothing: the 307 is the error, and the
        // other origin is never reached.
        let client = Client::builder()
            .base_url(&api.base)
            .sign_in_with_x(WALLET_TOKEN)
            .max_retries(0)
            .build()
            .unwrap();
        let err = client.x402().balance(WALLET).await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(307), "{err:?}");
        let err = client.x402().top_up(PAYMENT).await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(307), "{err:?}");
        assert_eq!(received(&other).len(), 2);
    });
}
