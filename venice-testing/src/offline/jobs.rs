//! Queued generation jobs: `/video/{quote,queue,retrieve,complete}` and
//! `/audio/{quote,queue,retrieve,complete}` (music).
//!
//! A queued job answers `PROCESSING` to its first [`PROCESSING_RETRIEVES`]
//! retrieves, with a growing `execution_duration`, then its media: an MP4
//! (`video/mp4`) or an MP3 (`audio/mpeg`). Video model [`VPS_VIDEO_MODEL`]
//! behaves like Venice's VPS-backed models: `queue` returns a `download_url`
//! (on the storage listener, another origin than the API's, under `/media/`) and `retrieve` answers `COMPLETED` in JSON
//! instead of the video; the URL serves the MP4 to a `GET` without an
//! `Authorization` header (with one: 400), honours `Range: bytes=N-` (206), and
//! a `DELETE` revokes it. A prompt containing [`FAIL_MARKER`] makes the job
//! answer `FAILED` after processing; one containing [`EXPIRE_MARKER`] makes it
//! vanish (404); one containing [`CONTENT_POLICY_MARKER`] makes retrieve
//! answer Venice's `422 provider_content_policy` after processing (and refund
//! the job's cost). A video prompt containing [`CONSENT_MARKER`] is refused
//! with Venice's `409 needs_consent` until the request carries the Seedance
//! consent (`consents.seedance`, every statement `true`). `complete` (or a
//! retrieve with `delete_media_on_completion`) deletes the job; an unknown
//! job is a 404.

use serde_json::{Value, json};

use super::{Reply, State};
use crate::util;

/// How many retrieves of a job answer `PROCESSING` before its media.
pub(crate) const PROCESSING_RETRIEVES: u32 = 2;

/// The offline video model that answers like Venice's VPS-backed models.
pub(crate) const VPS_VIDEO_MODEL: &str = "offline-vps-text-to-video";

/// A prompt containing this makes the job fail (`status: "FAILED"`) once it
/// has processed.
pub(crate) const FAIL_MARKER: &str = "[offline:fail]";

/// A prompt containing this makes the job expire (404) once it has processed.
pub(crate) const EXPIRE_MARKER: &str = "[offline:expire]";

/// A prompt containing this makes retrieve answer `422` with type
/// `provider_content_policy` once the job has processed (credits refunded).
pub(crate) const CONTENT_POLICY_MARKER: &str = "[offline:content-policy]";

/// A video prompt containing this is refused with `409 needs_consent` until
/// the request carries the Seedance consent.
pub(crate) const CONSENT_MARKER: &str = "[offline:consent]";

/// The consent version the offline Venice asks for.
pub(crate) const CONSENT_VERSION: &str = "seedance-face-media-2026-07-01";

/// The model the offline Venice recommends after a content policy refusal.
pub(crate) const RECOMMENDED_MODEL: &str = "wan-2-7-text-to-video";

/// The path under which download URLs are served.
pub(crate) const MEDIA_PATH: &str = "/media/";

/// What Venice answers for a job it does not have.
const NOT_FOUND: &str = "Media could not be found. Request may be invalid, expired, or deleted.";

/// Video or audio.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Video,
    Audio,
}

impl Kind {
    /// The usual total run time, in milliseconds (`average_execution_time`).
    fn average_ms(self) -> u64 {
        match self {
            Kind::Video => 145_000,
            Kind::Audio => 20_000,
        }
    }
}

/// A queued job.
#[derive(Clone, Debug)]
pub(crate) struct Job {
    kind: Kind,
    model: String,
    prompt: String,
    seconds: u64,
    retrieves: u32,
    /// The token of its `download_url`, until revoked.
    token: Option<String>,
}

/// The queued jobs, by queue id.
pub(crate) type Jobs = std::collections::HashMap<String, Job>;

/// A required, non-empty string field, or the 400 Venice answers.
fn required<'a>(body: &'a Value, key: &str) -> Result<&'a str, Reply> {
    match body.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
        Some(Value::String(_)) => Err(Reply::invalid(
            json!({key: {"_errors": ["String must contain at least 1 character(s)"]}}),
        )),
        Some(_) => Err(Reply::invalid(
            json!({key: {"_errors": ["Expected string"]}}),
        )),
        None => Err(Reply::invalid(json!({key: {"_errors": ["Required"]}}))),
    }
}

