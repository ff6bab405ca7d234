//! How requests are sent. Every request goes down one path, read top to
//! bottom in this order:
//!
//! 1. [`call`]: [`Call`], how a resource method describes one request (and
//!    builds it anew for each attempt, with its credentials), and which
//!    [`answer`] reader its answer goes to;
//! 2. [`send`]: the one send function: the call's tracing span ([`span`]),
//!    the attempts (the retry loop and its budget, deadlines, retry headers),
//!    and the hand-over of the last answer to its reader;
//! 3. [`answer`]: the readers, one per way of reading an answer (JSON decoded,
//!    bytes, text, into a writer, a body left unread, a live stream);
//! 4. [`bounded`]: the one reader of a body, under one set of limits (size,
//!    idle wait, whole read) and with one way to name each (past the size,
//!    one "too large" error), which the three ways of holding a body use:
//!    [`body`] (whole, in memory), [`copy`] (into a writer or another sink as
//!    it arrives; media jobs, `resources/jobs/`, resume with it), [`live`]
//!    (a stream pulled by the caller).
//!
//! Beside the path: [`failure`], transport errors from the HTTP stack as
//! [`Error`](crate::Error)s.

pub(crate) mod answer;
pub(crate) mod body;
pub(crate) mod bounded;
pub(crate) mod call;
pub(crate) mod copy;
pub(crate) mod failure;
pub(crate) mod live;
pub(crate) mod send;
pub(crate) mod span;

#[cfg(feature = "raw")]
pub(crate) use answer::Whole;
pub(crate) use answer::{JsonOrMedia, JsonOrOpen, Opened};
pub(crate) use call::Call;
#[cfg(feature = "raw")]
pub(crate) use call::prepare;
pub(crate) use live::LiveBody;
#[cfg(feature = "raw")]
pub(crate) use send::{Source, send};
