//! The `threadlint` command line. Each subcommand lives in `src/cli/<name>.rs`.

mod cli;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

// Checking allocates small, short-lived values per comment on every worker; mimalloc's
// thread-local free lists serve those faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

fn main() -> ExitCode {
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
