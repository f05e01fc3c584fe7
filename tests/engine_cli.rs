//! `threadlint explain` end to end (rule loading lands with the loader; these check the
//! command's own behaviour).

use assert_cmd::Command;
use predicates::str::contains;

#[test]
fn explain_prints_target_and_counts() {
    Command::cargo_bin("threadlint")
        .unwrap()
        .args([
            "explain",
            "some text",
            "--no-default-rules",
            "--target",
            "name",
        ])
        .assert()
        .code(0)
        .stdout(contains("target: name"))
        .stdout(contains("candidates: 0"))
        .stdout(contains("findings: 0"));
}

#[test]
fn explain_reads_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.txt");
    std::fs::write(&path, "hello").unwrap();
    Command::cargo_bin("threadlint")
        .unwrap()
        .args(["explain", "--file"])
        .arg(&path)
        .assert()
        .code(0)
        .stdout(contains("target: body"));
}

/// A text to explain is held to the size of a page, from a file or from standard input;
/// one of exactly the limit is explained.
#[test]
fn explain_refuses_a_text_larger_than_a_page() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.txt");
    let limit = threadlint::input::MAX_PAGE_BYTES as usize;
    std::fs::write(&path, "a".repeat(limit + 1)).unwrap();
    let bin = || Command::cargo_bin("threadlint").unwrap();
    bin()
        .args(["explain", "--no-default-rules", "--file"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(contains("big.txt"))
        .stderr(contains(
            "too large for a text to explain (16.1 MB; the limit is 16 MB)",
        ));
    bin()
        .args(["explain", "--no-default-rules", "--file", "-"])
        .write_stdin("a".repeat(limit + 1))
        .assert()
        .code(2)
        .stderr(contains(
            "too large for a text to explain (the limit is 16 MB)",
        ));
    std::fs::write(&path, "a".repeat(limit)).unwrap();
    bin()
        .args(["explain", "--no-default-rules", "--file"])
        .arg(&path)
        .assert()
        .code(0)
        .stdout(contains("findings: 0"));
}

#[test]
fn explain_rejects_bad_arguments() {
    let bin = || Command::cargo_bin("threadlint").unwrap();
    bin().args(["explain"]).assert().code(2);
    bin()
        .args(["explain", "x", "--target", "footer"])
        .assert()
        .code(2)
        .stderr(contains("unknown scope"));
    bin()
        .args(["explain", "--file", "/nonexistent/x.txt"])
        .assert()
        .code(2)
        .stderr(contains("/nonexistent/x.txt"));
}

/// `explain --page` segments the page and explains each comment: a match inside a quote is
/// rejected for a rule with `quoted: ignore` and reported as quoted for the others.
#[test]
fn explain_page_shows_quote_verdicts() {
    let out = Command::cargo_bin("threadlint")
        .unwrap()
        .args([
            "explain",
            "--page",
            "--file",
            "tests/fixtures/pages/quotes_wrote_forum.txt",
            "--no-default-rules",
            "--rules",
            "tests/fixtures/explain/quoted.yaml",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    // Rosa's own comment: confirmed; Mark's quote of it: rejected as quoted (ignore).
    assert!(out.contains("== comment 0 (Rosa Delgado)"), "{out}");
    let at = |s: &str| out.find(s).unwrap_or_else(|| panic!("{s} missing:\n{out}"));
    let (c1, c2) = (
        at("== comment 1 (Mark Fenwick)"),
        at("== comment 2 (Claire Doyle)"),
    );
    let mark = &out[c1..c2];
    assert!(mark.contains("1 quote(s)"), "{mark}");
    assert!(
        mark.contains(
            "`homework` [casefold+compat+confusables+zero-width]: rejected: inside a quote"
        ),
        "{mark}"
    );
    assert!(!mark.contains("homework-ignored \"homework\""), "{mark}");
    // Claire quotes "warm": reported, marked quoted, not counted.
    let claire = &out[c2..];
    assert!(
        claire.contains("quoted/warm-reported \"warm\" (normalised \"warm\", term `warm`) [inside a quote: not counted]"),
        "{claire}"
    );
}
