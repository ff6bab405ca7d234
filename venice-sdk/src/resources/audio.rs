//! Audio: `client.audio()` — speech from text (as bytes, as a stream of
//! chunks, or streamed into a writer), transcription of an uploaded recording (JSON or text), and voice
//! cloning from an uploaded sample, with the request and response helpers
//! they use.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::{Stream, StreamExt};

use super::upload::{FileInput, form_of, text_fields};
use crate::meta::JsonOrText;
use crate::transport::{Call, LiveBody};
use crate::{Client, Error, Response, ResponseMeta, operations, types};

impl Client {
    /// Speech, transcription and voice cloning.
    ///
    /// ```
    /// use venice_sdk::types::CreateSpeechRequestSchema;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let audio = client.audio();
    /// let mp3 = audio.speech(CreateSpeechRequestSchema::new("Hello from Venice")?).await?;
    /// std::fs::write(std::env::temp_dir().join("hello.mp3"), &*mp3)?;
    /// # Ok(()) }
    /// ```
    pub fn audio(&self) -> Audio<'_> {
        Audio { client: self }
    }
}

/// Speech, transcription and voice cloning: `client.audio()`.
///
/// ```
/// use venice_sdk::{JsonOrText, types::{CreateSpeechRequestSchema, CreateTranscriptionRequestSchema}};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let speech = client.audio().speech(CreateSpeechRequestSchema::new("Hello from Venice")?).await?;
/// let heard = client.audio().transcribe(speech.into_inner(), CreateTranscriptionRequestSchema::from_required()).await?;
/// if let JsonOrText::Json(transcription) = heard.into_inner() {
///     println!("{}", transcription.text);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Audio<'a> {
    pub(crate) client: &'a Client,
}

/// What speech requests accept: audio, or a JSON error.
const AUDIO_ACCEPT: &str = "audio/*, application/json";

/// What transcriptions accept: JSON or text, as `response_format` asks.
const TRANSCRIPT_ACCEPT: &str = "application/json, text/plain";

