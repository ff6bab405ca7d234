//! The offline Venice answers every operation of the spec through the SDK, with
//! Venice's headers and errors. Public APIs only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;
use venice_sdk::types::{self, ChatCompletionRequest, GenerateImageRequest};
use venice_sdk::{
    ApiErrorKind, Client, Error, ImageInput, Message, VeniceParameters, WebSearch, operations,
};
use venice_testing::{Answer, OfflineVenice, fixtures};

fn chat(model: &str, question: &str) -> ChatCompletionRequest {
    ChatCompletionRequest::new(model, [Message::user(question)])
}

/// Calls one operation the way a user would; returns the response metadata.
async fn call(client: &Client, id: &str) -> Result<Option<venice_sdk::ResponseMeta>, Error> {
    Ok(Some(match id {
        "createChatCompletion" => {
            let answer = client
                .chat()
                .create(chat("llama-3.3-70b", "Why is the sky blue?"))
                .await?;
            assert!(answer.text().unwrap().contains("Rayleigh scattering"));
            let cost = answer
                .cost()
                .expect("the offline Venice says what an answer cost");
            assert!(cost.usd > 0.0 && cost.diem == 0.0, "{cost:?}");
            answer.meta().clone()
        }
        "generateImage" => {
            let request = GenerateImageRequest::new("venice-sd35", "a lighthouse at dusk")?;
            let images = client.images().generate(request).await?;
            assert_eq!(images.images.len(), 1);
            assert_eq!(fixtures::png_dimensions(&images.images[0]), Some((64, 64)));
            images.meta().clone()
        }
        "upscaleImage" => {
            let out = client
                .images()
                .upscale(ImageInput::bytes(fixtures::sample_png()), 2.0)
                .await?;
            assert_eq!(fixtures::png_dimensions(&out), Some((16, 16)));
            out.meta().clone()
        }
        "listImageStyles" => {
            let styles = client.images().styles().await?;
            assert!(styles.data.iter().any(|s| s == "Anime"));
            styles.meta().clone()
        }
        "listModels" => {
            let models = client.models().list(None).await?;
            assert!(models.data.iter().all(|m| m.type_ == "text"));
            models.meta().clone()
        }
        "listModelTraits" => {
            let traits = client.models().traits(None).await?;
            assert_eq!(
                traits.data.get("default").map(String::as_str),
                Some("llama-3.3-70b")
            );
            traits.meta().clone()
        }
        "listModelCompatibilityMapping" => {
            let mapping = client.models().compatibility_mapping(None).await?;
            assert_eq!(
                mapping.data.get("gpt-4o").map(String::as_str),
                Some("llama-3.3-70b")
            );
            mapping.meta().clone()
        }
        "getApiKeys" => {
            let keys = client.api_keys().list().await?;
            assert!(!keys.data.is_empty());
            keys.meta().clone()
        }
        "createApiKey" => {
            let body: types::CreateApiKeyBody =
                serde_json::from_value(json!({"apiKeyType": "INFERENCE", "description": "ci"}))
                    .unwrap();
            let created = client.api_keys().create(body).await?;
            assert!(created.data.api_key.expose().starts_with("vk-offline-"));
            created.meta().clone()
        }
        "deleteApiKey" => {
            let keys = client.api_keys().list().await?;
            let id = keys.data[0].id.clone();
            let deleted = client.api_keys().delete(id).await?;
            assert!(deleted.success);
            deleted.meta().clone()
        }
        "getApiKeyRateLimits" => {
            let limits = client.api_keys().rate_limits().await?;
            assert!(limits.data.access_permitted);
            limits.meta().clone()
        }
        "getApiKeyGenerateWeb3Key" => {
            let token = client.api_keys().web3_token().await?;
            assert!(token.data.token.starts_with("eyJ"));
            token.meta().clone()
        }
        "postApiKeyGenerateWeb3Key" => {
            let body: types::PostApiKeyGenerateWeb3KeyBody = serde_json::from_value(json!({
                "address": "0x45B73055F3aDcC4577Bb709db10B19d11b5c94eE",
                "signature": "0xbb5ff2e177f3a97fd553ad2d5a5ab4a7a7b1d1f1",
                "token": "eyJ-token",
                "apiKeyType": "INFERENCE"
            }))
            .unwrap();
            let created = client.api_keys().create_web3_key(body).await?;
            assert_eq!(created.data.api_key_type, "INFERENCE");
            created.meta().clone()
        }
        "listCharacters" => {
            let characters = client.characters().list().await?;
            assert!(characters.data.iter().any(|c| c.slug == "alan-watts"));
            characters.meta().clone()
        }
        // Operations added since the seed spec: their resources come later.
        _ => return Ok(None),
    }))
}

