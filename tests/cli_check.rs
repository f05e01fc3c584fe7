//! `threadlint check` end to end: the real binary on fixture files, every format and exit code.
//!
//! Most tests read `tests/fixtures/jsonl/comments.jsonl` with the small rule set
//! `tests/fixtures/jsonl/rules/demo.yaml` (and `--no-default-rules`), so what is expected does
//! not move when the bundled rules or the segmenter's heuristics change. Expected positions are
//! computed from the fixture's own text, not typed in.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

const COMMENTS: &str = "tests/fixtures/jsonl/comments.jsonl";
const RULES: &str = "tests/fixtures/jsonl/rules/demo.yaml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `threadlint check --no-default-rules --rules demo.yaml ARGS...`, run from the crate root, with
/// CI set (no progress bar) and no colour from the environment.
fn check(args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("threadlint").unwrap();
    cmd.current_dir(root())
        .env("CI", "true")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .arg("check")
        .arg("--no-default-rules")
        .arg("--rules")
        .arg(root().join(RULES))
        .args(args);
    cmd
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

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.stdout))
}

/// The fixture's records by id: (input line, body).
fn records() -> Vec<(String, usize, String)> {
    std::fs::read_to_string(root().join(COMMENTS))
        .unwrap()
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                i + 1,
                v["body"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// What the demo rules must find in the fixture: (id, rule, matched, quoted).
const EXPECTED: &[(&str, &str, &str, bool)] = &[
    ("c2", "demo/vermin", "vermin", false),
    ("c3", "demo/vermin", "vermin", true),
    ("c4", "demo/idiot", "idiot", false),
    ("c4", "demo/darn", "darn", false),
    ("c5", "demo/idiot", "idiot", false),
    ("c6", "demo/vermin", "rats", false),
];

#[test]
fn jsonl_input_gives_body_relative_positions_in_json() {
    let r = run(check(&["--format", "json", COMMENTS]).env("NO_COLOR", "1"));
    assert_eq!(
        r.code, 1,
        "high findings fail the default gate\n{}",
        r.stderr
    );
    let v = json(&r);
    assert_eq!(v["tool"], "threadlint");
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert!(v["fingerprint"].as_str().is_some_and(|f| !f.is_empty()));
    let recs = records();
    let want: Vec<Value> = EXPECTED
        .iter()
        .map(|&(id, rule, matched, quoted)| {
            let (_, line, body) = recs.iter().find(|r| r.0 == id).unwrap();
            let at = body.find(matched).unwrap();
            let before = &body[..at];
            let body_line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
            serde_json::json!({
                "id": id, "rule": rule, "matched": matched, "quoted": quoted,
                "record_line": line, "line": body_line, "column": column,
                "span": [at, at + matched.len()], "path": COMMENTS, "target": "body",
            })
        })
        .collect();
    let got: Vec<Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            serde_json::json!({
                "id": f["id"], "rule": f["rule"], "matched": f["matched"], "quoted": f["quoted"],
                "record_line": f["record_line"], "line": f["line"], "column": f["column"],
                "span": f["span"], "path": f["path"], "target": f["target"],
            })
        })
        .collect();
    assert_eq!(got, want);
    let f = &v["findings"][0];
    assert_eq!(
        (
            f["thread"].as_str(),
            f["author"].as_str(),
            f["category"].as_str(),
            f["severity"].as_str()
        ),
        (
            Some("story-1"),
            Some("Bob"),
            Some("antisemitism"),
            Some("high")
        )
    );
    assert_eq!(v["findings"][2]["author"], Value::Null, "c4 is a guest");
    let s = &v["summary"];
    assert_eq!(
        (&s["threads"], &s["comments"], &s["findings"], &s["quoted"]),
        (&2.into(), &6.into(), &6.into(), &1.into())
    );
    assert_eq!(
        s["flagged"],
        serde_json::json!({"critical": 0, "high": 2, "medium": 2, "low": 0})
    );
}

#[test]
fn every_jsonl_output_line_is_a_finding_with_version_and_fingerprint() {
    let r = run(&mut check(&["--format", "jsonl", COMMENTS]));
    assert_eq!(r.code, 1);
    let lines: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), EXPECTED.len());
    let doc = json(&run(&mut check(&["--format", "json", COMMENTS])));
    for (line, want) in lines.iter().zip(doc["findings"].as_array().unwrap()) {
        assert_eq!(line["version"], doc["version"]);
        assert_eq!(line["fingerprint"], doc["fingerprint"]);
        let mut stripped = line.clone();
        stripped.as_object_mut().unwrap().remove("version");
        stripped.as_object_mut().unwrap().remove("fingerprint");
        assert_eq!(&stripped, want, "jsonl and json carry the same record");
    }
}

