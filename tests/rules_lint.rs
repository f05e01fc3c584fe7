//! One fixture per diagnostic code under tests/fixtures/rules/: `CODE.yaml` (or a directory
//! `CODE/` when the problem needs several files) with the expected diagnostics in `CODE.out`
//! beside it. One test runs them all and fails once, listing every mismatch.
//! `BLESS=1 cargo test --test rules_lint` rewrites the `.out` files; review the diff.

use std::path::{Path, PathBuf};
use threadlint::rules::{self, load::CODES, Level};

const DIR: &str = "tests/fixtures/rules";

/// Every fixture: (name, path to load).
fn fixtures() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(DIR).expect("fixture directory") {
        let path = entry.expect("fixture entry").path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            out.push((name, path));
        } else if let Some(stem) = name.strip_suffix(".yaml") {
            out.push((stem.to_string(), path));
        }
    }
    out.sort();
    out
}

fn lint_output(path: &Path) -> String {
    let (_, diags) = rules::load_paths(&[path.to_path_buf()]);
    diags.iter().map(|d| format!("{d}\n")).collect()
}

#[test]
fn every_fixture_gives_its_expected_diagnostics() {
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    for (name, path) in fixtures() {
        let got = lint_output(&path);
        let expected_path = Path::new(DIR).join(format!("{name}.out"));
        if bless {
            std::fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got != expected {
            failures.push(format!(
                "{name}: output differs from {}\n--- expected\n{expected}--- got\n{got}",
                expected_path.display()
            ));
        }
        // The fixture named after a code must produce that code; `valid-*` must be clean.
        let (_, diags) = rules::load_paths(std::slice::from_ref(&path));
        if name.starts_with("valid") {
            if !diags.is_empty() {
                failures.push(format!(
                    "{name}: expected no diagnostics, got {}",
                    diags.len()
                ));
            }
        } else {
            let code = name.trim_end_matches("-rule");
            if !diags.iter().any(|d| d.code == code) {
                failures.push(format!("{name}: no `{code}` diagnostic"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_code_has_a_fixture() {
    let names: Vec<String> = fixtures().into_iter().map(|f| f.0).collect();
    let missing: Vec<&str> = CODES
        .iter()
        .map(|c| c.0)
        // A path that does not exist has no fixture file; tests/rules_cli.rs covers it.
        .filter(|code| *code != "cannot-read" && !names.iter().any(|n| n == code))
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}

#[test]
fn every_code_emitted_by_fixtures_is_documented_with_its_level() {
    let mut failures = Vec::new();
    for (name, path) in fixtures() {
        let (_, diags) = rules::load_paths(&[path]);
        for d in diags {
            match CODES.iter().find(|c| c.0 == d.code) {
                None => failures.push(format!("{name}: code `{}` is not in CODES", d.code)),
                // `missing-key` is a warning for a missing `why` and an error otherwise.
                Some(c) if c.1 != d.level && d.code != "missing-key" => failures.push(format!(
                    "{name}: `{}` emitted as {:?}, CODES says {:?}",
                    d.code, d.level, c.1
                )),
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_set_with_errors_is_not_returned_but_one_with_warnings_is() {
    let (sets, diags) = rules::load_paths(&[PathBuf::from(DIR).join("unknown-key.yaml")]);
    assert!(sets.is_empty());
    assert!(diags.iter().any(|d| d.level == Level::Error));
    let (sets, diags) = rules::load_paths(&[PathBuf::from(DIR).join("missing-examples.yaml")]);
    assert_eq!(sets.len(), 1);
    assert!(diags.iter().all(|d| d.level == Level::Warning));
}
