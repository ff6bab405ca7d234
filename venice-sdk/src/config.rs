//! The resolved configuration of a client, shared by its clones and by the
//! generated client (whose inner state it is), and the checks that build it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::defaults::DEFAULT_BASE_URL;
use crate::retry::{RetryBudget, RetryPolicy};
use crate::secret::Redactor;
use crate::{Error, Secret};

/// The resolved client configuration, shared by every clone of a client.
#[derive(Clone)]
pub(crate) struct Config {
    pub base_url: String,
    /// `base_url` parsed once: each request's URL is this with its path set,
    /// not a string parsed again per request.
    pub base: reqwest::Url,
    pub api_key: Option<Secret>,
    /// Scrubs the API key from whatever the server sends back into an error.
    pub redactor: Redactor,
    /// `Bearer <key>`, marked sensitive.
    pub auth: Option<HeaderValue>,
    /// The wallet's Sign-In-With-X token (sent in the spec's wallet header), marked sensitive.
    pub wallet: Option<HeaderValue>,
    pub user_agent: HeaderValue,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_response_size: usize,
    /// The most bytes a media download may deliver.
    pub max_download_size: u64,
    pub stream_idle_timeout: Duration,
    /// The overall limit of a stream, if any.
    pub stream_timeout: Option<Duration>,
    pub max_event_size: usize,
    pub retry: RetryPolicy,
    /// Shared by every clone of the client.
    pub budget: Arc<RetryBudget>,
    /// Whether `http` was built by the SDK (so its connect timeout is ours to set).
    pub own_http: bool,
    /// Whether `http` is known to follow no redirect: the SDK's own, or a
    /// custom one the user vouched for
    /// ([`ClientBuilder::http_client_follows_no_redirects`](crate::ClientBuilder::http_client_follows_no_redirects)).
    /// Credentials reqwest keeps on a redirect to another origin (the wallet
    /// token, a payment signature) are sent only through such a client.
    pub follows_no_redirects: bool,
    /// Set on the configuration of one call sent to a URL the API handed out
    /// (`Call::at_url`), never on a client's: its transport errors never quote
    /// the URL, its error answers lose `Location` and `Content-Location`, and
    /// its redactor knows the URL's secret parts.
    pub external: bool,
    /// What the user adds to every request of this client
    /// (`Client::with_extra_body`, `with_header`, `with_query`, …).
    pub extras: Arc<Extras>,
    pub http: reqwest::Client,
}

/// What a user adds to the requests of a client beyond what the SDK knows:
/// JSON body fields, headers and query parameters, for API features newer
/// than the SDK. Sent to the API only, never to a URL the API handed out.
#[derive(Clone, Default)]
pub(crate) struct Extras {
    /// Merged into every JSON request body (over the typed fields).
    pub body: serde_json::Map<String, serde_json::Value>,
    /// Set on every request (replacing a header of the same name).
    pub headers: Vec<(reqwest::header::HeaderName, HeaderValue)>,
    /// Appended to every request's query.
    pub query: Vec<(String, String)>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key)
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field(
                "connect_timeout",
                if self.own_http {
                    &self.connect_timeout as &dyn fmt::Debug
                } else {
                    &"set on the custom HTTP client"
                },
            )
            .field("max_response_size", &self.max_response_size)
            .field("max_download_size", &self.max_download_size)
            .field("stream_idle_timeout", &self.stream_idle_timeout)
            .field("stream_timeout", &self.stream_timeout)
            .field("max_event_size", &self.max_event_size)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// What the generated client carries: the shared configuration, read by its hooks
/// (the one seam through which generated code reaches the SDK; see `raw`).
#[cfg(feature = "raw")]
#[derive(Clone, Debug)]
pub struct Inner {
    pub(crate) config: Arc<Config>,
}

/// Refuses a zero duration for the setting `name`; any other is valid (one too
/// large for the clock means no limit: every timer of the SDK saturates).
pub(crate) fn positive(name: &str, value: Duration) -> Result<Duration, Error> {
    if value.is_zero() {
        return Err(Error::Config(format!(
            "{name} must be greater than zero (use Duration::MAX for no limit)"
        )));
    }
    Ok(value)
}

/// Why a credential that reqwest does not drop on a redirect is not sent
/// through a custom HTTP client whose redirects are unknown.
pub(crate) const REDIRECTS_UNKNOWN: &str = "a custom HTTP client that may follow redirects would carry it to the redirect target (reqwest drops only Authorization and cookies); build that reqwest::Client with .redirect(reqwest::redirect::Policy::none()) and call ClientBuilder::http_client_follows_no_redirects()";

/// The HTTP client the SDK builds when none is given, for `base_url`.
///
/// It follows no redirect: the API never redirects, and following a `307` to
/// another host or to `http://` would send the prompt (and, from some clients, the
/// key) there. A redirect comes back as an [`Error::Api`] with its `3xx` status.
/// (The one exception, a media job's `download_url`, which carries no
/// credential, is followed by the download itself, not by this client.)
///
/// What the TLS features compiled in cannot do is a configuration error here,
/// not a failed first request or a panic in reqwest (see [`check_tls`]).
pub(crate) fn default_http(
    base_url: &str,
    connect_timeout: Duration,
    user_agent: &HeaderValue,
) -> Result<reqwest::Client, Error> {
    check_tls(base_url)?;
    reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .user_agent(user_agent.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
}

/// Refuses, for the client the SDK builds, what the TLS features compiled in
/// cannot do:
///
/// - without `rustls`, `rustls-no-provider` or `native-tls`, an `https://` base
///   URL (reqwest would fail every request with "scheme is not http");
/// - with `rustls-no-provider` alone, building before a rustls crypto provider
///   is installed (reqwest would panic).
fn check_tls(base_url: &str) -> Result<(), Error> {
    #[cfg(not(any(
        feature = "rustls",
        feature = "rustls-no-provider",
        feature = "native-tls"
    )))]
    if base_url
        .get(..6)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https:"))
    {
        return Err(Error::Config(format!(
            "base URL `{base_url}` needs TLS, but venice-sdk was built without a TLS feature (`rustls`, `rustls-no-provider` or `native-tls`): enable one, or give ClientBuilder::http_client a reqwest::Client that has TLS"
        )));
    }
    #[cfg(all(
        feature = "rustls-no-provider",
        not(any(feature = "rustls", feature = "native-tls"))
    ))]
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        return Err(Error::Config(
            "venice-sdk was built with `rustls-no-provider` and no rustls crypto provider is installed: call CryptoProvider::install_default (for example with rustls' `ring` provider) before building the client".into(),
        ));
    }
    let _ = base_url;
    Ok(())
}

