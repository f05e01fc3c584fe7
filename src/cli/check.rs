//! `threadlint check`: read inputs, segment or group them into threads, run the engine, hand
//! the findings to a reporter, and turn them into an exit code for gating.
//!
//! Inputs are processed in order, in batches: each batch is checked in parallel on a rayon pool
//! of `--jobs` threads and then rendered in input order, so the output is byte-identical
//! whatever `--jobs` is, and memory is bounded by a batch (JSON Lines files are read as a
//! stream of threads, never whole). Only what must happen in order (the baseline, the summary,
//! the reporter) runs on the main thread; with two or more jobs, JSON Lines input is read
//! ahead by a thread of its own, each chunk's threads are built while the chunk before is
//! checked, and a chunk is written out while the ones after it are worked on; the rules are
//! compiled by the same workers. With one job the main thread is the pool's worker
//! and does everything in turn. This file wires library calls together; it does not match,
//! segment or format.

use super::{exit, load_engine, RuleArgs};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
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

/// Text files checked per parallel batch, per worker. Workers idle at the end of a batch
/// while its last pages finish: on 50 MB of generated pages two jobs took 853 ms with 8 per
/// worker and 805 ms with 32. A batch of pages is a few MB at most.
const TEXT_BATCH_PER_JOB: usize = 32;
/// JSON Lines input is read, parsed and checked in chunks of whole lines of about this size.
/// A chunk and the threads built from it then fit a core's 1 MB L2 cache, and fewer bytes
/// in flight touch fewer fresh pages: against 1 MB chunks, two jobs on 50 MB took 0.94-0.95x
/// the time and one job 0.97-0.98x (two sets of 40 and 30 alternating rounds), with 19 huge
/// pages faulted instead of 22. 128 KB was no faster.
const JSONL_CHUNK_BYTES: usize = 256 << 10;

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.by_author && !matches!(args.format, Format::Text | Format::Json) {
        anyhow::bail!("--by-author works with --format text or json");
    }
    let pool = crate::cli::worker_pool(args.jobs)?;
    let jobs = pool.current_num_threads();
    // With two or more jobs the rules are compiled by the workers that will check. Each
    // thread that allocates has heap pages of its own, and every fresh page costs a fault and
    // a zeroing (with huge pages, 2 MB at a time); compiling on rayon's global pool as well
    // had two more threads touching memory: 31 -> 24 huge pages faulted for two jobs on
    // 50 MB of JSON Lines. One job still compiles on every core: on its one worker,
    // start-up took 31.5 ms against 23.5 ms.
    let engine = if jobs > 1 {
        pool.install(|| load_engine(&args.rule_args))?
    } else {
        load_engine(&args.rule_args)?
    };
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

    // The identity hashes the text a finding sits in: only baselines and some formats use it.
    let identities =
        args.baseline.is_some() || args.write_baseline.is_some() || reporter.uses_identities();
    let stdout = io::stdout();
    let mut ctx = Ctx {
        engine: &engine,
        args: &args,
        identities,
        out: io::BufWriter::new(stdout.lock()),
        reporter,
        summary: Summary::new(args.fail_on),
        baseline,
        recorder: args.write_baseline.as_ref().map(|_| Recorder::default()),
        progress: ProgressBar::hidden(),
        pending_text: None,
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
                ctx.flush_text()?;
                ctx.jsonl_file(&pool, &source)?;
                ctx.progress.inc(1);
            }
        }
    }
    ctx.text_batch(&pool, batch)?;
    ctx.flush_text()?;
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
    /// Whether findings get their identity (see `Reported::identity`).
    identities: bool,
    out: io::BufWriter<io::StdoutLock<'static>>,
    reporter: Box<dyn Reporter>,
    summary: Summary,
    baseline: Option<Baseline>,
    recorder: Option<Recorder>,
    progress: ProgressBar,
    /// With two or more jobs, a checked batch of page-text inputs waits here to be written
    /// while the next batch is checked.
    pending_text: Option<(Vec<Source>, Vec<Outcome>)>,
}

