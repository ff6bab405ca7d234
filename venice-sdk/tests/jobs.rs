//! Video and music jobs, the Responses API and the augment tools, against the
//! offline Venice (loopback) and typed mocks.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;
use venice_sdk::JsonOrText;
use venice_sdk::types::{
    CompleteAudioRequest, CompleteVideoRequest, QueueAudioRequest, QueueVideoRequest,
    QuoteAudioRequest, QuoteVideoRequest, ResponsesApiResponseOutputItem, ResponsesRequest,
    RetrieveAudioRequest, RetrieveVideoRequest, WebScrapeRequest, WebSearchRequest,
};
use venice_sdk::{ApiErrorKind, Error, RetrieveOutcome};
use venice_testing::{OfflineVenice, VeniceMocks, fixtures, httpmock::MockServer};

const VIDEO_MODEL: &str = "seedance-2-0-text-to-video";
const MUSIC_MODEL: &str = "elevenlabs-music";

/// A generated request type from the JSON Venice reads (it survives upstream
/// reshaping the type: a field turning optional, an enum turning into a string).
fn from_json<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> T {
    serde_json::from_value(json).unwrap()
}

fn video_request(prompt: &str) -> QueueVideoRequest {
    from_json(json!({"model": VIDEO_MODEL, "prompt": prompt, "duration": "5s"}))
}

fn music_request(prompt: &str) -> QueueAudioRequest {
    from_json(json!({"model": MUSIC_MODEL, "prompt": prompt, "duration_seconds": 10}))
}

fn not_found(result: Result<impl std::fmt::Debug, Error>) {
    match result {
        Err(Error::Api(e)) => {
            assert_eq!(e.status, 404, "{e}");
            assert_eq!(e.kind, ApiErrorKind::NotFound);
            assert!(e.message.contains("could not be found"), "{}", e.message);
        }
        other => panic!("expected a 404, got {other:?}"),
    }
}

fn bad_request(result: Result<impl std::fmt::Debug, Error>, field: &str) {
    match result {
        Err(Error::Api(e)) => {
            assert_eq!(e.status, 400, "{e}");
            assert!(format!("{e:?}").contains(field), "{e:?}");
        }
        other => panic!("expected a 400 naming {field}, got {other:?}"),
    }
}

#[tokio::test]
async fn video_quote_prices_duration_and_refuses_a_missing_model() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let five = client
        .video()
        .quote(from_json::<QuoteVideoRequest>(
            json!({"model": VIDEO_MODEL, "duration": "5s"}),
        ))
        .await
        .unwrap();
    let ten = client
        .video()
        .quote(from_json::<QuoteVideoRequest>(
            json!({"model": VIDEO_MODEL, "duration": "10s"}),
        ))
        .await
        .unwrap();
    assert!(five.quote > 0.0);
    assert!(
        (ten.quote - 2.0 * five.quote).abs() < 1e-9,
        "{} {}",
        ten.quote,
        five.quote
    );
    let empty: QuoteVideoRequest = from_json(json!({"model": "", "duration": "5s"}));
    bad_request(client.video().quote(empty).await, "model");
}

#[tokio::test]
async fn a_video_job_processes_then_answers_an_mp4_then_is_completed() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let queued = client
        .video()
        .queue(video_request("A gondola at dawn"))
        .await
        .unwrap();
    assert_eq!(queued.model, VIDEO_MODEL);
    assert!(!queued.queue_id.is_empty());
    assert_eq!(queued.download_url, None);

    let mut durations = Vec::new();
    let video = loop {
        let answer = client
            .video()
            .retrieve(queued.retrieve_request())
            .await
            .unwrap();
        match answer.into_inner() {
            RetrieveOutcome::Processing(status) => {
                assert_eq!(status.status, "PROCESSING");
                assert_eq!(status.average_execution_time, 145_000.0);
                durations.push(status.execution_duration);
            }
            RetrieveOutcome::Media { data, media_type } => {
                assert_eq!(media_type, "video/mp4");
                break data;
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(durations.len() < 10, "never finished");
    };
    assert_eq!(durations.len(), 2);
    assert!(
        durations[0] > 0.0 && durations[1] > durations[0],
        "{durations:?}"
    );
    assert_eq!(&video[4..8], b"ftyp");
    assert!(video.len() > 1024);

    let done = client
        .video()
        .complete(queued.complete_request())
        .await
        .unwrap();
    assert!(done.success);
    not_found(client.video().retrieve(queued.retrieve_request()).await);
    not_found(client.video().complete(queued.complete_request()).await);
}

#[tokio::test]
async fn video_retrieve_to_streams_the_mp4_and_writes_nothing_for_a_status() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let queued = client
        .video()
        .queue(video_request("Rain on the lagoon"))
        .await
        .unwrap();
    let mut file = Vec::new();
    let first = client
        .video()
        .retrieve_to(queued.retrieve_request(), &mut file)
        .await
        .unwrap();
    assert!(first.is_processing());
    assert!(file.is_empty());
    client
        .video()
        .retrieve_to(queued.retrieve_request(), &mut file)
        .await
        .unwrap();
    let mut request = queued.retrieve_request();
    request.delete_media_on_completion = Some(true);
    let done = client
        .video()
        .retrieve_to(request, &mut file)
        .await
        .unwrap();
    let written = *done.media().expect("the video");
    assert_eq!(written, file.len() as u64);
    assert_eq!(&file[4..8], b"ftyp");
    assert!(done.meta().request_id.is_some());
    // delete_media_on_completion removed it.
    not_found(
        client
            .video()
            .retrieve_to(queued.retrieve_request(), &mut Vec::new())
            .await,
    );
}

