//! `cargo xtask update` end to end on a scratch copy of the workspace, the new
//! spec served by a loopback HTTP server: it is downloaded, the client and the
//! mocks are regenerated, the impact report is saved and a CHANGELOG entry built
//! from it is prepended; run again on the same spec, it changes nothing.
//! (mutate-check and the public-API listing, each minutes of compiling, are
//! skipped here; CI runs both on the repository.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A scratch copy of what the update reads and writes.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("venice-xtask-update-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for file in [
        "spec/venice.yaml",
        "venice-sdk/src/generated.rs",
        "venice-testing/src/generated.rs",
        "CHANGELOG.md",
    ] {
        let dest = dir.join(file);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(root().join(file), dest).unwrap();
    }
    dir
}

/// Serves `body` to every request on a loopback port; returns its URL.
fn serve(body: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/swagger.yaml", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/yaml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

fn update(dir: &Path, url: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "update",
            "--no-mutate-check",
            "--no-public-api",
            "--url",
            url,
            "--root",
        ])
        .arg(dir)
        .output()
        .unwrap()
}

#[test]
fn a_new_spec_is_fetched_regenerated_reported_and_logged() {
    let dir = scratch("new");
    // Venice's next spec: an operation, a field on every object, an enum value.
    let current = std::fs::read_to_string(root().join("spec/venice.yaml")).unwrap();
    let mut doc = venice_openapi::load_yaml(&current).unwrap();
    venice_gen::mutate::mutate(&mut doc);
    doc["info"]["version"] = serde_json::json!("29991231.000000");
    let next = serde_json::to_string_pretty(&doc).unwrap();
    let url = serve(next.clone());
    let client_before = std::fs::read_to_string(dir.join("venice-sdk/src/generated.rs")).unwrap();

    let out = update(&dir, &url);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("spec/venice.yaml")).unwrap(),
        next,
        "the spec is stored byte for byte"
    );
    let client = std::fs::read_to_string(dir.join("venice-sdk/src/generated.rs")).unwrap();
    assert_ne!(client, client_before);
    assert!(client.contains("pub fn get_x_mutant(&self)"), "regenerated");
    assert!(client.contains("29991231.000000"));
    let mocks = std::fs::read_to_string(dir.join("venice-testing/src/generated.rs")).unwrap();
    assert!(mocks.contains("29991231.000000"), "the mocks too");

    let report = std::fs::read_to_string(dir.join("target/spec-update/report.md")).unwrap();
    assert!(report.contains("operation added: `getXMutant`"), "{report}");
    let changelog = std::fs::read_to_string(dir.join("CHANGELOG.md")).unwrap();
    let unreleased = changelog.find("## Unreleased").unwrap();
    let entry = changelog
        .find("### Spec `29991231.000000` (from `")
        .expect("the entry");
    assert!(entry > unreleased);
    assert!(
        changelog[unreleased..entry].contains("Generated from the Venice spec `29991231.000000`"),
        "{changelog}"
    );
    assert!(changelog[entry..].contains("- operation added: `getXMutant`"));
    assert!(stdout.contains("report.md"), "{stdout}");

    // The same spec again: nothing to do, nothing written twice.
    let again = update(&dir, &url);
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("already this spec"));
    assert_eq!(
        std::fs::read_to_string(dir.join("CHANGELOG.md")).unwrap(),
        changelog
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_document_that_is_not_a_spec_changes_nothing() {
    let dir = scratch("html");
    let before = std::fs::read_to_string(dir.join("spec/venice.yaml")).unwrap();
    let url = serve("<html>maintenance</html>".to_owned());
    let out = update(&dir, &url);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing written"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("spec/venice.yaml")).unwrap(),
        before
    );
    let _ = std::fs::remove_dir_all(&dir);
}
