//! Streaming: print reasoning and answer as they arrive while folding the chunks
//! into a completion, then the same with `collect_completion()` and `text()`.
//!
//! ```sh
//! cargo run --example streaming
//! ```

use std::io::Write as _;

use futures::StreamExt as _;
use venice_sdk::types::ChatCompletionRequest;
use venice_sdk::{Client, Message};

/// Any error of the example.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What a stream added up to.
#[derive(Debug, Default)]
pub struct Streamed {
    /// The answer.
    pub text: String,
    /// The model's reasoning, for models that think out loud.
    pub reasoning: String,
    /// Why the answer ended.
    pub finish_reason: Option<String>,
    /// Tokens used, from the usage chunk.
    pub total_tokens: Option<f64>,
    /// How many chunks arrived.
    pub chunks: usize,
}

/// Streams three times: by hand, collected, and as text only.
pub async fn run(client: &Client) -> Result<Streamed, BoxError> {
    // A model that reasons shows both kinds of deltas.
    let traits = client.models().traits("text").await?;
    let model = traits
        .data
        .get("default_reasoning")
        .or_else(|| traits.data.get("default"))
        .cloned()
        .unwrap_or_else(|| "qwen3-4b".to_owned());
    let request =
        ChatCompletionRequest::new(model.as_str(), [Message::user("Why is the sky blue?")]);

    // 1. By hand: print each delta as it arrives, and keep what is needed.
    println!("1. {model}, chunk by chunk");
    let mut stream = client.chat().stream(request.clone()).await?;
    println!(
        "   (request id {})",
        stream.meta().request_id.as_deref().unwrap_or("?")
    );
    let mut out = Streamed::default();
    let mut stdout = std::io::stdout();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        out.chunks += 1;
        let reasoning = chunk.delta_reasoning();
        if !reasoning.is_empty() {
            if out.reasoning.is_empty() {
                print!("   thinking: ");
            }
            out.reasoning.push_str(reasoning);
            print!("{reasoning}");
        }
        let text = chunk.delta_text();
        if !text.is_empty() {
            if out.text.is_empty() {
                print!("\n   answer:   ");
            }
            out.text.push_str(text);
            print!("{text}");
        }
        stdout.flush()?;
        if let Some(reason) = chunk.choices.first().and_then(|c| c.finish_reason.clone()) {
            out.finish_reason = Some(reason);
        }
        if let Some(usage) = &chunk.usage {
            out.total_tokens = Some(usage.total_tokens as f64);
        }
    }
    println!(
        "\n   [{} chunks, finish reason {:?}, {:?} tokens]",
        out.chunks, out.finish_reason, out.total_tokens
    );

    // 2. The accumulator: the stream folded into what `create` would return.
    println!("\n2. collect_completion()");
    let completion = client
        .chat()
        .stream(request.clone())
        .await?
        .collect_completion()
        .await?;
    println!("   text:      {}", completion.text().unwrap_or_default());
    println!(
        "   reasoning: {}",
        completion.reasoning().unwrap_or("(none)")
    );
    println!("   usage:     {} tokens", completion.usage.total_tokens);

    // 3. Only the text.
    println!("\n3. text()");
    let mut text = client.chat().stream(request).await?.text();
    let mut pieces = 0;
    while let Some(piece) = text.next().await {
        piece?;
        pieces += 1;
    }
    println!("   {pieces} text pieces");
    Ok(out)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    venice_testing::run_example(async |client| run(client).await).await
}
