//! `/x402`: wallets with a credit balance and a ledger, authenticated by their
//! Sign-In-With-X token, and top-ups paid with a signed x402 payment.
//!
//! Tokens and payments are base64 JSON as Venice expects them; the offline
//! Venice reads them but verifies no signature. Build them with
//! [`OfflineVenice::wallet_token`] and [`OfflineVenice::payment_signature`].
//!
//! Header names are the spec's (read from the SDK's generated `operations`):
//! the wallet token in the wallet scheme's header (`SIGN-IN-WITH-X`), the
//! payment in the top-up's header parameter (`PAYMENT-SIGNATURE`), the
//! settlement in the header its success answer declares (`PAYMENT-RESPONSE`).
//! As Venice does during its migration, the legacy names are accepted too:
//! `X-Sign-In-With-X`, and `X-402-Payment` and `X-PAYMENT`.

use base64::Engine as _;
use serde_json::{Value, json};
use venice_sdk::operations;

use super::{OfflineVenice, Reply, State, header};
use crate::util;

const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The receiving wallet and USDC contract of the Base payment option.
const BASE_PAY_TO: &str = "0x9a1C6d5E2b3F4A7c8D0e1F2a3B4c5D6e7F8a9B0c";
const BASE_USDC: &str = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";
const SOLANA_PAY_TO: &str = "8qUL23aSj7mDWdoLMXGHFvnVCT9wd7jXcysiekroADEL";
const SOLANA_USDC: &str = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
const MINIMUM_TOP_UP_USD: f64 = 5.0;

/// The wallet token's names Venice accepted before the spec's, still accepted.
pub(crate) const LEGACY_WALLET_HEADERS: [&str; 1] = ["x-sign-in-with-x"];
/// The payment's names Venice accepted before the spec's, still accepted.
pub(crate) const LEGACY_PAYMENT_HEADERS: [&str; 2] = ["x-402-payment", "x-payment"];

/// Every name a wallet token is read from: the spec's, then the legacy ones.
pub(crate) fn wallet_headers() -> impl Iterator<Item = &'static str> {
    operations::WALLET_AUTH_HEADER
        .into_iter()
        .chain(LEGACY_WALLET_HEADERS)
}

/// The top-up's payment header as the spec declares it: its header
/// parameters but `Idempotency-Key` and the wallet header (one, today).
pub(crate) fn spec_payment_headers() -> impl Iterator<Item = &'static str> {
    operations::TOP_UP_X402_BALANCE
        .header_params
        .iter()
        .copied()
        .filter(|name| {
            !name.eq_ignore_ascii_case("idempotency-key")
                && !operations::WALLET_AUTH_HEADER.is_some_and(|w| name.eq_ignore_ascii_case(w))
        })
}

/// The wallet token a request carries (spec's name first, then legacy ones).
pub(crate) fn wallet_token(req: &httpmock::HttpMockRequest) -> Option<String> {
    wallet_headers().find_map(|name| header(req, name).filter(|v| !v.trim().is_empty()))
}

/// A wallet's credit and ledger (newest last).
#[derive(Clone, Default)]
pub(crate) struct Wallet {
    balance_usd: f64,
    ledger: Vec<Value>,
}

impl OfflineVenice {
    /// A Sign-In-With-X token for `address` (sent in the `SIGN-IN-WITH-X`
    /// header), shaped as Venice expects
    /// (base64 JSON with `address`, `message`, `signature`, `timestamp`,
    /// `chainId`), for [`ClientBuilder::sign_in_with_x`](venice_sdk::ClientBuilder::sign_in_with_x).
    /// The offline Venice reads the address and checks no signature.
    pub fn wallet_token(address: &str) -> String {
        let payload = json!({
            "address": address,
            "message": format!("outerface.venice.ai wants you to sign in with your Ethereum account:\n{address}\n\nSign in to Venice API\n\nURI: https://outerface.venice.ai\nVersion: 1\nChain ID: 8453\nNonce: 0a1b2c3d4e5f6a7b\nIssued At: 2026-01-01T00:00:00.000Z"),
            "signature": format!("0x{}", "ab".repeat(65)),
            "timestamp": util::unix_now_ms(),
            "chainId": 8453
        });
        BASE64.encode(payload.to_string())
    }

