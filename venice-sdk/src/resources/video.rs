//! Video: `client.video()`.

use crate::transport::Call;
use crate::{Client, Error, Response, operations, types};

impl Client {
    /// Video.
    pub fn video(&self) -> Video<'_> {
        Video { client: self }
    }
}

/// Video: `client.video()`.
#[derive(Clone, Copy, Debug)]
pub struct Video<'a> {
    pub(crate) client: &'a Client,
}

// Transcription (its own block, beside the other video methods).
impl Video<'_> {
    /// Transcribes the speech of a video at a public URL (YouTube).
    ///
    /// The answer is [`JsonOrText::Json`](crate::JsonOrText::Json) (the
    /// transcript and its language) for `response_format: "json"` (the
    /// default) and [`JsonOrText::Text`](crate::JsonOrText::Text) for
    /// `"text"`.
    pub async fn transcribe(
        &self,
        request: types::CreateVideoTranscriptionRequestSchema,
    ) -> Result<Response<crate::JsonOrText<types::CreateVideoTranscriptionResponse>>, Error> {
        Call::new(&operations::CREATE_VIDEO_TRANSCRIPTION)
            .accept("application/json, text/plain")
            .body(&request)?
            .json_or_text(self.client.config())
            .await
    }
}

impl types::CreateVideoTranscriptionRequestSchema {
    /// A request to transcribe the video at `url`, as JSON.
    pub fn new(url: impl Into<String>) -> Self {
        types::CreateVideoTranscriptionRequestSchema::from_required(url.into())
    }
}
