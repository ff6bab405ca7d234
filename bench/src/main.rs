//! venice-bench: venice-sdk against a raw reqwest floor and async-openai, on an
//! in-process loopback server.
//!
//! ```text
//! cargo run --release --manifest-path bench/Cargo.toml
//! ```
//!
//! Prints the results table and rewrites the generated section of
//! `BENCHMARKS.md` (between `<!-- bench:begin -->` and `<!-- bench:end -->`).
//!
//! Options: `--rounds N` (default 7), `--quick` (a smoke run: fewer requests,
//! 2 rounds, nothing written), `--no-write`, `--only seq,conc,stream,big,image,video,hostile,ladder,breakdown`,
//! `--profile WORKLOAD:CLIENT [--requests N]` (only that loop, for `perf record`;
//! WORKLOAD is seq, conc, stream16k, stream64, big4 or image; CLIENT is floor, sdk
//! or aoai).
#![deny(unsafe_code)]

mod alloc;
mod clients;
mod server;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use futures::StreamExt;
use venice_sdk::ChatCompletionChunk;
use venice_sdk::operations::OperationExt as _;

use crate::clients::{Clients, Route, Streamed, Who};

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;

/// Requests in the sequential and the concurrent workloads.
const REQUESTS: usize = 20_000;
/// Requests in flight in the concurrent workload.
const IN_FLIGHT: usize = 256;
/// Big-event runs per client per round (each a sample).
const BIG_REPS: usize = 4;

struct Options {
    rounds: usize,
    requests: usize,
    write: bool,
    only: Option<Vec<String>>,
    profile: Option<(String, Who)>,
}

impl Options {
    fn parse() -> Result<Options, String> {
        let mut o = Options {
            rounds: 7,
            requests: REQUESTS,
            write: true,
            only: None,
            profile: None,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
            match arg.as_str() {
                "--rounds" => o.rounds = value("--rounds")?.parse().map_err(|e| format!("{e}"))?,
                "--requests" => {
                    o.requests = value("--requests")?.parse().map_err(|e| format!("{e}"))?
                }
                "--quick" => {
                    o.rounds = 2;
                    o.requests = 2_000;
                    o.write = false;
                }
                "--no-write" => o.write = false,
                "--only" => o.only = Some(value("--only")?.split(',').map(str::to_owned).collect()),
                "--profile" => {
                    let spec = value("--profile")?;
                    let (workload, who) =
                        spec.split_once(':').ok_or("--profile WORKLOAD:CLIENT")?;
                    let who = match who {
                        "floor" => Who::Floor,
                        "sdk" => Who::Sdk,
                        "aoai" | "async-openai" => Who::Aoai,
                        other => return Err(format!("unknown client {other}")),
                    };
                    o.profile = Some((workload.to_owned(), who));
                    o.write = false;
                }
                "-h" | "--help" => {
                    println!(
                        "cargo run --release --manifest-path bench/Cargo.toml [-- --rounds N | --quick | --no-write | --only seq,conc,stream,big,image,video,hostile,ladder,breakdown | --profile WORKLOAD:CLIENT [--requests N]]"
                    );
                    std::process::exit(0);
                }
                other => return Err(format!("unknown argument {other}")),
            }
        }
        if o.only.is_some() {
            o.write = false;
        }
        Ok(o)
    }

    fn runs(&self, workload: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|w| w == workload))
    }
}

