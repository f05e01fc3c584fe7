//! Findings: the plain data that the engine produces and every reporter renders.
//!
//! Owns the vocabulary shared by the rule language, the engine and the reporters:
//! [`Severity`], [`Category`], [`Target`] and [`Finding`]. It must not know how a finding is
//! found (that is `engine`) or how it is shown (that is `report`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How bad a finding is. One meaning everywhere (see `docs/severity.md`):
/// critical, never publish; high, hold for review; medium, flag; low, note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                format!("unknown severity `{s}` (expected low, medium, high or critical)")
            })
    }
}

/// What kind of harm a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Slur,
    Antisemitism,
    UnverifiedClaim,
    Profanity,
    Insult,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Slur,
        Category::Antisemitism,
        Category::UnverifiedClaim,
        Category::Profanity,
        Category::Insult,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Slur => "slur",
            Category::Antisemitism => "antisemitism",
            Category::UnverifiedClaim => "unverified-claim",
            Category::Profanity => "profanity",
            Category::Insult => "insult",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown category `{s}` (expected slur, antisemitism, unverified-claim, profanity or insult)"
                )
            })
    }
}

/// Which part of a thread a finding is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// A comment's body.
    Body,
    /// A commenter's name.
    Name,
    /// The article the comments sit under.
    Article,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Body => "body",
            Target::Name => "name",
            Target::Article => "article",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Target {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "body" => Ok(Target::Body),
            "name" => Ok(Target::Name),
            "article" => Ok(Target::Article),
            _ => Err(format!(
                "unknown scope `{s}` (expected body, name or article)"
            )),
        }
    }
}

/// One confirmed match of one rule in one thread.
///
/// Positions refer to the thread's source text (`Thread::source`): `span` is a byte range,
/// `line` and `column` are 1-based (column counted in characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Full rule id, `set/rule-id`.
    pub rule: String,
    pub category: Category,
    pub severity: Severity,
    pub target: Target,
    /// Index of the comment in `Thread::comments`; `None` for the article.
    pub comment: Option<usize>,
    /// Byte range of the matched text in the thread's source.
    pub span: [usize; 2],
    pub line: usize,
    pub column: usize,
    /// The original text of the match, exactly as it appears in the source.
    pub matched: String,
    /// The normalised form that the rule matched.
    pub normalized: String,
    /// The rule's term (or pattern) that matched.
    pub term: String,
    /// The match lies inside a quoted passage: it is reported but is not the commenter's own.
    pub quoted: bool,
    /// The rule counts quoted matches toward the commenter anyway (`quoted: count`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub counts_when_quoted: bool,
}

impl Finding {
    /// Whether this finding counts toward the commenter's verdict and the exit-code gate.
    pub fn counts(&self) -> bool {
        !self.quoted || self.counts_when_quoted
    }
}

/// Sort findings into the one order every output uses: by comment (article first),
/// then position, then rule id.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.comment.map_or(0, |c| c + 1), a.span, &a.rule, a.target).cmp(&(
            b.comment.map_or(0, |c| c + 1),
            b.span,
            &b.rule,
            b.target,
        ))
    });
}
