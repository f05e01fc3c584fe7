//! Labelled texts for `eval` and `diff --labels`: one JSON object per line,
//! `{"id", "text", "labels": {"<category>": true|false}, "author"?}`.
//!
//! A category missing from `labels` is "not labelled" (the text is left out of that category's
//! counts), never "false". Every malformed line is reported with `file:line`; this module reads
//! and validates, it does not check texts against rules.

use crate::finding::Category;
use anyhow::Context;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// One labelled text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledText {
    pub id: String,
    pub text: String,
    pub author: Option<String>,
    /// Only the categories the labeller decided on.
    pub labels: BTreeMap<Category, bool>,
    /// 1-based line in the labels file.
    pub line: usize,
}

impl LabelledText {
    /// `Some(true)` / `Some(false)` when labelled for `category`, `None` when not labelled.
    pub fn label(&self, category: Category) -> Option<bool> {
        self.labels.get(&category).copied()
    }
}

/// Read a labels file. Blank lines are skipped. Every malformed line is named in the error
/// (`path:line: message`), not only the first.
/// A file larger than [`crate::input::MAX_DATA_BYTES`] is refused before it is read.
pub fn read_labels(path: &Path) -> anyhow::Result<Vec<LabelledText>> {
    read_labels_within(path, crate::input::MAX_DATA_BYTES)
}

fn read_labels_within(path: &Path, limit: u64) -> anyhow::Result<Vec<LabelledText>> {
    let text = crate::input::read_utf8_to(
        path,
        limit,
        "a labels file",
        "split it, and score the parts one by one",
    )
    .with_context(|| format!("cannot read labels file {}", path.display()))?;
    parse_labels(&path.display().to_string(), &text)
}

/// Parse labels text; `origin` names the file in errors.
pub fn parse_labels(origin: &str, text: &str) -> anyhow::Result<Vec<LabelledText>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(line, n) {
            Ok(rec) => {
                if !seen.insert(rec.id.clone()) {
                    errors.push(format!("{origin}:{n}: duplicate id `{}`", rec.id));
                } else {
                    out.push(rec);
                }
            }
            Err(msg) => errors.push(format!("{origin}:{n}: {msg}")),
        }
    }
    if !errors.is_empty() {
        let count = errors.len();
        anyhow::bail!(
            "{}\n{count} malformed line(s) in {origin}",
            errors.join("\n")
        );
    }
    Ok(out)
}

fn parse_line(line: &str, n: usize) -> Result<LabelledText, String> {
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
    let obj = value
        .as_object()
        .ok_or("expected a JSON object {\"id\", \"text\", \"labels\"}")?;
    for key in obj.keys() {
        if !matches!(key.as_str(), "id" | "text" | "labels" | "author") {
            return Err(format!(
                "unknown key `{key}` (expected id, text, labels, author)"
            ));
        }
    }
    let id = match obj.get("id") {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(num)) => num.to_string(),
        Some(_) => return Err("`id` must be a string or a number".into()),
        None => return Err("missing `id`".into()),
    };
    let text = match obj.get("text") {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(_) => return Err("`text` must be a string".into()),
        None => return Err("missing `text`".into()),
    };
    let author = match obj.get("author") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("`author` must be a string or null".into()),
    };
    let raw = match obj.get("labels") {
        Some(serde_json::Value::Object(m)) => m,
        Some(_) => return Err("`labels` must be an object of category: true|false".into()),
        None => return Err("missing `labels`".into()),
    };
    let mut labels = BTreeMap::new();
    for (key, v) in raw {
        let category: Category = key.parse()?;
        let b = v
            .as_bool()
            .ok_or_else(|| format!("label `{key}` must be true or false"))?;
        labels.insert(category, b);
    }
    Ok(LabelledText {
        id,
        text,
        author,
        labels,
        line: n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_labels_file_over_the_limit_is_refused_with_its_name_and_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("labels.jsonl");
        let line = r#"{"id": "a", "text": "hi", "labels": {"insult": true}}"#;
        std::fs::write(&path, line).unwrap();
        let limit = line.len() as u64;
        assert_eq!(read_labels_within(&path, limit).unwrap().len(), 1);
        std::fs::write(&path, format!("{line}\n")).unwrap();
        let err = format!("{:#}", read_labels_within(&path, limit).unwrap_err());
        assert!(err.starts_with("cannot read labels file "), "{err}");
        assert!(
            err.contains("labels.jsonl: too large for a labels file ("),
            "{err}"
        );
        assert!(
            err.contains(&format!("the limit is {limit} bytes)")),
            "{err}"
        );
    }

    /// A text with a byte replaced would be scored as something it does not say.
    #[test]
    fn a_labels_file_not_utf8_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("labels.jsonl");
        let line = b"{\"id\": \"a\", \"text\": \"caf\xe9\", \"labels\": {}}\n";
        std::fs::write(&path, line).unwrap();
        let err = format!("{:#}", read_labels(&path).unwrap_err());
        assert!(err.starts_with("cannot read labels file "), "{err}");
        assert!(err.ends_with("labels.jsonl: not UTF-8"), "{err}");
    }

    #[test]
    fn parses_labels_and_keeps_missing_keys_unlabelled() {
        let text = r#"{"id": "a", "text": "hi", "labels": {"insult": true}}

{"id": 7, "text": "yo", "author": "Ann", "labels": {"insult": false, "slur": false}}
"#;
        let recs = parse_labels("l.jsonl", text).unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].label(Category::Insult), Some(true));
        assert_eq!(recs[0].label(Category::Slur), None);
        assert_eq!(recs[1].id, "7");
        assert_eq!(recs[1].line, 3);
        assert_eq!(recs[1].author.as_deref(), Some("Ann"));
    }

    #[test]
    fn every_malformed_line_is_named() {
        // (line text, expected message fragment)
        let table = [
            ("{", "invalid JSON"),
            ("[1]", "expected a JSON object"),
            (r#"{"text": "x", "labels": {}}"#, "missing `id`"),
            (r#"{"id": "b", "labels": {}}"#, "missing `text`"),
            (r#"{"id": "c", "text": "x"}"#, "missing `labels`"),
            (
                r#"{"id": "d", "text": "x", "labels": {"rude": true}}"#,
                "unknown category `rude`",
            ),
            (
                r#"{"id": "e", "text": "x", "labels": {"insult": 1}}"#,
                "must be true or false",
            ),
            (
                r#"{"id": "f", "txt": "x", "labels": {}}"#,
                "unknown key `txt`",
            ),
        ];
        let text: Vec<&str> = table.iter().map(|(l, _)| *l).collect();
        let err = parse_labels("bad.jsonl", &text.join("\n"))
            .unwrap_err()
            .to_string();
        for (i, (_, want)) in table.iter().enumerate() {
            let prefix = format!("bad.jsonl:{}: ", i + 1);
            assert!(
                err.lines()
                    .any(|l| l.starts_with(&prefix) && l.contains(want)),
                "line {} should report {want:?}; got:\n{err}",
                i + 1
            );
        }
    }

    #[test]
    fn duplicate_ids_are_errors() {
        let text = "{\"id\":\"a\",\"text\":\"x\",\"labels\":{}}\n{\"id\":\"a\",\"text\":\"y\",\"labels\":{}}";
        let err = parse_labels("d.jsonl", text).unwrap_err().to_string();
        assert!(err.contains("d.jsonl:2: duplicate id `a`"), "{err}");
    }
}
