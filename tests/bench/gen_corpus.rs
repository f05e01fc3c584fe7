//! Writes a deterministic benchmark corpus of N megabytes, as page text or JSON Lines.
//!
//! The text is recombined from real comments: the seed pages (split by their gold files), any
//! fixture pages, and the bundled rules' must-match examples. Sentences are drawn whole, so the
//! corpus reads like comment sections, not random letters. About `--flagged` of the comments
//! (default 7%) carry one sentence that the baseline matcher hits; the rest are drawn only from
//! sentences it does not hit, so the share is controlled rather than accidental.
//!
//! Page text goes to a directory of pages (one page is one thread, as `check` reads it); JSON
//! Lines go to one file of `{"id","author","body","thread"}` records. Beside the output,
//! `OUT.meta.json` records the counts that `run.sh` turns into comments per second.
//!
//! `--cyrillic SHARE` writes that share of the unflagged comments in Cyrillic letters, and
//! `--foreign SHARE` ends that share of the comments with a phrase or two in other scripts or
//! with accents, for measuring text outside ASCII.
//!
//! Usage: `cargo run --release --example gen_corpus -- --mb 100 --format text --out DIR`

#[path = "common.rs"]
mod common;

use clap::{Parser, ValueEnum};
use common::{Material, Rng, WordMatcher};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Jsonl,
}

#[derive(Parser, Debug)]
#[command(about = "Write a deterministic benchmark corpus")]
struct Args {
    /// Size to write, in megabytes (10^6 bytes); fractions allowed.
    #[arg(long, default_value_t = 10.0)]
    mb: f64,
    /// `text`: a directory of pages; `jsonl`: one JSON Lines file.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// Output directory (text) or file (jsonl).
    #[arg(long)]
    out: PathBuf,
    /// Share of comments that carry a flagged sentence.
    #[arg(long, default_value_t = 0.07)]
    flagged: f64,
    /// PRNG seed.
    #[arg(long, default_value_t = 20261121)]
    seed: u64,
    /// Share of the comments without a flagged sentence whose letters are written in
    /// Cyrillic, letter for letter: text with two-byte letters, as a comment section in
    /// another script has. The default 0 writes the usual corpus, byte for byte.
    #[arg(long, default_value_t = 0.0)]
    cyrillic: f64,
    /// Share of the comments that end with one or two short phrases in other scripts or with
    /// accents ("привет мир", "café naïve", "日本語"): English text with a few letters
    /// outside ASCII, as many sites have. The default 0 writes the usual corpus.
    #[arg(long, default_value_t = 0.0)]
    foreign: f64,
}

struct Comment {
    author: Option<String>,
    body: String,
    flagged: bool,
}

struct Page {
    title: String,
    article: Vec<String>,
    comments: Vec<Comment>,
}

#[derive(Default)]
struct Stats {
    bytes: u64,
    threads: u64,
    comments: u64,
    flagged: u64,
}

fn make_author(rng: &mut Rng, m: &Material) -> String {
    // Half the named comments come from regulars: real commenters' names, and their first and
    // last names mixed (a few hundred names, each posting often). The other half come from
    // occasional commenters with handles ("gregory_h42", "jimmycasey1907"), nearly every one
    // seen once or twice, as on a real site. Regulars alone would flatter the name cache,
    // which checks each name once per worker.
    let a = rng.pick(&m.authors);
    let b = rng.pick(&m.authors);
    let (first, last) = match (a.split_whitespace().next(), b.split_whitespace().last()) {
        (Some(first), Some(last)) if first != last => (first, last),
        _ => return a.clone(),
    };
    if rng.chance(0.5) {
        return if rng.chance(0.5) {
            a.clone()
        } else {
            format!("{first} {last}")
        };
    }
    let first = first.to_lowercase();
    let last = last.to_lowercase();
    let number = rng.range(1, 9999);
    match rng.below(3) {
        0 => format!("{first}_{}{number}", last.chars().next().unwrap_or('x')),
        1 => format!("{first}{last}{number}"),
        _ => format!("{first}_{last}{number}"),
    }
}

/// Phrases for `--foreign`, none of them flagged by the bundled rules.
const FOREIGN: &[&str] = &[
    "привет мир",
    "שלום עולם",
    "café naïve",
    "ελληνικά",
    "日本語",
    "🙂 great",
    "Zürich",
    "São Paulo",
    "Ελλάδα",
    "москва",
    "Kraków",
    "Ångström",
];

