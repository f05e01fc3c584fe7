//! The service's request and response bodies, and the pure work behind each endpoint.
//!
//! Owns turning a request into a [`Thread`], mapping findings to a [`Verdict`], and shaping the
//! answer. It must not touch sockets, signals or shared state: every function here takes an
//! [`Engine`] and plain data, so it can be tested without a server.

use crate::engine::Engine;
use crate::finding::{Finding, Severity, Target};
use crate::report::FindingRecord;
use crate::segment;
use crate::thread::{Article, Comment, LineIndex, LineRange, Quote, Span, Thread};
use serde::{Deserialize, Deserializer, Serialize};

/// What the comment system should do with a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Allow,
    Review,
    Block,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Review => "review",
            Verdict::Block => "block",
        }
    }
}

/// The severities at which a comment is held for review or blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub review_at: Severity,
    pub block_at: Severity,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            review_at: Severity::Medium,
            block_at: Severity::Critical,
        }
    }
}

impl Policy {
    /// The verdict for a worst counting severity (`None`: nothing counted).
    pub fn verdict(&self, worst: Option<Severity>) -> Verdict {
        match worst {
            Some(s) if s >= self.block_at => Verdict::Block,
            Some(s) if s >= self.review_at => Verdict::Review,
            _ => Verdict::Allow,
        }
    }

    /// The worst severity among the findings that count, and the verdict it gives. Quoted
    /// findings do not count unless their rule says `quoted: count`; findings in the article
    /// are reported but never count, because the commenter did not write the article.
    pub fn judge<'a>(
        &self,
        findings: impl IntoIterator<Item = &'a Finding>,
    ) -> (Verdict, Option<Severity>) {
        let worst = findings
            .into_iter()
            .filter(|f| f.counts() && f.target != Target::Article)
            .map(|f| f.severity)
            .max();
        (self.verdict(worst), worst)
    }
}

/// `POST /v1/check`: one comment before it is published.
///
/// Unknown fields are rejected: a gate that silently ignored `"text"` instead of `"body"` would
/// allow everything.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    pub body: String,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub article: Option<String>,
    /// The comment system's own id, echoed back; a string or an integer.
    #[serde(default, deserialize_with = "string_or_number")]
    pub id: Option<String>,
}

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Int(i64),
        Uint(u64),
    }
    Ok(Option::<Id>::deserialize(d)
        .map_err(|_| serde::de::Error::custom("`id` must be a string or an integer"))?
        .map(|id| match id {
            Id::Text(s) => s,
            Id::Int(n) => n.to_string(),
            Id::Uint(n) => n.to_string(),
        }))
}

/// The answer to `POST /v1/check`.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub verdict: Verdict,
    /// The worst severity among counting findings; `null` when none counted.
    pub max_severity: Option<Severity>,
    /// Every finding, with `span`, `line` and `column` relative to the field named by `target`
    /// (`body`, `name` for the author, `article`).
    pub findings: Vec<FindingRecord>,
    pub rules_fingerprint: String,
}

/// The one-comment thread built from a request, and where each field starts in its source.
#[derive(Debug, Clone)]
pub struct CommentThread {
    pub thread: Thread,
    pub name_start: Option<usize>,
    pub article_start: Option<usize>,
}

/// Separates the fields inside the thread source, so that no word runs across two of them.
const GAP: &str = "\n\n";