    /// A signed x402 payment of `usd` dollars of USDC on Base from `address`
    /// (base64 JSON of an x402 v2 payment payload), for
    /// [`x402().top_up`](venice_sdk::X402::top_up). The offline Venice credits
    /// `address` and checks no signature.
    pub fn payment_signature(address: &str, usd: f64) -> String {
        let units = (usd * 1_000_000.0).round().max(0.0);
        let payload = json!({
            "x402Version": 2,
            "accepted": base_option(),
            "payload": {
                "signature": format!("0x{}", "cd".repeat(65)),
                "authorization": {
                    "from": address,
                    "to": BASE_PAY_TO,
                    "value": format!("{units:.0}"),
                    "validAfter": "0",
                    "validBefore": "4102444800",
                    "nonce": format!("0x{}", "01".repeat(32))
                }
            }
        });
        BASE64.encode(payload.to_string())
    }
}

fn base_option() -> Value {
    json!({
        "scheme": "exact", "network": "eip155:8453", "asset": BASE_USDC,
        "amount": "5000000", "payTo": BASE_PAY_TO, "maxTimeoutSeconds": 300,
        "extra": {"name": "USD Coin", "version": "2"}
    })
}

/// The Solana payment option.
const SOLANA_NETWORK: &str = "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp";

fn accepts() -> Value {
    json!([
        base_option(),
        {
            "scheme": "exact", "network": SOLANA_NETWORK, "asset": SOLANA_USDC,
            "amount": "5000000", "payTo": SOLANA_PAY_TO, "maxTimeoutSeconds": 300,
            "extra": {"name": "USD Coin", "version": "2", "feePayer": "BFK9TLC3edb13K6v4YyH3DwPb5DSUpkWvb7XnqCL9b4F"}
        }
    ])
}

/// Base64 JSON, decoded.
fn decode(text: &str) -> Option<Value> {
    let bytes = BASE64.decode(text.trim()).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn valid_address(address: &str) -> bool {
    let evm = address.len() == 42
        && address.starts_with("0x")
        && address[2..].bytes().all(|b| b.is_ascii_hexdigit());
    let solana = (32..=44).contains(&address.len())
        && address
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() && !matches!(b, b'0' | b'O' | b'I' | b'l'));
    evm || solana
}

/// EVM addresses are case-insensitive (checksummed or not); Solana ones are not.
fn normalize(address: &str) -> String {
    if address.starts_with("0x") {
        address.to_ascii_lowercase()
    } else {
        address.to_owned()
    }
}

/// The wallet whose token the request carries, when it may read `address`.
fn authorize(req: &httpmock::HttpMockRequest, address: &str) -> Result<String, Reply> {
    if !valid_address(address) {
        return Err(Reply::invalid(
            json!({"walletAddress": {"_errors": ["Invalid EVM or Solana wallet address"]}}),
        ));
    }
    let token = wallet_token(req).unwrap_or_default();
    let signed = decode(&token)
        .filter(|t| {
            t.get("signature")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty())
        })
        .and_then(|t| t.get("address").and_then(Value::as_str).map(normalize));
    let Some(signed) = signed else {
        return Err(Reply::error(401, "Invalid Sign-in-with-x authentication"));
    };
    if signed != normalize(address) {
        return Err(Reply::error(
            403,
            "Authenticated wallet does not match the requested wallet",
        ));
    }
    Ok(signed)
}

/// `GET /x402/balance/{walletAddress}`.
pub(crate) fn balance(state: &State, req: &httpmock::HttpMockRequest, address: &str) -> Reply {
    let wallet = match authorize(req, address) {
        Ok(wallet) => wallet,
        Err(reply) => return reply,
    };
    let balance = state.with(|inner| inner.wallets.get(&wallet).map_or(0.0, |w| w.balance_usd));
    Reply::json(
        200,
        &json!({
            "success": true,
            "data": {
                "walletAddress": wallet,
                "balanceUsd": round2(balance),
                "canConsume": balance > 0.0,
                "minimumTopUpUsd": MINIMUM_TOP_UP_USD,
                "suggestedTopUpUsd": 10.0
            }
        }),
    )
}

