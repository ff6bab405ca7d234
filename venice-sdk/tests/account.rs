//! The account operations against the offline Venice (and a loopback mock where
//! a server must misbehave): API keys by id, key updates, the rate-limit log,
//! character filters, billing, crypto RPC and x402 wallets. The wallet token and
//! the payment signature never show in errors or logs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::future::Future;
use std::time::Duration;

use base64::Engine as _;
use venice_sdk::{ApiErrorKind, CharacterFilters, Client, Error, UsagePeriod};
use venice_sdk::{operations, types};
use venice_testing::httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use venice_testing::{Answer, OfflineVenice, VeniceMocks};

const WALLET: &str = "0x1111111111111111111111111111111111111111";
const OTHER_WALLET: &str = "0x2222222222222222222222222222222222222222";

/// A client of `venice` authenticated by `wallet`'s token (and the API key).
fn wallet_client(venice: &OfflineVenice, wallet: &str) -> Client {
    venice
        .client_builder()
        .sign_in_with_x(OfflineVenice::wallet_token(wallet))
        .build()
        .unwrap()
}

fn api(err: &Error) -> &venice_sdk::ApiError {
    err.api()
        .unwrap_or_else(|| panic!("not an API error: {err:?}"))
}

// ---------------------------------------------------------------------------
// API keys

#[tokio::test]
async fn a_key_is_read_by_id_and_updated() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let id = client.api_keys().list().await.unwrap().data[0].id.clone();

    let key = client.api_keys().get(&id).await.unwrap();
    assert_eq!(key.data.id, id);
    assert_eq!(key.data.description.as_deref(), Some("Offline admin key"));
    assert_eq!(key.data.api_key_type, "ADMIN");

    let change: types::UpdateApiKeyBody = serde_json::from_value(serde_json::json!({
        "id": id,
        "description": "Renamed",
        "limitPeriod": "MONTH",
        "consumptionLimit": {"usd": 50.0},
    }))
    .unwrap();
    let updated = client.api_keys().update(&change).await.unwrap();
    assert!(updated.success);
    assert_eq!(updated.data.description.as_deref(), Some("Renamed"));
    assert_eq!(updated.data.limit_period, "MONTH");
    assert_eq!(updated.data.consumption_limits.usd, Some(50.0));

    let again = client.api_keys().get(&id).await.unwrap();
    assert_eq!(again.data.description.as_deref(), Some("Renamed"));
    assert_eq!(again.data.limit_period, "MONTH");
}

#[tokio::test]
async fn unknown_key_ids_are_not_found_and_ids_stay_one_path_segment() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    // `a/b` is sent as one segment (`a%2Fb`): the key route answers, not the
    // server's unknown-route 404.
    for id in ["no-such-key", "a/b"] {
        let err = client.api_keys().get(id).await.unwrap_err();
        assert_eq!(api(&err).kind, ApiErrorKind::NotFound, "{err}");
        assert_eq!(api(&err).message, "API key not found");
    }
    assert_eq!(venice.calls("getApiKeyById"), 2);

    let err = client
        .api_keys()
        .update(
            &serde_json::from_value::<types::UpdateApiKeyBody>(
                serde_json::json!({"id": "no-such-key"}),
            )
            .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(api(&err).kind, ApiErrorKind::NotFound);
}

#[tokio::test]
async fn an_update_breaking_the_spec_rules_is_not_sent() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let change: types::UpdateApiKeyBody = serde_json::from_value(serde_json::json!({
        "id": "k1",
        "consumptionLimit": {"usd": -1.0},
    }))
    .unwrap();
    let err = client.api_keys().update(&change).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { field, .. } if field.contains("usd")),
        "{err:?}"
    );
    let empty: types::UpdateApiKeyBody =
        serde_json::from_value(serde_json::json!({"id": " "})).unwrap();
    assert!(matches!(
        client.api_keys().update(&empty).await,
        Err(Error::InvalidRequest { .. })
    ));
    assert_eq!(venice.calls("updateApiKey"), 0);
}

#[tokio::test]
async fn the_rate_limit_log_names_the_key_and_needs_one() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let id = client.api_keys().list().await.unwrap().data[0].id.clone();
    let logs = client.api_keys().rate_limit_logs().await.unwrap();
    assert_eq!(logs.object, "list");
    assert!(!logs.data.is_empty());
    assert!(logs.data.iter().all(|entry| entry.api_key_id == id));
    assert!(logs.data.iter().any(|entry| entry.rate_limit_type == "RPM"));

    let anonymous = Client::builder()
        .base_url(venice.base_url())
        .build()
        .unwrap();
    let err = anonymous.api_keys().rate_limit_logs().await.unwrap_err();
    assert_eq!(api(&err).kind, ApiErrorKind::Unauthorized);
}

