//! [`Bounded`]: the one reader of a response body, under one set of
//! [`Limits`] — its size, the wait between two reads, the whole read — that
//! every way of reading a body goes through: whole into memory
//! ([`read_body`](super::body::read_body)), into a sink as it arrives
//! ([`copy_body`](super::copy::copy_body)), or pulled as a stream
//! ([`LiveBody`](super::live::LiveBody)). Past a limit it stops with a
//! [`Stop`], which [`Stop::into_error`] names the same way for all of them
//! (past the size, the one [`too_large`] error).
//!
//! A limit it does not have costs nothing: a whole read (no idle or overall
//! limit) sets no timer and allocates nothing.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;
use reqwest::StatusCode;

use crate::Error;
use crate::config::Config;
use crate::error::{SizeLimit, TimeoutKind};
use crate::secret::Redactor;

/// Runs `work` until `deadline` (`None`: no deadline, as when a timeout is too
/// large for the clock); `None` when the deadline passed first.
pub(crate) async fn within<F: std::future::Future>(
    deadline: Option<tokio::time::Instant>,
    work: F,
) -> Option<F::Output> {
    match deadline {
        Some(at) => tokio::time::timeout_at(at, work).await.ok(),
        None => Some(work.await),
    }
}

/// The one error for a body past its size limit, however it is read
/// (whole, into a writer, as a live stream, or as a media download): the
/// operation, the status, the limit and which setting it is, and the request
/// id with the client's secrets scrubbed.
pub(crate) fn too_large(
    operation: &'static str,
    status: StatusCode,
    (limit, setting): (u64, SizeLimit),
    request_id: Option<&str>,
    redactor: &Redactor,
) -> Error {
    Error::BodyTooLarge {
        operation,
        status,
        limit,
        setting,
        request_id: request_id.map(|id| redactor.scrub_str(id).into_owned()),
    }
}

/// The response size limit, as [`too_large`] names it.
pub(crate) fn response_limit(config: &Config) -> (u64, SizeLimit) {
    (config.max_response_size as u64, SizeLimit::Response)
}

/// What happens past the size limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Over {
    /// The read stops with [`Stop::TooLarge`].
    Fail,
    /// The body is cut at the limit and ends there (an error body: what
    /// arrived says enough).
    Cut,
}

/// What bounds a body.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// The most bytes, counting any before this body (a resumed download's),
    /// and which setting that is.
    pub max: (u64, SizeLimit),
    /// What happens past it.
    pub over: Over,
    /// The longest wait for the next bytes (`None`: the request timeout
    /// covers the body).
    pub idle: Option<Duration>,
    /// The longest time from the first read to the last (`None`: none).
    pub overall: Option<Duration>,
}

impl Limits {
    /// A body read whole within `max` bytes, under the request timeout.
    pub fn whole(max: (u64, SizeLimit), over: Over) -> Limits {
        Limits {
            max,
            over,
            idle: None,
            overall: None,
        }
    }

    /// A body read as it arrives under the stream limits: the response size
    /// limit, the idle timeout and the stream timeout.
    pub fn stream(config: &Config) -> Limits {
        Limits {
            max: response_limit(config),
            over: Over::Fail,
            idle: Some(config.stream_idle_timeout),
            overall: config.stream_timeout,
        }
    }

    /// A body copied into a sink: at most `max` bytes, each read within the
    /// idle timeout (the caller bounds the whole copy).
    pub fn copy(config: &Config, max: (u64, SizeLimit)) -> Limits {
        Limits {
            max,
            over: Over::Fail,
            idle: Some(config.stream_idle_timeout),
            overall: None,
        }
    }
}

/// Why a body stopped short.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The transport failed: for the reader to name (a broken connection, a
    /// request timeout).
    Transport(reqwest::Error),
    /// More bytes than the size limit.
    TooLarge((u64, SizeLimit)),
    /// No bytes for longer than the idle limit.
    Idle(Duration),
    /// The whole read took longer than its overall limit.
    Overall(Duration),
}

/// Whose body a [`Stop`] ended: what its error names.
pub(crate) struct Whose<'a> {
    /// The operation.
    pub operation: &'static str,
    /// The answer's status.
    pub status: StatusCode,
    /// Its request id, as sent.
    pub request_id: Option<&'a str>,
    /// The client's redactor.
    pub redactor: &'a Redactor,
}

impl Stop {
    /// The error of a body that stopped so; a transport failure is named by
    /// `transport`, the reader's own way.
    pub fn into_error(
        self,
        whose: &Whose<'_>,
        transport: impl FnOnce(reqwest::Error) -> Error,
    ) -> Error {
        let timeout = |limit, after| Error::Timeout {
            limit,
            after,
            operation: whose.operation,
            attempts: 1,
        };
        match self {
            Stop::Transport(error) => transport(error),
            Stop::TooLarge(limit) => too_large(
                whose.operation,
                whose.status,
                limit,
                whose.request_id,
                whose.redactor,
            ),
            Stop::Idle(after) => timeout(TimeoutKind::Idle, after),
            Stop::Overall(after) => timeout(TimeoutKind::Stream, after),
        }
    }

