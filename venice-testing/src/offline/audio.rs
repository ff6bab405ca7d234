//! `POST /audio/speech` (real MP3, WAV or PCM audio), `POST
//! /audio/transcriptions` and `POST /video/transcriptions` (JSON or text,
//! with timestamps), and `POST /audio/voices` (cloned-voice handles that
//! speech then accepts).
//!
//! The audio is a quiet tone as long as the text would take to say; the text
//! travels inside the file (an ID3 comment in MP3, an `ICMT` tag in WAV), so
//! transcribing audio the offline Venice spoke gives its text back.

use serde_json::{Value, json};

use super::form::Form;
use super::{Reply, State};
use crate::util;

const SPEECH_MODELS: &[&str] = &[
    "tts-kokoro",
    "tts-qwen3-0-6b",
    "tts-qwen3-1-7b",
    "tts-xai-v1",
    "tts-inworld-1-5-max",
    "tts-chatterbox-hd",
    "tts-orpheus",
    "tts-elevenlabs-turbo-v2-5",
    "tts-minimax-speech-02-hd",
    "tts-gemini-3-1-flash",
];

const TRANSCRIPTION_MODELS: &[&str] = &[
    "nvidia/parakeet-tdt-0.6b-v3",
    "openai/whisper-large-v3",
    "fal-ai/wizper",
    "elevenlabs/scribe-v2",
    "stt-xai-v1",
];

/// The cloning models and the containers each takes.
const CLONING_MODELS: &[(&str, &[&str])] = &[
    ("tts-chatterbox-hd", &["mp3", "wav", "flac", "m4a"]),
    ("tts-minimax-speech-02-hd", &["mp3", "wav"]),
];

/// Samples per second of the audio the offline Venice speaks.
const SAMPLE_RATE: u32 = 24_000;

/// What a transcription of audio the offline Venice did not speak says.
const STOCK_TRANSCRIPT: &str =
    "This is the offline Venice. It cannot hear, so every recording sounds like this to it.";

pub(crate) fn speech(state: &State, body: &Value) -> Reply {
    let text = match super::required_text(body, "input", 4096) {
        Ok(text) => text,
        Err(reply) => return reply,
    };
    let model = body
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("tts-kokoro");
    if !SPEECH_MODELS.contains(&model) {
        return Reply::invalid(json!({"model": {"_errors": [
            format!("Invalid enum value. Expected {}, received '{model}'", listed(SPEECH_MODELS))
        ]}}));
    }
    if let Some(voice) = body.get("voice").and_then(Value::as_str)
        && voice.starts_with("vv_")
    {
        let cloned_for = state.with(|inner| {
            inner
                .voices
                .iter()
                .find(|(id, _)| id == voice)
                .map(|(_, model)| model.clone())
        });
        match cloned_for {
            None => return Reply::error(400, &format!("Voice {voice} not found or expired")),
            Some(for_model) if for_model != model => {
                return Reply::error(
                    400,
                    &format!(
                        "Voice {voice} was cloned for {for_model} and cannot be used with {model}"
                    ),
                );
            }
            Some(_) => {}
        }
    }
    let speed = match body.get("speed") {
        None | Some(Value::Null) => 1.0,
        Some(s) => match s.as_f64() {
            Some(s) if (0.25..=4.0).contains(&s) => s,
            _ => {
                return Reply::invalid(
                    json!({"speed": {"_errors": ["Number must be between 0.25 and 4"]}}),
                );
            }
        },
    };
    let format = body
        .get("response_format")
        .and_then(Value::as_str)
        .unwrap_or("mp3");
    // About 15 characters a second, at most a few seconds (tests stay fast).
    let seconds = (text.chars().count() as f64 / 15.0 / speed).clamp(0.5, 4.0);
    let (content_type, audio) = match format {
        "mp3" => ("audio/mpeg", mp3(text, seconds)),
        "wav" => ("audio/wav", wav(text, seconds)),
        "pcm" => ("audio/pcm", samples(seconds)),
        "opus" | "aac" | "flac" => {
            return Reply::invalid(json!({"response_format": {"_errors": [format!(
                "Unsupported response_format for {model}: the offline Venice speaks mp3, wav and pcm, not {format}"
            )]}}));
        }
        other => {
            return Reply::invalid(json!({"response_format": {"_errors": [format!(
                "Invalid enum value. Expected 'mp3' | 'opus' | 'aac' | 'flac' | 'wav' | 'pcm', received '{other}'"
            )]}}));
        }
    };
    // 15 USD per million characters.
    Reply::bytes(content_type, audio).with_cost(text.chars().count() as f64 * 15e-6)
}

