//! One file per API area, each with its handle (`client.chat()`, …), one method
//! per operation, and the request and response helpers that serve that area.
//!
//! A method names its operation by the generated constant
//! (`operations::CREATE_CHAT_COMPLETION`): an operation renamed or removed
//! upstream is a compile error in that one method. Method names are the SDK's own
//! and stay put when upstream renames an operation.
//!
//! Adding an operation: add its method to the area's file (or a new file with a
//! handle, declared below), calling `transport::call_json` with its constant.

mod api_keys;
mod characters;
mod chat;
mod images;
mod models;
mod x402;

pub use api_keys::ApiKeys;
pub use characters::Characters;
pub use chat::{Chat, ChatCompletion, Message, Tool, ToolCall, VeniceParameters, WebSearch};
pub use images::{GeneratedImages, ImageInput, Images};
pub use models::{ModelId, Models};

use reqwest::header::{ACCEPT, HeaderValue};

use crate::config::Config;
use crate::operations::Operation;
use crate::transport;
use crate::{Client, Error, Response};

/// A `GET` of `op`, decoded into its generated response type.
pub(super) async fn get<T: serde::de::DeserializeOwned>(
    client: &Client,
    op: &'static Operation,
    query: &[(&str, &str)],
) -> Result<Response<T>, Error> {
    transport::call_json(client.config(), op, query, None::<&()>).await
}

/// A prepared JSON request to `op` (auth, user agent, the spec's value rules).
pub(super) fn json_request(
    config: &Config,
    op: &'static Operation,
    accept: &'static str,
    body: &impl serde::Serialize,
) -> Result<reqwest::Request, Error> {
    op.check(body)?;
    let mut http = config
        .http
        .request(op.method(), format!("{}{}", config.base_url, op.path))
        .header(ACCEPT, HeaderValue::from_static(accept))
        .json(body)
        .build()
        .map_err(|e| Error::invalid("body", e.to_string()))?;
    transport::prepare(config, op, &mut http);
    Ok(http)
}