impl Audio<'_> {
    /// Speaks `request.input` and returns the audio's bytes.
    ///
    /// The format is `response_format` (MP3 unless set); the answer's
    /// [`media_type`](crate::ResponseMeta::media_type) says which it is
    /// (`audio/mpeg`, `audio/wav`, …). A format or voice the model does not
    /// support is the API's 400, an [`Error::Api`] of kind
    /// [`BadRequest`](crate::ApiErrorKind::BadRequest); an answer that is not
    /// audio is an [`Error::Decode`].
    ///
    /// ```
    /// use venice_sdk::types::CreateSpeechRequestSchema;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = CreateSpeechRequestSchema::new("Hello from Venice")?.with_voice("af_sky")?;
    /// let audio = client.audio().speech(request).await?;
    /// println!("{:?}", audio.meta().media_type()); // Some("audio/mpeg")
    /// std::fs::write(std::env::temp_dir().join("hello.mp3"), &*audio)?;
    /// # Ok(()) }
    /// ```
    pub async fn speech(
        &self,
        request: types::CreateSpeechRequestSchema,
    ) -> Result<Response<Bytes>, Error> {
        Call::new(&operations::CREATE_SPEECH)
            .accept(AUDIO_ACCEPT)
            .body(&request)?
            .bytes(self.client.config(), "audio/")
            .await
    }

    /// [`speech`](Self::speech), writing the audio into `writer` as it arrives
    /// (with `streaming: true`, sentence by sentence as the API speaks them);
    /// returns the bytes written.
    ///
    /// Retries happen only before the first byte is written; a write failure is
    /// an [`Error::Io`] (with an empty path). The transfer is bounded: the
    /// request timeout covers the whole body, a read waits at most the
    /// [stream idle timeout](crate::ClientBuilder::stream_idle_timeout), and more than
    /// [`max_response_size`](crate::ClientBuilder::max_response_size) bytes end it
    /// with [`Error::BodyTooLarge`] (what was written stays written).
    ///
    /// ```
    /// use venice_sdk::types::CreateSpeechRequestSchema;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let mut file = tokio::fs::File::create(std::env::temp_dir().join("chapter.mp3")).await?;
    /// let request = CreateSpeechRequestSchema::new("Chapter one. It was a bright cold day in April.")?;
    /// let written = client.audio().speech_to(request, &mut file).await?;
    /// println!("{} bytes", *written);
    /// # Ok(()) }
    /// ```
    pub async fn speech_to<W>(
        &self,
        request: types::CreateSpeechRequestSchema,
        writer: &mut W,
    ) -> Result<Response<u64>, Error>
    where
        W: tokio::io::AsyncWrite + Unpin + ?Sized,
    {
        Call::new(&operations::CREATE_SPEECH)
            .accept(AUDIO_ACCEPT)
            .body(&request)?
            .download(self.client.config(), "audio/", writer)
            .await
    }

    /// Speaks `request.input` with `streaming: true` (set here) and returns the
    /// audio as a [`Stream`] of chunks as they arrive, sentence by sentence as
    /// the API speaks them.
    ///
    /// Errors before the audio starts (the API's 4xx/5xx, an answer that is not
    /// audio) are returned here, as by [`speech`](Self::speech); the request
    /// timeout covers the response head only. The body is then read like a chat
    /// stream: each chunk is handed over as it came (nothing is buffered), a
    /// pause longer than the
    /// [`stream_idle_timeout`](crate::ClientBuilder::stream_idle_timeout) or a
    /// stream longer than the
    /// [`stream_timeout`](crate::ClientBuilder::stream_timeout) ends it with
    /// [`Error::Timeout`], and more than
    /// [`max_response_size`](crate::ClientBuilder::max_response_size) bytes in
    /// all with [`Error::BodyTooLarge`]. A connection that breaks before the
    /// length the server declared (or before the last chunk of a chunked body)
    /// is an [`Error::Connection`]; an answer without either that simply stops
    /// cannot be told from its end. Dropping the stream closes the connection.
    ///
    /// ```
    /// use venice_sdk::types::CreateSpeechRequestSchema;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = CreateSpeechRequestSchema::new("Hello there. How are you today?")?;
    /// let mut audio = client.audio().speech_stream(request).await?;
    /// while let Some(chunk) = audio.next().await {
    ///     let chunk = chunk?;
    ///     // Hand each chunk to the audio player as it arrives.
    ///     println!("{} bytes", chunk.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn speech_stream(
        &self,
        mut request: types::CreateSpeechRequestSchema,
    ) -> Result<SpeechStream, Error> {
        request.streaming = crate::shape::convert("streaming", true)?;
        let body = Call::new(&operations::CREATE_SPEECH)
            .accept(AUDIO_ACCEPT)
            .body(&request)?
            .body_stream(self.client.config(), "audio/")
            .await?;
        Ok(SpeechStream { body })
    }

    /// Transcribes a recording (WAV, FLAC, M4A, AAC, MP4, MP3, OGG, WEBM),
    /// uploaded with the request's fields (its `file` field is not sent).
    ///
    /// The answer is [`JsonOrText::Json`] for `response_format: "json"` (the
    /// default), with word, segment and character timestamps when `timestamps`
    /// is set, and [`JsonOrText::Text`] for `"text"`. A format the API does not
    /// know is its 400, an [`Error::Api`] of kind
    /// [`BadRequest`](crate::ApiErrorKind::BadRequest). A file that cannot be
    /// read is an [`Error::Io`].
    ///
    /// ```
    /// use venice_sdk::{JsonOrText, types::CreateTranscriptionRequestSchema};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let path = std::env::temp_dir().join("meeting.wav");
    /// # std::fs::write(&path, b"RIFF....WAVE")?;
    /// let mut request = CreateTranscriptionRequestSchema::from_required();
    /// request.timestamps = true;
    /// let answer = client.audio().transcribe(path.as_path(), request).await?;
    /// match answer.into_inner() {
    ///     JsonOrText::Json(transcription) => println!("{}", transcription.text),
    ///     JsonOrText::Text(text) => println!("{text}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn transcribe(
        &self,
        file: impl Into<FileInput>,
        request: types::CreateTranscriptionRequestSchema,
    ) -> Result<Response<JsonOrText<Transcription>>, Error> {
        let file = file.into();
        file.check("file")?;
        let fields = text_fields(&request, &["file"])?;
        Call::new(&operations::CREATE_TRANSCRIPTION)
            .accept(TRANSCRIPT_ACCEPT)
            .form(move || Ok(form_of(&fields).part("file", file.part()?)))
            .json_or_text(self.client.config())
            .await
    }

    /// Clones a voice from a recorded sample (uploaded with the request's
    /// fields; its `file` field is not sent) and returns the voice's handle,
    /// for [`speech`](Self::speech) with the same model.
    ///
    /// A sample in a container the model does not take is the API's 400. A
    /// file that cannot be read is an [`Error::Io`].
    ///
    /// ```
    /// use venice_sdk::types::{CreateClonedVoiceRequestSchema, CreateSpeechRequestSchema};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let sample = client.audio().speech(CreateSpeechRequestSchema::new("A sample of my voice.")?).await?.into_inner();
    /// // `sample`: a recording of the voice (MP3, WAV, FLAC or M4A), bytes or a path.
    /// let voice = client.audio().clone_voice(sample, CreateClonedVoiceRequestSchema::from_required()).await?;
    /// println!("voice {} for {}", voice.id, voice.model);
    /// # Ok(()) }
    /// ```
    pub async fn clone_voice(
        &self,
        sample: impl Into<FileInput>,
        request: types::CreateClonedVoiceRequestSchema,
    ) -> Result<Response<ClonedVoice>, Error> {
        let sample = sample.into();
        sample.check("file")?;
        let fields = text_fields(&request, &["file"])?;
        Call::new(&operations::CREATE_CLONED_VOICE)
            .form(move || Ok(form_of(&fields).part("file", sample.part()?)))
            .json(self.client.config())
            .await
    }
}

