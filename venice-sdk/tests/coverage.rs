//! Every operation of the spec has an SDK method, or is in the short list of
//! deliberate omissions below (with the reason).
//!
//! A method names its operation's constant (`operations::CREATE_CHAT_COMPLETION`)
//! in `src/resources/`: the test reads the sources for each constant.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use venice_sdk::operations;

/// Operations the SDK leaves out on purpose, and why (also in the README).
const DELIBERATE_OMISSIONS: &[(&str, &str)] = &[(
    "getBillingUsage",
    "deprecated upstream: answers only 410 Gone (use billing().usage_analytics)",
)];

/// The constant the generator names an operation by (`listModels` → `LIST_MODELS`).
fn constant_of(id: &str) -> String {
    let generated =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/generated.rs"))
            .unwrap();
    let needle = format!("id: \"{id}\",");
    let at = generated.find(&needle).unwrap();
    let before = &generated[..at];
    let line = before
        .rfind("pub const ")
        .map(|start| &before[start + "pub const ".len()..])
        .unwrap();
    line.split(':').next().unwrap().trim().to_owned()
}

fn resource_sources() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/resources");
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            text.push_str(&std::fs::read_to_string(path).unwrap());
        }
    }
    text
}

/// Whether `sources` name `operations::CONSTANT` (not a longer constant that
/// starts the same way).
fn names_constant(sources: &str, constant: &str) -> bool {
    let needle = format!("operations::{constant}");
    sources.match_indices(&needle).any(|(at, _)| {
        !sources[at + needle.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
    })
}

#[test]
fn every_operation_has_a_method_or_a_reason() {
    let sources = resource_sources();
    let mut missing = Vec::new();
    for op in operations::ALL {
        let omitted = DELIBERATE_OMISSIONS.iter().any(|(id, _)| *id == op.id);
        let used = names_constant(&sources, &constant_of(op.id));
        match (used, omitted) {
            (true, true) => panic!("{} has a method and is listed as omitted", op.id),
            (false, false) => missing.push(format!("{} {} ({})", op.method, op.path, op.id)),
            _ => {}
        }
    }
    assert!(
        missing.is_empty(),
        "operations without an SDK method (add one, or a deliberate omission with its reason):\n{}",
        missing.join("\n")
    );
    for (id, _) in DELIBERATE_OMISSIONS {
        assert!(
            operations::ALL.iter().any(|op| op.id == *id),
            "{id} is no longer in the spec: drop it from the omissions"
        );
    }
}

#[test]
fn the_constant_finder_reads_the_generated_table() {
    assert_eq!(
        constant_of("createChatCompletion"),
        "CREATE_CHAT_COMPLETION"
    );
    assert_eq!(constant_of("listModelTraits"), "LIST_MODEL_TRAITS");
    assert!(names_constant("x(&operations::LIST_MODELS)", "LIST_MODELS"));
    assert!(!names_constant(
        "x(&operations::LIST_MODELS_2)",
        "LIST_MODELS"
    ));
}
