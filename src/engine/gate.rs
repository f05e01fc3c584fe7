//! A regex's gate: the literals each of its top-level alternatives cannot match without.
//!
//! Owns finding, for each top-level alternative (branch) of a rule's regex, its *factors*:
//! sets of literals of which every match of the branch contains one, each literal with the
//! word edges the regex puts at its ends; and telling whether a text holds every factor of
//! some branch. It must not run regexes nor look at the automata: the matcher asks the gate
//! before it runs a regex as written, on text with letters of another script.
//!
//! Why: there the regex crate cannot use its lazy DFA (a Unicode `\b` stops it at the first
//! non-ASCII byte) and falls back to its backtracker, which clears a visited set of the NFA's
//! states times the text's length on every search: a run costs hundreds of thousands of
//! instructions where the lazy DFA takes a few thousand. A regex's trigger is one set of
//! literals for the whole regex, chosen for looking rare ("source", "official"); a branch
//! needs more (`\b(?:a|an|one) (?:[\w.\-]+ ){0,3}(?:officials?|sources?) (?:told|said|...)\b`
//! needs one of the verbs as well). On 11.6 MB of the benchmark's comments with words of
//! other scripts appended, the bundled regexes' gates turned away 15,437 of the 23,908 runs
//! they were asked about (`insults/insult-nouns` 4,992 of 5,102). On ASCII text the gate is
//! not asked: its own pass over the text (a DFA of its literals) costs about what the
//! regex's lazy DFA does, and one job ran 5-12% slower with it (`docs/benchmarks.md`).
//!
//! Sound, not complete: every factor is required by its branch (the same analysis as
//! required trigger sets, [`super::build`]), so a text without all factors of any branch
//! cannot match; a text with them may still not match, and the regex decides.

use super::build::{concat_edges, merge_edges, repeat_edges, required_set, Edges, Nfa};
use super::dfa::Dfa;
use super::matcher::regex_edges_ok;
use super::scan::{walk_to_match, Walk};
use regex_syntax::hir::{Hir, HirKind};
use std::collections::HashMap;
use std::rc::Rc;

/// A set of literals every match of a branch contains one of, sorted, each once. Shared:
/// multiplying out a concatenation repeats a factor in many alternatives.
type Factor = Rc<[(String, Edges)]>;

fn factor(lits: Vec<(String, Edges)>) -> Factor {
    merge_edges(lits).into()
}

/// At most this many factors in one gate: a bit each in a `u64`. Leaving one out only opens
/// the gate more often.
const MAX_FACTORS: usize = 64;

/// A literal shorter than this, with no letter or digit (a space, the `,` of `[,;:]`), is in
/// nearly every text: its factor would tell nothing, and the gate's automaton would report
/// it at nearly every line. Letters alone are kept (the `u` of `(?:you|u|ya) ...`): with the
/// word edges the regex puts around them they are rarer.
const MIN_FACTOR_LITERAL: usize = 2;

#[derive(Debug)]
pub struct Gate {
    /// Every factor's literals, each once (overlapping matches, so every factor is seen).
    dfa: Dfa,
    /// For each of the DFA's patterns: the factors it belongs to, with its edges there.
    factors_of: Vec<Vec<(u8, Edges)>>,
    /// For each branch: the factors it needs, a bit each.
    needs: Vec<u64>,
    /// The DFA's patterns.
    #[cfg(test)]
    literals: Vec<String>,
}

impl Gate {
    /// The gate of a regex; `None` when some branch has fewer than two factors: a text with
    /// the trigger would nearly always get through, and the gate would only add a pass.
    pub fn new(pattern: &str) -> Option<Gate> {
        let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
        let branches = branches(&hir);
        if branches.iter().any(|b| b.len() < 2) {
            return None;
        }
        let mut ids: HashMap<Factor, u8> = HashMap::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut literals: Vec<String> = Vec::new();
        let mut factors_of: Vec<Vec<(u8, Edges)>> = Vec::new();
        let mut needs = Vec::with_capacity(branches.len());
        for factors in &branches {
            let mut need = 0u64;
            for factor in factors {
                let f = match ids.get(factor) {
                    Some(&f) => f,
                    // Leaving a factor out only lets more texts through.
                    None if ids.len() == MAX_FACTORS => continue,
                    None => {
                        let f = ids.len() as u8;
                        ids.insert(factor.clone(), f);
                        for (lit, edges) in factor.iter() {
                            let k = *index.entry(lit.as_str()).or_insert_with(|| {
                                literals.push(lit.clone());
                                factors_of.push(Vec::new());
                                literals.len() - 1
                            });
                            factors_of[k].push((f, *edges));
                        }
                        f
                    }
                };
                need |= 1 << f;
            }
            needs.push(need);
        }
        if needs.contains(&0) {
            return None;
        }
        // Built as the shared automaton's DFA is; the gate has no use for an NFA of its own.
        let dfa = Nfa::new(&literals).ok()?.dfa(&literals)?;
        Some(Gate {
            dfa,
            factors_of,
            needs,
            #[cfg(test)]
            literals,
        })
    }

