//! Web search: let the model search the web and print the sources it cites.
//!
//! ```sh
//! cargo run --example web_search
//! ```

use venice_sdk::types::ChatCompletionRequest;
use venice_sdk::{Client, Message, VeniceParameters, WebSearch};

/// Any error of the example.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Asks a question with web search on; returns how many sources were cited.
pub async fn run(client: &Client) -> Result<usize, BoxError> {
    let question = "What changed in the latest Rust release?";
    let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user(question)])
        .with_venice_parameters(VeniceParameters::new().web_search(WebSearch::from("on")));
    println!("user: {question}");
    let answer = client.chat().create(request).await?;
    println!("assistant: {}", answer.text().unwrap_or_default());

    let citations = answer
        .venice_parameters
        .as_ref()
        .map(|p| p.web_search_citations.as_slice())
        .unwrap_or_default();
    println!("\n{} sources:", citations.len());
    for (i, c) in citations.iter().enumerate() {
        println!("  [{i}] {}", c.title);
        println!("      {}", c.url);
        if let Some(date) = &c.date {
            println!("      {date}");
        }
    }
    Ok(citations.len())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    venice_testing::run_example(async |client| run(client).await).await
}