#[tokio::test]
async fn a_video_with_a_download_url_is_completed_in_json() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let request: QueueVideoRequest = from_json(json!({
        "model": "offline-vps-text-to-video",
        "prompt": "A bridge",
        "duration": "5s",
    }));
    let queued = client.video().queue(request).await.unwrap();
    let url = queued.download_url.as_deref().unwrap();
    // Storage is another origin than the API's, as on Venice.
    assert!(
        url.starts_with(&venice.download_origin()) && url.contains("/media/"),
        "{url}"
    );
    assert!(!url.starts_with(&venice.server().base_url()), "{url}");
    let mut outcome = client
        .video()
        .retrieve(queued.retrieve_request())
        .await
        .unwrap()
        .into_inner();
    while outcome.is_processing() {
        outcome = client
            .video()
            .retrieve(queued.retrieve_request())
            .await
            .unwrap()
            .into_inner();
    }
    match outcome {
        RetrieveOutcome::Completed(status) => assert_eq!(status.status, "COMPLETED"),
        other => panic!("expected COMPLETED, got {other:?}"),
    }
}

#[tokio::test]
async fn video_queue_and_retrieve_refuse_missing_fields_and_unknown_jobs() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let request: QueueVideoRequest =
        from_json(json!({"model": "", "prompt": "x", "duration": "5s"}));
    bad_request(client.video().queue(request).await, "model");
    let unknown: RetrieveVideoRequest =
        from_json(json!({"model": VIDEO_MODEL, "queue_id": "no-such-job"}));
    not_found(client.video().retrieve(unknown).await);
    let unknown: CompleteVideoRequest =
        from_json(json!({"model": VIDEO_MODEL, "queue_id": "no-such-job"}));
    not_found(client.video().complete(unknown).await);
}

#[tokio::test]
async fn a_music_job_processes_then_answers_an_mp3() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let quote = client
        .audio()
        .quote(from_json::<QuoteAudioRequest>(
            json!({"model": MUSIC_MODEL}),
        ))
        .await
        .unwrap();
    assert!(quote.quote > 0.0);
    let queued = client
        .audio()
        .queue(music_request("A calm piano piece"))
        .await
        .unwrap();
    assert_eq!(queued.status, "QUEUED");
    assert_eq!(queued.model, MUSIC_MODEL);

    let mut processing = 0;
    let audio = loop {
        match client
            .audio()
            .retrieve(queued.retrieve_request())
            .await
            .unwrap()
            .into_inner()
        {
            RetrieveOutcome::Processing(status) => {
                assert_eq!(status.average_execution_time, 20_000.0);
                assert!(status.execution_duration > 0.0);
                processing += 1;
            }
            RetrieveOutcome::Media { data, media_type } => {
                assert_eq!(media_type, "audio/mpeg");
                break data;
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(processing < 10, "never finished");
    };
    assert_eq!(processing, 2);
    assert!(audio.starts_with(b"ID3"));
    assert_eq!(&audio[10..12], &[0xFF, 0xFB]);

    let mut file = Vec::new();
    let streamed = client
        .audio()
        .retrieve_to(queued.retrieve_request(), &mut file)
        .await
        .unwrap();
    assert_eq!(streamed.media(), Some(&(audio.len() as u64)));
    assert_eq!(file, audio.to_vec());

    assert!(
        client
            .audio()
            .complete(queued.complete_request())
            .await
            .unwrap()
            .success
    );
    not_found(client.audio().retrieve(queued.retrieve_request()).await);
}

#[tokio::test]
async fn music_errors_are_typed() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    bad_request(
        client
            .audio()
            .quote(from_json::<QuoteAudioRequest>(json!({"model": ""})))
            .await,
        "model",
    );
    let request: QueueAudioRequest =
        from_json(json!({"model": "", "prompt": "x", "duration_seconds": 10}));
    bad_request(client.audio().queue(request).await, "model");
    let unknown: RetrieveAudioRequest =
        from_json(json!({"model": MUSIC_MODEL, "queue_id": "nope"}));
    not_found(client.audio().retrieve_to(unknown, &mut Vec::new()).await);
    let unknown: CompleteAudioRequest =
        from_json(json!({"model": MUSIC_MODEL, "queue_id": "nope"}));
    not_found(client.audio().complete(unknown).await);
}

