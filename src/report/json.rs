//! `--format json` (one document) and `--format jsonl` (one finding per line).
//!
//! Both write each finding as a [`FindingRecord`] the moment its thread is done, so neither
//! holds the findings of a run: the JSON document is written as a stream (header, findings one
//! per line inside the array, then the summary). Every JSON Lines record is one finding and
//! carries the tool `version` and the rule-set `fingerprint` itself, so a line read alone, or
//! lines of several runs concatenated, still say what produced them.

use super::by_author::AuthorTable;
use super::{FindingRecord, Reporter, RunInfo, Summary, ThreadReport};
use serde::Serialize;
use std::io::{self, Write};

pub struct JsonReporter {
    first: bool,
    authors: Option<AuthorTable>,
}

impl JsonReporter {
    pub fn new(by_author: bool) -> JsonReporter {
        JsonReporter {
            first: true,
            authors: by_author.then(AuthorTable::default),
        }
    }
}

fn to_io(e: serde_json::Error) -> io::Error {
    io::Error::from(e)
}

impl Reporter for JsonReporter {
    fn begin(&mut self, out: &mut dyn Write, run: &RunInfo) -> io::Result<()> {
        writeln!(out, "{{")?;
        writeln!(out, "  \"tool\": \"threadlint\",")?;
        let s = |v: &str| serde_json::to_string(v).map_err(to_io);
        writeln!(out, "  \"version\": {},", s(&run.version)?)?;
        writeln!(out, "  \"fingerprint\": {},", s(&run.fingerprint)?)?;
        write!(out, "  \"findings\": [")
    }

    fn thread(&mut self, out: &mut dyn Write, report: &ThreadReport) -> io::Result<()> {
        if let Some(t) = &mut self.authors {
            t.add(report);
        }
        for r in &report.items {
            let sep = if self.first { "\n" } else { ",\n" };
            self.first = false;
            write!(
                out,
                "{sep}    {}",
                serde_json::to_string(&r.record).map_err(to_io)?
            )?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        if self.first {
            writeln!(out, "],")?;
        } else {
            writeln!(out, "\n  ],")?;
        }
        if let Some(t) = &self.authors {
            let rows = t.rows();
            write!(out, "  \"authors\": [")?;
            for (i, row) in rows.iter().enumerate() {
                let sep = if i == 0 { "\n" } else { ",\n" };
                write!(
                    out,
                    "{sep}    {}",
                    serde_json::to_string(row).map_err(to_io)?
                )?;
            }
            writeln!(out, "{}],", if rows.is_empty() { "" } else { "\n  " })?;
        }
        writeln!(
            out,
            "  \"summary\": {}",
            serde_json::to_string(summary).map_err(to_io)?
        )?;
        writeln!(out, "}}")
    }
}

/// One line of `--format jsonl`.
#[derive(Serialize)]
struct Line<'a> {
    #[serde(flatten)]
    record: &'a FindingRecord,
    version: &'a str,
    fingerprint: &'a str,
}

#[derive(Default)]
pub struct JsonlReporter {
    version: String,
    fingerprint: String,
}

impl Reporter for JsonlReporter {
    fn begin(&mut self, _out: &mut dyn Write, run: &RunInfo) -> io::Result<()> {
        self.version = run.version.clone();
        self.fingerprint = run.fingerprint.clone();
        Ok(())
    }

    fn thread(&mut self, out: &mut dyn Write, report: &ThreadReport) -> io::Result<()> {
        for r in &report.items {
            let line = Line {
                record: &r.record,
                version: &self.version,
                fingerprint: &self.fingerprint,
            };
            serde_json::to_writer(&mut *out, &line).map_err(to_io)?;
            out.write_all(b"\n")?;
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
    use serde_json::Value;

    #[test]
    fn json_document_parses_and_round_trips_records() {
        let out = render(&mut JsonReporter::new(true));
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["tool"], "threadlint");
        assert_eq!(v["fingerprint"], "fp123");
        let findings: Vec<FindingRecord> = serde_json::from_value(v["findings"].clone()).unwrap();
        let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules, ["demo/vermin", "demo/vermin", "insult/idiot"]);
        assert_eq!(v["summary"]["flagged"]["high"], 1);
        assert_eq!(v["authors"][0]["author"], "Ann");
        insta::assert_snapshot!(out);
    }

    #[test]
    fn empty_json_document_is_valid() {
        let mut r = JsonReporter::new(false);
        let mut out = Vec::new();
        r.begin(&mut out, &RunInfo::default()).unwrap();
        r.finish(&mut out, &Summary::new(crate::finding::Severity::High))
            .unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["findings"], Value::Array(vec![]));
    }

    #[test]
    fn jsonl_lines_are_findings_with_version_and_fingerprint() {
        let out = render(&mut JsonlReporter::default());
        let lines: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        for l in &lines {
            assert_eq!(l["fingerprint"], "fp123");
            assert_eq!(l["version"], "0.1.0");
            let _: FindingRecord = serde_json::from_value(l.clone()).unwrap();
        }
        assert_eq!(lines[1]["quoted"], true);
    }
}
