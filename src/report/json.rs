//! `--format json` (one document) and `--format jsonl` (one finding per line).
//!
//! Both write each finding as a [`FindingRecord`](super::FindingRecord) the moment its thread
//! is done, so neither holds the findings of a run: the JSON document is written as a stream
//! (header, findings one per line inside the array, then the summary). Every JSON Lines record
//! is one finding and carries the tool `version` and the rule-set `fingerprint` itself, so a
//! line read alone, or lines of several runs concatenated, still say what produced them.

use super::by_author::AuthorTable;
use super::{Reporter, RunInfo, Summary, ThreadReport};
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

/// `--format jsonl`: each record, then the run's `version` and `fingerprint`, on one line.
#[derive(Default)]
pub struct JsonlReporter {
    /// `,"version":…,"fingerprint":…}`: the same on every line, so rendered once.
    tail: Vec<u8>,
    /// One thread's lines, written out with one call: serde_json writes a record in dozens
    /// of small pieces, and through `dyn Write` each was a call into the buffered writer
    /// (about a third of the time spent writing).
    buf: Vec<u8>,
}

impl Reporter for JsonlReporter {
    fn begin(&mut self, _out: &mut dyn Write, run: &RunInfo) -> io::Result<()> {
        #[derive(Serialize)]
        struct Tail<'a> {
            version: &'a str,
            fingerprint: &'a str,
        }
        let tail = serde_json::to_vec(&Tail {
            version: &run.version,
            fingerprint: &run.fingerprint,
        })
        .map_err(to_io)?;
        // `{"version":…}` becomes `,"version":…}`, to follow a record's last field.
        self.tail = tail;
        self.tail[0] = b',';
        Ok(())
    }

    fn thread(&mut self, out: &mut dyn Write, report: &ThreadReport) -> io::Result<()> {
        self.buf.clear();
        for r in &report.items {
            serde_json::to_writer(&mut self.buf, &r.record).map_err(to_io)?;
            // A record is a JSON object: its closing brace gives way to the tail.
            debug_assert_eq!(self.buf.last(), Some(&b'}'));
            self.buf.pop();
            self.buf.extend_from_slice(&self.tail);
            self.buf.push(b'\n');
        }
        out.write_all(&self.buf)
    }

    fn finish(&mut self, _out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::render;
    use super::*;
    use crate::report::FindingRecord;
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
