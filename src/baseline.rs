//! Baselines: accept today's findings and report only new ones (`check --write-baseline`,
//! `check --baseline`).
//!
//! A finding's identity must survive edits elsewhere in the file, so it is not a line number:
//! it is the rule, a hash of the text the finding sits in (the comment's body, the commenter's
//! name or the article, lower-cased with white space collapsed), and the matched text
//! (lower-cased). The same identity may occur several times (a comment posted twice); the
//! baseline keeps a count, and only occurrences beyond that count are new. Paths are not part
//! of the identity, so a baseline still holds when the files are checked from another
//! directory.
//!
//! This module owns the identity and the file format. It must not filter by severity, print, or
//! decide exit codes: `cli::check` does.

use crate::finding::{Finding, Target};
use crate::thread::Thread;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The format version written to and expected in baseline files.
pub const FORMAT: u32 = 1;

/// What makes two findings the same finding across runs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Identity {
    pub rule: String,
    /// First 128 bits of the SHA-256 of the normalised text the finding sits in, in hex.
    pub text: String,
    /// The matched text, lower-cased.
    pub matched: String,
}

/// Text hashes already computed for one thread, so a comment with many findings is hashed once.
#[derive(Debug, Default)]
pub struct HashCache {
    hashes: HashMap<(Option<usize>, Target), String>,
}

impl Identity {
    pub fn of(thread: &Thread, finding: &Finding) -> Identity {
        Identity::cached(thread, finding, &mut HashCache::default())
    }

    /// [`Identity::of`], reusing the text hashes in `cache` (which must belong to `thread`).
    pub fn cached(thread: &Thread, finding: &Finding, cache: &mut HashCache) -> Identity {
        let comment = finding.comment.and_then(|i| thread.comments.get(i));
        let key = match (finding.target, comment) {
            (Target::Body | Target::Name, Some(_)) => (finding.comment, finding.target),
            _ => (None, Target::Article),
        };
        let text = cache
            .hashes
            .entry(key)
            .or_insert_with(|| {
                let whole = match (key.1, comment) {
                    (Target::Body, Some(c)) => thread.source.get(c.span.start..c.span.end),
                    (Target::Name, Some(c)) => c.author.as_deref(),
                    _ => thread
                        .article
                        .as_ref()
                        .and_then(|a| thread.source.get(a.span.start..a.span.end)),
                };
                text_hash(whole.unwrap_or(""))
            })
            .clone();
        Identity {
            rule: finding.rule.clone(),
            text,
            matched: finding.matched.to_lowercase(),
        }
    }

    /// A short stable hex digest of the whole identity (used as a SARIF partial fingerprint).
    pub fn digest(&self) -> String {
        let mut h = Sha256::new();
        for part in [&self.rule, &self.text, &self.matched] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        hex(&h.finalize()[..16])
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hash of a text with case and white space normalised, so re-wrapping a comment keeps its
/// identity.
pub fn text_hash(text: &str) -> String {
    // One buffer and one update: hashing word by word cost more than the hash itself.
    let mut folded = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !folded.is_empty() {
            folded.push(' ');
        }
        if word.is_ascii() {
            folded.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            folded.push_str(&word.to_lowercase());
        }
    }
    let mut h = Sha256::new();
    h.update(folded.as_bytes());
    hex(&h.finalize()[..16])
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    rule: String,
    text: String,
    matched: String,
    count: usize,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(rename = "threadlint-baseline")]
    format: u32,
    /// Tool version and rule-set fingerprint that wrote it: informative only.
    version: String,
    fingerprint: String,
    findings: Vec<Entry>,
}

/// Findings accepted by a baseline file; each identity can be consumed `count` times.
#[derive(Debug, Default)]
pub struct Baseline {
    remaining: HashMap<Identity, usize>,
}

impl Baseline {
    /// A file larger than [`crate::input::MAX_DATA_BYTES`] is refused before it is read.
    pub fn load(path: &Path) -> anyhow::Result<Baseline> {
        Baseline::load_within(path, crate::input::MAX_DATA_BYTES)
    }

    fn load_within(path: &Path, limit: u64) -> anyhow::Result<Baseline> {
        let text = crate::input::read_utf8_to(
            path,
            limit,
            "a baseline",
            "write it again with `check --write-baseline` over fewer inputs",
        )
        .with_context(|| format!("cannot read baseline {}", path.display()))?;
        Baseline::parse(&text).with_context(|| format!("invalid baseline {}", path.display()))
    }

