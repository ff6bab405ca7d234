//! The three clients, each doing the same calls against the same server.
//!
//! - `floor`: raw reqwest 0.13 + serde, the least a hand-written client does
//!   (the request and answer as small structs; for streams a plain line split
//!   on `bytes_stream()` decoding each `data:` line into the SDK's own
//!   [`ChatCompletionChunk`], so JSON decoding costs the same).
//! - `sdk`: venice-sdk, as its docs show.
//! - `async-openai`: pointed at the server with `OpenAIConfig::with_api_base`.

use std::fmt;
use std::hint::black_box;

use async_openai::config::OpenAIConfig;
use async_openai::types::chat::{
    ChatCompletionRequestUserMessageArgs, CreateChatCompletionRequest,
    CreateChatCompletionRequestArgs,
};
use futures::StreamExt;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;
use venice_sdk::operations::OperationExt as _;
use venice_sdk::types::{ChatCompletionRequest, GenerateImageRequest};
use venice_sdk::{ChatCompletionChunk, Message};

use crate::server::{Hostile, MODEL};

/// The API key every client sends (the server ignores it).
pub const KEY: &str = "vk-bench-0123456789abcdef0123456789abcdef";
/// The prompt every chat request sends.
pub const PROMPT: &str = "Why is the sky blue?";
/// The image model and prompt.
const IMAGE_MODEL: &str = "hidream";
const IMAGE_PROMPT: &str = "A clear blue sky over the sea";

/// Which client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Who {
    Floor,
    Sdk,
    Aoai,
}

impl Who {
    pub const ALL: [Who; 3] = [Who::Floor, Who::Sdk, Who::Aoai];

    pub fn name(self) -> &'static str {
        match self {
            Who::Floor => "floor (reqwest)",
            Who::Sdk => "venice-sdk",
            Who::Aoai => "async-openai",
        }
    }
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A scenario: the first path segment of its base URL (see `server`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// Completions; streams in 16 KiB frames; the image.
    V1,
    /// Streams in 64-byte frames.
    Frames64,
    /// The 1, 2 or 4 MiB event.
    Big(usize),
    /// Hostile answers at the size caps (see [`Hostile`](crate::server::Hostile)).
    Hostile,
}

impl Route {
    pub fn prefix(self) -> String {
        match self {
            Route::V1 => "v1".into(),
            Route::Frames64 => "f64".into(),
            Route::Big(mib) => format!("big{mib}"),
            Route::Hostile => "hostile".into(),
        }
    }

    fn all() -> Vec<Route> {
        let mut all = vec![Route::V1, Route::Frames64, Route::Hostile];
        all.extend(crate::server::BIG_EVENT_MIB.iter().map(|&m| Route::Big(m)));
        all
    }
}

pub type Result<T> = std::result::Result<T, String>;

fn err(e: impl fmt::Display) -> String {
    e.to_string()
}

// ---- floor types -------------------------------------------------------------

#[derive(Serialize)]
pub(crate) struct FloorMessage<'a> {
    pub role: &'a str,
    pub content: &'a str,
}

#[derive(Serialize)]
pub(crate) struct FloorRequest<'a> {
    pub model: &'a str,
    pub messages: [FloorMessage<'a>; 1],
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stream: bool,
}

#[derive(Serialize)]
struct FloorImageRequest<'a> {
    model: &'a str,
    prompt: &'a str,
    return_binary: bool,
}

