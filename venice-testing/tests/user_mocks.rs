//! A user's tests: each operation mocked with the typed helpers, then called
//! through the SDK. Public APIs only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::json;
use venice_sdk::types::{self, ChatCompletionRequest, GenerateImageRequest};
use venice_sdk::{ApiErrorKind, Client, ImageInput, Message, operations};
use venice_testing::httpmock::{Method, MockServer};
use venice_testing::{VeniceMocks, fixtures};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key("vk-user-test")
        .base_url(server.base_url())
        .build()
        .unwrap()
}

fn chat() -> ChatCompletionRequest {
    ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Hi")])
}

#[tokio::test]
async fn chat_completion_and_stream_mocks_coexist() {
    let server = MockServer::start_async().await;
    let stream_mock = server.mock_chat_stream(&fixtures::chat_chunks(
        "qwen3-4b",
        "Short greeting.",
        "Hello there!",
    ));
    let create_mock =
        server.mock_chat_completion(&fixtures::chat_completion("llama-3.3-70b", "Hi back"));
    let c = client(&server);

    let answer = c.chat().create(chat()).await.unwrap();
    assert_eq!(answer.text().as_deref(), Some("Hi back"));
    assert_eq!(
        answer.meta().request_id.as_deref(),
        Some(fixtures::MOCK_REQUEST_ID)
    );
    assert_eq!(answer.meta().rate_limits.requests.remaining, Some(499));
    assert_eq!(answer.meta().balances.usd, Some(25.0));

    let mut stream = c.chat().stream(chat()).await.unwrap();
    let mut text = String::new();
    while let Some(chunk) = stream.next().await {
        text.push_str(chunk.unwrap().delta_text());
    }
    assert_eq!(text, "Hello there!");
    let done = c
        .chat()
        .stream(chat())
        .await
        .unwrap()
        .collect_completion()
        .await
        .unwrap();
    assert_eq!(done.reasoning(), Some("Short greeting."));
    assert_eq!(done.choices[0].finish_reason, "stop");

    create_mock.assert_calls(1);
    stream_mock.assert_calls(2);
}

#[tokio::test]
async fn image_mocks() {
    let server = MockServer::start_async().await;
    let png = fixtures::png(12, 12);
    let bytes_mock = server.mock_image_bytes(&png);
    let mut generated: types::GenerateImageResponse =
        fixtures::example(&operations::GENERATE_IMAGE).unwrap();
    generated.images = vec![base64_of(&png)];
    let json_mock = server.mock_image_generate(&generated);
    let upscale_mock = server.mock_upscale(&fixtures::png(24, 24));
    let styles_mock =
        server.mock_image_styles(&fixtures::example(&operations::LIST_IMAGE_STYLES).unwrap());
    let c = client(&server);

    let request = GenerateImageRequest::new("flux-dev", "a cat").unwrap();
    let got = c.images().generate_bytes(request.clone()).await.unwrap();
    assert_eq!(&got[..], &png[..]);
    let got = c.images().generate(request).await.unwrap();
    assert_eq!(&got.images[0][..], &png[..]);
    let up = c
        .images()
        .upscale(ImageInput::bytes(png.clone()), 2.0)
        .await
        .unwrap();
    assert_eq!(fixtures::png_dimensions(&up), Some((24, 24)));
    let styles = c.images().styles().await.unwrap();
    assert!(styles.data.contains(&"Anime".to_owned()));

    for mock in [bytes_mock, json_mock, upscale_mock, styles_mock] {
        mock.assert_calls(1);
    }
}

