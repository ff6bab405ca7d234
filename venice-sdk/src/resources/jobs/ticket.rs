//! What identifies a media job: its kind ([`JobKind`], which owns the kind's
//! operations and accept header), the saveable [`JobTicket`], and the
//! [`DownloadUrl`] credential.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::transport::Call;
use crate::{Error, operations, shape, types};

/// Which API a job belongs to.
///
/// ```
/// use venice_sdk::{JobKind, JobTicket};
///
/// let ticket = JobTicket::new(JobKind::Audio, "elevenlabs-music", "a1b2c3");
/// assert_eq!(serde_json::to_value(&ticket).unwrap()["kind"], "audio");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum JobKind {
    /// Video generation (`/video/*`).
    Video,
    /// Music generation (`/audio/queue`, `/audio/retrieve`, …).
    Audio,
}

impl JobKind {
    /// What the job makes, for messages.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            JobKind::Video => "video",
            JobKind::Audio => "music",
        }
    }

    /// The operation id of the status poll.
    pub(super) fn retrieve_id(self) -> &'static str {
        match self {
            JobKind::Video => operations::RETRIEVE_VIDEO.id,
            JobKind::Audio => operations::RETRIEVE_AUDIO.id,
        }
    }

    /// What a request of this kind's operations accepts: the media or a
    /// JSON answer.
    pub(crate) fn accept(self) -> &'static str {
        match self {
            JobKind::Video => "video/mp4, video/*, application/json",
            JobKind::Audio => "audio/mpeg, audio/wav, audio/flac, audio/*, application/json",
        }
    }

    /// The media type prefix of the finished media.
    pub(super) fn expected(self) -> &'static str {
        match self {
            JobKind::Video => "video/",
            JobKind::Audio => "audio/",
        }
    }

    /// The status poll (`retrieve`) of a job, never deleting the media.
    pub(super) fn retrieve(self, model: &str, queue_id: &str) -> Result<Call<'static>, Error> {
        let ids = serde_json::json!({"model": model, "queue_id": queue_id});
        match self {
            #[cfg(feature = "video")]
            JobKind::Video => Call::new(&operations::RETRIEVE_VIDEO)
                .accept(self.accept())
                .body(&shape::convert::<types::RetrieveVideoRequest>(
                    "queue_id", ids,
                )?),
            #[cfg(feature = "audio")]
            JobKind::Audio => Call::new(&operations::RETRIEVE_AUDIO)
                .accept(self.accept())
                .body(&shape::convert::<types::RetrieveAudioRequest>(
                    "queue_id", ids,
                )?),
            #[allow(unreachable_patterns)] // with both areas
            _ => Err(self.not_built()),
        }
    }

    /// The error for a job of an area this build leaves out (a ticket saved by
    /// another build).
    #[allow(dead_code)] // with both areas
    fn not_built(self) -> Error {
        let feature = match self {
            JobKind::Video => "video",
            JobKind::Audio => "audio",
        };
        Error::Config(format!(
            "this is a {} job, and this build of venice-sdk leaves out its area: enable the `{feature}` feature",
            self.noun()
        ))
    }

    /// The cleanup (`complete`) of a job.
    pub(super) fn complete(self, model: &str, queue_id: &str) -> Result<Call<'static>, Error> {
        let ids = serde_json::json!({"model": model, "queue_id": queue_id});
        match self {
            #[cfg(feature = "video")]
            JobKind::Video => {
                Call::new(&operations::COMPLETE_VIDEO).body(&shape::convert::<
                    types::CompleteVideoRequest,
                >("queue_id", ids)?)
            }
            #[cfg(feature = "audio")]
            JobKind::Audio => {
                Call::new(&operations::COMPLETE_AUDIO).body(&shape::convert::<
                    types::CompleteAudioRequest,
                >("queue_id", ids)?)
            }
            #[allow(unreachable_patterns)] // with both areas
            _ => Err(self.not_built()),
        }
    }
}

/// A job's one-time `download_url`: it fetches the media without the API key,
/// so it is a credential of its own. `Debug` shows only its scheme and host;
/// the SDK never logs it or puts it in an error. It serializes as the plain
/// URL (a [`JobTicket`] is meant to be saved: keep it where you would keep a
/// key).
///
/// ```
/// use venice_sdk::DownloadUrl;
///
/// let url = DownloadUrl::new("https://storage.example/v/abc?sig=secret");
/// assert!(!format!("{url:?}").contains("secret"));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DownloadUrl(String);

impl DownloadUrl {
    /// Wraps a URL.
    ///
    /// ```
    /// use venice_sdk::DownloadUrl;
    ///
    /// let url = DownloadUrl::new("https://storage.example/v/abc?sig=secret");
    /// assert_eq!(url.expose(), "https://storage.example/v/abc?sig=secret");
    /// ```
    pub fn new(url: impl Into<String>) -> Self {
        DownloadUrl(url.into())
    }