#[test]
fn sarif_is_valid_against_the_published_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/sarif/sarif-schema-2.1.0.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let page = write_page(dir.path(), "page one.txt");
    for input in [COMMENTS, page.to_str().unwrap()] {
        let r = run(&mut check(&["--format", "sarif", input]));
        assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
        let v = json(&r);
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{input}: {errors:#?}");
        let run0 = &v["runs"][0];
        let rules: Vec<&str> = run0["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(rules, ["demo/darn", "demo/idiot", "demo/vermin"]);
        for result in run0["results"].as_array().unwrap() {
            let i = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(result["ruleId"], rules[i]);
        }
    }
    let v = json(&run(&mut check(&["--format", "sarif", COMMENTS])));
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), EXPECTED.len());
    for r in results {
        let fingerprint = r["partialFingerprints"]["threadlint/identity/v1"]
            .as_str()
            .unwrap_or_default();
        assert!(
            fingerprint.len() == 32 && fingerprint.bytes().all(|b| b.is_ascii_hexdigit()),
            "every result has its identity as a fingerprint: {r}"
        );
    }
    let loc = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], COMMENTS);
    assert_eq!(loc["region"]["startLine"], 2, "the record of c2");
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(
        levels,
        ["error", "note", "warning", "note", "warning", "error"]
    );
}

#[test]
fn github_annotations_point_at_records() {
    let r = run(&mut check(&["--format", "github", COMMENTS]));
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), EXPECTED.len());
    assert!(
        lines[0].starts_with(&format!(
            "::error file={COMMENTS},line=2,title=demo/vermin::"
        )),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("::notice "), "quoted: {}", lines[1]);
    assert!(lines.iter().all(|l| !l.contains('\n')));
}

/// Text output with the rule-set fingerprint replaced, so snapshots do not change with every
/// edit of the rule loader's hashing.
fn redacted(text: &str) -> String {
    let doc = json(&run(&mut check(&["--format", "json", COMMENTS])));
    let fp = doc["fingerprint"].as_str().unwrap();
    assert!(!fp.is_empty());
    text.replace(fp, "[fingerprint]")
}

#[test]
fn text_output_without_and_with_colour() {
    let plain = run(&mut check(&["--color", "never", COMMENTS]));
    assert_eq!(plain.code, 1);
    assert!(!plain.stdout.contains('\u{1b}'));
    insta::assert_snapshot!("text_plain", redacted(&plain.stdout));
    // Piped stdout: `auto` means no colour.
    let auto = run(&mut check(&[COMMENTS]));
    assert_eq!(auto.stdout, plain.stdout);
    let colour = run(&mut check(&["--color", "always", COMMENTS]));
    assert!(colour.stdout.contains("\u{1b}["));
    insta::assert_snapshot!("text_colour", redacted(&colour.stdout));
}

#[test]
fn by_author_table_groups_guests() {
    let r = run(&mut check(&["--by-author", COMMENTS]));
    assert_eq!(r.code, 1);
    insta::assert_snapshot!("by_author", redacted(&r.stdout));
    let v = json(&run(&mut check(&[
        "--by-author",
        "--format",
        "json",
        COMMENTS,
    ])));
    let rows: Vec<(Value, u64, u64, Value)> = v["authors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["author"].clone(),
                r["comments"].as_u64().unwrap(),
                r["flagged"].as_u64().unwrap(),
                r["worst"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("Bob".into(), 2, 2, "high".into()),
            ("Dee".into(), 1, 1, "high".into()),
            (Value::Null, 1, 1, "medium".into()),
            ("Ann".into(), 1, 0, Value::Null),
            ("Cy".into(), 1, 0, Value::Null),
        ]
    );
    let r = run(&mut check(&["--by-author", "--format", "sarif", COMMENTS]));
    assert_eq!(r.code, 2);
}

