//! Subcommands. Each file parses its own arguments and wires library calls together; the
//! library does the work. Output goes through `std::io::Write` so that a closed pipe is an
//! error we can end on quietly, never a panic.

pub mod check;
pub mod diff;
pub mod eval;
pub mod explain;
pub mod rules;
pub mod segment;
pub mod serve;
pub mod stats;

use anyhow::Context;
use std::path::PathBuf;

/// Exit codes shared by every command.
pub mod exit {
    use std::process::ExitCode;
    /// Nothing at or above the gate.
    pub fn clean() -> ExitCode {
        ExitCode::SUCCESS
    }
    /// Something at or above the gate, or a rule test failed, or lint found problems.
    pub fn found() -> ExitCode {
        ExitCode::from(1)
    }
    /// The command could not do its job (bad input, broken rules).
    pub fn error() -> ExitCode {
        ExitCode::from(2)
    }
}

/// Where rules come from; flattened into every command that matches.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct RuleArgs {
    /// Add rule sets from a YAML file or a directory of them (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Do not load the bundled rule sets.
    #[arg(long)]
    pub no_default_rules: bool,
}

/// The pool of `--jobs` workers (0: one per core).
pub fn worker_pool(jobs: usize) -> anyhow::Result<rayon::ThreadPool> {
    let mut pool = rayon::ThreadPoolBuilder::new().num_threads(jobs);
    if jobs == 1 {
        // One job: this thread is the worker, and the work reuses the heap pages it already
        // has. A worker thread started a heap of its own, every page of it fresh (a fault
        // and a zeroing, 2 MB at a time with huge pages), and what it built was freed here,
        // across threads: `check` on 50 MB of JSON Lines faulted 23 -> 13 huge pages, peak
        // resident memory 56 -> 35 MB, and ran 1.17x as fast (page text 1.08x).
        pool = pool.use_current_thread();
    }
    pool.build().context("cannot start worker threads")
}

/// Run `work` on a thread of its own while `write` runs on this one, and return what each
/// gave: a batch's output is written while the next batch is worked on. A panic in `work`
/// goes on here.
pub fn alongside<T: Send, R>(work: impl FnOnce() -> T + Send, write: impl FnOnce() -> R) -> (R, T) {
    std::thread::scope(|scope| {
        let worker = scope.spawn(work);
        let written = write();
        let done = worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (written, done)
    })
}

/// Whether an error is a closed pipe (`threadlint check | head`), which ends quietly.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Load the rule sets `args` names and compile them. Rule-file errors are printed to stderr as
/// `path:line:col: error[code]: message` and end the command with an error (exit 2). Quality
/// warnings are not computed here: `rules lint` reports them.
pub fn load_engine(args: &RuleArgs) -> anyhow::Result<threadlint::engine::Engine> {
    use threadlint::rules::{self, Level};
    let (sets, diagnostics) =
        rules::load_sets(!args.no_default_rules, &args.rules, rules::Checks::Errors);
    let errors = diagnostics
        .iter()
        .filter(|d| d.level == Level::Error)
        .count();
    for d in &diagnostics {
        eprintln!("{d}");
    }
    if errors > 0 {
        anyhow::bail!("{errors} error(s) in rule files");
    }
    threadlint::engine::Engine::new(sets).map_err(|errs| {
        for e in &errs {
            eprintln!("{e}");
        }
        anyhow::anyhow!("{} rule(s) could not be compiled", errs.len())
    })
}
