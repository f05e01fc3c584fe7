//! Normalisation against evasion, with a map back to the original bytes.
//!
//! Owns the eight normalisation steps a rule may choose (see `docs/engine.md` for each step,
//! the presets and the per-category defaults) and the offset map that lets every finding point
//! at the exact bytes of the original text. It must not know about rules or matching: the engine
//! normalises texts and terms with the same function, so a term and the text it is looked for
//! in are always transformed alike.
//!
//! The work is done in two passes over a reusable buffer ([`Normalizer`]):
//! 1. character steps (zero-width, compat, confusables, casefold), one character at a time,
//!    with an ASCII fast path and a per-thread cache for the rest;
//! 2. token steps (leet, censor, separators, repeats), which need to see a whole token, run only
//!    when the profile asks for one of them and the text may give them something to do; on
//!    ASCII text (a commenter's handle, most often) over bytes rather than characters.
//!
//! Numbers stay numbers: no step turns a token without at least two letters into letters, so
//! "in 1969", "#455", "£99.99" and "2-3 days" come out as they went in (apart from case).

use crate::chars;
use crate::finding::Category;
use std::cell::RefCell;
use std::collections::HashMap;

/// Which normalisation steps a rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Profile {
    pub casefold: bool,
    pub compat: bool,
    pub confusables: bool,
    pub zero_width: bool,
    pub leet: bool,
    pub separators: bool,
    pub repeats: bool,
    pub censor: bool,
}

impl Profile {
    /// The names of the steps, as rule files write them.
    pub const STEP_NAMES: [&'static str; 8] = [
        "casefold",
        "compat",
        "confusables",
        "zero-width",
        "leet",
        "separators",
        "repeats",
        "censor",
    ];

    /// No step at all: the text as written.
    pub const NONE: Profile = Profile {
        casefold: false,
        compat: false,
        confusables: false,
        zero_width: false,
        leet: false,
        separators: false,
        repeats: false,
        censor: false,
    };

    /// Case, compatibility forms and invisible characters: safe for any rule.
    pub const PLAIN: Profile = Profile {
        casefold: true,
        compat: true,
        zero_width: true,
        ..Profile::NONE
    };

    /// Every step: for words people disguise (slurs, profanity).
    pub const STRICT: Profile = Profile {
        casefold: true,
        compat: true,
        confusables: true,
        zero_width: true,
        leet: true,
        separators: true,
        repeats: true,
        censor: true,
    };

    /// A named preset (`none`, `plain`, `strict`), if `name` is one.
    pub fn preset(name: &str) -> Option<Profile> {
        match name {
            "none" => Some(Profile::NONE),
            "plain" => Some(Profile::PLAIN),
            "strict" => Some(Profile::STRICT),
            _ => None,
        }
    }

    /// Turn on the step called `name`; false if there is no such step.
    pub fn set_step(&mut self, name: &str) -> bool {
        match name {
            "casefold" => self.casefold = true,
            "compat" => self.compat = true,
            "confusables" => self.confusables = true,
            "zero-width" => self.zero_width = true,
            "leet" => self.leet = true,
            "separators" => self.separators = true,
            "repeats" => self.repeats = true,
            "censor" => self.censor = true,
            _ => return false,
        }
        true
    }

    /// Whether the step called `name` is on (false for an unknown name).
    pub fn has_step(&self, name: &str) -> bool {
        match name {
            "casefold" => self.casefold,
            "compat" => self.compat,
            "confusables" => self.confusables,
            "zero-width" => self.zero_width,
            "leet" => self.leet,
            "separators" => self.separators,
            "repeats" => self.repeats,
            "censor" => self.censor,
            _ => false,
        }
    }

    /// The steps that are on, in the order of [`Profile::STEP_NAMES`].
    pub fn steps(&self) -> Vec<&'static str> {
        Profile::STEP_NAMES
            .into_iter()
            .filter(|s| self.has_step(s))
            .collect()
    }

    /// A short name: the preset's name when it is one, else the steps joined by `+`.
    pub fn describe(&self) -> String {
        for name in ["none", "plain", "strict"] {
            if Profile::preset(name) == Some(*self) {
                return name.to_string();
            }
        }
        self.steps().join("+")
    }

    /// The default profile for a category (the reasons are in `docs/engine.md`).
    pub fn default_for(category: Category) -> Profile {
        match category {
            // Words people disguise on purpose: every evasion step.
            Category::Slur | Category::Profanity => Profile::STRICT,
            // Look-alike letters and leetspeak are common in antisemitic spellings ("j3ws",
            // "zi0nist"); separators and repeats are not, and they would glue innocent letters.
            Category::Antisemitism => Profile {
                confusables: true,
                leet: true,
                ..Profile::PLAIN
            },
            Category::Insult => Profile {
                confusables: true,
                ..Profile::PLAIN
            },
            // Claims are phrases of ordinary words; evasion steps only add risk.
            Category::UnverifiedClaim => Profile::PLAIN,
        }
    }

    /// The smallest profile that normalises `text` exactly as `self` does: on ASCII text the
    /// look-alike, compatibility and invisible-character steps change nothing, and leet, censor
    /// and separators change nothing unless `needs_token_pass` says they might. The engine
    /// normalises a text once per distinct effective profile, so `plain` and a category default
    /// that only adds confusables and leet share one pass on most comments.
    pub fn effective_for(&self, text: &str) -> Profile {
        if !text.is_ascii() || needs_token_pass(text, *self) {
            return *self;
        }
        Profile {
            casefold: self.casefold,
            repeats: self.repeats,
            ..Profile::NONE
        }
    }

    fn has_token_steps(&self) -> bool {
        self.leet || self.separators || self.repeats || self.censor
    }
}

/// Normalised text and, for each of its bytes, the byte offset in the original text.
///
/// Offsets are `u32`: a text is at most 4 GiB (every input is held to 16 MB, see
/// `input::MAX_PAGE_BYTES` and `jsonl::MAX_LINE_BYTES`), and an 8-byte offset doubled the
/// memory the map takes for a long text, which is most of what checking one holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Normalized {
    pub text: String,
    /// `offsets[i]` is the original offset of normalised byte `i`; one extra entry maps the end.
    pub offsets: Vec<u32>,
    /// `ends[i]` is the original end offset of the characters that produced normalised byte `i`
    /// (a collapsed run of repeated letters ends after its last letter).
    pub ends: Vec<u32>,
    /// With the `repeats` step: `runs[i]` is how many times the letter at normalised byte `i`
    /// was repeated in the original (1 for a single letter). Empty without the step.
    pub runs: Vec<u32>,
    /// The sparse form of the offset map, used when `offsets` is empty (see
    /// [`SharedForm::prepare`]): the text is the original byte for byte except at these
    /// replaced characters, in order.
    pub edits: Vec<Edit>,
}

/// One character of the original replaced in normalised text: original bytes `orig..orig_end`
/// became normalised bytes `norm..norm_end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edit {
    pub norm: usize,
    pub norm_end: usize,
    pub orig: usize,
    pub orig_end: usize,
}

impl Normalized {
    /// Room for `n` more bytes of text, with their offsets (and run counts, with `runs`).
    fn reserve(&mut self, n: usize, runs: bool) {
        self.text.reserve(n);
        self.offsets.reserve(n + 1);
        self.ends.reserve(n);
        if runs {
            self.runs.reserve(n);
        }
    }

