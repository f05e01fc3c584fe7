//! The corpus the tuning commands run over: files and directories of page text or JSON Lines
//! comments, turned into threads.
//!
//! Page text goes through `input::read_path` and `segment::segment`, as `check` does. JSON
//! Lines comments (`{"id", "author", "body", "thread", "article"?}`, the `check` input format)
//! are read by the minimal reader below until the shared streaming reader is available; both
//! produce a `Thread` whose spans point into a source text built from the records, so the
//! engine checks names and bodies the same way for both inputs. This module must not match
//! rules.

use crate::thread::{Article, Comment, LineIndex, LineRange, Span, Thread};
use anyhow::Context;
use std::path::{Path, PathBuf};

/// One thread of the corpus and the input path it came from.
#[derive(Debug, Clone)]
pub struct Unit {
    pub path: String,
    pub thread: Thread,
}

/// Extensions read when walking a directory; a file named on the command line is always read.
const WALKED: [&str; 3] = ["txt", "text", "jsonl"];

/// Expand `paths` (files, directories walked recursively in sorted order, `-` for standard
/// input) into the list of files to read. A missing path is an error naming it.
pub fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            files.push(p.clone());
            continue;
        }
        let meta = std::fs::metadata(p).with_context(|| format!("cannot read {}", p.display()))?;
        if meta.is_dir() {
            walk(p, &mut files).with_context(|| format!("cannot read {}", p.display()))?;
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

/// Read every file of `paths` and hand its threads to `visit`, one at a time and in order, so
/// only one file's threads are in memory at once.
pub fn for_each_unit(
    paths: &[PathBuf],
    mut visit: impl FnMut(Unit) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    for f in expand(paths)? {
        let decoded =
            crate::input::read_path(&f).with_context(|| format!("cannot read {}", f.display()))?;
        let name = f.display().to_string();
        if is_jsonl(&f) {
            for thread in jsonl_threads(&name, &decoded.text)? {
                visit(Unit {
                    path: name.clone(),
                    thread,
                })?;
            }
        } else {
            let thread_name = f
                .file_name()
                .map_or_else(|| name.clone(), |n| n.to_string_lossy().into_owned());
            visit(Unit {
                path: name,
                thread: crate::segment::segment(&thread_name, decoded.text),
            })?;
        }
    }
    Ok(())
}

fn is_jsonl(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "jsonl")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for e in entries {
        if e.is_dir() {
            walk(&e, out)?;
        } else if e
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| WALKED.contains(&x))
        {
            out.push(e);
        }
    }
    Ok(())
}

#[derive(serde::Deserialize)]
struct Record {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    author: Option<String>,
    body: String,
    #[serde(default)]
    thread: Option<serde_json::Value>,
    #[serde(default)]
    article: Option<String>,
}

fn value_string(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Group JSON Lines comments into threads (by `thread`, in order of first appearance). Each
/// thread's source is laid out as the article, then per comment its author line and its body,
/// with blank lines between, so every span and line number is real.
pub fn jsonl_threads(origin: &str, text: &str) -> anyhow::Result<Vec<Thread>> {
    struct Group {
        name: String,
        article: Option<String>,
        comments: Vec<(Option<String>, Option<String>, String)>,
    }
    let mut groups: Vec<Group> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let rec: Record = serde_json::from_str(line)
            .with_context(|| format!("{origin}:{}: invalid comment record", i + 1))?;
        let name = rec
            .thread
            .as_ref()
            .map_or_else(|| origin.to_string(), value_string);
        let idx = match groups.iter().position(|g| g.name == name) {
            Some(idx) => idx,
            None => {
                groups.push(Group {
                    name,
                    article: None,
                    comments: Vec::new(),
                });
                groups.len() - 1
            }
        };
        let g = &mut groups[idx];
        if g.article.is_none() {
            g.article = rec.article.filter(|a| !a.trim().is_empty());
        }
        g.comments
            .push((rec.id.as_ref().map(value_string), rec.author, rec.body));
    }
    Ok(groups
        .into_iter()
        .map(|g| build_thread(g.name, g.article, g.comments))
        .collect())
}

fn build_thread(
    name: String,
    article: Option<String>,
    comments: Vec<(Option<String>, Option<String>, String)>,
) -> Thread {
    // Names and bodies are written with their line breaks flattened to spaces so that each sits
    // on whole lines of its own and line numbers stay meaningful.
    let flat = |s: &str| s.replace(['\r', '\n'], " ");
    let mut source = String::new();
    let mut article_span = None;
    if let Some(a) = &article {
        let a = flat(a);
        article_span = Some(Span::new(0, a.len()));
        source.push_str(&a);
        source.push_str("\n\n");
    }
    let mut spans = Vec::new();
    for (id, author, body) in comments {
        let name_span = author.as_ref().map(|a| {
            let a = flat(a.trim());
            let start = source.len();
            source.push_str(&a);
            source.push('\n');
            Span::new(start, start + a.len())
        });
        let body = flat(&body);
        let start = source.len();
        source.push_str(&body);
        source.push_str("\n\n");
        spans.push((id, author, name_span, Span::new(start, start + body.len())));
    }
    let index = LineIndex::new(&source);
    let article = article_span.map(|span| {
        let line = index.line_of(span.start);
        Article {
            title: None,
            lines: LineRange::new(line, line),
            span,
        }
    });
    let comments = spans
        .into_iter()
        .map(|(id, author, name_span, span)| {
            let line = index.line_of(span.start);
            Comment {
                author: author.map(|a| flat(a.trim())),
                name_line: name_span.map(|s| index.line_of(s.start)),
                name_span,
                lines: LineRange::new(line, line),
                span,
                quotes: Vec::new(),
                id,
            }
        })
        .collect();
    Thread {
        name,
        source,
        article,
        boilerplate: Vec::new(),
        comments,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_groups_by_thread_with_real_spans() {
        let text = r#"{"id": "1", "author": "Ann", "body": "first", "thread": "t1", "article": "Head"}
{"id": 2, "body": "second\nline", "thread": "t2"}
{"id": "3", "author": "Bo", "body": "third", "thread": "t1"}
"#;
        let threads = jsonl_threads("c.jsonl", text).unwrap();
        assert_eq!(threads.len(), 2);
        let t1 = &threads[0];
        assert_eq!(t1.name, "t1");
        assert_eq!(t1.comments.len(), 2);
        let c = &t1.comments[1];
        assert_eq!(&t1.source[c.span.start..c.span.end], "third");
        assert_eq!(
            &t1.source[c.name_span.unwrap().start..c.name_span.unwrap().end],
            "Bo"
        );
        assert_eq!(c.id.as_deref(), Some("3"));
        assert_eq!(c.name_line, Some(6));
        assert_eq!(c.lines, LineRange::new(7, 7));
        let a = t1.article.as_ref().unwrap();
        assert_eq!(&t1.source[a.span.start..a.span.end], "Head");
        let t2 = &threads[1];
        assert_eq!(
            &t2.source[t2.comments[0].span.start..t2.comments[0].span.end],
            "second line"
        );
        assert_eq!(t2.comments[0].author, None);
    }

    #[test]
    fn bad_record_names_file_and_line() {
        let err = jsonl_threads("c.jsonl", "{\"body\": \"x\"}\n{\"id\": 1}\n").unwrap_err();
        assert!(format!("{err:#}").starts_with("c.jsonl:2: "), "{err:#}");
    }
}
