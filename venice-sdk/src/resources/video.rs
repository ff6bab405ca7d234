//! Video: `client.video()` — generation jobs (quote, queue, retrieve, complete)
//! and transcription.

use bytes::Bytes;

use super::jobs::{DownloadUrl, Job, JobKind, JobTicket, RetrieveOutcome};
use crate::refusal::{ConsentAcceptance, ConsentRequired};
use crate::shape;
use crate::transport::Call;
use crate::{Client, Error, Response, operations, types};

impl Client {
    /// Video generation.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let video = client.video();
    /// let request = venice_sdk::types::QuoteVideoRequest::new("seedance-2-0-text-to-video", "5s");
    /// println!("${}", video.quote(request).await?.quote);
    /// # Ok(()) }
    /// ```
    pub fn video(&self) -> Video<'_> {
        Video { client: self }
    }
}

/// Video generation: `client.video()`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let request = venice_sdk::types::QueueVideoRequest::new("seedance-2-0-text-to-video", "Waves at night", "5s");
/// let job = client.video().generate(request).await?;
/// # let job = job.poll_interval(std::time::Duration::from_millis(10));
/// job.wait().await?.save(std::env::temp_dir().join("waves.mp4")).await?;
/// job.complete().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Video<'a> {
    pub(crate) client: &'a Client,
}

