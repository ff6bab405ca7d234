//! The details of the API's refusals that ask something of the user: the
//! consent a video model needs (`409 needs_consent`) and a provider's content
//! policy (`422 provider_content_policy`), read leniently from the error
//! body's JSON (every field may be missing; the spec is a hint).
//!
//! Plain data: [`ApiError`](crate::ApiError) and
//! [`JobErrorKind`](crate::JobErrorKind) hand these out, and
//! `resources/video.rs` sends a consent with
//! [`ConsentRequired::apply_to`].

use serde_json::Value;

/// The error code of a refusal asking for consent.
pub(crate) const NEEDS_CONSENT: &str = "needs_consent";

/// The error type of a provider's content policy refusal.
pub(crate) const PROVIDER_CONTENT_POLICY: &str = "provider_content_policy";

/// How many face media roles are read from one refusal.
const MAX_ROLES: usize = 64;

/// A video model needs the user's consent before the job can be queued
/// (`409` with code `needs_consent` from `POST /video/queue`): the submitted
/// media contains faces, and the model's provider requires the user to accept
/// its face-media policy first. Nothing was queued or charged.
///
/// What to do: show [`policy_text`](Self::policy_text) (and
/// [`docs_url`](Self::docs_url)) to the user; only if the user explicitly
/// accepts it, record the acceptance with [`ConsentAcceptance`], put it on the
/// request with [`apply_to`](Self::apply_to) and queue again.
///
/// ```no_run
/// # async fn run(client: venice_sdk::Client, mut request: venice_sdk::types::QueueVideoRequest) -> Result<(), venice_sdk::Error> {
/// use venice_sdk::{ConsentAcceptance, Error};
///
/// let job = match client.video().generate(request.clone()).await {
///     Err(Error::Api(e)) if e.consent().is_some() => {
///         let consent = e.consent().unwrap_or_default();
///         println!("{}", consent.policy_text.as_deref().unwrap_or(""));
///         // Ask the user; here they accepted every statement.
///         let accepted = ConsentAcceptance::new()
///             .terms_and_privacy(true)
///             .legal_right(true)
///             .screening_acknowledged(true);
///         consent.apply_to(&mut request, accepted)?;
///         client.video().generate(request).await?
///     }
///     other => other?,
/// };
/// # let _ = job; Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConsentRequired {
    /// Which consent is asked for (`consent_flow`: `seedance`); it names the
    /// request's `consents` entry.
    pub flow: Option<String>,
    /// The version of the policy (`consent.consent_version`).
    pub version: Option<String>,
    /// The policy to show the user before they accept it
    /// (`consent.policy_text`).
    pub policy_text: Option<String>,
    /// Which of the request's media contain faces (`face_media_roles`:
    /// `image`, `end_image`, `reference_image`, `video`, `reference_video`).
    pub face_media_roles: Vec<String>,
    /// Venice's documentation of the consent (`docs_url`).
    pub docs_url: Option<String>,
}

impl ConsentRequired {
    /// The consent asked for by an error body, if it is a `needs_consent`
    /// refusal (its code in `error.code` or `code`).
    pub(crate) fn from_body(body: &Value) -> Option<ConsentRequired> {
        if error_tag(body, "code") != Some(NEEDS_CONSENT) {
            return None;
        }
        let consent = body.get("consent");
        Some(ConsentRequired {
            flow: text(body.get("consent_flow")),
            version: text(consent.and_then(|c| c.get("consent_version"))),
            policy_text: text(consent.and_then(|c| c.get("policy_text"))),
            face_media_roles: body
                .get("face_media_roles")
                .and_then(Value::as_array)
                .map(|roles| {
                    roles
                        .iter()
                        .filter_map(Value::as_str)
                        .take(MAX_ROLES)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            docs_url: text(body.get("docs_url")),
        })
    }
}

/// The user's explicit answers to a consent request: each statement counts as
/// accepted only when set to `true` here, and
/// [`ConsentRequired::apply_to`] refuses an acceptance missing one. Build it
/// from what the user actually answered, never by default.
///
/// ```
/// use venice_sdk::ConsentAcceptance;
///
/// let answered = ConsentAcceptance::new()
///     .terms_and_privacy(true)
///     .legal_right(true)
///     .screening_acknowledged(true);
/// assert!(answered.is_complete());
/// assert!(!ConsentAcceptance::new().is_complete());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConsentAcceptance {
    /// The user accepts the policy text shown (`confirmed_terms_and_privacy`).
    pub terms_and_privacy: bool,
    /// The user has the legal right to use the face-bearing media
    /// (`confirmed_legal_right`).
    pub legal_right: bool,
    /// The user acknowledges the media may be screened before it is
    /// submitted (`confirmed_screening_acknowledged`).
    pub screening_acknowledged: bool,
}

impl ConsentAcceptance {
    /// Nothing accepted yet.
    ///
    /// ```
    /// assert!(!venice_sdk::ConsentAcceptance::new().terms_and_privacy);
    /// ```
    pub fn new() -> Self {
        ConsentAcceptance::default()
    }