/// Whether `url`'s host is this machine: `localhost` (or a name under it), an
/// IPv4 address in `127.0.0.0/8`, or `[::1]`.
pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => {
            let name = bare.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    }
}

pub(crate) fn normalize_base_url(
    url: &str,
    allow_insecure_http: bool,
) -> Result<(String, reqwest::Url), Error> {
    let trimmed = url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(trimmed).map_err(|e| {
        Error::Config(format!(
            "base URL `{trimmed}` is not a URL ({e}); expected e.g. {DEFAULT_BASE_URL}"
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::Config(format!(
            "base URL `{trimmed}` must start with http:// or https://"
        )));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::Config(
            "the base URL must not contain a user name or password; pass the API key with ClientBuilder::api_key".into(),
        ));
    }
    if parsed.scheme() == "http" && !allow_insecure_http && !is_loopback(&parsed) {
        return Err(Error::Config(format!(
            "base URL `{trimmed}` uses plain http:// to a host that is not this machine, which would send the API key and every request unencrypted; use https://, or call ClientBuilder::allow_insecure_http() if that network is trusted"
        )));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::Config(format!(
            "base URL `{trimmed}` must not have a query or fragment"
        )));
    }
    Ok((trimmed.to_owned(), parsed))
}

/// Builds `Bearer <key>`, refusing keys that cannot travel in a header. The error
/// never quotes the key.
pub(crate) fn auth_header(key: &Secret) -> Result<HeaderValue, Error> {
    credential_header("the API key", "API keys", "Bearer ", key)
}

/// Builds the wallet header value of a Sign-In-With-X token, refusing tokens that
/// cannot travel in a header. The error never quotes the token.
pub(crate) fn wallet_header(token: &Secret) -> Result<HeaderValue, Error> {
    credential_header(
        "the Sign-In-With-X token",
        "Sign-In-With-X tokens",
        "",
        token,
    )
}

/// `prefix` + the credential, as a sensitive header value; a credential that is
/// empty or holds anything but printable ASCII is a configuration error that
/// says where (not what).
fn credential_header(
    what: &str,
    plural: &str,
    prefix: &str,
    credential: &Secret,
) -> Result<HeaderValue, Error> {
    let raw = credential.expose();
    if raw.is_empty() {
        return Err(Error::Config(format!("{what} is empty")));
    }
    if let Some((i, c)) = raw.char_indices().find(|(_, c)| !c.is_ascii_graphic()) {
        let kind = match c {
            '\n' | '\r' => "a line break",
            ' ' | '\t' => "white space",
            c if c.is_control() => "a control character",
            _ => "a non-ASCII character",
        };
        return Err(Error::Config(format!(
            "{what} contains {kind} at byte {i}; {plural} are printable ASCII (check for a trailing newline or quotes when reading it)"
        )));
    }
    // The temporary `<prefix><credential>` string is zeroized when dropped.
    let full = Secret::new(format!("{prefix}{raw}"));
    let mut value = HeaderValue::from_str(full.expose())
        .map_err(|_| Error::Config(format!("{what} cannot be sent in an HTTP header")))?;
    value.set_sensitive(true);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HTTPS: &str = "https://api.venice.ai/api/v1";

    fn build(base_url: &str) -> Result<reqwest::Client, Error> {
        default_http(
            base_url,
            Duration::from_secs(1),
            &HeaderValue::from_static("t"),
        )
    }

    /// With TLS compiled out, the default (`https://`) base URL is refused when the
    /// client is built, naming the features; plain http to loopback still works.
    #[cfg(not(any(
        feature = "rustls",
        feature = "rustls-no-provider",
        feature = "native-tls"
    )))]
    #[test]
    fn without_tls_an_https_base_url_is_a_configuration_error() {
        let err = build(HTTPS).unwrap_err();
        assert!(
            matches!(&err, Error::Config(m) if m.contains("without a TLS feature")),
            "{err}"
        );
        build("http://127.0.0.1:9").unwrap();
    }

    /// With `rustls-no-provider` alone and no provider installed (no test of this
    /// binary installs one), building is a configuration error, not reqwest's panic.
    #[cfg(all(
        feature = "rustls-no-provider",
        not(any(feature = "rustls", feature = "native-tls"))
    ))]
    #[test]
    fn without_a_crypto_provider_building_is_a_configuration_error() {
        let err = build(HTTPS).unwrap_err();
        assert!(
            matches!(&err, Error::Config(m) if m.contains("no rustls crypto provider")),
            "{err}"
        );
    }

    /// With a TLS feature, the client is built for the default base URL.
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    #[test]
    fn with_tls_the_default_client_builds() {
        build(HTTPS).unwrap();
    }
}