fn make_page(rng: &mut Rng, m: &Material, flagged_share: f64, cyrillic: f64, foreign: f64) -> Page {
    let title = rng.pick(&m.titles).clone();
    let paragraphs = rng.range(3, 8);
    let article = (0..paragraphs)
        .map(|_| rng.pick(&m.article).clone())
        .collect();
    let n = rng.range(10, 120);
    let mut comments: Vec<Comment> = Vec::with_capacity(n);
    for _ in 0..n {
        let author = rng.chance(0.7).then(|| make_author(rng, m));
        let sentences = rng.range(1, 5);
        let mut parts: Vec<String> = (0..sentences)
            .map(|_| rng.pick(&m.sentences).clone())
            .collect();
        let flagged = !m.flagged.is_empty() && rng.chance(flagged_share);
        if flagged {
            let at = rng.below(parts.len());
            parts[at] = rng.pick(&m.flagged).clone();
        }
        let mut body = String::new();
        // Some replies open by quoting an earlier comment, as the seeds do ("“.. that Iran ..”").
        if !comments.is_empty() && rng.chance(0.08) {
            let earlier = &comments[rng.below(comments.len())].body;
            let first = earlier.lines().next().unwrap_or("");
            let cut = first.char_indices().nth(80).map_or(first.len(), |(i, _)| i);
            body.push('“');
            body.push_str(&first[..cut]);
            body.push_str("”\n\n");
        }
        let split = (parts.len() > 2 && rng.chance(0.2)).then(|| rng.range(1, parts.len() - 1));
        for (i, p) in parts.iter().enumerate() {
            if Some(i) == split {
                body.push_str("\n\n");
            } else if i > 0 {
                body.push(' ');
            }
            body.push_str(p);
        }
        // Drawn only when asked for, so that the default corpus does not change.
        if cyrillic > 0.0 && !flagged && rng.chance(cyrillic) {
            body = to_cyrillic(&body);
        }
        if foreign > 0.0 && rng.chance(foreign) {
            for _ in 0..rng.range(1, 2) {
                body.push(' ');
                body.push_str(FOREIGN[rng.below(FOREIGN.len())]);
            }
        }
        comments.push(Comment {
            author,
            body,
            flagged,
        });
    }
    Page {
        title,
        article,
        comments,
    }
}