    /// The original byte span of normalised bytes `start..end` (`end > start`).
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        if self.offsets.is_empty() {
            return self.sparse_span(start, end);
        }
        if end <= start {
            let at = self.offsets[start.min(self.offsets.len() - 1)] as usize;
            return (at, at);
        }
        (self.offsets[start] as usize, self.ends[end - 1] as usize)
    }

    /// [`Normalized::original_span`] through `edits`: a byte inside a replacement maps to the
    /// whole replaced character, any other byte is shifted by the edits before it.
    fn sparse_span(&self, start: usize, end: usize) -> (usize, usize) {
        // The last edit starting at or before normalised byte `i`.
        let edit_at = |i: usize| {
            let k = self.edits.partition_point(|e| e.norm <= i);
            k.checked_sub(1).map(|k| &self.edits[k])
        };
        let map_start = |i: usize| match edit_at(i) {
            Some(e) if i < e.norm_end => e.orig,
            Some(e) => i - e.norm_end + e.orig_end,
            None => i,
        };
        if end <= start {
            let at = map_start(start);
            return (at, at);
        }
        let last = end - 1;
        let orig_end = match edit_at(last) {
            Some(e) if last < e.norm_end => e.orig_end,
            Some(e) => end - e.norm_end + e.orig_end,
            None => end,
        };
        (map_start(start), orig_end)
    }

    /// The repeat count of the letter at normalised byte `i` (1 without the `repeats` step).
    pub fn run_at(&self, i: usize) -> u32 {
        self.runs.get(i).copied().unwrap_or(1)
    }
}

/// Normalise `text` with `profile`.
pub fn normalize(text: &str, profile: Profile) -> Normalized {
    let mut out = Normalized::default();
    Normalizer::default().normalize_into(text, profile, &mut out);
    out
}

/// Normalise a rule term the way text is normalised, for matching and for lint.
pub fn normalize_term(term: &str, profile: Profile) -> String {
    normalize(term, profile).text
}

/// Whether `c` counts as part of a word, in normalised text and for word boundaries:
/// letters, digits and combining marks (so a decomposed "café" is one word).
#[inline]
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        chars::class(c) & (chars::ALPHABETIC | chars::NUMERIC | chars::MARK) != 0
    }
}

/// Characters that render as nothing and are used to split a word invisibly.
fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
    )
}

/// Leetspeak digits and symbols, and the letter each stands for. `1` reads as `i` ("sh1t",
/// "k1ll"), the more common intent than `l`.
fn leet_letter(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '8' => 'b',
        '9' => 'g',
        '@' => 'a',
        '$' => 's',
        '!' => 'i',
        '|' => 'l',
        _ => return None,
    })
}

fn is_leet_symbol(c: char) -> bool {
    matches!(c, '@' | '$' | '!' | '|')
}

/// Symbols people put in place of letters to half-hide a word ("f*ck", "sh!t", "c#nt").
fn is_censor_symbol(c: char) -> bool {
    matches!(c, '*' | '!' | '@' | '#' | '$' | '%' | '&' | '?' | '^')
}

/// The placeholder every censoring symbol becomes; the engine matches it against any letter.
pub const CENSOR_MARK: char = '*';

/// Characters that may sit between the single letters of a spaced-out word ("f.u.c.k").
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '.' | '-' | '_' | '*' | '/' | '\\' | '|' | ',' | '~' | '+' | ':' | '\u{A0}'
    )
}

/// Suffixes that make a number an ordinal, a decade or a quantity ("3rd", "1990s", "10k").
/// Leet must leave these alone: "3rd" is not "erd".
const NUMBER_SUFFIXES: &[&str] = &[
    "st", "nd", "rd", "th", "s", "k", "m", "b", "x", "am", "pm", "kg", "km", "cm", "mm", "ml",
    "mb", "gb", "tb", "p", "px", "h", "hr", "hrs", "min", "g", "bn", "yo", "mph",
];

/// What the character steps turn one non-ASCII character into (empty: dropped).
type CharMap = Box<[char]>;

/// Per-thread cache of the character steps for non-ASCII characters, keyed by the character
/// and the four steps that affect it. Text is mostly ASCII; the few other characters repeat,
/// and a per-thread cache needs no lock under rayon.
///
/// Text in another script asks for nearly every character, so the most recent answers sit in
/// a small table indexed by the key's hash, in front of the map (which keeps every answer, for
/// scripts of thousands of characters): a character that maps to at most one character is
/// answered from it with one comparison. With std's SipHash map alone, 8 MB of Cyrillic,
/// Hebrew and Greek comments took 10.59 G instructions to check, with the crate's fast hasher
/// 9.32 G, with the table in front 4.40 G (the character table of `chars` counts too; see
/// `docs/benchmarks.md`).
struct CharCache {
    /// `(key, answer)`: a key is [`char_key`]; an answer is the one character written, or
    /// [`DROPPED`], or [`MANY`] (read them from `map`). An empty slot has the key `u32::MAX`.
    recent: Box<[(u32, u32); RECENT]>,
    map: HashMap<u32, CharMap, crate::FastHash>,
}

const RECENT: usize = 1024;
/// The character is written as nothing.
const DROPPED: u32 = 0x11_0000;
/// The character is written as two or more: they are in the map.
const MANY: u32 = 0x11_0001;

thread_local! {
    static CHAR_CACHE: RefCell<CharCache> = RefCell::new(CharCache {
        recent: Box::new([(u32::MAX, 0); RECENT]),
        map: HashMap::default(),
    });
}

/// A character and the steps that act on it alone, in 25 bits.
fn char_key(c: char, profile: Profile) -> u32 {
    let steps = profile.compat as u32
        | (profile.confusables as u32) << 1
        | (profile.casefold as u32) << 2
        | (profile.zero_width as u32) << 3;
    (c as u32) << 4 | steps
}

/// The character steps for `c`: what `profile`'s steps turn it into.
fn char_steps_for(c: char, profile: Profile) -> CharMap {
    if profile.zero_width && is_zero_width(c) {
        return Box::new([]);
    }
    if !(profile.compat || profile.confusables || profile.casefold) {
        return Box::new([c]);
    }
    map_non_ascii(c, profile)
}

fn map_non_ascii(c: char, profile: Profile) -> CharMap {
    use unicode_normalization::UnicodeNormalization;
    let mut chars: Vec<char> = if profile.compat {
        std::iter::once(c).nfkc().collect()
    } else {
        vec![c]
    };
    if profile.confusables {
        let mut mapped = Vec::with_capacity(chars.len());
        for ch in chars {
            if ch.is_ascii() {
                mapped.push(ch);
                continue;
            }
            // Accents are a disguise too ("fück", "jéw"): a Latin letter with diacritics
            // becomes its base letter, and a separate combining diacritic is dropped.
            if ('\u{0300}'..='\u{036F}').contains(&ch) {
                continue;
            }
            if let Some(base) = latin_base(ch) {
                mapped.push(base);
                continue;
            }
            let mut buf = [0u8; 4];
            let skeleton: Vec<char> =
                unicode_security::skeleton(ch.encode_utf8(&mut buf)).collect();
            // Only a look-alike of plain Latin letters is replaced. An accented letter's
            // skeleton keeps its combining mark, so "é" stays "é": it is a different letter,
            // not a disguise.
            if !skeleton.is_empty()
                && skeleton.len() <= 2
                && skeleton.iter().all(|s| s.is_ascii_alphabetic())
            {
                mapped.extend(skeleton);
            } else {
                mapped.push(ch);
            }
        }
        chars = mapped;
    }
    if profile.casefold {
        chars = chars.into_iter().flat_map(char::to_lowercase).collect();
    }
    if profile.casefold || profile.compat {
        // Curly and modifier apostrophes and the prime are all written for `'` ("don’t"),
        // so rule authors write a term once.
        for ch in &mut chars {
            if is_apostrophe(*ch) {
                *ch = '\'';
            }
        }
    }
    chars.into_boxed_slice()
}

