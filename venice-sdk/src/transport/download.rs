//! Copying a media body into a writer as it arrives, held to the download
//! limits (an idle timeout per read, a total size), able to skip what an
//! earlier, cut transfer already wrote, and telling a transfer that broke (worth
//! resuming) from a failure that ends the download (a write that failed, a body
//! over the limit).

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

/// Copies the body of `response` into `writer`: its first `skip` bytes are
/// read and dropped (an earlier transfer wrote them), each read waits at most
/// the stream idle timeout, and a total past `limit` bytes (counting the
/// `skip` ones) ends it with [`End::OverLimit`].
///
/// `Err` is a failed write (an [`Error::Io`] with an empty path); every other
/// ending is in [`Copied::end`], with what was written so far. Nothing is
/// flushed.
pub(crate) async fn copy_body<W>(
    config: &Config,
    operation: &'static str,
    response: &mut reqwest::Response,
    writer: &mut W,
    mut skip: u64,
    limit: u64,
) -> Result<Copied, Error>
where
    W: AsyncWrite + Unpin + ?Sized,
{
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
        writer.write_all(&fresh).await.map_err(|source| Error::Io {
            path: std::path::PathBuf::new(),
            source,
        })?;
        written = written.saturating_add(fresh.len() as u64);
    }
}
