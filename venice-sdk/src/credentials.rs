//! The headers that carry credentials besides the API key: the wallet's
//! Sign-In-With-X token and x402 payments.
//!
//! The names sent are the spec's, read from the generated `operations` table:
//! the wallet header is [`operations::WALLET_AUTH_HEADER`] (the spec's `apiKey`
//! header scheme), the payment header is the header parameter of
//! `POST /x402/top-up`. A rename upstream is a regen, not a code change.
//!
//! The legacy names Venice still accepts during its migration are listed by
//! hand below. They are never sent; they are recognized: a value under any of
//! them is a credential (marked sensitive, scrubbed from what comes back), and a
//! request carrying a payment under any of them is never sent twice.

use std::sync::LazyLock;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName};

use crate::operations;

/// Names the wallet token travelled in before the spec's current one.
pub(crate) const LEGACY_WALLET_HEADERS: [&str; 1] = ["x-sign-in-with-x"];

/// Names an x402 payment travelled in before the spec's current one:
/// Venice's `X-402-Payment`, and x402 v1's `X-PAYMENT`.
pub(crate) const LEGACY_PAYMENT_HEADERS: [&str; 2] = ["x-402-payment", "x-payment"];

/// The names, parsed once.
struct Names {
    /// The spec's wallet header.
    wallet: Option<HeaderName>,
    /// The spec's payment header of a top-up.
    payment: Option<HeaderName>,
    /// Every name a payment is recognized in: the spec's and the legacy ones.
    payments: Vec<HeaderName>,
    /// Every name of a credential: `Authorization`, the wallet's (the spec's
    /// and the legacy ones) and the payments'.
    credentials: Vec<HeaderName>,
}

static NAMES: LazyLock<Names> = LazyLock::new(|| {
    let wallet = operations::WALLET_AUTH_HEADER.and_then(parse);
    let payment = payment_parameter(
        operations::TOP_UP_X402_BALANCE.header_params,
        operations::WALLET_AUTH_HEADER,
    )
    .and_then(parse);
    let mut payments: Vec<HeaderName> = payment.iter().cloned().collect();
    add_all(
        &mut payments,
        LEGACY_PAYMENT_HEADERS.iter().filter_map(|n| parse(n)),
    );
    let mut credentials = vec![AUTHORIZATION];
    add_all(&mut credentials, wallet.iter().cloned());
    add_all(
        &mut credentials,
        LEGACY_WALLET_HEADERS.iter().filter_map(|n| parse(n)),
    );
    add_all(&mut credentials, payments.iter().cloned());
    Names {
        wallet,
        payment,
        payments,
        credentials,
    }
});

/// A header name as the spec writes it, parsed (header names are case-blind:
/// `SIGN-IN-WITH-X` is `sign-in-with-x`); `None` when it is no valid name.
fn parse(name: &str) -> Option<HeaderName> {
    HeaderName::from_bytes(name.trim().as_bytes()).ok()
}

fn add_all(list: &mut Vec<HeaderName>, names: impl IntoIterator<Item = HeaderName>) {
    for name in names {
        if !list.contains(&name) {
            list.push(name);
        }
    }
}

/// The header a top-up's payment travels in, told by its shape: the one header
/// parameter of the operation that is neither its `Idempotency-Key` nor the
/// wallet header. `None` when there is not exactly one.
fn payment_parameter<'a>(params: &[&'a str], wallet: Option<&str>) -> Option<&'a str> {
    let mut candidates = params.iter().copied().filter(|name| {
        !name.eq_ignore_ascii_case("idempotency-key")
            && !wallet.is_some_and(|w| name.eq_ignore_ascii_case(w))
    });
    let first = candidates.next()?;
    candidates.next().is_none().then_some(first)
}

/// The header the wallet token is sent in: the spec's name. `None` when the
/// spec declares no wallet scheme (or a name a header cannot have).
pub(crate) fn wallet_header() -> Option<&'static HeaderName> {
    NAMES.wallet.as_ref()
}

/// The header a top-up's payment is sent in: the spec's name. `None` when the
/// spec's top-up declares no single payment header.
pub(crate) fn payment_header() -> Option<&'static HeaderName> {
    NAMES.payment.as_ref()
}

/// Whether a request carries an x402 payment, under the spec's name or a
/// legacy one.
pub(crate) fn carries_payment(headers: &HeaderMap) -> bool {
    NAMES.payments.iter().any(|name| headers.contains_key(name))
}

