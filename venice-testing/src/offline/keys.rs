//! `/api_keys`: a key list that creating and deleting change, rate limits, and
//! the wallet (web3) key flow.

use serde_json::{Value, json};
use venice_sdk::operations::{self, Operation};

use super::{Reply, State};
use crate::util;

/// The token a wallet signs (the spec's example).
const WEB3_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

/// The key list an offline Venice starts with.
pub(crate) fn initial(seed: u64) -> Vec<Value> {
    vec![listed_entry(json!({
        "id": util::uuid(seed, u64::MAX),
        "description": "Offline admin key",
        "last6Chars": "2V2jNW",
        "createdAt": "2025-01-15T09:30:00.000Z",
        "expiresAt": null,
        "lastUsedAt": util::iso8601(util::unix_now()),
        "apiKeyType": "ADMIN",
        "consumptionLimits": {"usd": null, "diem": null},
        "usage": {"trailingSevenDays": {"diem": "42.2315", "usd": "10.2424"}}
    }))]
}

/// A `GET /api_keys` entry: `fields` over the spec's example entry.
fn listed_entry(fields: Value) -> Value {
    util::merge(
        util::example_at(&operations::GET_API_KEYS, "/data/0"),
        fields,
    )
}

pub(crate) fn list(state: &State) -> Reply {
    let data = state.with(|inner| inner.keys.clone());
    Reply::json(200, &json!({"object": "list", "data": data}))
}

pub(crate) fn create(state: &State, body: &Value) -> Reply {
    let key_type = match body.get("apiKeyType").and_then(Value::as_str) {
        Some(t @ ("ADMIN" | "INFERENCE")) => t,
        Some(_) => {
            return Reply::invalid(
                json!({"apiKeyType": {"_errors": ["Invalid enum value. Expected 'ADMIN' | 'INFERENCE'"]}}),
            );
        }
        None => return Reply::invalid(json!({"apiKeyType": {"_errors": ["Required"]}})),
    };
    let Some(description) = body.get("description").and_then(Value::as_str) else {
        return Reply::invalid(json!({"description": {"_errors": ["Required"]}}));
    };
    let expires_at = body.get("expiresAt").cloned().unwrap_or(Value::Null);
    let data = add_key(state, key_type, description, expires_at);
    Reply::json(200, &json!({"success": true, "data": data}))
}

/// Adds a key to the list and returns what the create call answers.
fn add_key(state: &State, key_type: &str, description: &str, expires_at: Value) -> Value {
    let n = state.next_id();
    let id = util::uuid(state.seed, n);
    let secret = format!("vk-offline-{}", util::hex(state.seed, n, 40));
    let last6: String = secret.chars().skip(secret.len() - 6).collect();
    let listed = listed_entry(json!({
        "id": id,
        "description": description,
        "last6Chars": last6,
        "createdAt": util::iso8601(util::unix_now()),
        "expiresAt": expires_at,
        "lastUsedAt": null,
        "apiKeyType": key_type,
        "consumptionLimits": {"usd": null, "diem": null},
        "usage": {"trailingSevenDays": {"diem": "0", "usd": "0"}}
    }));
    state.with(|inner| inner.keys.push(listed));
    util::merge(
        util::example_at(&operations::CREATE_API_KEY, "/data"),
        json!({
            "id": id,
            "apiKey": secret,
            "description": description,
            "expiresAt": expires_at,
            "apiKeyType": key_type,
        }),
    )
}

pub(crate) fn delete(state: &State, query: &[(String, String)]) -> Reply {
    let Some(id) = query
        .iter()
        .find(|(k, _)| k == "id")
        .map(|(_, v)| v.as_str())
        .filter(|id| !id.trim().is_empty())
    else {
        return Reply::invalid(json!({"id": {"_errors": ["Required"]}}));
    };
    let removed = state.with(|inner| {
        let before = inner.keys.len();
        inner
            .keys
            .retain(|k| k.get("id").and_then(Value::as_str) != Some(id));
        inner.keys.len() < before
    });
    if removed {
        Reply::json(200, &json!({"success": true}))
    } else {
        Reply::error(404, "API key not found")
    }
}

