//! The shared scan on its own: the crate's overlapping search against `engine::scan`'s two
//! walks, on the crate's DFA and on `engine::dfa`'s (built from the contiguous NFA), of the
//! same patterns (every literal term of the bundled rules) over the same texts (the input
//! lower-cased and cut into texts of `--text` bytes, about a comment each). Also times
//! building each DFA.
//!
//! Usage: `cargo run --release --example scan_walks -- FILE [--mb 20] [--text 256]`.
//! Prints the median of 7 timed runs of each, after one warm-up, and checks all report the
//! same matches.

#[path = "common.rs"]
mod common;

use aho_corasick::{dfa, nfa, AhoCorasick, AhoCorasickKind, MatchKind};
use std::time::{Duration, Instant};
use threadlint::engine::dfa::Dfa;

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map_or(Ok(default), |v| v.parse::<usize>())
    };
    let (Some(path), Ok(mb), Ok(text_len)) = (args.first(), flag("--mb", 20), flag("--text", 256))
    else {
        eprintln!("usage: scan_walks FILE [--mb N] [--text BYTES]");
        return std::process::ExitCode::from(2);
    };
    let mut hay = match std::fs::read(path) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("scan_walks: error: {path}: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    hay.truncate(mb << 20);
    hay.make_ascii_lowercase();
    let texts: Vec<&[u8]> = hay.chunks(text_len.max(1)).collect();
    let patterns: Vec<String> = common::literal_terms(&common::bundled_sets())
        .into_iter()
        .map(|(t, _)| t.to_lowercase())
        .collect();
    let overlap = patterns.iter().map(String::len).max().unwrap_or(1) - 1;
    let crate_ac = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::DFA))
        .build(&patterns)
        .expect("the bundled terms build a DFA");
    let build = |f: &mut dyn FnMut()| {
        let runs = (0..7)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect();
        median(runs)
    };
    let crate_dfa = || {
        dfa::Builder::new()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&patterns)
            .expect("the bundled terms build a DFA")
    };
    let contiguous = nfa::contiguous::Builder::new()
        .match_kind(MatchKind::Standard)
        .prefilter(false)
        .build(&patterns)
        .expect("the bundled terms build a contiguous NFA");
    let ours = || Dfa::new(&contiguous, &patterns).expect("the bundled terms build a DFA");
    let built_crate = build(&mut || drop(crate_dfa()));
    let built_ours = build(&mut || drop(ours()));
    let (walked, own) = (crate_dfa(), ours());
    let mut late = Vec::new();
    let time = |f: &mut dyn FnMut() -> usize| {
        let count = f();
        let runs = (0..7)
            .map(|_| {
                let t = Instant::now();
                assert_eq!(f(), count);
                t.elapsed()
            })
            .collect();
        (median(runs), count)
    };
    let (one, n1) = time(&mut || {
        texts
            .iter()
            .map(|t| crate_ac.find_overlapping_iter(t).count())
            .sum()
    });
    let (two, n2) = time(&mut || {
        let mut n = 0;
        for t in &texts {
            threadlint::engine::scan::overlapping(&walked, t, overlap, &mut late, |_, _, _| n += 1);
        }
        n
    });
    let (three, n3) = time(&mut || {
        let mut n = 0;
        for t in &texts {
            threadlint::engine::scan::overlapping(&own, t, overlap, &mut late, |_, _, _| n += 1);
        }
        n
    });
    println!(
        "{} patterns, {} texts of {} bytes ({:.1} MB)",
        patterns.len(),
        texts.len(),
        text_len,
        hay.len() as f64 / 1e6
    );
    println!("crate overlapping search: {one:.1?} ({n1} matches)");
    println!("two walks on the crate's DFA: {two:.1?} ({n2} matches)");
    println!("two walks on engine::dfa: {three:.1?} ({n3} matches)");
    println!(
        "building the crate's DFA: {built_crate:.1?} ({} bytes); engine::dfa from the contiguous NFA: {built_ours:.1?} ({} bytes)",
        aho_corasick::automaton::Automaton::memory_usage(&walked),
        own.memory_usage()
    );
    if n1 != n2 || n1 != n3 {
        eprintln!("scan_walks: error: the scans disagree");
        return std::process::ExitCode::from(1);
    }
    std::process::ExitCode::SUCCESS
}
