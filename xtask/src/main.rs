//! Maintainer tasks for the venice-rs workspace.
//!
//! - `cargo xtask regen`: regenerate `venice-sdk/src/generated.rs` from
//!   `spec/venice.yaml` and print the normalization report.
//! - `cargo xtask regen --spec FILE --out FILE`: the same for any spec into any file,
//!   without touching the tree.
//! - `regen` prints what changed for SDK users (operations added, removed or renamed;
//!   fields added, removed or changed; enum values; what breaks source
//!   compatibility); `--report FILE` also writes it as Markdown.
//! - `cargo xtask check`: exit non-zero with a diff when the checked-in client is stale.
//! - `cargo xtask fetch-spec [--url URL]`: download the published spec (Venice's
//!   documented URL by default) into `spec/venice.yaml`, refusing anything that is
//!   not an OpenAPI 3 document.
//! - `cargo xtask mutate-check`: regenerate from each mutated spec of
//!   `venice_gen::mutate::SPECS` (upstream's additions — a field, an enum value, a
//!   union member, an operation — and changes of shape — enums loosened into strings
//!   and strings tightened into enums, unions losing or reordering members, required
//!   request fields made optional, integers made numbers, inline schemas moved to
//!   components) into a scratch copy of `venice-sdk` and `venice-testing`, and
//!   `cargo check` all their targets.
//! - `cargo xtask public-api [--check]`: write (or compare, with a diff) the public
//!   API listings of the published crates (`venice-operation/public-api.txt`,
//!   `venice-sdk/public-api.txt`, `venice-testing/public-api.txt`).
//! - `cargo xtask update [--spec FILE | --url URL]`: take or download a new spec,
//!   regenerate, print and save the impact report, run mutate-check, rewrite the
//!   public-API listings and prepend a CHANGELOG entry (see `update.rs`).
//! - `cargo xtask msrv`: fail when a locked dependency of the published crates
//!   declares a `rust-version` newer than theirs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

mod msrv;
mod public_api;
mod update;