    /// The URL itself.
    ///
    /// ```
    /// use venice_sdk::{DownloadUrl, JobKind, JobTicket};
    ///
    /// let ticket = JobTicket::new(JobKind::Video, "seedance-2-0-text-to-video", "q1")
    ///     .with_download_url(Some(DownloadUrl::new("https://storage.example/v/q1")));
    /// if let Some(url) = &ticket.download_url {
    ///     println!("fetch from {}", url.expose());
    /// }
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DownloadUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let origin = self
            .0
            .split_once("://")
            .map(|(scheme, rest)| {
                let host = rest.split(['/', '?', '#']).next().unwrap_or("");
                let host = host.rsplit('@').next().unwrap_or(host);
                format!("{scheme}://{host}")
            })
            .unwrap_or_default();
        write!(f, "DownloadUrl({origin}/<redacted>)")
    }
}

/// What identifies a queued job: enough to resume it after a restart
/// ([`Video::resume`](crate::Video::resume),
/// [`Audio::resume`](crate::Audio::resume)). Serializable (serde) as
/// `{"kind": "video", "model": …, "queue_id": …, "download_url": …}`.
///
/// `Debug` hides the `download_url` ([`DownloadUrl`]).
///
/// ```
/// use venice_sdk::{JobKind, JobTicket};
///
/// let ticket = JobTicket::new(JobKind::Video, "seedance-2-0-text-to-video", "q1");
/// let saved = serde_json::to_string(&ticket).unwrap();
/// let back: JobTicket = serde_json::from_str(&saved).unwrap();
/// assert_eq!(back, ticket);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JobTicket {
    /// Which API the job belongs to.
    pub kind: JobKind,
    /// The model that runs it.
    pub model: String,
    /// Its queue id.
    pub queue_id: String,
    /// The one-time URL of its media, for models that return one when the job
    /// is queued (the media is then fetched from there, without the API key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_url: Option<DownloadUrl>,
}

impl JobTicket {
    /// The ticket of a job of `kind`, without a `download_url`.
    ///
    /// ```
    /// use venice_sdk::{JobKind, JobTicket};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let request = venice_sdk::from_json(br#"{"model": "elevenlabs-music", "prompt": "Rain", "duration_seconds": 10}"#)?;
    /// # let queue_id = client.audio().queue(request).await?.into_inner().queue_id;
    /// let ticket = JobTicket::new(JobKind::Audio, "elevenlabs-music", queue_id);
    /// let job = client.audio().resume(ticket)?;
    /// # let job = job.poll_interval(std::time::Duration::from_millis(10));
    /// job.wait().await?.save(std::env::temp_dir().join("rain.mp3")).await?;
    /// # Ok(()) }
    /// ```
    pub fn new(kind: JobKind, model: impl Into<String>, queue_id: impl Into<String>) -> Self {
        JobTicket {
            kind,
            model: model.into(),
            queue_id: queue_id.into(),
            download_url: None,
        }
    }

    /// The same ticket with this `download_url` (or none).
    ///
    /// ```
    /// use venice_sdk::{DownloadUrl, JobKind, JobTicket};
    ///
    /// // A queue answer's `download_url`, kept with the ticket.
    /// let download_url = Some("https://storage.example/v/q1".to_owned());
    /// let ticket = JobTicket::new(JobKind::Video, "seedance-2-0-text-to-video", "q1")
    ///     .with_download_url(download_url.map(DownloadUrl::new));
    /// assert!(ticket.download_url.is_some());
    /// ```
    pub fn with_download_url(mut self, url: Option<DownloadUrl>) -> Self {
        self.download_url = url;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_of_an_area_left_out_names_the_feature_to_enable() {
        for (kind, feature) in [(JobKind::Video, "`video`"), (JobKind::Audio, "`audio`")] {
            let Error::Config(message) = kind.not_built() else {
                panic!("a configuration error");
            };
            assert!(message.contains(feature), "{message}");
            assert!(message.contains(kind.noun()), "{message}");
        }
    }

    #[test]
    fn download_urls_are_redacted_in_debug_but_serialized_whole() {
        let url = "https://media.example/v/abc.mp4?X-Signature=SECRET";
        let ticket =
            JobTicket::new(JobKind::Video, "m", "q").with_download_url(Some(DownloadUrl::new(url)));
        let shown = format!("{ticket:?}");
        assert!(
            !shown.contains("SECRET") && !shown.contains("abc"),
            "{shown}"
        );
        assert!(
            shown.contains("https://media.example/<redacted>"),
            "{shown}"
        );
        let saved = serde_json::to_string(&ticket).unwrap();
        assert!(
            saved.contains(url) && saved.contains("\"kind\":\"video\""),
            "{saved}"
        );
        let back: JobTicket = serde_json::from_str(&saved).unwrap();
        assert_eq!(back, ticket);
        let bare: JobTicket =
            serde_json::from_str(r#"{"kind":"audio","model":"m","queue_id":"q"}"#).unwrap();
        assert_eq!(bare.download_url, None);
        assert_eq!(
            format!("{:?}", DownloadUrl::new("no scheme")),
            "DownloadUrl(/<redacted>)"
        );
    }
}