// ---------------------------------------------------------------------------
// Characters

fn slugs(list: &types::ListCharactersResponse) -> Vec<&str> {
    list.data.iter().map(|c| c.slug.as_str()).collect()
}

#[tokio::test]
async fn characters_are_filtered_searched_sorted_and_paged() {
    let venice = OfflineVenice::start().await;
    let characters = venice.client();
    let characters = characters.characters();

    let all = characters.list().await.unwrap();
    assert_eq!(slugs(&all), ["alan-watts", "marcus-aurelius"]);

    let stoics = characters
        .list_filtered(&CharacterFilters::new().tags(["Stoicism"]))
        .await
        .unwrap();
    assert_eq!(slugs(&stoics), ["marcus-aurelius"]);
    // Repeated keys: either tag matches.
    let both = characters
        .list_filtered(&CharacterFilters::new().tags(["Stoicism", "Buddhism"]))
        .await
        .unwrap();
    assert_eq!(both.data.len(), 2);

    let searched = characters
        .list_filtered(&CharacterFilters::new().search("watts"))
        .await
        .unwrap();
    assert_eq!(slugs(&searched), ["alan-watts"]);

    let history = characters
        .list_filtered(
            &CharacterFilters::new()
                .categories(["history"])
                .model_ids(["qwen3-235b"])
                .pro(true),
        )
        .await
        .unwrap();
    assert_eq!(slugs(&history), ["marcus-aurelius"]);

    let fewest_imports_first = characters
        .list_filtered(
            &CharacterFilters::new()
                .sort_by(types::ListCharactersSortBy::from("imports"))
                .sort_order(types::ListCharactersSortOrder::from("asc"))
                .limit(1),
        )
        .await
        .unwrap();
    assert_eq!(slugs(&fewest_imports_first), ["marcus-aurelius"]);
    let second_page = characters
        .list_filtered(&CharacterFilters::new().limit(1).offset(1))
        .await
        .unwrap();
    assert_eq!(slugs(&second_page), ["marcus-aurelius"]);

    let adult = characters
        .list_filtered(&CharacterFilters::new().adult(true))
        .await
        .unwrap();
    assert!(adult.data.is_empty());
}

#[tokio::test]
async fn character_filters_breaking_the_rules_are_refused() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let long = "x".repeat(101);
    let err = client
        .characters()
        .list_filtered(&CharacterFilters::new().tags(["ok", long.as_str()]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { field, .. } if field == "tags[1]"),
        "{err:?}"
    );
    assert_eq!(venice.calls("listCharacters"), 0);

    // What only the server checks comes back as its 400.
    let err = client
        .characters()
        .list_filtered(&CharacterFilters::new().limit(101))
        .await
        .unwrap_err();
    assert_eq!(api(&err).kind, ApiErrorKind::BadRequest);
    assert!(api(&err).details.as_ref().unwrap()["limit"].is_object());
}

// ---------------------------------------------------------------------------
// Billing

#[tokio::test]
async fn the_balance_is_the_one_charged() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let balance = client.billing().balance().await.unwrap();
    assert!(balance.can_consume);
    assert_eq!(balance.consumption_currency.as_deref(), Some("DIEM"));
    assert_eq!(balance.balances.usd, Some(25.0));
    assert_eq!(balance.balances.diem, Some(4.5));
    assert!(balance.diem_epoch_allocation > 0.0);

    let anonymous = Client::builder()
        .base_url(venice.base_url())
        .build()
        .unwrap();
    let err = anonymous.billing().balance().await.unwrap_err();
    assert_eq!(api(&err).kind, ApiErrorKind::Unauthorized);
}

#[tokio::test]
async fn usage_analytics_cover_the_period_asked() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let week = client
        .billing()
        .usage_analytics(&UsagePeriod::Default)
        .await
        .unwrap();
    assert_eq!(week.lookback, "7d");
    assert_eq!(week.by_date.len(), 7);
    assert_eq!(week.top_models.len(), week.by_model.len());

    let month = client
        .billing()
        .usage_analytics(&UsagePeriod::days(30))
        .await
        .unwrap();
    assert_eq!(month.lookback, "30d");
    assert_eq!(month.by_date.len(), 30);
    let total: f64 = month.by_date.iter().map(|d| d.usd).sum();
    let by_key: f64 = month.by_key.iter().map(|k| k.total_usd).sum();
    assert!((total - by_key).abs() < 0.01, "{total} vs {by_key}");

    let january = client
        .billing()
        .usage_analytics(&UsagePeriod::between("2026-01-01", "2026-01-31"))
        .await
        .unwrap();
    assert_eq!(january.lookback, "2026-01-01:2026-01-31");
    assert_eq!(january.by_date.len(), 31);
    assert_eq!(january.by_date[0].date, "2026-01-31");
}

