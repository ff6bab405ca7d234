//! `cargo xtask update`: the maintainer's one command when Venice ships a spec.
//!
//! 1. takes the spec (`--spec FILE`) or downloads it (`--url URL`, Venice's
//!    published document by default) into `spec/venice.yaml`; a spec identical to
//!    the current one ends here ("already up to date");
//! 2. regenerates the client and the mocks, printing and saving the impact report
//!    (`--report-out`, `target/spec-update/report.md` by default);
//! 3. runs `mutate-check` (the SDK must survive upstream's next changes of shape);
//! 4. rewrites the public-API listings;
//! 5. prepends a CHANGELOG entry built from the report under `## Unreleased`.
//!
//! A failing step stops the update with the tree as that step left it (the new
//! spec and client in place, to inspect and fix); the report is saved before the
//! checks run. `--no-mutate-check` and `--no-public-api` skip steps 3 and 4
//! (the loopback test does; CI runs both).

use std::path::PathBuf;
use std::process::ExitCode;

/// What `cargo xtask update` was asked to do.
pub struct Update {
    /// The workspace to update (the repository, or a scratch copy).
    pub root: PathBuf,
    /// A spec file to take instead of downloading one.
    pub spec: Option<PathBuf>,
    /// Where to download the spec from.
    pub url: String,
    /// Where to save the impact report.
    pub report_out: Option<PathBuf>,
    /// Whether to run `mutate-check`.
    pub mutate_check: bool,
    /// Whether to rewrite the public-API listings.
    pub public_api: bool,
}

/// The CHANGELOG's file name, at the workspace root.
const CHANGELOG: &str = "CHANGELOG.md";