/// The fields of a completion a caller reads.
#[allow(dead_code)] // read only through `black_box`
#[derive(Debug, Deserialize)]
pub(crate) struct FloorCompletion {
    id: String,
    object: String,
    created: i64,
    model: String,
    choices: Vec<FloorChoice>,
    usage: FloorUsage,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
struct FloorChoice {
    index: u32,
    message: FloorAnswer,
    finish_reason: Option<String>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
struct FloorAnswer {
    role: String,
    content: Option<String>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
struct FloorUsage {
    prompt_tokens: u32,
    completion_tokens: u32,
    total_tokens: u32,
}

/// What a stream delivered.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Streamed {
    /// Typed chunks decoded.
    pub chunks: usize,
    /// Bytes of content text they carried.
    pub content_bytes: usize,
    /// Whether the last chunk had a finish reason.
    pub finished: bool,
    /// Body frames received (floor only; 0 when not observed).
    pub frames: usize,
}

/// All three clients, one per scenario where the client fixes its base URL.
pub struct Clients {
    origin: String,
    /// The base URL parsed once, as the SDK keeps it (ladder step 4).
    base_url: reqwest::Url,
    floor: reqwest::Client,
    auth: HeaderValue,
    sdk: Vec<(Route, venice_sdk::Client)>,
    aoai: Vec<(Route, async_openai::Client<OpenAIConfig>)>,
}

impl Clients {
    pub fn new(addr: std::net::SocketAddr) -> Result<Clients> {
        let origin = format!("http://{addr}");
        let mut sdk = Vec::new();
        let mut aoai = Vec::new();
        for route in Route::all() {
            let base = format!("{origin}/{}", route.prefix());
            sdk.push((
                route,
                venice_sdk::Client::builder()
                    .api_key(KEY)
                    .base_url(&base)
                    .build()
                    .map_err(err)?,
            ));
            let config = OpenAIConfig::new().with_api_base(&base).with_api_key(KEY);
            aoai.push((route, async_openai::Client::with_config(config)));
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {KEY}")).map_err(err)?;
        auth.set_sensitive(true);
        let base_url =
            reqwest::Url::parse(&format!("{origin}/{}", Route::V1.prefix())).map_err(err)?;
        Ok(Clients {
            origin,
            base_url,
            floor: reqwest::Client::new(),
            auth,
            sdk,
            aoai,
        })
    }

    fn url(&self, route: Route, path: &str) -> String {
        format!("{}/{}/{path}", self.origin, route.prefix())
    }

    fn sdk(&self, route: Route) -> &venice_sdk::Client {
        &self
            .sdk
            .iter()
            .find(|(r, _)| *r == route)
            .expect("a client per route")
            .1
    }

    fn aoai(&self, route: Route) -> &async_openai::Client<OpenAIConfig> {
        &self
            .aoai
            .iter()
            .find(|(r, _)| *r == route)
            .expect("a client per route")
            .1
    }

    // ---- non-streaming ----------------------------------------------------------

    /// One chat completion; returns the length of its text.
    pub async fn create(&self, who: Who) -> Result<usize> {
        match who {
            Who::Floor => {
                let request = FloorRequest {
                    model: MODEL,
                    messages: [FloorMessage {
                        role: "user",
                        content: PROMPT,
                    }],
                    stream: false,
                };
                let response = self
                    .floor
                    .post(self.url(Route::V1, "chat/completions"))
                    .header(AUTHORIZATION, self.auth.clone())
                    .json(&request)
                    .send()
                    .await
                    .map_err(err)?;
                if !response.status().is_success() {
                    return Err(format!("status {}", response.status()));
                }
                let body = response.bytes().await.map_err(err)?;
                let completion: FloorCompletion = serde_json::from_slice(&body).map_err(err)?;
                let len = completion.choices[0]
                    .message
                    .content
                    .as_deref()
                    .map_or(0, str::len);
                black_box(completion);
                Ok(len)
            }
            Who::Sdk => {
                let request = ChatCompletionRequest::new(MODEL, [Message::user(PROMPT)]);
                let completion = self
                    .sdk(Route::V1)
                    .chat()
                    .create(request)
                    .await
                    .map_err(err)?;
                let len = completion.usage.completion_tokens as usize;
                black_box(completion);
                Ok(len)
            }
            Who::Aoai => {
                let completion = self
                    .aoai(Route::V1)
                    .chat()
                    .create(aoai_request()?)
                    .await
                    .map_err(err)?;
                let len = completion.choices[0]
                    .message
                    .content
                    .as_deref()
                    .map_or(0, str::len);
                black_box(completion);
                Ok(len)
            }
        }
    }

    /// The text of one completion, for the correctness check.
    pub async fn create_text(&self, who: Who) -> Result<String> {
        Ok(match who {
            Who::Sdk => self
                .sdk(Route::V1)
                .chat()
                .create(ChatCompletionRequest::new(MODEL, [Message::user(PROMPT)]))
                .await
                .map_err(err)?
                .text()
                .unwrap_or_default(),
            Who::Aoai => self
                .aoai(Route::V1)
                .chat()
                .create(aoai_request()?)
                .await
                .map_err(err)?
                .choices[0]
                .message
                .content
                .clone()
                .unwrap_or_default(),
            Who::Floor => {
                let body = self
                    .floor
                    .post(self.url(Route::V1, "chat/completions"))
                    .header(AUTHORIZATION, self.auth.clone())
                    .json(&FloorRequest {
                        model: MODEL,
                        messages: [FloorMessage {
                            role: "user",
                            content: PROMPT,
                        }],
                        stream: false,
                    })
                    .send()
                    .await
                    .map_err(err)?
                    .bytes()
                    .await
                    .map_err(err)?;
                let completion: FloorCompletion = serde_json::from_slice(&body).map_err(err)?;
                completion.choices[0]
                    .message
                    .content
                    .clone()
                    .unwrap_or_default()
            }
        })
    }

    // ---- hostile answers -------------------------------------------------------

    /// One call answered by the hostile document `which`: the SDK's method
    /// (which may refuse it: the outcome is returned, the heap is what is
    /// measured), or the floor reading the body and decoding it with plain
    /// `serde_json` into the SDK's own response type (what the SDK did before
    /// its decode budget).
    pub async fn hostile(&self, who: Who, which: Hostile) -> Result<String> {
        use venice_sdk::types;
        let sdk = self.sdk(Route::Hostile);
        let chat = || ChatCompletionRequest::new(MODEL, [Message::user(PROMPT)]);
        let outcome = |r: std::result::Result<(), venice_sdk::Error>| match r {
            Ok(()) => "decoded".to_owned(),
            Err(e) => format!("refused: {e}"),
        };
        match (who, which) {
            (Who::Sdk, Hostile::Chat) => Ok(outcome(
                sdk.chat().create(chat()).await.map(|r| drop(black_box(r))),
            )),
            (Who::Sdk, Hostile::Responses) => {
                let request: types::ResponsesRequest =
                    serde_json::from_value(serde_json::json!({"model": MODEL, "input": PROMPT}))
                        .map_err(err)?;
                Ok(outcome(
                    sdk.responses()
                        .create(request)
                        .await
                        .map(|r| drop(black_box(r))),
                ))
            }
            (Who::Sdk, Hostile::Image) => {
                let request = GenerateImageRequest::new(IMAGE_MODEL, IMAGE_PROMPT).map_err(err)?;
                Ok(outcome(
                    sdk.images()
                        .generate(request)
                        .await
                        .map(|r| drop(black_box(r))),
                ))
            }
            (Who::Sdk, Hostile::Event) => {
                let mut stream = sdk.chat().stream(chat()).await.map_err(err)?;
                let mut result = Ok(());
                while let Some(chunk) = stream.next().await {
                    match chunk {
                        Ok(chunk) => drop(black_box(chunk)),
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    }
                }
                Ok(outcome(result))
            }
            (_, which) => {
                let path = match which {
                    Hostile::Chat | Hostile::Event => "chat/completions",
                    Hostile::Responses => "responses",
                    Hostile::Image => "image/generate",
                };
                let body = self
                    .floor
                    .post(self.url(Route::Hostile, path))
                    .header(AUTHORIZATION, self.auth.clone())
                    .body(if which == Hostile::Event {
                        r#"{"stream":true}"#
                    } else {
                        "{}"
                    })
                    .send()
                    .await
                    .map_err(err)?
                    .bytes()
                    .await
                    .map_err(err)?;
                let decoded = match which {
                    Hostile::Chat => {
                        serde_json::from_slice::<types::CreateChatCompletionResponse>(&body)
                            .map(|r| drop(black_box(r)))
                    }
                    Hostile::Responses => {
                        serde_json::from_slice::<types::ResponsesApiResponse>(&body)
                            .map(|r| drop(black_box(r)))
                    }
                    Hostile::Image => serde_json::from_slice::<types::GenerateImageResponse>(&body)
                        .map(|r| drop(black_box(r))),
                    Hostile::Event => {
                        let data = body
                            .strip_prefix(b"data: ")
                            .and_then(|rest| rest.split(|&b| b == b'\n').next())
                            .ok_or("no data line")?;
                        serde_json::from_slice::<ChatCompletionChunk>(data)
                            .map(|r| drop(black_box(r)))
                    }
                };
                Ok(match decoded {
                    Ok(()) => "decoded".to_owned(),
                    Err(e) => format!("failed: {e}"),
                })
            }
        }
    }

    // ---- streaming --------------------------------------------------------------

    /// One streamed completion, every chunk decoded into its typed form.
    pub async fn stream(&self, who: Who, route: Route) -> Result<Streamed> {
        let mut out = Streamed::default();
        match who {
            Who::Floor => {
                let response = self
                    .floor
                    .post(self.url(route, "chat/completions"))
                    .header(AUTHORIZATION, self.auth.clone())
                    .header(ACCEPT, HeaderValue::from_static("text/event-stream"))
                    .json(&FloorRequest {
                        model: MODEL,
                        messages: [FloorMessage {
                            role: "user",
                            content: PROMPT,
                        }],
                        stream: true,
                    })
                    .send()
                    .await
                    .map_err(err)?;
                if !response.status().is_success() {
                    return Err(format!("status {}", response.status()));
                }
                let mut body = response.bytes_stream();
                // A plain line split: `buf[..start]` is consumed, `buf[start..scanned]`
                // holds no LF (so a long line is scanned once, not once per frame).
                let mut buf: Vec<u8> = Vec::new();
                let mut scanned = 0;
                'frames: while let Some(frame) = body.next().await {
                    let frame = frame.map_err(err)?;
                    out.frames += 1;
                    buf.extend_from_slice(&frame);
                    let mut start = 0;
                    while let Some(lf) = memchr::memchr(b'\n', &buf[scanned..]) {
                        let end = scanned + lf;
                        let line = &buf[start..end];
                        start = end + 1;
                        scanned = start;
                        let Some(data) = line.strip_prefix(b"data:") else {
                            continue;
                        };
                        let data = data.strip_prefix(b" ").unwrap_or(data);
                        if data == b"[DONE]" {
                            break 'frames;
                        }
                        let chunk: ChatCompletionChunk =
                            serde_json::from_slice(data).map_err(err)?;
                        count(&mut out, &chunk);
                        black_box(chunk);
                    }
                    buf.drain(..start);
                    scanned = buf.len();
                }
            }
            Who::Sdk => {
                let request = ChatCompletionRequest::new(MODEL, [Message::user(PROMPT)]);
                let mut stream = self.sdk(route).chat().stream(request).await.map_err(err)?;
                while let Some(chunk) = stream.next().await {
                    let chunk = chunk.map_err(err)?;
                    count(&mut out, &chunk);
                    black_box(chunk);
                }
            }
            Who::Aoai => {
                let mut stream = self
                    .aoai(route)
                    .chat()
                    .create_stream(aoai_request()?)
                    .await
                    .map_err(err)?;
                while let Some(chunk) = stream.next().await {
                    let chunk = chunk.map_err(err)?;
                    out.chunks += 1;
                    if let Some(choice) = chunk.choices.first() {
                        out.content_bytes += choice.delta.content.as_deref().map_or(0, str::len);
                        out.finished = choice.finish_reason.is_some();
                    }
                    black_box(chunk);
                }
            }
        }
        Ok(out)
    }

