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
//! - `cargo xtask mutate-check`: regenerate from a spec with a new optional field on
//!   every object, a new value on every enum, a new member on every union and a new
//!   operation into a scratch copy of `venice-sdk`, and compile it with its examples.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage:
  cargo xtask regen [--spec FILE --out FILE] [--mocks-out FILE] [--report FILE] [--quiet]
  cargo xtask check
  cargo xtask mutate-check [--spec FILE]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
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

fn run(args: &[String]) -> Result<ExitCode, String> {
    let (command, rest) = args.split_first().ok_or_else(|| USAGE.to_owned())?;
    let mut spec = None;
    let mut out = None;
    let mut mocks_out = None;
    let mut report = None;
    let mut quiet = false;
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--spec" => spec = Some(it.next().ok_or("--spec needs a file")?.clone()),
            "--out" => out = Some(it.next().ok_or("--out needs a file")?.clone()),
            "--mocks-out" => mocks_out = Some(it.next().ok_or("--mocks-out needs a file")?.clone()),
            "--report" => report = Some(PathBuf::from(it.next().ok_or("--report needs a file")?)),
            "--quiet" => quiet = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let root = workspace_root();
    match command.as_str() {
        "regen" => {
            let (spec_path, spec_name, out_path, mocks_path) = match (spec, out) {
                (None, None) => (
                    root.join(venice_gen::SPEC_PATH),
                    venice_gen::SPEC_PATH.to_owned(),
                    root.join(venice_gen::OUTPUT_PATH),
                    mocks_out
                        .map(PathBuf::from)
                        .or(Some(root.join(venice_gen::MOCKS_PATH))),
                ),
                (Some(spec), Some(out)) => {
                    let name = Path::new(&spec)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| spec.clone());
                    (
                        PathBuf::from(&spec),
                        name,
                        PathBuf::from(out),
                        mocks_out.map(PathBuf::from),
                    )
                }
                _ => return Err("--spec and --out go together".into()),
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
        "check" => check(&root),
        "mutate-check" => mutate_check(&root, spec.as_deref()),
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
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
    let output = venice_gen::generate(&text, spec_name).map_err(|e| e.to_string())?;
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
        let mocks = venice_gen::generate_mocks(&text, spec_name).map_err(|e| e.to_string())?;
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
    let text = read(&root.join(venice_gen::SPEC_PATH))?;
    let client = venice_gen::generate(&text, venice_gen::SPEC_PATH).map_err(|e| e.to_string())?;
    let mocks =
        venice_gen::generate_mocks(&text, venice_gen::SPEC_PATH).map_err(|e| e.to_string())?;
    let mut stale = false;
    for (path, fresh) in [
        (venice_gen::OUTPUT_PATH, client.code.as_str()),
        (venice_gen::MOCKS_PATH, mocks.as_str()),
    ] {
        let checked_in = read(&root.join(path)).unwrap_or_default();
        match venice_gen::stale_diff_of(path, &checked_in, fresh) {
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

/// Regenerates from a mutated spec into a scratch copy of `venice-sdk` and
/// `venice-testing` under `target/mutate-check`, and compiles the SDK with its
/// examples there. A wrapper that builds a generated struct with an exhaustive
/// literal or matches a generated enum without a fallback arm fails the build.
fn mutate_check(root: &Path, spec: Option<&str>) -> Result<ExitCode, String> {
    let spec_path = spec.map_or_else(|| root.join(venice_gen::SPEC_PATH), PathBuf::from);
    let text = read(&spec_path)?;
    let mut doc = venice_openapi::load_yaml(&text).map_err(|e| e.to_string())?;
    let m = venice_gen::mutate::mutate(&mut doc);
    println!(
        "mutated {}: {} object schemas got a field, {} enums a value, {} unions a member, {} operation added",
        spec_path.display(),
        m.fields,
        m.enum_values,
        m.union_members,
        m.operations
    );
    let mutated = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    let client = venice_gen::generate(&mutated, "mutated spec").map_err(|e| e.to_string())?;
    let mocks = venice_gen::generate_mocks(&mutated, "mutated spec").map_err(|e| e.to_string())?;
    if !client.code.contains(venice_gen::mutate::MUTANT_FIELD)
        || !client.code.contains("pub fn get_x_mutant(&self)")
    {
        return Err("the mutations did not reach the generated client".into());
    }

    let scratch = root.join("target").join("mutate-check");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch)
            .map_err(|e| format!("cannot clear {}: {e}", scratch.display()))?;
    }
    for dir in ["venice-sdk", "venice-testing"] {
        copy_dir(&root.join(dir), &scratch.join(dir))?;
    }
    for file in ["Cargo.lock", "README.md"] {
        std::fs::copy(root.join(file), scratch.join(file))
            .map_err(|e| format!("cannot copy {file}: {e}"))?;
    }
    let manifest = read(&root.join("Cargo.toml"))?;
    let members = r#"members = ["venice-sdk", "venice-testing"]"#;
    let manifest: String = manifest
        .lines()
        .filter(|l| !l.starts_with("exclude"))
        .map(|l| {
            if l.starts_with("members") {
                members.to_owned()
            } else if l.starts_with("default-members") {
                format!("default-{members}")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    write(&scratch.join("Cargo.toml"), &manifest)?;
    write(&scratch.join(venice_gen::OUTPUT_PATH), &client.code)?;
    write(&scratch.join(venice_gen::MOCKS_PATH), &mocks)?;

    // The workspace's target directory: dependencies are already built there.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let start = Instant::now();
    println!(
        "compiling venice-sdk with its examples in {}",
        scratch.display()
    );
    let status = std::process::Command::new(cargo)
        .args([
            "check",
            "-p",
            "venice-sdk",
            "--lib",
            "--examples",
            "--offline",
        ])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(&scratch)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        eprintln!(
            "error: venice-sdk does not compile against a spec that only added optional fields, enum values, union members and an operation (see above): build generated types with `from_required`/builders and give matches on generated enums a fallback arm"
        );
        return Ok(ExitCode::FAILURE);
    }
    println!(
        "venice-sdk and its examples compile against the mutated spec ({:.0} s)",
        start.elapsed().as_secs_f64()
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
