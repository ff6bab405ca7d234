//! A finished media job's media ([`Media`]) and its download: written out as
//! it arrives (never held), from the retrieve answer's body or from the job's
//! `download_url` (fetched without the API key; plain `http://` only for a
//! client whose own base URL is, and never after an `https://` hop), within
//! the client's stream timeout; a transfer cut mid-way resumed (`Range` with
//! `If-Range`, else fetched again and the bytes already written skipped) only
//! when the answer provably is the rest of the same version of the media (else
//! the file or buffer starts over from byte 0, or, for a writer, the download
//! fails with [`JobErrorKind::Changed`]), and whole only at exactly its
//! declared length; saved through a temporary file renamed into place, which
//! no drop at any point leaves behind. The storage host's requests are in
//! `storage.rs`.

use std::fmt;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_RANGE, ETAG, HeaderMap, HeaderValue, LAST_MODIFIED};
use tokio::io::{AsyncWrite, AsyncWriteExt as _};

use super::job::{Answer, Job};
use super::storage::{FETCH_MEDIA, open_url};
use super::ticket::JobTicket;
use crate::config::Config;
use crate::error::{JobErrorKind, SizeLimit, TimeoutKind};
use crate::headers::{self, media_type_of};
use crate::transport::bounded::too_large;
use crate::transport::copy::{End, FileSink, Memory, Sink, Span, Writer, copy_body};

use crate::{Error, retry};

/// Where the media's bytes come from.
enum Source {
    /// The retrieve answer's body, while it has not been read (`None` after:
    /// a new download retrieves the job again).
    Inline(Option<Box<reqwest::Response>>),
    /// The job's `download_url`.
    Url,
}

/// A finished job's media, ready to download: [`save`](Self::save) it to a
/// file, stream it into any writer ([`download_to`](Self::download_to)), or
/// read it into memory when small ([`bytes`](Self::bytes)).
///
/// It holds the open answer of the last status poll when that answer was the
/// media itself (dropping the `Media` closes it), or the job's `download_url`.
/// A download may be made again (the job is retrieved again) until the media
/// is deleted.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let request = venice_sdk::from_json(br#"{"model": "seedance-2-0-text-to-video", "prompt": "Waves", "duration": "5s"}"#)?;
/// let job = client.video().generate(request).await?;
/// # let job = job.poll_interval(std::time::Duration::from_millis(10));
/// let mut video = job.wait().await?;
/// println!("{:?}, {:?} bytes", video.media_type(), video.content_length());
/// video.save(std::env::temp_dir().join("waves.mp4")).await?;
/// # Ok(()) }
/// ```
pub struct Media {
    job: Job,
    source: Source,
    media_type: Option<String>,
    length: Option<u64>,
    progress: Option<OnProgress>,
}

/// What [`Media::on_progress`] calls: bytes written so far, and the media's
/// length when known.
type OnProgress = Box<dyn FnMut(u64, Option<u64>) + Send + Sync>;

impl fmt::Debug for Media {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Media")
            .field("ticket", &self.job.ticket)
            .field("media_type", &self.media_type)
            .field("length", &self.length)
            .field("on_progress", &self.progress.is_some())
            .field(
                "from",
                &match self.source {
                    Source::Inline(_) => "the retrieve answer",
                    Source::Url => "the download_url",
                },
            )
            .finish_non_exhaustive()
    }
}

impl Media {
    /// The media of a retrieve answer, its body unread.
    pub(super) fn inline(job: Job, response: reqwest::Response, media_type: String) -> Media {
        let length = response.content_length();
        Media {
            job,
            source: Source::Inline(Some(Box::new(response))),
            media_type: Some(media_type),
            length,
            progress: None,
        }
    }

    /// The media of a job whose `download_url` holds it.
    pub(super) fn at_url(job: Job) -> Media {
        Media {
            job,
            source: Source::Url,
            media_type: None,
            length: None,
            progress: None,
        }
    }

    /// Calls `report` as the download goes: after each chunk written, with
    /// the bytes written so far and the media's length when the server said
    /// (a progress bar can take both as they are). Bytes skipped when a cut
    /// transfer resumes are not counted twice. When [`save`](Self::save) or
    /// [`bytes`](Self::bytes) start over because the media changed on the
    /// server mid-way, `report(0, None)` is called, and the count starts again
    /// from 0. The call is made on the
    /// download's own task: keep it quick.
    ///
    /// ```no_run
    /// # async fn run(job: venice_sdk::Job) -> Result<(), venice_sdk::Error> {
    /// let media = job.wait().await?.on_progress(|written, total| match total {
    ///     Some(total) => eprint!("\r{written} of {total} bytes"),
    ///     None => eprint!("\r{written} bytes"),
    /// });
    /// # let mut media = media;
    /// media.save("video.mp4").await?;
    /// # Ok(()) }
    /// ```
    pub fn on_progress(
        mut self,
        report: impl FnMut(u64, Option<u64>) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(Box::new(report));
        self
    }

