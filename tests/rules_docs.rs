//! docs/rules.md is generated from the bundled rule files and must not go stale; the format
//! reference must cover every key and every diagnostic code the loader knows.

use threadlint::rules::{self, docs::rules_markdown, load};

#[test]
fn committed_rules_doc_is_current() {
    let (sets, diags) = rules::load_bundled();
    assert!(
        diags.iter().all(|d| d.level != rules::Level::Error),
        "bundled rules have errors: {diags:#?}"
    );
    let generated = format!("{}\n", rules_markdown(&sets));
    let committed = std::fs::read_to_string("docs/rules.md").unwrap_or_default();
    assert!(
        committed == generated,
        "docs/rules.md is stale: run `cargo run -- rules docs > docs/rules.md`"
    );
}

#[test]
fn rules_doc_shows_every_part_of_a_rule() {
    let (sets, diags) = rules::load_paths(&["tests/fixtures/rules/valid-full.yaml".into()]);
    assert!(diags.is_empty(), "{diags:#?}");
    let md = rules_markdown(&sets);
    let set = &sets[0];
    let rule = &set.rules[0];
    let mut wanted = vec![
        format!("## Set `{}`", set.name),
        format!("### `{}`", rule.full_id),
        rule.severity.to_string(),
        rule.category.to_string(),
        rule.summary.clone(),
        rule.why.clone(),
        "Near (within 4 words)".to_string(),
        "`parasit*".to_string(),
        "Example glossary, MIT".to_string(),
        "Example source (2024), CC BY 4.0".to_string(),
    ];
    wanted.extend(
        rule.examples_match
            .iter()
            .map(|e| format!("- `{}`", e.text)),
    );
    wanted.extend(
        rule.examples_no_match
            .iter()
            .map(|e| format!("- `{}`", e.text)),
    );
    wanted.push("`*hating`".into());
    let missing: Vec<&String> = wanted.iter().filter(|w| !md.contains(w.as_str())).collect();
    assert!(
        missing.is_empty(),
        "missing from the rules doc: {missing:#?}\n{md}"
    );
}

#[test]
fn format_reference_covers_every_key_and_code() {
    let doc = std::fs::read_to_string("docs/rule-format.md").unwrap_or_default();
    let mut missing = Vec::new();
    for key in load::SET_KEYS
        .iter()
        .chain(load::RULE_KEYS.iter())
        .chain(load::NEAR_KEYS.iter())
    {
        if !doc.contains(&format!("`{key}`")) {
            missing.push(format!("key `{key}`"));
        }
    }
    for (code, level, _) in load::CODES {
        let row = format!("| `{code}` | {} |", level.as_str());
        if !doc.contains(&row) {
            missing.push(format!("code row `{row}`"));
        }
    }
    assert!(
        missing.is_empty(),
        "docs/rule-format.md lacks: {missing:#?}"
    );
}

/// The preset and category tables of docs/rule-format.md say what the code does.
#[test]
fn format_reference_normalisation_tables_match_the_code() {
    use threadlint::finding::Category;
    use threadlint::normalize::Profile;
    let doc = std::fs::read_to_string("docs/rule-format.md").unwrap_or_default();
    let steps = |p: Profile| {
        let s = p.steps();
        if s.is_empty() {
            "(none)".to_string()
        } else {
            s.join(", ")
        }
    };
    let mut rows: Vec<String> = load::PRESETS
        .iter()
        .map(|name| format!("| `{name}` | {} |", steps(Profile::preset(name).unwrap())))
        .collect();
    rows.extend(
        Category::ALL
            .iter()
            .map(|c| format!("| `{c}` | {} |", steps(Profile::default_for(*c)))),
    );
    rows.extend(Profile::STEP_NAMES.iter().map(|s| format!("| `{s}` | ")));
    let missing: Vec<&String> = rows.iter().filter(|r| !doc.contains(r.as_str())).collect();
    assert!(
        missing.is_empty(),
        "docs/rule-format.md lacks rows: {missing:#?}"
    );
}
