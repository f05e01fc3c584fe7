//! `--format text`: for people at a terminal.
//!
//! Per thread with findings, each flagged comment with its author and line, then one line per
//! finding: position, severity badge, rule id, category and the matched text inside a short
//! context cut from its line. Colour is decided by the caller (a [`Palette`]); without colour
//! the match is marked with `[` `]` so it still stands out in a pipe or a log. A closing summary
//! gives threads, comments, flagged comments by severity and the rule-set fingerprint.
//! With `--by-author` the per-finding listing is replaced by the commenter table.

use super::by_author::AuthorTable;
use super::{Reporter, RunInfo, Summary, ThreadReport};
use crate::finding::{Severity, Target};
use anstyle::{AnsiColor, Color, Style};
use std::io::{self, Write};

/// Characters of context kept on each side of a match.
const CONTEXT: usize = 40;

/// Styles for each part of the output; all plain when colour is off.
#[derive(Debug, Clone, Copy, Default)]
pub struct Palette {
    pub enabled: bool,
    pub path: Style,
    pub author: Style,
    pub dim: Style,
    pub matched: Style,
    pub critical: Style,
    pub high: Style,
    pub medium: Style,
    pub low: Style,
}

impl Palette {
    pub fn plain() -> Palette {
        Palette::default()
    }

    pub fn colored() -> Palette {
        let fg = |c: AnsiColor| Style::new().fg_color(Some(Color::Ansi(c)));
        Palette {
            enabled: true,
            path: Style::new().bold().underline(),
            author: Style::new().bold(),
            dim: Style::new().dimmed(),
            matched: fg(AnsiColor::Red).bold().underline(),
            critical: Style::new()
                .fg_color(Some(Color::Ansi(AnsiColor::BrightWhite)))
                .bg_color(Some(Color::Ansi(AnsiColor::Red)))
                .bold(),
            high: fg(AnsiColor::Red).bold(),
            medium: fg(AnsiColor::Yellow),
            low: fg(AnsiColor::Cyan),
        }
    }

    fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
        }
    }
}

pub struct TextReporter {
    palette: Palette,
    fingerprint: String,
    authors: Option<AuthorTable>,
}

impl TextReporter {
    pub fn new(palette: Palette, by_author: bool) -> TextReporter {
        TextReporter {
            palette,
            fingerprint: String::new(),
            authors: by_author.then(AuthorTable::default),
        }
    }
}

