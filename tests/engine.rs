//! Engine tests: one table per matching feature. Each table collects every failure and fails
//! once with the full list, so a change shows everything it breaks.

mod engine_support;

use engine_support::*;
use threadlint::engine::{Engine, Verdict};
use threadlint::finding::{Category, Target};
use threadlint::normalize::Profile;
use threadlint::rules::QuotedPolicy;
use threadlint::thread::{Comment, LineRange, Quote, Span, Thread};

/// Run `(text, expected matched substrings)` rows against `engine`; report all failures.
fn run_table(name: &str, engine: &Engine, rows: &[(&str, &[&str])]) {
    let mut failures = Vec::new();
    for (text, expected) in rows {
        let got: Vec<String> = matches(engine, text).into_iter().map(|m| m.0).collect();
        let want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        if got != want {
            failures.push(format!("  {text:?}: expected {want:?}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{name}: {} failure(s)\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn word_prefix_and_suffix_modes() {
    let e = engine(vec![rule("r")
        .terms(&["rat", "parasit*", "*phobe", "white power"])
        .build()]);
    run_table(
        "modes",
        &e,
        &[
            ("a rat here", &["rat"]),
            ("Rat!", &["Rat"]),
            ("rats and pirate", &[]),
            ("the parasites", &["parasites"]),
            ("parasit", &["parasit"]),
            ("unparasitic", &[]),
            ("a homophobe", &["homophobe"]),
            ("phobes", &[]),
            ("WHITE POWER now", &["WHITE POWER"]),
            ("white powered", &[]),
            ("rat_rat", &["rat", "rat"]),
            ("ratrat", &[]),
            ("", &[]),
        ],
    );
}

/// Regression: with the repeats step, spellings that differ only in a doubled letter normalise
/// alike; each must still match its own spelling.
#[test]
fn spellings_that_differ_in_a_doubled_letter_both_match() {
    let e = engine(vec![rule("r")
        .terms(&["gyppo", "gypo"])
        .profile(Profile::STRICT)
        .build()]);
    run_table(
        "doubled letters",
        &e,
        &[
            ("a gypo", &["gypo"]),
            ("a gyppo", &["gyppo"]),
            ("a gyyyppo", &["gyyyppo"]),
        ],
    );
}

#[test]
fn unicode_word_boundaries() {
    let e = engine(vec![rule("r").terms(&["rat"]).build()]);
    run_table(
        "unicode boundaries",
        &e,
        &[
            ("“rat”", &["rat"]),
            ("ératé", &[]),
            ("ratи", &[]),
            ("rat\u{301}", &[]),
            ("日本rat", &[]),
            ("— rat —", &["rat"]),
        ],
    );
}

#[test]
fn evasion_is_caught_with_strict_normalisation() {
    let e = engine(vec![rule("p")
        .profile(Profile::STRICT)
        .terms(&["cunt", "ass", "cock", "shit", "fuck", "fucking"])
        .build()]);
    run_table(
        "evasion",
        &e,
        &[
            ("f u c k you", &["f u c k"]),
            ("f.u.c.k", &["f.u.c.k"]),
            ("f-u-c-k off", &["f-u-c-k"]),
            ("F. U. C. K.", &["F. U. C. K"]),
            ("sh1t", &["sh1t"]),
            ("5h1t", &["5h1t"]),
            ("@ss", &["@ss"]),
            ("c0ck", &["c0ck"]),
            ("fuuuuck", &["fuuuuck"]),
            ("shiiiiit", &["shiiiiit"]),
            ("asssss", &["asssss"]),
            ("ｆｕｃｋ", &["ｆｕｃｋ"]),
            ("𝐟𝐮𝐜𝐤", &["𝐟𝐮𝐜𝐤"]),
            ("fu\u{0441}k", &["fu\u{0441}k"]),
            ("\u{0441}\u{043e}\u{0441}k", &["\u{0441}\u{043e}\u{0441}k"]),
            ("fu\u{200b}ck", &["fu\u{200b}ck"]),
            ("f*ck", &["f*ck"]),
            ("f**k", &["f**k"]),
            ("sh!t", &["sh!t"]),
            ("c#nt", &["c#nt"]),
            ("a**", &["a**"]),
            ("what the f*ck!", &["f*ck"]),
            ("FUCKING", &["FUCKING"]),
            ("*fuck* this", &["fuck"]),
        ],
    );
}

#[test]
fn tricky_clean_words_are_not_caught() {
    let e = engine(vec![rule("p")
        .profile(Profile::STRICT)
        .terms(&["cunt", "ass", "cock", "shit", "fuck", "tit"])
        .build()]);
    run_table(
        "clean",
        &e,
        &[
            ("Scunthorpe United", &[]),
            ("the assassin", &[]),
            ("in the cockpit", &[]),
            ("shiitake mushrooms", &[]),
            ("John Hancock", &[]),
            ("Matsushita Electric", &[]),
            ("in 1969", &[]),
            ("ticket #455", &[]),
            ("only £99.99", &[]),
            ("2-3 days", &[]),
            ("as a class", &[]),
            ("the A55 road", &[]),
            ("3rd place in the 1990s", &[]),
            ("a cocktail", &[]),
            ("title", &[]),
            ("Ms. Titmuss", &[]),
            ("passage", &[]),
            ("a b c", &[]),
        ],
    );
}

#[test]
fn plain_profile_does_not_apply_evasion_steps() {
    let e = engine(vec![rule("p")
        .profile(Profile::PLAIN)
        .terms(&["fuck"])
        .build()]);
    run_table(
        "plain",
        &e,
        &[
            ("FUCK", &["FUCK"]),
            ("ｆｕｃｋ", &["ｆｕｃｋ"]),
            ("fu\u{200b}ck", &["fu\u{200b}ck"]),
            ("f u c k", &[]),
            ("fuuuck", &[]),
            ("f*ck", &[]),
            ("fu\u{0441}k", &[]),
        ],
    );
}

#[test]
fn near_needs_one_term_from_each_group_within_n_words() {
    let e = engine(vec![rule("n")
        .near(2, &[&["zionist*", "jews"], &["parasit*", "vermin"]])
        .build()]);
    run_table(
        "near",
        &e,
        &[
            ("They are Zionist parasites", &["Zionist parasites"]),
            ("parasites, those jews", &["parasites, those jews"]),
            ("jews are vermin", &["jews are vermin"]),
            ("jews are truly vermin", &[]),
            ("Zionist history is long", &[]),
            ("vermin everywhere", &[]),
        ],
    );
}

#[test]
fn near_does_not_pair_across_a_sentence_or_paragraph() {
    let e = engine(vec![rule("n")
        .near(6, &[&["zionist*", "jews"], &["rats", "parasit*"]])
        .build()]);
    run_table(
        "near sentences",
        &e,
        &[
            (
                "Blame the Zionist lobby. Rats are everywhere in the city",
                &[],
            ),
            ("Blame the Zionist lobby! Rats everywhere", &[]),
            ("Is it the Zionist lobby? Rats, I say", &[]),
            ("the jews\n\nrats in the subway", &[]),
            ("the jews\n \nrats in the subway", &[]),
            // one sentence, even across a line break or a comma
            ("the jews\nare rats", &["jews\nare rats"]),
            ("the jews, those rats", &["jews, those rats"]),
            // a dot inside a word or number is no boundary
            ("jews.com rats", &["jews.com rats"]),
            ("3.5 jews are rats", &["jews are rats"]),
            // pairs inside either sentence still match
            (
                "Rats. The Zionist parasites are here",
                &["Zionist parasites"],
            ),
        ],
    );
}

#[test]
fn unless_cancels_overlapping_or_nearby_phrases() {
    let overlap = engine(vec![rule("u")
        .terms(&["control the media"])
        .unless(&["they control the media"], 0)
        .build()]);
    run_table(
        "unless overlap",
        &overlap,
        &[
            ("jews control the media", &["control the media"]),
            ("they control the media", &[]),
            (
                "the myth that jews control the media",
                &["control the media"],
            ),
        ],
    );
    let within = engine(vec![rule("u")
        .terms(&["jews control*"])
        .unless(&["the myth that"], 2)
        .build()]);
    run_table(
        "unless within",
        &within,
        &[
            ("the myth that jews control banks", &[]),
            ("the myth that rich jews control banks", &[]),
            (
                "the myth that many rich jews control banks",
                &["jews control"],
            ),
            ("jews control banks", &["jews control"]),
            ("jews control banks, the myth that", &[]),
        ],
    );
}

#[test]
fn regex_runs_on_normalised_text_with_and_without_a_literal() {
    assert_eq!(
        threadlint::engine::regex_literal(r"\(\(\(\s*\w+\s*\)\)\)").as_deref(),
        Some("(((")
    );
    assert_eq!(threadlint::engine::regex_literal(r"[a-z]+\d"), None);
    assert_eq!(
        threadlint::engine::regex_literal(r"(?:ab|cd)xyz+q").as_deref(),
        Some("xy")
    );
    let e = engine(vec![
        rule("echo").regex(r"\(\(\(\s*\w+\s*\)\)\)").build(),
        rule("digits").regex(r"\b\d{3}-\d{4}\b").build(),
    ]);
    run_table(
        "regex",
        &e,
        &[
            ("look at (((Soros)))", &["(((Soros)))"]),
            ("((( globalists )))", &["((( globalists )))"]),
            ("(((no close", &[]),
            ("call 555-1234 now", &["555-1234"]),
            ("nothing here", &[]),
        ],
    );
}

#[test]
fn invalid_regex_is_a_build_error_with_its_position() {
    let err = match Engine::new(vec![set("bad", vec![rule("r").regex("(unclosed").build()])]) {
        Ok(_) => panic!("an invalid regex must not compile"),
        Err(e) => e,
    };
    assert_eq!(err.len(), 1);
    assert_eq!(
        (err[0].origin.as_str(), err[0].line, err[0].column),
        ("bad.yaml", 7, 12)
    );
    assert!(err[0]
        .to_string()
        .starts_with("bad.yaml:7:12: error: rule `bad/r`: invalid regex"));
    let huge = "(?:a{1000}){1000}";
    assert!(Engine::new(vec![set("big", vec![rule("r").regex(huge).build()])]).is_err());
}

fn thread_fixture() -> Thread {
    let source = "Article about rats.\nalice\nrats everywhere\n> rats quoted\nbob the rat\nfine\n";
    let find = |s: &str| {
        let a = source.find(s).unwrap();
        Span::new(a, a + s.len())
    };
    let body1 = {
        let a = source.find("rats everywhere").unwrap();
        let b = source.find("bob").unwrap();
        Span::new(a, b)
    };
    Thread {
        name: "t".into(),
        source: source.into(),
        article: Some(threadlint::thread::Article {
            title: Some(1),
            lines: LineRange::new(1, 1),
            span: find("Article about rats."),
        }),
        boilerplate: vec![],
        comments: vec![
            Comment {
                author: Some("alice".into()),
                name_line: Some(2),
                name_span: Some(find("alice")),
                lines: LineRange::new(3, 4),
                span: body1,
                quotes: vec![Quote {
                    lines: LineRange::new(4, 4),
                    span: find("> rats quoted"),
                    source: None,
                }],
                id: None,
            },
            Comment {
                author: Some("bob the rat".into()),
                name_line: Some(5),
                name_span: Some(find("bob the rat")),
                lines: LineRange::new(6, 6),
                span: find("fine"),
                quotes: vec![],
                id: None,
            },
        ],
    }
}

#[test]
fn scope_quotes_and_positions_in_a_thread() {
    let t = thread_fixture();
    let e = engine(vec![
        rule("body").terms(&["rats"]).build(),
        rule("name").terms(&["rat"]).scope(&[Target::Name]).build(),
        rule("article")
            .terms(&["rats"])
            .scope(&[Target::Article])
            .build(),
        rule("count")
            .terms(&["rats"])
            .quoted(QuotedPolicy::Count)
            .build(),
        rule("ignore")
            .terms(&["rats"])
            .quoted(QuotedPolicy::Ignore)
            .build(),
    ]);
    let got: Vec<String> = e
        .check_thread(&t)
        .iter()
        .map(|f| {
            assert_eq!(&t.source[f.span[0]..f.span[1]], f.matched);
            format!(
                "{} {} {:?} {}:{} {} q={} c={}",
                f.rule,
                f.target,
                f.comment,
                f.line,
                f.column,
                f.matched,
                f.quoted,
                f.counts_when_quoted
            )
        })
        .collect();
    let want = [
        "test/article article None 1:15 rats q=false c=false",
        "test/body body Some(0) 3:1 rats q=false c=false",
        "test/count body Some(0) 3:1 rats q=false c=false",
        "test/ignore body Some(0) 3:1 rats q=false c=false",
        "test/body body Some(0) 4:3 rats q=true c=false",
        "test/count body Some(0) 4:3 rats q=true c=true",
        "test/name name Some(1) 5:9 rat q=false c=false",
    ];
    assert_eq!(got, want);
}

/// A thread where one commenter posts twice and another once.
fn repeated_name_thread() -> Thread {
    let source = "bob the rat\nhello\n\nalice\nhi\n\nbob the rat\nbye\n";
    let at = |s: &str, from: usize| {
        let a = from + source[from..].find(s).unwrap();
        Span::new(a, a + s.len())
    };
    let comment = |name: &str, name_span: Span, body: Span, line: usize| Comment {
        author: Some(name.into()),
        name_line: Some(line),
        name_span: Some(name_span),
        lines: LineRange::new(line + 1, line + 1),
        span: body,
        quotes: vec![],
        id: None,
    };
    let second = source.rfind("bob the rat").unwrap();
    Thread {
        name: "t".into(),
        source: source.into(),
        article: None,
        boilerplate: vec![],
        comments: vec![
            comment("bob the rat", at("bob the rat", 0), at("hello", 0), 1),
            comment("alice", at("alice", 0), at("hi", 0), 4),
            comment("bob the rat", at("bob the rat", second), at("bye", 0), 7),
        ],
    }
}

/// Names are checked once per worker and remembered: a name seen again is reported again, at
/// its own place, and an engine never answers with another engine's results for a name.
#[test]
fn a_name_seen_again_is_reported_again_and_engines_do_not_share_names() {
    let t = repeated_name_thread();
    let names = engine(vec![rule("name")
        .terms(&["rat"])
        .scope(&[Target::Name])
        .build()]);
    let other = engine(vec![rule("other").terms(&["zzz"]).build()]);
    let show = |e: &Engine| -> Vec<String> {
        e.check_thread(&t)
            .iter()
            .map(|f| {
                assert_eq!(&t.source[f.span[0]..f.span[1]], f.matched);
                format!(
                    "{} {} {:?} {}:{}",
                    f.rule, f.target, f.comment, f.line, f.column
                )
            })
            .collect()
    };
    let want = ["test/name name Some(0) 1:9", "test/name name Some(2) 7:9"];
    assert_eq!(show(&names), want);
    assert_eq!(
        show(&other),
        Vec::<String>::new(),
        "another engine, same names"
    );
    assert_eq!(show(&names), want, "the first engine again");
}

#[test]
fn output_is_the_same_whatever_the_thread_count() {
    let mut t = thread_fixture();
    let template = t.comments[0].clone();
    for _ in 0..200 {
        t.comments.push(template.clone());
    }
    let e = engine(vec![rule("body").terms(&["rats", "rat"]).build()]);
    let run = |n: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
            .install(|| e.check_thread(&t))
    };
    let one = run(1);
    assert!(one.len() > 200);
    assert_eq!(one, run(2));
    assert_eq!(one, run(4));
}

#[test]
fn engine_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
}

#[test]
fn fingerprint_depends_on_origin_and_source_in_order() {
    let a = set("a", vec![rule("r").terms(&["x"]).build()]);
    let b = set("b", vec![rule("r").terms(&["x"]).build()]);
    let fp = |sets: Vec<_>| Engine::new(sets).unwrap().fingerprint().to_string();
    let ab = fp(vec![a.clone(), b.clone()]);
    assert_eq!(ab.len(), 16);
    assert_eq!(ab, fp(vec![a.clone(), b.clone()]));
    assert_ne!(ab, fp(vec![b.clone(), a.clone()]));
    let mut a2 = a.clone();
    a2.source.push('\n');
    assert_ne!(ab, fp(vec![a2, b]));
}

#[test]
fn findings_carry_rule_category_term_and_normalised_form() {
    let e = engine(vec![rule("slur")
        .category(Category::Slur)
        .terms(&["fuck"])
        .build()]);
    let text = "line one\nwell f.u.c.k it";
    let f = &e.check_text(text, Target::Body)[0];
    assert_eq!(f.rule, "test/slur");
    assert_eq!(f.category, Category::Slur);
    assert_eq!((f.line, f.column), (2, 6));
    assert_eq!(f.matched, "f.u.c.k");
    assert_eq!(f.normalized, "fuck");
    assert_eq!(f.term, "fuck");
    assert_eq!(f.comment, Some(0));
    assert_eq!(e.check_text(text, Target::Article), vec![]);
}

#[test]
fn one_automaton_per_profile_not_per_rule() {
    let rules: Vec<_> = (0..50)
        .map(|i| {
            rule(&format!("r{i}"))
                .profile(if i % 2 == 0 {
                    Profile::PLAIN
                } else {
                    Profile::STRICT
                })
                .terms(&["same", "words"])
                .build()
        })
        .collect();
    let e = engine(rules);
    assert_eq!(e.profiles(), vec![Profile::PLAIN, Profile::STRICT]);
    assert_eq!(e.pattern_count(), 4);
    assert_eq!(e.check_text("same", Target::Body).len(), 50);
}

#[test]
fn explain_gives_a_verdict_for_every_candidate() {
    let e = engine(vec![
        rule("w").terms(&["ass"]).profile(Profile::STRICT).build(),
        rule("u").terms(&["rats"]).unless(&["lab rats"], 0).build(),
        rule("n").near(1, &[&["jews"], &["vermin"]]).build(),
        rule("s").terms(&["rats"]).scope(&[Target::Name]).build(),
    ]);
    let x = e.explain(
        "the assassin saw lab rats; jews are not vermin",
        Target::Body,
    );
    let names: Vec<&str> = x.profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["strict", "plain"]);
    let got: Vec<(String, &str, String, Verdict)> = x
        .candidates
        .iter()
        .map(|c| (c.rule.clone(), c.kind, c.matched.clone(), c.verdict.clone()))
        .collect();
    let v = |r: &str, k: &'static str, m: &str, verdict: Verdict| {
        (r.to_string(), k, m.to_string(), verdict)
    };
    assert_eq!(
        got,
        vec![
            v("test/w", "term", "ass", Verdict::Boundary),
            v("test/w", "term", "ass", Verdict::Boundary),
            v("test/u", "unless", "lab rats", Verdict::Trigger),
            v("test/s", "term", "rats", Verdict::Scope),
            v("test/u", "term", "rats", Verdict::Unless("lab rats".into())),
            v("test/n", "near", "jews", Verdict::NearNotSatisfied),
            v("test/n", "near", "vermin", Verdict::NearNotSatisfied),
        ]
    );
    assert!(x.findings.is_empty());
}

