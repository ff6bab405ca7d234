//! Private chat: `client.tee()` — a confidential model's attestation, checked
//! ([`Tee::attestation`]), and end-to-end encrypted chat on a session opened
//! only from an attestation that passed ([`Tee::session`],
//! [`TeeSession::chat`]). What is checked and what it proves is on
//! [`Tee`]'s page (`src/tee/privacy.md`).
//!
//! Neither endpoint use is in the OpenAPI document: the operations are
//! described here, by hand, and sent on the same path as every other call
//! (retries, limits, redaction, tracing).

use std::fmt;
use std::sync::Arc;

use k256::{PublicKey, SecretKey};
use reqwest::header::HeaderValue;
use serde_json::Value;

use super::models::Capability;
use crate::error::{TeeError, TeeErrorKind};
use crate::operations::{self, Auth, Method, Operation, OperationExt as _};
use crate::stream::{ChatCompletionChunk, ChatStream};
use crate::tee::Attestation;
use crate::tee::crypto::{self, OpenError};
use crate::transport::Call;
use crate::{Client, Error, Response, types};

/// `GET /tee/attestation?model=<id>&nonce=<64 hex>` — not in the OpenAPI
/// document. Answers the enclave's `signing_address`, `signing_public_key`
/// (uncompressed secp256k1, hex), `signing_algo` (`ecdsa`), the echoed
/// `nonce`, `intel_quote` (a hex TDX v4 quote), `nvidia_payload`,
/// `server_verification` (with `tdx.reportData`), `verified`,
/// `tee_provider`, `tee_hardware` and `model`. A read: retried like any `GET`.
const TEE_ATTESTATION: Operation = Operation::outside_spec(
    "getTeeAttestation",
    "get_tee_attestation",
    Method::Get,
    "/tee/attestation",
    Auth::Bearer,
);

/// `POST /chat/completions` of an `e2ee-*` model — the spec's chat
/// completion with non-spec parts: every message's `content` encrypted to the
/// enclave's key, `stream: true`, and the headers
/// `X-Venice-TEE-Client-Pub-Key` (the session's public key, 130 hex digits),
/// `X-Venice-TEE-Model-Pub-Key` (the enclave's key, as attested) and
/// `X-Venice-TEE-Signing-Algo: ecdsa`. The answer is the usual
/// `chat.completion.chunk` event stream, each delta's content encrypted to
/// the session's key. The plaintext request is checked against
/// `createChatCompletion`'s value rules before it is encrypted (so this
/// operation has none of its own).
const CREATE_E2EE_CHAT_COMPLETION: Operation = Operation::outside_spec(
    "createE2eeChatCompletion",
    "create_e2ee_chat_completion",
    Method::Post,
    "/chat/completions",
    Auth::BearerOrWallet,
)
.with_header_params(&[
    "X-Venice-TEE-Client-Pub-Key",
    "X-Venice-TEE-Model-Pub-Key",
    "X-Venice-TEE-Signing-Algo",
]);

impl Client {
    /// Private chat with confidential (`e2ee-*`) models: attestations and
    /// end-to-end encrypted sessions. Needs the `tee` feature (on by default).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let session = client.tee().session("e2ee-gemma-3-27b-p").await?;
    /// # Ok(()) }
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "tee")))]
    pub fn tee(&self) -> Tee<'_> {
        Tee { client: self }
    }
}

/// Private chat: `client.tee()`.
///
#[doc = include_str!("../tee/privacy.md")]
///
/// # Example
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let attestation = client.tee().attestation("e2ee-gemma-3-27b-p").await?;
/// println!("attested: {}", attestation.report.passed());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Tee<'a> {
    client: &'a Client,
}

