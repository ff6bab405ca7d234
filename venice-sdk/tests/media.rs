//! Media operations end to end: embeddings, image edits, background removal and
//! the OpenAI-compatible generation, speech, transcription, voice cloning and
//! video transcription — against the offline Venice (what users see) and a
//! loopback mock (what goes on the wire, and answers the offline one never gives).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use base64::Engine as _;
use httpmock::prelude::*;
use serde_json::json;
use venice_sdk::types::{
    CreateClonedVoiceRequestSchema, CreateEmbeddingRequestSchema, CreateSpeechRequestSchema,
    CreateSpeechRequestSchemaModel, CreateSpeechRequestSchemaResponseFormat,
    CreateTranscriptionRequestSchema, CreateVideoTranscriptionRequestSchema,
    CreateVideoTranscriptionRequestSchemaResponseFormat, EditImageBody, MultiEditImageBody,
    SimpleGenerateImageRequest, SimpleGenerateImageRequestResponseFormat,
};
use venice_sdk::{ApiErrorKind, Client, Error, FileInput, ImageSource, JsonOrText};
use venice_testing::{OfflineVenice, fixtures};

const KEY: &str = "vk-media-KEY-9b2e61f0aa";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .api_key(KEY)
        .base_url(server.base_url())
        .build()
        .unwrap()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A fresh directory for one test's files.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("venice-sdk-media-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ---------------------------------------------------------------- embeddings

#[tokio::test]
async fn embeddings_of_one_text_or_many_in_input_order() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let one = client
        .embeddings()
        .create(CreateEmbeddingRequestSchema::new(
            "text-embedding-bge-m3",
            "The cat sat on the mat",
        ))
        .await
        .unwrap();
    assert_eq!(one.model, "text-embedding-bge-m3");
    assert_eq!(one.data.len(), 1);
    let v = &one.data[0].vector;
    assert_eq!(v.len(), 1024);
    assert!((cosine(v, v) - 1.0).abs() < 1e-4);
    assert!(one.usage.as_ref().unwrap().total_tokens as f64 > 0.0);
    assert!(one.meta().request_id.is_some());

    let texts = vec![
        "Quarterly revenue grew by nine percent".to_owned(),
        "the cat sat on a mat".to_owned(),
        "The cat sat on the mat".to_owned(),
    ];
    let many = client
        .embeddings()
        .create(CreateEmbeddingRequestSchema::new(
            "text-embedding-bge-m3",
            texts,
        ))
        .await
        .unwrap();
    let vectors: Vec<&[f32]> = many.vectors().collect();
    assert_eq!(vectors.len(), 3);
    assert_eq!(
        many.data.iter().map(|e| e.index).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    // The same text, the same vector; similar texts close, unrelated ones not.
    assert_eq!(vectors[2], v.as_slice());
    assert!(cosine(vectors[1], vectors[2]) > 0.7);
    assert!(cosine(vectors[0], vectors[2]) < 0.35);

    let short = client
        .embeddings()
        .create(
            CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", ["a", "b"])
                .with_dimensions(64)
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(short.vectors().all(|v| v.len() == 64));
    assert_eq!(short.into_inner().into_vectors().len(), 2);
}

#[tokio::test]
async fn base64_embeddings_decode_to_the_same_vectors() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let request = CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", vec!["x y", "z"]);
    let floats = client.embeddings().create(request.clone()).await.unwrap();
    let packed = client
        .embeddings()
        .create(request.with_base64())
        .await
        .unwrap();
    assert_eq!(floats.data, packed.data);
}

