//! Cheap word tests shared by the line classifiers: vocabulary lookups without a linear scan
//! and without allocating, and ASCII case-insensitive comparisons.
//!
//! Owns no vocabulary and no judgement; every helper gives exactly the answer of the
//! allocating code it replaces (`to_lowercase`, `str::contains` on a lowercased copy,
//! `slice::contains`), only faster. Non-ASCII words fall back to Unicode lowercasing.

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
        word.len() <= self.max_len && self.buckets[bucket(word)].contains(&word)
    }

    /// Whether `word.to_lowercase()` is a member, without allocating for ASCII words.
    #[inline]
    pub fn contains_lower(&self, word: &str) -> bool {
        if word.is_ascii() {
            self.contains_ascii_lower(word.as_bytes())
        } else {
            with_lower(word, |lower| self.contains(lower))
        }
    }

    /// Whether the ASCII `word`, lowercased, is a member: compared byte by byte, without
    /// copying. ASCII upper and lower case letters share a bucket (they differ by 32).
    #[inline]
    pub fn contains_ascii_lower(&self, word: &[u8]) -> bool {
        if word.is_empty() {
            return self.has_empty;
        }
        word.len() <= self.max_len
            && self.buckets[bucket(word)].iter().any(|m| {
                m.len() == word.len()
                    && m.iter()
                        .zip(word)
                        .all(|(m, w)| *m == w.to_ascii_lowercase())
            })
    }
}

/// Whether a text contains any of a fixed set of phrases, ignoring ASCII case: a dense DFA
/// (Aho-Corasick with every transition filled in) over classes of bytes, one table load per
/// byte. Same answer as an `aho_corasick` automaton built with `ascii_case_insensitive`.
pub struct AnyPhrase {
    /// Byte (ASCII letters lowercased) to class; 0 for bytes in no phrase.
    class: [u8; 256],
    /// `next[state * classes + class]`: the next state times `classes`, with [`MATCHED`] set
    /// when a phrase has ended there or before (matching states keep matching). Indexing
    /// with a 15-bit mask needs no bounds check.
    next: Box<[u16; 1 << 15]>,
    /// The longest phrase's length in bytes, less one.
    overlap: usize,
}

const MATCHED: u16 = 0x8000;
const STATE: u16 = 0x7FFF;

impl AnyPhrase {
    pub fn new(phrases: &[&str]) -> AnyPhrase {
        let fold = |b: u8| b.to_ascii_lowercase();
        let mut class = [0u8; 256];
        let mut classes = 1;
        for p in phrases {
            for &b in p.as_bytes() {
                let b = fold(b);
                if class[b as usize] == 0 {
                    class[b as usize] = u8::try_from(classes).expect("under 256 classes");
                    classes += 1;
                }
            }
        }
        for b in b'A'..=b'Z' {
            class[b as usize] = class[fold(b) as usize];
        }
        // The trie: goto[state][class], 0 meaning absent (state 0 is the root, never a target).
        let mut goto: Vec<Vec<u16>> = vec![vec![0; classes]];
        let mut ends: Vec<bool> = vec![false];
        for p in phrases {
            let mut s = 0;
            for &b in p.as_bytes() {
                let c = class[b as usize] as usize;
                if goto[s][c] == 0 {
                    goto.push(vec![0; classes]);
                    ends.push(false);
                    goto[s][c] = u16::try_from(goto.len() - 1).expect("under 32768 states");
                }
                s = goto[s][c] as usize;
            }
            ends[s] = true;
        }
        // Breadth-first: failure links, and every missing transition filled from the failure
        // state's; a state matches when it or its failure state does.
        let n = goto.len();
        let mut fail = vec![0usize; n];
        let mut next = vec![0u16; n * classes];
        let mut queue = std::collections::VecDeque::new();
        for c in 0..classes {
            let t = goto[0][c] as usize;
            next[c] = t as u16;
            if t != 0 {
                queue.push_back(t);
            }
        }
        while let Some(s) = queue.pop_front() {
            ends[s] |= ends[fail[s]];
            for c in 0..classes {
                let t = goto[s][c] as usize;
                if t != 0 {
                    fail[t] = next[fail[s] * classes + c] as usize;
                    next[s * classes + c] = t as u16;
                    queue.push_back(t);
                } else {
                    next[s * classes + c] = next[fail[s] * classes + c];
                }
            }
        }
        assert!(n * classes <= STATE as usize, "phrases fit the table");
        let mut table = Box::new([0u16; 1 << 15]);
        for s in 0..n {
            for c in 0..classes {
                let t = next[s * classes + c] as usize;
                table[s * classes + c] = if ends[s] {
                    (s * classes) as u16 | MATCHED
                } else if ends[t] {
                    (t * classes) as u16 | MATCHED
                } else {
                    (t * classes) as u16
                };
            }
        }
        let overlap = phrases
            .iter()
            .map(|p| p.len())
            .max()
            .unwrap_or(0)
            .saturating_sub(1);
        AnyPhrase {
            class,
            next: table,
            overlap,
        }
    }

