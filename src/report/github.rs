//! `--format github`: GitHub Actions workflow commands, one annotation per finding.
//!
//! `::error file=PATH,line=L,col=C,endColumn=E,title=RULE::MESSAGE`. Critical and high
//! findings are `error`, medium `warning`, low and quoted findings `notice`. Values are
//! escaped as the runner expects: `%`, CR and LF everywhere, and `:` and `,` in properties.
//! For JSON Lines input the annotation points at the record's line, without a column.

use super::{Reporter, RunInfo, Summary, ThreadReport};
use crate::finding::Severity;
use std::io::{self, Write};

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[derive(Default)]
pub struct GithubReporter;

impl Reporter for GithubReporter {
    fn begin(&mut self, _out: &mut dyn Write, _run: &RunInfo) -> io::Result<()> {
        Ok(())
    }

    fn thread(&mut self, out: &mut dyn Write, report: &ThreadReport) -> io::Result<()> {
        for r in &report.items {
            let f = &r.finding;
            let rec = &r.record;
            let command = match f.severity {
                _ if !f.counts() => "notice",
                Severity::Critical | Severity::High => "error",
                Severity::Medium => "warning",
                Severity::Low => "notice",
            };
            let position = match rec.record_line {
                Some(line) => format!("line={line}"),
                None => {
                    let end = rec.column + rec.matched.chars().count();
                    format!("line={},col={},endColumn={end}", rec.line, rec.column)
                }
            };
            let mut message = format!("{} ({}): “{}”", rec.category, rec.severity, rec.matched);
            if rec.quoted {
                message.push_str(" inside a quotation");
            }
            if let Some(author) = &rec.author {
                message.push_str(&format!(" by {author}"));
            }
            if let Some(id) = &rec.id {
                message.push_str(&format!(
                    " (comment {id}, line {}, column {})",
                    rec.line, rec.column
                ));
            }
            writeln!(
                out,
                "::{command} file={},{position},title={}::{}",
                escape_property(&rec.path),
                escape_property(&rec.rule),
                escape_data(&message)
            )?;
        }
        Ok(())
    }

    fn finish(&mut self, _out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::render;
    use super::*;

    #[test]
    fn escapes_follow_the_workflow_command_rules() {
        let table = [
            ("a%b", "a%25b", "a%25b"),
            ("x\r\ny", "x%0D%0Ay", "x%0D%0Ay"),
            ("k:v,w", "k:v,w", "k%3Av%2Cw"),
        ];
        for (raw, data, prop) in table {
            assert_eq!(escape_data(raw), data);
            assert_eq!(escape_property(raw), prop);
        }
    }

    #[test]
    fn one_annotation_per_finding() {
        let out = render(&mut GithubReporter);
        insta::assert_snapshot!(out);
    }
}
