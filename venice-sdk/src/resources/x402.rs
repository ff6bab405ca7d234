//! x402 wallet payments: what a `402 Payment Required` answer of an x402
//! endpoint asks for, read from the [`ApiError`].

use crate::{ApiError, types};

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
