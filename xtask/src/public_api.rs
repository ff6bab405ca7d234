//! `cargo xtask public-api [--check]`: the public API of the published crates as
//! checked-in text, so that a spec update or a refactor cannot change it unnoticed.
//!
//! Each listing is made from rustdoc's JSON output (written by the stable
//! toolchain's rustdoc with `RUSTC_BOOTSTRAP=1`, so CI needs no nightly), rendered
//! one item per line and sorted by the `public-api` crate, after a header and the
//! crate's Cargo features. `--check` prints a unified diff and fails when a listing
//! is not current.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The published crates: package name, library name, and the listing's path
/// relative to the workspace root.
const CRATES: [(&str, &str, &str); 3] = [
    (
        "venice-operation",
        "venice_operation",
        "venice-operation/public-api.txt",
    ),
    ("venice-sdk", "venice_sdk", "venice-sdk/public-api.txt"),
    (
        "venice-testing",
        "venice_testing",
        "venice-testing/public-api.txt",
    ),
];

/// Set (to the real rustdoc) when xtask runs as cargo's `RUSTDOC`: see [`as_rustdoc`].
const REAL_RUSTDOC: &str = "VENICE_XTASK_REAL_RUSTDOC";

/// When this process was started by cargo as its rustdoc (by [`rustdoc_json`]),
/// runs the real rustdoc with `RUSTC_BOOTSTRAP=1` and returns its exit code.
///
/// rustdoc's JSON output is unstable, so the stable toolchain writes it only with
/// `RUSTC_BOOTSTRAP=1`. Setting that for the whole `cargo rustdoc` would reach
/// every build script, and those that probe for nightly (proc-macro2, thiserror)
/// would rebuild, and again on the next ordinary build: half the workspace, twice.
/// Given to rustdoc alone it changes nothing else.
pub fn as_rustdoc() -> Option<ExitCode> {
    let real = std::env::var_os(REAL_RUSTDOC)?;
    let status = Command::new(real)
        .args(std::env::args_os().skip(1))
        .env("RUSTC_BOOTSTRAP", "1")
        .env_remove(REAL_RUSTDOC)
        .status();
    Some(match status {
        Ok(status) => status
            .code()
            .and_then(|c| u8::try_from(c).ok())
            .map_or(ExitCode::FAILURE, ExitCode::from),
        Err(e) => {
            eprintln!("error: cannot run rustdoc: {e}");
            ExitCode::FAILURE
        }
    })
}

