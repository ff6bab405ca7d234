//! Transport errors from the HTTP stack, as [`Error`]s that name the limit that
//! fired or what broke, with the API key scrubbed from the message.

use crate::Error;
use crate::config::Config;
use crate::error::TimeoutKind;

/// Maps a transport error from reqwest.
///
/// A URL that is not under the API's base URL (a job's `download_url`, which
/// works without the API key and so is a credential of its own) is never
/// quoted.
pub(crate) fn map_reqwest(
    config: &Config,
    operation: &'static str,
    error: reqwest::Error,
    attempts: u32,
) -> Error {
    let error = if error
        .url()
        .is_some_and(|url| !url.as_str().starts_with(&config.base_url))
    {
        error.without_url()
    } else {
        error
    };
    if error.is_timeout() {
        let (limit, after) = if error.is_connect() {
            (TimeoutKind::Connect, config.connect_timeout)
        } else {
            (TimeoutKind::Request, config.timeout)
        };
        return Error::Timeout {
            limit,
            after,
            operation,
            attempts,
        };
    }
    let mut message = error.to_string();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    let message = if error.is_body() || error.is_decode() {
        format!("the response body broke off: {message}")
    } else {
        message
    };
    Error::Connection {
        operation,
        message: config.redactor.scrub(message),
        attempts,
        source: Some(error),
    }
}

/// The error of a request timeout (the head, or an error body, did not arrive
/// within the limit).
pub(crate) fn request_timeout(config: &Config, operation: &'static str, attempts: u32) -> Error {
    Error::Timeout {
        limit: TimeoutKind::Request,
        after: config.timeout,
        operation,
        attempts,
    }
}