/// Samples per metric key, per client.
#[derive(Default)]
struct Samples(BTreeMap<&'static str, [Vec<f64>; 3]>);

impl Samples {
    fn add(&mut self, key: &'static str, who: Who, value: f64) {
        let slot = self.0.entry(key).or_default();
        slot[who as usize].push(value);
    }

    fn stat(&self, key: &str, who: Who) -> Option<Stat> {
        Stat::of(self.0.get(key)?[who as usize].clone())
    }
}

#[derive(Clone, Copy, Debug)]
struct Stat {
    median: f64,
    min: f64,
    max: f64,
    n: usize,
}

impl Stat {
    fn of(mut v: Vec<f64>) -> Option<Stat> {
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Some(Stat {
            median,
            min: v[0],
            max: v[n - 1],
            n,
        })
    }
}

const MIB: f64 = 1024.0 * 1024.0;

fn main() {
    let options = match Options::parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let addr = server::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let result = runtime.block_on(run(&options, addr));
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run(options: &Options, addr: std::net::SocketAddr) -> Result<(), String> {
    let clients = Clients::new(addr)?;
    if let Some((workload, who)) = &options.profile {
        return profile(&clients, workload, *who, options.requests).await;
    }
    check(&clients).await?;
    let started = Instant::now();
    let mut samples = Samples::default();
    let rounds = options.rounds;
    let n = options.requests;

    if options.runs("seq") {
        eprintln!("1. {n} sequential completions, {rounds} rounds");
        for who in Who::ALL {
            sequential(&clients, who, 500).await?;
        }
        for round in 0..rounds {
            for who in Who::ALL {
                let section = alloc::Section::start();
                let elapsed = sequential(&clients, who, n).await?;
                let us = elapsed.as_secs_f64() * 1e6 / n as f64;
                samples.add("seq.us", who, us);
                samples.add("seq.rps", who, n as f64 / elapsed.as_secs_f64());
                samples.add("seq.allocs", who, section.allocations() as f64 / n as f64);
                eprintln!("   round {round} {who:<16} {us:8.1} µs/request");
            }
        }
    }

    if options.runs("conc") {
        eprintln!("2. {n} completions, {IN_FLIGHT} in flight, {rounds} rounds");
        for who in Who::ALL {
            concurrent(&clients, who, IN_FLIGHT * 4).await?;
        }
        for round in 0..rounds {
            for who in Who::ALL {
                let section = alloc::Section::start();
                let elapsed = concurrent(&clients, who, n).await?;
                let rps = n as f64 / elapsed.as_secs_f64();
                let peak = section.peak_above_baseline() as f64 / MIB;
                samples.add("conc.rps", who, rps);
                samples.add("conc.peak", who, peak);
                eprintln!("   round {round} {who:<16} {rps:9.0} req/s  peak {peak:6.2} MiB");
            }
        }
    }

    if options.runs("stream") {
        eprintln!(
            "3. a {}-chunk stream in 16 KiB and 64 B frames, {rounds} rounds",
            server::STREAM_CHUNKS
        );
        for who in Who::ALL {
            stream_once(&clients, who, Route::V1).await?;
            stream_once(&clients, who, Route::Frames64).await?;
        }
        for round in 0..rounds {
            for (route, cps_key, peak_key) in [
                (Route::V1, "stream16k.cps", "stream16k.peak"),
                (Route::Frames64, "stream64.cps", "stream64.peak"),
            ] {
                for who in Who::ALL {
                    let section = alloc::Section::start();
                    let elapsed = stream_once(&clients, who, route).await?;
                    let cps = server::STREAM_CHUNKS as f64 / elapsed.as_secs_f64();
                    samples.add(cps_key, who, cps);
                    samples.add(peak_key, who, section.peak_above_baseline() as f64 / 1024.0);
                    eprintln!(
                        "   round {round} {:<4} {who:<16} {cps:10.0} chunks/s",
                        route.prefix()
                    );
                }
            }
        }
    }

    if options.runs("big") {
        eprintln!("4. one 1/2/4 MiB event in 16 KiB frames, {rounds}×{BIG_REPS} runs");
        for who in Who::ALL {
            for mib in server::BIG_EVENT_MIB {
                big_once(&clients, who, mib).await?;
            }
        }
        for round in 0..rounds {
            for who in Who::ALL {
                for (mib, key) in server::BIG_EVENT_MIB
                    .into_iter()
                    .zip(["big1.ms", "big2.ms", "big4.ms"])
                {
                    for _ in 0..BIG_REPS {
                        let section = alloc::Section::start();
                        let elapsed = big_once(&clients, who, mib).await?;
                        samples.add(key, who, elapsed.as_secs_f64() * 1e3);
                        if mib == 4 {
                            samples.add(
                                "big4.peak",
                                who,
                                section.peak_above_baseline() as f64 / MIB,
                            );
                        }
                    }
                }
                eprintln!(
                    "   round {round} {who:<16} 4 MiB {:7.2} ms",
                    samples.0["big4.ms"][who as usize]
                        .last()
                        .copied()
                        .unwrap_or(0.0)
                );
            }
        }
    }

    if options.runs("image") {
        eprintln!("5. a 20 MB image, {rounds} rounds");
        for who in [Who::Floor, Who::Sdk] {
            clients.image_buffered(who).await?;
        }
        clients.image_streamed(Who::Floor).await?;
        for round in 0..rounds {
            for who in [Who::Floor, Who::Sdk] {
                let section = alloc::Section::start();
                let t = Instant::now();
                let len = clients.image_buffered(who).await?;
                let ms = t.elapsed().as_secs_f64() * 1e3;
                check_len(len)?;
                samples.add("image.ms", who, ms);
                samples.add(
                    "image.peak",
                    who,
                    section.peak_above_baseline() as f64 / 1e6,
                );
                eprintln!(
                    "   round {round} buffered {who:<16} {ms:7.1} ms  peak {:6.1} MB",
                    section.peak_above_baseline() as f64 / 1e6
                );
            }
            for who in [Who::Floor, Who::Sdk] {
                let section = alloc::Section::start();
                let t = Instant::now();
                let len = clients.image_streamed(who).await?;
                check_len(len)?;
                samples.add("imagestream.ms", who, t.elapsed().as_secs_f64() * 1e3);
                samples.add(
                    "imagestream.peak",
                    who,
                    section.peak_above_baseline() as f64 / 1e6,
                );
            }
        }
    }

    if options.runs("hostile") {
        eprintln!(
            "7. hostile JSON at the size caps ({} MiB bodies, a {:.1} MB event), {rounds} rounds (floor: round 0 only)",
            server::HOSTILE_BYTES >> 20,
            server::HOSTILE_EVENT_BYTES as f64 / 1e6
        );
        for round in 0..rounds {
            for which in server::Hostile::ALL {
                for who in [Who::Floor, Who::Sdk] {
                    if who == Who::Floor && round > 0 {
                        continue;
                    }
                    let section = alloc::Section::start();
                    let outcome = clients.hostile(who, which).await?;
                    let ratio = section.peak_above_baseline() as f64 / which.bytes() as f64;
                    samples.add(hostile_key(which), who, ratio);
                    let outcome: String = outcome.chars().take(90).collect();
                    eprintln!(
                        "   round {round} {which:?} {who:<16} peak {ratio:6.2}× the document  ({outcome})"
                    );
                }
            }
        }
    }

    if options.runs("video") {
        let mb = server::VIDEO_BYTES / 1_000_000;
        eprintln!("6. a {mb} MB video job saved with Media::save, {rounds} rounds");
        let path =
            std::env::temp_dir().join(format!("venice-bench-video-{}.mp4", std::process::id()));
        clients.video_saved(&path).await?;
        clients.video_saved_floor(&path).await?;
        for round in 0..rounds {
            for who in [Who::Floor, Who::Sdk] {
                let section = alloc::Section::start();
                let t = Instant::now();
                let written = match who {
                    Who::Floor => clients.video_saved_floor(&path).await?,
                    _ => clients.video_saved(&path).await?,
                };
                let ms = t.elapsed().as_secs_f64() * 1e3;
                let peak = section.peak_above_baseline() as f64 / MIB;
                if written != server::VIDEO_BYTES {
                    return Err(format!(
                        "video of {written} bytes, expected {}",
                        server::VIDEO_BYTES
                    ));
                }
                samples.add("videosave.ms", who, ms);
                samples.add("videosave.peak", who, peak);
                eprintln!(
                    "   round {round} {who:<16} {ms:8.1} ms  peak {:8.1} KiB",
                    peak * 1024.0
                );
            }
        }
        let _ = std::fs::remove_file(&path);
    }

    let ladder = if options.runs("ladder") {
        Some(ladder(&clients, 15, 2_000).await?)
    } else {
        None
    };

    let breakdown = if options.runs("breakdown") {
        eprintln!(
            "breakdown: request steps, the SSE parser and the chunk decode, without the network"
        );
        Some(format!("{}\n{}", per_request_breakdown(), breakdown()))
    } else {
        None
    };

    let runtime = started.elapsed();
    let report = report(
        &samples,
        ladder.as_deref(),
        breakdown.as_deref(),
        options,
        runtime,
    );
    println!("{report}");
    if options.write {
        write_benchmarks_md(&report)?;
    }
    Ok(())
}

/// The sample key of a hostile answer.
fn hostile_key(which: server::Hostile) -> &'static str {
    match which {
        server::Hostile::Chat => "hostile.chat",
        server::Hostile::Responses => "hostile.responses",
        server::Hostile::Image => "hostile.image",
        server::Hostile::Event => "hostile.event",
    }
}

fn check_len(len: usize) -> Result<(), String> {
    if len == server::IMAGE_BYTES {
        Ok(())
    } else {
        Err(format!(
            "image of {len} bytes, expected {}",
            server::IMAGE_BYTES
        ))
    }
}

/// Each client gets the same answers before anything is timed.
async fn check(clients: &Clients) -> Result<(), String> {
    for who in Who::ALL {
        let text = clients.create_text(who).await?;
        if text != server::COMPLETION_TEXT {
            return Err(format!("{who}: unexpected completion text {text:?}"));
        }
        for route in [Route::V1, Route::Frames64] {
            let s = clients.stream(who, route).await?;
            if s.chunks != server::STREAM_CHUNKS || !s.finished {
                return Err(format!("{who}: stream on /{} gave {s:?}", route.prefix()));
            }
            if who == Who::Floor {
                // The frames are what the server framed.
                let body = server::stream_body(server::STREAM_CHUNKS).len();
                let frame = if route == Route::V1 { 16 * 1024 } else { 64 };
                if s.frames < body / frame {
                    return Err(format!(
                        "floor saw {} frames on /{}, expected at least {}",
                        s.frames,
                        route.prefix(),
                        body / frame
                    ));
                }
            }
        }
        for mib in server::BIG_EVENT_MIB {
            let s = clients.stream(who, Route::Big(mib)).await?;
            if s.chunks != 1 || s.content_bytes != mib * 1024 * 1024 {
                return Err(format!("{who}: {mib} MiB event gave {s:?}"));
            }
        }
    }
    for who in [Who::Floor, Who::Sdk] {
        check_len(clients.image_buffered(who).await?)?;
    }
    check_len(clients.image_streamed(Who::Floor).await?)?;
    check_len(clients.image_streamed(Who::Sdk).await?)?;
    Ok(())
}

async fn sequential(clients: &Clients, who: Who, n: usize) -> Result<Duration, String> {
    let t = Instant::now();
    for _ in 0..n {
        black_box(clients.create(who).await?);
    }
    Ok(t.elapsed())
}

async fn concurrent(clients: &Clients, who: Who, n: usize) -> Result<Duration, String> {
    let t = Instant::now();
    let mut answers = futures::stream::iter(0..n)
        .map(|_| clients.create(who))
        .buffer_unordered(IN_FLIGHT);
    let mut done = 0;
    while let Some(answer) = answers.next().await {
        black_box(answer?);
        done += 1;
    }
    let elapsed = t.elapsed();
    if done != n {
        return Err(format!("{who}: {done} of {n} requests answered"));
    }
    Ok(elapsed)
}

async fn stream_once(clients: &Clients, who: Who, route: Route) -> Result<Duration, String> {
    let t = Instant::now();
    let s: Streamed = clients.stream(who, route).await?;
    let elapsed = t.elapsed();
    if s.chunks != server::STREAM_CHUNKS {
        return Err(format!("{who}: {} chunks", s.chunks));
    }
    Ok(elapsed)
}

async fn big_once(clients: &Clients, who: Who, mib: usize) -> Result<Duration, String> {
    let t = Instant::now();
    let s = clients.stream(who, Route::Big(mib)).await?;
    let elapsed = t.elapsed();
    if s.content_bytes != mib * 1024 * 1024 {
        return Err(format!("{who}: {mib} MiB event gave {s:?}"));
    }
    Ok(elapsed)
}

/// CPU time of the calling thread so far (user, system), from
/// `/proc/thread-self/stat` (clock ticks of 10 ms; fine over seconds).
fn thread_cpu() -> (Duration, Duration) {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields of the whole line.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<u64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    let tick = |t: u64| Duration::from_millis(t * 10);
    match fields.as_slice() {
        [user, system] => (tick(*user), tick(*system)),
        _ => (Duration::ZERO, Duration::ZERO),
    }
}

/// Attribution: the floor with the SDK's steps added one at a time (see
/// [`clients::LADDER`]), then the SDK itself; sequential requests, wall time and
/// the client thread's CPU time per request.
async fn ladder(clients: &Clients, rounds: usize, n: usize) -> Result<String, String> {
    eprintln!("attribution ladder: {rounds} rounds of {n} sequential requests per step");
    let steps = clients::LADDER.len();
    // The ladder, then the generated client alone, then the SDK.
    let mut wall: Vec<Vec<f64>> = vec![Vec::new(); steps + 2];
    let mut cpu: Vec<Vec<f64>> = vec![Vec::new(); steps + 2];
    let mut allocs: Vec<f64> = vec![0.0; steps + 2];
    for level in 0..steps {
        for _ in 0..200 {
            clients.floor_ladder(level).await?;
        }
    }
    for round in 0..rounds {
        for level in 0..steps + 2 {
            let section = alloc::Section::start();
            let c0 = thread_cpu_ns();
            let t = Instant::now();
            for _ in 0..n {
                if level < steps {
                    black_box(clients.floor_ladder(level).await?);
                } else if level == steps {
                    black_box(clients.sdk_raw_create().await?);
                } else {
                    black_box(clients.create(Who::Sdk).await?);
                }
            }
            let elapsed = t.elapsed();
            let c1 = thread_cpu_ns();
            allocs[level] = section.allocations() as f64 / n as f64;
            wall[level].push(elapsed.as_secs_f64() * 1e6 / n as f64);
            cpu[level].push((c1 - c0) as f64 / 1e3 / n as f64);
        }
        if round % 5 == 4 {
            eprintln!("   round {round} done");
        }
    }
    let stat = |v: &Vec<f64>| Stat::of(v.clone()).expect("samples");
    let mut out = format!(
        "The floor with the SDK's own steps added one at a time (each step reproduces what \
         the named SDK function does), then the SDK's generated client alone and the SDK itself; {rounds} rounds of {n} sequential requests per step, steps interleaved. \
         \"Client CPU\" is the client thread's on-CPU time per request (user + system, from \
         `/proc/thread-self/schedstat`; the server runs on the other core); the step's cost is \
         the difference of the minima, the least disturbed runs on a shared machine (a \
         negative difference is noise: steps under about 1 µs are not resolved).\n\n\
         | step | µs per request (median) | client CPU µs per request: median (min) | CPU added by the step (min to min) | allocations per request |\n| --- | ---: | ---: | ---: | ---: |\n"
    );
    let mut previous = None;
    let floor_min = stat(&cpu[0]).min;
    for level in 0..steps + 2 {
        let (w, c) = (stat(&wall[level]), stat(&cpu[level]));
        let added = match (level, previous) {
            (0, _) | (_, None) => String::new(),
            (l, Some(p)) if l < steps => format!("{:+.1}", c.min - p),
            // Reference rows: against the floor.
            _ => format!("{:+.1} over the floor", c.min - floor_min),
        };
        let name = match level {
            l if l < steps => clients::LADDER[l].to_owned(),
            l if l == steps => {
                "*reference:* the SDK's generated client (`client.raw().create_chat_completion().body(..).send()`: \
                 progenitor's builder and decode, sent by its hooks through the SDK's send path)"
                    .to_owned()
            }
            _ => "*reference:* **venice-sdk** (`client.chat().create`)".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {name} | {:.1} | {:.1} ({:.1}) | {added} | {:.0} |",
            w.median, c.median, c.min, allocs[level]
        );
        if level < steps {
            previous = Some(c.min);
        }
    }
    Ok(out)
}

/// On-CPU time of the calling thread so far (user + system), in nanoseconds,
/// from `/proc/thread-self/schedstat`.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|f| f.parse().ok()))
        .unwrap_or(0)
}

