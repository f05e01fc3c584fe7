//! Gold files and scoring against them.
//!
//! Owns the gold file model (`seeds/gold/README.md` describes the format), loading it (through
//! `crate::yaml`, the only YAML gateway), writing a segmented thread in the same shape
//! ([`from_thread`] + [`to_yaml`]), and the two scores the README defines: segmentation
//! ([`score_segmentation`]) and flags ([`score_flags`]). It must not segment text or run rules;
//! it compares what others produced with what a person wrote down.

use crate::finding::{Category, Finding, Severity, Target};
use crate::thread::{LineRange, Thread};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::Path;

/// One gold file: the hand-written answer for one page.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gold {
    pub seed: String,
    #[serde(default)]
    pub article: Option<GoldArticle>,
    #[serde(default)]
    pub boilerplate: Vec<LineRange>,
    #[serde(default)]
    pub comments: Vec<GoldComment>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub author_flags: BTreeMap<String, GoldFlags>,
}

/// The article part of a gold file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldArticle {
    #[serde(default)]
    pub title: Option<usize>,
    pub lines: LineRange,
    /// Lines of the article expected to carry a finding, by category.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub flags: BTreeMap<Category, Vec<usize>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One gold comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldComment {
    /// The name as shown, trimmed; `None` for a guest.
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_line: Option<usize>,
    /// First and last line of the body.
    pub lines: LineRange,
    /// Lines of the body that quote someone else.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quotes: Vec<usize>,
    /// Categories that must be reported, each with the lowest severity that is still right.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub flags: BTreeMap<Category, Severity>,
    /// Categories that are defensible either way; not scored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maybe: Vec<Category>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Expected findings on a commenter's name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldFlags {
    #[serde(default)]
    pub flags: BTreeMap<Category, Severity>,
    #[serde(default)]
    pub maybe: Vec<Category>,
}

/// Load a gold file. Errors name the file, and the line and column for YAML problems. A gold
/// file describes one page, and is held to a page's size ([`crate::input::MAX_PAGE_BYTES`]).
pub fn load(path: &Path) -> anyhow::Result<Gold> {
    let text = crate::input::read_utf8_to(
        path,
        crate::input::MAX_PAGE_BYTES,
        "a gold file",
        "a gold file describes one page",
    )
    .with_context(|| format!("cannot read gold file {}", path.display()))?;
    from_str(&text).map_err(|e| anyhow::anyhow!("{}:{e}", path.display()))
}

/// Parse a gold file's text; the error carries `line:col: message`.
pub fn from_str(text: &str) -> Result<Gold, crate::yaml::YamlError> {
    crate::yaml::from_str(text)
}

/// The segmentation part of a gold file, read off a segmented thread (no flags).
pub fn from_thread(seed: &str, thread: &Thread) -> Gold {
    Gold {
        seed: seed.to_string(),
        article: thread.article.as_ref().map(|a| GoldArticle {
            title: a.title,
            lines: a.lines,
            flags: BTreeMap::new(),
            note: None,
        }),
        boilerplate: thread.boilerplate.clone(),
        comments: thread
            .comments
            .iter()
            .map(|c| GoldComment {
                author: c.author.clone(),
                name_line: c.name_line,
                lines: c.lines,
                quotes: quote_lines(c),
                flags: BTreeMap::new(),
                maybe: Vec::new(),
                note: None,
            })
            .collect(),
        author_flags: BTreeMap::new(),
    }
}

/// Every line a comment's quotes cover, in order.
fn quote_lines(c: &crate::thread::Comment) -> Vec<usize> {
    let set: BTreeSet<usize> = c
        .quotes
        .iter()
        .flat_map(|q| q.lines.first..=q.lines.last)
        .collect();
    set.into_iter().collect()
}

