//! The corpus the tuning commands run over: files and directories of page text or JSON Lines
//! comments, turned into threads one at a time.
//!
//! Page text goes through `input::read_page` and `segment::segment`, JSON Lines through
//! `jsonl::Reader`, exactly as `check` reads them, so the tuning commands see the threads that
//! `check` sees. This module must not match rules.

use crate::finding::{Finding, Target};
use crate::thread::Thread;
use anyhow::Context;
use std::path::PathBuf;

/// One thread of the corpus and the input path it came from.
#[derive(Debug, Clone)]
pub struct Unit {
    pub path: String,
    pub thread: Thread,
    /// For JSON Lines input: the input line of each comment's record, by comment index, and of
    /// the record that carried the article.
    pub record_lines: Option<Vec<usize>>,
    pub article_line: Option<usize>,
}

impl Unit {
    /// The line of the input file to show for a finding: its own line in page text, the line
    /// of its record in JSON Lines (whose thread text is laid out by the reader).
    pub fn file_line(&self, f: &Finding) -> usize {
        file_line(self.record_lines.as_deref(), self.article_line, f)
    }

    /// Whether lines and columns point into the page as written (page text), rather than at a
    /// JSON Lines record.
    pub fn is_page(&self) -> bool {
        self.record_lines.is_none()
    }
}

/// Expand `paths` (files, directories walked recursively in sorted order as `check` walks
/// them, `-` for standard input) into the list of files to read. A missing path, an
/// unreadable entry or a directory with no input files is an error naming it.
pub fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            files.push(p.clone());
            continue;
        }
        let meta = std::fs::metadata(p).with_context(|| format!("cannot read {}", p.display()))?;
        if meta.is_dir() {
            let mut failed = None;
            crate::input::walk(p, &crate::input::THREADS, &mut files, &mut |path, e| {
                failed.get_or_insert_with(|| format!("{}: {e}", path.display()));
            });
            if let Some(message) = failed {
                anyhow::bail!(message);
            }
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
        let name = f.display().to_string();
        if crate::input::is_jsonl(&f) {
            let input: Box<dyn std::io::BufRead> = if f.as_os_str() == "-" {
                Box::new(std::io::stdin().lock())
            } else {
                let file = std::fs::File::open(&f)
                    .with_context(|| format!("cannot read {}", f.display()))?;
                Box::new(std::io::BufReader::new(file))
            };
            for item in crate::jsonl::Reader::new(input, &name) {
                match item.with_context(|| format!("cannot read {name}"))? {
                    crate::jsonl::Item::Thread(t) => visit(Unit {
                        path: name.clone(),
                        thread: t.thread,
                        record_lines: Some(t.record_lines),
                        article_line: t.article_line,
                    })?,
                    crate::jsonl::Item::Error { line, message } => {
                        anyhow::bail!("{name}:{line}: {message}")
                    }
                }
            }
        } else {
            let decoded = crate::input::read_page(&f)
                .with_context(|| format!("cannot read {}", f.display()))?;
            let thread_name = f
                .file_name()
                .map_or_else(|| name.clone(), |n| n.to_string_lossy().into_owned());
            visit(Unit {
                path: name,
                thread: crate::segment::segment(&thread_name, decoded.text),
                record_lines: None,
                article_line: None,
            })?;
        }
    }
    Ok(())
}

/// Threads per batch in [`for_each_batch`]: enough to keep every core busy, few enough that
/// memory stays small.
pub const BATCH: usize = 64;

/// Like [`for_each_unit`], in batches of up to [`BATCH`] threads (in order), so the caller can
/// check a batch in parallel and still consume the results in corpus order.
pub fn for_each_batch(
    paths: &[PathBuf],
    mut visit: impl FnMut(Vec<Unit>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut batch = Vec::with_capacity(BATCH);
    for_each_unit(paths, |u| {
        batch.push(u);
        if batch.len() == BATCH {
            visit(std::mem::take(&mut batch))?;
        }
        Ok(())
    })?;
    if !batch.is_empty() {
        visit(batch)?;
    }
    Ok(())
}

/// The line to show for `f`: its own line, or with `record_lines` (by comment index) the line of
/// its record, and `article_line` for the article.
pub fn file_line(
    record_lines: Option<&[usize]>,
    article_line: Option<usize>,
    f: &Finding,
) -> usize {
    match record_lines {
        None => f.line,
        Some(lines) => match f.comment {
            Some(i) if f.target != Target::Article => lines.get(i).copied(),
            _ => article_line,
        }
        .unwrap_or(f.line),
    }
}
