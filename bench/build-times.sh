#!/usr/bin/env bash
# Build and generation numbers for BENCHMARKS.md (workload 6 of the benchmark).
#
#   bash bench/build-times.sh
#
# Measures, each from a fresh CARGO_TARGET_DIR under /tmp (dependencies fetched
# beforehand, so no download is timed):
#   - building xtask, then `cargo xtask regen --spec spec/venice.yaml --out FILE`
#     (the command, xtask already built) and the generated file's line count;
#   - a clean `cargo build --release -p venice-sdk` of the root workspace;
#   - a clean `cargo build --release` of a scratch crate that depends on
#     async-openai with the `chat-completion` feature (what a chat client needs);
#   - the same for venice-sdk with chat alone (`--no-default-features --features
#     rustls,chat`: what the async-openai build has);
#   - each crate alone, side by side: `cargo clean -p <crate> --release`, then the
#     same build again (only that crate is compiled);
#   - a clean `cargo build --example quickstart` (what a newcomer's first
#     `cargo run --example quickstart` compiles: the examples' own package).
# Prints a markdown section and splices it into BENCHMARKS.md between
# `<!-- build:begin -->` and `<!-- build:end -->`. Takes about 10 minutes on 2 cores.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/venice-build-times.XXXXXX)
AOAI_VERSION=${AOAI_VERSION:-0.43}
trap 'rm -rf "$WORK"' EXIT

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
crates() { grep -c '^ *Compiling ' "$1" || true; }

echo "work dir: $WORK" >&2

# -- 1. generator ------------------------------------------------------------------
# `cargo xtask` is the alias `run --quiet --package xtask --` (debug profile).
cargo fetch --manifest-path "$ROOT/Cargo.toml" >&2
export CARGO_TARGET_DIR="$WORK/target-xtask"
t0=$(now)
(cd "$ROOT" && cargo build -p xtask 2>"$WORK/xtask-build.log")
t1=$(now)
XTASK_BUILD=$(secs "$t0" "$t1")
# The command itself (xtask already built), three times; the median is reported,
# with the generator's own timing ("wrote FILE (N lines, …) in N ms").
REGEN_RUNS=()
REGEN_SELF=()
for _ in 1 2 3; do
    t0=$(now)
    (cd "$ROOT" && cargo xtask regen --spec "$ROOT/spec/venice.yaml" --out "$WORK/x.rs" \
        >"$WORK/regen.log" 2>&1)
    t1=$(now)
    REGEN_RUNS+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')")
    REGEN_SELF+=("$(sed -n 's/.* in \([0-9.]* *m*s\)$/\1/p' "$WORK/regen.log" | tail -1)")
done
REGEN=$(printf '%s\n' "${REGEN_RUNS[@]}" | sort -n | sed -n 2p)
GEN_LINES=$(wc -l <"$WORK/x.rs")
CHECKED_IN_LINES=$(wc -l <"$ROOT/venice-sdk/src/generated.rs")
unset CARGO_TARGET_DIR

# -- 2. venice-sdk, clean, then the crate alone ---------------------------------------
# sdk_build NAME [FEATURE ARGS...]: a clean `cargo build --release -p venice-sdk` with
# those arguments in a fresh target directory, then the crate alone (`cargo clean -p`,
# the same build again: everything else is built). Sets NAME_BUILD, NAME_CRATES and
# NAME_ALONE (seconds, crates compiled, seconds).
sdk_build() {
    local name=$1 target="$WORK/target-$1" t0 t1
    shift
    t0=$(now)
    CARGO_TARGET_DIR="$target" cargo build --release -p venice-sdk "$@" \
        --manifest-path "$ROOT/Cargo.toml" 2>"$WORK/$name-build.log"
    t1=$(now)
    printf -v "${name^^}_BUILD" '%s' "$(secs "$t0" "$t1")"
    printf -v "${name^^}_CRATES" '%s' "$(crates "$WORK/$name-build.log")"
    CARGO_TARGET_DIR="$target" cargo clean --release -p venice-sdk \
        --manifest-path "$ROOT/Cargo.toml" 2>/dev/null
    t0=$(now)
    CARGO_TARGET_DIR="$target" cargo build --release -p venice-sdk "$@" \
        --manifest-path "$ROOT/Cargo.toml" 2>"$WORK/$name-alone.log"
    t1=$(now)
    printf -v "${name^^}_ALONE" '%s' "$(secs "$t0" "$t1")"
    rm -rf "$target"
}

# Default features: every area.
sdk_build sdk
# Chat alone, as the async-openai build below has it: rustls and the chat area
# (async-openai's default rustls and its `chat-completion` feature).
CHAT_FEATURES="rustls,chat"
sdk_build chat --no-default-features --features "$CHAT_FEATURES"

# -- 3. async-openai, clean, in a scratch crate --------------------------------------
mkdir -p "$WORK/aoai-scratch/src"
cat >"$WORK/aoai-scratch/Cargo.toml" <<EOF
[package]
name = "aoai-scratch"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
async-openai = { version = "$AOAI_VERSION", features = ["chat-completion"] }
EOF
echo 'pub use async_openai;' >"$WORK/aoai-scratch/src/lib.rs"
cargo fetch --manifest-path "$WORK/aoai-scratch/Cargo.toml" >&2
AOAI_RESOLVED=$(cargo tree --manifest-path "$WORK/aoai-scratch/Cargo.toml" --depth 1 -e normal \
    --prefix none | awk '$1 == "async-openai" { print $2; exit }')
