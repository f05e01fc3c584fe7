//! The shared automaton's overlapping scan, two walks at a time.
//!
//! Owns one thing: reporting every match of an Aho-Corasick automaton in a text, overlapping
//! ones included, exactly as `AhoCorasick::find_overlapping_iter` would and in the same order.
//! It must not interpret matches; the matcher does.
//!
//! Why not the crate's search: a DFA of the bundled rules is 2-3 MB, so each transition
//! waits on a load from L2 and the scan is bound by that chain of dependent loads, not by the
//! work per byte. Two walks over the two halves of a text, stepped in one loop, keep two loads
//! in flight, and the walks step in a loop of their own until one of them reaches a match
//! state, so that both states stay in registers (with the reporting calls in the loop they
//! lived on the stack, and a store and a reload lengthened every link of the chain). On 21 MB
//! of JSON Lines in 256-byte texts this takes 43-56 ms against 76-90 ms for the crate's
//! overlapping search in the same runs; with the calls in the loop it took 67-68 ms
//! (`cargo run --release --example scan_walks -- bench-out/comments.jsonl`). A third walk
//! took 44-50 ms against 50-53 ms for two in the same runs: inside the noise, and not kept.
//!
//! The first walk takes the text up to a split point and reports the matches that end up to
//! it; the second starts `overlap` bytes (the longest pattern less one) before that point, so
//! it sees every match that ends after it. The point is set so both walks are equally long.
//! The second walk's matches wait in `late` and follow the first walk's, which gives the
//! crate's order: by end, then by the automaton's order of the patterns that end there.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::Anchored;

use super::dfa::Dfa;

/// What the scan asks of an automaton: the crate's automata and [`Dfa`] both answer it.
pub trait Walk {
    type State: Copy;
    /// The state an unanchored search starts in.
    fn start(&self) -> Self::State;
    /// The state after `byte` in state `s`.
    fn next(&self, s: Self::State, byte: u8) -> Self::State;
    /// Whether some pattern ends in state `s`.
    fn is_match(&self, s: Self::State) -> bool;
    /// Each pattern that ends in match state `s`, in the automaton's order, as
    /// `(pattern, length)`.
    fn each_match(&self, s: Self::State, f: &mut dyn FnMut(usize, usize));
}

impl<A: Automaton> Walk for A {
    type State = StateID;

    fn start(&self) -> StateID {
        // Every shared automaton is built with an unanchored start (the builders' default).
        self.start_state(Anchored::No)
            .expect("the shared automaton has an unanchored start state")
    }

    #[inline(always)]
    fn next(&self, s: StateID, byte: u8) -> StateID {
        self.next_state(Anchored::No, s, byte)
    }

    #[inline(always)]
    fn is_match(&self, s: StateID) -> bool {
        Automaton::is_match(self, s)
    }

    fn each_match(&self, s: StateID, f: &mut dyn FnMut(usize, usize)) {
        for k in 0..self.match_len(s) {
            let pid = self.match_pattern(s, k);
            f(pid.as_usize(), self.pattern_len(pid));
        }
    }
}

impl Walk for Dfa {
    type State = u32;

    fn start(&self) -> u32 {
        Dfa::start(self)
    }

    #[inline(always)]
    fn next(&self, s: u32, byte: u8) -> u32 {
        Dfa::next(self, s, byte)
    }

    #[inline(always)]
    fn is_match(&self, s: u32) -> bool {
        Dfa::is_match(self, s)
    }

    fn each_match(&self, s: u32, f: &mut dyn FnMut(usize, usize)) {
        for &(p, len) in self.matches(s) {
            f(p as usize, len as usize);
        }
    }
}

/// Texts shorter than this, or than twice the overlap, are walked once: two walks would
/// save little and cost a second loop.
const SPLIT_MIN: usize = 64;

/// Report every match of `a` in `hay` to `f` as `(pattern, start, end)`. `overlap`: the
/// length of `a`'s longest pattern less one. `late` is scratch space.
pub fn overlapping<A: Walk>(
    a: &A,
    hay: &[u8],
    overlap: usize,
    late: &mut Vec<(u32, usize, usize)>,
    mut f: impl FnMut(usize, usize, usize),
) {
    let start = a.start();
    let report = |s, end: usize, f: &mut dyn FnMut(usize, usize, usize)| {
        a.each_match(s, &mut |pid, len| f(pid, end - len, end));
    };
    // An empty pattern matches before the first byte too.
    if a.is_match(start) {
        report(start, 0, &mut f);
    }
    let n = hay.len();
    if n < SPLIT_MIN.max(overlap.saturating_mul(2)) {
        let (mut s, mut i) = (start, 0);
        while i < n {
            (s, i) = walk_to_match(a, s, hay, i);
            if a.is_match(s) {
                report(s, i, &mut f);
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
    let (head, len) = (&second[..first.len()], first.len());
    let mut i = 0;
    while i < len {
        // Both walks step in a loop of their own until either reaches a match state: with
        // the reporting calls inside it, both states lived on the stack, and a store and a
        // reload lengthened every link of the chain of dependent loads.
        let (mut m1, mut m2) = (false, false);
        while i < len {
            s1 = a.next(s1, first[i]);
            s2 = a.next(s2, head[i]);
            i += 1;
            m1 = a.is_match(s1);
            m2 = a.is_match(s2);
            if m1 | m2 {
                break;
            }
        }
        if m1 {
            report(s1, i, &mut f);
        }
        if m2 && from + i > split {
            report(s2, from + i, &mut |p, st, e| late.push((p as u32, st, e)));
        }
    }
    while i < second.len() {
        (s2, i) = walk_to_match(a, s2, second, i);
        if a.is_match(s2) {
            report(s2, from + i, &mut |p, st, e| late.push((p as u32, st, e)));
        }
    }
    for &(p, st, e) in late.iter() {
        f(p as usize, st, e);
    }
}

/// Step `s` over `hay` from `i` until it reaches a match state or the end; returns the state
/// and the position after the last byte stepped. A loop without calls keeps the state in a
/// register.
#[inline(always)]
pub(super) fn walk_to_match<A: Walk>(
    a: &A,
    mut s: A::State,
    hay: &[u8],
    mut i: usize,
) -> (A::State, usize) {
    while i < hay.len() {
        s = a.next(s, hay[i]);
        i += 1;
        if a.is_match(s) {
            break;
        }
    }
    (s, i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{dfa, nfa, AhoCorasick, AhoCorasickKind, MatchKind};
    use proptest::prelude::*;

    fn scan<A: Walk>(a: &A, hay: &[u8], overlap: usize) -> Vec<(usize, usize, usize)> {
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
            let ours = Dfa::new(&c, &patterns).unwrap();
            prop_assert_eq!(&scan(&ours, hay, overlap), &want, "dfa built from the contiguous nfa");
            let ours = Dfa::new(&n, &patterns).unwrap();
            prop_assert_eq!(&scan(&ours, hay, overlap), &want, "dfa built from the noncontiguous nfa");
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