    /// The media type (`video/mp4`, `audio/mpeg`, …), once known: from the
    /// retrieve answer, or after a download from the `download_url`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::from_json(br#"{"model": "elevenlabs-music", "prompt": "Rain", "duration_seconds": 10}"#)?;
    /// # let job = client.audio().generate(request).await?.poll_interval(std::time::Duration::from_millis(10));
    /// let mut music = job.wait().await?;
    /// let extension = match music.media_type() {
    ///     Some("audio/wav") => "wav",
    ///     Some("audio/flac") => "flac",
    ///     _ => "mp3",
    /// };
    /// music.save(std::env::temp_dir().join(format!("rain.{extension}"))).await?;
    /// # Ok(()) }
    /// ```
    pub fn media_type(&self) -> Option<&str> {
        self.media_type.as_deref()
    }

    /// The media's length in bytes, when the server said.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::from_json(br#"{"model": "elevenlabs-music", "prompt": "Rain", "duration_seconds": 10}"#)?;
    /// # let job = client.audio().generate(request).await?.poll_interval(std::time::Duration::from_millis(10));
    /// let music = job.wait().await?;
    /// if let Some(length) = music.content_length() {
    ///     println!("{length} bytes to download");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn content_length(&self) -> Option<u64> {
        self.length
    }

    /// The job this media belongs to.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::from_json(br#"{"model": "elevenlabs-music", "prompt": "Rain", "duration_seconds": 10}"#)?;
    /// # let job = client.audio().generate(request).await?.poll_interval(std::time::Duration::from_millis(10));
    /// let music = job.wait().await?;
    /// println!("job {} on {}", music.ticket().queue_id, music.ticket().model);
    /// # Ok(()) }
    /// ```
    pub fn ticket(&self) -> &JobTicket {
        &self.job.ticket
    }

    /// Deletes the media from Venice's storage ([`Job::complete`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::from_json(br#"{"model": "elevenlabs-music", "prompt": "Rain", "duration_seconds": 10}"#)?;
    /// # let job = client.audio().generate(request).await?.poll_interval(std::time::Duration::from_millis(10));
    /// let mut music = job.wait().await?;
    /// music.save(std::env::temp_dir().join("rain.mp3")).await?;
    /// music.complete().await?;
    /// # Ok(()) }
    /// ```
    pub async fn complete(&self) -> Result<(), Error> {
        self.job.complete().await
    }

    /// Writes the media into `writer` as it arrives (never holding it) and
    /// flushes it; returns the number of bytes written.
    ///
    /// From a `download_url` no API key is sent, and up to 5 redirects are
    /// followed (each target held to the same rules as the URL). The URL and
    /// every hop must be `https://`; plain `http://` is allowed only when the
    /// client's own base URL is plain `http://` (loopback, or
    /// `allow_insecure_http`), and never after an `https://` hop. A refused
    /// URL is an [`Error::InvalidRequest`] and nothing is sent to it; a
    /// refused hop is an [`Error::Api`] with the redirect's status.
    ///
    /// Limits: each read waits at most the client's
    /// [stream idle timeout](crate::ClientBuilder::stream_idle_timeout); the
    /// whole download, resumes and their waits included, at most its
    /// [stream timeout](crate::ClientBuilder::stream_timeout) when it has one
    /// (none by default), then [`Error::Timeout`] with
    /// [`TimeoutKind::Stream`](crate::TimeoutKind::Stream); the bytes, at most
    /// [`max_download_size`](crate::ClientBuilder::max_download_size)
    /// ([`Error::BodyTooLarge`] naming
    /// [`SizeLimit::Download`](crate::SizeLimit::Download)), not
    /// `max_response_size`.
    ///
    /// A transfer that breaks off is resumed where it stopped — with `Range`
    /// and `If-Range` when the server honours them, else fetched again with
    /// the bytes already written skipped — up to the client's `max_retries`
    /// times in a row without progress (within its retry budget), then
    /// [`JobErrorKind::Incomplete`]. A resumed answer is used only when it
    /// provably is the rest of the same version of the media: a `206`
    /// starting where asked with the first answer's total length and `ETag`
    /// (else `Last-Modified`), or a `200` with the same strong `ETag` and
    /// length. Anything else means the media changed on the server: bytes
    /// already in `writer` cannot be taken back, so that is
    /// [`JobErrorKind::Changed`] (as is a body past its declared length). A
    /// `416` to a range from exactly the declared length completes the
    /// download. The download ends only with exactly the declared length.
    /// A 404 is [`JobErrorKind::Expired`]. A failed write is an
    /// [`Error::Io`] (with an empty path) and is not retried. With
    /// [`Job::cleanup_after_download`], the media is deleted once written
    /// whole.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::from_json(br#"{"model": "seedance-2-0-text-to-video", "prompt": "Waves", "duration": "5s"}"#)?;
    /// # let job = client.video().generate(request).await?.poll_interval(std::time::Duration::from_millis(10));
    /// let mut video = job.wait().await?;
    /// let mut file = tokio::fs::File::create(std::env::temp_dir().join("waves.mp4")).await?;
    /// let written = video.download_to(&mut file).await?;
    /// println!("{written} bytes");
    /// # Ok(()) }
    /// ```
    pub async fn download_to<W>(&mut self, writer: &mut W) -> Result<u64, Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let limit = (
            self.job.client.config().max_download_size,
            SizeLimit::Download,
        );
        let written = self.transfer(&mut Writer(&mut *writer), limit).await?;
        writer.flush().await.map_err(|source| Error::Io {
            path: PathBuf::new(),
            source,
        })?;
        self.cleanup().await;
        Ok(written)
    }

    /// Saves the media to `path` as it arrives; returns its size in bytes.
    ///
    /// The bytes go to a temporary file beside `path` (`.<name>.<random>.part`),
    /// synced and renamed to `path` once whole: a transfer that fails, or a
    /// future dropped at any point (even before the file was created), never
    /// leaves a truncated file under `path`, and no temporary file remains
    /// once the blocking work in flight has ended. When the media changed on
    /// the server mid-way, the temporary file starts over from byte 0 rather
    /// than failing. Otherwise as [`download_to`](Self::download_to) (the
    /// stream timeout covers the transfer, not the final sync and rename); I/O
    /// errors name the file.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::from_json(br#"{"model": "seedance-2-0-text-to-video", "prompt": "Waves", "duration": "5s"}"#)?;
    /// # let job = client.video().generate(request).await?.poll_interval(std::time::Duration::from_millis(10));
    /// let size = job.wait().await?.save(std::env::temp_dir().join("waves.mp4")).await?;
    /// println!("saved {size} bytes");
    /// # Ok(()) }
    /// ```
    pub async fn save(&mut self, path: impl AsRef<Path>) -> Result<u64, Error> {
        let path = path.as_ref();
        let name = path
            .file_name()
            .ok_or_else(|| Error::invalid("path", "has no file name"))?;
        let temp = path.with_file_name(format!(
            ".{}.{:08x}.part",
            name.to_string_lossy(),
            fastrand::u32(..)
        ));
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| Error::Io { path, source }
        };
        let mut sink = FileSink::create(temp.clone()).await.map_err(io(&temp))?;
        let limit = (
            self.job.client.config().max_download_size,
            SizeLimit::Download,
        );
        let written = match self.transfer(&mut sink, limit).await {
            Err(Error::Io { path, source }) if path.as_os_str().is_empty() => {
                return Err(io(&temp)(source));
            }
            other => other?,
        };
        sink.sync().await.map_err(io(&temp))?;
        sink.persist(path).await.map_err(io(path))?;
        self.cleanup().await;
        Ok(written)
    }

    /// The media in memory, for small media: at most
    /// [`max_response_size`](crate::ClientBuilder::max_response_size) bytes
    /// ([`Error::BodyTooLarge`] past it). When the media changed on the
    /// server mid-way, the buffer starts over from byte 0 rather than
    /// failing. Otherwise as [`download_to`](Self::download_to).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::from_json(br#"{"model": "elevenlabs-music", "prompt": "Rain", "duration_seconds": 10}"#)?;
    /// # let job = client.audio().generate(request).await?.poll_interval(std::time::Duration::from_millis(10));
    /// let audio = job.wait().await?.bytes().await?;
    /// println!("{} bytes in memory", audio.len());
    /// # Ok(()) }
    /// ```
    pub async fn bytes(&mut self) -> Result<Bytes, Error> {
        let config = self.job.client.config();
        // The smaller of the two limits holds, and the error names it.
        let response = config.max_response_size as u64;
        let limit = if response < config.max_download_size {
            (response, SizeLimit::Response)
        } else {
            (config.max_download_size, SizeLimit::Download)
        };
        let mut buffer = Vec::new();
        self.transfer(&mut Memory(&mut buffer), limit).await?;
        self.cleanup().await;
        Ok(Bytes::from(buffer))
    }

    /// The automatic cleanup after a whole download, when asked for.
    async fn cleanup(&self) {
        if self.job.cleanup
            && let Err(error) = self.job.complete().await
        {
            tracing::warn!(%error, "the media was downloaded but could not be deleted from Venice's storage; call Job::complete to retry");
        }
    }

    /// Copies the media into `sink` (unflushed): at most `limit` bytes, within
    /// the client's stream timeout when it has one, resuming cut transfers and
    /// starting over (when the sink can) if the media changed on the server.
    async fn transfer(
        &mut self,
        sink: &mut impl Sink,
        limit: (u64, SizeLimit),
    ) -> Result<u64, Error> {
        let config = std::sync::Arc::clone(self.job.client.config());
        let operation = self.operation();
        // `None` also for a limit too far for the clock: no limit.
        let deadline = config
            .stream_timeout
            .and_then(|after| Some((after, tokio::time::Instant::now().checked_add(after)?)));
        let Some((after, deadline)) = deadline else {
            return self.resume(&config, sink, limit).await;
        };
        match tokio::time::timeout_at(deadline, self.resume(&config, sink, limit)).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout {
                limit: TimeoutKind::Stream,
                after,
                operation,
                attempts: 1,
            }),
        }
    }

    /// The operation whose answer carries the media.
    fn operation(&self) -> &'static str {
        match self.source {
            Source::Inline(_) => self.job.ticket.kind.retrieve_id(),
            Source::Url => FETCH_MEDIA.id,
        }
    }

    /// The transfers of [`transfer`](Self::transfer), without its deadline.
    ///
    /// A resumed transfer is used only when it is provably the rest of the
    /// version being written: a `206` starting exactly where asked, of the
    /// same total length and validators (a validator the first transfer had
    /// and the `206` lacks counts as another version), or a `200` of the same
    /// strong `ETag` and length (its first bytes skipped). Anything else is
    /// another version: the sink starts over from byte 0 when it can, else
    /// [`JobErrorKind::Changed`]. Starting over is never progress: only going
    /// past the most ever written is, so a host that changes the media on
    /// every request runs out of the retries.
    async fn resume(
        &mut self,
        config: &Config,
        sink: &mut impl Sink,
        limit: (u64, SizeLimit),
    ) -> Result<u64, Error> {
        let operation = self.operation();
        // Bytes of the media in the sink, and the most there ever were.
        let mut written = 0u64;
        let mut best = 0u64;
        let mut stalls = 0u32;
        // What is known of the version being written, once a transfer of it
        // started.
        let mut version: Option<Version> = None;
        loop {
            let fetched = match self.take_inline() {
                Some(response) if written == 0 => Fetched::Body(response),
                _ => {
                    let validator = version.as_ref().and_then(Version::validator);
                    self.fetch(config, written, validator).await?
                }
            };
            let usable = match fetched {
                Fetched::Body(response) => match judge(version.as_ref(), written, &response) {
                    Judged::Same {
                        start,
                        skip,
                        version,
                    } => Some((response, start, skip, version)),
                    Judged::OtherWhole(other) => {
                        self.start_over(sink, &mut written).await?;
                        Some((response, 0, 0, other))
                    }
                    Judged::Unusable => {
                        self.start_over(sink, &mut written).await?;
                        version = None;
                        None
                    }
                },
                Fetched::Unsatisfiable(seen) => {
                    if seen.completes(version.as_ref(), written) {
                        return Ok(written);
                    }
                    self.start_over(sink, &mut written).await?;
                    version = None;
                    None
                }
            };
            let mut broke = None;
            // Another version came and none of it could be used.
            let mismatched = usable.is_none();
            if let Some((response, start, skip, seen)) = usable {
                if let Some(total) = seen.total
                    && total > limit.0
                {
                    return Err(too_large(
                        operation,
                        response.status(),
                        limit,
                        headers::request_id(response.headers()),
                        &config.redactor,
                    ));
                }
                self.length = seen.total;
                version = Some(seen);
                let mut sink = Reporting {
                    sink: &mut *sink,
                    report: self.progress.as_mut(),
                    written,
                    total: self.length,
                };
                let span = Span {
                    start,
                    skip,
                    limit,
                    length: self.length,
                };
                let copied = copy_body(config, operation, response, &mut sink, span).await?;
                written = written.saturating_add(copied.written);
                match copied.end {
                    End::PastLength => {
                        return Err(self.job.error(JobErrorKind::Changed, 0, None));
                    }
                    End::Complete => match self.length {
                        None => return Ok(written),
                        Some(total) if written == total => return Ok(written),
                        Some(total) if written > total => {
                            return Err(self.job.error(JobErrorKind::Changed, 0, None));
                        }
                        // Short of the declared length: resumed.
                        Some(_) => {}
                    },
                    End::Broke(error) => broke = Some(error),
                }
            }
            stalls = if written > best {
                best = written;
                1
            } else {
                stalls.saturating_add(1)
            };
            if stalls > config.retry.max_retries || !config.budget.withdraw() {
                // The last answer was another version: the media kept
                // changing under the download.
                let kind = if mismatched {
                    JobErrorKind::Changed
                } else {
                    JobErrorKind::Incomplete {
                        written,
                        expected: self.length,
                    }
                };
                return Err(self.job.error(kind, 0, broke));
            }
            let delay = retry::backoff(&config.retry, stalls.saturating_sub(1));
            tracing::info!(
                written,
                expected = self.length,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "the media download broke off; resuming"
            );
            tokio::time::sleep(delay).await;
        }
    }

    /// Drops what `sink` holds to write the media again from byte 0 (another
    /// version of it came); [`JobErrorKind::Changed`] when the sink cannot.
    async fn start_over(&mut self, sink: &mut impl Sink, written: &mut u64) -> Result<(), Error> {
        if *written == 0 {
            return Ok(());
        }
        let restarted = sink.restart().await.map_err(|source| Error::Io {
            path: PathBuf::new(),
            source,
        })?;
        if !restarted {
            return Err(self.job.error(JobErrorKind::Changed, 0, None));
        }
        tracing::info!(
            dropped = *written,
            "the media changed on the server during the download; starting over"
        );
        *written = 0;
        self.length = None;
        if let Some(report) = self.progress.as_mut() {
            report(0, None);
        }
        Ok(())
    }

    /// The retrieve answer's body, if not read yet.
    fn take_inline(&mut self) -> Option<reqwest::Response> {
        match &mut self.source {
            Source::Inline(response) => response.take().map(|r| *r),
            Source::Url => None,
        }
    }

    /// A new transfer of the media, from byte `from` when the server honours
    /// the range (with `If-Range: validator`): the response, or what a `416`
    /// answer to the range said.
    async fn fetch(
        &mut self,
        config: &Config,
        from: u64,
        validator: Option<HeaderValue>,
    ) -> Result<Fetched, Error> {
        let range = (from > 0).then_some((from, validator));
        let answer = match (&self.source, &self.job.ticket.download_url) {
            (Source::Url, Some(url)) => match open_url(config, url, range).await {
                Err(Error::Api(e)) if e.status == StatusCode::NOT_FOUND => {
                    return Err(self
                        .job
                        .error(JobErrorKind::Expired, 0, Some(Error::Api(e))));
                }
                other => other,
            },
            _ => match self.job.retrieve(range, 0).await {
                Ok(Answer::Body { response, .. }) => Ok(response),
                // The job answered a status where its media was: it no longer
                // has the media to give.
                Ok(Answer::Status(_)) => {
                    return Err(self.job.error(JobErrorKind::NoMedia, 0, None));
                }
                Err(e) => Err(e),
            },
        };
        let response = match answer {
            Ok(response) => response,
            Err(Error::Api(e)) if from > 0 && e.status == StatusCode::RANGE_NOT_SATISFIABLE => {
                let seen = Version::of(&e.meta.headers, e.status, None);
                return Ok(Fetched::Unsatisfiable(seen));
            }
            Err(e) => return Err(e),
        };
        if matches!(self.source, Source::Url) {
            let media_type = media_type_of(response.headers());
            if !media_type.is_empty() {
                self.media_type = Some(media_type);
            }
        }
        Ok(Fetched::Body(response))
    }
}