/// Standard base64, so this test needs no base64 dependency.
fn base64_of(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[tokio::test]
async fn model_mocks() {
    let server = MockServer::start_async().await;
    let models: types::ListModelsResponse = fixtures::example(&operations::LIST_MODELS).unwrap();
    let traits: types::ListModelTraitsResponse =
        fixtures::example(&operations::LIST_MODEL_TRAITS).unwrap();
    let mapping: types::ListModelCompatibilityMappingResponse =
        fixtures::example(&operations::LIST_MODEL_COMPATIBILITY_MAPPING).unwrap();
    let m1 = server.mock_models(&models);
    let m2 = server.mock_model_traits(&traits);
    let m3 = server.mock_model_compatibility_mapping(&mapping);
    let c = client(&server);
    assert_eq!(c.models().list(None).await.unwrap().data, models.data);
    assert_eq!(c.models().traits(None).await.unwrap().data, traits.data);
    assert_eq!(
        c.models()
            .compatibility_mapping(None)
            .await
            .unwrap()
            .data
            .get("gpt-4o"),
        mapping.data.get("gpt-4o")
    );
    assert!(mapping.data.contains_key("gpt-4o"));
    for mock in [m1, m2, m3] {
        mock.assert_calls(1);
    }
}

#[tokio::test]
async fn api_key_and_character_mocks() {
    let server = MockServer::start_async().await;
    let mut created: types::CreateApiKeyResponse =
        fixtures::example(&operations::CREATE_API_KEY).unwrap();
    created.data.api_key = venice_sdk::Secret::new("vk-created-in-a-mock");
    let mocks = [
        server.mock_api_keys(&fixtures::example(&operations::GET_API_KEYS).unwrap()),
        server.mock_create_api_key(&created),
        server.mock_delete_api_key(
            &serde_json::from_value::<types::DeleteApiKeyResponse>(json!({"success": true}))
                .unwrap(),
        ),
        server.mock_rate_limits(&fixtures::example(&operations::GET_API_KEY_RATE_LIMITS).unwrap()),
        server.mock_web3_token(
            &fixtures::example(&operations::GET_API_KEY_GENERATE_WEB3_KEY).unwrap(),
        ),
        server.mock_create_web3_key(
            &fixtures::example(&operations::POST_API_KEY_GENERATE_WEB3_KEY).unwrap(),
        ),
        server.mock_characters(&fixtures::example(&operations::LIST_CHARACTERS).unwrap()),
    ];
    let c = client(&server);
    assert_eq!(
        c.api_keys().list().await.unwrap().data[0].last6_chars,
        "2V2jNW"
    );
    let body: types::CreateApiKeyBody =
        serde_json::from_value(json!({"apiKeyType": "INFERENCE", "description": "d"})).unwrap();
    let key = c.api_keys().create(body).await.unwrap();
    assert_eq!(key.data.api_key.expose(), "vk-created-in-a-mock");
    assert!(c.api_keys().delete("k1").await.unwrap().success);
    assert!(
        c.api_keys()
            .rate_limits()
            .await
            .unwrap()
            .data
            .access_permitted
    );
    assert!(
        c.api_keys()
            .web3_token()
            .await
            .unwrap()
            .data
            .token
            .starts_with("eyJ")
    );
    let body: types::PostApiKeyGenerateWeb3KeyBody = serde_json::from_value(json!({
        "address": "0x1", "signature": "0x2", "token": "t", "apiKeyType": "INFERENCE"
    }))
    .unwrap();
    c.api_keys().create_web3_key(body).await.unwrap();
    assert_eq!(
        c.characters().list().await.unwrap().data[0].slug,
        "alan-watts"
    );
    for mock in mocks {
        mock.assert_calls(1);
    }
}

#[tokio::test]
async fn error_mocks_become_api_errors() {
    let server = MockServer::start_async().await;
    let mock = server.mock_error(
        Method::POST,
        "/chat/completions",
        402,
        "Insufficient USD or VCU balance to complete request",
    );
    let err = client(&server).chat().create(chat()).await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.kind, ApiErrorKind::InsufficientBalance);
    assert_eq!(
        api.message,
        "Insufficient USD or VCU balance to complete request"
    );
    assert_eq!(err.request_id(), Some(fixtures::MOCK_REQUEST_ID));
    mock.assert_calls(1);
}

