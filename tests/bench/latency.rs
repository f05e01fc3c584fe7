//! Single-comment latency in process, as a pre-publish call sees it: `Engine::check_thread` on
//! a one-comment thread of about 500 bytes, timed call by call after a warm-up.
//!
//! Prints p50, p90, p99, p99.9 and max in microseconds for a clean comment and for one that
//! carries a flagged sentence (verification runs only on candidates, so both matter).
//!
//! Usage: `cargo run --release --example latency -- [CALLS] [BYTES]` (defaults 100000, 500).

#[path = "common.rs"]
mod common;

use std::io::Write;
use std::time::Instant;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// A comment of about `bytes` bytes that ends with a flagged sentence.
fn flagged_comment(material: &common::Material, bytes: usize) -> String {
    let Some(f) = material.flagged.first() else {
        return common::comment_of_len(material, bytes, 11);
    };
    let mut body = common::comment_of_len(material, bytes.saturating_sub(f.len() + 1), 11);
    body.push(' ');
    body.push_str(f);
    body
}

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let calls: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let bytes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let sets = common::bundled_sets();
    let terms = common::literal_terms(&sets);
    let matcher = common::WordMatcher::new(&terms);
    let material = match common::Material::load(&common::repo_root(), &sets, &matcher) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("latency: error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let engine = match threadlint::engine::Engine::new(sets) {
        Ok(e) => e,
        Err(errs) => {
            for e in errs {
                eprintln!("{e}");
            }
            return std::process::ExitCode::from(2);
        }
    };
    // As `serve` does before taking requests: no call waits for a part built on first use.
    engine.build_deferred();
    let clean = common::comment_of_len(&material, bytes, 7);
    let flagged = flagged_comment(&material, bytes);
    let mut out = std::io::stdout().lock();
    for (label, body) in [("clean", clean), ("flagged", flagged)] {
        let thread = common::single_comment_thread(&body);
        let mut findings = 0;
        for _ in 0..calls / 10 {
            findings = engine.check_thread(&thread).len();
        }
        let mut samples = Vec::with_capacity(calls);
        for _ in 0..calls {
            let t = Instant::now();
            let f = engine.check_thread(&thread);
            samples.push(t.elapsed().as_secs_f64() * 1e6);
            std::hint::black_box(f);
        }
        samples.sort_by(|a, b| a.total_cmp(b));
        let line = format!(
            "{label} bytes={} findings={findings} calls={calls} p50_us={:.2} p90_us={:.2} p99_us={:.2} p999_us={:.2} max_us={:.2}\n",
            body.len(),
            percentile(&samples, 0.5),
            percentile(&samples, 0.9),
            percentile(&samples, 0.99),
            percentile(&samples, 0.999),
            samples[samples.len() - 1],
        );
        if out.write_all(line.as_bytes()).is_err() {
            return std::process::ExitCode::from(2);
        }
    }
    std::process::ExitCode::SUCCESS
}