/// `text` with only the folds that keep the word as written: case (with `casefold`),
/// apostrophes (with `casefold` or `compat`) and accents on Latin letters (with
/// `confusables`). `rules lint` compares a term's normalised form with this, so "don’t" or
/// "hernández" is not mistaken for a disguised spelling such as "sh1t".
pub fn spelling_fold(text: &str, profile: Profile) -> String {
    let text = if profile.casefold {
        text.to_lowercase()
    } else {
        text.to_string()
    };
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if (profile.casefold || profile.compat) && is_apostrophe(c) {
            out.push('\'');
        } else if profile.confusables && ('\u{0300}'..='\u{036F}').contains(&c) {
            continue;
        } else if let Some(base) = latin_base(c).filter(|_| profile.confusables) {
            out.push(base);
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters people type (or keyboards substitute) for an ASCII apostrophe.
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{2032}')
}

/// The ASCII letter under a Latin letter with diacritics ("ü" -> "u"), if it is one.
fn latin_base(c: char) -> Option<char> {
    use unicode_normalization::UnicodeNormalization;
    let mut d = std::iter::once(c).nfd();
    let base = d.next().filter(char::is_ascii_alphabetic)?;
    let mut marks = 0;
    for m in d {
        if !unicode_normalization::char::is_combining_mark(m) {
            return None;
        }
        marks += 1;
    }
    (marks > 0).then_some(base)
}

/// Reusable buffers for normalising many texts without allocating per text.
#[derive(Debug, Default)]
pub struct Normalizer {
    /// The token pass on ASCII text: one byte per character, at the same offset.
    bytes: Vec<u8>,
    chars: Vec<char>,
    starts: Vec<u32>,
    ends: Vec<u32>,
    keep: Vec<bool>,
    tail: String,
}

impl Normalizer {
    /// Normalise `text` into `out`, reusing both `self`'s and `out`'s buffers.
    ///
    /// # Panics
    ///
    /// If `text` is longer than 4 GiB: its offsets would not fit [`Normalized`]'s `u32`s.
    /// Every input a command reads is held to 16 MB.
    pub fn normalize_into(&mut self, text: &str, profile: Profile, out: &mut Normalized) {
        self.normalize_impl(text, profile, out, Pass::Auto)
    }

    /// [`Normalizer::normalize_into`] with a profile that [`Profile::effective_for`] gave for
    /// `text`. On ASCII text that profile keeps leet, censor or separators only when
    /// [`needs_token_pass`] said they might act, so the token pass is taken without asking
    /// again (a handle's check asked it twice per profile).
    pub fn normalize_effective_into(
        &mut self,
        text: &str,
        effective: Profile,
        out: &mut Normalized,
    ) {
        let known = (effective.leet || effective.censor || effective.separators) && text.is_ascii();
        let pass = if known { Pass::Token } else { Pass::Auto };
        self.normalize_impl(text, effective, out, pass)
    }

    /// Like [`Normalizer::normalize_into`], but always through the token pass on characters,
    /// whatever the text; for tests that check the other paths give the same result.
    #[doc(hidden)]
    pub fn normalize_into_full(&mut self, text: &str, profile: Profile, out: &mut Normalized) {
        self.normalize_impl(text, profile, out, Pass::Chars)
    }

    fn normalize_impl(&mut self, text: &str, profile: Profile, out: &mut Normalized, pass: Pass) {
        assert!(
            u32::try_from(text.len()).is_ok(),
            "a text to normalise is at most 4 GiB (its offsets are u32)"
        );
        out.text.clear();
        out.offsets.clear();
        out.ends.clear();
        out.runs.clear();
        out.edits.clear();
        if !profile.has_token_steps() && pass == Pass::Auto {
            // Fast path: runs of ASCII are copied (and lower-cased) in bulk with their
            // offsets; only other characters go through the per-character steps.
            let bytes = text.as_bytes();
            out.reserve(text.len(), false);
            let mut i = 0;
            while i < bytes.len() {
                let j = i + ascii_prefix_len(&bytes[i..]);
                if j > i {
                    let at = out.text.len();
                    out.text.push_str(&text[i..j]);
                    if profile.casefold {
                        out.text[at..].make_ascii_lowercase();
                    }
                    out.offsets.extend(i as u32..j as u32);
                    out.ends.extend(i as u32 + 1..=j as u32);
                    i = j;
                }
                if let Some(c) = text[i..].chars().next() {
                    let end = i + c.len_utf8();
                    non_ascii_steps(c, i, end, profile, &mut |c, s, e| {
                        push_char(out, c, s, e, None)
                    });
                    i = end;
                }
            }
            out.offsets.push(text.len() as u32);
            return;
        }
        if pass == Pass::Auto && !needs_token_pass(text, profile) {
            // Nothing for leet, censor or separators to do: character steps and repeats in
            // one pass straight into the output (most comments take this path).
            out.reserve(text.len(), profile.repeats);
            let mut last: Option<char> = None;
            let bytes = text.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                let j = i + ascii_prefix_len(&bytes[i..]);
                if j > i {
                    // ASCII run: copy in bulk, then fold repeated letters in place.
                    let at = out.text.len();
                    out.text.push_str(&text[i..j]);
                    if profile.casefold {
                        out.text[at..].make_ascii_lowercase();
                    }
                    out.offsets.extend(i as u32..j as u32);
                    out.ends.extend(i as u32 + 1..=j as u32);
                    if profile.repeats {
                        out.runs.resize(out.runs.len() + (j - i), 1);
                        fold_ascii_tail(out, at, &mut last, &mut self.tail);
                    }
                    i = j;
                }
                if let Some(c) = text[i..].chars().next() {
                    let end = i + c.len_utf8();
                    non_ascii_steps(c, i, end, profile, &mut |c, s, e| {
                        emit_folding(out, c, s, e, profile.repeats, &mut last)
                    });
                    i = end;
                }
            }
            out.offsets.push(text.len() as u32);
            return;
        }
        if pass != Pass::Chars && text.is_ascii() {
            self.ascii_token_pass(text, profile, out);
            return;
        }
        self.chars.clear();
        self.starts.clear();
        self.ends.clear();
        self.chars.reserve(text.len());
        self.starts.reserve(text.len());
        self.ends.reserve(text.len());
        char_steps(text, profile, |c, s, e| {
            self.chars.push(c);
            self.starts.push(s as u32);
            self.ends.push(e as u32);
        });
        let dropped = token_steps(&mut self.chars, profile, &mut self.keep);
        // Write the output: skip separators dropped above and, with `repeats`, fold a run of
        // the same letter into its first letter (its end moves to the last one, its count
        // grows), all in this one pass.
        let n = self.chars.len();
        out.reserve(n, profile.repeats);
        let mut last: Option<char> = None;
        for i in 0..n {
            if dropped && !self.keep[i] {
                continue;
            }
            emit_folding(
                out,
                self.chars[i],
                self.starts[i] as usize,
                self.ends[i] as usize,
                profile.repeats,
                &mut last,
            );
        }
        out.offsets.push(text.len() as u32);
    }

    /// The token pass on ASCII text, as for any text but a byte per character: the character
    /// steps change no ASCII character but its case, and every byte keeps its own offset. A
    /// commenter's handle ("jimmycasey1907") takes this path in every profile with leet.
    fn ascii_token_pass(&mut self, text: &str, profile: Profile, out: &mut Normalized) {
        let bytes = &mut self.bytes;
        bytes.clear();
        bytes.extend_from_slice(text.as_bytes());
        if profile.casefold {
            bytes.make_ascii_lowercase();
        }
        let dropped = token_steps(bytes, profile, &mut self.keep);
        let n = bytes.len();
        let folds = profile.repeats
            && bytes
                .windows(2)
                .any(|w| w[0] == w[1] && w[0].is_ascii_alphabetic());
        if !dropped && !folds {
            // Every byte written as it is, at its own offset (most handles).
            out.text
                .push_str(std::str::from_utf8(bytes).expect("ASCII text stays ASCII"));
            out.offsets.extend(0..n as u32 + 1);
            out.ends.extend(1..=n as u32);
            if profile.repeats {
                out.runs.resize(n, 1);
            }
            return;
        }
        out.reserve(n, profile.repeats);
        // As `emit_folding` writes, for one-byte characters.
        let mut last: Option<u8> = None;
        for (i, &b) in bytes.iter().enumerate() {
            if dropped && !self.keep[i] {
                continue;
            }
            let i = i as u32;
            if profile.repeats {
                if last == Some(b) {
                    let k = out.ends.len() - 1;
                    out.ends[k] = i + 1;
                    out.runs[k] += 1;
                    continue;
                }
                out.runs.push(1);
                last = b.is_ascii_alphabetic().then_some(b);
            }
            out.text.push(char::from(b));
            out.offsets.push(i);
            out.ends.push(i + 1);
        }
        out.offsets.push(text.len() as u32);
    }
}

