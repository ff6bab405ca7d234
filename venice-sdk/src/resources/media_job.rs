//! Media jobs (video and music generation) from queue to media, shared by
//! [`Video`](super::Video) and [`Audio`](super::Audio): the saveable
//! [`JobTicket`], the [`Job`] handle that polls it ([`Job::wait`],
//! [`Job::progress`]), and its cleanup. The finished media and its download are
//! in `media_download.rs`.
//!
//! One state machine ([`Poller`]) polls a job: the first poll at once, the next
//! ones every poll interval, all within the wait's deadline; a status poll is
//! retried per the client's retry policy as an idempotent call (it reads the
//! job and deletes nothing). [`Job::progress`] is that machine as a `Stream`;
//! [`Job::wait`] drives the same stream to its end. Nothing is spawned.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::{Stream, StreamExt as _};
use reqwest::header::HeaderValue;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::time::Instant;

use super::media_download::Media;
use crate::defaults::{DEFAULT_JOB_DEADLINE, DEFAULT_POLL_INTERVAL, MIN_POLL_INTERVAL};
use crate::error::{JobError, JobErrorKind, scrubbed_excerpt};
use crate::shape;
use crate::transport::attempt::within;
use crate::transport::{Call, JsonOrOpen};
use crate::{Client, Error, operations, types};

/// The highest fraction a job still processing reports: `1.0` means done.
const MAX_PROCESSING_FRACTION: f64 = 0.99;

/// Which API a job belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum JobKind {
    /// Video generation (`/video/*`).
    Video,
    /// Music generation (`/audio/queue`, `/audio/retrieve`, …).
    Audio,
}

impl JobKind {
    /// What the job makes, for messages.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            JobKind::Video => "video",
            JobKind::Audio => "music",
        }
    }

    /// The operation id of the status poll.
    pub(super) fn retrieve_id(self) -> &'static str {
        match self {
            JobKind::Video => operations::RETRIEVE_VIDEO.id,
            JobKind::Audio => operations::RETRIEVE_AUDIO.id,
        }
    }

    /// The media type prefix of the finished media.
    fn expected(self) -> &'static str {
        match self {
            JobKind::Video => "video/",
            JobKind::Audio => "audio/",
        }
    }

    /// The status poll (`retrieve`) of a job, never deleting the media.
    fn retrieve(self, model: &str, queue_id: &str) -> Result<Call<'static>, Error> {
        let ids = serde_json::json!({"model": model, "queue_id": queue_id});
        match self {
            JobKind::Video => Call::new(&operations::RETRIEVE_VIDEO)
                .accept(super::video::VIDEO_ACCEPT)
                .body(&shape::convert::<types::RetrieveVideoRequest>(
                    "queue_id", ids,
                )?),
            JobKind::Audio => Call::new(&operations::RETRIEVE_AUDIO)
                .accept(super::audio_jobs::AUDIO_ACCEPT)
                .body(&shape::convert::<types::RetrieveAudioRequest>(
                    "queue_id", ids,
                )?),
        }
    }

    /// The cleanup (`complete`) of a job.
    fn complete(self, model: &str, queue_id: &str) -> Result<Call<'static>, Error> {
        let ids = serde_json::json!({"model": model, "queue_id": queue_id});
        match self {
            JobKind::Video => {
                Call::new(&operations::COMPLETE_VIDEO).body(&shape::convert::<
                    types::CompleteVideoRequest,
                >("queue_id", ids)?)
            }
            JobKind::Audio => {
                Call::new(&operations::COMPLETE_AUDIO).body(&shape::convert::<
                    types::CompleteAudioRequest,
                >("queue_id", ids)?)
            }
        }
    }
}

/// A job's one-time `download_url`: it fetches the media without the API key,
/// so it is a credential of its own. `Debug` shows only its scheme and host;
/// the SDK never logs it or puts it in an error. It serializes as the plain
/// URL (a [`JobTicket`] is meant to be saved: keep it where you would keep a
/// key).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DownloadUrl(String);

