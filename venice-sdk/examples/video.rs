//! Video generation: quote a price, queue a job, poll until the video is ready,
//! write it to an MP4 file as it arrives, then delete it from Venice's storage.
//!
//! ```sh
//! cargo run --example video -- out.mp4     # default: venice-video.mp4 in the temp directory
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use venice_sdk::types::{QueueVideoRequest, QueueVideoRequestDuration, QuoteVideoRequest};
use venice_sdk::{Client, Error, RetrieveOutcome};

/// The model this example uses.
pub const MODEL: &str = "seedance-2-0-text-to-video";

/// Queues a 5-second video and writes it to `out`, retrieving every `poll`.
pub async fn run(client: &Client, out: &Path, poll: Duration) -> Result<(), Error> {
    let duration: QueueVideoRequestDuration = QueueVideoRequestDuration::X5s;
    let quote = client
        .video()
        .quote(QuoteVideoRequest::from_required(
            "5s".parse()
                .map_err(|e| Error::Config(format!("duration: {e}")))?,
            MODEL.to_owned(),
        ))
        .await?;
    println!("a 5 s video with {MODEL} costs ${:.2}", quote.quote);

    let prompt = "Gondolas gliding along the Grand Canal at sunrise"
        .parse()
        .map_err(|e| Error::Config(format!("prompt: {e}")))?;
    let request = QueueVideoRequest::from_required(duration, MODEL.to_owned(), prompt);
    let queued = client.video().queue(request).await?;
    println!("queued {} ({})", queued.queue_id, queued.model);

    let io = |source| Error::Io {
        path: out.to_owned(),
        source,
    };
    let mut file = tokio::fs::File::create(out).await.map_err(io)?;
    loop {
        let answer = client
            .video()
            .retrieve_to(queued.retrieve_request(), &mut file)
            .await?;
        match answer.into_inner() {
            RetrieveOutcome::Processing(status) => {
                println!(
                    "  processing: {:.0} s of about {:.0} s",
                    status.execution_duration / 1000.0,
                    status.average_execution_time / 1000.0
                );
                tokio::time::sleep(poll).await;
            }
            RetrieveOutcome::Media { data, media_type } => {
                println!("wrote {data} bytes of {media_type} to {}", out.display());
                break;
            }
            RetrieveOutcome::Completed(_) => {
                println!(
                    "done; download it from {}",
                    queued.download_url.as_deref().unwrap_or("(no URL given)")
                );
                break;
            }
            other => {
                println!("stopped: {other:?}");
                break;
            }
        }
    }
    let cleaned = client.video().complete(queued.complete_request()).await?;
    println!("deleted from Venice's storage: {}", cleaned.success);
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let venice = venice_testing::client_from_env_or_offline().await?;
    println!("Using {}\n", venice.describe());
    let out = std::env::args().nth(1).map_or_else(
        || std::env::temp_dir().join("venice-video.mp4"),
        PathBuf::from,
    );
    let poll = if venice.is_offline() {
        Duration::from_millis(100)
    } else {
        Duration::from_secs(10)
    };
    run(&venice, &out, poll).await?;
    Ok(())
}
