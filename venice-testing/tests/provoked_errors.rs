//! The errors a test can provoke from the offline Venice, one test per
//! pattern of the README: a required key, a scripted failure with its body and
//! headers, a sequence of answers, latency, and the recorded requests.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use venice_sdk::types::ChatCompletionRequest;
use venice_sdk::{ApiErrorKind, Error, Message, operations};
use venice_testing::{Answer, OFFLINE_API_KEY, OfflineVenice};

fn hello() -> ChatCompletionRequest {
    ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Why is the sky blue?")])
}

fn api(err: &Error) -> &venice_sdk::ApiError {
    err.api()
        .unwrap_or_else(|| panic!("not an API error: {err:?}"))
}

#[tokio::test]
async fn a_required_key_refuses_every_other_key_and_a_missing_one_where_the_spec_requires_it() {
    let venice = OfflineVenice::builder()
        .require_key("vk-the-right-one")
        .start()
        .await;
    // The server's own client sends the required key.
    venice.client().chat().create(hello()).await.unwrap();

    let wrong = venice
        .client_builder()
        .api_key(OFFLINE_API_KEY)
        .max_retries(0)
        .build()
        .unwrap();
    let err = wrong.chat().create(hello()).await.unwrap_err();
    let e = api(&err);
    assert_eq!(e.status.as_u16(), 401);
    assert_eq!(e.kind, ApiErrorKind::Unauthorized);
    assert_eq!(e.message, "Authentication failed");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&e.body).unwrap(),
        serde_json::json!({"error": "Authentication failed"}),
        "Venice's error body"
    );
    // Another key is refused even where the spec needs none (`listModels`).
    let err = wrong.models().list(None).await.unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 401);

    // No key: refused where the spec requires one, served where it does not.
    let http = reqwest::Client::new();
    let balance = http
        .get(format!("{}/billing/balance", venice.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(balance.status().as_u16(), 401);
    let models = http
        .get(format!("{}/models", venice.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(models.status().as_u16(), 200);

    // Without `require_key`, any key goes.
    let open = OfflineVenice::start().await;
    let any = open
        .client_builder()
        .api_key("vk-anything-at-all")
        .build()
        .unwrap();
    any.chat().create(hello()).await.unwrap();
}

#[tokio::test]
async fn the_next_call_fails_with_a_status_body_and_headers() {
    let venice = OfflineVenice::start().await;
    let client = venice.client_builder().max_retries(0).build().unwrap();
    venice.fail_next(
        &operations::CREATE_CHAT_COMPLETION,
        Answer::rate_limited(7).header("x-venice-test", "scripted"),
    );
    let err = client.chat().create(hello()).await.unwrap_err();
    let e = api(&err);
    assert_eq!(e.status.as_u16(), 429);
    assert_eq!(e.kind, ApiErrorKind::RateLimited);
    assert_eq!(e.message, "Rate limit exceeded");
    assert_eq!(e.meta.headers["retry-after"], "7");
    assert_eq!(e.meta.headers["x-venice-test"], "scripted");
    assert_eq!(e.meta.rate_limits.requests.remaining, Some(0));
    assert_eq!(e.meta.rate_limits.tokens.remaining, Some(0));
    // One answer only: the next call is answered as usual, and other
    // operations were never touched.
    client.chat().create(hello()).await.unwrap();

    // A body of the test's own.
    venice.fail_next(
        &operations::CREATE_CHAT_COMPLETION,
        Answer::status(400).json(&serde_json::json!({
            "error": "Invalid request parameters",
            "details": {"_errors": [], "messages": {"_errors": ["Required"]}}
        })),
    );
    let err = client.chat().create(hello()).await.unwrap_err();
    let e = api(&err);
    assert_eq!(e.status.as_u16(), 400);
    assert!(e.details.as_ref().unwrap()["messages"].is_object(), "{e:?}");
}

#[tokio::test]
async fn a_script_plays_in_order_and_the_sdk_retries_through_it() {
    let venice = OfflineVenice::start().await;
    venice.script(
        &operations::LIST_MODELS,
        [
            Answer::status(503).retry_after(0),
            Answer::status(503).retry_after(0),
            Answer::usual(),
        ],
    );
    let client = venice
        .client_builder()
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .unwrap();
    let models = client.models().list(None).await.unwrap();
    assert!(!models.data.is_empty());
    assert_eq!(venice.calls(operations::LIST_MODELS.id), 3);
    let attempts: Vec<_> = venice
        .requests()
        .iter()
        .filter(|r| r.operation == Some(operations::LIST_MODELS.id))
        .map(|r| r.header("x-retry-count").map(str::to_owned))
        .collect();
    assert_eq!(attempts.len(), 3, "two retries");

    // Without retries, the script is visible call by call.
    let once = venice.client_builder().max_retries(0).build().unwrap();
    venice.script(
        &operations::LIST_MODELS,
        [
            Answer::status(503),
            Answer::error(500, "boom"),
            Answer::usual(),
        ],
    );
    assert_eq!(
        once.models()
            .list(None)
            .await
            .unwrap_err()
            .status()
            .unwrap(),
        503
    );
    let err = once.models().list(None).await.unwrap_err();
    assert_eq!(api(&err).message, "boom");
    once.models().list(None).await.unwrap();
    once.models().list(None).await.unwrap();
}

#[tokio::test]
async fn latency_delays_answers_and_a_slow_answer_trips_the_clients_timeout() {
    let venice = OfflineVenice::builder()
        .latency(Duration::from_millis(150))
        .start()
        .await;
    let client = venice.client();
    let started = Instant::now();
    client.models().list(None).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));

    let fast = OfflineVenice::start().await;
    let impatient = fast
        .client_builder()
        .timeout(Duration::from_millis(100))
        .max_retries(0)
        .build()
        .unwrap();
    let started = Instant::now();
    impatient.models().list(None).await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(100));
    fast.fail_next(
        &operations::LIST_MODELS,
        Answer::usual().delay(Duration::from_millis(400)),
    );
    let err = impatient.models().list(None).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

#[tokio::test]
async fn requests_are_recorded_with_the_key_redacted() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    client.chat().create(hello()).await.unwrap();
    client.models().list("image").await.unwrap();
    let seen = venice.requests();
    assert_eq!(seen.len(), 2);

    let chat = &seen[0];
    assert_eq!(chat.method, "POST");
    assert_eq!(chat.path, "/api/v1/chat/completions");
    assert_eq!(chat.operation, Some("createChatCompletion"));
    assert!(chat.query.is_empty());
    assert_eq!(chat.header("Authorization"), Some("Bearer [REDACTED]"));
    assert!(
        !format!("{seen:?}").contains(OFFLINE_API_KEY),
        "the key never shows"
    );
    assert!(
        chat.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let body = chat.json().unwrap();
    assert_eq!(body["model"], "llama-3.3-70b");
    assert_eq!(body["messages"][0]["content"], "Why is the sky blue?");

    let models = &seen[1];
    assert_eq!(models.method, "GET");
    assert_eq!(models.path, "/api/v1/models");
    assert_eq!(models.query, [("type".to_owned(), "image".to_owned())]);
    assert!(models.body.is_empty());
}