#[test]
fn gate_and_filters() {
    // (args, exit code, rules reported in order)
    let table: &[(&[&str], i32, &[&str])] = &[
        (
            &[],
            1,
            &["vermin", "vermin", "idiot", "darn", "idiot", "vermin"],
        ),
        (
            &["--fail-on", "critical"],
            0,
            &["vermin", "vermin", "idiot", "darn", "idiot", "vermin"],
        ),
        (
            &["--min-severity", "medium"],
            1,
            &["vermin", "vermin", "idiot", "idiot", "vermin"],
        ),
        (&["--min-severity", "critical"], 0, &[]),
        (&["--category", "insult"], 0, &["idiot", "idiot"]),
        (
            &["--category", "insult", "--fail-on", "medium"],
            1,
            &["idiot", "idiot"],
        ),
        (
            &[
                "--category",
                "insult",
                "--category",
                "profanity",
                "--fail-on",
                "low",
            ],
            1,
            &["idiot", "darn", "idiot"],
        ),
        (&["--rule", "demo/darn"], 0, &["darn"]),
        (&["--rule", "demo/darn", "--fail-on", "low"], 1, &["darn"]),
        (
            &["--rule", "demo"],
            1,
            &["vermin", "vermin", "idiot", "darn", "idiot", "vermin"],
        ),
        (&["--rule", "dem"], 2, &[]),
        (&["--rule", "demo/nope"], 2, &[]),
    ];
    let mut failures = Vec::new();
    for (args, code, rules) in table {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        all.push(COMMENTS);
        let r = run(&mut check(&all));
        if r.code == 2 {
            if *code != 2 || !r.stderr.contains("--rule") || !r.stdout.is_empty() {
                failures.push(format!("{args:?}: exit 2 {}", r.stderr));
            }
            continue;
        }
        let got: Vec<String> = json(&r)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                f["rule"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("demo/")
                    .to_string()
            })
            .collect();
        if r.code != *code || got != *rules {
            failures.push(format!("{args:?}: exit {} {got:?}", r.code));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn quoted_findings_do_not_trip_the_gate() {
    let input = "{\"id\":\"q\",\"author\":\"Cy\",\"body\":\"> you are vermin\\nThat is vile.\"}\n";
    let r = run(check(&["--format", "json", "--input", "jsonl", "-"]).write_stdin(input));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json(&r);
    assert_eq!(v["findings"].as_array().unwrap().len(), 1);
    assert_eq!(v["findings"][0]["quoted"], true);
    assert_eq!(
        v["findings"][0]["thread"], "-",
        "no thread key: named after the input"
    );
}

#[test]
fn stdin_jsonl_and_text() {
    let input = std::fs::read_to_string(root().join(COMMENTS)).unwrap();
    let from_file = json(&run(&mut check(&["--format", "json", COMMENTS])));
    let r = run(check(&["--format", "json", "--input", "jsonl", "-"]).write_stdin(input));
    let from_stdin = json(&r);
    let rules = |v: &Value| -> Vec<(Value, Value)> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["id"].clone(), f["rule"].clone()))
            .collect()
    };
    assert_eq!(rules(&from_stdin), rules(&from_file));
    assert_eq!(from_stdin["findings"][0]["path"], "-");

    let page =
        std::fs::read_to_string(write_page(tempfile::tempdir().unwrap().path(), "p.txt")).unwrap();
    let r = run(check(&["--format", "json", "-"]).write_stdin(page));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = json(&r);
    let matched: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["matched"].as_str().unwrap())
        .collect();
    assert!(matched.contains(&"vermin"), "{matched:?}");
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["path"] == "-" && f["record_line"].is_null()));
}

/// A small scraped page: headline, article, two named commenters.
fn write_page(dir: &Path, name: &str) -> PathBuf {
    let text = "Council votes on the new park\n\nThe council voted on Tuesday to build a new park by the river. Work starts in May.\n\nAnn Smith\n\nThe people behind this are vermin and should be run out of town.\n\nBob Jones\n\nWhat an idiot you are, Ann. This is a park.\n";
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_directory_is_walked_recursively_in_sorted_order() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("b/inner")).unwrap();
    std::fs::create_dir_all(d.join("a")).unwrap();
    std::fs::create_dir_all(d.join(".hidden")).unwrap();
    let line = |id: &str| format!("{{\"id\":\"{id}\",\"body\":\"you idiot\"}}\n");
    for (path, id) in [
        ("b/inner/z.jsonl", "z"),
        ("a/y.ndjson", "y"),
        ("b/x.jsonl", "x"),
        (".hidden/h.jsonl", "h"),
        ("a/notes.yaml", "n"),
    ] {
        std::fs::write(d.join(path), line(id)).unwrap();
    }
    let r = run(check(&["--format", "json", "."]).current_dir(d));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ids: Vec<(String, String)> = json(&r)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let sep = std::path::MAIN_SEPARATOR;
    assert_eq!(
        ids,
        vec![
            (format!(".{sep}a{sep}y.ndjson"), "y".to_string()),
            (format!(".{sep}b{sep}inner{sep}z.jsonl"), "z".to_string()),
            (format!(".{sep}b{sep}x.jsonl"), "x".to_string()),
        ]
    );
}

