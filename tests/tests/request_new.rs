//! The generated `new(..)` of request types (venice-gen's `request_new`), on the
//! real types of `spec/venice.yaml`: each builds the wire body it should, with its
//! arguments in the documented order (`model`, the main input, the rest as
//! declared).
//!
//! These need today's required fields, so they live here and not in venice-sdk's
//! own tests, which `cargo xtask mutate-check` compiles against reshaped specs
//! (where a required field may turn optional and drop out of `new`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;
use venice_sdk::{Client, Error, Message, types};

fn wire(value: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap()
}

#[test]
fn video_queue_takes_model_prompt_duration() {
    let request = types::QueueVideoRequest::new("wan-2.1", "a cat", "5s");
    assert_eq!(
        wire(&request),
        json!({"model": "wan-2.1", "prompt": "a cat", "duration": "5s"})
    );
    // A value the spec does not list yet is sent as given.
    let request = types::QueueVideoRequest::new("wan-2.1", String::from("a dog"), "17s");
    assert_eq!(wire(&request)["duration"], "17s");
}

#[test]
fn other_requests_read_as_they_are_said() {
    assert_eq!(
        wire(&types::QueueAudioRequest::new("ace-step", "lo-fi piano")),
        json!({"model": "ace-step", "prompt": "lo-fi piano"})
    );
    assert_eq!(
        wire(&types::QuoteVideoRequest::new("wan-2.1", "10s")),
        json!({"model": "wan-2.1", "duration": "10s"})
    );
    assert_eq!(
        wire(&types::CompleteVideoRequest::new("wan-2.1", "q-1")),
        json!({"model": "wan-2.1", "queue_id": "q-1"})
    );
    assert_eq!(
        wire(&types::WebSearchRequest::new("rust async")),
        json!({"query": "rust async"})
    );
    assert_eq!(
        wire(&types::WebScrapeRequest::new("https://example.com/")),
        json!({"url": "https://example.com/"})
    );
}

#[test]
fn hand_written_constructors_keep_their_calls() {
    // The hand-written `new`s win over the generated ones (richer arguments,
    // checked values): their calls compile and send what they did.
    let chat = types::ChatCompletionRequest::new("venice-uncensored", [Message::user("Hi")]);
    assert_eq!(
        wire(&chat),
        json!({"model": "venice-uncensored", "messages": [{"role": "user", "content": "Hi"}]})
    );
    let image = types::GenerateImageRequest::new("flux-dev", "a lighthouse").unwrap();
    assert_eq!(wire(&image)["prompt"], "a lighthouse");
    assert_eq!(wire(&image)["model"], "flux-dev");
    let speech = types::CreateSpeechRequestSchema::new("Hello").unwrap();
    assert_eq!(wire(&speech)["input"], "Hello");
    let embed = types::CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", "a cat");
    assert_eq!(
        wire(&embed),
        json!({"model": "text-embedding-bge-m3", "input": "a cat"})
    );
}

/// `new` takes any text for a string with a length rule; the rule is checked
/// when the request is sent, before anything reaches the network.
#[tokio::test]
async fn a_length_rule_is_checked_when_sent() {
    let client = Client::builder()
        .api_key("k")
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let request = types::QueueVideoRequest::new("wan-2.1", "", "5s");
    match client.video().queue(request).await {
        Err(Error::InvalidRequest { field, .. }) => assert_eq!(field, "prompt"),
        other => panic!("expected InvalidRequest naming prompt, got {other:?}"),
    }
}
