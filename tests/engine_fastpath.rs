//! The shared-form fast path must find exactly what each profile's full pass finds: the same
//! findings (rule, span, matched and normalised text, term) on every text. Checked on every
//! example of the bundled rules, the labelled evaluation texts, and random texts built to hit
//! the edges (doubled and tripled letters, case, curly punctuation, leet, censoring, spacing).

mod engine_support;

use aho_corasick::AhoCorasickKind;
use engine_support::{rule, set};
use proptest::prelude::*;
use std::sync::OnceLock;
use threadlint::engine::Engine;
use threadlint::finding::Target;
use threadlint::normalize::Profile;

/// The fast path with each kind of shared automaton (see `SharedAutomaton`), and the full pass.
struct Engines {
    nfa: Engine,
    dfa: Engine,
    full: Engine,
}

impl Engines {
    fn new(load: impl Fn() -> Engine) -> Engines {
        let engines = Engines {
            nfa: load().with_shared_dfa(false),
            dfa: load().with_shared_dfa(true),
            full: load().without_fast_path(),
        };
        assert_eq!(
            engines.nfa.shared_automaton_kind(),
            Some(AhoCorasickKind::ContiguousNFA)
        );
        assert_eq!(
            engines.dfa.shared_automaton_kind(),
            Some(AhoCorasickKind::DFA)
        );
        assert_eq!(engines.full.shared_automaton_kind(), None);
        engines
    }
}

fn engines() -> &'static Engines {
    static ENGINES: OnceLock<Engines> = OnceLock::new();
    ENGINES.get_or_init(|| Engines::new(engine_support::bundled))
}

/// Rules that reach what the bundled ones do not: suffix and prefix terms and a regex under
/// `repeats`, next to rules of profiles without it.
fn edge_engines() -> &'static Engines {
    static ENGINES: OnceLock<Engines> = OnceLock::new();
    ENGINES.get_or_init(|| {
        let load = || {
            let rules = vec![
                rule("suffix")
                    .terms(&["*tard", "*ass", "*sss"])
                    .profile(Profile::STRICT)
                    .build(),
                rule("prefix")
                    .terms(&["fuck*", "as*", "jig*"])
                    .profile(Profile::STRICT)
                    .build(),
                rule("folded-regex")
                    .regex(r"\bjigabos?\b|\bspaz\w*")
                    .profile(Profile::STRICT)
                    .build(),
                rule("plain")
                    .terms(&["tard", "ass", "fuck", "as"])
                    .unless(&["class"], 0)
                    .profile(Profile::PLAIN)
                    .build(),
                rule("near")
                    .near(2, &[&["jews", "zionist*"], &["rats", "vermin"]])
                    .profile(Profile::STRICT)
                    .build(),
            ];
            Engine::new(vec![set("edge", rules)]).expect("edge rules compile")
        };
        Engines::new(load)
    })
}

fn same(text: &str) -> Result<(), String> {
    same_in(engines(), text)?;
    same_in(edge_engines(), text)
}

fn same_in(engines: &Engines, text: &str) -> Result<(), String> {
    for target in [Target::Body, Target::Name, Target::Article] {
        let full = engines.full.check_text(text, target);
        for (kind, fast) in [("nfa", &engines.nfa), ("dfa", &engines.dfa)] {
            let a = fast.check_text(text, target);
            if a != full {
                return Err(format!(
                    "{target:?} {text:?}\nfast ({kind}): {a:#?}\nfull: {full:#?}"
                ));
            }
        }
    }
    Ok(())
}

fn eval_texts() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/eval");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("eval fixtures") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("json");
            out.push(v["text"].as_str().expect("text").to_string());
        }
    }
    out
}

#[test]
fn fast_path_agrees_on_rule_examples_and_labelled_texts() {
    let mut texts = eval_texts();
    for rule in engines().full.sets().iter().flat_map(|s| &s.rules) {
        texts.extend(rule.examples_match.iter().map(|e| e.text.clone()));
        texts.extend(rule.examples_no_match.iter().map(|e| e.text.clone()));
    }
    texts.extend(
        [
            "ttard",
            "retard",
            "xtard",
            "asss",
            "ass",
            "bass",
            "classy",
            "fuckk",
            "fuckking",
            "jiggaboo",
            "jigabbo",
            "jiggabooo",
            "spazz",
            "spaz",
            "the jews are rats",
            "zionists, vermin",
            "Aass",
            "jigs",
            "sss",
            "ssss",
            "’ass’",
            "“tard”",
        ]
        .map(String::from),
    );
    let mut fast_count = 0;
    for t in &texts {
        fast_count += usize::from(engines().nfa.takes_fast_path(t));
        if let Err(e) = same_in(edge_engines(), t) {
            panic!("{e}");
        }
        if let Err(e) = same(t) {
            panic!("{e}");
        }
    }
    // The comparison means something only if most texts take the fast path.
    assert!(
        fast_count * 2 > texts.len(),
        "only {fast_count} of {} texts took the fast path",
        texts.len()
    );
}

