//! `threadlint check` on JSON Lines input large enough to be read, parsed and checked in many
//! chunks: the output must not depend on how the work was cut up or spread over workers.
//!
//! The input is generated here, with what is expected computed from it: threads of every size
//! (one far larger than a chunk, so it is grouped across chunk boundaries), bad lines between
//! and inside threads, blank lines, escapes, numeric keys and records without a thread.

use assert_cmd::Command;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

const RULES: &str = "tests/fixtures/jsonl/rules/demo.yaml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn check(args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("threadlint").unwrap();
    cmd.current_dir(root())
        .env("CI", "true")
        .arg("check")
        .arg("--no-default-rules")
        .arg("--rules")
        .arg(root().join(RULES))
        .args(args);
    cmd
}

/// A generated input and what checking it must give.
struct Corpus {
    text: String,
    /// Ids of the records whose body says "idiot", in input order.
    flagged: Vec<String>,
    /// Input lines that are not comment records, in order.
    bad: Vec<usize>,
    /// Threads (runs of records with the same key).
    threads: usize,
}

fn corpus() -> Corpus {
    let mut c = Corpus {
        text: String::new(),
        flagged: Vec::new(),
        bad: Vec::new(),
        threads: 0,
    };
    let mut line = 0;
    let mut push = |c: &mut Corpus, l: &str| {
        c.text.push_str(l);
        c.text.push('\n');
        line += 1;
        line
    };
    let filler = "Fine words about the new park by the river, and the bus times too.";
    for t in 0..2000usize {
        let comments = match t {
            700 => 9000,
            _ => t % 9 + 1,
        };
        c.threads += 1;
        for i in 0..comments {
            let id = format!("{t}-{i}");
            let mut body = format!("{filler} {}", filler.repeat(i % 3));
            if (t * 31 + i * 7) % 11 == 0 {
                body.push_str(" What an idiot.");
                c.flagged.push(id.clone());
            }
            let body = match i % 4 {
                0 => body,
                1 => format!("> a quoted line\\n{body}"),
                2 => format!("caf\\u00e9 \\\"{body}\\\""),
                _ => format!("{body}\\nSecond line."),
            };
            let thread = match t % 5 {
                0 => format!("{t}"),
                4 if t % 2 == 0 => String::new(),
                _ => format!("\"story-{t}\""),
            };
            let thread = if thread.is_empty() {
                String::new()
            } else {
                format!(",\"thread\":{thread}")
            };
            let article = if i == 0 && t % 3 == 0 {
                ",\"article\":\"The council met on Tuesday.\""
            } else {
                ""
            };
            push(
                &mut c,
                &format!(
                    "{{\"id\":\"{id}\",\"author\":\"user {}\",\"body\":\"{body}\"{thread}{article}}}",
                    i % 17
                ),
            );
            // Bad and blank lines between comments of a thread do not split it.
            if (t * 13 + i) % 97 == 5 {
                let n = push(&mut c, "{\"id\":\"broken\",\"body\":");
                c.bad.push(n);
            }
            if (t + i) % 89 == 3 {
                push(&mut c, "");
            }
        }
        // Records without a thread key, one after another, form one thread: keep a keyed
        // record between such threads so they stay apart.
        if t % 5 == 4 && t % 2 == 0 {
            let n = push(
                &mut c,
                "{\"id\":\"wrong\",\"body\":\"idiot\",\"thread\":true}",
            );
            c.bad.push(n);
        }
    }
    c
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

#[test]
fn chunked_input_gives_the_same_output_and_errors_whatever_the_jobs() {
    let c = corpus();
    assert!(
        c.text.len() > 3 << 20,
        "{} bytes: not several chunks",
        c.text.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    std::fs::write(&path, &c.text).unwrap();
    let path = path.to_str().unwrap();

    let reference = run(&mut check(&["--format", "jsonl", "--jobs", "1", path]));
    assert_eq!(reference.code, 2, "{}", reference.stderr);
    let ids: Vec<String> = reference
        .stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            assert_eq!(v["rule"], "demo/idiot", "{l}");
            v["id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(ids, c.flagged, "findings in input order");
    let named: Vec<usize> = reference
        .stderr
        .lines()
        .map(|l| {
            let rest = l
                .strip_prefix(&format!("threadlint: error: {path}:"))
                .unwrap_or_else(|| panic!("{l}"));
            assert!(rest.contains(": not a comment record: "), "{l}");
            rest.split(':').next().unwrap().parse().unwrap()
        })
        .collect();
    assert_eq!(named, c.bad, "each bad line named once, in order");

    for jobs in ["2", "3"] {
        let r = run(&mut check(&["--format", "jsonl", "--jobs", jobs, path]));
        assert_eq!(r.code, 2);
        assert!(
            r.stdout == reference.stdout,
            "--jobs {jobs}: output differs"
        );
        assert_eq!(r.stderr, reference.stderr, "--jobs {jobs}");
    }
    // From standard input: the same findings and errors, named after `-` (the path names
    // the thread of records without a thread key too).
    let r = run(
        check(&["--format", "jsonl", "--input", "jsonl", "--jobs", "2", "-"])
            .write_stdin(c.text.clone()),
    );
    let quoted = serde_json::to_string(path).unwrap();
    assert!(
        r.stdout == reference.stdout.replace(&quoted, "\"-\""),
        "stdin output differs"
    );
    assert_eq!(r.stderr, reference.stderr.replace(path, "-"));

    // Threads are grouped across chunks: the summary counts each once.
    let outs: Vec<String> = ["1", "2"]
        .iter()
        .map(|jobs| run(&mut check(&["--format", "json", "--jobs", jobs, path])).stdout)
        .collect();
    assert!(
        outs[0] == outs[1],
        "json output differs between --jobs 1 and 2"
    );
    let v: Value = serde_json::from_str(&outs[0]).unwrap();
    assert_eq!(v["summary"]["threads"], c.threads);
    assert_eq!(v["summary"]["errors"], c.bad.len());
    assert_eq!(v["summary"]["findings"], c.flagged.len());
}

/// Findings are written as soon as their thread is checked, while the input is still open.
#[test]
fn a_slow_stream_shows_findings_before_it_ends() {
    for jobs in ["1", "2"] {
        let bin = assert_cmd::cargo::cargo_bin("threadlint");
        let mut child = std::process::Command::new(bin)
            .current_dir(root())
            .env("CI", "true")
            .args(["check", "--no-default-rules", "--rules", RULES])
            .args(["--format", "jsonl", "--input", "jsonl", "--jobs", jobs, "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // The second thread's first record ends the first thread.
        stdin
            .write_all(
                b"{\"id\":\"a\",\"body\":\"you idiot\",\"thread\":1}\n{\"id\":\"b\",\"body\":\"ok\",\"thread\":2}\n",
            )
            .unwrap();
        stdin.flush().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut first = String::new();
            BufReader::new(stdout).read_line(&mut first).unwrap();
            tx.send(first).unwrap();
        });
        let first = rx.recv_timeout(Duration::from_secs(60));
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        let first =
            first.unwrap_or_else(|_| panic!("--jobs {jobs}: no output while the input is open"));
        let v: Value = serde_json::from_str(&first).unwrap();
        assert_eq!(v["id"], "a", "--jobs {jobs}");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