pub(crate) fn transcribe(_state: &State, content_type: &str, body: &[u8]) -> Reply {
    let form = match Form::read(content_type, body) {
        Ok(form) => form,
        Err(reply) => return reply,
    };
    let Some(file) = form.part("file") else {
        return Reply::invalid(json!({"file": {"_errors": ["Required"]}}));
    };
    if file.is_empty() {
        return Reply::error(422, "Audio file is empty (zero-length audio)");
    }
    let field = |name: &str| form.text(name);
    let model = field("model").unwrap_or(TRANSCRIPTION_MODELS[0]);
    if !TRANSCRIPTION_MODELS.contains(&model) {
        return Reply::invalid(json!({"model": {"_errors": [
            format!("Invalid enum value. Expected {}, received '{model}'", listed(TRANSCRIPTION_MODELS))
        ]}}));
    }
    let format = field("response_format").unwrap_or("json");
    if !matches!(format, "json" | "text") {
        return Reply::invalid(json!({"response_format": {"_errors": [
            format!("Invalid enum value. Expected 'json' | 'text', received '{format}'")
        ]}}));
    }
    let timestamps = match field("timestamps") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Reply::invalid(json!({"timestamps": {"_errors": ["Expected boolean"]}}));
        }
    };
    let (text, seconds) = heard(file);
    let cost = seconds * 0.006 / 60.0;
    if format == "text" {
        return Reply::text(&text).with_cost(cost);
    }
    let mut answer = json!({"text": text, "duration": round(seconds)});
    if timestamps {
        answer["timestamps"] = timestamps_of(&text, seconds);
    }
    Reply::json(200, &answer).with_cost(cost)
}

pub(crate) fn clone_voice(state: &State, content_type: &str, body: &[u8]) -> Reply {
    let form = match Form::read(content_type, body) {
        Ok(form) => form,
        Err(reply) => return reply,
    };
    let Some(sample) = form.part("file") else {
        return Reply::invalid(json!({"file": {"_errors": ["Required"]}}));
    };
    let model = form.text("model").unwrap_or(CLONING_MODELS[0].0);
    let Some((model, containers)) = CLONING_MODELS.iter().find(|(id, _)| *id == model) else {
        let ids: Vec<&str> = CLONING_MODELS.iter().map(|(id, _)| *id).collect();
        return Reply::invalid(json!({"model": {"_errors": [
            format!("Invalid enum value. Expected {}, received '{model}'", listed(&ids))
        ]}}));
    };
    match container(sample) {
        Some(kind) if containers.contains(&kind) => {}
        found => {
            return Reply::error(
                400,
                &format!(
                    "Unsupported audio container {} for {model}: expected {}",
                    found.unwrap_or("(unknown)"),
                    containers.join(", ")
                ),
            );
        }
    }
    let n = state.next_id();
    let id = format!("vv_{}", util::hex(state.seed, n, 20));
    state.with(|inner| inner.voices.push((id.clone(), (*model).to_owned())));
    Reply::json(200, &json!({"id": id, "model": model})).with_cost(0.05)
}

pub(crate) fn video_transcription(_state: &State, body: &Value) -> Reply {
    let url = match body.get("url").and_then(Value::as_str) {
        Some(u) if u.starts_with("https://") || u.starts_with("http://") => u,
        Some(_) => return Reply::invalid(json!({"url": {"_errors": ["Invalid url"]}})),
        None => return Reply::invalid(json!({"url": {"_errors": ["Required"]}})),
    };
    let text = format!(
        "This is the offline Venice's transcript of {url}. It cannot watch videos, so every one says this."
    );
    match body.get("response_format").and_then(Value::as_str) {
        None | Some("json") => {
            Reply::json(200, &json!({"transcript": text, "lang": "en"})).with_cost(0.01)
        }
        Some("text") => Reply::text(&text).with_cost(0.01),
        Some(other) => Reply::invalid(json!({"response_format": {"_errors": [
            format!("Invalid enum value. Expected 'json' | 'text', received '{other}'")
        ]}})),
    }
}

