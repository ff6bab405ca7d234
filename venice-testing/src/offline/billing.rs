//! `/billing`: the account's balance (the one the offline Venice charges),
//! usage analytics over a lookback or a date range, and the deprecated usage
//! listing's `410 Gone`.

use serde_json::{Value, json};

use super::{Reply, State};
use crate::util;

/// `GET /billing/balance`.
pub(crate) fn balance(state: &State) -> Reply {
    let balances = state.with(|inner| inner.balances);
    let diem = round4(balances.diem);
    let usd = round4(balances.usd);
    Reply::json(
        200,
        &json!({
            "canConsume": diem > 0.0 || usd > 0.0,
            "consumptionCurrency": if diem > 0.0 { "DIEM" } else { "USD" },
            "balances": {"diem": diem, "usd": usd},
            "diemEpochAllocation": 10.0
        }),
    )
}

/// `GET /billing/usage`, deprecated: `410 Gone`, as Venice answers accounts
/// created on or after 2026-07-07, with the spec's `Deprecation` (RFC 9745)
/// and `Link` (`rel="successor-version"`) headers.
pub(crate) fn usage() -> Reply {
    Reply::error(
        410,
        "This endpoint has been deprecated. Use GET /api/v1/billing/usage-history instead.",
    )
    .with_headers(&[
        ("deprecation", "@1783555200"),
        (
            "link",
            "</api/v1/billing/usage-history>; rel=\"successor-version\"",
        ),
    ])
}

/// `GET /billing/usage-analytics`: `lookback` (`Nd`, at most 90) or
/// `startDate` and `endDate` together.
pub(crate) fn usage_analytics(state: &State, query: &[(String, String)]) -> Reply {
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let today = util::unix_now().div_euclid(86_400);
    let (label, first, last) = match (param("lookback"), param("startDate"), param("endDate")) {
        (_, Some(start), Some(end)) => {
            let (Some(first), Some(last)) = (day_number(start), day_number(end)) else {
                return Reply::invalid(
                    json!({"startDate": {"_errors": ["Invalid date, expected YYYY-MM-DD"]}}),
                );
            };
            if first > last {
                return Reply::invalid(
                    json!({"startDate": {"_errors": ["startDate must not be after endDate"]}}),
                );
            }
            if last - first >= 90 {
                return Reply::invalid(
                    json!({"startDate": {"_errors": ["The date range must not exceed 90 days"]}}),
                );
            }
            (format!("{start}:{end}"), first, last)
        }
        (_, Some(_), None) => {
            return Reply::invalid(
                json!({"endDate": {"_errors": ["endDate is required when startDate is provided"]}}),
            );
        }
        (_, None, Some(_)) => {
            return Reply::invalid(
                json!({"startDate": {"_errors": ["startDate is required when endDate is provided"]}}),
            );
        }
        (lookback, None, None) => {
            let lookback = lookback.unwrap_or("7d");
            let days = lookback
                .strip_suffix('d')
                .filter(|n| !n.starts_with('0'))
                .and_then(|n| n.parse::<i64>().ok())
                .filter(|n| (1..=90).contains(n));
            let Some(days) = days else {
                return Reply::invalid(
                    json!({"lookback": {"_errors": ["Invalid lookback: a number of days from 1d to 90d"]}}),
                );
            };
            (lookback.to_owned(), today - days + 1, today)
        }
    };
    let keys = state.with(|inner| inner.keys.clone());
    let key = keys.first();
    let key_id = key
        .and_then(|k| k.get("id"))
        .cloned()
        .unwrap_or(Value::Null);
    let key_name = key
        .and_then(|k| k.get("description"))
        .and_then(Value::as_str)
        .unwrap_or("Offline admin key")
        .to_owned();
    // Newest day first, as Venice lists them; a deterministic made-up spend.
    let mut by_date = Vec::new();
    let mut by_model_daily = Vec::new();
    let (mut usd, mut diem) = (0.0, 0.0);
    for day in (first..=last).rev() {
        let n = u64::try_from(day).unwrap_or(0);
        let day_usd = round4(0.05 + (util::mix(state.seed, n) % 40) as f64 / 100.0);
        let day_diem = round4(day_usd * 4.0);
        usd += day_usd;
        diem += day_diem;
        by_date.push(json!({"date": util::date(day * 86_400), "USD": day_usd, "DIEM": day_diem}));
        by_model_daily.push(json!({
            "date": day * 86_400_000,
            "Llama 3.3 70B": round4(day_usd * 0.75),
            "Venice SD35": round4(day_usd * 0.25)
        }));
    }
    let (usd, diem) = (round4(usd), round4(diem));
    Reply::json(
        200,
        &json!({
            "lookback": label,
            "byDate": by_date,
            "byModel": [
                {
                    "modelName": "Llama 3.3 70B", "unitType": "tokens", "modelType": "LLM",
                    "totalUsd": round4(usd * 0.75), "totalDiem": round4(diem * 0.75),
                    "totalUnits": (usd * 0.75 * 1_000_000.0).round(),
                    "breakdown": [
                        {"type": "Output", "usd": round4(usd * 0.5), "diem": round4(diem * 0.5), "units": (usd * 250_000.0).round()},
                        {"type": "Input", "usd": round4(usd * 0.25), "diem": round4(diem * 0.25), "units": (usd * 500_000.0).round()}
                    ]
                },
                {
                    "modelName": "Venice SD35", "unitType": "images", "modelType": "IMAGE",
                    "totalUsd": round4(usd * 0.25), "totalDiem": round4(diem * 0.25),
                    "totalUnits": (usd * 2.5).round()
                }
            ],
            "byModelDaily": by_model_daily,
            "topModels": ["Llama 3.3 70B", "Venice SD35"],
            "byKey": [
                {"apiKeyId": key_id, "description": key_name, "totalUsd": round4(usd * 0.8), "totalDiem": round4(diem * 0.8), "totalUnits": (usd * 800_000.0).round()},
                {"apiKeyId": null, "description": "Web App", "totalUsd": round4(usd * 0.2), "totalDiem": round4(diem * 0.2), "totalUnits": (usd * 200_000.0).round()}
            ],
            "byKeyDaily": [],
            "topKeyNames": [key_name, "Web App"]
        }),
    )
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
fn day_number(date: &str) -> Option<i64> {
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::day_number;
    use crate::util;

    #[test]
    fn dates_round_trip() {
        for day in [0, 11_016, 20_000] {
            assert_eq!(day_number(&util::date(day * 86_400)), Some(day));
        }
        assert_eq!(day_number("2024-13-01"), None);
        assert_eq!(day_number("24-01-01"), None);
    }
}
