//! `/billing`: the account's balance (the one the offline Venice charges),
//! usage analytics over a lookback or a date range, the usage history: a
//! cursor walk (JSON or CSV) over a fixed data set, and the deprecated usage
//! listing's `410 Gone`.

use base64::Engine as _;
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

/// How many entries the offline usage history holds: one every 3 hours (and
/// a few seconds) from 2026-06-01T00:00:00Z, the same in every run.
pub(crate) const USAGE_HISTORY_ENTRIES: u64 = 57;

/// Milliseconds since the epoch of 2026-06-01T00:00:00Z.
const HISTORY_START_MS: i64 = 1_780_272_000_000;

/// The `n`th entry of the offline usage history (ascending time).
fn history_entry(n: u64) -> (i64, Value) {
    let i = i64::try_from(n).unwrap_or(0);
    let at = HISTORY_START_MS + i * 3 * 3_600_000 + i * 1_234;
    let currency = ["USD", "DIEM", "BUNDLED_CREDITS"][(n % 3) as usize];
    let llm = n % 4 != 3;
    let (sku, price, units) = if llm {
        let tokens = 200 + (n * 37) % 900;
        (
            "llama-3.3-70b-llm-output-mtoken",
            2.8,
            tokens as f64 / 1_000_000.0,
        )
    } else {
        ("venice-sd35-image-unit", 0.01, 1.0)
    };
    let amount = -round4(price * units * 100.0) / 100.0;
    let details = if llm {
        json!({
            "completionTokens": 200 + (n * 37) % 900,
            "inferenceExecutionTime": 800 + (n * 53) % 3000,
            "promptTokens": 100 + (n * 11) % 500,
            "requestId": format!("chatcmpl-{}", util::hex(7, n, 32))
        })
    } else {
        Value::Null
    };
    let entry = json!({
        "amount": amount,
        "currency": currency,
        "inferenceDetails": details,
        "notes": "API Inference",
        "pricePerUnitUsd": price,
        "sku": sku,
        "timestamp": iso8601_ms(at),
        "units": units
    });
    (at, entry)
}

/// `2026-06-01T00:00:01.234Z` for a Unix time in milliseconds.
fn iso8601_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let base = util::iso8601(secs);
    format!(
        "{}.{:03}Z",
        base.get(..19).unwrap_or(&base),
        ms.rem_euclid(1000)
    )
}

/// Milliseconds since the epoch of an RFC 3339 UTC time ending in `Z`
/// (`2026-06-01T00:00:00Z`, `…00.5Z`).
fn timestamp_ms(text: &str) -> Option<i64> {
    let body = text.strip_suffix('Z')?;
    let (date, time) = body.split_once('T')?;
    let day = day_number(date)?;
    let (clock, fraction) = match time.split_once('.') {
        Some((clock, fraction)) => (clock, fraction),
        None => (time, ""),
    };
    let mut parts = clock.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || h.len() != 2 || m.len() != 2 || s.len() != 2 {
        return None;
    }
    let (h, m, s): (i64, i64, i64) = (h.parse().ok()?, m.parse().ok()?, s.parse().ok()?);
    if h > 23 || m > 59 || s > 60 || fraction.len() > 9 {
        return None;
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || time.ends_with('.') {
        return None;
    }
    let millis: i64 = format!("{fraction:0<3}").get(..3)?.parse().ok()?;
    Some(((day * 86_400 + h * 3600 + m * 60 + s) * 1000) + millis)
}

/// What a walk of the usage history carries from page to page.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Walk {
    /// The index of the next entry to list.
    at: u64,
    start: Option<i64>,
    end: Option<i64>,
    size: u64,
    currency: Option<String>,
}

impl Walk {
    /// The cursor naming this walk's next page: base64url JSON, with a check
    /// value only this server makes (any other cursor is "rejected").
    fn cursor(&self, seed: u64) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        let check = util::hex(seed, fnv(&json), 16);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{check}{json}"))
    }

    fn from_cursor(cursor: &str, seed: u64) -> Option<Walk> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (check, json) = (text.get(..16)?, text.get(16..)?);
        if check != util::hex(seed, fnv(json), 16) {
            return None;
        }
        serde_json::from_str(json).ok()
    }
}