/// Generation jobs: quote a price, queue a job, retrieve its status or video,
/// and delete the video from Venice's storage once downloaded.
impl Video<'_> {
    /// The price in USD of generating a video with these settings (`quote`);
    /// nothing is queued or charged.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = venice_sdk::types::QuoteVideoRequest::new("seedance-2-0-text-to-video", "5s");
    /// let quote = client.video().quote(request).await?;
    /// println!("a 5 s video: ${}", quote.quote);
    /// # Ok(()) }
    /// ```
    pub async fn quote(
        &self,
        request: types::QuoteVideoRequest,
    ) -> Result<Response<types::QuoteVideoResponse>, Error> {
        Call::new(&operations::QUOTE_VIDEO)
            .body(&request)?
            .json(self.client.config())
            .await
    }

    /// Queues a video generation job (charged); the answer's `queue_id` and
    /// `model` identify it for [`retrieve`](Self::retrieve) and
    /// [`complete`](Self::complete). Some models also return a `download_url`
    /// to fetch the video from once the job is `COMPLETED`.
    ///
    /// Retried like other `POST`s, only when the job cannot have been queued
    /// (a retry must not queue and charge twice). A prompt refused by the
    /// content policy is an [`Error::Api`] with status 422. Media with faces
    /// may need the user's consent first:
    /// [`ApiErrorKind::ConsentRequired`](crate::ApiErrorKind::ConsentRequired)
    /// (see [`ApiError::consent`](crate::ApiError::consent) and
    /// [`ConsentRequired::apply_to`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = venice_sdk::types::QueueVideoRequest::new("seedance-2-0-text-to-video", "Waves at night", "5s");
    /// let queued = client.video().queue(request).await?;
    /// println!("queued {} on {}", queued.queue_id, queued.model);
    /// # Ok(()) }
    /// ```
    pub async fn queue(
        &self,
        request: types::QueueVideoRequest,
    ) -> Result<Response<types::QueueVideoResponse>, Error> {
        Call::new(&operations::QUEUE_VIDEO)
            .body(&request)?
            .json(self.client.config())
            .await
    }

    /// The job's status while it runs
    /// ([`RetrieveOutcome::Processing`]), its video once done
    /// ([`RetrieveOutcome::Media`], `video/mp4` bytes), or `COMPLETED` without
    /// the video for models that gave a `download_url`
    /// ([`RetrieveOutcome::Completed`]).
    ///
    /// The video is held in memory (up to the
    /// [`max_response_size`](crate::ClientBuilder::max_response_size));
    /// [`retrieve_to`](Self::retrieve_to) writes it out as it arrives instead.
    /// An unknown, expired or deleted job is
    /// [`ApiErrorKind::NotFound`](crate::ApiErrorKind::NotFound); a job the
    /// model's provider refused is
    /// [`ApiErrorKind::ContentPolicy`](crate::ApiErrorKind::ContentPolicy)
    /// (see [`ApiError::content_policy`](crate::ApiError::content_policy)); an
    /// answer that is neither JSON nor a video is an [`Error::Decode`].
    ///
    /// ```
    /// use venice_sdk::RetrieveOutcome;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = venice_sdk::types::QueueVideoRequest::new("seedance-2-0-text-to-video", "Waves", "5s");
    /// let queued = client.video().queue(request).await?;
    /// loop {
    ///     match client.video().retrieve(queued.retrieve_request()).await?.into_inner() {
    ///         RetrieveOutcome::Processing(status) => println!("{:?} ms so far", status.execution_duration),
    ///         RetrieveOutcome::Media { data, .. } => {
    ///             std::fs::write(std::env::temp_dir().join("waves.mp4"), &data)?;
    ///             break;
    ///         }
    ///         other => return Err(format!("unexpected: {other:?}").into()),
    ///     }
    ///     # if false {
    ///     tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    ///     # }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn retrieve(
        &self,
        request: types::RetrieveVideoRequest,
    ) -> Result<Response<RetrieveOutcome<types::RetrieveVideoResponse>>, Error> {
        let mut video = Vec::new();
        let answer = Call::new(&operations::RETRIEVE_VIDEO)
            .accept(JobKind::Video.accept())
            .body(&request)?
            .json_or_download(self.client.config(), "video/", &mut video)
            .await?;
        Ok(answer.map(|a| RetrieveOutcome::from_answer(a, |_| Bytes::from(video))))
    }

    /// Like [`retrieve`](Self::retrieve), but a finished video is written to
    /// `writer` as it arrives ([`RetrieveOutcome::Media`] holds the number of
    /// bytes written); a JSON status writes nothing.
    ///
    /// Retries happen only before the first byte is written. A write failure is
    /// an [`Error::Io`] (with an empty path); more than
    /// [`max_response_size`](crate::ClientBuilder::max_response_size) bytes end
    /// the transfer with [`Error::BodyTooLarge`] (what was written stays
    /// written). With `delete_media_on_completion` set, a failed transfer cannot
    /// be retrieved again.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::types::QueueVideoRequest::new("seedance-2-0-text-to-video", "Waves", "5s");
    /// # let queued = client.video().queue(request).await?;
    /// let mut file = tokio::fs::File::create(std::env::temp_dir().join("waves.mp4")).await?;
    /// let answer = client.video().retrieve_to(queued.retrieve_request(), &mut file).await?;
    /// match answer.media() {
    ///     Some(written) => println!("{written} bytes saved"),
    ///     None => println!("not done yet: retrieve again later"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn retrieve_to<W>(
        &self,
        request: types::RetrieveVideoRequest,
        writer: &mut W,
    ) -> Result<Response<RetrieveOutcome<types::RetrieveVideoResponse, u64>>, Error>
    where
        W: tokio::io::AsyncWrite + Unpin + ?Sized,
    {
        let answer = Call::new(&operations::RETRIEVE_VIDEO)
            .accept(JobKind::Video.accept())
            .body(&request)?
            .json_or_download(self.client.config(), "video/", writer)
            .await?;
        Ok(answer.map(|a| RetrieveOutcome::from_answer(a, |written| written)))
    }

    /// Deletes the job's video from Venice's storage once downloaded (not needed
    /// when it was retrieved with `delete_media_on_completion`). `success:
    /// false` means the cleanup did not happen and may be tried again; an
    /// unknown job is [`ApiErrorKind::NotFound`](crate::ApiErrorKind::NotFound).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::types::QueueVideoRequest::new("seedance-2-0-text-to-video", "Waves", "5s");
    /// # let queued = client.video().queue(request).await?;
    /// // Once the video is downloaded:
    /// let done = client.video().complete(queued.complete_request()).await?;
    /// println!("deleted from storage: {}", done.success);
    /// # Ok(()) }
    /// ```
    pub async fn complete(
        &self,
        request: types::CompleteVideoRequest,
    ) -> Result<Response<types::CompleteVideoResponse>, Error> {
        Call::new(&operations::COMPLETE_VIDEO)
            .body(&request)?
            .json(self.client.config())
            .await
    }
}

