//! The storage host behind a job's `download_url`: fetching the media from
//! it (following its redirects under the URL's own rules) and revoking it,
//! with no credential but the URL; and the `Range` of a resumed transfer.
//! These requests are not operations of the spec: [`FETCH_MEDIA`] and
//! [`REVOKE_MEDIA`] describe them for the send path.

use reqwest::StatusCode;
use reqwest::header::HeaderValue;

use super::ticket::DownloadUrl;
use crate::Error;
use crate::config::Config;
use crate::operations::{Auth, Method, Operation};
use crate::transport::{Call, Opened};

/// Fetching a job's media from its `download_url`: a `GET` without any
/// credential (the URL is one). Not an operation of the spec: the request
/// description of a storage host's URL, for the send path (its span, errors
/// and retry rules name it `fetchMediaDownload`).
pub(super) const FETCH_MEDIA: Operation = Operation::outside_spec(
    "fetchMediaDownload",
    "fetch_media_download",
    Method::Get,
    "{download_url}",
    Auth::None,
);

/// Revoking a job's `download_url`: a `DELETE` on it, without any
/// credential. Not an operation of the spec, as [`FETCH_MEDIA`].
pub(super) const REVOKE_MEDIA: Operation = Operation::outside_spec(
    "revokeMediaDownload",
    "revoke_media_download",
    Method::Delete,
    "{download_url}",
    Auth::None,
);

/// What a media fetch accepts.
const MEDIA_ACCEPT: &str = "video/*, audio/*, application/octet-stream, */*";

/// The most redirects a `download_url` fetch follows.
const MAX_REDIRECTS: usize = 5;

/// `GET` on the `download_url` (with `range`, see [`with_range`]), following
/// up to [`MAX_REDIRECTS`] redirects (`301`, `302`, `303`, `307`, `308`):
/// storage behind a signed URL may send the client elsewhere, and no
/// credential travels with the request, so another host is no risk. Each
/// target is held to the `download_url`'s own rules (`https://`, or `http://`
/// only when the client itself uses `http://`), and once a hop was
/// `https://` every later one must be. A redirect that cannot be followed is
/// an [`Error::Api`] with its `3xx` status and a message saying why; its
/// `Location` (itself a credential) is dropped.
pub(super) async fn open_url(
    config: &Config,
    url: &DownloadUrl,
    range: Option<(u64, Option<HeaderValue>)>,
) -> Result<reqwest::Response, Error> {
    let mut target = url.expose().trim().to_owned();
    let mut hops = 0;
    // Whether a hop so far was https://: every later one must be.
    let mut secure = false;
    loop {
        secure |= reqwest::Url::parse(&target).is_ok_and(|url| url.scheme() == "https");
        let mut call = Call::new(&FETCH_MEDIA).at_url(&target).accept(MEDIA_ACCEPT);
        if let Some((from, validator)) = range.clone() {
            call = with_range(call, from, validator);
        }
        let (mut error, location) = match call.open_or_redirect(config, is_followed).await? {
            Opened::Response(response) => return Ok(response),
            Opened::Redirect { error, location } => (error, location),
        };
        let next = location
            .as_ref()
            .and_then(|location| location.to_str().ok())
            .and_then(|location| reqwest::Url::parse(&target).ok()?.join(location).ok());
        let why = match next {
            _ if hops >= MAX_REDIRECTS => format!(
                "the download_url redirected more than {MAX_REDIRECTS} times; the media could not be reached"
            ),
            None => "the download_url redirected without a usable Location".to_owned(),
            Some(next) if downgrades(secure, &next) => {
                "the download_url redirected from https:// to plain http://; refused, so the media does not travel unencrypted".to_owned()
            }
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

/// Whether following a redirect to `next` would leave https://: once a
/// download is `secure` (a hop so far was https://), every hop stays so.
pub(super) fn downgrades(secure: bool, next: &reqwest::Url) -> bool {
    secure && next.scheme() != "https"
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
