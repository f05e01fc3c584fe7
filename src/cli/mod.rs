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
