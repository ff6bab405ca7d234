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
    pub async fn generate(&self, request: types::QueueAudioRequest) -> Result<Job, Error> {
        let queued = self.queue(request).await?.into_inner();
        let ticket = JobTicket::new(JobKind::Audio, queued.model, queued.queue_id);
        Ok(Job::new(self.client, ticket))
    }

    /// The [`Job`] of a music job queued earlier, from its model and queue id.
    pub fn job(&self, model: impl Into<String>, queue_id: impl Into<String>) -> Job {
        Job::new(self.client, JobTicket::new(JobKind::Audio, model, queue_id))
    }

    /// The [`Job`] of a saved ticket; a ticket of another kind of job is an
    /// [`Error::InvalidRequest`].
    pub fn resume(&self, ticket: JobTicket) -> Result<Job, Error> {
        Job::resume(self.client, JobKind::Audio, ticket)
    }
}

impl types::QueueAudioResponse {
    /// The request retrieving this job (`delete_media_on_completion` unset).
    pub fn retrieve_request(&self) -> types::RetrieveAudioRequest {
        crate::shape::build(
            "RetrieveAudioRequest",
            serde_json::json!({"model": self.model, "queue_id": self.queue_id}),
        )
    }

    /// The request deleting this job's audio from storage.
    pub fn complete_request(&self) -> types::CompleteAudioRequest {
        crate::shape::build(
            "CompleteAudioRequest",
            serde_json::json!({"model": self.model, "queue_id": self.queue_id}),
        )
    }
}
