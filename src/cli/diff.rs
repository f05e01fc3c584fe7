//! `threadlint diff --old RULES --new RULES PATH...`: what a rule edit changes on a corpus
//! (see `tuning::diff`). Exit code 0 when nothing changes, 1 when something does.

use super::RuleArgs;
use rayon::prelude::*;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use threadlint::engine::Engine;
use threadlint::finding::{Finding, Severity};
use threadlint::tuning::diff::{self, CategoryDelta, DiffUnit};
use threadlint::tuning::{corpus, eval, labels, write_json, Filter, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The old rules: a rule file or a directory of them (repeatable).
    #[arg(long, value_name = "RULES")]
    pub old: Vec<PathBuf>,
    /// The new rules: a rule file or a directory of them (repeatable).
    #[arg(long, value_name = "RULES")]
    pub new: Vec<PathBuf>,
    /// Add the bundled rule sets to the old rules.
    #[arg(long)]
    pub old_bundled: bool,
    /// Add the bundled rule sets to the new rules.
    #[arg(long)]
    pub new_bundled: bool,
    /// Page text files, JSON Lines comment files (`.jsonl`) or directories of them.
    #[arg(
        value_name = "PATH",
        required_unless_present = "labels",
        conflicts_with = "labels"
    )]
    pub paths: Vec<PathBuf>,
    /// Compare on labelled texts (the `eval` format) and mark each change a gain or a loss.
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub filter: Filter,
}

fn engine(paths: &[PathBuf], bundled: bool, side: &str) -> anyhow::Result<Engine> {
    if paths.is_empty() && !bundled {
        anyhow::bail!("no {side} rules: give --{side} RULES or --{side}-bundled");
    }
    super::load_engine(&RuleArgs {
        rules: paths.to_vec(),
        no_default_rules: !bundled,
    })
    .map_err(|e| e.context(format!("cannot load the {side} rules")))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let old = engine(&args.old, args.old_bundled, "old")?;
    let new = engine(&args.new, args.new_bundled, "new")?;
    let both: Vec<_> = old.sets().iter().chain(new.sets()).cloned().collect();
    args.filter.check(&both)?;
    let keep = |mut fs: Vec<Finding>| {
        fs.retain(|f| args.filter.keeps_finding(f));
        fs
    };
    let report = if let Some(path) = &args.labels {
        let records = labels::read_labels(path)?;
        let name = path.display().to_string();
        let units: Vec<DiffUnit> = records
            .iter()
            .map(|r| DiffUnit {
                path: &name,
                name: &r.id,
                ids: vec![Some(r.id.clone())],
                record_lines: Some(vec![r.line]),
                article_line: None,
                labels: Some(&r.labels),
            })
            .collect();
        let check = |e: &Engine| -> Vec<Vec<Finding>> {
            records
                .par_iter()
                .map(|r| keep(eval::check_record(e, r)))
                .collect()
        };
        let (fo, fnew) = (check(&old), check(&new));
        let mut report = diff::diff(&units, &fo, &fnew, old.fingerprint(), new.fingerprint());
        let before = eval::evaluate(
            &args.filter.sets(old.sets()),
            &records,
            &fo,
            Severity::Low,
            0,
        );
        let after = eval::evaluate(
            &args.filter.sets(new.sets()),
            &records,
            &fnew,
            Severity::Low,
            0,
        );
        let mut deltas = Vec::new();
        for category in threadlint::finding::Category::ALL {
            let pick = |r: &eval::EvalReport| {
                r.categories
                    .iter()
                    .find(|c| c.category == category)
                    .map(|c| c.score)
            };
            let (o, n) = (pick(&before), pick(&after));
            if o.is_none() && n.is_none() {
                continue;
            }
            deltas.push(CategoryDelta {
                category,
                old: o.unwrap_or_default(),
                new: n.unwrap_or_default(),
            });
        }
        report.categories = Some(deltas);
        report
    } else {
        let mut differ = diff::Differ::new(false);
        corpus::for_each_batch(&args.paths, |batch| {
            // Both versions check the batch on every core; changes are collected in order.
            let found: Vec<(Vec<Finding>, Vec<Finding>)> = batch
                .par_iter()
                .map(|u| {
                    (
                        keep(old.check_thread(&u.thread)),
                        keep(new.check_thread(&u.thread)),
                    )
                })
                .collect();
            for (u, (o, n)) in batch.iter().zip(&found) {
                let unit = DiffUnit {
                    path: &u.path,
                    name: &u.thread.name,
                    ids: u.thread.comments.iter().map(|c| c.id.clone()).collect(),
                    record_lines: u.record_lines.clone(),
                    article_line: u.article_line,
                    labels: None,
                };
                differ.add(&unit, o, n);
            }
            Ok(())
        })?;
        differ.finish(old.fingerprint(), new.fingerprint())
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Text => diff::write_text(&mut out, &report)?,
        Format::Json => write_json(&mut out, &report)?,
    }
    out.flush()?;
    Ok(if report.is_empty() {
        super::exit::clean()
    } else {
        super::exit::found()
    })
}
