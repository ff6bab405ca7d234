//! Test helpers and an offline Venice for [`venice_sdk`] users.
//!
//! - [`OfflineVenice`]: a local server (127.0.0.1) that answers every operation of
//!   the API with realistic bodies and Venice's headers: chat (streamed too), tool
//!   calls, web search citations, real PNG images, models, API keys. For examples,
//!   demos and end-to-end tests that run without a network or an API key.
//! - [`client_from_env_or_offline`]: the real API when `VENICE_API_KEY` is set, an
//!   offline Venice otherwise.
//! - [`VeniceMocks`]: typed mocks on an [`httpmock::MockServer`] for your own
//!   tests: `server.mock_models(&response)`, `server.mock_chat_stream(&chunks)`,
//!   `server.mock_error(POST, "/chat/completions", 429, "Rate limit exceeded")`.
//! - [`fixtures`]: ready-made completions, stream chunks, SSE bodies, PNGs, the
//!   spec's examples and Venice's headers.
//!
//! ```
//! use venice_sdk::{Message, types::ChatCompletionRequest};
//! use venice_testing::OfflineVenice;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
//! let venice = OfflineVenice::start().await;
//! let client = venice.client();
//! let request = ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Why is the sky blue?")]);
//! let answer = client.chat().create(request).await?;
//! assert!(answer.text().unwrap_or_default().contains("Rayleigh scattering"));
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod connection;
pub mod fixtures;
mod mocks;
mod offline;
mod png;
mod util;

// generated mocks: see mod generated (added by cargo xtask regen)

pub use connection::{Connection, client_from_env_or_offline};
pub use mocks::{MOCK_API_KEY, VeniceMocks};
pub use offline::{API_PREFIX, OFFLINE_API_KEY, OfflineVenice};

/// The httpmock version the helpers use, so tests need no separate dependency:
/// `use venice_testing::httpmock::{MockServer, Method::POST};`.
pub use httpmock;
