//! Upscaling: send an image file, save the larger PNG.
//!
//! ```sh
//! cargo run --example upscale -- photo.png          # writes photo-upscaled.png
//! cargo run --example upscale                       # generates an image first
//! ```

use std::path::{Path, PathBuf};

use venice_sdk::Client;
use venice_sdk::types::GenerateImageRequest;

/// Any error of the example.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Upscales the image at `input` twice over into `output`; returns the new
/// width and height when the result is a PNG.
pub async fn run(
    client: &Client,
    input: &Path,
    output: &Path,
) -> Result<Option<(u32, u32)>, BoxError> {
    let before = tokio::fs::read(input).await?;
    println!(
        "input:  {} ({} bytes, {})",
        input.display(),
        before.len(),
        describe(png_size(&before))
    );
    // A path is read when the request is sent; `ImageInput::bytes` takes memory.
    let upscaled = client.images().upscale(input, 2.0).await?;
    tokio::fs::write(output, &upscaled[..]).await?;
    let size = png_size(&upscaled);
    println!(
        "output: {} ({} bytes, {})",
        output.display(),
        upscaled.len(),
        describe(size)
    );
    Ok(size)
}

/// Width and height from a PNG header.
fn png_size(data: &[u8]) -> Option<(u32, u32)> {
    if !data.starts_with(b"\x89PNG\r\n\x1a\n") {
        return None;
    }
    let width = u32::from_be_bytes(data.get(16..20)?.try_into().ok()?);
    let height = u32::from_be_bytes(data.get(20..24)?.try_into().ok()?);
    Some((width, height))
}

fn describe(size: Option<(u32, u32)>) -> String {
    size.map_or_else(|| "not a PNG".to_owned(), |(w, h)| format!("{w}×{h}"))
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let venice = venice_testing::client_from_env_or_offline().await?;
    println!("Using {}\n", venice.describe());
    let input = match std::env::args().nth(1) {
        Some(path) => PathBuf::from(path),
        None => {
            let path = std::env::temp_dir().join("venice-upscale-input.png");
            let request = GenerateImageRequest::new("venice-sd35", "a tiny pixel-art castle")?
                .with_size(256, 256)?;
            let png = venice.images().generate_bytes(request).await?;
            tokio::fs::write(&path, &png[..]).await?;
            println!("(no input given: generated {})", path.display());
            path
        }
    };
    let stem = input
        .file_stem()
        .map_or_else(|| "image".into(), |s| s.to_string_lossy());
    let output = input.with_file_name(format!("{stem}-upscaled.png"));
    run(&venice, &input, &output).await?;
    Ok(())
}
