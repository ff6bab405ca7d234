//! What the loopback tests share: a TRACE log capture that must never hold a
//! secret, and a raw TCP server that misbehaves on script.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use venice_sdk::{Client, Error};

#[cfg(feature = "rustls")]
pub mod tls;

/// Writes one HTTP/1.1 answer (closing the connection after it) on `stream`,
/// plain or TLS; a client that went away is no error.
pub async fn write_http<S: tokio::io::AsyncWrite + Unpin>(
    stream: &mut S,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body).await;
    let _ = stream.shutdown().await;
}

/// The API key of every test client.
pub const KEY: &str = "vk-fault-KEY-a1b2c3d4e5f6";

// ---------------------------------------------------------------------------
// Log capture

#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs a test body on this thread with a TRACE subscriber; the log must not
/// contain the key. Returns the log.
pub fn logged<F: Future<Output = ()>>(body: F) -> String {
    logged_without(&[KEY], body)
}

/// [`logged`], checking the log for each of `secrets`.
pub fn logged_without<F: Future<Output = ()>>(secrets: &[&str], body: F) -> String {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // A span or event first hit by a test running without a subscriber, on
    // another thread while this one was being set, may have cached "never
    // enabled": asked again, every callsite now counts this subscriber.
    tracing::callsite::rebuild_interest_cache();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(body);
    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    for secret in secrets {
        assert!(!log.contains(secret), "the log leaks a secret:\n{log}");
    }
    log
}

// ---------------------------------------------------------------------------
// The fault server

#[derive(Clone, Debug)]
pub enum Reply {
    /// A complete HTTP response, then close.
    Http {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Close with a reset before sending anything.
    ResetBeforeHeaders,
    /// Send the head and part of a declared body, then reset.
    ResetMidBody,
    /// Send a head declaring `body` (its length, with `headers`), then only
    /// its first `send` bytes, then reset: a transfer cut mid-way.
    Cut {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        send: usize,
    },
    /// Send these bytes as they are (a head and a body of any framing),
    /// then reset: a transfer cut wherever the bytes end.
    Raw(Vec<u8>),
    /// Accept, read the request, never answer.
    Silent,
    /// Send the head, then nothing.
    HeadThenStall,
    /// Send a head with this status and content type declaring a 100-byte body,
    /// then nothing.
    StatusThenStall {
        status: u16,
        content_type: &'static str,
    },
    /// Send a 200 head with this content type and no length, then `chunk` every
    /// `every`, `times` times (or until the client goes away).
    Trickle {
        content_type: &'static str,
        chunk: Vec<u8>,
        every: Duration,
        times: usize,
    },
}

pub fn http(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Reply {
    Reply::Http {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body: body.into(),
    }
}

pub fn ok_json(body: &str) -> Reply {
    http(200, &[("content-type", "application/json")], body)
}

pub struct FaultServer {
    pub base: String,
    pub attempts: Arc<AtomicUsize>,
    pub requests: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl FaultServer {
    /// Attempt `i` gets `script[min(i, len - 1)]`.
    pub async fn start(script: Vec<Reply>) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let attempts = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (a, r) = (attempts.clone(), requests.clone());
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let i = a.fetch_add(1, Ordering::SeqCst);
                let reply = script[i.min(script.len() - 1)].clone();
                let r = r.clone();
                tokio::spawn(async move { serve(socket, reply, r).await });
            }
        });
        FaultServer {
            base,
            attempts,
            requests,
        }
    }

    pub fn attempts(&self) -> usize {
        self.attempts.load(Ordering::SeqCst)
    }

    pub fn client(&self) -> Client {
        Client::builder()
            .api_key(KEY)
            .base_url(&self.base)
            .retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap()
    }
}

/// A client of `base` with the test key, quick retries and a short stream
/// idle timeout (300 ms), changed by `tune`.
pub fn stream_client(
    base: &str,
    tune: impl FnOnce(venice_sdk::ClientBuilder) -> venice_sdk::ClientBuilder,
) -> Client {
    tune(
        Client::builder()
            .api_key(KEY)
            .base_url(base)
            .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
            .stream_idle_timeout(Duration::from_millis(300)),
    )
    .build()
    .unwrap()
}