/// What checking one page-text input gave.
enum Outcome {
    Checked {
        thread: Thread,
        items: Vec<Reported>,
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
        let (engine, args, identities) = (self.engine, self.args, self.identities);
        let check = |batch: &[Source]| -> Vec<Outcome> {
            pool.install(|| {
                batch
                    .par_iter()
                    .map(|s| match threadlint::input::read_page(&s.path) {
                        Ok(decoded) => {
                            let thread = threadlint::segment::segment(&s.display, decoded.text);
                            let findings = engine.check_thread(&thread);
                            let items =
                                prepare(args, identities, &s.display, &thread, findings, None);
                            Outcome::Checked {
                                thread,
                                items,
                                lossy: decoded.lossy,
                            }
                        }
                        Err(e) => Outcome::Failed(format!("{}: {e}", s.display)),
                    })
                    .collect()
            })
        };
        if pool.current_num_threads() < 2 {
            // One job: everything in turn on one thread.
            let outcomes = check(&batch);
            return self.write_text(batch, outcomes);
        }
        // The previous batch is written while this one is checked, so the workers do not wait
        // for the output (nor the output for the slowest page of a batch).
        let pending = self.pending_text.take();
        let (written, outcomes) = crate::cli::alongside(
            || check(&batch),
            || match pending {
                Some((sources, outcomes)) => self.write_text(sources, outcomes),
                None => Ok(()),
            },
        );
        self.pending_text = Some((batch, outcomes));
        written
    }

    /// Write the batch still waiting, if any.
    fn flush_text(&mut self) -> anyhow::Result<()> {
        match self.pending_text.take() {
            Some((sources, outcomes)) => self.write_text(sources, outcomes),
            None => Ok(()),
        }
    }

    fn write_text(&mut self, batch: Vec<Source>, outcomes: Vec<Outcome>) -> anyhow::Result<()> {
        for (source, outcome) in batch.iter().zip(outcomes) {
            match outcome {
                Outcome::Checked {
                    thread,
                    items,
                    lossy,
                } => {
                    if lossy {
                        self.warn(format!(
                            "{}: invalid UTF-8 replaced with U+FFFD",
                            source.display
                        ));
                    }
                    self.emit(&source.display, &thread, items, false)?;
                }
                Outcome::Failed(message) => self.error(message),
            }
            self.progress.inc(1);
        }
        Ok(())
    }

