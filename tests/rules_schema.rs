//! docs/rule-schema.json is generated (`threadlint rules schema`) and must stay current; it
//! must accept the valid fixture rule files and reject the ones with type or name errors.

use serde_json::Value;
use std::path::Path;
use threadlint::rules::schema;

#[test]
fn committed_schema_is_current() {
    let committed = std::fs::read_to_string("docs/rule-schema.json").unwrap_or_default();
    assert!(
        committed == schema::schema_text(),
        "docs/rule-schema.json is stale: run `cargo run -- rules schema > docs/rule-schema.json`"
    );
}

fn instance(name: &str) -> Value {
    let path = Path::new("tests/fixtures/rules").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    threadlint::yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn schema_accepts_valid_files_and_rejects_invalid_ones() {
    let schema = schema::schema();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    // (fixture, should the schema accept it?) Files whose only problems are the loader's
    // cross-checks (groups, duplicates, lint warnings) are valid for the schema.
    let table = [
        ("valid-full.yaml", true),
        ("missing-examples.yaml", true),
        ("short-term-without-boundary.yaml", true),
        ("unless-never-overlaps.yaml", true),
        ("duplicate-term.yaml", true),
        ("unused-group.yaml", true),
        ("unknown-key.yaml", false),
        ("unknown-category.yaml", false),
        ("unknown-severity.yaml", false),
        ("unknown-scope.yaml", false),
        ("unknown-normalization.yaml", false),
        ("invalid-id.yaml", false),
        ("invalid-type.yaml", false),
        ("invalid-value.yaml", false),
        ("missing-key.yaml", false),
        ("missing-key-rule.yaml", false),
        ("no-matcher.yaml", false),
        ("empty-term.yaml", false),
        ("invalid-term.yaml", false),
    ];
    let mut failures = Vec::new();
    for (name, valid) in table {
        let value = instance(name);
        if validator.is_valid(&value) != valid {
            let errors: Vec<String> = validator
                .iter_errors(&value)
                .map(|e| format!("{} at {}", e, e.instance_path))
                .collect();
            failures.push(format!(
                "{name}: expected valid={valid}; errors: {errors:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The schema must not be stricter than the loader: every bundled rule file (which the loader
/// accepts, see rules_docs.rs) validates.
#[test]
fn schema_accepts_every_bundled_rule_file() {
    let schema = schema::schema();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let files: Vec<(String, String)> = threadlint::rules::bundled_files()
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    let mut failures = Vec::new();
    for (name, text) in files {
        let value: Value = threadlint::yaml::from_str(&text).unwrap();
        for e in validator.iter_errors(&value) {
            failures.push(format!("{name}: {e} at {}", e.instance_path));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
