//! Every default and fixed limit of the SDK, in one place.
//!
//! Settings a user can change have a [`ClientBuilder`](crate::ClientBuilder)
//! setter of the same name (and, where one call may differ, a `with_*` method on
//! [`Client`](crate::Client)); the others are fixed limits that keep memory and
//! output bounded.

use std::time::Duration;

/// The API's base URL ([`ClientBuilder::base_url`](crate::ClientBuilder::base_url)).
pub const DEFAULT_BASE_URL: &str = "https://api.venice.ai/api/v1";
/// Time allowed to establish a connection
/// ([`ClientBuilder::connect_timeout`](crate::ClientBuilder::connect_timeout)).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed for a whole non-streaming request; long completions take minutes
/// ([`ClientBuilder::timeout`](crate::ClientBuilder::timeout)).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
/// Largest response body read into memory, and most bytes a stream or a download
/// may deliver; base64 images are large
/// ([`ClientBuilder::max_response_size`](crate::ClientBuilder::max_response_size)).
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 64 * 1024 * 1024;
/// Longest silence allowed between two reads of a stream
/// ([`ClientBuilder::stream_idle_timeout`](crate::ClientBuilder::stream_idle_timeout)).
pub const DEFAULT_STREAM_IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// Largest single server-sent event
/// ([`ClientBuilder::max_event_size`](crate::ClientBuilder::max_event_size)).
pub const DEFAULT_MAX_EVENT_SIZE: usize = 16 * 1024 * 1024;
/// Most bytes a media download
/// ([`Media::save`](crate::resources::Media::save),
/// [`Media::download_to`](crate::resources::Media::download_to)) may deliver: it
/// is written out as it arrives, never held, so this only stops a server that
/// would fill the disk
/// ([`ClientBuilder::max_download_size`](crate::ClientBuilder::max_download_size)).
pub const DEFAULT_MAX_DOWNLOAD_SIZE: u64 = 8 * 1024 * 1024 * 1024;
/// Time between two status polls of a media job, as Venice's guide advises
/// ([`Job::poll_interval`](crate::resources::Job::poll_interval)).
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);
/// How long waiting for a media job may take in all; videos take a few
/// minutes ([`Job::deadline`](crate::resources::Job::deadline)).
pub const DEFAULT_JOB_DEADLINE: Duration = Duration::from_secs(30 * 60);
/// Shortest time between two status polls of a media job; a shorter
/// [`Job::poll_interval`](crate::resources::Job::poll_interval) is raised to it
/// (fixed).
pub(crate) const MIN_POLL_INTERVAL: Duration = Duration::from_millis(1);
/// Most pages one paginated walk requests; a walk that needs more ends with
/// [`Error::Pagination`](crate::Error::Pagination)
/// ([`Paging::max_pages`](crate::Paging::max_pages)).
pub const DEFAULT_MAX_PAGES: u64 = 10_000;
/// Retries of a call after the first attempt
/// ([`ClientBuilder::max_retries`](crate::ClientBuilder::max_retries)).
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// The longest `Retry-After` honoured; a server asking for more is not retried
/// ([`ClientBuilder::retry_after_cap`](crate::ClientBuilder::retry_after_cap)).
pub const DEFAULT_RETRY_AFTER_CAP: Duration = Duration::from_secs(60);
/// First backoff delay, doubled for each retry
/// ([`ClientBuilder::retry_backoff`](crate::ClientBuilder::retry_backoff)).
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(500);
/// Longest backoff delay
/// ([`ClientBuilder::retry_backoff`](crate::ClientBuilder::retry_backoff)).
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(8);
/// Retries a client may spend before its requests earn more (fixed).
pub(crate) const RETRY_BUDGET_INITIAL: u32 = 10;
/// Share of its requests a client may retry, in percent, on top of
/// [`RETRY_BUDGET_INITIAL`] (fixed).
pub(crate) const RETRY_BUDGET_PERCENT: u32 = 10;
/// Most of an error body read to build the error (fixed).
pub(crate) const ERROR_BODY_READ_LIMIT: usize = 1024 * 1024;
/// How much of an error body an [`ApiError`](crate::ApiError) keeps (fixed).
pub const MAX_ERROR_BODY_EXCERPT: usize = 64 * 1024;
/// How many characters of one piece of server-provided text (a message, a code, a
/// request id) an error's `Display` shows; the field keeps all of it (fixed).
pub const MAX_DISPLAYED_TEXT: usize = 500;
/// Longest file name sent with an upload, in characters (fixed).
pub(crate) const MAX_FILE_NAME: usize = 255;

/// How many rounds of tool calls a [`ToolRunner`](crate::ToolRunner) runs before
/// it stops and returns what it has (`ToolRun::finished` is then `false`).
pub const DEFAULT_MAX_TOOL_ROUNDS: usize = 8;

/// How many tool handlers a [`ToolRunner`](crate::ToolRunner) runs at once.
pub const DEFAULT_TOOL_CONCURRENCY: usize = 4;

/// Longest `Deprecation`, `Sunset` or `Link` header value, and longest link
/// target, read into an
/// [`EndpointDeprecation`](crate::meta::EndpointDeprecation); a longer one is
/// ignored (fixed).
pub const MAX_DEPRECATION_HEADER: usize = 4096;
/// How many `Link` header lines of one answer are read for an
/// [`EndpointDeprecation`](crate::meta::EndpointDeprecation) (fixed).
pub const MAX_LINK_HEADERS: usize = 16;
