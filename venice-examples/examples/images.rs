//! Images: list the styles, generate an image as base64 JSON and as PNG bytes,
//! and save both.
//!
//! ```sh
//! cargo run --example images [-- OUT_DIR]
//! ```

use std::path::{Path, PathBuf};

use venice_sdk::Client;
use venice_sdk::types::GenerateImageRequest;

/// Any error of the example.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The image model the example uses.
pub const MODEL: &str = "flux-dev";

/// Generates two images into `out_dir`; returns the files written.
pub async fn run(client: &Client, out_dir: &Path) -> Result<Vec<PathBuf>, BoxError> {
    tokio::fs::create_dir_all(out_dir).await?;
    let styles = client.images().styles().await?;
    println!("{} styles: {}", styles.data.len(), styles.data.join(", "));
    let style = styles
        .data
        .iter()
        .find(|s| s.as_str() == "Cinematic")
        .or_else(|| styles.data.first())
        .cloned();

    // As JSON: the SDK decodes the base64 images.
    let mut request = GenerateImageRequest::new(MODEL, "a red fox in fresh snow, morning light")?
        .with_size(1024, 768)?;
    // Through JSON: the preset's type is upstream's to change (a string, an enum).
    request.style_preset = serde_json::from_value(serde_json::json!(style))?;
    request.seed = serde_json::from_value(serde_json::json!(42))?;
    let generated = client.images().generate(request).await?;
    println!(
        "\ngenerate(): id {}, {} image(s), style {:?}, {:.0} ms in total",
        generated.id,
        generated.images.len(),
        style,
        generated.timing.total
    );
    let mut written = Vec::new();
    for (i, image) in generated.images.iter().enumerate() {
        let path = out_dir.join(format!("fox-{i}.png"));
        tokio::fs::write(&path, image).await?;
        println!("  wrote {} ({} bytes)", path.display(), image.len());
        written.push(path);
    }

    // As bytes: the PNG exactly as sent, with the content flags in the headers.
    let request = GenerateImageRequest::new(MODEL, "a watercolor map of an island")?;
    let png = client.images().generate_bytes(request).await?;
    let flags = png.meta().content;
    println!(
        "\ngenerate_bytes(): {} bytes, blurred {:?}, content violation {:?}",
        png.len(),
        flags.is_blurred,
        flags.is_content_violation
    );
    let path = out_dir.join("island.png");
    tokio::fs::write(&path, &png[..]).await?;
    println!("  wrote {}", path.display());
    written.push(path);
    Ok(written)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let venice = venice_testing::client_from_env_or_offline().await?;
    println!("Using {}\n", venice.describe());
    let out_dir = std::env::args()
        .nth(1)
        .map_or_else(|| std::env::temp_dir().join("venice-images"), PathBuf::from);
    run(&venice, &out_dir).await?;
    Ok(())
}