    fn jsonl_file(&mut self, pool: &rayon::ThreadPool, source: &Source) -> anyhow::Result<()> {
        let input: Box<dyn io::Read + Send> = if source.path.as_os_str() == "-" {
            Box::new(io::stdin())
        } else {
            match std::fs::File::open(&source.path) {
                Ok(f) => Box::new(f),
                Err(e) => {
                    self.error(format!("{}: {e}", source.display));
                    return Ok(());
                }
            }
        };
        let display = source.display.as_str();
        let prep = Prep {
            engine: self.engine,
            args: self.args,
            identities: self.identities,
            path: display,
        };
        let mut grouper = jsonl::Grouper::new(display);
        let mut threads_done = 0usize;
        // With one worker everything runs in turn on this thread. With more, a thread of its
        // own reads chunks ahead, and this thread writes out one batch while the pool checks
        // the next and builds the threads of the one after.
        let overlap = pool.current_num_threads() > 1;
        // A chunk read here need not fill up: the pool would only wait for it. A chunk read
        // ahead ends early only while this thread is waiting for it.
        let waiting = Arc::new(AtomicBool::new(!overlap));
        let chunker = jsonl::Chunker::new(input, JSONL_CHUNK_BYTES).hurry_when(waiting.clone());
        let mut chunks = Chunks::new(chunker, overlap).context("cannot start a reader thread")?;
        let mut pending: Option<Batch> = None;
        // With two or more jobs, a chunk's threads are built in one round and checked in the
        // next, beside the building of the next chunk's: each round has two parallel jobs that
        // do not wait on each other, so a worker done with one takes work from the other
        // instead of idling at its end. Two jobs on 50 MB: 0.986x and 0.982x the wall time
        // (30 and 40 alternating rounds), 0.987x with the runs' order swapped; CPU time the
        // same. One job builds and checks each chunk in turn, on this thread.
        let mut built: Option<Built> = None;
        let mut failed = false;
        loop {
            let chunk = match chunks.ready() {
                Some(Ready::Chunk(chunk)) => chunk,
                Some(Ready::NotYet) => {
                    // The input is slower than the checking: nothing to overlap with, so the
                    // findings so far go out now, for whoever watches a stream.
                    let (p, b) = (pending.take(), built.take());
                    failed |= self.drain(pool, &prep, display, p, b, &mut threads_done)?;
                    self.out.flush()?;
                    waiting.store(true, Ordering::Relaxed);
                    let next = chunks.next();
                    waiting.store(false, Ordering::Relaxed);
                    match next {
                        Some(chunk) => chunk,
                        None => break,
                    }
                }
                None => break,
            };
            if overlap {
                let mut previous = pending.take();
                let to_check = built.take();
                let (mut checked, mut next) = (None, None);
                let emitted = pool.in_place_scope(|s| {
                    if let Some(b) = to_check {
                        s.spawn(|_| checked = Some(b.check(&prep)));
                    }
                    s.spawn(|_| next = Some(Built::new(chunk, &mut grouper)));
                    let emitted = self.emit_batch(display, previous.as_mut(), &mut threads_done);
                    // Freeing a batch's threads takes a while too: not here.
                    s.spawn(move |_| drop(previous));
                    emitted
                });
                failed |= emitted?;
                (pending, built) = (checked, next);
            } else {
                let mut batch = pool.install(|| Built::new(chunk, &mut grouper).check(&prep));
                failed |= self.emit_batch(display, Some(&mut batch), &mut threads_done)?;
                // The next read may wait on a slow input: what is checked goes out first.
                self.out.flush()?;
            }
        }
        failed |= self.drain(pool, &prep, display, pending, built, &mut threads_done)?;
        if failed {
            // The input ended with a read error: its last thread may be cut short.
            return Ok(());
        }
        if let Some(last) = grouper.finish() {
            let last = Built {
                items: vec![last.build()],
                error: None,
            };
            self.drain(pool, &prep, display, None, Some(last), &mut threads_done)?;
        }
        if grouper.lossy() {
            self.warn(format!("{display}: invalid UTF-8 replaced with U+FFFD"));
        }
        Ok(())
    }

    /// Write out the batch checked and not yet written, then check and write the chunk built
    /// and not yet checked: what is in the pipeline goes out, in input order. Whether a read
    /// error ended the input.
    fn drain(
        &mut self,
        pool: &rayon::ThreadPool,
        prep: &Prep,
        display: &str,
        mut pending: Option<Batch>,
        built: Option<Built>,
        threads_done: &mut usize,
    ) -> anyhow::Result<bool> {
        let mut failed = self.emit_batch(display, pending.as_mut(), threads_done)?;
        if let Some(b) = built {
            let mut batch = pool.install(|| b.check(prep));
            failed |= self.emit_batch(display, Some(&mut batch), threads_done)?;
        }
        Ok(failed)
    }

