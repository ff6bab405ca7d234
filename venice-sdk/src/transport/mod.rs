//! How requests are sent. There is one send path, used by every resource method
//! and by the generated client's hooks: authentication, the retry loop and its
//! budget, time limits, bounded bodies, redaction, tracing, and the mapping of
//! every failure into [`Error`](crate::Error).
//!
//! - [`call`]: [`Call`], how a resource method describes one request and
//!   what to make of its answer.
//! - [`send`]: the entry points under it (a buffered call, a call whose body is
//!   streamed, a server-sent event stream) and the credentials of a request.
//! - [`attempt`]: the attempts of one call (retries, deadlines, retry headers).
//! - [`body`]: reading a body whole within a size limit.
//! - [`download`]: copying a media body into a writer, resumably.
//! - [`failure`]: transport errors from the HTTP stack as [`Error`](crate::Error)s.
//! - [`live`]: a streamed body read as it arrives, under the stream limits.
//! - [`span`]: the tracing span of a call.

pub(crate) mod attempt;
pub(crate) mod body;
pub(crate) mod call;
pub(crate) mod download;
pub(crate) mod failure;
pub(crate) mod live;
pub(crate) mod send;
pub(crate) mod span;

#[cfg(feature = "raw")]
pub(crate) use attempt::Source;
pub(crate) use call::{Call, JsonOrMedia, JsonOrOpen};
pub(crate) use live::LiveBody;
pub(crate) use send::Opened;
#[cfg(feature = "raw")]
pub(crate) use send::{execute, prepare};