    // ---- images -----------------------------------------------------------------

    /// The 20 MB image, read whole into memory; returns its length.
    pub async fn image_buffered(&self, who: Who) -> Result<usize> {
        match who {
            Who::Floor => {
                let body = self
                    .floor_image_response()
                    .await?
                    .bytes()
                    .await
                    .map_err(err)?;
                let len = body.len();
                black_box(body);
                Ok(len)
            }
            Who::Sdk => {
                let request = GenerateImageRequest::new(IMAGE_MODEL, IMAGE_PROMPT).map_err(err)?;
                let image = self
                    .sdk(Route::V1)
                    .images()
                    .generate_bytes(request)
                    .await
                    .map_err(err)?;
                let len = image.len();
                black_box(image);
                Ok(len)
            }
            Who::Aoai => Err("async-openai has no binary image generation call".into()),
        }
    }

    /// The 20 MB image, copied frame by frame into a sink without holding it.
    pub async fn image_streamed(&self, who: Who) -> Result<usize> {
        match who {
            Who::Floor => {
                let mut body = self.floor_image_response().await?.bytes_stream();
                let mut sink = tokio::io::sink();
                let mut len = 0;
                while let Some(frame) = body.next().await {
                    let frame = frame.map_err(err)?;
                    len += frame.len();
                    sink.write_all(&frame).await.map_err(err)?;
                }
                Ok(len)
            }
            Who::Sdk => {
                let request = GenerateImageRequest::new(IMAGE_MODEL, IMAGE_PROMPT).map_err(err)?;
                let mut sink = tokio::io::sink();
                let written = self
                    .sdk(Route::V1)
                    .images()
                    .generate_to(request, &mut sink)
                    .await
                    .map_err(err)?;
                Ok(*written as usize)
            }
            Who::Aoai => Err("async-openai has no binary image generation call".into()),
        }
    }

