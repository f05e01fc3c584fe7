//! Cheap word tests shared by the line classifiers: vocabulary lookups without a linear scan
//! and without allocating, and ASCII case-insensitive comparisons.
//!
//! Owns no vocabulary and no judgement; every helper gives exactly the answer of the
//! allocating code it replaces (`to_lowercase`, `str::contains` on a lowercased copy,
//! `slice::contains`), only faster. Non-ASCII words fall back to Unicode lowercasing.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A small, fast, non-cryptographic hasher (the multiply-rotate hash rustc uses) for maps keyed
/// by page text: the keys are not chosen by an adversary who gains by collisions, and a
/// collision only costs time.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("eight bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

pub type FxBuild = BuildHasherDefault<FxHasher>;
pub type FxHashMap<K, V> = HashMap<K, V, FxBuild>;

/// A fixed vocabulary: membership of an exact string.
pub struct WordSet {
    set: HashSet<&'static str, FxBuild>,
    /// Longest member in bytes: longer words are rejected before hashing.
    max_len: usize,
}

impl WordSet {
    pub fn new(words: &[&'static str]) -> WordSet {
        WordSet {
            set: words.iter().copied().collect(),
            max_len: words.iter().map(|w| w.len()).max().unwrap_or(0),
        }
    }

    /// Whether `word` is a member (exact, case-sensitive).
    #[inline]
    pub fn contains(&self, word: &str) -> bool {
        word.len() <= self.max_len && self.set.contains(word)
    }

    /// Whether `word.to_lowercase()` is a member, without allocating for ASCII words.
    #[inline]
    pub fn contains_lower(&self, word: &str) -> bool {
        with_lower(word, |w| self.contains(w))
    }
}

/// Call `f` with `word.to_lowercase()`: on a stack copy for short ASCII words, on an allocated
/// string otherwise.
#[inline]
pub fn with_lower<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    let bytes = word.as_bytes();
    if bytes.len() <= 32 && bytes.is_ascii() {
        let mut buf = [0u8; 32];
        let out = &mut buf[..bytes.len()];
        out.copy_from_slice(bytes);
        out.make_ascii_lowercase();
        f(std::str::from_utf8(out).expect("ASCII is UTF-8"))
    } else {
        f(&word.to_lowercase())
    }
}

/// Whether `hay` contains `needle` ignoring ASCII case; `needle` must be lowercase ASCII.
/// Same answer as `hay.to_ascii_lowercase().contains(needle)`.
#[inline]
pub fn contains_ascii_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return true;
    }
    if h.len() < n.len() {
        return false;
    }
    // Look for the needle's rarest byte in English text, then compare around it.
    let k = (0..n.len())
        .max_by_key(|&k| rarity(n[k]))
        .expect("needle is not empty");
    let (lo, up) = (n[k], n[k].to_ascii_uppercase());
    memchr::memchr2_iter(lo, up, &h[k..h.len() - (n.len() - 1 - k)])
        .any(|at| h[at..at + n.len()].eq_ignore_ascii_case(n))
}

/// How rare a lowercase ASCII byte is in English text (higher is rarer).
fn rarity(b: u8) -> usize {
    const COMMON: &[u8] = b" etaoinshrdlcumwfgypbvkjxqz";
    COMMON.iter().position(|&c| c == b).unwrap_or(COMMON.len())
}

/// `text.split_whitespace().take(limit).count()`, decoding only non-ASCII characters.
pub fn count_words(text: &str, limit: usize) -> usize {
    if limit == 0 {
        return 0;
    }
    let b = text.as_bytes();
    let mut n = 0;
    let mut in_word = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let space = if c.is_ascii() {
            i += 1;
            // `char::is_whitespace` on ASCII: tab, line feed, vertical tab, form feed,
            // carriage return, space.
            matches!(c, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ')
        } else {
            let ch = text[i..].chars().next().expect("a character starts here");
            i += ch.len_utf8();
            ch.is_whitespace()
        };
        if space {
            in_word = false;
        } else if !in_word {
            in_word = true;
            n += 1;
            if n == limit {
                return n;
            }
        }
    }
    n
}

/// Whether `text` starts with `prefix` ignoring ASCII case (`prefix` ASCII).
#[inline]
pub fn starts_with_ascii_ci(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Whether `text` ends with `suffix` ignoring ASCII case (`suffix` ASCII).
#[inline]
pub fn ends_with_ascii_ci(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len()
        && text.as_bytes()[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_match_lowercase_contains() {
        let set = WordSet::new(&["reply", "«", "editor's", "a+"]);
        for (w, want) in [
            ("Reply", true),
            ("REPLY", true),
            ("replies", false),
            ("«", true),
            ("Editor's", true),
            ("A+", true),
            ("", false),
            ("Ünique", false),
        ] {
            assert_eq!(set.contains_lower(w), want, "{w}");
        }
    }

    #[test]
    fn word_counts_match_split_whitespace() {
        for text in [
            "",
            "   ",
            "one",
            " two  words ",
            "tab\tand\u{0B}vertical\u{0C}feed\r\n",
            "nbsp\u{A0}is\u{2003}space\u{3000}too\u{85}x",
            "“Quoted” — words’ here…",
        ] {
            for limit in [0, 1, 2, 3, 13, 100] {
                assert_eq!(
                    count_words(text, limit),
                    text.split_whitespace().take(limit).count(),
                    "{text:?} {limit}"
                );
            }
        }
    }

    #[test]
    fn ascii_case_insensitive_tests() {
        for (hay, needle) in [
            ("Posted Yesterday", "yesterday"),
            ("x ago", " ago"),
            ("AGO", " ago"),
            ("", "a"),
            ("aaab", "aab"),
            ("Ça va JUST NOW", "just now"),
            ("today", "today"),
            ("x ag", " ago"),
            ("a go", " ago"),
            (" AgO", " ago"),
            ("yesterda", "yesterday"),
            ("YESTERDAY!", "yesterday"),
        ] {
            assert_eq!(
                contains_ascii_ci(hay, needle),
                hay.to_ascii_lowercase().contains(needle),
                "{hay} / {needle}"
            );
        }
        assert!(starts_with_ascii_ci("By Ann", "by "));
        assert!(!starts_with_ascii_ci("B", "by "));
        assert!(ends_with_ascii_ci("Ann SAYS", "says"));
        assert!(!ends_with_ascii_ci("é", "says"));
    }
}