pub(crate) fn rate_limits(state: &State) -> Reply {
    let balances = state.with(|inner| inner.balances);
    let limits = |rpm: u64, tpm: u64| {
        json!([
            {"amount": rpm, "type": "RPM"},
            {"amount": rpm * 60 * 24, "type": "RPD"},
            {"amount": tpm, "type": "TPM"}
        ])
    };
    Reply::json(
        200,
        &json!({
            "data": {
                "apiTier": {"id": "paid", "isCharged": true},
                "accessPermitted": true,
                "balances": {"USD": round4(balances.usd), "VCU": round4(balances.vcu), "DIEM": round4(balances.diem)},
                "keyExpiration": null,
                "nextEpochBegins": util::iso8601(util::unix_now() + 86_400 - util::unix_now() % 86_400),
                "rateLimits": [
                    {"apiModelId": "llama-3.3-70b", "rateLimits": limits(50, 750_000)},
                    {"apiModelId": "llama-3.2-3b", "rateLimits": limits(500, 1_000_000)},
                    {"apiModelId": "qwen3-4b", "rateLimits": limits(500, 1_000_000)},
                    {"apiModelId": "venice-sd35", "rateLimits": limits(20, 0)}
                ]
            }
        }),
    )
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

pub(crate) fn web3_token() -> Reply {
    Reply::json(
        200,
        &json!({"success": true, "data": {"token": WEB3_TOKEN}}),
    )
}

pub(crate) fn create_web3_key(state: &State, body: &Value) -> Reply {
    for field in ["address", "signature", "token"] {
        if body
            .get(field)
            .and_then(Value::as_str)
            .is_none_or(|v| v.trim().is_empty())
        {
            return Reply::invalid(json!({field: {"_errors": ["Required"]}}));
        }
    }
    let key_type = match body.get("apiKeyType").and_then(Value::as_str) {
        Some("ADMIN") => "ADMIN",
        _ => "INFERENCE",
    };
    let description = body
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("Web3 API Key");
    let expires_at = body.get("expiresAt").cloned().unwrap_or(Value::Null);
    let data = add_key(state, key_type, description, expires_at);
    Reply::json(200, &json!({"success": true, "data": data}))
}

/// The stored key with this id, as `GET /api_keys/{id}` and `PATCH /api_keys`
/// describe it (the listing's fields, and a limit period).
fn key_details(entry: &Value, answering: &Operation) -> Value {
    let mut details = util::merge(
        util::example_at(&operations::GET_API_KEY_BY_ID, "/data"),
        entry.clone(),
    );
    if details.get("limitPeriod").is_none_or(Value::is_null) {
        details["limitPeriod"] = json!("EPOCH");
    }
    if answering.id == operations::UPDATE_API_KEY.id {
        // The update answer has no usage.
        if let Value::Object(map) = &mut details {
            map.remove("usage");
            map.remove("currentPeriodUsage");
        }
    }
    details
}

/// `GET /api_keys/{id}`.
pub(crate) fn get(state: &State, id: &str) -> Reply {
    let found = state.with(|inner| {
        inner
            .keys
            .iter()
            .find(|k| k.get("id").and_then(Value::as_str) == Some(id))
            .cloned()
    });
    match found {
        Some(entry) => Reply::json(
            200,
            &json!({"data": key_details(&entry, &operations::GET_API_KEY_BY_ID)}),
        ),
        None => Reply::error(404, "API key not found"),
    }
}

/// `PATCH /api_keys`: changes the description, expiration, limits or limit
/// period of the key `id`.
pub(crate) fn update(state: &State, body: &Value) -> Reply {
    let Some(id) = body
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| !id.trim().is_empty())
    else {
        return Reply::invalid(json!({"id": {"_errors": ["Required"]}}));
    };
    let period = body.get("limitPeriod").map(|p| p.as_str().unwrap_or(""));
    if let Some(p) = period
        && !matches!(p, "EPOCH" | "MONTH" | "LIFETIME")
    {
        return Reply::invalid(
            json!({"limitPeriod": {"_errors": ["Invalid enum value. Expected 'EPOCH' | 'MONTH' | 'LIFETIME'"]}}),
        );
    }
    if let Some(limits) = body.get("consumptionLimit") {
        for (currency, value) in limits.as_object().into_iter().flatten() {
            let ok = value.is_null()
                || value
                    .as_f64()
                    .is_some_and(|v| (0.0..=9_999_999_999.0).contains(&v));
            if !ok {
                return Reply::invalid(
                    json!({"consumptionLimit": {currency: {"_errors": ["Number must be between 0 and 9999999999"]}}}),
                );
            }
        }
    }
    let updated = state.with(|inner| {
        let entry = inner
            .keys
            .iter_mut()
            .find(|k| k.get("id").and_then(Value::as_str) == Some(id))?;
        if let Some(description) = body.get("description").and_then(Value::as_str) {
            entry["description"] = json!(description);
        }
        if let Some(expires) = body.get("expiresAt") {
            entry["expiresAt"] = match expires.as_str() {
                Some("") | None => Value::Null,
                Some(date) if date.len() == 10 => json!(format!("{date}T00:00:00.000Z")),
                Some(date) => json!(date),
            };
        }
        if let Some(Value::Object(limits)) = body.get("consumptionLimit") {
            for (currency, value) in limits {
                entry["consumptionLimits"][currency] = value.clone();
            }
        }
        if let Some(p) = period {
            entry["limitPeriod"] = json!(p);
        }
        Some(entry.clone())
    });
    match updated {
        Some(entry) => Reply::json(
            200,
            &json!({"success": true, "data": key_details(&entry, &operations::UPDATE_API_KEY)}),
        ),
        None => Reply::error(404, "API key not found"),
    }
}

/// `GET /api_keys/rate_limits/log`: the limits the account's first key hit.
pub(crate) fn rate_limit_logs(state: &State) -> Reply {
    let key_id = state.with(|inner| {
        inner
            .keys
            .first()
            .and_then(|k| k.get("id"))
            .cloned()
            .unwrap_or(Value::Null)
    });
    let now = util::unix_now();
    Reply::json(
        200,
        &json!({
            "object": "list",
            "data": [
                {"apiKeyId": key_id, "modelId": "llama-3.3-70b", "rateLimitTier": "paid", "rateLimitType": "RPM", "timestamp": util::iso8601(now - 3_600)},
                {"apiKeyId": key_id, "modelId": "venice-sd35", "rateLimitTier": "paid", "rateLimitType": "RPD", "timestamp": util::iso8601(now - 86_400)}
            ]
        }),
    )
}
