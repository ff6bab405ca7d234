//! The in-process loopback server: HTTP/1.1 on 127.0.0.1, its own thread and
//! single-threaded runtime, serving canned Venice responses.
//!
//! Every response is built once, at start, as the exact bytes to put on the wire
//! (head and body), so serving costs one `write_all` per response and the server
//! does the same work for every client.
//!
//! Routes (the first path segment picks the scenario, so each scenario is just a
//! base URL for the clients):
//!
//! | path | body has `"stream":true` | otherwise |
//! | --- | --- | --- |
//! | `/v1/chat/completions` | [`STREAM_CHUNKS`] chunks in 16 KiB frames | the completion |
//! | `/f64/chat/completions` | the same chunks in 64-byte frames | the completion |
//! | `/big1/…`, `/big2/…`, `/big4/…` | one 1/2/4 MiB single-line event, 16 KiB frames | 404 |
//! | `/v1/image/generate` | — | a 20 MB `image/png` |
//! | `/v1/video/retrieve` | — | a [`VIDEO_BYTES`] `video/mp4`, written from one 64 KiB block (never held whole) |
//!
//! A "frame" is one HTTP/1.1 chunk (`Transfer-Encoding: chunked`): hyper hands
//! each chunk to the client as its own `Bytes` (never more than the chunk), so
//! the frame size is what a client's body stream sees whatever TCP does.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::{Buf, BytesMut};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The model every canned response names.
pub const MODEL: &str = "llama-3.3-70b";
/// Chunks in a streamed completion.
pub const STREAM_CHUNKS: usize = 20_000;
/// The size of the binary image.
pub const IMAGE_BYTES: usize = 20_000_000;
/// The size of the finished video a job retrieval answers.
pub const VIDEO_BYTES: u64 = 200_000_000;
/// The text of the canned completion.
pub const COMPLETION_TEXT: &str = "The sky looks blue because of Rayleigh scattering: air molecules scatter short (blue) wavelengths of sunlight much more strongly than long (red) ones, so blue light reaches your eyes from every direction of the sky.";
/// The big single-line events, in MiB.
pub const BIG_EVENT_MIB: [usize; 3] = [1, 2, 4];
/// The size of a hostile JSON answer: just under the SDK's response cap.
pub const HOSTILE_BYTES: usize = venice_sdk::defaults::DEFAULT_MAX_RESPONSE_SIZE - 4096;
/// The size of a hostile event: 12.6 MB, under the SDK's 16 MiB event cap.
pub const HOSTILE_EVENT_BYTES: usize = 12_600_000;

/// The hostile answers: a JSON array of zeros (`[0,0,…]`, 2 bytes an item)
/// where a response type keeps opaque JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hostile {
    /// A chat completion whose `prompt_logprobs` holds the array.
    Chat,
    /// A Responses API answer whose one output item, of a type the SDK does
    /// not know, holds the array.
    Responses,
    /// An image generation answer whose `request` is the array.
    Image,
    /// A chat stream whose one chunk's `logprobs` is the array.
    Event,
}

impl Hostile {
    pub const ALL: [Hostile; 4] = [
        Hostile::Chat,
        Hostile::Responses,
        Hostile::Image,
        Hostile::Event,
    ];

    /// The size of the JSON document (the body, or the event's data).
    pub fn bytes(self) -> usize {
        match self {
            Hostile::Event => HOSTILE_EVENT_BYTES,
            _ => HOSTILE_BYTES,
        }
    }

    /// The JSON document.
    pub fn document(self) -> String {
        let (head, tail) = match self {
            Hostile::Chat => (
                format!(
                    r#"{{"id":"{ID}","object":"chat.completion","created":{CREATED},"model":"{MODEL}","choices":[{{"index":0,"finish_reason":"stop","message":{{"role":"assistant","content":"hi"}}}}],"usage":{{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}},"prompt_logprobs":{{"0":["#
                ),
                "]}}".to_owned(),
            ),
            Hostile::Responses => (
                format!(
                    r#"{{"id":"resp_1","object":"response","created_at":{CREATED},"model":"{MODEL}","status":"completed","output":[{{"type":"future_item","id":"x","data":["#
                ),
                "]}]}".to_owned(),
            ),
            Hostile::Image => (
                r#"{"id":"img_1","images":[],"timing":{"inferenceDuration":1,"inferencePreprocessingTime":1,"inferenceQueueTime":1,"total":3},"request":["#
                    .to_owned(),
                "]}".to_owned(),
            ),
            Hostile::Event => (
                format!(
                    r#"{{"id":"{ID}","object":"chat.completion.chunk","created":{CREATED},"model":"{MODEL}","choices":[{{"index":0,"delta":{{"content":"hi"}},"finish_reason":"stop","logprobs":["#
                ),
                "]}]}".to_owned(),
            ),
        };
        let zeros = (self.bytes() - head.len() - tail.len()) / 2;
        let mut doc = String::with_capacity(self.bytes());
        doc.push_str(&head);
        for i in 0..zeros {
            doc.push_str(if i == 0 { "0" } else { ",0" });
        }
        doc.push_str(&tail);
        doc
    }
}

