//! Fault injection: a raw loopback server misbehaves in every way the network and
//! a busy API do, and each test asserts how many attempts the server saw and which
//! error the user got. Every test runs under a TRACE-level log capture that must
//! never contain the API key.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use futures::StreamExt;
use support::{FaultServer, KEY, Reply, assert_clean, http, logged, ok_json, serve};
use tokio::net::TcpListener;
use venice_sdk::types::ChatCompletionRequest;
use venice_sdk::{ApiErrorKind, Client, Error, ImageInput, Message, TimeoutKind};
const CHARACTERS: &str = r#"{"object": "list", "data": []}"#;

// ---------------------------------------------------------------------------
// Retry-After handling

async fn retry_after_case(header: (&str, String), expect_attempts: usize, min_wait: Duration) {
    let server = FaultServer::start(vec![
        http(
            429,
            &[(header.0, header.1.as_str())],
            r#"{"error": "Rate limit exceeded"}"#,
        ),
        ok_json(CHARACTERS),
    ])
    .await;
    let started = Instant::now();
    let result = server.client().characters().list().await;
    assert_eq!(server.attempts(), expect_attempts, "{header:?}");
    if expect_attempts == 2 {
        result.unwrap();
        assert!(
            started.elapsed() >= min_wait,
            "{header:?}: {:?}",
            started.elapsed()
        );
    } else {
        let err = result.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
        assert_clean(&err);
    }
}

#[test]
fn retry_after_values_are_honoured_capped_or_ignored() {
    logged(async {
        retry_after_case(
            ("retry-after-ms", "100".into()),
            2,
            Duration::from_millis(100),
        )
        .await;
        retry_after_case(("retry-after", "1".into()), 2, Duration::from_secs(1)).await;
        retry_after_case(("retry-after", "0.5".into()), 2, Duration::from_millis(500)).await;
        let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
        retry_after_case(("retry-after", date), 2, Duration::from_millis(900)).await;
        // Above the 60 s cap: the error comes back at once.
        retry_after_case(("retry-after", "120".into()), 1, Duration::ZERO).await;
        // Finite but beyond any clock: longer than the cap, so not retried.
        retry_after_case(("retry-after", "1e20".into()), 1, Duration::ZERO).await;
        retry_after_case(("retry-after-ms", "1e23".into()), 1, Duration::ZERO).await;
        // Invalid values fall back to backoff and still retry.
        retry_after_case(("retry-after", "abc".into()), 2, Duration::ZERO).await;
        retry_after_case(("retry-after", "-1".into()), 2, Duration::ZERO).await;
    });
}

#[test]
fn retryable_statuses_are_retried_until_exhausted_keeping_the_last_error() {
    logged(async {
        for status in [408u16, 409, 429, 500, 502, 503, 504] {
            let server = FaultServer::start(vec![
                http(
                    status,
                    &[("content-type", "application/json")],
                    r#"{"error": "first"}"#,
                ),
                http(
                    status,
                    &[("content-type", "application/json"), ("cf-ray", "last-ray")],
                    r#"{"error": "last"}"#,
                ),
            ])
            .await;
            let err = server.client().characters().list().await.unwrap_err();
            assert_eq!(server.attempts(), 3, "{status}");
            let api = err.api().unwrap();
            assert_eq!(api.status.as_u16(), status);
            assert_eq!(api.message, "last");
            assert_eq!(api.attempts, 3);
            assert!(err.to_string().contains("after 3 attempts"), "{err}");
            assert_eq!(err.request_id(), Some("last-ray"));
            assert_clean(&err);
        }
    });
}