/// One workload for one client, for `perf record`.
async fn profile(clients: &Clients, workload: &str, who: Who, n: usize) -> Result<(), String> {
    let t = Instant::now();
    let cpu = thread_cpu();
    let section = alloc::Section::start();
    let units = match workload {
        "seq" => {
            sequential(clients, who, n).await?;
            n
        }
        "conc" => {
            concurrent(clients, who, n).await?;
            n
        }
        "stream16k" | "stream64" => {
            let route = if workload == "stream64" {
                Route::Frames64
            } else {
                Route::V1
            };
            let streams = (n / 1000).max(1);
            for _ in 0..streams {
                stream_once(clients, who, route).await?;
            }
            streams * server::STREAM_CHUNKS
        }
        "big4" => {
            let runs = (n / 100).max(1);
            for _ in 0..runs {
                big_once(clients, who, 4).await?;
            }
            runs
        }
        "image" => {
            let runs = (n / 1000).max(1);
            for _ in 0..runs {
                clients.image_buffered(who).await?;
            }
            runs
        }
        other => return Err(format!("unknown workload {other}")),
    };
    let elapsed = t.elapsed();
    let (user, system) = thread_cpu();
    let per = |d: Duration| d.as_secs_f64() * 1e6 / units as f64;
    println!(
        "{workload} {who}: {units} units in {:.3} s = {:.2} µs/unit (client thread CPU: {:.2} user + {:.2} system µs/unit), {:.1} allocations/unit, peak {:.2} MiB",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / units as f64,
        per(user - cpu.0),
        per(system - cpu.1),
        section.allocations() as f64 / units as f64,
        section.peak_above_baseline() as f64 / MIB,
    );
    Ok(())
}

