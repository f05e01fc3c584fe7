//! The `threadlint` command line. Each subcommand lives in `src/cli/<name>.rs`.

mod cli;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

// Checking allocates small, short-lived values per comment on every worker; mimalloc's
// thread-local free lists serve those faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay`, by its value in mimalloc's `mi_option_e`: the bindings
/// leave the experimental options unnamed. A test checks it is the option whose default is 10.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long mimalloc keeps freed memory before handing it back to the kernel, in ms.
///
/// Its default, 10 ms, is about the time one chunk of input takes to be read, checked and
/// freed, so the chunk's pages went back to the kernel and came again for the next one. With
/// transparent huge pages each return cost a 2 MB page zeroed on the next touch: 9% of a
/// one-thread `check` of JSON Lines, and three times the page faults. A second keeps them
/// while input flows, and a `serve` that goes idle still returns them.
const PURGE_DELAY_MS: std::ffi::c_long = 1000;

/// Audit comment threads for slurs, antisemitic tropes, profanity, insults and unverified claims.
#[derive(Parser)]
#[command(name = "threadlint", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check comment threads against the rules and report what is flagged.
    Check(cli::check::Args),
    /// Split scraped pages into article, boilerplate and comments.
    Segment(cli::segment::Args),
    /// Lint, test and document rule files; print the rule-file schema.
    #[command(subcommand)]
    Rules(cli::rules::Command),
    /// Show how a text is normalised, which candidates were found and why each was kept or dropped.
    Explain(cli::explain::Args),
    /// Per-rule statistics over a corpus: what fired, how often, and what never fired.
    Stats(cli::stats::Args),
    /// Score the rules on labelled data or on pages with gold files.
    Eval(cli::eval::Args),
    /// Compare the findings of two versions of the rules on a corpus.
    Diff(cli::diff::Args),
    /// Run an HTTP service that checks comments before they are published.
    Serve(cli::serve::Args),
}

#[allow(unsafe_code)]
fn configure_allocator() {
    // SAFETY: an option is a plain value mimalloc reads when it uses it; no other thread runs.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
}

fn main() -> ExitCode {
    configure_allocator();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => cli::check::run(args),
        Command::Segment(args) => cli::segment::run(args),
        Command::Rules(cmd) => cli::rules::run(cmd),
        Command::Explain(args) => cli::explain::run(args),
        Command::Stats(args) => cli::stats::run(args),
        Command::Eval(args) => cli::eval::run(args),
        Command::Diff(args) => cli::diff::run(args),
        Command::Serve(args) => cli::serve::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) if cli::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("threadlint: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(unsafe_code)]
    fn the_purge_delay_option_is_the_one_meant() {
        // mimalloc documents the purge delay's default as 10 ms; the neighbouring options
        // (eager commit delay, NUMA nodes) default to other values. An environment setting
        // would change what is read, so the test only speaks when there is none.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none()
            && std::env::var_os("MIMALLOC_RESET_DELAY").is_none()
        {
            // SAFETY: reading an option.
            assert_eq!(
                unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) },
                10
            );
        }
    }
}
