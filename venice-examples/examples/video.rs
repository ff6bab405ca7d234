//! Video generation end to end: quote a price, queue a job, follow its progress
//! on a live progress bar, save the MP4 as it arrives (with a bar of its own),
//! then delete it from Venice's storage.
//!
//! Runs against an offline Venice unless `VENICE_API_KEY` is set (no key, no
//! network needed):
//!
//! ```sh
//! cargo run --example video               # saves venice-video.mp4 in the temp directory
//! cargo run --example video -- out.mp4
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures::StreamExt as _;
use indicatif::{ProgressBar, ProgressStyle};
use venice_sdk::types::QueueVideoRequest;
use venice_sdk::{Client, Error, JobUpdate};

/// The model this example uses.
pub const MODEL: &str = "seedance-2-0-text-to-video";

/// Steps of the progress bar (a fraction of 1 is this many).
const STEPS: u64 = 1000;

/// A request type from the JSON Venice reads (it survives upstream reshaping
/// the type: a field turning optional, an enum turning into a string).
fn video_request<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> Result<T, Error> {
    serde_json::from_value(json).map_err(|e| Error::Config(format!("video request: {e}")))
}

/// Queues a 5-second video, shows its progress (polling every `poll`), saves
/// it to `out` and deletes it from Venice's storage; returns its size.
pub async fn run(client: &Client, out: &Path, poll: Duration) -> Result<u64, Error> {
    let quote = client
        .video()
        .quote(video_request(
            serde_json::json!({"duration": "5s", "model": MODEL}),
        )?)
        .await?;
    println!("a 5 s video with {MODEL} costs ${:.2}", quote.quote);

    let request: QueueVideoRequest = video_request(serde_json::json!({
        "model": MODEL,
        "prompt": "Gondolas gliding along the Grand Canal at sunrise",
        "duration": "5s",
    }))?;
    let job = client.video().generate(request).await?.poll_interval(poll);
    // The ticket is what to save to resume the job after a restart.
    println!("queued {} ({})", job.ticket().queue_id, job.ticket().model);

    let bar = ProgressBar::new(STEPS);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg:28} [{bar:40}] {percent:>3}%")
            .map_err(|e| Error::Config(format!("progress bar: {e}")))?
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    bar.set_message("queued");
    let mut updates = job.progress();
    let media = loop {
        match updates.next().await {
            Some(Ok(JobUpdate::Processing(progress))) => {
                let fraction = progress.fraction.unwrap_or(0.0);
                bar.set_position((fraction * STEPS as f64) as u64);
                bar.set_message(match progress.remaining() {
                    Some(left) => format!("rendering, ~{} s left", left.as_secs()),
                    None => format!("rendering ({} s)", progress.execution.as_secs()),
                });
            }
            Some(Ok(JobUpdate::Ready(media))) => break media,
            Some(Ok(_)) => {}
            Some(Err(error)) => {
                bar.abandon_with_message("failed");
                return Err(error);
            }
            None => {
                bar.abandon();
                return Err(Error::Config("the job ended without a video".into()));
            }
        }
    };
    bar.set_position(STEPS);
    bar.finish_with_message("done");

    // The download has a bar of its own, in bytes.
    let download = ProgressBar::new(media.content_length().unwrap_or(0));
    download.set_style(
        ProgressStyle::with_template("  {msg:26} [{bar:40}] {bytes}/{total_bytes}")
            .map_err(|e| Error::Config(format!("progress bar: {e}")))?
            .progress_chars("=> "),
    );
    download.set_message("downloading");
    let shown = download.clone();
    let mut media = media.on_progress(move |written, total| {
        if let Some(total) = total {
            shown.set_length(total);
        }
        shown.set_position(written);
    });
    let size = media.save(out).await?;
    download.finish_with_message("saved");
    println!(
        "saved {size} bytes of {} to {}",
        media.media_type().unwrap_or("video"),
        out.display()
    );
    job.complete().await?;
    println!("deleted from Venice's storage");
    Ok(size)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let venice = venice_testing::client_from_env_or_offline().await?;
    println!("Using {}\n", venice.describe());
    let out = std::env::args().nth(1).map_or_else(
        || std::env::temp_dir().join("venice-video.mp4"),
        PathBuf::from,
    );
    // Offline, a quick poll so the bar moves; the real API: Venice's advice.
    let poll = if venice.is_offline() {
        Duration::from_millis(300)
    } else {
        venice_sdk::defaults::DEFAULT_POLL_INTERVAL
    };
    run(&venice, &out, poll).await?;
    Ok(())
}
