//! x402 wallet payments: `client.x402()` (a wallet's balance, its
//! transactions, top-ups), what a `402 Payment Required` answer of an x402
//! endpoint asks for ([`PaymentRequirement`], read from the [`ApiError`] or
//! [`X402::requirements`]), and the settlement of a top-up
//! ([`PaymentResponse`]).
//!
//! Header names are the spec's, read from the generated `operations` table
//! (see `crate::credentials`): the payment goes in the top-up's header
//! parameter (`PAYMENT-SIGNATURE`), the settlement comes back in the header
//! its success answer declares (`PAYMENT-RESPONSE`).

use std::fmt;

use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;

use crate::config::Config;
use crate::credentials;
use crate::paginate::{Pages, Paging, Walk};
use crate::transport::Call;
use crate::{ApiError, Client, Error, Response, Secret, operations, types};

impl Client {
    /// x402 wallet payments: balance, transactions and top-ups of a wallet.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let wallet = "0x1234567890abcdef1234567890abcdef12345678";
    /// # let token = venice_testing::OfflineVenice::wallet_token(wallet);
    /// # let client = venice_sdk::Client::builder().base_url(venice.base_url()).sign_in_with_x(token).build()?;
    /// // `client` signs in with the wallet's token (`ClientBuilder::sign_in_with_x`).
    /// let x402 = client.x402();
    /// let balance = x402.balance(wallet).await?;
    /// println!("${} of credit", balance.data.balance_usd);
    /// # Ok(()) }
    /// ```
    pub fn x402(&self) -> X402<'_> {
        X402 { client: self }
    }
}

/// x402 wallet payments: `client.x402()`.
///
/// `balance` and `transactions` authenticate with the wallet's token
/// ([`ClientBuilder::sign_in_with_x`](crate::ClientBuilder::sign_in_with_x));
/// the API key is never sent to them. `requirements` and `top_up` need no
/// credential. The SDK signs nothing: tokens and payment signatures come from
/// your wallet tooling.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let wallet = "0x1234567890abcdef1234567890abcdef12345678";
/// # let token = venice_testing::OfflineVenice::wallet_token(wallet);
/// # let client = venice_sdk::Client::builder().base_url(venice.base_url()).sign_in_with_x(token).build()?;
/// let balance = client.x402().balance(wallet).await?;
/// if !balance.data.can_consume {
///     println!("top up at least ${}", balance.data.minimum_top_up_usd);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct X402<'a> {
    pub(crate) client: &'a Client,
}

