//! The generated client works on the spec's quirky parts, over a loopback mock.

#![cfg(feature = "raw")] // `Client::raw`: the workspace's tests turn the feature on
#![allow(clippy::unwrap_used, clippy::expect_used)]

use httpmock::prelude::*;
use serde_json::json;
use venice_sdk::{Client, RawClient, types};

fn client(server: &MockServer) -> RawClient {
    Client::builder()
        .base_url(server.base_url())
        .build()
        .unwrap()
        .raw()
        .clone()
}

fn completion(stop_reason: serde_json::Value) -> serde_json::Value {
    json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1677858240,
        "model": "llama-3.3-70b",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": "Hi", "reasoning_content": null, "tool_calls": []},
            "logprobs": null,
            "finish_reason": "stop",
            "stop_reason": stop_reason
        }],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3, "prompt_tokens_details": null},
        "venice_parameters": null
    })
}

fn request() -> types::ChatCompletionRequest {
    serde_json::from_value(json!({
        "model": "llama-3.3-70b",
        "messages": [{"role": "user", "content": "Hello"}]
    }))
    .unwrap()
}

#[tokio::test]
async fn nullable_field_decodes_from_null_and_from_a_string() {
    for (value, expected) in [(json!(null), None), (json!("length"), Some("length"))] {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(POST)
                    .path("/chat/completions")
                    .json_body_includes(
                        json!({"model": "llama-3.3-70b", "messages": [{"role": "user", "content": "Hello"}]})
                            .to_string(),
                    );
                then.status(200).json_body(completion(value.clone()));
            })
            .await;
        let response = client(&server)
            .create_chat_completion()
            .body(request())
            .send()
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(response.choices[0].stop_reason.as_deref(), expected);
        assert_eq!(response.usage.total_tokens as f64, 3.0);
    }
}

#[tokio::test]
async fn error_body_decodes_as_the_error_type() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/models");
            then.status(401)
                .json_body(json!({"error": "Authentication failed"}));
        })
        .await;
    let err = client(&server).list_models().send().await.unwrap_err();
    match err {
        progenitor_client::Error::ErrorResponse(body) => {
            assert_eq!(body.status().as_u16(), 401);
            assert_eq!(body.error, Some(json!("Authentication failed")));
        }
        other => panic!("expected ErrorResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unlisted_error_status_and_an_object_error_decode_too() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/characters");
            then.status(503).json_body(
                json!({"error": {"message": "at capacity"}, "code": "MODEL_AT_CAPACITY"}),
            );
        })
        .await;
    let err = client(&server).list_characters().send().await.unwrap_err();
    match err {
        progenitor_client::Error::ErrorResponse(body) => {
            assert_eq!(body.status().as_u16(), 503);
            assert_eq!(body.error.as_ref().unwrap()["message"], "at capacity");
            assert_eq!(body.code, Some(json!("MODEL_AT_CAPACITY")));
        }
        other => panic!("expected ErrorResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn unknown_fields_and_unknown_enum_values_decode() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/models");
            then.status(200).json_body(json!({
                "object": "list",
                "type": "all",
                "brand_new_field": {"x": 1},
                "data": [{
                    "id": "music-1",
                    "object": "model",
                    "owned_by": "venice.ai",
                    "type": "music",
                    "created": 1700000000,
                    "surprise": true,
                    "model_spec": {"availableContextTokens": 4096, "privacy": "private", "traits": ["default"], "newSpecField": 1}
                }]
            }));
        })
        .await;
    let models = client(&server).list_models().send().await.unwrap();
    assert_eq!(models.data[0].type_, "music");
    assert_eq!(models.data[0].id, "music-1");
}

#[tokio::test]
async fn the_api_version_header_is_not_sent() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/image/styles")
                .header_missing("api-version");
            then.status(200)
                .json_body(json!({"object": "list", "data": ["Anime"]}));
        })
        .await;
    let styles = client(&server).list_image_styles().send().await.unwrap();
    mock.assert_async().await;
    assert_eq!(styles.data, vec!["Anime".to_owned()]);
}

#[tokio::test]
async fn delete_api_key_sends_the_id_as_query_parameter_without_a_body() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/api_keys")
                .query_param("id", "key-123")
                .body("");
            then.status(200).json_body(json!({"success": true}));
        })
        .await;
    let out = client(&server)
        .delete_api_key()
        .id("key-123")
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert!(out.success);
}
