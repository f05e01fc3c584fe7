//! `threadlint segment` driven as a process: each format, several files, a missing file and
//! invalid UTF-8.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::PathBuf;

fn seed(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .join(name)
}

fn cmd() -> Command {
    Command::cargo_bin("threadlint").expect("binary builds")
}

const S000: &str = "000_64a4ceb365bee314.txt";
const S002: &str = "002_bc8de53f18b3238f.txt";

#[test]
fn text_outline_lists_article_and_comments() {
    cmd()
        .args(["segment"])
        .arg(seed(S000))
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("== {S000}")))
        .stdout(predicate::str::contains(
            "article: lines 1-13, title line 1: Putin And Trump",
        ))
        .stdout(predicate::str::contains("comments: 32"))
        .stdout(predicate::str::contains("#1 guest: lines 15-15"))
        .stdout(predicate::str::contains(
            "#2 Gregory Casey (line 17): lines 19-19",
        ))
        .stdout(predicate::str::contains(
            "quote lines 40-40 (from the article)",
        ));
}

#[test]
fn yaml_is_the_gold_shape() {
    let out = cmd()
        .args(["segment", "--format", "yaml"])
        .arg(seed(S002))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with(&format!(
            "seed: {S002}\narticle:\n  title: 1\n  lines: [1, 15]\n"
        )),
        "{text}"
    );
    assert!(
        text.contains("  - author: Zionism = EVIL\n    name_line: 21\n    lines: [23, 23]\n"),
        "{text}"
    );
    let ours = threadlint::gold::from_str(&text).unwrap();
    let gold = threadlint::gold::load(&seed("gold/002_bc8de53f18b3238f.yaml")).unwrap();
    let starts = |g: &threadlint::gold::Gold| -> Vec<(Option<String>, [usize; 2])> {
        g.comments
            .iter()
            .map(|c| (c.author.clone(), [c.lines.first, c.lines.last]))
            .collect()
    };
    assert_eq!(starts(&ours), starts(&gold));
}

#[test]
fn json_has_spans_for_names_bodies_and_quotes() {
    let out = cmd()
        .args(["segment", "--format", "json"])
        .arg(seed(S000))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let page = &v.as_array().expect("an array of pages")[0];
    assert_eq!(page["seed"], S000);
    assert_eq!(page["article"]["lines"], serde_json::json!([1, 13]));
    let c = &page["comments"][1];
    assert_eq!(c["author"], "Gregory Casey");
    assert_eq!(c["name_line"], 17);
    assert!(c["name_span"]["start"].as_u64().unwrap() < c["name_span"]["end"].as_u64().unwrap());
    assert!(c["span"]["end"].as_u64().unwrap() > c["span"]["start"].as_u64().unwrap());
    let q = &page["comments"][3]["quotes"][0];
    assert_eq!(q["lines"], serde_json::json!([25, 25]));
    assert_eq!(
        q["source"],
        serde_json::json!({"kind": "comment", "index": 1})
    );
    assert!(q["span"]["start"].is_u64());
}

/// JSON is written a batch of pages at a time, not gathered until the last page is read:
/// memory stays that of a batch however many pages there are (a directory of 55 MB of pages
/// took 500 MB when the array was built first). Standard input, the last of a hundred paths,
/// is held open here: the pages before it must be out before it ends.
#[test]
fn json_pages_are_written_before_the_last_page_is_read() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command as Process, Stdio};
    use std::sync::mpsc;
    use std::time::Duration;
    let mut paths = vec![seed(S000); 99];
    paths.push(PathBuf::from("-"));
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("threadlint"))
        .args(["segment", "--format", "json", "--jobs", "1"])
        .args(&paths)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let _ = tx.send(line);
        }
    });
    let first = format!("\"seed\": \"{S000}\"");
    let seen = loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) if line.contains(&first) => break true,
            Ok(_) => continue,
            Err(_) => break false,
        }
    };
    drop(stdin);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    assert!(
        seen,
        "the first page was not written while standard input was open"
    );
    assert!(status.success());
}

#[test]
fn several_files_are_separate_yaml_documents() {
    cmd()
        .args(["segment", "--format", "yaml"])
        .arg(seed(S000))
        .arg(seed(S002))
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("---\nseed: {S002}\n")));
}

#[test]
fn a_missing_file_is_named_and_the_others_still_run() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-page.txt");
    cmd()
        .args(["segment"])
        .arg(&missing)
        .arg(seed(S002))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-page.txt"))
        .stdout(predicate::str::contains(format!("== {S002}")));
}