impl X402<'_> {
    /// The x402 credit balance of `wallet` (an EVM `0x…` or Solana address),
    /// which must be the wallet of the client's token.
    ///
    /// Errors: a client without a wallet token is an [`Error::Config`] (nothing
    /// is sent); an address that is not one is refused before sending
    /// ([`Error::InvalidRequest`]); a missing or invalid token is
    /// [`ApiErrorKind::Unauthorized`](crate::ApiErrorKind::Unauthorized), another
    /// wallet's address [`ApiErrorKind::Forbidden`](crate::ApiErrorKind::Forbidden).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let wallet = "0x1234567890abcdef1234567890abcdef12345678";
    /// # let token = venice_testing::OfflineVenice::wallet_token(wallet);
    /// # let client = venice_sdk::Client::builder().base_url(venice.base_url()).sign_in_with_x(token).build()?;
    /// let balance = client.x402().balance(wallet).await?;
    /// println!(
    ///     "${} (suggested top-up ${})",
    ///     balance.data.balance_usd, balance.data.suggested_top_up_usd
    /// );
    /// # Ok(()) }
    /// ```
    pub async fn balance(
        &self,
        wallet: &str,
    ) -> Result<Response<types::GetX402BalanceResponse>, Error> {
        self.needs_wallet("balance")?;
        let wallet = types::GetX402BalanceWalletAddress::try_from(wallet)
            .map_err(|e| Error::invalid("walletAddress", e.to_string()))?;
        Call::new(&operations::GET_X402_BALANCE)
            .path("walletAddress", wallet.as_str())
            .json(self.client.config())
            .await
    }

    /// The transactions of `wallet` (top-ups, charges, refunds), newest first,
    /// one page at a time: `limit` per page (1 to 100; the API's default is
    /// 50), after skipping `offset`. Errors as for [`balance`](Self::balance).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let wallet = "0x1234567890abcdef1234567890abcdef12345678";
    /// # let token = venice_testing::OfflineVenice::wallet_token(wallet);
    /// # let client = venice_sdk::Client::builder().base_url(venice.base_url()).sign_in_with_x(token).build()?;
    /// let page = client.x402().transactions(wallet, Some(20), None).await?;
    /// println!("balance ${}", page.data.current_balance);
    /// for transaction in &page.data.transactions {
    ///     println!("{} {} {}", transaction.created_at, transaction.type_, transaction.amount);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn transactions(
        &self,
        wallet: &str,
        limit: Option<u64>,
        offset: Option<u64>,
    ) -> Result<Response<types::GetX402TransactionsResponse>, Error> {
        self.needs_wallet("transactions")?;
        let wallet = types::GetX402TransactionsWalletAddress::try_from(wallet)
            .map_err(|e| Error::invalid("walletAddress", e.to_string()))?;
        Call::new(&operations::GET_X402_TRANSACTIONS)
            .path("walletAddress", wallet.as_str())
            .query_opt("limit", limit)
            .query_opt("offset", offset)
            .json(self.client.config())
            .await
    }

    /// What a top-up must pay: `POST /x402/top-up` without a payment, whose
    /// `402` answer is the requirements (`x402_version`, `accepts`: the Base and
    /// Solana USDC options, typed by
    /// [`payment_requirements`](Response::payment_requirements); the
    /// `PAYMENT-REQUIRED` header, if sent, is in `meta().headers`). Sign one
    /// entry of `accepts` with your wallet tooling and pass the result to
    /// [`top_up`](Self::top_up).
    ///
    /// ```
    /// # async fn run(client: venice_sdk::Client) -> Result<(), venice_sdk::Error> {
    /// let requirements = client.x402().requirements().await?;
    /// for option in requirements.payment_requirements() {
    ///     println!(
    ///         "{:?} on {:?}: {:?} units within {:?} s",
    ///         option.scheme, option.network, option.amount, option.max_timeout_seconds
    ///     );
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// Any other answer is an error: another status is the [`Error::Api`] it
    /// is; a success or a `402` without a JSON body is an [`Error::Decode`].
    pub async fn requirements(&self) -> Result<Response<types::ApiErrorBody>, Error> {
        let op = &operations::TOP_UP_X402_BALANCE;
        let config = self.client.config();
        let answer = Call::new(op)
            .body(&serde_json::Map::new())?
            .json::<serde_json::Value>(config)
            .await;
        match answer {
            Err(Error::Api(e)) if e.status == reqwest::StatusCode::PAYMENT_REQUIRED => {
                match e.body_fields() {
                    Some(fields) => Ok(Response::new(fields, e.meta.clone())),
                    None => Err(crate::DecodeError::error(
                        op.id,
                        e.status,
                        &e.meta.headers,
                        "the 402 answer has no JSON payment requirements".to_owned(),
                        Some(e.body.as_bytes()),
                        &config.redactor,
                    )),
                }
            }
            Err(e) => Err(e),
            Ok(answer) => Err(crate::DecodeError::error(
                op.id,
                answer.meta().status,
                &answer.meta().headers,
                "expected a 402 with the payment requirements, got a success".to_owned(),
                None,
                &config.redactor,
            )),
        }
    }

    /// Tops up the balance of the wallet that signed `payment_signature` (the
    /// base64 x402 payment payload your wallet tooling made for one entry of
    /// [`requirements`](Self::requirements)), and returns the amount credited
    /// and the new balance; the settlement (network, transaction) is
    /// [`payment_response`](Response::payment_response). No credential is
    /// sent: the payment is the proof.
    ///
    /// The payment travels in the header the spec declares for it (the
    /// top-up's header parameter, `PAYMENT-SIGNATURE`; Venice still accepts
    /// the legacy `X-402-Payment` and `X-PAYMENT`, which the SDK no longer
    /// sends).
    ///
    /// ```
    /// # async fn run(client: venice_sdk::Client, signed: String) -> Result<(), venice_sdk::Error> {
    /// // `signed`: the base64 x402 payment payload from your wallet tooling.
    /// let top_up = client.x402().top_up(signed).await?;
    /// println!("credited ${}", top_up.data.amount_credited);
    /// if let Some(settlement) = top_up.payment_response() {
    ///     println!("settled on {:?}", settlement.network);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// The signature is a credential: it is sent as a sensitive header, never
    /// appears in `Debug`, errors or logs (a server echoing it gets it replaced
    /// by `<redacted>`, like the API key), and it is sent at most once per
    /// call: whatever the server answers (`429`, `408`, `x-should-retry:
    /// true`, a connection broken after the request was written), the call is
    /// not repeated. Only a connection that failed before anything was sent is
    /// tried again. Whether to sign and send another payment is yours to
    /// decide. (`Client::raw()`, with the `raw` feature, refuses a top-up carrying a payment.)
    ///
    /// Through a custom HTTP client the payment is sent only once you said
    /// it follows no redirect
    /// ([`ClientBuilder::http_client_follows_no_redirects`](crate::ClientBuilder::http_client_follows_no_redirects)):
    /// otherwise this is an [`Error::Config`] and nothing is sent.
    ///
    /// Errors: an empty signature, or one with characters a header cannot
    /// carry, is refused before sending ([`Error::InvalidRequest`], without
    /// quoting it); a payment the server rejects is
    /// [`ApiErrorKind::BadRequest`](crate::ApiErrorKind::BadRequest) (`code`
    /// such as `X402_INVALID_PAYMENT`); a missing payment is a `402` with the
    /// requirements in [`ApiError::body_fields`].
    pub async fn top_up(
        &self,
        payment_signature: impl Into<Secret>,
    ) -> Result<Response<types::TopUpX402BalanceResponse>, Error> {
        if !self.client.config().follows_no_redirects {
            return Err(Error::Config(format!(
                "x402().top_up does not send a payment through this HTTP client: {}",
                crate::config::REDIRECTS_UNKNOWN
            )));
        }
        let Some(name) = credentials::payment_header() else {
            return Err(Error::Config(format!(
                "x402().top_up: the spec this SDK was generated from declares no single payment header for {}; nothing was sent",
                operations::TOP_UP_X402_BALANCE.id
            )));
        };
        let signature: Secret = payment_signature.into();
        let value = payment_header(&signature)?;
        // This call's own redactor: the client's secrets and the signature.
        let mut config = Config::clone(self.client.config());
        config.redactor = config.redactor.with(&signature);
        Call::new(&operations::TOP_UP_X402_BALANCE)
            .sent_once()
            .header_named(name.clone(), value)
            .body(&serde_json::Map::new())?
            .json(&config)
            .await
    }

    /// Refuses a wallet-authenticated call of a client without a wallet token.
    fn needs_wallet(&self, method: &str) -> Result<(), Error> {
        if self.client.config().wallet.is_none() {
            return Err(Error::Config(format!(
                "x402().{method} authenticates with a wallet: build the client with ClientBuilder::sign_in_with_x(token)"
            )));
        }
        Ok(())
    }
}

