//! Tool calls: offer a function, run the call the model makes, send the result
//! back, and print the final answer.
//!
//! ```sh
//! cargo run --example tool_calls
//! ```

use serde_json::{Value, json};
use venice_sdk::types::ChatCompletionRequest;
use venice_sdk::{Client, Message, Tool};

/// Any error of the example.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The model the example talks to (it supports function calling).
pub const MODEL: &str = "llama-3.3-70b";

/// The tool offered to the model.
pub fn weather_tool() -> Tool {
    Tool::function(
        "get_weather",
        "The current weather in a city",
        json!({
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "The city, e.g. Oslo"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}
            },
            "required": ["city"]
        }),
    )
}

/// The function itself (a real one would call a weather service).
pub fn get_weather(city: &str, unit: &str) -> Value {
    let (temperature, unit) = if unit == "fahrenheit" {
        (45, "°F")
    } else {
        (7, "°C")
    };
    json!({"city": city, "temperature": format!("{temperature}{unit}"), "sky": "overcast"})
}

/// Asks about the weather, answers the tool calls and returns the final answer.
pub async fn run(client: &Client) -> Result<String, BoxError> {
    let question = "What's the weather in Oslo right now?";
    let request = ChatCompletionRequest::new(MODEL, [Message::user(question)]);
    let mut request = request.with_tools([weather_tool()]);
    println!("user: {question}");

    let first = client.chat().create(request.clone()).await?;
    let calls = first.tool_calls();
    if calls.is_empty() {
        println!(
            "assistant (no tool call): {}",
            first.text().unwrap_or_default()
        );
        return Ok(first.text().unwrap_or_default());
    }

    // The model's turn goes back into the conversation, then one result per call.
    request.messages.push(Message::assistant_tool_calls(&calls));
    for call in &calls {
        let arguments: Value = serde_json::from_str(if call.arguments.is_empty() {
            "{}"
        } else {
            &call.arguments
        })?;
        println!("assistant calls {}({arguments})", call.name);
        let result = match call.name.as_str() {
            "get_weather" => get_weather(
                arguments["city"].as_str().unwrap_or("Oslo"),
                arguments["unit"].as_str().unwrap_or("celsius"),
            ),
            other => json!({"error": format!("no tool named {other}")}),
        };
        println!("tool {} -> {result}", call.name);
        request
            .messages
            .push(Message::tool(call.id.clone(), result.to_string()));
    }

    let last = client.chat().create(request).await?;
    let answer = last.text().unwrap_or_default();
    println!("assistant: {answer}");
    Ok(answer)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    venice_testing::run_example(async |client| run(client).await).await
}