#[test]
fn a_page_too_large_is_named_and_the_others_still_run() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.txt");
    let size = threadlint::input::MAX_PAGE_BYTES as usize + 1;
    std::fs::write(&big, "word ".repeat(size / 5 + 1)).unwrap();
    cmd()
        .arg("segment")
        .arg(&big)
        .arg(seed(S000))
        .assert()
        .code(2)
        .stdout(predicate::str::contains(format!("== {S000}")))
        .stderr(predicate::str::contains(
            "big.txt: too large for a page (16.1 MB;",
        ));
}

#[test]
fn invalid_utf8_is_replaced_with_a_warning_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("latin1.txt");
    std::fs::write(
        &page,
        b"Caf\xE9 owners fight new rules on outdoor seating\r\n\r\nThe council wants tables moved off the pavement by nine in the evening, which owners say will cost them the busiest hour.\r\n\r\nJos\xE9 Ruiz\r\n\r\nWe will lose a third of our takings.\r\n",
    )
    .unwrap();
    cmd()
        .args(["segment", "--format", "yaml"])
        .arg(&page)
        .assert()
        .success()
        .stderr(
            predicate::str::contains("latin1.txt").and(predicate::str::contains("invalid UTF-8")),
        )
        .stdout(
            predicate::str::contains("  - author: \"Jos\u{FFFD} Ruiz\"")
                .or(predicate::str::contains("  - author: Jos\u{FFFD} Ruiz")),
        )
        .stdout(predicate::str::contains("    lines: [7, 7]"));
}

#[test]
fn an_empty_file_gives_an_empty_outline() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("empty.txt");
    std::fs::write(&page, b"").unwrap();
    cmd()
        .args(["segment", "--format", "yaml"])
        .arg(&page)
        .assert()
        .success()
        .stdout("seed: empty.txt\narticle: null\nboilerplate: []\ncomments: []\n");
}

#[test]
fn a_directory_stands_for_its_page_files_in_sorted_order() {
    let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let out = cmd()
        .args(["segment", "--format", "yaml"])
        .arg(&seeds)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    let shown: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("seed: "))
        .collect();
    let mut pages: Vec<String> = std::fs::read_dir(&seeds)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    pages.sort();
    // The gold files under seeds/gold/ are YAML, not pages.
    assert_eq!(shown, pages);
    assert_eq!(shown.len(), 5);
}

#[test]
fn a_directory_without_page_files_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.md"), "not a page").unwrap();
    cmd()
        .args(["segment"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(dir.path().display().to_string()))
        .stderr(predicate::str::contains("no page text"));
}

/// Pages are segmented in parallel batches and written in input order: the output, and the
/// errors and warnings with it, are the same whatever `--jobs` is, over several batches with an
/// unreadable page and one with invalid UTF-8 among them.
#[test]
fn output_is_the_same_whatever_the_number_of_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad-utf8.txt");
    std::fs::write(&bad, b"Headline\n\nJane Doe\nca\xffn't be right\n").unwrap();
    let seeds = [
        "000_64a4ceb365bee314.txt",
        "001_c81db2036cae32a0.txt",
        "002_bc8de53f18b3238f.txt",
        "003_3509a2ce3500e895.txt",
        "004_c9c4c2cc3a60d284.txt",
    ];
    let mut paths: Vec<PathBuf> = (0..150).map(|i| seed(seeds[i % seeds.len()])).collect();
    paths[70] = dir.path().join("missing.txt");
    paths[131] = bad;
    for format in ["text", "yaml", "json"] {
        let run = |jobs: &str| {
            let out = cmd()
                .args(["segment", "--format", format, "--jobs", jobs])
                .args(&paths)
                .assert()
                .code(2)
                .get_output()
                .clone();
            (out.stdout, String::from_utf8(out.stderr).unwrap())
        };
        let one = run("1");
        assert_eq!(one.1.matches("missing.txt").count(), 1, "{}", one.1);
        assert_eq!(one.1.matches("bad-utf8.txt").count(), 1, "{}", one.1);
        for jobs in ["2", "3"] {
            assert!(
                run(jobs) == one,
                "--format {format} --jobs {jobs} differs from one job"
            );
        }
    }
    let out = cmd()
        .args(["segment", "--format", "json", "--jobs", "2"])
        .args(&paths)
        .output()
        .unwrap();
    let pages: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(pages.len(), 149);
    assert_eq!(pages[70]["seed"], seeds[71 % seeds.len()]);
}
