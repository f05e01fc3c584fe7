//! JSON Lines comment input: one comment per line, grouped into threads, read as a stream.
//!
//! Each line is an object `{"id", "author", "body", "thread"}` with an optional `article`;
//! other keys are ignored, `id` and `thread` may be strings or numbers. Consecutive lines with
//! the same `thread` form one [`Thread`]; lines without `thread` form a thread named after the
//! file. Only the thread being built is held in memory, so the memory a file needs is bounded
//! by its largest thread, not by its size.
//!
//! This module builds threads and maps engine positions back to the comment they came from.
//! It must not match rules or print anything: a line that does not parse is handed to the
//! caller as [`Item::Error`] naming the line, and reading goes on.
//!
//! The thread text the engine sees is laid out as `article`, then for each comment its author
//! on a line of its own and its body, blocks separated by a blank line. Lines of a body that
//! start with `>` are quoted passages (the usual mail and forum convention), so a match inside
//! them is reported as quoted. Positions reported to the user are relative to the comment's
//! body (or name, or article): see [`JsonlThread::relocate`].

use crate::finding::{Finding, Target};
use crate::thread::{Article, Comment, LineIndex, LineRange, Quote, Span, Thread};
use serde::Deserialize;
use std::io::BufRead;

#[derive(Deserialize)]
#[serde(untagged)]
enum Key {
    Text(String),
    Number(serde_json::Number),
}

impl Key {
    fn into_string(self) -> String {
        match self {
            Key::Text(s) => s,
            Key::Number(n) => n.to_string(),
        }
    }
}

#[derive(Deserialize)]
struct Record {
    #[serde(default)]
    id: Option<Key>,
    #[serde(default)]
    author: Option<String>,
    body: String,
    #[serde(default)]
    thread: Option<Key>,
    #[serde(default)]
    article: Option<String>,
}

/// The group of records being built: its `thread` key, its article (text and record line) and
/// its comments.
struct Group {
    key: Option<String>,
    article: Option<(String, usize)>,
    comments: Vec<Pending>,
}

/// One comment record, as read.
struct Pending {
    id: Option<String>,
    author: Option<String>,
    body: String,
    /// 1-based line of the record in the input.
    line: usize,
}

/// A thread built from consecutive JSON Lines records, with where each comment came from.
#[derive(Debug, Clone)]
pub struct JsonlThread {
    pub thread: Thread,
    /// For each comment, the 1-based line of its record in the input file.
    pub record_lines: Vec<usize>,
    /// The line of the record that carried the article, if any did.
    pub article_line: Option<usize>,
}

/// What the reader yields: a finished thread, or a line that could not be read as a comment.
#[derive(Debug)]
pub enum Item {
    Thread(JsonlThread),
    Error { line: usize, message: String },
}

/// Reads threads from a JSON Lines stream, one at a time.
pub struct Reader<R> {
    input: R,
    /// Name for records without a `thread` key.
    default_name: String,
    line: usize,
    buf: Vec<u8>,
    /// The group being built: its key, article and comments.
    group: Option<Group>,
    lossy: bool,
    done: bool,
}

impl<R: BufRead> Reader<R> {
    /// `default_name` names the thread of records that have no `thread` key (the file's path).
    pub fn new(input: R, default_name: &str) -> Reader<R> {
        Reader {
            input,
            default_name: default_name.to_string(),
            line: 0,
            buf: Vec::new(),
            group: None,
            lossy: false,
            done: false,
        }
    }

    /// Whether any line so far held invalid UTF-8 (replaced with U+FFFD).
    pub fn lossy(&self) -> bool {
        self.lossy
    }