/// `GET /x402/transactions/{walletAddress}`.
pub(crate) fn transactions(state: &State, req: &httpmock::HttpMockRequest, address: &str) -> Reply {
    let wallet = match authorize(req, address) {
        Ok(wallet) => wallet,
        Err(reply) => return reply,
    };
    let query = req.query_params();
    let number = |name: &str, default: u64| -> Result<u64, Reply> {
        match query.iter().find(|(k, _)| k == name) {
            None => Ok(default),
            Some((_, v)) => v
                .parse()
                .map_err(|_| Reply::invalid(json!({name: {"_errors": ["Expected a number"]}}))),
        }
    };
    let limit = match number("limit", 50) {
        Ok(n) if (1..=100).contains(&n) => n,
        Ok(_) => {
            return Reply::invalid(
                json!({"limit": {"_errors": ["Number must be between 1 and 100"]}}),
            );
        }
        Err(reply) => return reply,
    };
    let offset = match number("offset", 0) {
        Ok(n) => n,
        Err(reply) => return reply,
    };
    let (balance, ledger) = state.with(|inner| {
        inner
            .wallets
            .get(&wallet)
            .map_or((0.0, Vec::new()), |w| (w.balance_usd, w.ledger.clone()))
    });
    let skip = usize::try_from(offset).unwrap_or(usize::MAX);
    let take = usize::try_from(limit).unwrap_or(100);
    let page: Vec<Value> = ledger.iter().rev().skip(skip).take(take).cloned().collect();
    let has_more = ledger.len() > skip.saturating_add(page.len());
    Reply::json(
        200,
        &json!({
            "success": true,
            "data": {
                "walletAddress": wallet,
                "currentBalance": round2(balance),
                "transactions": page,
                "pagination": {"limit": limit, "offset": offset, "hasMore": has_more}
            }
        }),
    )
}

/// `POST /x402/top-up`: without a payment header, `402` and the payment
/// requirements (body and `PAYMENT-REQUIRED` header, each option with its
/// `scheme` and `maxTimeoutSeconds`); with one (under the spec's name or a
/// legacy one), the wallet that signed it is credited, and the settlement is
/// in the header the spec declares for the success answer (`PAYMENT-RESPONSE`).
pub(crate) fn top_up(state: &State, req: &httpmock::HttpMockRequest) -> Reply {
    let payment = spec_payment_headers()
        .chain(LEGACY_PAYMENT_HEADERS)
        .find_map(|name| header(req, name).filter(|v| !v.trim().is_empty()));
    let Some(payment) = payment else {
        let required = json!({
            "x402Version": 2,
            "error": "Payment required",
            "resource": {"url": "https://api.venice.ai/api/v1/x402/top-up", "description": "Venice API credits", "mimeType": "application/json"},
            "accepts": accepts()
        });
        return Reply::json(402, &json!({"x402Version": 2, "accepts": accepts()}))
            .with_headers(&[("payment-required", &BASE64.encode(required.to_string()))]);
    };
    let invalid = |reason: &str| {
        Reply::json(
            400,
            &json!({"error": "X402_INVALID_PAYMENT", "message": "Invalid payment header", "details": {"reason": reason}}),
        )
    };
    let Some(decoded) = decode(&payment) else {
        return invalid("malformed_payload");
    };
    let authorization = decoded.pointer("/payload/authorization");
    let from = authorization
        .and_then(|a| a.get("from"))
        .and_then(Value::as_str)
        .filter(|a| valid_address(a));
    let units = authorization
        .and_then(|a| a.get("value"))
        .and_then(Value::as_str)
        .and_then(|v| v.parse::<u64>().ok());
    let (Some(from), Some(units)) = (from, units) else {
        return invalid("missing_authorization");
    };
    let network = decoded
        .pointer("/accepted/network")
        .and_then(Value::as_str)
        .unwrap_or("eip155:8453")
        .to_owned();
    let usd = units as f64 / 1_000_000.0;
    if usd < MINIMUM_TOP_UP_USD {
        return invalid("amount_below_minimum");
    }
    let wallet = normalize(from);
    let n = state.next_id();
    let payment_id = format!(
        "payment_{}",
        util::hex(state.seed, n, 26).to_ascii_uppercase()
    );
    let balance = state.with(|inner| {
        let entry = inner.wallets.entry(wallet.clone()).or_default();
        entry.balance_usd += usd;
        entry.ledger.push(json!({
            "id": format!("ledger_{}", util::hex(state.seed, n, 26).to_ascii_uppercase()),
            "amount": round2(usd),
            "balanceAfter": round2(entry.balance_usd),
            "type": "TOP_UP",
            "createdAt": util::iso8601(util::unix_now()),
            "requestId": null,
            "modelId": null
        }));
        entry.balance_usd
    });
    let settlement = json!({
        "success": true,
        "network": network,
        "payer": from,
        "transaction": format!("0x{}", util::hex(state.seed, n, 64))
    });
    let settlement = BASE64.encode(settlement.to_string());
    let reply = Reply::json(
        200,
        &json!({
            "success": true,
            "data": {
                "walletAddress": wallet,
                "amountCredited": round2(usd),
                "newBalance": round2(balance),
                "paymentId": payment_id
            }
        }),
    );
    // The one header the spec declares for the success answer.
    match operations::TOP_UP_X402_BALANCE.response_headers.first() {
        Some(name) => reply.with_headers(&[(name, &settlement)]),
        None => reply,
    }
}

