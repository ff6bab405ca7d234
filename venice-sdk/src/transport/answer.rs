//! What a call makes of its answer: the [`Answer`] readers, one per way of
//! reading a response. [`send`](super::send::send) hands each call's last
//! answer to one of them; the reader reads the body within its limits
//! ([`body`](super::body), [`LiveBody`]) and returns what the caller gets.
//!
//! | reader | the success answer | sent as |
//! |---|---|---|
//! | [`Decode`] | JSON, decoded into `T` | [`Mode::Whole`] |
//! | [`Buffer`] | bytes of an expected media type | [`Mode::Whole`] |
//! | [`DecodeOrText`] | JSON decoded into `T`, or text | [`Mode::Whole`] |
//! | [`WriteTo`] | bytes of an expected media type, into a writer | [`Mode::Whole`] |
//! | [`DecodeOrWrite`] | JSON decoded into `T`, or media into a writer | [`Mode::Whole`] |
//! | [`Head`] | the response, its body unread | [`Mode::Stream`] |
//! | [`HeadOrRedirect`] | the response, or a redirect the caller follows | [`Mode::Stream`] |
//! | [`DecodeOrHead`] | JSON decoded into `T`, or media with its body unread | [`Mode::Stream`] |
//! | [`Live`] | a body read as it arrives ([`LiveBody`]) | [`Mode::Stream`] |
//! | `Whole` | the answer read whole, error statuses included (`raw` feature) | [`Mode::Whole`] |
//!
//! An error answer is an [`Error::Api`] for every reader but
//! [`HeadOrRedirect`] (a redirect it follows) and `Whole` (for the generated
//! client to decode its own way).

use std::marker::PhantomData;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderValue;
use serde::de::DeserializeOwned;

use super::body::{Buffered, read_within};
use super::bounded::response_limit;
use super::copy::{End, Span, Writer, copy_body};
use super::live::LiveBody;
use crate::config::Config;
use crate::error::DecodeError;
use crate::meta::JsonOrText;
use crate::operations::Operation;
use crate::{Error, Response, ResponseMeta, headers};

/// How the request timeout applies to a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The request timeout covers the whole exchange, body included.
    Whole,
    /// The request timeout covers the head (and an error body, and what the
    /// reader reads before it hands the body over); a success body handed over
    /// is a stream with limits of its own.
    Stream,
}

/// A response whose body is still unread.
type Unread = reqwest::Response;

/// The last answer of a call, as its reader gets it.
pub(crate) struct Exchange<'a> {
    /// The configuration the call was sent with.
    pub config: &'a Config,
    /// The operation.
    pub op: &'static Operation,
    /// The attempt this answer came from (1 for the first).
    pub attempt: u32,
    /// In [`Mode::Stream`], when the request timeout of this attempt ends:
    /// what the reader reads before handing the body over is read by then.
    /// `None` in [`Mode::Whole`], where the request's own timeout covers it.
    pub deadline: Option<tokio::time::Instant>,
}

/// A way of reading the answer of a call.
pub(crate) trait Answer {
    /// What the caller gets.
    type Output;

    /// How the request timeout applies to the call.
    const MODE: Mode;

    /// Reads a success answer, its body unread.
    async fn success(self, call: &Exchange<'_>, response: Unread) -> Result<Self::Output, Error>;

    /// Reads the error answer the attempts gave up on (its body read, within
    /// the error-body limit): an [`Error::Api`] unless the reader says
    /// otherwise.
    fn failure(self, call: &Exchange<'_>, failure: Buffered) -> Result<Self::Output, Error>
    where
        Self: Sized,
    {
        Err(Error::Api(failure.into_api_error(call.op.id, call.config)))
    }
}

/// Reads a success body whole within the response size limit (and the
/// exchange's deadline, if it has one).
async fn read(call: &Exchange<'_>, response: reqwest::Response) -> Result<Buffered, Error> {
    read_within(call.config, call.op, response, call.attempt, call.deadline).await
}

/// The answer read whole, error statuses included (`Ok` with their body), for
/// the generated client to decode its own way.
#[cfg(feature = "raw")]
pub(crate) struct Whole;

#[cfg(feature = "raw")]
impl Answer for Whole {
    type Output = Buffered;
    const MODE: Mode = Mode::Whole;

    async fn success(self, call: &Exchange<'_>, response: Unread) -> Result<Self::Output, Error> {
        let config = call.config;
        let limit = config.max_response_size;
        super::body::read_body(config, call.op.id, response, call.attempt, limit, false).await
    }

    fn failure(self, _: &Exchange<'_>, failure: Buffered) -> Result<Buffered, Error> {
        Ok(failure)
    }
}

/// A JSON answer decoded into `T` (the generated response type): one read of
/// the body, one decode, the headers moved into the metadata.
pub(crate) struct Decode<T>(PhantomData<fn() -> T>);

impl<T> Decode<T> {
    /// Decodes into `T`.
    pub fn new() -> Self {
        Decode(PhantomData)
    }
}

impl<T: DeserializeOwned> Answer for Decode<T> {
    type Output = Response<T>;
    const MODE: Mode = Mode::Whole;

    async fn success(self, call: &Exchange<'_>, response: Unread) -> Result<Self::Output, Error> {
        let buffered = read(call, response).await?;
        decode(call.op, call.config, buffered)
    }
}

/// An answer of the `expected` media type (`"image/"`, `"audio/"`) as bytes;
/// anything else is an [`Error::Decode`] naming what came.
pub(crate) struct Buffer<'e> {
    /// The media type expected, or its prefix.
    pub expected: &'e str,
}

impl Answer for Buffer<'_> {
    type Output = Response<Bytes>;
    const MODE: Mode = Mode::Whole;

