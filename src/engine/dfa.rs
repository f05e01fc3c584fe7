//! The shared automaton's DFA, built from its NFA.
//!
//! Owns turning an Aho-Corasick NFA (unanchored, standard match semantics) into a table with
//! one transition per state and byte class, and stepping that table. It must not search or
//! interpret matches: [`super::scan`] walks it as it walks the crate's automata, and tests
//! hold both to the crate's overlapping search.
//!
//! Why not the crate's DFA: it fills each state's missing transitions by asking the NFA where
//! the failure chain leads for that byte, walking the chain every time. For the bundled rules
//! that took 77 M instructions, after building a noncontiguous NFA again (10 M more). Here
//! states are taken breadth first, so a state's failure state has its row complete before
//! the state itself is reached, and a missing transition is the failure state's entry for
//! the same column: one copy, and 13.4 M instructions in all (callgrind). The DFA is built
//! while checking is under way (see `SharedAutomaton`), so with one job per core its build
//! takes time from the checking.
//!
//! It is built in two passes so that only the final table is ever allocated: the first walks
//! the trie and numbers the states, the second writes each row in final ids. Building a table
//! in provisional numbers and copying it into the final order took 19.4 M instructions and
//! 2 MB more fresh memory, which on the benchmark machines costs a fault and a zeroing per
//! page (huge pages faulted on 50 MB of JSON Lines, two jobs: 22 against 24).
//!
//! Rows are as wide as the alphabet (the bytes the patterns use, plus one column for every
//! other byte), not rounded up to a power of two, and a state's id is its row's offset, so a
//! step is one load. Match states come first, so a state is a match state when its id is
//! below a limit: one comparison per byte. For the bundled rules: 11,660 states of 45
//! columns, 2.1 MB, against 3.0 MB for the crate's DFA of 64.

use aho_corasick::automaton::Automaton;
use aho_corasick::Anchored;

/// A DFA for overlapping search: the same matches as the NFA it was built from, reported in
/// the same order.
#[derive(Debug, Clone)]
pub struct Dfa {
    /// The rows, state after state; an entry is the next state's id (its row's offset).
    trans: Vec<u32>,
    /// The column of each byte.
    classes: [u8; 256],
    /// Ids below this are match states.
    match_limit: u32,
    start: u32,
    /// Row `r` of a match state ends its patterns at `match_ends[r]` (and starts them where
    /// row `r - 1` ends them) in `matches`, as `(pattern, length)`.
    match_ends: Vec<u32>,
    matches: Vec<(u32, u32)>,
    stride: u32,
}

impl Dfa {
    /// The DFA of `nfa`, an automaton built with standard match semantics from exactly
    /// `patterns` (its byte classes are taken from them). `None`: the table would not fit
    /// 32-bit ids, or `nfa` has no unanchored start; the NFA has to serve.
    pub fn new<A: Automaton>(nfa: &A, patterns: &[impl AsRef<[u8]>]) -> Option<Dfa> {
        let root = nfa.start_state(Anchored::No).ok()?;
        // One column per byte the patterns use, and column 0 for every other byte: no
        // pattern has those, so from every state they lead where the failure chain ends, the
        // start state.
        let mut used = [false; 256];
        for p in patterns {
            for &b in p.as_ref() {
                used[usize::from(b)] = true;
            }
        }
        let other = usize::from(used.contains(&false));
        let mut classes = [0u8; 256];
        let mut reps = Vec::with_capacity(256);
        if other == 1 {
            reps.push(used.iter().position(|&u| !u).map_or(0, |b| b as u8));
        }
        for b in 0..=255u8 {
            if used[usize::from(b)] {
                classes[usize::from(b)] = reps.len() as u8;
                reps.push(b);
            }
        }
        let stride = reps.len();

        // First the trie alone, breadth first: `order[k]` is the NFA state numbered `k`. A
        // state's children are numbered when it is reached, so they are consecutive:
        // `children[k]..children[k + 1]`, each reached on column `column_of[child]`.
        let mut order = vec![root];
        let mut column_of = vec![0u8];
        let mut children = vec![1u32];
        let mut k = 0;
        while k < order.len() {
            let s = order[k];
            for (c, &byte) in reps.iter().enumerate() {
                // Anchored, the NFA answers with the trie's own transition or a dead state;
                // from the unanchored start a byte no pattern starts with loops back to it.
                let g = nfa.next_state(Anchored::Yes, s, byte);
                // Anything else is a child in the trie, reached from no other state.
                if !nfa.is_dead(g) && g != root {
                    order.push(g);
                    column_of.push(c as u8);
                }
            }
            children.push(u32::try_from(order.len()).ok()?);
            k += 1;
        }

        // Match states first, each keeping its relative order; `id[k]` is the final id (row
        // offset) of state `k`.
        let n = order.len();
        u32::try_from(n.checked_mul(stride)?).ok()?;
        let is_match: Vec<bool> = order.iter().map(|&s| nfa.is_match(s)).collect();
        let match_rows = is_match.iter().filter(|&&m| m).count();
        let mut by_place = Vec::with_capacity(n);
        by_place.extend((0..n).filter(|&k| is_match[k]));
        by_place.extend((0..n).filter(|&k| !is_match[k]));
        let mut id = vec![0u32; n];
        for (place, &k) in by_place.iter().enumerate() {
            id[k] = (place * stride) as u32;
        }

        // Then the table, in final ids, in the same breadth-first order. A state's row starts
        // as its failure state's (complete, being nearer the start) and its children replace
        // entries; where a child's entry was, the failure chain led: that is the child's
        // failure state. The start's row starts at itself.
        let mut trans = vec![id[0]; n * stride];
        let mut fail = vec![0u32; n];
        for k in 0..n {
            let row = id[k] as usize;
            if k > 0 {
                let f = fail[k] as usize;
                trans.copy_within(f..f + stride, row);
            }
            for child in children[k] as usize..children[k + 1] as usize {
                let at = row + usize::from(column_of[child]);
                fail[child] = trans[at];
                trans[at] = id[child];
            }
        }
        let mut matches = Vec::new();
        let mut match_ends = Vec::with_capacity(match_rows);
        for &k in &by_place[..match_rows] {
            let s = order[k];
            for i in 0..nfa.match_len(s) {
                let pid = nfa.match_pattern(s, i);
                matches.push((pid.as_u32(), nfa.pattern_len(pid) as u32));
            }
            match_ends.push(matches.len() as u32);
        }
        Some(Dfa {
            trans,
            classes,
            match_limit: (match_rows * stride) as u32,
            start: id[0],
            match_ends,
            matches,
            stride: stride as u32,
        })
    }

