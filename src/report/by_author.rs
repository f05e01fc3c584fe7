//! `--by-author`: one row per commenter over the whole run.
//!
//! A row counts the commenter's comments, the comments with at least one counting finding, the
//! worst severity among those, and the rules hit. Commenters are matched by their name as
//! shown, across threads and files; comments without a name (guests) are grouped as one row,
//! `(guests)`. Findings in the article belong to nobody and are left out. The table keeps one
//! row per name, not the findings.

use super::text::Palette;
use super::ThreadReport;
use crate::finding::{Severity, Target};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

/// One commenter's row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorRow {
    /// The name as shown; `null` for the guests row.
    pub author: Option<String>,
    pub comments: usize,
    pub flagged: usize,
    pub worst: Option<Severity>,
    /// Rule ids hit by counting findings, sorted.
    pub rules: BTreeSet<String>,
}

#[derive(Debug, Default)]
pub struct AuthorTable {
    rows: BTreeMap<Option<String>, AuthorRow>,
}

impl AuthorTable {
    pub fn add(&mut self, report: &ThreadReport) {
        // Counting findings per comment, in one pass (items are sorted by comment).
        let mut hits: BTreeMap<usize, Vec<&crate::finding::Finding>> = BTreeMap::new();
        for r in &report.items {
            let f = &r.finding;
            if let (Some(i), true) = (f.comment, f.target != Target::Article && f.counts()) {
                hits.entry(i).or_default().push(f);
            }
        }
        for (i, c) in report.thread.comments.iter().enumerate() {
            let row = self
                .rows
                .entry(c.author.clone())
                .or_insert_with(|| AuthorRow {
                    author: c.author.clone(),
                    ..AuthorRow::default()
                });
            row.comments += 1;
            let Some(found) = hits.get(&i) else { continue };
            row.flagged += 1;
            for f in found {
                row.worst = row.worst.max(Some(f.severity));
                row.rules.insert(f.rule.clone());
            }
        }
    }

    /// Rows, worst first: by worst severity, then flagged comments, then name (guests last
    /// among equals).
    pub fn rows(&self) -> Vec<&AuthorRow> {
        let mut rows: Vec<&AuthorRow> = self.rows.values().collect();
        rows.sort_by(|a, b| {
            b.worst
                .cmp(&a.worst)
                .then(b.flagged.cmp(&a.flagged))
                .then(a.author.is_none().cmp(&b.author.is_none()))
                .then(a.author.cmp(&b.author))
        });
        rows
    }

    pub fn render_text(&self, out: &mut dyn Write, p: &Palette) -> io::Result<()> {
        let rows = self.rows();
        let name = |r: &AuthorRow| r.author.clone().unwrap_or_else(|| "(guests)".into());
        let width = rows
            .iter()
            .map(|r| name(r).chars().count())
            .chain([6])
            .max()
            .unwrap_or(6);
        writeln!(
            out,
            "{}{:<width$}  {:>8}  {:>7}  {:<8}  rules{:#}",
            p.author, "author", "comments", "flagged", "worst", p.author
        )?;
        for r in rows {
            let n = name(r);
            let pad = width - n.chars().count();
            let worst = r.worst.map_or("-", |s| s.as_str());
            let line = format!(
                "{n}{:pad$}  {:>8}  {:>7}  {:<8}  {}",
                "",
                r.comments,
                r.flagged,
                worst,
                r.rules.iter().cloned().collect::<Vec<_>>().join(", ")
            );
            writeln!(out, "{}", line.trim_end())?;
        }
        if self.rows.contains_key(&None) {
            writeln!(
                out,
                "{}(guests) groups every comment without a commenter name.{:#}",
                p.dim, p.dim
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{report, thread};
    use super::*;

    #[test]
    fn rows_count_comments_and_skip_quoted_findings() {
        let t = thread();
        let r = report(&t);
        let mut table = AuthorTable::default();
        table.add(&r);
        table.add(&r);
        type Row<'a> = (
            Option<&'a str>,
            usize,
            usize,
            Option<Severity>,
            Vec<&'a str>,
        );
        let rows: Vec<Row> = table
            .rows()
            .into_iter()
            .map(|r| {
                (
                    r.author.as_deref(),
                    r.comments,
                    r.flagged,
                    r.worst,
                    r.rules.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                (Some("Ann"), 2, 2, Some(Severity::High), vec!["demo/vermin"]),
                (None, 2, 2, Some(Severity::Medium), vec!["insult/idiot"]),
            ]
        );
        let mut out = Vec::new();
        table.render_text(&mut out, &Palette::plain()).unwrap();
        insta::assert_snapshot!(String::from_utf8(out).unwrap());
    }
}
