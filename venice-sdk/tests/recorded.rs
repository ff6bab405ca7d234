//! Answers recorded from the live Venice API (`fixtures/recorded/`, provenance
//! in each file) decode into their operation's response type through the
//! SDK's own methods, whatever the spec of the day calls required.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use support::{FaultServer, ok_json};
use venice_sdk::Message;
use venice_sdk::types::ChatCompletionRequest;

/// The recorded envelope at `fixtures/recorded/<path>`: its exact body text
/// and the same body parsed.
fn recorded(path: &str) -> (String, Value) {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/recorded")
        .join(path);
    let envelope: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let body = envelope["response"]["body"].as_str().unwrap().to_owned();
    let json = serde_json::from_str(&body).unwrap();
    (body, json)
}

#[tokio::test]
async fn recorded_model_lists_decode_with_every_model() {
    for path in ["models_list/1.json", "models_list/7.json"] {
        let (body, json) = recorded(path);
        let server = FaultServer::start(vec![ok_json(&body)]).await;
        let list = server
            .client()
            .models()
            .list(None)
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let expected: Vec<&str> = json["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap())
            .collect();
        let ids: Vec<&str> = list.data.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, expected, "{path}");
        assert!(!ids.is_empty());
    }
}

#[tokio::test]
async fn a_recorded_chat_completion_decodes_with_its_text_and_usage() {
    let (body, json) = recorded("chat_completions/1.json");
    let server = FaultServer::start(vec![ok_json(&body)]).await;
    let request = ChatCompletionRequest::new("qwen-2.5-vl", [Message::user("describe")]);
    let completion = server.client().chat().create(request).await.unwrap();
    assert_eq!(
        completion.text().as_deref(),
        json["choices"][0]["message"]["content"].as_str()
    );
    assert_eq!(
        completion.usage.total_tokens as f64,
        json["usage"]["total_tokens"].as_f64().unwrap()
    );
    assert_eq!(completion.id, json["id"].as_str().unwrap());
}

#[tokio::test]
async fn an_answer_that_cannot_be_decoded_names_the_path_operation_and_request_id() {
    let (_, mut json) = recorded("models_list/1.json");
    json["data"][3]["model_spec"]["availableContextTokens"] = Value::from("free");
    let server = FaultServer::start(vec![support::http(
        200,
        &[
            ("content-type", "application/json"),
            ("cf-ray", "8f3c2a1e9b8d4c5f-SJC"),
        ],
        json.to_string(),
    )])
    .await;
    let error = server.client().models().list(None).await.unwrap_err();
    let shown = error.to_string();
    assert!(
        shown.contains("at `data[3].model_spec.availableContextTokens`"),
        "{shown}"
    );
    assert!(shown.contains("listModels"), "{shown}");
    assert_eq!(error.request_id(), Some("8f3c2a1e9b8d4c5f-SJC"));
    let venice_sdk::Error::Decode(decode) = &error else {
        panic!("{error:?}")
    };
    assert!(
        decode
            .excerpt
            .as_deref()
            .is_some_and(|e| e.contains("\"free\""))
    );

    // A value that fits none of a union's members is kept as the union's
    // `Unknown` JSON: the rest of the answer still decodes.
    let (_, mut json) = recorded("models_list/1.json");
    json["data"][3]["model_spec"]["pricing"]["input"]["usd"] = Value::from("free");
    let server = FaultServer::start(vec![ok_json(&json.to_string())]).await;
    let list = server.client().models().list(None).await.unwrap();
    let Some(venice_sdk::types::ModelResponseModelSpecPricing::Unknown(kept)) =
        &list.data[3].model_spec.pricing
    else {
        panic!("{:?}", list.data[3].model_spec.pricing)
    };
    assert_eq!(kept["input"]["usd"], "free");
    assert_eq!(list.data.len(), json["data"].as_array().unwrap().len());
}

#[tokio::test]
async fn fields_the_spec_does_not_name_are_kept_and_read_by_pointer() {
    let (_, mut json) = recorded("chat_completions/1.json");
    json["cost"] = serde_json::json!({"usd": 0.000_42, "diem": 0.000_42});
    json["choices"][0]["message"]["thought_signature"] = Value::from("sig-1");
    let body = json.to_string();
    let server = FaultServer::start(vec![ok_json(&body)]).await;
    let request = ChatCompletionRequest::new("qwen-2.5-vl", [Message::user("describe")]);
    let completion = server.client().chat().create(request).await.unwrap();
    assert_eq!(
        completion.json_at::<f64>("/cost/usd").unwrap(),
        Some(0.000_42)
    );
    assert_eq!(
        completion
            .json_at::<String>("/choices/0/message/thought_signature")
            .unwrap()
            .as_deref(),
        Some("sig-1")
    );
    assert_eq!(completion.json_at::<Value>("/nothing/here").unwrap(), None);
    assert_eq!(completion.json(), Some(body.as_bytes()));
    // The kept answer survives `map`, and `Debug` shows only its length.
    let shown = format!("{:?}", completion.map(|c| c.id));
    assert!(shown.contains("bytes of JSON"), "{shown}");
    assert!(!shown.contains("0.00042"), "{shown}");
}