impl<'a> X402<'a> {
    /// Every transaction of `wallet`, newest first, as one stream: pages of
    /// `limit`/`offset`, each fetched when the caller pulls past the previous
    /// one (see [`Pages`] for how the stream ends). The page size is
    /// `paging`'s, else 100 (1 to 100). Errors as for
    /// [`transactions`](Self::transactions), as the stream's one item when
    /// the first page fails.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let wallet = "0x1234567890abcdef1234567890abcdef12345678";
    /// # let token = venice_testing::OfflineVenice::wallet_token(wallet);
    /// # let client = venice_sdk::Client::builder().base_url(venice.base_url()).sign_in_with_x(token).build()?;
    /// // `client` signs in with the wallet's token (`ClientBuilder::sign_in_with_x`).
    /// let mut transactions = client.x402().transactions_all(wallet, venice_sdk::Paging::default());
    /// while let Some(transaction) = transactions.next().await {
    ///     let transaction = transaction?;
    ///     println!("{} {} USD {}", transaction.created_at, transaction.type_, transaction.amount);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn transactions_all(
        &self,
        wallet: &str,
        paging: Paging,
    ) -> Pages<'a, types::GetX402TransactionsResponseDataTransactionsItem> {
        let size = match paging.size_within("limit", 100, 1, 100) {
            Ok(size) => size,
            Err(e) => return Pages::failed(e),
        };
        let op = &operations::GET_X402_TRANSACTIONS;
        let walk = Walk::offsets(op.id, &paging, 0, size);
        let client = self.client;
        let wallet = wallet.to_owned();
        Pages::offsets(walk, &paging, move |offset, limit| {
            let wallet = wallet.clone();
            Box::pin(async move {
                let answer = client
                    .x402()
                    .transactions(&wallet, Some(limit), Some(offset))
                    .await?;
                Ok(answer.into_inner().data.transactions)
            })
        })
    }
}

