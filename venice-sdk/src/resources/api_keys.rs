//! API key management: `client.api_keys()`.

use crate::transport::Call;
use crate::{Client, Error, Response, operations, types};

impl Client {
    /// API key management.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let keys = client.api_keys();
    /// for key in &keys.list().await?.data {
    ///     println!("{} …{} ({})", key.id, key.last6_chars, key.api_key_type);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn api_keys(&self) -> ApiKeys<'_> {
        ApiKeys { client: self }
    }
}

/// API key management: `client.api_keys()`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let body = serde_json::from_value(serde_json::json!({"apiKeyType": "INFERENCE", "description": "CI"}))?;
/// let created = client.api_keys().create(body).await?;
/// // Store `created.data.api_key.expose()` in your secret store; it is shown once.
/// client.api_keys().delete(&created.data.id).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ApiKeys<'a> {
    pub(crate) client: &'a Client,
}

impl ApiKeys<'_> {
    /// Lists the account's API keys.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let keys = client.api_keys().list().await?;
    /// for key in &keys.data {
    ///     println!("{:?}: last used {:?}", key.description, key.last_used_at);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list(&self) -> Result<Response<types::GetApiKeysResponse>, Error> {
        Call::new(&operations::GET_API_KEYS)
            .json(self.client.config())
            .await
    }

    /// Creates an API key. The new key is a [`Secret`](crate::Secret): it never
    /// shows in `Debug` output.
    ///
    /// ```
    /// use venice_sdk::types::CreateApiKeyBody;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let body: CreateApiKeyBody = serde_json::from_value(serde_json::json!({
    ///     "apiKeyType": "INFERENCE",
    ///     "description": "CI runner",
    /// }))?;
    /// let created = client.api_keys().create(body).await?;
    /// println!("{created:?}"); // the key itself shows as <redacted>
    /// let key: &str = created.data.api_key.expose(); // hand it to your secret store
    /// # let _ = key;
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let body = serde_json::from_value(serde_json::json!({"apiKeyType": "INFERENCE", "description": "old"}))?;
    /// # let id = client.api_keys().create(body).await?.into_inner().data.id;
    /// let deleted = client.api_keys().delete(&id).await?;
    /// println!("deleted: {}", deleted.success);
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let limits = client.api_keys().rate_limits().await?;
    /// println!("tier {}, balances {:?}", limits.data.api_tier.id, limits.data.balances);
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```
    /// use venice_sdk::types::UpdateApiKeyBody;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let id = client.api_keys().list().await?.into_inner().data.remove(0).id;
    /// let change: UpdateApiKeyBody = serde_json::from_value(serde_json::json!({
    ///     "id": id,
    ///     "description": "Nightly jobs",
    ///     "consumptionLimit": {"usd": 50.0},
    /// }))?;
    /// let updated = client.api_keys().update(&change).await?;
    /// println!("{:?}", updated.data.description);
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let id = client.api_keys().list().await?.into_inner().data.remove(0).id;
    /// let key = client.api_keys().get(&id).await?;
    /// println!("{} {:?}", key.data.api_key_type, key.data.usage);
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id: &str) -> Result<Response<types::GetApiKeyByIdResponse>, Error> {
        Call::new(&operations::GET_API_KEY_BY_ID)
            .path("id", id)
            .json(self.client.config())
            .await
    }

    /// The last 50 rate limits the account exceeded (which key, model, tier and
    /// limit type, and when).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let logs = client.api_keys().rate_limit_logs().await?;
    /// for hit in &logs.data {
    ///     println!("{} {} on {} ({})", hit.timestamp, hit.rate_limit_type, hit.model_id, hit.api_key_id);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn rate_limit_logs(
        &self,
    ) -> Result<Response<types::GetApiKeyRateLimitLogsResponse>, Error> {
        Call::new(&operations::GET_API_KEY_RATE_LIMIT_LOGS)
            .json(self.client.config())
            .await
    }

    /// The token a wallet signs to create a key (no API key needed or sent).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let token = client.api_keys().web3_token().await?;
    /// // Sign `token.data.token` with the wallet, then call `create_web3_key`.
    /// println!("{}", token.data.token);
    /// # Ok(()) }
    /// ```
    pub async fn web3_token(
        &self,
    ) -> Result<Response<types::GetApiKeyGenerateWeb3KeyResponse>, Error> {
        Call::new(&operations::GET_API_KEY_GENERATE_WEB3_KEY)
            .json(self.client.config())
            .await
    }

    /// Creates an API key from a signed wallet token (no API key needed or sent).
    ///
    /// ```
    /// use venice_sdk::types::PostApiKeyGenerateWeb3KeyBody;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let token = client.api_keys().web3_token().await?.into_inner().data.token;
    /// # let signature = "0x5ig";
    /// // `signature`: the wallet's signature of `token`.
    /// let body: PostApiKeyGenerateWeb3KeyBody = serde_json::from_value(serde_json::json!({
    ///     "address": "0x1234567890abcdef1234567890abcdef12345678",
    ///     "signature": signature,
    ///     "token": token,
    ///     "apiKeyType": "INFERENCE",
    /// }))?;
    /// let created = client.api_keys().create_web3_key(body).await?;
    /// println!("key {} created", created.data.id);
    /// # Ok(()) }
    /// ```
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