/// Reads one request (head and body, by Content-Length or chunked).
pub async fn read_request<S: AsyncRead + Unpin>(socket: &mut S) -> Vec<u8> {
    let mut data = Vec::new();
    let mut buf = [0u8; 16384];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let body = &data[end + 4..];
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            let complete = match length {
                Some(n) => body.len() >= n,
                None if head.contains("transfer-encoding: chunked") => body.ends_with(b"0\r\n\r\n"),
                None => true,
            };
            if complete {
                return data;
            }
        }
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return data,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
}

pub async fn serve(mut socket: TcpStream, reply: Reply, requests: Arc<Mutex<Vec<Vec<u8>>>>) {
    let request = read_request(&mut socket).await;
    requests.lock().unwrap().push(request);
    match reply {
        Reply::Http {
            status,
            headers,
            body,
        } => {
            write_http(&mut socket, status, &headers, &body).await;
        }
        Reply::ResetBeforeHeaders => reset(socket),
        Reply::Raw(bytes) => {
            let _ = socket.write_all(&bytes).await;
            let _ = socket.flush().await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            reset(socket);
        }
        Reply::Cut {
            status,
            headers,
            body,
            send,
        } => {
            let mut head = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(&body[..send.min(body.len())]).await;
            let _ = socket.flush().await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            reset(socket);
        }
        Reply::ResetMidBody => {
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"object\": \"li")
                .await;
            let _ = socket.flush().await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            reset(socket);
        }
        Reply::Silent => tokio::time::sleep(Duration::from_secs(30)).await,
        Reply::StatusThenStall {
            status,
            content_type,
        } => {
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: 100\r\n\r\n"
            );
            let _ = socket.write_all(head.as_bytes()).await;
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        Reply::Trickle {
            content_type,
            chunk,
            every,
            times,
        } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\nconnection: close\r\n\r\n"
            );
            if socket.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            for _ in 0..times {
                if socket.write_all(&chunk).await.is_err() || socket.flush().await.is_err() {
                    return;
                }
                tokio::time::sleep(every).await;
            }
            let _ = socket.shutdown().await;
        }
        Reply::HeadThenStall => {
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n")
                .await;
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
    }
}

/// A one-connection server: answers with `head`, then each part after its delay,
/// then closes (or holds the connection open when `hold` is set). Reports whether
/// the client closed the connection while parts were still being written.
pub async fn scripted_server(
    head: &'static str,
    parts: Vec<(u64, String)>,
    hold: Duration,
) -> (String, tokio::task::JoinHandle<bool>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 65536];
        let mut seen = Vec::new();
        // Read the request head and body (small).
        loop {
            let n = socket.read(&mut buf).await.unwrap();
            seen.extend_from_slice(&buf[..n]);
            if n == 0 || seen.windows(4).any(|w| w == b"\r\n\r\n") && seen.ends_with(b"}") {
                break;
            }
        }
        socket.write_all(head.as_bytes()).await.unwrap();
        for (delay, part) in parts {
            tokio::time::sleep(Duration::from_millis(delay)).await;
            let chunked = format!("{:x}\r\n{}\r\n", part.len(), part);
            if socket.write_all(chunked.as_bytes()).await.is_err() || socket.flush().await.is_err()
            {
                return true;
            }
        }
        // Wait to see whether the client goes away.
        matches!(
            tokio::time::timeout(hold, socket.read(&mut buf)).await,
            Ok(Ok(0)) | Ok(Err(_))
        )
    });
    (format!("http://{addr}"), handle)
}

/// Waits (at most 10 s) for a [`scripted_server`] to finish and asserts it saw
/// the client close the connection.
pub async fn assert_closed(server: tokio::task::JoinHandle<bool>) {
    let closed = tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .unwrap()
        .unwrap();
    assert!(closed, "the server should see the connection close");
}

pub const SSE_HEAD: &str =
    "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";

pub fn reset(socket: TcpStream) {
    let std = socket.into_std().unwrap();
    let sock = socket2::Socket::from(std);
    let _ = sock.set_linger(Some(Duration::ZERO));
    drop(sock);
}

/// No key in the error's `Display` or `Debug`.
pub fn assert_clean(err: &Error) {
    let shown = format!("{err} | {err:?}");
    assert!(!shown.contains(KEY), "{shown}");
}