/// Write a gold value in the layout of the hand-written gold files (flow-style `[a, b]`
/// ranges, two-space indents), so `diff` against `seeds/gold/` shows only real differences.
/// `serde_yaml` would write block sequences, which never diff cleanly against those files.
pub fn to_yaml(gold: &Gold) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let range = |r: &LineRange| format!("[{}, {}]", r.first, r.last);
    let _ = writeln!(out, "seed: {}", scalar(&gold.seed));
    match &gold.article {
        None => out.push_str("article: null\n"),
        Some(a) => {
            out.push_str("article:\n");
            let _ = writeln!(
                out,
                "  title: {}",
                a.title.map_or("null".to_string(), |t| t.to_string())
            );
            let _ = writeln!(out, "  lines: {}", range(&a.lines));
            if !a.flags.is_empty() {
                out.push_str("  flags:\n");
                for (cat, lines) in &a.flags {
                    let list: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                    let _ = writeln!(out, "    {cat}: [{}]", list.join(", "));
                }
            }
            if let Some(note) = &a.note {
                let _ = writeln!(out, "  note: {}", scalar(note));
            }
        }
    }
    if gold.boilerplate.is_empty() {
        out.push_str("boilerplate: []\n");
    } else {
        out.push_str("boilerplate:\n");
        for r in &gold.boilerplate {
            let _ = writeln!(out, "  - {}", range(r));
        }
    }
    if gold.comments.is_empty() {
        out.push_str("comments: []\n");
    } else {
        out.push_str("comments:\n");
        for c in &gold.comments {
            let author = c.author.as_deref().map_or("null".to_string(), scalar);
            let _ = writeln!(out, "  - author: {author}");
            if let Some(n) = c.name_line {
                let _ = writeln!(out, "    name_line: {n}");
            }
            let _ = writeln!(out, "    lines: {}", range(&c.lines));
            if !c.quotes.is_empty() {
                let list: Vec<String> = c.quotes.iter().map(|l| l.to_string()).collect();
                let _ = writeln!(out, "    quotes: [{}]", list.join(", "));
            }
            if !c.flags.is_empty() {
                out.push_str("    flags:\n");
                for (cat, sev) in &c.flags {
                    let _ = writeln!(out, "      {cat}: {sev}");
                }
            }
            if !c.maybe.is_empty() {
                let list: Vec<&str> = c.maybe.iter().map(|m| m.as_str()).collect();
                let _ = writeln!(out, "    maybe: [{}]", list.join(", "));
            }
            if let Some(note) = &c.note {
                let _ = writeln!(out, "    note: {}", scalar(note));
            }
        }
    }
    if !gold.author_flags.is_empty() {
        out.push_str("author_flags:\n");
        for (name, f) in &gold.author_flags {
            let _ = writeln!(out, "  {}:", quoted(name));
            if !f.flags.is_empty() {
                out.push_str("    flags:\n");
                for (cat, sev) in &f.flags {
                    let _ = writeln!(out, "      {cat}: {sev}");
                }
            }
            if !f.maybe.is_empty() {
                let list: Vec<&str> = f.maybe.iter().map(|m| m.as_str()).collect();
                let _ = writeln!(out, "    maybe: [{}]", list.join(", "));
            }
        }
    }
    out
}