#[tokio::test]
async fn retryable_error_mocks_are_retried_unless_retries_are_off() {
    let server = MockServer::start_async().await;
    let mock = server.mock_error(
        Method::POST,
        "/chat/completions",
        503,
        "The model is at capacity. Please try again later.",
    );
    let err = server
        .venice_client()
        .unwrap()
        .chat()
        .create(chat())
        .await
        .unwrap_err();
    assert_eq!(err.api().unwrap().kind, ApiErrorKind::ModelOverloaded);
    mock.assert_calls(1);

    let patient = Client::builder()
        .base_url(server.base_url())
        .api_key("k")
        .max_retries(1)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(1))
        .build()
        .unwrap();
    patient.chat().create(chat()).await.unwrap_err();
    mock.assert_calls(3);
}

#[tokio::test]
async fn mock_operation_presets_route_and_headers() {
    let server = MockServer::start_async().await;
    let mock = server.mock_operation(&operations::LIST_MODELS, |when, then| {
        when.query_param("type", "image");
        then.json_body(json!({"object": "list", "type": "image", "data": []}));
    });
    let models = client(&server).models().list("image").await.unwrap();
    assert!(models.data.is_empty());
    assert_eq!(models.meta().rate_limits.tokens.remaining, Some(999_000));
    mock.assert_calls(1);
}

#[test]
fn every_operation_can_be_mocked_by_id_and_the_client_helper_works() {
    let server = MockServer::start();
    for op in operations::ALL {
        server.mock_operation(op, |_, then| {
            then.body("{}");
        });
    }
    let client = server.venice_client().unwrap();
    assert_eq!(client.base_url(), server.base_url());
}

