//! API key management: `client.api_keys()`.

use crate::transport::Call;
use crate::{Client, Error, Response, operations, types};

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
        Call::new(&operations::GET_API_KEYS)
            .json(self.client.config())
            .await
    }

    /// Creates an API key. The new key is a [`Secret`](crate::Secret): it never
    /// shows in `Debug` output.
    pub async fn create(
        &self,
        request: types::CreateApiKeyBody,
    ) -> Result<Response<types::CreateApiKeyResponse>, Error> {
        Call::new(&operations::CREATE_API_KEY)
            .body(&request)?
            .json(self.client.config())
            .await
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
        Call::new(&operations::DELETE_API_KEY)
            .query("id", id)
            .json(self.client.config())
            .await
    }

    /// The key's rate limits and balances.
    pub async fn rate_limits(&self) -> Result<Response<types::GetApiKeyRateLimitsResponse>, Error> {
        Call::new(&operations::GET_API_KEY_RATE_LIMITS)
            .json(self.client.config())
            .await
    }

    /// Changes a key's description, expiration, consumption limits or limit
    /// period (`PATCH /api_keys`); `request.id` names the key. Build it with
    /// `types::UpdateApiKeyBody::from_required(id)` and set the fields to change. A limit outside the spec's bounds is
    /// refused before sending ([`Error::InvalidRequest`]); an unknown id is
    /// [`ApiErrorKind::NotFound`](crate::ApiErrorKind::NotFound).
    pub async fn update(
        &self,
        request: &types::UpdateApiKeyBody,
    ) -> Result<Response<types::UpdateApiKeyResponse>, Error> {
        // Read through JSON: the id's type is upstream's to change (a string
        // today, optional or an enum tomorrow).
        let id = crate::shape::json_of(request);
        if id
            .get("id")
            .and_then(serde_json::Value::as_str)
            .is_none_or(|id| id.trim().is_empty())
        {
            return Err(Error::invalid("id", "is empty"));
        }
        Call::new(&operations::UPDATE_API_KEY)
            .body(request)?
            .json(self.client.config())
            .await
    }

    /// The key with this id: type, limits, usage of the last seven days and of
    /// the current limit period. An unknown id is
    /// [`ApiErrorKind::NotFound`](crate::ApiErrorKind::NotFound).
    pub async fn get(&self, id: &str) -> Result<Response<types::GetApiKeyByIdResponse>, Error> {
        Call::new(&operations::GET_API_KEY_BY_ID)
            .path("id", id)
            .json(self.client.config())
            .await
    }

    /// The last 50 rate limits the account exceeded (which key, model, tier and
    /// limit type, and when).
    pub async fn rate_limit_logs(
        &self,
    ) -> Result<Response<types::GetApiKeyRateLimitLogsResponse>, Error> {
        Call::new(&operations::GET_API_KEY_RATE_LIMIT_LOGS)
            .json(self.client.config())
            .await
    }

    /// The token a wallet signs to create a key (no API key needed or sent).
    pub async fn web3_token(
        &self,
    ) -> Result<Response<types::GetApiKeyGenerateWeb3KeyResponse>, Error> {
        Call::new(&operations::GET_API_KEY_GENERATE_WEB3_KEY)
            .json(self.client.config())
            .await
    }

    /// Creates an API key from a signed wallet token (no API key needed or sent).
    pub async fn create_web3_key(
        &self,
        request: types::PostApiKeyGenerateWeb3KeyBody,
    ) -> Result<Response<types::PostApiKeyGenerateWeb3KeyResponse>, Error> {
        Call::new(&operations::POST_API_KEY_GENERATE_WEB3_KEY)
            .body(&request)?
            .json(self.client.config())
            .await
    }
}
