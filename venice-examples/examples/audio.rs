//! Audio: speak a sentence into an MP3 file (streamed: each chunk written as it
//! arrives), transcribe
//! the file back to text with timestamps, then clone a voice from that
//! recording and speak with it.
//!
//! ```sh
//! cargo run --example audio -- out_dir    # default: the temp directory
//! ```

use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt as _;

use venice_sdk::types::{
    CreateClonedVoiceRequestSchema, CreateSpeechRequestSchema, CreateSpeechRequestSchemaModel,
    CreateTranscriptionRequestSchema,
};
use venice_sdk::{Client, Error, JsonOrText};

/// Any error of the example.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The sentence spoken.
pub const TEXT: &str = "Welcome to Venice. The gondolas are waiting.";

/// What [`run`] made.
#[derive(Debug)]
pub struct Spoken {
    /// The MP3 file of [`TEXT`].
    pub mp3: PathBuf,
    /// Its transcript.
    pub transcript: String,
    /// The cloned voice's handle (`vv_…`).
    pub voice: String,
    /// The MP3 file spoken in the cloned voice.
    pub cloned_mp3: PathBuf,
}

/// An I/O error on the file `out`.
fn io_error(out: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: out.to_owned(),
        source,
    }
}

/// Creates the file `out`.
async fn create(out: &Path) -> Result<tokio::fs::File, Error> {
    tokio::fs::File::create(out)
        .await
        .map_err(|e| io_error(out, e))
}

/// Streams the speech the request asks for into the file `out`, chunk by
/// chunk as it arrives; returns the bytes written.
async fn stream_to(
    client: &Client,
    request: CreateSpeechRequestSchema,
    out: &Path,
) -> Result<u64, Error> {
    let mut file = create(out).await?;
    let mut stream = client.audio().speech_stream(request).await?;
    let media_type = stream.meta().media_type().unwrap_or("audio").to_owned();
    let (mut written, mut chunks) = (0u64, 0u32);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        file.write_all(&chunk).await.map_err(|e| io_error(out, e))?;
        written = written.saturating_add(chunk.len() as u64);
        chunks = chunks.saturating_add(1);
    }
    file.flush().await.map_err(|e| io_error(out, e))?;
    println!("streamed {media_type} in {chunks} chunk(s)");
    Ok(written)
}

/// Writes the speech the request asks for into the file `out` as it arrives;
/// returns the bytes written.
async fn speak_to(
    client: &Client,
    request: CreateSpeechRequestSchema,
    out: &Path,
) -> Result<u64, Error> {
    let mut file = create(out).await?;
    let written = client.audio().speech_to(request, &mut file).await?;
    file.flush().await.map_err(|e| io_error(out, e))?;
    Ok(written.into_inner())
}

/// Speaks [`TEXT`] into `dir/speech.mp3`, transcribes it, clones a voice from
/// it and speaks again with that voice into `dir/cloned.mp3`.
pub async fn run(client: &Client, dir: &Path) -> Result<Spoken, BoxError> {
    let mp3 = dir.join("speech.mp3");
    let request = CreateSpeechRequestSchema::new(TEXT)?.with_voice("af_sky")?;
    let written = stream_to(client, request, &mp3).await?;
    println!("spoke {written} bytes of MP3 into {}", mp3.display());

    // Transcribe the file back, with word timestamps.
    let mut transcribe = CreateTranscriptionRequestSchema::from_required();
    transcribe.timestamps = true;
    let answer = client
        .audio()
        .transcribe(mp3.as_path(), transcribe)
        .await?
        .into_inner();
    let transcript = match answer {
        JsonOrText::Json(t) => {
            println!(
                "transcript ({:.1} s): {}",
                t.duration.unwrap_or_default(),
                t.text
            );
            if let Some(ts) = &t.timestamps {
                for word in ts.word.iter().take(4) {
                    println!("  {:>5.2}-{:<5.2} {}", word.start, word.end, word.text);
                }
            }
            t.text
        }
        JsonOrText::Text(text) => text,
    };

    // Clone a voice from the recording, then speak with it (with the model it
    // was cloned for, the only one that takes it).
    let voice = client
        .audio()
        .clone_voice(
            mp3.as_path(),
            CreateClonedVoiceRequestSchema::from_required(),
        )
        .await?
        .into_inner();
    println!("cloned voice {} for {}", voice.id, voice.model);
    let model: CreateSpeechRequestSchemaModel = voice
        .model
        .parse()
        .map_err(|e| format!("cloning model {}: {e}", voice.model))?;
    let mut request = CreateSpeechRequestSchema::new("And now in my own voice.")?;
    request.voice = Some(voice.voice()?);
    request.model = Some(model);
    let cloned_mp3 = dir.join("cloned.mp3");
    let written = speak_to(client, request, &cloned_mp3).await?;
    println!(
        "spoke {written} bytes in the cloned voice into {}",
        cloned_mp3.display()
    );

    Ok(Spoken {
        mp3,
        transcript,
        voice: voice.id,
        cloned_mp3,
    })
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(std::env::temp_dir, PathBuf::from);
    venice_testing::run_example(async |client| run(client, &dir).await).await
}