#[tokio::test]
async fn media_mocks_answer_the_sdk_end_to_end() {
    use venice_sdk::JsonOrText;
    use venice_sdk::{
        ClonedVoice, Embedding, EmbeddingList, ImageSource, OpenAiImages, TimedText, Timestamps,
        Transcription,
    };

    let server = MockServer::start_async().await;
    let mp3 = b"ID3\x04\0\0\0\0\0\0mocked speech".to_vec();
    let speech_mock = server.mock_speech(&mp3, "audio/mpeg");
    let vectors = EmbeddingList {
        model: "text-embedding-bge-m3".to_owned(),
        data: vec![
            Embedding {
                index: 0,
                vector: vec![0.25, -1.5, 3.0e-7],
            },
            Embedding {
                index: 1,
                vector: vec![1.0, 0.0, -0.125],
            },
        ],
        usage: Some(
            venice_sdk::from_json::<types::CreateEmbeddingResponseUsage>(
                br#"{"prompt_tokens": 4, "total_tokens": 4}"#,
            )
            .unwrap(),
        ),
    };
    let embeddings_mock = server.mock_embeddings(&vectors);
    let edited = fixtures::png(8, 6);
    let edit_mock = server.mock_image_edit(&edited, "image/png");
    let webp = b"RIFF\x1a\0\0\0WEBPVP8L mocked".to_vec();
    let multi_mock = server.mock_image_multi_edit(&webp, "image/webp");
    let cutout = fixtures::png(5, 5);
    let background_mock = server.mock_background_remove(&cutout);
    let generated = OpenAiImages {
        created: 1_700_000_000,
        images: vec![fixtures::png(3, 4).into()],
    };
    let generations_mock = server.mock_image_generations(&generated);
    // The text variant first or last: the request's response_format picks.
    let text_mock = server.mock_transcription_text("Hello, plainly.");
    let transcript = Transcription {
        text: "Hello there".to_owned(),
        duration: Some(1.5),
        timestamps: Some(Timestamps {
            word: vec![TimedText {
                text: "Hello".to_owned(),
                start: 0.0,
                end: 0.6,
            }],
            segment: vec![TimedText {
                text: "Hello there".to_owned(),
                start: 0.0,
                end: 1.5,
            }],
            char: vec![TimedText {
                text: "H".to_owned(),
                start: 0.0,
                end: 0.1,
            }],
        }),
    };
    let json_mock = server.mock_transcription(&transcript);
    let voice = ClonedVoice {
        id: "vv_mocked-1".to_owned(),
        model: "tts-chatterbox-hd".to_owned(),
    };
    let voice_mock = server.mock_clone_voice(&voice);
    let video_text_mock = server.mock_video_transcription_text("Video, plainly.");
    let video_json_mock = server.mock_video_transcription(
        &venice_sdk::from_json::<types::CreateVideoTranscriptionResponse>(
            br#"{"transcript": "Ciao a tutti", "lang": "it"}"#,
        )
        .unwrap(),
    );
    let c = server.venice_client().unwrap();

    let spoken = c
        .audio()
        .speech(types::CreateSpeechRequestSchema::new("Hello from Venice.").unwrap())
        .await
        .unwrap();
    assert_eq!(spoken.meta().media_type(), Some("audio/mpeg"));
    assert_eq!(&spoken[..], &mp3[..]);
    assert!(spoken.starts_with(b"ID3"));

    let got = c
        .embeddings()
        .create(types::CreateEmbeddingRequestSchema::new(
            "text-embedding-bge-m3",
            ["first", "second"],
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got, vectors, "the f32s survive the JSON round trip exactly");
    assert_eq!(got.usage.unwrap().total_tokens as f64, 4.0);

    let image = c
        .images()
        .edit(
            ImageSource::url("https://example.com/in.png"),
            types::EditImageBody::new("make the sky a sunrise").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(image.meta().media_type(), Some("image/png"));
    assert_eq!(image.meta().content.is_content_violation, Some(false));
    assert_eq!(fixtures::png_dimensions(&image), Some((8, 6)));

    let layered = c
        .images()
        .multi_edit(
            [
                ImageSource::url("https://example.com/base.png"),
                ImageSource::url("https://example.com/layer.png"),
            ],
            types::MultiEditImageBody::new("put the layer on the base").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(layered.meta().media_type(), Some("image/webp"));
    assert_eq!(&layered[..], &webp[..]);

    let removed = c
        .images()
        .remove_background(fixtures::png(5, 5))
        .await
        .unwrap();
    assert_eq!(&removed[..], &cutout[..]);

    let images = c
        .images()
        .generations(types::SimpleGenerateImageRequest::new("a lighthouse").unwrap())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(images, generated);

    let json = c
        .audio()
        .transcribe(
            mp3.clone(),
            types::CreateTranscriptionRequestSchema::from_required(),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(json, JsonOrText::Json(transcript));
    let mut as_text = types::CreateTranscriptionRequestSchema::from_required();
    as_text.response_format = serde_json::from_value(json!("text")).unwrap();
    let text = c
        .audio()
        .transcribe(mp3.clone(), as_text)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(text, JsonOrText::Text("Hello, plainly.".to_owned()));

    let cloned = c
        .audio()
        .clone_voice(mp3, types::CreateClonedVoiceRequestSchema::from_required())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(cloned, voice);
    assert!(cloned.voice().is_ok());

    let url = "https://www.youtube.com/watch?v=mocked";
    let video = c
        .video()
        .transcribe(types::CreateVideoTranscriptionRequestSchema::new(url))
        .await
        .unwrap()
        .into_inner();
    let JsonOrText::Json(video) = video else {
        panic!("expected JSON, got {video:?}")
    };
    assert_eq!(
        (video.transcript.as_str(), video.lang.as_deref()),
        ("Ciao a tutti", Some("it"))
    );
    let mut as_text = types::CreateVideoTranscriptionRequestSchema::new(url);
    as_text.response_format = Some("text".parse().unwrap());
    let video = c.video().transcribe(as_text).await.unwrap().into_inner();
    assert_eq!(video, JsonOrText::Text("Video, plainly.".to_owned()));

    for mock in [
        speech_mock,
        embeddings_mock,
        edit_mock,
        multi_mock,
        background_mock,
        generations_mock,
        text_mock,
        json_mock,
        voice_mock,
        video_text_mock,
        video_json_mock,
    ] {
        mock.assert_calls(1);
    }
}
