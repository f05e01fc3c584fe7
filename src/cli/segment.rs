//! `threadlint segment PATH... [--format text|yaml|json] [--jobs N]`: show how pages split into
//! article, boilerplate and comments.
//!
//! Owns argument parsing and rendering of the three formats; the segmenting is the library's
//! (`threadlint::segment`), the gold shape is `threadlint::gold`. A directory stands for the
//! page text files (`.txt`, `.text`) under it, in sorted order. A path that cannot be read is
//! reported naming it, the other paths are still processed, and the command exits 2.
//!
//! Pages are segmented in batches on a pool of `--jobs` threads and written in input order
//! (warnings and errors too), so the output is the same whatever `--jobs` is, and memory is
//! that of a batch: nothing is kept once written, the JSON array included.

use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use threadlint::thread::{Article, Comment, LineRange, QuoteSource, Thread};

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// A readable outline: article, boilerplate, each comment with author, lines and quotes.
    #[default]
    Text,
    /// The shape of the gold files (`seeds/gold/*.yaml`), for `diff`. Several files are
    /// separate YAML documents.
    Yaml,
    /// A JSON array with one object per file: the gold shape plus byte spans.
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Page text files, or directories of them (`.txt`, `.text`, searched recursively);
    /// `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Worker threads (0: one per core).
    #[arg(long, short = 'j', default_value_t = 0, value_name = "N")]
    pub jobs: usize,
}

/// Pages segmented per parallel batch, per worker, as `check` batches them.
const BATCH_PER_JOB: usize = 32;

/// The name a page is known by in outputs and gold files: its file name.
fn page_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        return "-".to_string();
    }
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    let mut files = Vec::new();
    for path in &args.files {
        if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
            threadlint::input::walk(path, &threadlint::input::PAGES, &mut files, &mut |p, e| {
                eprintln!("threadlint: error: {}: {e}", p.display());
                failed = true;
            });
        } else {
            files.push(path.clone());
        }
    }
    let pool = crate::cli::worker_pool(args.jobs)?;
    let segment = |batch: &[PathBuf]| -> Vec<Outcome> {
        pool.install(|| batch.par_iter().map(|path| segment_page(path)).collect())
    };
    let stdout = std::io::stdout();
    let mut out = Output {
        format: args.format,
        out: std::io::BufWriter::new(stdout.lock()),
        pages: 0,
    };
    // A batch at a time, segmented in parallel and written in input order: memory stays that
    // of two batches, however many pages there are. With two or more jobs the previous batch
    // is written while this one is segmented.
    let mut pending: Option<(&[PathBuf], Vec<Outcome>)> = None;
    for batch in files.chunks(pool.current_num_threads() * BATCH_PER_JOB) {
        if pool.current_num_threads() < 2 {
            let outcomes = segment(batch);
            failed |= out.batch(batch, outcomes)?;
            continue;
        }
        let previous = pending.take();
        let (written, outcomes) = crate::cli::alongside(
            || segment(batch),
            || match previous {
                Some((paths, outcomes)) => out.batch(paths, outcomes),
                None => Ok(false),
            },
        );
        failed |= written?;
        pending = Some((batch, outcomes));
    }
    if let Some((paths, outcomes)) = pending {
        failed |= out.batch(paths, outcomes)?;
    }
    out.finish()?;
    Ok(if failed {
        crate::cli::exit::error()
    } else {
        crate::cli::exit::clean()
    })
}

/// A page segmented, with whether its text had invalid UTF-8; or why it could not be read.
type Outcome = std::io::Result<(Thread, bool)>;

fn segment_page(path: &Path) -> Outcome {
    let decoded = threadlint::input::read_page(path)?;
    let thread = threadlint::segment::segment(&page_name(path), decoded.text);
    Ok((thread, decoded.lossy))
}

/// Segmented pages written in one format, in the order given.
struct Output<W: Write> {
    format: Format,
    out: W,
    /// Pages written so far.
    pages: usize,
}

impl<W: Write> Output<W> {
    /// Write a batch's pages and report its unreadable ones, in order. Returns whether any
    /// page could not be read.
    fn batch(&mut self, paths: &[PathBuf], outcomes: Vec<Outcome>) -> anyhow::Result<bool> {
        let mut failed = false;
        for (path, outcome) in paths.iter().zip(outcomes) {
            match outcome {
                Ok((thread, lossy)) => {
                    if lossy {
                        eprintln!(
                            "threadlint: warning: {}: invalid UTF-8 replaced with U+FFFD",
                            path.display()
                        );
                    }
                    self.page(&thread)?;
                }
                Err(err) => {
                    eprintln!("threadlint: error: cannot read {}: {err}", path.display());
                    failed = true;
                }
            }
        }
        Ok(failed)
    }

