//! The yardstick: one Aho-Corasick DFA of every literal term of the bundled rules, ASCII
//! case-insensitive, with a whole-word check, counting matches over the given files.
//!
//! No normalisation, no segmentation, no findings: the practical limit for literal matching on
//! this machine, measured in the same run as `check` so the ratio is fair.
//!
//! Usage: `cargo run --release --example baseline -- PATH...` (files, or directories of them).

#[path = "common.rs"]
mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for e in entries {
            collect(&e, out)?;
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        eprintln!("usage: baseline PATH...");
        return std::process::ExitCode::from(2);
    }
    let started = Instant::now();
    let terms = common::literal_terms(&common::bundled_sets());
    let matcher = common::WordMatcher::new(&terms);
    let build = started.elapsed();
    let mut files = Vec::new();
    for p in &paths {
        if let Err(e) = collect(p, &mut files) {
            eprintln!("baseline: error: {}: {e}", p.display());
            return std::process::ExitCode::from(2);
        }
    }
    let (mut bytes, mut matches, mut lines_hit) = (0usize, 0usize, 0usize);
    let scan = Instant::now();
    let mut buf = Vec::new();
    for f in &files {
        buf.clear();
        match std::fs::File::open(f).and_then(|mut h| std::io::Read::read_to_end(&mut h, &mut buf))
        {
            Ok(n) => bytes += n,
            Err(e) => {
                eprintln!("baseline: error: {}: {e}", f.display());
                return std::process::ExitCode::from(2);
            }
        }
        // Lines with at least one match: for JSON Lines, the comments a literal scan flags.
        let mut last_line_end = 0usize;
        matcher.for_each(&buf, |start, _| {
            matches += 1;
            if start >= last_line_end {
                lines_hit += 1;
                last_line_end =
                    memchr::memchr(b'\n', &buf[start..]).map_or(buf.len(), |i| start + i + 1);
            }
        });
    }
    let scan = scan.elapsed();
    let mut out = std::io::stdout().lock();
    let line = format!(
        "patterns={} files={} bytes={bytes} matches={matches} lines_hit={lines_hit} build_ms={:.3} scan_ms={:.3} scan_mb_s={:.1}\n",
        matcher.pattern_count(),
        files.len(),
        build.as_secs_f64() * 1e3,
        scan.as_secs_f64() * 1e3,
        bytes as f64 / 1e6 / scan.as_secs_f64().max(1e-9),
    );
    if out.write_all(line.as_bytes()).is_err() {
        return std::process::ExitCode::from(2);
    }
    std::process::ExitCode::SUCCESS
}

// The harness's own tests live here, in the one target `cargo test` runs them in.
#[cfg(test)]
mod tests {
    use super::common::*;
    use threadlint::rules::TermMode;

    #[test]
    fn baseline_matches_whole_words_by_mode() {
        let terms = vec![
            ("ass".to_string(), TermMode::Word),
            ("parasit".to_string(), TermMode::Prefix),
            ("phobe".to_string(), TermMode::Suffix),
            ("jew".to_string(), TermMode::Word),
        ];
        let m = WordMatcher::new(&terms);
        let cases: &[(&str, usize)] = &[
            ("what an ASS.", 1),
            ("the assassin in Scunthorpe", 0),
            ("Parasites, all of them", 1),
            ("a noted xenophobe", 1),
            ("phobes", 0),
            ("jewel thief", 0),
            ("Jewé", 0),
            ("«jew»", 1),
            ("", 0),
        ];
        let wrong: Vec<_> = cases
            .iter()
            .filter(|(text, want)| m.count(text.as_bytes()) != *want)
            .map(|(text, want)| format!("{text:?}: want {want}, got {}", m.count(text.as_bytes())))
            .collect();
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn rng_is_deterministic_and_in_range() {
        let (mut a, mut b) = (Rng::new(9), Rng::new(9));
        for _ in 0..1000 {
            let x = a.range(3, 8);
            assert_eq!(x, b.range(3, 8));
            assert!((3..=8).contains(&x));
        }
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }

    #[test]
    fn sentences_split_at_ends_not_abbreviations() {
        let mut out = Vec::new();
        split_sentences(
            "A senior U.S. official said so. Really? Yes!\nNext line",
            &mut out,
        );
        assert_eq!(
            out,
            [
                "A senior U.S. official said so.",
                "Really?",
                "Yes!",
                "Next line"
            ]
        );
    }

    #[test]
    fn generated_set_has_the_asked_number_of_terms() {
        let set = generated_set(2500, 1);
        assert_eq!(set.rules.iter().map(|r| r.terms.len()).sum::<usize>(), 2500);
        assert_eq!(set.rules.len(), 3);
    }
}