#[tokio::test]
async fn a_malformed_base64_vector_is_a_decode_error_naming_it() {
    let server = MockServer::start_async().await;
    let good = base64::engine::general_purpose::STANDARD.encode(1.5f32.to_le_bytes());
    for (bad, says) in [("%%%not base64", "not valid base64"), ("AAAA", "3 bytes")] {
        server.reset_async().await;
        server
            .mock_async(|when, then| {
                when.method(POST)
                    .path("/embeddings")
                    .json_body_includes(r#"{"encoding_format": "base64"}"#);
                then.status(200).header("cf-ray", "emb-1").json_body(json!({
                    "object": "list", "model": "m",
                    "data": [{"object": "embedding", "index": 0, "embedding": good},
                             {"object": "embedding", "index": 1, "embedding": bad}],
                    "usage": {"prompt_tokens": 2, "total_tokens": 2}
                }));
            })
            .await;
        let err = client(&server)
            .embeddings()
            .create(CreateEmbeddingRequestSchema::new("m", ["a", "b"]).with_base64())
            .await
            .unwrap_err();
        let Error::Decode(decode) = &err else {
            panic!("{err:?}")
        };
        assert!(decode.message.contains("data[1].embedding"), "{err}");
        assert!(decode.message.contains(says), "{err}");
        assert_eq!(decode.operation, "createEmbedding");
        assert_eq!(err.request_id(), Some("emb-1"));
    }
}

#[tokio::test]
async fn embeddings_come_back_in_input_order_whatever_the_answer_order() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/embeddings");
            then.status(200).json_body(json!({
                "object": "list", "model": "m",
                "data": [{"object": "embedding", "index": 1, "embedding": [2.0]},
                         {"object": "embedding", "index": 0, "embedding": [1.0]}],
                "usage": {"prompt_tokens": 2, "total_tokens": 2}
            }));
        })
        .await;
    let answer = client(&server)
        .embeddings()
        .create(CreateEmbeddingRequestSchema::new("m", ["a", "b"]))
        .await
        .unwrap();
    assert_eq!(answer.into_inner().into_vectors(), [vec![1.0], vec![2.0]]);
}

#[tokio::test]
async fn empty_embedding_input_is_refused_before_sending() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    for request in [
        CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", ""),
        CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", Vec::<String>::new()),
        CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", ["ok", ""]),
    ] {
        let err = client.embeddings().create(request).await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest { field, .. } if field.starts_with("input")),
            "{err:?}"
        );
    }
    assert_eq!(venice.calls("createEmbedding"), 0);
}

// -------------------------------------------------------------------- images

