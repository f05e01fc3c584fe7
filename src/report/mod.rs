//! Reporters: small renderers over findings. They never search and never segment.
//!
//! [`FindingRecord`] is the one serialised shape of a finding, shared by `check --format
//! json|jsonl`, SARIF properties and `serve`.

use crate::finding::{Category, Finding, Severity, Target};
use crate::thread::Thread;
use serde::{Deserialize, Serialize};

/// A finding with the context a reader needs: which file, thread and comment, and who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRecord {
    /// The input path (`-` for standard input).
    pub path: String,
    /// The thread's name (the file name, or the `thread` key of JSON Lines input).
    pub thread: String,
    /// Index of the comment in its thread; `null` for the article.
    pub comment: Option<usize>,
    /// The comment's `id` for JSON Lines input.
    pub id: Option<String>,
    /// The commenter's name; `null` for a guest or the article.
    pub author: Option<String>,
    pub target: Target,
    pub line: usize,
    pub column: usize,
    /// Byte range `[start, end)` in the input text.
    pub span: [usize; 2],
    pub rule: String,
    pub category: Category,
    pub severity: Severity,
    pub matched: String,
    pub normalized: String,
    pub term: String,
    pub quoted: bool,
}

impl FindingRecord {
    pub fn new(path: &str, thread: &Thread, finding: &Finding) -> FindingRecord {
        let comment = finding.comment.and_then(|i| thread.comments.get(i));
        FindingRecord {
            path: path.to_string(),
            thread: thread.name.clone(),
            comment: finding.comment,
            id: comment.and_then(|c| c.id.clone()),
            author: comment.and_then(|c| c.author.clone()),
            target: finding.target,
            line: finding.line,
            column: finding.column,
            span: finding.span,
            rule: finding.rule.clone(),
            category: finding.category,
            severity: finding.severity,
            matched: finding.matched.clone(),
            normalized: finding.normalized.clone(),
            term: finding.term.clone(),
            quoted: finding.quoted,
        }
    }
}