/// Which of [`Normalizer::normalize_impl`]'s paths a text may take.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// The fastest that gives the same result.
    Auto,
    /// The token pass, known to be needed (on bytes for ASCII text).
    Token,
    /// The token pass on characters, whatever the text: what the others must equal.
    Chars,
}

/// A character of the token pass: a `char`, or a byte of ASCII text, whose classes are
/// looked up in [`ASCII_CLASS`].
trait Sym: Copy + PartialEq + Into<char> {
    /// An ASCII character as this type.
    fn ascii(c: char) -> Self;
    fn word(self) -> bool {
        is_word_char(self.into())
    }
    fn letter(self) -> bool {
        chars::is_alphabetic(self.into())
    }
    /// An ASCII digit.
    fn digit(self) -> bool {
        self.into().is_ascii_digit()
    }
    fn leet_symbol(self) -> bool {
        is_leet_symbol(self.into())
    }
    fn censor_symbol(self) -> bool {
        is_censor_symbol(self.into())
    }
    fn separator(self) -> bool {
        is_separator(self.into())
    }
}

impl Sym for char {
    fn ascii(c: char) -> char {
        c
    }
}

impl Sym for u8 {
    fn ascii(c: char) -> u8 {
        c as u8
    }
    fn word(self) -> bool {
        ascii_class(self) & C_WORD != 0
    }
    fn letter(self) -> bool {
        ascii_class(self) & C_LETTER != 0
    }
    fn digit(self) -> bool {
        ascii_class(self) & C_DIGIT != 0
    }
    fn leet_symbol(self) -> bool {
        ascii_class(self) & C_LEET != 0
    }
    fn censor_symbol(self) -> bool {
        ascii_class(self) & C_CENSOR != 0
    }
    fn separator(self) -> bool {
        ascii_class(self) & C_SEP != 0
    }
}

#[inline]
fn ascii_class(b: u8) -> u8 {
    ASCII_CLASS.get(usize::from(b)).copied().unwrap_or(0)
}

/// The token steps on `chars`, after the character steps: leet, censor, then separators, which
/// mark in `keep` what to drop. Returns whether anything is to be dropped.
fn token_steps<T: Sym>(chars: &mut [T], profile: Profile, keep: &mut Vec<bool>) -> bool {
    // Leet and censor only act on digits and symbols; most comments have few or none, so a
    // scan of the characters (after compat, so full-width digits count) decides whether their
    // passes are needed at all.
    if profile.leet && chars.iter().any(|c| c.digit() || c.leet_symbol()) {
        leet(chars);
    }
    if profile.censor && chars.iter().any(|c| c.censor_symbol()) {
        censor(chars);
    }
    // After censor, so "f!u!c!k" (now "f*u*c*k") is a spaced-out word.
    profile.separators && separators(chars, keep)
}

/// Call `f` with each maximal run of characters that `in_token` accepts.
fn for_each_token<T: Sym>(
    chars: &mut [T],
    in_token: impl Fn(T) -> bool,
    mut f: impl FnMut(&mut [T]),
) {
    let n = chars.len();
    let mut i = 0;
    while i < n {
        if !in_token(chars[i]) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < n && in_token(chars[j]) {
            j += 1;
        }
        f(&mut chars[i..j]);
        i = j;
    }
}

/// Replace leetspeak inside tokens that are mostly letters.
fn leet<T: Sym>(chars: &mut [T]) {
    for_each_token(
        chars,
        |c| c.word() || c.leet_symbol(),
        |tok| {
            // Trim symbols at the edges: "fuck!" ends in punctuation, not in an "i". A leading
            // "@" or "$" stays when a letter follows ("@ss", "$hit").
            let (mut a, mut b) = (0, tok.len());
            while b > a && tok[b - 1].leet_symbol() {
                b -= 1;
            }
            while a < b
                && tok[a].leet_symbol()
                && !(matches!(tok[a].into(), '@' | '$') && a + 1 < b && tok[a + 1].letter())
            {
                a += 1;
            }
            if a < b && leet_applies(&tok[a..b]) {
                for c in &mut tok[a..b] {
                    if let Some(l) = leet_letter((*c).into()) {
                        *c = T::ascii(l);
                    }
                }
            }
        },
    );
}

/// A token is leetspeak when it has at least two letters, at least as many letters as
/// other characters, and is not a number with a unit or ordinal suffix ("3rd", "1990s").
fn leet_applies<T: Sym>(tok: &[T]) -> bool {
    let letters = tok.iter().filter(|c| c.letter()).count();
    let others = tok.len() - letters;
    if others == 0 || letters < 2 || letters < others {
        return false;
    }
    let digits = tok.iter().take_while(|c| c.digit()).count();
    if digits > 0 {
        let rest = &tok[digits..];
        if NUMBER_SUFFIXES.iter().any(|s| {
            s.chars()
                .eq(rest.iter().map(|c| (*c).into().to_ascii_lowercase()))
        }) {
            return false;
        }
    }
    true
}

/// Join three or more single letters split by the same one or two separators ("f.u.c.k",
/// "f u c k", "F. U. C. K"): `keep` is set false for the separators to drop. Returns whether
/// there are any.
fn separators<T: Sym>(chars: &[T], keep: &mut Vec<bool>) -> bool {
    let n = chars.len();
    keep.clear();
    keep.resize(n, true);
    let mut dropped = false;
    let isolated_letter = |k: usize| {
        chars[k].letter()
            && (k == 0 || !chars[k - 1].word())
            && (k + 1 >= n || !chars[k + 1].word())
    };
    let mut i = 0;
    while i < n {
        if !isolated_letter(i) {
            i += 1;
            continue;
        }
        // Collect a run of isolated letters with gaps of one or two separators.
        // Every gap of a run is the same ("f.u.c.k", "F. U. C. K"), so "a b, c.d.e"
        // does not glue two spellings together.
        let mut letters = 1;
        let mut k = i;
        let mut first_gap: Option<(usize, usize)> = None;
        loop {
            let mut g = k + 1;
            while g < n && g - k <= 3 && chars[g].separator() {
                g += 1;
            }
            let gap = g - k - 1;
            let same = match first_gap {
                None => true,
                Some((a, len)) => len == gap && chars[a..a + len] == chars[k + 1..g],
            };
            if (1..=2).contains(&gap) && same && g < n && isolated_letter(g) {
                first_gap.get_or_insert((k + 1, gap));
                letters += 1;
                k = g;
            } else {
                break;
            }
        }
        if letters >= 3 {
            // The run is letters and gaps only: drop everything that is not a letter.
            for g in i..k {
                if !chars[g].letter() {
                    keep[g] = false;
                    dropped = true;
                }
            }
        }
        i = k + 1;
    }
    // Dropped separators are skipped when the output is written.
    dropped
}

/// Turn censoring symbols inside a mostly-letter token into [`CENSOR_MARK`].
fn censor<T: Sym>(chars: &mut [T]) {
    for_each_token(
        chars,
        |c| c.word() || c.censor_symbol(),
        |tok| {
            if let Some((a, b)) = censored_token(tok, |c| c.censor_symbol()) {
                for c in &mut tok[a..b] {
                    if c.censor_symbol() {
                        *c = T::ascii(CENSOR_MARK);
                    }
                }
            }
        },
    );
}