    fn finish_group(&mut self) -> Option<Item> {
        let Group {
            key,
            article,
            comments,
        } = self.group.take()?;
        let name = key.unwrap_or_else(|| self.default_name.clone());
        Some(Item::Thread(build(name, article, comments)))
    }
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = std::io::Result<Item>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return self.finish_group().map(Ok);
            }
            self.buf.clear();
            match self.input.read_until(b'\n', &mut self.buf) {
                Ok(0) => {
                    self.done = true;
                    continue;
                }
                Ok(_) => {}
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
            self.line += 1;
            let line = self.line;
            let raw = if line == 1 {
                self.buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&self.buf)
            } else {
                &self.buf[..]
            };
            let text = match std::str::from_utf8(raw) {
                Ok(t) => std::borrow::Cow::Borrowed(t),
                Err(_) => {
                    self.lossy = true;
                    String::from_utf8_lossy(raw)
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            let record: Record = match serde_json::from_str(&text) {
                Ok(r) => r,
                Err(e) => {
                    // serde_json appends "at line 1 column N"; within one record only the
                    // column says anything.
                    let text = e.to_string();
                    let text = text.rfind(" at line ").map_or(&text[..], |i| &text[..i]);
                    return Some(Ok(Item::Error {
                        line,
                        message: format!("not a comment record: {text} (column {})", e.column()),
                    }));
                }
            };
            let key = record.thread.map(Key::into_string);
            let pending = Pending {
                id: record.id.map(Key::into_string),
                author: record.author.filter(|a| !a.trim().is_empty()),
                body: record.body,
                line,
            };
            let article = record.article.map(|a| (a, line));
            if let Some(group) = self.group.as_mut().filter(|g| g.key == key) {
                if group.article.is_none() {
                    group.article = article;
                }
                group.comments.push(pending);
                continue;
            }
            let finished = self.finish_group();
            self.group = Some(Group {
                key,
                article,
                comments: vec![pending],
            });
            if let Some(item) = finished {
                return Some(Ok(item));
            }
        }
    }
}

/// Lay the comments out as one source text and describe it as a thread.
fn build(name: String, article: Option<(String, usize)>, comments: Vec<Pending>) -> JsonlThread {
    let mut source = String::new();
    let mut article_span = None;
    let mut article_line = None;
    if let Some((text, line)) = article {
        source.push_str(&text);
        article_span = Some(Span::new(0, text.len()));
        article_line = Some(line);
        source.push_str("\n\n");
    }
    struct Placed {
        name_span: Option<Span>,
        span: Span,
    }
    let mut placed = Vec::with_capacity(comments.len());
    for c in &comments {
        let name_span = c.author.as_ref().map(|a| {
            let start = source.len();
            // A name is one line of the layout; a newline inside it would shift the body.
            source.push_str(&a.replace(['\n', '\r'], " "));
            let span = Span::new(start, source.len());
            source.push('\n');
            span
        });
        let start = source.len();
        source.push_str(&c.body);
        placed.push(Placed {
            name_span,
            span: Span::new(start, source.len()),
        });
        source.push_str("\n\n");
    }
    let index = LineIndex::new(&source);
    let lines_of = |span: Span| {
        let first = index.line_of(span.start);
        let last = index.line_of(span.end.saturating_sub(1).max(span.start));
        LineRange::new(first, last.max(first))
    };
    let article = article_span.map(|span| Article {
        title: None,
        lines: lines_of(span),
        span,
    });
    let mut record_lines = Vec::with_capacity(comments.len());
    let mut out = Vec::with_capacity(comments.len());
    for (c, p) in comments.into_iter().zip(placed) {
        let quotes = quotes_in(&source, p.span)
            .into_iter()
            .map(|span| Quote {
                lines: lines_of(span),
                span,
                source: None,
            })
            .collect();
        record_lines.push(c.line);
        out.push(Comment {
            author: c.author,
            name_line: p.name_span.map(|s| index.line_of(s.start)),
            name_span: p.name_span,
            lines: lines_of(p.span),
            span: p.span,
            quotes,
            id: c.id,
        });
    }
    JsonlThread {
        thread: Thread {
            name,
            source,
            article,
            boilerplate: Vec::new(),
            comments: out,
        },
        record_lines,
        article_line,
    }
}