    /// The state searches start in.
    #[inline(always)]
    pub fn start(&self) -> u32 {
        self.start
    }

    /// The state after `byte` in state `s`.
    #[inline(always)]
    pub fn next(&self, s: u32, byte: u8) -> u32 {
        self.trans[s as usize + usize::from(self.classes[usize::from(byte)])]
    }

    /// Whether some pattern ends in state `s`.
    #[inline(always)]
    pub fn is_match(&self, s: u32) -> bool {
        s < self.match_limit
    }

    /// The patterns that end in match state `s`, in the NFA's order, as `(pattern, length)`.
    pub fn matches(&self, s: u32) -> &[(u32, u32)] {
        let row = (s / self.stride) as usize;
        let start = if row == 0 {
            0
        } else {
            self.match_ends[row - 1] as usize
        };
        &self.matches[start..self.match_ends[row] as usize]
    }

    /// Heap bytes held.
    pub fn memory_usage(&self) -> usize {
        self.trans.len() * 4 + self.match_ends.len() * 4 + self.matches.len() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::nfa;

    fn dfa_of(patterns: &[&str]) -> Dfa {
        let n = nfa::contiguous::Builder::new().build(patterns).unwrap();
        Dfa::new(&n, patterns).unwrap()
    }

    /// Every match of `d` in `hay`, stepping it a byte at a time, as `(pattern, start, end)`.
    fn all(d: &Dfa, hay: &str) -> Vec<(u32, usize, usize)> {
        let mut s = d.start();
        let mut out = Vec::new();
        for (i, &b) in hay.as_bytes().iter().enumerate() {
            s = d.next(s, b);
            if d.is_match(s) {
                for &(p, len) in d.matches(s) {
                    out.push((p, i + 1 - len as usize, i + 1));
                }
            }
        }
        out
    }

    #[test]
    fn a_missing_transition_follows_the_failure_state() {
        // After "abc" the automaton is in the state of "abc"; a "d" has no transition there
        // and must land in the state of "cd" through the failure chain ("c").
        let d = dfa_of(&["abce", "cd", "bc"]);
        assert_eq!(all(&d, "abcd"), vec![(2, 1, 3), (1, 2, 4)]);
    }

    #[test]
    fn rows_are_as_wide_as_the_alphabet_and_match_states_come_first() {
        let d = dfa_of(&["ab", "b"]);
        // Columns: every other byte, `a`, `b`. States: start, "a", "ab", "b".
        assert_eq!(d.stride, 3);
        assert_eq!(d.trans.len(), 4 * 3);
        assert_eq!(d.match_limit, 2 * 3);
        assert!(!d.is_match(d.start()));
        // "ab" ends both patterns, the longer first, as the NFA lists them.
        let ab = d.next(d.next(d.start(), b'a'), b'b');
        assert_eq!(d.matches(ab), &[(0, 2), (1, 1)]);
        // A byte no pattern uses goes back to the start from anywhere.
        assert_eq!(d.next(ab, b'z'), d.start());
    }

    #[test]
    fn every_byte_used_leaves_no_column_for_others() {
        let every: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        let n = nfa::contiguous::Builder::new().build(&every).unwrap();
        let d = Dfa::new(&n, &every).unwrap();
        assert_eq!(d.stride, 256);
        let s = d.next(d.start(), 0xff);
        assert_eq!(d.matches(s), &[(255, 1)]);
    }

    #[test]
    fn an_empty_pattern_makes_the_start_a_match_state() {
        let d = dfa_of(&["", "a"]);
        assert!(d.is_match(d.start()));
        assert_eq!(d.matches(d.start()), &[(0, 0)]);
    }
}