/// The part of a token (letters, digits, censoring symbols) that reads as a censored word:
/// leading symbols are dropped, trailing symbols count only when they are `*` ("a**"), and
/// there must be at least one letter, at least as many letters as digits, and no more marks
/// than letters plus one. Returns the range inside `tok` when some symbol stands for a letter.
pub fn censored_token<T>(tok: &[T], is_mark: impl Fn(&T) -> bool) -> Option<(usize, usize)>
where
    T: Copy + Into<char>,
{
    let (mut a, mut b) = (0, tok.len());
    while a < b && is_mark(&tok[a]) {
        a += 1;
    }
    while b > a && is_mark(&tok[b - 1]) && tok[b - 1].into() != CENSOR_MARK {
        b -= 1;
    }
    let part = &tok[a..b];
    let marks = part.iter().filter(|c| is_mark(c)).count();
    let letters = part
        .iter()
        .filter(|c| chars::is_alphabetic((**c).into()))
        .count();
    let digits = part.len() - marks - letters;
    if marks == 0 || letters == 0 || digits > letters || marks > letters + 1 {
        return None;
    }
    Some((a, b))
}

/// Write one output character; with `repeats`, a letter equal to the previous one is folded
/// into it (its end moves, its count grows). `last` is the previous letter written.
#[inline]
fn emit_folding(
    out: &mut Normalized,
    c: char,
    start: usize,
    end: usize,
    repeats: bool,
    last: &mut Option<char>,
) {
    if repeats && *last == Some(c) {
        let at = out.ends.len() - c.len_utf8();
        for k in at..out.ends.len() {
            out.ends[k] = end as u32;
            out.runs[k] += 1;
        }
        return;
    }
    push_char(out, c, start, end, repeats.then_some(1));
    *last = chars::is_alphabetic(c).then_some(c);
}

/// Fold runs of the same letter in the ASCII output written from byte `at` on (see
/// [`emit_folding`]); `last` is the letter written just before `at`, if any.
fn fold_ascii_tail(out: &mut Normalized, at: usize, last: &mut Option<char>, buf: &mut String) {
    let bytes = out.text.as_bytes();
    let before = last.filter(char::is_ascii).map(|c| c as u8);
    let folds = bytes[at..].iter().enumerate().any(|(k, &b)| {
        b.is_ascii_alphabetic()
            && Some(b)
                == if k == 0 {
                    before
                } else {
                    Some(bytes[at + k - 1])
                }
    });
    if !folds {
        *last = bytes
            .last()
            .filter(|b| b.is_ascii_alphabetic())
            .map(|&b| b as char);
        return;
    }
    // Copy the stretches between folds in bulk; folds are a few per sentence.
    buf.clear();
    let mut w = at;
    let mut seg = at;
    for k in at..bytes.len() {
        let b = bytes[k];
        let prev = if k == at { before } else { Some(bytes[k - 1]) };
        if !(b.is_ascii_alphabetic() && prev == Some(b)) {
            continue;
        }
        let len = k - seg;
        buf.push_str(&out.text[seg..k]);
        out.offsets.copy_within(seg..k, w);
        out.ends.copy_within(seg..k, w);
        out.runs.copy_within(seg..k, w);
        w += len;
        out.ends[w - 1] = out.ends[k];
        out.runs[w - 1] += 1;
        seg = k + 1;
    }
    let len = bytes.len() - seg;
    buf.push_str(&out.text[seg..]);
    out.offsets.copy_within(seg..bytes.len(), w);
    out.ends.copy_within(seg..bytes.len(), w);
    out.runs.copy_within(seg..bytes.len(), w);
    w += len;
    let prev = buf.as_bytes().last().copied().or(before);
    out.text.truncate(at);
    out.text.push_str(buf);
    out.offsets.truncate(w);
    out.ends.truncate(w);
    out.runs.truncate(w);
    *last = prev.filter(u8::is_ascii_alphabetic).map(char::from);
}

/// Whether leet, censor or separators might change `text`: a cheap, conservative scan (it may
/// say yes when the steps then change nothing, never no when they would change something).
fn needs_token_pass(text: &str, profile: Profile) -> bool {
    if !(profile.leet || profile.censor || profile.separators) {
        return false;
    }
    // ASCII text (most comments): a table lookup per byte, no UTF-8 decoding.
    if text.is_ascii() {
        return token_pass_scan(text.bytes().map(|b| (b, ASCII_CLASS[b as usize])), profile);
    }
    // Full-width and mathematical digits and symbols become ASCII under `compat`, invisible
    // characters vanish: let the full pass decide. Letters and ordinary punctuation (curly
    // quotes, dashes, U+2000-U+206F) cannot start a token step by themselves.
    // A modifier apostrophe is a letter that becomes `'`, and with `confusables` a combining
    // diacritic vanishes: both change who is an isolated letter, so the full pass decides.
    let quiet = |c: char| {
        c.is_ascii()
            || (chars::is_alphabetic(c) && c != '\u{02BC}')
            || (chars::is_combining_mark(c) && !profile.confusables)
            || (('\u{2000}'..='\u{206F}').contains(&c) && !is_zero_width(c))
            || matches!(c, '\u{A0}'..='\u{BF}' | '\u{D7}' | '\u{F7}')
    };
    if !text.chars().all(quiet) {
        return true;
    }
    // Non-ASCII characters only matter as word characters, letters or a no-break space;
    // the byte 0 stands for them in the symbol checks below.
    token_pass_scan(
        text.chars().map(|c| {
            if c.is_ascii() {
                (c as u8, ASCII_CLASS[c as usize])
            } else {
                // Every non-ASCII word character (combining marks, other scripts' digits)
                // counts as a letter here: more triggers, never fewer.
                let mut f = 0;
                if is_word_char(c) {
                    f |= C_WORD | C_LETTER;
                }
                if c == '\u{A0}' {
                    f |= C_SEP;
                }
                (0, f)
            }
        }),
        profile,
    )
}

const C_WORD: u8 = 1;
const C_LETTER: u8 = 2;
const C_DIGIT: u8 = 4;
const C_LEET: u8 = 8;
const C_CENSOR: u8 = 16;
const C_SEP: u8 = 32;

/// Character classes of ASCII bytes: the same sets as `is_word_char`, `is_leet_symbol`,
/// `is_censor_symbol` and `is_separator`.
const ASCII_CLASS: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        let mut f = 0;
        if c.is_ascii_alphabetic() {
            f |= C_WORD | C_LETTER;
        }
        if c.is_ascii_digit() {
            f |= C_WORD | C_DIGIT;
        }
        if matches!(c, b'@' | b'$' | b'!' | b'|') {
            f |= C_LEET;
        }
        if matches!(
            c,
            b'*' | b'!' | b'@' | b'#' | b'$' | b'%' | b'&' | b'?' | b'^'
        ) {
            f |= C_CENSOR;
        }
        if matches!(
            c,
            b' ' | b'.' | b'-' | b'_' | b'*' | b'/' | b'\\' | b'|' | b',' | b'~' | b'+' | b':'
        ) {
            f |= C_SEP;
        }
        t[i] = f;
        i += 1;
    }
    t
};

/// The scan behind [`needs_token_pass`], over `(ASCII byte or 0, class)` per character.
#[inline]
fn token_pass_scan(mut chars: impl Iterator<Item = (u8, u8)>, profile: Profile) -> bool {
    let mut triggers = TokenTriggers::default();
    let mut prev = 0u8;
    let mut cur = chars.next();
    while let Some((b, c)) = cur {
        let after = chars.next();
        let next = after.map_or(0, |(_, f)| f);
        if triggers.hit(profile, b, prev, c, next) {
            return true;
        }
        prev = c;
        cur = after;
    }
    false
}