    /// Whether `text` holds every factor of some branch, each at a place its edges allow.
    pub fn open(&self, text: &str) -> bool {
        let (bytes, dfa) = (text.as_bytes(), &self.dfa);
        let mut seen = 0u64;
        let (mut s, mut end) = (Walk::start(dfa), 0);
        while end < bytes.len() {
            // The scan's own walk, stopping at each match state.
            (s, end) = walk_to_match(dfa, s, bytes, end);
            if !Walk::is_match(dfa, s) {
                continue;
            }
            for &(p, len) in dfa.matches(s) {
                let start = end - len as usize;
                for &(f, edges) in &self.factors_of[p as usize] {
                    let bit = 1u64 << f;
                    if seen & bit == 0 && regex_edges_ok(text, start, end, edges) {
                        seen |= bit;
                        if self.needs.iter().any(|&need| need & !seen == 0) {
                            return true;
                        }
                    }
                }
            }
        }
        false
    }

    /// Each branch's factors, sorted, each a sorted list of its literals with `|` at an end
    /// that is an edge.
    #[cfg(test)]
    pub fn describe(&self) -> Vec<Vec<Vec<String>>> {
        let mut by_factor: Vec<Vec<String>> = vec![Vec::new(); MAX_FACTORS];
        for (lit, factors) in self.literals.iter().zip(&self.factors_of) {
            for &(f, edges) in factors {
                let left = if edges.left { "|" } else { "" };
                let right = if edges.right { "|" } else { "" };
                by_factor[usize::from(f)].push(format!("{left}{lit}{right}"));
            }
        }
        self.needs
            .iter()
            .map(|need| {
                let mut factors: Vec<Vec<String>> = (0..MAX_FACTORS)
                    .filter(|f| need & (1 << f) != 0)
                    .map(|f| {
                        let mut lits = by_factor[f].clone();
                        lits.sort();
                        lits
                    })
                    .collect();
                factors.sort();
                factors
            })
            .collect()
    }
}

/// Most branches one regex is taken apart into: an alternation that would make more (in
/// product with the ones around it) gives one factor, its required set, instead.
const MAX_BRANCHES: usize = 32;

/// The branches of `hir`, each as the factors every match of it contains, leaving out
/// factors with a literal that is short and has no letter or digit ([`MIN_FACTOR_LITERAL`]).
fn branches(hir: &Hir) -> Vec<Vec<Factor>> {
    let mut out = alternatives(hir, Edges::default());
    for factors in &mut out {
        factors.retain(|factor| {
            factor.iter().all(|(lit, _)| {
                lit.len() >= MIN_FACTOR_LITERAL
                    || lit
                        .chars()
                        .any(|c| !c.is_ascii() || c.is_ascii_alphanumeric())
            })
        });
    }
    out
}