// ---- breakdown ------------------------------------------------------------------

fn time_median(reps: usize, mut f: impl FnMut()) -> f64 {
    let mut v: Vec<f64> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v[reps / 2]
}

/// The SDK's SSE parser fed `frame`-byte pieces; returns the events' data.
fn sdk_parse(input: &[u8], frame: usize) -> Vec<String> {
    let mut parser = venice_sdk::sse::SseParser::new();
    let mut out = Vec::new();
    for piece in input.chunks(frame) {
        parser.push(piece);
        while let Some(event) = parser.next_event() {
            out.push(event.expect("valid event").data);
        }
    }
    out.extend(
        parser
            .finish()
            .into_iter()
            .map(|e| e.expect("valid event").data),
    );
    out
}

/// The floor's line split fed `frame`-byte pieces; returns the number of data lines.
fn floor_split(input: &[u8], frame: usize) -> usize {
    let mut buf: Vec<u8> = Vec::new();
    let mut scanned = 0;
    let mut lines = 0;
    for piece in input.chunks(frame) {
        buf.extend_from_slice(piece);
        let mut start = 0;
        while let Some(lf) = memchr::memchr(b'\n', &buf[scanned..]) {
            let end = scanned + lf;
            if buf[start..end].starts_with(b"data:") {
                lines += 1;
                black_box(&buf[start..end]);
            }
            start = end + 1;
            scanned = start;
        }
        buf.drain(..start);
        scanned = buf.len();
    }
    lines
}

