//! `--format json` (one document) and `--format jsonl` (one finding per line).
//!
//! Both write each finding as a [`FindingRecord`](super::FindingRecord) the moment its thread
//! is done, so neither holds the findings of a run: the JSON document is written as a stream
//! (header, findings one per line inside the array, then the summary). Every JSON Lines record
//! is one finding and carries the tool `version` and the rule-set `fingerprint` itself, so a
//! line read alone, or lines of several runs concatenated, still say what produced them.

use super::by_author::AuthorTable;
use super::{FindingRecord, Reporter, RunInfo, Summary, ThreadReport};
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
    /// `,"version":…,"fingerprint":…}` and the line break: the same on every line, so
    /// rendered once.
    tail: Vec<u8>,
    /// One thread's lines, written out with one call: a record is written in dozens of small
    /// pieces, and through `dyn Write` each was a call into the buffered writer (about a
    /// third of the time spent writing).
    buf: Vec<u8>,
}

impl Reporter for JsonlReporter {
    fn begin(&mut self, _out: &mut dyn Write, run: &RunInfo) -> io::Result<()> {
        // Follows each record's last field, and ends its object and its line.
        self.tail.clear();
        self.tail.extend_from_slice(b",\"version\":");
        json_str(&mut self.tail, &run.version);
        self.tail.extend_from_slice(b",\"fingerprint\":");
        json_str(&mut self.tail, &run.fingerprint);
        self.tail.extend_from_slice(b"}\n");
        Ok(())
    }

    fn thread(&mut self, out: &mut dyn Write, report: &ThreadReport) -> io::Result<()> {
        self.buf.clear();
        for r in &report.items {
            write_record(&mut self.buf, &r.record, &self.tail);
        }
        out.write_all(&self.buf)
    }

    fn finish(&mut self, _out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
}

/// `r` as `serde_json::to_vec` writes it (compact, fields in order, `record_line` only when
/// set), written out directly, with `end` in place of its closing brace. serde_json goes
/// through its serializer for each field and escapes every key byte by byte: on the 1,558
/// findings of the first 5 MB of the benchmark's JSON Lines the reporter took 10.0 M
/// instructions with it, 4.9 M now. A test holds the two to the same bytes; the pattern below
/// names every field, so a new one does not compile until it is written here.
fn write_record(out: &mut Vec<u8>, r: &FindingRecord, end: &[u8]) {
    let FindingRecord {
        path,
        thread,
        comment,
        id,
        author,
        target,
        line,
        column,
        span,
        rule,
        category,
        severity,
        matched,
        normalized,
        term,
        quoted,
        record_line,
    } = r;
    let mut num = itoa::Buffer::new();
    let mut int = |out: &mut Vec<u8>, n: usize| out.extend_from_slice(num.format(n).as_bytes());
    out.extend_from_slice(b"{\"path\":");
    json_str(out, path);
    out.extend_from_slice(b",\"thread\":");
    json_str(out, thread);
    out.extend_from_slice(b",\"comment\":");
    match comment {
        Some(c) => int(out, *c),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"id\":");
    json_opt_str(out, id.as_deref());
    out.extend_from_slice(b",\"author\":");
    json_opt_str(out, author.as_deref());
    out.extend_from_slice(b",\"target\":");
    json_str(out, target.as_str());
    out.extend_from_slice(b",\"line\":");
    int(out, *line);
    out.extend_from_slice(b",\"column\":");
    int(out, *column);
    out.extend_from_slice(b",\"span\":[");
    int(out, span[0]);
    out.push(b',');
    int(out, span[1]);
    out.extend_from_slice(b"],\"rule\":");
    json_str(out, rule);
    out.extend_from_slice(b",\"category\":");
    json_str(out, category.as_str());
    out.extend_from_slice(b",\"severity\":");
    json_str(out, severity.as_str());
    out.extend_from_slice(b",\"matched\":");
    json_str(out, matched);
    out.extend_from_slice(b",\"normalized\":");
    json_str(out, normalized);
    out.extend_from_slice(b",\"term\":");
    json_str(out, term);
    out.extend_from_slice(if *quoted {
        b",\"quoted\":true"
    } else {
        b",\"quoted\":false"
    });
    if let Some(l) = record_line {
        out.extend_from_slice(b",\"record_line\":");
        int(out, *l);
    }
    out.extend_from_slice(end);
}

/// Whether any byte of `bytes` is escaped in a JSON string. Most are not: tested without an
/// early exit, 32 bytes at a time, so that it compiles to vector instructions.
fn needs_escape(bytes: &[u8]) -> bool {
    let flag = |m: u8, &b: &u8| m | u8::from(b < 0x20) | u8::from(b == b'"') | u8::from(b == b'\\');
    let mut chunks = bytes.chunks_exact(32);
    for chunk in &mut chunks {
        if chunk.iter().fold(0, flag) != 0 {
            return true;
        }
    }
    chunks.remainder().iter().fold(0, flag) != 0
}

fn json_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => json_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// A JSON string as serde_json escapes it: `"` and `\\`, control characters as `\b`, `\f`,
/// `\n`, `\r`, `\t` or `\u00xx`, everything else (DEL and U+2028 included) as it is.
fn json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    if !needs_escape(bytes) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&bytes[from..i]);
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
                from = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[from..i]);
        out.extend_from_slice(escape);
        from = i + 1;
    }
    out.extend_from_slice(&bytes[from..]);
    out.push(b'"');
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
    fn records_are_written_as_serde_json_writes_them() {
        let base = FindingRecord {
            path: "dir/page.txt".into(),
            thread: "t1".into(),
            comment: Some(12),
            id: Some("c-12".into()),
            author: Some("Ann".into()),
            target: crate::finding::Target::Name,
            line: 3,
            column: 41,
            span: [0, usize::MAX],
            rule: "slurs/x".into(),
            category: crate::finding::Category::Antisemitism,
            severity: crate::finding::Severity::Critical,
            matched: "r@ts".into(),
            normalized: "rats".into(),
            term: "rat*".into(),
            quoted: true,
            record_line: Some(7),
        };
        // Every byte below 0x80 once, then characters serde_json leaves alone.
        let ascii: String = (0u8..0x80).map(char::from).collect();
        let odd = [
            ascii.as_str(),
            "",
            "\"quoted\" \\ back\\slash",
            "tab\tline\nreturn\r\u{8}\u{c}\u{1f}\u{7f}",
            "caf\u{e9} \u{2028} \u{1F600} \u{FFFD}",
        ];
        let mut records = vec![base.clone()];
        for s in odd {
            let mut r = base.clone();
            (r.path, r.thread, r.rule, r.term) = (s.into(), s.into(), s.into(), s.into());
            (r.matched, r.normalized) = (s.into(), s.into());
            (r.id, r.author) = (Some(s.into()), Some(s.into()));
            records.push(r);
        }
        let mut none = base.clone();
        (none.comment, none.id, none.author, none.record_line) = (None, None, None, None);
        none.quoted = false;
        none.span = [0, 0];
        records.push(none);
        for r in &records {
            let mut ours = Vec::new();
            write_record(&mut ours, r, b"}");
            let theirs = serde_json::to_vec(r).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs).unwrap()
            );
        }
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
