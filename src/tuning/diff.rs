//! `diff`: the findings that appear, disappear or change severity between two versions of the
//! rules over the same corpus, grouped per rule.
//!
//! Two findings are "the same" when they lie in the same unit (thread or labelled text), target
//! and comment, cover the same bytes and come from the same full rule id. With labels, each
//! change gets a verdict: a new finding on a text labelled true for its category is a gain (a
//! new true positive), on one labelled false a loss (a new false positive); a finding that
//! disappears is the reverse; a severity raised on a true text is a gain and on a false text a
//! loss, and the reverse for a severity lowered. This module compares findings; it does not run
//! the engine.

use super::{fmt_ratio, Score};
use crate::finding::{Category, Finding, Severity, Target};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

/// One thread or labelled text of the corpus, as the diff names it.
#[derive(Debug, Clone)]
pub struct DiffUnit<'a> {
    pub path: &'a str,
    /// The thread name, or the labelled text's id.
    pub name: &'a str,
    /// External ids of the unit's comments, by comment index (JSON Lines ids, label ids).
    pub ids: Vec<Option<String>>,
    /// For records (JSON Lines comments, labelled texts): the input line of each comment's
    /// record, by comment index, and of the article's record. Changes then show that line.
    pub record_lines: Option<Vec<usize>>,
    pub article_line: Option<usize>,
    /// The labels of a labelled text.
    pub labels: Option<&'a BTreeMap<Category, bool>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Appeared,
    Disappeared,
    Changed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Gain,
    Loss,
    /// Labelled, but the change makes no difference to correctness (a quoted match that does
    /// not count, or a category change between two wrong or two right answers).
    Neutral,
    /// The text is not labelled for the finding's category.
    Unlabelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub change: ChangeKind,
    pub path: String,
    pub thread: String,
    pub comment: Option<usize>,
    pub id: Option<String>,
    pub target: Target,
    /// The line in the input file: of the match in page text, of the record otherwise.
    pub line: usize,
    /// Column of the match, for page text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// Byte range of the match in the thread text the engine checked.
    pub span: [usize; 2],
    pub matched: String,
    pub category: Category,
    pub old_severity: Option<Severity>,
    pub new_severity: Option<Severity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleDiff {
    pub rule: String,
    pub appeared: usize,
    pub disappeared: usize,
    pub changed: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gains: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub losses: Option<usize>,
    pub changes: Vec<Change>,
}

/// Per category, the labelled score before and after (see `eval` for the definitions).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryDelta {
    pub category: Category,
    pub old: Score,
    pub new: Score,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffReport {
    pub old_fingerprint: String,
    pub new_fingerprint: String,
    /// Threads or labelled texts compared.
    pub units: usize,
    pub appeared: usize,
    pub disappeared: usize,
    pub changed: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gains: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub losses: Option<usize>,
    /// Rules with at least one change, by id.
    pub rules: Vec<RuleDiff>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<CategoryDelta>>,
}

impl DiffReport {
    pub fn is_empty(&self) -> bool {
        self.appeared + self.disappeared + self.changed == 0
    }
}

type Key<'f> = (Target, Option<usize>, [usize; 2], &'f str);

fn key(f: &Finding) -> Key<'_> {
    (f.target, f.comment, f.span, f.rule.as_str())
}

fn verdict(
    labels: Option<&BTreeMap<Category, bool>>,
    kind: ChangeKind,
    old: Option<&Finding>,
    new: Option<&Finding>,
) -> Option<Verdict> {
    let labels = labels?;
    let truth = |f: &Finding| labels.get(&f.category).copied();
    Some(match kind {
        ChangeKind::Appeared | ChangeKind::Disappeared => {
            let f = old.or(new)?;
            let Some(t) = truth(f) else {
                return Some(Verdict::Unlabelled);
            };
            if !f.counts() {
                Verdict::Neutral
            } else if t == (kind == ChangeKind::Appeared) {
                Verdict::Gain
            } else {
                Verdict::Loss
            }
        }
        ChangeKind::Changed => {
            let (Some(o), Some(n)) = (old, new) else {
                return None;
            };
            if o.category != n.category {
                // Right before and wrong after is a loss, and the reverse a gain.
                let right = |f: &Finding| truth(f).map(|t| t && f.counts());
                match (right(o), right(n)) {
                    (None, None) => Verdict::Unlabelled,
                    (a, b) if a.unwrap_or(false) == b.unwrap_or(false) => Verdict::Neutral,
                    (_, b) if b.unwrap_or(false) => Verdict::Gain,
                    _ => Verdict::Loss,
                }
            } else {
                match truth(n) {
                    None => Verdict::Unlabelled,
                    Some(_) if !n.counts() => Verdict::Neutral,
                    Some(t) => {
                        if (n.severity > o.severity) == t {
                            Verdict::Gain
                        } else {
                            Verdict::Loss
                        }
                    }
                }
            }
        }
    })
}