impl DownloadUrl {
    /// Wraps a URL.
    pub fn new(url: impl Into<String>) -> Self {
        DownloadUrl(url.into())
    }

    /// The URL itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DownloadUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let origin = self
            .0
            .split_once("://")
            .map(|(scheme, rest)| {
                let host = rest.split(['/', '?', '#']).next().unwrap_or("");
                let host = host.rsplit('@').next().unwrap_or(host);
                format!("{scheme}://{host}")
            })
            .unwrap_or_default();
        write!(f, "DownloadUrl({origin}/<redacted>)")
    }
}

/// What identifies a queued job: enough to resume it after a restart
/// ([`Video::resume`](super::Video::resume),
/// [`Audio::resume`](super::Audio::resume)). Serializable (serde) as
/// `{"kind": "video", "model": …, "queue_id": …, "download_url": …}`.
///
/// `Debug` hides the `download_url` ([`DownloadUrl`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JobTicket {
    /// Which API the job belongs to.
    pub kind: JobKind,
    /// The model that runs it.
    pub model: String,
    /// Its queue id.
    pub queue_id: String,
    /// The one-time URL of its media, for models that return one when the job
    /// is queued (the media is then fetched from there, without the API key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_url: Option<DownloadUrl>,
}

impl JobTicket {
    /// The ticket of a job of `kind`, without a `download_url`.
    pub fn new(kind: JobKind, model: impl Into<String>, queue_id: impl Into<String>) -> Self {
        JobTicket {
            kind,
            model: model.into(),
            queue_id: queue_id.into(),
            download_url: None,
        }
    }

    /// The same ticket with this `download_url` (or none).
    pub fn with_download_url(mut self, url: Option<DownloadUrl>) -> Self {
        self.download_url = url;
        self
    }
}

/// Where a running job is, from one status poll.
///
/// The numbers come from the server's `execution_duration` and
/// `average_execution_time`; any that is missing, negative or not a number
/// counts as unknown (never a panic).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Progress {
    /// How far along the job is, in `0.0..=0.99` while it processes (`1.0` is
    /// kept for done): `execution_duration / average_execution_time`, never
    /// going back from one update to the next. `None` when the server gives no
    /// usable average.
    pub fraction: Option<f64>,
    /// How long the job has been running on the server.
    pub execution: Duration,
    /// How long such a job usually takes in all, when the server says.
    pub estimated_total: Option<Duration>,
    /// Status polls made so far, this one included.
    pub polls: u32,
    /// Time since the wait started.
    pub elapsed: Duration,
}

impl Progress {
    /// The estimated time left (`estimated_total - execution`, at least zero),
    /// when the server gives an average.
    pub fn remaining(&self) -> Option<Duration> {
        self.estimated_total
            .map(|total| total.saturating_sub(self.execution))
    }

    /// Reads a `PROCESSING` status; `previous` is the fraction reported before
    /// (the new one never goes below it).
    fn from_status(status: &Value, previous: Option<f64>, polls: u32, elapsed: Duration) -> Self {
        let execution = millis(status.get("execution_duration")).unwrap_or_default();
        let estimated_total = millis(status.get("average_execution_time"));
        let fresh = estimated_total
            .filter(|total| !total.is_zero())
            .map(|total| execution.as_secs_f64() / total.as_secs_f64())
            .filter(|f| f.is_finite())
            .map(|f| f.clamp(0.0, MAX_PROCESSING_FRACTION));
        let fraction = match (fresh, previous) {
            (Some(f), Some(p)) => Some(f.max(p)),
            (f, p) => f.or(p),
        };
        Progress {
            fraction,
            execution,
            estimated_total,
            polls,
            elapsed,
        }
    }
}

/// A duration the server gave in milliseconds: `None` unless it is a finite,
/// non-negative number that fits a `Duration`.
fn millis(value: Option<&Value>) -> Option<Duration> {
    let ms = value?.as_f64().filter(|ms| ms.is_finite() && *ms >= 0.0)?;
    Duration::try_from_secs_f64(ms / 1000.0).ok()
}

