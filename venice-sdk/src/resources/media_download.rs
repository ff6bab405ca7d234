//! A finished media job's media ([`Media`]) and its download: written out as
//! it arrives (never held), from the retrieve answer's body or from the job's
//! `download_url` (fetched without the API key), a transfer cut mid-way
//! resumed (`Range` when the server honours it, else fetched again and the
//! bytes already written skipped), saved through a temporary file renamed into
//! place, which no drop at any point leaves behind; and the revocation of a
//! `download_url`.

use std::fmt;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{
    CONTENT_LOCATION, CONTENT_RANGE, ETAG, HeaderValue, LAST_MODIFIED, LOCATION,
};
use tokio::io::{AsyncWrite, AsyncWriteExt as _};

use super::media_job::{Answer, DownloadUrl, Job, JobTicket};
use crate::config::Config;
use crate::error::JobErrorKind;
use crate::operations::{self, Auth, Operation};
use crate::transport::Call;
use crate::transport::download::{End, FileSink, Sink, Writer, copy_body};
use crate::transport::request::media_type_of;
use crate::{Error, retry};

/// Fetching a job's media from its `download_url`: a `GET` without any
/// credential (the URL is one).
const FETCH_MEDIA: Operation = Operation {
    id: "fetchMediaDownload",
    rust_name: "fetch_media_download",
    original_id: None,
    method: "GET",
    path: "{download_url}",
    requires_auth: false,
    auth: Auth::None,
    generated: false,
    wrapper: Some("a job's download_url, outside the API"),
    constraints: &[],
    example_response: None,
    ..operations::RETRIEVE_VIDEO
};

/// Revoking a job's `download_url`: a `DELETE` on it, without any credential.
const REVOKE_MEDIA: Operation = Operation {
    id: "revokeMediaDownload",
    rust_name: "revoke_media_download",
    method: "DELETE",
    ..FETCH_MEDIA
};

