//! Shared pieces of the benchmark harness: a seeded PRNG, the literal terms of the bundled rules,
//! the baseline whole-word matcher and the seed material the corpus generator draws from.
//!
//! Included by the examples and benches with `#[path = "common.rs"] mod common;`. It must not
//! depend on anything outside the repository: the harness runs from a plain clone.
#![allow(dead_code)]

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::path::{Path, PathBuf};
use threadlint::rules::{self, RuleSet, TermMode};

/// SplitMix64: small, fast and fully determined by its seed, so every run writes the same corpus
/// on every machine (the `rand` crates change their streams between versions).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 11) % n as u64) as usize
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The repository root (where Cargo.toml is), found from the crate's manifest directory.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Bundled rule sets; loader errors end the program, since a benchmark of broken rules is
/// meaningless.
pub fn bundled_sets() -> Vec<RuleSet> {
    // As every command that matches loads them: lint's quality checks are not part of start-up.
    let (sets, diagnostics) = rules::load_bundled_with(rules::Checks::Errors);
    let errors: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.level == rules::Level::Error)
        .collect();
    if !errors.is_empty() {
        for d in errors {
            eprintln!("{d}");
        }
        std::process::exit(2);
    }
    sets
}

/// Every literal term of the rule sets (`terms` and `near` groups), lower-cased, deduplicated,
/// with its mode. Regexes and `unless` phrases are not literal terms of the yardstick.
pub fn literal_terms(sets: &[RuleSet]) -> Vec<(String, TermMode)> {
    let mut out: Vec<(String, TermMode)> = Vec::new();
    for set in sets {
        for rule in &set.rules {
            let near = rule.near.iter().flat_map(|n| n.groups.iter().flatten());
            for term in rule.terms.iter().chain(near) {
                let text = term.text.to_lowercase();
                if !text.trim().is_empty() {
                    out.push((text, term.mode));
                }
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0).then((a.1 as u8).cmp(&(b.1 as u8))));
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// The yardstick: one Aho-Corasick DFA of all literal terms, ASCII case-insensitive,
/// leftmost-longest, with a Unicode word-boundary check on the sides the term's mode asks for.
pub struct WordMatcher {
    ac: AhoCorasick,
    modes: Vec<TermMode>,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl WordMatcher {
    pub fn new(terms: &[(String, TermMode)]) -> WordMatcher {
        let ac = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .build(terms.iter().map(|(t, _)| t.as_bytes()))
            .expect("the baseline automaton builds");
        WordMatcher {
            ac,
            modes: terms.iter().map(|(_, m)| *m).collect(),
        }
    }

    pub fn pattern_count(&self) -> usize {
        self.modes.len()
    }

    /// Calls `hit(start, end)` for every whole-word match in `text`.
    pub fn for_each(&self, text: &[u8], mut hit: impl FnMut(usize, usize)) {
        for m in self.ac.find_iter(text) {
            let mode = self.modes[m.pattern().as_usize()];
            let left_ok = mode == TermMode::Suffix || !word_before(text, m.start());
            let right_ok = mode == TermMode::Prefix || !word_after(text, m.end());
            if left_ok && right_ok {
                hit(m.start(), m.end());
            }
        }
    }

    pub fn count(&self, text: &[u8]) -> usize {
        let mut n = 0;
        self.for_each(text, |_, _| n += 1);
        n
    }
}

fn word_before(text: &[u8], at: usize) -> bool {
    // Look back at most four bytes for the start of the previous UTF-8 character.
    let from = at.saturating_sub(4);
    let tail = &text[from..at];
    let mut i = tail.len();
    while i > 0 {
        i -= 1;
        if tail[i] & 0xC0 != 0x80 {
            return std::str::from_utf8(&tail[i..])
                .ok()
                .and_then(|s| s.chars().next())
                .is_some_and(is_word_char);
        }
    }
    false
}

fn word_after(text: &[u8], at: usize) -> bool {
    let end = (at + 4).min(text.len());
    let head = &text[at..end];
    // Decode only the first character; a cut-off tail of a later one does not matter.
    let len = match head.first() {
        None => return false,
        Some(b) if *b < 0x80 => 1,
        Some(b) if *b >= 0xF0 => 4,
        Some(b) if *b >= 0xE0 => 3,
        Some(_) => 2,
    };
    std::str::from_utf8(&head[..len.min(head.len())])
        .ok()
        .and_then(|s| s.chars().next())
        .is_some_and(is_word_char)
}

/// Comment and article text taken from the seeds (split by their gold files) and from any
/// fixture pages, plus the bundled rules' must-match examples.
pub struct Material {
    /// Article paragraphs (title lines included), each one line.
    pub article: Vec<String>,
    /// Titles, one per seed.
    pub titles: Vec<String>,
    /// Sentences of real comments.
    pub sentences: Vec<String>,
    /// Commenter names seen in the seeds.
    pub authors: Vec<String>,
    /// Text known to carry a flagged term (rule examples and seed sentences the baseline hits).
    pub flagged: Vec<String>,
}

#[derive(serde::Deserialize)]
struct Gold {
    article: Option<GoldArticle>,
    #[serde(default)]
    comments: Vec<GoldComment>,
}

#[derive(serde::Deserialize)]
struct GoldArticle {
    title: Option<usize>,
    lines: [usize; 2],
}

#[derive(serde::Deserialize)]
struct GoldComment {
    author: Option<String>,
    lines: [usize; 2],
}

pub fn split_sentences(text: &str, out: &mut Vec<String>) {
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let end_of_sentence = matches!(b, b'.' | b'!' | b'?')
            && bytes.get(i + 1).map_or(true, |n| *n == b' ' || *n == b'\n')
            // "U.S." and "Dr." end no sentence.
            && !(i >= 1 && bytes[i - 1].is_ascii_uppercase())
            && !text[..i].ends_with("Dr")
            && !text[..i].ends_with("Mr");
        if end_of_sentence || b == b'\n' {
            let s = text[start..=i].trim();
            if s.len() >= 2 {
                out.push(s.to_string());
            }
            start = i + 1;
        }
    }
    let s = text[start..].trim();
    if s.len() >= 2 {
        out.push(s.to_string());
    }
}

fn read_dir_sorted(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

impl Material {
    /// Reads `seeds/` (with `seeds/gold/`) and `tests/fixtures/` under `root`, and the rule
    /// examples of `sets`. Sentences that the baseline `matcher` hits go to `flagged`, so the
    /// generator controls the flagged share.
    pub fn load(root: &Path, sets: &[RuleSet], matcher: &WordMatcher) -> Result<Material, String> {
        let mut m = Material {
            article: Vec::new(),
            titles: Vec::new(),
            sentences: Vec::new(),
            authors: Vec::new(),
            flagged: Vec::new(),
        };
        let mut comment_text = Vec::new();
        for seed in read_dir_sorted(&root.join("seeds"), "txt") {
            let text =
                std::fs::read_to_string(&seed).map_err(|e| format!("{}: {e}", seed.display()))?;
            let lines: Vec<&str> = text.lines().collect();
            let line = |n: usize| lines.get(n.wrapping_sub(1)).copied().unwrap_or("");
            let stem = seed.file_stem().unwrap_or_default().to_string_lossy();
            let gold_path = root.join("seeds/gold").join(format!("{stem}.yaml"));
            let gold_text = std::fs::read_to_string(&gold_path)
                .map_err(|e| format!("{}: {e}", gold_path.display()))?;
            let gold: Gold = threadlint::yaml::from_str(&gold_text)
                .map_err(|e| format!("{}:{e}", gold_path.display()))?;
            if let Some(a) = gold.article {
                if let Some(t) = a.title {
                    m.titles.push(line(t).trim().to_string());
                }
                for n in a.lines[0]..=a.lines[1] {
                    let l = line(n).trim();
                    if !l.is_empty() && Some(n) != a.title {
                        m.article.push(l.to_string());
                    }
                }
            }
            for c in gold.comments {
                if let Some(a) = c.author {
                    m.authors.push(a);
                }
                for n in c.lines[0]..=c.lines[1] {
                    comment_text.push(line(n).to_string());
                }
            }
        }
        // Fixture pages have no gold split: their lines serve as extra comment sentences.
        for page in read_dir_sorted(&root.join("tests/fixtures"), "txt") {
            if let Ok(text) = std::fs::read_to_string(&page) {
                comment_text.extend(text.lines().map(str::to_string));
            }
        }
        let mut sentences = Vec::new();
        for l in &comment_text {
            split_sentences(l, &mut sentences);
        }
        for s in sentences {
            if matcher.count(s.as_bytes()) > 0 {
                m.flagged.push(s);
            } else {
                m.sentences.push(s);
            }
        }
        for set in sets {
            for rule in &set.rules {
                for ex in &rule.examples_match {
                    m.flagged.push(ex.text.clone());
                }
            }
        }
        m.authors.sort();
        m.authors.dedup();
        m.sentences.sort();
        m.sentences.dedup();
        m.flagged.sort();
        m.flagged.dedup();
        if m.sentences.is_empty() || m.article.is_empty() {
            return Err(format!(
                "no seed material under {}/seeds (need seeds/*.txt with seeds/gold/*.yaml)",
                root.display()
            ));
        }
        if m.titles.is_empty() {
            m.titles.push(m.article[0].clone());
        }
        if m.authors.is_empty() {
            m.authors.push("Reader".to_string());
        }
        Ok(m)
    }
}

/// Syllables for made-up words: pronounceable, mostly not English, so a 100,000-term set
/// behaves like a large real lexicon (shared prefixes, varied lengths) without real words.
const SYLLABLES: [&str; 40] = [
    "ka", "lo", "mi", "ra", "ven", "tor", "ul", "bri", "sha", "dek", "po", "zan", "qui", "mer",
    "ost", "fa", "gru", "hel", "ix", "jo", "nar", "pe", "rud", "sil", "tam", "vo", "wen", "yar",
    "zu", "cla", "dro", "ep", "fin", "gor", "hu", "ist", "lem", "mon", "nu", "ob",
];

/// A rule set of `n` made-up terms in rules of 1,000 terms, half under the `plain` profile and
/// half under `strict` (two automata), with stems, endings and two-word phrases mixed in.
pub fn generated_set(n: usize, seed: u64) -> RuleSet {
    use threadlint::finding::{Category, Severity};
    use threadlint::normalize::Profile;
    use threadlint::rules::{Rule, Term};
    let mut rng = Rng::new(seed);
    let word = |rng: &mut Rng| {
        let k = rng.range(2, 4);
        (0..k).map(|_| *rng.pick(&SYLLABLES)).collect::<String>()
    };
    let plain = Profile::preset("plain").unwrap_or_else(|| Profile::default_for(Category::Insult));
    let strict = Profile::preset("strict").unwrap_or(plain);
    let mut rules = Vec::new();
    let per_rule = 1000;
    let mut made = 0;
    while made < n {
        let i = rules.len();
        let count = per_rule.min(n - made);
        let terms = (0..count)
            .map(|j| {
                let roll = rng.below(100);
                let (text, mode) = match roll {
                    0..=9 => (word(&mut rng), TermMode::Prefix),
                    10..=14 => (word(&mut rng), TermMode::Suffix),
                    15..=34 => (
                        format!("{} {}", word(&mut rng), word(&mut rng)),
                        TermMode::Word,
                    ),
                    _ => (word(&mut rng), TermMode::Word),
                };
                Term {
                    text,
                    mode,
                    line: 10 + j,
                    column: 5,
                }
            })
            .collect();
        made += count;
        rules.push(Rule {
            line: 5 + i,
            summary: "Generated terms for the compile benchmark.".to_string(),
            why: "Measures engine build time on a large lexicon.".to_string(),
            terms,
            normalize: if i % 2 == 0 { plain } else { strict },
            ..Rule::new(
                "generated",
                &format!("generated-{i}"),
                Category::Insult,
                Severity::Medium,
            )
        });
    }
    RuleSet {
        name: "generated".to_string(),
        origin: "generated".to_string(),
        source: format!("generated {n} terms, seed {seed}"),
        description: "Made-up terms for the compile benchmark.".to_string(),
        references: Vec::new(),
        rules,
    }
}

/// A clean comment of about `len` bytes built from seed sentences (deterministic).
pub fn comment_of_len(m: &Material, len: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut s = String::new();
    while s.len() < len {
        if !s.is_empty() {
            s.push(' ');
        }
        let next: &String = rng.pick(&m.sentences);
        s.push_str(next);
    }
    let cut = s
        .char_indices()
        .map(|(i, _)| i)
        .take_while(|&i| i <= len)
        .last()
        .unwrap_or(0);
    s.truncate(cut);
    s
}

/// A one-comment thread over `body`, as a pre-publish call builds it.
pub fn single_comment_thread(body: &str) -> threadlint::thread::Thread {
    use threadlint::thread::{Comment, LineRange, Span, Thread};
    Thread {
        name: "comment".to_string(),
        source: body.to_string(),
        article: None,
        boilerplate: Vec::new(),
        comments: vec![Comment {
            author: Some("Reader".to_string()),
            name_line: None,
            name_span: None,
            lines: LineRange::new(1, 1 + body.matches('\n').count()),
            span: Span::new(0, body.len()),
            quotes: Vec::new(),
            id: None,
        }],
    }
}

/// Median and spread of a sample of durations in seconds: (median, min, max).
pub fn median_spread(samples: &mut [f64]) -> (f64, f64, f64) {
    samples.sort_by(|a, b| a.total_cmp(b));
    let n = samples.len();
    let median = if n % 2 == 1 {
        samples[n / 2]
    } else {
        (samples[n / 2 - 1] + samples[n / 2]) / 2.0
    };
    (median, samples[0], samples[n - 1])
}
