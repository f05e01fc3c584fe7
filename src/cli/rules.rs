//! `threadlint rules lint|test`. (Placeholder.)

use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Report every problem in rule files.
    Lint {},
    /// Run every rule's match and no-match examples.
    Test {},
}

pub fn run(_cmd: Command) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`rules` is not built yet")
}
