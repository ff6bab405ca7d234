//! A client for the real API when `VENICE_API_KEY` is set, for an offline Venice
//! otherwise: what examples and demos start with.

use std::fmt;
use std::ops::Deref;

use venice_sdk::defaults::DEFAULT_BASE_URL;
use venice_sdk::{Client, ClientBuilder, Secret};

use crate::{OFFLINE_API_KEY, OfflineVenice};

/// A [`Client`] and where it sends requests: api.venice.ai, or an
/// [`OfflineVenice`] that lives as long as this value.
///
/// Derefs to the client: `connection.chat().create(..)`.
pub struct Connection {
    client: Client,
    api_key: Secret,
    base_url: String,
    offline: Option<OfflineVenice>,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("base_url", &self.base_url)
            .field("offline", &self.offline.is_some())
            .finish_non_exhaustive()
    }
}

/// A client from the environment if `VENICE_API_KEY` is set (and not empty):
/// [`Client::from_env`], which also reads `VENICE_BASE_URL`. Otherwise an
/// [`OfflineVenice`] is started and the client points at it.
///
/// The error is the one [`Client::from_env`] gives for an unusable key or URL.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// let venice = venice_testing::client_from_env_or_offline().await?;
/// println!("talking to {}", venice.describe());
/// let models = venice.models().list(None).await?;
/// # Ok(())
/// # }
/// ```
pub async fn client_from_env_or_offline() -> Result<Connection, venice_sdk::Error> {
    match std::env::var("VENICE_API_KEY") {
        Ok(key) if !key.is_empty() => {
            let client = Client::from_env()?;
            Ok(Connection {
                base_url: client.base_url().to_owned(),
                client,
                api_key: Secret::new(key),
                offline: None,
            })
        }
        _ => Ok(Connection::offline(OfflineVenice::start().await)),
    }
}

/// The error type of the examples' `main`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Runs an example's body: connects with [`client_from_env_or_offline`], says
/// which Venice it talks to, and runs `body` with the client.
///
/// ```no_run
/// # type BoxError = venice_testing::BoxError;
/// async fn run(client: &venice_sdk::Client) -> Result<usize, BoxError> {
///     Ok(client.models().list(None).await?.data.len())
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<(), BoxError> {
///     venice_testing::run_example(async |client| run(client).await).await
/// }
/// ```
pub async fn run_example<T>(
    body: impl AsyncFnOnce(&Client) -> Result<T, BoxError>,
) -> Result<(), BoxError> {
    let venice = client_from_env_or_offline().await?;
    println!("Using {}\n", venice.describe());
    body(venice.client()).await?;
    Ok(())
}

impl Connection {
    /// A connection to an offline Venice, which it keeps alive.
    pub fn offline(venice: OfflineVenice) -> Connection {
        Connection {
            client: venice.client(),
            api_key: Secret::new(OFFLINE_API_KEY),
            base_url: venice.base_url(),
            offline: Some(venice),
        }
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A builder with the same API key and base URL, to make a client with other
    /// options (timeouts, a custom `reqwest::Client`).
    pub fn builder(&self) -> ClientBuilder {
        Client::builder()
            .api_key(self.api_key.clone())
            .base_url(self.base_url.clone())
    }

    /// Whether requests go to an offline Venice.
    pub fn is_offline(&self) -> bool {
        self.offline.is_some()
    }

    /// The offline Venice, if this connection uses one.
    pub fn offline_venice(&self) -> Option<&OfflineVenice> {
        self.offline.as_ref()
    }

    /// One line saying where requests go, for the start of a demo's output.
    pub fn describe(&self) -> String {
        if self.is_offline() {
            format!(
                "the offline Venice at {} (VENICE_API_KEY is not set; set it to use the real API)",
                self.base_url
            )
        } else if self.base_url == DEFAULT_BASE_URL {
            format!("api.venice.ai ({}) with VENICE_API_KEY", self.base_url)
        } else {
            format!("{} with VENICE_API_KEY", self.base_url)
        }
    }
}

impl Deref for Connection {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}