/// Maintainer tasks for the venice-rs workspace.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
enum Command {
    /// Regenerate the client and the mocks from the spec and print what changed.
    Regen {
        /// Spec to generate from instead of spec/venice.yaml (with --out).
        #[arg(long, value_name = "FILE", requires = "out")]
        spec: Option<PathBuf>,
        /// Where to write the client instead of venice-sdk/src/generated.rs (with --spec).
        #[arg(long, value_name = "FILE", requires = "spec")]
        out: Option<PathBuf>,
        /// Where to write the httpmock helpers.
        #[arg(long, value_name = "FILE")]
        mocks_out: Option<PathBuf>,
        /// Also write the SDK changes as Markdown to FILE.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Print only warnings of the normalization report.
        #[arg(long)]
        quiet: bool,
    },
    /// Fail with a diff when the checked-in generated files are stale.
    Check,
    /// Check the SDK and venice-testing against specs with upstream's additions and changes of shape.
    MutateCheck {
        /// Spec to mutate instead of spec/venice.yaml.
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
        /// Only the mutated spec of this name (`grown`, `loosened`).
        #[arg(long, value_name = "NAME")]
        only: Option<String>,
    },
    /// Write the public API listings of the published crates (rustdoc JSON).
    PublicApi {
        /// Compare with the checked-in listings instead: print a diff and fail when they differ.
        #[arg(long)]
        check: bool,
    },
    /// Fail when a dependency of the published crates needs a newer Rust than their rust-version.
    Msrv,
    /// Download the published spec into spec/venice.yaml (or --out).
    /// Update to a new spec: take or download it, regen, report, mutate-check, public API, CHANGELOG.
    Update {
        /// Take this spec file instead of downloading one.
        #[arg(long, value_name = "FILE", conflicts_with = "url")]
        spec: Option<PathBuf>,
        /// Download the spec from here.
        #[arg(long, default_value = SPEC_URL)]
        url: String,
        /// Where to save the impact report (default target/spec-update/report.md).
        #[arg(long, value_name = "FILE")]
        report_out: Option<PathBuf>,
        /// Skip mutate-check.
        #[arg(long)]
        no_mutate_check: bool,
        /// Skip rewriting the public-API listings.
        #[arg(long)]
        no_public_api: bool,
        /// Update this copy of the workspace instead of the repository.
        #[arg(long, value_name = "DIR", hide = true)]
        root: Option<PathBuf>,
    },
    FetchSpec {
        /// Where to download it from.
        #[arg(long, default_value = SPEC_URL)]
        url: String,
        /// Where to write it.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    if let Some(code) = public_api::as_rustdoc() {
        return code;
    }
    match run(Command::parse()) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn run(command: Command) -> Result<ExitCode, String> {
    let root = workspace_root();
    match command {
        Command::Regen {
            spec,
            out,
            mocks_out,
            report,
            quiet,
        } => {
            let (spec_path, spec_name, out_path, mocks_path) = match (spec, out) {
                (Some(spec), Some(out)) => {
                    let name = spec.file_name().map_or_else(
                        || spec.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    );
                    (spec, name, out, mocks_out)
                }
                _ => (
                    root.join(venice_gen::SPEC_PATH),
                    venice_gen::SPEC_PATH.to_owned(),
                    root.join(venice_gen::OUTPUT_PATH),
                    Some(mocks_out.unwrap_or_else(|| root.join(venice_gen::MOCKS_PATH))),
                ),
            };
            regen(
                &spec_path,
                &spec_name,
                &out_path,
                mocks_path.as_deref(),
                report.as_deref(),
                quiet,
            )
        }
        Command::Check => check(&root),
        Command::MutateCheck { spec, only } => {
            mutate_check(&root, spec.as_deref(), only.as_deref())
        }
        Command::PublicApi { check } => public_api::run(&root, check),
        Command::Msrv => msrv::run(&root),
        Command::Update {
            spec,
            url,
            report_out,
            no_mutate_check,
            no_public_api,
            root: other,
        } => update::run(&update::Update {
            root: other.unwrap_or(root),
            spec,
            url,
            report_out,
            mutate_check: !no_mutate_check,
            public_api: !no_public_api,
        }),
        Command::FetchSpec { url, out } => {
            let dest = out.unwrap_or_else(|| root.join(venice_gen::SPEC_PATH));
            let summary = fetch_spec(&url, &dest)?;
            println!("{summary}");
            println!("next: `cargo xtask regen` to regenerate and see what changed for users");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn regen(
    spec: &Path,
    spec_name: &str,
    out: &Path,
    mocks_out: Option<&Path>,
    report: Option<&Path>,
    quiet: bool,
) -> Result<ExitCode, String> {
    let text = read(spec)?;
    let start = Instant::now();
    let normalized = venice_openapi::normalize_str(&text).map_err(|e| e.to_string())?;
    let output = venice_gen::generate_normalized(&normalized, &text, spec_name)
        .map_err(|e| e.to_string())?;
    let elapsed = start.elapsed();
    if !quiet {
        print!("{}", output.report);
    } else {
        for warning in &output.report.warnings {
            println!("warning: {warning}");
        }
    }
    // What changed for users, against the client this run replaces.
    let previous = std::fs::read_to_string(out).ok();
    let changes = match &previous {
        Some(old) => Some(venice_gen::changes::compare(old, &output.code)?),
        None => None,
    };
    if let Some(changes) = &changes {
        let title = format!(
            "SDK changes from {} (`info.version` {})",
            spec_name, output.spec_version
        );
        let markdown = changes.to_markdown(&title);
        print!("\n{markdown}");
        if let Some(report) = report {
            write(report, &markdown)?;
            println!("wrote {}", report.display());
        }
    } else if let Some(report) = report {
        write(
            report,
            &format!("## SDK generated from {spec_name}\n\nNo previous client to compare with.\n"),
        )?;
    }
    std::fs::write(out, &output.code)
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    if let Some(mocks_out) = mocks_out {
        let mocks = venice_gen::generate_mocks_normalized(&normalized, &text, spec_name)
            .map_err(|e| e.to_string())?;
        std::fs::write(mocks_out, &mocks)
            .map_err(|e| format!("cannot write {}: {e}", mocks_out.display()))?;
        println!(
            "wrote {} ({} lines)",
            mocks_out.display(),
            mocks.lines().count()
        );
    }
    println!(
        "wrote {} ({} lines, {} normalization changes) in {:.0} ms",
        out.display(),
        output.line_count(),
        output.report.change_count(),
        elapsed.as_secs_f64() * 1000.0
    );
    Ok(ExitCode::SUCCESS)
}

fn check(root: &Path) -> Result<ExitCode, String> {
    let mut stale = false;
    for (path, diff) in venice_gen::freshness(root).map_err(|e| e.to_string())? {
        match diff {
            None => println!("{path} is up to date"),
            Some(diff) => {
                println!("{diff}");
                eprintln!("error: {path} is stale; run `cargo xtask regen` and commit the result");
                stale = true;
            }
        }
    }
    Ok(if stale {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Regenerates from each mutated spec of [`venice_gen::mutate::SPECS`] into a scratch
/// copy of `venice-sdk` and `venice-testing` under `target/mutate-check`, and checks
/// both, with `venice-examples`, with all their targets (library, tests, examples) there. A wrapper that
/// builds a generated struct with an exhaustive literal, matches a generated enum
/// without a fallback arm, names an untagged union's variant by number or relies on
/// a trait only one schema shape has fails the check.
/// The prefix of the mutated copies' directory names (see `mutate_check`).
const MUTANT_PREFIX: &str = "mutant-";

fn mutate_check(root: &Path, spec: Option<&Path>, only: Option<&str>) -> Result<ExitCode, String> {
    let spec_path = spec.map_or_else(|| root.join(venice_gen::SPEC_PATH), Path::to_path_buf);
    let text = read(&spec_path)?;
    let original = venice_openapi::load_yaml(&text).map_err(|e| e.to_string())?;

    let scratch = root.join("target").join("mutate-check");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch)
            .map_err(|e| format!("cannot clear {}: {e}", scratch.display()))?;
    }
    // The copies live under other directory names: cargo names a workspace
    // member's artifacts after its path relative to the workspace root, so a
    // copy at `venice-sdk/` would share (and overwrite) the real crate's
    // artifacts in the shared target directory.
    for dir in ["venice-sdk", "venice-testing", "venice-examples"] {
        copy_dir(
            &root.join(dir),
            &scratch.join(format!("{MUTANT_PREFIX}{dir}")),
        )?;
    }
    std::fs::copy(root.join("Cargo.lock"), scratch.join("Cargo.lock"))
        .map_err(|e| format!("cannot copy Cargo.lock: {e}"))?;
    let manifest = read(&root.join("Cargo.toml"))?;
    let members = format!(
        r#"members = ["{MUTANT_PREFIX}venice-sdk", "{MUTANT_PREFIX}venice-testing", "{MUTANT_PREFIX}venice-examples"]"#
    );
    // venice-openapi (venice-testing's conformance test reads the spec with
    // it) and venice-operation (the types of the generated `operations` table)
    // hold no generated code: the copies use the real crates in place.
    let in_place = |dir: &str| root.join(dir).to_string_lossy().replace('\\', "/");
    let (openapi, operation) = (in_place("venice-openapi"), in_place("venice-operation"));
    let manifest: String = manifest
        .lines()
        .filter(|l| !l.starts_with("exclude"))
        .map(|l| {
            if l.starts_with("members") {
                members.clone()
            } else if l.starts_with("default-members") {
                format!("default-{members}")
            } else {
                l.replace(
                    r#"path = "venice-sdk""#,
                    &format!(r#"path = "{MUTANT_PREFIX}venice-sdk""#),
                )
                .replace(
                    r#"path = "venice-testing""#,
                    &format!(r#"path = "{MUTANT_PREFIX}venice-testing""#),
                )
                .replace(
                    r#"path = "venice-openapi""#,
                    &format!(r#"path = "{openapi}""#),
                )
                .replace(
                    r#"path = "venice-operation""#,
                    &format!(r#"path = "{operation}""#),
                )
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    write(&scratch.join("Cargo.toml"), &manifest)?;

    // The workspace's target directory: dependencies are already built there.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let all = Instant::now();
    let mut failed = Vec::new();
    for mutated in venice_gen::mutate::SPECS {
        if only.is_some_and(|only| only != mutated.name) {
            continue;
        }
        let mut doc = original.clone();
        let counts = venice_gen::mutate::apply(&mut doc, mutated.mutations);
        println!(
            "\n== mutated spec `{}` (from {})",
            mutated.name,
            spec_path.display()
        );
        for (mutation, n) in &counts {
            println!("   {n:>5} {}", mutation.describe());
        }
        if let Some((mutation, _)) = counts.iter().find(|(_, n)| **n == 0) {
            return Err(format!(
                "mutation {mutation:?} ({}) found nothing to change in {}: the rule no longer fits the spec",
                mutation.describe(),
                spec_path.display()
            ));
        }
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
        let (client, mocks) =
            venice_gen::generate_both(&text, &format!("mutated spec `{}`", mutated.name))
                .map_err(|e| format!("mutated spec `{}`: {e}", mutated.name))?;
        let reached = |m, needle: &str| !counts.contains_key(&m) || client.code.contains(needle);
        if !reached(
            venice_gen::mutate::Mutation::NewField,
            venice_gen::mutate::MUTANT_FIELD,
        ) || !reached(
            venice_gen::mutate::Mutation::NewOperation,
            "pub fn get_x_mutant(&self)",
        ) {
            return Err(format!(
                "the mutations of `{}` did not reach the generated client",
                mutated.name
            ));
        }
        write(
            &scratch.join(format!("{MUTANT_PREFIX}{}", venice_gen::OUTPUT_PATH)),
            &client.code,
        )?;
        write(
            &scratch.join(format!("{MUTANT_PREFIX}{}", venice_gen::MOCKS_PATH)),
            &mocks,
        )?;

        let start = Instant::now();
        println!(
            "checking venice-sdk and venice-testing (all targets) in {}",
            scratch.display()
        );
        let status = std::process::Command::new(&cargo)
            .args([
                "check",
                "-p",
                "venice-sdk",
                "-p",
                "venice-testing",
                "-p",
                "venice-examples",
                // `private_chat` (required-features = ["tee"]).
                "--features",
                "venice-examples/tee",
                "--all-targets",
                "--offline",
            ])
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(&scratch)
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if status.success() {
            println!(
                "`{}`: venice-sdk (lib, tests), venice-testing and the examples compile ({:.0} s)",
                mutated.name,
                start.elapsed().as_secs_f64()
            );
        } else {
            eprintln!(
                "error: `{}`: venice-sdk or venice-testing does not compile against the mutated spec (see above)",
                mutated.name
            );
            failed.push(mutated.name);
        }
    }
    if !failed.is_empty() {
        eprintln!(
            "error: mutated specs that broke the build: {}. Hand-written code must not depend on generated shapes: build generated types with `from_required`/builders or through serde (`json!` into the type), give matches on generated enums a fallback arm, never name a union variant by number (`Variant0`) nor rely on a trait one shape has (`FromStr`)",
            failed.join(", ")
        );
        return Ok(ExitCode::FAILURE);
    }
    println!(
        "\nvenice-sdk and venice-testing compile against every mutated spec ({:.0} s)",
        all.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries =
        std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            if entry.file_name() != "target" {
                copy_dir(&path, &dest)?;
            }
        } else {
            std::fs::copy(&path, &dest)
                .map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// Where Venice publishes its OpenAPI document (its API reference links it).
const SPEC_URL: &str = "https://api.venice.ai/doc/api/swagger.yaml";

/// The largest spec accepted (the current one is ~0.5 MiB).
const MAX_SPEC_BYTES: usize = 32 * 1024 * 1024;

/// Downloads the spec at `url` into `dest`, byte for byte, after checking that it is
/// an OpenAPI 3 document (YAML or JSON with `openapi: 3.x`, `info` and `paths`).
/// Anything else (an HTML error page, a Swagger 2 file, an error status) leaves
/// `dest` untouched. Returns a summary line.
fn fetch_spec(url: &str, dest: &Path) -> Result<String, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    let bytes = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(120))
            .user_agent(concat!("venice-rs-xtask/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
        let mut response = client
            .get(url)
            .send()
            .await
            .map_err(|e| format!("cannot fetch {url}: {e}"))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("{url} answered {status}; nothing written"));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("reading {url}: {e}"))?
        {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_SPEC_BYTES {
                return Err(format!(
                    "{url} sent more than {MAX_SPEC_BYTES} bytes; nothing written"
                ));
            }
        }
        Ok(body)
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{url} did not send UTF-8 text; nothing written"))?;
    let version = check_openapi3(&text).map_err(|e| format!("{url}: {e}; nothing written"))?;
    let tmp = dest.with_extension("yaml.download");
    write(&tmp, &text)?;
    std::fs::rename(&tmp, dest)
        .map_err(|e| format!("cannot move {} to {}: {e}", tmp.display(), dest.display()))?;
    Ok(format!(
        "wrote {} ({} bytes, OpenAPI {}, info.version {}, sha256 {})",
        dest.display(),
        text.len(),
        version.0,
        version.1,
        venice_gen::sha256_hex(text.as_bytes())
    ))
}

/// `(openapi, info.version)` of an OpenAPI 3 document, or why it is not one.
fn check_openapi3(text: &str) -> Result<(String, String), String> {
    let (doc, _) = venice_openapi::load_yaml_with_warnings(text)
        .map_err(|e| format!("not a YAML or JSON document ({e})"))?;
    if !doc.is_object() {
        return Err("not an OpenAPI document (not a mapping)".into());
    }
    let openapi = match doc.get("openapi") {
        Some(serde_json::Value::String(v)) => v.clone(),
        Some(other) => other.to_string(),
        None if doc.get("swagger").is_some() => {
            return Err("a Swagger 2 document, not OpenAPI 3".into());
        }
        None => return Err("not an OpenAPI document (no `openapi` field)".into()),
    };
    if !openapi.starts_with("3.") {
        return Err(format!("OpenAPI {openapi}, not 3.x"));
    }
    if !doc.get("paths").is_some_and(serde_json::Value::is_object) {
        return Err("an OpenAPI document without `paths`".into());
    }
    let version = doc
        .pointer("/info/version")
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        .ok_or("an OpenAPI document without `info.version`")?;
    Ok((openapi, version))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;

    /// Serves `status`, `content_type` and `body` to every connection on 127.0.0.1.
    fn serve(status: &'static str, content_type: &'static str, body: String) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut buf = [0u8; 4096];
                let mut head = Vec::new();
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        format!("http://{addr}/doc/api/swagger.yaml")
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("venice-xtask-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("venice.yaml");
        std::fs::write(&file, "previous spec\n").unwrap();
        file
    }

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Command::command().debug_assert();
        let regen =
            Command::try_parse_from(["xtask", "regen", "--spec", "a.yaml", "--out", "b.rs"]);
        assert!(matches!(
            regen,
            Ok(Command::Regen {
                spec: Some(_),
                out: Some(_),
                ..
            })
        ));
        assert!(Command::try_parse_from(["xtask", "regen", "--spec", "a.yaml"]).is_err());
    }

    const SPEC: &str = "openapi: 3.0.0\ninfo: {title: Venice.ai API, version: '20260601.000000'}\npaths:\n  /models:\n    get: {responses: {'200': {description: OK}}}\n";

    #[test]
    fn an_openapi_3_document_is_written_verbatim() {
        let url = serve("200 OK", "application/yaml", SPEC.to_owned());
        let dest = scratch("ok");
        let summary = fetch_spec(&url, &dest).unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), SPEC);
        assert!(
            summary.contains("OpenAPI 3.0.0, info.version 20260601.000000"),
            "{summary}"
        );
    }

    #[test]
    fn anything_else_is_refused_and_the_spec_left_alone() {
        for (status, content_type, body, needle) in [
            (
                "200 OK",
                "text/html",
                "<html><body>Cloudflare</body></html>".to_owned(),
                "not an OpenAPI document",
            ),
            (
                "200 OK",
                "application/yaml",
                "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n".to_owned(),
                "Swagger 2",
            ),
            (
                "200 OK",
                "application/yaml",
                "openapi: 2.9.9\ninfo: {version: '1'}\npaths: {}\n".to_owned(),
                "not 3.x",
            ),
            (
                "200 OK",
                "application/json",
                "{\"openapi\": \"3.1.0\", \"info\": {\"version\": \"1\"}}".to_owned(),
                "without `paths`",
            ),
            ("404 Not Found", "text/plain", "no".to_owned(), "404"),
        ] {
            let url = serve(status, content_type, body);
            let dest = scratch(&format!("bad-{}", needle.len()));
            let err = fetch_spec(&url, &dest).unwrap_err();
            assert!(
                err.contains(needle) && err.contains("nothing written"),
                "{err}"
            );
            assert_eq!(std::fs::read_to_string(&dest).unwrap(), "previous spec\n");
        }
    }
}
