//! Quoted passages inside a comment body, and where their words come from.
//!
//! A quote is a body paragraph (or line) wholly inside quotation marks, curly or straight; a
//! run of lines starting with `>`; or the text after "X wrote:". Owns finding them in a body
//! and tracing them to the article or an earlier comment. It must not decide where bodies
//! begin or end (`layout` does).

use super::lines::Line;
use super::words::starts_with_ascii_ci;
use crate::thread::{QuoteSource, Span};

/// A quote found in a body: 0-based first and last line, and the byte span of its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub first: usize,
    pub last: usize,
    pub span: Span,
    /// Introduced by "X wrote:" and running over the following lines: where the quoted words
    /// stop is found by tracing them line by line.
    pub open_ended: bool,
}

const OPEN: &[char] = &['“', '"', '«', '„', '‘', '\'', '‚', '「', '‹'];

/// Whether `s` is wholly inside one pair of quotation marks (trailing punctuation allowed).
pub fn wholly_quoted(s: &str) -> bool {
    let s = s.trim().trim_end_matches(['.', ',', ';', ':', '!', '?']);
    let mut chars = s.chars();
    let (Some(open), Some(close)) = (chars.next(), chars.next_back()) else {
        return false;
    };
    if !OPEN.contains(&open) {
        return false;
    }
    let inner = chars.as_str();
    if inner
        .chars()
        .filter(|c| c.is_alphanumeric())
        .take(3)
        .count()
        < 3
    {
        return false;
    }
    // One character per `contains`: a single character is searched with memchr.
    match open {
        '“' | '„' => matches!(close, '”' | '“') && !inner.contains('”') && !inner.contains('“'),
        '"' => close == '"' && !inner.contains('"'),
        '«' => close == '»' && !inner.contains('»'),
        '‹' => close == '›' && !inner.contains('›'),
        '「' => close == '」' && !inner.contains('」'),
        // Single quotes double as apostrophes: only a closing one before a space or the end
        // of the text counts as closing.
        '‘' | '\'' | '‚' => {
            matches!(close, '’' | '\'' | '‘') && !inner.contains("’ ") && !inner.contains("' ")
        }
        _ => false,
    }
}

/// The intro of a quote: "Bob wrote:", "Quoting Bob:", "Originally posted by Bob:".
/// Returns the byte offset (in `text`) where the quoted words start, `text.len()` when they
/// follow on the next lines.
fn wrote_intro(text: &str) -> Option<usize> {
    if text.len() > 400 {
        return None;
    }
    // Every intro but "Quote (Ann)" has a colon; lowercasing adds none, and "quote (" is
    // ASCII that only ASCII letters lowercase to.
    if memchr::memchr(b':', text.as_bytes()).is_none() {
        return (text.len() <= 120 && starts_with_ascii_ci(text, "quote (")).then_some(text.len());
    }
    if !may_be_intro(text) {
        return None;
    }
    let lower = text.to_lowercase();
    for verb in [" wrote:", " said:", " writes:", " posted:"] {
        if let Some(at) = lower.find(verb) {
            // The name before the verb is short: "Bob wrote:", "@anna_k wrote:".
            if at <= 60 && text[..at].split_whitespace().count() <= 5 {
                let rest = at + verb.len();
                let skip = text[rest..].len() - text[rest..].trim_start().len();
                return Some(rest + skip);
            }
        }
    }
    for intro in [
        "quoting ",
        "quote from ",
        "originally posted by ",
        "in reply to ",
    ] {
        if lower.starts_with(intro) && text.len() <= 80 && text.ends_with(':') {
            return Some(text.len());
        }
    }
    // Forum software: "Quote from: Ann on 12 March 2023, 18:40", "Quote (Ann)".
    if text.len() <= 120 && (lower.starts_with("quote from:") || lower.starts_with("quote (")) {
        return Some(text.len());
    }
    None
}

/// Whether [`wrote_intro`] can find an intro in a line with a colon: a verb right before a
/// colon, or a line starting like one of the lead phrases (ASCII case-insensitive). Lowercasing
/// turns no other character into these words: only U+212A becomes an ASCII "k" (no word here
/// has one) and U+0130 an "i" followed by a combining dot (every "i" here is followed by a
/// letter). So this rules out, without lowercasing the line, only lines that cannot match.
fn may_be_intro(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr_iter(b':', b).any(|i| {
        let before = &b[..i];
        ["wrote", "said", "writes", "posted"].iter().any(|v| {
            before.len() >= v.len() && before[i - v.len()..].eq_ignore_ascii_case(v.as_bytes())
        })
    }) || ["quot", "orig", "in r"]
        .iter()
        .any(|p| starts_with_ascii_ci(text, p))
}