/// `text` with each Latin letter replaced by a Cyrillic one, keeping its case.
fn to_cyrillic(text: &str) -> String {
    const LETTERS: [char; 26] = [
        'а', 'б', 'ц', 'д', 'е', 'ф', 'г', 'х', 'и', 'й', 'к', 'л', 'м', 'н', 'о', 'п', 'щ', 'р',
        'с', 'т', 'у', 'в', 'ш', 'ж', 'ы', 'з',
    ];
    text.chars()
        .map(|c| match c {
            'a'..='z' => LETTERS[(c as u8 - b'a') as usize],
            'A'..='Z' => LETTERS[(c as u8 - b'A') as usize]
                .to_uppercase()
                .next()
                .unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// The seed layout: headline, article paragraphs separated by blank lines, then comments. A
/// named comment is a blank line, the name, a blank line, the body; a guest comment is set off
/// by two blank lines (one when it follows the article directly).
fn render_text(page: &Page) -> String {
    let mut s = String::new();
    s.push_str(&page.title);
    s.push('\n');
    for p in &page.article {
        s.push('\n');
        s.push_str(p);
        s.push('\n');
    }
    for (i, c) in page.comments.iter().enumerate() {
        match &c.author {
            Some(a) => {
                s.push('\n');
                s.push_str(a);
                s.push_str("\n\n");
            }
            None if i == 0 => s.push('\n'),
            None => s.push_str("\n\n"),
        }
        s.push_str(&c.body);
        s.push('\n');
    }
    s
}

fn render_jsonl(page: &Page, thread: u64, out: &mut String) {
    let tid = format!("t{thread:06}");
    for (i, c) in page.comments.iter().enumerate() {
        let record = serde_json::json!({
            "id": format!("{tid}-c{i:04}"),
            "author": c.author,
            "body": c.body,
            "thread": tid,
        });
        out.push_str(&record.to_string());
        out.push('\n');
    }
}

fn clear_pages(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with("page-") && name.ends_with(".txt") {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

fn run(args: &Args) -> Result<Stats, String> {
    let sets = common::bundled_sets();
    let terms = common::literal_terms(&sets);
    let matcher = WordMatcher::new(&terms);
    let material = Material::load(&common::repo_root(), &sets, &matcher)?;
    if material.flagged.is_empty() {
        eprintln!("gen_corpus: warning: no flagged material (no bundled rule terms or examples)");
    }
    let target = (args.mb * 1e6) as u64;
    let mut rng = Rng::new(args.seed);
    let mut stats = Stats::default();
    let io = |e: std::io::Error| format!("{}: {e}", args.out.display());
    let mut jsonl = match args.format {
        Format::Jsonl => Some(BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(&args.out).map_err(io)?,
        )),
        Format::Text => {
            clear_pages(&args.out).map_err(io)?;
            None
        }
    };
    let mut buf = String::new();
    while stats.bytes < target {
        let page = make_page(
            &mut rng,
            &material,
            args.flagged,
            args.cyrillic,
            args.foreign,
        );
        stats.threads += 1;
        stats.comments += page.comments.len() as u64;
        stats.flagged += page.comments.iter().filter(|c| c.flagged).count() as u64;
        buf.clear();
        match jsonl.as_mut() {
            Some(w) => {
                render_jsonl(&page, stats.threads, &mut buf);
                w.write_all(buf.as_bytes()).map_err(io)?;
            }
            None => {
                buf = render_text(&page);
                let path = args.out.join(format!("page-{:06}.txt", stats.threads));
                std::fs::write(&path, &buf).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
        stats.bytes += buf.len() as u64;
    }
    if let Some(mut w) = jsonl {
        w.flush().map_err(io)?;
    }
    Ok(stats)
}

fn main() {
    let args = Args::parse();
    let stats = match run(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("gen_corpus: error: {e}");
            std::process::exit(2);
        }
    };
    let meta = serde_json::json!({
        "format": format!("{:?}", args.format).to_lowercase(),
        "seed": args.seed,
        "bytes": stats.bytes,
        "threads": stats.threads,
        "comments": stats.comments,
        "flagged_comments": stats.flagged,
    });
    let mut meta_path = args.out.clone().into_os_string();
    meta_path.push(".meta.json");
    if let Err(e) = std::fs::write(&meta_path, format!("{meta}\n")) {
        eprintln!(
            "gen_corpus: error: {}: {e}",
            PathBuf::from(meta_path).display()
        );
        std::process::exit(2);
    }
    eprintln!(
        "gen_corpus: {} bytes, {} threads, {} comments, {} flagged ({:.1}%)",
        stats.bytes,
        stats.threads,
        stats.comments,
        stats.flagged,
        100.0 * stats.flagged as f64 / stats.comments.max(1) as f64
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use threadlint::engine::Engine;
    use threadlint::finding::Target;

    #[test]
    fn cyrillic_writes_letters_in_cyrillic_and_keeps_the_rest() {
        let out = to_cyrillic("Hello, World 2026: ok?");
        assert_eq!(out, "Хелло, Шорлд 2026: ок?");
        assert!(
            !to_cyrillic("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
                .chars()
                .any(|c| c.is_ascii())
        );
    }

    /// The phrases `--foreign` appends are clean for the bundled rules, so the flagged share
    /// stays what `--flagged` asks for.
    #[test]
    fn foreign_phrases_are_not_flagged_by_the_bundled_rules() {
        let engine = Engine::new(common::bundled_sets()).expect("the bundled rules compile");
        for phrase in FOREIGN {
            let found = engine.check_text(phrase, Target::Body);
            assert!(found.is_empty(), "{phrase:?}: {found:?}");
            assert!(!phrase.is_ascii(), "{phrase:?} is ASCII");
        }
    }

    /// With both shares at 1, every unflagged comment is in Cyrillic (apart from the foreign
    /// phrases), every flagged one keeps its Latin letters, and every comment ends with a
    /// foreign phrase.
    #[test]
    fn shares_of_one_reach_every_comment_they_name() {
        let sets = common::bundled_sets();
        let terms = common::literal_terms(&sets);
        let matcher = WordMatcher::new(&terms);
        let material = Material::load(&common::repo_root(), &sets, &matcher).expect("material");
        let mut rng = Rng::new(7);
        let mut flagged = 0;
        for _ in 0..5 {
            let page = make_page(&mut rng, &material, 0.3, 1.0, 1.0);
            for c in &page.comments {
                assert!(
                    FOREIGN.iter().any(|f| c.body.ends_with(f)),
                    "no phrase at the end of {:?}",
                    c.body
                );
                let mut body = c.body.clone();
                while let Some(f) = FOREIGN.iter().find(|f| body.ends_with(*f)) {
                    body.truncate(body.len() - f.len() - 1);
                }
                let latin = body.chars().any(|ch| ch.is_ascii_alphabetic());
                assert_eq!(latin, c.flagged, "{:?}", c.body);
                flagged += usize::from(c.flagged);
            }
        }
        assert!(flagged > 0, "no flagged comment drawn");
    }
}
