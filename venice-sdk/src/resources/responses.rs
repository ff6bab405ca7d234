//! The Responses API (alpha): `client.responses()`, whole or streamed.

use crate::stream::ResponseStream;
use crate::transport::Call;
use crate::{Client, Error, Response, operations, types};

impl Client {
    /// The Responses API (alpha, OpenAI-compatible).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let responses = client.responses();
    /// let request = venice_sdk::types::ResponsesRequest::new("venice-uncensored", "Why is the sky blue?");
    /// println!("{}", responses.create(request).await?.output_text());
    /// # Ok(()) }
    /// ```
    pub fn responses(&self) -> Responses<'_> {
        Responses { client: self }
    }
}

/// The Responses API (alpha, OpenAI-compatible): `client.responses()`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let request = venice_sdk::types::ResponsesRequest::new("venice-uncensored", "Tell me a joke");
/// let answer = client.responses().create(request).await?;
/// println!("{} ({:?})", answer.output_text(), answer.usage);
/// # Ok(()) }
/// ```
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
    ///
    /// ```
    /// use venice_sdk::types::ResponsesRequest;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = ResponsesRequest::new("venice-uncensored", "Why is the sky blue?");
    /// let answer = client.responses().create(request).await?;
    /// println!("{}", answer.output_text());
    /// for item in &answer.output {
    ///     println!("{}", serde_json::to_value(item).unwrap_or_default()["type"]);
    /// }
    /// # Ok(()) }
    /// ```
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

    /// Starts a streamed response (`POST /responses` with `stream` set to
    /// `true`): a [`ResponseStream`] of typed events (`response.created`,
    /// `response.output_text.delta`, …, `response.completed`), with
    /// [`text`](ResponseStream::text) for the text deltas only and
    /// [`collect_response`](ResponseStream::collect_response) for the final
    /// response.
    ///
    /// An error before the stream starts (an error status, or an answer that is
    /// not an event stream) is returned here as the same [`Error`] as from
    /// [`create`](Self::create); the request timeout covers the response head
    /// only, then the stream limits apply as for a chat stream (idle timeout,
    /// overall stream timeout, event and response size limits).
    ///
    /// ```
    /// use venice_sdk::types::ResponsesRequest;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = ResponsesRequest::new("venice-uncensored", "Write a haiku");
    /// let mut events = client.responses().stream(request).await?;
    /// while let Some(event) = events.next().await {
    ///     if let Some(delta) = event?.text_delta() {
    ///         print!("{delta}");
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn stream(
        &self,
        mut request: types::ResponsesRequest,
    ) -> Result<ResponseStream, Error> {
        request.stream = Some(true);
        Call::new(&operations::CREATE_RESPONSE)
            .body(&request)?
            .event_stream(self.client.config())
            .await
            .map(ResponseStream::new)
    }
}

impl types::ResponsesApiResponse {
    /// The text of the answer: the `output_text` parts of every message item,
    /// in order, joined without separator (empty when the output holds no
    /// message, e.g. only function calls).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = venice_sdk::types::ResponsesRequest::new("venice-uncensored", "Hi");
    /// let answer = client.responses().create(request).await?;
    /// let text: String = answer.output_text();
    /// println!("{text}");
    /// # Ok(()) }
    /// ```
    pub fn output_text(&self) -> String {
        self.output
            .iter()
            .filter_map(|item| match item {
                types::ResponsesApiResponseOutputItem::MessageOutput { content, .. } => {
                    Some(content)
                }
                _ => None,
            })
            .flatten()
            .map(|part| part.text.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::types::ResponsesApiResponse;

    /// Each output item decodes as the member its `type` names, and a type this
    /// SDK does not know is kept as JSON instead of failing the response.
    #[test]
    fn output_items_decode_by_their_type() -> Result<(), serde_json::Error> {
        let response: ResponsesApiResponse = serde_json::from_value(serde_json::json!({
            "id": "resp_1", "object": "response", "created_at": 1, "model": "m",
            "status": "completed",
            "output": [
                {"type": "reasoning", "id": "rs_1", "summary": ["thought"]},
                {"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
                 "content": [{"type": "output_text", "text": "Hello", "annotations": []}]},
                {"type": "function_call", "id": "fc_1", "call_id": "c1", "name": "f",
                 "arguments": "{}", "status": "completed"},
                {"type": "image_generation_call", "id": "ig_1", "result": "…"},
                {"type": "message", "id": "msg_2", "status": "completed", "role": "assistant",
                 "content": [{"type": "output_text", "text": ", world", "annotations": []}]}
            ]
        }))?;
        // Which member each item decoded as, by the variant's name in its
        // `Debug` (naming the variants here would tie the test to the
        // union's current members).
        let kinds: Vec<String> = response
            .output
            .iter()
            .map(|item| {
                let shown = format!("{item:?}");
                let variant = shown.split([' ', '(', '{']).next().unwrap_or("").to_owned();
                match serde_json::to_value(item)
                    .ok()
                    .and_then(|v| v["type"].as_str().map(str::to_owned))
                {
                    Some(kind) if variant == "Unknown" => format!("unknown {kind}"),
                    _ => variant,
                }
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "ReasoningOutput",
                "MessageOutput",
                "FunctionCallOutput",
                "unknown image_generation_call",
                "MessageOutput"
            ]
        );
        assert_eq!(response.output_text(), "Hello, world");
        Ok(())
    }
}