#[test]
fn a_missing_path_is_named_and_the_rest_still_checked() {
    let r = run(&mut check(&[
        "--format",
        "json",
        "no-such-file.txt",
        COMMENTS,
    ]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no-such-file.txt"), "{}", r.stderr);
    let v = json(&r);
    assert_eq!(v["findings"].as_array().unwrap().len(), EXPECTED.len());
    assert_eq!(v["summary"]["errors"], 1);
}

/// A "page" larger than a page can be is refused with an error naming it, from a file or from
/// standard input, and the other inputs are still checked; as JSON Lines the same bytes are
/// read (a record at a time) as usual.
#[test]
fn a_page_too_large_is_named_and_the_rest_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    let line = "{\"id\":\"a\",\"body\":\"you idiot\"}\n";
    let big = line.repeat(threadlint::input::MAX_PAGE_BYTES as usize / line.len() + 1);
    let path = dir.path().join("dump.txt");
    std::fs::write(&path, &big).unwrap();
    let r = run(&mut check(&[
        "--format",
        "json",
        path.to_str().unwrap(),
        COMMENTS,
    ]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("dump.txt: too large for a page (16.1 MB; the limit is 16 MB)")
            && r.stderr.contains("--input jsonl"),
        "{}",
        r.stderr
    );
    let v = json(&r);
    assert_eq!(v["findings"].as_array().unwrap().len(), EXPECTED.len());
    assert_eq!(v["summary"]["errors"], 1);

    let r = run(check(&["--format", "json", "-"]).write_stdin(big.clone()));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("-: too large for a page (the limit"),
        "{}",
        r.stderr
    );

    let r = run(check(&["--format", "jsonl", "--input", "jsonl", "-"]).write_stdin(big));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout.lines().count(),
        threadlint::input::MAX_PAGE_BYTES as usize / line.len() + 1
    );
}

#[test]
fn a_bad_jsonl_line_is_named_and_reading_goes_on() {
    let input = "{\"id\":\"a\",\"body\":\"you idiot\"}\n{\"id\":\"b\",\"body\":\nnot json\n{\"id\":\"c\",\"body\":\"darn\"}\n";
    let r = run(check(&["--format", "jsonl", "--input", "jsonl", "-"]).write_stdin(input));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("-:2: "), "{}", r.stderr);
    assert!(r.stderr.contains("-:3: "), "{}", r.stderr);
    let ids: Vec<String> = r
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids, ["a", "c"]);
}

#[test]
fn broken_rules_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "rules:\n  - id: Not Valid\n    severity: extreme\n").unwrap();
    let r = run(Command::cargo_bin("threadlint")
        .unwrap()
        .current_dir(root())
        .env("CI", "true")
        .args(["check", "--no-default-rules", "--rules"])
        .arg(&bad)
        .arg(COMMENTS));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("bad.yaml"), "{}", r.stderr);
}

#[test]
fn invalid_utf8_is_replaced_with_a_warning_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.jsonl");
    std::fs::write(&path, b"{\"id\":\"l\",\"body\":\"caf\xE9 idiot\"}\n").unwrap();
    let r = run(&mut check(&["--format", "json", path.to_str().unwrap()]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("latin1.jsonl") && r.stderr.contains("invalid UTF-8"),
        "{}",
        r.stderr
    );
    let v = json(&r);
    assert_eq!(v["findings"][0]["matched"], "idiot");
    assert_eq!(
        v["findings"][0]["column"], 6,
        "the replacement is one character"
    );
    let page = dir.path().join("latin1.txt");
    std::fs::write(&page, b"Caf\xE9 news\n\nA story.\n").unwrap();
    let r = run(&mut check(&[page.to_str().unwrap()]));
    assert!(r.stderr.contains("latin1.txt"), "{}", r.stderr);
}

