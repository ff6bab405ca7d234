//! Audio: `client.audio()`.

use crate::Client;

impl Client {
    /// Audio: speech, transcription, voices and music generation.
    pub fn audio(&self) -> Audio<'_> {
        Audio { client: self }
    }
}

/// Audio: `client.audio()`.
#[derive(Clone, Copy, Debug)]
pub struct Audio<'a> {
    pub(crate) client: &'a Client,
}
