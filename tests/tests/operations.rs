//! Every operation of the spec, called the way a user would, against a loopback
//! mock: method, path, query, auth header (and its absence), the spec's example
//! response decoding, and every documented error status decoding into `Error::Api`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use httpmock::prelude::*;
use serde_json::{Value, json};
use venice_sdk::types::{self, ChatCompletionRequest, GenerateImageRequest};
use venice_sdk::{Client, Error, ImageInput, Message, operations};

const KEY: &str = "vk-ops-KEY-5d41402abc4b";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRtiny";

fn spec() -> Value {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/venice.yaml"))
            .unwrap();
    venice_openapi::load_yaml(&text).unwrap()
}

/// Calls the operation through the SDK's resource method.
async fn call(client: &Client, id: &str) -> Result<(), Error> {
    match id {
        "createChatCompletion" => client
            .chat()
            .create(ChatCompletionRequest::new(
                "llama-3.3-70b",
                [Message::user("hi")],
            ))
            .await
            .map(drop),
        "generateImage" => client
            .images()
            .generate(GenerateImageRequest::new("flux-dev", "a cat")?)
            .await
            .map(drop),
        "upscaleImage" => client
            .images()
            .upscale(ImageInput::bytes(PNG.to_vec()), 2.0)
            .await
            .map(drop),
        "listImageStyles" => client.images().styles().await.map(drop),
        "listModels" => client.models().list(None).await.map(drop),
        "listModelTraits" => client.models().traits(None).await.map(drop),
        "listModelCompatibilityMapping" => {
            client.models().compatibility_mapping(None).await.map(drop)
        }
        "getApiKeys" => client.api_keys().list().await.map(drop),
        "createApiKeys" => {
            let body: types::CreateApiKeysBody =
                serde_json::from_value(json!({"apiKeyType": "INFERENCE", "description": "d"}))
                    .unwrap();
            client.api_keys().create(body).await.map(drop)
        }
        "deleteApiKey" => client.api_keys().delete("key-1").await.map(drop),
        "getApiKeyRateLimits" => client.api_keys().rate_limits().await.map(drop),
        "getApiKeyGenerateWeb3Key" => client.api_keys().web3_token().await.map(drop),
        "postApiKeyGenerateWeb3Key" => {
            let body: types::PostApiKeyGenerateWeb3KeyBody = serde_json::from_value(json!({
                "address": "0x1", "signature": "0x2", "token": "t", "apiKeyType": "INFERENCE"
            }))
            .unwrap();
            client.api_keys().create_web3_key(body).await.map(drop)
        }
        "listCharacters" => client.characters().list().await.map(drop),
        other => panic!("operation {other} has no SDK method: add one and a case here"),
    }
}

fn method_of(op: &operations::Operation) -> httpmock::Method {
    match op.method {
        "GET" => GET,
        "POST" => POST,
        "DELETE" => DELETE,
        "PUT" => PUT,
        "PATCH" => PATCH,
        other => panic!("method {other}"),
    }
}

/// The success body to answer with: the spec's example, made decodable where the
/// example is only illustrative.
fn success_body(op: &operations::Operation) -> Option<Value> {
    let mut body: Value = serde_json::from_str(op.example_response?).unwrap();
    if op.id == "generateImage" {
        body["images"] = json!(["iVBORw0KGgo="]);
    }
    Some(body)
}

#[tokio::test]
async fn every_operation_round_trips_with_the_spec_example() {
    assert_eq!(operations::ALL.len(), 14);
    for op in operations::ALL {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                let mut when = when.method(method_of(op)).path(op.path);
                when = if op.requires_auth {
                    when.header("authorization", format!("Bearer {KEY}"))
                } else {
                    when.header_missing("authorization")
                };
                if op.id == "deleteApiKey" {
                    when = when.query_param("id", "key-1");
                }
                let _ = when.header_missing("api-version");
                match success_body(op) {
                    Some(body) => {
                        then.status(200)
                            .header("content-type", "application/json")
                            .json_body(body);
                    }
                    None => {
                        then.status(200)
                            .header("content-type", "image/png")
                            .body(PNG);
                    }
                }
            })
            .await;
        let client = Client::builder()
            .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
            .api_key(KEY)
            .base_url(server.base_url())
            .build()
            .unwrap();
        if let Err(e) = call(&client, op.id).await {
            panic!("{}: {e:?}", op.id);
        }
        assert_eq!(
            mock.calls_async().await,
            1,
            "{} was not sent as specified",
            op.id
        );
    }
}

#[tokio::test]
async fn every_documented_error_status_decodes_into_an_api_error() {
    let spec = spec();
    let mut checked = 0;
    for op in operations::ALL {
        let responses = spec["paths"][op.path][op.method.to_ascii_lowercase()]["responses"]
            .as_object()
            .unwrap();
        for (status, response) in responses {
            let Ok(code) = status.parse::<u16>() else {
                continue;
            };
            if code < 400 {
                continue;
            }
            let message = response
                .pointer("/content/application~1json/schema/properties/error/example")
                .and_then(Value::as_str)
                .unwrap_or("documented error")
                .to_owned();
            let server = MockServer::start_async().await;
            server
                .mock_async(|when, then| {
                    when.method(method_of(op)).path(op.path);
                    then.status(code)
                        .header("content-type", "application/json")
                        .json_body(json!({"error": message}));
                })
                .await;
            let client = Client::builder()
                .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
                .api_key(KEY)
                .base_url(server.base_url())
                .build()
                .unwrap();
            let err = call(&client, op.id).await.unwrap_err();
            let api = err
                .api()
                .unwrap_or_else(|| panic!("{} {code}: {err:?}", op.id));
            assert_eq!(api.status.as_u16(), code, "{}", op.id);
            assert_eq!(api.message, message, "{} {code}", op.id);
            assert_eq!(api.operation, op.id);
            assert!(!format!("{err} {err:?}").contains(KEY));
            checked += 1;
        }
    }
    assert!(
        checked >= 30,
        "only {checked} documented error statuses found"
    );
}