/// Streamed speech, from [`Audio::speech_stream`]: a [`Stream`] of the audio's
/// bytes in the chunks they arrived in.
///
/// An `Err` item ends the stream (see [`Audio::speech_stream`]); `None` is the
/// end of the audio. Memory stays bounded: only the chunk handed over is held.
///
/// ```
/// use venice_sdk::types::CreateSpeechRequestSchema;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let mut audio = client.audio().speech_stream(CreateSpeechRequestSchema::new("Hi.")?).await?;
/// let mut total = 0;
/// while let Some(chunk) = audio.next().await {
///     total += chunk?.len();
/// }
/// println!("{total} bytes of {:?}", audio.meta().media_type());
/// # Ok(()) }
/// ```
pub struct SpeechStream {
    body: LiveBody,
}

impl fmt::Debug for SpeechStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpeechStream")
            .field("media_type", &self.meta().media_type())
            .field("request_id", &self.meta().request_id)
            .finish_non_exhaustive()
    }
}

impl SpeechStream {
    /// The response metadata; [`media_type`](ResponseMeta::media_type) says
    /// which audio format this is (`audio/mpeg`, `audio/wav`, …).
    ///
    /// ```
    /// use venice_sdk::types::CreateSpeechRequestSchema;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let audio = client.audio().speech_stream(CreateSpeechRequestSchema::new("Hi.")?).await?;
    /// let extension = match audio.meta().media_type() {
    ///     Some("audio/wav") => "wav",
    ///     _ => "mp3",
    /// };
    /// # let _ = extension;
    /// # Ok(()) }
    /// ```
    pub fn meta(&self) -> &ResponseMeta {
        self.body.meta()
    }

    /// The next chunk, or `None` at the end; the same as `StreamExt::next`,
    /// without needing the `futures` crate.
    ///
    /// ```
    /// use venice_sdk::types::CreateSpeechRequestSchema;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let mut audio = client.audio().speech_stream(CreateSpeechRequestSchema::new("Hi.")?).await?;
    /// while let Some(chunk) = audio.next().await {
    ///     println!("{} bytes", chunk?.len());
    /// }
    /// # Ok(()) }
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub async fn next(&mut self) -> Option<Result<Bytes, Error>> {
        StreamExt::next(self).await
    }
}

impl Stream for SpeechStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.body.poll_chunk(cx)
    }
}

