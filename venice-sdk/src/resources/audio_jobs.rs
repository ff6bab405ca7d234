//! Music generation jobs of `client.audio()`: quote, queue, retrieve, complete.

use bytes::Bytes;

use super::jobs::{Job, JobKind, JobTicket, RetrieveOutcome};
use crate::transport::Call;
use crate::{Error, Response, operations, types};

/// Music generation jobs: quote a price, queue a job, retrieve its status or
/// audio, and delete the audio from Venice's storage once downloaded.
impl super::audio::Audio<'_> {
    /// The price in USD of generating audio with these settings (`quote`);
    /// nothing is queued or charged.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let mut request = venice_sdk::types::QuoteAudioRequest::new("elevenlabs-music");
    /// request.duration_seconds = std::num::NonZeroU64::new(30).map(Into::into);
    /// let quote = client.audio().quote(request).await?;
    /// println!("30 s of music: ${}", quote.quote);
    /// # Ok(()) }
    /// ```
    pub async fn quote(
        &self,
        request: types::QuoteAudioRequest,
    ) -> Result<Response<types::QuoteAudioResponse>, Error> {
        Call::new(&operations::QUOTE_AUDIO)
            .body(&request)?
            .json(self.client.config())
            .await
    }

    /// Queues an audio generation job (charged); the answer's `queue_id` and
    /// `model` identify it for [`retrieve`](Self::retrieve) and
    /// [`complete`](Self::complete).
    ///
    /// Retried like other `POST`s, only when the job cannot have been queued
    /// (a retry must not queue and charge twice). A prompt refused by the
    /// content policy is an [`Error::Api`] with status 422.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = venice_sdk::types::QueueAudioRequest::new("elevenlabs-music", "A calm piano piece");
    /// let queued = client.audio().queue(request).await?;
    /// println!("queued {} on {}", queued.queue_id, queued.model);
    /// # Ok(()) }
    /// ```
    pub async fn queue(
        &self,
        request: types::QueueAudioRequest,
    ) -> Result<Response<types::QueueAudioResponse>, Error> {
        Call::new(&operations::QUEUE_AUDIO)
            .body(&request)?
            .json(self.client.config())
            .await
    }

    /// The job's status while it runs ([`RetrieveOutcome::Processing`]) or its
    /// audio once done ([`RetrieveOutcome::Media`]: `audio/mpeg`, `audio/wav`
    /// or `audio/flac` bytes).
    ///
    /// The audio is held in memory (up to the
    /// [`max_response_size`](crate::ClientBuilder::max_response_size));
    /// [`retrieve_to`](Self::retrieve_to) writes it out as it arrives instead.
    /// An unknown, expired or deleted job is
    /// [`ApiErrorKind::NotFound`](crate::ApiErrorKind::NotFound); an answer that
    /// is neither JSON nor audio is an [`Error::Decode`].
    ///
    /// ```
    /// use venice_sdk::RetrieveOutcome;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = venice_sdk::types::QueueAudioRequest::new("elevenlabs-music", "A calm piano piece");
    /// let queued = client.audio().queue(request).await?;
    /// loop {
    ///     match client.audio().retrieve(queued.retrieve_request()).await?.into_inner() {
    ///         RetrieveOutcome::Processing(status) => println!("{:?} ms so far", status.execution_duration),
    ///         RetrieveOutcome::Media { data, media_type } => {
    ///             println!("{} bytes of {media_type}", data.len());
    ///             break;
    ///         }
    ///         other => return Err(format!("unexpected: {other:?}").into()),
    ///     }
    ///     # if false {
    ///     tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    ///     # }
    /// }
    /// client.audio().complete(queued.complete_request()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn retrieve(
        &self,
        request: types::RetrieveAudioRequest,
    ) -> Result<Response<RetrieveOutcome<types::RetrieveAudioResponse>>, Error> {
        let mut audio = Vec::new();
        let answer = Call::new(&operations::RETRIEVE_AUDIO)
            .accept(JobKind::Audio.accept())
            .body(&request)?
            .json_or_download(self.client.config(), "audio/", &mut audio)
            .await?;
        Ok(answer.map(|a| RetrieveOutcome::from_answer(a, |_| Bytes::from(audio))))
    }

    /// Like [`retrieve`](Self::retrieve), but finished audio is written to
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
    /// # let request = venice_sdk::types::QueueAudioRequest::new("elevenlabs-music", "Rain");
    /// # let queued = client.audio().queue(request).await?;
    /// let mut file = tokio::fs::File::create(std::env::temp_dir().join("rain.mp3")).await?;
    /// let answer = client.audio().retrieve_to(queued.retrieve_request(), &mut file).await?;
    /// if answer.is_processing() {
    ///     println!("not done yet: retrieve again later");
    /// } else if let Some(written) = answer.media() {
    ///     println!("{written} bytes saved");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn retrieve_to<W>(
        &self,
        request: types::RetrieveAudioRequest,
        writer: &mut W,
    ) -> Result<Response<RetrieveOutcome<types::RetrieveAudioResponse, u64>>, Error>
    where
        W: tokio::io::AsyncWrite + Unpin + ?Sized,
    {
        let answer = Call::new(&operations::RETRIEVE_AUDIO)
            .accept(JobKind::Audio.accept())
            .body(&request)?
            .json_or_download(self.client.config(), "audio/", writer)
            .await?;
        Ok(answer.map(|a| RetrieveOutcome::from_answer(a, |written| written)))
    }

    /// Deletes the job's audio from Venice's storage once downloaded (not needed
    /// when it was retrieved with `delete_media_on_completion`). `success:
    /// false` means the cleanup did not happen and may be tried again; an
    /// unknown job is [`ApiErrorKind::NotFound`](crate::ApiErrorKind::NotFound).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::types::QueueAudioRequest::new("elevenlabs-music", "Rain");
    /// # let queued = client.audio().queue(request).await?;
    /// // Once the audio is downloaded:
    /// let done = client.audio().complete(queued.complete_request()).await?;
    /// println!("deleted from storage: {}", done.success);
    /// # Ok(()) }
    /// ```
    pub async fn complete(
        &self,
        request: types::CompleteAudioRequest,
    ) -> Result<Response<types::CompleteAudioResponse>, Error> {
        Call::new(&operations::COMPLETE_AUDIO)
            .body(&request)?
            .json(self.client.config())
            .await
    }
}

