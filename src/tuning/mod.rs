//! Rule tuning: what the rules catch on a corpus (`stats`), how well they do on labelled texts
//! (`eval`) and on pages with gold files (`gold_eval`), and what an edit to a rule file changes
//! (`diff`). `corpus` reads the pages and comments they run over, `labels` the labelled texts.
//!
//! This module owns the arithmetic and the report shapes of those commands. It takes findings
//! from the engine and threads from the segmenter; it must not match text, segment pages or
//! parse rule files itself. Each report is plain data (serialised as is for `--format json`)
//! with a small text renderer beside it.

pub mod corpus;
pub mod diff;
pub mod eval;
pub mod gold_eval;
pub mod labels;
pub mod stats;

use crate::finding::{Category, Finding};
use crate::rules::RuleSet;
use serde::Serialize;

/// True positives, false positives and false negatives, with the ratios derived from them.
///
/// A ratio whose denominator is zero is `None` (`null` in JSON, `-` in text): "no positives"
/// is not the same as "precision 0".
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Score {
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
}

impl Score {
    pub fn new(tp: usize, fp: usize, fn_: usize) -> Score {
        let ratio = |num: usize, den: usize| (den > 0).then(|| num as f64 / den as f64);
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        let f1 = match (precision, recall) {
            (Some(p), Some(r)) if p + r > 0.0 => Some(2.0 * p * r / (p + r)),
            (Some(_), Some(_)) => Some(0.0),
            _ => None,
        };
        Score {
            tp,
            fp,
            fn_,
            precision,
            recall,
            f1,
        }
    }
}

/// A ratio for text output: three decimals, or `-` when undefined.
pub fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "-".to_string(), |v| format!("{v:.3}"))
}

/// Shorten `text` to at most `max` characters on one line, for text reports.
pub fn one_line(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.trim();
    if flat.chars().count() <= max {
        flat.to_string()
    } else {
        let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// `--category` and `--rule`: narrow a tuning command to some rules, with the meaning `check`
/// gives them. Findings of other rules are dropped before counting, and other rules are left
/// out of the lists (so "never fired" means among the selected rules).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Filter {
    /// Only rules of these categories (repeatable).
    #[arg(long = "category", value_name = "CATEGORY")]
    pub categories: Vec<Category>,
    /// Only these rules: a full id `set/rule` or a set name (repeatable).
    #[arg(long = "rule", value_name = "RULE")]
    pub rule_ids: Vec<String>,
}

impl Filter {
    /// Whether rule `id` of `category` is selected.
    pub fn keeps(&self, id: &str, category: Category) -> bool {
        (self.categories.is_empty() || self.categories.contains(&category))
            && (self.rule_ids.is_empty()
                || self.rule_ids.iter().any(|r| {
                    id == r
                        || id
                            .strip_prefix(r.as_str())
                            .is_some_and(|rest| rest.starts_with('/'))
                }))
    }

    pub fn keeps_finding(&self, f: &Finding) -> bool {
        self.keeps(&f.rule, f.category)
    }

    /// The rule sets with only the selected rules.
    pub fn sets(&self, sets: &[RuleSet]) -> Vec<RuleSet> {
        sets.iter()
            .map(|s| RuleSet {
                rules: s
                    .rules
                    .iter()
                    .filter(|r| self.keeps(&r.full_id, r.category))
                    .cloned()
                    .collect(),
                ..s.clone()
            })
            .collect()
    }

    /// A `--rule` that selects no loaded rule is almost always a typo; say so rather than
    /// report zeros.
    pub fn check(&self, sets: &[RuleSet]) -> anyhow::Result<()> {
        for r in &self.rule_ids {
            let hits = sets.iter().flat_map(|s| &s.rules).any(|x| {
                x.full_id == *r
                    || x.full_id
                        .strip_prefix(r.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            });
            if !hits {
                anyhow::bail!("--rule {r}: no loaded rule or set has this id");
            }
        }
        Ok(())
    }
}

/// Write `value` as pretty JSON and a newline. The text is built first and written with
/// `std::io::Write`, so a closed pipe surfaces as the `io::Error` it is (serde_json's writer
/// error hides the io error from the chain the CLI inspects).
pub fn write_json<T: Serialize>(out: &mut dyn std::io::Write, value: &T) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// Output format shared by the tuning commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_ratios() {
        // (tp, fp, fn) -> (precision, recall, f1), computed by hand.
        type Ratios = (Option<f64>, Option<f64>, Option<f64>);
        let table: &[((usize, usize, usize), Ratios)] = &[
            (
                (2, 1, 1),
                (Some(2.0 / 3.0), Some(2.0 / 3.0), Some(2.0 / 3.0)),
            ),
            ((1, 0, 3), (Some(1.0), Some(0.25), Some(0.4))),
            ((0, 2, 1), (Some(0.0), Some(0.0), Some(0.0))),
            ((0, 0, 2), (None, Some(0.0), None)),
            ((0, 0, 0), (None, None, None)),
        ];
        for &((tp, fp, fn_), (p, r, f)) in table {
            let s = Score::new(tp, fp, fn_);
            let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
                (Some(a), Some(b)) => (a - b).abs() < 1e-12,
                (None, None) => true,
                _ => false,
            };
            assert!(
                close(s.precision, p) && close(s.recall, r) && close(s.f1, f),
                "{tp},{fp},{fn_}: {s:?}"
            );
        }
    }

    #[test]
    fn filter_selects_by_category_full_id_or_set() {
        use Category::*;
        // (categories, rules, rule id, rule category, kept)
        type Row<'a> = (&'a [Category], &'a [&'a str], &'a str, Category, bool);
        let table: &[Row] = &[
            (&[], &[], "a/x", Insult, true),
            (&[Insult], &[], "a/x", Insult, true),
            (&[Insult], &[], "a/x", Slur, false),
            (&[], &["a"], "a/x", Insult, true),
            (&[], &["a"], "ab/x", Insult, false),
            (&[], &["a/x"], "a/x", Insult, true),
            (&[], &["a/x"], "a/xy", Insult, false),
            (&[Slur], &["a"], "a/x", Insult, false),
        ];
        for &(categories, rules, id, category, want) in table {
            let f = Filter {
                categories: categories.to_vec(),
                rule_ids: rules.iter().map(|r| r.to_string()).collect(),
            };
            assert_eq!(f.keeps(id, category), want, "{categories:?} {rules:?} {id}");
        }
        let sets = vec![testutil::set(&[(
            "a/x",
            Insult,
            crate::finding::Severity::Low,
            &[],
        )])];
        let f = Filter {
            categories: vec![],
            rule_ids: vec!["b".into()],
        };
        assert!(f.check(&sets).is_err());
        assert!(Filter::default().check(&sets).is_ok());
    }

    #[test]
    fn one_line_flattens_and_cuts() {
        assert_eq!(one_line(" a\nb ", 10), "a b");
        assert_eq!(one_line("abcdef", 4), "abc…");
    }
}

