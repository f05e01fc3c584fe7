//! Positions are the point of the loader's diagnostics: on generated rule files written in
//! the styles authors use (flow and block lists, quoted and plain terms, wrapped `why:` text,
//! comments, LF or CRLF line ends), every rule, term and example must be located exactly where
//! it was written.

use proptest::prelude::*;
use threadlint::rules::load_str;

#[derive(Debug, Clone)]
struct GenRule {
    terms: Vec<(String, u8)>, // (text, quoting: 0 plain, 1 double, 2 single)
    flow_terms: bool,
    why: Vec<String>,      // lines of a wrapped plain scalar
    examples: Vec<String>, // match examples (always double-quoted)
    comment: bool,
}

fn word() -> impl Strategy<Value = String> {
    "[a-z]{3,8}"
}

fn rule() -> impl Strategy<Value = GenRule> {
    (
        proptest::collection::vec((word(), proptest::option::of(word()), 0u8..3), 1..5),
        any::<bool>(),
        proptest::collection::vec(proptest::collection::vec(word(), 1..4), 1..4),
        proptest::collection::vec("[a-z #:,\\[\\]]{1,20}", 1..3),
        any::<bool>(),
    )
        .prop_map(|(terms, flow_terms, why, examples, comment)| GenRule {
            terms: terms
                .into_iter()
                .enumerate()
                .map(|(i, (w, second, q))| {
                    // Unique within the rule, so no term is dropped as a duplicate.
                    let mut t = format!("{w}{}", (b'a' + i as u8) as char);
                    if let Some(s) = second {
                        t = format!("{t} {s}");
                    }
                    // A phrase with a space reads fine plain too; keep the chosen quoting.
                    (t, q)
                })
                .collect(),
            flow_terms,
            why: why.into_iter().map(|w| w.join(" ")).collect(),
            examples,
            comment,
        })
}

struct Expected {
    rule_lines: Vec<usize>,
    terms: Vec<Vec<(String, usize, usize)>>,
    examples: Vec<Vec<usize>>,
}

fn render(rules: &[GenRule]) -> (String, Expected) {
    let mut lines: Vec<String> = vec![
        "# generated".into(),
        "category: insult".into(),
        "rules:".into(),
    ];
    let mut exp = Expected {
        rule_lines: vec![],
        terms: vec![],
        examples: vec![],
    };
    for (i, r) in rules.iter().enumerate() {
        lines.push(format!("  - id: rule-{i}"));
        exp.rule_lines.push(lines.len());
        lines.push("    severity: low".into());
        lines.push("    summary: A generated rule.".into());
        if r.comment {
            lines.push("    # a comment with terms: [x, y] and - dashes".into());
        }
        lines.push(format!("    why: {}", r.why[0]));
        for more in &r.why[1..] {
            lines.push(format!("      {more}"));
        }
        let quote = |t: &str, q: u8| match q {
            1 => format!("\"{t}\""),
            2 => format!("'{t}'"),
            _ => t.to_string(),
        };
        let mut terms = vec![];
        if r.flow_terms {
            let mut line = "    terms: [".to_string();
            for (j, (t, q)) in r.terms.iter().enumerate() {
                if j > 0 {
                    line.push_str(", ");
                }
                let col = line.chars().count() + 1;
                terms.push((t.clone(), lines.len() + 1, col));
                line.push_str(&quote(t, *q));
            }
            line.push(']');
            lines.push(line);
        } else {
            lines.push("    terms:".into());
            for (t, q) in &r.terms {
                lines.push(format!("      - {}", quote(t, *q)));
                terms.push((t.clone(), lines.len(), 9));
            }
        }
        exp.terms.push(terms);
        lines.push("    match:".into());
        let mut ex = vec![];
        for e in &r.examples {
            lines.push(format!("      - \"{e}\""));
            ex.push(lines.len());
        }
        exp.examples.push(ex);
        lines.push("    no-match: [\"nothing here\"]".into());
    }
    (lines.join("\n") + "\n", exp)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn rules_terms_and_examples_are_located(
        rules in proptest::collection::vec(rule(), 1..4),
        crlf in any::<bool>(),
    ) {
        let (mut text, exp) = render(&rules);
        if crlf {
            // Files edited on Windows: positions must not move.
            text = text.replace('\n', "\r\n");
        }
        let (set, diags) = load_str("gen.yaml", &text);
        let set = set.unwrap_or_else(|| panic!("{text}\n{diags:#?}"));
        for (i, rule) in set.rules.iter().enumerate() {
            prop_assert_eq!(rule.line, exp.rule_lines[i], "rule {} in\n{}", i, text);
            let got: Vec<(String, usize, usize)> =
                rule.terms.iter().map(|t| (t.text.clone(), t.line, t.column)).collect();
            prop_assert_eq!(&got, &exp.terms[i], "terms of rule {} in\n{}", i, text);
            let lines: Vec<usize> = rule.examples_match.iter().map(|e| e.line).collect();
            prop_assert_eq!(&lines, &exp.examples[i], "examples of rule {} in\n{}", i, text);
        }
    }
}