/// Pieces random texts are made of: bundled terms and their near misses, letters to double
/// and triple, common words, and the characters that decide between the two paths.
const PIECES: &[&str] = &[
    "fuck",
    "fuuck",
    "fuuuck",
    "FUCK",
    "f*ck",
    "f u c k",
    "sh1t",
    "shit",
    "bollocks",
    "bolocks",
    "ass",
    "as",
    "asss",
    "class",
    "cook",
    "jews",
    "Jews",
    "zionist",
    "zionists",
    "parasites",
    "vermin",
    "rats",
    "idiot",
    "idiots",
    "moron",
    "you",
    "you're",
    "you’re",
    "are",
    "a",
    "an",
    "the",
    "sources",
    "said",
    "officials",
    "according to",
    "allegedly",
    "apparently",
    "wake up",
    "people",
    "gypo",
    "gyppo",
    "gyppoo",
    "jigaboo",
    "jigabo",
    "spaz",
    "spazz",
    "holocaust",
    "hoax",
    "control",
    "media",
    "(((",
    ")))",
    "bleed",
    "dry",
    "i heard",
    "my mate",
    "says",
    "everyone",
    "knows",
    "kike",
    "k1ke",
    "nigger",
    "paki",
    "pakis",
    "retard",
    "tard",
    "scunthorpe",
    "assassin",
    "cockpit",
    "1969",
    "#455",
    "£99.99",
    "é",
    "Ж",
    "ｆｕｃｋ",
    "\u{200b}",
    " ",
    " ",
    " ",
    ". ",
    ", ",
    "! ",
    "? ",
    "\n",
    "\n\n",
    "’",
    "‘",
    "“",
    "”",
    "…",
    "—",
    "–",
    "\u{a0}",
    "*",
    "!",
    "@",
    "$",
    "1",
    "3",
    "0",
    "-",
    "'",
    "...",
    "::",
    "x",
    "l",
    "o",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn fast_path_agrees_on_random_texts(
        pieces in prop::collection::vec(prop::sample::select(PIECES), 0..24)
    ) {
        let text: String = pieces.concat();
        if let Err(e) = same(&text) {
            return Err(TestCaseError::fail(e));
        }
    }
}

fn bundled_regexes() -> &'static Vec<(regex::Regex, regex::Regex)> {
    static REGEXES: OnceLock<Vec<(regex::Regex, regex::Regex)>> = OnceLock::new();
    REGEXES.get_or_init(|| {
        let (sets, _) = threadlint::rules::load_bundled();
        sets.iter()
            .flat_map(|s| &s.rules)
            .filter_map(|r| r.regex.as_ref())
            .map(|spec| {
                let ascii = threadlint::engine::ascii_classes(&spec.pattern).expect("ascii form");
                (
                    regex::Regex::new(&spec.pattern).expect("regex"),
                    regex::Regex::new(&ascii).expect("ascii regex"),
                )
            })
            .collect()
    })
}

/// The pieces a text may be made of where the ASCII regex forms apply (drawing from these
/// instead of discarding texts keeps every case useful).
fn ascii_pieces() -> Vec<&'static str> {
    PIECES
        .iter()
        .copied()
        .filter(|p| threadlint::engine::ascii_classes_apply(p))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Where `ascii_classes_apply` says so, each bundled regex's ASCII form finds exactly what
    /// the regex as written finds.
    #[test]
    fn ascii_regex_forms_agree(
        pieces in prop::collection::vec(prop::sample::select(ascii_pieces()), 0..24)
    ) {
        let text = pieces.concat().to_lowercase();
        prop_assert!(threadlint::engine::ascii_classes_apply(&text));
        for (full, ascii) in bundled_regexes() {
            let a: Vec<_> = full.find_iter(&text).map(|m| m.range()).collect();
            let b: Vec<_> = ascii.find_iter(&text).map(|m| m.range()).collect();
            prop_assert_eq!(a, b, "{} on {:?}", full.as_str(), text);
        }
    }
}

#[test]
fn the_dfa_takes_over_once_enough_text_is_scanned() {
    use threadlint::engine::DFA_AFTER_BYTES;
    let engine = engine_support::bundled();
    let kind = || engine.shared_automaton_kind();
    // The seeds' lines that the shared automaton searches (the others take each profile's
    // full pass and do not count).
    let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(seeds).expect("seeds") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "txt") {
            let page = std::fs::read_to_string(path).expect("seed");
            lines.extend(
                page.lines()
                    .filter(|l| !l.trim().is_empty() && engine.takes_fast_path(l))
                    .map(str::to_string),
            );
        }
    }
    let per_pass: usize = lines.iter().map(String::len).sum();
    assert!(
        per_pass > 0 && per_pass < DFA_AFTER_BYTES,
        "{per_pass} bytes"
    );
    let check_all = || {
        let found: Vec<_> = lines
            .iter()
            .map(|l| engine.check_text(l, Target::Body))
            .collect();
        found
    };
    // Short of the threshold, the NFA searches and no DFA is built.
    let before = check_all();
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert_eq!(kind(), Some(AhoCorasickKind::ContiguousNFA));
    // Past it, the DFA is built on its own thread and takes over.
    for _ in 0..DFA_AFTER_BYTES / per_pass {
        check_all();
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while kind() != Some(AhoCorasickKind::DFA) {
        assert!(
            std::time::Instant::now() < deadline,
            "the DFA never took over"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(check_all(), before);
}
