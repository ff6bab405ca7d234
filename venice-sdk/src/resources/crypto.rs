//! Crypto RPC: `client.crypto()`, a JSON-RPC proxy to blockchain nodes, billed
//! per credit.

use crate::transport::Call;
use crate::{Client, Error, Response, operations, types};

impl Client {
    /// Crypto RPC: the supported networks and the JSON-RPC proxy.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let crypto = client.crypto();
    /// let networks = crypto.networks().await?;
    /// println!("{}", networks.networks.join(", "));
    /// # Ok(()) }
    /// ```
    pub fn crypto(&self) -> Crypto<'_> {
        Crypto { client: self }
    }
}

/// Crypto RPC: `client.crypto()`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let request = serde_json::json!({"jsonrpc": "2.0", "method": "eth_blockNumber", "params": [], "id": 1});
/// let answer = client.crypto().rpc("base-mainnet", &request).await?;
/// println!("{}", serde_json::to_value(&*answer).unwrap_or_default()["result"]);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Crypto<'a> {
    pub(crate) client: &'a Client,
}

impl Crypto<'_> {
    /// The network slugs [`rpc`](Self::rpc) accepts (`ethereum-mainnet`,
    /// `base-sepolia`, …), sorted. Public: no credential is sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let networks = client.crypto().networks().await?;
    /// if networks.networks.iter().any(|n| n == "base-mainnet") {
    ///     println!("Base is supported");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn networks(&self) -> Result<Response<types::ListCryptoRpcNetworksResponse>, Error> {
        Call::new(&operations::LIST_CRYPTO_RPC_NETWORKS)
            .json(self.client.config())
            .await
    }

    /// Sends one JSON-RPC request, or a batch of up to 100, to a node of
    /// `network` (a slug of [`networks`](Self::networks)) and returns its
    /// answer. Authenticated by the API key, else by the client's wallet token.
    ///
    /// Each call carries a generated `Idempotency-Key`, the same for all its
    /// attempts, so a retry after a lost answer is replayed from Venice's cache
    /// (`Idempotent-Replayed: true` in [`meta`](Response::meta)`().headers`)
    /// instead of being charged again.
    ///
    /// A JSON-RPC error of the node is an `Ok` answer whose `error` is set (HTTP
    /// 200); an unknown network or an unsupported method is
    /// [`ApiErrorKind::BadRequest`](crate::ApiErrorKind::BadRequest); no balance
    /// left is [`ApiErrorKind::InsufficientBalance`](crate::ApiErrorKind::InsufficientBalance)
    /// (for a wallet, with its top-up requirements in
    /// [`ApiError::body_fields`](crate::ApiError::body_fields)).
    ///
    /// `request` is any JSON-RPC request or batch that serializes: a
    /// [`types::CryptoRpcProxyBody`], a `serde_json::json!` value, or a type of
    /// your own (a batch over 100 requests is the server's
    /// [`ApiErrorKind::BadRequest`](crate::ApiErrorKind::BadRequest)). The answer's variants are named by the generator (a member
    /// added upstream renames them): read it through `serde_json::to_value` when
    /// the code must outlive such changes.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let client = &client;
    /// let request = serde_json::json!({"jsonrpc": "2.0", "method": "eth_chainId", "params": [], "id": 1});
    /// let answer = client.crypto().rpc("base-mainnet", &request).await?;
    /// let answer = serde_json::to_value(&*answer).unwrap_or_default();
    /// assert_eq!(answer["result"], "0x2105");
    /// # Ok(()) }
    /// ```
    pub async fn rpc<B: serde::Serialize + ?Sized>(
        &self,
        network: &str,
        request: &B,
    ) -> Result<Response<types::CryptoRpcProxyResponse>, Error> {
        Call::new(&operations::CRYPTO_RPC_PROXY)
            .path("network", network)
            .body(request)?
            .json(self.client.config())
            .await
    }
}
