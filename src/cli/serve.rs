//! `threadlint serve`: parse the flags, compile the rules once, bind, print the address, serve.
//!
//! The service itself is `threadlint::serve`; this file only wires it to the command line.

use super::RuleArgs;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;
use threadlint::finding::Severity;
use threadlint::serve::api::Policy;
use threadlint::serve::rules::RuleSource;
use threadlint::serve::{Config, Server};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Address to listen on; port 0 picks a free port (the bound address is printed first).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub addr: String,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Lowest severity of a counting finding that holds a comment for review.
    #[arg(long, default_value = "medium", value_name = "LEVEL")]
    pub review_at: Severity,
    /// Lowest severity of a counting finding that blocks a comment.
    #[arg(long, default_value = "critical", value_name = "LEVEL")]
    pub block_at: Severity,
    /// Largest request body accepted, in bytes (at most 16 MiB, the size of a page); larger
    /// bodies get 413.
    #[arg(long, default_value_t = 1 << 20, value_name = "BYTES", value_parser = body_limit)]
    pub max_body: usize,
    /// Longest a request may take, upload included, in milliseconds; longer gets 503.
    #[arg(long, default_value_t = 2000, value_name = "N")]
    pub timeout_ms: u64,
}

/// `--max-body`: 1 byte to [`MAX_PAGE_BYTES`](threadlint::input::MAX_PAGE_BYTES), the most any
/// input may hold.
fn body_limit(s: &str) -> Result<usize, String> {
    let max = threadlint::input::MAX_PAGE_BYTES;
    match s.parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n as usize),
        Ok(_) => Err(format!(
            "must be from 1 to {max} ({} MiB, the size of a page)",
            max >> 20
        )),
        Err(e) => Err(e.to_string()),
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.review_at > args.block_at {
        anyhow::bail!(
            "--review-at {} is above --block-at {}: nothing could be held for review",
            args.review_at,
            args.block_at
        );
    }
    if args.timeout_ms == 0 {
        anyhow::bail!("--timeout-ms must be at least 1");
    }
    let source = RuleSource {
        paths: args.rules.rules.clone(),
        bundled: !args.rules.no_default_rules,
    };
    // The segmenter builds its patterns on first use, a few milliseconds: built now, beside
    // the rules, the first page checked does not wait for them.
    let (compiled, ()) = rayon::join(|| source.compile(), threadlint::segment::warm);
    let compiled = match compiled {
        Ok(compiled) => compiled,
        Err(errors) => {
            let mut err = std::io::stderr().lock();
            for e in &errors {
                writeln!(err, "{e}")?;
            }
            anyhow::bail!("the rules did not compile; not starting");
        }
    };
    {
        let mut err = std::io::stderr().lock();
        for w in &compiled.warnings {
            writeln!(err, "{w}")?;
        }
    }
    let config = Config {
        policy: Policy {
            review_at: args.review_at,
            block_at: args.block_at,
        },
        max_body: args.max_body,
        timeout: Duration::from_millis(args.timeout_ms),
        ..Config::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let server = Server::bind(&args.addr, compiled, source, config)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.addr))?;
        let addr = server.local_addr()?;
        // The first line of standard output is the bound address, for scripts and tests that
        // asked for port 0.
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{addr}")?;
        out.flush()?;
        drop(out);
        server.run().await?;
        anyhow::Ok(())
    })?;
    Ok(super::exit::clean())
}
