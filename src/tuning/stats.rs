//! `stats`: per rule, what fired on a corpus and how often, and what never fired.
//!
//! Fed one thread and its findings at a time; keeps counts only (plus a few contexts per rule),
//! so a large corpus costs memory per rule, not per finding.

use super::corpus::Unit;
use crate::finding::{Category, Finding, Severity};
use crate::rules::{RuleSet, Term, TermMode};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;

/// How many matched forms and contexts each rule shows.
pub const FORMS: usize = 5;
pub const CONTEXTS: usize = 3;
/// How many never-fired terms per rule the text view lists.
pub const TERMS_SHOWN: usize = 8;

/// The statistics of one corpus run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsReport {
    /// Input files, threads and comments read.
    pub files: usize,
    pub threads: usize,
    pub comments: usize,
    /// Every finding, quoted ones included.
    pub findings: usize,
    /// Rules that fired at least once, most findings first.
    pub rules: Vec<RuleStats>,
    /// Full ids of rules with no finding at all.
    pub never_fired: Vec<String>,
    /// Per rule that did fire, its `terms` entries and the top-level alternatives of its regex
    /// that never matched.
    pub terms_never_fired: Vec<UnfiredTerms>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleStats {
    pub rule: String,
    pub category: Category,
    pub severity: Severity,
    pub findings: usize,
    /// Findings inside quoted passages (reported, not the commenter's own words).
    pub quoted: usize,
    /// Distinct comments with at least one finding of this rule.
    pub comments: usize,
    /// Findings on articles.
    pub article: usize,
    /// Most frequent normalised matched forms, most frequent first.
    pub forms: Vec<Form>,
    /// How often each of the rule's terms matched, as `Finding::term` names it (`stem*`,
    /// `a ~ b` for a `near` pair, the pattern for a regex), most frequent first.
    pub terms: Vec<TermCount>,
    /// The first few matches in corpus order, with the text around them.
    pub contexts: Vec<Context>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Form {
    pub form: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TermCount {
    pub term: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Context {
    pub path: String,
    /// The comment's external id (JSON Lines input).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The line in the input file: of the match in page text, of the comment's record in JSON
    /// Lines.
    pub line: usize,
    /// Column of the match, for page text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    pub before: String,
    pub matched: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnfiredTerms {
    pub rule: String,
    pub terms: Vec<String>,
}

struct Acc {
    category: Category,
    severity: Severity,
    findings: usize,
    quoted: usize,
    article: usize,
    comments: BTreeSet<(usize, usize)>,
    forms: HashMap<String, usize>,
    /// Per `Finding::term` as reported.
    terms: HashMap<String, usize>,
    contexts: Vec<Context>,
}

/// Accumulates findings thread by thread.
pub struct Stats<'a> {
    sets: &'a [RuleSet],
    files: BTreeSet<String>,
    threads: usize,
    comments: usize,
    findings: usize,
    per_rule: HashMap<String, Acc>,
}

/// A term as the rule file writes it: `stem*`, `*ending`, or the word.
pub fn term_label(term: &Term) -> String {
    match term.mode {
        TermMode::Word => term.text.clone(),
        TermMode::Prefix => format!("{}*", term.text),
        TermMode::Suffix => format!("*{}", term.text),
    }
}

/// The key under which a term and `Finding::term` are compared: lower case, without `*`
/// markers, so it does not matter whether the engine reports the term as written or normalised.
fn term_key(s: &str) -> String {
    s.trim_matches('*').to_lowercase()
}

/// Characters of context shown on each side of a match.
const CONTEXT_CHARS: usize = 40;

fn context(unit: &Unit, f: &Finding) -> Context {
    let thread = &unit.thread;
    let source = thread.source.as_str();
    let [start, end] = f.span;
    let (start, end) = (start.min(source.len()), end.min(source.len()));
    // `get` rather than indexing: a span off a character boundary gives an empty context, not
    // a panic.
    let line_start = source
        .get(..start)
        .and_then(|s| s.rfind(['\n', '\r']))
        .map_or(0, |i| i + 1);
    let line_end = source
        .get(end..)
        .and_then(|s| s.find(['\n', '\r']))
        .map_or(source.len(), |i| end + i);
    let before: Vec<char> = source
        .get(line_start..start)
        .unwrap_or("")
        .chars()
        .collect();
    let before: String = before[before.len().saturating_sub(CONTEXT_CHARS)..]
        .iter()
        .collect();
    let after: String = source
        .get(end..line_end)
        .unwrap_or("")
        .chars()
        .take(CONTEXT_CHARS)
        .collect();
    Context {
        path: unit.path.clone(),
        id: f
            .comment
            .and_then(|c| thread.comments.get(c))
            .and_then(|c| c.id.clone()),
        line: unit.file_line(f),
        column: unit.is_page().then_some(f.column),
        before,
        matched: source.get(start..end).unwrap_or(&f.matched).to_string(),
        after,
    }
}

impl<'a> Stats<'a> {
    pub fn new(sets: &'a [RuleSet]) -> Stats<'a> {
        Stats {
            sets,
            files: BTreeSet::new(),
            threads: 0,
            comments: 0,
            findings: 0,
            per_rule: HashMap::new(),
        }
    }

    /// Count one thread's findings.
    pub fn add(&mut self, unit: &Unit, findings: &[Finding]) {
        let thread = &unit.thread;
        self.files.insert(unit.path.clone());
        let thread_no = self.threads;
        self.threads += 1;
        self.comments += thread.comments.len();
        self.findings += findings.len();
        for f in findings {
            let acc = self.per_rule.entry(f.rule.clone()).or_insert_with(|| Acc {
                category: f.category,
                severity: f.severity,
                findings: 0,
                quoted: 0,
                article: 0,
                comments: BTreeSet::new(),
                forms: HashMap::new(),
                terms: HashMap::new(),
                contexts: Vec::new(),
            });
            acc.findings += 1;
            acc.quoted += usize::from(f.quoted);
            match f.comment {
                Some(c) if f.target != crate::finding::Target::Article => {
                    acc.comments.insert((thread_no, c));
                }
                _ => acc.article += 1,
            }
            let form = if f.normalized.is_empty() {
                f.matched.to_lowercase()
            } else {
                f.normalized.clone()
            };
            *acc.forms.entry(form).or_default() += 1;
            *acc.terms.entry(f.term.clone()).or_default() += 1;
            if acc.contexts.len() < CONTEXTS {
                acc.contexts.push(context(unit, f));
            }
        }
    }

    pub fn finish(self) -> StatsReport {
        let mut rules = Vec::new();
        let mut never_fired = Vec::new();
        let mut terms_never_fired = Vec::new();
        let mut known = BTreeSet::new();
        for set in self.sets {
            for rule in &set.rules {
                known.insert(rule.full_id.clone());
                let Some(acc) = self.per_rule.get(&rule.full_id) else {
                    never_fired.push(rule.full_id.clone());
                    continue;
                };
                let fired: BTreeSet<String> = acc.terms.keys().map(|t| term_key(t)).collect();
                let mut unfired: Vec<String> = rule
                    .terms
                    .iter()
                    .filter(|t| !fired.contains(&term_key(&t.text)))
                    .map(term_label)
                    .collect();
                // A regex finding names the alternative that matched, as written.
                if let Some(re) = &rule.regex {
                    let alternatives = crate::engine::regex_alternatives(&re.pattern);
                    unfired.extend(
                        alternatives
                            .into_iter()
                            .filter(|a| !acc.terms.contains_key(a)),
                    );
                }
                if !unfired.is_empty() {
                    terms_never_fired.push(UnfiredTerms {
                        rule: rule.full_id.clone(),
                        terms: unfired,
                    });
                }
                rules.push(summarise(&rule.full_id, acc));
            }
        }
        // Findings of a rule the sets do not list cannot happen with one engine, but a report
        // must not drop counts silently.
        let mut extra: BTreeMap<&String, &Acc> = BTreeMap::new();
        for (id, acc) in &self.per_rule {
            if !known.contains(id) {
                extra.insert(id, acc);
            }
        }
        for (id, acc) in extra {
            rules.push(summarise(id, acc));
        }
        rules.sort_by(|a, b| {
            b.findings
                .cmp(&a.findings)
                .then_with(|| a.rule.cmp(&b.rule))
        });
        never_fired.sort();
        terms_never_fired.sort_by(|a, b| a.rule.cmp(&b.rule));
        StatsReport {
            files: self.files.len(),
            threads: self.threads,
            comments: self.comments,
            findings: self.findings,
            rules,
            never_fired,
            terms_never_fired,
        }
    }
}

fn summarise(id: &str, acc: &Acc) -> RuleStats {
    let mut forms: Vec<Form> = acc
        .forms
        .iter()
        .map(|(form, &count)| Form {
            form: form.clone(),
            count,
        })
        .collect();
    forms.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.form.cmp(&b.form)));
    forms.truncate(FORMS);
    let mut terms: Vec<TermCount> = acc
        .terms
        .iter()
        .map(|(term, &count)| TermCount {
            term: term.clone(),
            count,
        })
        .collect();
    terms.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.term.cmp(&b.term)));
    RuleStats {
        rule: id.to_string(),
        category: acc.category,
        severity: acc.severity,
        findings: acc.findings,
        quoted: acc.quoted,
        comments: acc.comments.len(),
        article: acc.article,
        forms,
        terms,
        contexts: acc.contexts.clone(),
    }
}