/// Runs of body lines starting with `>` (after spaces): quoted passages.
fn quotes_in(source: &str, body: Span) -> Vec<Span> {
    let text = &source[body.start..body.end];
    let mut quotes: Vec<Span> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = body.start + offset;
        offset += line.len();
        if line.trim_start().starts_with('>') {
            let content = line.trim_end_matches(['\n', '\r']);
            let end = start + content.len();
            match quotes.last_mut() {
                Some(q) if q.end + (line.len() - content.len()).max(1) >= start => q.end = end,
                _ => quotes.push(Span::new(start, end)),
            }
        }
    }
    quotes
}

impl JsonlThread {
    /// The finding with its position made relative to what the user wrote: the comment's body
    /// (line 1 is the body's first line), the commenter's name, or the article. The span is a
    /// byte range into that text. The record's line in the input file is in `record_lines`.
    pub fn relocate(&self, finding: &Finding) -> Finding {
        let t = &self.thread;
        let comment = finding.comment.and_then(|i| t.comments.get(i));
        let base = match (finding.target, comment) {
            (Target::Name, Some(c)) => c.name_span.map(|s| s.start),
            (Target::Body, Some(c)) => Some(c.span.start),
            _ => t.article.as_ref().map(|a| a.span.start),
        }
        .unwrap_or(0);
        let start = finding.span[0].saturating_sub(base);
        let end = finding.span[1].saturating_sub(base);
        let text = &t.source[base..];
        let (line, column) = LineIndex::new(&text[..start.min(text.len())])
            .line_col(&text[..start.min(text.len())], start.min(text.len()));
        Finding {
            span: [start, end],
            line,
            column,
            ..finding.clone()
        }
    }