#[tokio::test]
async fn retrieve_reads_wav_and_flac_and_refuses_other_media() {
    let server = MockServer::start_async().await;
    let client = server.venice_client().unwrap();
    let request: RetrieveAudioRequest = from_json(json!({"model": MUSIC_MODEL, "queue_id": "q1"}));
    let wav = b"RIFF\x24\0\0\0WAVEfmt ";
    let mut mock = server.mock_audio_media(wav, "audio/wav");
    let answer = client
        .audio()
        .retrieve(request.clone())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        answer,
        RetrieveOutcome::Media {
            data: bytes::Bytes::from_static(wav),
            media_type: "audio/wav".into()
        }
    );
    mock.delete();
    mock = server.mock_audio_media(b"fLaC\0\0\0\x22", "audio/flac; charset=binary");
    match client
        .audio()
        .retrieve(request.clone())
        .await
        .unwrap()
        .into_inner()
    {
        RetrieveOutcome::Media { media_type, data } => {
            assert_eq!(media_type, "audio/flac");
            assert!(data.starts_with(b"fLaC"));
        }
        other => panic!("{other:?}"),
    }
    mock.delete();
    // A video where audio was expected is a decode error, not media.
    server.mock_audio_media(b"\0\0\0\x20ftypisom", "video/mp4");
    match client.audio().retrieve(request).await {
        Err(Error::Decode(e)) => assert!(e.to_string().contains("video/mp4"), "{e}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_status_is_other_and_mocks_answer_statuses() {
    let server = MockServer::start_async().await;
    let client = server.venice_client().unwrap();
    let mut status: venice_sdk::types::RetrieveVideoResponse =
        fixtures::example(&venice_sdk::operations::RETRIEVE_VIDEO).unwrap();
    status.status = from_json(json!("FAILED"));
    let mock = server.mock_video_status(&status);
    let request: RetrieveVideoRequest = from_json(json!({"model": VIDEO_MODEL, "queue_id": "q1"}));
    match client.video().retrieve(request).await.unwrap().into_inner() {
        RetrieveOutcome::Other(s) => assert_eq!(s.status, "FAILED"),
        other => panic!("{other:?}"),
    }
    mock.assert();
}

#[tokio::test]
async fn responses_answer_the_last_user_input() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let mut request: ResponsesRequest = serde_json::from_value(serde_json::json!({
        "model": "llama-3.3-70b", "input": "Why is the sky blue?"
    }))
    .unwrap();
    request.stream = Some(true); // cleared: create reads one JSON answer
    let response = client.responses().create(request).await.unwrap();
    assert_eq!(response.status, "completed");
    assert_eq!(response.model, "llama-3.3-70b");
    assert!(response.id.starts_with("resp_"));
    assert_eq!(response.output.len(), 1);
    let usage = response.usage.as_ref().unwrap();
    assert!(usage.output_tokens as f64 > 10.0);
    assert_eq!(
        usage.total_tokens as f64,
        usage.input_tokens as f64 + usage.output_tokens as f64
    );
    // The message decodes as a message (its `type` tells the members apart),
    // with its text.
    match &response.output[0] {
        ResponsesApiResponseOutputItem::MessageOutput { content, id, .. } => {
            assert!(id.starts_with("msg_"));
            assert!(content[0].text.contains("sky"), "{content:?}");
            assert_eq!(response.output_text(), content[0].text);
        }
        other => panic!("a message read as {other:?}"),
    }

    let unknown: ResponsesRequest =
        serde_json::from_value(serde_json::json!({"model": "no-such-model", "input": "Hi"}))
            .unwrap();
    match client.responses().create(unknown).await {
        Err(Error::Api(e)) => assert_eq!(e.kind, ApiErrorKind::NotFound),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn scrape_returns_markdown_and_refuses_blocked_sites() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let page = client
        .augment()
        .scrape(from_json::<WebScrapeRequest>(
            json!({"url": "https://example.com/venice"}),
        ))
        .await
        .unwrap();
    assert_eq!(page.url, "https://example.com/venice");
    assert_eq!(page.format, "markdown");
    assert!(
        page.content.starts_with("# example.com"),
        "{}",
        page.content
    );
    let blocked = client
        .augment()
        .scrape(from_json::<WebScrapeRequest>(
            json!({"url": "https://www.reddit.com/r/rust"}),
        ))
        .await;
    bad_request(blocked, "reddit");
}

#[tokio::test]
async fn search_returns_limit_results_and_checks_the_limit_before_sending() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let mut request: WebSearchRequest = from_json(json!({"query": "venice canals"}));
    request.limit = from_json(json!(3));
    let found = client.augment().search(request.clone()).await.unwrap();
    assert_eq!(found.query, "venice canals");
    assert_eq!(found.results.len(), 3);
    assert!(
        found
            .results
            .iter()
            .all(|r| r.title.contains("venice canals"))
    );
    let calls = venice.calls("webSearch");
    request.limit = from_json(json!(21));
    match client.augment().search(request).await {
        Err(Error::InvalidRequest { .. }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(venice.calls("webSearch"), calls, "refused before sending");
}

#[tokio::test]
async fn parse_text_reads_json_or_text_from_an_upload() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let pdf = b"%PDF-1.4\n1 0 obj\nBT /F1 12 Tf (Venice has 118 islands.) Tj ET\nendobj\n%%EOF\n";
    let parsed = client
        .augment()
        .parse_text(venice_sdk::FileInput::named(&pdf[..], "facts.pdf"), None)
        .await
        .unwrap();
    match parsed.into_inner() {
        JsonOrText::Json(body) => {
            assert_eq!(body.text, "Venice has 118 islands.");
            assert!(body.tokens > 0.0);
        }
        other => panic!("{other:?}"),
    }

    let dir = std::env::temp_dir().join(format!("venice-jobs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("notes.txt");
    std::fs::write(&path, "Gondolas are black.\n").unwrap();
    let text = client
        .augment()
        .parse_text(path.as_path(), Some("text"))
        .await
        .unwrap();
    assert_eq!(
        text.into_inner(),
        JsonOrText::Text("Gondolas are black.\n".into())
    );
    std::fs::remove_dir_all(&dir).unwrap();

    // Not text, not a PDF: Venice's 400; nothing at all: refused before sending.
    let binary = venice_sdk::FileInput::named(vec![0u8, 159, 146, 150], "blob.bin");
    match client.augment().parse_text(binary, None).await {
        Err(Error::Api(e)) => assert_eq!(e.status, 400),
        other => panic!("{other:?}"),
    }
    match client.augment().parse_text(Vec::new(), None).await {
        Err(Error::InvalidRequest { .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn typed_mocks_serve_every_new_operation() {
    let server = MockServer::start_async().await;
    let client = server.venice_client().unwrap();
    let queued: venice_sdk::types::QueueVideoResponse =
        fixtures::example(&venice_sdk::operations::QUEUE_VIDEO).unwrap();
    server.mock_video_queue(&queued);
    server.mock_video_media(b"\0\0\0\x18ftypmp42");
    assert_eq!(
        client
            .video()
            .queue(video_request("x"))
            .await
            .unwrap()
            .queue_id,
        queued.queue_id
    );
    let media = client
        .video()
        .retrieve(queued.retrieve_request())
        .await
        .unwrap();
    assert_eq!(media.media().map(|b| &b[4..8]), Some(&b"ftyp"[..]));

    server.mock_text_parser_text("plain words");
    let text = client
        .augment()
        .parse_text(venice_sdk::FileInput::named("doc", "a.txt"), Some("text"))
        .await
        .unwrap();
    assert_eq!(text.into_inner(), JsonOrText::Text("plain words".into()));
}