/// `hir` as alternatives, each the factors its matches contain (an alternation's branches,
/// concatenations multiplied out), with edges as for triggers: `outer` says which ends of
/// `hir` are edges. One alternative with no factor says nothing is known.
fn alternatives(hir: &Hir, outer: Edges) -> Vec<Vec<Factor>> {
    match hir.kind() {
        HirKind::Literal(lit) => match String::from_utf8(lit.0.to_vec()) {
            Ok(text) if !text.is_empty() => vec![vec![factor(vec![(text, outer)])]],
            _ => vec![Vec::new()],
        },
        HirKind::Capture(c) => alternatives(&c.sub, outer),
        HirKind::Repetition(r) if r.min >= 1 => alternatives(&r.sub, repeat_edges(r, outer)),
        HirKind::Alternation(alts) => {
            let parts: Vec<Vec<Vec<Factor>>> =
                alts.iter().map(|a| alternatives(a, outer)).collect();
            // Alternatives of one factor each (`(?:jews|jewish)`) are one factor, their
            // union: multiplied out, they would only repeat the factors around them.
            if parts.iter().all(|p| p.len() == 1 && p[0].len() <= 1) {
                let mut union = Vec::new();
                for mut p in parts {
                    match p.pop().and_then(|mut f| f.pop()) {
                        Some(one) => union.extend(one.iter().cloned()),
                        None => return vec![Vec::new()],
                    }
                }
                return vec![vec![factor(union)]];
            }
            let mut out: Vec<Vec<Factor>> = parts.iter().flatten().cloned().collect();
            if out.len() > MAX_BRANCHES {
                // Too many: each alternative of this alternation becomes one, with what all
                // of its own have in common.
                out = parts
                    .iter()
                    .zip(alts)
                    .flat_map(|(p, alt)| common(p, alt, outer))
                    .collect();
                if out.len() > MAX_BRANCHES {
                    return one_factor(hir, outer);
                }
            }
            out.dedup();
            out
        }
        HirKind::Concat(subs) => {
            let at = concat_edges(subs, outer);
            let mut out: Vec<Vec<Factor>> = vec![Vec::new()];
            // A run of adjacent literals and small classes is one factor, its spellings
            // (`[,;:] ` -> `, `, `; `, `: `), in every alternative.
            let mut run: Vec<Vec<u8>> = Vec::new();
            let mut run_start = 0;
            let flush =
                |run: &mut Vec<Vec<u8>>, start: usize, end: usize, out: &mut Vec<Vec<Factor>>| {
                    let edges = Edges {
                        left: at[start],
                        right: at[end],
                    };
                    let lits: Option<Vec<(String, Edges)>> = std::mem::take(run)
                        .into_iter()
                        .map(|s| String::from_utf8(s).ok().map(|s| (s, edges)))
                        .collect();
                    if let Some(lits) = lits.filter(|l| !l.is_empty()) {
                        let one = factor(lits);
                        for factors in out.iter_mut() {
                            factors.push(one.clone());
                        }
                    }
                };
            for (k, sub) in subs.iter().enumerate() {
                if let Some(more) = spellings(sub) {
                    if run.is_empty() {
                        run_start = k;
                        run = more;
                        continue;
                    }
                    if run.len() * more.len() <= MAX_SPELLINGS {
                        run = run
                            .iter()
                            .flat_map(|s| {
                                more.iter().map(move |m| {
                                    let mut s = s.clone();
                                    s.extend_from_slice(m);
                                    s
                                })
                            })
                            .collect();
                        continue;
                    }
                    flush(&mut run, run_start, k, &mut out);
                    run_start = k;
                    run = more;
                    continue;
                }
                flush(&mut run, run_start, k, &mut out);
                let here = Edges {
                    left: at[k],
                    right: at[k + 1],
                };
                let mut part = alternatives(sub, here);
                if out.len() * part.len() > MAX_BRANCHES {
                    part = common(&part, sub, here);
                }
                out = out
                    .iter()
                    .flat_map(|factors| {
                        part.iter().map(move |more| {
                            let mut all = factors.clone();
                            all.extend(more.iter().cloned());
                            all
                        })
                    })
                    .collect();
            }
            flush(&mut run, run_start, subs.len(), &mut out);
            out
        }
        _ => vec![Vec::new()],
    }
}

/// Most spellings of one run of literals and classes.
const MAX_SPELLINGS: usize = 64;

/// Most characters of a class spelled out in a run.
const MAX_CLASS: usize = 8;

/// The strings `hir` matches when it is a literal or a class of a few characters.
fn spellings(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::Class;
    match hir.kind() {
        HirKind::Literal(lit) => Some(vec![lit.0.to_vec()]),
        HirKind::Class(class) => {
            // One past the limit is enough to tell a class too large.
            let spelled: Vec<Vec<u8>> = match class {
                Class::Unicode(c) => c
                    .iter()
                    .flat_map(|r| r.start()..=r.end())
                    .take(MAX_CLASS + 1)
                    .map(|c| c.to_string().into_bytes())
                    .collect(),
                Class::Bytes(c) => c
                    .iter()
                    .flat_map(|r| r.start()..=r.end())
                    .take(MAX_CLASS + 1)
                    .map(|b| vec![b])
                    .collect(),
            };
            (spelled.len() <= MAX_CLASS).then_some(spelled)
        }
        _ => None,
    }
}