/// An update of [`Job::progress`]: the job is still running, or its media is
/// ready (the last item).
///
/// New variants may come: match with a fallback arm.
#[derive(Debug)]
#[non_exhaustive]
pub enum JobUpdate {
    /// Still processing.
    Processing(Progress),
    /// Done: the media, ready to download.
    Ready(Media),
}

/// A queued video or music job, bound to a client: poll it
/// ([`wait`](Self::wait), [`progress`](Self::progress), [`poll`](Self::poll)),
/// then download its media ([`Media`]), then clean up
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
    poll_interval: Duration,
    deadline: Duration,
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
    pub(super) fn new(client: &Client, ticket: JobTicket) -> Job {
        Job {
            client: client.clone(),
            ticket,
            poll_interval: DEFAULT_POLL_INTERVAL,
            deadline: DEFAULT_JOB_DEADLINE,
            cleanup: false,
        }
    }

    /// The handle of a saved ticket, which must be of `kind`.
    pub(super) fn resume(client: &Client, kind: JobKind, ticket: JobTicket) -> Result<Job, Error> {
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
    pub fn ticket(&self) -> &JobTicket {
        &self.ticket
    }

    /// The time between two status polls (default 5 s,
    /// [`DEFAULT_POLL_INTERVAL`], as Venice advises). The first poll is made at
    /// once. Anything under 1 ms counts as 1 ms.
    pub fn poll_interval(mut self, every: Duration) -> Self {
        self.poll_interval = every.max(MIN_POLL_INTERVAL);
        self
    }

    /// How long [`wait`](Self::wait) and [`progress`](Self::progress) may run
    /// in all, polls and the time between them included (default 30 min,
    /// [`DEFAULT_JOB_DEADLINE`]; `Duration::MAX` for none). Past it they end
    /// with [`JobErrorKind::DeadlineExceeded`]; the job itself goes on, and may
    /// be waited for again. The download is not included: it has limits of its
    /// own ([`Media::download_to`]).
    pub fn deadline(mut self, limit: Duration) -> Self {
        self.deadline = limit;
        self
    }

    /// Deletes the media from Venice's storage ([`complete`](Self::complete))
    /// once a download of it has succeeded: written whole and flushed (by
    /// [`Media::save`], renamed into place). Off by default.
    ///
    /// The trade-off: once deleted, a media file lost later cannot be
    /// downloaded again. A failed cleanup does not fail the download (it is
    /// logged as a warning): call [`complete`](Self::complete) to retry it.
    pub fn cleanup_after_download(mut self, enabled: bool) -> Self {
        self.cleanup = enabled;
        self
    }

    /// Updates as the job runs: [`JobUpdate::Processing`] after each status
    /// poll that finds it still running, then [`JobUpdate::Ready`] with the
    /// media as the last item; or an error as the last item (the job failed,
    /// expired, the deadline passed, or a poll failed after the client's
    /// retries).
    ///
    /// The first poll is made when the stream is first polled, the next ones
    /// every [`poll_interval`](Self::poll_interval); nothing runs between two
    /// reads of the stream, and nothing is spawned: dropping the stream stops
    /// the polling (and closes a media body not yet taken).
    pub fn progress(&self) -> ProgressStream {
        let poller = Poller {
            job: self.clone(),
            started: Instant::now(),
            deadline: Instant::now().checked_add(self.deadline),
            polls: 0,
            fraction: None,
            done: false,
        };
        let stream = futures::stream::unfold(poller, |mut poller| async move {
            let item = poller.step().await?;
            Some((item, poller))
        });
        ProgressStream {
            inner: Box::pin(stream),
        }
    }

    /// Polls until the job is done and returns its media, ready to download;
    /// the [`progress`](Self::progress) stream, driven to its end.
    ///
    /// Errors: [`Error::Job`] with [`JobErrorKind::Failed`] (the job reported
    /// a failure status), [`JobErrorKind::Expired`] (404),
    /// [`JobErrorKind::ContentPolicy`] (the provider refused it; credits
    /// refunded, [`Error::content_policy`] names a model to use instead),
    /// [`JobErrorKind::DeadlineExceeded`], [`JobErrorKind::NoMedia`]; or the
    /// error of a poll that failed after the client's retries (500, 503 and
    /// connection failures are retried as for an idempotent call).
    pub async fn wait(&self) -> Result<Media, Error> {
        let mut updates = self.progress();
        while let Some(update) = updates.next().await {
            match update? {
                JobUpdate::Ready(media) => return Ok(media),
                JobUpdate::Processing(progress) => {
                    tracing::debug!(
                        polls = progress.polls,
                        fraction = progress.fraction,
                        "job processing"
                    );
                }
            }
        }
        Err(self.error(JobErrorKind::NoMedia, 0, None))
    }

    /// One status poll, now: [`JobUpdate::Processing`] or
    /// [`JobUpdate::Ready`]; a failed, expired or unusable job is the same
    /// [`Error::Job`] as [`wait`](Self::wait) returns. No deadline applies
    /// beyond the client's request timeout.
    pub async fn poll(&self) -> Result<JobUpdate, Error> {
        self.update(None, 1, Duration::ZERO).await
    }

    /// Deletes the media from Venice's storage: `DELETE` on the job's
    /// `download_url` when it has one (revoking it), else the API's `complete`
    /// for the job. A job already gone (404) counts as cleaned up. A
    /// `success: false` answer is [`JobErrorKind::CleanupRefused`].
    pub async fn complete(&self) -> Result<(), Error> {
        let config = self.client.config();
        if let Some(url) = &self.ticket.download_url {
            return match super::media_download::revoke(config, url).await {
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
            call = super::media_download::with_range(call, from, validator);
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

    /// One status poll, as an update.
    async fn update(
        &self,
        previous: Option<f64>,
        polls: u32,
        elapsed: Duration,
    ) -> Result<JobUpdate, Error> {
        match self.retrieve(None, polls).await? {
            Answer::Body {
                response,
                media_type,
            } => Ok(JobUpdate::Ready(Media::inline(
                self.clone(),
                response,
                media_type,
            ))),
            Answer::Status(status) => {
                let text = status
                    .get("status")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .trim();
                if text.eq_ignore_ascii_case("PROCESSING") {
                    return Ok(JobUpdate::Processing(Progress::from_status(
                        &status, previous, polls, elapsed,
                    )));
                }
                if text.eq_ignore_ascii_case("COMPLETED") {
                    return match &self.ticket.download_url {
                        Some(_) => Ok(JobUpdate::Ready(Media::at_url(self.clone()))),
                        None => Err(self.error(JobErrorKind::NoMedia, polls, None)),
                    };
                }
                let redactor = &self.client.config().redactor;
                let kind = JobErrorKind::Failed {
                    status: redactor.scrub(text.to_owned()),
                    body: scrubbed_excerpt(status.to_string().as_bytes(), redactor),
                };
                Err(self.error(kind, polls, None))
            }
        }
    }
}

/// The polling state machine behind [`Job::progress`] and [`Job::wait`].
struct Poller {
    job: Job,
    started: Instant,
    /// `None`: no deadline (one too far for the clock).
    deadline: Option<Instant>,
    polls: u32,
    fraction: Option<f64>,
    done: bool,
}

impl Poller {
    /// The next update: waits for the poll interval (not before the first
    /// poll), polls within the deadline; `None` once the last item was given.
    async fn step(&mut self) -> Option<Result<JobUpdate, Error>> {
        if self.done {
            return None;
        }
        if self.polls > 0 {
            let next = Instant::now().checked_add(self.job.poll_interval);
            let wake = match (next, self.deadline) {
                (Some(next), Some(deadline)) => Some(next.min(deadline)),
                (next, deadline) => next.or(deadline),
            };
            if let Some(wake) = wake {
                tokio::time::sleep_until(wake).await;
            }
        }
        self.polls = self.polls.saturating_add(1);
        let elapsed = self.started.elapsed();
        let update = self.job.update(self.fraction, self.polls, elapsed);
        let result = match within(self.deadline, update).await {
            Some(result) => result,
            None => Err(self.job.error(
                JobErrorKind::DeadlineExceeded {
                    after: self.job.deadline,
                },
                self.polls,
                None,
            )),
        };
        match &result {
            Ok(JobUpdate::Processing(progress)) => self.fraction = progress.fraction,
            _ => self.done = true,
        }
        Some(result)
    }
}

/// The updates of a job ([`Job::progress`]): a `Stream` of
/// `Result<JobUpdate, Error>`, ending after [`JobUpdate::Ready`] or an error.
/// `Send` and `'static`; dropping it stops the polling.
pub struct ProgressStream {
    inner: Pin<Box<dyn Stream<Item = Result<JobUpdate, Error>> + Send>>,
}

impl fmt::Debug for ProgressStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProgressStream").finish_non_exhaustive()
    }
}

impl Stream for ProgressStream {
    type Item = Result<JobUpdate, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn progress_survives_hostile_numbers_and_never_goes_back() {
        let p =
            |status: Value, previous| Progress::from_status(&status, previous, 1, Duration::ZERO);
        let half = p(
            json!({"execution_duration": 500, "average_execution_time": 1000}),
            None,
        );
        assert_eq!(half.fraction, Some(0.5));
        assert_eq!(half.remaining(), Some(Duration::from_millis(500)));
        let over = p(
            json!({"execution_duration": 5000, "average_execution_time": 1000}),
            None,
        );
        assert_eq!(over.fraction, Some(MAX_PROCESSING_FRACTION));
        assert_eq!(over.remaining(), Some(Duration::ZERO));
        let back = p(
            json!({"execution_duration": 100, "average_execution_time": 1000}),
            Some(0.5),
        );
        assert_eq!(back.fraction, Some(0.5));
        for hostile in [
            json!({"execution_duration": -5, "average_execution_time": 0}),
            json!({"execution_duration": 1e308, "average_execution_time": 1e-300}),
            json!({"execution_duration": "soon", "average_execution_time": null}),
            json!({"execution_duration": 1e300, "average_execution_time": 1e300}),
            json!([]),
        ] {
            let progress = p(hostile.clone(), None);
            assert!(
                progress.fraction.is_none_or(|f| (0.0..=1.0).contains(&f)),
                "{hostile}: {progress:?}"
            );
        }
    }

    #[test]
    fn download_urls_are_redacted_in_debug_but_serialized_whole() {
        let url = "https://media.example/v/abc.mp4?X-Signature=SECRET";
        let ticket =
            JobTicket::new(JobKind::Video, "m", "q").with_download_url(Some(DownloadUrl::new(url)));
        let shown = format!("{ticket:?}");
        assert!(
            !shown.contains("SECRET") && !shown.contains("abc"),
            "{shown}"
        );
        assert!(
            shown.contains("https://media.example/<redacted>"),
            "{shown}"
        );
        let saved = serde_json::to_string(&ticket).unwrap();
        assert!(
            saved.contains(url) && saved.contains("\"kind\":\"video\""),
            "{saved}"
        );
        let back: JobTicket = serde_json::from_str(&saved).unwrap();
        assert_eq!(back, ticket);
        let bare: JobTicket =
            serde_json::from_str(r#"{"kind":"audio","model":"m","queue_id":"q"}"#).unwrap();
        assert_eq!(bare.download_url, None);
        assert_eq!(
            format!("{:?}", DownloadUrl::new("no scheme")),
            "DownloadUrl(/<redacted>)"
        );
    }
}
