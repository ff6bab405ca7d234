//! The Responses API (alpha): `client.responses()`.

use crate::transport::Call;
use crate::{Client, Error, Response, operations, types};

impl Client {
    /// The Responses API (alpha, OpenAI-compatible).
    pub fn responses(&self) -> Responses<'_> {
        Responses { client: self }
    }
}

/// The Responses API (alpha, OpenAI-compatible): `client.responses()`.
#[derive(Clone, Copy, Debug)]
pub struct Responses<'a> {
    pub(crate) client: &'a Client,
}

impl Responses<'_> {
    /// Creates a model response (`POST /responses`) and returns it whole:
    /// typed output items (reasoning, messages, function calls, web search
    /// calls) and usage.
    ///
    /// The API is stateless: send the whole conversation each time. `stream` is
    /// cleared (this method reads one JSON answer). The endpoint is open to
    /// alpha testers only: other accounts get an [`Error::Api`] (401/403).
    pub async fn create(
        &self,
        mut request: types::ResponsesRequest,
    ) -> Result<Response<types::ResponsesApiResponse>, Error> {
        request.stream = None;
        Call::new(&operations::CREATE_RESPONSE)
            .body(&request)?
            .json(self.client.config())
            .await
    }
}
