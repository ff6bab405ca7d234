//! `cargo xtask msrv`: no dependency of the published crates declares a
//! `rust-version` newer than theirs.
//!
//! The crates' own code is held to their `rust-version` by clippy's
//! `incompatible_msrv` lint (in `cargo clippy`); this covers what the lint cannot
//! see: the locked versions of their dependencies (normal and build, all
//! features, every target), which a user on the oldest supported toolchain
//! compiles too.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::{Command, ExitCode};

use serde_json::Value;

/// The published crates whose dependency trees are checked.
const PUBLISHED: [&str; 3] = ["venice-operation", "venice-sdk", "venice-testing"];

/// Checks the dependency trees of the published crates against their `rust-version`.
pub fn run(root: &Path) -> Result<ExitCode, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--all-features",
        ])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cannot read cargo metadata: {e}"))?;
    let packages: HashMap<&str, &Value> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["id"].as_str()?, p)))
        .collect();
    let deps: HashMap<&str, Vec<&str>> = metadata["resolve"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|node| {
            let children = node["deps"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|d| {
                    // Normal (`null`) and build dependencies; not dev-dependencies.
                    d["dep_kinds"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|k| k["kind"].as_str() != Some("dev"))
                })
                .filter_map(|d| d["pkg"].as_str())
                .collect();
            Some((node["id"].as_str()?, children))
        })
        .collect();

    let mut failed = false;
    for name in PUBLISHED {
        let Some((id, package)) = packages.iter().find(|(_, p)| p["name"] == name) else {
            return Err(format!("{name} is not in the workspace"));
        };
        let msrv = package["rust_version"]
            .as_str()
            .and_then(version)
            .ok_or_else(|| format!("{name} declares no rust-version"))?;
        let mut seen = BTreeSet::new();
        let mut stack = vec![*id];
        while let Some(next) = stack.pop() {
            if seen.insert(next) {
                stack.extend(deps.get(next).into_iter().flatten());
            }
        }
        let mut newer = Vec::new();
        for dep in &seen {
            let Some(p) = packages.get(dep) else { continue };
            if let Some(needs) = p["rust_version"].as_str().and_then(version)
                && needs > msrv
            {
                newer.push(format!(
                    "{} {} needs Rust {}.{}.{}",
                    p["name"].as_str().unwrap_or("?"),
                    p["version"].as_str().unwrap_or("?"),
                    needs.0,
                    needs.1,
                    needs.2
                ));
            }
        }
        if newer.is_empty() {
            println!(
                "{name}: {} packages in its tree, none needs a Rust newer than its rust-version {}.{}",
                seen.len(),
                msrv.0,
                msrv.1
            );
        } else {
            eprintln!(
                "error: {name} declares rust-version {}.{}, but its locked dependencies need newer:\n  {}\n(pin older versions in Cargo.lock, or raise rust-version and say so in CHANGELOG.md)",
                msrv.0,
                msrv.1,
                newer.join("\n  ")
            );
            failed = true;
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `1.88` or `1.88.1` as a comparable triple.
fn version(text: &str) -> Option<(u32, u32, u32)> {
    let mut parts = text.trim().split('.').map(str::parse::<u32>);
    let major = parts.next()?.ok()?;
    let minor = parts.next().unwrap_or(Ok(0)).ok()?;
    let patch = parts.next().unwrap_or(Ok(0)).ok()?;
    Some((major, minor, patch))
}

#[cfg(test)]
mod tests {
    use super::version;

    #[test]
    fn rust_versions_compare_numerically() {
        assert_eq!(version("1.88"), Some((1, 88, 0)));
        assert!(version("1.100.0") > version("1.88"));
        assert_eq!(version("x"), None);
    }
}
