//! The Responses API (alpha): one request, typed output items and usage; then
//! the same question streamed, its text printed as it arrives.
//!
//! ```sh
//! cargo run --example responses
//! ```

use std::io::Write as _;

use venice_sdk::types::{ResponsesApiResponseOutputItem, ResponsesRequest};
use venice_sdk::{Client, Error, ResponseEvent};

/// Asks one question and prints the answer's output items and usage, then
/// streams the same question; returns the streamed text.
pub async fn run(client: &Client) -> Result<String, Error> {
    // Written as the JSON Venice reads: it survives upstream reshaping the
    // request type (a required field turning optional, a union's members).
    let request: ResponsesRequest = serde_json::from_value(serde_json::json!({
        "model": "llama-3.3-70b",
        "input": "Why is the sky blue?",
    }))
    .map_err(|e| Error::Config(format!("request: {e}")))?;
    let response = client.responses().create(request.clone()).await?;
    println!("{} ({}, {})", response.id, response.model, response.status);
    for item in &response.output {
        match item {
            ResponsesApiResponseOutputItem::MessageOutput { content, .. } => {
                for part in content {
                    println!("  message: {}", part.text);
                }
            }
            ResponsesApiResponseOutputItem::FunctionCallOutput {
                name, arguments, ..
            } => {
                println!("  function call: {name}({arguments})");
            }
            other => println!("  {}", serde_json::to_string(other).unwrap_or_default()),
        }
    }
    if let Some(usage) = &response.usage {
        println!(
            "tokens: {} in, {} out",
            usage.input_tokens, usage.output_tokens
        );
    }

    // The same, streamed: text deltas as they arrive, then the final response.
    println!("\nstreamed:");
    let mut stream = client.responses().stream(request).await?;
    let mut text = String::new();
    while let Some(event) = stream.next().await {
        match event? {
            ResponseEvent::OutputTextDelta(delta) => {
                print!("{}", delta.delta);
                let _ = std::io::stdout().flush();
                text.push_str(&delta.delta);
            }
            ResponseEvent::Completed(done) => {
                let tokens = done.response.usage.map(|u| u.total_tokens.to_string());
                println!(
                    "\n[{}, {} tokens]",
                    done.response.status,
                    tokens.as_deref().unwrap_or("?")
                );
            }
            _ => {}
        }
    }
    Ok(text)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let venice = venice_testing::client_from_env_or_offline().await?;
    println!("Using {}\n", venice.describe());
    run(&venice).await?;
    Ok(())
}