    /// Whether this is the size limit (which ends a download rather than
    /// breaking it off).
    pub fn is_too_large(&self) -> bool {
        matches!(self, Stop::TooLarge(_))
    }
}

/// A response body pulled chunk by chunk within its [`Limits`]. Nothing is
/// buffered: each chunk is handed over as it came. After a [`Stop`] (or
/// [`close`](Self::close)) nothing more is read.
pub(crate) struct Bounded<S> {
    body: Option<S>,
    limits: Limits,
    /// The idle timer, armed when the body was opened and re-armed only when
    /// it fires early (a read since then moved the deadline).
    idle_timer: Option<Pin<Box<tokio::time::Sleep>>>,
    /// When bytes last arrived (kept only under an idle limit).
    last_read: Option<tokio::time::Instant>,
    /// The overall deadline, if there is one.
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    /// Bytes so far, those before this body counted.
    received: u64,
}

impl<S: Stream<Item = reqwest::Result<Bytes>> + Unpin> Bounded<S> {
    /// The body `body` under `limits`, `already` bytes counted before it (a
    /// resumed download's start).
    pub fn new(body: S, limits: Limits, already: u64) -> Bounded<S> {
        // `sleep` of a duration too large for the clock never fires: no limit.
        let timer = |limit| Box::pin(tokio::time::sleep(limit));
        Bounded {
            body: Some(body),
            limits,
            idle_timer: limits.idle.map(timer),
            last_read: limits.idle.map(|_| tokio::time::Instant::now()),
            deadline: limits.overall.map(timer),
            received: already,
        }
    }

    /// Stops reading: the connection is released.
    pub fn close(&mut self) {
        self.body = None;
    }

    /// Whether the body is still being read (not ended, stopped or closed).
    pub fn is_open(&self) -> bool {
        self.body.is_some()
    }

    /// The next chunk; `None` once the body has ended (or was closed).
    pub async fn next(&mut self) -> Option<Result<Bytes, Stop>> {
        std::future::poll_fn(|cx| self.poll_chunk(cx)).await
    }

    /// The next chunk, as [`next`](Self::next) but polled.
    pub fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Stop>>> {
        let Some(body) = self.body.as_mut() else {
            return Poll::Ready(None);
        };
        // The overall deadline holds even while bytes keep coming.
        if let (Some(timer), Some(after)) = (self.deadline.as_mut(), self.limits.overall)
            && timer.as_mut().poll(cx).is_ready()
        {
            return self.stop(Stop::Overall(after));
        }
        match Pin::new(body).poll_next(cx) {
            Poll::Ready(Some(Ok(bytes))) => {
                let total = self.received.saturating_add(bytes.len() as u64);
                let (max, _) = self.limits.max;
                if total > max || (total == max && self.limits.over == Over::Cut) {
                    if self.limits.over == Over::Fail {
                        return self.stop(Stop::TooLarge(self.limits.max));
                    }
                    // Cut at the limit, and ended there.
                    let keep = usize::try_from(max.saturating_sub(self.received))
                        .unwrap_or(usize::MAX)
                        .min(bytes.len());
                    self.received = max;
                    self.body = None;
                    return Poll::Ready(Some(Ok(bytes.slice(..keep))));
                }
                self.received = total;
                if let Some(last_read) = self.last_read.as_mut() {
                    *last_read = tokio::time::Instant::now();
                }
                Poll::Ready(Some(Ok(bytes)))
            }
            Poll::Ready(Some(Err(e))) => self.stop(Stop::Transport(e)),
            Poll::Ready(None) => {
                self.body = None;
                Poll::Ready(None)
            }
            Poll::Pending => self.poll_idle(cx),
        }
    }

    /// While no bytes come: the idle limit, checked only when its timer fires
    /// (a read since the timer was armed moves the deadline). A limit too large
    /// for the clock is no limit: the timer armed with it never fires.
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Stop>>> {
        let (Some(timer), Some(idle), Some(last_read)) =
            (self.idle_timer.as_mut(), self.limits.idle, self.last_read)
        else {
            return Poll::Pending;
        };
        if timer.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        if let Some(deadline) = last_read.checked_add(idle)
            && tokio::time::Instant::now() < deadline
        {
            timer.as_mut().reset(deadline);
            if timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
        }
        self.stop(Stop::Idle(idle))
    }

    /// Closes the body and hands out `stop`.
    fn stop(&mut self, stop: Stop) -> Poll<Option<Result<Bytes, Stop>>> {
        self.close();
        Poll::Ready(Some(Err(stop)))
    }
}

#[cfg(test)]
mod tests {
    use futures::StreamExt as _;

    use super::*;

