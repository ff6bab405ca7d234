//! Transport errors from the HTTP stack, as [`Error`]s that name the limit that
//! fired or what broke, with the API key scrubbed from the message.

use crate::Error;
use crate::config::Config;
use crate::error::TimeoutKind;

/// Maps a transport error from reqwest.
///
/// The URL reqwest keeps in its error (quoted by its `Display` and `Debug`,
/// and so by the [`Error::Connection`] made of it, `source` included) is
/// dropped for a call sent to a URL the API handed out (a job's
/// `download_url`, a credential of its own, wherever it points) and for any
/// URL not under the API's base URL; an API URL keeps its path, without
/// query, fragment or user info.
pub(crate) fn map_reqwest(
    config: &Config,
    operation: &'static str,
    mut error: reqwest::Error,
    attempts: u32,
) -> Error {
    let quotable = error
        .url()
        .is_some_and(|url| !config.external && under_base(config, url));
    if quotable {
        if let Some(url) = error.url_mut() {
            url.set_query(None);
            url.set_fragment(None);
            // Only a URL with a host can hold user info; it never fails then.
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }
    } else {
        error = error.without_url();
    }
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

/// Whether `url` is the API's: the base URL's origin, and a path under its path.
fn under_base(config: &Config, url: &reqwest::Url) -> bool {
    let base = config.base.path().trim_end_matches('/');
    url.origin() == config.base.origin()
        && url
            .path()
            .strip_prefix(base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
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

#[cfg(test)]
mod tests {
    use super::under_base;

    #[test]
    fn an_api_url_is_under_the_base_path_of_the_base_origin() {
        let client = crate::Client::builder()
            .base_url("http://127.0.0.1:80/api/v1")
            .build()
            .unwrap();
        for (url, api) in [
            ("http://127.0.0.1/api/v1/models?type=image", true),
            ("http://127.0.0.1:80/api/v1", true),
            ("http://127.0.0.1:8080/api/v1/models", false),
            ("http://127.0.0.1/api/v10/models", false),
            ("https://127.0.0.1/api/v1/models", false),
            ("http://127.0.0.2/api/v1/models", false),
        ] {
            let parsed = reqwest::Url::parse(url).unwrap();
            assert_eq!(under_base(client.config(), &parsed), api, "{url}");
        }
    }
}