/// A YAML scalar: plain when that reads back as the same string, double-quoted otherwise.
fn scalar(s: &str) -> String {
    let plain_ok = !s.is_empty()
        && s.trim() == s
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`~".contains(c))
        // Number-like text ("1969", "1:20", "1e3") would read back as a number.
        && !s.chars().all(|c| c.is_ascii_digit() || "_.:+-eExXoO".contains(c))
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.chars().any(|c| c.is_control())
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | ".nan" | ".inf"
        );
    if plain_ok {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// A double-quoted YAML scalar (JSON escaping is valid YAML).
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{}\"", s.replace('"', "\\\"")))
}

// ---------------------------------------------------------------------------------------------
// Segmentation score

/// A matched comment whose author disagrees with the gold file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthorMismatch {
    /// Body start line (the key both sides share).
    pub line: usize,
    pub expected: Option<String>,
    pub found: Option<String>,
}

/// A matched comment whose body ends on a different line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtentMismatch {
    pub expected: LineRange,
    pub found: LineRange,
}

/// How a segmented thread compares with a gold file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentationScore {
    pub gold_comments: usize,
    pub predicted_comments: usize,
    /// Predicted comments whose body starts on a gold comment's body start line.
    pub matched: usize,
    /// Matched comments whose author agrees (both guests, or the same name).
    pub author_agree: usize,
    pub author_mismatches: Vec<AuthorMismatch>,
    /// Matched comments whose body ends elsewhere (reported, not part of `perfect`'s
    /// comment count, but part of its verdict).
    pub extent_mismatches: Vec<ExtentMismatch>,
    /// Gold comments no predicted comment matched.
    pub missed: Vec<LineRange>,
    /// Predicted comments that match no gold comment.
    pub extra: Vec<LineRange>,
    /// Predicted comments whose body starts inside a gold boilerplate range.
    pub in_boilerplate: Vec<LineRange>,
    /// Quote lines in the gold file, and how many of them the matched comments found.
    pub quotes_expected: usize,
    pub quotes_found: usize,
    pub quotes_missed: Vec<usize>,
    /// Quote lines predicted where the gold comment has none.
    pub quotes_extra: Vec<usize>,
    /// Article title and line range agree (true when the gold file has no article and the
    /// thread has none either).
    pub article_agrees: bool,
    /// Boilerplate ranges agree exactly.
    pub boilerplate_agrees: bool,
}

impl SegmentationScore {
    /// Every comment right: start, end, author, quotes, nothing extra, nothing in boilerplate.
    pub fn comments_perfect(&self) -> bool {
        self.matched == self.gold_comments
            && self.author_agree == self.matched
            && self.extra.is_empty()
            && self.extent_mismatches.is_empty()
            && self.in_boilerplate.is_empty()
            && self.quotes_missed.is_empty()
            && self.quotes_extra.is_empty()
    }

    /// Comments perfect and article and boilerplate as the gold file says.
    pub fn perfect(&self) -> bool {
        self.comments_perfect() && self.article_agrees && self.boilerplate_agrees
    }

    /// Matched / predicted (1.0 when nothing was predicted and nothing was expected).
    pub fn precision(&self) -> f64 {
        ratio(self.matched, self.predicted_comments)
    }

    /// Matched / gold.
    pub fn recall(&self) -> f64 {
        ratio(self.matched, self.gold_comments)
    }
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

fn fmt_range(r: &LineRange) -> String {
    format!("[{}, {}]", r.first, r.last)
}

impl fmt::Display for SegmentationScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "comments: {} gold, {} predicted, {} matched (precision {:.3}, recall {:.3}); authors {}/{}; quotes {}/{}",
            self.gold_comments,
            self.predicted_comments,
            self.matched,
            self.precision(),
            self.recall(),
            self.author_agree,
            self.matched,
            self.quotes_found,
            self.quotes_expected
        )?;
        for m in &self.author_mismatches {
            writeln!(
                f,
                "  author at line {}: expected {:?}, found {:?}",
                m.line, m.expected, m.found
            )?;
        }
        for m in &self.extent_mismatches {
            writeln!(
                f,
                "  body: expected {}, found {}",
                fmt_range(&m.expected),
                fmt_range(&m.found)
            )?;
        }
        for r in &self.missed {
            writeln!(f, "  missed comment {}", fmt_range(r))?;
        }
        for r in &self.extra {
            writeln!(f, "  extra comment {}", fmt_range(r))?;
        }
        for r in &self.in_boilerplate {
            writeln!(f, "  comment {} lies in boilerplate", fmt_range(r))?;
        }
        if !self.quotes_missed.is_empty() {
            writeln!(f, "  quote lines missed: {:?}", self.quotes_missed)?;
        }
        if !self.quotes_extra.is_empty() {
            writeln!(f, "  quote lines extra: {:?}", self.quotes_extra)?;
        }
        if !self.article_agrees {
            writeln!(f, "  article title or lines differ")?;
        }
        if !self.boilerplate_agrees {
            writeln!(f, "  boilerplate ranges differ")?;
        }
        Ok(())
    }
}

/// Compare a segmented thread with a gold file (see `seeds/gold/README.md`, "Scoring").
pub fn score_segmentation(thread: &Thread, gold: &Gold) -> SegmentationScore {
    let by_start: HashMap<usize, usize> = thread
        .comments
        .iter()
        .enumerate()
        .map(|(i, c)| (c.lines.first, i))
        .collect();
    let gold_starts: BTreeSet<usize> = gold.comments.iter().map(|c| c.lines.first).collect();
    let mut s = SegmentationScore {
        gold_comments: gold.comments.len(),
        predicted_comments: thread.comments.len(),
        matched: 0,
        author_agree: 0,
        author_mismatches: Vec::new(),
        extent_mismatches: Vec::new(),
        missed: Vec::new(),
        extra: Vec::new(),
        in_boilerplate: Vec::new(),
        quotes_expected: 0,
        quotes_found: 0,
        quotes_missed: Vec::new(),
        quotes_extra: Vec::new(),
        article_agrees: match (&gold.article, &thread.article) {
            (None, None) => true,
            (Some(g), Some(t)) => g.title == t.title && g.lines == t.lines,
            _ => false,
        },
        boilerplate_agrees: gold.boilerplate == thread.boilerplate,
    };
    for g in &gold.comments {
        s.quotes_expected += g.quotes.len();
        let Some(&pi) = by_start.get(&g.lines.first) else {
            s.missed.push(g.lines);
            s.quotes_missed.extend(&g.quotes);
            continue;
        };
        let p = &thread.comments[pi];
        s.matched += 1;
        if p.author == g.author {
            s.author_agree += 1;
        } else {
            s.author_mismatches.push(AuthorMismatch {
                line: g.lines.first,
                expected: g.author.clone(),
                found: p.author.clone(),
            });
        }
        if p.lines != g.lines {
            s.extent_mismatches.push(ExtentMismatch {
                expected: g.lines,
                found: p.lines,
            });
        }
        let found: BTreeSet<usize> = quote_lines(p).into_iter().collect();
        for q in &g.quotes {
            if found.contains(q) {
                s.quotes_found += 1;
            } else {
                s.quotes_missed.push(*q);
            }
        }
        let expected: BTreeSet<usize> = g.quotes.iter().copied().collect();
        s.quotes_extra
            .extend(found.iter().filter(|l| !expected.contains(l)));
    }
    for p in &thread.comments {
        if !gold_starts.contains(&p.lines.first) {
            s.extra.push(p.lines);
        }
        if gold.boilerplate.iter().any(|b| b.contains(p.lines.first)) {
            s.in_boilerplate.push(p.lines);
        }
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Flag score

/// True and false positives and false negatives over (item, category) pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
}

impl Counts {
    /// TP / (TP + FP); 1.0 when nothing was predicted.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    /// TP / (TP + FN); 1.0 when nothing was expected.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    fn add(&mut self, expected: bool, predicted: bool) {
        match (expected, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => {}
        }
    }
    fn merge(&mut self, o: Counts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
}

/// Counts with their precision and recall, as serialised.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CategoryScore {
    #[serde(flatten)]
    pub counts: Counts,
    pub precision: f64,
    pub recall: f64,
}

impl CategoryScore {
    /// One row of a score table: the label, the counts, precision and recall.
    pub fn row(&self, label: &str) -> String {
        format!(
            "{label:<17} tp {:>3}  fp {:>3}  fn {:>3}  precision {:.3}  recall {:.3}",
            self.counts.tp, self.counts.fp, self.counts.fn_, self.precision, self.recall
        )
    }
}

impl From<Counts> for CategoryScore {
    fn from(counts: Counts) -> Self {
        CategoryScore {
            counts,
            precision: counts.precision(),
            recall: counts.recall(),
        }
    }
}

/// An expected flag that was found below its severity, or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shortfall {
    /// Body start line of the gold comment.
    pub line: usize,
    pub category: Category,
    pub expected: Severity,
    /// Highest counting severity found, if any.
    pub found: Option<Severity>,
}

/// A wrong call on one (comment, category) pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlagError {
    /// Body start line of the gold comment (or the article line, or the name line).
    pub line: usize,
    pub category: Category,
}

/// How findings compare with a gold file's flags.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlagScore {
    /// Comment bodies, per category, over (comment, category) pairs not under `maybe`.
    pub categories: BTreeMap<Category, CategoryScore>,
    pub overall: CategoryScore,
    pub false_positives: Vec<FlagError>,
    pub false_negatives: Vec<FlagError>,
    /// Expected flags found below their severity (or not found).
    pub shortfalls: Vec<Shortfall>,
    /// Article flags: per (line, category).
    pub article: CategoryScore,
    /// Names: per (distinct gold author, category) not under that author's `maybe`.
    pub authors: CategoryScore,
    /// Counting body findings in predicted comments that match no gold comment.
    pub unscored_findings: usize,
}

impl fmt::Display for FlagScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = |f: &mut fmt::Formatter<'_>, label: &str, s: &CategoryScore| {
            writeln!(f, "{}", s.row(label))
        };
        for (cat, s) in &self.categories {
            line(f, cat.as_str(), s)?;
        }
        line(f, "overall", &self.overall)?;
        line(f, "article", &self.article)?;
        line(f, "names", &self.authors)?;
        for s in &self.shortfalls {
            writeln!(
                f,
                "  line {}: {} expected at {} or above, found {}",
                s.line,
                s.category,
                s.expected,
                s.found.map_or("nothing".to_string(), |v| v.to_string())
            )?;
        }
        if self.unscored_findings > 0 {
            writeln!(
                f,
                "  {} finding(s) in comments the gold file does not have",
                self.unscored_findings
            )?;
        }
        Ok(())
    }
}

/// Score findings against a gold file's flags (see `seeds/gold/README.md`, "Scoring").
///
/// Predicted comments map to gold comments by body start line. A (comment, category) pair is
/// positive when a body finding of that category at `low` or above counts
/// ([`Finding::counts`]: outside quotes, or from a rule that counts quotes).
pub fn score_flags(thread: &Thread, findings: &[Finding], gold: &Gold) -> FlagScore {
    let by_start: HashMap<usize, usize> = thread
        .comments
        .iter()
        .enumerate()
        .map(|(i, c)| (c.lines.first, i))
        .collect();
    let gold_starts: BTreeSet<usize> = gold.comments.iter().map(|c| c.lines.first).collect();
    // Highest counting severity per (predicted comment, category), bodies only.
    let mut body: HashMap<(usize, Category), Severity> = HashMap::new();
    let mut names: BTreeSet<(String, Category)> = BTreeSet::new();
    let mut article: BTreeSet<(usize, Category)> = BTreeSet::new();
    let mut unscored = 0;
    for fd in findings.iter().filter(|f| f.counts()) {
        match (fd.target, fd.comment) {
            (Target::Body, Some(ci)) => {
                let e = body.entry((ci, fd.category)).or_insert(fd.severity);
                *e = (*e).max(fd.severity);
                let start = thread.comments.get(ci).map(|c| c.lines.first);
                if start.map_or(true, |s| !gold_starts.contains(&s)) {
                    unscored += 1;
                }
            }
            (Target::Name, Some(ci)) => {
                if let Some(Some(a)) = thread.comments.get(ci).map(|c| c.author.clone()) {
                    names.insert((a, fd.category));
                }
            }
            (Target::Article, _) => {
                article.insert((fd.line, fd.category));
            }
            _ => {}
        }
    }

    let mut per_cat: BTreeMap<Category, Counts> = Category::ALL
        .iter()
        .map(|c| (*c, Counts::default()))
        .collect();
    let mut fps = Vec::new();
    let mut fns = Vec::new();
    let mut shortfalls = Vec::new();
    for g in &gold.comments {
        let pi = by_start.get(&g.lines.first).copied();
        for cat in Category::ALL {
            if g.maybe.contains(&cat) {
                continue;
            }
            let found = pi.and_then(|i| body.get(&(i, cat)).copied());
            let expected = g.flags.get(&cat).copied();
            per_cat
                .get_mut(&cat)
                .expect("every category has counts")
                .add(expected.is_some(), found.is_some());
            let err = FlagError {
                line: g.lines.first,
                category: cat,
            };
            match (expected, found) {
                (Some(want), got) => {
                    if got.is_none() {
                        fns.push(err);
                    }
                    if got.map_or(true, |s| s < want) {
                        shortfalls.push(Shortfall {
                            line: g.lines.first,
                            category: cat,
                            expected: want,
                            found: got,
                        });
                    }
                }
                (None, Some(_)) => fps.push(err),
                (None, None) => {}
            }
        }
    }
    let mut overall = Counts::default();
    for c in per_cat.values() {
        overall.merge(*c);
    }

    let mut art = Counts::default();
    if let Some(a) = &gold.article {
        let expected: BTreeSet<(usize, Category)> = a
            .flags
            .iter()
            .flat_map(|(cat, lines)| lines.iter().map(move |l| (*l, *cat)))
            .collect();
        for e in &expected {
            art.add(true, article.contains(e));
        }
        art.fp += article.iter().filter(|p| !expected.contains(p)).count();
    }

    let mut auth = Counts::default();
    let authors: BTreeSet<&String> = gold
        .comments
        .iter()
        .filter_map(|c| c.author.as_ref())
        .collect();
    for name in authors {
        let spec = gold.author_flags.get(name);
        for cat in Category::ALL {
            if spec.is_some_and(|s| s.maybe.contains(&cat)) {
                continue;
            }
            let expected = spec.is_some_and(|s| s.flags.contains_key(&cat));
            auth.add(expected, names.contains(&(name.clone(), cat)));
        }
    }

    FlagScore {
        categories: per_cat.into_iter().map(|(k, v)| (k, v.into())).collect(),
        overall: overall.into(),
        false_positives: fps,
        false_negatives: fns,
        shortfalls,
        article: art.into(),
        authors: auth.into(),
        unscored_findings: unscored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gold_file_not_utf8_or_over_a_page_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seed.gold.yaml");
        std::fs::write(&path, b"seed: caf\xe9\n").unwrap();
        let err = format!("{:#}", load(&path).unwrap_err());
        assert!(err.ends_with("seed.gold.yaml: not UTF-8"), "{err}");
        let big = "#".repeat(crate::input::MAX_PAGE_BYTES as usize + 1);
        std::fs::write(&path, big).unwrap();
        let err = format!("{:#}", load(&path).unwrap_err());
        assert!(err.starts_with("cannot read gold file "), "{err}");
        assert!(
            err.contains("seed.gold.yaml: too large for a gold file (16.1 MB; the limit is 16 MB)"),
            "{err}"
        );
    }
    use crate::thread::{Article, Comment, Quote, Span};

    fn comment(
        author: Option<&str>,
        name_line: Option<usize>,
        first: usize,
        last: usize,
    ) -> Comment {
        Comment {
            author: author.map(str::to_string),
            name_line,
            name_span: None,
            lines: LineRange::new(first, last),
            span: Span::default(),
            quotes: Vec::new(),
            id: None,
        }
    }

    fn thread(comments: Vec<Comment>) -> Thread {
        Thread {
            name: "t".into(),
            source: String::new(),
            article: Some(Article {
                title: Some(1),
                lines: LineRange::new(1, 5),
                span: Span::default(),
            }),
            boilerplate: vec![LineRange::new(30, 32)],
            comments,
        }
    }

    const GOLD: &str = r#"
seed: t.txt
article:
  title: 1
  lines: [1, 5]
  flags:
    unverified-claim: [3, 5]
boilerplate:
  - [30, 32]
comments:
  - author: null
    lines: [7, 7]
    flags:
      insult: medium
  - author: Ann
    name_line: 9
    lines: [11, 13]
    quotes: [11]
    flags:
      antisemitism: high
      profanity: low
    maybe: [insult]
  - author: Bob
    name_line: 15
    lines: [17, 17]
  - author: Ann
    name_line: 19
    lines: [21, 21]
author_flags:
  Bob:
    flags:
      insult: low
"#;

    fn finding(
        comment: Option<usize>,
        cat: Category,
        sev: Severity,
        target: Target,
        line: usize,
        quoted: bool,
    ) -> Finding {
        Finding {
            rule: "x/y".into(),
            category: cat,
            severity: sev,
            target,
            comment,
            span: [0, 1],
            line,
            column: 1,
            matched: String::new(),
            normalized: String::new(),
            term: String::new(),
            quoted,
            counts_when_quoted: false,
        }
    }

    #[test]
    fn loads_gold_with_defaults() {
        let g = from_str(GOLD).unwrap();
        assert_eq!(g.comments.len(), 4);
        assert_eq!(g.comments[0].author, None);
        assert_eq!(g.comments[1].quotes, vec![11]);
        assert_eq!(g.comments[1].maybe, vec![Category::Insult]);
        assert_eq!(
            g.author_flags["Bob"].flags[&Category::Insult],
            Severity::Low
        );
        assert!(g.author_flags["Bob"].maybe.is_empty());
        assert_eq!(
            g.article.unwrap().flags[&Category::UnverifiedClaim],
            vec![3, 5]
        );
    }

    #[test]
    fn load_errors_name_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.yaml");
        std::fs::write(
            &p,
            "seed: x\ncomments:\n  - author: a\n    lines: [1, 2]\n    colour: red\n",
        )
        .unwrap();
        let err = format!("{:#}", load(&p).unwrap_err());
        assert!(err.contains("bad.yaml:5:"), "{err}");
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn yaml_round_trips_and_matches_gold_layout() {
        let g = from_str(GOLD).unwrap();
        let text = to_yaml(&g);
        assert_eq!(from_str(&text).unwrap(), g);
        assert!(text.contains("  lines: [1, 5]\n"), "{text}");
        assert!(
            text.contains("  - author: null\n    lines: [7, 7]\n"),
            "{text}"
        );
        for odd in [
            "Zionism = EVIL",
            "northerntruthseeker .",
            "a: b",
            "null",
            "#1 fan",
            "'q'",
            "- x",
        ] {
            let mut g2 = g.clone();
            g2.comments[2].author = Some(odd.into());
            assert_eq!(from_str(&to_yaml(&g2)).unwrap(), g2, "{odd}");
        }
    }

    #[test]
    fn segmentation_score_counts_by_body_start() {
        let gold = from_str(GOLD).unwrap();
        let mut ann = comment(Some("Ann"), Some(9), 11, 13);
        ann.quotes.push(Quote {
            lines: LineRange::new(12, 12),
            span: Span::default(),
            source: None,
        });
        let t = thread(vec![
            comment(None, None, 7, 7),
            ann,
            comment(Some("Bobby"), Some(15), 17, 18),
            comment(None, None, 31, 31),
        ]);
        let s = score_segmentation(&t, &gold);
        assert_eq!(s.gold_comments, 4);
        assert_eq!(s.predicted_comments, 4);
        assert_eq!(s.matched, 3);
        assert_eq!(s.author_agree, 2);
        assert_eq!(s.author_mismatches[0].line, 17);
        assert_eq!(s.extent_mismatches.len(), 1);
        assert_eq!(s.missed, vec![LineRange::new(21, 21)]);
        assert_eq!(s.extra, vec![LineRange::new(31, 31)]);
        assert_eq!(s.in_boilerplate, vec![LineRange::new(31, 31)]);
        assert_eq!((s.quotes_expected, s.quotes_found), (1, 0));
        assert_eq!(s.quotes_missed, vec![11]);
        assert_eq!(s.quotes_extra, vec![12]);
        assert!(s.article_agrees && s.boilerplate_agrees);
        assert!(!s.perfect());
        assert!((s.precision() - 0.75).abs() < 1e-9);
        assert!((s.recall() - 0.75).abs() < 1e-9);
        assert!(s.to_string().contains("missed comment [21, 21]"));
    }

    #[test]
    fn segmentation_score_is_perfect_on_gold_itself() {
        let gold = from_str(GOLD).unwrap();
        let mut ann = comment(Some("Ann"), Some(9), 11, 13);
        ann.quotes.push(Quote {
            lines: LineRange::new(11, 11),
            span: Span::default(),
            source: None,
        });
        let t = thread(vec![
            comment(None, None, 7, 7),
            ann,
            comment(Some("Bob"), Some(15), 17, 17),
            comment(Some("Ann"), Some(19), 21, 21),
        ]);
        assert!(score_segmentation(&t, &gold).perfect());
    }

    #[test]
    fn flag_score_hand_computed() {
        let gold = from_str(GOLD).unwrap();
        let t = thread(vec![
            comment(None, None, 7, 7),
            comment(Some("Ann"), Some(9), 11, 13),
            comment(Some("Bob"), Some(15), 17, 17),
            comment(None, None, 25, 25),
        ]);
        use Category::*;
        use Severity::*;
        let f = vec![
            // comment 0: insult expected medium, found low -> TP with a shortfall
            finding(Some(0), Insult, Low, Target::Body, 7, false),
            // comment 1: antisemitism high found critical -> TP; profanity only quoted -> FN;
            // insult is under maybe -> not scored
            finding(Some(1), Antisemitism, Critical, Target::Body, 11, false),
            finding(Some(1), Profanity, High, Target::Body, 11, true),
            finding(Some(1), Insult, High, Target::Body, 12, false),
            // comment 2: nothing expected, slur found -> FP
            finding(Some(2), Slur, Medium, Target::Body, 17, false),
            // extra comment: unscored
            finding(Some(3), Slur, Medium, Target::Body, 25, false),
            // names: Bob insult expected and found; Ann profanity not expected -> FP
            finding(Some(2), Insult, Low, Target::Name, 15, false),
            finding(Some(1), Profanity, Low, Target::Name, 9, false),
            // article: line 3 found, line 5 missed, line 4 extra
            finding(None, UnverifiedClaim, Low, Target::Article, 3, false),
            finding(None, UnverifiedClaim, Low, Target::Article, 4, false),
        ];
        let s = score_flags(&t, &f, &gold);
        // pairs: 4 comments x 5 categories - 1 maybe = 19
        // expected: (7, insult), (11, antisemitism), (11, profanity) -> tp 2, fn 1
        // predicted positive unexpected: (17, slur) -> fp 1
        assert_eq!(
            s.overall.counts,
            Counts {
                tp: 2,
                fp: 1,
                fn_: 1
            }
        );
        assert!((s.overall.precision - 2.0 / 3.0).abs() < 1e-9);
        assert!((s.overall.recall - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(
            s.categories[&Slur].counts,
            Counts {
                tp: 0,
                fp: 1,
                fn_: 0
            }
        );
        assert_eq!(
            s.categories[&Profanity].counts,
            Counts {
                tp: 0,
                fp: 0,
                fn_: 1
            }
        );
        assert_eq!(
            s.categories[&Insult].counts,
            Counts {
                tp: 1,
                fp: 0,
                fn_: 0
            }
        );
        assert_eq!(
            s.shortfalls,
            vec![
                Shortfall {
                    line: 7,
                    category: Insult,
                    expected: Medium,
                    found: Some(Low)
                },
                Shortfall {
                    line: 11,
                    category: Profanity,
                    expected: Low,
                    found: None
                },
            ]
        );
        assert_eq!(
            s.false_positives,
            vec![FlagError {
                line: 17,
                category: Slur
            }]
        );
        assert_eq!(
            s.false_negatives,
            vec![FlagError {
                line: 11,
                category: Profanity
            }]
        );
        assert_eq!(
            s.article.counts,
            Counts {
                tp: 1,
                fp: 1,
                fn_: 1
            }
        );
        // authors Ann, Bob x 5 categories: Bob insult TP, Ann profanity FP
        assert_eq!(
            s.authors.counts,
            Counts {
                tp: 1,
                fp: 1,
                fn_: 0
            }
        );
        assert_eq!(s.unscored_findings, 1);
        assert!(s.to_string().contains("overall"));
        assert!(serde_json::to_string(&s).unwrap().contains("\"fn\":1"));
    }
}
