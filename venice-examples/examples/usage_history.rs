//! Usage history: every entry of June 2026 as a stream (fetched a page at a
//! time as the loop pulls), totalled by currency and SKU, then the same month
//! exported as one CSV file (a header row, then every page's rows).
//!
//! Runs against the offline Venice unless `VENICE_API_KEY` is set:
//!
//! ```sh
//! cargo run --example usage_history                      # offline
//! VENICE_API_KEY=... cargo run --example usage_history   # api.venice.ai
//! cargo run --example usage_history -- --out usage.csv   # where the CSV goes
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use venice_sdk::{Client, Error, Paging, UsageHistoryQuery};

/// What [`run`] found.
#[derive(Debug)]
pub struct Summary {
    /// How many entries the stream yielded.
    pub entries: u64,
    /// The amount charged by currency (negative: spent).
    pub by_currency: BTreeMap<String, f64>,
    /// How many pages the CSV export took.
    pub csv_pages: u64,
    /// The CSV file's size in bytes.
    pub csv_bytes: u64,
}

/// Streams June 2026's usage, then writes it as CSV to `csv_path`.
pub async fn run(client: &Client, csv_path: &Path) -> Result<Summary, Error> {
    let june = UsageHistoryQuery::new()
        .start("2026-06-01T00:00:00Z")
        .end("2026-07-01T00:00:00Z");

    // At most 10 000 entries, 100 a request: a page is fetched only when the
    // loop has used the previous one.
    let paging = Paging::default().page_size(100).max_items(10_000);
    let mut entries = client.billing().usage_history_all(&june, paging);
    let mut summary = Summary {
        entries: 0,
        by_currency: BTreeMap::new(),
        csv_pages: 0,
        csv_bytes: 0,
    };
    let mut by_sku: BTreeMap<String, f64> = BTreeMap::new();
    while let Some(entry) = entries.next().await {
        let entry = entry?;
        summary.entries += 1;
        *summary
            .by_currency
            .entry(entry.currency.to_string())
            .or_default() += entry.amount;
        *by_sku.entry(entry.sku.to_string()).or_default() += entry.units;
    }
    println!("June 2026: {} entries", summary.entries);
    for (currency, amount) in &summary.by_currency {
        println!("  {currency:<16} {amount:>12.6}");
    }
    for (sku, units) in &by_sku {
        println!("  {sku:<40} {units:>12.6} units");
    }

    // The same month as one CSV file, 1000 rows a request.
    let mut file = tokio::fs::File::create(csv_path)
        .await
        .map_err(|source| Error::Io {
            path: csv_path.to_owned(),
            source,
        })?;
    let export = client
        .billing()
        .usage_history_csv_all(&june, Paging::default().page_size(1000), &mut file)
        .await?;
    summary.csv_pages = export.pages;
    summary.csv_bytes = export.written;
    println!(
        "\nWrote {} ({} bytes in {} page(s))",
        csv_path.display(),
        export.written,
        export.pages
    );
    Ok(summary)
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
    std::env::temp_dir().join("venice-usage-history.csv")
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let venice = venice_testing::client_from_env_or_offline().await?;
    println!("Using {}\n", venice.describe());
    run(&venice, &out_path()).await?;
    Ok(())
}