/// The payment signature as a sensitive header value; an error never quotes it.
fn payment_header(signature: &Secret) -> Result<HeaderValue, Error> {
    let raw = signature.expose();
    if raw.trim().is_empty() {
        return Err(Error::invalid("payment_signature", "is empty"));
    }
    if let Some(i) = raw.bytes().position(|b| !b.is_ascii_graphic()) {
        return Err(Error::invalid(
            "payment_signature",
            format!(
                "has a character an HTTP header cannot carry at byte {i} (a payment signature is base64; check for a line break or quotes)"
            ),
        ));
    }
    let mut value = HeaderValue::from_str(raw)
        .map_err(|_| Error::invalid("payment_signature", "cannot be sent in an HTTP header"))?;
    value.set_sensitive(true);
    Ok(value)
}

impl ApiError {
    /// The error body decoded as the generated error type, whose fields include
    /// those of every error body the spec documents: on a `402` of an x402
    /// endpoint, the payment requirements (`accepts`, `x402_version`,
    /// `top_up_instructions`, …). `None` when the body is not JSON (or was cut).
    ///
    /// ```
    /// use venice_sdk::{Error, Message, types::ChatCompletionRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let wallet = "0x1234567890abcdef1234567890abcdef12345678";
    /// # let token = venice_testing::OfflineVenice::wallet_token(wallet);
    /// # let client = venice_sdk::Client::builder().base_url(venice.base_url()).sign_in_with_x(token).build()?;
    /// // A wallet without credit: inference answers 402 with the payment requirements.
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Hi")]);
    /// match client.chat().create(request).await {
    ///     Err(Error::Api(e)) if e.status == 402 => {
    ///         let fields = e.body_fields();
    ///         println!("{:?}", fields.map(|f| serde_json::to_value(f).unwrap_or_default()["accepts"].clone()));
    ///     }
    ///     other => println!("{:?}", other.map(|r| r.text())),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn body_fields(&self) -> Option<types::ApiErrorBody> {
        serde_json::from_str(&self.body).ok()
    }

    /// The `PAYMENT-REQUIRED` header of an x402 `402` answer: base64-encoded JSON
    /// of the payment requirements, to sign one with the wallet's tooling.
    ///
    /// ```
    /// use venice_sdk::{Error, Message, types::ChatCompletionRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let wallet = "0x1234567890abcdef1234567890abcdef12345678";
    /// # let token = venice_testing::OfflineVenice::wallet_token(wallet);
    /// # let client = venice_sdk::Client::builder().base_url(venice.base_url()).sign_in_with_x(token).build()?;
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Hi")]);
    /// if let Err(Error::Api(e)) = client.chat().create(request).await {
    ///     if let Some(encoded) = e.payment_required() {
    ///         // Base64 JSON of the requirements: hand it to the wallet's x402 tooling.
    ///         println!("{} characters to sign for", encoded.len());
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn payment_required(&self) -> Option<&str> {
        self.meta.headers.get("payment-required")?.to_str().ok()
    }

    /// The entries of `accepts` of an x402 `402` answer's body, typed (scheme,
    /// network, amount, asset, receiver, `maxTimeoutSeconds`), in order; empty
    /// when the body has none (or is not JSON, or was cut).
    ///
    /// ```
    /// # async fn run(client: venice_sdk::Client, signed: String) {
    /// if let Err(venice_sdk::Error::Api(error)) = client.x402().top_up(signed).await {
    ///     for option in error.payment_requirements() {
    ///         println!("{:?} {:?}", option.network, option.max_timeout_seconds);
    ///     }
    /// }
    /// # }
    /// ```
    pub fn payment_requirements(&self) -> Vec<PaymentRequirement> {
        serde_json::from_str::<Value>(&self.body)
            .map(|body| PaymentRequirement::from_body(&body))
            .unwrap_or_default()
    }

    /// The settlement an x402 answer reports in its `PAYMENT-RESPONSE` header
    /// (see [`PaymentResponse::from_headers`]), if it sent one: x402 servers
    /// may report a failed settlement (`success: false`, `error_reason`) on an
    /// error answer.
    ///
    /// ```
    /// # async fn run(client: venice_sdk::Client, signed: String) {
    /// if let Err(venice_sdk::Error::Api(error)) = client.x402().top_up(signed).await {
    ///     if let Some(settlement) = error.payment_response() {
    ///         println!("settlement failed: {:?}", settlement.error_reason);
    ///     }
    /// }
    /// # }
    /// ```
    pub fn payment_response(&self) -> Option<PaymentResponse> {
        PaymentResponse::from_headers(&self.meta.headers)
    }
}