impl Tee<'_> {
    /// Fetches `model`'s attestation for a fresh 32-byte nonce (from the OS
    /// random source) and checks it: the [`report`](Attestation::report)
    /// says which checks passed. A failed check is not an error here (look
    /// at the report); [`session`](Self::session) refuses one.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let attestation = client.tee().attestation("e2ee-gemma-3-27b-p").await?;
    /// if !attestation.report.passed() {
    ///     eprintln!("{:?}", attestation.report.failures());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn attestation(&self, model: &str) -> Result<Response<Attestation>, Error> {
        if model.trim().is_empty() {
            return Err(Error::invalid("model", "is empty"));
        }
        let nonce = crypto::random_nonce().map_err(|_| random_failed(model))?;
        let answer: Response<Value> = Call::new(&TEE_ATTESTATION)
            .query("model", model)
            .query("nonce", crypto::hex(&nonce))
            .json(self.client.config())
            .await?;
        Ok(answer.map(|json| Attestation::verify(&json, &nonce)))
    }

    /// Opens an end-to-end encrypted session with `model`: checks that
    /// `/models` lists it with `supportsE2EE`, fetches and checks its
    /// attestation, and makes a session key (from the OS random source).
    ///
    /// Refused with [`Error::Tee`]: a model without end-to-end encryption
    /// ([`TeeErrorKind::NotE2ee`]), or an attestation that did not pass every
    /// check or names another model ([`TeeErrorKind::AttestationFailed`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// let session = client.tee().session("e2ee-gemma-3-27b-p").await?;
    /// let request = ChatCompletionRequest::new(session.model(), [Message::user("A secret question")]);
    /// let answer = session.chat(request).await?.collect_completion().await?;
    /// println!("{}", answer.text().unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub async fn session(&self, model: &str) -> Result<TeeSession, Error> {
        let base = model.split(':').next().unwrap_or(model);
        let e2ee = self
            .client
            .models()
            .with_capability(Capability::E2ee)
            .await?;
        if !e2ee.iter().any(|id| id == base) {
            return Err(TeeError::error(TeeErrorKind::NotE2ee, model));
        }
        let attestation = self.attestation(model).await?.into_inner();
        TeeSession::open(self.client.clone(), model, attestation)
    }
}

/// An end-to-end encrypted chat session with one confidential model, opened
/// by [`Tee::session`] from an attestation that passed.
///
/// Holds the session's secp256k1 key (zeroized when the session is dropped;
/// never in `Debug`, logs or errors) and the enclave's attested key. Each
/// [`chat`](Self::chat) encrypts every message to the enclave, with a fresh
/// key per message, and decrypts the streamed answer.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let session = client.tee().session("e2ee-gemma-3-27b-p").await?;
/// println!("{session:?}");
/// # Ok(()) }
/// ```
pub struct TeeSession {
    client: Client,
    model: String,
    attestation: Attestation,
    model_key: PublicKey,
    model_key_hex: String,
    /// Zeroized when the last holder (the session, a stream) drops it.
    session_key: Arc<SecretKey>,
    session_public_hex: String,
}

impl fmt::Debug for TeeSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TeeSession")
            .field("model", &self.model)
            .field("model_public_key", &self.model_key_hex)
            .field("client_public_key", &self.session_public_hex)
            .finish_non_exhaustive()
    }
}

impl TeeSession {
    /// A session on `attestation`, which must have passed and name `model`.
    fn open(client: Client, model: &str, attestation: Attestation) -> Result<TeeSession, Error> {
        let mut failures = attestation.report.failures();
        let base = model.split(':').next().unwrap_or(model);
        match attestation.model.as_deref() {
            Some(named) if named == base => {}
            Some(_) => failures.push("model: the attestation is for another model".to_owned()),
            None => failures.push("model: the answer has no `model`".to_owned()),
        }
        let key = attestation
            .key()
            .filter(|_| attestation.report.signing_address.passed() && failures.is_empty())
            .copied();
        let Some(model_key) = key else {
            return Err(TeeError::error(
                TeeErrorKind::AttestationFailed { failures },
                model,
            ));
        };
        let session_key = crypto::random_key().map_err(|_| random_failed(model))?;
        let session_public_hex = crypto::hex(&crypto::point(&session_key.public_key()));
        Ok(TeeSession {
            client,
            model: model.to_owned(),
            model_key_hex: crypto::hex(&crypto::point(&model_key)),
            model_key,
            attestation,
            session_key: Arc::new(session_key),
            session_public_hex,
        })
    }

    /// The model of this session.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let session = client.tee().session("e2ee-gemma-3-27b-p").await?;
    /// assert!(session.model().starts_with("e2ee-"));
    /// # Ok(()) }
    /// ```
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The attestation the session was opened from (every check passed).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let session = client.tee().session("e2ee-gemma-3-27b-p").await?;
    /// println!("enclave {:?} on {:?}", session.attestation().signing_address, session.attestation().tee_hardware);
    /// # Ok(()) }
    /// ```
    pub fn attestation(&self) -> &Attestation {
        &self.attestation
    }