/// What a media fetch accepts.
const MEDIA_ACCEPT: &str = "video/*, audio/*, application/octet-stream, */*";

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
    /// transfer resumes are not counted twice. The call is made on the
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
    pub fn media_type(&self) -> Option<&str> {
        self.media_type.as_deref()
    }

    /// The media's length in bytes, when the server said.
    pub fn content_length(&self) -> Option<u64> {
        self.length
    }

    /// The job this media belongs to.
    pub fn ticket(&self) -> &JobTicket {
        &self.job.ticket
    }

    /// Deletes the media from Venice's storage ([`Job::complete`]).
    pub async fn complete(&self) -> Result<(), Error> {
        self.job.complete().await
    }

    /// Writes the media into `writer` as it arrives (never holding it) and
    /// flushes it; returns the number of bytes written.
    ///
    /// From a `download_url` no API key is sent, and up to 5 redirects are
    /// followed (each target held to the same rules as the URL). Each read waits at most the
    /// client's [stream idle timeout](crate::ClientBuilder::stream_idle_timeout);
    /// the whole is held to
    /// [`max_download_size`](crate::ClientBuilder::max_download_size)
    /// ([`JobErrorKind::TooLarge`]), not to `max_response_size`. A transfer
    /// that breaks off is resumed where it stopped — with `Range` when the
    /// server honours it, else fetched again with the bytes already written
    /// skipped — up to the client's `max_retries` times in a row without
    /// progress (within its retry budget), then
    /// [`JobErrorKind::Incomplete`]. A 404 is [`JobErrorKind::Expired`]. A
    /// failed write is an [`Error::Io`] (with an empty path) and is not
    /// retried. With [`Job::cleanup_after_download`], the media is deleted
    /// once written whole.
    pub async fn download_to<W>(&mut self, writer: &mut W) -> Result<u64, Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let limit = self.job.client.config().max_download_size;
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
    /// once the blocking work in flight has ended. Otherwise as
    /// [`download_to`](Self::download_to); I/O errors name the file.
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
        let limit = self.job.client.config().max_download_size;
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
    /// ([`Error::BodyTooLarge`] past it). Otherwise as
    /// [`download_to`](Self::download_to).
    pub async fn bytes(&mut self) -> Result<Bytes, Error> {
        let config = self.job.client.config();
        let limit = (config.max_response_size as u64).min(config.max_download_size);
        let mut buffer = Vec::new();
        match self.transfer(&mut Writer(&mut buffer), limit).await {
            Ok(_) => {}
            Err(Error::Job(e)) if matches!(e.kind, JobErrorKind::TooLarge { .. }) => {
                return Err(Error::BodyTooLarge {
                    operation: FETCH_MEDIA.id,
                    status: StatusCode::OK,
                    limit: usize::try_from(limit).unwrap_or(usize::MAX),
                    request_id: None,
                });
            }
            Err(e) => return Err(e),
        }
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

    /// Copies the media into `sink` (unflushed), resuming cut transfers;
    /// at most `limit` bytes.
    async fn transfer(&mut self, sink: &mut impl Sink, limit: u64) -> Result<u64, Error> {
        let config = std::sync::Arc::clone(self.job.client.config());
        let mut written = 0u64;
        let mut stalls = 0u32;
        let mut validator: Option<HeaderValue> = None;
        loop {
            let (mut response, start) = match self.take_inline() {
                Some(response) if written == 0 => (response, 0),
                _ => self.fetch(&config, written, validator.clone()).await?,
            };
            if start > written {
                // A range that starts past what was written leaves a gap.
                return Err(self.job.error(
                    JobErrorKind::Incomplete {
                        written,
                        expected: self.length,
                    },
                    0,
                    None,
                ));
            }
            if let Some(total) = total_length(&response, start) {
                self.length = Some(total);
                if total > limit {
                    return Err(self.job.error(JobErrorKind::TooLarge { limit }, 0, None));
                }
            }
            validator = validator.or_else(|| validator_of(&response));
            let operation = match self.source {
                Source::Inline(_) => self.job.ticket.kind.retrieve_id(),
                Source::Url => FETCH_MEDIA.id,
            };
            let skip = written.saturating_sub(start);
            let mut sink = Reporting {
                sink: &mut *sink,
                report: self.progress.as_mut(),
                written,
                total: self.length,
            };
            let copied =
                copy_body(&config, operation, &mut response, &mut sink, skip, limit).await?;
            written = written.saturating_add(copied.written);
            let broke = match copied.end {
                End::OverLimit => {
                    return Err(self.job.error(JobErrorKind::TooLarge { limit }, 0, None));
                }
                End::Complete if self.length.is_none_or(|total| written >= total) => {
                    return Ok(written);
                }
                End::Complete => None,
                End::Broke(error) => Some(error),
            };
            stalls = if copied.written > 0 {
                1
            } else {
                stalls.saturating_add(1)
            };
            if stalls > config.retry.max_retries || !config.budget.withdraw() {
                return Err(self.job.error(
                    JobErrorKind::Incomplete {
                        written,
                        expected: self.length,
                    },
                    0,
                    broke,
                ));
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

    /// The retrieve answer's body, if not read yet.
    fn take_inline(&mut self) -> Option<reqwest::Response> {
        match &mut self.source {
            Source::Inline(response) => response.take().map(|r| *r),
            Source::Url => None,
        }
    }

    /// A new transfer of the media, from byte `from` when the server honours
    /// the range: the response and the byte its body starts at.
    async fn fetch(
        &mut self,
        config: &Config,
        from: u64,
        validator: Option<HeaderValue>,
    ) -> Result<(reqwest::Response, u64), Error> {
        let range = (from > 0).then_some((from, validator));
        let response = match (&self.source, &self.job.ticket.download_url) {
            (Source::Url, Some(url)) => match open_url(config, url, range).await {
                Ok(response) => response,
                Err(Error::Api(e)) if e.status == 404 => {
                    return Err(self
                        .job
                        .error(JobErrorKind::Expired, 0, Some(Error::Api(e))));
                }
                Err(e) => return Err(e),
            },
            _ => match self.job.retrieve(range, 0).await? {
                Answer::Body { response, .. } => response,
                // The job answered a status where its media was: it no longer
                // has the media to give.
                Answer::Status(_) => {
                    return Err(self.job.error(JobErrorKind::NoMedia, 0, None));
                }
            },
        };
        if matches!(self.source, Source::Url) {
            let media_type = media_type_of(response.headers());
            if !media_type.is_empty() {
                self.media_type = Some(media_type);
            }
        }
        let start = if response.status() == StatusCode::PARTIAL_CONTENT {
            content_range(&response).map_or(u64::MAX, |(start, _)| start)
        } else {
            0
        };
        Ok((response, start))
    }
}

/// The most redirects a `download_url` fetch follows.
const MAX_REDIRECTS: usize = 5;

/// `GET` on the `download_url` (with `range`, see [`with_range`]), following
/// up to [`MAX_REDIRECTS`] redirects (`301`, `302`, `303`, `307`, `308`):
/// storage behind a signed URL may send the client elsewhere, and no
/// credential travels with the request, so another host is no risk. Each
/// target is held to the `download_url`'s own rules (`https://`, or `http://`
/// to a loopback host or when the client itself uses `http://`). A redirect
/// that cannot be followed is an [`Error::Api`] with its `3xx` status and a
/// message saying why; its `Location` (itself a credential) is dropped.
async fn open_url(
    config: &Config,
    url: &DownloadUrl,
    range: Option<(u64, Option<HeaderValue>)>,
) -> Result<reqwest::Response, Error> {
    let mut target = url.expose().to_owned();
    let mut hops = 0;
    loop {
        let mut call = Call::new(&FETCH_MEDIA).at_url(&target).accept(MEDIA_ACCEPT);
        if let Some((from, validator)) = range.clone() {
            call = with_range(call, from, validator);
        }
        let mut error = match call.open(config).await {
            Err(Error::Api(e)) if is_followed(e.status) => e,
            other => return other,
        };
        let location = error.meta.headers.remove(LOCATION);
        error.meta.headers.remove(CONTENT_LOCATION);
        let next = location
            .as_ref()
            .and_then(|location| location.to_str().ok())
            .and_then(|location| reqwest::Url::parse(&target).ok()?.join(location).ok());
        let why = match next {
            _ if hops >= MAX_REDIRECTS => format!(
                "the download_url redirected more than {MAX_REDIRECTS} times; the media could not be reached"
            ),
            None => "the download_url redirected without a usable Location".to_owned(),
            Some(next) => {
                hops += 1;
                target = next.into();
                tracing::debug!(hops, "the download_url redirected; following");
                continue;
            }
        };
        error.message = why;
        error.body = String::new();
        return Err(Error::Api(error));
    }
}

/// The redirects a `download_url` fetch follows (`300` and `304` are not ones).
fn is_followed(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    )
}

/// Adds `Range: bytes=<from>-`, and `If-Range` with the validator of the
/// earlier transfer when there is one (a changed file then comes whole).
pub(super) fn with_range<'a>(
    call: Call<'a>,
    from: u64,
    validator: Option<HeaderValue>,
) -> Call<'a> {
    // Digits and ASCII only: always a valid header value.
    let range = HeaderValue::from_str(&format!("bytes={from}-"))
        .unwrap_or_else(|_| HeaderValue::from_static("bytes=0-"));
    let call = call.header("range", range);
    match validator {
        Some(value) => call.header("if-range", value),
        None => call,
    }
}

