//! What the loader produces: defaults applied, groups expanded, term modes parsed, positions
//! kept. Each case loads a small file and compares the model with what the format promises.

use threadlint::finding::{Category, Severity, Target};
use threadlint::normalize::Profile;
use threadlint::rules::{load_str, QuotedPolicy, RuleSet, TermMode};

fn load(origin: &str, text: &str) -> RuleSet {
    let (set, diags) = load_str(origin, text);
    set.unwrap_or_else(|| panic!("{origin} did not load: {diags:#?}"))
}

const FILE: &str = "\
description: Two rules.
category: profanity
references: [\"List A, MIT\"]
groups:
  dumb: [idiot, \"moron*\"]
rules:
  - id: plain-defaults
    severity: medium
    summary: Takes every default.
    why: Defaults.
    terms: [\"@dumb\", \"*hole\", \"  spaced phrase  \"]
    match: [\"you idiot\"]
    no-match: [\"idiomatic\"]
  - id: everything-set
    category: insult
    severity: critical
    summary: Sets every key.
    why: Overrides.
    references: [\"B\"]
    near: {within: 3, groups: [\"@dumb\", [you, your]]}
    regex: 'x+y'
    unless: [\" not you \"]
    unless-within: 5
    scope: [name, article, name]
    quoted: ignore
    normalize: [casefold]
    match: [\"you moron\"]
    no-match: [\"harmony\"]
";

#[test]
fn defaults_groups_and_modes() {
    let set = load("rules/my-set.yaml", FILE);
    assert_eq!(set.name, "my-set", "the set name defaults to the file stem");
    assert_eq!(set.origin, "rules/my-set.yaml");
    assert_eq!(set.source, FILE);
    assert_eq!(set.description, "Two rules.");
    assert_eq!(set.references, vec!["List A, MIT"]);

    let a = &set.rules[0];
    assert_eq!(a.full_id, "my-set/plain-defaults");
    assert_eq!(a.line, 7);
    assert_eq!(a.category, Category::Profanity, "category from the set");
    assert_eq!(a.severity, Severity::Medium);
    assert_eq!(a.scope, vec![Target::Body], "scope defaults to body");
    assert_eq!(a.quoted, QuotedPolicy::Report, "quoted defaults to report");
    assert_eq!(a.normalize, Profile::default_for(Category::Profanity));
    assert_eq!(a.unless_within, 0);
    let terms: Vec<(&str, TermMode, usize, usize)> = a
        .terms
        .iter()
        .map(|t| (t.text.as_str(), t.mode, t.line, t.column))
        .collect();
    assert_eq!(
        terms,
        vec![
            ("idiot", TermMode::Word, 5, 10),
            ("moron", TermMode::Prefix, 5, 17),
            ("hole", TermMode::Suffix, 11, 22),
            ("spaced phrase", TermMode::Word, 11, 31),
        ]
    );
    assert_eq!(a.examples_match[0].line, 12);
    assert_eq!(a.examples_no_match[0].text, "idiomatic");

    let b = &set.rules[1];
    assert_eq!(b.category, Category::Insult, "the rule's category wins");
    assert_eq!(
        b.scope,
        vec![Target::Name, Target::Article],
        "duplicates dropped"
    );
    assert_eq!(b.quoted, QuotedPolicy::Ignore);
    let mut casefold = Profile::default();
    casefold.set_step("casefold");
    assert_eq!(b.normalize, casefold);
    assert_eq!(b.unless, vec!["not you"]);
    assert_eq!(b.unless_within, 5);
    assert_eq!(b.references, vec!["B"]);
    let near = b.near.as_ref().unwrap();
    assert_eq!(near.within, 3);
    assert_eq!(near.line, 20);
    let groups: Vec<Vec<&str>> = near
        .groups
        .iter()
        .map(|g| g.iter().map(|t| t.text.as_str()).collect())
        .collect();
    assert_eq!(groups, vec![vec!["idiot", "moron"], vec!["you", "your"]]);
    let regex = b.regex.as_ref().unwrap();
    assert_eq!(
        (regex.pattern.as_str(), regex.line, regex.column),
        ("x+y", 21, 12)
    );
}

#[test]
fn set_normalize_applies_to_rules_without_their_own() {
    let text = "set: n\ncategory: slur\nnormalize: [casefold]\nrules:\n  - id: r\n    severity: high\n    summary: s\n    why: w\n    terms: [x]\n    match: [x]\n    no-match: [y]\n";
    let set = load("n.yaml", text);
    let mut casefold = Profile::default();
    casefold.set_step("casefold");
    assert_eq!(set.rules[0].normalize, casefold);
    assert_eq!(set.name, "n");
}

#[test]
fn bundled_sets_load_without_errors() {
    let (sets, diags) = threadlint::rules::load_bundled();
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.level == threadlint::rules::Level::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert_eq!(sets.len(), threadlint::rules::bundled_files().len());
    for set in &sets {
        assert!(set.origin.starts_with("bundled:rules/"), "{}", set.origin);
    }
}
