//! Every example, run against one offline Venice: each example's logic is its
//! `run` function, included here as a module (its `main` goes unused).
//! `private_chat` needs the `tee` feature, which this package leaves off: it
//! runs in the workspace's `tests` package (`tests/tests/private_chat_example.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use venice_testing::{OfflineVenice, fixtures};

#[allow(dead_code)]
#[path = "../examples/quickstart.rs"]
mod quickstart;

#[allow(dead_code)]
#[path = "../examples/chat.rs"]
mod chat;

#[allow(dead_code)]
#[path = "../examples/streaming.rs"]
mod streaming;

#[allow(dead_code)]
#[path = "../examples/tool_calls.rs"]
mod tool_calls;

#[allow(dead_code)]
#[path = "../examples/web_search.rs"]
mod web_search;

#[allow(dead_code)]
#[path = "../examples/structured.rs"]
mod structured;

#[allow(dead_code)]
#[path = "../examples/tool_runner.rs"]
mod tool_runner;

#[allow(dead_code)]
#[path = "../examples/images.rs"]
mod images;

#[allow(dead_code)]
#[path = "../examples/upscale.rs"]
mod upscale;

#[allow(dead_code)]
#[path = "../examples/models.rs"]
mod models;

#[allow(dead_code)]
#[path = "../examples/api_keys.rs"]
mod api_keys;

#[allow(dead_code)]
#[path = "../examples/errors.rs"]
mod errors;

#[allow(dead_code)]
#[path = "../examples/custom_http.rs"]
mod custom_http;

#[allow(dead_code)]
#[path = "../examples/video.rs"]
mod video;

#[allow(dead_code)]
#[path = "../examples/responses.rs"]
mod responses;

#[allow(dead_code)]
#[path = "../examples/augment.rs"]
mod augment;

#[allow(dead_code)]
#[path = "../examples/billing.rs"]
mod billing;

#[allow(dead_code)]
#[path = "../examples/crypto.rs"]
mod crypto;

#[allow(dead_code)]
#[path = "../examples/x402.rs"]
mod x402;

#[allow(dead_code)]
#[path = "../examples/embeddings.rs"]
mod embeddings;

#[allow(dead_code)]
#[path = "../examples/audio.rs"]
mod audio;