/// Control characters (tabs, stray line breaks) as spaces, so a context stays on one line.
fn flat(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Render a report for people.
pub fn write_text(out: &mut dyn Write, r: &StatsReport) -> std::io::Result<()> {
    writeln!(
        out,
        "{} file(s), {} thread(s), {} comment(s), {} finding(s)",
        r.files, r.threads, r.comments, r.findings
    )?;
    for rule in &r.rules {
        writeln!(out)?;
        writeln!(
            out,
            "{} ({}, {}): {} finding(s) in {} comment(s){}{}",
            rule.rule,
            rule.category,
            rule.severity,
            rule.findings,
            rule.comments,
            if rule.article > 0 {
                format!(", {} in articles", rule.article)
            } else {
                String::new()
            },
            if rule.quoted > 0 {
                format!(", {} quoted", rule.quoted)
            } else {
                String::new()
            },
        )?;
        let forms: Vec<String> = rule
            .forms
            .iter()
            .map(|f| format!("{:?} x{}", f.form, f.count))
            .collect();
        writeln!(out, "  forms: {}", forms.join(", "))?;
        // Regex patterns can run to hundreds of characters; the text view shortens them.
        let terms: Vec<String> = rule
            .terms
            .iter()
            .take(FORMS)
            .map(|t| format!("{} x{}", super::one_line(&t.term, 40), t.count))
            .collect();
        let more = match rule.terms.len().saturating_sub(FORMS) {
            0 => String::new(),
            n => format!(" (+{n} more)"),
        };
        writeln!(out, "  terms: {}{more}", terms.join(", "))?;
        for c in &rule.contexts {
            let place = match (&c.id, c.column) {
                (Some(id), _) => format!("{}:{} id {id}", c.path, c.line),
                (None, Some(col)) => format!("{}:{}:{col}", c.path, c.line),
                (None, None) => format!("{}:{}", c.path, c.line),
            };
            writeln!(
                out,
                "  {place}: {}[{}]{}",
                flat(&c.before),
                flat(&c.matched),
                flat(&c.after)
            )?;
        }
    }
    writeln!(out)?;
    if r.never_fired.is_empty() {
        writeln!(out, "every rule fired")?;
    } else {
        writeln!(out, "rules that never fired ({}):", r.never_fired.len())?;
        for id in &r.never_fired {
            writeln!(out, "  {id}")?;
        }
    }
    if !r.terms_never_fired.is_empty() {
        writeln!(out, "terms that never fired, in rules that did:")?;
        for t in &r.terms_never_fired {
            // Bundled rules list dozens of variants; the text view shows the first few (JSON
            // has them all).
            let shown = t.terms.len().min(TERMS_SHOWN);
            let more = match t.terms.len() - shown {
                0 => String::new(),
                n => format!(" (+{n} more)"),
            };
            let terms: Vec<String> = t.terms[..shown]
                .iter()
                .map(|term| super::one_line(term, 40))
                .collect();
            writeln!(out, "  {}: {}{more}", t.rule, terms.join(", "))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::thread::{Comment, LineRange, Span, Thread};
    use crate::tuning::testutil::{finding, set};
    use Category::*;
    use Severity::*;

    fn thread(source: &str, comments: usize) -> Thread {
        Thread {
            name: "t".into(),
            source: source.into(),
            article: None,
            boilerplate: Vec::new(),
            comments: (0..comments)
                .map(|_| Comment {
                    author: None,
                    name_line: None,
                    name_span: None,
                    lines: LineRange::new(1, 1),
                    span: Span::new(0, source.len()),
                    quotes: Vec::new(),
                    id: None,
                })
                .collect(),
        }
    }

    #[test]
    fn counts_forms_contexts_and_what_never_fired() {
        let sets = vec![set(&[
            ("t/a", Insult, Medium, &["idiot", "fool*", "dolt"]),
            ("t/b", Profanity, Low, &["damn"]),
        ])];
        let src = "you idiot, Idiot\nfoolish";
        let t = thread(src, 2);
        let mut f3 = finding("t/a", Insult, Medium, 1, 17, "foolish");
        f3.term = "fool".into();
        f3.quoted = true;
        let fs = vec![
            finding("t/a", Insult, Medium, 0, 4, "idiot"),
            finding("t/a", Insult, Medium, 0, 11, "Idiot"),
            f3,
        ];
        let unit = |thread| Unit {
            path: "x.txt".into(),
            thread,
            record_lines: None,
            article_line: None,
        };
        let mut s = Stats::new(&sets);
        s.add(&unit(t), &fs);
        s.add(&unit(thread("nothing", 1)), &[]);
        let r = s.finish();
        assert_eq!((r.files, r.threads, r.comments, r.findings), (1, 2, 3, 3));
        assert_eq!(r.rules.len(), 1);
        let a = &r.rules[0];
        assert_eq!((a.findings, a.comments, a.quoted, a.article), (3, 2, 1, 0));
        assert_eq!(
            a.forms,
            [
                Form {
                    form: "idiot".into(),
                    count: 2
                },
                Form {
                    form: "foolish".into(),
                    count: 1
                }
            ]
        );
        assert_eq!(
            a.terms,
            [
                TermCount {
                    term: "idiot".into(),
                    count: 2
                },
                TermCount {
                    term: "fool".into(),
                    count: 1
                }
            ]
        );
        assert_eq!(a.contexts.len(), 3);
        assert_eq!(
            (
                a.contexts[1].before.as_str(),
                a.contexts[1].matched.as_str(),
                a.contexts[1].after.as_str()
            ),
            ("you idiot, ", "Idiot", "")
        );
        assert_eq!(r.never_fired, ["t/b"]);
        assert_eq!(
            r.terms_never_fired,
            [UnfiredTerms {
                rule: "t/a".into(),
                terms: vec!["dolt".into()]
            }]
        );
    }

    /// A regex's top-level alternatives are listed like terms when no finding named them.
    #[test]
    fn regex_alternatives_that_never_matched_are_listed() {
        let mut sets = vec![set(&[("t/r", Insult, Low, &[])])];
        sets[0].rules[0].regex = Some(crate::rules::RegexSpec {
            pattern: r"\bfoo\b|\bba(r|z)\b|\bqux\b".into(),
            line: 1,
            column: 1,
        });
        let mut f = finding("t/r", Insult, Low, 0, 0, "foo");
        f.term = r"\bfoo\b".into();
        let mut s = Stats::new(&sets);
        s.add(
            &Unit {
                path: "x.txt".into(),
                thread: thread("foo", 1),
                record_lines: None,
                article_line: None,
            },
            &[f],
        );
        let r = s.finish();
        assert_eq!(
            r.terms_never_fired,
            [UnfiredTerms {
                rule: "t/r".into(),
                terms: vec![r"\bba(r|z)\b".into(), r"\bqux\b".into()]
            }]
        );
    }

    #[test]
    fn text_view_shortens_long_term_lists() {
        let terms: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        let r = StatsReport {
            files: 1,
            threads: 1,
            comments: 1,
            findings: 0,
            rules: Vec::new(),
            never_fired: Vec::new(),
            terms_never_fired: vec![UnfiredTerms {
                rule: "s/r".into(),
                terms,
            }],
        };
        let mut out = Vec::new();
        write_text(&mut out, &r).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("  s/r: t0, t1, t2, t3, t4, t5, t6, t7 (+3 more)\n"),
            "{text}"
        );
    }
}