/// What a fetch of the media brought.
enum Fetched {
    /// A success answer, its body unread.
    Body(reqwest::Response),
    /// `416 Range Not Satisfiable` to a range: what it said of the media.
    Unsatisfiable(Version),
}

/// What the answers say of one version of the media: resumed ranges must be
/// of the version the bytes already written are of.
#[derive(Clone, Debug, Default, PartialEq)]
struct Version {
    etag: Option<HeaderValue>,
    last_modified: Option<HeaderValue>,
    /// The whole media's length: the total of a `206`'s or a `416`'s
    /// `Content-Range`, or a `200`'s `Content-Length`.
    total: Option<u64>,
}

impl Version {
    /// What an answer of `status` with `headers` (and its `Content-Length`)
    /// says.
    fn of(headers: &HeaderMap, status: StatusCode, content_length: Option<u64>) -> Version {
        // Copies: a value of the answer would pin the connection's buffer.
        let copy = |name| {
            headers
                .get(name)
                .and_then(|v: &HeaderValue| HeaderValue::from_bytes(v.as_bytes()).ok())
        };
        let ranged = matches!(
            status,
            StatusCode::PARTIAL_CONTENT | StatusCode::RANGE_NOT_SATISFIABLE
        );
        Version {
            etag: copy(ETAG),
            last_modified: copy(LAST_MODIFIED),
            total: if ranged {
                content_range(headers).and_then(|(_, total)| total)
            } else {
                content_length
            },
        }
    }