/// Build a thread of one comment whose source holds the body, then the author's name, then the
/// article, so that rules scoped to `name` and `article` see those fields. The body comes
/// first so its spans, lines and columns are already relative to the body.
///
/// The comment has no quoted passages: a lone comment gives no context to trace a quote to, and
/// treating `>` lines as quotes would let a commenter exempt their own words.
pub fn comment_thread(req: &CheckRequest) -> CommentThread {
    let author = req
        .author
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    let article = req.article.as_deref().filter(|a| !a.trim().is_empty());
    let mut source = String::with_capacity(
        req.body.len() + author.map_or(0, str::len) + article.map_or(0, str::len) + 2 * GAP.len(),
    );
    source.push_str(&req.body);
    let body = Span::new(0, req.body.len());
    let name_start = author.map(|a| {
        source.push_str(GAP);
        let start = source.len();
        source.push_str(a);
        start
    });
    let article_start = article.map(|a| {
        source.push_str(GAP);
        let start = source.len();
        source.push_str(a);
        start
    });
    let index = LineIndex::new(&source);
    let lines_of = |span: Span| {
        let last_byte = if span.is_empty() {
            span.start
        } else {
            span.end - 1
        };
        LineRange::new(index.line_of(span.start), index.line_of(last_byte))
    };
    let name_span = name_start
        .zip(author)
        .map(|(s, a)| Span::new(s, s + a.len()));
    let comment = Comment {
        author: author.map(str::to_string),
        name_line: name_span.map(|s| index.line_of(s.start)),
        name_span,
        lines: lines_of(body),
        span: body,
        quotes: Vec::new(),
        id: req.id.clone(),
    };
    let article = article_start.zip(article).map(|(s, a)| {
        let span = Span::new(s, s + a.len());
        Article {
            title: None,
            lines: lines_of(span),
            span,
        }
    });
    CommentThread {
        thread: Thread {
            name: req.id.clone().unwrap_or_else(|| "comment".to_string()),
            source,
            article,
            boilerplate: Vec::new(),
            comments: vec![comment],
        },
        name_start,
        article_start,
    }
}

impl CommentThread {
    /// The text of the field a finding lies in, and where it starts in the source.
    fn field(&self, target: Target) -> (&str, usize) {
        let source = &self.thread.source;
        let start = match target {
            Target::Body => Some(0),
            Target::Name => self.name_start,
            Target::Article => self.article_start,
        };
        let span = match target {
            Target::Body => self.thread.comments.first().map(|c| c.span),
            Target::Name => self.thread.comments.first().and_then(|c| c.name_span),
            Target::Article => self.thread.article.as_ref().map(|a| a.span),
        };
        match (start, span) {
            (Some(start), Some(span)) => (source.get(span.start..span.end).unwrap_or(""), start),
            _ => (source.as_str(), 0),
        }
    }

    /// A finding's record with its position made relative to its own field.
    pub fn record(&self, finding: &Finding) -> FindingRecord {
        let mut record = FindingRecord::new("-", &self.thread, finding);
        let (text, base) = self.field(finding.target);
        let start = finding.span[0].saturating_sub(base).min(text.len());
        let end = finding.span[1].saturating_sub(base).min(text.len());
        record.span = [start, end];
        // Columns count characters; a span that does not fall on a character boundary (it
        // should not) still gets a line and a byte-based column instead of a panic.
        let (line, column) = LineIndex::new(text).line_col(text, start);
        record.line = line;
        record.column = column;
        record
    }
}

/// Check one comment.
pub fn check_comment(engine: &Engine, policy: &Policy, req: &CheckRequest) -> CheckResponse {
    let built = comment_thread(req);
    let findings = engine.check_thread(&built.thread);
    let (verdict, max_severity) = policy.judge(&findings);
    CheckResponse {
        id: req.id.clone(),
        verdict,
        max_severity,
        findings: findings.iter().map(|f| built.record(f)).collect(),
        rules_fingerprint: engine.fingerprint().to_string(),
    }
}

/// `POST /v1/check-page` as JSON (`text/plain` bodies are the text itself).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageRequest {
    pub text: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// The answer to `POST /v1/check-page`: the segmented thread with findings per comment.
