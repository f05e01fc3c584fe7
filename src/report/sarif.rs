//! `--format sarif`: SARIF 2.1.0 for code-scanning tools.
//!
//! One run: `tool.driver` lists every loaded rule (id, short description, help, default level
//! from its severity, category in properties); each finding is a result with its rule, level,
//! message, one physical location and properties (category, severity, quoted, the rule-set
//! fingerprint), plus a partial fingerprint that is the finding's baseline identity so code
//! scanning can track it across edits. Columns are Unicode code points (`columnKind`).
//!
//! Page text gets a full region (start and end line and column, `charOffset`, `charLength`).
//! For JSON Lines input the region is the record's line in the file (the body sits escaped
//! inside it, so columns in the file would mislead); the position inside the body is in the
//! result's properties. Results are written as a stream like the JSON document.

use super::{Reporter, RunInfo, Summary, ThreadReport};
use crate::finding::Severity;
use crate::thread::LineIndex;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{self, Write};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Default)]
pub struct SarifReporter {
    first: bool,
    fingerprint: String,
    rule_index: HashMap<String, usize>,
}

/// The SARIF level for a severity: critical and high are errors (hold for review or never
/// publish), medium a warning, low a note.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// A path as a relative URI reference: `/` separators, everything outside the unreserved set
/// percent-encoded.
pub fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn to_io(e: serde_json::Error) -> io::Error {
    io::Error::from(e)
}

impl SarifReporter {
    pub fn new() -> SarifReporter {
        SarifReporter {
            first: true,
            ..SarifReporter::default()
        }
    }
}