/// Regex triggers: a required literal of three bytes or more, else the prefixes every match
/// starts with, else none (the regex runs on every text). A one-space literal is no trigger.
#[test]
fn regex_triggers_are_long_enough_to_be_rare() {
    use threadlint::engine::regex_triggers;
    let table: &[(&str, Option<&[&str]>)] = &[
        (r"\(\(\(\s*\w+\s*\)\)\)", Some(&["((("])),
        (r"\b(?:the|all) (?:jews|zionists) lie\b", Some(&[" lie"])),
        (
            r"\b(?:the|all) (?:jews|zionists) (?:a|b)\b",
            Some(&[
                "all jews a",
                "all jews b",
                "all zionists a",
                "all zionists b",
                "the jews a",
                "the jews b",
                "the zionists a",
                "the zionists b",
            ]),
        ),
        (r"\b(?:a|i)\s+\w", None),
        (
            r"\b(?:sources|insiders) (?:say|said)\b",
            Some(&[
                "insiders said",
                "insiders say",
                "sources said",
                "sources say",
            ]),
        ),
        (
            r"\b(?:you|u) (?:idiot|moron)\b",
            Some(&["u idiot", "u moron", "you idiot", "you moron"]),
        ),
        (r"[a-z]+\d", None),
    ];
    for (pattern, want) in table {
        let mut got = regex_triggers(pattern);
        if let Some(g) = got.as_mut() {
            g.sort();
        }
        let want = want.map(|w| {
            let mut w: Vec<String> = w.iter().map(|s| s.to_string()).collect();
            w.sort();
            w
        });
        assert_eq!(got, want, "{pattern}");
    }
}