/// Seconds of a video `duration` (`"5s"`; `"Auto"` and `"1 gen"` count as 5).
fn video_seconds(body: &Value) -> Result<u64, Reply> {
    let duration = required(body, "duration")?;
    match duration
        .strip_suffix('s')
        .and_then(|n| n.parse::<u64>().ok())
    {
        Some(n @ 2..=30) => Ok(n),
        _ if matches!(duration, "Auto" | "1 gen") => Ok(5),
        _ => Err(Reply::invalid(
            json!({"duration": {"_errors": [format!("Invalid enum value: {duration}")]}}),
        )),
    }
}

/// Seconds of an audio `duration_seconds` (a positive integer or a numeric
/// string; 30 when absent).
fn audio_seconds(body: &Value) -> Result<u64, Reply> {
    let invalid = || {
        Reply::invalid(json!({"duration_seconds": {"_errors": ["Expected a positive integer"]}}))
    };
    match body.get("duration_seconds") {
        None | Some(Value::Null) => Ok(30),
        Some(Value::Number(n)) => n.as_u64().filter(|n| *n > 0).ok_or_else(invalid),
        Some(Value::String(s)) => s.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(invalid),
        Some(_) => Err(invalid()),
    }
}

/// `POST /video/quote`: a price from the duration, resolution and audio.
pub(crate) fn quote_video(body: &Value) -> Reply {
    quote(Kind::Video, body)
}

/// `POST /audio/quote`: a price from the duration or the character count.
pub(crate) fn quote_audio(body: &Value) -> Reply {
    quote(Kind::Audio, body)
}

fn quote(kind: Kind, body: &Value) -> Reply {
    if let Err(reply) = required(body, "model") {
        return reply;
    }
    let quote = match kind {
        Kind::Video => {
            let seconds = match video_seconds(body) {
                Ok(s) => s,
                Err(reply) => return reply,
            };
            let per_second = match body.get("resolution").and_then(Value::as_str) {
                Some("1080p" | "true_1080p") => 0.15,
                Some("1440p" | "2160p" | "4k") => 0.30,
                Some("480p" | "360p" | "256p") => 0.05,
                _ => 0.10,
            };
            let audio = if body.get("audio").and_then(Value::as_bool) == Some(false) {
                1.0
            } else {
                1.2
            };
            seconds as f64 * per_second * audio
        }
        Kind::Audio => {
            if let Some(chars) = body.get("character_count") {
                match chars.as_u64().filter(|n| *n > 0) {
                    Some(n) => n as f64 * 0.0003,
                    None => {
                        return Reply::invalid(
                            json!({"character_count": {"_errors": ["Expected a positive integer"]}}),
                        );
                    }
                }
            } else {
                match audio_seconds(body) {
                    Ok(seconds) => seconds as f64 * 0.0125,
                    Err(reply) => return reply,
                }
            }
        }
    };
    Reply::json(
        200,
        &json!({"quote": (quote * 10_000.0).round() / 10_000.0}),
    )
}

/// `POST /video/queue` and `POST /audio/queue`.
pub(crate) fn queue(state: &State, kind: Kind, body: &Value) -> Reply {
    let (model, prompt) = match (required(body, "model"), required(body, "prompt")) {
        (Ok(model), Ok(prompt)) => (model.to_owned(), prompt.to_owned()),
        (Err(reply), _) | (_, Err(reply)) => return reply,
    };
    let seconds = match kind {
        Kind::Video => video_seconds(body),
        Kind::Audio => audio_seconds(body),
    };
    let seconds = match seconds {
        Ok(s) => s,
        Err(reply) => return reply,
    };
    if kind == Kind::Video && prompt.contains(CONSENT_MARKER) && !consented(body) {
        return needs_consent();
    }
    let queue_id = util::uuid(state.seed, state.next_id());
    let vps = kind == Kind::Video && model == VPS_VIDEO_MODEL;
    let token = vps.then(|| util::hex(state.seed, state.next_id(), 32));
    let job = Job {
        kind,
        model: model.clone(),
        prompt,
        seconds,
        retrieves: 0,
        token: token.clone(),
    };
    state.with(|inner| inner.jobs.insert(queue_id.clone(), job));
    let mut answer = json!({"model": model, "queue_id": queue_id});
    match kind {
        Kind::Video if vps => {
            answer["download_url"] = json!(format!(
                "{}{MEDIA_PATH}{queue_id}.mp4?expires=86400&token={}",
                state.media_url,
                token.unwrap_or_default()
            ));
        }
        Kind::Video => {}
        Kind::Audio => answer["status"] = json!("QUEUED"),
    }
    Reply::json(200, &answer).with_cost(job_cost(kind, seconds))
}

