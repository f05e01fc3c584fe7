//! `threadlint rules lint|test|docs|schema`: the rule author's tools. The library loads,
//! checks and generates; this file picks the rule files, prints, and sets the exit code.

use super::exit;
use anyhow::Context as _;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use threadlint::rules::{self, Diagnostic, Level, RuleSet};

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Report every problem in rule files as `path:line:col: error|warning[code]: message`.
    /// Exit 0 when clean, 1 on any problem, 2 when it cannot run.
    Lint(Paths),
    /// Run every rule's `match` and `no-match` examples through the engine. Exit 1 on any failure.
    Test(Paths),
    /// Print the rules reference (docs/rules.md) generated from rule files.
    Docs(Paths),
    /// Print the JSON Schema of the rule-file format (docs/rule-schema.json).
    Schema,
}

/// Which rule files to read.
#[derive(clap::Args, Debug)]
pub struct Paths {
    /// Rule files or directories of them (`*.yaml`, `*.yml`, recursively). Default: the
    /// bundled rule sets.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Also load the bundled rule sets when PATHs are given (for example to test a new set
    /// next to them).
    #[arg(long)]
    pub with_bundled: bool,
}

impl Paths {
    fn load(&self) -> (Vec<RuleSet>, Vec<Diagnostic>) {
        rules::load_sets(
            self.paths.is_empty() || self.with_bundled,
            &self.paths,
            rules::Checks::Lint,
        )
    }
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        Command::Lint(paths) => lint(&paths, &mut out),
        Command::Test(paths) => test(&paths, &mut out),
        Command::Docs(paths) => {
            let (sets, diags) = paths.load();
            if let Some(code) = report_errors(&diags)? {
                return Ok(code);
            }
            writeln!(out, "{}", rules::docs::rules_markdown(&sets))?;
            out.flush()?;
            Ok(exit::clean())
        }
        Command::Schema => {
            out.write_all(rules::schema::schema_text().as_bytes())?;
            out.flush()?;
            Ok(exit::clean())
        }
    }
}

fn lint(paths: &Paths, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let (_, diags) = paths.load();
    // `cannot-read` means a path was wrong: lint could not do its job.
    let cannot_run = diags.iter().any(|d| d.code == "cannot-read");
    for d in &diags {
        writeln!(out, "{d}")?;
    }
    let errors = diags.iter().filter(|d| d.level == Level::Error).count();
    let warnings = diags.len() - errors;
    if !diags.is_empty() {
        writeln!(out, "{errors} error(s), {warnings} warning(s)")?;
    }
    out.flush()?;
    Ok(if cannot_run {
        exit::error()
    } else if diags.is_empty() {
        exit::clean()
    } else {
        exit::found()
    })
}

/// Print load diagnostics to stderr; `Some(exit code)` when errors stop the command.
fn report_errors(diags: &[Diagnostic]) -> anyhow::Result<Option<ExitCode>> {
    let mut err = std::io::stderr().lock();
    for d in diags {
        writeln!(err, "{d}")?;
    }
    let errors = diags.iter().filter(|d| d.level == Level::Error).count();
    if errors > 0 {
        writeln!(
            err,
            "threadlint: error: {errors} error(s) in rule files; run `threadlint rules lint`"
        )?;
        return Ok(Some(exit::error()));
    }
    Ok(None)
}

fn test(paths: &Paths, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    // The same loading every matching command uses: errors end the command (exit 2).
    let args = super::RuleArgs {
        rules: paths.paths.clone(),
        no_default_rules: !paths.paths.is_empty() && !paths.with_bundled,
    };
    let engine = super::load_engine(&args)?;
    let results = rules::examples::run_examples(&engine);
    let mut failed = 0;
    for r in results.iter().filter(|r| !r.passed) {
        failed += 1;
        writeln!(out, "{r}").context("writing results")?;
    }
    writeln!(out, "{} passed, {} failed", results.len() - failed, failed)?;
    out.flush()?;
    Ok(if failed == 0 {
        exit::clean()
    } else {
        exit::found()
    })
}
