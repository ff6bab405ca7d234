//! Copying a body into a [`Sink`] as it arrives (an answer written into a
//! writer, a media job's download), held to its limits (an idle timeout per
//! read, a total size, the media's declared length), able to skip what an
//! earlier, cut transfer already wrote, and
//! telling a transfer that broke (worth resuming) from a failure that ends the
//! download (a write that failed, a body over the limit — the one
//! [`too_large`] error of every body reader — or past its length).
//!
//! Three sinks: any [`AsyncWrite`] ([`Writer`], which cannot start over), a
//! buffer in memory ([`Memory`]), and a temporary file written on tokio's
//! blocking pool from the received chunks themselves ([`FileSink`]: no copy,
//! so a download holds no more than the chunk being written and the one the
//! connection has read ahead). The last two can start over from byte 0 when
//! the media changed on the server mid-way.
//!
//! The temporary file and the blocking work on it share one state (its path,
//! whether it was created, kept or abandoned) under a lock: a [`FileSink`]
//! dropped at any point, even before the file was created, leaves no file once
//! the blocking work it started has ended.

use std::io::{Seek as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use tokio::io::{AsyncWrite, AsyncWriteExt as _};

use super::bounded::{Bounded, Limits, Whose};
use super::failure::map_reqwest;
use crate::config::Config;
use crate::error::SizeLimit;
use crate::{Error, headers};

/// What one transfer did.
#[derive(Debug)]
pub(crate) struct Copied {
    /// Bytes written into the sink by this transfer (skipped bytes excluded).
    pub written: u64,
    /// How it ended.
    pub end: End,
}

/// How a transfer ended.
#[derive(Debug)]
pub(crate) enum End {
    /// The body ended (whether it was whole is for the caller to check against
    /// the length it expected).
    Complete,
    /// The transfer broke off (a broken connection, an idle timeout): resuming
    /// may finish it.
    Broke(Error),
    /// The body went past the media's declared length; nothing past it was
    /// written.
    PastLength,
}

/// Where a body's bytes belong in the media, and what bounds them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    /// Where the body's first byte is in the media (a `206`'s range start,
    /// else 0).
    pub start: u64,
    /// Bytes of the body to read and drop first (an earlier transfer wrote
    /// them).
    pub skip: u64,
    /// Most bytes of media in all, the skipped and earlier ones counted,
    /// and the setting that limit is.
    pub limit: (u64, SizeLimit),
    /// The media's declared length, when known: no byte past it is written.
    pub length: Option<u64>,
}

/// Where a transfer's chunks go, one at a time: the next chunk is read once
/// the last one is written.
pub(crate) trait Sink {
    /// Writes `chunk` whole.
    async fn put(&mut self, chunk: Bytes) -> std::io::Result<()>;

    /// Drops everything written so far, to write the media again from byte 0;
    /// `false` when this sink cannot (what was written is gone to its reader).
    async fn restart(&mut self) -> std::io::Result<bool> {
        Ok(false)
    }
}

/// Any [`AsyncWrite`] as a [`Sink`]; it cannot start over.
pub(crate) struct Writer<'a, W: ?Sized>(pub &'a mut W);

impl<W: AsyncWrite + Unpin + ?Sized> Sink for Writer<'_, W> {
    async fn put(&mut self, chunk: Bytes) -> std::io::Result<()> {
        self.0.write_all(&chunk).await
    }
}

/// A buffer in memory as a [`Sink`]; starting over clears it.
pub(crate) struct Memory<'a>(pub &'a mut Vec<u8>);

impl Sink for Memory<'_> {
    async fn put(&mut self, chunk: Bytes) -> std::io::Result<()> {
        self.0.extend_from_slice(&chunk);
        Ok(())
    }

    async fn restart(&mut self) -> std::io::Result<bool> {
        self.0.clear();
        Ok(true)
    }
}