#[allow(dead_code)]
#[path = "../examples/usage_history.rs"]
mod usage_history;

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("venice-sdk-examples-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn quickstart_writes_a_png() {
    let venice = OfflineVenice::start().await;
    let dir = scratch("quickstart");
    let out = dir.join("quickstart.png");
    quickstart::run(&venice.client(), &out).await.unwrap();
    let png = std::fs::read(&out).unwrap();
    assert!(fixtures::png_dimensions(&png).is_some());
    assert_eq!(
        venice.calls("createChatCompletion"),
        2,
        "one answer, one stream"
    );
    assert_eq!(venice.calls("generateImage"), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn chat_holds_a_conversation() {
    let venice = OfflineVenice::start().await;
    let last = chat::run(&venice.client()).await.unwrap();
    assert!(last.contains("Sunsets are red"), "{last}");
}

#[tokio::test]
async fn streaming_folds_reasoning_and_text() {
    let venice = OfflineVenice::start().await;
    let out = streaming::run(&venice.client()).await.unwrap();
    assert!(out.text.contains("Rayleigh scattering"));
    assert!(
        !out.reasoning.is_empty(),
        "the default reasoning model thinks"
    );
    assert_eq!(out.finish_reason.as_deref(), Some("stop"));
    assert!(out.total_tokens.unwrap() > 0.0);
    assert_eq!(venice.calls("createChatCompletion"), 3);
}

#[tokio::test]
async fn tool_calls_are_answered() {
    let venice = OfflineVenice::start().await;
    let answer = tool_calls::run(&venice.client()).await.unwrap();
    assert!(
        answer.contains("7°C") && answer.contains("Oslo"),
        "{answer}"
    );
    assert_eq!(venice.calls("createChatCompletion"), 2);
}

#[tokio::test]
async fn structured_output_reads_a_recipe() {
    let venice = OfflineVenice::start().await;
    let recipe = structured::run(&venice.client()).await.unwrap();
    assert!(!recipe.title.is_empty() && !recipe.ingredients.is_empty());
    assert!(recipe.minutes >= 1);
}

#[tokio::test]
async fn the_tool_runner_answers_from_both_tools() {
    let venice = OfflineVenice::start().await;
    let answer = tool_runner::run(&venice.client()).await.unwrap();
    assert!(
        answer.contains("overcast in Oslo") && answer.contains("14:05"),
        "{answer}"
    );
    assert_eq!(venice.calls("createChatCompletion"), 3);
}

#[tokio::test]
async fn web_search_lists_citations() {
    let venice = OfflineVenice::start().await;
    assert_eq!(web_search::run(&venice.client()).await.unwrap(), 2);
}

#[tokio::test]
async fn images_are_saved() {
    let venice = OfflineVenice::start().await;
    let dir = scratch("images");
    let files = images::run(&venice.client(), &dir).await.unwrap();
    assert_eq!(files.len(), 2);
    for file in files {
        assert!(fixtures::png_dimensions(&std::fs::read(&file).unwrap()).is_some());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn upscale_doubles_a_file() {
    let venice = OfflineVenice::start().await;
    let dir = scratch("upscale");
    let input = dir.join("in.png");
    std::fs::write(&input, fixtures::png(20, 10)).unwrap();
    let output = dir.join("out.png");
    let size = upscale::run(&venice.client(), &input, &output)
        .await
        .unwrap();
    assert_eq!(size, Some((40, 20)));
    assert_eq!(
        fixtures::png_dimensions(&std::fs::read(&output).unwrap()),
        Some((40, 20))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn models_are_listed() {
    let venice = OfflineVenice::start().await;
    assert!(models::run(&venice.client()).await.unwrap() > 5);
}

#[tokio::test]
async fn api_keys_are_created_and_deleted() {
    let venice = OfflineVenice::start().await;
    assert!(api_keys::run(&venice.client()).await.unwrap());
    assert_eq!(venice.calls("createApiKey"), 1);
    assert_eq!(venice.calls("deleteApiKey"), 1);
}

#[tokio::test]
async fn every_error_kind_is_shown() {
    let venice = OfflineVenice::start().await;
    assert_eq!(errors::run(&venice.client()).await.unwrap(), 7);
}

#[tokio::test]
async fn a_custom_http_client_works() {
    let venice = OfflineVenice::start().await;
    custom_http::run(venice.client_builder()).await.unwrap();
    assert_eq!(venice.calls("listModels"), 1);
    assert_eq!(venice.calls("listImageStyles"), 1);
}

#[tokio::test]
async fn video_is_polled_and_written_to_an_mp4() {
    let venice = OfflineVenice::start().await;
    let dir = scratch("video");
    let out = dir.join("out.mp4");
    let size = video::run(&venice.client(), &out, std::time::Duration::from_millis(1))
        .await
        .unwrap();
    let mp4 = std::fs::read(&out).unwrap();
    assert_eq!(&mp4[4..8], b"ftyp");
    assert_eq!(size, mp4.len() as u64);
    assert_eq!(venice.calls("quoteVideo"), 1);
    assert_eq!(
        venice.calls("retrieveVideo"),
        3,
        "two PROCESSING, then the video"
    );
    assert_eq!(venice.calls("completeVideo"), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn responses_answer() {
    let venice = OfflineVenice::start().await;
    let streamed = responses::run(&venice.client()).await.unwrap();
    assert!(streamed.contains("Rayleigh scattering"), "{streamed}");
    assert_eq!(venice.calls("createResponse"), 2);
}

#[tokio::test]
async fn augment_searches_scrapes_and_parses() {
    let venice = OfflineVenice::start().await;
    let dir = scratch("augment");
    let doc = dir.join("notes.txt");
    std::fs::write(&doc, "Venice is built on 118 small islands.\n").unwrap();
    augment::run(&venice.client(), &doc).await.unwrap();
    assert_eq!(venice.calls("webSearch"), 1);
    assert_eq!(venice.calls("webScrape"), 1);
    assert_eq!(venice.calls("createTextParser"), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn billing_shows_balance_and_usage() {
    let venice = OfflineVenice::start().await;
    assert!(billing::run(&venice.client()).await.unwrap() > 0.0);
    assert_eq!(venice.calls("getBillingBalance"), 1);
    assert_eq!(venice.calls("getBillingUsageAnalytics"), 1);
}

#[tokio::test]
async fn usage_history_streams_a_month_and_exports_it_as_csv() {
    let venice = OfflineVenice::start().await;
    let dir = scratch("usage_history");
    let out = dir.join("usage.csv");
    let summary = usage_history::run(&venice.client(), &out).await.unwrap();
    assert_eq!(summary.entries, 57, "the offline history, all in June 2026");
    assert_eq!(summary.by_currency.len(), 3);
    assert!(
        summary.by_currency.values().all(|v| *v < 0.0),
        "{summary:?}"
    );
    let csv = std::fs::read_to_string(&out).unwrap();
    assert_eq!(summary.csv_bytes, csv.len() as u64);
    assert_eq!(summary.csv_pages, 1);
    assert_eq!(csv.lines().count(), 58, "a header and 57 rows");
    assert_eq!(
        venice.calls("getBillingUsageHistory"),
        2,
        "one page of 100 for the stream, one of 1000 for the CSV"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn crypto_asks_base_for_its_chain_id() {
    let venice = OfflineVenice::start().await;
    let chain = crypto::run(&venice.client()).await.unwrap();
    assert_eq!(chain.as_deref(), Some("0x2105"));
    assert_eq!(venice.idempotency_keys().len(), 2);
}

#[tokio::test]
async fn x402_tops_up_a_wallet() {
    let venice = OfflineVenice::start().await;
    let client = venice
        .client_builder()
        .sign_in_with_x(OfflineVenice::wallet_token(x402::OFFLINE_WALLET))
        .build()
        .unwrap();
    let payment = OfflineVenice::payment_signature(x402::OFFLINE_WALLET, 10.0);
    let balance = x402::run(&client, Some(x402::OFFLINE_WALLET), Some(payment))
        .await
        .unwrap();
    assert_eq!(balance, Some(10.0));
    // Without a wallet, only the requirements.
    assert_eq!(x402::run(&venice.client(), None, None).await.unwrap(), None);
    assert_eq!(venice.calls("topUpX402Balance"), 3);
}

#[tokio::test]
async fn embeddings_rank_the_closest_document_first() {
    let venice = OfflineVenice::start().await;
    let ranked = embeddings::run(&venice.client(), "the cat sat on a mat")
        .await
        .unwrap();
    assert_eq!(ranked.len(), embeddings::DOCUMENTS.len());
    assert_eq!(ranked[0].0, "The cat sat on the mat by the window");
    assert!(ranked[0].1 > 0.5, "{ranked:?}");
    assert!(ranked.windows(2).all(|w| w[0].1 >= w[1].1), "{ranked:?}");
    assert!(ranked[1].1 < ranked[0].1 - 0.2, "{ranked:?}");
    assert_eq!(venice.calls("createEmbedding"), 1, "one request for all");
}

#[tokio::test]
async fn audio_speaks_transcribes_and_clones() {
    let venice = OfflineVenice::start().await;
    let dir = scratch("audio");
    let spoken = audio::run(&venice.client(), &dir).await.unwrap();
    let mp3 = std::fs::read(&spoken.mp3).unwrap();
    assert!(mp3.starts_with(b"ID3"), "{:?}", &mp3[..mp3.len().min(8)]);
    assert!(mp3.len() > 1_000, "{} bytes", mp3.len());
    assert_eq!(spoken.transcript, audio::TEXT);
    assert!(spoken.voice.starts_with("vv_"), "{}", spoken.voice);
    let cloned = std::fs::read(&spoken.cloned_mp3).unwrap();
    assert!(cloned.starts_with(b"ID3"));
    assert_ne!(cloned, mp3, "another text, another recording");
    assert_eq!(venice.calls("createSpeech"), 2);
    assert_eq!(venice.calls("createTranscription"), 1);
    assert_eq!(venice.calls("createClonedVoice"), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The quickstart binary itself, as `cargo run --example quickstart` runs it
/// without `VENICE_API_KEY`. `cargo test` builds the examples next to the test
/// binaries; when they are not built, or stale (`cargo test --test examples`
/// does not build them), this checks nothing, and says so.
#[test]
fn the_quickstart_binary_runs_offline() {
    let exe = std::env::current_exe().unwrap();
    let Some(examples_dir) = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|d| d.join("examples"))
    else {
        return;
    };
    let binary = examples_dir.join(format!("quickstart{}", std::env::consts::EXE_SUFFIX));
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart.rs");
    let modified = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(&binary), modified(&source)) {
        (Some(built), Some(edited)) if built >= edited => {}
        _ => {
            eprintln!(
                "{} is not built or older than its source; skipped",
                binary.display()
            );
            return;
        }
    }
    let dir = scratch("quickstart-binary");
    let out = dir.join("q.png");
    let output = std::process::Command::new(&binary)
        .arg("--out")
        .arg(&out)
        .env_remove("VENICE_API_KEY")
        .env_remove("VENICE_BASE_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("Using the offline Venice at http://127.0.0.1:"),
        "{stdout}"
    );
    assert!(stdout.contains("Rayleigh scattering"), "{stdout}");
    assert!(
        stdout.contains(&format!("to {}", out.display())),
        "{stdout}"
    );
    assert!(stdout.contains("balances:    USD 24."), "{stdout}");
    assert!(fixtures::png_dimensions(&std::fs::read(&out).unwrap()).is_some());
    std::fs::remove_dir_all(&dir).unwrap();
}