/// Through a `serde_json::Value` first, then the chunk (what `ChatStream` did
/// for every event before it decoded straight into the chunk; it still does for
/// an event whose data contains `"error"`).
fn decode_like_sdk(data: &str) -> ChatCompletionChunk {
    let value: serde_json::Value = serde_json::from_str(data.trim()).expect("json");
    if value.get("error").is_some() && value.get("choices").is_none() {
        unreachable!("no error events here");
    }
    serde_json::from_value(value).expect("chunk")
}

/// Straight into the chunk, as the floor (and now the SDK) does.
fn decode_direct(data: &str) -> ChatCompletionChunk {
    serde_json::from_str(data).expect("chunk")
}

/// Times the parts of the streaming paths without the network (ms, median).
fn breakdown() -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| input | frames | SDK `SseParser` | floor line split | decode straight into the chunk | decode via a `Value` first |\n| --- | --- | ---: | ---: | ---: | ---: |"
    );
    let stream = server::stream_body(server::STREAM_CHUNKS);
    let mut inputs: Vec<(String, Vec<u8>, usize)> = vec![
        (
            format!("{}-chunk stream", server::STREAM_CHUNKS),
            stream.clone(),
            16 * 1024,
        ),
        (
            format!("{}-chunk stream", server::STREAM_CHUNKS),
            stream,
            64,
        ),
    ];
    for mib in server::BIG_EVENT_MIB {
        inputs.push((
            format!("{mib} MiB event"),
            server::big_event_body(mib),
            16 * 1024,
        ));
    }
    for (name, input, frame) in &inputs {
        let reps = 11;
        let events = sdk_parse(input, *frame);
        let parse = time_median(reps, || {
            black_box(sdk_parse(input, *frame));
        });
        let split = time_median(reps, || {
            black_box(floor_split(input, *frame));
        });
        let datas: Vec<&String> = events.iter().filter(|d| d.as_str() != "[DONE]").collect();
        let via_value = time_median(reps, || {
            for d in &datas {
                black_box(decode_like_sdk(d));
            }
        });
        let direct = time_median(reps, || {
            for d in &datas {
                black_box(decode_direct(d));
            }
        });
        let frame = if *frame >= 1024 {
            format!("{} KiB", frame / 1024)
        } else {
            format!("{frame} B")
        };
        let _ = writeln!(
            out,
            "| {name} | {frame} | {parse:.2} ms | {split:.2} ms | {direct:.2} ms | {via_value:.2} ms |"
        );
    }
    out
}

/// ns per call of `f`, median of 5 batches of `n`.
fn ns_per_op(n: usize, mut f: impl FnMut()) -> f64 {
    let mut v: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            t.elapsed().as_secs_f64() * 1e9 / n as f64
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v[2]
}