    /// Whether `text` contains one of the phrases.
    ///
    /// Each step waits on the table load of the step before. A line long enough is walked as
    /// two halves in one loop, so that two loads are in flight: the second half starts a
    /// phrase's length early, so it sees every phrase that ends after the first half does, and
    /// a matching state never leaves. On the page-text corpus this check took 5% of a `check`.
    pub fn is_match(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        let step = |state: u16, b: u8| {
            self.next[((state & STATE) + u16::from(self.class[b as usize])) as usize & 0x7FFF]
        };
        if bytes.len() < 2 * self.overlap + 32 {
            return bytes.iter().fold(0, |s, &b| step(s, b)) & MATCHED != 0;
        }
        let split = (bytes.len() + self.overlap) / 2;
        let (first, second) = (&bytes[..split], &bytes[split - self.overlap..]);
        let (mut s1, mut s2) = (0u16, 0u16);
        for (&a, &b) in first.iter().zip(second) {
            s1 = step(s1, a);
            s2 = step(s2, b);
        }
        for &b in &second[first.len()..] {
            s2 = step(s2, b);
        }
        (s1 | s2) & MATCHED != 0
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
    fn any_phrase_matches_like_aho_corasick() {
        let phrases = [
            "newsletter",
            "subscribe",
            "subscriber",
            "sign up for",
            "©",
            "gdpr",
            "log in to",
            "in your inbox",
            "to your inbox",
            "loyal",
            "sub",
        ];
        let any = AnyPhrase::new(&phrases);
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(phrases)
            .unwrap();
        for t in [
            "",
            "SUBSCRIBE now",
            "the newslette",
            "a newsnewsletter",
            "© 2024",
            "Ⓒ",
            "sign up fo",
            "Sign Up For our",
            "log in t",
            "login to",
            "in your inbo",
            "to your INBOX",
            "royalty",
            "LOYAL",
            "su b",
            "gdp r",
            "xxgdpr",
        ] {
            assert_eq!(any.is_match(t), ac.is_match(t), "{t}");
        }
        // Long lines are walked in two halves: a phrase anywhere, across the middle too, in
        // lines of even and odd lengths, is found; a phrase cut short is not.
        for len in [90, 91, 150, 301] {
            for p in phrases {
                for cut in [0, 1] {
                    let end = p.char_indices().last().map_or(0, |(i, _)| i);
                    let p = if cut == 0 { p } else { &p[..end] };
                    for at in 0..=len - p.len() {
                        let mut t = "x".repeat(at);
                        t.push_str(p);
                        t.push_str(&"y".repeat(len - at - p.len()));
                        assert_eq!(any.is_match(&t), ac.is_match(&t), "{p:?} at {at} of {len}");
                    }
                }
            }
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