    fn page(&mut self, thread: &Thread) -> anyhow::Result<()> {
        let first = self.pages == 0;
        self.pages += 1;
        let out = &mut self.out;
        match self.format {
            Format::Yaml => {
                if !first {
                    out.write_all(b"---\n")?;
                }
                let gold = threadlint::gold::from_thread(&thread.name, thread);
                out.write_all(threadlint::gold::to_yaml(&gold).as_bytes())?;
            }
            Format::Json => {
                // The array is written an element at a time, as `serde_json`'s pretty printer
                // writes a whole one. An element is one level deep: every line of it is
                // indented once more (a JSON string holds no raw line break).
                out.write_all(if first { b"[\n  " } else { b",\n  " })?;
                let element = serde_json::to_vec_pretty(&JsonPage::of(thread))?;
                for (i, line) in element.split(|&b| b == b'\n').enumerate() {
                    if i > 0 {
                        out.write_all(b"\n  ")?;
                    }
                    out.write_all(line)?;
                }
            }
            Format::Text => {
                if !first {
                    out.write_all(b"\n")?;
                }
                write_text(out, thread)?;
            }
        }
        Ok(())
    }

    fn finish(mut self) -> anyhow::Result<()> {
        if self.format == Format::Json {
            self.out
                .write_all(if self.pages == 0 { b"[]\n" } else { b"\n]\n" })?;
        }
        self.out.flush()?;
        Ok(())
    }
}

/// One page in `--format json`: the gold shape with byte spans.
#[derive(serde::Serialize)]
struct JsonPage<'a> {
    seed: &'a str,
    article: &'a Option<Article>,
    boilerplate: &'a [LineRange],
    comments: &'a [Comment],
}

impl<'a> JsonPage<'a> {
    fn of(thread: &'a Thread) -> JsonPage<'a> {
        JsonPage {
            seed: &thread.name,
            article: &thread.article,
            boilerplate: &thread.boilerplate,
            comments: &thread.comments,
        }
    }
}

/// First `max` characters of a line, for the outline.
fn excerpt(text: &str, max: usize) -> String {
    let t = text.trim();
    let mut s: String = t.chars().take(max).collect();
    if s.len() < t.len() {
        s.push('…');
    }
    s
}

fn write_text(out: &mut impl Write, t: &Thread) -> std::io::Result<()> {
    let idx = threadlint::thread::LineIndex::new(&t.source);
    let line_text = |n: usize| -> &str {
        let start = idx.line_start(n);
        let rest = &t.source[start..];
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        &rest[..end]
    };
    writeln!(out, "== {}", t.name)?;
    match &t.article {
        Some(a) => {
            write!(out, "article: lines {}-{}", a.lines.first, a.lines.last)?;
            match a.title {
                Some(l) => writeln!(out, ", title line {l}: {}", excerpt(line_text(l), 80))?,
                None => writeln!(out, ", no title")?,
            }
        }
        None => writeln!(out, "article: none")?,
    }
    for b in &t.boilerplate {
        writeln!(
            out,
            "boilerplate: lines {}-{}: {}",
            b.first,
            b.last,
            excerpt(line_text(b.first), 60)
        )?;
    }
    writeln!(out, "comments: {}", t.comments.len())?;
    for (i, c) in t.comments.iter().enumerate() {
        let who = match (&c.author, c.name_line) {
            (Some(a), Some(l)) => format!("{a} (line {l})"),
            (Some(a), None) => a.clone(),
            _ => "guest".to_string(),
        };
        writeln!(
            out,
            "  #{} {who}: lines {}-{}: {}",
            i + 1,
            c.lines.first,
            c.lines.last,
            excerpt(line_text(c.lines.first), 60)
        )?;
        for q in &c.quotes {
            let from = match q.source {
                Some(QuoteSource::Article) => " (from the article)".to_string(),
                Some(QuoteSource::Comment(k)) => format!(" (from comment #{})", k + 1),
                None => String::new(),
            };
            writeln!(
                out,
                "      quote lines {}-{}{from}: {}",
                q.lines.first,
                q.lines.last,
                excerpt(&t.source[q.span.start..q.span.end], 50)
            )?;
        }
    }
    Ok(())
}