    /// What `If-Range` sends to make sure a resumed range is of this
    /// version: a strong `ETag`, else `Last-Modified`.
    fn validator(&self) -> Option<HeaderValue> {
        self.strong_etag().or(self.last_modified.as_ref()).cloned()
    }

    fn strong_etag(&self) -> Option<&HeaderValue> {
        self.etag
            .as_ref()
            .filter(|tag| !tag.as_bytes().starts_with(b"W/"))
    }

    /// Whether a `206` that says `seen` is of this version: each validator
    /// this version has is there, the same (the `ETag`, else
    /// `Last-Modified`), and so is the total length.
    fn has_range(&self, seen: &Version) -> bool {
        let validator = match (&self.etag, &self.last_modified) {
            (Some(etag), _) => seen.etag.as_ref() == Some(etag),
            (None, Some(date)) => seen.last_modified.as_ref() == Some(date),
            (None, None) => true,
        };
        validator && self.total.is_none_or(|total| seen.total == Some(total))
    }

    /// Whether a whole body that says `seen` provably is this version: the
    /// same strong `ETag` and the same length.
    fn is_whole(&self, seen: &Version) -> bool {
        self.strong_etag().is_some()
            && self.strong_etag() == seen.strong_etag()
            && self.total.is_some()
            && self.total == seen.total
    }

