//! `eval --gold DIR`: segmentation and flag scores of pages that have gold files, as
//! `seeds/gold/README.md` defines them (the scoring itself is `gold::score_segmentation` and
//! `gold::score_flags`; this module finds the pages, runs the pipeline and adds up the pages).
//!
//! DIR holds `NAME.yaml` gold files. Each names its page in `seed:`; the page is looked up in
//! DIR's parent first (the `seeds/gold/` layout: pages in `seeds/`), then in DIR itself.

use crate::engine::Engine;
use crate::finding::{Category, Severity, Target};
use crate::gold::{self, CategoryScore, Counts, FlagScore, SegmentationScore};
use anyhow::Context;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoldReport {
    pub min_severity: Severity,
    pub pages: Vec<PageScore>,
    pub total: Totals,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageScore {
    pub gold: String,
    pub page: String,
    pub segmentation: SegmentationScore,
    pub flags: FlagScore,
    /// For each false positive of `flags` (a comment flagged for a category the gold file does
    /// not expect), the findings that flagged it: what to look at when tuning.
    pub false_positive_hits: Vec<GoldHit>,
}

/// A finding behind a false positive on a gold page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoldHit {
    /// Body start line of the comment, as in `FlagScore::false_positives`.
    pub comment_line: usize,
    pub line: usize,
    pub column: usize,
    pub category: Category,
    pub rule: String,
    pub severity: Severity,
    pub matched: String,
}

/// The pages added up: comment counts summed before the ratios are taken.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub pages: usize,
    /// Pages whose segmentation is perfect (`SegmentationScore::perfect`).
    pub perfect_pages: usize,
    pub gold_comments: usize,
    pub predicted_comments: usize,
    pub matched: usize,
    pub author_agree: usize,
    /// Matched / predicted and matched / gold over all pages (1.0 when the denominator is 0,
    /// as in `gold`).
    pub segmentation_precision: f64,
    pub segmentation_recall: f64,
    pub categories: BTreeMap<Category, CategoryScore>,
    pub overall: CategoryScore,
    pub article: CategoryScore,
    pub authors: CategoryScore,
}

/// The gold files of `dir` (`*.yaml`, `*.yml`), sorted.
fn gold_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read gold directory {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot read gold directory {}", dir.display()))?;
    files.retain(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml" || e == "yml"));
    files.sort();
    if files.is_empty() {
        anyhow::bail!("no gold files (*.yaml) in {}", dir.display());
    }
    Ok(files)
}

/// Where the page of a gold file is: DIR/../SEED, else DIR/SEED.
fn page_path(dir: &Path, gold_file: &Path, seed: &str) -> anyhow::Result<PathBuf> {
    let candidates = [dir.join("..").join(seed), dir.join(seed)];
    for c in &candidates {
        if c.is_file() {
            // Show `seeds/x.txt` rather than `seeds/gold/../x.txt` when the parent is named.
            return Ok(match dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                Some(parent) if c == &candidates[0] => parent.join(seed),
                _ => c.clone(),
            });
        }
    }
    anyhow::bail!(
        "{}: page `{seed}` not found in {} or {}",
        gold_file.display(),
        candidates[0].display(),
        candidates[1].display()
    )
}

fn add(a: &mut Counts, b: &Counts) {
    a.tp += b.tp;
    a.fp += b.fp;
    a.fn_ += b.fn_;
}

