//! `threadlint check`: read inputs, segment or group them into threads, run the engine, hand
//! the findings to a reporter, and turn them into an exit code for gating.
//!
//! Inputs are processed in order, in batches: each batch is checked in parallel on a rayon pool
//! of `--jobs` threads and then rendered in input order, so the output is byte-identical
//! whatever `--jobs` is, and memory is bounded by a batch (JSON Lines files are read as a
//! stream of threads, never whole). This file wires library calls together; it does not match,
//! segment or format.

use super::{exit, load_engine, RuleArgs};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::io::{self, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use threadlint::baseline::{Baseline, HashCache, Identity, Recorder};
use threadlint::engine::Engine;
use threadlint::finding::{Category, Finding, Severity};
use threadlint::jsonl::{self, JsonlThread};
use threadlint::report::github::GithubReporter;
use threadlint::report::json::{JsonReporter, JsonlReporter};
use threadlint::report::sarif::SarifReporter;
use threadlint::report::text::{Palette, TextReporter};
use threadlint::report::{FindingRecord, Reported, Reporter, RunInfo, Summary, ThreadReport};
use threadlint::thread::Thread;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: flagged comments with context, and a summary.
    Text,
    /// One JSON document: version, rule-set fingerprint, findings, summary.
    Json,
    /// One finding per line, written as threads are checked.
    Jsonl,
    /// SARIF 2.1.0 for code-scanning tools.
    Sarif,
    /// GitHub Actions annotations.
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputKind {
    /// Scraped page text, segmented into article and comments.
    Text,
    /// JSON Lines of comments: {"id", "author", "body", "thread"}.
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files, directories (searched recursively for .txt, .text, .jsonl and .ndjson files) or
    /// `-` for standard input.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// How to read inputs; by default `.jsonl` and `.ndjson` files are JSON Lines, the rest
    /// page text.
    #[arg(long, value_enum, value_name = "KIND")]
    pub input: Option<InputKind>,
    /// Output format (see docs/output.md).
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Colour in text output: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: ColorChoice,
    /// Show a table per commenter instead of each finding (text and json formats).
    #[arg(long)]
    pub by_author: bool,
    /// Hide findings below this severity: low, medium, high or critical.
    #[arg(long, default_value = "low", value_name = "LEVEL")]
    pub min_severity: Severity,
    /// Exit 1 when a finding at or above this severity is reported (quoted findings excepted).
    #[arg(long, default_value = "high", value_name = "LEVEL")]
    pub fail_on: Severity,
    /// Report only these categories (repeatable): slur, antisemitism, unverified-claim,
    /// profanity, insult.
    #[arg(long = "category", value_name = "CATEGORY")]
    pub categories: Vec<Category>,
    /// Report only these rules: a full id `set/rule` or a set name (repeatable).
    #[arg(long = "rule", value_name = "RULE")]
    pub rules_only: Vec<String>,
    /// Worker threads (0: one per core).
    #[arg(long, short = 'j', default_value_t = 0, value_name = "N")]
    pub jobs: usize,
    /// Report and gate only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write today's findings to this baseline file (the exit code is then 0 unless an input
    /// could not be read).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    #[command(flatten)]
    pub rule_args: RuleArgs,
}

/// One input to read.
#[derive(Debug, Clone)]
struct Source {
    /// As the user should see it (and as it appears in `path` of every finding).
    display: String,
    path: PathBuf,
    kind: InputKind,
}

/// Text files checked per parallel batch, per worker.
const TEXT_BATCH_PER_JOB: usize = 4;
/// A JSON Lines batch ends after this many threads or this many bytes of comment text.
const JSONL_BATCH_THREADS: usize = 256;
const JSONL_BATCH_BYTES: usize = 8 << 20;

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.by_author && !matches!(args.format, Format::Text | Format::Json) {
        anyhow::bail!("--by-author works with --format text or json");
    }
    let engine = load_engine(&args.rule_args)?;
    let run_info = RunInfo::new(&engine);
    // A `--rule` that names nothing loaded is a typo, not a request for silence.
    for wanted in &args.rules_only {
        if !run_info.rules.iter().any(|r| rule_selected(&r.id, wanted)) {
            anyhow::bail!("--rule {wanted}: no loaded rule or rule set has this name");
        }
    }
    let baseline = match &args.baseline {
        Some(p) => Some(Baseline::load(p)?),
        None => None,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs)
        .build()
        .context("cannot start worker threads")?;
    let jobs = pool.current_num_threads();

    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").map_or(true, |v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    };
    let reporter: Box<dyn Reporter> = match args.format {
        Format::Text => Box::new(TextReporter::new(
            if color {
                Palette::colored()
            } else {
                Palette::plain()
            },
            args.by_author,
        )),
        Format::Json => Box::new(JsonReporter::new(args.by_author)),
        Format::Jsonl => Box::new(JsonlReporter::default()),
        Format::Sarif => Box::new(SarifReporter::new()),
        Format::Github => Box::new(GithubReporter),
    };

    let stdout = io::stdout();
    let mut ctx = Ctx {
        engine: &engine,
        args: &args,
        out: io::BufWriter::new(stdout.lock()),
        reporter,
        summary: Summary::new(args.fail_on),
        baseline,
        recorder: args.write_baseline.as_ref().map(|_| Recorder::default()),
        progress: ProgressBar::hidden(),
    };
    ctx.reporter.begin(&mut ctx.out, &run_info)?;

    let sources = expand(&args, &mut ctx);
    let streams = sources.iter().any(|s| s.kind == InputKind::Jsonl);
    ctx.progress = progress_bar(sources.len(), streams);

    let mut batch: Vec<Source> = Vec::new();
    for source in sources {
        match source.kind {
            InputKind::Text => {
                batch.push(source);
                if batch.len() >= jobs * TEXT_BATCH_PER_JOB {
                    ctx.text_batch(&pool, std::mem::take(&mut batch))?;
                }
            }
            InputKind::Jsonl => {
                ctx.text_batch(&pool, std::mem::take(&mut batch))?;
                ctx.jsonl_file(&pool, &source)?;
                ctx.progress.inc(1);
            }
        }
    }
    ctx.text_batch(&pool, batch)?;
    ctx.progress.finish_and_clear();

    ctx.reporter.finish(&mut ctx.out, &ctx.summary)?;
    ctx.out.flush()?;
    if let (Some(path), Some(rec)) = (&args.write_baseline, &ctx.recorder) {
        std::fs::write(path, rec.render(&run_info.version, &run_info.fingerprint))
            .with_context(|| format!("cannot write baseline {}", path.display()))?;
    }
    Ok(if ctx.summary.errors > 0 {
        exit::error()
    } else if args.write_baseline.is_none() && ctx.summary.failed {
        exit::found()
    } else {
        exit::clean()
    })
}

