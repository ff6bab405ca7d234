//! The Responses API (alpha): one request, typed output items and usage.
//!
//! ```sh
//! cargo run --example responses
//! ```

use venice_sdk::types::{ResponsesApiResponseOutputItem, ResponsesRequest, ResponsesRequestInput};
use venice_sdk::{Client, Error};

/// Asks one question and prints the answer's output items and usage.
pub async fn run(client: &Client) -> Result<(), Error> {
    let request = ResponsesRequest::from_required(
        ResponsesRequestInput::String("Why is the sky blue?".to_owned()),
        "llama-3.3-70b".to_owned(),
    );
    let response = client.responses().create(request).await?;
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
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let venice = venice_testing::client_from_env_or_offline().await?;
    println!("Using {}\n", venice.describe());
    run(&venice).await?;
    Ok(())
}