#[tokio::test]
async fn edits_take_a_url_base64_bytes_or_a_file() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let input = fixtures::png(40, 30);
    let dir = scratch("edit");
    let path = dir.join("in.png");
    std::fs::write(&path, &input).unwrap();
    let sources = [
        ImageSource::url("https://example.com/cat.png"),
        ImageSource::encode(&input),
        ImageSource::base64(format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&input)
        )),
        ImageSource::from(input.clone()),
        ImageSource::from(path.as_path()),
    ];
    for source in sources {
        let is_url = matches!(source, ImageSource::Url(_));
        let request = EditImageBody::new("make the sky a sunrise")
            .unwrap()
            .with_model("qwen-edit")
            .unwrap();
        let edited = client.images().edit(source, request).await.unwrap();
        assert_eq!(edited.meta().media_type(), Some("image/png"));
        assert_eq!(edited.meta().content.is_content_violation, Some(false));
        let size = fixtures::png_dimensions(&edited).unwrap();
        // The offline Venice answers at the input's size (a URL it cannot fetch: 64 × 64).
        assert_eq!(size, if is_url { (64, 64) } else { (40, 30) });
    }
    assert_eq!(venice.calls("editImage"), 5);

    let mut sink = Vec::new();
    let written = client
        .images()
        .edit_to(
            ImageSource::from(path.clone()),
            EditImageBody::new("blue").unwrap(),
            &mut sink,
        )
        .await
        .unwrap();
    assert_eq!(*written, sink.len() as u64);
    assert!(fixtures::png_dimensions(&sink).is_some());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_edit_goes_as_json_or_as_an_upload_with_the_other_fields() {
    let server = MockServer::start_async().await;
    let json_mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/image/edit")
                .header("accept", "image/*, application/json")
                .header("content-type", "application/json")
                .json_body(json!({"image": "https://example.com/a.png", "prompt": "blue", "safe_mode": false}));
            then.status(200).header("content-type", "image/webp").body("RIFF....WEBP");
        })
        .await;
    let form_mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/image/edit")
                .header_includes("content-type", "multipart/form-data; boundary=")
                .body_includes("name=\"image\"; filename=\"image.png\"")
                .body_includes("name=\"prompt\"\r\n\r\nblue\r\n")
                .body_includes("name=\"safe_mode\"\r\n\r\nfalse\r\n")
                .body_excludes("null");
            then.status(200)
                .header("content-type", "image/png")
                .body(fixtures::sample_png());
        })
        .await;
    let mut request = EditImageBody::new("blue").unwrap();
    request.safe_mode = Some(false);
    let webp = client(&server)
        .images()
        .edit(
            ImageSource::url("https://example.com/a.png"),
            request.clone(),
        )
        .await
        .unwrap();
    assert_eq!(webp.meta().media_type(), Some("image/webp"));
    json_mock.assert_async().await;
    client(&server)
        .images()
        .edit(fixtures::sample_png(), request.clone())
        .await
        .unwrap();
    form_mock.assert_async().await;

    // Rules of the spec are checked on uploads too, before anything is sent.
    let dir = scratch("edit-rules");
    let missing = client(&server)
        .images()
        .edit(dir.join("nope.png"), request.clone())
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::Io { .. }), "{missing:?}");
    let empty = client(&server)
        .images()
        .edit(ImageSource::url(" "), request)
        .await
        .unwrap_err();
    assert!(matches!(&empty, Error::InvalidRequest { field, .. } if field == "image"));
    assert!(matches!(
        EditImageBody::new(""),
        Err(Error::InvalidRequest { field, .. }) if field == "prompt"
    ));
    assert_eq!(
        json_mock.calls_async().await + form_mock.calls_async().await,
        2
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn multi_edits_send_all_text_or_all_files() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let base = fixtures::png(50, 20);
    let layer = fixtures::png(10, 10);
    let uploaded = client
        .images()
        .multi_edit(
            [base.clone(), layer.clone()],
            MultiEditImageBody::new("put the hat on the cat").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(fixtures::png_dimensions(&uploaded), Some((50, 20)));
    let as_json = client
        .images()
        .multi_edit(
            [
                ImageSource::encode(&base),
                ImageSource::url("https://example.com/hat.png"),
            ],
            MultiEditImageBody::new("put the hat on the cat").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(fixtures::png_dimensions(&as_json), Some((50, 20)));
    let mut sink = Vec::new();
    client
        .images()
        .multi_edit_to(
            [ImageSource::encode(&base)],
            MultiEditImageBody::new("x").unwrap(),
            &mut sink,
        )
        .await
        .unwrap();
    assert!(fixtures::png_dimensions(&sink).is_some());
    assert_eq!(venice.calls("multiEditImage"), 3);

    let mixed = client
        .images()
        .multi_edit(
            [
                ImageSource::from(base.clone()),
                ImageSource::url("https://example.com/hat.png"),
            ],
            MultiEditImageBody::new("x").unwrap(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&mixed, Error::InvalidRequest { field, .. } if field == "images"),
        "{mixed}"
    );
    // None is refused before sending; how many is too many depends on the model
    // (the spec no longer bounds it), so four reach the server, which refuses them.
    for count in [0, 4] {
        for files in [true, false] {
            let images: Vec<ImageSource> = (0..count)
                .map(|_| {
                    if files {
                        ImageSource::from(layer.clone())
                    } else {
                        ImageSource::encode(&layer)
                    }
                })
                .collect();
            let err = client
                .images()
                .multi_edit(images, MultiEditImageBody::new("x").unwrap())
                .await
                .unwrap_err();
            if count == 0 {
                assert!(
                    matches!(&err, Error::InvalidRequest { field, .. } if field == "images"),
                    "{count} files={files}: {err:?}"
                );
            } else {
                assert_eq!(
                    err.api().map(|e| e.kind),
                    Some(ApiErrorKind::BadRequest),
                    "{count} files={files}: {err:?}"
                );
            }
        }
    }
    assert_eq!(
        venice.calls("multiEditImage"),
        5,
        "both four-image edits reached it"
    );
}

#[tokio::test]
async fn multi_edit_uploads_repeat_the_images_field() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/image/multi-edit")
                .body_includes("name=\"images\"; filename=\"a.png\"")
                .body_includes("name=\"images\"; filename=\"b.png\"")
                .body_includes("name=\"modelId\"\r\n\r\nqwen-edit\r\n")
                .body_includes("name=\"prompt\"\r\n\r\ncombine\r\n");
            then.status(200)
                .header("content-type", "image/png")
                .body(fixtures::sample_png());
        })
        .await;
    let mut request = MultiEditImageBody::new("combine").unwrap();
    request.model_id = Some("qwen-edit".parse().unwrap());
    client(&server)
        .images()
        .multi_edit(
            [
                FileInput::named(fixtures::sample_png(), "a.png"),
                FileInput::named(fixtures::sample_png(), "b.png"),
            ],
            request,
        )
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn background_removal_from_a_url_base64_or_an_upload() {
    let venice = OfflineVenice::start().await;
    let offline = venice.client();
    let input = fixtures::png(32, 24);
    for source in [
        ImageSource::url("https://example.com/dog.jpg"),
        ImageSource::encode(&input),
        ImageSource::from(input.clone()),
    ] {
        let is_url = matches!(source, ImageSource::Url(_));
        let cut = offline.images().remove_background(source).await.unwrap();
        assert_eq!(cut.meta().media_type(), Some("image/png"));
        assert_eq!(
            fixtures::png_dimensions(&cut),
            Some(if is_url { (64, 64) } else { (32, 24) })
        );
        // Colour type 6: RGBA, the background transparent.
        assert_eq!(cut[25], 6);
    }
    let mut sink = Vec::new();
    let written = offline
        .images()
        .remove_background_to(input, &mut sink)
        .await
        .unwrap();
    assert_eq!(*written, sink.len() as u64);

    let server = MockServer::start_async().await;
    let by_url = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/image/background-remove")
                .json_body(json!({"image_url": "https://example.com/dog.jpg"}));
            then.status(200)
                .header("content-type", "image/png")
                .body(fixtures::sample_png());
        })
        .await;
    let by_data = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/image/background-remove")
                .json_body(json!({"image": "iVBORw0KGgo="}));
            then.status(200)
                .header("content-type", "image/png")
                .body(fixtures::sample_png());
        })
        .await;
    let c = client(&server);
    c.images()
        .remove_background(ImageSource::url("https://example.com/dog.jpg"))
        .await
        .unwrap();
    c.images()
        .remove_background(ImageSource::base64("iVBORw0KGgo="))
        .await
        .unwrap();
    by_url.assert_async().await;
    by_data.assert_async().await;
}