    /// Whether a `416` that says `self` to a range from `written` means the
    /// media is whole already: its `Content-Range: bytes */<total>` is what
    /// was written, and the declared length (and `ETag`, when both have one)
    /// of the version written agree.
    fn completes(&self, current: Option<&Version>, written: u64) -> bool {
        written > 0
            && self.total == Some(written)
            && current.is_none_or(|current| {
                current.total.is_none_or(|total| total == written)
                    && match (&current.etag, &self.etag) {
                        (Some(ours), Some(theirs)) => ours == theirs,
                        _ => true,
                    }
            })
    }
}

/// How an answer may be used.
#[derive(Debug, PartialEq)]
enum Judged {
    /// Of the version being written (or the first): its body is copied,
    /// starting at byte `start` of the media, its first `skip` bytes dropped;
    /// `version` is what is known of the media now.
    Same {
        start: u64,
        skip: u64,
        version: Version,
    },
    /// Another version, whole (a `200`): usable once the sink starts over.
    OtherWhole(Version),
    /// Not usable: a range of another version, or elsewhere than asked.
    Unusable,
}

/// How to use `response`, an answer to a fetch from byte `written` of the
/// version `current` (`None`: nothing known yet).
fn judge(current: Option<&Version>, written: u64, response: &reqwest::Response) -> Judged {
    let status = response.status();
    let seen = Version::of(response.headers(), status, response.content_length());
    let span = content_range(response.headers()).and_then(|(span, _)| span);
    judge_seen(current, written, status, span, seen)
}