/// What leet, censor or separators could act on, one character at a time: the checks behind
/// [`needs_token_pass`] and [`SharedForm::prepare`]. `b` is the character's byte (0 for a
/// non-ASCII one), `prev`, `c`, `next` the classes of it and its neighbours.
#[derive(Default)]
struct TokenTriggers {
    /// Isolated letters in the current run of them.
    run_letters: usize,
    /// Separators since the last isolated letter, if one is still in reach.
    since_isolated: Option<usize>,
}

impl TokenTriggers {
    #[inline]
    fn hit(&mut self, profile: Profile, b: u8, prev: u8, c: u8, next: u8) -> bool {
        if c & (C_DIGIT | C_LEET | C_CENSOR) != 0 {
            if profile.leet {
                // A digit next to a letter; a symbol inside a token ("sh!t", "sh!!t") or a
                // leading "@"/"$" before a letter. "right!" ends in punctuation.
                if c & C_DIGIT != 0 && (prev | next) & C_LETTER != 0 {
                    return true;
                }
                let side = |x: u8| x & (C_WORD | C_LEET) != 0;
                if c & C_LEET != 0
                    && (side(prev) && side(next)
                        || matches!(b, b'@' | b'$') && next & C_LETTER != 0)
                {
                    return true;
                }
            }
            if profile.censor
                && c & C_CENSOR != 0
                && prev & (C_WORD | C_CENSOR) != 0
                && (next & C_WORD != 0 || b == b'*')
            {
                return true;
            }
        }
        if profile.separators {
            // Three isolated letters with gaps of one or two separators ("U.S." is two).
            if c & C_LETTER != 0 && prev & C_WORD == 0 && next & C_WORD == 0 {
                self.run_letters = if self.since_isolated.is_some_and(|n| (1..=2).contains(&n)) {
                    self.run_letters + 1
                } else {
                    1
                };
                if self.run_letters >= 3 {
                    return true;
                }
                self.since_isolated = Some(0);
            } else if c & C_SEP != 0 {
                self.separator();
            } else {
                self.since_isolated = None;
                self.run_letters = 0;
            }
        }
        false
    }

    /// What [`TokenTriggers::hit`] does for a separator under `separators`: one more gap
    /// after an isolated letter.
    #[inline]
    fn separator(&mut self) {
        self.since_isolated = self.since_isolated.map(|n| n + 1);
    }
}

#[inline]
fn push_char(out: &mut Normalized, c: char, start: usize, end: usize, run: Option<u32>) {
    let len = c.len_utf8();
    out.text.push(c);
    let (start, end) = (start as u32, end as u32);
    for _ in 0..len {
        out.offsets.push(start);
        out.ends.push(end);
        if let Some(r) = run {
            out.runs.push(r);
        }
    }
}

/// The character steps, calling `emit(char, original start, original end)` for each output
/// character.
#[inline]
fn char_steps(text: &str, profile: Profile, mut emit: impl FnMut(char, usize, usize)) {
    for (start, c) in text.char_indices() {
        let end = start + c.len_utf8();
        if c.is_ascii() {
            let c = if profile.casefold {
                c.to_ascii_lowercase()
            } else {
                c
            };
            emit(c, start, end);
        } else {
            non_ascii_steps(c, start, end, profile, &mut emit);
        }
    }
}

/// The character steps for one non-ASCII character, through the per-thread cache.
fn non_ascii_steps(
    c: char,
    start: usize,
    end: usize,
    profile: Profile,
    emit: &mut impl FnMut(char, usize, usize),
) {
    let key = char_key(c, profile);
    // Fibonacci hashing: the top 10 bits of the product pick one of the 1,024 slots.
    let slot = (key.wrapping_mul(0x9E37_79B9) >> 22) as usize % RECENT;
    let answer = CHAR_CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let (k, v) = cache.recent[slot];
        if k == key {
            return v;
        }
        let v = match **cache
            .map
            .entry(key)
            .or_insert_with(|| char_steps_for(c, profile))
        {
            [] => DROPPED,
            [one] => one as u32,
            _ => MANY,
        };
        cache.recent[slot] = (key, v);
        v
    });
    match answer {
        DROPPED => {}
        MANY => CHAR_CACHE.with(|cache| {
            for &m in cache.borrow().map[&key].iter() {
                emit(m, start, end);
            }
        }),
        one => emit(
            char::from_u32(one).expect("a cached character is a character"),
            start,
            end,
        ),
    }
}

/// Non-ASCII punctuation common in comments: curly quotes, dashes, the ellipsis, the no-break
/// space, a few symbols. [`SharedForm`] keeps such a text on its fast path when every profile
/// maps the character alike.
const SHARED_CANDIDATES: &[char] = &[
    '\u{2018}', '\u{2019}', '\u{201A}', '\u{201C}', '\u{201D}', '\u{201E}', '\u{2026}', '\u{2013}',
    '\u{2014}', '\u{2212}', '\u{00A0}', '\u{00A3}', '\u{20AC}', '\u{00B0}', '\u{00AB}', '\u{00BB}',
    '\u{2039}', '\u{203A}', '\u{2022}', '\u{00B7}', '\u{2032}', '\u{00B4}', '\u{00A9}', '\u{00AE}',
];

/// What every profile of a rule collection agrees on, for the common case: text that is ASCII
/// apart from a few punctuation characters, with nothing for leet, censor or separators to do
/// and no letter three times in a row. On such a text every profile's normalised form is this
/// one, except that `repeats` would also fold doubled letters; the engine accounts for that by
/// looking for terms as spelled (see `docs/engine.md`). One pass and one automaton scan then
/// serve every profile. [`SharedForm::prepare`] says whether a text qualifies.
#[derive(Debug, Clone)]
pub struct SharedForm {
    casefold: bool,
    /// The token steps any profile takes, and `repeats` if any profile folds repeats.
    steps: Profile,
    /// The non-ASCII characters every profile maps alike, and what to.
    chars: Vec<(char, Box<str>)>,
}

impl SharedForm {
    /// The shared form of `profiles`; `None` when they disagree on case folding (no text has
    /// a shared form then) or there are none.
    pub fn new(profiles: &[Profile]) -> Option<SharedForm> {
        let first = profiles.first()?;
        if profiles.iter().any(|p| p.casefold != first.casefold) {
            return None;
        }
        let mut steps = Profile::NONE;
        for p in profiles {
            steps.leet |= p.leet;
            steps.censor |= p.censor;
            steps.separators |= p.separators;
            steps.repeats |= p.repeats;
        }
        let chars = SHARED_CANDIDATES
            .iter()
            .filter_map(|&c| {
                let mut maps = profiles.iter().map(|&p| {
                    let mut m = String::new();
                    non_ascii_steps(c, 0, c.len_utf8(), p, &mut |ch, _, _| m.push(ch));
                    m
                });
                let m = maps.next()?;
                // The replacement must not create or join words, and must be something the
                // byte scan in `prepare` classifies correctly (a non-ASCII separator is not).
                let quiet = !m.is_empty()
                    && m.chars().all(|ch| {
                        !is_word_char(ch)
                            && ch != CENSOR_MARK
                            && !is_zero_width(ch)
                            && (ch.is_ascii() || !is_separator(ch))
                    });
                (quiet && maps.all(|other| other == m)).then(|| (c, m.into_boxed_str()))
            })
            .collect();
        Some(SharedForm {
            casefold: first.casefold,
            steps,
            chars,
        })
    }