#[tokio::test]
async fn usage_periods_out_of_the_rules_are_refused() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    for period in [
        UsagePeriod::days(0),
        UsagePeriod::between("2026-1-1", "2026-01-31"),
    ] {
        let err = client.billing().usage_analytics(&period).await.unwrap_err();
        assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    }
    assert_eq!(venice.calls("getBillingUsageAnalytics"), 0);
    let err = client
        .billing()
        .usage_analytics(&UsagePeriod::days(91))
        .await
        .unwrap_err();
    assert_eq!(api(&err).kind, ApiErrorKind::BadRequest);
}

// ---------------------------------------------------------------------------
// Crypto RPC

fn rpc_request(method: &str) -> serde_json::Value {
    serde_json::json!({"jsonrpc": "2.0", "method": method, "params": [], "id": 1})
}

/// The answer as JSON: the generated union's variant names change when
/// upstream adds a member, its JSON does not.
fn answer_json(answer: &types::CryptoRpcProxyResponse) -> serde_json::Value {
    serde_json::to_value(answer).unwrap()
}

fn result_of(answer: &types::CryptoRpcProxyResponse) -> serde_json::Value {
    answer_json(answer)["result"].clone()
}

fn is_uuid_v4(key: &str) -> bool {
    let parts: Vec<&str> = key.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && parts[2].starts_with('4')
        && key.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit())
}

#[tokio::test]
async fn networks_are_public() {
    let venice = OfflineVenice::start().await;
    let anonymous = Client::builder()
        .base_url(venice.base_url())
        .build()
        .unwrap();
    let networks = anonymous.crypto().networks().await.unwrap();
    assert!(networks.networks.iter().any(|n| n == "ethereum-mainnet"));
    assert!(networks.networks.iter().any(|n| n == "base-mainnet"));
    let mut sorted = networks.networks.clone();
    sorted.sort();
    assert_eq!(sorted, networks.networks);
}

#[tokio::test]
async fn rpc_answers_with_an_idempotency_key_per_call() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let chain = client
        .crypto()
        .rpc("base-mainnet", &rpc_request("eth_chainId"))
        .await
        .unwrap();
    assert_eq!(result_of(&chain), "0x2105");
    assert_eq!(
        chain.meta().headers.get("x-venice-rpc-credits").unwrap(),
        "20"
    );
    let block = client
        .crypto()
        .rpc("ethereum-mainnet", &rpc_request("eth_blockNumber"))
        .await
        .unwrap();
    assert!(
        result_of(&block)
            .as_str()
            .is_some_and(|b| b.starts_with("0x"))
    );
    let keys = venice.idempotency_keys();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys.iter().all(|k| is_uuid_v4(k)), "{keys:?}");
    assert_ne!(keys[0], keys[1], "one key per call");

    // A batch (as the generated type, built from JSON), with a method the node
    // does not have: HTTP 200, an error in that item.
    let batch: types::CryptoRpcProxyBody = serde_json::from_value(serde_json::json!([
        {"jsonrpc": "2.0", "method": "eth_chainId", "id": 1},
        {"jsonrpc": "2.0", "method": "eth_unknown", "id": 2}
    ]))
    .unwrap();
    let answers = client
        .crypto()
        .rpc("ethereum-mainnet", &batch)
        .await
        .unwrap();
    let answers = answer_json(&answers);
    assert_eq!(answers.as_array().unwrap().len(), 2);
    assert_eq!(answers[0]["result"], "0x1");
    assert_eq!(answers[1]["error"]["code"], -32601);
}

#[tokio::test]
async fn a_retried_rpc_call_sends_the_same_idempotency_key() {
    let venice = OfflineVenice::start().await;
    let client = venice
        .client_builder()
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .unwrap();
    venice.fail_next(
        &operations::CRYPTO_RPC_PROXY,
        Answer::error(502, "Upstream fetch failed"),
    );
    let answer = client
        .crypto()
        .rpc("ethereum-mainnet", &rpc_request("eth_chainId"))
        .await
        .unwrap();
    assert_eq!(result_of(&answer), "0x1");
    assert_eq!(venice.calls("cryptoRpcProxy"), 2);
    let keys = venice.idempotency_keys();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1], "the retry reuses the call's key");
}

#[tokio::test]
async fn an_unknown_network_is_a_bad_request() {
    let venice = OfflineVenice::start().await;
    let err = venice
        .client()
        .crypto()
        .rpc("no-such-chain", &rpc_request("eth_chainId"))
        .await
        .unwrap_err();
    assert_eq!(api(&err).kind, ApiErrorKind::BadRequest);
    assert!(api(&err).message.contains("no-such-chain"), "{err}");
    let err = venice
        .client()
        .crypto()
        .rpc("ethereum-mainnet", &rpc_request("eth_subscribe"))
        .await
        .unwrap_err();
    assert_eq!(api(&err).kind, ApiErrorKind::BadRequest);
}