/// Collects the changes unit by unit, so a corpus is compared one thread at a time.
pub struct Differ {
    labelled: bool,
    units: usize,
    per_rule: BTreeMap<String, Vec<Change>>,
}

impl Differ {
    /// `labelled`: the units carry labels, and every change gets a verdict.
    pub fn new(labelled: bool) -> Differ {
        Differ {
            labelled,
            units: 0,
            per_rule: BTreeMap::new(),
        }
    }

    /// Compare the old and new findings of one unit.
    pub fn add(&mut self, unit: &DiffUnit<'_>, old: &[Finding], new: &[Finding]) {
        self.units += 1;
        let mut olds: BTreeMap<Key, Vec<&Finding>> = BTreeMap::new();
        let mut news: BTreeMap<Key, Vec<&Finding>> = BTreeMap::new();
        for f in old {
            olds.entry(key(f)).or_default().push(f);
        }
        for f in new {
            news.entry(key(f)).or_default().push(f);
        }
        let keys: BTreeSet<&Key> = olds.keys().chain(news.keys()).collect();
        for k in keys {
            let o = olds.get(k).map_or(&[][..], |v| v.as_slice());
            let n = news.get(k).map_or(&[][..], |v| v.as_slice());
            for i in 0..o.len().max(n.len()) {
                let (of, nf) = (o.get(i).copied(), n.get(i).copied());
                let kind = match (of, nf) {
                    (Some(a), Some(b)) if a.severity == b.severity && a.category == b.category => {
                        continue
                    }
                    (Some(_), Some(_)) => ChangeKind::Changed,
                    (Some(_), None) => ChangeKind::Disappeared,
                    (None, Some(_)) => ChangeKind::Appeared,
                    (None, None) => continue,
                };
                let f = nf.or(of).expect("one side is present");
                let v = if self.labelled {
                    verdict(unit.labels, kind, of, nf).or(Some(Verdict::Unlabelled))
                } else {
                    None
                };
                self.per_rule
                    .entry(f.rule.clone())
                    .or_default()
                    .push(Change {
                        change: kind,
                        path: unit.path.to_string(),
                        thread: unit.name.to_string(),
                        comment: f.comment,
                        id: f.comment.and_then(|c| unit.ids.get(c).cloned().flatten()),
                        target: f.target,
                        line: super::corpus::file_line(
                            unit.record_lines.as_deref(),
                            unit.article_line,
                            f,
                        ),
                        column: unit.record_lines.is_none().then_some(f.column),
                        span: f.span,
                        matched: f.matched.clone(),
                        category: f.category,
                        old_severity: of.map(|f| f.severity),
                        new_severity: nf.map(|f| f.severity),
                        verdict: v,
                    });
            }
        }
    }

    /// The report: rules by id, each rule's changes in corpus order.
    pub fn finish(self, old_fingerprint: &str, new_fingerprint: &str) -> DiffReport {
        let labelled = self.labelled;
        let count =
            |cs: &[Change], kind: ChangeKind| cs.iter().filter(|c| c.change == kind).count();
        let count_v = |cs: &[Change], v: Verdict| {
            labelled.then(|| cs.iter().filter(|c| c.verdict == Some(v)).count())
        };
        let rules: Vec<RuleDiff> = self
            .per_rule
            .into_iter()
            .map(|(rule, changes)| RuleDiff {
                appeared: count(&changes, ChangeKind::Appeared),
                disappeared: count(&changes, ChangeKind::Disappeared),
                changed: count(&changes, ChangeKind::Changed),
                gains: count_v(&changes, Verdict::Gain),
                losses: count_v(&changes, Verdict::Loss),
                rule,
                changes,
            })
            .collect();
        let sum = |f: fn(&RuleDiff) -> usize| rules.iter().map(f).sum::<usize>();
        DiffReport {
            old_fingerprint: old_fingerprint.to_string(),
            new_fingerprint: new_fingerprint.to_string(),
            units: self.units,
            appeared: sum(|r| r.appeared),
            disappeared: sum(|r| r.disappeared),
            changed: sum(|r| r.changed),
            gains: labelled.then(|| sum(|r| r.gains.unwrap_or(0))),
            losses: labelled.then(|| sum(|r| r.losses.unwrap_or(0))),
            rules,
            categories: None,
        }
    }
}