/// What a job of `seconds` costs, in USD.
fn job_cost(kind: Kind, seconds: u64) -> f64 {
    match kind {
        Kind::Video => seconds as f64 * 0.1,
        Kind::Audio => seconds as f64 * 0.0125,
    }
}

/// Whether a queue request carries the Seedance consent: every statement
/// `true`.
fn consented(body: &Value) -> bool {
    let entry = body.pointer("/consents/seedance");
    [
        "confirmed_terms_and_privacy",
        "confirmed_legal_right",
        "confirmed_screening_acknowledged",
    ]
    .iter()
    .all(|statement| entry.and_then(|e| e.get(statement)) == Some(&Value::Bool(true)))
}

/// Venice's `409` asking for the Seedance face-media consent.
fn needs_consent() -> Reply {
    Reply::json(
        409,
        &json!({
            "error": {
                "code": "needs_consent",
                "message": "Seedance consent is required before this request can be queued"
            },
            "consent_flow": "seedance",
            "face_media_roles": ["image"],
            "consent": {
                "consent_version": CONSENT_VERSION,
                "policy_text": "The submitted media contains faces. By continuing you accept the Seedance face-media terms and privacy policy, confirm you have the legal right to use this media, and acknowledge it may be screened before submission. (offline Venice)"
            },
            "docs_url": "https://docs.venice.ai/overview/guides/video-consent"
        }),
    )
}

/// The job a retrieve or complete names (`model` and `queue_id`), or the 400
/// or 404 Venice answers.
fn job_of(state: &State, kind: Kind, body: &Value) -> Result<(String, Job), Reply> {
    let model = required(body, "model")?;
    let queue_id = required(body, "queue_id")?;
    state
        .with(|inner| inner.jobs.get(queue_id).cloned())
        .filter(|job| job.kind == kind && job.model == model)
        .map(|job| (queue_id.to_owned(), job))
        .ok_or_else(|| Reply::error(404, NOT_FOUND))
}

/// `POST /video/retrieve` and `POST /audio/retrieve`.
pub(crate) fn retrieve(state: &State, kind: Kind, body: &Value) -> Reply {
    let (queue_id, job) = match job_of(state, kind, body) {
        Ok(found) => found,
        Err(reply) => return reply,
    };
    let retrieves = job.retrieves + 1;
    state.with(|inner| {
        if let Some(job) = inner.jobs.get_mut(&queue_id) {
            job.retrieves = retrieves;
        }
    });
    let average = kind.average_ms();
    if retrieves <= PROCESSING_RETRIEVES {
        // Each retrieve finds the job a third further along.
        let elapsed = average * u64::from(retrieves) / u64::from(PROCESSING_RETRIEVES + 1);
        return Reply::json(
            200,
            &json!({
                "status": "PROCESSING",
                "average_execution_time": average,
                "execution_duration": elapsed
            }),
        );
    }
    if job.prompt.contains(EXPIRE_MARKER) {
        state.with(|inner| inner.jobs.remove(&queue_id));
        return Reply::error(404, NOT_FOUND);
    }
    if job.prompt.contains(CONTENT_POLICY_MARKER) {
        // Refunded once, on the first refusal.
        let cost = job_cost(kind, job.seconds);
        let refund = retrieves == PROCESSING_RETRIEVES + 1;
        if refund {
            state.with(|inner| inner.balances.usd += cost);
        }
        return Reply::json(
            422,
            &json!({"error": {
                "message": format!(
                    "The selected model provider rejected this request due to its content policies. Credits have been refunded. Try using {RECOMMENDED_MODEL} instead."
                ),
                "type": "provider_content_policy",
                "recommended_model": RECOMMENDED_MODEL,
                "credits_refunded": true
            }}),
        );
    }
    if job.prompt.contains(FAIL_MARKER) {
        return Reply::json(
            200,
            &json!({
                "status": "FAILED",
                "error": "The generation failed (offline Venice: the prompt asked for it).",
                "average_execution_time": average,
                "execution_duration": average
            }),
        );
    }
    if body
        .get("delete_media_on_completion")
        .and_then(Value::as_bool)
        == Some(true)
    {
        state.with(|inner| inner.jobs.remove(&queue_id));
    }
    match kind {
        Kind::Video if job.model == VPS_VIDEO_MODEL => Reply::json(
            200,
            &json!({
                "status": "COMPLETED",
                "average_execution_time": average,
                "execution_duration": average
            }),
        ),
        Kind::Video => Reply::bytes("video/mp4", mp4(&job)),
        Kind::Audio => Reply::bytes("audio/mpeg", mp3(&job)),
    }
}

