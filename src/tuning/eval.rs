//! `eval` on labelled texts: precision and recall per category and per rule.
//!
//! Definitions (also in `docs/tuning.md`). A finding *counts* when its severity is at or above
//! `--min-severity` and it is not a quoted match that the rule does not count. A text is
//! *flagged* for a category when a counting finding of that category lies in its body or its
//! author's name. Only texts labelled for a category enter that category's counts:
//! TP = labelled true and flagged, FP = labelled false and flagged, FN = labelled true and not
//! flagged. Per rule, the positives are the texts the rule itself flags: TP when the text is
//! labelled true for the rule's category, FP when labelled false; FN are texts labelled true
//! for that category that the rule does not flag (so a rule's recall is the share of the
//! category it catches on its own). A rule's hits on texts not labelled for its category are
//! counted apart as `unlabelled`.

use super::labels::LabelledText;
use super::{fmt_ratio, one_line, Score};
use crate::engine::Engine;
use crate::finding::{Category, Finding, Severity, Target};
use crate::rules::RuleSet;
use serde::Serialize;
use std::collections::BTreeSet;
use std::io::Write;

/// Findings for one labelled text: its body, then its author's name when there is one.
pub fn check_record(engine: &Engine, rec: &LabelledText) -> Vec<Finding> {
    let mut findings = engine.check_text(&rec.text, Target::Body);
    if let Some(author) = &rec.author {
        findings.extend(engine.check_text(author, Target::Name));
    }
    findings
}

