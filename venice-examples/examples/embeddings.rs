//! Embeddings: embed a few documents and a query in one request, then rank the
//! documents by cosine similarity to the query (a tiny semantic search).
//!
//! ```sh
//! cargo run --example embeddings -- "where did the cat sit?"
//! ```

use venice_sdk::Client;
use venice_sdk::types::CreateEmbeddingRequestSchema;

/// Any error of the example.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The embedding model this example uses.
pub const MODEL: &str = "text-embedding-bge-m3";

/// The documents searched.
pub const DOCUMENTS: [&str; 4] = [
    "The cat sat on the mat by the window",
    "Quarterly revenue grew by nine percent",
    "Gondolas glide along the Grand Canal in Venice",
    "Rayleigh scattering makes the sky blue",
];

/// Cosine similarity of two vectors (0 when either is all zeros).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let norms = norm(a) * norm(b);
    if norms == 0.0 { 0.0 } else { dot / norms }
}

/// Prints the documents ranked by similarity to `query`, and returns them
/// that way: best first, each with its score.
pub async fn run(client: &Client, query: &str) -> Result<Vec<(&'static str, f32)>, BoxError> {
    // One request: the query first, then every document (base64 on the wire,
    // a quarter of the bytes; the SDK decodes it to the same f32s).
    let mut inputs = vec![query];
    inputs.extend(DOCUMENTS);
    let answer = client
        .embeddings()
        .create(CreateEmbeddingRequestSchema::new(MODEL, inputs).with_base64())
        .await?;
    let mut vectors = answer.vectors();
    let query_vector = vectors.next().ok_or("no vector for the query")?;
    println!(
        "{} vectors of {} values from {}{}",
        answer.data.len(),
        query_vector.len(),
        answer.model,
        answer
            .usage
            .as_ref()
            .map_or_else(String::new, |u| format!(" ({} tokens)", u.total_tokens)),
    );
    let mut ranked: Vec<(&'static str, f32)> = DOCUMENTS
        .into_iter()
        .zip(vectors)
        .map(|(doc, v)| (doc, cosine(query_vector, v)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!("\nclosest to {query:?}:");
    for (doc, score) in &ranked {
        println!("  {score:>6.3}  {doc}");
    }
    Ok(ranked)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let query = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "where did the cat sit?".to_owned());
    venice_testing::run_example(async |client| run(client, &query).await).await
}
