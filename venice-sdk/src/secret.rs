//! A string that never prints: API keys, sent or received.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A credential: the client's API key, or a key the API returns.
///
/// `Debug` prints `Secret(<redacted>)`; there is no `Display`. Read the value with
/// [`Secret::expose`] where it must really be used. It serializes as the plain
/// string, so response types that hold one round-trip unchanged.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The credential itself. Take care where it goes.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value_and_serde_keeps_it() {
        let s = Secret::new("vk-123456");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(
            format!("{:#?}", Some(&s)),
            "Some(\n    Secret(<redacted>),\n)"
        );
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"vk-123456\"");
        let back: Secret = serde_json::from_str("\"vk-123456\"").unwrap();
        assert_eq!(back.expose(), "vk-123456");
    }
}