/// `Content-Range: bytes <start>-<end>/<total>`: the start, and the total when
/// given.
fn content_range(response: &reqwest::Response) -> Option<(u64, Option<u64>)> {
    let value = response.headers().get(CONTENT_RANGE)?.to_str().ok()?;
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (span, total) = rest.split_once('/')?;
    let start = span.split_once('-')?.0.trim().parse().ok()?;
    Some((start, total.trim().parse().ok()))
}

/// The whole media's length: the total of a `206`'s `Content-Range`, or a
/// `200`'s `Content-Length`.
fn total_length(response: &reqwest::Response, start: u64) -> Option<u64> {
    if response.status() == StatusCode::PARTIAL_CONTENT {
        return content_range(response).and_then(|(_, total)| total);
    }
    if start == 0 {
        response.content_length()
    } else {
        None
    }
}

/// What `If-Range` can send to make sure a resumed range is of the same file:
/// a strong `ETag`, else `Last-Modified`.
fn validator_of(response: &reqwest::Response) -> Option<HeaderValue> {
    let headers = response.headers();
    headers
        .get(ETAG)
        .filter(|tag| !tag.as_bytes().starts_with(b"W/"))
        .or_else(|| headers.get(LAST_MODIFIED))
        .cloned()
}

/// `DELETE` on a `download_url`, without any credential.
pub(super) async fn revoke(config: &Config, url: &DownloadUrl) -> Result<(), Error> {
    let response = Call::new(&REVOKE_MEDIA)
        .at_url(url.expose())
        .accept(MEDIA_ACCEPT)
        .open(config)
        .await?;
    drop(response);
    Ok(())
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_download_operations_send_no_credential_and_are_idempotent() {
        for op in [&FETCH_MEDIA, &REVOKE_MEDIA] {
            assert_eq!(op.auth, Auth::None);
            assert!(!op.requires_auth && !op.returns_secret && !op.idempotency_key);
            assert!(op.constraints.is_empty());
        }
        assert_eq!(FETCH_MEDIA.method, "GET");
        assert_eq!(REVOKE_MEDIA.method, "DELETE");
    }
}
