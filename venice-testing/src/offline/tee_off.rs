//! Without the `tee` feature there is no offline enclave: private chat with an
//! `e2ee-*` model and `GET /tee/attestation` are answered with 501, naming the
//! feature, so a test that needs them says why instead of seeing plain chat.

use serde_json::Value;

use super::{Reply, State};

/// What the two routes answer.
const WITHOUT_ENCLAVE: &str = "the offline Venice was built without its enclave: enable venice-testing's `tee` feature (on by default) to test private chat";

/// `GET /tee/attestation`: 501.
pub(crate) fn attestation(_query: &[(String, String)]) -> Reply {
    Reply::error(501, WITHOUT_ENCLAVE)
}

/// `POST /chat/completions` for an `e2ee-*` model: 501.
pub(crate) fn chat(_state: &State, _req: &httpmock::HttpMockRequest, _body: &Value) -> Reply {
    Reply::error(501, WITHOUT_ENCLAVE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attestation_names_the_feature() {
        let reply = attestation(&[]);
        assert_eq!(reply.status, 501);
        assert!(String::from_utf8_lossy(&reply.body).contains("`tee` feature"));
    }
}