// ---------------------------------------------------------------------------
// x402

#[tokio::test]
async fn a_wallet_tops_up_and_sees_its_balance_and_ledger() {
    let venice = OfflineVenice::start().await;
    let client = wallet_client(&venice, WALLET);
    let before = client.x402().balance(WALLET).await.unwrap();
    assert_eq!(before.data.balance_usd, 0.0);
    assert!(!before.data.can_consume);
    assert_eq!(before.data.minimum_top_up_usd, 5.0);

    let topped = client
        .x402()
        .top_up(OfflineVenice::payment_signature(WALLET, 10.0))
        .await
        .unwrap();
    assert_eq!(topped.data.wallet_address, WALLET);
    assert_eq!(topped.data.amount_credited, 10.0);
    assert_eq!(topped.data.new_balance, 10.0);
    assert!(topped.data.payment_id.starts_with("payment_"));
    // The settlement, from the header the spec declares (PAYMENT-RESPONSE).
    let settlement = topped.payment_response().unwrap();
    assert_eq!(settlement.success, Some(true));
    assert_eq!(settlement.network.as_deref(), Some("eip155:8453"));
    assert_eq!(settlement.payer.as_deref(), Some(WALLET));
    let transaction = settlement.transaction.clone().unwrap();
    assert!(
        transaction.starts_with("0x") && transaction.len() == 66,
        "{transaction}"
    );
    assert_eq!(
        topped.meta().headers["payment-response"].to_str().unwrap(),
        settlement.raw
    );
    let shown = format!("{settlement:?}");
    assert!(!shown.contains(&transaction), "{shown}");
    assert!(!shown.contains(WALLET), "{shown}");

    let after = client.x402().balance(WALLET).await.unwrap();
    assert_eq!(after.data.balance_usd, 10.0);
    assert!(after.data.can_consume);

    client
        .x402()
        .top_up(OfflineVenice::payment_signature(WALLET, 5.0))
        .await
        .unwrap();
    let ledger = client
        .x402()
        .transactions(WALLET, Some(1), None)
        .await
        .unwrap();
    assert_eq!(ledger.data.current_balance, 15.0);
    assert_eq!(ledger.data.transactions.len(), 1);
    assert_eq!(ledger.data.transactions[0].type_, "TOP_UP");
    assert_eq!(ledger.data.transactions[0].amount, 5.0, "newest first");
    assert!(ledger.data.pagination.has_more);
    let rest = client
        .x402()
        .transactions(WALLET, Some(10), Some(1))
        .await
        .unwrap();
    assert_eq!(rest.data.transactions.len(), 1);
    assert_eq!(rest.data.transactions[0].amount, 10.0);
    assert!(!rest.data.pagination.has_more);
}

#[tokio::test]
async fn wallet_endpoints_need_the_right_wallet() {
    let venice = OfflineVenice::start().await;
    // No token: refused before sending.
    let err = venice.client().x402().balance(WALLET).await.unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    // Not an address: refused before sending.
    let client = wallet_client(&venice, WALLET);
    let err = client
        .x402()
        .transactions("0xnope", None, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { field, .. } if field == "walletAddress"),
        "{err:?}"
    );
    assert_eq!(
        venice.calls("getX402Balance") + venice.calls("getX402Transactions"),
        0
    );
    // Another wallet's token: 403; a token that is no SIWX payload: 401.
    let err = wallet_client(&venice, OTHER_WALLET)
        .x402()
        .balance(WALLET)
        .await
        .unwrap_err();
    assert_eq!(api(&err).kind, ApiErrorKind::Forbidden);
    let garbage = venice
        .client_builder()
        .sign_in_with_x("not-a-siwx-token")
        .build()
        .unwrap();
    let err = garbage.x402().balance(WALLET).await.unwrap_err();
    assert_eq!(api(&err).kind, ApiErrorKind::Unauthorized);
}

#[tokio::test]
async fn the_api_key_is_never_sent_to_wallet_endpoints() {
    let server = MockServer::start_async().await;
    let balance: types::GetX402BalanceResponse = serde_json::from_value(serde_json::json!({
        "success": true,
        "data": {"walletAddress": WALLET, "balanceUsd": 1.5, "canConsume": true,
                 "minimumTopUpUsd": 5, "suggestedTopUpUsd": 10}
    }))
    .unwrap();
    let mock = server.mock_x402_balance(&balance);
    let keyless = server.mock(|when, then| {
        when.any_request().header_exists("authorization");
        then.status(500);
    });
    let client = Client::builder()
        .api_key("vk-must-not-travel-0000")
        .sign_in_with_x(OfflineVenice::wallet_token(WALLET))
        .base_url(server.base_url())
        .build()
        .unwrap();
    let answer = client.x402().balance(WALLET).await.unwrap();
    assert_eq!(answer.data.balance_usd, 1.5);
    mock.assert();
    keyless.assert_calls(0);
}

