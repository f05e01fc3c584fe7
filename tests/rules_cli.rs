//! The `threadlint rules ...` commands, run as a user runs them: output and exit codes.

use assert_cmd::Command;

fn threadlint() -> Command {
    Command::cargo_bin("threadlint").unwrap()
}

fn stdout_of(args: &[&str]) -> (String, i32) {
    let out = threadlint().args(args).output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn lint_exit_codes_and_output() {
    let fixture = "tests/fixtures/rules/unknown-key.yaml";
    let expected = std::fs::read_to_string("tests/fixtures/rules/unknown-key.out").unwrap();
    // (args, expected stdout or None to skip, exit code)
    let table: Vec<(Vec<&str>, Option<String>, i32)> = vec![
        (vec!["rules", "lint", "tests/fixtures/rules/valid-full.yaml"], Some(String::new()), 0),
        (
            vec!["rules", "lint", fixture],
            Some(format!("{expected}3 error(s), 0 warning(s)\n")),
            1,
        ),
        (
            vec!["rules", "lint", "tests/fixtures/rules/missing-examples.yaml"],
            None,
            1,
        ),
        (
            vec!["rules", "lint", "tests/fixtures/no-such-dir"],
            Some("tests/fixtures/no-such-dir:1:1: error[cannot-read]: no such file or directory\n1 error(s), 0 warning(s)\n".into()),
            2,
        ),
    ];
    let mut failures = Vec::new();
    for (args, want_out, want_code) in table {
        let (out, code) = stdout_of(&args);
        if code != want_code || want_out.as_ref().is_some_and(|w| *w != out) {
            failures.push(format!(
                "{args:?}: exit {code} (want {want_code}), stdout:\n{out}want:\n{}",
                want_out.unwrap_or_default()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn lint_of_a_directory_reports_every_file() {
    let (out, code) = stdout_of(&["rules", "lint", "tests/fixtures/rules"]);
    assert_eq!(code, 1);
    for code in [
        "yaml-syntax",
        "unknown-key",
        "duplicate-set",
        "missing-examples",
    ] {
        assert!(out.contains(&format!("[{code}]")), "no {code} in:\n{out}");
    }
}

/// CI runs lint and test on the bundled rules; they must be clean.
#[test]
fn bundled_rules_lint_clean() {
    let (out, code) = stdout_of(&["rules", "lint"]);
    assert_eq!(code, 0, "rules lint on the bundled rules:\n{out}");
}

#[test]
fn bundled_rules_pass_their_examples() {
    let (out, code) = stdout_of(&["rules", "test"]);
    assert_eq!(code, 0, "rules test on the bundled rules:\n{out}");
    assert!(out.trim_end().ends_with(", 0 failed"), "{out}");
}

#[test]
fn test_reports_each_failing_example_with_file_and_line() {
    let file = "tests/fixtures/rules-test/examples.yaml";
    let (out, code) = stdout_of(&["rules", "test", file]);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(
        lines[0],
        format!(
            "{file}:17: examples/wrong-examples: `match` example was not flagged: \"you fool\""
        )
    );
    assert!(
        lines[1].starts_with(&format!(
            "{file}:18: examples/wrong-examples: `no-match` example was flagged: \"you moron\": \"moron\" at column 5"
        )),
        "{out}"
    );
    assert_eq!(lines[2], "4 passed, 2 failed");
}

#[test]
fn test_with_broken_rules_cannot_run() {
    let out = threadlint()
        .args(["rules", "test", "tests/fixtures/rules/unknown-key.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error[unknown-key]"), "{err}");
}

#[test]
fn schema_and_docs_commands_print_the_committed_files() {
    let (schema, code) = stdout_of(&["rules", "schema"]);
    assert_eq!(code, 0);
    assert_eq!(
        schema,
        std::fs::read_to_string("docs/rule-schema.json").unwrap()
    );
    let (docs, code) = stdout_of(&["rules", "docs"]);
    assert_eq!(code, 0);
    assert_eq!(docs, std::fs::read_to_string("docs/rules.md").unwrap());
}

/// The term table and the near/unless semantics of docs/rule-format.md, as rule examples the
/// engine must honour: lint clean and every example passing.
#[test]
fn format_reference_semantics_hold_in_the_engine() {
    let file = "tests/fixtures/rules-test/term-modes.yaml";
    let (out, code) = stdout_of(&["rules", "lint", file]);
    assert_eq!((code, out.as_str()), (0, ""));
    let (out, code) = stdout_of(&["rules", "test", file]);
    assert_eq!(code, 0, "{out}");
    assert!(out.trim_end().ends_with(" passed, 0 failed"), "{out}");
}

/// A rule file that cannot be taken as written is refused before it is parsed, with its name
/// and what is wrong, and `check` stops on it as on any rule-file error: one over 16 MiB (with
/// its size and a way out), and one in another encoding, whose terms would change unseen
/// (U+FFFD for each bad byte).
#[test]
fn a_rule_file_too_large_or_not_utf8_is_an_error_naming_it() {
    let mut huge = b"set: huge\nrules:\n".to_vec();
    huge.resize((16 << 20) + 1, b'#');
    let table: [(&str, Vec<u8>, &str); 2] = [
        (
            "huge.yaml",
            huge,
            "too large for a rule file (16.1 MB; the limit is 16 MB): split its terms over \
             several files",
        ),
        (
            "latin1.yaml",
            b"set: latin1\nrules:\n  - id: caf\xe9\n".to_vec(),
            "not UTF-8",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes, message) in table {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let path = path.to_str().unwrap();
        // As for a file that cannot be found: an input problem, exit 2.
        let (out, code) = stdout_of(&["rules", "lint", path]);
        assert_eq!(code, 2, "{out}");
        assert_eq!(
            out,
            format!(
                "{path}:1:1: error[cannot-read]: cannot read: {message}\n1 error(s), 0 warning(s)\n"
            )
        );
        let out = threadlint()
            .args(["check", "--no-default-rules", "--rules", path, "seeds/"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{stderr}");
    }
}