    /// Write out a checked batch of a JSON Lines input, in input order. Returns whether reading
    /// the input failed after it.
    fn emit_batch(
        &mut self,
        display: &str,
        batch: Option<&mut Batch>,
        threads_done: &mut usize,
    ) -> anyhow::Result<bool> {
        let Some(batch) = batch else {
            return Ok(false);
        };
        for done in &mut batch.done {
            match done {
                Done::Thread(t, items) => {
                    *threads_done += 1;
                    self.emit(display, &t.thread, std::mem::take(items), true)?;
                }
                Done::Error { line, message } => {
                    self.error(format!("{display}:{line}: {message}"));
                }
            }
        }
        self.progress
            .set_message(format!("{display}: {threads_done} threads"));
        let failed = batch.error.is_some();
        if let Some(e) = &batch.error {
            self.error(format!("{display}: read error: {e}"));
        }
        Ok(failed)
    }

    /// Apply the baseline to a thread's prepared findings and hand them to the reporter.
    fn emit(
        &mut self,
        path: &str,
        thread: &Thread,
        mut items: Vec<Reported>,
        jsonl: bool,
    ) -> anyhow::Result<()> {
        if self.recorder.is_some() || self.baseline.is_some() {
            items.retain(|r| {
                let Some(identity) = &r.identity else {
                    return true;
                };
                if let Some(rec) = &mut self.recorder {
                    rec.add(identity.clone());
                }
                if let Some(base) = &mut self.baseline {
                    if base.accepts(identity) {
                        self.summary.baselined += 1;
                        return false;
                    }
                }
                true
            });
        }
        let report = ThreadReport {
            path,
            thread,
            jsonl,
            items,
        };
        self.summary.add(&report);
        self.reporter.thread(&mut self.out, &report)?;
        Ok(())
    }
}

/// What a JSON Lines batch needs to be checked on the pool.
struct Prep<'a> {
    engine: &'a Engine,
    args: &'a Args,
    identities: bool,
    path: &'a str,
}

impl Prep<'_> {
    /// Check a built thread and prepare its findings for output.
    fn check(&self, item: jsonl::Item) -> Done {
        match item {
            jsonl::Item::Thread(t) => {
                let findings = self.engine.check_thread_lines(&t.thread, &t.lines);
                let items = prepare(
                    self.args,
                    self.identities,
                    self.path,
                    &t.thread,
                    findings,
                    Some(&t),
                );
                Done::Thread(t, items)
            }
            jsonl::Item::Error { line, message } => Done::Error { line, message },
        }
    }
}

/// A checked chunk of a JSON Lines input: its threads and bad lines in input order, and the
/// read error that ended the input after it, if one did.
struct Batch {
    done: Vec<Done>,
    error: Option<io::Error>,
}

enum Done {
    Thread(JsonlThread, Vec<Reported>),
    Error { line: usize, message: String },
}

/// A chunk of a JSON Lines input with its threads built (they own their text), not yet
/// checked, and the read error that ended the input after it, if one did.
struct Built {
    items: Vec<jsonl::Item>,
    error: Option<io::Error>,
}

impl Built {
    /// Parse a chunk's lines in parallel, group them into threads in order, then build the
    /// threads in parallel. Run on the pool.
    fn new(mut chunk: jsonl::Chunk, grouper: &mut jsonl::Grouper) -> Built {
        let error = chunk.take_error();
        let parsed: Vec<jsonl::Parsed> = (0..chunk.len())
            .into_par_iter()
            .with_min_len(64)
            .map(|i| chunk.parse_line(i))
            .collect();
        let units = grouper.group(parsed);
        let items = units.into_par_iter().map(jsonl::Unit::build).collect();
        Built { items, error }
    }

    /// Check the threads in parallel. Run on the pool.
    fn check(self, prep: &Prep) -> Batch {
        let done = self
            .items
            .into_par_iter()
            .map(|item| prep.check(item))
            .collect();
        Batch {
            done,
            error: self.error,
        }
    }
}

/// Chunks of a JSON Lines input: read here when asked, or by a reader thread of their own
/// that keeps one chunk ready.
enum Chunks<R> {
    Here(jsonl::Chunker<R>),
    Ahead(std::sync::mpsc::Receiver<jsonl::Chunk>),
}