#[tokio::test]
async fn a_top_up_without_payment_answers_the_requirements() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let requirements = client.x402().requirements().await.unwrap();
    assert_eq!(requirements.x402_version, Some(serde_json::json!(2)));
    let accepts = requirements.accepts.as_ref().unwrap().as_array().unwrap();
    assert_eq!(accepts.len(), 2);
    // Typed: every option has its scheme and settlement timeout.
    let options = requirements.payment_requirements();
    assert_eq!(options.len(), 2);
    for option in &options {
        assert_eq!(option.scheme.as_deref(), Some("exact"));
        assert_eq!(option.max_timeout_seconds, Some(300.0));
        assert_eq!(option.amount.as_deref(), Some("5000000"));
        assert!(option.pay_to.is_some() && option.asset.is_some());
    }
    assert!(options.iter().any(|o| {
        o.network
            .as_deref()
            .is_some_and(|n| n.starts_with("solana:"))
    }));
    assert_eq!(options[0].json, accepts[0]);
    let header = requirements.meta().headers.get("payment-required").unwrap();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(header.as_bytes())
        .unwrap();
    let required: serde_json::Value = serde_json::from_slice(&decoded).unwrap();
    assert_eq!(required["x402Version"], 2);
    assert_eq!(required["accepts"][0]["scheme"], "exact");
    assert_eq!(required["accepts"][0]["maxTimeoutSeconds"], 300);
}

#[tokio::test]
async fn a_402_keeps_its_payment_requirements_on_the_error() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method("POST").path("/x402/top-up");
        then.status(402)
            .header("content-type", "application/json")
            .header("payment-required", "eyJ4NDAyVmVyc2lvbiI6Mn0=")
            .body(r#"{"x402Version": 2, "accepts": [{"scheme": "exact", "network": "eip155:8453", "amount": "5000000", "maxTimeoutSeconds": 300}]}"#);
    });
    let client = server.venice_client().unwrap();
    let err = client
        .x402()
        .top_up("c2lnbmVkLXBheW1lbnQ=")
        .await
        .unwrap_err();
    let api = api(&err);
    assert_eq!(api.kind, ApiErrorKind::InsufficientBalance);
    assert_eq!(api.payment_required(), Some("eyJ4NDAyVmVyc2lvbiI6Mn0="));
    let fields = api.body_fields().unwrap();
    assert_eq!(fields.x402_version, Some(serde_json::json!(2)));
    assert_eq!(fields.accepts.unwrap()[0]["amount"], "5000000");
    let options = api.payment_requirements();
    assert_eq!(options[0].scheme.as_deref(), Some("exact"));
    assert_eq!(options[0].max_timeout_seconds, Some(300.0));
    assert!(api.payment_response().is_none());
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn bad_payment_signatures_are_refused() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    for bad in ["", "   ", "abc\ndef", "päyment"] {
        let err = client.x402().top_up(bad).await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest { field, .. } if field == "payment_signature"),
            "{err:?}"
        );
        if bad.len() > 3 {
            assert!(!format!("{err} {err:?}").contains(bad.trim()), "{err:?}");
        }
    }
    assert_eq!(venice.calls("topUpX402Balance"), 0);
    // Not a payment, and too little: the server's 400.
    for bad in [
        "bm90LWpzb24=".to_owned(),
        OfflineVenice::payment_signature(WALLET, 1.0),
    ] {
        let err = client.x402().top_up(bad).await.unwrap_err();
        assert_eq!(api(&err).kind, ApiErrorKind::BadRequest, "{err}");
        assert!(api(&err).body.contains("X402_INVALID_PAYMENT"));
    }
}

// ---------------------------------------------------------------------------
// x402 header names: the spec's are sent, the legacy ones still understood

/// A wallet's balance answer.
const BALANCE: &str = r#"{"success": true, "data": {"walletAddress": "0x1111111111111111111111111111111111111111", "balanceUsd": 1.5, "canConsume": true, "minimumTopUpUsd": 5, "suggestedTopUpUsd": 10}}"#;