#[tokio::test]
async fn every_operation_answers_through_the_sdk_with_venices_headers() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let mut ids = std::collections::HashSet::new();
    let mut covered = 0;
    for op in operations::ALL {
        let Some(meta) = call(&client, op.id)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", op.id))
        else {
            continue;
        };
        covered += 1;
        assert_eq!(meta.status.as_u16(), 200, "{}", op.id);
        let id = meta.request_id.clone().expect("cf-ray");
        assert!(id.ends_with("-SJC") && id.len() == 20, "{id}");
        assert!(ids.insert(id), "request ids are unique");
        let limits = meta.rate_limits;
        assert_eq!(limits.requests.limit, Some(500), "{}", op.id);
        assert!(limits.requests.remaining.unwrap() < 500);
        assert!(limits.requests.reset_in().is_some());
        assert_eq!(limits.tokens.limit, Some(1_000_000));
        assert!(limits.tokens.remaining.is_some());
        assert!(limits.tokens.reset_at.is_some());
        assert!(
            meta.balances.usd.is_some()
                && meta.balances.vcu.is_some()
                && meta.balances.diem.is_some()
        );
        assert!(meta.headers.contains_key("content-type"));
        assert!(venice.calls(op.id) >= 1, "{}", op.id);
    }
    assert_eq!(covered, 14, "every SDK method is called");
    assert!(venice.request_count() >= covered);
}

#[tokio::test]
async fn streams_reasoning_then_content_then_stop_usage_and_done() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let mut stream = client
        .chat()
        .stream(chat("qwen3-4b", "Why is the sky blue?"))
        .await
        .unwrap();
    assert_eq!(stream.meta().headers["content-type"], "text/event-stream");
    assert!(stream.meta().request_id.is_some());
    let mut chunks = Vec::new();
    while let Some(chunk) = stream.next().await {
        chunks.push(chunk.unwrap());
    }
    assert!(chunks.len() > 10, "{}", chunks.len());
    assert!(chunks.iter().all(|c| c.object == "chat.completion.chunk"));
    let first_content = chunks
        .iter()
        .position(|c| !c.delta_text().is_empty())
        .unwrap();
    let last_reasoning = chunks
        .iter()
        .rposition(|c| !c.delta_reasoning().is_empty())
        .unwrap();
    assert!(last_reasoning < first_content, "reasoning comes first");
    let stop = chunks
        .iter()
        .position(|c| c.choices.first().and_then(|ch| ch.finish_reason.as_deref()) == Some("stop"))
        .unwrap();
    assert_eq!(stop, chunks.len() - 2);
    assert!(chunks.last().unwrap().usage.is_some());

    let done = client
        .chat()
        .stream(chat("qwen3-4b", "Why is the sky blue?"))
        .await
        .unwrap()
        .collect_completion()
        .await
        .unwrap();
    assert!(done.text().unwrap().contains("Rayleigh scattering"));
    assert!(done.reasoning().unwrap().contains("sky"));
    assert_eq!(done.choices[0].finish_reason, "stop");
    assert!(done.usage.completion_tokens as f64 > 0.0);
}

#[tokio::test]
async fn thinking_can_be_disabled_and_plain_models_do_not_reason() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    for model in ["qwen3-4b:disable_thinking=true", "llama-3.3-70b"] {
        let done = client.chat().create(chat(model, "Hello")).await.unwrap();
        assert_eq!(done.reasoning(), None, "{model}");
        assert_eq!(
            done.text().as_deref(),
            Some("Hello! How can I help you today?")
        );
    }
}

#[tokio::test]
async fn image_bytes_are_a_real_png() {
    let venice = OfflineVenice::start().await;
    let request = GenerateImageRequest::new("flux-dev", "a red fox")
        .unwrap()
        .with_size(512, 768)
        .unwrap();
    let png = venice
        .client()
        .images()
        .generate_bytes(request)
        .await
        .unwrap();
    assert_eq!(png.meta().headers["content-type"], "image/png");
    assert_eq!(png.meta().content.is_content_violation, Some(false));
    assert_eq!(fixtures::png_dimensions(&png), Some((32, 48)));
}