#[derive(Debug, Clone, Serialize)]
pub struct PageResponse {
    pub name: String,
    /// The worst verdict over the page's comments.
    pub verdict: Verdict,
    pub article: Option<PageArticle>,
    pub boilerplate: Vec<LineRange>,
    pub comments: Vec<PageComment>,
    pub rules_fingerprint: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageArticle {
    pub title: Option<usize>,
    pub lines: LineRange,
    pub span: Span,
    pub findings: Vec<FindingRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageComment {
    pub index: usize,
    pub author: Option<String>,
    pub name_line: Option<usize>,
    pub lines: LineRange,
    pub span: Span,
    pub quotes: Vec<Quote>,
    pub verdict: Verdict,
    pub max_severity: Option<Severity>,
    /// Findings in this comment's body and name; positions are into the page text.
    pub findings: Vec<FindingRecord>,
}

/// Segment a page and check it.
pub fn check_page(engine: &Engine, policy: &Policy, name: &str, text: String) -> PageResponse {
    let thread = segment::segment(name, text);
    let findings = engine.check_thread(&thread);
    let mut per_comment: Vec<Vec<&Finding>> = vec![Vec::new(); thread.comments.len()];
    let mut on_article = Vec::new();
    for f in &findings {
        match f.comment.and_then(|i| per_comment.get_mut(i)) {
            Some(list) => list.push(f),
            None => on_article.push(f),
        }
    }
    let record = |f: &Finding| FindingRecord::new(name, &thread, f);
    let comments: Vec<PageComment> = thread
        .comments
        .iter()
        .zip(&per_comment)
        .enumerate()
        .map(|(index, (c, found))| {
            let (verdict, max_severity) = policy.judge(found.iter().copied());
            PageComment {
                index,
                author: c.author.clone(),
                name_line: c.name_line,
                lines: c.lines,
                span: c.span,
                quotes: c.quotes.clone(),
                verdict,
                max_severity,
                findings: found.iter().map(|f| record(f)).collect(),
            }
        })
        .collect();
    let article = thread.article.as_ref().map(|a| PageArticle {
        title: a.title,
        lines: a.lines,
        span: a.span,
        findings: on_article.iter().map(|f| record(f)).collect(),
    });
    PageResponse {
        name: name.to_string(),
        verdict: comments
            .iter()
            .map(|c| c.verdict)
            .max()
            .unwrap_or(Verdict::Allow),
        article,
        boilerplate: thread.boilerplate.clone(),
        comments,
        rules_fingerprint: engine.fingerprint().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Category;

    fn finding(severity: Severity, quoted: bool) -> Finding {
        Finding {
            rule: "t/r".into(),
            category: Category::Insult,
            severity,
            target: Target::Body,
            comment: Some(0),
            span: [0, 1],
            line: 1,
            column: 1,
            matched: "x".into(),
            normalized: "x".into(),
            term: "x".into(),
            quoted,
            counts_when_quoted: false,
        }
    }

    #[test]
    fn verdict_follows_the_worst_counting_finding() {
        let policy = Policy::default();
        // (severities of counting findings, severities of quoted findings, verdict, max)
        type Row = (
            &'static [Severity],
            &'static [Severity],
            Verdict,
            Option<Severity>,
        );
        let table: &[Row] = &[
            (&[], &[], Verdict::Allow, None),
            (&[Severity::Low], &[], Verdict::Allow, Some(Severity::Low)),
            (
                &[Severity::Medium],
                &[],
                Verdict::Review,
                Some(Severity::Medium),
            ),
            (
                &[Severity::High, Severity::Low],
                &[],
                Verdict::Review,
                Some(Severity::High),
            ),
            (
                &[Severity::Critical],
                &[],
                Verdict::Block,
                Some(Severity::Critical),
            ),
            (
                &[Severity::Low],
                &[Severity::Critical],
                Verdict::Allow,
                Some(Severity::Low),
            ),
        ];
        for (counting, quoted, want, max) in table {
            let found: Vec<Finding> = counting
                .iter()
                .map(|s| finding(*s, false))
                .chain(quoted.iter().map(|s| finding(*s, true)))
                .collect();
            assert_eq!(
                policy.judge(&found),
                (*want, *max),
                "{counting:?} {quoted:?}"
            );
        }
        let mut on_article = finding(Severity::Critical, false);
        on_article.target = Target::Article;
        on_article.comment = None;
        assert_eq!(policy.judge([&on_article]), (Verdict::Allow, None));
        let strict = Policy {
            review_at: Severity::Low,
            block_at: Severity::High,
        };
        assert_eq!(strict.verdict(Some(Severity::Low)), Verdict::Review);
        assert_eq!(strict.verdict(Some(Severity::High)), Verdict::Block);
    }

    #[test]
    fn comment_thread_places_each_field_at_its_span() {
        let req = CheckRequest {
            body: "first line\nsecond line\n".into(),
            author: Some("  Some Name ".into()),
            article: Some("Headline\nText".into()),
            id: Some("c-1".into()),
        };
        let built = comment_thread(&req);
        let t = &built.thread;
        let c = &t.comments[0];
        assert_eq!(&t.source[c.span.start..c.span.end], req.body);
        assert_eq!(c.lines, LineRange::new(1, 2));
        let name = c.name_span.unwrap();
        assert_eq!(&t.source[name.start..name.end], "Some Name");
        assert_eq!(c.author.as_deref(), Some("Some Name"));
        // The body's own newline, then the two-newline gap: the name is on line 5.
        assert_eq!(c.name_line, Some(5));
        let a = t.article.as_ref().unwrap();
        assert_eq!(&t.source[a.span.start..a.span.end], "Headline\nText");
        assert_eq!(a.lines, LineRange::new(7, 8));
        assert_eq!(c.id.as_deref(), Some("c-1"));
    }

    #[test]
    fn records_are_relative_to_their_field() {
        let req = CheckRequest {
            body: "hello".into(),
            author: Some("Bad Name".into()),
            article: Some("x\nthe word".into()),
            id: None,
        };
        let built = comment_thread(&req);
        let src = &built.thread.source;
        let at = |needle: &str, target: Target| {
            let start = src.rfind(needle).unwrap();
            let mut f = finding(Severity::Low, false);
            f.target = target;
            f.comment = (target != Target::Article).then_some(0);
            f.span = [start, start + needle.len()];
            built.record(&f)
        };
        let name = at("Bad", Target::Name);
        assert_eq!((name.span, name.line, name.column), ([0, 3], 1, 1));
        assert_eq!(name.author.as_deref(), Some("Bad Name"));
        let art = at("word", Target::Article);
        assert_eq!((art.span, art.line, art.column), ([6, 10], 2, 5));
        let body = at("llo", Target::Body);
        assert_eq!((body.span, body.line, body.column), ([2, 5], 1, 3));
    }

    #[test]
    fn blank_author_and_article_are_left_out() {
        let req = CheckRequest {
            body: String::new(),
            author: Some("   ".into()),
            article: Some("".into()),
            id: None,
        };
        let built = comment_thread(&req);
        assert_eq!(built.thread.source, "");
        assert!(built.thread.article.is_none());
        assert!(built.thread.comments[0].name_span.is_none());
        assert_eq!(built.thread.comments[0].lines, LineRange::new(1, 1));
    }

    #[test]
    fn ids_may_be_strings_or_integers() {
        let table = [
            (r#"{"body":"x","id":"a-1"}"#, Some("a-1")),
            (r#"{"body":"x","id":42}"#, Some("42")),
            (r#"{"body":"x","id":null}"#, None),
            (r#"{"body":"x"}"#, None),
        ];
        for (json, want) in table {
            let req: CheckRequest = serde_json::from_str(json).unwrap();
            assert_eq!(req.id.as_deref(), want, "{json}");
        }
        let err = serde_json::from_str::<CheckRequest>(r#"{"body":"x","id":[1]}"#).unwrap_err();
        assert!(err.to_string().contains("`id` must be"), "{err}");
        let err = serde_json::from_str::<CheckRequest>(r#"{"text":"x"}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field `text`"), "{err}");
    }
}
