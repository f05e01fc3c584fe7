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