    /// The session's public key (uncompressed secp256k1, 130 lowercase hex
    /// digits), which the enclave encrypts the answers to.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let session = client.tee().session("e2ee-gemma-3-27b-p").await?;
    /// assert_eq!(session.client_public_key().len(), 130);
    /// # Ok(()) }
    /// ```
    pub fn client_public_key(&self) -> &str {
        &self.session_public_hex
    }

    /// Sends an end-to-end encrypted, streamed chat completion and returns
    /// the stream of its decrypted chunks: a plain [`ChatStream`]
    /// (`collect_completion()`, `text()`, …).
    ///
    /// The request is checked against the chat completion's rules in
    /// plaintext, then each message's content is encrypted to the enclave
    /// with a fresh key; `stream` is set. `request.model` must be the
    /// session's model. Only text content can be encrypted: a message whose
    /// content is not a string (image parts, no content) is refused with
    /// [`TeeErrorKind::UnsupportedContent`] and nothing is sent.
    ///
    /// Each delta's `content` and `reasoning_content` are decrypted with the
    /// session's key. A delta that does not decrypt or authenticate
    /// ([`TeeErrorKind::Decrypt`]), or that is plain text where ciphertext
    /// was expected ([`TeeErrorKind::NotEncrypted`]), ends the stream with
    /// that error: no ciphertext is ever handed out as text.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let session = client.tee().session("e2ee-gemma-3-27b-p").await?;
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// let request = ChatCompletionRequest::new(session.model(), [Message::user("Hello")]);
    /// let mut stream = session.chat(request).await?;
    /// while let Some(chunk) = stream.next().await {
    ///     print!("{}", chunk?.delta_text());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn chat(&self, request: types::ChatCompletionRequest) -> Result<ChatStream, Error> {
        operations::CREATE_CHAT_COMPLETION.check(&request)?;
        let mut body =
            serde_json::to_value(&request).map_err(|e| Error::invalid("body", e.to_string()))?;
        if body.get("model").and_then(Value::as_str) != Some(self.model.as_str()) {
            return Err(Error::invalid(
                "model",
                format!(
                    "is not this private session's model ({}); open a session for the other model",
                    self.model
                ),
            ));
        }
        let messages = body
            .get_mut("messages")
            .and_then(Value::as_array_mut)
            .ok_or_else(|| Error::invalid("messages", "is missing"))?;
        for (index, message) in messages.iter_mut().enumerate() {
            match message.get_mut("content") {
                Some(Value::String(text)) => {
                    let sealed = crypto::seal(&self.model_key, text.as_bytes())
                        .map_err(|_| random_failed(&self.model))?;
                    *text = sealed;
                }
                _ => {
                    return Err(TeeError::error(
                        TeeErrorKind::UnsupportedContent { message: index },
                        &self.model,
                    ));
                }
            }
        }
        if let Some(object) = body.as_object_mut() {
            object.insert("stream".to_owned(), Value::Bool(true));
        }
        let header = |value: &str| {
            HeaderValue::from_str(value)
                .map_err(|_| Error::invalid("headers", "not a header value"))
        };
        let source = Call::new(&CREATE_E2EE_CHAT_COMPLETION)
            .header(
                "x-venice-tee-client-pub-key",
                header(&self.session_public_hex)?,
            )
            .header("x-venice-tee-model-pub-key", header(&self.model_key_hex)?)
            .header(
                "x-venice-tee-signing-algo",
                HeaderValue::from_static("ecdsa"),
            )
            .body(&body)?
            .event_stream(self.client.config())
            .await?;
        let key = Arc::clone(&self.session_key);
        let model = self.model.clone();
        Ok(ChatStream::mapped(
            source,
            Box::new(move |chunk| decrypt_chunk(&key, &model, chunk)),
        ))
    }
}