/// Find the quotes in body lines `first..=last` (0-based indices into `lines`).
pub fn find(lines: &[Line<'_>], first: usize, last: usize) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    // Every quote below starts at a line opening with a quotation mark or '>', or at a quote
    // intro; most bodies have none.
    if !lines[first..=last].iter().any(|l| {
        l.text.starts_with(OPEN) || l.text.starts_with('>') || wrote_intro(l.text).is_some()
    }) {
        return out;
    }
    let span_of = |a: usize, b: usize| Span::new(lines[a].text_start, lines[b].text_end());
    // Paragraphs of the body.
    let mut paras: Vec<(usize, usize)> = Vec::new();
    let mut i = first;
    while i <= last {
        if lines[i].is_blank() {
            i += 1;
            continue;
        }
        let a = i;
        while i < last && !lines[i + 1].is_blank() {
            i += 1;
        }
        paras.push((a, i));
        i += 1;
    }
    let mut p = 0;
    while p < paras.len() {
        let (a, b) = paras[p];
        p += 1;
        // A paragraph wholly in quotation marks (checked as one text when it is short enough
        // to join; long paragraphs are checked at their ends only).
        let joined_ok = if a == b {
            wholly_quoted(lines[a].text)
        } else {
            let first_open = lines[a].text.starts_with(OPEN);
            first_open && {
                let total: usize = (a..=b).map(|k| lines[k].text.len() + 1).sum();
                total <= 20_000
                    && wholly_quoted(&(a..=b).map(|k| lines[k].text).collect::<Vec<_>>().join(" "))
            }
        };
        if joined_ok {
            out.push(Found {
                first: a,
                last: b,
                span: span_of(a, b),
                open_ended: false,
            });
            continue;
        }
        let mut k = a;
        while k <= b {
            let t = lines[k].text;
            if t.starts_with('>') {
                let s = k;
                while k < b && lines[k + 1].text.starts_with('>') {
                    k += 1;
                }
                out.push(Found {
                    first: s,
                    last: k,
                    span: span_of(s, k),
                    open_ended: false,
                });
            } else if wholly_quoted(t) {
                out.push(Found {
                    first: k,
                    last: k,
                    span: span_of(k, k),
                    open_ended: false,
                });
            } else if let Some(off) = wrote_intro(t) {
                if off < t.len() {
                    out.push(Found {
                        first: k,
                        last: k,
                        span: Span::new(lines[k].text_start + off, lines[k].text_end()),
                        open_ended: false,
                    });
                } else if k < b {
                    out.push(Found {
                        first: k + 1,
                        last: b,
                        span: span_of(k + 1, b),
                        open_ended: true,
                    });
                    k = b;
                } else if p < paras.len() {
                    let (na, nb) = paras[p];
                    p += 1;
                    out.push(Found {
                        first: na,
                        last: nb,
                        span: span_of(na, nb),
                        open_ended: true,
                    });
                }
            }
            k += 1;
        }
    }
    out
}

/// ASCII letters and digits to their lowercase; every other byte to 0.
static WORD_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

/// Lowercase words of `s` joined by single spaces: punctuation, quotation marks, ellipses and
/// line breaks do not matter when comparing quoted words with their source.
#[cfg(test)]
pub fn normalize(s: &str) -> String {
    let mut out = Vec::new();
    push_normalized(&mut out, s, &mut false);
    String::from_utf8(out).expect("built from whole characters")
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Eight bytes at once: the high bit of each byte that is an ASCII letter or digit, and the
/// bytes with ASCII letters lowercased (digits unchanged; other bytes do not matter).
#[inline]
fn alnum8(x: u64) -> (u64, u64) {
    // Per byte, below 0x80: `v + (0x80 - lo)` has its high bit set iff `v >= lo`, and
    // `v + (0x7F - hi)` iff `v > hi`; no sum carries into the next byte.
    let z = x & !HI;
    let y = z | (0x20 * LO);
    let ge = |v: u64, lo: u64| v + (0x80 - lo) * LO;
    let gt = |v: u64, hi: u64| v + (0x7F - hi) * LO;
    let letter = ge(y, 0x61) & !gt(y, 0x7A);
    let digit = ge(z, 0x30) & !gt(z, 0x39);
    ((letter | digit) & !x & HI, y)
}

/// The high bit of each byte of `x` that is a space (0x20).
#[inline]
fn spaces8(x: u64) -> u64 {
    let s = x ^ (0x20 * LO);
    !(((s & !HI) + !HI) | s) & HI
}

/// Append the normalised words of `s` to `out` (see [`normalize`]). `pending_space` carries a
/// word break over from text appended before, so that pieces (lines) appended one after the
/// other with `*pending_space = true` between them give what normalising their join would.
fn push_normalized(out: &mut Vec<u8>, s: &str, pending_space: &mut bool) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // Up to eight bytes at a time where they are ASCII letters, digits and single spaces.
        if let Some(chunk) = bytes.get(i..i + 8) {
            let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            let (alnum, lower) = alnum8(x);
            let space = spaces8(x);
            let first_alnum = alnum & 0x80 != 0;
            // Such a stretch, ending in a letter or digit, comes out as it is (lowercased)
            // when it starts with one, or with a space after a word: each of its single
            // spaces stands for the break before the next word.
            if first_alnum || (space & 0x80 != 0 && !out.is_empty()) {
                // The stretch ends before the first other byte and before a second space in
                // a row; it is cut after its last letter or digit.
                let stop = (!(alnum | space) & HI) | (space & (space << 8));
                let inside = match stop.trailing_zeros() {
                    64 => u64::MAX,
                    t => (1u64 << t) - 1,
                };
                let kept = alnum & inside;
                if kept != 0 {
                    if first_alnum && *pending_space && !out.is_empty() {
                        out.push(b' ');
                    }
                    *pending_space = false;
                    // All eight bytes are written and the rest cut off.
                    let n = (64 - kept.leading_zeros() as usize) / 8;
                    let len = out.len();
                    out.extend_from_slice(&lower.to_le_bytes());
                    out.truncate(len + n);
                    i += n;
                    continue;
                }
            }
        } else if WORD_BYTE[b as usize] != 0 {
            // The last few bytes: one at a time.
            if *pending_space && !out.is_empty() {
                out.push(b' ');
            }
            *pending_space = false;
            while let Some(&l) = bytes.get(i).map(|&b| &WORD_BYTE[b as usize]) {
                if l == 0 {
                    break;
                }
                out.push(l);
                i += 1;
            }
            continue;
        }
        // Other ASCII: the apostrophe is dropped, anything else is a word break.
        if b.is_ascii() {
            if b != b'\'' {
                *pending_space = true;
            }
            i += 1;
            continue;
        }
        // U+2000..=U+203F (E2 80 xx: spaces, dashes, curly quotes, ellipsis) are never
        // letters or digits; the right single quotation mark (U+2019) is dropped like '\''.
        if b == 0xE2 && bytes.get(i + 1) == Some(&0x80) {
            if bytes.get(i + 2) != Some(&0x99) {
                *pending_space = true;
            }
            i += 3;
            continue;
        }
        let ch = s[i..].chars().next().expect("a character starts here");
        i += ch.len_utf8();
        if crate::chars::is_alphanumeric(ch) {
            if *pending_space && !out.is_empty() {
                out.push(b' ');
            }
            *pending_space = false;
            let mut buf = [0u8; 4];
            for lc in ch.to_lowercase() {
                out.extend_from_slice(lc.encode_utf8(&mut buf).as_bytes());
            }
        } else if ch != '’' {
            *pending_space = true;
        }
    }
}