impl Response<types::TopUpX402BalanceResponse> {
    /// The settlement of this top-up: the header the spec declares for the
    /// top-up's success answer (`PAYMENT-RESPONSE`), decoded when it is base64
    /// JSON (x402 v2: `{ success, network, payer, transaction }`). `None` when
    /// the answer has no such header.
    ///
    /// ```
    /// # async fn run(client: venice_sdk::Client, signed: String) -> Result<(), venice_sdk::Error> {
    /// let top_up = client.x402().top_up(signed).await?;
    /// if let Some(settlement) = top_up.payment_response() {
    ///     assert_ne!(settlement.success, Some(false));
    ///     println!("transaction {:?} on {:?}", settlement.transaction, settlement.network);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn payment_response(&self) -> Option<PaymentResponse> {
        PaymentResponse::from_headers(&self.meta().headers)
    }
}

impl Response<types::ApiErrorBody> {
    /// The entries of `accepts` of these payment requirements (what
    /// [`X402::requirements`] returns), typed, in order; empty when there are
    /// none.
    ///
    /// ```
    /// # async fn run(client: venice_sdk::Client) -> Result<(), venice_sdk::Error> {
    /// let requirements = client.x402().requirements().await?;
    /// let base = requirements
    ///     .payment_requirements()
    ///     .into_iter()
    ///     .find(|option| option.network.as_deref() == Some("eip155:8453"));
    /// # Ok(()) }
    /// ```
    pub fn payment_requirements(&self) -> Vec<PaymentRequirement> {
        PaymentRequirement::from_body(&crate::shape::json_of(&**self))
    }
}