/// Compare `old[i]` and `new[i]`, the findings of both rule versions on `units[i]`.
pub fn diff(
    units: &[DiffUnit<'_>],
    old: &[Vec<Finding>],
    new: &[Vec<Finding>],
    old_fingerprint: &str,
    new_fingerprint: &str,
) -> DiffReport {
    assert!(units.len() == old.len() && units.len() == new.len());
    let mut d = Differ::new(units.iter().any(|u| u.labels.is_some()));
    for ((u, o), n) in units.iter().zip(old).zip(new) {
        d.add(u, o, n);
    }
    d.finish(old_fingerprint, new_fingerprint)
}

fn sev(s: Option<Severity>) -> &'static str {
    s.map_or("-", Severity::as_str)
}

/// Render a diff for people.
pub fn write_text(out: &mut dyn Write, r: &DiffReport) -> std::io::Result<()> {
    let short = |fp: &str| {
        if fp.is_empty() {
            "-".to_string()
        } else {
            fp.chars().take(12).collect()
        }
    };
    writeln!(
        out,
        "old rules {} -> new rules {}, {} unit(s) compared",
        short(&r.old_fingerprint),
        short(&r.new_fingerprint),
        r.units
    )?;
    let verdicts = match (r.gains, r.losses) {
        (Some(g), Some(l)) => format!(" ({g} gain(s), {l} loss(es))"),
        _ => String::new(),
    };
    writeln!(
        out,
        "{} appeared, {} disappeared, {} changed severity{}",
        r.appeared, r.disappeared, r.changed, verdicts
    )?;
    for rule in &r.rules {
        writeln!(out)?;
        let verdicts = match (rule.gains, rule.losses) {
            (Some(g), Some(l)) => format!(" ({g} gain(s), {l} loss(es))"),
            _ => String::new(),
        };
        writeln!(
            out,
            "{}: +{} -{} ~{}{}",
            rule.rule, rule.appeared, rule.disappeared, rule.changed, verdicts
        )?;
        for c in &rule.changes {
            let mark = match c.change {
                ChangeKind::Appeared => "+",
                ChangeKind::Disappeared => "-",
                ChangeKind::Changed => "~",
            };
            let place = match (&c.id, c.column) {
                (Some(id), _) => format!("{}:{} id {id}", c.path, c.line),
                (None, Some(col)) => format!("{}:{}:{col}", c.path, c.line),
                (None, None) => format!("{}:{}", c.path, c.line),
            };
            let severity = match c.change {
                ChangeKind::Appeared => sev(c.new_severity).to_string(),
                ChangeKind::Disappeared => sev(c.old_severity).to_string(),
                ChangeKind::Changed => {
                    format!("{} -> {}", sev(c.old_severity), sev(c.new_severity))
                }
            };
            let verdict = match c.verdict {
                Some(Verdict::Gain) => " [gain]",
                Some(Verdict::Loss) => " [loss]",
                Some(Verdict::Neutral) => " [neutral]",
                Some(Verdict::Unlabelled) => " [unlabelled]",
                None => "",
            };
            let target = if c.target == Target::Body {
                String::new()
            } else {
                format!(" in {}", c.target)
            };
            writeln!(
                out,
                "  {mark} {place}{target} {:?} {} {severity}{verdict}",
                c.matched, c.category
            )?;
        }
    }
    if let Some(cats) = &r.categories {
        writeln!(out)?;
        writeln!(
            out,
            "{:<18} {:>13} {:>13} {:>13} {:>15} {:>15}",
            "category", "tp", "fp", "fn", "precision", "recall"
        )?;
        for c in cats {
            let pair = |a: usize, b: usize| format!("{a} -> {b}");
            let ratio =
                |a: Option<f64>, b: Option<f64>| format!("{} -> {}", fmt_ratio(a), fmt_ratio(b));
            writeln!(
                out,
                "{:<18} {:>13} {:>13} {:>13} {:>15} {:>15}",
                c.category.as_str(),
                pair(c.old.tp, c.new.tp),
                pair(c.old.fp, c.new.fp),
                pair(c.old.fn_, c.new.fn_),
                ratio(c.old.precision, c.new.precision),
                ratio(c.old.recall, c.new.recall)
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tuning::testutil::finding;
    use Category::*;
    use Severity::*;

    fn unit<'a>(labels: Option<&'a BTreeMap<Category, bool>>) -> DiffUnit<'a> {
        DiffUnit {
            path: "p.txt",
            name: "p.txt",
            ids: vec![None, Some("c2".into())],
            record_lines: None,
            article_line: None,
            labels,
        }
    }

    #[test]
    fn appeared_disappeared_and_changed() {
        let old = vec![vec![
            finding("s/a", Insult, Low, 0, 0, "idiot"),
            finding("s/b", Insult, Medium, 0, 10, "fool"),
            finding("s/c", Profanity, Low, 1, 3, "damn"),
        ]];
        let new = vec![vec![
            finding("s/a", Insult, Low, 0, 0, "idiot"),
            finding("s/c", Profanity, High, 1, 3, "damn"),
            finding("s/b", Insult, Medium, 1, 20, "dolt"),
        ]];
        let r = diff(&[unit(None)], &old, &new, "o", "n");
        assert_eq!((r.appeared, r.disappeared, r.changed), (1, 1, 1));
        assert_eq!(r.gains, None);
        let rules: Vec<(&str, usize, usize, usize)> = r
            .rules
            .iter()
            .map(|x| (x.rule.as_str(), x.appeared, x.disappeared, x.changed))
            .collect();
        assert_eq!(rules, [("s/b", 1, 1, 0), ("s/c", 0, 0, 1)]);
        let c = &r.rules[1].changes[0];
        assert_eq!((c.old_severity, c.new_severity), (Some(Low), Some(High)));
        assert_eq!(c.id.as_deref(), Some("c2"));
        assert!(!r.is_empty());
        let same = diff(&[unit(None)], &old, &old, "o", "o");
        assert!(same.is_empty() && same.rules.is_empty());
    }

    #[test]
    fn verdicts_follow_the_labels() {
        let truth: BTreeMap<Category, bool> = [(Insult, true), (Profanity, false)].into();
        // (old findings, new findings, expected verdict of the one change)
        let i = |sev| finding("s/i", Insult, sev, 0, 0, "x");
        let p = |sev| finding("s/p", Profanity, sev, 0, 0, "x");
        let s = finding("s/s", Slur, Low, 0, 0, "x");
        let table: Vec<(Vec<Finding>, Vec<Finding>, Verdict)> = vec![
            (vec![], vec![i(Low)], Verdict::Gain),
            (vec![i(Low)], vec![], Verdict::Loss),
            (vec![], vec![p(Low)], Verdict::Loss),
            (vec![p(Low)], vec![], Verdict::Gain),
            (vec![i(Low)], vec![i(High)], Verdict::Gain),
            (vec![i(High)], vec![i(Low)], Verdict::Loss),
            (vec![p(Low)], vec![p(High)], Verdict::Loss),
            (vec![p(High)], vec![p(Low)], Verdict::Gain),
            (vec![], vec![s], Verdict::Unlabelled),
        ];
        for (old, new, want) in table {
            let r = diff(
                &[unit(Some(&truth))],
                std::slice::from_ref(&old),
                std::slice::from_ref(&new),
                "o",
                "n",
            );
            let got: Vec<Option<Verdict>> = r
                .rules
                .iter()
                .flat_map(|x| x.changes.iter().map(|c| c.verdict))
                .collect();
            assert_eq!(got, [Some(want)], "{old:?} -> {new:?}");
            let (g, l) = (
                usize::from(want == Verdict::Gain),
                usize::from(want == Verdict::Loss),
            );
            assert_eq!((r.gains, r.losses), (Some(g), Some(l)));
        }
    }
}
