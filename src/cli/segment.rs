//! `threadlint segment PATH... [--format text|yaml|json]`: show how pages split into article,
//! boilerplate and comments.
//!
//! Owns argument parsing and rendering of the three formats; the segmenting is the library's
//! (`threadlint::segment`), the gold shape is `threadlint::gold`. A directory stands for the
//! page text files (`.txt`, `.text`) under it, in sorted order. A path that cannot be read is
//! reported naming it, the other paths are still processed, and the command exits 2.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use threadlint::thread::{QuoteSource, Thread};

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
}

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
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    let mut json = Vec::new();
    let mut first = true;
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
    for path in &files {
        let decoded = match threadlint::input::read_page(path) {
            Ok(d) => d,
            Err(err) => {
                eprintln!("threadlint: error: cannot read {}: {err}", path.display());
                failed = true;
                continue;
            }
        };
        if decoded.lossy {
            eprintln!(
                "threadlint: warning: {}: invalid UTF-8 replaced with U+FFFD",
                path.display()
            );
        }
        let name = page_name(path);
        let thread = threadlint::segment::segment(&name, decoded.text);
        match args.format {
            Format::Yaml => {
                if !first {
                    out.write_all(b"---\n")?;
                }
                let gold = threadlint::gold::from_thread(&name, &thread);
                out.write_all(threadlint::gold::to_yaml(&gold).as_bytes())?;
            }
            Format::Json => json.push(to_json(&thread)),
            Format::Text => {
                if !first {
                    out.write_all(b"\n")?;
                }
                write_text(&mut out, &thread)?;
            }
        }
        first = false;
    }
    if args.format == Format::Json {
        serde_json::to_writer_pretty(&mut out, &json)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(if failed {
        crate::cli::exit::error()
    } else {
        crate::cli::exit::clean()
    })
}

/// The gold shape with byte spans: `seed`, `article`, `boilerplate`, `comments`.
fn to_json(thread: &Thread) -> serde_json::Value {
    serde_json::json!({
        "seed": thread.name,
        "article": thread.article,
        "boilerplate": thread.boilerplate,
        "comments": thread.comments,
    })
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
