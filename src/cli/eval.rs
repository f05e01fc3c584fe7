//! `threadlint eval LABELS.jsonl` and `threadlint eval --gold DIR`: score the rules on labelled
//! texts (see `tuning::eval`) or on pages with gold files (see `tuning::gold_eval`).

use super::RuleArgs;
use rayon::prelude::*;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use threadlint::finding::Severity;
use threadlint::tuning::{eval, gold_eval, labels, write_json, Filter, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Labelled texts, one JSON object a line:
    /// {"id", "text", "labels": {"<category>": true|false}, "author"?}.
    #[arg(
        value_name = "LABELS.jsonl",
        required_unless_present = "gold",
        conflicts_with = "gold"
    )]
    pub labels: Option<PathBuf>,
    /// Score pages against gold files instead: DIR holds NAME.yaml gold files; each names its
    /// page in `seed:`, looked up in DIR's parent, then in DIR.
    #[arg(long, value_name = "DIR")]
    pub gold: Option<PathBuf>,
    /// The lowest severity that counts as a flag (with --gold, findings below it are dropped
    /// before scoring; the gold README scores at `low`).
    #[arg(long, value_name = "LEVEL", default_value = "low")]
    pub min_severity: Severity,
    /// How many false positives and false negatives to show per category.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub examples: usize,
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
    let mut out = std::io::stdout().lock();
    let Some(path) = &args.labels else {
        let Some(dir) = args.gold.as_deref() else {
            anyhow::bail!("give a labels file or --gold DIR");
        };
        let report = gold_eval::evaluate_gold(&engine, dir, &args.filter, args.min_severity)?;
        match args.format {
            Format::Text => gold_eval::write_text(&mut out, &report)?,
            Format::Json => write_json(&mut out, &report)?,
        }
        out.flush()?;
        return Ok(super::exit::clean());
    };
    let records = labels::read_labels(path)?;
    // Labelled texts are independent: check them on every core; `collect` keeps file order.
    let findings: Vec<_> = records
        .par_iter()
        .map(|r| {
            let mut fs = eval::check_record(&engine, r);
            fs.retain(|f| args.filter.keeps_finding(f));
            fs
        })
        .collect();
    let sets = args.filter.sets(engine.sets());
    let mut report = eval::evaluate(&sets, &records, &findings, args.min_severity, args.examples);
    if !args.filter.categories.is_empty() || !args.filter.rule_ids.is_empty() {
        // Narrowed to some rules: score only their categories (and the ones asked for).
        let ruled: Vec<_> = sets
            .iter()
            .flat_map(|s| &s.rules)
            .map(|r| r.category)
            .collect();
        report.categories.retain(|c| {
            ruled.contains(&c.category) || args.filter.categories.contains(&c.category)
        });
    }
    match args.format {
        Format::Text => eval::write_text(&mut out, &report)?,
        Format::Json => write_json(&mut out, &report)?,
    }
    out.flush()?;
    Ok(super::exit::clean())
}
