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

/// The operations the SDK has a resource method for (by their constants: an
/// operation renamed or removed upstream is a compile error here).
const WRAPPED: usize = 14;

/// Calls the operation through the SDK's resource method; `None` when the SDK has
/// none yet (the generated client covers it).
async fn call(client: &Client, op: &operations::Operation) -> Option<Result<(), Error>> {
    Some(match op.id {
        id if id == operations::CREATE_CHAT_COMPLETION.id => client
            .chat()
            .create(ChatCompletionRequest::new(
                "llama-3.3-70b",
                [Message::user("hi")],
            ))
            .await
            .map(drop),
        id if id == operations::GENERATE_IMAGE.id => {
            match GenerateImageRequest::new("flux-dev", "a cat") {
                Ok(request) => client.images().generate(request).await.map(drop),
                Err(e) => Err(e),
            }
        }
        id if id == operations::UPSCALE_IMAGE.id => client
            .images()
            .upscale(ImageInput::bytes(PNG.to_vec()), 2.0)
            .await
            .map(drop),
        id if id == operations::LIST_IMAGE_STYLES.id => client.images().styles().await.map(drop),
        id if id == operations::LIST_MODELS.id => client.models().list(None).await.map(drop),
        id if id == operations::LIST_MODEL_TRAITS.id => {
            client.models().traits(None).await.map(drop)
        }
        id if id == operations::LIST_MODEL_COMPATIBILITY_MAPPING.id => {
            client.models().compatibility_mapping(None).await.map(drop)
        }
        id if id == operations::GET_API_KEYS.id => client.api_keys().list().await.map(drop),
        id if id == operations::CREATE_API_KEY.id => {
            let body: types::CreateApiKeyBody =
                serde_json::from_value(json!({"apiKeyType": "INFERENCE", "description": "d"}))
                    .unwrap();
            client.api_keys().create(body).await.map(drop)
        }
        id if id == operations::DELETE_API_KEY.id => {
            client.api_keys().delete("key-1").await.map(drop)
        }
        id if id == operations::GET_API_KEY_RATE_LIMITS.id => {
            client.api_keys().rate_limits().await.map(drop)
        }
        id if id == operations::GET_API_KEY_GENERATE_WEB3_KEY.id => {
            client.api_keys().web3_token().await.map(drop)
        }
        id if id == operations::POST_API_KEY_GENERATE_WEB3_KEY.id => {
            let body: types::PostApiKeyGenerateWeb3KeyBody = serde_json::from_value(json!({
                "address": "0x1", "signature": "0x2", "token": "t", "apiKeyType": "INFERENCE"
            }))
            .unwrap();
            client.api_keys().create_web3_key(body).await.map(drop)
        }
        id if id == operations::LIST_CHARACTERS.id => client.characters().list().await.map(drop),
        _ => return None,
    })
}

/// A client of `server` that retries without waiting.
fn client_for(server: &MockServer) -> Client {
    Client::builder()
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .api_key(KEY)
        .base_url(server.base_url())
        .build()
        .unwrap()
}

/// The success body to answer with: the spec's example, made decodable where the
/// example is only illustrative.
fn success_body(op: &operations::Operation) -> Option<Value> {
    let mut body: Value = serde_json::from_str(op.example_response?).unwrap();
    if op.id == operations::GENERATE_IMAGE.id {
        body["images"] = json!(["iVBORw0KGgo="]);
    }
    Some(body)
}

#[tokio::test]
async fn every_operation_round_trips_with_the_spec_example() {
    let mut covered = 0;
    for op in operations::ALL {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                let mut when = when.method(op.method.as_str()).path(op.path);
                when = if op.auth.sends_key() {
                    when.header("authorization", format!("Bearer {KEY}"))
                } else {
                    when.header_missing("authorization")
                };
                if op.id == operations::DELETE_API_KEY.id {
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
        let client = client_for(&server);
        match call(&client, op).await {
            None => continue,
            Some(Err(e)) => panic!("{}: {e:?}", op.id),
            Some(Ok(())) => covered += 1,
        }
        assert_eq!(
            mock.calls_async().await,
            1,
            "{} was not sent as specified",
            op.id
        );
    }
    assert_eq!(covered, WRAPPED, "every SDK method is checked");
}

#[tokio::test]
async fn every_documented_error_status_decodes_into_an_api_error() {
    let spec = spec();
    let mut checked = 0;
    for op in operations::ALL {
        let responses =
            spec["paths"][op.path][op.method.as_str().to_ascii_lowercase()]["responses"]
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
                    when.method(op.method.as_str()).path(op.path);
                    then.status(code)
                        .header("content-type", "application/json")
                        .json_body(json!({"error": message}));
                })
                .await;
            let client = client_for(&server);
            let Some(result) = call(&client, op).await else {
                continue;
            };
            let err = result.unwrap_err();
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

/// What the send path reads from the table, for the operations the SDK wraps.
#[test]
fn the_table_carries_auth_modes_secrets_and_idempotency_keys() {
    use operations::Auth;
    for (op, auth, secret) in [
        (
            &operations::CREATE_CHAT_COMPLETION,
            Auth::BearerOrWallet,
            false,
        ),
        (&operations::GENERATE_IMAGE, Auth::BearerOrWallet, false),
        (&operations::LIST_MODELS, Auth::Optional, false),
        (&operations::LIST_IMAGE_STYLES, Auth::Optional, false),
        (&operations::GET_API_KEYS, Auth::Bearer, false),
        (&operations::CREATE_API_KEY, Auth::Bearer, true),
        (
            &operations::GET_API_KEY_GENERATE_WEB3_KEY,
            Auth::None,
            false,
        ),
        (
            &operations::POST_API_KEY_GENERATE_WEB3_KEY,
            Auth::None,
            true,
        ),
        (&operations::GET_X402_BALANCE, Auth::Wallet, false),
        (&operations::TOP_UP_X402_BALANCE, Auth::None, false),
    ] {
        assert_eq!(op.auth, auth, "{}", op.id);
        assert_eq!(op.returns_secret, secret, "{}", op.id);
    }
    let idempotent: Vec<&str> = operations::ALL
        .iter()
        .filter(|op| op.idempotency_key)
        .map(|op| op.path)
        .collect();
    assert_eq!(idempotent, ["/crypto/rpc/{network}"]);
}