const ID: &str = "chatcmpl-7f3c2a1e9b8d4c5fa6e0d1b2c3a4f5e6";
const CREATED: u64 = 1_735_689_600;

/// The completion body (as in `venice-sdk/tests/client.rs`, with a longer answer
/// and Venice's extras).
pub fn completion_body() -> Vec<u8> {
    let body = json!({
        "id": ID, "object": "chat.completion", "created": CREATED, "model": MODEL,
        "choices": [{"index": 0, "finish_reason": "stop", "stop_reason": null, "logprobs": null,
            "message": {"role": "assistant", "content": COMPLETION_TEXT, "reasoning_content": null, "tool_calls": []}}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 45, "total_tokens": 57},
        "prompt_logprobs": null,
        "venice_parameters": {"web_search_citations": [], "include_venice_system_prompt": true, "disable_thinking": false, "enable_e2ee": false, "enable_web_citations": false, "enable_web_scraping": false, "enable_web_search": "off", "include_search_results_in_stream": false, "return_search_results_as_documents": false, "strip_thinking_response": false}
    });
    serde_json::to_vec(&body).expect("serializable")
}

/// One `data:` line of a streamed completion, with its blank line.
fn chunk_event(delta: serde_json::Value, finish: Option<&str>) -> String {
    let chunk = json!({
        "id": ID, "object": "chat.completion.chunk", "created": CREATED, "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]
    });
    format!("data: {chunk}\n\n")
}

/// The SSE body of a completion streamed as `chunks` chunks, then `[DONE]`.
pub fn stream_body(chunks: usize) -> Vec<u8> {
    const WORDS: [&str; 8] = [
        "The ",
        "sky ",
        "looks ",
        "blue ",
        "because ",
        "of ",
        "Rayleigh ",
        "scattering. ",
    ];
    let mut body = String::with_capacity(chunks * 200);
    for i in 0..chunks {
        let last = i + 1 == chunks;
        let delta = if i == 0 {
            json!({"role": "assistant", "content": WORDS[0]})
        } else if last {
            json!({"content": ""})
        } else {
            json!({"content": WORDS[i % WORDS.len()]})
        };
        body.push_str(&chunk_event(delta, last.then_some("stop")));
    }
    body.push_str("data: [DONE]\n\n");
    body.into_bytes()
}

/// The content of the big event of `mib` MiB: plain text, no escapes.
pub fn big_content(mib: usize) -> String {
    let unit = "Rayleigh scattering of sunlight by air molecules. ";
    let len = mib * 1024 * 1024;
    unit.repeat(len / unit.len() + 1)[..len].to_owned()
}

/// One chunk whose delta carries `mib` MiB of text, on a single `data:` line.
pub fn big_event_body(mib: usize) -> Vec<u8> {
    let mut body = chunk_event(json!({"content": big_content(mib)}), Some("stop"));
    body.push_str("data: [DONE]\n\n");
    body.into_bytes()
}

/// A 20 MB "PNG": the signature, then bytes that do not compress.
pub fn image_body() -> Vec<u8> {
    let mut body = Vec::with_capacity(IMAGE_BYTES);
    body.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while body.len() < IMAGE_BYTES {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        body.extend_from_slice(&x.to_le_bytes());
    }
    body.truncate(IMAGE_BYTES);
    body
}

/// Headers Venice sends on every answer (the SDK reads them into `ResponseMeta`).
pub const VENICE_HEADERS: &str = "cf-ray: 8f3c2a1e9b8d4c5f-SJC\r\n\
x-ratelimit-limit-requests: 500\r\n\
x-ratelimit-remaining-requests: 499\r\n\
x-ratelimit-reset-requests: 60\r\n\
x-ratelimit-limit-tokens: 1000000\r\n\
x-ratelimit-remaining-tokens: 999943\r\n\
x-venice-balance-usd: 12.34\r\n\
server: bench\r\n";

fn with_length(content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut wire = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n{VENICE_HEADERS}\r\n",
        body.len()
    )
    .into_bytes();
    wire.extend_from_slice(body);
    wire
}

fn chunked(content_type: &str, body: &[u8], frame: usize) -> Vec<u8> {
    let mut wire = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ntransfer-encoding: chunked\r\ncache-control: no-cache\r\n{VENICE_HEADERS}\r\n"
    )
    .into_bytes();
    wire.reserve(body.len() + body.len() / frame * 10 + 16);
    for piece in body.chunks(frame) {
        wire.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        wire.extend_from_slice(piece);
        wire.extend_from_slice(b"\r\n");
    }
    wire.extend_from_slice(b"0\r\n\r\n");
    wire
}

