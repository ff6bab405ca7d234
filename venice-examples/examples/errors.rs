//! Error handling: every kind of failure is one `venice_sdk::Error`; match on its
//! variants, or ask it the usual questions (`status()`, `request_id()`,
//! `is_retryable()`, `api()`).
//!
//! ```sh
//! cargo run --example errors
//! ```

use std::time::Duration;

use venice_sdk::types::{ChatCompletionRequest, GenerateImageRequest};
use venice_sdk::{ApiErrorKind, Client, Error, ImageInput, Message, TimeoutKind};

/// Any error of the example.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What to do about an error, by variant.
pub fn explain(err: &Error) -> String {
    match err {
        Error::Api(api) => {
            let advice = match api.kind {
                ApiErrorKind::Unauthorized => "check VENICE_API_KEY",
                ApiErrorKind::InsufficientBalance => "top up the account",
                ApiErrorKind::RateLimited | ApiErrorKind::ModelOverloaded => {
                    "wait and retry (the client already retried)"
                }
                ApiErrorKind::NotFound => "check the model id (see the models example)",
                ApiErrorKind::BadRequest => "fix the request (see `details`)",
                _ => "see the message",
            };
            format!(
                "API error {} ({:?}) from {}: {} -> {advice}",
                api.status, api.kind, api.operation, api.message
            )
        }
        Error::Timeout {
            limit,
            after,
            operation,
            ..
        } => {
            let which = match limit {
                TimeoutKind::Connect => "connecting",
                TimeoutKind::Request => "the whole request",
                TimeoutKind::Idle => "waiting for the next stream chunk",
                _ => "a time limit",
            };
            format!("{operation}: gave up on {which} after {after:?}")
        }
        Error::Connection { message, .. } => format!("no connection: {message}"),
        Error::InvalidRequest { field, message } => {
            format!("not sent, `{field}` {message}")
        }
        Error::Config(message) => format!("misconfigured client: {message}"),
        Error::Io { path, source } => format!("cannot read {}: {source}", path.display()),
        Error::Decode(decode) => format!(
            "unexpected answer from {} ({:?}): {}",
            decode.operation, decode.content_type, decode.message
        ),
        Error::Stream(stream) => format!("the stream failed: {}", stream.kind),
        Error::BodyTooLarge { limit, .. } => format!("answer larger than {limit} bytes"),
        other => format!("other error: {other}"),
    }
}

fn show(step: &str, err: &Error) {
    println!("{step}");
    println!("   {}", explain(err));
    println!(
        "   status {:?}, request id {:?}, retryable {}",
        err.status().map(|s| s.as_u16()),
        err.request_id(),
        err.is_retryable()
    );
}

/// Provokes one error of each common kind; returns how many were seen.
pub async fn run(client: &Client) -> Result<usize, BoxError> {
    let mut seen = 0;

    // 1. Refused before sending: the request breaks a rule of the spec.
    let empty = ChatCompletionRequest::new("llama-3.3-70b", []);
    if let Err(err) = client.chat().create(empty).await {
        show("1. A chat request without messages", &err);
        seen += 1;
    }
    if let Err(err) = GenerateImageRequest::new("venice-sd35", "") {
        show("2. An image request with an empty prompt", &err);
        seen += 1;
    }

    // 3. The API says no: a model that does not exist.
    let request = ChatCompletionRequest::new("no-such-model", [Message::user("hi")]);
    match client.chat().create(request).await {
        Err(err) => {
            show("3. An unknown model", &err);
            if let Some(api) = err.api() {
                // The metadata of the error response: headers, rate limits.
                println!(
                    "   requests left after it: {:?}",
                    api.meta.rate_limits.requests.remaining
                );
            }
            seen += 1;
        }
        Ok(answer) => println!("3. The API accepted an unknown model: {:?}", answer.text()),
    }

    // 4. No API key (listing models works without one; key management does not).
    let anonymous = Client::builder().base_url(client.base_url()).build()?;
    if let Err(err) = anonymous.api_keys().rate_limits().await {
        show("4. A client without an API key", &err);
        seen += 1;
    }

    // 5. A file that is not there.
    let missing = std::env::temp_dir().join("venice-example-no-such-file.png");
    if let Err(err) = client
        .images()
        .upscale(ImageInput::path(&missing), 2.0)
        .await
    {
        show("5. Upscaling a missing file", &err);
        seen += 1;
    }

    // 6. Nothing listening: a connection error (retries off to fail at once).
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.local_addr()?.port()
    };
    let nowhere = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .api_key("vk-example")
        .connect_timeout(Duration::from_secs(2))
        .max_retries(0)
        .build()?;
    if let Err(err) = nowhere.models().list(None).await {
        show("6. A server that is not there", &err);
        seen += 1;
    }

    // 7. A configuration mistake.
    if let Err(err) = Client::builder().base_url("api.venice.ai").build() {
        show("7. A base URL without a scheme", &err);
        seen += 1;
    }
    Ok(seen)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let venice = venice_testing::client_from_env_or_offline().await?;
    println!("Using {}\n", venice.describe());
    let seen = run(&venice).await?;
    println!("\n{seen} errors handled");
    Ok(())
}
