//! Reporters: small renderers over findings. They never search and never segment.
//!
//! [`FindingRecord`] is the one serialised shape of a finding, shared by `check --format
//! json|jsonl`, SARIF properties and `serve`. A run is rendered as a stream: the caller hands
//! each thread's findings to a [`Reporter`] as soon as they are known, in input order, and calls
//! [`Reporter::finish`] with the [`Summary`] at the end. No reporter keeps the findings of
//! earlier threads (only `--by-author` keeps one row per commenter), so memory does not grow
//! with the size of the input.

pub mod by_author;
pub mod github;
pub mod json;
pub mod sarif;
pub mod text;

use crate::engine::Engine;
use crate::finding::{Category, Finding, Severity, Target};
use crate::thread::Thread;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

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
    /// JSON Lines input only: the 1-based line of the input file holding the comment's record.
    /// `line`, `column` and `span` are then relative to the comment's body (or name, or the
    /// article), because the body is escaped inside the JSON line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_line: Option<usize>,
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
            record_line: None,
        }
    }
}

/// What a reporter needs to know about one rule (SARIF lists them up front).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    pub id: String,
    pub category: Category,
    pub severity: Severity,
    pub summary: String,
    pub why: String,
}

/// The run's identity: tool version, rule-set fingerprint, the rules.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    pub version: String,
    pub fingerprint: String,
    pub rules: Vec<RuleInfo>,
}

impl RunInfo {
    pub fn new(engine: &Engine) -> RunInfo {
        let mut rules: Vec<RuleInfo> = engine
            .sets()
            .iter()
            .flat_map(|s| &s.rules)
            .map(|r| RuleInfo {
                id: r.full_id.clone(),
                category: r.category,
                severity: r.severity,
                summary: r.summary.clone(),
                why: r.why.clone(),
            })
            .collect();
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        RunInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            fingerprint: engine.fingerprint().to_string(),
            rules,
        }
    }
}

/// One reported finding: the engine's finding (positions in `Thread::source`, used to cut
/// context) and its record (positions as the user should read them).
#[derive(Debug, Clone)]
pub struct Reported {
    pub finding: Finding,
    pub record: FindingRecord,
    /// What makes the finding the same finding across runs (baselines, SARIF fingerprints).
    /// `None` unless the run uses it: a baseline, or a format whose
    /// [`Reporter::uses_identities`] says so.
    pub identity: Option<crate::baseline::Identity>,
}

/// One thread and the findings to report in it, in output order.
#[derive(Debug)]
pub struct ThreadReport<'a> {
    pub path: &'a str,
    pub thread: &'a Thread,
    /// The thread came from JSON Lines input (positions are relative to each comment).
    pub jsonl: bool,
    pub items: Vec<Reported>,
}

/// Counts of comments by the worst severity among their reported findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BySeverity {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
}

impl BySeverity {
    pub fn add(&mut self, s: Severity) {
        match s {
            Severity::Critical => self.critical += 1,
            Severity::High => self.high += 1,
            Severity::Medium => self.medium += 1,
            Severity::Low => self.low += 1,
        }
    }
    pub fn total(&self) -> usize {
        self.critical + self.high + self.medium + self.low
    }
}

/// Totals of a run, for the closing summary of every format that has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Threads checked (with or without findings).
    pub threads: usize,
    /// Comments checked.
    pub comments: usize,
    /// Findings reported (after `--min-severity`, `--category`, `--rule` and `--baseline`).
    pub findings: usize,
    /// Of those, findings inside quoted passages that do not count toward the commenter.
    pub quoted: usize,
    /// Comments with at least one counting finding, by the worst severity among them.
    pub flagged: BySeverity,
    /// Findings accepted by `--baseline` and not reported.
    #[serde(default)]
    pub baselined: usize,
    /// Inputs or lines that could not be read.
    pub errors: usize,
    /// The `--fail-on` level.
    pub fail_on: Severity,
    /// Whether a counting finding at or above `fail_on` was reported.
    pub failed: bool,
}

impl Summary {
    pub fn new(fail_on: Severity) -> Summary {
        Summary {
            threads: 0,
            comments: 0,
            findings: 0,
            quoted: 0,
            flagged: BySeverity::default(),
            baselined: 0,
            errors: 0,
            fail_on,
            failed: false,
        }
    }

    /// Count a thread and its reported findings.
    pub fn add(&mut self, report: &ThreadReport) {
        self.threads += 1;
        self.comments += report.thread.comments.len();
        self.findings += report.items.len();
        let mut worst: Option<(Option<usize>, Severity)> = None;
        for r in &report.items {
            let f = &r.finding;
            if !f.counts() {
                self.quoted += 1;
                continue;
            }
            if f.severity >= self.fail_on {
                self.failed = true;
            }
            // Article findings are not a comment: they are counted as findings only.
            let Some(c) = f.comment else { continue };
            match worst {
                Some((Some(w), s)) if w == c => {
                    worst = Some((Some(c), s.max(f.severity)));
                }
                _ => {
                    if let Some((_, s)) = worst {
                        self.flagged.add(s);
                    }
                    worst = Some((Some(c), f.severity));
                }
            }
        }
        if let Some((_, s)) = worst {
            self.flagged.add(s);
        }
    }
}