    /// Whether the user accepts the policy text shown to them.
    ///
    /// ```
    /// let a = venice_sdk::ConsentAcceptance::new().terms_and_privacy(true);
    /// assert!(a.terms_and_privacy);
    /// ```
    pub fn terms_and_privacy(mut self, accepted: bool) -> Self {
        self.terms_and_privacy = accepted;
        self
    }

    /// Whether the user has the legal right to use the face-bearing media.
    ///
    /// ```
    /// let a = venice_sdk::ConsentAcceptance::new().legal_right(true);
    /// assert!(a.legal_right);
    /// ```
    pub fn legal_right(mut self, confirmed: bool) -> Self {
        self.legal_right = confirmed;
        self
    }

    /// Whether the user acknowledges that the media may be screened.
    ///
    /// ```
    /// let a = venice_sdk::ConsentAcceptance::new().screening_acknowledged(true);
    /// assert!(a.screening_acknowledged);
    /// ```
    pub fn screening_acknowledged(mut self, acknowledged: bool) -> Self {
        self.screening_acknowledged = acknowledged;
        self
    }

    /// Whether every statement is accepted.
    ///
    /// ```
    /// assert!(!venice_sdk::ConsentAcceptance::new().legal_right(true).is_complete());
    /// ```
    pub fn is_complete(&self) -> bool {
        self.terms_and_privacy && self.legal_right && self.screening_acknowledged
    }

    /// The attestations as the request's `consents.<flow>` entry sends them;
    /// the first statement not accepted, by its wire name, when one is not.
    pub(crate) fn attestations(&self) -> Result<Value, &'static str> {
        let statements = [
            ("confirmed_terms_and_privacy", self.terms_and_privacy),
            ("confirmed_legal_right", self.legal_right),
            (
                "confirmed_screening_acknowledged",
                self.screening_acknowledged,
            ),
        ];
        let mut entry = serde_json::Map::new();
        for (name, accepted) in statements {
            if !accepted {
                return Err(name);
            }
            entry.insert(name.to_owned(), Value::Bool(true));
        }
        Ok(Value::Object(entry))
    }
}

/// A model provider refused the job for its content policy (`422` with type
/// `provider_content_policy`, from `POST /video/retrieve`; as a job, a
/// [`JobErrorKind::ContentPolicy`](crate::JobErrorKind::ContentPolicy)).
/// Venice refunds the credits of the refused generation.
///
/// What to do: do not poll or queue the same request on the same model again;
/// queue it on the [`recommended_model`](Self::recommended_model) when there
/// is one (or change the prompt). [`credits_refunded`](Self::credits_refunded)
/// says whether the charge was given back.
///
/// ```no_run
/// # async fn run(job: venice_sdk::Job) -> Result<(), venice_sdk::Error> {
/// match job.wait().await {
///     Ok(mut media) => { media.save("out.mp4").await?; }
///     Err(e) => match e.content_policy() {
///         Some(refusal) => eprintln!(
///             "refused by the provider (refunded: {:?}); try {:?}",
///             refusal.credits_refunded, refusal.recommended_model
///         ),
///         None => return Err(e),
///     },
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ContentPolicyRefusal {
    /// Venice's explanation (`error.message`).
    pub message: Option<String>,
    /// Whether the credits of the refused generation were refunded
    /// (`error.credits_refunded`; `None` when not said).
    pub credits_refunded: Option<bool>,
    /// A model that may accept the request (`error.recommended_model`).
    pub recommended_model: Option<String>,
}