    async fn success(self, call: &Exchange<'_>, response: Unread) -> Result<Self::Output, Error> {
        let buffered = read(call, response).await?;
        if !headers::media_type_is(&buffered.headers, self.expected) {
            return Err(DecodeError::unexpected_media(
                call.op.id,
                buffered.status,
                &buffered.headers,
                &describe(self.expected),
                Some(&buffered.body),
                &call.config.redactor,
            ));
        }
        let meta = ResponseMeta::from_headers(buffered.status, buffered.headers);
        Ok(Response::new(buffered.body, meta))
    }
}

/// A JSON answer decoded into `T`, or a text answer kept as text.
pub(crate) struct DecodeOrText<T>(PhantomData<fn() -> T>);

impl<T> DecodeOrText<T> {
    /// Decodes JSON into `T`, keeps text.
    pub fn new() -> Self {
        DecodeOrText(PhantomData)
    }
}

impl<T: DeserializeOwned> Answer for DecodeOrText<T> {
    type Output = Response<JsonOrText<T>>;
    const MODE: Mode = Mode::Whole;

    async fn success(self, call: &Exchange<'_>, response: Unread) -> Result<Self::Output, Error> {
        let buffered = read(call, response).await?;
        let failed = |message: String, body: Option<&[u8]>| {
            DecodeError::error(
                call.op.id,
                buffered.status,
                &buffered.headers,
                message,
                body,
                &call.config.redactor,
            )
        };
        let is_json = headers::media_type_is(&buffered.headers, "application/json")
            || headers::content_type(&buffered.headers).is_some_and(|ct| ct.contains("+json"));
        let value = if is_json {
            match crate::json::from_slice::<T>(&buffered.body) {
                Ok(value) => JsonOrText::Json(value),
                Err(e) => return Err(failed(e.to_string(), Some(&buffered.body))),
            }
        } else {
            match std::str::from_utf8(&buffered.body) {
                Ok(text) => JsonOrText::Text(text.to_owned()),
                Err(e) => return Err(failed(format!("the text answer is not UTF-8: {e}"), None)),
            }
        };
        Ok(Response::new(
            value,
            ResponseMeta::from_headers(buffered.status, buffered.headers),
        ))
    }
}

/// An answer of the `expected` media type written into `writer` as it
/// arrives, without holding it; the bytes written. Retries happen only before
/// the first byte is written; more than the response size limit is
/// [`Error::BodyTooLarge`] (what was written stays).
pub(crate) struct WriteTo<'e, 'w, W: ?Sized> {
    /// The media type expected, or its prefix.
    pub expected: &'e str,
    /// Where the body goes.
    pub writer: &'w mut W,
}

impl<W> Answer for WriteTo<'_, '_, W>
where
    W: tokio::io::AsyncWrite + Unpin + ?Sized,
{
    type Output = Response<u64>;
    const MODE: Mode = Mode::Whole;

    async fn success(self, call: &Exchange<'_>, response: Unread) -> Result<Self::Output, Error> {
        if !headers::media_type_is(response.headers(), self.expected) {
            return Err(DecodeError::unexpected_media(
                call.op.id,
                response.status(),
                response.headers(),
                &describe(self.expected),
                None,
                &call.config.redactor,
            ));
        }
        write_body(call, response, self.writer).await
    }
}

/// An answer that is JSON (decoded) or media written into a writer, as the
/// response's media type says (a queued job's status, or its result).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum JsonOrMedia<T> {
    /// A JSON answer, decoded; nothing was written.
    Json(T),
    /// Media of the expected type, written into the writer.
    Media {
        /// The media type as sent, without parameters (`video/mp4`).
        media_type: String,
        /// How many bytes were written.
        written: u64,
    },
}