t0=$(now)
CARGO_TARGET_DIR="$WORK/target-aoai" cargo build --release \
    --manifest-path "$WORK/aoai-scratch/Cargo.toml" 2>"$WORK/aoai-build.log"
t1=$(now)
AOAI_BUILD=$(secs "$t0" "$t1")
AOAI_CRATES=$(crates "$WORK/aoai-build.log")
CARGO_TARGET_DIR="$WORK/target-aoai" cargo clean --release -p async-openai \
    --manifest-path "$WORK/aoai-scratch/Cargo.toml" 2>/dev/null
t0=$(now)
CARGO_TARGET_DIR="$WORK/target-aoai" cargo build --release \
    --manifest-path "$WORK/aoai-scratch/Cargo.toml" 2>"$WORK/aoai-alone.log"
t1=$(now)
AOAI_ALONE=$(secs "$t0" "$t1")

# -- 4. the first example, clean ------------------------------------------------------
t0=$(now)
CARGO_TARGET_DIR="$WORK/target-example" cargo build --example quickstart \
    --manifest-path "$ROOT/Cargo.toml" 2>"$WORK/example-build.log"
t1=$(now)
EXAMPLE_BUILD=$(secs "$t0" "$t1")
EXAMPLE_CRATES=$(crates "$WORK/example-build.log")

# -- report --------------------------------------------------------------------------
SECTION="$WORK/section.md"
cat >"$SECTION" <<EOF
<!-- build:begin (written by bench/build-times.sh; do not edit by hand) -->

### Build and generation (\`bash bench/build-times.sh\`)

Fresh \`CARGO_TARGET_DIR\` under /tmp for each build, dependencies already downloaded,
$(nproc) cores, $(rustc --version).

| what | number |
| --- | ---: |
| \`cargo xtask regen --spec spec/venice.yaml --out FILE\`, xtask already built (median of 3 runs: ${REGEN_RUNS[*]} s) | ${REGEN} s |
| of which the generator itself (what \`regen\` reports, each of the 3 runs) | ${REGEN_SELF[*]} |
| building xtask first (clean, debug profile as \`cargo xtask\` uses) | ${XTASK_BUILD} s |
| generated client, lines | ${GEN_LINES} (checked-in \`venice-sdk/src/generated.rs\`: ${CHECKED_IN_LINES}) |
| clean \`cargo build --release -p venice-sdk\` | ${SDK_BUILD} s (${SDK_CRATES} crates compiled) |
| clean \`cargo build --release\` of a crate using async-openai ${AOAI_RESOLVED} (\`chat-completion\` feature) | ${AOAI_BUILD} s (${AOAI_CRATES} crates compiled) |
| venice-sdk / async-openai build time | $(awk -v a="$SDK_BUILD" -v b="$AOAI_BUILD" 'BEGIN { printf "%.2f×", a / b }') |
| the crate alone (release, its dependencies built): venice-sdk / async-openai | ${SDK_ALONE} s / ${AOAI_ALONE} s ($(awk -v a="$SDK_ALONE" -v b="$AOAI_ALONE" 'BEGIN { printf "%.2f×", a / b }')) |
| clean \`cargo build --release -p venice-sdk --no-default-features --features ${CHAT_FEATURES}\` (chat alone) | ${CHAT_BUILD} s (${CHAT_CRATES} crates compiled) |
| venice-sdk with chat alone / async-openai build time | $(awk -v a="$CHAT_BUILD" -v b="$AOAI_BUILD" 'BEGIN { printf "%.2f×", a / b }') |
| the crate alone with chat alone: venice-sdk / async-openai | ${CHAT_ALONE} s / ${AOAI_ALONE} s ($(awk -v a="$CHAT_ALONE" -v b="$AOAI_ALONE" 'BEGIN { printf "%.2f×", a / b }')) |
| clean \`cargo build --example quickstart\` (dev profile, the examples' package) | ${EXAMPLE_BUILD} s (${EXAMPLE_CRATES} crates compiled) |

<!-- build:end -->
EOF
cat "$SECTION"

MD="$ROOT/BENCHMARKS.md"
if [ -f "$MD" ] && grep -q '<!-- build:begin' "$MD" && grep -q '<!-- build:end -->' "$MD"; then
    awk -v section="$SECTION" '
        /<!-- build:begin/ { while ((getline line < section) > 0) print line; skip = 1; next }
        /<!-- build:end -->/ { skip = 0; next }
        !skip { print }
    ' "$MD" >"$WORK/BENCHMARKS.md"
    cp "$WORK/BENCHMARKS.md" "$MD"
else
    { [ -f "$MD" ] && cat "$MD"; echo; cat "$SECTION"; } >"$WORK/BENCHMARKS.md"
    cp "$WORK/BENCHMARKS.md" "$MD"
fi
echo "updated $MD" >&2
