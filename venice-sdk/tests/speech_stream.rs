//! Streamed speech (`audio().speech_stream`) through the real client over
//! loopback: the offline Venice (the same audio as `speech`) and scripted
//! servers (chunks over time, cut, stalled, oversized and dropped streams).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use futures::StreamExt;
use venice_sdk::types::{CreateSpeechRequestSchema, CreateSpeechRequestSchemaResponseFormat};
use venice_sdk::{ApiErrorKind, Client, Error, TimeoutKind};
use venice_testing::OfflineVenice;

mod support;
use support::{
    FaultServer, KEY, assert_clean, assert_closed, http, logged, scripted_server, stream_client,
};

const AUDIO_HEAD: &str =
    "HTTP/1.1 200 OK\r\ncontent-type: audio/mpeg\r\ntransfer-encoding: chunked\r\n\r\n";

fn request() -> CreateSpeechRequestSchema {
    CreateSpeechRequestSchema::new("Welcome to Venice. The gondolas are waiting.").unwrap()
}

fn client(base: &str) -> Client {
    stream_client(base, |b| b)
}

/// The error `speech_stream` returns for a server answering `status` with a
/// JSON `body`.
async fn refused(status: u16, body: String) -> Error {
    let server = FaultServer::start(vec![http(
        status,
        &[("content-type", "application/json")],
        body,
    )])
    .await;
    client(&server.base)
        .audio()
        .speech_stream(request())
        .await
        .unwrap_err()
}

/// Every item of a speech stream of `client`.
async fn items(client: &Client) -> Vec<Result<bytes::Bytes, Error>> {
    client
        .audio()
        .speech_stream(request())
        .await
        .unwrap()
        .collect()
        .await
}

/// `n` parts of audio-looking bytes, `every` milliseconds apart (the body is
/// cut after them: no last chunk).
fn parts(n: usize, every: u64) -> Vec<(u64, String)> {
    (0..n).map(|i| (every, format!("frame-{i:03};"))).collect()
}

/// [`parts`], then the last chunk (an empty one) of a whole chunked body.
fn whole(n: usize, every: u64) -> Vec<(u64, String)> {
    let mut parts = parts(n, every);
    parts.push((0, String::new()));
    parts
}

#[tokio::test]
async fn the_chunks_join_to_the_audio_speech_returns() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    for format in [
        CreateSpeechRequestSchemaResponseFormat::from("mp3"),
        CreateSpeechRequestSchemaResponseFormat::from("wav"),
    ] {
        let mut request = request();
        request.response_format = Some(format);
        let whole = client.audio().speech(request.clone()).await.unwrap();
        let mut stream = client.audio().speech_stream(request).await.unwrap();
        assert_eq!(stream.meta().media_type(), whole.meta().media_type());
        let mut joined = Vec::new();
        let mut chunks = 0;
        while let Some(chunk) = stream.next().await {
            joined.extend_from_slice(&chunk.unwrap());
            chunks += 1;
        }
        assert!(chunks >= 1);
        assert!(joined.len() > 1000, "{} bytes", joined.len());
        assert_eq!(joined, whole.as_ref());
    }
    assert_eq!(venice.calls("createSpeech"), 4);
}

#[tokio::test]
async fn chunks_are_handed_over_as_they_arrive_and_the_request_asks_for_streaming() {
    let (base, server) = scripted_server(AUDIO_HEAD, whole(5, 100), Duration::ZERO).await;
    let c = client(&base);
    let started = std::time::Instant::now();
    let mut stream = c.audio().speech_stream(request()).await.unwrap();
    assert_eq!(stream.meta().media_type(), Some("audio/mpeg"));
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(&first[..], b"frame-000;");
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "the first chunk waited for the rest"
    );
    let mut joined = first.to_vec();
    while let Some(chunk) = stream.next().await {
        joined.extend_from_slice(&chunk.unwrap());
    }
    let expected: String = parts(5, 0).into_iter().map(|(_, p)| p).collect();
    assert_eq!(String::from_utf8(joined).unwrap(), expected);
    server.await.unwrap();

    let server =
        FaultServer::start(vec![http(200, &[("content-type", "audio/mpeg")], "ID3")]).await;
    let got = items(&client(&server.base)).await;
    assert_eq!(got.len(), 1);
    let sent = String::from_utf8_lossy(&server.requests.lock().unwrap()[0]).to_ascii_lowercase();
    assert!(sent.contains("\"streaming\":true"), "{sent}");
    assert!(sent.contains("accept: audio/*, application/json"), "{sent}");
}