/// Whether `name` carries a credential: `Authorization`, the wallet token or a
/// payment (the spec's names and the legacy ones).
pub(crate) fn is_credential(name: &HeaderName) -> bool {
    NAMES.credentials.contains(name)
}

/// Marks every credential header of `headers` sensitive (so a `Debug` of the
/// request shows `Sensitive`, whoever set it: the SDK, the generated client's
/// builder, or the user's extra headers).
pub(crate) fn mark_sensitive(headers: &mut HeaderMap) {
    for (name, value) in headers.iter_mut() {
        if is_credential(name) && !value.is_sensitive() {
            value.set_sensitive(true);
        }
    }
}

/// The values of the wallet and payment headers of `headers` (not
/// `Authorization`: the client's key is known already), as secrets to scrub.
#[cfg_attr(not(feature = "raw"), allow(dead_code))] // `Client::raw`'s path
pub(crate) fn wallet_and_payment_values(headers: &HeaderMap) -> Vec<crate::Secret> {
    headers
        .iter()
        .filter(|(name, _)| **name != AUTHORIZATION && is_credential(name))
        .filter_map(|(_, value)| value.to_str().ok())
        .map(crate::Secret::new)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_sent_are_the_specs() {
        let wallet = operations::WALLET_AUTH_HEADER.expect("the spec has a wallet scheme");
        assert_eq!(
            wallet_header().map(HeaderName::as_str),
            Some(wallet.to_ascii_lowercase().as_str())
        );
        // The top-up declares one header parameter: the payment's.
        let payment = payment_header().expect("the top-up declares its payment header");
        assert!(
            operations::TOP_UP_X402_BALANCE
                .header_params
                .iter()
                .any(|p| p.eq_ignore_ascii_case(payment.as_str()))
        );
        for legacy in LEGACY_WALLET_HEADERS.iter().chain(&LEGACY_PAYMENT_HEADERS) {
            assert_ne!(payment.as_str(), *legacy);
            assert_ne!(wallet_header().map(HeaderName::as_str), Some(*legacy));
        }
    }

    #[test]
    fn the_payment_parameter_is_told_by_shape() {
        assert_eq!(payment_parameter(&["PAY"], Some("W")), Some("PAY"));
        assert_eq!(
            payment_parameter(&["Idempotency-Key", "w", "PAY"], Some("W")),
            Some("PAY")
        );
        assert_eq!(payment_parameter(&[], Some("W")), None);
        assert_eq!(payment_parameter(&["A", "B"], None), None);
    }

    #[test]
    fn payments_are_recognized_under_every_name() {
        for name in ["payment-signature", "x-402-payment", "X-PAYMENT"] {
            let mut headers = HeaderMap::new();
            headers.insert(parse(name).unwrap(), "p".parse().unwrap());
            assert!(carries_payment(&headers), "{name}");
            assert!(is_credential(&parse(name).unwrap()), "{name}");
        }
        let mut headers = HeaderMap::new();
        headers.insert("x-other", "p".parse().unwrap());
        assert!(!carries_payment(&headers));
        for name in ["sign-in-with-x", "X-Sign-In-With-X", "authorization"] {
            assert!(is_credential(&parse(name).unwrap()), "{name}");
        }
        assert!(!is_credential(&parse("x-request-id").unwrap()));
    }

    #[test]
    fn credential_headers_are_marked_sensitive_and_learned() {
        let mut headers = HeaderMap::new();
        headers.insert("sign-in-with-x", "wallet-token-1".parse().unwrap());
        headers.insert("x-402-payment", "payment-2".parse().unwrap());
        headers.insert("authorization", "Bearer k".parse().unwrap());
        headers.insert("x-trace", "t".parse().unwrap());
        mark_sensitive(&mut headers);
        assert!(headers["sign-in-with-x"].is_sensitive());
        assert!(headers["x-402-payment"].is_sensitive());
        assert!(headers["authorization"].is_sensitive());
        assert!(!headers["x-trace"].is_sensitive());
        let learned: Vec<String> = wallet_and_payment_values(&headers)
            .iter()
            .map(|s| s.expose().to_owned())
            .collect();
        assert_eq!(learned, ["wallet-token-1", "payment-2"]);
    }
}
