//! Rule compilation in process: loading and compiling the bundled sets, and compiling a set of
//! 100,000 made-up terms (issue 3: under 30 ms and under 2 s).
//!
//! Prints the median and the spread (min..max) of repeated builds.
//!
//! Usage: `cargo run --release --example compile -- [TERMS] [REPEATS]` (defaults 100000, 5).

#[path = "common.rs"]
mod common;

use std::io::Write;
use std::time::Instant;
use threadlint::engine::Engine;

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let repeats: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5).max(1);
    let mut out = std::io::stdout().lock();
    let mut report = |label: &str, samples: &mut Vec<f64>, extra: String| {
        let (med, min, max) = common::median_spread(samples);
        let line = format!(
            "{label} median_ms={:.3} min_ms={:.3} max_ms={:.3} runs={} {extra}\n",
            med * 1e3,
            min * 1e3,
            max * 1e3,
            samples.len()
        );
        out.write_all(line.as_bytes()).is_ok()
    };

    // Bundled: parse the YAML and compile, as every command does at start-up.
    let (mut load, mut build, mut both) = (Vec::new(), Vec::new(), Vec::new());
    // What is built on first use (each profile's own automaton, the regexes as written).
    let mut deferred = Vec::new();
    let mut terms = 0;
    let mut shape = String::new();
    for _ in 0..(repeats * 10) {
        let t = Instant::now();
        let sets = common::bundled_sets();
        let loaded = t.elapsed().as_secs_f64();
        terms = common::literal_terms(&sets).len();
        let t2 = Instant::now();
        let engine = Engine::new(sets);
        let built = t2.elapsed().as_secs_f64();
        let Ok(engine) = engine else {
            eprintln!("compile: error: the bundled rules do not compile");
            return std::process::ExitCode::from(2);
        };
        shape = format!(
            "engine profiles={} patterns={}\n",
            engine.profiles().len(),
            engine.pattern_count()
        );
        let t3 = Instant::now();
        engine.build_deferred();
        deferred.push(t3.elapsed().as_secs_f64());
        load.push(loaded);
        build.push(built);
        both.push(loaded + built);
    }
    let ok = report("bundled-load", &mut load, format!("terms={terms}"))
        && report("bundled-build", &mut build, format!("terms={terms}"))
        && report("bundled-load+build", &mut both, format!("terms={terms}"))
        && report("bundled-deferred", &mut deferred, format!("terms={terms}"));
    if !ok {
        return std::process::ExitCode::from(2);
    }

    let set = common::generated_set(n, 42);
    let mut gen = Vec::new();
    for _ in 0..repeats {
        let sets = vec![set.clone()];
        let t = Instant::now();
        let engine = Engine::new(sets);
        gen.push(t.elapsed().as_secs_f64());
        if let Err(errs) = engine {
            eprintln!(
                "compile: error: {} build error(s), first: {}",
                errs.len(),
                errs[0]
            );
            return std::process::ExitCode::from(2);
        }
    }
    if !report("generated-build", &mut gen, format!("terms={n}"))
        || out.write_all(shape.as_bytes()).is_err()
    {
        return std::process::ExitCode::from(2);
    }
    std::process::ExitCode::SUCCESS
}
