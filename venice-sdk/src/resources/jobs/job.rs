//! The [`Job`] handle: a queued media job bound to a client, its settings,
//! one status poll ([`Job::retrieve`]'s [`Answer`]) and its cleanup
//! ([`Job::complete`]). Polling over time is in `progress.rs`, the media in
//! `media.rs`.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderValue;
use serde_json::Value;

use super::storage;
use super::ticket::{JobKind, JobTicket};
use crate::defaults::{DEFAULT_JOB_DEADLINE, DEFAULT_POLL_INTERVAL, MIN_POLL_INTERVAL};
use crate::error::{JobError, JobErrorKind};
use crate::transport::JsonOrOpen;
use crate::{Client, Error};

/// A queued video or music job, bound to a client: poll it
/// ([`wait`](Self::wait), [`progress`](Self::progress), [`poll`](Self::poll)),
/// then download its media ([`Media`](super::Media)), then clean up
/// ([`complete`](Self::complete), or
/// [`cleanup_after_download`](Self::cleanup_after_download)).
///
/// It owns a clone of the client (cheap), so it may be moved into a task.
/// [`ticket`](Self::ticket) is what to save to resume it after a restart.
///
/// ```no_run
/// # async fn demo(client: venice_sdk::Client, request: venice_sdk::types::QueueVideoRequest) -> Result<(), Box<dyn std::error::Error>> {
/// let job = client.video().generate(request).await?;
/// let saved = serde_json::to_string(job.ticket())?;
/// // … after a restart (a saved ticket is outside data: a bad one is an error):
/// let ticket: venice_sdk::JobTicket = serde_json::from_str(&saved)?;
/// let job = client.video().resume(ticket)?;
/// let mut video = job.wait().await?;
/// video.save("out.mp4").await?;
/// job.complete().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Job {
    pub(super) client: Client,
    pub(super) ticket: JobTicket,
    pub(super) poll_interval: Duration,
    pub(super) deadline: Duration,
    pub(super) cleanup: bool,
}

impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Job")
            .field("ticket", &self.ticket)
            .field("poll_interval", &self.poll_interval)
            .field("deadline", &self.deadline)
            .field("cleanup_after_download", &self.cleanup)
            .finish_non_exhaustive()
    }
}

/// One status poll's answer.
pub(super) enum Answer {
    /// A JSON status, as sent.
    Status(Value),
    /// The media, its body unread.
    Body {
        response: reqwest::Response,
        media_type: String,
    },
}

impl Job {
    /// A handle on the job of `ticket`, with the default settings.
    pub(crate) fn new(client: &Client, ticket: JobTicket) -> Job {
        Job {
            client: client.clone(),
            ticket,
            poll_interval: DEFAULT_POLL_INTERVAL,
            deadline: DEFAULT_JOB_DEADLINE,
            cleanup: false,
        }
    }

    /// The handle of a saved ticket, which must be of `kind`.
    pub(crate) fn resume(client: &Client, kind: JobKind, ticket: JobTicket) -> Result<Job, Error> {
        if ticket.kind != kind {
            return Err(Error::invalid(
                "kind",
                format!(
                    "the ticket is of a {} job; resume it with client.{}().resume(ticket)",
                    ticket.kind.noun(),
                    match ticket.kind {
                        JobKind::Video => "video",
                        JobKind::Audio => "audio",
                    }
                ),
            ));
        }
        Ok(Job::new(client, ticket))
    }

    /// What identifies the job: save it (serde) to resume the job later.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = venice_sdk::from_json(br#"{"model": "seedance-2-0-text-to-video", "prompt": "Waves", "duration": "5s"}"#)?;
    /// let job = client.video().generate(request).await?;
    /// std::fs::write(std::env::temp_dir().join("waves.job.json"), serde_json::to_vec(job.ticket())?)?;
    /// # Ok(()) }
    /// ```
    pub fn ticket(&self) -> &JobTicket {
        &self.ticket
    }

    /// The time between two status polls (default 5 s,
    /// [`DEFAULT_POLL_INTERVAL`], as Venice advises). The first poll is made at
    /// once. Anything under 1 ms counts as 1 ms.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = venice_sdk::from_json(br#"{"model": "elevenlabs-music", "prompt": "Rain", "duration_seconds": 10}"#)?;
    /// let job = client.audio().generate(request).await?.poll_interval(Duration::from_millis(10));
    /// let rain = job.wait().await?.bytes().await?;
    /// # let _ = rain;
    /// # Ok(()) }
    /// ```
    pub fn poll_interval(mut self, every: Duration) -> Self {
        self.poll_interval = every.max(MIN_POLL_INTERVAL);
        self
    }

