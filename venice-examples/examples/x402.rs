//! x402 wallet credits: what a top-up must pay, a top-up, then the wallet's
//! balance and ledger. The SDK signs nothing: the Sign-In-With-X token (sent
//! as `SIGN-IN-WITH-X`) and the payment signature (sent as
//! `PAYMENT-SIGNATURE`) come from your wallet tooling.
//!
//! ```sh
//! cargo run --example x402
//! ```
//!
//! Against the real API set `VENICE_WALLET_ADDRESS` and `VENICE_SIWX_TOKEN`
//! (and `VENICE_PAYMENT_SIGNATURE` to top up); without them only the payment
//! requirements are shown. Without `VENICE_API_KEY` an offline Venice plays a
//! wallet that tops up $10.

use venice_sdk::{Client, Error};
use venice_testing::OfflineVenice;

/// Shows the requirements; with a wallet, tops up (when given a payment) and
/// shows the balance and last transactions. Returns the wallet's balance.
pub async fn run(
    client: &Client,
    wallet: Option<&str>,
    payment_signature: Option<String>,
) -> Result<Option<f64>, Error> {
    let requirements = client.x402().requirements().await?;
    println!(
        "Top-up requirements (x402 version {}):",
        requirements
            .x402_version
            .as_ref()
            .map_or("?".into(), ToString::to_string)
    );
    for option in requirements.payment_requirements() {
        let shown = |v: Option<String>| v.unwrap_or_else(|| "?".into());
        println!(
            "  {} {} on {}: at least {} base units to {}, settled within {} s",
            shown(option.scheme),
            shown(option.asset),
            shown(option.network),
            shown(option.amount),
            shown(option.pay_to),
            option
                .max_timeout_seconds
                .map_or("?".into(), |s| s.to_string())
        );
    }

    let Some(wallet) = wallet else {
        println!("\nNo wallet: set VENICE_WALLET_ADDRESS and VENICE_SIWX_TOKEN to see one.");
        return Ok(None);
    };
    if let Some(signature) = payment_signature {
        let topped = client.x402().top_up(signature).await?;
        println!(
            "\nCredited USD {:.2} to {} (payment {}); balance USD {:.2}",
            topped.data.amount_credited,
            topped.data.wallet_address,
            topped.data.payment_id,
            topped.data.new_balance
        );
        if let Some(settlement) = topped.payment_response() {
            println!(
                "Settled on {}: transaction {}",
                settlement.network.as_deref().unwrap_or("?"),
                settlement.transaction.as_deref().unwrap_or("?")
            );
        }
    }
    let balance = client.x402().balance(wallet).await?;
    println!(
        "\nBalance: USD {:.2} (can consume: {}; minimum top-up USD {})",
        balance.data.balance_usd, balance.data.can_consume, balance.data.minimum_top_up_usd
    );
    let ledger = client.x402().transactions(wallet, Some(10), None).await?;
    for entry in &ledger.data.transactions {
        println!(
            "  {}  {:<8} {:>+8.2}  balance {:.2}",
            entry.created_at, entry.type_, entry.amount, entry.balance_after
        );
    }
    Ok(Some(balance.data.balance_usd))
}

/// The example's wallet when it plays against the offline Venice.
pub const OFFLINE_WALLET: &str = "0x1111111111111111111111111111111111111111";

#[tokio::main]
async fn main() -> Result<(), Error> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if env("VENICE_API_KEY").is_some() {
        let wallet = env("VENICE_WALLET_ADDRESS");
        let mut builder = Client::builder();
        if let Some(token) = env("VENICE_SIWX_TOKEN") {
            builder = builder.sign_in_with_x(token);
        }
        if let Some(url) = env("VENICE_BASE_URL") {
            builder = builder.base_url(url);
        }
        let client = builder.build()?;
        println!("Using api.venice.ai\n");
        run(&client, wallet.as_deref(), env("VENICE_PAYMENT_SIGNATURE")).await?;
    } else {
        let venice = OfflineVenice::start().await;
        let client = venice
            .client_builder()
            .sign_in_with_x(OfflineVenice::wallet_token(OFFLINE_WALLET))
            .build()?;
        println!("Using the offline Venice at {}\n", venice.base_url());
        let payment = OfflineVenice::payment_signature(OFFLINE_WALLET, 10.0);
        run(&client, Some(OFFLINE_WALLET), Some(payment)).await?;
    }
    Ok(())
}
