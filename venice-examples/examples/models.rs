//! Models: what is available, what each can do, the traits (`default`,
//! `fastest`, …) and the OpenAI names Venice accepts.
//!
//! ```sh
//! cargo run --example models
//! ```

use venice_sdk::Client;

/// Any error of the example.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Prints the catalog; returns how many models there are of any type.
pub async fn run(client: &Client) -> Result<usize, BoxError> {
    let text = client.models().list("text").await?;
    println!("Text models:");
    println!("  {:<22} {:>9}  capabilities", "id", "context");
    for model in &text.data {
        let spec = &model.model_spec;
        let mut caps = Vec::new();
        if let Some(c) = &spec.capabilities {
            if c.supports_function_calling {
                caps.push("tools");
            }
            if c.supports_web_search {
                caps.push("web search");
            }
            if c.supports_response_schema {
                caps.push("json schema");
            }
        }
        let context = spec
            .available_context_tokens
            .map_or_else(|| "?".to_owned(), |t| format!("{t:.0}"));
        println!(
            "  {:<22} {:>9}  {}{}",
            model.id,
            context,
            caps.join(", "),
            if spec.traits.is_empty() {
                String::new()
            } else {
                format!("  [{}]", spec.traits.join(", "))
            }
        );
    }

    let images = client.models().list("image").await?;
    let ids: Vec<&str> = images.data.iter().map(|m| m.id.as_str()).collect();
    println!("\nImage models: {}", ids.join(", "));

    for (name, kind) in [("text", "text"), ("image", "image")] {
        let traits = client.models().traits(kind).await?;
        let mut pairs: Vec<_> = traits.data.iter().collect();
        pairs.sort();
        println!("\nTraits of {name} models:");
        for (t, model) in pairs {
            println!("  {t:<26} -> {model}");
        }
    }

    let mapping = client.models().compatibility_mapping("text").await?;
    let mut pairs: Vec<_> = mapping.data.iter().collect();
    pairs.sort();
    println!("\nOpenAI names accepted as `model`:");
    for (openai, venice) in pairs {
        println!("  {openai:<26} -> {venice}");
    }

    let all = client.models().list("all").await?;
    println!("\n{} models in all", all.data.len());
    Ok(all.data.len())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    venice_testing::run_example(async |client| run(client).await).await
}