/// Traces quotes to the article or an earlier comment within a byte budget, so a page made of
/// thousands of quotes stays linear: once the budget is spent, sources are left unknown.
///
/// The article and the comments are line ranges of the page, normalised (as their lines
/// joined by line breaks) on first use: most pages have no quotes, and a quote is usually
/// found in the article or a recent comment.
pub struct Tracer<'a> {
    lines: &'a [Line<'a>],
    /// The article's lines, and their normalised text once needed.
    article: Option<(usize, usize)>,
    article_norm: Option<Vec<u8>>,
    /// Each comment's body lines, and their normalised text once needed.
    comments: Vec<Haystack>,
    budget: usize,
    /// Scratch for the quoted text without `>` markers, and for pieces of its normalisation.
    stripped: String,
    piece: Vec<u8>,
}

/// First and last line (0-based, inclusive) of a text quotes are traced to, and its
/// normalised text once needed.
type Haystack = ((usize, usize), Option<Vec<u8>>);

/// The normalised text of lines `first..=last` joined by line breaks.
fn normalize_lines(lines: &[Line<'_>], (first, last): (usize, usize)) -> Vec<u8> {
    let mut out = Vec::new();
    let mut pending = false;
    for l in &lines[first..=last] {
        push_normalized(&mut out, l.text, &mut pending);
        pending = true;
    }
    out
}

impl<'a> Tracer<'a> {
    /// `article`: the article's first and last line (0-based, inclusive), if there is one.
    pub fn new(lines: &'a [Line<'a>], article: Option<(usize, usize)>, source_len: usize) -> Self {
        Tracer {
            lines,
            article,
            article_norm: None,
            comments: Vec::new(),
            budget: source_len.saturating_mul(4).max(1 << 20),
            stripped: String::new(),
            piece: Vec::new(),
        }
    }

    /// Register the next comment's body lines (call in page order, after tracing its quotes).
    pub fn push_comment(&mut self, first: usize, last: usize) {
        self.comments.push(((first, last), None));
    }

    /// The longest normalised stretch of `quoted` between ellipses (`…`, `..`), with `>`
    /// markers at line starts removed; the last of equally long ones.
    fn key(&mut self, quoted: &str) -> Vec<u8> {
        // Lines rejoined by spaces, each without leading space and '>' markers.
        let mut stripped = std::mem::take(&mut self.stripped);
        stripped.clear();
        for (k, l) in quoted.lines().enumerate() {
            if k > 0 {
                stripped.push(' ');
            }
            stripped.push_str(l.trim_start().trim_start_matches('>'));
        }
        let mut best = Vec::new();
        let mut piece = std::mem::take(&mut self.piece);
        let mut consider = |range: std::ops::Range<usize>| {
            piece.clear();
            push_normalized(&mut piece, &stripped[range], &mut false);
            if piece.len() >= best.len() {
                std::mem::swap(&mut piece, &mut best);
            }
        };
        // Pieces end at each '…' and at each "..", found left to right without overlap.
        let b = stripped.as_bytes();
        let mut from = 0;
        let mut at = 0;
        while let Some(off) = memchr::memchr2(b'.', 0xE2, &b[at..]) {
            let i = at + off;
            if b[i] == b'.' && b.get(i + 1) == Some(&b'.') {
                consider(from..i);
                at = i + 2;
                from = at;
            } else if b[i] == 0xE2 && b[i + 1..].starts_with(&[0x80, 0xA6]) {
                consider(from..i);
                at = i + 3;
                from = at;
            } else {
                at = i + 1;
            }
        }
        consider(from..b.len());
        self.piece = piece;
        self.stripped = stripped;
        best
    }

    /// Where the quoted text comes from, looking at the article and the comments registered
    /// so far (nearest first).
    pub fn trace(&mut self, quoted: &str) -> Option<QuoteSource> {
        // Compare the longest stretch between ellipses: "“.. once Syria has been..”".
        let key = self.key(quoted);
        if key.len() < 12 || !key.contains(&b' ') {
            return None;
        }
        let lines = self.lines;
        let article_lines = self.article;
        let article = self.article_norm.get_or_insert_with(|| {
            article_lines.map_or_else(Vec::new, |r| normalize_lines(lines, r))
        });
        let finder = memchr::memmem::Finder::new(&key);
        if look(&mut self.budget, article, &finder) {
            return Some(QuoteSource::Article);
        }
        for i in (0..self.comments.len()).rev() {
            if self.budget == 0 {
                break;
            }
            let (range, norm) = &mut self.comments[i];
            let hay = norm.get_or_insert_with(|| normalize_lines(lines, *range));
            if look(&mut self.budget, hay, &finder) {
                return Some(QuoteSource::Comment(i));
            }
        }
        None
    }
}

