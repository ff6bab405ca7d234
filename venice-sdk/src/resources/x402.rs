//! x402 wallet payments: `client.x402()` (a wallet's balance, its
//! transactions, top-ups), and what a `402 Payment Required` answer of an x402
//! endpoint asks for, read from the [`ApiError`].

use reqwest::header::HeaderValue;

use crate::config::Config;
use crate::paginate::{Pages, Paging, Walk};
use crate::transport::Call;
use crate::{ApiError, Client, Error, Response, Secret, operations, types};

/// The header a top-up's signed payment travels in: the spec's name for it.
/// (Venice's guides also name `PAYMENT-SIGNATURE`, x402 v2's name, as accepted.)
const PAYMENT_HEADER: &str = "x-402-payment";

impl Client {
    /// x402 wallet payments: balance, transactions and top-ups of a wallet.
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
    /// Solana USDC options; the `PAYMENT-REQUIRED` header, if sent, is in
    /// `meta().headers`). Sign one entry of `accepts` with your wallet tooling
    /// and pass the result to [`top_up`](Self::top_up).
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
    /// and the new balance. No credential is sent: the payment is the proof.
    ///
    /// The signature is a credential: it is sent as a sensitive header, never
    /// appears in `Debug`, errors or logs (a server echoing it gets it replaced
    /// by `<redacted>`, like the API key), and it is sent at most once per
    /// call: whatever the server answers (`429`, `408`, `x-should-retry:
    /// true`, a connection broken after the request was written), the call is
    /// not repeated. Only a connection that failed before anything was sent is
    /// tried again. Whether to sign and send another payment is yours to
    /// decide. ([`Client::raw`] refuses a top-up carrying a payment.)
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
        let signature: Secret = payment_signature.into();
        let value = payment_header(&signature)?;
        // This call's own redactor: the client's secrets and the signature.
        let mut config = Config::clone(self.client.config());
        config.redactor = config.redactor.with(&signature);
        Call::new(&operations::TOP_UP_X402_BALANCE)
            .sent_once()
            .header(PAYMENT_HEADER, value)
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
    /// ```no_run
    /// # async fn run(client: &venice_sdk::Client) -> Result<(), venice_sdk::Error> {
    /// let wallet = "0x1234567890abcdef1234567890abcdef12345678";
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

/// The headers an x402 payment travels in: the spec's name, x402 v2's and v1's.
const PAYMENT_HEADERS: [&str; 3] = [PAYMENT_HEADER, "payment-signature", "x-payment"];

/// Whether a request carries an x402 payment.
pub(crate) fn carries_payment(headers: &reqwest::header::HeaderMap) -> bool {
    PAYMENT_HEADERS
        .iter()
        .any(|name| headers.contains_key(*name))
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
    pub fn body_fields(&self) -> Option<types::ApiErrorBody> {
        serde_json::from_str(&self.body).ok()
    }

    /// The `PAYMENT-REQUIRED` header of an x402 `402` answer: base64-encoded JSON
    /// of the payment requirements, to sign one with the wallet's tooling.
    pub fn payment_required(&self) -> Option<&str> {
        self.meta.headers.get("payment-required")?.to_str().ok()
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
    }
}
