//! The loader never panics, whatever it is given, and every diagnostic points inside the text.

use proptest::prelude::*;
use threadlint::rules::load_str;

fn check(text: &str) -> Result<(), TestCaseError> {
    let (set, diags) = load_str("fuzz.yaml", text);
    let lines = text.split('\n').count();
    for d in &diags {
        prop_assert!(d.line >= 1 && d.column >= 1, "{d}");
        prop_assert!(d.line <= lines + 1, "{d} is past the end ({lines} lines)");
        prop_assert!(!d.code.is_empty() && !d.message.is_empty(), "{d}");
    }
    if set.is_some() {
        prop_assert!(diags
            .iter()
            .all(|d| d.level == threadlint::rules::Level::Warning));
    }
    Ok(())
}

/// Pieces of rule files, so that random texts often get past the YAML parser.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("rules:\n".to_string()),
        Just("  - id: r\n".to_string()),
        Just("    severity: high\n".to_string()),
        Just("    summary: s\n".to_string()),
        Just("category: insult\n".to_string()),
        Just("groups:\n  g: [a, \"b*\"]\n".to_string()),
        Just("    terms: [\"@g\", \"*x\", \"\"]\n".to_string()),
        Just("    near: {within: 2, groups: [\"@g\", [c]]}\n".to_string()),
        Just("    regex: '(a'\n".to_string()),
        Just("    unless: [\"q\"]\n".to_string()),
        Just("    normalize: [leet]\n".to_string()),
        Just("    match: [x]\n".to_string()),
        Just("    no-match: [\"é\\é ∗ \\\"q\\\" 𝐟\"]\n".to_string()),
        Just("    x: &a [1]\n    y: *a\n".to_string()),
        Just("    why: |\n      text\n".to_string()),
        "[ -~\\n]{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_strings(text in "\\PC{0,200}") {
        check(&text)?;
    }

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        check(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn rule_shaped_texts(parts in proptest::collection::vec(fragment(), 0..12)) {
        check(&parts.concat())?;
    }
}
