//! Queued jobs (video and music generation): what retrieving one answers, shared
//! by [`Video::retrieve`](super::Video::retrieve) and
//! [`Audio::retrieve`](super::Audio::retrieve).

use bytes::Bytes;

use crate::transport::JsonOrMedia;
use crate::types;

/// What retrieving a queued job answered, decided by the response's media type:
/// a JSON status, or the finished media.
///
/// `S` is the operation's status type
/// ([`RetrieveVideoResponse`](types::RetrieveVideoResponse),
/// [`RetrieveAudioResponse`](types::RetrieveAudioResponse)); `M` is the media:
/// its bytes ([`Bytes`], from `retrieve`) or how many bytes were written
/// (`u64`, from `retrieve_to`).
///
/// New variants may come with new job states: match with a fallback arm.
///
/// ```
/// use venice_sdk::RetrieveOutcome;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// # let request = venice_sdk::from_json(br#"{"model": "elevenlabs-music", "prompt": "Rain", "duration_seconds": 10}"#)?;
/// # let queued = client.audio().queue(request).await?;
/// match client.audio().retrieve(queued.retrieve_request()).await?.into_inner() {
///     RetrieveOutcome::Processing(_) => println!("still running"),
///     RetrieveOutcome::Media { data, media_type } => println!("{} bytes of {media_type}", data.len()),
///     RetrieveOutcome::Completed(_) => println!("done: fetch it from the download_url"),
///     other => println!("unexpected: {:?}", other.status()),
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum RetrieveOutcome<S, M = Bytes> {
    /// The job is still running (`status: "PROCESSING"`): `average_execution_time`
    /// is the usual total and `execution_duration` the time spent so far, in
    /// milliseconds. Retrieve again later.
    Processing(S),
    /// The job is done and this is its result.
    Media {
        /// The media: its bytes (`retrieve`), or the number of bytes written
        /// (`retrieve_to`).
        data: M,
        /// Its media type as sent, without parameters: `video/mp4`,
        /// `audio/mpeg`, `audio/wav`, `audio/flac`.
        media_type: String,
    },
    /// The job is done but the answer holds no media (`status: "COMPLETED"`):
    /// for models that gave a `download_url` when the job was queued, the media
    /// is fetched from there.
    Completed(S),
    /// A JSON status this SDK does not know (neither `PROCESSING` nor
    /// `COMPLETED`), as sent. Waiting for a change may be pointless: read
    /// `status`.
    Other(S),
}

impl<S, M> RetrieveOutcome<S, M> {
    /// Whether the job is still running (retrieve it again later).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::from_json(br#"{"model": "elevenlabs-music", "prompt": "Rain", "duration_seconds": 10}"#)?;
    /// # let queued = client.audio().queue(request).await?;
    /// let answer = client.audio().retrieve(queued.retrieve_request()).await?;
    /// if answer.is_processing() {
    ///     println!("retrieve again in a few seconds");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn is_processing(&self) -> bool {
        matches!(self, RetrieveOutcome::Processing(_))
    }

    /// The media, when this answer is the finished job's media.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::from_json(br#"{"model": "elevenlabs-music", "prompt": "Rain", "duration_seconds": 10}"#)?;
    /// # let queued = client.audio().queue(request).await?;
    /// let answer = client.audio().retrieve(queued.retrieve_request()).await?;
    /// if let Some(audio) = answer.media() {
    ///     println!("{} bytes", audio.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn media(&self) -> Option<&M> {
        match self {
            RetrieveOutcome::Media { data, .. } => Some(data),
            _ => None,
        }
    }

    /// The JSON status, when the answer was one.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::from_json(br#"{"model": "elevenlabs-music", "prompt": "Rain", "duration_seconds": 10}"#)?;
    /// # let queued = client.audio().queue(request).await?;
    /// let answer = client.audio().retrieve(queued.retrieve_request()).await?;
    /// if let Some(status) = answer.status() {
    ///     println!("{}: {:?} of {:?} ms", status.status, status.execution_duration, status.average_execution_time);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn status(&self) -> Option<&S> {
        match self {
            RetrieveOutcome::Processing(s)
            | RetrieveOutcome::Completed(s)
            | RetrieveOutcome::Other(s) => Some(s),
            RetrieveOutcome::Media { .. } => None,
        }
    }
}

/// A status type of a job retrieval: its `status` field.
pub(crate) trait JobStatus {
    /// The `status` field as sent (`PROCESSING`, `COMPLETED`, …).
    fn status_text(&self) -> &str;
}

#[cfg(feature = "video")]
impl JobStatus for types::RetrieveVideoResponse {
    fn status_text(&self) -> &str {
        &self.status
    }
}

#[cfg(feature = "audio")]
impl JobStatus for types::RetrieveAudioResponse {
    fn status_text(&self) -> &str {
        &self.status
    }
}

impl<S, M> RetrieveOutcome<S, M> {
    /// The outcome of a retrieval's answer; `data` makes the media from the
    /// number of bytes written.
    pub(crate) fn from_answer(answer: JsonOrMedia<S>, data: impl FnOnce(u64) -> M) -> Self
    where
        S: JobStatus,
    {
        match answer {
            JsonOrMedia::Media {
                media_type,
                written,
            } => RetrieveOutcome::Media {
                data: data(written),
                media_type,
            },
            JsonOrMedia::Json(status) => {
                let text = status.status_text().trim();
                if text.eq_ignore_ascii_case("PROCESSING") {
                    RetrieveOutcome::Processing(status)
                } else if text.eq_ignore_ascii_case("COMPLETED") {
                    RetrieveOutcome::Completed(status)
                } else {
                    RetrieveOutcome::Other(status)
                }
            }
        }
    }
}