/// Search `hay` for `key` if the budget allows; every search is charged its length.
fn look(budget: &mut usize, hay: &[u8], finder: &memchr::memmem::Finder<'_>) -> bool {
    if *budget < hay.len() {
        *budget = 0;
        return false;
    }
    *budget -= hay.len();
    finder.find(hay).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::lines::split;

    #[test]
    fn quoted_paragraphs() {
        assert!(wholly_quoted("“.. that Iran should retire ..”"));
        assert!(wholly_quoted("\"This is what they said.\""));
        assert!(wholly_quoted("‘Don’t panic’."));
        assert!(!wholly_quoted("“Yes,” he said, “but not now.”"));
        assert!(!wholly_quoted("He said “no”."));
        assert!(!wholly_quoted("\"A\" and \"B\""));
    }

    #[test]
    fn finds_each_kind() {
        let text = "“Quoted words here”\n\nmy reply\n> line one\n> line two\nmine\n\nBob wrote:\nhis words\n\nAnn wrote: her words";
        let lines = split(text);
        let q = find(&lines, 0, lines.len() - 1);
        let got: Vec<(usize, usize)> = q.iter().map(|f| (f.first, f.last)).collect();
        assert_eq!(got, vec![(0, 0), (3, 4), (8, 8), (10, 10)]);
        assert_eq!(&text[q[3].span.start..q[3].span.end], "her words");
    }

    #[test]
    fn general_punctuation_is_never_a_word_character() {
        for c in '\u{2000}'..='\u{203F}' {
            assert!(!c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn normalizes_words() {
        assert_eq!(
            normalize("“Don’t” PANIC -- it's 42 … Ünïcode İstanbul!"),
            "dont panic its 42 ünïcode i\u{307}stanbul"
        );
        assert_eq!(normalize("...a"), "a");
        assert_eq!(normalize(""), "");
    }

    /// Normalisation one character at a time, as it is specified.
    fn normalize_by_chars(s: &str) -> String {
        let mut out = String::new();
        let mut pending_space = false;
        for ch in s.chars() {
            if ch.is_alphanumeric() {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.extend(ch.to_lowercase());
            } else if ch != '\'' && ch != '’' {
                pending_space = true;
            }
        }
        out
    }

    #[test]
    fn eight_bytes_at_a_time_normalizes_like_one_char_at_a_time() {
        let samples = [
            "",
            "a",
            "abcdefgh",
            "abcdefghi",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789",
            "@[`{/:\x7f AZaz09 az@Z[a`z{0/9: ~~~ xx",
            "Don’t PANIC -- it's 42 … Ünïcode İstanbul! KELVIN\u{212A}x ẞtraße",
            "word\tword\nword\r\nword\u{A0}word\u{2003}word\u{3000}",
            "“Quoted,” said the long-winded correspondent (again): 2019-03-04T12:30Z.",
            "x1234567y1234567z1234567 and12345678 ’’’’ ''''' ééééééé",
        ];
        for s in samples {
            for cut in 0..s.len().min(12) {
                let Some(t) = s.get(cut..) else { continue };
                assert_eq!(normalize(t), normalize_by_chars(t), "{t:?}");
            }
        }
        // Pseudo-random mixes of word characters, single and double spaces and breaks.
        let alphabet = [
            "a", "Z", "7", " ", " ", " ", "  ", ",", "'", "’", "é", "İ", "\n", "-", "…", "ab",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as usize
        };
        for _ in 0..20_000 {
            let mut t = String::new();
            for _ in 0..next() % 30 {
                t.push_str(alphabet[next() % alphabet.len()]);
            }
            assert_eq!(normalize(&t), normalize_by_chars(&t), "{t:?}");
        }
    }

    #[test]
    fn traces_to_article_and_comments() {
        let page = "On August 16, a senior U.S. official said so.\n\nfirst comment words that are long enough\nthe idea that Iran should retire from Syria once Syria has been restored";
        let lines = split(page);
        let mut t = Tracer::new(&lines, Some((0, 0)), 100);
        assert_eq!(
            t.trace("“On August 16, a senior U.S. official …..”"),
            Some(QuoteSource::Article)
        );
        t.push_comment(2, 2);
        t.push_comment(3, 3);
        assert_eq!(
            t.trace("“.. that Iran should retire from Syria once Syria has been..”"),
            Some(QuoteSource::Comment(1))
        );
        assert_eq!(t.trace("“words nobody wrote anywhere”"), None);
    }
}