/// One way to pay that an x402 `402` answer offers: an entry of its
/// `accepts`, with the entry as sent (sign exactly that one).
///
/// Every field is read leniently: one missing, or of another type, is `None`
/// (`amount` is also read from a number; `max_timeout_seconds` from any
/// number).
///
/// ```
/// use venice_sdk::PaymentRequirement;
///
/// let body = serde_json::json!({"x402Version": 2, "accepts": [{
///     "scheme": "exact", "network": "eip155:8453", "amount": "5000000",
///     "asset": "0x8335…", "payTo": "0x9a1c…", "maxTimeoutSeconds": 300,
///     "extra": {"name": "USD Coin", "version": "2"}
/// }]});
/// let options = PaymentRequirement::from_body(&body);
/// assert_eq!(options[0].scheme.as_deref(), Some("exact"));
/// assert_eq!(options[0].max_timeout_seconds, Some(300.0));
/// assert_eq!(options[0].json["payTo"], "0x9a1c…");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct PaymentRequirement {
    /// The x402 payment scheme (`exact`).
    pub scheme: Option<String>,
    /// The payment network (`eip155:8453` for Base, `solana:…` for Solana).
    pub network: Option<String>,
    /// The amount to pay, in the asset's base units (USDC has 6 decimals).
    pub amount: Option<String>,
    /// The token: USDC's contract address or mint on that network.
    pub asset: Option<String>,
    /// The receiving wallet (`payTo`).
    pub pay_to: Option<String>,
    /// The most seconds the payment may take to settle (`maxTimeoutSeconds`).
    pub max_timeout_seconds: Option<f64>,
    /// Network-specific metadata (`extra`: the token's name and version, a
    /// Solana fee payer).
    pub extra: Option<serde_json::Map<String, Value>>,
    /// The entry as sent, every field included.
    pub json: Value,
}

impl PaymentRequirement {
    /// The entries of `accepts` of a `402` body, in order; empty when it has
    /// none.
    ///
    /// ```
    /// use venice_sdk::PaymentRequirement;
    ///
    /// let body = serde_json::json!({"accepts": [{"network": "solana"}, {"network": "eip155:8453"}]});
    /// let networks: Vec<_> = PaymentRequirement::from_body(&body)
    ///     .into_iter()
    ///     .filter_map(|option| option.network)
    ///     .collect();
    /// assert_eq!(networks, ["solana", "eip155:8453"]);
    /// assert!(PaymentRequirement::from_body(&serde_json::json!({"error": "x"})).is_empty());
    /// ```
    pub fn from_body(body: &Value) -> Vec<PaymentRequirement> {
        body.get("accepts")
            .and_then(Value::as_array)
            .map(|entries| entries.iter().map(Self::from_entry).collect())
            .unwrap_or_default()
    }

    /// One entry of `accepts`, read leniently.
    fn from_entry(entry: &Value) -> PaymentRequirement {
        let text = |name: &str| entry.get(name).and_then(Value::as_str).map(str::to_owned);
        let amount = match entry.get("amount") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        PaymentRequirement {
            scheme: text("scheme"),
            network: text("network"),
            amount,
            asset: text("asset"),
            pay_to: text("payTo"),
            max_timeout_seconds: entry.get("maxTimeoutSeconds").and_then(Value::as_f64),
            extra: entry.get("extra").and_then(Value::as_object).cloned(),
            json: entry.clone(),
        }
    }
}

/// The settlement of an x402 payment, as the server reports it in the
/// `PAYMENT-RESPONSE` header of a top-up's answer: base64 JSON of x402 v2's
/// settlement response (`{ success, network, payer, transaction }`), decoded,
/// with the header's value as received.
///
/// Not a secret, but it ties a wallet to an on-chain transaction: `Debug`
/// shows whether it succeeded and where, not the payer, the transaction or
/// the raw value (read them from the fields).
///
/// ```
/// use base64::Engine as _;
/// use venice_sdk::PaymentResponse;
///
/// let raw = base64::engine::general_purpose::STANDARD.encode(
///     r#"{"success": true, "network": "eip155:8453", "payer": "0x1111", "transaction": "0xabcd"}"#,
/// );
/// let settlement = PaymentResponse::parse(&raw);
/// assert_eq!(settlement.success, Some(true));
/// assert_eq!(settlement.transaction.as_deref(), Some("0xabcd"));
/// assert_eq!(settlement.raw, raw);
/// assert!(!format!("{settlement:?}").contains("0xabcd"));
/// ```
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct PaymentResponse {
    /// The header's value as received.
    pub raw: String,
    /// Whether the payment settled (`success`).
    pub success: Option<bool>,
    /// The network it settled on (`eip155:8453`, `solana:…`).
    pub network: Option<String>,
    /// The wallet that paid (`payer`).
    pub payer: Option<String>,
    /// The settlement transaction: its hash or signature (`transaction`).
    pub transaction: Option<String>,
    /// Why it did not settle (`errorReason`), when it did not.
    pub error_reason: Option<String>,
    /// The decoded JSON, every field included; `None` when the value is not
    /// base64 JSON (then every other field but `raw` is `None`).
    pub json: Option<Value>,
}