#[test]
fn output_is_identical_whatever_the_number_of_jobs() {
    let dir = tempfile::tempdir().unwrap();
    // Enough threads to span several batches, and several files.
    let mut big = String::new();
    for t in 0..700 {
        for c in 0..3 {
            let body = match (t + c) % 4 {
                0 => "you idiot",
                1 => "they are vermin",
                2 => "fine words",
                _ => "darn it, idiot",
            };
            big.push_str(&format!(
                "{{\"id\":\"{t}-{c}\",\"author\":\"user{}\",\"thread\":\"t{t}\",\"body\":\"{body}\"}}\n",
                (t * 7 + c) % 13
            ));
        }
    }
    std::fs::write(dir.path().join("big.jsonl"), &big).unwrap();
    for i in 0..9 {
        std::fs::write(
            dir.path().join(format!("f{i}.jsonl")),
            big[..big.len() / (i + 2)].rsplit_once('\n').unwrap().0,
        )
        .unwrap();
    }
    for format in ["json", "text", "sarif"] {
        let outs: Vec<String> = ["1", "2"]
            .iter()
            .map(|jobs| {
                run(check(&["--format", format, "--jobs", jobs, "."]).current_dir(dir.path()))
                    .stdout
            })
            .collect();
        assert!(outs[0].len() > 10_000, "{format}: {}", outs[0].len());
        assert!(
            outs[0] == outs[1],
            "{format} differs between --jobs 1 and 2"
        );
    }
}

#[test]
fn a_baseline_accepts_old_findings_even_when_moved() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let original = std::fs::read_to_string(root().join(COMMENTS)).unwrap();
    std::fs::write(d.join("c.jsonl"), &original).unwrap();
    let r = run(check(&["--write-baseline", "base.json", "c.jsonl"]).current_dir(d));
    assert_eq!(
        r.code, 0,
        "writing a baseline accepts today's findings\n{}",
        r.stderr
    );
    let base: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("base.json")).unwrap()).unwrap();
    assert_eq!(base["findings"].as_array().unwrap().len(), EXPECTED.len());

    let r = run(check(&["--baseline", "base.json", "--format", "json", "c.jsonl"]).current_dir(d));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json(&r)["summary"]["baselined"], EXPECTED.len());

    // Move c2 to the end of its thread, re-wrap its text, and add a new offending comment.
    let mut lines: Vec<String> = original.lines().map(String::from).collect();
    let c2 = lines
        .remove(1)
        .replace("\\nAll of them.", "  All of\\nthem.");
    lines.insert(3, c2);
    lines.insert(
        0,
        r#"{"id":"c0","author":"Eve","thread":"story-0","body":"Rats, all of them."}"#.into(),
    );
    std::fs::write(d.join("c.jsonl"), lines.join("\n") + "\n").unwrap();
    let r = run(check(&["--baseline", "base.json", "--format", "json", "c.jsonl"]).current_dir(d));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = json(&r);
    let new: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_str().unwrap(), f["matched"].as_str().unwrap()))
        .collect();
    assert_eq!(new, [("c0", "Rats")]);
    assert_eq!(v["summary"]["baselined"], EXPECTED.len());
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let line = "{\"id\":\"x\",\"body\":\"idiot idiot idiot idiot\"}\n";
    std::fs::write(dir.path().join("many.jsonl"), line.repeat(20_000)).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("threadlint");
    let mut child = std::process::Command::new(bin)
        .current_dir(dir.path())
        .env("CI", "true")
        .args(["check", "--no-default-rules", "--rules"])
        .arg(root().join(RULES))
        .args(["--format", "jsonl", "many.jsonl"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("idiot"));
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_baseline_on_page_text_survives_moving_a_comment() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let head = "Council votes on the new park\n\nThe council voted on Tuesday to build a new park by the river. Work starts in May.\n\n";
    let ann = "Ann Smith\n\nThe people behind this are vermin and should be run out of town.\n\n";
    let bob = "Bob Jones\n\nWhat an idiot you are, Ann. This is a park.\n\n";
    let cy = "Cy Young\n\nLovely idea, I will bring the kids.\n\n";
    let dee = "Dee Lane\n\nThe planners are rats, every one of them.\n\n";
    std::fs::write(d.join("page.txt"), format!("{head}{ann}{bob}{cy}")).unwrap();
    let r = run(check(&[
        "--write-baseline",
        "base.json",
        "--format",
        "json",
        "page.txt",
    ])
    .current_dir(d));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let before: Vec<String> = json(&r)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["matched"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(before, ["vermin", "idiot"]);

    // Ann's comment moves to the end, a new offending comment arrives in the middle.
    std::fs::write(d.join("page.txt"), format!("{head}{bob}{dee}{cy}{ann}")).unwrap();
    let r = run(check(&["--baseline", "base.json", "--format", "json", "page.txt"]).current_dir(d));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = json(&r);
    let new: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["author"].as_str().unwrap(),
                f["matched"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(new, [("Dee Lane", "rats")]);
    assert_eq!(v["summary"]["baselined"], 2);

    // Without the new comment, the moved one alone passes the gate.
    std::fs::write(d.join("page.txt"), format!("{head}{bob}{cy}{ann}")).unwrap();
    let r = run(check(&["--baseline", "base.json", "page.txt"]).current_dir(d));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
}

#[test]
fn jsonl_names_and_articles_get_positions_in_their_own_text() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("scope.yaml");
    std::fs::write(
        &rules,
        "set: scope\ndescription: Names and articles.\nreferences: [\"test fixture\"]\nrules:\n  - id: troll\n    category: insult\n    severity: medium\n    summary: Troll.\n    why: Test.\n    terms: [troll]\n    scope: [name, article]\n    match: [\"troll\"]\n    no-match: [\"trolley\"]\n",
    )
    .unwrap();
    let input = "{\"id\":\"a\",\"author\":\"Big Troll\",\"thread\":\"t\",\"article\":\"Head\\nAbout a troll bridge.\",\"body\":\"hello troll\"}\n";
    let r = run(Command::cargo_bin("threadlint")
        .unwrap()
        .env("CI", "true")
        .args([
            "check",
            "--no-default-rules",
            "--format",
            "json",
            "--input",
            "jsonl",
            "--rules",
        ])
        .arg(&rules)
        .arg("-")
        .write_stdin(input));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let got: Vec<Value> = json(&r)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            serde_json::json!([
                f["target"],
                f["comment"],
                f["line"],
                f["column"],
                f["span"],
                f["matched"],
                f["record_line"]
            ])
        })
        .collect();
    let article = "Head\nAbout a troll bridge.";
    let at = article.find("troll").unwrap();
    assert_eq!(
        got,
        vec![
            serde_json::json!(["article", null, 2, 9, [at, at + 5], "troll", 1]),
            serde_json::json!(["name", 0, 1, 5, [4, 9], "Troll", 1]),
        ]
    );
}