impl<R: io::Read + Send + 'static> Chunks<R> {
    fn new(mut chunker: jsonl::Chunker<R>, ahead: bool) -> io::Result<Chunks<R>> {
        if !ahead {
            return Ok(Chunks::Here(chunker));
        }
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        // Not joined: if writing the output fails, the run ends while this thread may still be
        // waiting for input.
        std::thread::Builder::new()
            .name("jsonl-reader".into())
            .spawn(move || {
                while let Some(chunk) = chunker.next_chunk() {
                    if tx.send(chunk).is_err() {
                        break;
                    }
                }
            })?;
        Ok(Chunks::Ahead(rx))
    }

    /// The next chunk, waiting for it; `None` at the end.
    fn next(&mut self) -> Option<jsonl::Chunk> {
        match self {
            Chunks::Here(chunker) => chunker.next_chunk(),
            Chunks::Ahead(rx) => rx.recv().ok(),
        }
    }

    /// The next chunk if it is there already (always, when read here); `None` at the end.
    fn ready(&mut self) -> Option<Ready> {
        match self {
            Chunks::Here(chunker) => chunker.next_chunk().map(Ready::Chunk),
            Chunks::Ahead(rx) => match rx.try_recv() {
                Ok(chunk) => Some(Ready::Chunk(chunk)),
                Err(std::sync::mpsc::TryRecvError::Empty) => Some(Ready::NotYet),
                Err(std::sync::mpsc::TryRecvError::Disconnected) => None,
            },
        }
    }
}

enum Ready {
    Chunk(jsonl::Chunk),
    NotYet,
}

/// Whether a finding passes `--min-severity`, `--category` and `--rule`.
fn keep(a: &Args, f: &Finding) -> bool {
    f.severity >= a.min_severity
        && (a.categories.is_empty() || a.categories.contains(&f.category))
        && (a.rules_only.is_empty() || a.rules_only.iter().any(|r| rule_selected(&f.rule, r)))
}

/// A thread's findings filtered and made ready for output (identity, record, positions
/// relative to the comment for JSON Lines). Pure, so it runs on the pool; the baseline is
/// applied afterwards, in input order.
fn prepare(
    args: &Args,
    identities: bool,
    path: &str,
    thread: &Thread,
    findings: Vec<Finding>,
    jsonl: Option<&JsonlThread>,
) -> Vec<Reported> {
    let mut items = Vec::new();
    let mut hashes = HashCache::default();
    for f in findings {
        if !keep(args, &f) {
            continue;
        }
        let identity = identities.then(|| Identity::cached(thread, &f, &mut hashes));
        let shown = jsonl.map_or_else(|| f.clone(), |j| j.relocate(&f));
        let mut record = FindingRecord::new(path, thread, &shown);
        record.record_line = jsonl.and_then(|j| j.record_line(&f));
        items.push(Reported {
            finding: f,
            record,
            identity,
        });
    }
    items
}

/// Whether `--rule wanted` selects rule `id`: the full id, or the set it belongs to.
fn rule_selected(id: &str, wanted: &str) -> bool {
    id == wanted
        || id
            .strip_prefix(wanted)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn kind_of(path: &Path, forced: Option<InputKind>) -> InputKind {
    forced.unwrap_or_else(|| {
        if threadlint::input::is_jsonl(path) {
            InputKind::Jsonl
        } else {
            InputKind::Text
        }
    })
}

/// Turn the PATH arguments into inputs, in order; directories are walked recursively in
/// sorted order. A path that cannot be read, or a directory with no input files, is reported
/// as an error (the run exits 2).
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
    let mut files = Vec::new();
    threadlint::input::walk(
        dir,
        &threadlint::input::THREADS,
        &mut files,
        &mut |path, e| ctx.error(format!("{}: {e}", path.display())),
    );
    out.extend(files.into_iter().map(|path| Source {
        display: path.display().to_string(),
        kind: kind_of(&path, forced),
        path,
    }));
}