/// Jobs end to end: queue, then poll and download with a [`Job`].
impl Video<'_> {
    /// Queues a video generation job (charged, see [`queue`](Self::queue))
    /// and returns its [`Job`]: [`wait`](Job::wait) for the video or follow
    /// its [`progress`](Job::progress), then [`save`](super::Media::save) it.
    /// Save [`Job::ticket`] to resume the job after a restart.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = venice_sdk::types::QueueVideoRequest::new("seedance-2-0-text-to-video", "Waves at night", "5s");
    /// let job = client.video().generate(request).await?.cleanup_after_download(true);
    /// # let job = job.poll_interval(std::time::Duration::from_millis(10));
    /// let size = job.wait().await?.save(std::env::temp_dir().join("waves.mp4")).await?;
    /// println!("{size} bytes");
    /// # Ok(()) }
    /// ```
    pub async fn generate(&self, request: types::QueueVideoRequest) -> Result<Job, Error> {
        let queued = self.queue(request).await?.into_inner();
        let ticket = JobTicket::new(JobKind::Video, queued.model, queued.queue_id)
            .with_download_url(queued.download_url.map(DownloadUrl::new));
        Ok(Job::new(self.client, ticket))
    }

    /// The [`Job`] of a video queued earlier, from its model and queue id. A
    /// job whose model returned a `download_url` needs it: use
    /// [`resume`](Self::resume) with the saved [`JobTicket`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::types::QueueVideoRequest::new("seedance-2-0-text-to-video", "Waves", "5s");
    /// # let queue_id = client.video().queue(request).await?.into_inner().queue_id;
    /// // `queue_id`: from a `queue` answer saved earlier.
    /// let job = client.video().job("seedance-2-0-text-to-video", queue_id);
    /// # let job = job.poll_interval(std::time::Duration::from_millis(10));
    /// job.wait().await?.save(std::env::temp_dir().join("waves.mp4")).await?;
    /// # Ok(()) }
    /// ```
    pub fn job(&self, model: impl Into<String>, queue_id: impl Into<String>) -> Job {
        Job::new(self.client, JobTicket::new(JobKind::Video, model, queue_id))
    }

    /// The [`Job`] of a saved ticket; a ticket of another kind of job is an
    /// [`Error::InvalidRequest`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::types::QueueVideoRequest::new("seedance-2-0-text-to-video", "Waves", "5s");
    /// # let saved = serde_json::to_string(client.video().generate(request).await?.ticket())?;
    /// // `saved`: a ticket written with serde before a restart.
    /// let ticket: venice_sdk::JobTicket = serde_json::from_str(&saved)?;
    /// let job = client.video().resume(ticket)?;
    /// # let job = job.poll_interval(std::time::Duration::from_millis(10));
    /// job.wait().await?.save(std::env::temp_dir().join("waves.mp4")).await?;
    /// # Ok(()) }
    /// ```
    pub fn resume(&self, ticket: JobTicket) -> Result<Job, Error> {
        Job::resume(self.client, JobKind::Video, ticket)
    }
}

impl types::QueueVideoResponse {
    /// The request retrieving this job (`delete_media_on_completion` unset).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = venice_sdk::types::QueueVideoRequest::new("seedance-2-0-text-to-video", "Waves", "5s");
    /// let queued = client.video().queue(request).await?;
    /// let status = client.video().retrieve(queued.retrieve_request()).await?;
    /// println!("still processing: {}", status.is_processing());
    /// # Ok(()) }
    /// ```
    pub fn retrieve_request(&self) -> types::RetrieveVideoRequest {
        crate::shape::build(
            "RetrieveVideoRequest",
            serde_json::json!({"model": self.model, "queue_id": self.queue_id}),
        )
    }

    /// The request deleting this job's video from storage.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = venice_sdk::types::QueueVideoRequest::new("seedance-2-0-text-to-video", "Waves", "5s");
    /// let queued = client.video().queue(request).await?;
    /// // … retrieve the video, then:
    /// client.video().complete(queued.complete_request()).await?;
    /// # Ok(()) }
    /// ```
    pub fn complete_request(&self) -> types::CompleteVideoRequest {
        crate::shape::build(
            "CompleteVideoRequest",
            serde_json::json!({"model": self.model, "queue_id": self.queue_id}),
        )
    }
}

// Transcription (its own block, beside the other video methods).
impl Video<'_> {
    /// Transcribes the speech of a video at a public URL (YouTube).
    ///
    /// The answer is [`JsonOrText::Json`](crate::JsonOrText::Json) (the
    /// transcript and its language) for `response_format: "json"` (the
    /// default) and [`JsonOrText::Text`](crate::JsonOrText::Text) for
    /// `"text"`.
    ///
    /// ```
    /// use venice_sdk::{JsonOrText, types::CreateVideoTranscriptionRequestSchema};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = CreateVideoTranscriptionRequestSchema::new("https://www.youtube.com/watch?v=dQw4w9WgXcQ");
    /// match client.video().transcribe(request).await?.into_inner() {
    ///     JsonOrText::Json(answer) => println!("[{:?}] {}", answer.lang, answer.transcript),
    ///     JsonOrText::Text(text) => println!("{text}"),
    /// }
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```
    /// use venice_sdk::types::CreateVideoTranscriptionRequestSchema;
    ///
    /// let request = CreateVideoTranscriptionRequestSchema::new("https://www.youtube.com/watch?v=dQw4w9WgXcQ");
    /// # let _ = request;
    /// ```
    pub fn new(url: impl Into<String>) -> Self {
        crate::shape::build(
            "CreateVideoTranscriptionRequestSchema",
            serde_json::json!({"url": url.into()}),
        )
    }
}

