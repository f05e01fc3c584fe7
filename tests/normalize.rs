//! Normalisation tests: one table row per (steps, input, expected normalised text), plus the
//! offset map's invariants on every row.

use threadlint::finding::Category;
use threadlint::normalize::{normalize, normalize_term, Normalized, Profile};

fn profile(steps: &[&str]) -> Profile {
    let mut p = Profile::NONE;
    for s in steps {
        if let Some(preset) = Profile::preset(s) {
            p = preset;
        } else {
            assert!(p.set_step(s), "unknown step {s}");
        }
    }
    p
}

/// Every normalised byte maps into the original text at character boundaries, in order, and
/// the spans of whole characters are non-empty.
fn check_offsets(input: &str, n: &Normalized) -> Result<(), String> {
    if n.offsets.len() != n.text.len() + 1 || n.ends.len() != n.text.len() {
        return Err("offset vectors have the wrong length".into());
    }
    if n.offsets[n.text.len()] as usize != input.len() {
        return Err("the last offset must map the end".into());
    }
    let mut prev = 0;
    for (i, _) in n.text.char_indices() {
        let (s, e) = (n.offsets[i] as usize, n.ends[i] as usize);
        if s < prev || s >= e || !input.is_char_boundary(s) || !input.is_char_boundary(e) {
            return Err(format!("bad span {s}..{e} for normalised byte {i}"));
        }
        prev = s;
    }
    Ok(())
}

const ROWS: &[(&[&str], &str, &str)] = &[
    // none
    (&["none"], "Hello ＷＯＲＬＤ", "Hello ＷＯＲＬＤ"),
    // casefold
    (&["casefold"], "HeLLo ÉCOLE İ", "hello école i\u{307}"),
    // compat: full-width, math bold, ligatures
    (&["compat"], "ｆｕｃｋ 𝐟𝐮𝐜𝐤 ﬁne", "fuck fuck fine"),
    (&["compat", "casefold"], "ＦＵＣＫ", "fuck"),
    // confusables: Cyrillic and Greek posing as Latin; accents on Latin letters fold
    (&["confusables"], "f\u{0443}\u{0441}k \u{03bf}k", "fyck ok"),
    (
        &["confusables", "casefold"],
        "\u{0421}\u{041e}\u{0421}K",
        "cock",
    ),
    (&["confusables"], "café naïve", "cafe naive"),
    (&["confusables", "casefold"], "FÜCK jéw Jȅw", "fuck jew jew"),
    // a separate combining accent is dropped
    (&["confusables"], "je\u{301}w", "jew"),
    (&["confusables"], "ñandú", "nandu"),
    (&["strict"], "f ü c k", "fuck"),
    // plain keeps accents: "résumé" is not "resume" for a phrase rule
    (&["plain"], "Résumé", "résumé"),
    // apostrophes: curly, modifier and prime all become '
    (&["casefold"], "Don’t ‘em Aʼs it′s", "don't 'em a's it's"),
    (&["compat"], "don’t", "don't"),
    (&["plain"], "DON’T", "don't"),
    (&["strict"], "don’t", "don't"),
    (&["none"], "don’t", "don’t"),
    (&["zero-width"], "don’t", "don’t"),
    // zero-width
    (&["zero-width"], "fu\u{200b}c\u{200d}k\u{feff}", "fuck"),
    (&["zero-width"], "soft\u{ad}hyphen", "softhyphen"),
    // leet: only inside tokens that are mostly letters
    (
        &["leet"],
        "sh1t 5h1t @ss c0ck $hit",
        "shit shit ass cock shit",
    ),
    (
        &["leet"],
        "in 1969, #455, £99.99, 2-3 days",
        "in 1969, #455, £99.99, 2-3 days",
    ),
    (
        &["leet"],
        "the 3rd in the 1990s at 10am",
        "the 3rd in the 1990s at 10am",
    ),
    (&["leet"], "A55 and B52 and M1", "A55 and B52 and M1"),
    (&["leet"], "fuck! really!!", "fuck! really!!"),
    (&["leet"], "sh!t", "shit"),
    (&["leet"], "sh!!t right! ¡@ss", "shiit right! ¡ass"),
    // separators: three or more single letters, one or two separators between
    (
        &["separators"],
        "f.u.c.k, f u c k, f-u-c-k",
        "fuck, fuck, fuck",
    ),
    (&["separators"], "a b, c.d.e", "a b, cde"),
    (&["separators"], "F. U. C. K. off", "FUCK. off"),
    (&["separators"], "e.g. this, a b", "e.g. this, a b"),
    (&["separators"], "plan a - b - c", "plan a - b - c"),
    (&["separators"], "2 - 3 - 4", "2 - 3 - 4"),
    // repeats: runs collapse, lengths remembered
    (&["repeats"], "fuuuuck shiiit book", "fuck shit bok"),
    (&["repeats"], "1000 !!!", "1000 !!!"),
    // censor: symbols inside a mostly-letter token become `*`
    (
        &["censor"],
        "f*ck sh!t c#nt f@@k a**",
        "f*ck sh*t c*nt f**k a**",
    ),
    (
        &["censor"],
        "#455 $100 wow!! f*** ****",
        "#455 $100 wow!! f*** ****",
    ),
    (&["censor"], "*emphasis* here", "*emphasis* here"),
    // strict: everything together
    (&["strict"], "Ｆ.Ｕ.Ｃ.Ｋ", "fuck"),
    (&["strict"], "S\u{0425}\u{0130}T", "sxit"),
    (
        &["strict"],
        "in 1969 I paid £99.99 for #455",
        "in 1969 i paid £99.99 for #455",
    ),
];