impl Reporter for SarifReporter {
    fn begin(&mut self, out: &mut dyn Write, run: &RunInfo) -> io::Result<()> {
        self.fingerprint = run.fingerprint.clone();
        let rules: Vec<Value> = run
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                self.rule_index.insert(r.id.clone(), i);
                let summary = if r.summary.is_empty() {
                    r.id.clone()
                } else {
                    r.summary.clone()
                };
                json!({
                    "id": r.id,
                    "shortDescription": {"text": summary},
                    "help": {"text": if r.why.is_empty() { &summary } else { &r.why }},
                    "defaultConfiguration": {"level": level(r.severity)},
                    "properties": {"category": r.category, "severity": r.severity},
                })
            })
            .collect();
        let driver = json!({
            "name": "threadlint",
            "version": run.version,
            "semanticVersion": run.version,
            "rules": rules,
        });
        writeln!(out, "{{")?;
        writeln!(out, "  \"$schema\": \"{SCHEMA}\",")?;
        writeln!(out, "  \"version\": \"2.1.0\",")?;
        writeln!(out, "  \"runs\": [")?;
        writeln!(out, "    {{")?;
        writeln!(
            out,
            "      \"tool\": {{\"driver\": {}}},",
            serde_json::to_string(&driver).map_err(to_io)?
        )?;
        writeln!(out, "      \"columnKind\": \"unicodeCodePoints\",")?;
        write!(out, "      \"results\": [")
    }

    fn thread(&mut self, out: &mut dyn Write, report: &ThreadReport) -> io::Result<()> {
        if report.items.is_empty() {
            return Ok(());
        }
        let source = &report.thread.source;
        let index = (!report.jsonl).then(|| LineIndex::new(source));
        // Findings come in source order, so character offsets are counted forward once.
        let (mut byte_at, mut char_at) = (0usize, 0usize);
        for r in &report.items {
            let f = &r.finding;
            let rec = &r.record;
            let region = match &index {
                Some(index) => {
                    let [start, end] = f.span;
                    if start < byte_at {
                        (byte_at, char_at) = (0, 0);
                    }
                    char_at += source.get(byte_at..start).map_or(0, |s| s.chars().count());
                    byte_at = start;
                    let (end_line, end_column) = index.line_col(source, end);
                    json!({
                        "startLine": rec.line,
                        "startColumn": rec.column,
                        "endLine": end_line,
                        "endColumn": end_column,
                        "charOffset": char_at,
                        "charLength": source.get(start..end).map_or(0, |s| s.chars().count()),
                    })
                }
                None => json!({"startLine": rec.record_line.unwrap_or(1)}),
            };
            let mut message = format!(
                "{} ({}, {}): “{}”",
                rec.rule, rec.category, rec.severity, rec.matched
            );
            if rec.quoted {
                message.push_str(" (inside a quotation)");
            }
            if let Some(author) = &rec.author {
                message.push_str(&format!(" by {author}"));
            }
            let mut properties = json!({
                "category": rec.category,
                "severity": rec.severity,
                "quoted": rec.quoted,
                "fingerprint": self.fingerprint,
                "target": rec.target,
                "thread": rec.thread,
            });
            if report.jsonl {
                properties["id"] = json!(rec.id);
                properties["line"] = json!(rec.line);
                properties["column"] = json!(rec.column);
            }
            let mut result = json!({
                "ruleId": rec.rule,
                "level": if f.counts() { level(rec.severity) } else { "note" },
                "message": {"text": message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&rec.path)},
                        "region": region,
                    }
                }],
                "partialFingerprints": {
                    "threadlint/identity/v1": r.identity.as_ref().map(|i| i.digest()),
                },
                "properties": properties,
            });
            if let Some(&i) = self.rule_index.get(&rec.rule) {
                result["ruleIndex"] = json!(i);
            }
            let sep = if self.first { "\n" } else { ",\n" };
            self.first = false;
            write!(
                out,
                "{sep}        {}",
                serde_json::to_string(&result).map_err(to_io)?
            )?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        if self.first {
            writeln!(out, "],")?;
        } else {
            writeln!(out, "\n      ],")?;
        }
        let props = json!({"fingerprint": self.fingerprint, "summary": summary});
        writeln!(
            out,
            "      \"properties\": {}",
            serde_json::to_string(&props).map_err(to_io)?
        )?;
        writeln!(out, "    }}")?;
        writeln!(out, "  ]")?;
        writeln!(out, "}}")
    }

    /// Every result carries the identity as a partial fingerprint.
    fn uses_identities(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{render, PAGE};
    use super::*;

    #[test]
    fn output_is_valid_against_the_published_schema() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/sarif/sarif-schema-2.1.0.json"
        );
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let out = render(&mut SarifReporter::new());
        let v: Value = serde_json::from_str(&out).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        // The schema is strict enough to catch a misspelt key.
        let mut bad = v.clone();
        bad["runs"][0]["results"][0]["region"] = json!({"startLine": 0});
        bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
            json!(0);
        assert!(!validator.is_valid(&bad));
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("seeds/a b.txt"), "seeds/a%20b.txt");
        assert_eq!(uri("dir\\é.txt"), "dir/%C3%A9.txt");
    }

    #[test]
    fn regions_point_at_the_match() {
        let out = render(&mut SarifReporter::new());
        let v: Value = serde_json::from_str(&out).unwrap();
        let results = v["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        for r in results {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            let off = region["charOffset"].as_u64().unwrap() as usize;
            let len = region["charLength"].as_u64().unwrap() as usize;
            let text: String = PAGE.chars().skip(off).take(len).collect();
            assert_eq!(
                text,
                r["message"]["text"]
                    .as_str()
                    .unwrap()
                    .split('“')
                    .nth(1)
                    .unwrap()
                    .split('”')
                    .next()
                    .unwrap()
            );
            assert_eq!(region["startLine"], region["endLine"]);
        }
        // The quoted finding is a note, whatever its severity.
        assert_eq!(results[1]["level"], "note");
        assert_eq!(results[0]["ruleIndex"], 0);
        assert_eq!(results[2]["ruleIndex"], 1);
    }
}