/// A chunk with its deltas' `content` and `reasoning_content` decrypted.
fn decrypt_chunk(
    key: &SecretKey,
    model: &str,
    mut chunk: ChatCompletionChunk,
) -> Result<ChatCompletionChunk, Error> {
    for choice in &mut chunk.choices {
        let index = choice.index;
        let delta = &mut choice.delta;
        for field in [&mut delta.content, &mut delta.reasoning_content] {
            let Some(text) = field.as_mut().filter(|t| !t.is_empty()) else {
                continue;
            };
            let plain = crypto::open(key, text).map_err(|e| {
                let kind = match e {
                    OpenError::NotEnvelope => TeeErrorKind::NotEncrypted { choice: index },
                    OpenError::Authentication => TeeErrorKind::Decrypt { choice: index },
                };
                TeeError::error(kind, model)
            })?;
            *text = String::from_utf8(plain.to_vec())
                .map_err(|_| TeeError::error(TeeErrorKind::Decrypt { choice: index }, model))?;
        }
    }
    Ok(chunk)
}

fn random_failed(model: &str) -> Error {
    TeeError::error(TeeErrorKind::Random, model)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::tee::AttestationCheck;

    /// The recorded live attestation and the nonce its request sent.
    fn recorded() -> Attestation {
        let envelope: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/recorded/tee_attestation/2.json"
        ))
        .unwrap();
        let body: Value =
            serde_json::from_str(envelope["response"]["body"].as_str().unwrap()).unwrap();
        let query = envelope["request"]["query"].as_str().unwrap();
        let nonce = query.split("nonce=").nth(1).unwrap();
        let nonce: [u8; 32] = crypto::unhex(nonce).unwrap().try_into().unwrap();
        Attestation::verify(&body, &nonce)
    }

    /// A client that sends nothing in these tests; a loopback `http://` base
    /// URL, so that it builds without a TLS feature too.
    fn client() -> Client {
        Client::builder()
            .api_key("vk-test")
            .base_url("http://127.0.0.1:9/api/v1")
            .build()
            .unwrap()
    }

    #[test]
    fn a_session_opens_only_on_a_passed_attestation_of_its_model() {
        let attestation = recorded();
        assert!(attestation.report.passed());
        let session =
            TeeSession::open(client(), "e2ee-gemma-3-27b-p", attestation.clone()).unwrap();
        assert_eq!(session.model(), "e2ee-gemma-3-27b-p");
        assert_eq!(
            session.model_key_hex,
            attestation.signing_public_key.clone().unwrap()
        );
        // A feature suffix names the same model.
        assert!(TeeSession::open(client(), "e2ee-gemma-3-27b-p:x=1", attestation.clone()).is_ok());

        let err = TeeSession::open(client(), "e2ee-other-model", attestation.clone()).unwrap_err();
        let Error::Tee(tee) = err else { panic!() };
        let TeeErrorKind::AttestationFailed { failures } = tee.kind else {
            panic!()
        };
        assert_eq!(failures, ["model: the attestation is for another model"]);

        let mut failed = attestation;
        failed.report.debug_disabled = AttestationCheck::Failed("debug".into());
        let err = TeeSession::open(client(), "e2ee-gemma-3-27b-p", failed).unwrap_err();
        assert!(err.to_string().contains("debug_disabled: debug"), "{err}");
    }

    #[test]
    fn deltas_are_decrypted_or_refused() {
        let key = crypto::random_key().unwrap();
        let sealed = crypto::seal(&key.public_key(), "Hi".as_bytes()).unwrap();
        let chunk = |content: &str| -> ChatCompletionChunk {
            serde_json::from_value(serde_json::json!({
                "choices": [{"index": 2, "delta": {"role": "assistant", "content": content}}]
            }))
            .unwrap()
        };
        let opened = decrypt_chunk(&key, "m", chunk(&sealed)).unwrap();
        assert_eq!(opened.delta_text(), "Hi");
        // An empty delta stays empty.
        assert_eq!(
            decrypt_chunk(&key, "m", chunk("")).unwrap().delta_text(),
            ""
        );
        let kind = |result: Result<ChatCompletionChunk, Error>| match result {
            Err(Error::Tee(tee)) => tee.kind,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            kind(decrypt_chunk(&key, "m", chunk("Hi"))),
            TeeErrorKind::NotEncrypted { choice: 2 }
        );
        let other = crypto::random_key().unwrap();
        assert_eq!(
            kind(decrypt_chunk(&other, "m", chunk(&sealed))),
            TeeErrorKind::Decrypt { choice: 2 }
        );
    }
}
