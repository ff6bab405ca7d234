//! Crypto RPC: `client.crypto()`, a JSON-RPC proxy to blockchain nodes, billed
//! per credit.

use crate::transport::Call;
use crate::{Client, Error, Response, operations, types};

impl Client {
    /// Crypto RPC: the supported networks and the JSON-RPC proxy.
    pub fn crypto(&self) -> Crypto<'_> {
        Crypto { client: self }
    }
}

/// Crypto RPC: `client.crypto()`.
#[derive(Clone, Copy, Debug)]
pub struct Crypto<'a> {
    pub(crate) client: &'a Client,
}

impl Crypto<'_> {
    /// The network slugs [`rpc`](Self::rpc) accepts (`ethereum-mainnet`,
    /// `base-sepolia`, …), sorted. Public: no credential is sent.
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
    pub async fn rpc(
        &self,
        network: &str,
        request: &types::CryptoRpcProxyBody,
    ) -> Result<Response<types::CryptoRpcProxyResponse>, Error> {
        Call::new(&operations::CRYPTO_RPC_PROXY)
            .path("network", network)
            .body(request)?
            .json(self.client.config())
            .await
    }
}
