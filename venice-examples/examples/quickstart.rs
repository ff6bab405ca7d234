//! Quickstart: list models, ask a question, stream an answer, generate an image
//! and read the rate limits and balances Venice sends with every response.
//!
//! ```sh
//! cargo run --example quickstart                      # offline Venice, no key needed
//! VENICE_API_KEY=... cargo run --example quickstart   # the real API
//! cargo run --example quickstart -- --out cat.png     # where to write the image
//! ```

use std::io::Write as _;
use std::path::{Path, PathBuf};

use venice_sdk::types::{ChatCompletionRequest, GenerateImageRequest};
use venice_sdk::{Client, Message, ResponseMeta};

/// Any error of the example.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Runs the quickstart against `client`, writing the generated image to `out`.
pub async fn run(client: &Client, out: &Path) -> Result<(), BoxError> {
    // 1. Models: the list, and the model behind the `default` trait.
    println!("1. Listing text models");
    let models = client.models().list(None).await?;
    let ids: Vec<&str> = models.data.iter().map(|m| m.id.as_str()).collect();
    println!("   {} models: {}", ids.len(), ids.join(", "));
    let traits = client.models().traits("text").await?;
    let model = traits
        .data
        .get("default")
        .cloned()
        .unwrap_or_else(|| "llama-3.3-70b".to_owned());
    println!("   the default text model is {model}");

    // 2. A chat completion.
    let question = "Why is the sky blue?";
    println!("\n2. Asking {model}: {question}");
    let answer = client
        .chat()
        .create(ChatCompletionRequest::new(
            model.as_str(),
            [Message::user(question)],
        ))
        .await?;
    println!("   {}", answer.text().unwrap_or_default());
    println!(
        "   ({} prompt + {} completion tokens, finish reason {})",
        answer.usage.prompt_tokens,
        answer.usage.completion_tokens,
        answer
            .choices
            .first()
            .map_or("none", |c| c.finish_reason.as_str()),
    );

    // 3. The same, streamed: print each piece as it arrives.
    let prompt = "Write a haiku about Rust's borrow checker.";
    println!("\n3. Streaming from {model}: {prompt}");
    let mut stream = client
        .chat()
        .stream(ChatCompletionRequest::new(
            model.as_str(),
            [Message::user(prompt)],
        ))
        .await?;
    let mut pieces = 0;
    print!("   ");
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        let text = chunk.delta_text();
        if !text.is_empty() {
            pieces += 1;
            print!("{}", text.replace('\n', "\n   "));
            std::io::stdout().flush()?;
        }
    }
    println!("\n   ({pieces} pieces streamed)");

    // 4. An image, written to a PNG file.
    let image_traits = client.models().traits("image").await?;
    let image_model = image_traits
        .data
        .get("default")
        .cloned()
        .unwrap_or_else(|| "venice-sd35".to_owned());
    let prompt = "a lighthouse on a cliff at sunset, oil painting";
    println!("\n4. Generating an image with {image_model}: {prompt}");
    let request = GenerateImageRequest::new(image_model, prompt)?.with_size(1024, 1024)?;
    let png = client.images().generate_bytes(request).await?;
    tokio::fs::write(out, &png[..]).await?;
    println!("   wrote {} bytes to {}", png.len(), out.display());

    // 5. What the last response's headers said.
    println!("\n5. Rate limits and balances (from the last response's headers)");
    print_meta(png.meta());
    Ok(())
}

/// Prints the request id, rate limits and balances of a response.
pub fn print_meta(meta: &ResponseMeta) {
    let show = |v: Option<u64>| v.map_or_else(|| "?".to_owned(), |v| v.to_string());
    let reset = |r: &venice_sdk::RateLimit| {
        r.reset_in()
            .map_or_else(String::new, |d| format!(", resets in {}s", d.as_secs()))
    };
    let limits = &meta.rate_limits;
    println!(
        "   request id:  {}",
        meta.request_id.as_deref().unwrap_or("?")
    );
    println!(
        "   requests:    {} of {} left{}",
        show(limits.requests.remaining),
        show(limits.requests.limit),
        reset(&limits.requests)
    );
    println!(
        "   tokens:      {} of {} left{}",
        show(limits.tokens.remaining),
        show(limits.tokens.limit),
        reset(&limits.tokens)
    );
    let money = |v: Option<f64>| v.map_or_else(|| "?".to_owned(), |v| format!("{v:.4}"));
    println!(
        "   balances:    USD {}, VCU {}, DIEM {}",
        money(meta.balances.usd),
        money(meta.balances.vcu),
        money(meta.balances.diem)
    );
}

/// `--out PATH`, or a file in the temporary directory.
fn out_path() -> PathBuf {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--out" {
            if let Some(path) = args.next() {
                return PathBuf::from(path);
            }
        } else if let Some(path) = arg.strip_prefix("--out=") {
            return PathBuf::from(path);
        }
    }
    std::env::temp_dir().join("venice-quickstart.png")
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let venice = venice_testing::client_from_env_or_offline().await?;
    println!("Using {}\n", venice.describe());
    run(&venice, &out_path()).await
}