/// `threadlint check ARGS...` with the bundled rules, from the crate root.
fn check_bundled(args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("threadlint").unwrap();
    cmd.current_dir(root())
        .env("CI", "true")
        .env_remove("NO_COLOR")
        .arg("check")
        .args(args);
    cmd
}

#[test]
fn the_readme_command_shows_the_seeds_at_a_glance() {
    let r = run(&mut check_bundled(&["--format", "json", "seeds/"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = json(&r);
    let findings = v["findings"].as_array().unwrap();
    let categories: std::collections::BTreeSet<&str> = findings
        .iter()
        .map(|f| f["category"].as_str().unwrap())
        .collect();
    for want in ["antisemitism", "profanity", "unverified-claim"] {
        assert!(categories.contains(want), "{want} missing: {categories:?}");
    }
    assert!(
        findings
            .iter()
            .all(|f| f["path"].as_str().unwrap().starts_with("seeds/0")),
        "the gold YAML files and README are not inputs"
    );
    assert_eq!(v["summary"]["threads"], 5);

    // The same run as SARIF and as text.
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/sarif/sarif-schema-2.1.0.json"))
            .unwrap(),
    )
    .unwrap();
    let sarif = json(&run(&mut check_bundled(&["--format", "sarif", "seeds/"])));
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&sarif));
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        findings.len()
    );
    let text = run(&mut check_bundled(&["seeds/"]));
    assert_eq!(text.code, 1);
    let listed = text
        .stdout
        .lines()
        .filter(|l| l.starts_with("    "))
        .count();
    assert_eq!(listed, findings.len(), "one text line per finding");
}