/// By the answer's media type: JSON decoded into `T` (nothing is written), or
/// media of the `expected` type written into `writer` as it arrives, without
/// holding it. Anything else is an [`Error::Decode`] naming what came. Either
/// answer is bounded by the response size limit ([`Error::BodyTooLarge`];
/// what was written stays).
pub(crate) struct DecodeOrWrite<'e, 'w, T, W: ?Sized> {
    /// The media type expected, or its prefix.
    pub expected: &'e str,
    /// Where a media body goes.
    pub writer: &'w mut W,
    /// What a JSON body is decoded into.
    pub json: PhantomData<fn() -> T>,
}

impl<T, W> Answer for DecodeOrWrite<'_, '_, T, W>
where
    T: DeserializeOwned,
    W: tokio::io::AsyncWrite + Unpin + ?Sized,
{
    type Output = Response<JsonOrMedia<T>>;
    const MODE: Mode = Mode::Whole;

    async fn success(self, call: &Exchange<'_>, response: Unread) -> Result<Self::Output, Error> {
        match json_or_media::<T>(call, response, self.expected).await? {
            JsonOrOpen::Json(answer) => Ok(answer.map(JsonOrMedia::Json)),
            JsonOrOpen::Media {
                response,
                media_type,
            } => {
                let written = write_body(call, response, self.writer).await?;
                Ok(written.map(|written| JsonOrMedia::Media {
                    media_type,
                    written,
                }))
            }
        }
    }
}

/// The success response once its head has arrived (within the request
/// timeout), its body unread, for the caller to read under limits of its own
/// (a download's idle timeout).
pub(crate) struct Head;

impl Answer for Head {
    type Output = reqwest::Response;
    const MODE: Mode = Mode::Stream;

    async fn success(self, _: &Exchange<'_>, response: Unread) -> Result<Self::Output, Error> {
        Ok(response)
    }
}

/// What [`HeadOrRedirect`] got.
pub(crate) enum Opened {
    /// A success response, its body unread.
    Response(reqwest::Response),
    /// An error answer whose status the caller follows.
    Redirect {
        /// Its error (without `Location` or `Content-Location` when the call
        /// was sent to a URL the API handed out).
        error: Box<crate::ApiError>,
        /// The answer's `Location`, if it had one: a credential, for the
        /// caller to follow and never to show.
        location: Option<HeaderValue>,
    },
}

/// As [`Head`], but an error answer whose status `follow` accepts (a redirect
/// the caller follows itself) comes back as [`Opened::Redirect`]: its error,
/// and apart from it the answer's `Location`, which no error of a call sent
/// to a URL the API handed out holds.
pub(crate) struct HeadOrRedirect {
    /// Which error statuses the caller follows.
    pub follow: fn(StatusCode) -> bool,
}

impl Answer for HeadOrRedirect {
    type Output = Opened;
    const MODE: Mode = Mode::Stream;

    async fn success(self, _: &Exchange<'_>, response: Unread) -> Result<Opened, Error> {
        Ok(Opened::Response(response))
    }

    fn failure(self, call: &Exchange<'_>, mut failure: Buffered) -> Result<Opened, Error> {
        let location = failure.location.take();
        let error = failure.into_api_error(call.op.id, call.config);
        if (self.follow)(error.status) {
            Ok(Opened::Redirect { error, location })
        } else {
            Err(Error::Api(error))
        }
    }
}

/// An answer that is JSON (decoded) or media whose body is still unread, as
/// the response's media type says (a queued job's status, or its result, to be
/// streamed by the caller).
pub(crate) enum JsonOrOpen<T> {
    /// A JSON answer, decoded.
    Json(Response<T>),
    /// A success response of the expected media type, its body unread.
    Media {
        /// The response: status and headers read, body unread.
        response: reqwest::Response,
        /// The media type as sent, without parameters (`video/mp4`).
        media_type: String,
    },
}

/// By the answer's media type: JSON decoded into `T` (read within the request
/// timeout and the response size limit), or an answer of the `expected` media
/// type with its body unread (for the caller to stream). Anything else is an
/// [`Error::Decode`].
pub(crate) struct DecodeOrHead<'e, T> {
    /// The media type expected, or its prefix.
    pub expected: &'e str,
    /// What a JSON body is decoded into.
    pub json: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Answer for DecodeOrHead<'_, T> {
    type Output = JsonOrOpen<T>;
    const MODE: Mode = Mode::Stream;

    async fn success(self, call: &Exchange<'_>, response: Unread) -> Result<Self::Output, Error> {
        json_or_media(call, response, self.expected).await
    }
}

/// The answer's body, to be read as it arrives under the stream limits
/// ([`LiveBody`]), once its head says it is of the `expected` media type. An
/// answer of another media type is read (within the size limit and the
/// request timeout) and returned as an [`Error::Decode`] naming `described`.
/// No retry happens once the body is handed over.
pub(crate) struct Live<'e> {
    /// The media type expected, or its prefix (`text/event-stream`, `audio/`).
    pub expected: &'e str,
    /// How errors name it (`a text/event-stream`, `audio`).
    pub described: &'e str,
}

