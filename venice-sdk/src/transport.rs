//! What the generated client carries and how its requests are sent.

use progenitor_client::{ClientHooks, Error as RawError, OperationInfo};

use crate::generated::Client as RawClient;

/// State shared by every request of a generated client.
///
/// The generated [`RawClient`] holds one of these; the hooks below read it.
#[derive(Clone, Debug, Default)]
pub struct Inner {
    _private: (),
}

impl ClientHooks<Inner> for RawClient {
    /// Drops the `api-version` header progenitor adds to every request: the API
    /// does not use it.
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), RawError<E>> {
        request.headers_mut().remove("api-version");
        Ok(())
    }
}