/// Steps of one non-streaming call timed alone, without the network: what each
/// client does with the same request and the same answer (ns per call, and
/// allocations per call).
fn per_request_breakdown() -> String {
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
    use venice_sdk::types::ChatCompletionRequest;

    let n = 50_000;
    let completion = server::completion_body();
    // As hyper builds it: values are slices of the shared read buffer (a clone
    // is a reference count), names are parsed (custom ones own their bytes).
    let head = format!(
        "content-type: application/json\r\ncontent-length: {}\r\n{}",
        completion.len(),
        server::VENICE_HEADERS
    );
    let shared = bytes::BytesMut::from(head.as_bytes()).freeze();
    let mut headers = HeaderMap::new();
    let mut at = 0;
    for line in head.split("\r\n") {
        if let Some((name, value)) = line.split_once(": ") {
            let start = at + name.len() + 2;
            headers.insert(
                HeaderName::from_bytes(name.as_bytes()).expect("name"),
                HeaderValue::from_maybe_shared(shared.slice(start..start + value.len()))
                    .expect("value"),
            );
        }
        at += line.len() + 2;
    }
    let mut rows: Vec<(&str, &str, f64, f64)> = Vec::new();
    let mut measure = |who: &'static str, step: &'static str, f: &mut dyn FnMut()| {
        let section = alloc::Section::start();
        f();
        let allocs = section.allocations() as f64;
        let ns = ns_per_op(n, &mut *f);
        rows.push((who, step, ns, allocs));
    };
    measure("floor", "build + serialize the request", &mut || {
        black_box(
            serde_json::to_vec(&clients::FloorRequest {
                model: server::MODEL,
                messages: [clients::FloorMessage {
                    role: "user",
                    content: clients::PROMPT,
                }],
                stream: false,
            })
            .expect("json"),
        );
    });
    measure("venice-sdk", "build + serialize the request", &mut || {
        let request =
            ChatCompletionRequest::new(server::MODEL, [venice_sdk::Message::user(clients::PROMPT)]);
        black_box(serde_json::to_vec(&request).expect("json"));
    });
    measure("async-openai", "build + serialize the request", &mut || {
        black_box(serde_json::to_vec(&clients::aoai_request().expect("request")).expect("json"));
    });
    let sdk_request =
        ChatCompletionRequest::new(server::MODEL, [venice_sdk::Message::user(clients::PROMPT)]);
    measure(
        "venice-sdk",
        "the spec's value rules checked on the typed request (`Operation::check`, in `Call::body`)",
        &mut || {
            black_box(
                venice_sdk::operations::CREATE_CHAT_COMPLETION
                    .check(black_box(&sdk_request))
                    .is_ok(),
            );
        },
    );
    measure("floor", "decode the completion (small struct)", &mut || {
        black_box(serde_json::from_slice::<clients::FloorCompletion>(&completion).expect("json"));
    });
    measure(
        "venice-sdk",
        "decode the completion (generated `CreateChatCompletionResponse`)",
        &mut || {
            black_box(
                serde_json::from_slice::<venice_sdk::ChatCompletion>(&completion).expect("json"),
            );
        },
    );
    measure(
        "async-openai",
        "decode the completion (`CreateChatCompletionResponse`)",
        &mut || {
            black_box(
                serde_json::from_slice::<async_openai::types::chat::CreateChatCompletionResponse>(
                    &completion,
                )
                .expect("json"),
            );
        },
    );
    measure(
        "venice-sdk",
        "`ResponseMeta::from_headers`: the answer's headers moved in, the 15 it reads found in one pass (timed with a clone of the map, as the floor has none to move)",
        &mut || {
            black_box(venice_sdk::ResponseMeta::from_headers(
                reqwest::StatusCode::OK,
                headers.clone(),
            ));
        },
    );
    measure(
        "venice-sdk",
        "(the `HeaderMap` clone alone, to subtract)",
        &mut || {
            black_box(headers.clone());
        },
    );
    let mut out = String::from(
        "| client | step | ns per call | allocations per call |\n| --- | --- | ---: | ---: |\n",
    );
    for (who, step, ns, allocs) in rows {
        let _ = writeln!(out, "| {who} | {step} | {ns:.0} | {allocs:.0} |");
    }
    out
}

// ---- report ---------------------------------------------------------------------

