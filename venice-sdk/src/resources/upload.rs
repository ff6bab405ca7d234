//! Files to upload: bytes in memory or a file on disk, streamed (never read
//! whole) and rebuilt as a multipart part for each attempt.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use reqwest::multipart::Part;

use crate::Error;
use crate::defaults::MAX_FILE_NAME;

/// A file to upload (an image, an audio clip, a document): bytes with a file
/// name, or a file on disk, opened and streamed for each attempt.
///
/// ```
/// use venice_sdk::FileInput;
///
/// let from_memory = FileInput::named(b"%PDF-1.7 ...".to_vec(), "report.pdf");
/// let from_disk = FileInput::path("report.pdf");
/// # let _ = (from_memory, from_disk);
/// ```
#[derive(Clone, Debug)]
pub enum FileInput {
    /// Bytes in memory.
    Bytes {
        /// The data.
        data: Bytes,
        /// The file name sent with it.
        file_name: String,
    },
    /// A file, opened and streamed when the request is sent (again for a retry).
    Path(PathBuf),
}

/// An image to upload (the same as any [`FileInput`]).
///
/// ```
/// use venice_sdk::ImageInput;
///
/// let image: ImageInput = ImageInput::path("photo.png");
/// # let _ = image;
/// ```
pub type ImageInput = FileInput;

impl FileInput {
    /// Bytes in memory, sent as `image.png`, `audio.mp3`, … (kind and extension
    /// guessed from the data; `file.bin` when unknown).
    ///
    /// ```
    /// use venice_sdk::FileInput;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let png: Vec<u8> = b"\x89PNG\r\n\x1a\n...".to_vec();
    /// let bigger = client.images().upscale(FileInput::bytes(png), 2.0).await?;
    /// println!("{} bytes", bigger.len());
    /// # Ok(()) }
    /// ```
    pub fn bytes(data: impl Into<Bytes>) -> Self {
        let data = data.into();
        let (mime, ext) = sniff(&data);
        let kind = mime
            .split('/')
            .next()
            .filter(|kind| matches!(*kind, "image" | "audio" | "video"))
            .unwrap_or("file");
        let file_name = format!("{kind}.{ext}");
        FileInput::Bytes { data, file_name }
    }

    /// Bytes in memory sent under `file_name`.
    ///
    /// ```
    /// use venice_sdk::FileInput;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let notes = FileInput::named("Ship on Friday.", "notes.txt");
    /// let text = client.augment().parse_text(notes, Some("text")).await?;
    /// println!("{:?}", text.into_inner());
    /// # Ok(()) }
    /// ```
    pub fn named(data: impl Into<Bytes>, file_name: impl Into<String>) -> Self {
        FileInput::Bytes {
            data: data.into(),
            file_name: file_name.into(),
        }
    }

    /// A file on disk.
    ///
    /// ```
    /// use venice_sdk::{FileInput, JsonOrText, types::CreateTranscriptionRequestSchema};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let recording = std::env::temp_dir().join("interview.mp3");
    /// # std::fs::write(&recording, b"ID3 audio")?;
    /// let file = FileInput::path(&recording);
    /// let answer = client.audio().transcribe(file, CreateTranscriptionRequestSchema::from_required()).await?;
    /// if let JsonOrText::Json(transcription) = answer.into_inner() {
    ///     println!("{}", transcription.text);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn path(path: impl Into<PathBuf>) -> Self {
        FileInput::Path(path.into())
    }

    /// Refuses what cannot be sent before anything is: empty data, a path that is
    /// not a readable file.
    pub(crate) fn check(&self, field: &'static str) -> Result<(), Error> {
        match self {
            FileInput::Bytes { data, .. } if data.is_empty() => {
                Err(Error::invalid(field, "is empty"))
            }
            FileInput::Bytes { .. } => Ok(()),
            FileInput::Path(path) => {
                let meta = std::fs::metadata(path).map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
                if meta.is_file() {
                    Ok(())
                } else {
                    Err(Error::Io {
                        path: path.clone(),
                        source: std::io::Error::other("not a regular file"),
                    })
                }
            }
        }
    }

    /// The multipart part of one attempt: the bytes shared, or the file opened
    /// again and streamed with its length.
    pub(crate) fn part(&self) -> Result<Part, Error> {
        let (part, name, mime) = match self {
            FileInput::Bytes { data, file_name } => (
                Part::stream_with_length(data.clone(), data.len() as u64),
                file_name.clone(),
                sniff(data).0,
            ),
            FileInput::Path(path) => {
                let io = |source| Error::Io {
                    path: path.clone(),
                    source,
                };
                let file = std::fs::File::open(path).map_err(io)?;
                let length = file.metadata().map_err(io)?.len();
                let body = reqwest::Body::from(tokio::fs::File::from_std(file));
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                (
                    Part::stream_with_length(body, length),
                    name,
                    by_extension(path),
                )
            }
        };
        part.file_name(sanitize_file_name(&name))
            .mime_str(mime)
            .map_err(|e| Error::invalid("file", e.to_string()))
    }
}

