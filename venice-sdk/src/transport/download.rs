//! Copying a media body into a [`Sink`] as it arrives, held to the download
//! limits (an idle timeout per read, a total size), able to skip what an
//! earlier, cut transfer already wrote, and telling a transfer that broke (worth
//! resuming) from a failure that ends the download (a write that failed, a body
//! over the limit).
//!
//! Two sinks: any [`AsyncWrite`] ([`Writer`]), and a file written on tokio's
//! blocking pool from the received chunks themselves ([`FileSink`]: no copy,
//! so a download holds no more than the chunk being written and the one the
//! connection has read ahead).

use std::io::Write as _;

use bytes::Bytes;
use tokio::io::{AsyncWrite, AsyncWriteExt as _};

use super::attempt::within;
use super::failure::map_reqwest;
use crate::Error;
use crate::config::Config;
use crate::error::TimeoutKind;

/// What one transfer did.
#[derive(Debug)]
pub(crate) struct Copied {
    /// Bytes written into the writer by this transfer (skipped bytes excluded).
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
    /// The body went past the limit; nothing past it was written.
    OverLimit,
}

/// Where a transfer's chunks go, one at a time: the next chunk is read once
/// the last one is written.
pub(crate) trait Sink {
    /// Writes `chunk` whole.
    async fn put(&mut self, chunk: Bytes) -> std::io::Result<()>;
}

/// Any [`AsyncWrite`] as a [`Sink`].
pub(crate) struct Writer<'a, W: ?Sized>(pub &'a mut W);

impl<W: AsyncWrite + Unpin + ?Sized> Sink for Writer<'_, W> {
    async fn put(&mut self, chunk: Bytes) -> std::io::Result<()> {
        self.0.write_all(&chunk).await
    }
}

/// A file written on tokio's blocking pool, each chunk as received (tokio's
/// own `File` copies every write into a buffer of its own first).
#[derive(Debug)]
pub(crate) struct FileSink {
    /// The file; `None` only while a write has it on the blocking pool, or
    /// after a write whose task was lost.
    file: Option<std::fs::File>,
}

impl FileSink {
    /// Writes into `file`, from where it stands.
    pub(crate) fn new(file: std::fs::File) -> Self {
        Self { file: Some(file) }
    }

    /// Flushes the file's data and metadata to the disk
    /// ([`std::fs::File::sync_all`]) and closes it.
    pub(crate) async fn sync_and_close(mut self) -> std::io::Result<()> {
        let file = self.take()?;
        blocking(move || file.sync_all()).await
    }

    fn take(&mut self) -> std::io::Result<std::fs::File> {
        self.file
            .take()
            .ok_or_else(|| std::io::Error::other("an earlier write to the file did not finish"))
    }
}

impl Sink for FileSink {
    async fn put(&mut self, chunk: Bytes) -> std::io::Result<()> {
        let mut file = self.take()?;
        let (file, written) = blocking(move || {
            let written = file.write_all(&chunk);
            Ok((file, written))
        })
        .await?;
        self.file = Some(file);
        written
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

/// Copies the body of `response` into `sink`: its first `skip` bytes are
/// read and dropped (an earlier transfer wrote them), each read waits at most
/// the stream idle timeout, and a total past `limit` bytes (counting the
/// `skip` ones) ends it with [`End::OverLimit`].
///
/// `Err` is a failed write (an [`Error::Io`] with an empty path); every other
/// ending is in [`Copied::end`], with what was written so far. Nothing is
/// flushed.
pub(crate) async fn copy_body(
    config: &Config,
    operation: &'static str,
    response: &mut reqwest::Response,
    sink: &mut impl Sink,
    mut skip: u64,
    limit: u64,
) -> Result<Copied, Error> {
    let mut total = skip;
    let mut written = 0u64;
    loop {
        let deadline = tokio::time::Instant::now().checked_add(config.stream_idle_timeout);
        let chunk = match within(deadline, response.chunk()).await {
            Some(Ok(Some(chunk))) => chunk,
            Some(Ok(None)) => {
                return Ok(Copied {
                    written,
                    end: End::Complete,
                });
            }
            Some(Err(e)) => {
                let end = End::Broke(map_reqwest(config, operation, e, 1));
                return Ok(Copied { written, end });
            }
            None => {
                let end = End::Broke(Error::Timeout {
                    limit: TimeoutKind::Idle,
                    after: config.stream_idle_timeout,
                    operation,
                    attempts: 1,
                });
                return Ok(Copied { written, end });
            }
        };
        let len = chunk.len() as u64;
        let dropped = skip.min(len);
        skip -= dropped;
        let fresh = chunk.slice(usize::try_from(dropped).unwrap_or(chunk.len())..);
        if fresh.is_empty() {
            continue;
        }
        total = total.saturating_add(fresh.len() as u64);
        if total > limit {
            return Ok(Copied {
                written,
                end: End::OverLimit,
            });
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
    async fn the_file_sink_writes_each_chunk_in_order_and_syncs() -> std::io::Result<()> {
        let path = temp_path("file-sink");
        let mut sink = FileSink::new(std::fs::File::create(&path)?);
        let chunks = [&b"first "[..], b"", b"second ", &[0xff; 70_000]];
        for chunk in chunks {
            sink.put(Bytes::copy_from_slice(chunk)).await?;
        }
        sink.sync_and_close().await?;
        let written = std::fs::read(&path);
        std::fs::remove_file(&path)?;
        assert_eq!(written?, chunks.concat());
        Ok(())
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_failed_write_is_the_file_systems_error_and_the_sink_stays_usable()
    -> std::io::Result<()> {
        // Every write to /dev/full fails with "no space left on device".
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full")?;
        let mut sink = FileSink::new(full);
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