#[tokio::test]
async fn upscale_reads_a_file_and_scales_its_size() {
    let venice = OfflineVenice::start().await;
    let dir = std::env::temp_dir().join(format!("venice-testing-upscale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("in.png");
    std::fs::write(&path, fixtures::png(10, 6)).unwrap();
    let out = venice.client().images().upscale(path, 4.0).await.unwrap();
    assert_eq!(fixtures::png_dimensions(&out), Some((40, 24)));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn tools_are_called_and_their_results_answered() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let tool: types::ChatCompletionRequestToolsItem = serde_json::from_value(json!({
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather of a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
        }
    }))
    .unwrap();
    let mut request = chat("llama-3.3-70b", "What's the weather in Oslo?");
    request.tools = Some(vec![tool]);
    let answer = client.chat().create(request.clone()).await.unwrap();
    assert_eq!(answer.choices[0].finish_reason, "tool_calls");
    let types::CreateChatCompletionResponseChoicesItemMessage::AssistantMessage {
        tool_calls, ..
    } = &answer.choices[0].message
    else {
        panic!("assistant message expected")
    };
    let tool_calls = tool_calls.as_deref().unwrap();
    assert_eq!(tool_calls[0]["function"]["name"], "get_weather");
    assert_eq!(tool_calls[0]["function"]["arguments"], r#"{"city":"Oslo"}"#);

    // Streamed, the call arrives in fragments the accumulator merges.
    let streamed = client
        .chat()
        .stream(request.clone())
        .await
        .unwrap()
        .collect_completion()
        .await
        .unwrap();
    assert_eq!(streamed.choices[0].finish_reason, "tool_calls");

    let call_id = tool_calls[0]["id"].as_str().unwrap().to_owned();
    let calls: Vec<venice_sdk::ToolCall> = answer.tool_calls();
    request.messages.push(Message::assistant_tool_calls(&calls));
    request.messages.push(Message::tool(
        call_id,
        r#"{"temperature_c": 7, "sky": "overcast"}"#,
    ));
    let final_answer = client.chat().create(request).await.unwrap();
    assert_eq!(final_answer.choices[0].finish_reason, "stop");
    let text = final_answer.text().unwrap();
    assert!(
        text.contains("get_weather") && text.contains("overcast"),
        "{text}"
    );
}

#[tokio::test]
async fn web_search_adds_citations() {
    let venice = OfflineVenice::start().await;
    let request = chat("llama-3.3-70b", "Rust 1.88 release notes")
        .with_venice_parameters(VeniceParameters::new().web_search(WebSearch::from("on")));
    let answer = venice
        .client()
        .chat()
        .create(request.clone())
        .await
        .unwrap();
    let citations = &answer
        .venice_parameters
        .as_ref()
        .unwrap()
        .web_search_citations;
    assert_eq!(citations.len(), 2);
    assert!(citations[0].url.starts_with("https://"));
    let streamed = venice
        .client()
        .chat()
        .stream(request)
        .await
        .unwrap()
        .collect_completion()
        .await
        .unwrap();
    assert_eq!(
        streamed
            .venice_parameters
            .as_ref()
            .unwrap()
            .web_search_citations
            .len(),
        2
    );
}

#[tokio::test]
async fn max_tokens_cut_the_answer_with_finish_reason_length() {
    let venice = OfflineVenice::start().await;
    let request = chat("llama-3.3-70b", "Why is the sky blue?").with_max_completion_tokens(5);
    let answer = venice.client().chat().create(request).await.unwrap();
    assert_eq!(answer.choices[0].finish_reason, "length");
    assert_eq!(answer.text().unwrap(), "The sky appears blue because");
}

#[tokio::test]
async fn errors_are_venices() {
    let venice = OfflineVenice::start().await;

    // No key: 401 on every operation that needs one, never on the web3 ones.
    let anonymous = Client::builder()
        .base_url(venice.base_url())
        .build()
        .unwrap();
    for op in operations::ALL {
        let result = call(&anonymous, op.id).await;
        if matches!(result, Ok(None)) {
            continue;
        }
        // Optional auth (`[{}, {BearerAuth}]`, the model lists) answers without a key.
        if matches!(
            op.auth,
            operations::Auth::Bearer | operations::Auth::BearerOrWallet
        ) {
            let err = result.expect_err(op.id);
            let api = err.api().unwrap_or_else(|| panic!("{}: {err}", op.id));
            assert_eq!(api.status.as_u16(), 401);
            assert_eq!(api.message, "Authentication failed");
            assert_eq!(api.kind, ApiErrorKind::Unauthorized);
            assert!(err.request_id().is_some());
        } else {
            result.unwrap_or_else(|e| panic!("{}: {e}", op.id));
        }
    }

    let client = venice.client();
    let err = client
        .chat()
        .create(chat("gpt-17", "hi"))
        .await
        .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.kind, ApiErrorKind::NotFound);
    assert!(
        api.message.starts_with("Specified model not found"),
        "{}",
        api.message
    );

    let err = client.api_keys().delete("no-such-key").await.unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 404);

    let body: types::CreateApiKeyBody =
        serde_json::from_value(json!({"apiKeyType": "INFERENCE", "description": "x"})).unwrap();
    venice.fail_next(
        &operations::CREATE_API_KEY,
        Answer::error(402, "Insufficient USD or VCU balance to complete request"),
    );
    let err = client.api_keys().create(body.clone()).await.unwrap_err();
    assert_eq!(err.api().unwrap().kind, ApiErrorKind::InsufficientBalance);
    client.api_keys().create(body).await.unwrap();
}