    /// How long [`wait`](Self::wait) and [`progress`](Self::progress) may run
    /// in all, polls and the time between them included (default 30 min,
    /// [`DEFAULT_JOB_DEADLINE`]; `Duration::MAX` for none). Past it they end
    /// with [`JobErrorKind::DeadlineExceeded`]; the job itself goes on, and may
    /// be waited for again. The download is not included: it has limits of its
    /// own ([`Media::download_to`](super::Media::download_to)).
    ///
    /// ```
    /// use std::time::Duration;
    /// use venice_sdk::{Error, JobErrorKind};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = venice_sdk::from_json(br#"{"model": "seedance-2-0-text-to-video", "prompt": "Waves", "duration": "5s"}"#)?;
    /// let job = client.video().generate(request).await?.deadline(Duration::from_secs(10 * 60));
    /// # let job = job.poll_interval(Duration::from_millis(10));
    /// match job.wait().await {
    ///     Ok(mut video) => { video.save(std::env::temp_dir().join("waves.mp4")).await?; }
    ///     Err(Error::Job(e)) if matches!(e.kind, JobErrorKind::DeadlineExceeded { .. }) => println!("still running: wait again later"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn deadline(mut self, limit: Duration) -> Self {
        self.deadline = limit;
        self
    }

    /// Deletes the media from Venice's storage ([`complete`](Self::complete))
    /// once a download of it has succeeded: written whole and flushed (by
    /// [`Media::save`](super::Media::save), renamed into place). Off by default.
    ///
    /// The trade-off: once deleted, a media file lost later cannot be
    /// downloaded again. A failed cleanup does not fail the download (it is
    /// logged as a warning): call [`complete`](Self::complete) to retry it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = venice_sdk::from_json(br#"{"model": "seedance-2-0-text-to-video", "prompt": "Waves", "duration": "5s"}"#)?;
    /// let job = client.video().generate(request).await?.cleanup_after_download(true);
    /// # let job = job.poll_interval(std::time::Duration::from_millis(10));
    /// // Deleted from Venice's storage once saved whole.
    /// job.wait().await?.save(std::env::temp_dir().join("waves.mp4")).await?;
    /// # Ok(()) }
    /// ```
    pub fn cleanup_after_download(mut self, enabled: bool) -> Self {
        self.cleanup = enabled;
        self
    }

    /// Deletes the media from Venice's storage: `DELETE` on the job's
    /// `download_url` when it has one (revoking it), else the API's `complete`
    /// for the job. A job already gone (404) counts as cleaned up. A
    /// `success: false` answer is [`JobErrorKind::CleanupRefused`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = venice_sdk::from_json(br#"{"model": "elevenlabs-music", "prompt": "Rain", "duration_seconds": 10}"#)?;
    /// let job = client.audio().generate(request).await?;
    /// # let job = job.poll_interval(std::time::Duration::from_millis(10));
    /// job.wait().await?.save(std::env::temp_dir().join("rain.mp3")).await?;
    /// job.complete().await?;
    /// # Ok(()) }
    /// ```
    pub async fn complete(&self) -> Result<(), Error> {
        let config = self.client.config();
        if let Some(url) = &self.ticket.download_url {
            return match storage::revoke(config, url).await {
                Ok(()) => Ok(()),
                Err(Error::Api(e)) if e.status == 404 => Ok(()),
                Err(e) => Err(e),
            };
        }
        let call = self
            .ticket
            .kind
            .complete(&self.ticket.model, &self.ticket.queue_id)?;
        match call.json::<Value>(config).await {
            Ok(answer) if answer.get("success").and_then(Value::as_bool) == Some(false) => {
                Err(self.error(JobErrorKind::CleanupRefused, 0, None))
            }
            Ok(_) => Ok(()),
            Err(Error::Api(e)) if e.status == 404 => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// A job error of this job.
    pub(super) fn error(&self, kind: JobErrorKind, polls: u32, source: Option<Error>) -> Error {
        Error::Job(Box::new(JobError {
            kind,
            media: self.ticket.kind.noun(),
            model: self.ticket.model.clone(),
            queue_id: self.ticket.queue_id.clone(),
            polls,
            source,
        }))
    }

    /// One status poll, with `range` (the byte to start from, and the
    /// validator of what was downloaded before) when a cut download resumes.
    /// A 404 is [`JobErrorKind::Expired`]; a provider's content policy
    /// refusal is [`JobErrorKind::ContentPolicy`].
    pub(super) async fn retrieve(
        &self,
        range: Option<(u64, Option<HeaderValue>)>,
        polls: u32,
    ) -> Result<Answer, Error> {
        let config = self.client.config();
        let mut call = self
            .ticket
            .kind
            .retrieve(&self.ticket.model, &self.ticket.queue_id)?
            .idempotent();
        if let Some((from, validator)) = range {
            call = storage::with_range(call, from, validator);
        }
        match call
            .json_or_open::<Value>(config, self.ticket.kind.expected())
            .await
        {
            Ok(JsonOrOpen::Json(status)) => Ok(Answer::Status(status.into_inner())),
            Ok(JsonOrOpen::Media {
                response,
                media_type,
            }) => Ok(Answer::Body {
                response,
                media_type,
            }),
            Err(Error::Api(e)) if e.status == 404 => {
                Err(self.error(JobErrorKind::Expired, polls, Some(Error::Api(e))))
            }
            Err(Error::Api(e)) if e.kind == crate::ApiErrorKind::ContentPolicy => {
                let refusal = e.content_policy().unwrap_or_default();
                Err(self.error(
                    JobErrorKind::ContentPolicy(refusal),
                    polls,
                    Some(Error::Api(e)),
                ))
            }
            Err(e) => Err(e),
        }
    }
}