impl PaymentResponse {
    /// Reads a `PAYMENT-RESPONSE` value: base64 JSON (padded or not, standard
    /// or URL-safe alphabet) is decoded; any other value is kept as `raw` only.
    ///
    /// ```
    /// use venice_sdk::PaymentResponse;
    ///
    /// let opaque = PaymentResponse::parse("not base64 json");
    /// assert_eq!(opaque.raw, "not base64 json");
    /// assert_eq!((opaque.success, opaque.json), (None, None));
    /// ```
    pub fn parse(raw: &str) -> PaymentResponse {
        use base64::engine::general_purpose::{
            STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD,
        };
        let trimmed = raw.trim();
        let json = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
            .iter()
            .find_map(|engine| engine.decode(trimmed).ok())
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
        let text = |name: &str| {
            json.as_ref()
                .and_then(|j| j.get(name))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        PaymentResponse {
            raw: raw.to_owned(),
            success: json
                .as_ref()
                .and_then(|j| j.get("success"))
                .and_then(Value::as_bool),
            network: text("network"),
            payer: text("payer"),
            transaction: text("transaction"),
            error_reason: text("errorReason"),
            json,
        }
    }

    /// The settlement reported by an answer with these headers: the header the
    /// spec declares for the top-up's success answer
    /// ([`operations::TOP_UP_X402_BALANCE`]'s `response_headers`:
    /// `PAYMENT-RESPONSE`). Should the spec declare several, the first the
    /// answer carries as base64 JSON, else the first it carries. `None` when
    /// the answer carries none (or one that is not visible ASCII).
    ///
    /// ```
    /// use venice_sdk::PaymentResponse;
    ///
    /// let mut headers = reqwest::header::HeaderMap::new();
    /// assert!(PaymentResponse::from_headers(&headers).is_none());
    /// headers.insert("payment-response", "eyJzdWNjZXNzIjp0cnVlfQ==".parse().unwrap());
    /// let settlement = PaymentResponse::from_headers(&headers).unwrap();
    /// assert_eq!(settlement.success, Some(true));
    /// ```
    pub fn from_headers(headers: &HeaderMap) -> Option<PaymentResponse> {
        let carried: Vec<PaymentResponse> = operations::TOP_UP_X402_BALANCE
            .response_headers
            .iter()
            .filter_map(|name| headers.get(name.to_ascii_lowercase().as_str()))
            .filter_map(|value| value.to_str().ok())
            .filter(|value| !value.trim().is_empty())
            .map(PaymentResponse::parse)
            .collect();
        let decoded = carried.iter().position(|p| p.json.is_some()).unwrap_or(0);
        carried.into_iter().nth(decoded)
    }
}

impl fmt::Debug for PaymentResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// A value shown by its length only.
        struct Elided(Option<usize>);
        impl fmt::Debug for Elided {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.0 {
                    Some(n) => write!(f, "Some(<{n} chars>)"),
                    None => f.write_str("None"),
                }
            }
        }
        let chars = |s: &Option<String>| Elided(s.as_ref().map(|s| s.chars().count()));
        f.debug_struct("PaymentResponse")
            .field("success", &self.success)
            .field("network", &self.network)
            .field("error_reason", &self.error_reason)
            .field("payer", &chars(&self.payer))
            .field("transaction", &chars(&self.transaction))
            .field("raw", &Elided(Some(self.raw.chars().count())))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::ApiError;

    #[test]
    fn x402_payment_requirements_are_reachable_from_the_error() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            "payment-required",
            "eyJ4NDAyVmVyc2lvbiI6Mn0=".parse().unwrap(),
        );
        let body = r#"{"x402Version": 2, "error": "Payment required", "accepts": [{"scheme": "exact", "network": "base"}]}"#;
        let err = ApiError::new(
            "createChatCompletion",
            reqwest::StatusCode::PAYMENT_REQUIRED,
            headers,
            body.as_bytes(),
            1,
            &crate::secret::Redactor::default(),
        );
        assert_eq!(err.payment_required(), Some("eyJ4NDAyVmVyc2lvbiI6Mn0="));
        let fields = err.body_fields().unwrap();
        assert_eq!(fields.x402_version, Some(json!(2)));
        assert_eq!(fields.accepts.unwrap()[0]["network"], "base");
        let options = err.payment_requirements();
        assert_eq!(options.len(), 1);
        assert_eq!(options[0].scheme.as_deref(), Some("exact"));
        assert_eq!(options[0].max_timeout_seconds, None);
    }

    #[test]
    fn accepts_entries_are_typed_leniently_and_kept_as_sent() {
        let body = json!({"accepts": [
            {"scheme": "exact", "network": "eip155:8453", "amount": "5000000", "asset": "0xA",
             "payTo": "0xB", "maxTimeoutSeconds": 300, "extra": {"name": "USD Coin"}, "new": 1},
            {"scheme": 7, "amount": 5000000, "maxTimeoutSeconds": 12.5},
            "not an object"
        ]});
        let options = super::PaymentRequirement::from_body(&body);
        assert_eq!(options.len(), 3);
        let base = &options[0];
        assert_eq!(base.scheme.as_deref(), Some("exact"));
        assert_eq!(base.network.as_deref(), Some("eip155:8453"));
        assert_eq!(base.amount.as_deref(), Some("5000000"));
        assert_eq!(base.asset.as_deref(), Some("0xA"));
        assert_eq!(base.pay_to.as_deref(), Some("0xB"));
        assert_eq!(base.max_timeout_seconds, Some(300.0));
        assert_eq!(base.extra.as_ref().unwrap()["name"], "USD Coin");
        assert_eq!(base.json["new"], 1);
        assert_eq!(options[1].scheme, None);
        assert_eq!(options[1].amount.as_deref(), Some("5000000"));
        assert_eq!(options[1].max_timeout_seconds, Some(12.5));
        assert_eq!(options[2].json, "not an object");
        assert!(super::PaymentRequirement::from_body(&json!({"accepts": {}})).is_empty());
    }

    #[test]
    fn the_settlement_is_read_from_the_header_the_spec_declares() {
        use base64::Engine as _;
        let name = crate::operations::TOP_UP_X402_BALANCE.response_headers[0];
        let settled = json!({"success": true, "network": "eip155:8453",
            "payer": "0x1111111111111111111111111111111111111111", "transaction": "0xfeedbeef00112233"});
        let raw = base64::engine::general_purpose::STANDARD.encode(settled.to_string());
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            raw.parse().unwrap(),
        );
        let settlement = super::PaymentResponse::from_headers(&headers).unwrap();
        assert_eq!(settlement.raw, raw);
        assert_eq!(settlement.success, Some(true));
        assert_eq!(settlement.network.as_deref(), Some("eip155:8453"));
        assert_eq!(
            settlement.transaction.as_deref(),
            Some("0xfeedbeef00112233")
        );
        assert_eq!(settlement.json.as_ref(), Some(&settled));
        let shown = format!("{settlement:?}");
        assert!(shown.contains("eip155:8453"), "{shown}");
        for hidden in [
            "0xfeedbeef00112233",
            "0x1111111111111111111111111111111111111111",
            &raw,
        ] {
            assert!(!shown.contains(hidden), "{shown}");
        }
        // Unpadded, URL-safe, failed; and a value that is no base64 JSON.
        let failed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"success": false, "errorReason": "insufficient_funds"}"#);
        let failed = super::PaymentResponse::parse(&failed);
        assert_eq!(failed.success, Some(false));
        assert_eq!(failed.error_reason.as_deref(), Some("insufficient_funds"));
        let opaque = super::PaymentResponse::parse("%%%");
        assert_eq!((opaque.raw.as_str(), opaque.json), ("%%%", None));
        assert!(super::PaymentResponse::from_headers(&reqwest::header::HeaderMap::new()).is_none());
    }
}