/// A renderer for one output format.
pub trait Reporter {
    /// Called once before any thread.
    fn begin(&mut self, out: &mut dyn Write, run: &RunInfo) -> io::Result<()>;
    /// Called for every thread checked, in input order, findings or not.
    fn thread(&mut self, out: &mut dyn Write, report: &ThreadReport) -> io::Result<()>;
    /// Called once at the end.
    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()>;
    /// Whether this format shows [`Reported::identity`]. It hashes the whole text each
    /// finding sits in, so it is computed only for formats (and baselines) that use it.
    fn uses_identities(&self) -> bool {
        false
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Hand-built threads and findings for the renderers' unit tests.
    use super::*;
    use crate::thread::{Comment, LineIndex, LineRange, Quote, Span};

    pub const PAGE: &str = "Headline about rats\n\nAnn\nThey are rats, all of them.\n\nBob\n> They are rats\nNo they are not, you idiot.\n";

    pub fn thread() -> Thread {
        let at = |s: &str| PAGE.find(s).unwrap();
        let body1 = at("They are rats,");
        let body2 = at("> They");
        Thread {
            name: "page.txt".into(),
            source: PAGE.into(),
            article: None,
            boilerplate: vec![],
            comments: vec![
                Comment {
                    author: Some("Ann".into()),
                    name_line: Some(3),
                    name_span: Some(Span::new(at("Ann"), at("Ann") + 3)),
                    lines: LineRange::new(4, 4),
                    span: Span::new(body1, body1 + "They are rats, all of them.".len()),
                    quotes: vec![],
                    id: None,
                },
                Comment {
                    author: None,
                    name_line: None,
                    name_span: None,
                    lines: LineRange::new(7, 8),
                    span: Span::new(body2, PAGE.len() - 1),
                    quotes: vec![Quote {
                        lines: LineRange::new(7, 7),
                        span: Span::new(body2, body2 + "> They are rats".len()),
                        source: None,
                    }],
                    id: None,
                },
            ],
        }
    }

    pub fn finding(
        comment: usize,
        needle: &str,
        nth: usize,
        rule: &str,
        severity: Severity,
        quoted: bool,
    ) -> Finding {
        let start = PAGE.match_indices(needle).nth(nth).unwrap().0;
        let (line, column) = LineIndex::new(PAGE).line_col(PAGE, start);
        Finding {
            rule: rule.into(),
            category: if rule.starts_with("insult") {
                Category::Insult
            } else {
                Category::Antisemitism
            },
            severity,
            target: Target::Body,
            comment: Some(comment),
            span: [start, start + needle.len()],
            line,
            column,
            matched: needle.into(),
            normalized: needle.to_lowercase(),
            term: needle.to_lowercase(),
            quoted,
            counts_when_quoted: false,
        }
    }

    pub fn report(thread: &Thread) -> ThreadReport<'_> {
        let findings = vec![
            finding(0, "rats", 1, "demo/vermin", Severity::High, false),
            finding(1, "rats", 2, "demo/vermin", Severity::High, true),
            finding(1, "idiot", 0, "insult/idiot", Severity::Medium, false),
        ];
        ThreadReport {
            path: "page.txt",
            thread,
            jsonl: false,
            items: findings
                .into_iter()
                .map(|f| Reported {
                    record: FindingRecord::new("page.txt", thread, &f),
                    identity: Some(crate::baseline::Identity::of(thread, &f)),
                    finding: f,
                })
                .collect(),
        }
    }

    pub fn run() -> RunInfo {
        RunInfo {
            version: "0.1.0".into(),
            fingerprint: "fp123".into(),
            rules: vec![
                RuleInfo {
                    id: "demo/vermin".into(),
                    category: Category::Antisemitism,
                    severity: Severity::High,
                    summary: "Dehumanising vermin language.".into(),
                    why: "Calls people vermin.".into(),
                },
                RuleInfo {
                    id: "insult/idiot".into(),
                    category: Category::Insult,
                    severity: Severity::Medium,
                    summary: "Calls someone an idiot.".into(),
                    why: "Insults derail threads.".into(),
                },
            ],
        }
    }

    /// Render one thread with `reporter` and return the output.
    pub fn render(reporter: &mut dyn Reporter) -> String {
        let thread = thread();
        let report = report(&thread);
        let mut summary = Summary::new(Severity::High);
        summary.add(&report);
        let mut out = Vec::new();
        reporter.begin(&mut out, &run()).unwrap();
        reporter.thread(&mut out, &report).unwrap();
        reporter.finish(&mut out, &summary).unwrap();
        String::from_utf8(out).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn summary_counts_flagged_comments_by_worst_counting_severity() {
        let thread = thread();
        let report = report(&thread);
        let mut s = Summary::new(Severity::High);
        s.add(&report);
        assert_eq!((s.threads, s.comments, s.findings, s.quoted), (1, 2, 3, 1));
        // Ann: high; Bob: the quoted "rats" does not count, his own "idiot" is medium.
        assert_eq!(
            s.flagged,
            BySeverity {
                critical: 0,
                high: 1,
                medium: 1,
                low: 0
            }
        );
        assert!(s.failed);
        let mut s = Summary::new(Severity::Critical);
        s.add(&report);
        assert!(!s.failed);
    }
}
