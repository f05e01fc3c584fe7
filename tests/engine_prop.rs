//! Property test: on random texts and term lists, the engine's confirmed matches are exactly
//! those of a slow, obviously correct matcher written here (every occurrence of every term,
//! `\b`-style boundaries by mode, stems widened to their whole word).

mod engine_support;

use engine_support::{engine, rule};
use proptest::prelude::*;
use std::collections::BTreeSet;
use threadlint::finding::Target;
use threadlint::normalize::Profile;

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// Every `(term index, start, end)` the engine should report.
fn reference(text: &str, terms: &[String], casefold: bool) -> BTreeSet<(usize, usize, usize)> {
    // Every character of the alphabet keeps its byte length when lowercased, so positions in
    // the folded text are positions in the original.
    let fold = |s: &str| {
        if casefold {
            s.to_lowercase()
        } else {
            s.to_string()
        }
    };
    let hay = fold(text);
    let mut out = BTreeSet::new();
    for (ti, raw) in terms.iter().enumerate() {
        let (body, prefix, suffix) = if let Some(b) = raw.strip_suffix('*') {
            (b, true, false)
        } else if let Some(b) = raw.strip_prefix('*') {
            (b, false, true)
        } else {
            (raw.as_str(), false, false)
        };
        let t = fold(body);
        if t.is_empty() {
            continue;
        }
        let first_word = is_word(t.chars().next().unwrap());
        let last_word = is_word(t.chars().next_back().unwrap());
        for (start, _) in hay.char_indices() {
            if !hay[start..].starts_with(&t) {
                continue;
            }
            let end = start + t.len();
            let before = hay[..start].chars().next_back().is_some_and(is_word);
            let after = hay[end..].chars().next().is_some_and(is_word);
            if !suffix && first_word && before {
                continue;
            }
            if !prefix && last_word && after {
                continue;
            }
            let (mut s, mut e) = (start, end);
            if prefix {
                while let Some(c) = hay[e..].chars().next().filter(|c| is_word(*c)) {
                    e += c.len_utf8();
                }
            }
            if suffix {
                while let Some(c) = hay[..s].chars().next_back().filter(|c| is_word(*c)) {
                    s -= c.len_utf8();
                }
            }
            out.insert((ti, s, e));
        }
    }
    out
}

fn text_strategy() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop::sample::select(vec!['a', 'b', 'c', 'A', 'B', 'é', 'É', ' ', '.', '-', '1']),
        0..40,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn term_strategy() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(
            prop::sample::select(vec!['a', 'b', 'c', 'é', 'A', ' ', '1']),
            1..4,
        ),
        0..3u8,
    )
        .prop_map(|(chars, mode)| {
            let t: String = chars.into_iter().collect();
            match mode {
                0 => t,
                1 => format!("{t}*"),
                _ => format!("*{t}"),
            }
        })
        .prop_filter("a term is not only spaces", |t| {
            !t.trim_matches(|c| c == '*' || c == ' ').is_empty()
                && !t.starts_with(' ')
                && !t.ends_with(' ')
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]
    #[test]
    fn engine_equals_reference(
        text in text_strategy(),
        terms in proptest::collection::vec(term_strategy(), 1..6),
        casefold in any::<bool>(),
    ) {
        let profile = if casefold { Profile { casefold: true, ..Profile::NONE } } else { Profile::NONE };
        let rules = terms
            .iter()
            .enumerate()
            .map(|(i, t)| rule(&format!("r{i}")).profile(profile).terms(&[t.as_str()]).build())
            .collect();
        let e = engine(rules);
        let got: BTreeSet<(usize, usize, usize)> = e
            .check_text(&text, Target::Body)
            .into_iter()
            .map(|f| {
                assert_eq!(&text[f.span[0]..f.span[1]], f.matched);
                let i: usize = f.rule.trim_start_matches("test/r").parse().unwrap();
                (i, f.span[0], f.span[1])
            })
            .collect();
        prop_assert_eq!(got, reference(&text, &terms, casefold));
    }
}
