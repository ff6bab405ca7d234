//! What the READMEs promise users stays true of the code.

const READMES: [(&str, &str); 2] = [
    ("README.md", include_str!("../../README.md")),
    (
        "venice-sdk/README.md",
        include_str!("../../venice-sdk/README.md"),
    ),
];

/// The install sections name the spec version the SDK was generated from.
#[test]
fn the_readmes_name_the_spec_version() {
    for (path, text) in READMES {
        assert!(
            text.contains(venice_sdk::SPEC_VERSION),
            "{path} does not name the spec version {}: update its install section",
            venice_sdk::SPEC_VERSION
        );
    }
}

/// Every Cargo feature of venice-sdk is in both feature tables.
#[test]
fn the_readmes_list_every_feature() {
    let manifest = include_str!("../../venice-sdk/Cargo.toml");
    let features: Vec<&str> = manifest
        .split("\n[features]\n")
        .nth(1)
        .unwrap_or_default()
        .lines()
        .take_while(|line| !line.starts_with('['))
        .filter_map(|line| line.split_once(" = ").map(|(name, _)| name.trim()))
        .filter(|name| *name != "default" && !name.starts_with('#'))
        .collect();
    assert!(features.len() >= 7, "features not found: {features:?}");
    for (path, text) in READMES {
        for feature in &features {
            assert!(
                text.contains(&format!("`{feature}`")),
                "{path} does not document the feature `{feature}`"
            );
        }
    }
}