/// [`judge`], on what the answer said: its status, the start of its
/// `Content-Range`, and its version.
fn judge_seen(
    current: Option<&Version>,
    written: u64,
    status: StatusCode,
    span: Option<u64>,
    seen: Version,
) -> Judged {
    let partial = status == StatusCode::PARTIAL_CONTENT;
    let start = match (partial, span) {
        (false, _) => 0,
        (true, Some(start)) => start,
        (true, None) => return Judged::Unusable,
    };
    // A range must start where asked, within the media.
    let placed = !partial || (start == written && seen.total.is_none_or(|total| start < total));
    match current {
        _ if written == 0 && placed => Judged::Same {
            start,
            skip: 0,
            version: seen,
        },
        Some(current) if partial && placed && current.has_range(&seen) => Judged::Same {
            start,
            skip: 0,
            version: Version {
                total: current.total.or(seen.total),
                ..current.clone()
            },
        },
        Some(current) if !partial && current.is_whole(&seen) => Judged::Same {
            start: 0,
            skip: written,
            version: current.clone(),
        },
        _ if partial => Judged::Unusable,
        _ => Judged::OtherWhole(seen),
    }
}

/// `Content-Range: bytes <start>-<end>/<total>` (or `bytes */<total>`): the
/// start, when given, and the total, when given.
fn content_range(headers: &HeaderMap) -> Option<(Option<u64>, Option<u64>)> {
    let value = headers.get(CONTENT_RANGE)?.to_str().ok()?;
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (span, total) = rest.split_once('/')?;
    let start = match span.trim() {
        "*" => None,
        span => Some(span.split_once('-')?.0.trim().parse().ok()?),
    };
    Some((start, total.trim().parse().ok()))
}

/// A sink that reports the bytes written so far after each chunk.
struct Reporting<'a, S> {
    sink: &'a mut S,
    report: Option<&'a mut OnProgress>,
    /// Bytes of the media written, by this transfer and the ones before it.
    written: u64,
    total: Option<u64>,
}