#[test]
fn input_kind_can_be_forced_and_github_paths_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // JSON Lines in a file whose name says text, and a name the annotation syntax must escape.
    std::fs::copy(root().join(COMMENTS), d.join("a,b:c.txt")).unwrap();
    let r = run(check(&["--format", "github", "--input", "jsonl", "a,b:c.txt"]).current_dir(d));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), EXPECTED.len());
    assert!(
        lines[0].starts_with("::error file=a%2Cb%3Ac.txt,line=2,title=demo/vermin::"),
        "{}",
        lines[0]
    );
    // Read as page text, the same bytes are one page: no records, no ids.
    let r = run(check(&["--format", "json", "--input", "text", "a,b:c.txt"]).current_dir(d));
    assert_ne!(r.code, 2, "{}", r.stderr);
    let v = json(&r);
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["id"].is_null() && f["record_line"].is_null()));
    assert_eq!(v["summary"]["threads"], 1);
}

/// Pages are checked in batches, and with two jobs a batch is written while the next is
/// checked: with many pages, a JSON Lines file among them, an invalid UTF-8 page and the
/// bundled rules on the real seeds, the output (and the warnings) are the same for one and two
/// jobs and follow the sorted order of the inputs.
#[test]
fn pages_in_many_batches_come_out_in_order_whatever_the_number_of_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let seeds: Vec<PathBuf> = {
        let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("seeds"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        v.sort();
        v
    };
    // More pages than two batches of two jobs (64 pages each), with the JSON Lines file in
    // the middle of one.
    for i in 0..150 {
        let text = std::fs::read(&seeds[i % seeds.len()]).unwrap();
        std::fs::write(dir.path().join(format!("p{i:03}.txt")), text).unwrap();
    }
    std::fs::write(dir.path().join("p020.bad.txt"), b"caf\xe9 idiot\n").unwrap();
    std::fs::copy(root().join(COMMENTS), dir.path().join("p090.jsonl")).unwrap();
    let runs: Vec<Run> = ["1", "2"]
        .iter()
        .map(|jobs| {
            let mut cmd = Command::cargo_bin("threadlint").unwrap();
            cmd.current_dir(dir.path())
                .env("CI", "true")
                .args(["check", "--format", "jsonl", "--jobs", jobs, "."]);
            run(&mut cmd)
        })
        .collect();
    assert_eq!(
        runs[0].stdout, runs[1].stdout,
        "output differs between --jobs 1 and 2"
    );
    assert_eq!(
        runs[0].stderr, runs[1].stderr,
        "warnings differ between --jobs 1 and 2"
    );
    assert!(
        runs[0].stderr.contains("p020.bad.txt: invalid UTF-8"),
        "{}",
        runs[0].stderr
    );
    let paths: Vec<String> = runs[0]
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["path"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let mut seen: Vec<&String> = Vec::new();
    for p in &paths {
        if seen.last() != Some(&p) {
            seen.push(p);
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted, "findings out of input order");
    assert!(seen.iter().any(|p| p.ends_with("p090.jsonl")));
    assert!(seen.len() > 100, "only {} inputs had findings", seen.len());
}

#[test]
fn a_directory_without_input_files_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.md"), "not an input").unwrap();
    let r = run(check(&["--format", "json"]).arg(dir.path()).arg(COMMENTS));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(&dir.path().display().to_string()) && r.stderr.contains("no input files"),
        "{}",
        r.stderr
    );
    let v = json(&r);
    assert_eq!(v["findings"].as_array().unwrap().len(), EXPECTED.len());
    assert_eq!(v["summary"]["errors"], 1);
}

/// A JSON Lines line over the limit (here a whole export written as one JSON array) is named
/// with its line number, and the records around it are still checked.
#[test]
fn a_jsonl_line_too_long_is_named_and_the_others_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    let record = "{\"id\":\"a\",\"body\":\"you idiot\"}";
    let array = format!(
        "[{}{record}]",
        format!("{record},").repeat(threadlint::jsonl::MAX_LINE_BYTES / (record.len() + 1))
    );
    let input = format!(
        "{{\"id\":\"before\",\"body\":\"you idiot\"}}\n{array}\n{{\"id\":\"after\",\"body\":\"you idiot\"}}\n"
    );
    let path = dir.path().join("export.jsonl");
    std::fs::write(&path, &input).unwrap();
    let r = run(&mut check(&["--format", "jsonl", path.to_str().unwrap()]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "export.jsonl:2: line too long (16.1 MB; the limit is 16 MB), not read: a JSON Lines record is one comment"
        ),
        "{}",
        r.stderr
    );
    let ids: Vec<String> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
        .collect();
    assert_eq!(ids, ["\"before\"", "\"after\""], "{}", r.stdout);
}
