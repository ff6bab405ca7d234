//! Crypto RPC: the supported networks, then one JSON-RPC call and one batch
//! through Venice's proxy (billed per credit; each call carries an
//! `Idempotency-Key`, so a retry is never charged twice).
//!
//! ```sh
//! cargo run --example crypto
//! ```

use serde_json::json;
use venice_sdk::{Client, Error};

/// Lists the networks and asks Base for its chain id and latest block; returns
/// the chain id Base answered.
pub async fn run(client: &Client) -> Result<Option<String>, Error> {
    let networks = client.crypto().networks().await?;
    println!(
        "{} networks: {}",
        networks.networks.len(),
        networks.networks.join(", ")
    );

    // Requests as JSON; answers read as JSON (the generated union's variant
    // names change when upstream adds a member, the JSON does not).
    let request = json!({"jsonrpc": "2.0", "method": "eth_chainId", "params": [], "id": 1});
    let answer = client.crypto().rpc("base-mainnet", &request).await?;
    let credits = answer
        .meta()
        .headers
        .get("x-venice-rpc-credits")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("?")
        .to_owned();
    let answer = serde_json::to_value(&*answer).unwrap_or_default();
    if !answer["error"].is_null() {
        println!("node error: {}", answer["error"]);
    }
    let chain = answer["result"].as_str().map(str::to_owned);
    println!(
        "\nbase-mainnet chain id: {} ({credits} credits)",
        chain.as_deref().unwrap_or("?")
    );

    let batch = json!([
        {"jsonrpc": "2.0", "method": "eth_blockNumber", "params": [], "id": 1},
        {"jsonrpc": "2.0", "method": "net_version", "params": [], "id": 2}
    ]);
    let answers = client.crypto().rpc("base-mainnet", &batch).await?;
    let answers = serde_json::to_value(&*answers).unwrap_or_default();
    for item in answers.as_array().into_iter().flatten() {
        let outcome = if item["result"].is_null() {
            format!("error {}", item["error"])
        } else {
            item["result"].to_string()
        };
        println!("  id {}: {outcome}", item["id"]);
    }
    Ok(chain)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let venice = venice_testing::client_from_env_or_offline().await?;
    println!("Using {}\n", venice.describe());
    run(&venice).await?;
    Ok(())
}