/// A progress bar on stderr, only for a person watching: stderr is a terminal and CI is unset.
/// Not when stdout is the same terminal: the report scrolling by is the progress, and a bar
/// redrawn between its lines would garble them. One page is too quick to need one; one JSON
/// Lines file may be large.
fn progress_bar(len: usize, streams: bool) -> ProgressBar {
    if !io::stderr().is_terminal()
        || io::stdout().is_terminal()
        || std::env::var_os("CI").is_some()
        || (len < 2 && !streams)
    {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} inputs {wide_msg}") {
        bar.set_style(style);
    }
    bar
}

struct Ctx<'a> {
    engine: &'a Engine,
    args: &'a Args,
    out: io::BufWriter<io::StdoutLock<'static>>,
    reporter: Box<dyn Reporter>,
    summary: Summary,
    baseline: Option<Baseline>,
    recorder: Option<Recorder>,
    progress: ProgressBar,
}

/// What checking one page-text input gave.
enum Outcome {
    Checked {
        thread: Thread,
        findings: Vec<Finding>,
        lossy: bool,
    },
    Failed(String),
}

impl Ctx<'_> {
    /// An input problem: printed with its name, counted, and the run goes on (exit 2 at the end).
    fn error(&mut self, message: String) {
        self.summary.errors += 1;
        self.progress
            .suspend(|| eprintln!("threadlint: error: {message}"));
    }

    fn warn(&self, message: String) {
        self.progress
            .suspend(|| eprintln!("threadlint: warning: {message}"));
    }

    fn text_batch(&mut self, pool: &rayon::ThreadPool, batch: Vec<Source>) -> anyhow::Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let engine = self.engine;
        let outcomes: Vec<Outcome> = pool.install(|| {
            batch
                .par_iter()
                .map(|s| match threadlint::input::read_path(&s.path) {
                    Ok(decoded) => {
                        let thread = threadlint::segment::segment(&s.display, decoded.text);
                        let findings = engine.check_thread(&thread);
                        Outcome::Checked {
                            thread,
                            findings,
                            lossy: decoded.lossy,
                        }
                    }
                    Err(e) => Outcome::Failed(format!("{}: {e}", s.display)),
                })
                .collect()
        });
        for (source, outcome) in batch.iter().zip(outcomes) {
            match outcome {
                Outcome::Checked {
                    thread,
                    findings,
                    lossy,
                } => {
                    if lossy {
                        self.warn(format!(
                            "{}: invalid UTF-8 replaced with U+FFFD",
                            source.display
                        ));
                    }
                    self.emit(&source.display, &thread, findings, None)?;
                }
                Outcome::Failed(message) => self.error(message),
            }
            self.progress.inc(1);
        }
        Ok(())
    }

    fn jsonl_file(&mut self, pool: &rayon::ThreadPool, source: &Source) -> anyhow::Result<()> {
        let input: Box<dyn io::BufRead> = if source.path.as_os_str() == "-" {
            Box::new(io::stdin().lock())
        } else {
            match std::fs::File::open(&source.path) {
                Ok(f) => Box::new(BufReader::with_capacity(1 << 16, f)),
                Err(e) => {
                    self.error(format!("{}: {e}", source.display));
                    return Ok(());
                }
            }
        };
        let mut reader = jsonl::Reader::new(input, &source.display);
        let mut threads_done = 0usize;
        loop {
            let mut items = Vec::new();
            let (mut threads, mut bytes) = (0, 0);
            while threads < JSONL_BATCH_THREADS && bytes < JSONL_BATCH_BYTES {
                match reader.next() {
                    None => break,
                    Some(Ok(item)) => {
                        if let jsonl::Item::Thread(t) = &item {
                            threads += 1;
                            bytes += t.thread.source.len();
                        }
                        items.push(item);
                    }
                    Some(Err(e)) => {
                        items.push(jsonl::Item::Error {
                            line: 0,
                            message: format!("read error: {e}"),
                        });
                        break;
                    }
                }
            }
            if items.is_empty() {
                break;
            }
            let engine = self.engine;
            let checked: Vec<Option<Vec<Finding>>> = pool.install(|| {
                items
                    .par_iter()
                    .map(|item| match item {
                        jsonl::Item::Thread(t) => Some(engine.check_thread(&t.thread)),
                        jsonl::Item::Error { .. } => None,
                    })
                    .collect()
            });
            threads_done += threads;
            self.progress
                .set_message(format!("{}: {threads_done} threads", source.display));
            for (item, findings) in items.into_iter().zip(checked) {
                match (item, findings) {
                    (jsonl::Item::Thread(t), Some(findings)) => {
                        self.emit(&source.display, &t.thread, findings, Some(&t))?;
                    }
                    (jsonl::Item::Error { line: 0, message }, _) => {
                        self.error(format!("{}: {message}", source.display));
                        return Ok(());
                    }
                    (jsonl::Item::Error { line, message }, _) => {
                        self.error(format!("{}:{line}: {message}", source.display));
                    }
                    (jsonl::Item::Thread(_), None) => unreachable!("every thread is checked"),
                }
            }
        }
        if reader.lossy() {
            self.warn(format!(
                "{}: invalid UTF-8 replaced with U+FFFD",
                source.display
            ));
        }
        Ok(())
    }

    fn keep(&self, f: &Finding) -> bool {
        let a = self.args;
        f.severity >= a.min_severity
            && (a.categories.is_empty() || a.categories.contains(&f.category))
            && (a.rules_only.is_empty() || a.rules_only.iter().any(|r| rule_selected(&f.rule, r)))
    }

    /// Filter a thread's findings, apply the baseline, and hand them to the reporter.
    fn emit(
        &mut self,
        path: &str,
        thread: &Thread,
        findings: Vec<Finding>,
        jsonl: Option<&JsonlThread>,
    ) -> anyhow::Result<()> {
        let mut items = Vec::new();
        let mut hashes = HashCache::default();
        for f in findings {
            if !self.keep(&f) {
                continue;
            }
            let identity = Identity::cached(thread, &f, &mut hashes);
            if let Some(rec) = &mut self.recorder {
                rec.add(identity.clone());
            }
            if let Some(base) = &mut self.baseline {
                if base.accepts(&identity) {
                    self.summary.baselined += 1;
                    continue;
                }
            }
            let shown = jsonl.map_or_else(|| f.clone(), |j| j.relocate(&f));
            let mut record = FindingRecord::new(path, thread, &shown);
            record.record_line = jsonl.and_then(|j| j.record_line(&f));
            items.push(Reported {
                finding: f,
                record,
                identity,
            });
        }
        let report = ThreadReport {
            path,
            thread,
            jsonl: jsonl.is_some(),
            items,
        };
        self.summary.add(&report);
        self.reporter.thread(&mut self.out, &report)?;
        Ok(())
    }
}