/// The wallet an inference request is paid by: the address its Sign-In-With-X
/// token signed, or 401 when the token is not one.
pub(crate) fn payer(req: &httpmock::HttpMockRequest) -> Result<String, Reply> {
    wallet_token(req)
        .and_then(|token| decode(&token))
        .filter(|t| {
            t.get("signature")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty())
        })
        .and_then(|t| t.get("address").and_then(Value::as_str).map(str::to_owned))
        .filter(|a| valid_address(a))
        .map(|a| normalize(&a))
        .ok_or_else(|| Reply::error(401, "Invalid Sign-in-with-x authentication"))
}

/// `402` with the spec's payment requirements (`insufficient_balance`) when
/// `wallet` has no credit left; inference needs a positive balance.
pub(crate) fn require_credit(
    state: &State,
    wallet: &str,
    op: &operations::Operation,
) -> Result<(), Reply> {
    let balance = state.with(|inner| inner.wallets.get(wallet).map_or(0.0, |w| w.balance_usd));
    if balance > 0.0 {
        return Ok(());
    }
    let resource = format!("https://api.venice.ai/api/v1{}", op.path);
    let required = json!({
        "x402Version": 2,
        "error": "Payment required",
        "resource": {"url": resource, "description": "Venice API", "mimeType": "application/json"},
        "accepts": accepts()
    });
    let now = util::unix_now();
    let body = json!({
        "error": "Payment required",
        "code": "PAYMENT_REQUIRED",
        "reason": "insufficient_balance",
        "message": "Insufficient x402 balance",
        "currentBalanceUsd": round2(balance),
        "minimumBalanceUsd": 0.01,
        "description": "Venice API",
        "suggestedTopUpUsd": 10.0,
        "minimumTopUpUsd": MINIMUM_TOP_UP_USD,
        "supportedTokens": ["USDC"],
        "supportedChains": ["base", "solana"],
        "topUpInstructions": {
            "step1": "POST /api/v1/x402/top-up with no payment header to get payment requirements",
            "step2": "Choose a payment option from accepts and sign a USDC transfer authorization using the x402 SDK (createPaymentHeader)",
            "step3": "POST /api/v1/x402/top-up with the signed PAYMENT-SIGNATURE header",
            "receiverWallet": BASE_PAY_TO,
            "tokenAddress": BASE_USDC,
            "tokenDecimals": 6,
            "network": "eip155:8453",
            "minimumAmountUsd": MINIMUM_TOP_UP_USD
        },
        "siwxChallenge": {
            "info": {
                "domain": "api.venice.ai",
                "uri": resource,
                "version": "1",
                "nonce": util::hex(state.seed, state.next_id(), 16),
                "issuedAt": util::iso8601(now),
                "expirationTime": util::iso8601(now + 300),
                "statement": "Sign in to Venice AI"
            },
            "supportedChains": [
                {"chainId": "eip155:8453", "type": "eip191"},
                {"chainId": SOLANA_NETWORK, "type": "ed25519"}
            ]
        }
    });
    Err(Reply::json(402, &body)
        .with_headers(&[("payment-required", &BASE64.encode(required.to_string()))]))
}

/// Takes what a successful inference costs from `wallet` (down to zero, as
/// a `CHARGE` in its ledger) instead of the account balance.
pub(crate) fn charge(state: &State, wallet: &str, mut reply: Reply) -> Reply {
    if reply.status >= 400 {
        return reply;
    }
    let cost = std::mem::take(&mut reply.cost_usd);
    let n = state.next_id();
    state.with(|inner| {
        let entry = inner.wallets.entry(wallet.to_owned()).or_default();
        entry.balance_usd = (entry.balance_usd - cost).max(0.0);
        entry.ledger.push(json!({
            "id": format!("ledger_{}", util::hex(state.seed, n, 26).to_ascii_uppercase()),
            "amount": -cost,
            "balanceAfter": entry.balance_usd,
            "type": "CHARGE",
            "createdAt": util::iso8601(util::unix_now()),
            "requestId": util::uuid(state.seed, n),
            "modelId": null
        }));
    });
    reply
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