/// Music jobs end to end: queue, then poll and download with a [`Job`].
impl super::audio::Audio<'_> {
    /// Queues a music generation job (charged, see [`queue`](Self::queue)) and
    /// returns its [`Job`]: [`wait`](Job::wait) for the audio or follow its
    /// [`progress`](Job::progress), then [`save`](super::Media::save) it. Save
    /// [`Job::ticket`] to resume the job after a restart.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = venice_sdk::types::QueueAudioRequest::new("elevenlabs-music", "A calm piano piece");
    /// let job = client.audio().generate(request).await?;
    /// # let job = job.poll_interval(std::time::Duration::from_millis(10));
    /// let mut music = job.wait().await?;
    /// music.save(std::env::temp_dir().join("piano.mp3")).await?;
    /// job.complete().await?;
    /// # Ok(()) }
    /// ```
    pub async fn generate(&self, request: types::QueueAudioRequest) -> Result<Job, Error> {
        let queued = self.queue(request).await?.into_inner();
        let ticket = JobTicket::new(JobKind::Audio, queued.model, queued.queue_id);
        Ok(Job::new(self.client, ticket))
    }

    /// The [`Job`] of a music job queued earlier, from its model and queue id.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::types::QueueAudioRequest::new("elevenlabs-music", "Rain");
    /// # let queue_id = client.audio().queue(request).await?.into_inner().queue_id;
    /// // `queue_id`: from a `queue` answer saved earlier.
    /// let job = client.audio().job("elevenlabs-music", queue_id);
    /// # let job = job.poll_interval(std::time::Duration::from_millis(10));
    /// let audio = job.wait().await?.bytes().await?;
    /// println!("{} bytes", audio.len());
    /// # Ok(()) }
    /// ```
    pub fn job(&self, model: impl Into<String>, queue_id: impl Into<String>) -> Job {
        Job::new(self.client, JobTicket::new(JobKind::Audio, model, queue_id))
    }

    /// The [`Job`] of a saved ticket; a ticket of another kind of job is an
    /// [`Error::InvalidRequest`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::types::QueueAudioRequest::new("elevenlabs-music", "Rain");
    /// # let saved = serde_json::to_string(client.audio().generate(request).await?.ticket())?;
    /// // `saved`: a ticket written with serde before a restart.
    /// let ticket: venice_sdk::JobTicket = serde_json::from_str(&saved)?;
    /// let job = client.audio().resume(ticket)?;
    /// # let job = job.poll_interval(std::time::Duration::from_millis(10));
    /// job.wait().await?.save(std::env::temp_dir().join("rain.mp3")).await?;
    /// # Ok(()) }
    /// ```
    pub fn resume(&self, ticket: JobTicket) -> Result<Job, Error> {
        Job::resume(self.client, JobKind::Audio, ticket)
    }
}

impl types::QueueAudioResponse {
    /// The request retrieving this job (`delete_media_on_completion` unset).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = venice_sdk::types::QueueAudioRequest::new("elevenlabs-music", "Rain");
    /// let queued = client.audio().queue(request).await?;
    /// let status = client.audio().retrieve(queued.retrieve_request()).await?;
    /// println!("still processing: {}", status.is_processing());
    /// # Ok(()) }
    /// ```
    pub fn retrieve_request(&self) -> types::RetrieveAudioRequest {
        crate::shape::build(
            "RetrieveAudioRequest",
            serde_json::json!({"model": self.model, "queue_id": self.queue_id}),
        )
    }

    /// The request deleting this job's audio from storage.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = venice_sdk::types::QueueAudioRequest::new("elevenlabs-music", "Rain");
    /// let queued = client.audio().queue(request).await?;
    /// // … retrieve the audio, then:
    /// client.audio().complete(queued.complete_request()).await?;
    /// # Ok(()) }
    /// ```
    pub fn complete_request(&self) -> types::CompleteAudioRequest {
        crate::shape::build(
            "CompleteAudioRequest",
            serde_json::json!({"model": self.model, "queue_id": self.queue_id}),
        )
    }
}
