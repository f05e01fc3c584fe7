//! Cheap word tests shared by the line classifiers: vocabulary lookups without a linear scan
//! and without allocating, and ASCII case-insensitive comparisons.
//!
//! Owns no vocabulary and no judgement; every helper gives exactly the answer of the
//! allocating code it replaces (`to_lowercase`, `str::contains` on a lowercased copy,
//! `slice::contains`), only faster. Non-ASCII words fall back to Unicode lowercasing.

use std::collections::HashMap;
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

/// A fixed vocabulary: membership of an exact string. Members are bucketed by length and
/// first byte, so a lookup compares the word with the one or two members of its bucket.
pub struct WordSet {
    buckets: Vec<Vec<&'static [u8]>>,
    /// Longest member in bytes: longer words are rejected at once.
    max_len: usize,
    has_empty: bool,
}

const BUCKET_LENS: usize = 32;

fn bucket(word: &[u8]) -> usize {
    (word.len() % BUCKET_LENS) * 32 + (word[0] % 32) as usize
}

impl WordSet {
    pub fn new(words: &[&'static str]) -> WordSet {
        let mut buckets = vec![Vec::new(); BUCKET_LENS * 32];
        for w in words.iter().filter(|w| !w.is_empty()) {
            buckets[bucket(w.as_bytes())].push(w.as_bytes());
        }
        WordSet {
            buckets,
            max_len: words.iter().map(|w| w.len()).max().unwrap_or(0),
            has_empty: words.iter().any(|w| w.is_empty()),
        }
    }

    /// Whether `word` is a member (exact, case-sensitive).
    #[inline]
    pub fn contains(&self, word: &str) -> bool {
        self.contains_bytes(word.as_bytes())
    }

    #[inline]
    fn contains_bytes(&self, word: &[u8]) -> bool {
        if word.is_empty() {
            return self.has_empty;
        }
        word.len() <= self.max_len && self.buckets[bucket(word)].iter().any(|m| *m == word)
    }

    /// Whether `word.to_lowercase()` is a member, without allocating for ASCII words.
    #[inline]
    pub fn contains_lower(&self, word: &str) -> bool {
        let bytes = word.as_bytes();
        if bytes.len() <= 32 && bytes.is_ascii() {
            let mut buf = [0u8; 32];
            let out = &mut buf[..bytes.len()];
            out.copy_from_slice(bytes);
            out.make_ascii_lowercase();
            self.contains_bytes(out)
        } else {
            self.contains(&word.to_lowercase())
        }
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

/// `text.split_whitespace().take(limit).count()`, eight ASCII bytes at a time; only
/// non-ASCII characters are decoded.
pub fn count_words(text: &str, limit: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    if limit == 0 {
        return 0;
    }
    let b = text.as_bytes();
    let mut n = 0;
    let mut after_space = true;
    let mut i = 0;
    while i < b.len() {
        if let Some(chunk) = b.get(i..i + 8) {
            let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            if x & HI == 0 {
                // Per byte, the high bit of each mask: space (0x20), or tab to carriage return
                // (0x09..=0x0D): `char::is_whitespace` on ASCII. No sum carries into the next
                // byte because every byte is below 0x80.
                let s = x ^ (0x20 * LO);
                let space = !(((s & !HI) + !HI) | s) & HI;
                let control = (x + 0x77 * LO) & !(x + 0x72 * LO) & HI;
                let white = space | control;
                let before = (white << 8) | if after_space { 0x80 } else { 0 };
                // One bit per byte at bit 7: summed into the top byte by the multiply.
                n += (((!white & HI & before) >> 7).wrapping_mul(LO) >> 56) as usize;
                if n >= limit {
                    return limit;
                }
                after_space = white >> 63 != 0;
                i += 8;
                continue;
            }
        }
        let c = b[i];
        let white = if c.is_ascii() {
            i += 1;
            matches!(c, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ')
        } else {
            let ch = text[i..].chars().next().expect("a character starts here");
            i += ch.len_utf8();
            ch.is_whitespace()
        };
        if !white && after_space {
            n += 1;
            if n >= limit {
                return limit;
            }
        }
        after_space = white;
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
            "a b c d e f g h i j k l m n o p q r s t u v w x y z",
            "eightchr eightchr\teightchr\u{0B}\u{0C}\r\n  x   y",
            "long-words-without-any-space-at-all-for-many-bytes",
            "mixé d ascii and ünïcode words   across    chunk   bounds",
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