impl<S: Sink> Sink for Reporting<'_, S> {
    async fn put(&mut self, chunk: Bytes) -> std::io::Result<()> {
        let len = chunk.len() as u64;
        self.sink.put(chunk).await?;
        self.written = self.written.saturating_add(len);
        if let Some(report) = self.report.as_mut() {
            report(self.written, self.total);
        }
        Ok(())
    }

    async fn restart(&mut self) -> std::io::Result<bool> {
        self.sink.restart().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::{Auth, Method};
    use crate::resources::jobs::storage::{REVOKE_MEDIA, downgrades};
    use crate::resources::jobs::ticket::DownloadUrl;

    #[test]
    fn the_download_operations_send_no_credential_and_are_idempotent() {
        for op in [&FETCH_MEDIA, &REVOKE_MEDIA] {
            assert_eq!(op.auth, Auth::None);
            assert!(!op.auth.sends_key() && !op.returns_secret && !op.idempotency_key);
            assert!(op.constraints.is_empty());
        }
        assert_eq!(FETCH_MEDIA.method, Method::Get);
        assert_eq!(REVOKE_MEDIA.method, Method::Delete);
    }

    fn version(etag: Option<&'static str>, date: Option<&'static str>, total: u64) -> Version {
        Version {
            etag: etag.map(HeaderValue::from_static),
            last_modified: date.map(HeaderValue::from_static),
            total: Some(total),
        }
    }

    const DATE: &str = "Sat, 30 May 2026 10:00:00 GMT";

    #[test]
    fn a_range_is_the_rest_only_where_asked_of_the_same_version_and_length() {
        let first = version(Some("\"v1\""), Some(DATE), 1000);
        let judged = |status, span, seen| judge_seen(Some(&first), 400, status, span, seen);
        let same = version(Some("\"v1\""), None, 1000);
        assert_eq!(
            judged(StatusCode::PARTIAL_CONTENT, Some(400), same.clone()),
            Judged::Same {
                start: 400,
                skip: 0,
                version: first.clone()
            }
        );
        // Elsewhere than asked, or with no range at all.
        for span in [Some(300), Some(401), None] {
            assert_eq!(
                judged(StatusCode::PARTIAL_CONTENT, span, same.clone()),
                Judged::Unusable
            );
        }
        // Another ETag, none (fail closed), another total, an unknown total.
        for seen in [
            version(Some("\"v2\""), Some(DATE), 1000),
            version(None, Some(DATE), 1000),
            version(Some("\"v1\""), None, 1200),
            Version {
                total: None,
                ..same.clone()
            },
        ] {
            assert_eq!(
                judged(StatusCode::PARTIAL_CONTENT, Some(400), seen.clone()),
                Judged::Unusable,
                "{seen:?}"
            );
        }
        // Without an ETag, Last-Modified is the validator, and must be there.
        let dated = version(None, Some(DATE), 1000);
        let judged = |seen| {
            judge_seen(
                Some(&dated),
                400,
                StatusCode::PARTIAL_CONTENT,
                Some(400),
                seen,
            )
        };
        assert!(matches!(judged(dated.clone()), Judged::Same { .. }));
        assert_eq!(judged(version(None, None, 1000)), Judged::Unusable);
        let later = version(None, Some("Sun, 31 May 2026 10:00:00 GMT"), 1000);
        assert_eq!(judged(later), Judged::Unusable);
        // With no validator at all, the total length still has to match.
        let bare = version(None, None, 1000);
        let judged = |seen| {
            judge_seen(
                Some(&bare),
                400,
                StatusCode::PARTIAL_CONTENT,
                Some(400),
                seen,
            )
        };
        assert!(matches!(judged(bare.clone()), Judged::Same { .. }));
        assert_eq!(judged(version(None, None, 999)), Judged::Unusable);
    }

    #[test]
    fn a_whole_body_is_skipped_into_only_with_the_same_strong_etag_and_length() {
        let first = version(Some("\"v1\""), Some(DATE), 1000);
        let judged = |seen| judge_seen(Some(&first), 400, StatusCode::OK, None, seen);
        assert_eq!(
            judged(version(Some("\"v1\""), None, 1000)),
            Judged::Same {
                start: 0,
                skip: 400,
                version: first.clone()
            }
        );
        for seen in [
            version(Some("\"v2\""), Some(DATE), 1000),
            version(Some("\"v1\""), Some(DATE), 300),
            version(None, Some(DATE), 1000),
        ] {
            assert_eq!(judged(seen.clone()), Judged::OtherWhole(seen));
        }
        // A weak ETag or a date proves nothing of the bytes.
        let weak = version(Some("W/\"v1\""), Some(DATE), 1000);
        let seen = weak.clone();
        assert_eq!(
            judge_seen(Some(&weak), 400, StatusCode::OK, None, seen.clone()),
            Judged::OtherWhole(seen)
        );
        // Nothing written yet: any whole body is the start.
        let seen = version(None, None, 10);
        assert!(matches!(
            judge_seen(None, 0, StatusCode::OK, None, seen),
            Judged::Same {
                start: 0,
                skip: 0,
                ..
            }
        ));
    }

    #[test]
    fn a_416_completes_only_for_exactly_what_was_written() {
        let first = version(Some("\"v1\""), None, 1000);
        let unsatisfiable = |total| Version {
            etag: None,
            last_modified: None,
            total,
        };
        assert!(unsatisfiable(Some(1000)).completes(Some(&first), 1000));
        assert!(!unsatisfiable(Some(1200)).completes(Some(&first), 1000));
        assert!(!unsatisfiable(Some(1000)).completes(Some(&first), 900));
        assert!(!unsatisfiable(None).completes(Some(&first), 1000));
        let other = version(Some("\"v2\""), None, 1000);
        assert!(!other.completes(Some(&first), 1000));
        // A first transfer of unknown length: what was written is all.
        let unknown = Version::default();
        assert!(unsatisfiable(Some(700)).completes(Some(&unknown), 700));
    }

    #[test]
    fn content_ranges_are_read_with_or_without_a_span() {
        let range = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_RANGE, HeaderValue::from_static(value));
            content_range(&headers)
        };
        assert_eq!(range("bytes 400-999/1000"), Some((Some(400), Some(1000))));
        assert_eq!(range("bytes 400-999/*"), Some((Some(400), None)));
        assert_eq!(range("bytes */1000"), Some((None, Some(1000))));
        assert_eq!(range("bytes 99999999999999999999-1/2"), None);
        assert_eq!(range("items 1-2/3"), None);
    }

    #[test]
    fn a_redirect_never_leaves_https_once_on_it() {
        let url = |s: &str| reqwest::Url::parse(s).unwrap();
        assert!(downgrades(true, &url("http://127.0.0.1:8080/media")));
        assert!(downgrades(true, &url("http://cdn.example/media")));
        assert!(!downgrades(true, &url("https://cdn.example/media")));
        // Plain http:// hops are for a download that never was https://.
        assert!(!downgrades(false, &url("http://127.0.0.1:8080/media")));
        assert!(!downgrades(false, &url("https://cdn.example/media")));
    }

    /// A client of `base`, given a plain reqwest client (so an https:// base
    /// builds without a TLS feature).
    fn client(base: &str) -> crate::Client {
        crate::Client::builder()
            .api_key("vk-test")
            .base_url(base)
            .http_client(reqwest::Client::new())
            .timeout(std::time::Duration::from_secs(2))
            .build()
            .unwrap()
    }

    #[test]
    fn plain_http_download_urls_need_a_plain_http_client() {
        use crate::transport::call::external_url;
        let https = client("https://api.venice.example/api/v1");
        let http = client("http://127.0.0.1:9/api/v1");
        for url in [
            "http://127.0.0.1:8080/dl?token=T0KEN",
            "http://cdn.example/dl?token=T0KEN",
        ] {
            let refused = external_url(https.config(), url).unwrap_err();
            let shown = format!("{refused} {refused:?}");
            assert!(
                shown.contains("plain http://") && !shown.contains("T0KEN"),
                "{shown}"
            );
            assert!(external_url(http.config(), url).is_ok(), "{url}");
        }
        for config in [https.config(), http.config()] {
            assert!(external_url(config, "https://cdn.example/dl").is_ok());
            assert!(external_url(config, "ftp://cdn.example/dl").is_err());
            assert!(external_url(config, "https://u:p@cdn.example/dl").is_err());
        }
    }

    #[tokio::test]
    async fn an_https_client_sends_nothing_to_a_plain_http_download_url_on_loopback() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://{}/dl/q1.mp4?token=T0KEN",
            listener.local_addr().unwrap()
        );
        let ticket = JobTicket::new(super::super::ticket::JobKind::Video, "m", "q1")
            .with_download_url(Some(DownloadUrl::new(url)));
        let mut media = Media::at_url(Job::new(
            &client("https://api.venice.example/api/v1"),
            ticket,
        ));
        let mut out = Vec::new();
        let error = media.download_to(&mut out).await.unwrap_err();
        assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
        let shown = format!("{error} {error:?}");
        assert!(
            shown.contains("plain http://") && !shown.contains("T0KEN"),
            "{shown}"
        );
        assert!(out.is_empty());
        let connected =
            tokio::time::timeout(std::time::Duration::from_millis(200), listener.accept()).await;
        assert!(connected.is_err(), "the loopback server was reached");
    }
}