/// A transcription: the text, and timestamps when asked for.
///
/// ```
/// use venice_sdk::{JsonOrText, types::{CreateSpeechRequestSchema, CreateTranscriptionRequestSchema}};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// # let recording = client.audio().speech(CreateSpeechRequestSchema::new("Hello there.")?).await?.into_inner();
/// let answer = client.audio().transcribe(recording, CreateTranscriptionRequestSchema::from_required()).await?;
/// if let JsonOrText::Json(transcription) = answer.into_inner() {
///     println!("{} ({:?} s)", transcription.text, transcription.duration);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
pub struct Transcription {
    /// The transcribed text.
    pub text: String,
    /// The recording's length in seconds, when the API says.
    #[serde(default)]
    pub duration: Option<f64>,
    /// Word, segment and character timestamps (with `timestamps: true`).
    #[serde(default)]
    pub timestamps: Option<Timestamps>,
}

/// The timestamps of a [`Transcription`]; a list the API leaves out is empty.
///
/// ```
/// use venice_sdk::{JsonOrText, types::{CreateSpeechRequestSchema, CreateTranscriptionRequestSchema}};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// # let recording = client.audio().speech(CreateSpeechRequestSchema::new("Hello there.")?).await?.into_inner();
/// let mut request = CreateTranscriptionRequestSchema::from_required();
/// request.timestamps = true;
/// if let JsonOrText::Json(transcription) = client.audio().transcribe(recording, request).await?.into_inner() {
///     let timestamps = transcription.timestamps.unwrap_or_default();
///     println!("{} words, {} segments", timestamps.word.len(), timestamps.segment.len());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
pub struct Timestamps {
    /// Each word.
    #[serde(default)]
    pub word: Vec<TimedText>,
    /// Each segment (a phrase or sentence).
    #[serde(default)]
    pub segment: Vec<TimedText>,
    /// Each character.
    #[serde(default)]
    pub char: Vec<TimedText>,
}

/// A piece of a transcription and when it is spoken, in seconds from the
/// start.
///
/// ```
/// use venice_sdk::{JsonOrText, types::{CreateSpeechRequestSchema, CreateTranscriptionRequestSchema}};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// # let recording = client.audio().speech(CreateSpeechRequestSchema::new("Hello there.")?).await?.into_inner();
/// let mut request = CreateTranscriptionRequestSchema::from_required();
/// request.timestamps = true;
/// if let JsonOrText::Json(transcription) = client.audio().transcribe(recording, request).await?.into_inner() {
///     for word in transcription.timestamps.iter().flat_map(|t| &t.word) {
///         println!("{:>6.2}–{:<6.2} {}", word.start, word.end, word.text);
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
pub struct TimedText {
    /// The word, segment or character.
    #[serde(alias = "word", alias = "char")]
    pub text: String,
    /// Where it starts.
    pub start: f64,
    /// Where it ends.
    pub end: f64,
}

/// A cloned voice, returned by [`Audio::clone_voice`].
///
/// ```
/// use venice_sdk::types::{CreateClonedVoiceRequestSchema, CreateSpeechRequestSchema};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// # let sample = client.audio().speech(CreateSpeechRequestSchema::new("A sample of my voice.")?).await?.into_inner();
/// let voice = client.audio().clone_voice(sample, CreateClonedVoiceRequestSchema::from_required()).await?;
/// println!("{} works with {} only", voice.id, voice.model);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct ClonedVoice {
    /// The handle (`vv_…`) to pass as `voice`; it expires after the model's
    /// retention window (7 days).
    pub id: String,
    /// The model the handle works with (and only with).
    pub model: String,
}

