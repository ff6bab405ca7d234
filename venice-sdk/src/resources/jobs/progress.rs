//! A job over time: [`Job::progress`] (a `Stream` of [`JobUpdate`]s),
//! [`Job::wait`] and [`Job::poll`].
//!
//! One state machine (`Poller`) polls a job: the first poll at once, the next
//! ones every poll interval, all within the wait's deadline; a status poll is
//! retried per the client's retry policy as an idempotent call (it reads the
//! job and deletes nothing). [`Job::progress`] is that machine as a `Stream`;
//! [`Job::wait`] drives the same stream to its end. Nothing is spawned.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::{Stream, StreamExt as _};
use serde_json::Value;
use tokio::time::Instant;

use super::job::{Answer, Job};
use super::media::Media;
use crate::Error;
use crate::error::{JobErrorKind, scrubbed_excerpt};
use crate::transport::bounded::within;

/// The highest fraction a job still processing reports: `1.0` means done.
const MAX_PROCESSING_FRACTION: f64 = 0.99;

/// Where a running job is, from one status poll.
///
/// The numbers come from the server's `execution_duration` and
/// `average_execution_time`; any that is missing, negative or not a number
/// counts as unknown (never a panic).
///
/// ```
/// use futures::StreamExt;
/// use venice_sdk::JobUpdate;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// # let request = venice_sdk::from_json(br#"{"model": "elevenlabs-music", "prompt": "Rain", "duration_seconds": 10}"#)?;
/// # let job = client.audio().generate(request).await?.poll_interval(std::time::Duration::from_millis(10));
/// let mut updates = job.progress();
/// while let Some(update) = updates.next().await {
///     if let JobUpdate::Processing(progress) = update? {
///         println!("{:.0}% after {} polls", progress.fraction.unwrap_or(0.0) * 100.0, progress.polls);
///     }
/// }
/// # Ok(()) }
/// ```
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
    ///
    /// ```
    /// use futures::StreamExt;
    /// use venice_sdk::JobUpdate;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::from_json(br#"{"model": "elevenlabs-music", "prompt": "Rain", "duration_seconds": 10}"#)?;
    /// # let job = client.audio().generate(request).await?.poll_interval(std::time::Duration::from_millis(10));
    /// let mut updates = job.progress();
    /// while let Some(update) = updates.next().await {
    ///     if let JobUpdate::Processing(progress) = update? {
    ///         if let Some(left) = progress.remaining() {
    ///             println!("about {} s left", left.as_secs());
    ///         }
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
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
///
/// ```
/// use venice_sdk::JobUpdate;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// # let request = venice_sdk::from_json(br#"{"model": "elevenlabs-music", "prompt": "Rain", "duration_seconds": 10}"#)?;
/// # let job = client.audio().generate(request).await?;
/// match job.poll().await? {
///     JobUpdate::Processing(progress) => println!("{:?} done", progress.fraction),
///     JobUpdate::Ready(mut media) => { media.save(std::env::temp_dir().join("rain.mp3")).await?; }
///     _ => {}
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum JobUpdate {
    /// Still processing.
    Processing(Progress),
    /// Done: the media, ready to download.
    Ready(Media),
}

impl Job {
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
    ///
    /// ```
    /// use futures::StreamExt;
    /// use venice_sdk::JobUpdate;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = venice_sdk::from_json(br#"{"model": "seedance-2-0-text-to-video", "prompt": "Waves", "duration": "5s"}"#)?;
    /// let job = client.video().generate(request).await?;
    /// # let job = job.poll_interval(std::time::Duration::from_millis(10));
    /// let mut updates = job.progress();
    /// while let Some(update) = updates.next().await {
    ///     match update? {
    ///         JobUpdate::Processing(progress) => println!("{:?}", progress.fraction),
    ///         JobUpdate::Ready(mut video) => { video.save(std::env::temp_dir().join("waves.mp4")).await?; }
    ///         _ => {}
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = venice_sdk::from_json(br#"{"model": "seedance-2-0-text-to-video", "prompt": "Waves", "duration": "5s"}"#)?;
    /// let job = client.video().generate(request).await?;
    /// # let job = job.poll_interval(std::time::Duration::from_millis(10));
    /// let mut video = job.wait().await?;
    /// video.save(std::env::temp_dir().join("waves.mp4")).await?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```
    /// use venice_sdk::JobUpdate;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::from_json(br#"{"model": "elevenlabs-music", "prompt": "Rain", "duration_seconds": 10}"#)?;
    /// # let job = client.audio().generate(request).await?;
    /// // From a scheduled task, one check at a time:
    /// match job.poll().await? {
    ///     JobUpdate::Ready(mut music) => { music.save(std::env::temp_dir().join("rain.mp3")).await?; }
    ///     JobUpdate::Processing(progress) => println!("{:?} left", progress.remaining()),
    ///     _ => {}
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn poll(&self) -> Result<JobUpdate, Error> {
        self.update(None, 1, Duration::ZERO).await
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
///
/// ```
/// use futures::StreamExt;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// # let request = venice_sdk::from_json(br#"{"model": "elevenlabs-music", "prompt": "Rain", "duration_seconds": 10}"#)?;
/// # let job = client.audio().generate(request).await?.poll_interval(std::time::Duration::from_millis(10));
/// let updates: Vec<_> = job.progress().collect().await;
/// println!("{} updates", updates.len());
/// # Ok(()) }
/// ```
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
}