#[tokio::test]
async fn openai_compatible_generations_answer_base64_or_a_data_url() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let answer = client
        .images()
        .generations(SimpleGenerateImageRequest::new("a lighthouse at dusk").unwrap())
        .await
        .unwrap();
    assert!(answer.created > 0);
    assert_eq!(answer.images.len(), 1);
    assert!(fixtures::png_dimensions(&answer.images[0]).is_some());

    let mut request = SimpleGenerateImageRequest::new("a lighthouse at dusk").unwrap();
    request.response_format = Some(SimpleGenerateImageRequestResponseFormat::from("url"));
    request.model = serde_json::from_value(json!("dall-e-3")).unwrap();
    let from_url = client.images().generations(request).await.unwrap();
    assert_eq!(from_url.images, answer.images);

    assert!(matches!(
        SimpleGenerateImageRequest::new(""),
        Err(Error::InvalidRequest { field, .. }) if field == "prompt"
    ));
    let mut two = SimpleGenerateImageRequest::new("x").unwrap();
    two.n = serde_json::from_value(json!(2)).unwrap();
    let err = client.images().generations(two).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { field, .. } if field == "n"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_generations_item_that_is_not_base64_is_a_decode_error_naming_it() {
    let server = MockServer::start_async().await;
    for (item, says) in [
        (
            json!({"url": "https://cdn.example.com/a.png"}),
            "not a base64 data URL",
        ),
        (json!({"b64_json": "%%%"}), "not valid base64"),
        (json!({"revised_prompt": "x"}), "neither"),
    ] {
        server.reset_async().await;
        server
            .mock_async(|when, then| {
                when.method(POST).path("/images/generations");
                then.status(200)
                    .json_body(json!({"created": 1, "data": [{"b64_json": "iVBORw0KGgo="}, item]}));
            })
            .await;
        let err = client(&server)
            .images()
            .generations(SimpleGenerateImageRequest::new("x").unwrap())
            .await
            .unwrap_err();
        let Error::Decode(decode) = &err else {
            panic!("{err:?}")
        };
        assert!(decode.message.starts_with("data[1] "), "{err}");
        assert!(decode.message.contains(says), "{err}");
    }
}