/// `'a' | 'b'` for an error message.
fn listed(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(" | ")
}

fn round(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

/// The container of an audio file, from its first bytes.
fn container(data: &[u8]) -> Option<&'static str> {
    let at = |range: std::ops::Range<usize>| data.get(range).unwrap_or_default();
    if data.starts_with(b"ID3") || (data.len() > 1 && data[0] == 0xFF && data[1] & 0xE0 == 0xE0) {
        Some("mp3")
    } else if at(0..4) == b"RIFF" && at(8..12) == b"WAVE" {
        Some("wav")
    } else if data.starts_with(b"fLaC") {
        Some("flac")
    } else if at(4..8) == b"ftyp" {
        Some("m4a")
    } else if data.starts_with(b"OggS") {
        Some("ogg")
    } else {
        None
    }
}

/// What the offline Venice hears in a recording: the text it spoke into it,
/// or its stock sentence; and the recording's length in seconds.
fn heard(file: &[u8]) -> (String, f64) {
    if let Some(text) = wav_comment(file) {
        return (text, wav_seconds(file).unwrap_or(0.0));
    }
    if let Some(text) = id3_comment(file) {
        return (text, mp3_seconds(file));
    }
    // Anything else as MP3 at 128 kbps: 16,000 bytes a second.
    let seconds = wav_seconds(file).unwrap_or_else(|| (file.len() as f64 / 16_000.0).max(0.1));
    (STOCK_TRANSCRIPT.to_owned(), seconds)
}

/// Word, segment (sentence) and character timestamps, spread over the
/// recording by length.
fn timestamps_of(text: &str, seconds: f64) -> Value {
    let total = text.chars().count().max(1) as f64;
    let time = |chars: usize| round(seconds * chars as f64 / total);
    let mut words = Vec::new();
    let mut segments = Vec::new();
    let mut chars = Vec::new();
    let mut word_start = None;
    let mut segment_start = 0usize;
    let all: Vec<char> = text.chars().collect();
    for (i, c) in all.iter().enumerate() {
        if !c.is_whitespace() {
            chars.push(json!({"char": c.to_string(), "start": time(i), "end": time(i + 1)}));
            word_start.get_or_insert(i);
        }
        let word_ends = all.get(i + 1).is_none_or(|n| n.is_whitespace());
        if let (Some(start), false, true) = (word_start, c.is_whitespace(), word_ends) {
            let word: String = all[start..=i].iter().collect();
            words.push(json!({"word": word, "start": time(start), "end": time(i + 1)}));
            word_start = None;
        }
        let sentence_ends = matches!(c, '.' | '!' | '?') || i + 1 == all.len();
        if sentence_ends {
            let segment: String = all[segment_start..=i].iter().collect();
            let trimmed = segment.trim();
            if !trimmed.is_empty() {
                segments.push(
                    json!({"text": trimmed, "start": time(segment_start), "end": time(i + 1)}),
                );
            }
            segment_start = i + 1;
        }
    }
    json!({"word": words, "segment": segments, "char": chars})
}

/// 16-bit mono PCM at [`SAMPLE_RATE`]: a soft tone rising and falling like
/// syllables.
fn samples(seconds: f64) -> Vec<u8> {
    let count = (seconds * f64::from(SAMPLE_RATE)) as usize;
    let mut out = Vec::with_capacity(count * 2);
    for n in 0..count {
        let t = n as f64 / f64::from(SAMPLE_RATE);
        let syllable = (t * std::f64::consts::PI * 4.0).sin().abs();
        let tone = (t * 2.0 * std::f64::consts::PI * 180.0).sin()
            + 0.3 * (t * 2.0 * std::f64::consts::PI * 360.0).sin();
        let value = (tone * syllable * 2_000.0) as i16;
        out.extend_from_slice(&value.to_le_bytes());
    }
    out
}