impl Answer for Live<'_> {
    type Output = LiveBody;
    const MODE: Mode = Mode::Stream;

    async fn success(self, call: &Exchange<'_>, response: Unread) -> Result<Self::Output, Error> {
        let (config, op) = (call.config, call.op);
        if headers::media_type_is(response.headers(), self.expected) {
            return Ok(LiveBody::new(response, op.id, config));
        }
        let buffered = read(call, response).await?;
        Err(DecodeError::unexpected_media(
            op.id,
            buffered.status,
            &buffered.headers,
            self.described,
            Some(&buffered.body),
            &config.redactor,
        ))
    }
}

/// Writes a success body into `writer` as it arrives (the one sink copier,
/// [`copy_body`]: an idle timeout per read, the response size limit); returns
/// the bytes written, the writer flushed.
async fn write_body<W>(
    call: &Exchange<'_>,
    response: reqwest::Response,
    writer: &mut W,
) -> Result<Response<u64>, Error>
where
    W: tokio::io::AsyncWrite + Unpin + ?Sized,
{
    use tokio::io::AsyncWriteExt as _;

    let config = call.config;
    let meta =
        ResponseMeta::from_headers(response.status(), headers::copy_headers(response.headers()));
    let span = Span {
        start: 0,
        skip: 0,
        limit: response_limit(config),
        length: None,
    };
    let mut sink = Writer(&mut *writer);
    let copied = copy_body(config, call.op.id, response, &mut sink, span).await?;
    match copied.end {
        // Nothing resumes a broken answer here: it is the call's error.
        End::Broke(error) => return Err(error),
        // (`PastLength` needs a declared length; none was given.)
        End::Complete | End::PastLength => {}
    }
    writer.flush().await.map_err(|source| Error::Io {
        path: std::path::PathBuf::new(),
        source,
    })?;
    Ok(Response::new(copied.written, meta))
}

/// Decodes a JSON success body into `T`: one decode, the headers moved into the
/// metadata.
fn decode<T: DeserializeOwned>(
    op: &'static Operation,
    config: &Config,
    buffered: Buffered,
) -> Result<Response<T>, Error> {
    match crate::json::from_slice::<T>(&buffered.body) {
        Ok(value) => {
            let response = Response::new(
                value,
                ResponseMeta::from_headers(buffered.status, buffered.headers),
            );
            // An answer carrying a credential is never kept.
            Ok(if op.returns_secret {
                response
            } else {
                response.with_json(buffered.body)
            })
        }
        Err(e) => {
            // serde quotes the values it rejects: for a body holding a new
            // key, only where the error is, and no excerpt.
            let (message, body) = match &e {
                crate::json::Failure::Json { error: e, .. } if op.returns_secret => (
                    format!(
                        "the answer is not the JSON expected, at {} (what it says is \
                         withheld: the answer carries a secret)",
                        crate::json::position(e)
                    ),
                    None,
                ),
                _ if op.returns_secret => (e.to_string(), None),
                _ => (e.to_string(), Some(&buffered.body[..])),
            };
            Err(DecodeError::error(
                op.id,
                buffered.status,
                &buffered.headers,
                message,
                body,
                &config.redactor,
            ))
        }
    }
}

/// A success answer by its media type: JSON read (within the size limit and
/// the exchange's deadline) and decoded into `T`, or media of the `expected`
/// type with its body unread; anything else is an [`Error::Decode`] naming
/// what came.
async fn json_or_media<T: DeserializeOwned>(
    call: &Exchange<'_>,
    response: reqwest::Response,
    expected: &str,
) -> Result<JsonOrOpen<T>, Error> {
    let (config, op) = (call.config, call.op);
    let headers = response.headers();
    if headers::media_type_is(headers, "application/json") {
        let buffered = read(call, response).await?;
        return decode::<T>(op, config, buffered).map(JsonOrOpen::Json);
    }
    if !headers::media_type_is(headers, expected) {
        return Err(DecodeError::unexpected_media(
            op.id,
            response.status(),
            headers,
            &format!("{} or JSON", describe(expected)),
            None,
            &config.redactor,
        ));
    }
    let media_type = headers::media_type_of(headers);
    Ok(JsonOrOpen::Media {
        response,
        media_type,
    })
}

/// How an error names the media type it expected (`"image/"` → `an image`).
pub(crate) fn describe(prefix: &str) -> String {
    match prefix {
        "image/" => "an image".to_owned(),
        "audio/" => "audio".to_owned(),
        "video/" => "a video".to_owned(),
        other => format!("{other}*"),
    }
}