/// `alts`, the alternatives of `hir`, as one: the factors every one of them has, or else
/// `hir`'s required set as its one factor.
fn common(alts: &[Vec<Factor>], hir: &Hir, outer: Edges) -> Vec<Vec<Factor>> {
    let Some((first, rest)) = alts.split_first() else {
        return one_factor(hir, outer);
    };
    let shared: Vec<Factor> = first
        .iter()
        .filter(|f| rest.iter().all(|other| other.contains(f)))
        .cloned()
        .collect();
    if shared.is_empty() {
        one_factor(hir, outer)
    } else {
        vec![shared]
    }
}

/// `hir` as one alternative: its required set as its one factor, if it has one.
fn one_factor(hir: &Hir, outer: Edges) -> Vec<Vec<Factor>> {
    vec![required_set(hir, outer).map(factor).into_iter().collect()]
}

#[cfg(test)]
mod tests {
    use super::Gate;

    /// Each branch's factors, each literal with `|` at an end the regex puts at an edge.
    #[test]
    fn each_branch_needs_every_part_it_cannot_match_without() {
        type Want = Option<&'static [&'static [&'static [&'static str]]]>;
        let table: &[(&str, Want)] = &[
            // A verb after the noun: two factors; the determiners are short words, kept.
            (
                r"\b(?:a|one) (?:\w+ ){0,3}(?:officials?|sources?) (?:said|told)\b",
                Some(&[&[
                    &["|a|", "|one|"],
                    &["|official", "|source"],
                    &["|said|", "|told|"],
                ]]),
            ),
            // Branches each need their own parts; a class of a few characters is spelled
            // out beside the literal that follows it.
            (
                r"\byou (?:idiot|moron)\b|[,;:] (?:idiot|moron)\b",
                Some(&[
                    &[&["|you |"], &["|idiot|", "|moron|"]],
                    &[&["|, |", "|: |", "|; |"], &["|idiot|", "|moron|"]],
                ]),
            ),
            // An optional part gives no factor, and a space alone is none.
            (
                r"\b(?:jews|zionists) (?:really )?(?:control|own)(?: \w+)+\b",
                Some(&[&[&["|jews|", "|zionists|"], &["|control|", "|own|"]]]),
            ),
            // A branch with a single factor asks nothing the trigger does not: no gate.
            (r"\bwake up\b|\bsheeple\b (?:wake|rise)", None),
            // A lone space or punctuation mark is no factor.
            (r"\bidiot[.!?]", None),
        ];
        // Branches beyond 32, multiplied out: each top-level alternative keeps what all of
        // its own have in common (here 32 each, sharing the noun and the verb).
        let groups: String = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|g| format!("(?:{g}a \\w+ {g}b|{g}c \\w+ {g}d) "))
            .collect();
        let wide = format!(r"\bjews {groups}said\b|\bzionists {groups}said\b");
        const WIDE: &[&[&[&str]]] = &[
            &[&["|jews |"], &["| said|"]],
            &[&["| said|"], &["|zionists |"]],
        ];
        let table: Vec<(&str, Want)> = table
            .iter()
            .copied()
            .chain([(wide.as_str(), Some(WIDE))])
            .collect();
        let mut wrong = Vec::new();
        for (pattern, want) in &table {
            let got = Gate::new(pattern).map(|g| g.describe());
            let want: Option<Vec<Vec<Vec<String>>>> = want.map(|branches| {
                branches
                    .iter()
                    .map(|b| {
                        let mut b: Vec<Vec<String>> = b
                            .iter()
                            .map(|f| {
                                let mut f: Vec<String> = f.iter().map(|s| s.to_string()).collect();
                                f.sort();
                                f
                            })
                            .collect();
                        b.sort();
                        b
                    })
                    .collect()
            });
            if got != want {
                wrong.push(format!("{pattern}:\n  got  {got:?}\n  want {want:?}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn a_gate_opens_only_where_some_branch_has_all_it_needs() {
        let gate = Gate::new(
            r"\b(?:a|one) (?:\w+ ){0,3}(?:officials?|sources?) (?:said|told)\b|\baccording to (?:officials|sources)\b",
        )
        .expect("a gate");
        for text in [
            "one source said",
            "a senior official told reporters",
            "according to sources",
            "ένας, one source of news said so",
        ] {
            assert!(gate.open(text), "closed on {text:?}");
        }
        for text in [
            "the source of the river",
            "ένας source of news said so",
            "one source, no verb",
            "a source sаid", // Cyrillic а: not the verb
            "a sources aid", // "said" inside another word: not at its edge
            "according to officialdom",
        ] {
            assert!(!gate.open(text), "open on {text:?}");
        }
    }

    /// `pattern` without what a generator of matching strings cannot take: word boundaries
    /// and anchors. A string it generates, set between spaces, mostly matches the pattern.
    fn generator_form(pattern: &str) -> String {
        pattern
            .replace(r"(?-u:\b)", "")
            .replace(r"\b", "")
            .replace(r"\B", "")
            .replace(['^', '$'], "")
    }

    fn bundled_patterns() -> Vec<String> {
        let (sets, _) = crate::rules::load_bundled();
        sets.iter()
            .flat_map(|s| &s.rules)
            .filter_map(|r| r.regex.as_ref().map(|spec| spec.pattern.clone()))
            .collect()
    }

    /// Wherever a bundled regex as written matches one of its rule's examples (as written,
    /// lower-cased, or with letters of other scripts around it), its gate is open.
    #[test]
    fn every_bundled_example_a_regex_matches_opens_its_gate() {
        let (sets, _) = crate::rules::load_bundled();
        let mut checked = 0;
        for rule in sets.iter().flat_map(|s| &s.rules) {
            let Some(spec) = &rule.regex else { continue };
            let Some(gate) = Gate::new(&spec.pattern) else {
                continue;
            };
            let re = regex::Regex::new(&spec.pattern).expect("bundled regexes compile");
            for ex in rule.examples_match.iter().chain(&rule.examples_no_match) {
                let lower = ex.text.to_lowercase();
                for text in [ex.text.clone(), lower.clone(), format!("жё {lower} ßé")] {
                    if re.is_match(&text) {
                        checked += 1;
                        assert!(gate.open(&text), "{}: {text:?}", rule.full_id);
                    }
                }
            }
        }
        assert!(
            checked > 100,
            "only {checked} examples matched a gated regex"
        );
    }

    /// Strings drawn from each bundled regex (without its word boundaries, with any
    /// character its classes allow, so letters of other scripts too), between neighbours of
    /// several kinds: wherever the regex as written matches, its gate is open.
    #[test]
    fn a_gate_never_hides_a_match() {
        use proptest::strategy::{Strategy, ValueTree};
        use proptest::test_runner::TestRunner;
        const BEFORE: &[&str] = &["", " ", "x", "é", "жж ", "\u{a0}", "’", ", "];
        const AFTER: &[&str] = &["", " ", "s", "é", " жж", "\u{a0}", ".", "’s"];
        let mut runner = TestRunner::deterministic();
        let (mut gated, mut matched) = (0, 0);
        for pattern in bundled_patterns() {
            let Some(gate) = Gate::new(&pattern) else {
                continue;
            };
            let re = regex::Regex::new(&pattern).expect("bundled regexes compile");
            let strategy = proptest::string::string_regex(&generator_form(&pattern))
                .unwrap_or_else(|e| panic!("{pattern}: {e}"));
            gated += 1;
            for k in 0..400 {
                let drawn = strategy.new_tree(&mut runner).expect("a string").current();
                let text = format!(
                    "{}{drawn}{}",
                    BEFORE[k % BEFORE.len()],
                    AFTER[(k / BEFORE.len()) % AFTER.len()]
                );
                if re.is_match(&text) {
                    matched += 1;
                    assert!(
                        gate.open(&text),
                        "{pattern}\n matches {text:?}; gate closed"
                    );
                }
            }
        }
        assert!(
            gated >= 5 && matched > 1000,
            "{gated} gated regexes, {matched} matches"
        );
    }
}