/// Runs the update; see the module documentation.
pub fn run(update: &Update) -> Result<ExitCode, String> {
    let root = &update.root;
    let spec_path = root.join(venice_gen::SPEC_PATH);
    let before = std::fs::read(&spec_path).unwrap_or_default();
    let old_version = spec_version(&String::from_utf8_lossy(&before));

    step("spec");
    match &update.spec {
        Some(file) => {
            let text = crate::read(file)?;
            let (openapi, version) = crate::check_openapi3(&text)
                .map_err(|e| format!("{}: {e}; nothing written", file.display()))?;
            crate::write(&spec_path, &text)?;
            println!(
                "took {} (OpenAPI {openapi}, info.version {version})",
                file.display()
            );
        }
        None => println!("{}", crate::fetch_spec(&update.url, &spec_path)?),
    }
    let after = std::fs::read(&spec_path)
        .map_err(|e| format!("cannot read {}: {e}", spec_path.display()))?;
    if after == before {
        println!("spec/venice.yaml is already this spec: nothing to update");
        return Ok(ExitCode::SUCCESS);
    }
    let text = String::from_utf8_lossy(&after).into_owned();
    let new_version =
        spec_version(&text).ok_or_else(|| "the new spec has no info.version".to_owned())?;

    step("regen");
    let report_path = update
        .report_out
        .clone()
        .unwrap_or_else(|| root.join("target").join("spec-update").join("report.md"));
    if let Some(dir) = report_path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let code = crate::regen(
        &spec_path,
        venice_gen::SPEC_PATH,
        &root.join(venice_gen::OUTPUT_PATH),
        Some(&root.join(venice_gen::MOCKS_PATH)),
        Some(&report_path),
        true,
    )?;
    if code != ExitCode::SUCCESS {
        return Ok(code);
    }
    let report = crate::read(&report_path)?;

    if update.mutate_check {
        step("mutate-check");
        let code = crate::mutate_check(root, None, None)?;
        if code != ExitCode::SUCCESS {
            return Err(format!(
                "the SDK does not survive the mutations of the new spec (above); the new spec, client and report ({}) are in place to fix",
                report_path.display()
            ));
        }
    }
    if update.public_api {
        step("public-api");
        let code = crate::public_api::run(root, false)?;
        if code != ExitCode::SUCCESS {
            return Ok(code);
        }
    }

    step("changelog");
    let changelog_path = root.join(CHANGELOG);
    let changelog = std::fs::read_to_string(&changelog_path).unwrap_or_default();
    let updated = prepend_entry(&changelog, old_version.as_deref(), &new_version, &report);
    crate::write(&changelog_path, &updated)?;
    println!("prepended the {new_version} entry to {CHANGELOG}");
    println!(
        "\nupdated to {new_version}; the report is {} (use it as the change's description)",
        report_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn step(name: &str) {
    println!("\n==> update: {name}");
}

/// `info.version` of a spec's text, if it has one.
fn spec_version(text: &str) -> Option<String> {
    let doc = venice_openapi::load_yaml(text).ok()?;
    match doc.pointer("/info/version")? {
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// `changelog` with an entry for `new` built from `report` (the Markdown of
/// `regen --report`) at the top of `## Unreleased` (created if missing), and the
/// "Generated from the Venice spec" line naming `new`.
pub fn prepend_entry(changelog: &str, old: Option<&str>, new: &str, report: &str) -> String {
    let from = old.map_or_else(String::new, |old| format!(" (from `{old}`)"));
    let mut entry = format!("### Spec `{new}`{from}, by `cargo xtask update`\n\n");
    // The report's own title goes; its sections become subsections.
    for line in report
        .lines()
        .skip_while(|l| l.starts_with("## ") || l.is_empty())
    {
        if let Some(section) = line.strip_prefix("### ") {
            entry.push_str("#### ");
            entry.push_str(section);
        } else {
            entry.push_str(line);
        }
        entry.push('\n');
    }
    let entry = entry.trim_end().to_owned();
    let generated = format!("Generated from the Venice spec `{new}` (`venice_sdk::SPEC_VERSION`).");

    let mut out = String::with_capacity(changelog.len() + entry.len() + 200);
    let mut lines = changelog.lines().peekable();
    let mut placed = false;
    while let Some(line) = lines.next() {
        if !placed && line.trim() == "## Unreleased" {
            out.push_str(line);
            out.push_str("\n\n");
            // The "Generated from" line, replaced; then the entry.
            while lines.peek().is_some_and(|l| l.trim().is_empty()) {
                lines.next();
            }
            if lines
                .peek()
                .is_some_and(|l| l.starts_with("Generated from the Venice spec"))
            {
                lines.next();
            }
            out.push_str(&generated);
            out.push_str("\n\n");
            out.push_str(&entry);
            out.push_str("\n\n");
            while lines.peek().is_some_and(|l| l.trim().is_empty()) {
                lines.next();
            }
            placed = true;
            continue;
        }
        // No `## Unreleased` yet: one goes before the first release.
        if !placed && line.starts_with("## ") {
            out.push_str(&format!("## Unreleased\n\n{generated}\n\n{entry}\n\n"));
            placed = true;
        }
        out.push_str(line);
        out.push('\n');
    }
    if !placed {
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str(&format!("## Unreleased\n\n{generated}\n\n{entry}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "## SDK changes from spec/venice.yaml (`info.version` 2)\n\n### Breaking for SDK users\n\n- `A.b` removed\n\n### Compatible\n\n- operation added: `getX` (GET /x)\n";

    #[test]
    fn the_entry_goes_first_under_unreleased_and_names_the_new_spec() {
        let changelog = "# Changelog\n\nIntro.\n\n## Unreleased\n\nGenerated from the Venice spec `1` (`venice_sdk::SPEC_VERSION`).\n\n- an earlier change\n\n## 0.1.0\n\n- first\n";
        let out = prepend_entry(changelog, Some("1"), "2", REPORT);
        assert_eq!(
            out,
            "# Changelog\n\nIntro.\n\n## Unreleased\n\nGenerated from the Venice spec `2` (`venice_sdk::SPEC_VERSION`).\n\n### Spec `2` (from `1`), by `cargo xtask update`\n\n#### Breaking for SDK users\n\n- `A.b` removed\n\n#### Compatible\n\n- operation added: `getX` (GET /x)\n\n- an earlier change\n\n## 0.1.0\n\n- first\n"
        );
    }

    #[test]
    fn a_changelog_without_unreleased_gets_one() {
        let out = prepend_entry("# Changelog\n\n## 0.1.0\n\n- first\n", None, "2", REPORT);
        assert!(
            out.starts_with("# Changelog\n\n## Unreleased\n\nGenerated from the Venice spec `2`"),
            "{out}"
        );
        assert!(
            out.contains("### Spec `2`, by `cargo xtask update`"),
            "{out}"
        );
        assert!(out.ends_with("## 0.1.0\n\n- first\n"), "{out}");
        let empty = prepend_entry("", None, "2", REPORT);
        assert!(empty.starts_with("## Unreleased\n"), "{empty}");
    }
}