/// `POST /video/complete` and `POST /audio/complete`: deletes the job.
pub(crate) fn complete(state: &State, kind: Kind, body: &Value) -> Reply {
    match job_of(state, kind, body) {
        Ok((queue_id, _)) => {
            state.with(|inner| inner.jobs.remove(&queue_id));
            Reply::json(200, &json!({"success": true}))
        }
        Err(reply) => reply,
    }
}

/// A request to a `download_url`: `GET` serves the job's MP4 (from byte `N`
/// with `Range: bytes=N-`), `DELETE` revokes the URL. An `Authorization`
/// header is refused (400), a wrong token is a 403, and a revoked URL, an
/// unknown job or one not done yet is a 404.
pub(crate) fn media(
    state: &State,
    method: &str,
    path: &str,
    token: Option<&str>,
    authorization: bool,
    range: Option<&str>,
) -> Reply {
    if authorization {
        return Reply::error(
            400,
            "Download URLs take no Authorization header: the URL is the credential.",
        );
    }
    let queue_id = path
        .strip_prefix(MEDIA_PATH)
        .and_then(|rest| rest.strip_suffix(".mp4"))
        .unwrap_or("");
    let Some(job) = state.with(|inner| inner.jobs.get(queue_id).cloned()) else {
        return Reply::error(404, NOT_FOUND);
    };
    match (&job.token, token) {
        (Some(expected), Some(given)) if expected == given => {}
        (None, _) => return Reply::error(404, NOT_FOUND),
        _ => return Reply::error(403, "Invalid or expired download token."),
    }
    match method {
        "DELETE" => {
            state.with(|inner| {
                if let Some(job) = inner.jobs.get_mut(queue_id) {
                    job.token = None;
                }
            });
            Reply::json(200, &json!({"success": true}))
        }
        "GET" if job.retrieves <= PROCESSING_RETRIEVES => {
            Reply::error(404, "The video is not ready yet.")
        }
        "GET" => {
            let video = mp4(&job);
            let total = video.len();
            let from = range
                .and_then(|r| r.trim().strip_prefix("bytes="))
                .and_then(|r| r.strip_suffix('-'))
                .and_then(|n| n.parse::<usize>().ok());
            match from {
                Some(from) if from < total => {
                    let content_range = format!("bytes {from}-{}/{total}", total - 1);
                    Reply::new(206, "video/mp4", video[from..].to_vec()).with_headers(&[
                        ("content-range", &content_range),
                        ("accept-ranges", "bytes"),
                    ])
                }
                Some(_) => Reply::error(416, "Range not satisfiable")
                    .with_headers(&[("content-range", &format!("bytes */{total}"))]),
                None => {
                    Reply::bytes("video/mp4", video).with_headers(&[("accept-ranges", "bytes")])
                }
            }
        }
        _ => Reply::error(405, "Method not allowed"),
    }
}

/// An ISO base media box: size, type, payload.
fn mp4_box(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let size = u32::try_from(payload.len() + 8).unwrap_or(u32::MAX);
    let mut out = Vec::with_capacity(payload.len() + 8);
    out.extend_from_slice(&size.to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(payload);
    out
}

/// A small MP4: `ftyp` (isom), a `free` box naming the prompt, and an `mdat` of
/// bytes derived from the prompt (about 1 KiB per second of video).
fn mp4(job: &Job) -> Vec<u8> {
    let mut out = mp4_box(b"ftyp", b"isom\0\0\x02\0isomiso2avc1mp41");
    out.extend(mp4_box(
        b"free",
        format!("venice-offline: {}", job.prompt).as_bytes(),
    ));
    out.extend(mp4_box(b"mdat", &noise(&job.prompt, job.seconds * 1024)));
    out
}

/// A small MP3: an ID3v2.4 tag and silent MPEG-1 Layer III frames (128 kb/s,
/// 44.1 kHz; 4 frames per second of audio, capped).
fn mp3(job: &Job) -> Vec<u8> {
    let mut out = b"ID3\x04\0\0\0\0\0\0".to_vec();
    for _ in 0..job.seconds.min(60) * 4 {
        let mut frame = vec![0u8; 417];
        frame[..4].copy_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
        out.extend_from_slice(&frame);
    }
    out
}

/// `len` bytes that depend on `text`.
fn noise(text: &str, len: u64) -> Vec<u8> {
    let seed = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    (0..len.div_ceil(8))
        .flat_map(|i| util::mix(seed, i).to_le_bytes())
        .take(usize::try_from(len).unwrap_or(0))
        .collect()
}