fn fmt_num(x: f64) -> String {
    let a = x.abs();
    if a >= 10_000.0 {
        // Thousands separators.
        let s = format!("{:.0}", x);
        let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        format!("{sign}{out}")
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

fn cell(stat: Option<Stat>) -> String {
    match stat {
        Some(s) if s.n > 1 => format!(
            "{} ({}–{})",
            fmt_num(s.median),
            fmt_num(s.min),
            fmt_num(s.max)
        ),
        Some(s) => fmt_num(s.median),
        None => "n/a".into(),
    }
}

fn ratio(a: Option<Stat>, b: Option<Stat>) -> Option<f64> {
    Some(a?.median / b?.median)
}

fn ratio_cell(r: Option<f64>) -> String {
    r.map_or("—".into(), |r| format!("{r:.2}×"))
}

struct Verdict {
    what: String,
    met: bool,
    detail: String,
}

fn report(
    samples: &Samples,
    ladder: Option<&str>,
    breakdown: Option<&str>,
    options: &Options,
    runtime: Duration,
) -> String {
    let nn = fmt_num(options.requests as f64);
    let chunks = fmt_num(server::STREAM_CHUNKS as f64);
    let s = |k: &str, w: Who| samples.stat(k, w);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Median (min–max) over {} rounds; clients take turns (floor, sdk, async-openai, floor, …). \
         Ratios are of the medians of the row's metric; ↑ = higher is better, ↓ = lower is better.\n",
        options.rounds
    );
    let _ = writeln!(
        out,
        "| # | workload | metric | floor (reqwest) | venice-sdk | async-openai | sdk/floor | sdk/async-openai |\n| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"
    );
    // Linearity of the big event: time per MiB at 2 and 4 MiB against 1 MiB.
    let linear = |w: Who| -> Option<(f64, f64)> {
        let t1 = s("big1.ms", w)?.median;
        let t2 = s("big2.ms", w)?.median;
        let t4 = s("big4.ms", w)?.median;
        Some((t2 / t1, t4 / t1))
    };
    let rows: [(&str, String, &str, &str); 23] = [
        (
            "1",
            format!("{nn} sequential completions"),
            "µs per request ↓",
            "seq.us",
        ),
        (
            "1",
            format!("{nn} sequential completions"),
            "requests/s ↑",
            "seq.rps",
        ),
        (
            "1",
            format!("{nn} sequential completions"),
            "allocations per request ↓",
            "seq.allocs",
        ),
        (
            "2",
            format!("{nn} completions, {IN_FLIGHT} in flight"),
            "requests/s ↑",
            "conc.rps",
        ),
        (
            "2",
            format!("{nn} completions, {IN_FLIGHT} in flight"),
            "peak heap above baseline, MiB ↓",
            "conc.peak",
        ),
        (
            "3",
            format!("{chunks}-chunk stream, 16 KiB frames"),
            "chunks/s ↑",
            "stream16k.cps",
        ),
        (
            "3",
            format!("{chunks}-chunk stream, 64 B frames"),
            "chunks/s ↑",
            "stream64.cps",
        ),
        (
            "3",
            format!("{chunks}-chunk stream, 16 KiB frames"),
            "peak heap above baseline, KiB ↓",
            "stream16k.peak",
        ),
        (
            "3",
            format!("{chunks}-chunk stream, 64 B frames"),
            "peak heap above baseline, KiB ↓",
            "stream64.peak",
        ),
        (
            "4",
            "1 MiB single-line event, 16 KiB frames".into(),
            "ms, request to last chunk ↓",
            "big1.ms",
        ),
        (
            "4",
            "2 MiB single-line event, 16 KiB frames".into(),
            "ms, request to last chunk ↓",
            "big2.ms",
        ),
        (
            "4",
            "4 MiB single-line event, 16 KiB frames".into(),
            "ms, request to last chunk ↓",
            "big4.ms",
        ),
        (
            "4",
            "4 MiB single-line event, 16 KiB frames".into(),
            "peak heap above baseline, MiB ↓",
            "big4.peak",
        ),
        (
            "5",
            "20 MB image, buffered (`generate_bytes`; floor: `bytes()`)".into(),
            "peak heap above baseline, MB ↓",
            "image.peak",
        ),
        ("5", "20 MB image, buffered".into(), "ms ↓", "image.ms"),
        (
            "5",
            "20 MB image, streamed to a sink (floor: `bytes_stream()`)".into(),
            "peak heap above baseline, MB ↓",
            "imagestream.peak",
        ),
        (
            "5",
            "20 MB image, streamed to a sink".into(),
            "ms ↓",
            "imagestream.ms",
        ),
        (
            "6",
            "200 MB video job saved to a file (`wait` + `Media::save`; floor: `bytes_stream()` into a `tokio::fs::File`, synced)".into(),
            "peak heap above baseline, MiB ↓",
            "videosave.peak",
        ),
        (
            "6",
            "200 MB video job saved to a file".into(),
            "ms ↓",
            "videosave.ms",
        ),
        (
            "7",
            "hostile 64 MiB chat completion (`prompt_logprobs: {\"0\": [0,0,…]}`; floor: plain `serde_json` into the same type)".into(),
            "peak heap ÷ body ↓",
            "hostile.chat",
        ),
        (
            "7",
            "hostile 64 MiB Responses answer (an unknown output item holding `[0,0,…]`)".into(),
            "peak heap ÷ body ↓",
            "hostile.responses",
        ),
        (
            "7",
            "hostile 64 MiB image answer (`request: [0,0,…]`)".into(),
            "peak heap ÷ body ↓",
            "hostile.image",
        ),
        (
            "7",
            "hostile 12.6 MB stream event (`logprobs: [0,0,…]`)".into(),
            "peak heap ÷ event ↓",
            "hostile.event",
        ),
    ];
    for (num, workload, metric, key) in rows {
        if !samples.0.contains_key(key) {
            continue;
        }
        let (f, k, a) = (s(key, Who::Floor), s(key, Who::Sdk), s(key, Who::Aoai));
        let sdk_cell = cell(k);
        let aoai_cell = if key.starts_with("image") {
            "n/a (no binary image call)".to_owned()
        } else if key.starts_with("video") {
            "n/a (no media job call)".to_owned()
        } else if key.starts_with("hostile") {
            "not measured".to_owned()
        } else {
            cell(a)
        };
        let _ = writeln!(
            out,
            "| {num} | {workload} | {metric} | {} | {sdk_cell} | {aoai_cell} | {} | {} |",
            cell(f),
            ratio_cell(ratio(k, f)),
            ratio_cell(ratio(k, a)),
        );
        if key == "big4.ms" {
            let c = |w: Who| {
                linear(w).map_or("n/a".into(), |(r2, r4)| {
                    format!("2 MiB: {r2:.2}×, 4 MiB: {r4:.2}×")
                })
            };
            let _ = writeln!(
                out,
                "| 4 | time against the 1 MiB time | linear: 2×, 4× | {} | {} | {} | | |",
                c(Who::Floor),
                c(Who::Sdk),
                c(Who::Aoai)
            );
        }
    }

    // Targets.
    let mut verdicts: Vec<Verdict> = Vec::new();
    if let (Some(f), Some(k), Some(a)) = (
        s("seq.us", Who::Floor),
        s("seq.us", Who::Sdk),
        s("seq.us", Who::Aoai),
    ) {
        verdicts.push(Verdict {
            what: "sequential: SDK time per request ≤ 1.05× floor".into(),
            met: k.median <= 1.05 * f.median,
            detail: format!(
                "{:.2}× ({:.1} vs {:.1} µs)",
                k.median / f.median,
                k.median,
                f.median
            ),
        });
        verdicts.push(Verdict {
            what: "sequential: SDK not slower than async-openai".into(),
            met: k.median <= a.median,
            detail: format!(
                "{:.2}× ({:.1} vs {:.1} µs)",
                k.median / a.median,
                k.median,
                a.median
            ),
        });
    }
    if let (Some(f), Some(k), Some(a)) = (
        s("conc.rps", Who::Floor),
        s("conc.rps", Who::Sdk),
        s("conc.rps", Who::Aoai),
    ) {
        verdicts.push(Verdict {
            what: format!("{IN_FLIGHT} in flight: SDK time per request ≤ 1.05× floor"),
            met: f.median / k.median <= 1.05,
            detail: format!(
                "{:.2}× ({} vs {} req/s)",
                f.median / k.median,
                fmt_num(k.median),
                fmt_num(f.median)
            ),
        });
        verdicts.push(Verdict {
            what: format!("{IN_FLIGHT} in flight: SDK not slower than async-openai"),
            met: k.median >= a.median,
            detail: format!(
                "{:.2}× the time ({} vs {} req/s)",
                a.median / k.median,
                fmt_num(k.median),
                fmt_num(a.median)
            ),
        });
    }
    for (key, label) in [
        ("stream16k.cps", "16 KiB frames"),
        ("stream64.cps", "64 B frames"),
    ] {
        if let (Some(f), Some(k), Some(a)) =
            (s(key, Who::Floor), s(key, Who::Sdk), s(key, Who::Aoai))
        {
            verdicts.push(Verdict {
                what: format!("stream, {label}: SDK ≥ 0.9× floor chunks/s"),
                met: k.median >= 0.9 * f.median,
                detail: format!("{:.2}×", k.median / f.median),
            });
            verdicts.push(Verdict {
                what: format!("stream, {label}: SDK ≥ 2× async-openai chunks/s"),
                met: k.median >= 2.0 * a.median,
                detail: format!(
                    "{:.2}× (the floor itself: {:.2}×)",
                    k.median / a.median,
                    f.median / a.median
                ),
            });
        }
    }
    if let (Some((r2, r4)), Some(t4)) = (linear(Who::Sdk), s("big4.ms", Who::Sdk)) {
        verdicts.push(Verdict {
            what: "4 MiB event: SDK time grows linearly (≤ 1.25× the per-MiB time of 1 MiB)".into(),
            met: r4 <= 4.0 * 1.25 && r2 <= 2.0 * 1.25,
            detail: format!("2 MiB {r2:.2}×, 4 MiB {r4:.2}× the 1 MiB time"),
        });
        verdicts.push(Verdict {
            what: "4 MiB event: SDK < 10 ms".into(),
            met: t4.median < 10.0,
            detail: format!("{:.2} ms (min {:.2})", t4.median, t4.min),
        });
    }
    if let Some(k) = s("image.peak", Who::Sdk) {
        let payload = server::IMAGE_BYTES as f64 / 1e6;
        verdicts.push(Verdict {
            what: "20 MB image buffered: SDK peak heap ≤ 1.1× payload".into(),
            met: k.median <= 1.1 * payload,
            detail: format!("{:.2}× ({:.1} MB)", k.median / payload, k.median),
        });
        if let Some(k) = s("imagestream.peak", Who::Sdk) {
            verdicts.push(Verdict {
                what:
                    "20 MB image: SDK streamed download (`generate_to`) peak < 1 MiB above baseline"
                        .into(),
                met: k.median < 1.048_576,
                detail: format!("{:.2} MB", k.median),
            });
        }
    }
    if let Some(k) = s("videosave.peak", Who::Sdk) {
        verdicts.push(Verdict {
            what: "200 MB video saved (`Media::save`): SDK peak heap < 1 MiB above baseline".into(),
            met: k.median < 1.0,
            detail: format!("{:.3} MiB (max {:.3})", k.median, k.max),
        });
    }
    for key in [
        "hostile.chat",
        "hostile.responses",
        "hostile.image",
        "hostile.event",
    ] {
        if let Some(k) = s(key, Who::Sdk) {
            verdicts.push(Verdict {
                what: format!("{key}: SDK peak heap for a body at its cap ≤ 3× the body"),
                met: k.max <= 3.0,
                detail: format!("{:.2}× (max {:.2}×)", k.median, k.max),
            });
        }
    }
    if !verdicts.is_empty() {
        let _ = writeln!(out, "\n| target | result | met |\n| --- | --- | --- |");
        for v in &verdicts {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                v.what,
                v.detail,
                if v.met { "met" } else { "**missed**" }
            );
        }
    }
    if let Some(l) = ladder {
        let _ = writeln!(
            out,
            "\n#### Where the time of one call goes: the attribution ladder\n"
        );
        out.push_str(l);
    }
    if let Some(b) = breakdown {
        let _ = writeln!(
            out,
            "\n#### Breakdown without the network\n\n\
             Steps of one non-streaming call, timed alone on the same request and answer \
             (median of 5 batches of 50,000); then the streaming paths on the same bytes split \
             into the same frames (median of 11): the SDK's SSE parser against the floor's line \
             split, and decoding each event's data straight into `ChatCompletionChunk` \
             against going through a `serde_json::Value` first.\n"
        );
        out.push_str(b);
    }
    let _ = writeln!(
        out,
        "\nMeasured in {:.0} s (this run, building excluded).",
        runtime.as_secs_f64()
    );
    out
}