#[tokio::test]
async fn api_keys_are_created_listed_and_deleted() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let before = client.api_keys().list().await.unwrap().data.len();
    let body: types::CreateApiKeyBody =
        serde_json::from_value(json!({"apiKeyType": "ADMIN", "description": "deploy bot"}))
            .unwrap();
    let created = client.api_keys().create(body).await.unwrap();
    assert!(!format!("{created:?}").contains(created.data.api_key.expose()));
    let listed = client.api_keys().list().await.unwrap();
    assert_eq!(listed.data.len(), before + 1);
    let entry = listed
        .data
        .iter()
        .find(|k| k.id == created.data.id)
        .unwrap();
    assert_eq!(entry.description.as_deref(), Some("deploy bot"));
    assert!(created.data.api_key.expose().ends_with(&entry.last6_chars));
    client
        .api_keys()
        .delete(created.data.id.clone())
        .await
        .unwrap();
    assert_eq!(client.api_keys().list().await.unwrap().data.len(), before);
}

#[tokio::test]
async fn balances_and_remaining_limits_go_down() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let first = client
        .chat()
        .create(chat("llama-3.3-70b", "Why is the sky blue?"))
        .await
        .unwrap();
    let second = client
        .chat()
        .create(chat("llama-3.3-70b", "Why is the sky blue?"))
        .await
        .unwrap();
    let (a, b) = (first.meta(), second.meta());
    assert!(b.balances.usd.unwrap() < a.balances.usd.unwrap());
    assert!(b.rate_limits.requests.remaining.unwrap() < a.rate_limits.requests.remaining.unwrap());
    assert!(b.rate_limits.tokens.remaining.unwrap() < a.rate_limits.tokens.remaining.unwrap());
}

#[tokio::test]
async fn models_of_each_type() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let images = client.models().list("image").await.unwrap();
    assert!(images.data.iter().all(|m| m.type_ == "image"));
    assert!(images.data.iter().any(|m| m.id == "flux-dev"));
    let all = client.models().list("all").await.unwrap();
    assert!(all.data.len() > images.data.len());
    let traits = client.models().traits("image").await.unwrap();
    assert_eq!(
        traits.data.get("default").map(String::as_str),
        Some("venice-sd35")
    );
}

#[tokio::test]
async fn unknown_paths_are_404_with_a_hint() {
    let venice = OfflineVenice::start().await;
    let response = http_get(&format!("{}/nope", venice.base_url())).await;
    assert!(response.starts_with("HTTP/1.1 404"), "{response}");
    assert!(response.contains("operations::ALL"), "{response}");
}

/// A bare HTTP/1.1 GET over a TCP socket (no HTTP client dependency needed).
async fn http_get(url: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let host = host.to_owned();
    let path = format!("/{path}");
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&host).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        stream.read_to_string(&mut out).unwrap();
        out
    })
    .await
    .unwrap()
}
