//! `threadlint explain`: how one text normalises under each profile in use, every candidate
//! the automata found, and whether each was confirmed or why it was rejected.
//!
//! Wires `Engine::explain` to the terminal; it computes nothing itself.

use super::{exit, load_engine, RuleArgs};
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use threadlint::finding::Target;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The text to explain (or use --file).
    #[arg(
        value_name = "TEXT",
        conflicts_with = "file",
        required_unless_present = "file"
    )]
    pub text: Option<String>,
    /// Read the text from a file (`-` for standard input).
    #[arg(long, value_name = "F")]
    pub file: Option<PathBuf>,
    /// Check the text as a comment body, a commenter name or an article.
    #[arg(long, default_value = "body", value_parser = parse_target)]
    pub target: Target,
    /// Treat the text as a whole page: segment it and explain each comment's body, with
    /// quotes (spans and lines are then positions in the page).
    #[arg(long)]
    pub page: bool,
    #[command(flatten)]
    pub rules: RuleArgs,
}

fn parse_target(s: &str) -> Result<Target, String> {
    s.parse()
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let text = match (&args.text, &args.file) {
        (Some(t), _) => t.clone(),
        // A page is held to the size of a page, as `check` holds it.
        (None, Some(path)) if args.page => {
            threadlint::input::read_page(path)
                .with_context(|| format!("reading {}", path.display()))?
                .text
        }
        // A text is held to the size of a page too: explaining holds more per byte than
        // checking does.
        (None, Some(path)) => {
            threadlint::input::read_limited(
                path,
                "a text to explain",
                "explain is for one comment, or one page with --page",
            )
            .with_context(|| format!("reading {}", path.display()))?
            .text
        }
        (None, None) => anyhow::bail!("give a TEXT or --file F"),
    };
    let engine = load_engine(&args.rules)?;
    let mut out = std::io::stdout().lock();
    let rules_line = format!(
        "rules: {} set(s), fingerprint {}",
        engine.sets().len(),
        engine.fingerprint()
    );
    if args.page {
        writeln!(out, "{rules_line}")?;
        let name = args
            .file
            .as_ref()
            .map_or("<text>".to_string(), |p| p.display().to_string());
        let thread = threadlint::segment::segment(&name, text);
        let mut found = false;
        for (ci, c) in thread.comments.iter().enumerate() {
            let Some(x) = engine.explain_comment(&thread, ci) else {
                continue;
            };
            writeln!(
                out,
                "\n== comment {ci} ({}), lines {}-{}, {} quote(s)",
                c.author.as_deref().unwrap_or("guest"),
                c.lines.first,
                c.lines.last,
                c.quotes.len()
            )?;
            found |= !x.findings.is_empty();
            print_explanation(&mut out, &x, &thread.source)?;
        }
        out.flush()?;
        return Ok(if found { exit::found() } else { exit::clean() });
    }
    let x = engine.explain(&text, args.target);
    writeln!(out, "target: {}", x.target)?;
    writeln!(out, "{rules_line}")?;
    print_explanation(&mut out, &x, &text)?;
    out.flush()?;
    Ok(if x.findings.is_empty() {
        exit::clean()
    } else {
        exit::found()
    })
}

/// Profiles, candidates and findings of one explanation; spans index `source`.
fn print_explanation(
    out: &mut impl Write,
    x: &threadlint::engine::Explanation,
    source: &str,
) -> anyhow::Result<()> {
    if x.profiles.is_empty() {
        writeln!(out, "no rule applies to this target")?;
    }
    for p in &x.profiles {
        writeln!(out, "\nprofile {} ({} rule(s))", p.name, p.rules.len())?;
        writeln!(out, "  normalised: {:?}", p.normalized)?;
    }
    writeln!(out, "\ncandidates: {}", x.candidates.len())?;
    for c in &x.candidates {
        writeln!(
            out,
            "  {}..{} {:?} -> {:?}  {} {} `{}` [{}]: {}",
            c.span[0],
            c.span[1],
            source.get(c.span[0]..c.span[1]).unwrap_or(&c.matched),
            c.normalized,
            c.rule,
            c.kind,
            c.term,
            c.profile,
            c.verdict
        )?;
    }
    writeln!(out, "\nfindings: {}", x.findings.len())?;
    for f in &x.findings {
        writeln!(
            out,
            "  {}:{} {} {} {:?} (normalised {:?}, term `{}`){}",
            f.line,
            f.column,
            f.severity,
            f.rule,
            f.matched,
            f.normalized,
            f.term,
            if f.quoted {
                " [inside a quote: not counted]"
            } else {
                ""
            }
        )?;
    }
    Ok(())
}