#[tokio::test]
async fn the_wallet_token_and_the_payment_travel_under_the_specs_names() {
    // The spec's names, read from the generated table (lower case on the wire).
    let wallet_header = venice_sdk::operations::WALLET_AUTH_HEADER
        .unwrap()
        .to_ascii_lowercase();
    assert_eq!(wallet_header, "sign-in-with-x");
    let payment_header =
        venice_sdk::operations::TOP_UP_X402_BALANCE.header_params[0].to_ascii_lowercase();
    assert_eq!(payment_header, "payment-signature");

    let server = MockServer::start_async().await;
    let token = OfflineVenice::wallet_token(WALLET);
    let settled = base64::engine::general_purpose::STANDARD
        .encode(r#"{"success": true, "network": "eip155:8453", "payer": "0x1111111111111111111111111111111111111111", "transaction": "0xabc"}"#);
    let balance = server.mock(|when, then| {
        when.method("GET")
            .path(format!("/x402/balance/{WALLET}"))
            .header("sign-in-with-x", token.as_str())
            .header_missing("x-sign-in-with-x")
            .header_missing("authorization");
        then.status(200)
            .header("content-type", "application/json")
            .body(BALANCE);
    });
    let top_up = server.mock(|when, then| {
        when.method("POST")
            .path("/x402/top-up")
            .header("payment-signature", "c2lnbmVkLXBheW1lbnQ=")
            .header_missing("x-402-payment")
            .header_missing("x-payment")
            .header_missing("sign-in-with-x")
            .header_missing("authorization");
        then.status(200)
            .header("content-type", "application/json")
            .header("PAYMENT-RESPONSE", settled.as_str())
            .body(CREDITED);
    });
    // An operation taking the key or the wallet, from a client without a key.
    let chat = server.mock(|when, then| {
        when.method("POST")
            .path("/chat/completions")
            .header("sign-in-with-x", token.as_str())
            .header_missing("x-sign-in-with-x")
            .header_missing("authorization");
        then.status(200)
            .header("content-type", "application/json")
            .json_body(
                serde_json::to_value(venice_testing::fixtures::chat_completion("m", "Hi")).unwrap(),
            );
    });
    let client = Client::builder()
        .base_url(server.base_url())
        .sign_in_with_x(token.as_str())
        .max_retries(0)
        .build()
        .unwrap();
    assert_eq!(
        client
            .x402()
            .balance(WALLET)
            .await
            .unwrap()
            .data
            .balance_usd,
        1.5
    );
    let credited = client.x402().top_up("c2lnbmVkLXBheW1lbnQ=").await.unwrap();
    let settlement = credited.payment_response().unwrap();
    assert_eq!(settlement.transaction.as_deref(), Some("0xabc"));
    assert_eq!(settlement.raw, settled);
    let answer = client
        .chat()
        .create(types::ChatCompletionRequest::new(
            "m",
            [venice_sdk::Message::user("Hello")],
        ))
        .await
        .unwrap();
    assert_eq!(answer.text().as_deref(), Some("Hi"));
    balance.assert();
    top_up.assert();
    chat.assert();
}

#[tokio::test]
async fn the_offline_venice_accepts_the_legacy_names_too() {
    let venice = OfflineVenice::start().await;
    let http = reqwest::Client::new();
    let base = venice.base_url();
    for name in ["SIGN-IN-WITH-X", "X-Sign-In-With-X"] {
        let answer = http
            .get(format!("{base}/x402/balance/{WALLET}"))
            .header(name, OfflineVenice::wallet_token(WALLET))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{name}");
    }
    let answer = http
        .get(format!("{base}/x402/balance/{WALLET}"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    for name in ["PAYMENT-SIGNATURE", "X-402-Payment", "X-PAYMENT"] {
        let answer = http
            .post(format!("{base}/x402/top-up"))
            .header(name, OfflineVenice::payment_signature(WALLET, 5.0))
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{name}");
        assert!(answer.headers().contains_key("payment-response"), "{name}");
    }
    let client = wallet_client(&venice, WALLET);
    let balance = client.x402().balance(WALLET).await.unwrap();
    assert_eq!(balance.data.balance_usd, 15.0);
}

#[test]
fn credentials_set_by_hand_are_secrets_under_every_name_and_a_payment_is_sent_once() {
    let secret = "hand-set-credential-secret-4242";
    let log = logged(async {
        for name in [
            "SIGN-IN-WITH-X",
            "X-Sign-In-With-X",
            "PAYMENT-SIGNATURE",
            "X-402-Payment",
            "X-PAYMENT",
        ] {
            let server = MockServer::start_async().await;
            let mock = echoing(&server, "/", 429);
            let client = Client::builder()
                .api_key("vk-account-test-0000")
                .base_url(server.base_url())
                .max_retries(3)
                .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
                .build()
                .unwrap()
                .with_header(name, secret)
                .unwrap();
            assert!(!format!("{client:?}").contains(secret), "{name}");
            // A GET is retried after a 429, unless it carries a payment.
            let err = client.models().list(None).await.unwrap_err();
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains(secret), "{name}: {shown}");
            let payment = name.to_ascii_lowercase().contains("pay");
            if payment {
                assert_eq!(mock.calls(), 1, "{name}: a payment was sent again");
                assert!(api(&err).body.contains("<redacted>"), "{name}");
            } else {
                // A wallet token by hand goes to no operation that does not
                // take it.
                assert!(mock.calls() > 1, "{name}: not retried");
                assert!(!api(&err).body.contains("<redacted>"), "{name}");
            }
        }
    });
    assert!(!log.contains(secret), "{log}");
}

#[cfg(feature = "raw")] // `Client::raw`
#[test]
fn a_wallet_token_given_to_the_raw_builder_is_sent_and_never_shown() {
    let token = "raw-builder-wallet-token-7373";
    let log = logged(async {
        let server = MockServer::start_async().await;
        let mock = echoing(&server, "/x402/balance/", 401);
        let client = Client::builder()
            .base_url(server.base_url())
            .max_retries(0)
            .build()
            .unwrap();
        let err = client
            .raw()
            .get_x402_balance()
            .wallet_address(WALLET)
            .sign_in_with_x(token)
            .send()
            .await
            .unwrap_err();
        mock.assert();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(token), "{shown}");
        assert!(
            shown.contains("<redacted>"),
            "the token was echoed: {shown}"
        );
    });
    assert!(!log.contains(token), "{log}");
}

// ---------------------------------------------------------------------------
// Secrets

/// Runs `body` on this thread with a TRACE subscriber; returns the log.
fn logged<F: Future<Output = ()>>(body: F) -> String {
    support::logged_without(&[], body)
}

/// The wallet and payment headers, under the spec's names and the legacy ones.
const CREDENTIAL_HEADERS: [&str; 5] = [
    "sign-in-with-x",
    "x-sign-in-with-x",
    "payment-signature",
    "x-402-payment",
    "x-payment",
];

/// A server that echoes the request's credentials back: in the body, in a
/// header, with `status`.
fn echoing<'a>(
    server: &'a MockServer,
    path: &str,
    status: u16,
) -> venice_testing::httpmock::Mock<'a> {
    let path = path.to_owned();
    server.mock(|when, then| {
        when.path_matches(format!("^{path}").as_str());
        then.respond_with(move |req: &HttpMockRequest| {
            let echo: Vec<String> = req
                .headers_vec()
                .iter()
                .filter(|(k, _)| CREDENTIAL_HEADERS.iter().any(|c| k.eq_ignore_ascii_case(c)))
                .map(|(_, v)| v.clone())
                .collect();
            let echo = echo.join(" ");
            HttpMockResponse::builder()
                .status(status)
                .header("content-type", "application/json")
                .header("x-echo", echo.clone())
                .header("cf-ray", echo.clone())
                .body(
                    serde_json::json!({
                        "error": format!("bad credential {echo}"),
                        // A string where a success answer has a boolean: a
                        // 200 with this body cannot be decoded.
                        "success": echo,
                        "code": echo,
                        "details": {"got": echo}
                    })
                    .to_string(),
                )
                .build()
        });
    })
}