// --------------------------------------------------------------------- audio

#[tokio::test]
async fn speech_is_audio_whose_media_type_names_the_format() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let mp3 = client
        .audio()
        .speech(CreateSpeechRequestSchema::new("Hello from Venice.").unwrap())
        .await
        .unwrap();
    assert_eq!(mp3.meta().media_type(), Some("audio/mpeg"));
    assert!(mp3.starts_with(b"ID3"));

    let mut request = CreateSpeechRequestSchema::new("Hello from Venice.")
        .unwrap()
        .with_voice("am_adam")
        .unwrap();
    request.response_format = Some(CreateSpeechRequestSchemaResponseFormat::from("wav"));
    let wav = client.audio().speech(request.clone()).await.unwrap();
    assert_eq!(wav.meta().media_type(), Some("audio/wav"));
    assert!(wav.starts_with(b"RIFF") && &wav[8..12] == b"WAVE");

    let mut sink = Vec::new();
    let written = client.audio().speech_to(request, &mut sink).await.unwrap();
    assert_eq!(*written, sink.len() as u64);
    assert_eq!(written.meta().media_type(), Some("audio/wav"));
    assert!(sink.starts_with(b"RIFF"));
}

#[tokio::test]
async fn an_unsupported_speech_format_is_the_apis_typed_400() {
    let venice = OfflineVenice::start().await;
    let mut request = CreateSpeechRequestSchema::new("Hello").unwrap();
    request.response_format = Some(CreateSpeechRequestSchemaResponseFormat::from("flac"));
    let err = venice.client().audio().speech(request).await.unwrap_err();
    let api = err.api().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(api.status, 400);
    assert_eq!(api.kind, ApiErrorKind::BadRequest);
    assert_eq!(api.operation, "createSpeech");
    assert_eq!(api.message, "Invalid request parameters");
    assert!(
        api.details.as_ref().unwrap()["response_format"].is_object(),
        "{api:?}"
    );
    assert!(!err.is_retryable());
    assert_eq!(venice.calls("createSpeech"), 1);
}

#[tokio::test]
async fn an_answer_that_is_not_audio_is_a_decode_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/audio/speech")
                .header("accept", "audio/*, application/json")
                .json_body(json!({"input": "hi", "model": "tts-kokoro"}));
            then.status(200)
                .header("content-type", "application/json")
                .body("{}");
        })
        .await;
    let mut request = CreateSpeechRequestSchema::new("hi").unwrap();
    request.model = Some(CreateSpeechRequestSchemaModel::from("tts-kokoro"));
    let err = client(&server).audio().speech(request).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("expected audio, got application/json"),
        "{err}"
    );
}