/// A regex without triggers runs on every text in its scope, which costs more than all the
/// bundled terms together: every bundled regex must have triggers, and none may be a common
/// word alone. And since a bundled regex is compiled as written only when a text needs it,
/// each must compile within the limits.
#[test]
fn every_bundled_regex_has_rare_triggers_and_compiles() {
    let (sets, _) = threadlint::rules::load_bundled();
    let mut checked = 0;
    for rule in sets.iter().flat_map(|s| &s.rules) {
        let Some(spec) = &rule.regex else { continue };
        let triggers = threadlint::engine::regex_triggers(&spec.pattern);
        let Some(triggers) = triggers else {
            panic!("{}: regex has no trigger literals", rule.full_id);
        };
        for t in &triggers {
            assert!(
                !["you ", "the ", "are ", " you ", "all "].contains(&t.as_str()),
                "{}: trigger {t:?} is too common",
                rule.full_id
            );
        }
        // Bundled regexes are compiled as written only when a text needs it, so they must be
        // known to compile, in both forms, within the size limit.
        let ascii = threadlint::engine::ascii_classes(&spec.pattern);
        let ascii = ascii.unwrap_or_else(|| panic!("{}: no ASCII form", rule.full_id));
        for pattern in [spec.pattern.as_str(), ascii.as_str()] {
            let built = regex::RegexBuilder::new(pattern)
                .size_limit(threadlint::engine::REGEX_SIZE_LIMIT)
                .dfa_size_limit(threadlint::engine::REGEX_SIZE_LIMIT)
                .build();
            assert!(built.is_ok(), "{}: {built:?}", rule.full_id);
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} bundled regexes");
}

/// Required sets: some part of every match contains one of the literals; common words alone do
/// not count.
#[test]
fn regex_triggers_fall_back_to_a_required_set() {
    use threadlint::engine::regex_triggers;
    let table: &[(&str, Option<&[&str]>)] = &[
        (
            r"\b(?:a|an|one) (?:[\w.\-]+ ){0,3}(?:officials?|sources?) \w+",
            Some(&["official", "source"]),
        ),
        (
            r"(?:^|[.!?]\s+)(?:apparently|allegedly),? \w+",
            Some(&["allegedly", "apparently"]),
        ),
        (r"\b(?:you|u|ya) (?:[\w]+ )*(?:are|is)\b", None),
        (
            r"\b(?:he|she) \w+ (?:idiot|dense)\w*|\bare you (?:dumb|thick)\w*",
            Some(&["dense", "dumb", "idiot", "thick"]),
        ),
    ];
    for (pattern, want) in table {
        let mut got = regex_triggers(pattern);
        if let Some(g) = got.as_mut() {
            g.sort();
        }
        let want = want.map(|w| w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(got, want, "{pattern}");
    }
}

/// The ASCII form of a regex, used on the shared form: Perl classes and word boundaries made
/// ASCII, everything else as written; what the rewrite does not understand is left alone.
#[test]
fn ascii_classes_rewrites_only_what_it_understands() {
    use threadlint::engine::ascii_classes;
    let table: &[(&str, Option<&str>)] = &[
        (r"\bjews?\b", Some(r"(?-u:\b)jews?(?-u:\b)")),
        (r"(?:[\w'’]+ ){0,5}", Some(r"(?:[0-9A-Za-z_'’]+ ){0,5}")),
        (r"\d+\s\W", Some(r"[0-9]+[\t\n\x0B\x0C\r ][^0-9A-Za-z_]")),
        (r"[]a\]]\.\(", Some(r"[]a\]]\.\(")),
        (r"[^\d]", Some(r"[^0-9]")),
        (r"[\W]", None),
        (r"(?i)jews", None),
        (r"\p{L}+", None),
        (r"[[:alpha:]]", None),
        (r"[a-z", None),
    ];
    for (pattern, want) in table {
        assert_eq!(ascii_classes(pattern).as_deref(), *want, "{pattern}");
    }
}

/// Where the ASCII form of a regex may stand in for the regex as written.
#[test]
fn ascii_classes_apply_only_without_unicode_word_or_space_characters() {
    use threadlint::engine::ascii_classes_apply;
    for (text, want) in [
        ("plain text", true),
        ("curly “quotes” and dashes – … £5", true),
        ("café", false),
        ("naïve", false),
        ("a\u{2003}b", false),
        ("x\u{200D}y", false),
        ("٣ digits", false),
        ("e\u{301}", false),
    ] {
        assert_eq!(ascii_classes_apply(text), want, "{text:?}");
    }
}

/// A rule file given by the user compiles its regexes as written up front, so a regex that
/// fits the size limit only in its ASCII form is still reported before any checking (the
/// bundled sets defer that compilation; see `every_bundled_regex_has_rare_triggers_and_compiles`).
#[test]
fn a_regex_over_the_limit_only_as_written_is_a_build_error() {
    let pattern = r"\w{400}";
    let ascii = threadlint::engine::ascii_classes(pattern).expect("ascii form");
    let build = |p: &str| {
        regex::RegexBuilder::new(p)
            .size_limit(threadlint::engine::REGEX_SIZE_LIMIT)
            .dfa_size_limit(threadlint::engine::REGEX_SIZE_LIMIT)
            .build()
    };
    assert!(build(&ascii).is_ok(), "the ASCII form fits");
    assert!(build(pattern).is_err(), "the regex as written does not");
    let err = match Engine::new(vec![set("big", vec![rule("r").regex(pattern).build()])]) {
        Ok(_) => panic!("a regex over the size limit must not compile"),
        Err(e) => e,
    };
    assert_eq!(err.len(), 1);
    assert!(err[0].to_string().contains("size limit"), "{}", err[0]);
}

/// `check_thread_lines`, given the line index the JSON Lines layout built, places every
/// finding exactly where `check_thread`, counting lines itself, does.
#[test]
fn a_line_index_from_the_jsonl_layout_places_findings_alike() {
    use threadlint::jsonl::{Item, Reader};
    let e = bundled();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/jsonl/comments.jsonl"
    );
    let input = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let mut placed = 0;
    for item in Reader::new(input, "comments.jsonl") {
        let Item::Thread(t) = item.unwrap() else {
            continue;
        };
        let given = e.check_thread_lines(&t.thread, &t.lines);
        assert_eq!(given, e.check_thread(&t.thread), "thread {}", t.thread.name);
        placed += given.iter().filter(|f| f.line > 1).count();
    }
    assert!(
        placed > 0,
        "no finding past the first line: the test shows nothing"
    );
}

/// A regex finding names the top-level branch of the pattern that matched, so a person tuning
/// a rule of many alternatives sees which one fired; a pattern of one branch, or one that sets
/// flags at its top level (they would not carry over to a lone branch), is named whole.
#[test]
fn a_regex_finding_names_the_branch_that_matched() {
    let many = r"\bfoo (?:bar|baz)\b|\bqu+x\b|(?:ab|cd)x+|\bfoo\b";
    let one = r"\bzz+y\b";
    let grouped = r"(?:kw1x|kw2y)";
    let flagged = r"(?i)flagone|flagtwo";
    // Groups of the rule's own come before later branches' groups.
    let captures = r"\bfo(o)+x\b|\b(ba)(r)z\b|\bzo(?P<q>o)?t\b|\bwal+y\b";
    let e = engine(vec![
        rule("captures").regex(captures).build(),
        rule("many").regex(many).build(),
        rule("one").regex(one).build(),
        rule("grouped").regex(grouped).build(),
        rule("flagged").regex(flagged).build(),
    ]);
    let rows: &[(&str, &[(&str, &str)])] = &[
        ("a foo baz here", &[("foo baz", r"\bfoo (?:bar|baz)\b")]),
        ("then quuux", &[("quuux", r"\bqu+x\b")]),
        ("zcdxx", &[("cdxx", r"(?:ab|cd)x+")]),
        // Both the first and the last branch match at "foo"; the regex takes the first.
        ("foo bar", &[("foo bar", r"\bfoo (?:bar|baz)\b")]),
        ("just foo", &[("foo", r"\bfoo\b")]),
        // Non-ASCII letters: the regexes as written run, not their ASCII forms.
        ("café quux", &[("quux", r"\bqu+x\b")]),
        ("a zzzy", &[("zzzy", one)]),
        ("kw2y", &[("kw2y", grouped)]),
        ("flagtwo", &[("flagtwo", flagged)]),
        ("fooox", &[("fooox", r"\bfo(o)+x\b")]),
        ("barz", &[("barz", r"\b(ba)(r)z\b")]),
        ("wally", &[("wally", r"\bwal+y\b")]),
        ("zoot", &[("zoot", r"\bzo(?P<q>o)?t\b")]),
    ];
    let mut failures = Vec::new();
    for (text, want) in rows {
        let got = matches(&e, text);
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(m, t)| (m.to_string(), t.to_string()))
            .collect();
        if got != want {
            failures.push(format!("  {text:?}: expected {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