/// Answer to anything else (and to a non-streaming request for a stream-only route).
const NOT_FOUND: &[u8] = b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 33\r\n\r\n{\"error\":\"no such route (bench)\"}";

/// Every response, as wire bytes.
struct Responses {
    completion: Vec<u8>,
    stream_16k: Vec<u8>,
    stream_64: Vec<u8>,
    big: Vec<Vec<u8>>,
    image: Vec<u8>,
    hostile: Vec<(Hostile, Vec<u8>)>,
}

impl Responses {
    fn build() -> Responses {
        let stream = stream_body(STREAM_CHUNKS);
        Responses {
            completion: with_length("application/json", &completion_body()),
            stream_16k: chunked("text/event-stream", &stream, 16 * 1024),
            stream_64: chunked("text/event-stream", &stream, 64),
            big: BIG_EVENT_MIB
                .iter()
                .map(|&mib| chunked("text/event-stream", &big_event_body(mib), 16 * 1024))
                .collect(),
            image: with_length("image/png", &image_body()),
            hostile: Hostile::ALL
                .iter()
                .map(|&h| {
                    let doc = h.document();
                    let wire = match h {
                        Hostile::Event => chunked(
                            "text/event-stream",
                            format!("data: {doc}\n\ndata: [DONE]\n\n").as_bytes(),
                            16 * 1024,
                        ),
                        _ => with_length("application/json", doc.as_bytes()),
                    };
                    (h, wire)
                })
                .collect(),
        }
    }

    fn pick(&self, path: &str, stream: bool) -> &[u8] {
        let (prefix, rest) = path
            .trim_start_matches('/')
            .split_once('/')
            .unwrap_or(("", ""));
        match (prefix, rest, stream) {
            ("v1", "chat/completions", false) | ("f64", "chat/completions", false) => {
                &self.completion
            }
            ("v1", "chat/completions", true) => &self.stream_16k,
            ("f64", "chat/completions", true) => &self.stream_64,
            ("big1", "chat/completions", true) => &self.big[0],
            ("big2", "chat/completions", true) => &self.big[1],
            ("big4", "chat/completions", true) => &self.big[2],
            ("v1", "image/generate", _) => &self.image,
            ("hostile", "chat/completions", stream) => self.hostile(if stream {
                Hostile::Event
            } else {
                Hostile::Chat
            }),
            ("hostile", "responses", _) => self.hostile(Hostile::Responses),
            ("hostile", "image/generate", _) => self.hostile(Hostile::Image),
            _ => NOT_FOUND,
        }
    }
}

impl Responses {
    fn hostile(&self, which: Hostile) -> &[u8] {
        self.hostile
            .iter()
            .find(|(h, _)| *h == which)
            .map_or(NOT_FOUND, |(_, wire)| wire)
    }
}

/// Starts the server on its own thread; returns its address once it listens.
/// The thread runs until the process exits.
pub fn start() -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("loopback-server".into())
        .spawn(move || {
            crate::alloc::untrack_this_thread();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("server runtime");
            runtime.block_on(async move {
                let responses = Arc::new(Responses::build());
                let listener = TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind 127.0.0.1");
                tx.send(listener.local_addr().expect("local addr"))
                    .expect("main waits");
                loop {
                    let Ok((socket, _)) = listener.accept().await else {
                        continue;
                    };
                    let responses = Arc::clone(&responses);
                    tokio::spawn(async move {
                        // A client closing its connection is normal.
                        let _ = serve(socket, &responses).await;
                    });
                }
            });
        })
        .expect("spawn the server thread");
    rx.recv().expect("the server reports its address")
}

/// Serves one keep-alive connection: read a request (head and
/// `Content-Length` body), write the canned answer, repeat.
async fn serve(mut socket: TcpStream, responses: &Responses) -> std::io::Result<()> {
    socket.set_nodelay(true)?;
    let mut buf = BytesMut::with_capacity(8 * 1024);
    loop {
        let head_end = loop {
            if let Some(i) = memchr::memmem::find(&buf, b"\r\n\r\n") {
                break i;
            }
            if socket.read_buf(&mut buf).await? == 0 {
                return Ok(());
            }
        };
        let head = std::str::from_utf8(&buf[..head_end]).unwrap_or("");
        let path = head.split(' ').nth(1).unwrap_or("/").to_owned();
        let length: usize = head
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.trim().parse().ok())
            .unwrap_or(0);
        let total = head_end + 4 + length;
        while buf.len() < total {
            if socket.read_buf(&mut buf).await? == 0 {
                return Ok(());
            }
        }
        if path == "/v1/video/retrieve" {
            buf.advance(total);
            write_video(&mut socket).await?;
            continue;
        }
        let body = &buf[head_end + 4..total];
        let stream = memchr::memmem::find(body, b"\"stream\":true").is_some();
        let answer = responses.pick(&path, stream);
        buf.advance(total);
        // Big bodies go out in 64 KiB writes; HTTP chunk framing (above), not
        // the write size, sets what the client's body stream yields.
        for piece in answer.chunks(64 * 1024) {
            socket.write_all(piece).await?;
        }
    }
}

/// Answers a finished video of [`VIDEO_BYTES`] bytes, written from one 64 KiB
/// block so that the server holds almost nothing.
async fn write_video(socket: &mut TcpStream) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ncontent-length: {VIDEO_BYTES}\r\n\r\n"
    );
    socket.write_all(head.as_bytes()).await?;
    let block: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();
    let mut left = VIDEO_BYTES;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        socket.write_all(&block[..n]).await?;
        left -= n as u64;
    }
    Ok(())
}