/// FNV-1a of a text.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `GET /billing/usage-history`: a cursor walk in ascending time order over
/// [`USAGE_HISTORY_ENTRIES`] entries; JSON, or CSV (with `x-next-cursor`)
/// when `Accept` names `text/csv`. A cursor this server did not make, or one
/// sent with filters, is a 400.
pub(crate) fn usage_history(state: &State, query: &[(String, String)], accept: &str) -> Reply {
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let filters = ["startTimestamp", "endTimestamp", "pageSize", "currency"];
    let walk = match param("cursor") {
        Some(cursor) => {
            if let Some(name) = filters.iter().find(|name| param(name).is_some()) {
                return Reply::invalid(json!({
                    *name: {"_errors": ["Filter parameters cannot be combined with a cursor: the cursor carries the filters of its walk"]}
                }));
            }
            match Walk::from_cursor(cursor, state.seed) {
                Some(walk) => walk,
                None => {
                    return Reply::invalid(json!({
                        "cursor": {"_errors": ["Invalid or expired cursor: restart the walk from the first page"]}
                    }));
                }
            }
        }
        None => {
            let time = |name: &str| -> Result<Option<i64>, Reply> {
                match param(name) {
                    None => Ok(None),
                    Some(text) => timestamp_ms(text).map(Some).ok_or_else(|| {
                        Reply::invalid(json!({name: {"_errors": ["Invalid datetime: ISO 8601 UTC with a Z suffix"]}}))
                    }),
                }
            };
            let (start, end) = match (time("startTimestamp"), time("endTimestamp")) {
                (Ok(start), Ok(end)) => (start, end),
                (Err(reply), _) | (_, Err(reply)) => return reply,
            };
            if let (Some(start), Some(end)) = (start, end)
                && end <= start
            {
                return Reply::invalid(
                    json!({"endTimestamp": {"_errors": ["endTimestamp must be later than startTimestamp"]}}),
                );
            }
            let size = match param("pageSize").map(str::parse::<u64>) {
                None => 1000,
                Some(Ok(n)) if (10..=1000).contains(&n) => n,
                Some(_) => {
                    return Reply::invalid(
                        json!({"pageSize": {"_errors": ["Number must be between 10 and 1000"]}}),
                    );
                }
            };
            let currency = match param("currency") {
                None => None,
                Some(c @ ("USD" | "DIEM" | "BUNDLED_CREDITS")) => Some(c.to_owned()),
                Some(_) => {
                    return Reply::invalid(json!({"currency": {"_errors": [
                        "Invalid enum value. Expected 'USD' | 'DIEM' | 'BUNDLED_CREDITS'"
                    ]}}));
                }
            };
            Walk {
                at: 0,
                start,
                end,
                size,
                currency,
            }
        }
    };
    // The entries the walk selects from its position on; one more than a page
    // tells whether another page follows.
    let mut page = Vec::new();
    let mut next_at = None;
    for n in walk.at..USAGE_HISTORY_ENTRIES {
        let (at, entry) = history_entry(n);
        let selected = walk.start.is_none_or(|s| at >= s)
            && walk.end.is_none_or(|e| at < e)
            && walk
                .currency
                .as_deref()
                .is_none_or(|c| entry["currency"] == c);
        if !selected {
            continue;
        }
        if page.len() as u64 == walk.size {
            next_at = Some(n);
            break;
        }
        page.push(entry);
    }
    let next_cursor = next_at.map(|at| Walk { at, ..walk.clone() }.cursor(state.seed));
    if accept.to_ascii_lowercase().contains("text/csv") {
        let mut csv = String::from(
            "timestamp,sku,units,pricePerUnitUsd,amount,currency,notes,requestId,promptTokens,completionTokens,inferenceExecutionTime\n",
        );
        for entry in &page {
            let field = |pointer: &str| match entry.pointer(pointer) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            let row: Vec<String> = [
                "/timestamp",
                "/sku",
                "/units",
                "/pricePerUnitUsd",
                "/amount",
                "/currency",
                "/notes",
                "/inferenceDetails/requestId",
                "/inferenceDetails/promptTokens",
                "/inferenceDetails/completionTokens",
                "/inferenceDetails/inferenceExecutionTime",
            ]
            .iter()
            .map(|p| field(p))
            .collect();
            csv.push_str(&row.join(","));
            csv.push('\n');
        }
        let stamp = util::iso8601(util::unix_now()).replace(['-', ':'], "");
        let disposition = format!(
            "attachment; filename=billing-usage-history-{}{}Z.csv",
            stamp.get(..15).unwrap_or("20260101T000000"),
            "000"
        );
        let mut headers = vec![("content-disposition", disposition.as_str())];
        if let Some(cursor) = &next_cursor {
            headers.push(("x-next-cursor", cursor.as_str()));
        }
        return Reply::bytes("text/csv; charset=utf-8", csv.into_bytes()).with_headers(&headers);
    }
    Reply::json(200, &json!({"data": page, "nextCursor": next_cursor}))
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
    use super::*;

    #[test]
    fn dates_round_trip() {
        for day in [0, 11_016, 20_000] {
            assert_eq!(day_number(&util::date(day * 86_400)), Some(day));
        }
        assert_eq!(day_number("2024-13-01"), None);
        assert_eq!(day_number("24-01-01"), None);
    }

    #[test]
    fn the_history_starts_where_it_says_and_times_round_trip() {
        assert_eq!(timestamp_ms("2026-06-01T00:00:00Z"), Some(HISTORY_START_MS));
        let (at, entry) = history_entry(5);
        assert_eq!(timestamp_ms(entry["timestamp"].as_str().unwrap()), Some(at));
        assert_eq!(
            timestamp_ms("2026-06-01T00:00:00.5Z"),
            Some(HISTORY_START_MS + 500)
        );
        assert_eq!(timestamp_ms("2026-06-01T00:00:00"), None);
    }

    #[test]
    fn a_cursor_is_this_servers_own() {
        let walk = Walk {
            at: 3,
            start: None,
            end: Some(5),
            size: 10,
            currency: Some("USD".into()),
        };
        let cursor = walk.cursor(42);
        assert!(
            cursor
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(Walk::from_cursor(&cursor, 42), Some(walk));
        assert_eq!(Walk::from_cursor(&cursor, 43), None);
        assert_eq!(Walk::from_cursor("AZq3fK9tXhIVDm2j", 42), None);
    }
}
