//! The shared automaton's overlapping scan, two walks at a time.
//!
//! Owns one thing: reporting every match of an Aho-Corasick automaton in a text, overlapping
//! ones included, exactly as `AhoCorasick::find_overlapping_iter` would and in the same order.
//! It must not interpret matches; the matcher does.
//!
//! Why not the crate's search: a DFA of the bundled rules is about 3 MB, so each transition
//! waits on a load from L2 and the scan is bound by that chain of dependent loads (about
//! 5.5 ns a byte), not by the work per byte. Two walks over the two halves of a text, stepped
//! in one loop, keep two loads in flight. A bare loop of two walks that only counts matches
//! ran 1.55x as fast as one; this function, which reports each match as the matcher needs it,
//! gains less: 74-75 ms against 80-81 ms for the crate's search on 21 MB of JSON Lines in
//! 256-byte texts (`cargo run --release --example scan_walks -- bench-out/comments.jsonl`).
//! A third or fourth walk gained nothing more.
//!
//! The first walk takes the text up to a split point and reports the matches that end up to
//! it; the second starts `overlap` bytes (the longest pattern less one) before that point, so
//! it sees every match that ends after it. The point is set so both walks are equally long. The second walk's matches wait in `late` and follow the first
//! walk's, which gives the crate's order: by end, then by the automaton's order of the
//! patterns that end there.

use aho_corasick::automaton::Automaton;
use aho_corasick::Anchored;

/// Texts shorter than this, or than twice the overlap, are walked once: two walks would
/// save little and cost a second loop.
const SPLIT_MIN: usize = 64;

/// Report every match of `a` in `hay` to `f` as `(pattern, start, end)`. `overlap`: the
/// length of `a`'s longest pattern less one. `late` is scratch space.
pub fn overlapping<A: Automaton>(
    a: &A,
    hay: &[u8],
    overlap: usize,
    late: &mut Vec<(u32, usize, usize)>,
    mut f: impl FnMut(usize, usize, usize),
) {
    // Every shared automaton is built with an unanchored start (the builders' default).
    let start = a
        .start_state(Anchored::No)
        .expect("the shared automaton has an unanchored start state");
    let report = |s, end: usize, f: &mut dyn FnMut(usize, usize, usize)| {
        for k in 0..a.match_len(s) {
            let pid = a.match_pattern(s, k);
            f(pid.as_usize(), end - a.pattern_len(pid), end);
        }
    };
    // An empty pattern matches before the first byte too.
    if a.is_match(start) {
        report(start, 0, &mut f);
    }
    let n = hay.len();
    if n < SPLIT_MIN.max(overlap.saturating_mul(2)) {
        let mut s = start;
        for (i, &b) in hay.iter().enumerate() {
            s = a.next_state(Anchored::No, s, b);
            if a.is_match(s) {
                report(s, i + 1, &mut f);
            }
        }
        return;
    }
    // Both walks take (n + overlap) / 2 bytes (the second one more when that is odd).
    let split = (n + overlap) / 2;
    let from = split - overlap;
    let (first, second) = (&hay[..split], &hay[from..]);
    late.clear();
    let (mut s1, mut s2) = (start, start);
    for i in 0..first.len() {
        s1 = a.next_state(Anchored::No, s1, first[i]);
        s2 = a.next_state(Anchored::No, s2, second[i]);
        if a.is_match(s1) {
            report(s1, i + 1, &mut f);
        }
        if a.is_match(s2) && from + i + 1 > split {
            report(s2, from + i + 1, &mut |p, st, e| {
                late.push((p as u32, st, e))
            });
        }
    }
    for (i, &b) in second.iter().enumerate().skip(first.len()) {
        s2 = a.next_state(Anchored::No, s2, b);
        if a.is_match(s2) {
            report(s2, from + i + 1, &mut |p, st, e| {
                late.push((p as u32, st, e))
            });
        }
    }
    for &(p, st, e) in late.iter() {
        f(p as usize, st, e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{dfa, nfa, AhoCorasick, AhoCorasickKind, MatchKind};
    use proptest::prelude::*;

    fn scan<A: Automaton>(a: &A, hay: &[u8], overlap: usize) -> Vec<(usize, usize, usize)> {
        let (mut out, mut late) = (Vec::new(), Vec::new());
        overlapping(a, hay, overlap, &mut late, |p, s, e| out.push((p, s, e)));
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1_000))]

        /// On random pattern sets (a small alphabet, so matches overlap and cross the split)
        /// and texts of every length around the split threshold, each automaton kind reports
        /// exactly the crate's overlapping matches in the crate's order. A long pattern now and
        /// then makes a wide overlap and sends short texts to one walk.
        #[test]
        fn two_walks_report_what_the_crate_reports_in_its_order(
            mut patterns in proptest::collection::vec("[ab c]{1,9}", 1..12),
            long in proptest::option::weighted(0.2, "[ab c]{10,60}"),
            hay in "[ab c]{0,400}",
        ) {
            patterns.extend(long);
            let overlap = patterns.iter().map(String::len).max().unwrap() - 1;
            let reference = AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::NoncontiguousNFA))
                .build(&patterns)
                .unwrap();
            let want: Vec<(usize, usize, usize)> = reference
                .find_overlapping_iter(&hay)
                .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
                .collect();
            let hay = hay.as_bytes();
            let d = dfa::Builder::new().build(&patterns).unwrap();
            prop_assert_eq!(&scan(&d, hay, overlap), &want, "dfa");
            let c = nfa::contiguous::Builder::new().build(&patterns).unwrap();
            prop_assert_eq!(&scan(&c, hay, overlap), &want, "contiguous nfa");
            let n = nfa::noncontiguous::Builder::new().build(&patterns).unwrap();
            prop_assert_eq!(&scan(&n, hay, overlap), &want, "noncontiguous nfa");
        }
    }

    /// A match that straddles the split point is found once, by the second walk.
    #[test]
    fn a_match_across_the_middle_is_reported_once() {
        let patterns = ["middle"];
        let d = dfa::Builder::new().build(patterns).unwrap();
        let mut hay = vec![b'x'; 200];
        hay[97..103].copy_from_slice(b"middle");
        assert_eq!(scan(&d, &hay, 5), vec![(0, 97, 103)]);
    }
}