#[test]
fn the_payment_signature_and_wallet_token_never_show_in_errors_or_logs() {
    let signature = "eyJ4NDAyVmVyc2lvbiI6Mn0SIGNATURE-secret-77";
    let token = "c2l3eC10b2tlbi1zZWNyZXQ-TOKEN-secret-88";
    let log = logged(async {
        let server = MockServer::start_async().await;
        echoing(&server, "/x402/top-up", 400);
        echoing(&server, "/x402/balance/", 401);
        let client = Client::builder()
            .api_key("vk-account-test-0000")
            .sign_in_with_x(token)
            .base_url(server.base_url())
            .max_retries(0)
            .build()
            .unwrap();
        assert!(!format!("{client:?}").contains(token));

        let err = client.x402().top_up(signature).await.unwrap_err();
        let api = api(&err);
        assert!(api.message.contains("<redacted>"), "{err}");
        assert!(api.body.contains("<redacted>"));
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(signature), "{shown}");
        assert!(!shown.contains(token), "{shown}");

        let err = client.x402().balance(WALLET).await.unwrap_err();
        assert_eq!(api_kind(&err), ApiErrorKind::Unauthorized);
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(token), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    });
    assert!(!log.is_empty());
    assert!(
        !log.contains(signature),
        "the log leaks the payment signature:\n{log}"
    );
    assert!(
        !log.contains(token),
        "the log leaks the wallet token:\n{log}"
    );
}

#[test]
fn a_success_echoing_the_payment_signature_does_not_leak_it_when_undecodable() {
    let signature = "eyJwYXltZW50Ijp0cnVlfQ-SIGNATURE-secret-99";
    let log = logged(async {
        let server = MockServer::start_async().await;
        echoing(&server, "/x402/top-up", 200);
        let client = server.venice_client().unwrap();
        let err = client.x402().top_up(signature).await.unwrap_err();
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(signature), "{shown}");
    });
    assert!(!log.contains(signature), "{log}");
}