fn machine() -> String {
    let sh = |cmd: &str| {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(cmd)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim_end().to_owned())
            .unwrap_or_else(|e| format!("({cmd}: {e})"))
    };
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let commit = sh(&format!("git -C '{root}' rev-parse --short HEAD"));
    let dirty = sh(&format!("git -C '{root}' status --porcelain -- venice-sdk"));
    format!(
        "venice-sdk at commit `{commit}`{}; async-openai {}.\n\n`nproc`: {}\n\n```text\n$ lscpu | head\n{}\n$ rustc --version\n{}\n```\n",
        if dirty.is_empty() {
            ""
        } else {
            " with uncommitted changes"
        },
        sh(&format!(
            "cargo tree --manifest-path '{root}/bench/Cargo.toml' --depth 1 --prefix none -e normal 2>/dev/null | awk '$1 == \"async-openai\" {{ print $2; exit }}'"
        )),
        sh("nproc"),
        sh("lscpu | head"),
        sh("rustc --version"),
    )
}

/// Replaces the generated section of BENCHMARKS.md (the rest is hand-written).
fn write_benchmarks_md(report: &str) -> Result<(), String> {
    const BEGIN: &str = "<!-- bench:begin (written by venice-bench; do not edit by hand) -->";
    const END: &str = "<!-- bench:end -->";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../BENCHMARKS.md");
    let generated = format!(
        "{BEGIN}\n\n### Results\n\n{report}\n### Machine\n\n{}\n{END}",
        machine()
    );
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let new = match (old.find("<!-- bench:begin"), old.find(END)) {
        (Some(b), Some(e)) if b < e => format!("{}{generated}{}", &old[..b], &old[e + END.len()..]),
        _ => format!("# Benchmarks\n\n{generated}\n{old}"),
    };
    std::fs::write(&path, new).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
