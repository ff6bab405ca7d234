//! API key management: list the keys, read the rate limits and balances, create
//! a key, and delete it again. Against the real API this needs an ADMIN key.
//!
//! ```sh
//! cargo run --example api_keys
//! ```

use venice_sdk::types::{self, CreateApiKeyBody};
use venice_sdk::{ApiErrorKind, Client, Error};

/// Any error of the example.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A request type from the JSON Venice reads (it survives upstream reshaping
/// the type: a field turning optional, an enum turning into a string).
fn key_request<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> Result<T, Error> {
    serde_json::from_value(json).map_err(|e| Error::Config(format!("API key request: {e}")))
}

/// Lists, creates and deletes a key; returns whether the key was created and
/// deleted (false if this API key may not manage keys).
pub async fn run(client: &Client) -> Result<bool, BoxError> {
    let keys = match client.api_keys().list().await {
        Ok(keys) => keys,
        Err(Error::Api(api))
            if matches!(
                api.kind,
                ApiErrorKind::Unauthorized | ApiErrorKind::Forbidden
            ) =>
        {
            println!(
                "This API key may not manage keys ({}): use an ADMIN key.",
                api.message
            );
            return Ok(false);
        }
        Err(e) => return Err(e.into()),
    };
    print_keys(&keys);

    let limits = client.api_keys().rate_limits().await?;
    let data = &limits.data;
    println!(
        "\nTier {} (charged: {}), access permitted: {}",
        data.api_tier.id, data.api_tier.is_charged, data.access_permitted
    );
    println!(
        "Balances: USD {:?}, DIEM {:?}",
        data.balances.usd, data.balances.diem
    );
    for model in data.rate_limits.iter().take(3) {
        let limits: Vec<String> = model
            .rate_limits
            .iter()
            .map(|l| format!("{} {}", l.amount, l.type_))
            .collect();
        println!(
            "  {:<16} {}",
            model.api_model_id.as_deref().unwrap_or("(all)"),
            limits.join(", ")
        );
    }

    let body: CreateApiKeyBody = key_request(serde_json::json!({
        "apiKeyType": "INFERENCE",
        "description": "venice-rs example key (safe to delete)",
    }))?;
    let created = client.api_keys().create(body).await?;
    let key = &created.data;
    // The key is a Secret: Debug output redacts it; expose() reads it.
    println!(
        "\nCreated key {} ({}): {:?}",
        key.id, key.api_key_type, key.api_key
    );
    println!(
        "  it starts with {}… (store it now: it is shown only once)",
        key.api_key.expose().chars().take(8).collect::<String>()
    );

    let deleted = client.api_keys().delete(key.id.clone()).await?;
    println!("Deleted it: success = {}", deleted.success);
    let after = client.api_keys().list().await?;
    println!("{} key(s) left", after.data.len());
    Ok(deleted.success)
}

fn print_keys(keys: &types::GetApiKeysResponse) {
    println!("{} key(s):", keys.data.len());
    for k in &keys.data {
        let usage = k
            .usage
            .as_ref()
            .map(|u| format!("{} USD in 7 days", u.trailing_seven_days.usd))
            .unwrap_or_default();
        println!(
            "  …{}  {:<9} {:<40} {}",
            k.last6_chars,
            k.api_key_type,
            k.description.as_deref().unwrap_or(""),
            usage
        );
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    venice_testing::run_example(async |client| run(client).await).await
}