fn api_kind(err: &Error) -> ApiErrorKind {
    api(err).kind
}

// ---------------------------------------------------------------------------
// Typed mocks

#[tokio::test]
async fn the_typed_mocks_route_each_operation() {
    let server = MockServer::start_async().await;
    let key: types::GetApiKeyByIdResponse = serde_json::from_value(serde_json::json!({
        "data": {"apiKeyType": "INFERENCE", "consumptionLimits": {"usd": null, "diem": null},
                 "limitPeriod": "EPOCH", "createdAt": null, "description": "CI key",
                 "expiresAt": null, "id": "e28e82dc-9df2-4b47-b726-d0a222ef2ab5",
                 "last6Chars": "2V2jNW", "lastUsedAt": null}
    }))
    .unwrap();
    let id = key.data.id.clone();
    let key_mock = server.mock_api_key(&key);
    let rpc: types::CryptoRpcProxyResponse =
        serde_json::from_str(r#"{"jsonrpc": "2.0", "id": 1, "result": "0xa"}"#).unwrap();
    let rpc_mock = server.mock_crypto_rpc(&rpc);
    let top_up: types::TopUpX402BalanceResponse = serde_json::from_value(serde_json::json!({
        "success": true,
        "data": {"walletAddress": WALLET, "amountCredited": 5, "newBalance": 5, "paymentId": "payment_1"}
    }))
    .unwrap();
    let top_up_mock = server.mock_x402_top_up(&top_up);
    let networks: types::ListCryptoRpcNetworksResponse =
        serde_json::from_str(r#"{"networks": ["optimism-mainnet"]}"#).unwrap();
    let networks_mock = server.mock_crypto_networks(&networks);

    let client = server.venice_client().unwrap();
    assert_eq!(client.api_keys().get(&id).await.unwrap().data.id, id);
    let answer = client
        .crypto()
        .rpc("optimism-mainnet", &rpc_request("eth_chainId"))
        .await
        .unwrap();
    assert_eq!(result_of(&answer), "0xa");
    assert_eq!(
        client.crypto().networks().await.unwrap().networks,
        ["optimism-mainnet"]
    );
    let credited = client.x402().top_up("c2lnbmVk").await.unwrap();
    assert_eq!(credited.data.payment_id, "payment_1");
    key_mock.assert();
    rpc_mock.assert();
    top_up_mock.assert();
    networks_mock.assert();
}

// ---------------------------------------------------------------------------
// A signed payment is sent once

/// A top-up's success answer.
const CREDITED: &str = r#"{"success": true, "data": {"walletAddress": "0x1111111111111111111111111111111111111111", "amountCredited": 5, "newBalance": 5, "paymentId": "payment_1"}}"#;

#[tokio::test]
async fn a_top_up_is_sent_once_whatever_the_server_says() {
    let refusals = [
        support::http(429, &[("content-type", "application/json")], "{}"),
        support::http(408, &[], ""),
        support::http(400, &[("x-should-retry", "true")], ""),
    ];
    for refusal in refusals {
        let server = support::FaultServer::start(vec![refusal, support::ok_json(CREDITED)]).await;
        let client = Client::builder()
            .base_url(&server.base)
            .max_retries(3)
            .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
            .build()
            .unwrap();
        let result = client.x402().top_up("c2lnbmVkLXBheW1lbnQ=").await;
        assert_eq!(server.attempts(), 1, "the payment was sent again");
        let err = result.unwrap_err();
        assert!(matches!(err, Error::Api(_)), "{err:?}");
        assert_eq!(api(&err).attempts, 1);
    }
}

#[cfg(feature = "raw")] // `Client::raw`
#[tokio::test]
async fn the_raw_client_does_not_send_a_payment() {
    let server = support::FaultServer::start(vec![support::http(429, &[], "")]).await;
    let client = Client::builder()
        .base_url(&server.base)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .unwrap();
    let err = client
        .raw()
        .top_up_x402_balance()
        .payment_signature("c2lnbmVkLXBheW1lbnQ=")
        .body(serde_json::Map::new())
        .send()
        .await
        .unwrap_err();
    assert_eq!(server.attempts(), 0, "nothing was sent");
    assert!(
        matches!(err, progenitor_client::Error::InvalidRequest(_)),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("client.x402().top_up(..)"),
        "{err}"
    );
    assert!(
        !format!("{err:?}").contains("c2lnbmVkLXBheW1lbnQ="),
        "{err:?}"
    );
    // Without a payment (the requirements), it is sent.
    let requirements = client
        .raw()
        .top_up_x402_balance()
        .body(serde_json::Map::new())
        .send()
        .await;
    assert!(requirements.is_err());
    assert!(server.attempts() >= 1);
}