impl ClonedVoice {
    /// The handle as a speech request's `voice`; a handle that is not one
    /// (`vv_` and letters, digits, `-`, `_`) is an
    /// [`Error::InvalidRequest`] naming `voice`.
    ///
    /// ```
    /// use venice_sdk::types::{CreateClonedVoiceRequestSchema, CreateSpeechRequestSchema};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let sample = client.audio().speech(CreateSpeechRequestSchema::new("A sample of my voice.")?).await?.into_inner();
    /// let cloned = client.audio().clone_voice(sample, CreateClonedVoiceRequestSchema::from_required()).await?;
    /// let mut request = CreateSpeechRequestSchema::new("Now I speak with my own voice.")?;
    /// request.voice = Some(cloned.voice()?);
    /// request.model = Some(cloned.model.as_str().into());
    /// let audio = client.audio().speech(request).await?;
    /// # let _ = audio;
    /// # Ok(()) }
    /// ```
    pub fn voice(&self) -> Result<types::CreateSpeechRequestSchemaVoice, Error> {
        voice(&self.id)
    }
}

/// A voice name or cloned-voice handle as the generated voice type, whatever its
/// shape (a union of enums and a pattern today, a free string tomorrow): read from
/// its JSON, so a name the type refuses is an [`Error::InvalidRequest`] naming
/// `voice`.
fn voice<T: serde::de::DeserializeOwned>(name: &str) -> Result<T, Error> {
    crate::shape::convert("voice", name)
}

impl types::CreateSpeechRequestSchema {
    /// A request to speak `input`, every other field unset (the API's defaults:
    /// `tts-kokoro`, voice `af_sky`, MP3).
    ///
    /// Input the API would refuse (empty, or over 4096 characters) is an
    /// [`Error::InvalidRequest`] naming `input`.
    ///
    /// ```
    /// use venice_sdk::types::CreateSpeechRequestSchema;
    ///
    /// let request = CreateSpeechRequestSchema::new("Hello from Venice")?;
    /// assert!(CreateSpeechRequestSchema::new("").is_err());
    /// # let _ = request;
    /// # Ok::<(), venice_sdk::Error>(())
    /// ```
    pub fn new(input: impl Into<String>) -> Result<Self, Error> {
        crate::shape::convert("input", serde_json::json!({"input": input.into()}))
    }

    /// Sets the voice: a name (`af_sky`, `Vivian`, `eve`, …) or a cloned-voice
    /// handle (`vv_…`, see [`Audio::clone_voice`]). A name the spec does not
    /// list yet is sent as given: Venice adds voices between releases of the
    /// SDK, and answers for the ones it does not have.
    ///
    /// ```
    /// use venice_sdk::types::CreateSpeechRequestSchema;
    ///
    /// let request = CreateSpeechRequestSchema::new("Hello")?.with_voice("af_sky")?;
    /// # let _ = request;
    /// # Ok::<(), venice_sdk::Error>(())
    /// ```
    pub fn with_voice(mut self, name: &str) -> Result<Self, Error> {
        self.voice = Some(voice(name)?);
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_each_shape() {
        let t: Transcription = serde_json::from_str(
            r#"{"text": "Hi there", "duration": 1.5, "extra": 1, "timestamps": {
                "word": [{"word": "Hi", "start": 0, "end": 0.4}],
                "segment": [{"text": "Hi there", "start": 0, "end": 1.2}],
                "char": [{"char": "H", "start": 0, "end": 0.1}]}}"#,
        )
        .unwrap();
        let ts = t.timestamps.unwrap();
        assert_eq!(ts.word[0].text, "Hi");
        assert_eq!(ts.segment[0].end, 1.2);
        assert_eq!(ts.char[0].text, "H");
        let plain: Transcription = serde_json::from_str(r#"{"text": "x"}"#).unwrap();
        assert_eq!(plain.timestamps, None);
    }

    #[test]
    fn voices_are_names_or_handles() {
        let request = types::CreateSpeechRequestSchema::new("Hello").unwrap();
        assert!(request.clone().with_voice("af_sky").is_ok());
        assert!(request.clone().with_voice("vv_abc-1_2").is_ok());
        // A voice this SDK does not know is sent as given (Venice adds voices
        // between releases); the server answers for it.
        let unknown = request.with_voice("a-voice-of-next-week").unwrap();
        assert_eq!(
            serde_json::to_value(&unknown).unwrap()["voice"],
            "a-voice-of-next-week"
        );
        assert!(matches!(
            types::CreateSpeechRequestSchema::new(""),
            Err(Error::InvalidRequest { field, .. }) if field == "input"
        ));
    }
}