#[test]
fn non_retryable_statuses_are_tried_once() {
    logged(async {
        for status in [400u16, 401, 402, 403, 404, 413, 415, 422] {
            let server = FaultServer::start(vec![http(status, &[], r#"{"error": "no"}"#)]).await;
            let err = server.client().characters().list().await.unwrap_err();
            assert_eq!(server.attempts(), 1, "{status}");
            assert_eq!(err.status().unwrap().as_u16(), status);
            assert!(!err.is_retryable() || status == 409);
        }
        // An exhausted balance on a 429 is not retried either.
        let server = FaultServer::start(vec![http(
            429,
            &[],
            r#"{"error": "Insufficient USD or VCU balance"}"#,
        )])
        .await;
        let err = server.client().characters().list().await.unwrap_err();
        assert_eq!(server.attempts(), 1);
        assert_eq!(err.api().unwrap().kind, ApiErrorKind::InsufficientBalance);
    });
}

#[test]
fn x_should_retry_overrides_the_status() {
    logged(async {
        let server =
            FaultServer::start(vec![http(503, &[("x-should-retry", "false")], "{}")]).await;
        server.client().characters().list().await.unwrap_err();
        assert_eq!(server.attempts(), 1);
        let server = FaultServer::start(vec![http(400, &[("x-should-retry", "true")], "{}")]).await;
        server.client().characters().list().await.unwrap_err();
        assert_eq!(server.attempts(), 3);
    });
}

#[test]
fn retries_can_be_disabled_per_client_and_per_call() {
    logged(async {
        let server = FaultServer::start(vec![http(503, &[], "{}")]).await;
        server
            .client()
            .with_max_retries(0)
            .characters()
            .list()
            .await
            .unwrap_err();
        assert_eq!(server.attempts(), 1);
        let server = FaultServer::start(vec![http(503, &[], "{}")]).await;
        let c = Client::builder()
            .base_url(&server.base)
            .max_retries(5)
            .retry_backoff(Duration::from_millis(1), Duration::from_millis(2))
            .build()
            .unwrap();
        c.characters().list().await.unwrap_err();
        assert_eq!(server.attempts(), 6);
    });
}

// ---------------------------------------------------------------------------
// Connections

#[test]
fn connection_failures_before_a_response_are_retried() {
    logged(async {
        // Refused: nothing listens.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let c = Client::builder()
            .api_key(KEY)
            .base_url(format!("http://{addr}"))
            .retry_backoff(Duration::from_millis(1), Duration::from_millis(2))
            .build()
            .unwrap();
        let err = c.characters().list().await.unwrap_err();
        assert!(
            matches!(err, Error::Connection { attempts: 3, .. }),
            "{err:?}"
        );
        assert_clean(&err);

        // Reset before the response head: retried, then success.
        let server = FaultServer::start(vec![Reply::ResetBeforeHeaders, ok_json(CHARACTERS)]).await;
        server.client().characters().list().await.unwrap();
        assert_eq!(server.attempts(), 2);

        // Always reset: three attempts, a connection error.
        let server = FaultServer::start(vec![Reply::ResetBeforeHeaders]).await;
        let err = server.client().characters().list().await.unwrap_err();
        assert_eq!(server.attempts(), 3);
        assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    });
}

#[test]
fn a_reset_mid_body_is_not_retried() {
    logged(async {
        let server = FaultServer::start(vec![Reply::ResetMidBody, ok_json(CHARACTERS)]).await;
        let err = server.client().characters().list().await.unwrap_err();
        assert_eq!(server.attempts(), 1);
        assert!(matches!(err, Error::Connection { .. }), "{err:?}");
        assert!(err.to_string().contains("broke off"), "{err}");
    });
}

#[test]
fn silent_and_stalling_servers_hit_the_request_timeout() {
    logged(async {
        for reply in [Reply::Silent, Reply::HeadThenStall] {
            let server = FaultServer::start(vec![reply]).await;
            let c = server
                .client()
                .with_timeout(Duration::from_millis(300))
                .unwrap();
            let started = Instant::now();
            let err = c.characters().list().await.unwrap_err();
            assert!(started.elapsed() < Duration::from_secs(3));
            assert_eq!(
                server.attempts(),
                1,
                "a timed-out request may have been processed"
            );
            assert!(err.is_timeout(), "{err:?}");
            assert!(
                matches!(
                    err,
                    Error::Timeout {
                        limit: TimeoutKind::Request,
                        ..
                    }
                ),
                "{err:?}"
            );
            assert!(
                err.to_string().contains("request timeout of 300ms"),
                "{err}"
            );
        }
    });
}

// ---------------------------------------------------------------------------
// Bodies

#[test]
fn error_bodies_of_any_shape_and_size_become_api_errors() {
    logged(async {
        let big = vec![b'x'; 10 * 1024 * 1024];
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (Vec::new(), "Bad Gateway"),
            (
                b"<html><title>502 Bad Gateway</title></html>".to_vec(),
                "non-JSON error page: 502 Bad Gateway",
            ),
            (br#"{"error": "trunc"#.to_vec(), r#"{"error": "trunc"#),
            (big, ""),
        ];
        for (body, message) in cases {
            let len = body.len();
            let server = FaultServer::start(vec![http(502, &[], body)]).await;
            let err = server
                .client()
                .with_max_retries(0)
                .characters()
                .list()
                .await
                .unwrap_err();
            let api = err.api().unwrap();
            assert_eq!(api.status.as_u16(), 502);
            if len > 1_000_000 {
                assert!(api.body.len() <= 64 * 1024 + 4, "excerpt is capped");
                assert!(api.message.len() <= 300);
            } else {
                assert_eq!(api.message, message);
            }
            assert_clean(&err);
        }
    });
}

#[test]
fn bad_success_bodies_are_typed_errors() {
    logged(async {
        let server = FaultServer::start(vec![ok_json(r#"{"object": "list", "data": [{"na"#)]).await;
        let err = server.client().characters().list().await.unwrap_err();
        assert!(
            matches!(&err, Error::Decode(d) if d.status.as_u16() == 200),
            "{err:?}"
        );
        assert_eq!(server.attempts(), 1);

        let server = FaultServer::start(vec![http(
            200,
            &[("content-type", "text/html")],
            "<html>proxy</html>",
        )])
        .await;
        let err = server.client().characters().list().await.unwrap_err();
        assert!(
            matches!(&err, Error::Decode(d) if d.content_type.as_deref() == Some("text/html")),
            "{err:?}"
        );

        let server = FaultServer::start(vec![ok_json(&" ".repeat(2048))]).await;
        let c = Client::builder()
            .base_url(&server.base)
            .max_response_size(1024)
            .build()
            .unwrap();
        let err = c.characters().list().await.unwrap_err();
        assert!(
            matches!(err, Error::BodyTooLarge { limit: 1024, .. }),
            "{err:?}"
        );
    });
}

/// A completion whose `prompt_logprobs` holds `extra` (a JSON value).
fn completion_with(content: &str, extra: &str) -> String {
    format!(
        r#"{{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{{"index":0,"finish_reason":"stop","message":{{"role":"assistant","content":"{content}"}}}}],"usage":{{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}},"prompt_logprobs":{extra}}}"#
    )
}

#[test]
fn an_answer_that_would_explode_in_memory_is_refused_and_a_large_plain_one_decodes() {
    logged(async {
        // 4 Mi zeros: 8 MiB of JSON that plain serde_json turns into ~300 MiB
        // of `Value`s. The decode budget (twice the body, at least 8 MiB)
        // stops it with a decode error that says why.
        let zeros = vec!["0"; 4 << 20].join(",");
        let hostile = completion_with("hi", &format!(r#"{{"0":[{zeros}]}}"#));
        let server = FaultServer::start(vec![ok_json(&hostile)]).await;
        let err = server
            .client()
            .chat()
            .create(chat_request())
            .await
            .unwrap_err();
        let Error::Decode(decode) = &err else {
            panic!("expected a decode error, got {err:?}")
        };
        assert_eq!(decode.status.as_u16(), 200);
        assert!(err.to_string().contains("memory"), "{err}");
        assert_eq!(server.attempts(), 1);

        // A 20 MB answer of text costs its size: it decodes.
        let text = "a".repeat(20_000_000);
        let big = completion_with(&text, "null");
        let server = FaultServer::start(vec![ok_json(&big)]).await;
        let completion = server.client().chat().create(chat_request()).await.unwrap();
        assert_eq!(completion.text().as_deref().map(str::len), Some(text.len()));
    });
}

// ---------------------------------------------------------------------------
// Budget, multipart, streams

#[test]
fn a_retry_budget_caps_attempts_of_a_failing_burst() {
    logged(async {
        let server = FaultServer::start(vec![http(503, &[], r#"{"error": "at capacity"}"#)]).await;
        let client = server.client();
        let calls = (0..256).map(|_| {
            let c = client.clone();
            async move { c.characters().list().await }
        });
        let results = futures::future::join_all(calls).await;
        assert!(results.iter().all(Result::is_err));
        let attempts = server.attempts();
        // 256 first attempts + at most 10 initial tokens + 10 % of 256 requests.
        eprintln!("burst attempts: {attempts}");
        assert!(
            (256..=256 + 10 + 26).contains(&attempts),
            "{attempts} attempts"
        );
    });
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRtiny-image";

#[test]
fn a_multipart_upload_is_rebuilt_identically_for_a_retry() {
    logged(async {
        // A refusal (503 at capacity): safe to send a paid upload again.
        let server = FaultServer::start(vec![
            http(503, &[], r#"{"error": "The model is at capacity"}"#),
            http(200, &[("content-type", "image/png")], PNG),
        ])
        .await;
        let out = server
            .client()
            .images()
            .upscale(ImageInput::bytes(PNG.to_vec()), 2.0)
            .await
            .unwrap();
        assert_eq!(&out[..], PNG);
        assert_eq!(server.attempts(), 2);
        let requests = server.requests.lock().unwrap();
        let body = |r: &[u8]| {
            let at = r.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
            let head = String::from_utf8_lossy(&r[..at]).to_string();
            let boundary = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .contains("boundary=")
                        .then(|| l.split("boundary=").nth(1).unwrap().trim().to_owned())
                })
                .unwrap();
            String::from_utf8_lossy(&r[at + 4..]).replace(&boundary, "BOUNDARY")
        };
        let (first, second) = (body(&requests[0]), body(&requests[1]));
        assert!(first.contains("tiny-image") && first.contains("name=\"scale\""));
        assert_eq!(first, second, "both attempts carry the same form");
    });
}

fn stream_body() -> String {
    let chunk = r#"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}"#;
    format!(
        "data: {chunk}\n\ndata: {}\n\ndata: [DONE]\n\n",
        chunk.replace("null", "\"stop\"")
    )
}

#[test]
fn a_stream_is_retried_before_its_first_byte_only() {
    logged(async {
        let request = || ChatCompletionRequest::new("m", [Message::user("q")]);
        let server = FaultServer::start(vec![
            http(503, &[], r#"{"error": "at capacity"}"#),
            http(200, &[("content-type", "text/event-stream")], stream_body()),
        ])
        .await;
        let text: Vec<String> = server
            .client()
            .chat()
            .stream(request())
            .await
            .unwrap()
            .text()
            .map(Result::unwrap)
            .collect()
            .await;
        assert_eq!(text, ["hi", "hi"]);
        assert_eq!(server.attempts(), 2);

        // Cut mid-way: the user already has chunks, so no retry.
        let cut = stream_body()[..120].to_owned();
        let server = FaultServer::start(vec![
            http(200, &[("content-type", "text/event-stream")], cut),
            http(200, &[("content-type", "text/event-stream")], stream_body()),
        ])
        .await;
        let items: Vec<_> = server
            .client()
            .chat()
            .stream(request())
            .await
            .unwrap()
            .collect()
            .await;
        assert!(items.last().unwrap().is_err());
        assert_eq!(server.attempts(), 1);
    });
}

#[test]
fn the_log_has_one_span_per_call_with_attempts_and_status() {
    let log = logged(async {
        let server = FaultServer::start(vec![
            http(503, &[("cf-ray", "r-1")], "{}"),
            http(
                200,
                &[("content-type", "application/json"), ("cf-ray", "r-2")],
                CHARACTERS,
            ),
        ])
        .await;
        server.client().characters().list().await.unwrap();
    });
    assert!(log.contains("venice.call"), "{log}");
    assert!(log.contains("operation=\"listCharacters\""), "{log}");
    assert!(log.contains("retrying"), "{log}");
    assert!(
        log.contains("attempts=2") || log.contains("attempt=2"),
        "{log}"
    );
}

// ---------------------------------------------------------------------------
// Hardening regressions: no panic, no endless wait, nothing paid twice

fn chat_request() -> ChatCompletionRequest {
    ChatCompletionRequest::new("m", [Message::user("q")])
}

fn image_request() -> venice_sdk::types::GenerateImageRequest {
    venice_sdk::types::GenerateImageRequest::new("m", "p").unwrap()
}

fn key_request() -> venice_sdk::types::CreateApiKeyBody {
    serde_json::from_value(serde_json::json!({"apiKeyType": "ADMIN", "description": "d"})).unwrap()
}

#[test]
fn huge_rate_limit_resets_do_not_panic_on_success_or_error() {
    logged(async {
        let huge = [
            ("content-type", "application/json"),
            ("x-ratelimit-reset-requests", "1e23"),
            ("x-ratelimit-reset-tokens", "1e23"),
        ];
        let server = FaultServer::start(vec![http(200, &huge, CHARACTERS)]).await;
        let ok = server.client().characters().list().await.unwrap();
        assert_eq!(ok.meta().rate_limits.requests.reset_at, None);
        let server = FaultServer::start(vec![http(400, &huge, r#"{"error": "no"}"#)]).await;
        let err = server.client().characters().list().await.unwrap_err();
        assert_eq!(err.api().unwrap().meta.rate_limits.tokens.reset_at, None);
    });
}

#[test]
fn a_stream_whose_error_or_non_stream_body_stalls_hits_the_request_timeout() {
    logged(async {
        for (status, content_type) in [
            (503u16, "application/json"),
            (400, "text/html"),
            (200, "application/json"),
        ] {
            let server = FaultServer::start(vec![Reply::StatusThenStall {
                status,
                content_type,
            }])
            .await;
            let c = server
                .client()
                .with_timeout(Duration::from_millis(300))
                .unwrap();
            let started = Instant::now();
            let err =
                tokio::time::timeout(Duration::from_secs(10), c.chat().stream(chat_request()))
                    .await
                    .expect("the call must not hang")
                    .unwrap_err();
            assert!(started.elapsed() < Duration::from_secs(3), "{status}");
            assert!(
                matches!(
                    err,
                    Error::Timeout {
                        limit: TimeoutKind::Request,
                        ..
                    }
                ),
                "{status}: {err:?}"
            );
            assert_eq!(server.attempts(), 1, "{status}");
        }
    });
}

#[test]
fn unlimited_timeouts_mean_no_limit_and_do_not_overflow() {
    logged(async {
        let chunk = r#"data: {"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}

"#;
        let server = FaultServer::start(vec![
            ok_json(CHARACTERS),
            Reply::Trickle {
                content_type: "text/event-stream",
                chunk: chunk.as_bytes().to_vec(),
                every: Duration::from_millis(20),
                times: 3,
            },
            Reply::Trickle {
                content_type: "text/event-stream",
                chunk: chunk.as_bytes().to_vec(),
                every: Duration::from_millis(20),
                times: 3,
            },
        ])
        .await;
        let max = Duration::MAX;
        let c = Client::builder()
            .api_key(KEY)
            .base_url(&server.base)
            .timeout(max)
            .connect_timeout(max)
            .stream_idle_timeout(max)
            .stream_timeout(max)
            .build()
            .unwrap();
        c.characters().list().await.unwrap();
        let done = c
            .chat()
            .stream(chat_request())
            .await
            .unwrap()
            .collect_completion()
            .await
            .unwrap();
        assert_eq!(done.text().as_deref(), Some("hihihi"));
        // The per-call form, from a client with ordinary limits.
        let c = server
            .client()
            .with_stream_idle_timeout(max)
            .unwrap()
            .with_timeout(max)
            .unwrap();
        let done = c
            .chat()
            .stream(chat_request())
            .await
            .unwrap()
            .collect_completion()
            .await
            .unwrap();
        assert_eq!(done.text().as_deref(), Some("hihihi"));
    });
}

#[test]
fn a_trickling_stream_is_bounded_in_time_and_size() {
    logged(async {
        // A comment before each idle deadline, forever: the overall limit ends it.
        let server = FaultServer::start(vec![Reply::Trickle {
            content_type: "text/event-stream",
            chunk: b": still here\n\n".to_vec(),
            every: Duration::from_millis(30),
            times: 1000,
        }])
        .await;
        let c = Client::builder()
            .api_key(KEY)
            .base_url(&server.base)
            .stream_idle_timeout(Duration::from_secs(5))
            .stream_timeout(Duration::from_millis(400))
            .build()
            .unwrap();
        let started = Instant::now();
        let err = c
            .chat()
            .stream(chat_request())
            .await
            .unwrap()
            .collect_completion()
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Timeout {
                    limit: TimeoutKind::Stream,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(3));
        assert!(err.to_string().contains("stream timeout"), "{err}");

        // Bytes as fast as they go: the total is capped by the response limit.
        let flood = || Reply::Trickle {
            content_type: "text/event-stream",
            chunk: [b": ".as_slice(), &[b'x'; 1024], b"\n\n"].concat(),
            every: Duration::from_millis(1),
            times: 5000,
        };
        let server = FaultServer::start(vec![flood()]).await;
        let c = Client::builder()
            .api_key(KEY)
            .base_url(&server.base)
            .max_response_size(64 * 1024)
            .build()
            .unwrap();
        let err = c
            .chat()
            .stream(chat_request())
            .await
            .unwrap()
            .collect_completion()
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::BodyTooLarge { limit: 65536, .. }),
            "{err:?}"
        );

        // The same for an image written to a sink.
        let server = FaultServer::start(vec![Reply::Trickle {
            content_type: "image/png",
            chunk: vec![7u8; 4096],
            every: Duration::from_millis(1),
            times: 5000,
        }])
        .await;
        let c = Client::builder()
            .api_key(KEY)
            .base_url(&server.base)
            .max_response_size(64 * 1024)
            .build()
            .unwrap();
        let mut sink = Vec::new();
        let err = c
            .images()
            .generate_to(image_request(), &mut sink)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::BodyTooLarge { limit: 65536, .. }),
            "{err:?}"
        );
        assert!(sink.len() <= 64 * 1024);
    });
}

/// How many attempts one call saw against a server answering `script`.
async fn attempts_of<F, Fut>(script: Vec<Reply>, call: F) -> usize
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()>,
{
    let server = FaultServer::start(script).await;
    call(server.client()).await;
    server.attempts()
}

#[test]
fn a_request_that_may_have_been_processed_is_not_sent_twice() {
    logged(async {
        let chat = |c: Client| async move {
            c.chat().create(chat_request()).await.unwrap_err();
        };
        let image = |c: Client| async move {
            c.images().generate(image_request()).await.unwrap_err();
        };
        let key = |c: Client| async move {
            c.api_keys().create(key_request()).await.unwrap_err();
        };
        let list = |c: Client| async move {
            c.characters().list().await.unwrap_err();
        };
        let reset = || vec![Reply::ResetBeforeHeaders];
        // A connection broken after the request was written.
        assert_eq!(attempts_of(reset(), chat).await, 1, "chat");
        assert_eq!(attempts_of(reset(), image).await, 1, "image");
        assert_eq!(attempts_of(reset(), key).await, 1, "api key");
        assert_eq!(attempts_of(reset(), list).await, 3, "an idempotent GET");
        // Statuses that do not say the request was refused.
        for status in [409u16, 500, 502, 504] {
            let script = || vec![http(status, &[], r#"{"error": "oops"}"#)];
            assert_eq!(attempts_of(script(), chat).await, 1, "chat {status}");
            assert_eq!(attempts_of(script(), image).await, 1, "image {status}");
            assert_eq!(attempts_of(script(), list).await, 3, "list {status}");
        }
        let offline = || vec![http(503, &[], r#"{"error": "The model is offline"}"#)];
        assert_eq!(attempts_of(offline(), chat).await, 1, "chat 503 offline");
        // Refusals are retried, except for a key creation.
        let capacity = || vec![http(503, &[], r#"{"error": "The model is at capacity"}"#)];
        let limited = || vec![http(429, &[], r#"{"error": "Rate limit exceeded"}"#)];
        let timeout = || vec![http(408, &[], "{}")];
        for script in [capacity(), limited(), timeout()] {
            assert_eq!(
                attempts_of(script.clone(), chat).await,
                3,
                "chat {script:?}"
            );
            assert_eq!(attempts_of(script.clone(), key).await, 1, "key {script:?}");
        }
        let forced = vec![http(429, &[("x-should-retry", "true")], "{}")];
        assert_eq!(
            attempts_of(forced, key).await,
            1,
            "key creation ignores x-should-retry"
        );

        // Nothing sent (connection refused): retried even for a key creation.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let c = Client::builder()
            .api_key(KEY)
            .base_url(format!("http://{addr}"))
            .retry_backoff(Duration::from_millis(1), Duration::from_millis(2))
            .build()
            .unwrap();
        let err = c.api_keys().create(key_request()).await.unwrap_err();
        assert!(
            matches!(err, Error::Connection { attempts: 3, .. }),
            "{err:?}"
        );
    });
}

#[test]
fn retries_carry_their_number() {
    logged(async {
        let server = FaultServer::start(vec![
            http(429, &[], "{}"),
            http(429, &[], "{}"),
            ok_json(CHARACTERS),
        ])
        .await;
        server.client().characters().list().await.unwrap();
        let requests = server.requests.lock().unwrap();
        let heads: Vec<String> = requests
            .iter()
            .map(|r| String::from_utf8_lossy(r).to_ascii_lowercase())
            .collect();
        assert_eq!(heads.len(), 3);
        assert!(!heads[0].contains("x-retry-count"), "{}", heads[0]);
        assert!(heads[1].contains("x-retry-count: 1\r\n"), "{}", heads[1]);
        assert!(heads[2].contains("x-retry-count: 2\r\n"), "{}", heads[2]);
    });
}

#[test]
fn a_long_healthy_period_does_not_buy_a_retry_storm() {
    logged(async {
        let mut script: Vec<Reply> = (0..1000).map(|_| ok_json(CHARACTERS)).collect();
        script.push(http(503, &[], r#"{"error": "at capacity"}"#));
        let server = FaultServer::start(script).await;
        let client = server.client();
        for _ in 0..1000 {
            client.characters().list().await.unwrap();
        }
        let calls = (0..50).map(|_| {
            let c = client.clone();
            async move { c.characters().list().await }
        });
        let results = futures::future::join_all(calls).await;
        assert!(results.iter().all(Result::is_err));
        let retries = server.attempts() - 1000 - 50;
        // At most 10 + 10 % of the 50 requests of the burst.
        assert!(
            retries <= 15,
            "{retries} retries after 1,000 successful calls"
        );
    });
}

#[test]
fn redirects_are_not_followed() {
    logged(async {
        let target = FaultServer::start(vec![ok_json(CHARACTERS)]).await;
        let location = format!("{}/characters", target.base);
        let server = FaultServer::start(vec![http(307, &[("location", &location)], "")]).await;
        let err = server.client().characters().list().await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(307), "{err:?}");
        let err = server
            .client()
            .chat()
            .create(chat_request())
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(307), "{err:?}");
        assert_eq!(
            target.attempts(),
            0,
            "the redirect target was never contacted"
        );
    });
}

#[test]
fn a_plain_text_error_event_ends_the_stream_with_its_text() {
    logged(async {
        let chunk = r#"{"choices":[{"index":0,"delta":{"content":"hi"}}]}"#;
        let body = format!(
            "data: {chunk}\n\nevent: error\ndata: upstream exploded\n\ndata: {chunk}\n\ndata: [DONE]\n\n"
        );
        let server = FaultServer::start(vec![http(
            200,
            &[("content-type", "text/event-stream")],
            body,
        )])
        .await;
        let items: Vec<_> = server
            .client()
            .chat()
            .stream(chat_request())
            .await
            .unwrap()
            .collect()
            .await;
        assert_eq!(items.len(), 2, "{items:?}");
        assert!(items[0].is_ok());
        let err = items[1].as_ref().unwrap_err();
        assert!(err.to_string().contains("upstream exploded"), "{err}");
    });
}

#[test]
fn multipart_file_names_are_sanitized() {
    logged(async {
        let server =
            FaultServer::start(vec![http(200, &[("content-type", "image/png")], PNG)]).await;
        let image = ImageInput::Bytes {
            data: PNG.to_vec().into(),
            file_name: "evil\r\nX-Injected: 1\".png".into(),
        };
        server.client().images().upscale(image, 2.0).await.unwrap();
        let requests = server.requests.lock().unwrap();
        let body = String::from_utf8_lossy(&requests[0]).to_string();
        let disposition = body
            .lines()
            .find(|l| l.contains("name=\"image\""))
            .unwrap()
            .to_owned();
        assert!(disposition.contains("evil"), "{disposition}");
        assert!(!body.contains("\r\nX-Injected"), "{body}");
        for encoded in ["%0D", "%0A", "%0d", "%0a", "%22"] {
            assert!(!disposition.contains(encoded), "{disposition}");
        }
    });
}

// ---------------------------------------------------------------------------
// The generated client goes through the same send path

#[cfg(feature = "raw")] // `Client::raw`
#[test]
fn raw_calls_get_retries_the_size_cap_and_redaction() {
    let log = logged(async {
        // Retried like a resource call, with the retry numbered.
        let server = FaultServer::start(vec![
            http(503, &[], r#"{"error": "at capacity"}"#),
            ok_json(CHARACTERS),
        ])
        .await;
        let ok = server
            .client()
            .raw()
            .list_characters()
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status().as_u16(), 200);
        assert_eq!(server.attempts(), 2);
        assert!(
            String::from_utf8_lossy(&server.requests.lock().unwrap()[1])
                .contains("x-retry-count: 1")
        );

        // The response size cap holds.
        let server = FaultServer::start(vec![ok_json(&" ".repeat(4096))]).await;
        let c = Client::builder()
            .api_key(KEY)
            .base_url(&server.base)
            .max_response_size(1024)
            .build()
            .unwrap();
        let err = c.raw().list_characters().send().await.unwrap_err();
        assert!(err.to_string().contains("1024-byte limit"), "{err}");

        // A key echoed in an error body or header is scrubbed before progenitor
        // sees it.
        let echo = format!(r#"{{"error": "bad key {KEY}"}}"#);
        let server = FaultServer::start(vec![http(
            401,
            &[("content-type", "application/json"), ("x-echo", KEY)],
            echo,
        )])
        .await;
        let err = server
            .client()
            .raw()
            .list_characters()
            .send()
            .await
            .unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(KEY), "{shown}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    });
    assert!(
        log.contains("venice.call"),
        "raw calls are traced like the others"
    );
}

#[cfg(feature = "raw")] // `Client::raw`
#[test]
fn an_idempotency_key_is_generated_per_call_and_reused_by_its_retries() {
    logged(async {
        let key_of = |request: &[u8]| {
            String::from_utf8_lossy(request)
                .to_ascii_lowercase()
                .lines()
                .find_map(|l| l.strip_prefix("idempotency-key: ").map(str::to_owned))
        };
        let rpc = r#"{"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}"#;
        let body: venice_sdk::types::CryptoRpcProxyBody = serde_json::from_str(rpc).unwrap();
        let server = FaultServer::start(vec![
            // A connection cut after the request left: safe to repeat with the key.
            Reply::ResetBeforeHeaders,
            http(503, &[], r#"{"error": "at capacity"}"#),
            ok_json(r#"{"jsonrpc": "2.0", "id": 1, "result": "0x1"}"#),
        ])
        .await;
        let client = server.client();
        let send = || {
            client
                .raw()
                .crypto_rpc_proxy()
                .network("ethereum-mainnet")
                .body(body.clone())
                .send()
        };
        send().await.unwrap();
        send().await.unwrap();
        let keys: Vec<Option<String>> = server
            .requests
            .lock()
            .unwrap()
            .iter()
            .map(|r| key_of(r))
            .collect();
        assert_eq!(keys.len(), 4, "three attempts, then a second call");
        let first = keys[0].clone().expect("an idempotency key is sent");
        assert_eq!(keys[1].as_deref(), Some(first.as_str()));
        assert_eq!(keys[2].as_deref(), Some(first.as_str()));
        assert_ne!(
            keys[3].as_deref(),
            Some(first.as_str()),
            "a new call, a new key"
        );
        // Operations that do not declare the header do not get it.
        let server = FaultServer::start(vec![ok_json(CHARACTERS)]).await;
        server.client().characters().list().await.unwrap();
        assert_eq!(key_of(&server.requests.lock().unwrap()[0]), None);
    });
}

// ---------------------------------------------------------------------------
// Arbitrary responses

/// A server answering every request with the current reply.
async fn settable_server(reply: Arc<Mutex<Reply>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let reply = reply.lock().unwrap().clone();
            tokio::spawn(async move { serve(socket, reply, Arc::default()).await });
        }
    });
    base
}

/// Every operation through its SDK method; the result only has to be typed.
async fn call_everything(c: &Client) -> usize {
    use venice_sdk::types;
    let chat = || ChatCompletionRequest::new("m", [Message::user("q")]);
    let image = || types::GenerateImageRequest::new("m", "p").unwrap();
    let key_body: types::CreateApiKeyBody =
        serde_json::from_value(serde_json::json!({"apiKeyType": "ADMIN", "description": "d"}))
            .unwrap();
    let web3_body: types::PostApiKeyGenerateWeb3KeyBody =
        serde_json::from_value(serde_json::json!({
            "address": "a", "signature": "s", "token": "t", "apiKeyType": "INFERENCE"
        }))
        .unwrap();
    let mut errors = 0;
    let mut tally = |r: Result<(), Error>| {
        if let Err(e) = r {
            assert_clean(&e);
            let _ = (e.status(), e.request_id(), e.is_retryable(), e.is_timeout());
            errors += 1;
        }
    };
    tally(c.chat().create(chat()).await.map(drop));
    let streamed = match c.chat().stream(chat()).await {
        Ok(s) => s.collect_completion().await.map(drop),
        Err(e) => Err(e),
    };
    tally(streamed);
    tally(c.images().generate(image()).await.map(drop));
    tally(c.images().generate_bytes(image()).await.map(drop));
    tally(
        c.images()
            .upscale(ImageInput::bytes(PNG.to_vec()), 2.0)
            .await
            .map(drop),
    );
    tally(c.images().styles().await.map(drop));
    tally(c.models().list(None).await.map(drop));
    tally(c.models().traits(None).await.map(drop));
    tally(c.models().compatibility_mapping(None).await.map(drop));
    tally(c.api_keys().list().await.map(drop));
    tally(c.api_keys().create(key_body).await.map(drop));
    tally(c.api_keys().delete("k").await.map(drop));
    tally(c.api_keys().rate_limits().await.map(drop));
    tally(c.api_keys().web3_token().await.map(drop));
    tally(c.api_keys().create_web3_key(web3_body).await.map(drop));
    tally(c.characters().list().await.map(drop));
    errors
}

mod arbitrary {
    use proptest::prelude::*;

    use super::*;

    fn reply() -> impl Strategy<Value = Reply> {
        let status = prop::sample::select(vec![200u16, 201, 204, 302, 400, 404, 429, 500, 503]);
        let content_type = prop::sample::select(vec![
            "application/json",
            "text/event-stream",
            "image/png",
            "text/html",
            "application/json; charset=utf-8",
            "",
        ]);
        let body = prop_oneof![
            prop::collection::vec(any::<u8>(), 0..400),
            "[ -~]{0,200}".prop_map(String::into_bytes),
            Just(br#"{"object": "list", "data": [], "error": null}"#.to_vec()),
            Just(
                b"data: {\"choices\": [{\"delta\": {\"content\": \"x\"}}]}\n\ndata: [DONE]\n\n"
                    .to_vec()
            ),
        ];
        // Huge, negative, fractional, exponent and non-ASCII values, and noise.
        let value = || {
            prop_oneof![
                "[!-~]{0,24}",
                prop::sample::select(vec![
                    "1e23",
                    "-1e23",
                    "1e20",
                    "1.8e308",
                    "-1",
                    "-0.5",
                    "0.001",
                    "NaN",
                    "18446744073709551616",
                    "99999999999999999999999",
                    "٣٠",
                    "é",
                    "Fri, 31 Dec 9999 23:59:59 GMT",
                    "true",
                    "",
                ])
                .prop_map(str::to_owned),
                "-?[0-9]{1,30}(\\.[0-9]{0,9})?([eE][-+]?[0-9]{1,4})?",
            ]
        };
        let names = [
            "retry-after",
            "retry-after-ms",
            "x-should-retry",
            "cf-ray",
            "x-request-id",
            "x-ratelimit-limit-requests",
            "x-ratelimit-remaining-requests",
            "x-ratelimit-reset-requests",
            "x-ratelimit-limit-tokens",
            "x-ratelimit-remaining-tokens",
            "x-ratelimit-reset-tokens",
            "x-venice-balance-usd",
            "x-venice-balance-vcu",
            "x-venice-balance-diem",
            "x-venice-model-deprecation-warning",
            "x-venice-model-deprecation-date",
            "x-venice-is-blurred",
            "x-venice-is-content-violation",
        ];
        (
            status,
            content_type,
            body,
            prop::collection::vec(value(), names.len()),
        )
            .prop_map(move |(status, ct, body, values)| {
                let mut headers = vec![("content-type".to_owned(), ct.to_owned())];
                headers.extend(
                    names
                        .iter()
                        .zip(values)
                        .filter(|(_, v)| !v.is_empty())
                        .map(|(n, v)| ((*n).to_owned(), v)),
                );
                Reply::Http {
                    status,
                    headers,
                    body,
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn any_response_to_any_operation_is_a_typed_result(reply in reply()) {
            let shared = Arc::new(Mutex::new(reply));
            logged(async move {
                let base = settable_server(shared).await;
                let client = Client::builder()
                    .api_key(KEY)
                    .base_url(base)
                    .max_retries(1)
                    .retry_after_cap(Duration::from_millis(20))
                    .retry_backoff(Duration::from_millis(1), Duration::from_millis(2))
                    .timeout(Duration::from_secs(5))
                    .stream_idle_timeout(Duration::from_secs(5))
                    .build()
                    .unwrap();
                call_everything(&client).await;
            });
        }
    }
}