/// The line around `span` in `source`: text before the match, the match (cut at the end of
/// the line), text after; each side trimmed to `CONTEXT` characters with `…` where cut.
pub fn context(source: &str, span: [usize; 2]) -> (String, String, String) {
    let start = span[0].min(source.len());
    let end = span[1].clamp(start, source.len());
    let line_start = source[..start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line_end = source[start..]
        .find(['\n', '\r'])
        .map_or(source.len(), |i| start + i);
    let m_end = end.min(line_end);
    let before = source[line_start..start].trim_start();
    // Cut at a word boundary inside the window so no word is shown in part.
    let before = match before.char_indices().rev().nth(CONTEXT - 1) {
        Some((i, _)) if i > 0 => {
            let kept = &before[i..];
            let whole = before[..i].ends_with(' ');
            let kept = match kept.find(' ') {
                Some(j) if !whole => &kept[j + 1..],
                _ => kept,
            };
            format!("…{kept}")
        }
        _ => before.to_string(),
    };
    let after = source[m_end..line_end].trim_end();
    let after = match after.char_indices().nth(CONTEXT) {
        Some((i, _)) => {
            let kept = &after[..i];
            let whole = after[i..].starts_with(' ');
            let kept = match kept.rfind(' ') {
                Some(j) if j > 0 && !whole => &kept[..j],
                _ => kept,
            };
            format!("{kept}…")
        }
        None => after.to_string(),
    };
    let clean = |s: &str| s.replace('\t', " ");
    (clean(&before), clean(&source[start..m_end]), clean(&after))
}

impl Reporter for TextReporter {
    fn begin(&mut self, _out: &mut dyn Write, run: &RunInfo) -> io::Result<()> {
        self.fingerprint = run.fingerprint.clone();
        Ok(())
    }

    fn thread(&mut self, out: &mut dyn Write, report: &ThreadReport) -> io::Result<()> {
        if let Some(table) = &mut self.authors {
            table.add(report);
            return Ok(());
        }
        if report.items.is_empty() {
            return Ok(());
        }
        let p = &self.palette;
        let t = report.thread;
        if report.jsonl && t.name != report.path {
            writeln!(out, "{}{}{:#} › {}", p.path, report.path, p.path, t.name)?;
        } else {
            writeln!(out, "{}{}{:#}", p.path, report.path, p.path)?;
        }
        let mut current: Option<(Option<usize>, bool)> = None;
        for r in &report.items {
            let f = &r.finding;
            let rec = &r.record;
            let key = (f.comment, f.target == Target::Article);
            if current != Some(key) {
                current = Some(key);
                let who = match (f.target, f.comment.and_then(|i| t.comments.get(i))) {
                    (Target::Article, _) | (_, None) => "article".to_string(),
                    (_, Some(c)) => {
                        let name = c.author.as_deref().unwrap_or("(guest)");
                        let place = match (&rec.id, rec.record_line) {
                            (Some(id), Some(l)) => format!("id {id} · record line {l}"),
                            (None, Some(l)) => format!("record line {l}"),
                            _ => format!("line {}", c.name_line.unwrap_or(c.lines.first)),
                        };
                        format!(
                            "{}{name}{:#} {}· {place}{:#}",
                            p.author, p.author, p.dim, p.dim
                        )
                    }
                };
                writeln!(out, "  {who}")?;
            }
            let sev = p.severity(f.severity);
            let badge = if f.counts() {
                format!("{sev}[{}]{sev:#}", f.severity)
            } else {
                format!("{}[{}, quoted]{:#}", p.dim, f.severity, p.dim)
            };
            let (before, matched, after) = context(&t.source, f.span);
            let target = match f.target {
                Target::Body => String::new(),
                other => format!(" {}({other}){:#}", p.dim, p.dim),
            };
            let (open, close) = if p.enabled { ("", "") } else { ("[", "]") };
            writeln!(
                out,
                "    {}{}:{}{:#} {badge} {} {}{}{:#}{target}  {before}{open}{}{matched}{:#}{close}{after}",
                p.dim,
                rec.line,
                rec.column,
                p.dim,
                rec.rule,
                p.dim,
                rec.category,
                p.dim,
                p.matched,
                p.matched,
            )?;
        }
        writeln!(out)
    }

    fn finish(&mut self, out: &mut dyn Write, s: &Summary) -> io::Result<()> {
        if let Some(table) = &self.authors {
            table.render_text(out, &self.palette)?;
            writeln!(out)?;
        }
        let p = &self.palette;
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let f = &s.flagged;
        writeln!(
            out,
            "{}, {}, {} (critical {}, high {}, medium {}, low {})",
            plural(s.threads, "thread", "threads"),
            plural(s.comments, "comment", "comments"),
            plural(f.total(), "flagged comment", "flagged comments"),
            f.critical,
            f.high,
            f.medium,
            f.low
        )?;
        let mut extra = vec![format!("{} quoted, not counted", s.quoted)];
        if s.baselined > 0 {
            extra.push(format!("{} accepted by the baseline", s.baselined));
        }
        if s.errors > 0 {
            extra.push(plural(s.errors, "input error", "input errors"));
        }
        writeln!(
            out,
            "{} ({})",
            plural(s.findings, "finding", "findings"),
            extra.join(", ")
        )?;
        let verdict = if s.failed {
            format!("{}fails{:#}", p.high, p.high)
        } else {
            "passes".to_string()
        };
        writeln!(out, "gate: {verdict} at --fail-on {}", s.fail_on)?;
        writeln!(
            out,
            "{}rule-set fingerprint: {}{:#}",
            p.dim,
            if self.fingerprint.is_empty() {
                "(none)"
            } else {
                &self.fingerprint
            },
            p.dim
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{render, PAGE};
    use super::*;

    #[test]
    fn context_is_cut_around_the_match_on_its_line() {
        let table: &[(&str, &str, (&str, &str, &str))] = &[
            ("a\nsay rats now\nb", "rats", ("say ", "rats", " now")),
            ("rats", "rats", ("", "rats", "")),
            ("x\r\n\tthe rats\r\ny", "rats", ("the ", "rats", "")),
            (
                "one two three four five six seven eight nine ten rats",
                "rats",
                ("…four five six seven eight nine ten ", "rats", ""),
            ),
            (
                "rats one two three four five six seven eight nine ten",
                "rats",
                ("", "rats", " one two three four five six seven eight…"),
            ),
        ];
        for (src, needle, want) in table {
            let at = src.find(needle).unwrap();
            let got = context(src, [at, at + needle.len()]);
            assert_eq!(
                (got.0.as_str(), got.1.as_str(), got.2.as_str()),
                *want,
                "{src:?}"
            );
        }
        // A match running past its line is cut at the line's end.
        assert_eq!(context("ab\ncd", [1, 4]).1, "b");
    }

    #[test]
    fn plain_text_marks_matches_with_brackets() {
        let out = render(&mut TextReporter::new(Palette::plain(), false));
        assert!(!out.contains('\u{1b}'));
        insta::assert_snapshot!(out);
        assert!(PAGE.contains("idiot"));
    }

    #[test]
    fn colour_uses_ansi_styles_and_no_brackets() {
        let out = render(&mut TextReporter::new(Palette::colored(), false));
        assert!(out.contains("\u{1b}["));
        assert!(!out.contains("[idiot]"));
        insta::assert_snapshot!(out);
    }
}