/// A WAV file of [`samples`] with `text` as its `ICMT` comment.
fn wav(text: &str, seconds: f64) -> Vec<u8> {
    let data = samples(seconds);
    let mut comment = text.as_bytes().to_vec();
    comment.push(0);
    if comment.len() % 2 == 1 {
        comment.push(0);
    }
    let mut info = b"INFO".to_vec();
    info.extend_from_slice(b"ICMT");
    info.extend_from_slice(&u32_len(comment.len()).to_le_bytes());
    info.extend_from_slice(&comment);

    let mut fmt = Vec::with_capacity(16);
    fmt.extend_from_slice(&1u16.to_le_bytes()); // PCM
    fmt.extend_from_slice(&1u16.to_le_bytes()); // mono
    fmt.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    fmt.extend_from_slice(&(SAMPLE_RATE * 2).to_le_bytes()); // bytes per second
    fmt.extend_from_slice(&2u16.to_le_bytes()); // block align
    fmt.extend_from_slice(&16u16.to_le_bytes()); // bits per sample

    let mut body = b"WAVE".to_vec();
    for (id, chunk) in [(b"fmt ", &fmt), (b"LIST", &info), (b"data", &data)] {
        body.extend_from_slice(id);
        body.extend_from_slice(&u32_len(chunk.len()).to_le_bytes());
        body.extend_from_slice(chunk);
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&u32_len(body.len()).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

fn u32_len(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// The chunks of a WAV file: id and content.
fn wav_chunks(file: &[u8]) -> Vec<(&[u8], &[u8])> {
    let mut chunks = Vec::new();
    if file.get(0..4) != Some(b"RIFF") || file.get(8..12) != Some(b"WAVE") {
        return chunks;
    }
    let mut at = 12usize;
    while let (Some(id), Some(len)) = (file.get(at..at + 4), file.get(at + 4..at + 8)) {
        let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let start = at + 8;
        let Some(content) = start.checked_add(len).and_then(|end| file.get(start..end)) else {
            break;
        };
        chunks.push((id, content));
        at = start + len + len % 2;
    }
    chunks
}

/// The `ICMT` comment of a WAV file.
fn wav_comment(file: &[u8]) -> Option<String> {
    let (_, list) = wav_chunks(file)
        .into_iter()
        .find(|(id, c)| *id == b"LIST" && c.starts_with(b"INFO"))?;
    let mut at = 4usize;
    while let (Some(id), Some(len)) = (list.get(at..at + 4), list.get(at + 4..at + 8)) {
        let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let content = list.get(at + 8..(at + 8).checked_add(len)?)?;
        if id == b"ICMT" {
            let text = content.split(|b| *b == 0).next().unwrap_or_default();
            return std::str::from_utf8(text).ok().map(str::to_owned);
        }
        at += 8 + len + len % 2;
    }
    None
}

/// The length of a PCM WAV file in seconds.
fn wav_seconds(file: &[u8]) -> Option<f64> {
    let chunks = wav_chunks(file);
    let fmt = chunks.iter().find(|(id, _)| *id == b"fmt ")?.1;
    let bytes_per_second = u32::from_le_bytes(fmt.get(8..12)?.try_into().ok()?);
    let data = chunks.iter().find(|(id, _)| *id == b"data")?.1;
    (bytes_per_second > 0).then(|| data.len() as f64 / f64::from(bytes_per_second))
}

/// One silent MPEG-1 Layer III frame: 32 kbps, 32 kHz, mono, 1152 samples
/// (36 ms); side information and main data all zero decode as silence.
const MP3_FRAME: [u8; 4] = [0xFF, 0xFB, 0x18, 0xC0];
const MP3_FRAME_LEN: usize = 144;
const MP3_FRAME_SECONDS: f64 = 1152.0 / 32_000.0;

/// An MP3 file: an ID3v2.4 tag whose `COMM` frame holds `text`, then silent
/// frames for `seconds`.
fn mp3(text: &str, seconds: f64) -> Vec<u8> {
    // COMM: encoding 3 (UTF-8), language, empty description, the text.
    let mut comm = vec![3];
    comm.extend_from_slice(b"eng");
    comm.push(0);
    comm.extend_from_slice(text.as_bytes());
    let mut frame = b"COMM".to_vec();
    frame.extend_from_slice(&syncsafe(comm.len()));
    frame.extend_from_slice(&[0, 0]);
    frame.extend_from_slice(&comm);

    let frames = (seconds / MP3_FRAME_SECONDS).ceil() as usize;
    let mut out = Vec::with_capacity(10 + frame.len() + frames * MP3_FRAME_LEN);
    out.extend_from_slice(b"ID3\x04\x00\x00");
    out.extend_from_slice(&syncsafe(frame.len()));
    out.extend_from_slice(&frame);
    for _ in 0..frames {
        out.extend_from_slice(&MP3_FRAME);
        out.resize(out.len() + MP3_FRAME_LEN - MP3_FRAME.len(), 0);
    }
    out
}

/// A size as ID3v2.4 writes it: 7 bits per byte.
fn syncsafe(len: usize) -> [u8; 4] {
    let len = u32_len(len).min(0x0FFF_FFFF);
    [
        ((len >> 21) & 0x7F) as u8,
        ((len >> 14) & 0x7F) as u8,
        ((len >> 7) & 0x7F) as u8,
        (len & 0x7F) as u8,
    ]
}

fn read_syncsafe(bytes: &[u8]) -> Option<usize> {
    let b: [u8; 4] = bytes.try_into().ok()?;
    Some(
        (usize::from(b[0] & 0x7F) << 21)
            | (usize::from(b[1] & 0x7F) << 14)
            | (usize::from(b[2] & 0x7F) << 7)
            | usize::from(b[3] & 0x7F),
    )
}

/// The ID3v2.4 tag's size (header included), if the file starts with one.
fn id3_len(file: &[u8]) -> Option<usize> {
    if !file.starts_with(b"ID3") {
        return None;
    }
    Some(10 + read_syncsafe(file.get(6..10)?)?)
}

/// The text of the first `COMM` frame of an ID3v2.4 tag (UTF-8).
fn id3_comment(file: &[u8]) -> Option<String> {
    let tag = file.get(10..id3_len(file)?)?;
    let mut at = 0usize;
    while let (Some(id), Some(len)) = (tag.get(at..at + 4), tag.get(at + 4..at + 8)) {
        let len = read_syncsafe(len)?;
        let content = tag.get(at + 10..(at + 10).checked_add(len)?)?;
        if id == b"COMM" && content.first() == Some(&3) {
            // Encoding, language, description up to its NUL, then the text.
            let rest = content.get(4..)?;
            let text = &rest[rest.iter().position(|b| *b == 0)? + 1..];
            return std::str::from_utf8(text).ok().map(str::to_owned);
        }
        if id == [0, 0, 0, 0] {
            break;
        }
        at += 10 + len;
    }
    None
}

/// The length of an MP3 of silent frames after its tag.
fn mp3_seconds(file: &[u8]) -> f64 {
    let audio = file.len().saturating_sub(id3_len(file).unwrap_or(0));
    (audio / MP3_FRAME_LEN) as f64 * MP3_FRAME_SECONDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spoken_text_travels_inside_the_audio() {
        let text = "Hello from the offline Venice. Ça va?";
        let wav = wav(text, 1.0);
        assert_eq!(container(&wav), Some("wav"));
        assert_eq!(wav_comment(&wav).as_deref(), Some(text));
        assert!((wav_seconds(&wav).unwrap() - 1.0).abs() < 1e-3);
        let mp3 = mp3(text, 1.0);
        assert_eq!(container(&mp3), Some("mp3"));
        assert_eq!(id3_comment(&mp3).as_deref(), Some(text));
        assert!((mp3_seconds(&mp3) - 1.0).abs() < MP3_FRAME_SECONDS);
        assert_eq!(heard(&mp3).0, text);
        assert_eq!(heard(b"\0\0\0\0").0, STOCK_TRANSCRIPT);
        assert_eq!(samples(0.5).len(), 24_000);
    }

    #[test]
    fn timestamps_cover_words_segments_and_characters() {
        let ts = timestamps_of("Hi there. Bye!", 1.4);
        let words: Vec<&str> = ts["word"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["word"].as_str().unwrap())
            .collect();
        assert_eq!(words, ["Hi", "there.", "Bye!"]);
        let segments: Vec<&str> = ts["segment"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["text"].as_str().unwrap())
            .collect();
        assert_eq!(segments, ["Hi there.", "Bye!"]);
        assert_eq!(ts["char"].as_array().unwrap().len(), 12);
        assert_eq!(ts["segment"][1]["end"], json!(1.4));
    }

    #[test]
    fn malformed_containers_do_not_panic() {
        for data in [
            &b"RIFF\xff\xff\xff\xffWAVEfmt \xff\xff\xff\xff"[..],
            b"ID3\x04\0\0\x7f\x7f\x7f\x7fCOMM",
            b"ID3",
            b"",
        ] {
            let _ = heard(data);
            let _ = container(data);
        }
    }
}