    type Chunks = futures::stream::BoxStream<'static, reqwest::Result<Bytes>>;

    /// A body of these chunks, then (`stall`) no more bytes and no end.
    fn body(chunks: &[&'static [u8]], stall: bool) -> Chunks {
        let chunks: Vec<reqwest::Result<Bytes>> =
            chunks.iter().map(|c| Ok(Bytes::from_static(c))).collect();
        let head = futures::stream::iter(chunks);
        if stall {
            head.chain(futures::stream::pending()).boxed()
        } else {
            head.boxed()
        }
    }

    /// Everything `reader` hands out, and how it stopped; a reader still
    /// waiting after 10 s fails the test rather than hang it.
    async fn read_all(mut reader: Bounded<Chunks>) -> (Vec<u8>, Option<Stop>) {
        let read = async {
            let mut out = Vec::new();
            while let Some(chunk) = reader.next().await {
                match chunk {
                    Ok(chunk) => out.extend_from_slice(&chunk),
                    Err(stop) => return (out, Some(stop)),
                }
            }
            (out, None)
        };
        tokio::time::timeout(Duration::from_secs(10), read)
            .await
            .expect("the reader ended or stopped")
    }

    const MAX: (u64, SizeLimit) = (5, SizeLimit::Response);

    #[tokio::test]
    async fn a_body_within_its_limit_is_read_whole_and_one_past_it_stops() {
        let limits = Limits::whole(MAX, Over::Fail);
        let (read, stop) = read_all(Bounded::new(body(&[b"ab", b"cde"], false), limits, 0)).await;
        assert_eq!((read.as_slice(), stop.is_none()), (&b"abcde"[..], true));
        let (read, stop) = read_all(Bounded::new(body(&[b"ab", b"cdef"], false), limits, 0)).await;
        assert_eq!(read, b"ab", "nothing past the limit is handed out");
        assert!(matches!(stop, Some(Stop::TooLarge(MAX))), "{stop:?}");
        // Bytes counted before the body (a resumed download's) count.
        let (read, stop) = read_all(Bounded::new(body(&[b"ab"], false), limits, 4)).await;
        assert!(read.is_empty());
        assert!(matches!(stop, Some(Stop::TooLarge(MAX))), "{stop:?}");
    }

    #[tokio::test]
    async fn a_cut_body_ends_at_its_limit_without_reading_on() {
        let limits = Limits::whole(MAX, Over::Cut);
        let (read, stop) = read_all(Bounded::new(body(&[b"abc", b"defg"], true), limits, 0)).await;
        assert_eq!(read, b"abcde");
        assert!(stop.is_none(), "{stop:?}");
        // Exactly at the limit it ends too: a stalled rest is never waited for.
        let (read, stop) = read_all(Bounded::new(body(&[b"abcde"], true), limits, 0)).await;
        assert_eq!((read.as_slice(), stop.is_none()), (&b"abcde"[..], true));
    }

    #[tokio::test]
    async fn a_stall_past_the_idle_limit_stops_and_the_overall_limit_holds() {
        let idle = Limits {
            idle: Some(Duration::from_millis(50)),
            ..Limits::whole((1 << 20, SizeLimit::Download), Over::Fail)
        };
        let reader = Bounded::new(body(&[b"ab"], true), idle, 0);
        let (read, stop) = read_all(reader).await;
        assert_eq!(read, b"ab");
        assert!(
            matches!(stop, Some(Stop::Idle(d)) if d == Duration::from_millis(50)),
            "{stop:?}"
        );
        let overall = Limits {
            overall: Some(Duration::from_millis(50)),
            ..Limits::whole((1 << 20, SizeLimit::Response), Over::Fail)
        };
        let reader = Bounded::new(body(&[], true), overall, 0);
        let (_, stop) = read_all(reader).await;
        assert!(matches!(stop, Some(Stop::Overall(_))), "{stop:?}");
    }

    #[test]
    fn each_stop_is_named_one_way() {
        let redactor = Redactor::default();
        let whose = Whose {
            operation: "op",
            status: StatusCode::OK,
            request_id: Some("r-1"),
            redactor: &redactor,
        };
        let never = |_: reqwest::Error| -> Error { panic!("no transport failure here") };
        match Stop::TooLarge((7, SizeLimit::Download)).into_error(&whose, never) {
            Error::BodyTooLarge {
                limit: 7,
                setting: SizeLimit::Download,
                request_id: Some(id),
                ..
            } => assert_eq!(id, "r-1"),
            other => panic!("{other:?}"),
        }
        for (stop, kind) in [
            (Stop::Idle(Duration::from_secs(1)), TimeoutKind::Idle),
            (Stop::Overall(Duration::from_secs(1)), TimeoutKind::Stream),
        ] {
            match stop.into_error(&whose, never) {
                Error::Timeout { limit, .. } => assert_eq!(limit, kind),
                other => panic!("{other:?}"),
            }
        }
    }
}