#[tokio::test]
async fn a_stream_cut_before_its_end_is_an_error_not_silent_truncation() {
    // A declared length the body never reaches.
    let head = "HTTP/1.1 200 OK\r\ncontent-type: audio/mpeg\r\ncontent-length: 5000\r\n\r\n";
    // And a chunked body without its last chunk.
    for head in [head, AUDIO_HEAD] {
        let (base, server) = scripted_server(head, parts(3, 10), Duration::ZERO).await;
        let got = items(&client(&base)).await;
        server.await.unwrap();
        assert!(got.len() >= 2, "{got:?}");
        assert!(got[0].is_ok());
        let last = got.last().unwrap();
        assert!(
            matches!(last, Err(Error::Connection { .. })),
            "{head}: {last:?}"
        );
    }
}

#[tokio::test]
async fn a_stall_ends_the_stream_with_the_idle_timeout_and_the_stream_timeout_holds() {
    let (base, _server) = scripted_server(
        AUDIO_HEAD,
        vec![(0, "ID3".into()), (5_000, "late".into())],
        Duration::ZERO,
    )
    .await;
    let started = std::time::Instant::now();
    let got = items(&client(&base)).await;
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(&got[0].as_ref().unwrap()[..], b"ID3");
    assert!(matches!(
        got[1],
        Err(Error::Timeout {
            limit: TimeoutKind::Idle,
            ..
        })
    ));

    let (base, _server) = scripted_server(AUDIO_HEAD, parts(100, 50), Duration::ZERO).await;
    let c = stream_client(&base, |b| b.stream_timeout(Duration::from_millis(300)));
    let got = items(&c).await;
    assert!(matches!(
        got.last().unwrap(),
        Err(Error::Timeout {
            limit: TimeoutKind::Stream,
            ..
        })
    ));
    assert!(got.len() < 50, "{}", got.len());
}

#[tokio::test]
async fn more_than_the_size_limit_ends_the_stream() {
    let (base, _server) = scripted_server(AUDIO_HEAD, parts(40, 0), Duration::ZERO).await;
    let got = items(&stream_client(&base, |b| b.max_response_size(100))).await;
    let total: usize = got
        .iter()
        .filter_map(|c| c.as_ref().ok())
        .map(|c| c.len())
        .sum();
    assert!(total <= 100, "{total}");
    assert!(
        matches!(
            got.last().unwrap(),
            Err(Error::BodyTooLarge { limit: 100, .. })
        ),
        "{got:?}"
    );
}

#[tokio::test]
async fn errors_before_the_audio_are_returned_by_speech_stream() {
    let venice = OfflineVenice::start().await;
    let mut opus = request();
    opus.response_format = Some(CreateSpeechRequestSchemaResponseFormat::from("opus"));
    let err = venice
        .client()
        .audio()
        .speech_stream(opus)
        .await
        .unwrap_err();
    assert_eq!(err.api().unwrap().kind, ApiErrorKind::BadRequest);

    let err = refused(200, "{}".into()).await;
    assert!(
        err.to_string()
            .contains("expected audio, got application/json"),
        "{err}"
    );
}

#[tokio::test]
async fn dropping_the_stream_closes_the_connection() {
    let (base, server) = scripted_server(AUDIO_HEAD, parts(200, 20), Duration::from_secs(5)).await;
    let mut stream = client(&base)
        .audio()
        .speech_stream(request())
        .await
        .unwrap();
    assert!(stream.next().await.unwrap().is_ok());
    drop(stream);
    assert_closed(server).await;
}

#[test]
fn no_secret_in_logs_or_errors() {
    logged(async {
        let body = format!("{{\"error\": \"key {KEY} is not allowed\"}}");
        let err = refused(401, body).await;
        assert_clean(&err);
        let (base, _server) = scripted_server(AUDIO_HEAD, parts(2, 0), Duration::ZERO).await;
        let got = items(&client(&base)).await;
        assert_clean(got.last().unwrap().as_ref().unwrap_err());
    });
}
