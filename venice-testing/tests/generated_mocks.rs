//! A user's test mocking operations with the generated typed helpers
//! (`venice_testing::generated::MockServerExt`), using only public APIs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use venice_sdk::types::{self, ApiErrorBody, ChatCompletionRequest};
use venice_sdk::{Client, Message, operations};
use venice_testing::fixtures;
use venice_testing::generated::MockServerExt;
use venice_testing::httpmock::MockServer;

fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key("test-key")
        .base_url(server.base_url())
        .max_retries(0)
        .build()
        .unwrap()
}

#[tokio::test]
async fn list_models_with_the_generated_mock() {
    let server = MockServer::start_async().await;
    let models: types::ListModelsResponse = fixtures::example(&operations::LIST_MODELS).unwrap();
    let mock = server.list_models(|when, then| {
        // By name: the helper `when.type_(..)` takes the parameter's type.
        let _ = when.into_inner().query_param("type", "text");
        then.ok(&models);
    });
    let got = client(&server).models().list("text").await.unwrap();
    mock.assert();
    assert_eq!(got.into_inner(), models);
}

#[tokio::test]
async fn chat_completion_matches_the_typed_body() {
    let server = MockServer::start_async().await;
    let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user("hi")]);
    let answer = fixtures::chat_completion("llama-3.3-70b", "Hello there");
    let mock = server.create_chat_completion(|when, then| {
        let _ = when.body(&request);
        then.ok(&answer);
    });
    let got = client(&server).chat().create(request).await.unwrap();
    mock.assert();
    assert_eq!(got.text().as_deref(), Some("Hello there"));
}

#[tokio::test]
async fn errors_with_the_generated_mock() {
    let server = MockServer::start_async().await;
    let mut body = ApiErrorBody::from_required();
    body.error = Some(serde_json::json!("Specified model not found"));
    server.list_characters(|_, then| {
        then.client_error(404, &body);
    });
    let err = client(&server).characters().list().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.api().unwrap().message, "Specified model not found");
}

#[tokio::test]
async fn delete_api_key_matches_the_query_parameter() {
    let server = MockServer::start_async().await;
    let mock = server.delete_api_key(|when, then| {
        // The query parameter by name: the helper `when.id(..)` takes the
        // parameter's type, which upstream may turn from a string into an enum.
        let _ = when.into_inner().query_param("id", "key-9");
        let deleted: types::DeleteApiKeyResponse =
            serde_json::from_value(serde_json::json!({"success": true})).unwrap();
        then.ok(&deleted);
    });
    assert!(
        client(&server)
            .api_keys()
            .delete("key-9")
            .await
            .unwrap()
            .success
    );
    mock.assert();
}

#[tokio::test]
async fn a_created_key_is_served_inside_secret_exposing() {
    let server = MockServer::start_async().await;
    let mut created: types::CreateApiKeyResponse =
        fixtures::example(&operations::CREATE_API_KEY).unwrap();
    created.data.api_key = venice_sdk::Secret::new("vk-served-by-the-mock");
    let mock = server.create_api_key(|_, then| {
        venice_sdk::Secret::exposing(|| then.ok(&created));
    });
    let body: types::CreateApiKeyBody =
        serde_json::from_value(serde_json::json!({"apiKeyType": "INFERENCE", "description": "d"}))
            .unwrap();
    let got = client(&server).api_keys().create(body).await.unwrap();
    mock.assert();
    assert_eq!(got.data.api_key.expose(), "vk-served-by-the-mock");
    assert_eq!(got.into_inner(), created);
}
