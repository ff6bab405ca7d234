//! The `private_chat` example (venice-examples), run against the offline
//! Venice. It needs the `tee` feature, which the examples' package leaves off
//! so that `cargo run --example quickstart` does not compile the crypto crates;
//! this package has it (venice-sdk's and venice-testing's defaults), so the
//! workspace's test run covers the example.

#![allow(clippy::unwrap_used)]

use venice_testing::OfflineVenice;

#[allow(dead_code)]
#[path = "../../venice-examples/examples/private_chat.rs"]
mod private_chat;

#[tokio::test]
async fn private_chat_is_attested_and_decrypted() {
    let venice = OfflineVenice::start().await;
    let out = private_chat::run(&venice.client()).await.unwrap();
    assert!(out.model.starts_with("e2ee-"), "{}", out.model);
    assert!(out.attested);
    assert!(out.answer.contains("Rayleigh scattering"), "{}", out.answer);
    assert_eq!(venice.calls("getTeeAttestation"), 2);
    assert_eq!(venice.calls("createChatCompletion"), 1);
}
