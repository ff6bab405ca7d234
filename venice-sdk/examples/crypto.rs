//! Crypto RPC: the supported networks, then one JSON-RPC call and one batch
//! through Venice's proxy (billed per credit; each call carries an
//! `Idempotency-Key`, so a retry is never charged twice).
//!
//! ```sh
//! cargo run --example crypto
//! ```

use venice_sdk::types::{
    CryptoRpcProxyBody, CryptoRpcProxyBodyArrayItem, CryptoRpcProxyBodyArrayItemId,
    CryptoRpcProxyResponse,
};
use venice_sdk::{Client, Error};

/// Lists the networks and asks Base for its chain id and latest block; returns
/// the chain id Base answered.
pub async fn run(client: &Client) -> Result<Option<String>, Error> {
    let networks = client.crypto().networks().await?;
    println!("{} networks: {}", networks.networks.len(), networks.networks.join(", "));

    let chain_id = client
        .crypto()
        .rpc(
            "base-mainnet",
            &CryptoRpcProxyBody::object_from_required("eth_chainId".into()),
        )
        .await?;
    let chain = match &*chain_id {
        CryptoRpcProxyResponse::Object { result, error, .. } => {
            if let Some(error) = error {
                println!("node error: {:?}", error.message);
            }
            result.as_ref().and_then(|r| r.as_str()).map(str::to_owned)
        }
        #[allow(unreachable_patterns)]
        _ => None,
    };
    println!(
        "\nbase-mainnet chain id: {} ({} credits)",
        chain.as_deref().unwrap_or("?"),
        chain_id
            .meta()
            .headers
            .get("x-venice-rpc-credits")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("?")
    );

    let calls: Vec<CryptoRpcProxyBodyArrayItem> = ["eth_blockNumber", "net_version"]
        .iter()
        .zip(1..)
        .map(|(method, id)| {
            let mut call = CryptoRpcProxyBodyArrayItem::from_required((*method).into());
            call.id = Some(CryptoRpcProxyBodyArrayItemId::Integer(id));
            call
        })
        .collect();
    let batch = client
        .crypto()
        .rpc("base-mainnet", &CryptoRpcProxyBody::from(calls))
        .await?;
    if let CryptoRpcProxyResponse::Array(items) = &*batch {
        for item in items {
            println!(
                "  id {:?}: {}",
                item.id.as_ref().map(ToString::to_string),
                item.result
                    .as_ref()
                    .map_or_else(|| format!("error {:?}", item.error), ToString::to_string)
            );
        }
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