/// Builders for the unit tests of this module: rule sets and findings as plain data, so the
/// arithmetic is tested without the engine.
#[cfg(test)]
pub(crate) mod testutil {
    use crate::finding::{Category, Finding, Severity, Target};
    use crate::rules::{Rule, RuleSet, Term, TermMode};

    /// `(full id, category, severity, terms)`; `stem*` terms become prefix terms.
    pub fn set(rules: &[(&str, Category, Severity, &[&str])]) -> RuleSet {
        RuleSet {
            name: "t".into(),
            origin: "t.yaml".into(),
            source: String::new(),
            description: String::new(),
            references: Vec::new(),
            rules: rules
                .iter()
                .map(|(id, category, severity, terms)| {
                    let (set, name) = id.split_once('/').unwrap_or(("t", id));
                    Rule {
                        terms: terms
                            .iter()
                            .map(|t| Term {
                                text: t.trim_end_matches('*').into(),
                                mode: if t.ends_with('*') {
                                    TermMode::Prefix
                                } else {
                                    TermMode::Word
                                },
                                line: 1,
                                column: 1,
                            })
                            .collect(),
                        normalize: Default::default(),
                        ..Rule::new(set, name, *category, *severity)
                    }
                })
                .collect(),
        }
    }

    /// A body finding of `rule` on `matched` at byte `start` of comment `comment`.
    pub fn finding(
        rule: &str,
        category: Category,
        severity: Severity,
        comment: usize,
        start: usize,
        matched: &str,
    ) -> Finding {
        Finding {
            rule: rule.into(),
            category,
            severity,
            target: Target::Body,
            comment: Some(comment),
            span: [start, start + matched.len()],
            line: 1,
            column: start + 1,
            matched: matched.into(),
            normalized: matched.to_lowercase(),
            term: matched.to_lowercase(),
            quoted: false,
            counts_when_quoted: false,
        }
    }
}
