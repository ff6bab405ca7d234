//! Video generation end to end: quote a price, queue a job, follow its progress
//! on a live progress line, save the MP4 as it arrives (with a line of its own),
//! then delete it from Venice's storage. The progress lines are drawn by hand
//! (`draw` below, on stderr) to keep the examples' dependencies few; a progress
//! bar crate takes the same numbers.
//!
//! Runs against an offline Venice unless `VENICE_API_KEY` is set (no key, no
//! network needed):
//!
//! ```sh
//! cargo run --example video               # saves venice-video.mp4 in the temp directory
//! cargo run --example video -- out.mp4
//! ```

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures::StreamExt as _;
use venice_sdk::types::QueueVideoRequest;
use venice_sdk::{Client, Error, JobUpdate};

/// The model this example uses.
pub const MODEL: &str = "seedance-2-0-text-to-video";

/// Width of the progress bar, in characters.
const WIDTH: usize = 40;

/// Redraws the progress line: `label [=====>      ]  42%` (no newline).
fn draw(label: &str, fraction: f64) {
    let fraction = fraction.clamp(0.0, 1.0);
    // In 0..=WIDTH: the clamp bounds it.
    let done = (fraction * WIDTH as f64).round() as usize;
    let bar = format!("{}{}", "=".repeat(done), " ".repeat(WIDTH - done));
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r{label:30} [{bar}] {:>3.0}%", fraction * 100.0);
    let _ = err.flush();
}

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

    draw("queued", 0.0);
    let mut updates = job.progress();
    let media = loop {
        match updates.next().await {
            Some(Ok(JobUpdate::Processing(progress))) => {
                let label = match progress.remaining() {
                    Some(left) => format!("rendering, ~{} s left", left.as_secs()),
                    None => format!("rendering ({} s)", progress.execution.as_secs()),
                };
                draw(&label, progress.fraction.unwrap_or(0.0));
            }
            Some(Ok(JobUpdate::Ready(media))) => break media,
            Some(Ok(_)) => {}
            Some(Err(error)) => {
                eprintln!(" failed");
                return Err(error);
            }
            None => {
                eprintln!();
                return Err(Error::Config("the job ended without a video".into()));
            }
        }
    };
    draw("rendered", 1.0);
    eprintln!();

    // The download has a line of its own, in bytes.
    let mut media = media.on_progress(|written, total| match total {
        Some(total) if total > 0 => draw(
            &format!("downloading {written}/{total} B"),
            written as f64 / total as f64,
        ),
        _ => draw(&format!("downloading {written} B"), 0.0),
    });
    let size = media.save(out).await?;
    eprintln!();
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
    // Offline, a quick poll so the line moves; the real API: Venice's advice.
    let poll = if venice.is_offline() {
        Duration::from_millis(300)
    } else {
        venice_sdk::defaults::DEFAULT_POLL_INTERVAL
    };
    run(&venice, &out, poll).await?;
    Ok(())
}
