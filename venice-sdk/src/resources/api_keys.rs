//! API key management: `client.api_keys()`.

use crate::transport;
use crate::{Client, Error, Response, operations, types};

use super::get;

impl Client {
    /// API key management.
    pub fn api_keys(&self) -> ApiKeys<'_> {
        ApiKeys { client: self }
    }
}

/// API key management: `client.api_keys()`.
#[derive(Clone, Copy, Debug)]
pub struct ApiKeys<'a> {
    pub(crate) client: &'a Client,
}

impl ApiKeys<'_> {
    /// Lists the account's API keys.
    pub async fn list(&self) -> Result<Response<types::GetApiKeysResponse>, Error> {
        get(self.client, &operations::GET_API_KEYS, &[]).await
    }

    /// Creates an API key. The new key is a [`Secret`](crate::Secret): it never
    /// shows in `Debug` output.
    pub async fn create(
        &self,
        request: types::CreateApiKeyBody,
    ) -> Result<Response<types::CreateApiKeyResponse>, Error> {
        let op = &operations::CREATE_API_KEY;
        transport::call_json(self.client.config(), op, &[], Some(&request)).await
    }

    /// Deletes the API key with this id (`DELETE /api_keys?id=…`).
    pub async fn delete(
        &self,
        id: impl Into<String>,
    ) -> Result<Response<types::DeleteApiKeyResponse>, Error> {
        let id = id.into();
        if id.trim().is_empty() {
            return Err(Error::invalid("id", "is empty"));
        }
        let op = &operations::DELETE_API_KEY;
        transport::call_json(
            self.client.config(),
            op,
            &[("id", id.as_str())],
            None::<&()>,
        )
        .await
    }

    /// The key's rate limits and balances.
    pub async fn rate_limits(&self) -> Result<Response<types::GetApiKeyRateLimitsResponse>, Error> {
        get(self.client, &operations::GET_API_KEY_RATE_LIMITS, &[]).await
    }

    /// The token a wallet signs to create a key (no API key needed or sent).
    pub async fn web3_token(
        &self,
    ) -> Result<Response<types::GetApiKeyGenerateWeb3KeyResponse>, Error> {
        get(self.client, &operations::GET_API_KEY_GENERATE_WEB3_KEY, &[]).await
    }

    /// Creates an API key from a signed wallet token (no API key needed or sent).
    pub async fn create_web3_key(
        &self,
        request: types::PostApiKeyGenerateWeb3KeyBody,
    ) -> Result<Response<types::PostApiKeyGenerateWeb3KeyResponse>, Error> {
        let op = &operations::POST_API_KEY_GENERATE_WEB3_KEY;
        transport::call_json(self.client.config(), op, &[], Some(&request)).await
    }
}