    /// Write the shared form of `text` into `out`, with its offsets in sparse form
    /// ([`Normalized::edits`]), and say whether it is every profile's normalised form (up to
    /// folded repeats). `false`: the text needs each profile's full pass.
    pub fn prepare(&self, text: &str, out: &mut Normalized) -> bool {
        out.text.clear();
        out.offsets.clear();
        out.ends.clear();
        out.runs.clear();
        out.edits.clear();
        // Copied, then lower-cased in place: both passes run whole vectors, and the text is
        // a `String` from the start (building bytes and converting them at the end checked
        // the UTF-8 of every comment once more).
        let lower = self.casefold;
        out.text.reserve(text.len());
        let bytes = text.as_bytes();
        // Most comments are ASCII throughout: one check, one copy.
        let mut i = if text.is_ascii() {
            text.len()
        } else {
            ascii_prefix_len(bytes)
        };
        push_folded(&mut out.text, &text[..i], lower);
        while let Some(c) = text[i..].chars().next() {
            let Some((_, m)) = self.chars.iter().find(|(k, _)| *k == c) else {
                out.text.clear();
                return false;
            };
            let (norm, norm_end) = push_folded(&mut out.text, m, lower);
            out.edits.push(Edit {
                norm,
                norm_end,
                orig: i,
                orig_end: i + c.len_utf8(),
            });
            i += c.len_utf8();
            let n = ascii_prefix_len(&bytes[i..]);
            push_folded(&mut out.text, &text[i..i + n], lower);
            i += n;
        }
        let bytes = out.text.as_bytes();
        // The prefilter's cost is mostly fixed (a window of whole vectors); on a name or a
        // one-line comment the exact scan alone is cheaper.
        let prefiltered = bytes.len() < PREFILTER_MIN_LEN || might_trigger(bytes);
        !(prefiltered && self.needs_full_pass(bytes))
    }

    /// One pass over the shared form: a `*` where censor is on, a letter three times in a row
    /// where repeats is on, or anything [`needs_token_pass`] would flag. Non-ASCII bytes here
    /// belong to characters `new` admitted (neither word characters nor separators), so they
    /// are class 0, as `needs_token_pass` treats such characters.
    ///
    /// Most bytes are letters, so a run of them is taken in one tight loop: inside a run of
    /// two or more, [`TokenTriggers::hit`] could only forget an isolated letter, and the one
    /// thing to look for is a letter repeated three times. A run of one letter, and every
    /// other byte, goes through `hit` with its neighbours' classes.
    fn needs_full_pass(&self, bytes: &[u8]) -> bool {
        let steps = self.steps;
        let class = |b: u8| if b < 128 { ASCII_CLASS[b as usize] } else { 0 };
        let mut triggers = TokenTriggers::default();
        let mut prev = 0u8;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii_alphabetic() {
                let start = i;
                let mut same = 1u32;
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    if bytes[i] == bytes[i - 1] {
                        same += 1;
                        if steps.repeats && same >= 3 {
                            return true;
                        }
                    } else {
                        same = 1;
                    }
                    i += 1;
                }
                let letter = C_WORD | C_LETTER;
                if i - start == 1 {
                    let next = bytes.get(i).map_or(0, |&n| class(n));
                    if triggers.hit(steps, b, prev, letter, next) {
                        return true;
                    }
                } else {
                    triggers = TokenTriggers::default();
                }
                prev = letter;
                continue;
            }
            if b == b' ' {
                // The commonest byte after letters: a separator and nothing else.
                if steps.separators {
                    triggers.separator();
                }
                prev = C_SEP;
                i += 1;
                continue;
            }
            let c = class(b);
            // `*` is in the censor class, so this test costs nothing on other bytes.
            if c & C_CENSOR != 0 && steps.censor && b == b'*' {
                return true;
            }
            let next = bytes.get(i + 1).map_or(0, |&n| class(n));
            if triggers.hit(steps, b, prev, c, next) {
                return true;
            }
            prev = c;
            i += 1;
        }
        false
    }
}

/// Shortest text [`might_trigger`] is asked about first (callgrind: on shorter texts its
/// fixed cost exceeds the exact scan's).
const PREFILTER_MIN_LEN: usize = 32;

const P_LETTER: u8 = 1;
const P_DIGIT: u8 = 2;
const P_SYMBOL: u8 = 4;
const P_STAR: u8 = 8;

/// The classes [`might_trigger`] needs, computed without a table lookup so that the loop over
/// a chunk vectorises: an ASCII letter, a digit, a leet or censor symbol of `ASCII_CLASS`, `*`.
/// A test checks them against `ASCII_CLASS`.
#[inline(always)]
fn prefilter_class(b: u8) -> u8 {
    let letter = ((b | 0x20).wrapping_sub(b'a') < 26) as u8;
    let digit = (b.wrapping_sub(b'0') < 10) as u8;
    let symbol = ((b == b'@')
        | (b == b'$')
        | (b == b'!')
        | (b == b'|')
        | (b == b'*')
        | (b == b'#')
        | (b == b'%')
        | (b == b'&')
        | (b == b'?')
        | (b == b'^')) as u8;
    (letter * P_LETTER) | (digit * P_DIGIT) | (symbol * P_SYMBOL) | (((b == b'*') as u8) * P_STAR)
}

/// Whether anything in the shared form `bytes` could make [`SharedForm::needs_full_pass`]
/// say yes, whatever the profile: a digit beside a letter, a leet or censor symbol before a
/// word character or symbol (or a `*`), a letter three times in a row, or an isolated letter
/// two or three bytes after another. `false` is final; `true` leaves it to the exact scan.
///
/// Nine comments in ten have none of these. The test has no branch that depends on the
/// text, so the compiler vectorises it: it costs a fraction of the exact scan, which
/// mispredicts a branch at the end of every word.
fn might_trigger(bytes: &[u8]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, as just checked.
        #[allow(unsafe_code)]
        return unsafe { might_trigger_avx2(bytes) };
    }
    might_trigger_in(bytes)
}

/// [`might_trigger`] compiled for AVX2: its loops then take 32 bytes a step instead of 16.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(unsafe_code)]
unsafe fn might_trigger_avx2(bytes: &[u8]) -> bool {
    might_trigger_in(bytes)
}

/// The test itself, inlined into each build of it: the plain one (SSE2 on x86-64) and AVX2.
/// On the first 5 MB of the benchmark's JSON Lines, AVX2 took a run from 487.5 M to 471.4 M
/// instructions (callgrind), all of it here.
#[inline(always)]
fn might_trigger_in(bytes: &[u8]) -> bool {
    // Each chunk of positions is looked at with the byte before it and the four after it.
    const CHUNK: usize = 256;
    const LETTER: u8 = P_LETTER;
    const DIGIT: u8 = P_DIGIT;
    const SYMBOL: u8 = P_SYMBOL;
    const STAR: u8 = P_STAR;
    const WORD: u8 = LETTER | DIGIT;
    let class = prefilter_class;
    let n = bytes.len();
    // Positions past the end are looked at as zero bytes, which are in no class and so never
    // hit. A chunk is rounded up to whole vectors of them: the loops then have no scalar tail,
    // which on a comment of a hundred bytes cost as much as the vector part.
    const LANES: usize = 32;
    let mut raw = [0u8; CHUNK + LANES];
    let mut cls = [0u8; CHUNK + LANES];
    let mut s = 0;
    while s < n {
        let e = (s + CHUNK).min(n);
        // raw[j] is the byte at s - 1 + j, 0 outside the text.
        let len = (e - s).next_multiple_of(LANES);
        let lo = s.saturating_sub(1);
        let hi = (e + 4).min(n);
        let copied = hi + 1 - s;
        raw[..lo + 1 - s].fill(0);
        raw[lo + 1 - s..copied].copy_from_slice(&bytes[lo..hi]);
        raw[copied..len + LANES].fill(0);
        for (c, &b) in cls[..len + LANES].iter_mut().zip(&raw[..len + LANES]) {
            *c = class(b);
        }
        // The classes of the byte before each position, of the position, and of the four
        // after it; equal lengths, so the loop below has no bounds checks.
        let (cp, cx, c1, c2, c3, c4) = (
            &cls[..len],
            &cls[1..len + 1],
            &cls[2..len + 2],
            &cls[3..len + 3],
            &cls[4..len + 4],
            &cls[5..len + 5],
        );
        let (x, b1, b2) = (&raw[1..len + 1], &raw[2..len + 2], &raw[3..len + 3]);
        let isolated =
            |before: u8, c: u8, after: u8| (c & LETTER != 0) & ((before | after) & WORD == 0);
        let mut hit = false;
        for k in 0..len {
            let digit_by_letter = (cx[k] & DIGIT != 0) & ((cp[k] | c1[k]) & LETTER != 0);
            let symbol_in_token =
                (cx[k] & SYMBOL != 0) & ((c1[k] & (WORD | SYMBOL) != 0) | (cx[k] & STAR != 0));
            let triple = (cx[k] & LETTER != 0) & (x[k] == b1[k]) & (b1[k] == b2[k]);
            let isolated_pair = isolated(cp[k], cx[k], c1[k])
                & (isolated(c1[k], c2[k], c3[k]) | isolated(c2[k], c3[k], c4[k]));
            hit |= digit_by_letter | symbol_in_token | triple | isolated_pair;
        }
        if hit {
            return true;
        }
        s = e;
    }
    false
}