/// The longest consent flow name put on a request.
const MAX_FLOW: usize = 64;

/// Sending the consent a video model asked for.
impl ConsentRequired {
    /// Puts the user's `acceptance` on `request` as its consent for this
    /// flow (`consents.<flow>`: `confirmed_terms_and_privacy`,
    /// `confirmed_legal_right`, `confirmed_screening_acknowledged`, all
    /// `true`), keeping the request's other fields and consents; then queue
    /// the request again.
    ///
    /// Only call it with what the user explicitly answered after seeing
    /// [`policy_text`](Self::policy_text). Refused with
    /// [`Error::InvalidRequest`], leaving `request` unchanged, when a
    /// statement is not accepted (the field names it), when the refusal named
    /// no usable flow, or when this SDK's request type cannot carry the flow
    /// (a flow newer than the SDK: update it).
    ///
    /// ```
    /// use venice_sdk::{ConsentAcceptance, ConsentRequired, types::QueueVideoRequest};
    ///
    /// # fn main() -> Result<(), venice_sdk::Error> {
    /// // As `ApiError::consent` reads it from a 409 `needs_consent` answer.
    /// let mut consent = ConsentRequired::default();
    /// consent.flow = Some("seedance".into());
    /// let mut request: QueueVideoRequest = serde_json::from_value(serde_json::json!({
    ///     "model": "seedance-2-0-image-to-video", "prompt": "A wave", "duration": "5s",
    /// })).unwrap();
    /// let accepted = ConsentAcceptance::new()
    ///     .terms_and_privacy(true)
    ///     .legal_right(true)
    ///     .screening_acknowledged(true);
    /// consent.apply_to(&mut request, accepted)?;
    /// let sent = serde_json::to_value(&request).unwrap();
    /// assert_eq!(sent["consents"]["seedance"]["confirmed_legal_right"], true);
    ///
    /// // A statement the user did not accept is refused.
    /// assert!(consent.apply_to(&mut request, ConsentAcceptance::new()).is_err());
    /// # Ok(()) }
    /// ```
    pub fn apply_to(
        &self,
        request: &mut types::QueueVideoRequest,
        acceptance: ConsentAcceptance,
    ) -> Result<(), Error> {
        // The flow is the server's text and becomes a field name: only a
        // short name of letters, digits, `-` and `_` is used.
        let flow = self
            .flow
            .as_deref()
            .filter(|f| {
                !f.is_empty()
                    && f.len() <= MAX_FLOW
                    && f.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
            .ok_or_else(|| {
                Error::invalid(
                    "consents",
                    "the needs_consent answer named no usable consent_flow, so there is no consent entry to fill",
                )
            })?;
        let attestations = acceptance.attestations().map_err(|statement| {
            Error::invalid(
                format!("consents.{flow}.{statement}"),
                "is not accepted: send a consent only when the user accepts every statement",
            )
        })?;
        let mut json = shape::json_of(&*request);
        let Some(object) = json.as_object_mut() else {
            return Err(Error::invalid(
                "consents",
                "the request is not a JSON object",
            ));
        };
        let consents = object
            .entry("consents")
            .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
        if !consents.is_object() {
            *consents = serde_json::Value::Object(serde_json::Map::new());
        }
        if let Some(consents) = consents.as_object_mut() {
            consents.insert(flow.to_owned(), attestations.clone());
        }
        let updated: types::QueueVideoRequest = shape::convert("consents", &json)?;
        // The generated type drops an entry it does not know: check it is there.
        let kept = shape::json_of(&updated)
            .get("consents")
            .and_then(|c| c.get(flow))
            == Some(&attestations);
        if !kept {
            return Err(Error::invalid(
                format!("consents.{flow}"),
                "cannot be sent by this version of venice-sdk (its QueueVideoRequest does not know this consent flow); update venice-sdk",
            ));
        }
        *request = updated;
        Ok(())
    }
}