/// What a [`FileSink`] and the blocking work on its file share.
#[derive(Debug)]
struct TempState {
    path: PathBuf,
    /// The file exists, made by this sink (never someone else's file).
    created: bool,
    /// The file was renamed into place: no longer this sink's to remove.
    kept: bool,
    /// The sink was dropped: blocking work that ends after this removes the
    /// file, and none creates it.
    abandoned: bool,
}

type Shared = Arc<Mutex<TempState>>;

fn lock(shared: &Shared) -> MutexGuard<'_, TempState> {
    // The state stays meaningful even if a holder panicked.
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

impl TempState {
    /// Removes the file if this sink made it and did not keep it (best
    /// effort: it may be gone already).
    fn remove(&mut self) {
        if self.created && !self.kept {
            let _ = std::fs::remove_file(&self.path);
            self.created = false;
        }
    }
}

fn abandoned() -> std::io::Error {
    std::io::Error::other("the download was dropped")
}

/// A temporary file written on tokio's blocking pool, each chunk as received
/// (tokio's own `File` copies every write into a buffer of its own first),
/// removed when the sink is dropped unless [renamed into
/// place](Self::persist).
#[derive(Debug)]
pub(crate) struct FileSink {
    /// The file; `None` only while blocking work has it, or after work whose
    /// task was lost.
    file: Option<std::fs::File>,
    temp: Shared,
}

impl FileSink {
    /// Creates the file `path` (it must not exist yet) to write into.
    ///
    /// The creation runs on the blocking pool; if this future is dropped
    /// before it runs, it does not run, and if after, the file is removed.
    pub(crate) async fn create(path: PathBuf) -> std::io::Result<FileSink> {
        let temp = Arc::new(Mutex::new(TempState {
            path,
            created: false,
            kept: false,
            abandoned: false,
        }));
        // From here on, dropping the sink (this future dropped) abandons it.
        let mut sink = FileSink {
            file: None,
            temp: Arc::clone(&temp),
        };
        let file = blocking(move || {
            let mut state = lock(&temp);
            if state.abandoned {
                return Err(abandoned());
            }
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&state.path)?;
            state.created = true;
            Ok(file)
        })
        .await?;
        sink.file = Some(file);
        Ok(sink)
    }

    /// Writes into an open `file` that is not this sink's to remove (tests).
    #[cfg(test)]
    fn over(file: std::fs::File) -> Self {
        FileSink {
            file: Some(file),
            temp: Arc::new(Mutex::new(TempState {
                path: PathBuf::new(),
                created: false,
                kept: false,
                abandoned: false,
            })),
        }
    }

    /// Flushes the file's data and metadata to the disk
    /// ([`std::fs::File::sync_all`]).
    pub(crate) async fn sync(&mut self) -> std::io::Result<()> {
        self.on_file(|file| file.sync_all()).await
    }

    /// Closes the file and renames it to `to`, unless the sink was dropped
    /// meanwhile; the file is then the caller's.
    pub(crate) async fn persist(mut self, to: &Path) -> std::io::Result<()> {
        let file = self.take()?;
        let temp = Arc::clone(&self.temp);
        let to = to.to_owned();
        blocking(move || {
            // Closed first: some platforms cannot rename an open file.
            drop(file);
            let mut state = lock(&temp);
            if state.abandoned {
                state.remove();
                return Err(abandoned());
            }
            std::fs::rename(&state.path, &to)?;
            state.kept = true;
            Ok(())
        })
        .await
    }

    /// Runs `work` on the file on the blocking pool. Work that ends after the
    /// sink was dropped closes and removes the file itself (where an open
    /// file cannot be removed, the drop could not).
    async fn on_file<T: Send + 'static>(
        &mut self,
        work: impl FnOnce(&mut std::fs::File) -> std::io::Result<T> + Send + 'static,
    ) -> std::io::Result<T> {
        let mut file = self.take()?;
        let temp = Arc::clone(&self.temp);
        let (file, result) = blocking(move || {
            let result = work(&mut file);
            let mut state = lock(&temp);
            if state.abandoned {
                drop(file);
                state.remove();
                return Err(abandoned());
            }
            drop(state);
            Ok((file, result))
        })
        .await?;
        self.file = Some(file);
        result
    }

    fn take(&mut self) -> std::io::Result<std::fs::File> {
        self.file
            .take()
            .ok_or_else(|| std::io::Error::other("an earlier write to the file did not finish"))
    }
}

