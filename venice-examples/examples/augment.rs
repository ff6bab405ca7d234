//! Augment tools: search the web, scrape a page to Markdown, extract the text
//! of a document.
//!
//! ```sh
//! cargo run --example augment -- notes.pdf     # default: a small text file
//! ```

use std::path::{Path, PathBuf};

use venice_sdk::JsonOrText;
use venice_sdk::types::{WebScrapeRequest, WebSearchRequest};
use venice_sdk::{Client, Error};

/// A request type from the JSON Venice reads (it survives upstream reshaping
/// the type: a field turning optional, an enum turning into a string).
fn augment_request<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> Result<T, Error> {
    serde_json::from_value(json).map_err(|e| Error::Config(format!("augment request: {e}")))
}

/// Searches, scrapes the first result's site and parses `document`.
pub async fn run(client: &Client, document: &Path) -> Result<(), Error> {
    let search: WebSearchRequest = augment_request(serde_json::json!({
        "query": "history of the Venice lagoon",
        "limit": 3,
    }))?;
    let found = client.augment().search(search).await?;
    println!("search \"{}\":", found.query);
    for result in &found.results {
        println!("  {} <{}> {}", result.title, result.url, result.date);
    }

    let page = client
        .augment()
        .scrape(augment_request::<WebScrapeRequest>(serde_json::json!({
            "url": "https://example.com",
        }))?)
        .await?;
    let first_line = page.content.lines().next().unwrap_or_default();
    println!(
        "\nscraped {} ({} characters of {}): {first_line}",
        page.url,
        page.content.len(),
        page.format
    );

    // A path is streamed from disk when the request is sent.
    match client
        .augment()
        .parse_text(document, None)
        .await?
        .into_inner()
    {
        JsonOrText::Json(parsed) => println!(
            "\n{}: {} tokens\n{}",
            document.display(),
            parsed.tokens,
            parsed.text
        ),
        JsonOrText::Text(text) => println!("\n{}:\n{text}", document.display()),
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let venice = venice_testing::client_from_env_or_offline().await?;
    println!("Using {}\n", venice.describe());
    let document = match std::env::args().nth(1) {
        Some(path) => PathBuf::from(path),
        None => {
            let path = std::env::temp_dir().join("venice-augment-notes.txt");
            tokio::fs::write(&path, "Venice is built on 118 small islands.\n").await?;
            path
        }
    };
    run(&venice, &document).await?;
    Ok(())
}
