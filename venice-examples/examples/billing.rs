//! Billing: the account's balance and where the money went over the last 30
//! days, by day, by model and by API key.
//!
//! ```sh
//! cargo run --example billing
//! ```

use venice_sdk::{Client, Error, UsagePeriod};

/// Prints the balance and the usage of the last 30 days; returns the USD spent.
pub async fn run(client: &Client) -> Result<f64, Error> {
    let balance = client.billing().balance().await?;
    println!(
        "Balance: USD {}, DIEM {} of {} this epoch; paying in {}; can consume: {}",
        balance
            .balances
            .usd
            .map_or("-".into(), |v| format!("{v:.2}")),
        balance
            .balances
            .diem
            .map_or("-".into(), |v| format!("{v:.2}")),
        balance.diem_epoch_allocation,
        balance.consumption_currency.as_deref().unwrap_or("?"),
        balance.can_consume,
    );

    let usage = client
        .billing()
        .usage_analytics(&UsagePeriod::days(30))
        .await?;
    let spent: f64 = usage.by_date.iter().map(|day| day.usd).sum();
    println!("\nUsage over {}: USD {spent:.2}", usage.lookback);
    for model in &usage.by_model {
        println!(
            "  {:<20} USD {:>8.4}  {:>10} {}",
            model.model_name, model.total_usd, model.total_units, model.unit_type
        );
    }
    println!("By key:");
    for key in &usage.by_key {
        println!("  {:<20} USD {:>8.4}", key.description, key.total_usd);
    }
    Ok(spent)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let venice = venice_testing::client_from_env_or_offline().await?;
    println!("Using {}\n", venice.describe());
    run(&venice).await?;
    Ok(())
}