/// Append `piece` to `buf`, its ASCII letters lower-cased when `lower`; returns where it went.
fn push_folded(buf: &mut String, piece: &str, lower: bool) -> (usize, usize) {
    let at = buf.len();
    buf.push_str(piece);
    if lower {
        buf[at..].make_ascii_lowercase();
    }
    (at, buf.len())
}

/// Length of the ASCII prefix of `bytes`, eight bytes at a time.
fn ascii_prefix_len(bytes: &[u8]) -> usize {
    let mut i = 0;
    while i + 8 <= bytes.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[i..i + 8]);
        let high = u64::from_le_bytes(word) & 0x8080_8080_8080_8080;
        if high != 0 {
            return i + (high.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && bytes[i].is_ascii() {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The per-thread cache answers what the steps give, for every combination of the steps
    /// that act on one character, over enough characters that slots of its table are taken
    /// over and asked again, in an order that mixes combinations.
    #[test]
    fn the_character_cache_answers_what_the_steps_give() {
        let chars: Vec<char> = ('\u{80}'..='\u{8FF}')
            .chain('\u{2000}'..='\u{20FF}')
            .chain('\u{FB00}'..='\u{FB06}')
            .chain('\u{FF01}'..='\u{FF5E}')
            .collect();
        let profiles: Vec<Profile> = (0..16u8)
            .map(|bits| Profile {
                compat: bits & 1 != 0,
                confusables: bits & 2 != 0,
                casefold: bits & 4 != 0,
                zero_width: bits & 8 != 0,
                ..Profile::NONE
            })
            .collect();
        // Every combination for every character, twice, in an order that differs per
        // character: the second time, most answers come from the table.
        for round in 0..2 {
            for (k, &c) in chars.iter().enumerate() {
                for j in 0..profiles.len() {
                    let profile = profiles[(j * 5 + k + round) % profiles.len()];
                    let mut got = Vec::new();
                    non_ascii_steps(c, 0, 1, profile, &mut |m, _, _| got.push(m));
                    assert_eq!(
                        got,
                        char_steps_for(c, profile).to_vec(),
                        "{c:?} {profile:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn presets_and_steps_round_trip() {
        let mut p = Profile::NONE;
        for s in Profile::STEP_NAMES {
            assert!(p.set_step(s));
        }
        assert_eq!(p, Profile::STRICT);
        assert_eq!(Profile::STRICT.describe(), "strict");
        assert!(!p.set_step("nope"));
    }

    /// `prepare` copies ASCII runs up to the first non-ASCII byte, whatever its position in a
    /// word of eight.
    #[test]
    fn ascii_prefix_stops_at_the_first_other_byte() {
        let text = "Hello, World! THE QUICK brown Fox’s 123 XYZ [`@{ café";
        for start in 0..text.len() {
            let rest = &text.as_bytes()[start..];
            let want = rest.iter().take_while(|b| b.is_ascii()).count();
            assert_eq!(ascii_prefix_len(rest), want, "from {start}");
        }
    }

    #[test]
    fn prefilter_classes_agree_with_the_class_table() {
        for b in 0..=255u8 {
            let c = prefilter_class(b);
            let table = if b < 128 { ASCII_CLASS[b as usize] } else { 0 };
            assert_eq!(c & P_LETTER != 0, table & C_LETTER != 0, "letter {b}");
            assert_eq!(c & P_DIGIT != 0, table & C_DIGIT != 0, "digit {b}");
            assert_eq!(
                c & P_SYMBOL != 0,
                table & (C_LEET | C_CENSOR) != 0,
                "symbol {b}"
            );
            assert_eq!(c & P_STAR != 0, b == b'*', "star {b}");
        }
    }

    /// `might_trigger` may only say no where the exact scan says no, on texts of every length
    /// (chunk edges at 256 bytes) and with every character the triggers look at.
    #[test]
    fn trigger_prefilter_never_hides_a_trigger() {
        let form = SharedForm::new(&[Profile::STRICT]).expect("a shared form");
        let alphabet: &[&[u8]] = &[
            b"a",
            b"b",
            b"i",
            b"u",
            b"s",
            b"o",
            b"ll",
            b"E",
            b" ",
            b" ",
            b" ",
            b"  ",
            b".",
            b",",
            b"-",
            b"*",
            b"!",
            b"?",
            b"@",
            b"$",
            b"|",
            b"#",
            b"1",
            b"0",
            b"'",
            "\u{2019}".as_bytes(),
            b"\n",
            b"the ",
            b"word ",
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut flagged, mut cleared) = (0, 0);
        for _ in 0..20_000 {
            let len = (next() % 700) as usize;
            let mut text = Vec::new();
            while text.len() < len {
                text.extend_from_slice(alphabet[(next() % alphabet.len() as u64) as usize]);
            }
            // Plain words with at most one thing planted, often across a chunk edge, so
            // that texts whose only trigger is at an edge come up.
            if next() % 2 == 0 {
                let words: &[&[u8]] = &[b"the ", b"comments ", b"people ", b"said ", b"house "];
                text.clear();
                while text.len() < len {
                    text.extend_from_slice(words[(next() % words.len() as u64) as usize]);
                }
                let plants: &[&[u8]] = &[
                    b"a1", b"1a", b"s!t", b"@b", b"b@", b"f*", b"*", b"bbb", b" a b ", b" a  b ",
                    b" u.s. ", b"b?c", b"x|y", b"9", b" a ", b"",
                ];
                let plant = plants[(next() % plants.len() as u64) as usize];
                let at = if next() % 2 == 0 {
                    (256 * (1 + next() % 2) as usize + (next() % 9) as usize).saturating_sub(4)
                } else {
                    (next() % 700) as usize
                };
                let at = at.min(text.len());
                text.splice(at..at, plant.iter().copied());
            }
            let exact = form.needs_full_pass(&text);
            // The build for this CPU (AVX2 where it has it) and the plain one agree.
            assert_eq!(
                might_trigger(&text),
                might_trigger_in(&text),
                "{:?}",
                String::from_utf8_lossy(&text)
            );
            if !might_trigger(&text) {
                cleared += 1;
                assert!(
                    !exact,
                    "prefilter missed: {:?}",
                    String::from_utf8_lossy(&text)
                );
            }
            flagged += exact as usize;
        }
        assert!(
            flagged > 1_000 && cleared > 1_000,
            "{flagged} flagged, {cleared} cleared"
        );
    }

    #[test]
    fn offsets_cover_every_byte() {
        let n = normalize("Ｆｕ\u{200b}ck", Profile::STRICT);
        assert_eq!(n.text, "fuck");
        assert_eq!(n.offsets.len(), n.text.len() + 1);
        assert_eq!(n.ends.len(), n.text.len());
    }
}