#[tokio::test]
async fn transcribing_the_offline_speech_gives_its_text_back() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let text = "The quick brown fox jumps over the lazy dog. Then it naps.";
    let mut speak = CreateSpeechRequestSchema::new(text).unwrap();
    speak.response_format = Some(CreateSpeechRequestSchemaResponseFormat::from("wav"));
    let audio = client.audio().speech(speak).await.unwrap().into_inner();

    let mut request = CreateTranscriptionRequestSchema::from_required();
    request.timestamps = true;
    let answer = client
        .audio()
        .transcribe(audio.clone(), request)
        .await
        .unwrap();
    let JsonOrText::Json(transcription) = answer.into_inner() else {
        panic!("expected JSON")
    };
    assert_eq!(transcription.text, text);
    assert!(transcription.duration.unwrap() > 0.5);
    let timestamps = transcription.timestamps.unwrap();
    assert_eq!(timestamps.word.len(), 12);
    assert_eq!(timestamps.word[0].text, "The");
    assert_eq!(timestamps.segment.len(), 2);
    assert!(timestamps.char.len() > 40);

    // From a file on disk, as text.
    let dir = scratch("transcribe");
    let path = dir.join("speech.wav");
    std::fs::write(&path, &audio).unwrap();
    let mut request = CreateTranscriptionRequestSchema::from_required();
    request.response_format = serde_json::from_value(json!("text")).unwrap();
    let answer = client
        .audio()
        .transcribe(path.as_path(), request)
        .await
        .unwrap();
    assert_eq!(answer.meta().media_type(), Some("text/plain"));
    assert_eq!(answer.into_inner(), JsonOrText::Text(text.to_owned()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_unknown_transcript_format_is_the_apis_typed_400() {
    let venice = OfflineVenice::start().await;
    let mut request = CreateTranscriptionRequestSchema::from_required();
    request.response_format = serde_json::from_value(json!("srt")).unwrap();
    let err = venice
        .client()
        .audio()
        .transcribe(FileInput::bytes(b"ID3\x04\0\0\0\0\0\0".to_vec()), request)
        .await
        .unwrap_err();
    let api = err.api().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(api.kind, ApiErrorKind::BadRequest);
    assert_eq!(api.operation, "createTranscription");
    let details = api.details.as_ref().unwrap();
    assert!(
        details["response_format"]["_errors"][0]
            .as_str()
            .unwrap()
            .contains("'srt'"),
        "{details}"
    );
}

#[tokio::test]
async fn a_transcription_upload_carries_the_file_and_the_fields() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/audio/transcriptions")
                .header("accept", "application/json, text/plain")
                .header_includes("content-type", "multipart/form-data; boundary=")
                .body_includes("name=\"file\"; filename=\"clip.mp3\"")
                .body_includes("Content-Type: audio/mpeg")
                .body_includes("name=\"model\"\r\n\r\nopenai/whisper-large-v3\r\n")
                .body_includes("name=\"language\"\r\n\r\nfr\r\n")
                .body_includes("name=\"timestamps\"\r\n\r\nfalse\r\n");
            then.status(200)
                .header("content-type", "application/json; charset=utf-8")
                .json_body(json!({"text": "Bonjour", "duration": 0.8}));
        })
        .await;
    let dir = scratch("upload");
    let path = dir.join("clip.mp3");
    std::fs::write(&path, b"ID3\x04\0\0\0\0\0\0audio").unwrap();
    let mut request = CreateTranscriptionRequestSchema::from_required();
    request.model = serde_json::from_value(json!("openai/whisper-large-v3")).unwrap();
    request.language = Some("fr".into());
    let answer = client(&server)
        .audio()
        .transcribe(path, request)
        .await
        .unwrap();
    mock.assert_async().await;
    let JsonOrText::Json(t) = answer.into_inner() else {
        panic!("expected JSON")
    };
    assert_eq!((t.text.as_str(), t.duration), ("Bonjour", Some(0.8)));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_cloned_voice_speaks_with_its_model_only() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let sample = client
        .audio()
        .speech(CreateSpeechRequestSchema::new("A sample of my voice.").unwrap())
        .await
        .unwrap()
        .into_inner();
    let voice = client
        .audio()
        .clone_voice(
            sample.clone(),
            CreateClonedVoiceRequestSchema::from_required(),
        )
        .await
        .unwrap();
    assert!(voice.id.starts_with("vv_"), "{voice:?}");
    assert_eq!(voice.model, "tts-chatterbox-hd");

    let mut request = CreateSpeechRequestSchema::new("Now in my voice.").unwrap();
    request.voice = Some(voice.voice().unwrap());
    request.model = Some(CreateSpeechRequestSchemaModel::from("tts-chatterbox-hd"));
    let spoken = client.audio().speech(request.clone()).await.unwrap();
    assert_eq!(spoken.meta().media_type(), Some("audio/mpeg"));

    request.model = Some(CreateSpeechRequestSchemaModel::from("tts-kokoro"));
    let err = client.audio().speech(request).await.unwrap_err();
    let api = err.api().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(api.kind, ApiErrorKind::BadRequest);
    assert!(api.message.contains("tts-chatterbox-hd"), "{api:?}");

    // MiniMax takes MP3 and WAV only.
    let mut minimax = CreateClonedVoiceRequestSchema::from_required();
    minimax.model = serde_json::from_value(json!("tts-minimax-speech-02-hd")).unwrap();
    let err = client
        .audio()
        .clone_voice(
            FileInput::named(b"fLaC\0\0\0\x22".to_vec(), "me.flac"),
            minimax,
        )
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err:?}");
    assert!(err.to_string().contains("flac"), "{err}");
}