/// Whether `--rule wanted` selects rule `id`: the full id, or the set it belongs to.
fn rule_selected(id: &str, wanted: &str) -> bool {
    id == wanted
        || id
            .strip_prefix(wanted)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn kind_of(path: &Path, forced: Option<InputKind>) -> InputKind {
    forced.unwrap_or_else(|| match path.extension().and_then(|e| e.to_str()) {
        Some("jsonl" | "ndjson") => InputKind::Jsonl,
        _ => InputKind::Text,
    })
}

/// Turn the PATH arguments into inputs, in order; directories are walked recursively in
/// sorted order. A path that cannot be read is reported and skipped.
fn expand(args: &Args, ctx: &mut Ctx) -> Vec<Source> {
    let mut out = Vec::new();
    for path in &args.paths {
        let display = path.display().to_string();
        if display == "-" {
            out.push(Source {
                display,
                path: path.clone(),
                kind: args.input.unwrap_or(InputKind::Text),
            });
            continue;
        }
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => walk(path, args.input, ctx, &mut out),
            Ok(_) => out.push(Source {
                display,
                path: path.clone(),
                kind: kind_of(path, args.input),
            }),
            Err(e) => ctx.error(format!("{display}: {e}")),
        }
    }
    out
}

fn walk(dir: &Path, forced: Option<InputKind>, ctx: &mut Ctx, out: &mut Vec<Source>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd.collect::<Result<Vec<_>, _>>(),
        Err(e) => Err(e),
    };
    let mut entries = match entries {
        Ok(e) => e,
        Err(e) => {
            ctx.error(format!("{}: {e}", dir.display()));
            return;
        }
    };
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        // Hidden files and directories (.git, editor backups) are not inputs.
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&path, forced, ctx, out),
            Ok(_) => {
                let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
                if matches!(ext, "txt" | "text" | "jsonl" | "ndjson") {
                    out.push(Source {
                        display: path.display().to_string(),
                        kind: kind_of(&path, forced),
                        path,
                    });
                }
            }
            Err(e) => ctx.error(format!("{}: {e}", path.display())),
        }
    }
}