/// The text fields of a multipart form, from a typed request: its fields as
/// JSON would send them (wire names, unset options left out), except those in
/// `skip` (the file fields). Strings go as they are, numbers and booleans as
/// JSON writes them, lists and objects as JSON text; `null` is left out.
pub(crate) fn text_fields<T: serde::Serialize>(
    request: &T,
    skip: &[&str],
) -> Result<Vec<(String, String)>, Error> {
    use serde_json::Value;
    let value = serde_json::to_value(request).map_err(|e| Error::invalid("body", e.to_string()))?;
    let Value::Object(fields) = value else {
        return Err(Error::invalid("body", "is not an object"));
    };
    Ok(fields
        .into_iter()
        .filter(|(name, _)| !skip.contains(&name.as_str()))
        .filter_map(|(name, value)| {
            let text = match value {
                Value::Null => return None,
                Value::String(s) => s,
                other => other.to_string(),
            };
            Some((name, text))
        })
        .collect())
}

/// A form of `fields` as text parts.
pub(crate) fn form_of(fields: &[(String, String)]) -> reqwest::multipart::Form {
    fields
        .iter()
        .fold(reqwest::multipart::Form::new(), |form, (name, value)| {
            form.text(name.clone(), value.clone())
        })
}

impl From<Bytes> for FileInput {
    fn from(data: Bytes) -> Self {
        FileInput::bytes(data)
    }
}

impl From<Vec<u8>> for FileInput {
    fn from(data: Vec<u8>) -> Self {
        FileInput::bytes(data)
    }
}

impl From<PathBuf> for FileInput {
    fn from(path: PathBuf) -> Self {
        FileInput::Path(path)
    }
}

impl From<&Path> for FileInput {
    fn from(path: &Path) -> Self {
        FileInput::Path(path.to_owned())
    }
}

/// The media type and extension of data, from its first bytes.
pub(crate) fn sniff(data: &[u8]) -> (&'static str, &'static str) {
    let at = |range: std::ops::Range<usize>| data.get(range).unwrap_or_default();
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        ("image/png", "png")
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        ("image/jpeg", "jpg")
    } else if at(0..4) == b"RIFF" && at(8..12) == b"WEBP" {
        ("image/webp", "webp")
    } else if at(0..4) == b"RIFF" && at(8..12) == b"WAVE" {
        ("audio/wav", "wav")
    } else if data.starts_with(b"GIF8") {
        ("image/gif", "gif")
    } else if data.starts_with(b"fLaC") {
        ("audio/flac", "flac")
    } else if data.starts_with(b"OggS") {
        ("audio/ogg", "ogg")
    } else if data.starts_with(b"ID3") || data.starts_with(&[0xFF, 0xFB]) {
        ("audio/mpeg", "mp3")
    } else if at(4..8) == b"ftyp" {
        ("video/mp4", "mp4")
    } else if data.starts_with(b"%PDF") {
        ("application/pdf", "pdf")
    } else {
        ("application/octet-stream", "bin")
    }
}

/// The media type of a file, from its extension.
fn by_extension(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "flac" => "audio/flac",
        "ogg" | "opus" => "audio/ogg",
        "m4a" => "audio/mp4",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ => "application/octet-stream",
    }
}

/// A file name safe to put in a multipart `Content-Disposition` header: control
/// characters, quotes, backslashes and path separators become `_`, at most
/// [`MAX_FILE_NAME`] characters, and an empty result is `file`.
fn sanitize_file_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '"' | '\\' | '/' | '\u{2028}' | '\u{2029}') {
                '_'
            } else {
                c
            }
        })
        .take(MAX_FILE_NAME)
        .collect();
    if clean.trim().is_empty() {
        "file".to_owned()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_types_are_sniffed() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), ("image/png", "png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), ("image/jpeg", "jpg"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), ("image/webp", "webp"));
        assert_eq!(sniff(b"xx"), ("application/octet-stream", "bin"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), ("audio/wav", "wav"));
        assert_eq!(sniff(b"\0\0\0\x18ftypmp42"), ("video/mp4", "mp4"));
        assert!(FileInput::bytes(b"ID3\x04".to_vec()).part().is_ok());
        assert!(matches!(
            FileInput::bytes(Vec::new()).check("file"),
            Err(Error::InvalidRequest { .. })
        ));
        assert!(matches!(
            FileInput::path("/nonexistent/x.png").check("file"),
            Err(Error::Io { .. })
        ));
    }

    #[test]
    fn file_names_cannot_inject_header_content() {
        assert_eq!(sanitize_file_name("cat.png"), "cat.png");
        assert_eq!(
            sanitize_file_name("a\r\nContent-Type: text/html\"; x=\"y.png"),
            "a__Content-Type: text_html_; x=_y.png"
        );
        assert_eq!(sanitize_file_name("../../etc\\passwd"), ".._.._etc_passwd");
        assert_eq!(sanitize_file_name("\u{0}\u{1b}[31m"), "__[31m");
        assert_eq!(sanitize_file_name("\n\t"), "__");
        assert_eq!(sanitize_file_name("  "), "file");
        assert_eq!(sanitize_file_name(""), "file");
    }
}