    /// The SDK waits for a finished video job and saves its video to `path`
    /// with `Media::save` (streamed to a temporary file, renamed into place);
    /// returns the bytes written.
    /// The floor: one `reqwest` POST whose `bytes_stream()` is written into a
    /// `tokio::fs::File` as it comes, then synced (no polling, no temporary
    /// file).
    pub async fn video_saved_floor(&self, path: &std::path::Path) -> Result<u64> {
        let response = self
            .floor
            .post(self.url(Route::V1, "video/retrieve"))
            .header(AUTHORIZATION, self.auth.clone())
            .header(
                ACCEPT,
                HeaderValue::from_static("video/mp4, application/json"),
            )
            .body(r#"{"model":"bench-video-model","queue_id":"bench-queue-id"}"#)
            .send()
            .await
            .map_err(err)?;
        if !response.status().is_success() {
            return Err(format!("status {}", response.status()));
        }
        let mut file = tokio::fs::File::create(path).await.map_err(err)?;
        let mut body = response.bytes_stream();
        let mut len = 0u64;
        while let Some(frame) = body.next().await {
            let frame = frame.map_err(err)?;
            len += frame.len() as u64;
            file.write_all(&frame).await.map_err(err)?;
        }
        file.flush().await.map_err(err)?;
        // Synced as `save` syncs its file: the same work, and no 200 MB of
        // dirty pages left to slow the rows measured after this one.
        file.sync_all().await.map_err(err)?;
        Ok(len)
    }

    pub async fn video_saved(&self, path: &std::path::Path) -> Result<u64> {
        let job = self
            .sdk(Route::V1)
            .video()
            .job("bench-video-model", "bench-queue-id");
        let mut media = job.wait().await.map_err(err)?;
        media.save(path).await.map_err(err)
    }

    async fn floor_image_response(&self) -> Result<reqwest::Response> {
        let response = self
            .floor
            .post(self.url(Route::V1, "image/generate"))
            .header(AUTHORIZATION, self.auth.clone())
            .header(
                ACCEPT,
                HeaderValue::from_static("image/*, application/json"),
            )
            .json(&FloorImageRequest {
                model: IMAGE_MODEL,
                prompt: IMAGE_PROMPT,
                return_binary: true,
            })
            .send()
            .await
            .map_err(err)?;
        if !response.status().is_success() {
            return Err(format!("status {}", response.status()));
        }
        Ok(response)
    }
}

/// The steps the SDK adds to a plain reqwest call, in the order of the ladder:
/// step `k` of the ladder is the floor plus steps `1..=k`. Each reproduces, with
/// public pieces of the SDK, what its send path (`transport::Call`) does on a
/// successful non-streaming call.
pub const LADDER: [&str; 9] = [
    "floor (reqwest + small struct)",
    "+ per-request timeout (`RequestBuilder::timeout`, as the attempt loop sets)",
    "+ the request as the generated `ChatCompletionRequest` (`ChatCompletionRequest::new`, serialized once into `Bytes`: `Call::body`)",
    "+ the spec's value rules checked on the typed request (`Operation::check`, the walk `Call::body` does)",
    "+ URL from the client's parsed base URL, the headers the SDK sends (`Accept`, `Content-Type`, `User-Agent`), body bytes shared per attempt (`Call::build`, `prepare`)",
    "+ body read with the size cap, kept as one `Bytes` (`transport::body::read_body`)",
    "+ decoded into the generated `CreateChatCompletionResponse`",
    "+ headers moved into `ResponseMeta` (`ResponseMeta::from_headers`: one pass)",
    "+ a `tracing` span around the call (no subscriber)",
];

impl Clients {
    /// The SDK's generated (progenitor) client, as `Client::raw` gives it: its
    /// builder and decoding, sent through the SDK's send path by its hooks.
    pub async fn sdk_raw_create(&self) -> Result<usize> {
        let request = ChatCompletionRequest::new(MODEL, [Message::user(PROMPT)]);
        let completion = self
            .sdk(Route::V1)
            .raw()
            .create_chat_completion()
            .body(request)
            .send()
            .await
            .map_err(err)?;
        Ok(black_box(completion).usage.completion_tokens as usize)
    }

