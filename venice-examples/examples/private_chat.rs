//! Private chat: check a confidential model's TEE attestation, then chat with
//! it end to end encrypted (prompts encrypted to the enclave's key, answers
//! decrypted with the session's key).
//!
//! ```sh
//! cargo run --example private_chat --features tee
//! ```
//!
//! Without `VENICE_API_KEY` it runs against the offline Venice, whose enclave
//! has a fixed key and a synthesized quote.

use venice_sdk::types::ChatCompletionRequest;
use venice_sdk::{Capability, Client, Message};

/// Any error of the example.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the example saw.
#[derive(Debug)]
pub struct PrivateChat {
    /// The model used.
    pub model: String,
    /// Whether every attestation check passed.
    pub attested: bool,
    /// The decrypted answer.
    pub answer: String,
}

/// Picks an end-to-end encrypted model, shows its attestation, and asks it a
/// question over an encrypted session.
pub async fn run(client: &Client) -> Result<PrivateChat, BoxError> {
    let Some(model) = client.models().pick(&[Capability::E2ee]).await? else {
        return Err("no model with end-to-end encryption is listed".into());
    };

    // 1. The attestation, checked with a fresh nonce.
    let attestation = client.tee().attestation(&model).await?;
    println!("1. attestation of {model}");
    for (check, outcome) in attestation.report.checks() {
        println!("   {check:<20} {outcome:?}");
    }
    println!("   (quote signature chain and GPU evidence: not verified by the SDK)");

    // 2. A session (opened only from an attestation that passes) and a chat.
    let session = client.tee().session(&model).await?;
    let request = ChatCompletionRequest::new(
        session.model(),
        [Message::user("Why is the sky blue? (asked privately)")],
    );
    let answer = session.chat(request).await?.collect_completion().await?;
    let text = answer.text().unwrap_or_default();
    println!("\n2. encrypted chat\n   {text}");
    Ok(PrivateChat {
        model,
        attested: attestation.report.passed(),
        answer: text,
    })
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    venice_testing::run_example(async |client| run(client).await).await
}