#[tokio::test]
async fn a_voice_clone_upload_sends_file_and_model() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/audio/voices")
                .body_includes("name=\"file\"; filename=\"me.wav\"")
                .body_includes("name=\"model\"\r\n\r\ntts-chatterbox-hd\r\n");
            then.status(200).json_body(
                json!({"id": "vv_voice_abc123xyz", "model": "tts-chatterbox-hd", "new": 1}),
            );
        })
        .await;
    let voice = client(&server)
        .audio()
        .clone_voice(
            FileInput::named(b"RIFF\0\0\0\0WAVE".to_vec(), "me.wav"),
            CreateClonedVoiceRequestSchema::from_required(),
        )
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(voice.id, "vv_voice_abc123xyz");
    let empty = client(&server)
        .audio()
        .clone_voice(
            Vec::<u8>::new(),
            CreateClonedVoiceRequestSchema::from_required(),
        )
        .await
        .unwrap_err();
    assert!(matches!(&empty, Error::InvalidRequest { field, .. } if field == "file"));
}

// --------------------------------------------------------------------- video

#[tokio::test]
async fn video_transcripts_come_as_json_or_text() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ";
    let answer = client
        .video()
        .transcribe(CreateVideoTranscriptionRequestSchema::new(url))
        .await
        .unwrap();
    let JsonOrText::Json(json) = answer.into_inner() else {
        panic!("expected JSON")
    };
    assert!(json.transcript.contains(url));
    assert_eq!(json.lang.as_deref(), Some("en"));

    let mut request = CreateVideoTranscriptionRequestSchema::new(url);
    request.response_format = Some(CreateVideoTranscriptionRequestSchemaResponseFormat::from(
        "text",
    ));
    let answer = client.video().transcribe(request).await.unwrap();
    let JsonOrText::Text(text) = answer.into_inner() else {
        panic!("expected text")
    };
    assert!(text.contains(url));

    let err = client
        .video()
        .transcribe(CreateVideoTranscriptionRequestSchema::new("not a url"))
        .await
        .unwrap_err();
    assert_eq!(err.api().map(|e| e.kind), Some(ApiErrorKind::BadRequest));
}

/// Users spawn calls onto multi-threaded runtimes: every future must be `Send`.
#[allow(dead_code)]
fn every_media_call_is_send() {
    fn send<T: Send>(_: T) {}
    let c = Client::builder().build().unwrap();
    send(
        c.embeddings()
            .create(CreateEmbeddingRequestSchema::new("m", "x")),
    );
    send(
        c.images()
            .edit(Vec::<u8>::new(), EditImageBody::new("p").unwrap()),
    );
    send(
        c.images()
            .multi_edit([Vec::<u8>::new()], MultiEditImageBody::new("p").unwrap()),
    );
    send(c.images().remove_background(Vec::<u8>::new()));
    send(
        c.images()
            .generations(SimpleGenerateImageRequest::new("p").unwrap()),
    );
    send(
        c.audio()
            .speech(CreateSpeechRequestSchema::new("x").unwrap()),
    );
    send(c.audio().transcribe(
        Vec::<u8>::new(),
        CreateTranscriptionRequestSchema::from_required(),
    ));
    send(c.audio().clone_voice(
        Vec::<u8>::new(),
        CreateClonedVoiceRequestSchema::from_required(),
    ));
    send(
        c.video()
            .transcribe(CreateVideoTranscriptionRequestSchema::new("u")),
    );
}