    /// The floor plus the first `level` steps of [`LADDER`].
    pub async fn floor_ladder(&self, level: usize) -> Result<usize> {
        use reqwest::header::{CONTENT_TYPE, USER_AGENT};
        use tracing::Instrument as _;
        let call = async {
            let mut builder = if level >= 4 {
                // The URL: the parsed base URL with its path set.
                let base_path = self.base_url.path().trim_end_matches('/');
                let mut path = String::with_capacity(base_path.len() + 32);
                path.push_str(base_path);
                path.push_str("/chat/completions");
                let mut url = self.base_url.clone();
                url.set_path(&path);
                self.floor
                    .post(url)
                    .header(ACCEPT, HeaderValue::from_static("application/json"))
                    .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                    .header(USER_AGENT, HeaderValue::from_static("venice-sdk/0.1.0"))
                    .header(AUTHORIZATION, self.auth.clone())
            } else {
                self.floor
                    .post(self.url(Route::V1, "chat/completions"))
                    .header(AUTHORIZATION, self.auth.clone())
            };
            builder = if level >= 2 {
                let request = ChatCompletionRequest::new(MODEL, [Message::user(PROMPT)]);
                if level >= 3 {
                    venice_sdk::operations::CREATE_CHAT_COMPLETION
                        .check(&request)
                        .map_err(err)?;
                }
                let body = bytes::Bytes::from(serde_json::to_vec(&request).map_err(err)?);
                if level < 4 {
                    builder =
                        builder.header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                }
                builder.body(body.clone())
            } else {
                builder.json(&FloorRequest {
                    model: MODEL,
                    messages: [FloorMessage {
                        role: "user",
                        content: PROMPT,
                    }],
                    stream: false,
                })
            };
            if level >= 1 {
                builder = builder.timeout(std::time::Duration::from_secs(600));
            }
            let request = builder.build().map_err(err)?;
            let mut response = self.floor.execute(request).await.map_err(err)?;
            if !response.status().is_success() {
                return Err(format!("status {}", response.status()));
            }
            let status = response.status();
            // The SDK moves the headers out before reading the body.
            let headers = (level >= 7).then(|| std::mem::take(response.headers_mut()));
            let body = if level >= 5 {
                read_capped(&mut response, 64 * 1024 * 1024).await?
            } else {
                response.bytes().await.map_err(err)?
            };
            if level >= 6 {
                let completion: venice_sdk::ChatCompletion =
                    serde_json::from_slice(&body).map_err(err)?;
                if let Some(headers) = headers {
                    black_box(venice_sdk::ResponseMeta::from_headers(status, headers));
                }
                Ok(black_box(completion).usage.completion_tokens as usize)
            } else {
                let completion: FloorCompletion = serde_json::from_slice(&body).map_err(err)?;
                Ok(black_box(completion).choices.len())
            }
        };
        if level >= 8 {
            let span = tracing::info_span!(
                "venice.call",
                operation = "createChatCompletion",
                method = "POST",
                status = tracing::field::Empty,
                attempts = tracing::field::Empty,
                request_id = tracing::field::Empty,
            );
            call.instrument(span).await
        } else {
            call.await
        }
    }
}

/// The body read as `transport::body::read_body` reads it: `chunk()` by
/// `chunk()`, a single chunk kept as is, more gathered into one buffer sized
/// from `Content-Length`, the size cap checked on the way.
async fn read_capped(response: &mut reqwest::Response, limit: usize) -> Result<bytes::Bytes> {
    let declared = response.content_length();
    if declared.is_some_and(|n| n as usize > limit) {
        return Err("too large".into());
    }
    let mut first: Option<bytes::Bytes> = None;
    let mut gathered: Option<bytes::BytesMut> = None;
    let mut total = 0usize;
    while let Some(chunk) = response.chunk().await.map_err(err)? {
        total = total.saturating_add(chunk.len());
        if total > limit {
            return Err("too large".into());
        }
        match (&mut first, &mut gathered) {
            (None, None) => first = Some(chunk),
            (Some(head), None) => {
                let capacity = declared.map_or(total, |n| n as usize).clamp(total, limit);
                let mut buf = bytes::BytesMut::with_capacity(capacity);
                buf.extend_from_slice(head);
                buf.extend_from_slice(&chunk);
                first = None;
                gathered = Some(buf);
            }
            (_, Some(buf)) => buf.extend_from_slice(&chunk),
        }
    }
    Ok(match (first, gathered) {
        (_, Some(buf)) => buf.freeze(),
        (Some(one), None) => one,
        (None, None) => bytes::Bytes::new(),
    })
}

fn count(out: &mut Streamed, chunk: &ChatCompletionChunk) {
    out.chunks += 1;
    out.content_bytes += chunk.delta_text().len();
    out.finished = chunk.choices.iter().any(|c| c.finish_reason.is_some());
}

pub(crate) fn aoai_request() -> Result<CreateChatCompletionRequest> {
    CreateChatCompletionRequestArgs::default()
        .model(MODEL)
        .messages([ChatCompletionRequestUserMessageArgs::default()
            .content(PROMPT)
            .build()
            .map_err(err)?
            .into()])
        .build()
        .map_err(err)
}