impl ContentPolicyRefusal {
    /// The refusal of an error body, if it is a `provider_content_policy`
    /// one (its type in `error.type`, `error.code`, `type` or `code`).
    pub(crate) fn from_body(body: &Value) -> Option<ContentPolicyRefusal> {
        let tagged = error_tag(body, "type") == Some(PROVIDER_CONTENT_POLICY)
            || error_tag(body, "code") == Some(PROVIDER_CONTENT_POLICY);
        if !tagged {
            return None;
        }
        // The fields sit in `error`; a flatter body is read too.
        let field = |name: &str| {
            body.get("error")
                .and_then(|e| e.get(name))
                .or_else(|| body.get(name))
        };
        Some(ContentPolicyRefusal {
            message: text(field("message")).or_else(|| text(body.get("error"))),
            credits_refunded: field("credits_refunded").and_then(|v| match v {
                Value::Bool(b) => Some(*b),
                Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
                Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
                _ => None,
            }),
            recommended_model: text(field("recommended_model")),
        })
    }
}

/// The string `name` of the body's `error` object, else of the body.
pub(crate) fn error_tag<'v>(body: &'v Value, name: &str) -> Option<&'v str> {
    body.get("error")
        .and_then(|e| e.get(name))
        .and_then(Value::as_str)
        .or_else(|| body.get(name).and_then(Value::as_str))
}

/// A non-empty string value.
fn text(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn consent_is_read_leniently() {
        let full = json!({
            "error": {"code": "needs_consent", "message": "m"},
            "consent_flow": "seedance",
            "face_media_roles": ["image", 7, "reference_video"],
            "consent": {"consent_version": "v1", "policy_text": "p"},
            "docs_url": "https://docs"
        });
        let c = ConsentRequired::from_body(&full).unwrap();
        assert_eq!(c.flow.as_deref(), Some("seedance"));
        assert_eq!(c.version.as_deref(), Some("v1"));
        assert_eq!(c.policy_text.as_deref(), Some("p"));
        assert_eq!(c.face_media_roles, ["image", "reference_video"]);
        assert_eq!(c.docs_url.as_deref(), Some("https://docs"));
        let bare = ConsentRequired::from_body(&json!({"code": "needs_consent"})).unwrap();
        assert_eq!(bare, ConsentRequired::default());
        let odd =
            json!({"error": {"code": "needs_consent"}, "consent": [1], "face_media_roles": "x"});
        assert_eq!(
            ConsentRequired::from_body(&odd),
            Some(ConsentRequired::default())
        );
        assert_eq!(
            ConsentRequired::from_body(&json!({"error": "needs_consent"})),
            None
        );
        assert_eq!(ConsentRequired::from_body(&json!([1])), None);
    }

    #[test]
    fn content_policy_is_read_leniently() {
        let r = ContentPolicyRefusal::from_body(&json!({"error": {
            "type": "provider_content_policy", "message": "m",
            "credits_refunded": "TRUE", "recommended_model": "wan"
        }}))
        .unwrap();
        assert_eq!(r.message.as_deref(), Some("m"));
        assert_eq!(r.credits_refunded, Some(true));
        assert_eq!(r.recommended_model.as_deref(), Some("wan"));
        let flat = ContentPolicyRefusal::from_body(&json!({
            "error": "refused", "code": "provider_content_policy", "credits_refunded": 1
        }))
        .unwrap();
        assert_eq!(flat.message.as_deref(), Some("refused"));
        assert_eq!(flat.credits_refunded, None);
        assert_eq!(
            ContentPolicyRefusal::from_body(&json!({"error": {"type": "other"}})),
            None
        );
    }

    #[test]
    fn an_incomplete_acceptance_names_the_missing_statement() {
        assert_eq!(
            ConsentAcceptance::new()
                .terms_and_privacy(true)
                .attestations(),
            Err("confirmed_legal_right")
        );
        let all = ConsentAcceptance::new()
            .terms_and_privacy(true)
            .legal_right(true)
            .screening_acknowledged(true);
        assert_eq!(
            all.attestations(),
            Ok(
                json!({"confirmed_terms_and_privacy": true, "confirmed_legal_right": true,
                      "confirmed_screening_acknowledged": true})
            )
        );
    }
}
