//! `threadlint stats PATH...`: per-rule statistics over a corpus (see `tuning::stats`).

use super::RuleArgs;
use rayon::prelude::*;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use threadlint::tuning::{corpus, stats, write_json, Filter, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Page text files, JSON Lines comment files (`.jsonl`) or directories of them; `-` reads
    /// page text from standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub filter: Filter,
    #[command(flatten)]
    pub rules: RuleArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = super::load_engine(&args.rules)?;
    args.filter.check(engine.sets())?;
    let sets = args.filter.sets(engine.sets());
    let mut acc = stats::Stats::new(&sets);
    corpus::for_each_batch(&args.paths, |batch| {
        // Threads are checked on every core; `collect` keeps corpus order for the counts.
        let found: Vec<Vec<_>> = batch
            .par_iter()
            .map(|unit| {
                let mut findings = engine.check_thread(&unit.thread);
                findings.retain(|f| args.filter.keeps_finding(f));
                findings
            })
            .collect();
        for (unit, findings) in batch.iter().zip(&found) {
            acc.add(unit, findings);
        }
        Ok(())
    })?;
    let report = acc.finish();
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Text => stats::write_text(&mut out, &report)?,
        Format::Json => write_json(&mut out, &report)?,
    }
    out.flush()?;
    Ok(super::exit::clean())
}