impl Sink for FileSink {
    async fn put(&mut self, chunk: Bytes) -> std::io::Result<()> {
        self.on_file(move |file| file.write_all(&chunk)).await
    }

    async fn restart(&mut self) -> std::io::Result<bool> {
        self.on_file(|file| {
            file.set_len(0)?;
            file.seek(std::io::SeekFrom::Start(0))?;
            Ok(true)
        })
        .await
    }
}

impl Drop for FileSink {
    fn drop(&mut self) {
        let mut state = lock(&self.temp);
        state.abandoned = true;
        // Closed first: some platforms cannot remove an open file. A file
        // that blocking work holds is removed by that work when it ends.
        drop(self.file.take());
        state.remove();
    }
}

/// Runs `work` on tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(std::io::Error::other)?
}

/// Copies the body of `response` into `sink`, read through the one
/// [`Bounded`] reader: its first `span.skip` bytes are
/// read and dropped (an earlier transfer wrote them), each read waits at most
/// the stream idle timeout, a byte past the media's declared length ends it
/// with [`End::PastLength`].
///
/// `Err` is a failed write (an [`Error::Io`] with an empty path) or a total
/// past `span.limit` bytes, counting the ones before the body and the skipped
/// ones ([`Error::BodyTooLarge`]; nothing past the limit is written); every
/// other ending is in [`Copied::end`], with what was written so far. Nothing
/// is flushed.
pub(crate) async fn copy_body(
    config: &Config,
    operation: &'static str,
    response: reqwest::Response,
    sink: &mut impl Sink,
    span: Span,
) -> Result<Copied, Error> {
    let status = response.status();
    let request_id = headers::request_id(response.headers()).map(str::to_owned);
    let whose = Whose {
        operation,
        status,
        request_id: request_id.as_deref(),
        redactor: &config.redactor,
    };
    let mut skip = span.skip;
    // Where the next byte of the body is in the media.
    let mut at = span.start;
    let mut written = 0u64;
    let limits = Limits::copy(config, span.limit);
    let mut body = Bounded::new(Box::pin(response.bytes_stream()), limits, span.start);
    loop {
        let chunk = match body.next().await {
            Some(Ok(chunk)) => chunk,
            None => {
                return Ok(Copied {
                    written,
                    end: End::Complete,
                });
            }
            // Past the size limit the download ends; any other stop breaks
            // it off, for the caller to resume.
            Some(Err(stop)) if stop.is_too_large() => {
                return Err(stop.into_error(&whose, |e| map_reqwest(config, operation, e, 1)));
            }
            Some(Err(stop)) => {
                let error = stop.into_error(&whose, |e| map_reqwest(config, operation, e, 1));
                let end = End::Broke(error);
                return Ok(Copied { written, end });
            }
        };
        let len = chunk.len() as u64;
        let dropped = skip.min(len);
        skip -= dropped;
        at = at.saturating_add(len);
        let fresh = chunk.slice(usize::try_from(dropped).unwrap_or(chunk.len())..);
        if fresh.is_empty() {
            continue;
        }
        if span.length.is_some_and(|length| at > length) {
            let end = End::PastLength;
            return Ok(Copied { written, end });
        }
        let fresh_len = fresh.len() as u64;
        // The chunk goes into the sink, which drops it once written: the
        // connection's read buffer it points into is free again.
        drop(chunk);
        sink.put(fresh).await.map_err(|source| Error::Io {
            path: std::path::PathBuf::new(),
            source,
        })?;
        written = written.saturating_add(fresh_len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_path(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!(
            "venice-sdk-{name}-{}-{:08x}",
            std::process::id(),
            fastrand::u32(..)
        ))
    }

    #[tokio::test]
    async fn the_file_sink_writes_each_chunk_in_order_syncs_and_renames() -> std::io::Result<()> {
        let (path, to) = (temp_path("file-sink"), temp_path("file-sink-kept"));
        let mut sink = FileSink::create(path.clone()).await?;
        let chunks = [&b"first "[..], b"", b"second ", &[0xff; 70_000]];
        for chunk in chunks {
            sink.put(Bytes::copy_from_slice(chunk)).await?;
        }
        sink.sync().await?;
        sink.persist(&to).await?;
        let written = std::fs::read(&to);
        std::fs::remove_file(&to)?;
        assert_eq!(written?, chunks.concat());
        assert!(!path.exists(), "renamed, not copied");
        Ok(())
    }

    #[tokio::test]
    async fn the_file_sink_starts_over_from_an_empty_file() -> std::io::Result<()> {
        let (path, to) = (
            temp_path("file-sink-restart"),
            temp_path("file-sink-restart-kept"),
        );
        let mut sink = FileSink::create(path).await?;
        sink.put(Bytes::from_static(b"the old version, longer"))
            .await?;
        assert!(sink.restart().await?);
        sink.put(Bytes::from_static(b"new")).await?;
        sink.persist(&to).await?;
        let written = std::fs::read(&to);
        std::fs::remove_file(&to)?;
        assert_eq!(written?, b"new");
        Ok(())
    }

    #[tokio::test]
    async fn a_dropped_file_sink_leaves_no_file_and_never_clobbers_one() -> std::io::Result<()> {
        let path = temp_path("file-sink-dropped");
        let mut sink = FileSink::create(path.clone()).await?;
        sink.put(Bytes::from_static(b"partial")).await?;
        drop(sink);
        assert!(!path.exists());

        // A file already there is not this sink's: creating fails, and the
        // failed sink leaves the file alone.
        std::fs::write(&path, b"someone else's")?;
        let error = FileSink::create(path.clone()).await.err();
        let kept = std::fs::read(&path);
        std::fs::remove_file(&path)?;
        assert_eq!(
            error.map(|e| e.kind()),
            Some(std::io::ErrorKind::AlreadyExists)
        );
        assert_eq!(kept?, b"someone else's");
        Ok(())
    }

    #[tokio::test]
    async fn only_the_memory_and_file_sinks_can_start_over() -> std::io::Result<()> {
        let mut buffer = b"old".to_vec();
        assert!(Memory(&mut buffer).restart().await?);
        assert!(buffer.is_empty());
        let mut out = b"old".to_vec();
        assert!(!Writer(&mut out).restart().await?);
        assert_eq!(out, b"old", "a writer keeps what it was given");
        Ok(())
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_failed_write_is_the_file_systems_error_and_the_sink_stays_usable()
    -> std::io::Result<()> {
        // Every write to /dev/full fails with "no space left on device".
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full")?;
        let mut sink = FileSink::over(full);
        let error = sink.put(Bytes::from_static(b"media")).await.err();
        assert_eq!(
            error.and_then(|e| e.raw_os_error()),
            Some(28),
            "ENOSPC expected"
        );
        // The file came back from the blocking pool: the sink still works (and
        // fails the same way) rather than claiming a write was lost.
        let again = sink.put(Bytes::from_static(b"more")).await.err();
        assert_eq!(again.and_then(|e| e.raw_os_error()), Some(28));
        Ok(())
    }

    #[tokio::test]
    async fn the_writer_sink_writes_into_any_async_writer() -> std::io::Result<()> {
        let mut buffer = Vec::new();
        let mut sink = Writer(&mut buffer);
        sink.put(Bytes::from_static(b"ab")).await?;
        sink.put(Bytes::from_static(b"cd")).await?;
        assert_eq!(buffer, b"abcd");
        Ok(())
    }
}