/// Whether a finding counts as a flag at `min`.
pub fn counts_at(f: &Finding, min: Severity) -> bool {
    f.severity >= min && f.counts()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    /// Labelled texts read.
    pub texts: usize,
    pub min_severity: Severity,
    pub categories: Vec<CategoryEval>,
    pub rules: Vec<RuleEval>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryEval {
    pub category: Category,
    /// Texts labelled for this category, and how many of them true.
    pub labelled: usize,
    pub positive: usize,
    #[serde(flatten)]
    pub score: Score,
    pub false_positives: Vec<Example>,
    pub false_negatives: Vec<Example>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleEval {
    pub rule: String,
    pub category: Category,
    pub severity: Severity,
    #[serde(flatten)]
    pub score: Score,
    /// Texts the rule flags that are not labelled for its category.
    pub unlabelled: usize,
}

/// A text shown to explain an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Example {
    pub id: String,
    /// Line in the labels file.
    pub line: usize,
    pub text: String,
    /// For a false positive: the findings that flagged it. For a false negative: findings of
    /// the category that did not count (below `--min-severity`, or quoted); usually none.
    pub hits: Vec<Hit>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub rule: String,
    pub severity: Severity,
    pub target: Target,
    pub matched: String,
}

impl Hit {
    fn of(f: &Finding) -> Hit {
        Hit {
            rule: f.rule.clone(),
            severity: f.severity,
            target: f.target,
            matched: f.matched.clone(),
        }
    }
}

/// Score `findings[i]` (the findings for `records[i]`) against the labels.
pub fn evaluate(
    sets: &[RuleSet],
    records: &[LabelledText],
    findings: &[Vec<Finding>],
    min_severity: Severity,
    examples: usize,
) -> EvalReport {
    assert_eq!(
        records.len(),
        findings.len(),
        "one findings list per record"
    );
    let ruled: BTreeSet<Category> = sets
        .iter()
        .flat_map(|s| s.rules.iter().map(|r| r.category))
        .collect();
    let labelled: BTreeSet<Category> = records
        .iter()
        .flat_map(|r| r.labels.keys().copied())
        .collect();
    let mut categories = Vec::new();
    for category in Category::ALL {
        if !ruled.contains(&category) && !labelled.contains(&category) {
            continue;
        }
        let (mut tp, mut fp, mut fn_, mut n, mut pos) = (0, 0, 0, 0, 0);
        let mut fps = Vec::new();
        let mut fns = Vec::new();
        for (rec, fs) in records.iter().zip(findings) {
            let Some(truth) = rec.label(category) else {
                continue;
            };
            n += 1;
            pos += usize::from(truth);
            let (on, off): (Vec<&Finding>, Vec<&Finding>) = fs
                .iter()
                .filter(|f| f.category == category)
                .partition(|f| counts_at(f, min_severity));
            let example = |hits: &[&Finding]| Example {
                id: rec.id.clone(),
                line: rec.line,
                text: rec.text.clone(),
                hits: hits.iter().map(|f| Hit::of(f)).collect(),
            };
            match (truth, !on.is_empty()) {
                (true, true) => tp += 1,
                (false, true) => {
                    fp += 1;
                    if fps.len() < examples {
                        fps.push(example(&on));
                    }
                }
                (true, false) => {
                    fn_ += 1;
                    if fns.len() < examples {
                        fns.push(example(&off));
                    }
                }
                (false, false) => {}
            }
        }
        categories.push(CategoryEval {
            category,
            labelled: n,
            positive: pos,
            score: Score::new(tp, fp, fn_),
            false_positives: fps,
            false_negatives: fns,
        });
    }
    let mut rules = Vec::new();
    for set in sets {
        for rule in &set.rules {
            let (mut tp, mut fp, mut fn_, mut unlabelled) = (0, 0, 0, 0);
            for (rec, fs) in records.iter().zip(findings) {
                let hit = fs
                    .iter()
                    .any(|f| f.rule == rule.full_id && counts_at(f, min_severity));
                match (rec.label(rule.category), hit) {
                    (None, true) => unlabelled += 1,
                    (Some(true), true) => tp += 1,
                    (Some(false), true) => fp += 1,
                    (Some(true), false) => fn_ += 1,
                    _ => {}
                }
            }
            rules.push(RuleEval {
                rule: rule.full_id.clone(),
                category: rule.category,
                severity: rule.severity,
                score: Score::new(tp, fp, fn_),
                unlabelled,
            });
        }
    }
    rules.sort_by(|a, b| (a.category, &a.rule).cmp(&(b.category, &b.rule)));
    EvalReport {
        texts: records.len(),
        min_severity,
        categories,
        rules,
    }
}

/// Render an evaluation for people.
pub fn write_text(out: &mut dyn Write, r: &EvalReport) -> std::io::Result<()> {
    writeln!(
        out,
        "{} labelled text(s); a flag is a finding at {} or above, outside quotes",
        r.texts, r.min_severity
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<18} {:>8} {:>8} {:>5} {:>5} {:>5} {:>9} {:>7} {:>6}",
        "category", "labelled", "positive", "tp", "fp", "fn", "precision", "recall", "f1"
    )?;
    for c in &r.categories {
        writeln!(
            out,
            "{:<18} {:>8} {:>8} {:>5} {:>5} {:>5} {:>9} {:>7} {:>6}",
            c.category.as_str(),
            c.labelled,
            c.positive,
            c.score.tp,
            c.score.fp,
            c.score.fn_,
            fmt_ratio(c.score.precision),
            fmt_ratio(c.score.recall),
            fmt_ratio(c.score.f1)
        )?;
    }
    writeln!(out)?;
    let width = r
        .rules
        .iter()
        .map(|x| x.rule.len())
        .max()
        .unwrap_or(4)
        .max(4);
    writeln!(
        out,
        "{:<width$} {:<16} {:>5} {:>5} {:>5} {:>10} {:>9} {:>7} {:>6}",
        "rule", "category", "tp", "fp", "fn", "unlabelled", "precision", "recall", "f1"
    )?;
    // Rules that flagged nothing would fill the table with zeros (a bundled set has dozens);
    // they are named once below it, and JSON lists them all.
    let (fired, silent): (Vec<&RuleEval>, Vec<&RuleEval>) = r
        .rules
        .iter()
        .partition(|x| x.score.tp + x.score.fp + x.unlabelled > 0);
    for x in fired {
        writeln!(
            out,
            "{:<width$} {:<16} {:>5} {:>5} {:>5} {:>10} {:>9} {:>7} {:>6}",
            x.rule,
            x.category.as_str(),
            x.score.tp,
            x.score.fp,
            x.score.fn_,
            x.unlabelled,
            fmt_ratio(x.score.precision),
            fmt_ratio(x.score.recall),
            fmt_ratio(x.score.f1)
        )?;
    }
    if !silent.is_empty() {
        let ids: Vec<&str> = silent.iter().map(|x| x.rule.as_str()).collect();
        writeln!(
            out,
            "{} rule(s) flagged no text: {}",
            ids.len(),
            ids.join(", ")
        )?;
    }
    for c in &r.categories {
        for (title, list, total) in [
            ("false positives", &c.false_positives, c.score.fp),
            ("false negatives", &c.false_negatives, c.score.fn_),
        ] {
            if list.is_empty() {
                continue;
            }
            writeln!(out)?;
            writeln!(
                out,
                "{} {} (showing {} of {}):",
                c.category,
                title,
                list.len(),
                total
            )?;
            for e in list {
                writeln!(
                    out,
                    "  {} (line {}): {}",
                    e.id,
                    e.line,
                    one_line(&e.text, 100)
                )?;
                for h in &e.hits {
                    writeln!(
                        out,
                        "    {} {} {:?}{}",
                        h.rule,
                        h.severity,
                        h.matched,
                        if h.target == Target::Name {
                            " in the author's name"
                        } else {
                            ""
                        }
                    )?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tuning::labels::parse_labels;
    use crate::tuning::testutil::{finding, set};
    use Category::*;
    use Severity::*;

    /// Seven texts, four rules; every expected number below is counted by hand from this table.
    fn fixture() -> (Vec<RuleSet>, Vec<LabelledText>, Vec<Vec<Finding>>) {
        let sets = vec![set(&[
            ("t/r1", Insult, Medium, &["idiot"]),
            ("t/r2", Insult, Low, &["silly"]),
            ("t/r3", Profanity, High, &["damn"]),
            ("t/r4", Slur, High, &["xx"]),
        ])];
        let labels = r#"{"id":"1","text":"idiot","labels":{"insult":true}}
{"id":"2","text":"idiot","labels":{"insult":false}}
{"id":"3","text":"moron","labels":{"insult":true}}
{"id":"4","text":"silly","labels":{"insult":true}}
{"id":"5","text":"idiot","labels":{}}
{"id":"6","text":"fine","labels":{"insult":false}}
{"id":"7","text":"damn","labels":{"profanity":true}}"#;
        let recs = parse_labels("l.jsonl", labels).unwrap();
        let r1 = || finding("t/r1", Insult, Medium, 0, 0, "idiot");
        let findings = vec![
            vec![r1()],
            vec![r1()],
            vec![],
            vec![finding("t/r2", Insult, Low, 0, 0, "silly")],
            vec![r1()],
            vec![],
            vec![finding("t/r3", Profanity, High, 0, 0, "damn")],
        ];
        (sets, recs, findings)
    }

    fn counts(s: &Score) -> (usize, usize, usize) {
        (s.tp, s.fp, s.fn_)
    }

    #[test]
    fn per_category_and_per_rule_counts_at_low() {
        let (sets, recs, fs) = fixture();
        let r = evaluate(&sets, &recs, &fs, Low, 5);
        let cat = |c| r.categories.iter().find(|x| x.category == c).unwrap();
        assert_eq!(
            r.categories.iter().map(|c| c.category).collect::<Vec<_>>(),
            vec![Slur, Profanity, Insult]
        );
        assert_eq!((cat(Insult).labelled, cat(Insult).positive), (5, 3));
        assert_eq!(counts(&cat(Insult).score), (2, 1, 1));
        assert_eq!(cat(Insult).score.precision, Some(2.0 / 3.0));
        assert_eq!(cat(Insult).score.recall, Some(2.0 / 3.0));
        assert_eq!(counts(&cat(Profanity).score), (1, 0, 0));
        assert_eq!(counts(&cat(Slur).score), (0, 0, 0));
        assert_eq!(cat(Slur).score.precision, None);
        let ids: Vec<&str> = cat(Insult)
            .false_positives
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(ids, ["2"]);
        assert_eq!(cat(Insult).false_positives[0].hits[0].rule, "t/r1");
        let ids: Vec<&str> = cat(Insult)
            .false_negatives
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(ids, ["3"]);
        let rule = |id: &str| r.rules.iter().find(|x| x.rule == id).unwrap();
        // r1 flags texts 1, 2 and 5: 1 is true, 2 false, 5 unlabelled; texts 3 and 4 are missed.
        assert_eq!(counts(&rule("t/r1").score), (1, 1, 2));
        assert_eq!(rule("t/r1").unlabelled, 1);
        assert_eq!(rule("t/r1").score.precision, Some(0.5));
        assert_eq!(rule("t/r1").score.recall, Some(1.0 / 3.0));
        assert_eq!(counts(&rule("t/r2").score), (1, 0, 2));
        assert_eq!(counts(&rule("t/r4").score), (0, 0, 0));
        assert_eq!(
            r.rules.iter().map(|x| x.rule.as_str()).collect::<Vec<_>>(),
            ["t/r4", "t/r3", "t/r1", "t/r2"],
            "rules are ordered by category, then id"
        );
    }

    #[test]
    fn min_severity_drops_low_findings_and_explains_the_miss() {
        let (sets, recs, fs) = fixture();
        let r = evaluate(&sets, &recs, &fs, Medium, 1);
        let insult = r.categories.iter().find(|x| x.category == Insult).unwrap();
        assert_eq!(counts(&insult.score), (1, 1, 2));
        // Only one example is kept; the first miss is text 3, which no rule matched.
        assert_eq!(insult.false_negatives.len(), 1);
        assert_eq!(insult.false_negatives[0].id, "3");
        let r = evaluate(&sets, &recs, &fs, Medium, 5);
        let insult = r.categories.iter().find(|x| x.category == Insult).unwrap();
        let miss = &insult.false_negatives[1];
        assert_eq!(miss.id, "4");
        assert_eq!(miss.hits[0].rule, "t/r2");
        assert_eq!(miss.hits[0].severity, Low);
        let r2 = r.rules.iter().find(|x| x.rule == "t/r2").unwrap();
        assert_eq!(counts(&r2.score), (0, 0, 3));
    }

    #[test]
    fn quoted_findings_do_not_flag() {
        let (sets, recs, mut fs) = fixture();
        fs[1][0].quoted = true;
        let r = evaluate(&sets, &recs, &fs, Low, 5);
        let insult = r.categories.iter().find(|x| x.category == Insult).unwrap();
        assert_eq!(counts(&insult.score), (2, 0, 1));
    }
}