    /// The input line of the record a finding belongs to (the article's record for the article).
    pub fn record_line(&self, finding: &Finding) -> Option<usize> {
        match finding.comment {
            Some(i) if finding.target != Target::Article => self.record_lines.get(i).copied(),
            _ => self.article_line,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Category, Severity};

    fn read(input: &str) -> Vec<Item> {
        Reader::new(input.as_bytes(), "in.jsonl")
            .map(|r| r.unwrap())
            .collect()
    }

    fn threads(items: &[Item]) -> Vec<&JsonlThread> {
        items
            .iter()
            .filter_map(|i| match i {
                Item::Thread(t) => Some(t),
                Item::Error { .. } => None,
            })
            .collect()
    }

    #[test]
    fn groups_consecutive_records_by_thread() {
        let input = r#"{"id":"a","author":"Ann","body":"one","thread":"t1"}
{"id":"b","body":"two","thread":"t1"}

{"id":3,"author":"Cy","body":"three","thread":2}
{"id":"d","author":"","body":"four"}
"#;
        let items = read(input);
        let ts = threads(&items);
        type Shape<'a> = (&'a str, Vec<Option<&'a str>>, Vec<usize>);
        let shape: Vec<Shape> = ts
            .iter()
            .map(|t| {
                (
                    t.thread.name.as_str(),
                    t.thread
                        .comments
                        .iter()
                        .map(|c| c.author.as_deref())
                        .collect(),
                    t.record_lines.clone(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                ("t1", vec![Some("Ann"), None], vec![1, 2]),
                ("2", vec![Some("Cy")], vec![4]),
                ("in.jsonl", vec![None], vec![5]),
            ]
        );
        assert_eq!(ts[1].thread.comments[0].id.as_deref(), Some("3"));
        let t = &ts[0].thread;
        let c = &t.comments[0];
        assert_eq!(&t.source[c.span.start..c.span.end], "one");
        assert_eq!(
            &t.source[c.name_span.unwrap().start..c.name_span.unwrap().end],
            "Ann"
        );
    }

    #[test]
    fn bad_lines_are_reported_and_reading_goes_on() {
        let input = "{\"body\":\"x\",\"thread\":\"a\"}\nnot json\n{\"thread\":\"a\"}\n{\"body\":\"y\",\"thread\":\"a\"}\n";
        let items = read(input);
        let errors: Vec<usize> = items
            .iter()
            .filter_map(|i| match i {
                Item::Error { line, .. } => Some(*line),
                Item::Thread(_) => None,
            })
            .collect();
        assert_eq!(errors, vec![2, 3]);
        let ts = threads(&items);
        assert_eq!(ts.len(), 1);
        assert_eq!(ts[0].record_lines, vec![1, 4]);
    }

    #[test]
    fn quoted_lines_and_article() {
        let input = r#"{"id":"q","author":"A","body":"> they said rats\nI disagree","thread":"t","article":"Head\nText"}"#;
        let items = read(input);
        let t = &threads(&items)[0];
        assert_eq!(t.article_line, Some(1));
        let a = t.thread.article.as_ref().unwrap();
        assert_eq!(&t.thread.source[a.span.start..a.span.end], "Head\nText");
        let c = &t.thread.comments[0];
        assert_eq!(c.quotes.len(), 1);
        let q = c.quotes[0].span;
        assert_eq!(&t.thread.source[q.start..q.end], "> they said rats");
    }

    #[test]
    fn relocate_makes_positions_relative_to_the_body() {
        let input = r#"{"id":"c1","author":"A","body":"fine","thread":"t"}
{"id":"c2","author":"B","body":"line one\nsay “rats” now","thread":"t"}
"#;
        let items = read(input);
        let t = threads(&items)[0];
        let src = &t.thread.source;
        let start = src.find("rats").unwrap();
        let (line, column) = LineIndex::new(src).line_col(src, start);
        let f = Finding {
            rule: "x/y".into(),
            category: Category::Insult,
            severity: Severity::High,
            target: Target::Body,
            comment: Some(1),
            span: [start, start + 4],
            line,
            column,
            matched: "rats".into(),
            normalized: "rats".into(),
            term: "rats".into(),
            quoted: false,
            counts_when_quoted: false,
        };
        let r = t.relocate(&f);
        let body = "line one\nsay “rats” now";
        let at = body.find("rats").unwrap();
        assert_eq!((r.line, r.column, r.span), (2, 6, [at, at + 4]));
        assert_eq!(t.record_line(&f), Some(2));
    }

    /// Input that fails the test if it is read past `limit` bytes.
    struct Tripwire {
        data: Vec<u8>,
        at: usize,
        limit: usize,
    }

    impl std::io::Read for Tripwire {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            assert!(
                self.at < self.limit,
                "read past the second thread's first record"
            );
            let n = buf
                .len()
                .min(self.limit - self.at)
                .min(self.data.len() - self.at);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    #[test]
    fn a_thread_is_yielded_before_the_rest_of_the_input_is_read() {
        let first = "{\"body\":\"a\",\"thread\":1}\n{\"body\":\"b\",\"thread\":1}\n";
        let second = "{\"body\":\"c\",\"thread\":2}\n";
        let mut data = format!("{first}{second}").into_bytes();
        data.extend(vec![b' '; 1 << 20]);
        let limit = first.len() + second.len();
        // A one-byte buffer: the reader cannot have read ahead by accident.
        let input = std::io::BufReader::with_capacity(1, Tripwire { data, at: 0, limit });
        let mut reader = Reader::new(input, "x");
        match reader.next().unwrap().unwrap() {
            Item::Thread(t) => assert_eq!(t.thread.comments.len(), 2),
            Item::Error { message, .. } => panic!("{message}"),
        }
    }

    #[test]
    fn invalid_utf8_is_replaced_and_flagged() {
        let input: &[u8] = b"{\"body\":\"a\xFFb\"}\n";
        let mut reader = Reader::new(input, "x");
        let item = reader.next().unwrap().unwrap();
        assert!(reader.lossy());
        match item {
            Item::Thread(t) => assert!(t.thread.source.contains("a\u{FFFD}b")),
            Item::Error { message, .. } => panic!("unexpected error {message}"),
        }
    }
}
