//! Small helpers: ids, time stamps, word splitting, URL encoding.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::{SystemTime, UNIX_EPOCH};

/// A seed that differs between processes (ids do not repeat across runs).
pub(crate) fn random_seed() -> u64 {
    RandomState::new().hash_one(SystemTime::now())
}

/// A well-mixed 64-bit value from a seed and a counter (splitmix64).
pub(crate) fn mix(seed: u64, n: u64) -> u64 {
    let mut z = seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `len` lowercase hex digits derived from `seed` and `n`.
pub(crate) fn hex(seed: u64, n: u64, len: usize) -> String {
    let mut out = String::with_capacity(len + 16);
    let mut i = 0;
    while out.len() < len {
        out.push_str(&format!(
            "{:016x}",
            mix(seed, n.wrapping_mul(31).wrapping_add(i))
        ));
        i += 1;
    }
    out.truncate(len);
    out
}

/// A UUID-shaped id (version 4 layout).
pub(crate) fn uuid(seed: u64, n: u64) -> String {
    let h = hex(seed, n, 32);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Milliseconds since the Unix epoch.
pub(crate) fn unix_now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

/// `2025-03-03T05:22:29.000Z` for a Unix time in seconds.
pub(crate) fn iso8601(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `2025-03-03` for a Unix time in seconds.
pub(crate) fn date(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Year, month, day of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Splits text into word pieces that keep their leading white space, so the
/// pieces joined give the text back: `"Hi there"` → `["Hi", " there"]`.
pub(crate) fn pieces(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if in_word {
                out.push(std::mem::take(&mut current));
                in_word = false;
            }
        } else {
            in_word = true;
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A rough token count (about four characters per token, at least one).
pub(crate) fn tokens(text: &str) -> i64 {
    i64::try_from(text.chars().count() / 4 + 1).unwrap_or(i64::MAX)
}

/// Percent-encodes a URL query value.
pub(crate) fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// `overlay` merged into `base`: objects key by key (recursively), anything else
/// replaced. Used to build answers on the spec's examples, so fields upstream adds
/// (and marks required) are present without this crate listing them.
pub(crate) fn merge(base: serde_json::Value, overlay: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match (base, overlay) {
        (Value::Object(mut base), Value::Object(overlay)) => {
            for (k, v) in overlay {
                let merged = match base.remove(&k) {
                    Some(old) => merge(old, v),
                    None => v,
                };
                base.insert(k, merged);
            }
            Value::Object(base)
        }
        (_, overlay) => overlay,
    }
}

/// The spec's example success body of `op`, at JSON `pointer` (`""` for the
/// whole body); `{}` when the spec has none.
pub(crate) fn example_at(
    op: &venice_sdk::operations::Operation,
    pointer: &str,
) -> serde_json::Value {
    op.example_response
        .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
        .and_then(|v| v.pointer(pointer).cloned())
        .unwrap_or_else(|| serde_json::json!({}))
}

/// `value` as the generated type `T`, read from its JSON: the answers are written
/// as the JSON the server sends, so they do not depend on the generated types'
/// shapes (a union's variants, a field's integer or number type).
///
/// # Panics
///
/// When `T` refuses the JSON: a regen on a spec that no longer describes these
/// answers, which venice-testing's own tests catch.
pub(crate) fn typed<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    match serde_json::from_value(value) {
        Ok(v) => v,
        Err(e) => panic!("venice-testing: the generated type no longer reads this answer: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_overlays_objects_and_replaces_the_rest() {
        let merged = merge(
            serde_json::json!({"a": {"x": 1, "y": 2}, "b": [1], "c": 3}),
            serde_json::json!({"a": {"y": 5}, "b": [2, 3], "d": 4}),
        );
        assert_eq!(
            merged,
            serde_json::json!({"a": {"x": 1, "y": 5}, "b": [2, 3], "c": 3, "d": 4})
        );
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_740_979_349), "2025-03-03T05:22:29.000Z");
        assert_eq!(date(951_782_400), "2000-02-29");
    }

    #[test]
    fn pieces_join_back_to_the_text() {
        let text = "  Hello, world!\nNew  line ";
        let p = pieces(text);
        assert_eq!(p.concat(), text);
        assert_eq!(pieces("Hi there"), ["Hi", " there"]);
        assert!(pieces("").is_empty());
    }

    #[test]
    fn ids_have_their_shape() {
        let id = uuid(7, 1);
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert_eq!(hex(7, 1, 40).len(), 40);
        assert_ne!(hex(7, 1, 16), hex(7, 2, 16));
        assert_eq!(url_encode("a b&c"), "a+b%26c");
    }
}
