//! A custom `reqwest::Client` (proxies, TLS roots, pools, keep-alive) and the
//! SDK's own limits: request timeout, stream idle timeout, response size,
//! retries; and a shorter timeout for one call.
//!
//! ```sh
//! cargo run --example custom_http
//! ```

use std::time::Duration;

use venice_sdk::ClientBuilder;

/// Any error of the example.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Builds a client on `builder` (which has the API key and base URL) with a
/// custom HTTP client and limits, and makes two calls with it.
pub async fn run(builder: ClientBuilder) -> Result<(), BoxError> {
    // Connection-level settings belong to the reqwest client, which must not
    // follow redirects (it would carry credentials to the redirect target)...
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .pool_idle_timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(4)
        .tcp_keepalive(Duration::from_secs(60))
        .build()?;
    // ...the SDK's limits to its builder.
    let client = builder
        .http_client(http)
        .http_client_follows_no_redirects()
        .timeout(Duration::from_secs(60))
        .stream_idle_timeout(Duration::from_secs(30))
        .max_response_size(32 * 1024 * 1024)
        .max_retries(3)
        .retry_backoff(Duration::from_millis(250), Duration::from_secs(4))
        .build()?;
    println!("client: {client:?}");

    let models = client.models().list(None).await?;
    println!("\n{} models listed", models.data.len());

    // One call with a tighter limit and no retries; the client is unchanged.
    let quick = client
        .with_timeout(Duration::from_secs(5))?
        .with_max_retries(0);
    let styles = quick.images().styles().await?;
    println!(
        "{} image styles listed with a 5 s timeout",
        styles.data.len()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let venice = venice_testing::client_from_env_or_offline().await?;
    println!("Using {}\n", venice.describe());
    run(venice.builder()).await
}
