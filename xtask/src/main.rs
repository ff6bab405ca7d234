//! Maintainer tasks for the venice-rs workspace.
//!
//! - `cargo xtask regen`: regenerate `venice-sdk/src/generated.rs` from
//!   `spec/venice.yaml` and print the normalization report.
//! - `cargo xtask regen --spec FILE --out FILE`: the same for any spec into any file,
//!   without touching the tree.
//! - `cargo xtask check`: exit non-zero with a diff when the checked-in client is stale.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage:
  cargo xtask regen [--spec FILE --out FILE] [--mocks-out FILE] [--quiet]
  cargo xtask check";

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
    let mut quiet = false;
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--spec" => spec = Some(it.next().ok_or("--spec needs a file")?.clone()),
            "--out" => out = Some(it.next().ok_or("--out needs a file")?.clone()),
            "--mocks-out" => mocks_out = Some(it.next().ok_or("--mocks-out needs a file")?.clone()),
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
                quiet,
            )
        }
        "check" => check(&root),
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
    quiet: bool,
) -> Result<ExitCode, String> {
    let text = read(spec)?;
    let start = Instant::now();
    let output = venice_gen::generate(&text, spec_name).map_err(|e| e.to_string())?;
    let elapsed = start.elapsed();
    if !quiet {
        print!("{}", output.report);
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