/// Segment and check every page of `dir`'s gold files and score them, keeping the findings
/// at or above `min_severity` from the rules `filter` selects.
pub fn evaluate_gold(
    engine: &Engine,
    dir: &Path,
    filter: &super::Filter,
    min_severity: Severity,
) -> anyhow::Result<GoldReport> {
    let mut pages = Vec::new();
    for file in gold_files(dir)? {
        let g = gold::load(&file).with_context(|| format!("cannot load {}", file.display()))?;
        let page = page_path(dir, &file, &g.seed)?;
        let decoded = crate::input::read_page(&page)
            .with_context(|| format!("cannot read {}", page.display()))?;
        let thread = crate::segment::segment(&g.seed, decoded.text);
        let mut findings = engine.check_thread(&thread);
        findings.retain(|f| f.severity >= min_severity && filter.keeps_finding(f));
        let flags = gold::score_flags(&thread, &findings, &g);
        let (comments, findings) = (&thread.comments, &findings);
        let false_positive_hits = flags
            .false_positives
            .iter()
            .flat_map(|fp| {
                findings
                    .iter()
                    .filter(move |f| {
                        f.target == Target::Body
                            && f.counts()
                            && f.category == fp.category
                            && f.comment
                                .and_then(|c| comments.get(c))
                                .is_some_and(|c| c.lines.first == fp.line)
                    })
                    .map(move |f| GoldHit {
                        comment_line: fp.line,
                        line: f.line,
                        column: f.column,
                        category: f.category,
                        rule: f.rule.clone(),
                        severity: f.severity,
                        matched: f.matched.clone(),
                    })
            })
            .collect();
        pages.push(PageScore {
            gold: file.display().to_string(),
            page: page.display().to_string(),
            segmentation: gold::score_segmentation(&thread, &g),
            flags,
            false_positive_hits,
        });
    }
    let mut cats: BTreeMap<Category, Counts> = BTreeMap::new();
    let (mut overall, mut article, mut authors) =
        (Counts::default(), Counts::default(), Counts::default());
    for p in &pages {
        for (c, s) in &p.flags.categories {
            add(cats.entry(*c).or_default(), &s.counts);
        }
        add(&mut overall, &p.flags.overall.counts);
        add(&mut article, &p.flags.article.counts);
        add(&mut authors, &p.flags.authors.counts);
    }
    let sum = |f: fn(&SegmentationScore) -> usize| {
        pages.iter().map(|p| f(&p.segmentation)).sum::<usize>()
    };
    let (gold_comments, predicted_comments, matched, author_agree) = (
        sum(|s| s.gold_comments),
        sum(|s| s.predicted_comments),
        sum(|s| s.matched),
        sum(|s| s.author_agree),
    );
    let ratio = |n: usize, d: usize| if d == 0 { 1.0 } else { n as f64 / d as f64 };
    let total = Totals {
        pages: pages.len(),
        perfect_pages: pages.iter().filter(|p| p.segmentation.perfect()).count(),
        gold_comments,
        predicted_comments,
        matched,
        author_agree,
        segmentation_precision: ratio(matched, predicted_comments),
        segmentation_recall: ratio(matched, gold_comments),
        categories: cats.into_iter().map(|(c, n)| (c, n.into())).collect(),
        overall: overall.into(),
        article: article.into(),
        authors: authors.into(),
    };
    Ok(GoldReport {
        min_severity,
        pages,
        total,
    })
}

/// Render the gold scores for people: each page (the scores' own `Display`), then the totals.
pub fn write_text(out: &mut dyn Write, r: &GoldReport) -> std::io::Result<()> {
    for p in &r.pages {
        writeln!(
            out,
            "{} (gold {}){}",
            p.page,
            p.gold,
            if p.segmentation.perfect() {
                ": segmentation perfect"
            } else {
                ""
            }
        )?;
        write!(out, "{}", p.segmentation)?;
        write!(out, "{}", p.flags)?;
        for h in &p.false_positive_hits {
            writeln!(
                out,
                "  false positive: {}:{}:{}: {} {} {:?} ({})",
                p.page, h.line, h.column, h.rule, h.severity, h.matched, h.category
            )?;
        }
        writeln!(out)?;
    }
    let t = &r.total;
    writeln!(
        out,
        "total: {} page(s), {} with perfect segmentation; comments: {} gold, {} predicted, {} matched (precision {:.3}, recall {:.3}); authors {}/{}",
        t.pages,
        t.perfect_pages,
        t.gold_comments,
        t.predicted_comments,
        t.matched,
        t.segmentation_precision,
        t.segmentation_recall,
        t.author_agree,
        t.matched
    )?;
    writeln!(out, "flags at {} or above, outside quotes:", r.min_severity)?;
    let line =
        |out: &mut dyn Write, label: &str, s: &CategoryScore| writeln!(out, "  {}", s.row(label));
    for (c, s) in &t.categories {
        line(out, c.as_str(), s)?;
    }
    line(out, "overall", &t.overall)?;
    line(out, "article", &t.article)?;
    line(out, "names", &t.authors)?;
    Ok(())
}
