//! The generated client's hooks: every call of [`Client::raw`](crate::Client::raw)
//! goes through the SDK's send path.
//!
//! progenitor's `ClientHooks` are the one seam between the generated client and
//! the SDK: `pre` adds authentication and the user agent and checks the spec's
//! value rules; `exec` hands the request to the same loop the resource methods use
//! (retries and their budget, timeouts, the response size cap, tracing) and gives
//! progenitor back the body it read, with the API key scrubbed from error bodies;
//! `post` turns a failure of that loop into progenitor's `Error::Custom` with the
//! SDK error's (scrubbed, one-line) message. A wallet token given to the
//! builder as a header parameter is scrubbed like the client's own credentials.
//! Operations that return a secret are
//! refused before anything is sent: progenitor's errors may quote a body. So is
//! an x402 top-up carrying a payment: its signature is sent once, by
//! `x402().top_up`, which also scrubs it from whatever comes back.

use progenitor_client::{ClientHooks, ClientInfo, Error as RawError, OperationInfo};

use crate::config::{Config, Inner};
use crate::credentials;
use crate::generated::Client as RawClient;
use crate::operations::{self, Operation, OperationExt as _};
use crate::transport::{self, Source, Whole};

/// The SDK's failure of a raw call, carried from `exec` to `post` on the stand-in
/// response `exec` returns (its hook cannot return an SDK error).
#[derive(Clone, Debug)]
struct Failure(String);

/// The operation progenitor names by its method name.
fn operation(info: &OperationInfo) -> Result<&'static Operation, String> {
    operations::by_rust_name(info.operation_id).ok_or_else(|| {
        format!(
            "{} is not in the operations table of this SDK (regenerate the client)",
            info.operation_id
        )
    })
}

/// The SDK method to call instead of a raw operation that returns a secret.
fn secret_operation_refusal(op: &Operation) -> String {
    // By the operations' constants: a renamed or removed operation does not compile.
    let instead = if op.id == operations::CREATE_API_KEY.id {
        "client.api_keys().create(..)"
    } else if op.id == operations::POST_API_KEY_GENERATE_WEB3_KEY.id {
        "client.api_keys().create_web3_key(..)"
    } else {
        "the SDK's resource method for it"
    };
    format!(
        "{} returns a secret and is not sent through Client::raw(), whose errors may quote \
         the response body; call {instead} instead",
        op.id
    )
}

impl ClientHooks<Inner> for RawClient {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), RawError<E>> {
        let op = operation(info).map_err(RawError::InvalidRequest)?;
        if op.returns_secret {
            return Err(RawError::InvalidRequest(secret_operation_refusal(op)));
        }
        if crate::credentials::carries_payment(request.headers()) {
            return Err(RawError::InvalidRequest(format!(
                "{} with a payment is not sent through Client::raw(), which would retry it like \
                 any POST and could quote the signature in its errors; call \
                 client.x402().top_up(..) instead (it sends the payment once)",
                op.id
            )));
        }
        transport::prepare(&self.inner().config, op, request);
        // The generated client hands over bytes: the rules are checked on them.
        if !op.constraints.is_empty()
            && let Some(body) = request.body().and_then(reqwest::Body::as_bytes)
            && let Ok(value) = serde_json::from_slice::<serde_json::Value>(body)
        {
            op.check(&value)
                .map_err(|error| RawError::InvalidRequest(error.to_string()))?;
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let client_config = &self.inner().config;
        // A wallet token or payment the caller gave the builder (a header
        // parameter such as `sign_in_with_x(..)`) is scrubbed from what comes
        // back, as the client's own credentials are.
        let learned = credentials::wallet_and_payment_values(request.headers());
        let own;
        let config: &Config = if learned.iter().all(|s| client_config.redactor.covers(s)) {
            client_config
        } else {
            let mut config = Config::clone(client_config);
            config.redactor = config.redactor.with_all(&learned);
            own = config;
            &own
        };
        let outcome = match operation(info) {
            Ok(op) => transport::send(config, op, Source::built(request), Whole)
                .await
                .map_err(|e| e.to_string()),
            Err(message) => Err(message),
        };
        let stand_in = |failure: Failure| {
            let mut response = http::Response::new(reqwest::Body::from(Vec::new()));
            response.extensions_mut().insert(failure);
            reqwest::Response::from(response)
        };
        let buffered = match outcome {
            Ok(buffered) => buffered,
            Err(message) => return Ok(stand_in(Failure(message))),
        };
        let mut headers = buffered.headers;
        let body = if buffered.status.is_success() {
            buffered.body
        } else {
            // An error body is what progenitor quotes in its errors.
            config.redactor.scrub_headers(&mut headers);
            config.redactor.scrub_bytes(buffered.body)
        };
        let mut response = http::Response::new(reqwest::Body::from(body));
        *response.status_mut() = buffered.status;
        *response.headers_mut() = headers;
        Ok(reqwest::Response::from(response))
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), RawError<E>> {
        match result {
            Ok(response) => match response.extensions().get::<Failure>() {
                Some(Failure(message)) => Err(RawError::Custom(message.clone())),
                None => Ok(()),
            },
            Err(_) => Ok(()),
        }
    }
}