#[test]
fn each_step_normalises_as_documented() {
    let mut failures = Vec::new();
    for (steps, input, expected) in ROWS {
        let n = normalize(input, profile(steps));
        if n.text != *expected {
            failures.push(format!(
                "  {steps:?} {input:?}: expected {expected:?}, got {:?}",
                n.text
            ));
        }
        if let Err(e) = check_offsets(input, &n) {
            failures.push(format!("  {steps:?} {input:?}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn spans_map_back_to_the_original_characters() {
    let input = "so F.U.C.K,  fuuuck!";
    let n = normalize(input, Profile::STRICT);
    assert_eq!(n.text, "so fuck,  fuck!");
    let first = n.text.find("fuck").unwrap();
    let (s, e) = n.original_span(first, first + 4);
    assert_eq!(&input[s..e], "F.U.C.K");
    let second = n.text.rfind("fuck").unwrap();
    let (s, e) = n.original_span(second, second + 4);
    assert_eq!(&input[s..e], "fuuuck");
    // The collapsed `u` remembers it was written three times.
    assert_eq!(n.run_at(second + 1), 3);
    // Zero-width characters inside the match are covered; those around it are not.
    let input = "\u{200b}fu\u{200b}ck\u{200b}";
    let n = normalize(input, Profile::STRICT);
    let (s, e) = n.original_span(0, n.text.len());
    assert_eq!(&input[s..e], "fu\u{200b}ck");
}

#[test]
fn terms_normalise_like_text() {
    assert_eq!(normalize_term("F*CK", Profile::STRICT), "f*ck");
    assert_eq!(normalize_term("ass", Profile::STRICT), "as");
    assert_eq!(normalize_term("Zionist", Profile::PLAIN), "zionist");
    assert_eq!(normalize_term("\u{200b}", Profile::PLAIN), "");
}

#[test]
fn category_defaults() {
    let d = Profile::default_for;
    assert_eq!(d(Category::Slur), Profile::STRICT);
    assert_eq!(d(Category::Profanity), Profile::STRICT);
    assert!(d(Category::Antisemitism).leet && !d(Category::Antisemitism).separators);
    assert!(d(Category::Insult).confusables && !d(Category::Insult).leet);
    assert_eq!(d(Category::UnverifiedClaim), Profile::PLAIN);
    assert_eq!(Profile::preset("plain").unwrap().describe(), "plain");
    assert_eq!(
        profile(&["casefold", "leet"]).describe(),
        "casefold+leet".to_string()
    );
}

mod properties {
    use super::check_offsets;
    use proptest::prelude::*;
    use threadlint::normalize::{Normalized, Normalizer, Profile};

    fn rich_text() -> impl Strategy<Value = String> {
        let alphabet = vec![
            'a', 'b', 's', 'h', 'i', 't', 'F', 'U', ' ', ' ', '.', '-', '*', '!', '@', '$', '#',
            '1', '3', '0', '9', '\u{200b}', 'é', 'ｓ', '１', '\u{0441}', '’', 'ʼ', 'ü', '‘', '\n',
            '|', '?', '\u{301}', '\u{a0}', '٣',
        ];
        proptest::collection::vec(prop::sample::select(alphabet), 0..30)
            .prop_map(|v| v.into_iter().collect())
    }

    /// Mostly-ASCII comment text, where the effective profile differs from the profile.
    fn ascii_text() -> impl Strategy<Value = String> {
        let alphabet = vec![
            'a', 'b', 's', 'h', 'i', 't', 'F', 'U', ' ', ' ', '.', '-', '*', '!', '@', '$', '#',
            '1', '3', '0', '9', '\n', '|', '?', 'o', 'o', 'e',
        ];
        proptest::collection::vec(prop::sample::select(alphabet), 0..40)
            .prop_map(|v| v.into_iter().collect())
    }

    fn any_profile() -> impl Strategy<Value = Profile> {
        proptest::collection::vec(any::<bool>(), 8).prop_map(|b| {
            let mut p = Profile::NONE;
            for (on, name) in b.iter().zip(Profile::STEP_NAMES) {
                if *on {
                    p.set_step(name);
                }
            }
            p
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The fast paths (ASCII bulk copy, no-token-step scan, the token pass on bytes) give
        /// exactly what the full token pass gives, the offset map is valid, and reused buffers
        /// leave no trace.
        #[test]
        fn fast_paths_equal_the_full_pass(
            text in prop_oneof![rich_text(), ascii_text()],
            other in rich_text(),
            p in any_profile(),
        ) {
            let mut nz = Normalizer::default();
            let mut fast = Normalized::default();
            let mut full = Normalized::default();
            nz.normalize_into(&other, p, &mut fast);
            nz.normalize_into(&text, p, &mut fast);
            nz.normalize_into_full(&text, p, &mut full);
            prop_assert_eq!(&fast, &full);
            prop_assert_eq!(check_offsets(&text, &fast), Ok(()));
        }

        /// The engine shares one normalisation between profiles with the same effective
        /// profile for a text; that is only sound if the effective profile gives the same result.
        #[test]
        fn effective_profile_normalises_alike(
            text in prop_oneof![rich_text(), ascii_text()],
            p in any_profile(),
        ) {
            let e = p.effective_for(&text);
            let want = threadlint::normalize::normalize(&text, p);
            prop_assert_eq!(threadlint::normalize::normalize(&text, e), want.clone());
            let mut got = Normalized::default();
            Normalizer::default().normalize_effective_into(&text, e, &mut got);
            prop_assert_eq!(got, want);
        }
    }
}
