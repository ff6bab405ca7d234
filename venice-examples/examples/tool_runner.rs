//! The tool loop, run for you: two tools from typed functions; the runner calls
//! them as the model asks, sends the results back and returns the final answer.
//!
//! ```sh
//! cargo run --example tool_runner
//! ```

use serde::Deserialize;
use venice_sdk::types::ChatCompletionRequest;
use venice_sdk::{Capability, Client, Message, ToolRunner};

/// Any error of the example.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The arguments both tools take.
#[derive(Deserialize, schemars::JsonSchema)]
pub struct City {
    /// The city, in English.
    pub city: String,
}

/// Asks about the weather and the time in a city; returns the final answer.
pub async fn run(client: &Client) -> Result<String, BoxError> {
    let model = client
        .models()
        .pick(&[Capability::FunctionCalling])
        .await?
        .ok_or("no model supports function calling")?;
    let runner = ToolRunner::new()
        .tool(
            "get_weather",
            "The current weather in a city",
            |a: City| async move { Ok::<_, String>(format!("7°C and overcast in {}", a.city)) },
        )
        .tool(
            "get_time",
            "The local time in a city",
            |a: City| async move { Ok::<_, String>(format!("14:05 in {}", a.city)) },
        )
        .on_round(|round| {
            for call in round.calls {
                println!("round {}: {}({})", round.index, call.name, call.arguments);
            }
        });
    let question = "What's the weather in Oslo, and the local time there?";
    println!("user: {question}");
    let request = ChatCompletionRequest::new(model, [Message::user(question)]);
    let run = runner.run(client, request).await?;
    let answer = run.completion.text().unwrap_or_default();
    println!("assistant ({} rounds): {answer}", run.rounds);
    Ok(answer)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    venice_testing::run_example(async |client| run(client).await.map(|_| ())).await
}
