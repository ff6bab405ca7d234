//! A conversation: a system prompt, a question, and a follow-up that carries the
//! previous answer, with the usage and metadata of each turn.
//!
//! ```sh
//! cargo run --example chat
//! ```

use venice_sdk::types::ChatCompletionRequest;
use venice_sdk::{Client, Message};

/// Any error of the example.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The model the example talks to.
pub const MODEL: &str = "llama-3.3-70b";

/// Holds a two-turn conversation and returns the last answer.
pub async fn run(client: &Client) -> Result<String, BoxError> {
    let mut messages = vec![
        Message::system("You are a concise physics tutor."),
        Message::user("Why is the sky blue?"),
    ];

    let request = ChatCompletionRequest::new(MODEL, messages.clone()).with_temperature(0.3);
    let first = client.chat().create(request).await?;
    let answer = first.text().unwrap_or_default();
    println!("user:      Why is the sky blue?");
    println!("assistant: {answer}");
    println!(
        "           [{} • {} tokens • request id {}]",
        first.model,
        first.usage.total_tokens,
        first.meta().request_id.as_deref().unwrap_or("?")
    );

    // The API is stateless: send the whole conversation each turn.
    messages.push(Message::assistant(answer));
    messages.push(Message::user("And why are sunsets red?"));
    let request = ChatCompletionRequest::new(MODEL, messages)
        .with_temperature(0.3)
        .with_max_completion_tokens(200);
    let second = client.chat().create(request).await?;
    let answer = second.text().unwrap_or_default();
    println!("user:      And why are sunsets red?");
    println!("assistant: {answer}");
    if let Some(choice) = second.choices.first() {
        println!("           [finish reason: {}]", choice.finish_reason);
    }
    Ok(answer)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    venice_testing::run_example(async |client| run(client).await).await
}