/// Writes the listings, or with `check` compares them with the checked-in ones.
pub fn run(root: &Path, check: bool) -> Result<ExitCode, String> {
    let features = features(root)?;
    let mut stale = false;
    for (package, lib, path) in CRATES {
        let fresh = listing(root, package, lib, features.get(package))?;
        let dest = root.join(path);
        if check {
            let checked_in = std::fs::read_to_string(&dest).unwrap_or_default();
            if checked_in == fresh {
                println!("{path} is current ({} lines)", fresh.lines().count());
            } else {
                let diff = similar::TextDiff::from_lines(&checked_in, &fresh);
                println!(
                    "{}",
                    diff.unified_diff()
                        .context_radius(1)
                        .header(&format!("{path} (checked in)"), "current public API")
                );
                eprintln!(
                    "error: the public API of {package} changed (diff above); if that is intended, run `cargo xtask public-api`, commit {path} and note the change in CHANGELOG.md"
                );
                stale = true;
            }
        } else {
            std::fs::write(&dest, &fresh)
                .map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
            println!("wrote {path} ({} lines)", fresh.lines().count());
        }
    }
    Ok(if stale {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The listing of `package`: a header, its features, then its public items.
fn listing(
    root: &Path,
    package: &str,
    lib: &str,
    features: Option<&BTreeMap<String, Vec<String>>>,
) -> Result<String, String> {
    let json = rustdoc_json(root, package, lib)?;
    let api = public_api::Builder::from_rustdoc_json(&json)
        // `impl<T> From<T> for T` and the like: the same for every type, and noise.
        .omit_blanket_impls(true)
        .build()
        .map_err(|e| format!("cannot read {}: {e}", json.display()))?;
    let mut out = format!(
        "# The public API of {package}, written by `cargo xtask public-api` (do not edit).\n\
         # `cargo xtask public-api --check` (in CI) fails with a diff when it changes.\n\
         # Made from rustdoc JSON (format {}) with all features enabled.\n\n",
        rustdoc_types::FORMAT_VERSION
    );
    for (name, enables) in features.into_iter().flatten() {
        out.push_str(&format!("feature {name} = [{}]\n", enables.join(", ")));
    }
    if features.is_some_and(|f| !f.is_empty()) {
        out.push('\n');
    }
    out.push_str(&api.to_string());
    Ok(out)
}

/// Runs rustdoc's JSON output on `package` (all features, stable toolchain) and
/// returns the file it wrote, refusing a format this xtask cannot read.
fn rustdoc_json(root: &Path, package: &str, lib: &str) -> Result<PathBuf, String> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let this = std::env::current_exe().map_err(|e| format!("cannot find xtask's path: {e}"))?;
    let real_rustdoc = std::env::var_os("RUSTDOC").unwrap_or_else(|| "rustdoc".into());
    let status = Command::new(cargo)
        .args([
            "rustdoc",
            "-p",
            package,
            "--lib",
            "--all-features",
            "--locked",
            "--quiet",
            "--",
            "-Z",
            "unstable-options",
            "--output-format",
            "json",
        ])
        // rustdoc's JSON output is unstable: the stable toolchain writes it with
        // RUSTC_BOOTSTRAP=1 (CI has no nightly), given to rustdoc alone by this
        // program standing in for it (see `as_rustdoc`).
        .env("RUSTDOC", &this)
        .env(REAL_RUSTDOC, real_rustdoc)
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo rustdoc: {e}"))?;
    if !status.success() {
        return Err(format!("cargo rustdoc -p {package} failed (see above)"));
    }
    let json = target.join("doc").join(format!("{lib}.json"));
    let text = std::fs::read_to_string(&json)
        .map_err(|e| format!("cannot read {}: {e}", json.display()))?;
    let found = format_version(&text);
    if found != Some(rustdoc_types::FORMAT_VERSION) {
        return Err(format!(
            "this toolchain's rustdoc writes JSON format {}, and xtask reads format {}: move xtask's `public-api` and `rustdoc-types` dependencies to the releases for that format",
            found.map_or_else(|| "(unknown)".to_owned(), |v| v.to_string()),
            rustdoc_types::FORMAT_VERSION
        ));
    }
    Ok(json)
}

/// The `format_version` field of rustdoc's JSON output (the last top-level key).
fn format_version(json: &str) -> Option<u32> {
    let key = "\"format_version\":";
    let at = json.rfind(key)? + key.len();
    let digits: String = json[at..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Each workspace package's Cargo features, as `cargo metadata` reads them.
fn features(root: &Path) -> Result<BTreeMap<String, BTreeMap<String, Vec<String>>>, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1", "--locked"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cannot read cargo metadata: {e}"))?;
    let mut all = BTreeMap::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let Some(name) = package["name"].as_str() else {
            continue;
        };
        let mut features = BTreeMap::new();
        for (feature, enables) in package["features"].as_object().into_iter().flatten() {
            let enables = enables
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            features.insert(feature.clone(), enables);
        }
        all.insert(name.to_owned(), features);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::format_version;

    #[test]
    fn the_format_version_is_read_from_the_end_of_the_json() {
        assert_eq!(
            format_version(r#"{"root":1,"index":{},"format_version": 57}"#),
            Some(57)
        );
        assert_eq!(format_version(r#"{"root":1}"#), None);
    }
}
