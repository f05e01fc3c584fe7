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
    if inner.chars().filter(|c| c.is_alphanumeric()).count() < 3 {
        return false;
    }
    match open {
        '“' | '„' => matches!(close, '”' | '“') && !inner.contains(['”', '“']),
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
pub fn normalize(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(s.len());
    let mut pending_space = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // ASCII letters and digits, a run at a time: lowercased.
        if WORD_BYTE[b as usize] != 0 {
            if pending_space && !out.is_empty() {
                out.push(b' ');
            }
            pending_space = false;
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
                pending_space = true;
            }
            i += 1;
            continue;
        }
        // U+2000..=U+203F (E2 80 xx: spaces, dashes, curly quotes, ellipsis) are never
        // letters or digits; the right single quotation mark (U+2019) is dropped like '\''.
        if b == 0xE2 && bytes.get(i + 1) == Some(&0x80) {
            if bytes.get(i + 2) != Some(&0x99) {
                pending_space = true;
            }
            i += 3;
            continue;
        }
        let ch = s[i..].chars().next().expect("a character starts here");
        i += ch.len_utf8();
        if ch.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(b' ');
            }
            pending_space = false;
            let mut buf = [0u8; 4];
            for lc in ch.to_lowercase() {
                out.extend_from_slice(lc.encode_utf8(&mut buf).as_bytes());
            }
        } else if ch != '’' {
            pending_space = true;
        }
    }
    String::from_utf8(out).expect("built from whole characters")
}

/// Traces quotes to the article or an earlier comment within a byte budget, so a page made of
/// thousands of quotes stays linear: once the budget is spent, sources are left unknown.
pub struct Tracer {
    /// The article text, normalised on first use (most pages have no quotes).
    article_raw: String,
    article: Option<String>,
    /// Comment bodies as written, and normalised on first use.
    comments: Vec<(String, Option<String>)>,
    budget: usize,
}

impl Tracer {
    pub fn new(article: String, source_len: usize) -> Tracer {
        Tracer {
            article_raw: article,
            article: None,
            comments: Vec::new(),
            budget: source_len.saturating_mul(4).max(1 << 20),
        }
    }

    /// Register the next comment's body text (call in page order, after tracing its quotes).
    pub fn push_comment(&mut self, body: String) {
        self.comments.push((body, None));
    }

    /// Where the quoted text comes from, looking at the article and the comments registered
    /// so far (nearest first).
    pub fn trace(&mut self, quoted: &str) -> Option<QuoteSource> {
        // Compare the longest stretch between ellipses: "“.. once Syria has been..”".
        let stripped: String = quoted
            .lines()
            .map(|l| l.trim_start().trim_start_matches('>'))
            .collect::<Vec<_>>()
            .join(" ");
        let key = stripped
            .split(['…'])
            .flat_map(|part| part.split(".."))
            .map(normalize)
            .max_by_key(|s| s.len())?;
        if key.len() < 12 || !key.contains(' ') {
            return None;
        }
        let article = self
            .article
            .get_or_insert_with(|| normalize(&std::mem::take(&mut self.article_raw)));
        let finder = memchr::memmem::Finder::new(key.as_bytes());
        if look(&mut self.budget, article, &finder) {
            return Some(QuoteSource::Article);
        }
        for i in (0..self.comments.len()).rev() {
            if self.budget == 0 {
                break;
            }
            let (raw, norm) = &mut self.comments[i];
            let hay = norm.get_or_insert_with(|| normalize(&std::mem::take(raw)));
            if look(&mut self.budget, hay, &finder) {
                return Some(QuoteSource::Comment(i));
            }
        }
        None
    }
}

/// Search `hay` for `key` if the budget allows; every search is charged its length.
fn look(budget: &mut usize, hay: &str, finder: &memchr::memmem::Finder<'_>) -> bool {
    if *budget < hay.len() {
        *budget = 0;
        return false;
    }
    *budget -= hay.len();
    finder.find(hay.as_bytes()).is_some()
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

    #[test]
    fn traces_to_article_and_comments() {
        let mut t = Tracer::new("On August 16, a senior U.S. official said so.".into(), 100);
        assert_eq!(
            t.trace("“On August 16, a senior U.S. official …..”"),
            Some(QuoteSource::Article)
        );
        t.push_comment("first comment words that are long enough".into());
        t.push_comment(
            "the idea that Iran should retire from Syria once Syria has been restored".into(),
        );
        assert_eq!(
            t.trace("“.. that Iran should retire from Syria once Syria has been..”"),
            Some(QuoteSource::Comment(1))
        );
        assert_eq!(t.trace("“words nobody wrote anywhere”"), None);
    }
}