    pub fn parse(text: &str) -> anyhow::Result<Baseline> {
        let file: File = serde_json::from_str(text)?;
        if file.format != FORMAT {
            anyhow::bail!(
                "baseline format {} is not supported (expected {FORMAT})",
                file.format
            );
        }
        let mut remaining = HashMap::new();
        for e in file.findings {
            let id = Identity {
                rule: e.rule,
                text: e.text,
                matched: e.matched,
            };
            *remaining.entry(id).or_insert(0) += e.count;
        }
        Ok(Baseline { remaining })
    }

    /// Whether this occurrence is accepted by the baseline. Each call consumes one occurrence,
    /// so call it once per finding, in output order.
    pub fn accepts(&mut self, id: &Identity) -> bool {
        match self.remaining.get_mut(id) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }
}

/// Collects the identities of a run for `--write-baseline`.
#[derive(Debug, Default)]
pub struct Recorder {
    counts: BTreeMap<Identity, usize>,
}

impl Recorder {
    pub fn add(&mut self, id: Identity) {
        *self.counts.entry(id).or_insert(0) += 1;
    }

    /// The baseline file's text: sorted, one entry per identity, ending in a newline.
    pub fn render(&self, version: &str, fingerprint: &str) -> String {
        let file = File {
            format: FORMAT,
            version: version.to_string(),
            fingerprint: fingerprint.to_string(),
            findings: self
                .counts
                .iter()
                .map(|(id, &count)| Entry {
                    rule: id.rule.clone(),
                    text: id.text.clone(),
                    matched: id.matched.clone(),
                    count,
                })
                .collect(),
        };
        let mut out = serde_json::to_string_pretty(&file).expect("baseline serialises");
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_baseline_over_the_limit_or_not_utf8_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("base.json");
        let text = format!(
            r#"{{"threadlint-baseline": {FORMAT}, "version": "", "fingerprint": "", "findings": []}}"#
        );
        std::fs::write(&path, &text).unwrap();
        let limit = text.len() as u64;
        assert!(Baseline::load_within(&path, limit).is_ok());
        std::fs::write(&path, format!("{text}\n")).unwrap();
        let err = format!("{:#}", Baseline::load_within(&path, limit).unwrap_err());
        assert!(err.starts_with("cannot read baseline "), "{err}");
        assert!(
            err.contains("base.json: too large for a baseline ("),
            "{err}"
        );
        std::fs::write(&path, b"{\"threadlint-baseline\": \xff}").unwrap();
        let err = format!("{:#}", Baseline::load(&path).unwrap_err());
        assert!(err.ends_with("base.json: not UTF-8"), "{err}");
    }

    fn id(rule: &str, text: &str, matched: &str) -> Identity {
        Identity {
            rule: rule.into(),
            text: text_hash(text),
            matched: matched.into(),
        }
    }

    #[test]
    fn text_hash_ignores_case_and_wrapping() {
        assert_eq!(text_hash("You  are\nvermin"), text_hash("you are vermin "));
        assert_ne!(text_hash("you are vermin"), text_hash("you were vermin"));
    }

    #[test]
    fn text_hash_is_stable_across_versions() {
        // Baseline files store this value: it must never change for the same text.
        assert_eq!(
            text_hash("  You  are\nVERMIN \tÜnter "),
            "2332deb5e442ebcc1e9c853c3015b94b"
        );
    }

    #[test]
    fn counts_are_consumed_in_order() {
        let mut rec = Recorder::default();
        rec.add(id("a/b", "x y", "y"));
        rec.add(id("a/b", "x y", "y"));
        rec.add(id("a/c", "z", "z"));
        let text = rec.render("0.1.0", "fp");
        let mut base = Baseline::parse(&text).unwrap();
        assert!(base.accepts(&id("a/b", "X  y", "y")));
        assert!(base.accepts(&id("a/b", "x y", "y")));
        assert!(
            !base.accepts(&id("a/b", "x y", "y")),
            "third occurrence is new"
        );
        assert!(base.accepts(&id("a/c", "z", "z")));
        assert!(!base.accepts(&id("a/d", "z", "z")));
    }

    #[test]
    fn rejects_unknown_format() {
        let err = Baseline::parse(
            r#"{"threadlint-baseline": 9, "version": "", "fingerprint": "", "findings": []}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("format 9"), "{err}");
    }
}
