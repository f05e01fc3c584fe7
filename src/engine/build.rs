//! Compiling rule sets: one Aho-Corasick automaton per normalisation profile in use, holding
//! every literal of every rule with that profile, plus compiled regexes.
//!
//! Owns the compiled form; must not look at texts (that is `matcher`).

use super::BuildError;
use crate::finding::Target;
use crate::normalize::{self, Normalized, Normalizer, Profile, SharedForm};
use crate::rules::{QuotedPolicy, RuleSet, TermMode};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use rayon::prelude::*;
use regex_automata::meta::Regex;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use super::dfa::Dfa;
use super::gate::Gate;
use crate::FastHash;

/// Largest compiled regex (bytes), so one rule cannot make every check slow.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Bit for a target in a scope mask.
pub fn target_bit(t: Target) -> u8 {
    match t {
        Target::Body => 1,
        Target::Name => 2,
        Target::Article => 4,
    }
}

/// What one occurrence of a pattern means to one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UseKind {
    /// A term of the rule: a candidate finding.
    Term,
    /// A term of `near` group N.
    Near(u16),
    /// `unless` phrase N.
    Unless(u16),
    /// The regex's required literal: the regex must run on this text.
    RegexLiteral,
}

/// Where a regex puts an occurrence of its trigger literal: `left` (`right`) means no match
/// can contain it with an ASCII word character on both sides of its start (end), as when the
/// regex has `\b` there. A hit of "man" in "many" or "government", where `(?:man|boy)\b`
/// cannot match, then does not make the regex run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Edges {
    pub left: bool,
    pub right: bool,
}

#[derive(Debug, Clone)]
pub struct Use {
    pub rule: u32,
    pub kind: UseKind,
    pub mode: TermMode,
    /// For a regex literal: which of its ends the regex puts at a word edge.
    pub edges: Edges,
    /// The term as the rule file writes it ("parasit*"), for findings and explain.
    pub display: Box<str>,
}

#[derive(Debug, Clone)]
pub struct Pattern {
    /// The normalised term.
    pub text: String,
    /// Repeat count of each byte's letter in the normalised term (see `Normalized::runs`).
    pub runs: Vec<u32>,
    pub uses: Vec<Use>,
}

/// Everything matched under one normalisation profile.
pub struct ProfileMatcher {
    pub profile: Profile,
    /// Built on first use when there is a fast path (most texts never need it), else at
    /// compile time; see [`ProfileMatcher::automaton`].
    ac: OnceLock<Option<AhoCorasick>>,
    pub patterns: Vec<Pattern>,
    /// With `censor`: words of patterns by their length in letters (repeats expanded), as
    /// `(pattern, byte offset of the word in the pattern, byte length of the word)`.
    pub censor_words: HashMap<usize, Vec<(u32, u32, u32)>>,
    /// Rules whose regex has no required literal: run on every text in their scope.
    pub always_regex: Vec<u32>,
    /// Union of the scopes of this profile's rules.
    pub scope: u8,
}

impl ProfileMatcher {
    /// The automaton of this profile's patterns (`None` when it has none).
    pub fn automaton(&self) -> Option<&AhoCorasick> {
        self.ac
            .get_or_init(|| {
                let texts: Vec<&str> = self.patterns.iter().map(|p| p.text.as_str()).collect();
                // Built here only when the shared automaton serves most texts: this one scans
                // the few texts without a shared form, so a contiguous NFA, which builds in a
                // fraction of a DFA's time and scans a little slower, is the better trade.
                // Cannot fail: `compile` built an automaton of at least these patterns (the
                // shared one) with the same builder.
                (!texts.is_empty())
                    .then(|| build_automaton_as(&texts, AhoCorasickKind::ContiguousNFA).ok())
                    .flatten()
            })
            .as_ref()
    }
}

/// A rule's regex as the `regex` crate would build it with these limits, but without a
/// prefilter of its own. A regex runs only on texts where the automaton found one of its
/// trigger literals, so a prefilter would look for literals that are known to be there (and
/// for those like `u` of `\b(?:you|u) ...`, stop at every letter u); a lazy DFA pass over the
/// text is cheaper.
///
/// `lazy_dfa: false` leaves the lazy DFA out, for the regex as written of a rule that has an
/// ASCII form: it runs only on text with letters of another script, where a Unicode `\b`
/// stops the lazy DFA at the first non-ASCII byte and its work so far is thrown away. On
/// 5 MB of English comments, a tenth with a phrase in another script, that was 922.7 M ->
/// 791.5 M instructions for one job (`gen_corpus --foreign 0.1`).
fn build_regex(pattern: &str, lazy_dfa: bool) -> Result<Regex, regex::Error> {
    let mut config = regex_automata::meta::Config::new()
        .match_kind(regex_automata::MatchKind::LeftmostFirst)
        .utf8_empty(true)
        .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
        .hybrid_cache_capacity(REGEX_SIZE_LIMIT)
        .auto_prefilter(false);
    // Only ever turned off: the same setting turned on explicitly built the bundled regexes
    // with 1.4 M instructions more (callgrind), as if it were not the default.
    if !lazy_dfa {
        config = config.hybrid(false);
    }
    let syntax = regex_automata::util::syntax::Config::new().utf8(true);
    Regex::builder()
        .configure(config)
        .syntax(syntax)
        .build(pattern)
        .map_err(|_| {
            // The `regex` crate's error says what is wrong and where; build it for the message.
            match regex::RegexBuilder::new(pattern)
                .size_limit(REGEX_SIZE_LIMIT)
                .dfa_size_limit(REGEX_SIZE_LIMIT)
                .build()
            {
                Err(e) => e,
                Ok(_) => regex::Error::CompiledTooBig(REGEX_SIZE_LIMIT),
            }
        })
}

/// A rule's regex: as the rule file writes it, compiled, and in its ASCII form.
///
/// A pattern of several top-level alternatives is compiled with each wrapped in a capture
/// group (`(a)|(b)`, see [`Branches`]), which matches exactly what the pattern does, so a
/// finding can name the alternative that matched at the cost of one capture search on the
/// matched spot.
pub struct RuleRegex {
    /// As the rule file writes it; a finding of a pattern of one branch names it so.
    pub pattern: Box<str>,
    /// Set by `compile` when the pattern has two or more top-level alternatives.
    branches: Option<Branches>,
    /// Compiled from the branches' `source`, or the pattern. For bundled sets that have an
    /// ASCII form it is compiled on first use: only texts with non-ASCII letters, digits or
    /// spaces need it, and the bundled regexes are known to compile (tested); other sets
    /// compile it up front so an error is reported before any checking.
    full: OnceLock<Option<Regex>>,
    /// With ASCII `\w`, `\d`, `\s` and `\b` (see [`ascii_classes`]), for texts where that
    /// matches alike ([`ascii_classes_apply`]); `None`: the regex as written runs there too.
    ascii: Option<Regex>,
    /// What each branch needs besides the trigger ([`Gate`]), built on first use: only
    /// text with letters of another script asks for it.
    gate: OnceLock<Option<Gate>>,
}

/// The top-level alternatives of a rule's regex and the capture group that wraps each.
struct Branches {
    /// The pattern with each alternative wrapped in a group: what is compiled.
    source: Box<str>,
    /// Each alternative as written (trimmed), with its group's index.
    list: Vec<(Box<str>, usize)>,
    /// Groups of the wrapped regex, the whole match included: a compiled regex with another
    /// count was built from the pattern as written (see [`build_rule_regex`]).
    groups: usize,
}

impl RuleRegex {
    /// The pattern as written, not yet split nor compiled: `compile` does both, on every
    /// core, beside building the automata.
    fn new(pattern: &str) -> RuleRegex {
        RuleRegex {
            pattern: pattern.into(),
            branches: None,
            full: OnceLock::new(),
            ascii: None,
            gate: OnceLock::new(),
        }
    }

    /// The regex's gate, asked before the regex as written runs ([`Gate`]); `None` when it
    /// has none worth asking ([`Gate::new`]). Built from the pattern as written: the ASCII
    /// form's `\s` is a class of six characters, whose spellings a no-break space would miss.
    pub fn gate(&self) -> Option<&Gate> {
        self.gate.get_or_init(|| Gate::new(&self.pattern)).as_ref()
    }

    /// The regex to run: its ASCII form when the text allows it (`ascii_ok`, see
    /// [`ascii_classes_apply`]) and there is one, else the regex as written.
    pub fn for_text(&self, ascii_ok: bool) -> Option<&Regex> {
        match &self.ascii {
            Some(ascii) if ascii_ok => Some(ascii),
            _ => self.full(),
        }
    }

    /// The regex as written, compiled now if it was deferred.
    pub fn full(&self) -> Option<&Regex> {
        self.full
            .get_or_init(|| {
                build_rule_regex(self.branches.as_ref(), &self.pattern, self.ascii.is_none()).ok()
            })
            .as_ref()
    }

    /// What a finding of `re` (this rule's regex, as [`RuleRegex::for_text`] gave it) at
    /// `start..end` of `text` names as its term: the top-level alternative that matched, or
    /// the whole pattern when there is one.
    pub fn term_at(&self, re: &Regex, text: &str, start: usize, end: usize) -> &str {
        let Some(b) = &self.branches else {
            return &self.pattern;
        };
        if re.group_info().group_len(regex_automata::PatternID::ZERO) != b.groups {
            return &self.pattern;
        }
        let input = regex_automata::Input::new(text)
            .range(start..)
            .anchored(regex_automata::Anchored::Yes);
        let mut caps = re.create_captures();
        re.search_captures(&input, &mut caps);
        if caps.get_match().map(|m| m.end()) != Some(end) {
            return &self.pattern;
        }
        b.list
            .iter()
            .find(|(_, group)| caps.get_group(*group).is_some())
            .map_or(&self.pattern, |(text, _)| text)
    }
}

/// Build a rule's regex from its branches wrapped in groups, or, should that fail where the
/// pattern as written does not (a size limit), from the pattern: findings then name the whole
/// pattern. An error is the pattern's own, positions as the rule file writes them.
fn build_rule_regex(
    branches: Option<&Branches>,
    pattern: &str,
    lazy_dfa: bool,
) -> Result<Regex, regex::Error> {
    match branches.map(|b| build_regex(&b.source, lazy_dfa)) {
        Some(Ok(re)) => Ok(re),
        _ => build_regex(pattern, lazy_dfa),
    }
}

/// The ASCII form ([`ascii_classes`]) of a rule's regex, built as [`build_rule_regex`] does.
fn build_rule_regex_ascii(branches: Option<&Branches>, pattern: &str) -> Option<Regex> {
    let build = |p: &str| ascii_classes(p).and_then(|a| build_regex(&a, true).ok());
    branches
        .and_then(|b| build(&b.source))
        .or_else(|| build(pattern))
}

/// The top-level alternatives of a regex as its findings name them (`a|b` -> `a`, `b`), or
/// none when findings name the whole pattern (one alternative, or flags set at the top level).
pub fn regex_alternatives(pattern: &str) -> Vec<String> {
    split_branches(pattern).map_or_else(Vec::new, |b| {
        b.list.into_iter().map(|(text, _)| text.into()).collect()
    })
}

/// A pattern of two or more top-level alternatives with each wrapped in a capture group
/// (`a|b(c)` -> `(a)|(b(c))`), and which group wraps which; `None` for a pattern of one
/// alternative, or one that sets flags at its top level (`(?i)a|b`: the flags reach the later
/// alternatives, which a group would cut off).
fn split_branches(pattern: &str) -> Option<Branches> {
    use regex_syntax::ast::{Ast, GroupKind};
    fn captures(ast: &Ast) -> usize {
        match ast {
            Ast::Group(g) => {
                usize::from(!matches!(g.kind, GroupKind::NonCapturing(_))) + captures(&g.ast)
            }
            Ast::Repetition(r) => captures(&r.ast),
            Ast::Concat(c) => c.asts.iter().map(captures).sum(),
            Ast::Alternation(a) => a.asts.iter().map(captures).sum(),
            _ => 0,
        }
    }
    let ast = regex_syntax::ast::parse::Parser::new()
        .parse(pattern)
        .ok()?;
    let Ast::Alternation(alt) = &ast else {
        return None;
    };
    let sets_flags = |a: &Ast| match a {
        Ast::Flags(_) => true,
        Ast::Concat(c) => c.asts.iter().any(|x| matches!(x, Ast::Flags(_))),
        _ => false,
    };
    if alt.asts.iter().any(sets_flags) {
        return None;
    }
    let mut source = String::with_capacity(pattern.len() + 3 * alt.asts.len());
    let mut list = Vec::with_capacity(alt.asts.len());
    let mut group = 1;
    for (k, a) in alt.asts.iter().enumerate() {
        let text = &pattern[a.span().start.offset..a.span().end.offset];
        if k > 0 {
            source.push('|');
        }
        source.push('(');
        source.push_str(text);
        source.push(')');
        list.push((text.trim().into(), group));
        group += 1 + captures(a);
    }
    Some(Branches {
        source: source.into(),
        list,
        groups: group,
    })
}

/// A rule, flattened, with what matching needs.
pub struct CompiledRule {
    pub set: usize,
    pub index: usize,
    pub full_id: String,
    pub profile: usize,
    pub scope: u8,
    pub regex: Option<RuleRegex>,
    pub near_groups: usize,
    pub near_within: usize,
    pub unless: Vec<String>,
    pub unless_within: usize,
    pub quoted: QuotedPolicy,
}

pub struct Compiled {
    pub rules: Vec<CompiledRule>,
    pub profiles: Vec<ProfileMatcher>,
    /// One automaton for every profile at once, for texts with a shared normalised form.
    pub fast: Option<FastPath>,
}

impl Compiled {
    /// Build every part that is otherwise built on first use, on every core.
    pub fn build_deferred(&self) {
        rayon::join(
            || {
                if let Some(ac) = self.fast.as_ref().and_then(|f| f.ac.as_ref()) {
                    ac.build_dfa_now();
                }
                self.profiles.par_iter().for_each(|p| {
                    p.automaton();
                })
            },
            || {
                self.rules.par_iter().for_each(|r| {
                    if let Some(re) = &r.regex {
                        re.full();
                        re.gate();
                    }
                })
            },
        );
    }
}

/// What one pattern of the fast automaton stands for.
#[derive(Debug, Clone, Copy)]
pub struct FastTarget {
    pub profile: u32,
    /// A pattern of that profile; `None`: a spelling of a regex literal of a profile that
    /// folds repeats, which sends the profile through its full pass (its regexes run on
    /// folded text).
    pub pattern: Option<u32>,
}

/// The fast path (see `docs/engine.md`): texts whose normalised form every profile shares are
/// scanned once, by an automaton of every profile's patterns. A profile that folds repeats
/// contributes its patterns as spelled ("bollocks", not "bolocks" with a doubled "l"): the
/// shared form has no letter three times in a row, so a spelled term occurs exactly where the
/// folded one would with the same repeat counts, and the matcher checks that the letters on
/// either side do not continue a run.
pub struct FastPath {
    pub form: SharedForm,
    pub ac: Option<SharedAutomaton>,
    /// Targets of fast pattern `i`: `targets[starts[i]..starts[i + 1]]`.
    pub targets: Vec<FastTarget>,
    pub starts: Vec<u32>,
    /// Profiles that take the full pass on every text: they fold repeats and have a regex
    /// without a literal, which must run on folded text.
    pub always_full: Vec<bool>,
}

impl FastPath {
    pub fn targets_of(&self, pattern: usize) -> &[FastTarget] {
        &self.targets[self.starts[pattern] as usize..self.starts[pattern + 1] as usize]
    }
}

/// The shared automaton. A DFA searches fastest, but building one for the bundled rules is
/// some 13 M instructions (`super::dfa`), a tenth of start-up; a contiguous NFA is built
/// anyway, as the DFA is built from it, and searches about a third slower. So the NFA serves
/// the first texts; once it has scanned [`DFA_AFTER_BYTES`], the DFA is built on a thread of
/// its own and takes over when ready. A pre-publish check of one comment never waits for a
/// DFA; a run over an archive searches with it after a few milliseconds. The DFA reports the
/// NFA's matches in the NFA's order (tested), so findings do not depend on which one served.
pub struct SharedAutomaton {
    /// Shared with the thread that builds the DFA from it.
    nfa: Arc<Nfa>,
    /// `None` inside: the DFA could not be built (too big), and the NFA serves throughout.
    dfa: Arc<OnceLock<Option<Dfa>>>,
    patterns: Arc<Vec<String>>,
    /// The longest pattern's length less one, for [`super::scan::overlapping`].
    overlap: usize,
    /// Bytes the NFA has scanned, until the DFA is asked for.
    scanned: AtomicUsize,
}

/// The shared patterns' NFA, of whichever kind (a gate's too, [`super::gate`]). It is held as
/// itself, not behind `AhoCorasick`, because the scan steps it itself ([`super::scan`]).
pub(super) enum Nfa {
    Contiguous(aho_corasick::nfa::contiguous::NFA),
    /// When a contiguous NFA cannot hold the patterns.
    Noncontiguous(aho_corasick::nfa::noncontiguous::NFA),
}

impl Nfa {
    /// No prefilter: the scan steps the automaton byte by byte and would not use one.
    pub(super) fn new(patterns: &[String]) -> Result<Nfa, aho_corasick::BuildError> {
        aho_corasick::nfa::contiguous::Builder::new()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(patterns)
            .map(Nfa::Contiguous)
            .or_else(|_| {
                aho_corasick::nfa::noncontiguous::Builder::new()
                    .match_kind(MatchKind::Standard)
                    .prefilter(false)
                    .build(patterns)
                    .map(Nfa::Noncontiguous)
            })
    }

    /// Its DFA (it was built from `patterns`); `None`: too big for a DFA, and the NFA serves.
    pub(super) fn dfa(&self, patterns: &[String]) -> Option<Dfa> {
        match self {
            Nfa::Contiguous(a) => Dfa::new(a, patterns),
            Nfa::Noncontiguous(a) => Dfa::new(a, patterns),
        }
    }

    fn kind(&self) -> AhoCorasickKind {
        match self {
            Nfa::Contiguous(_) => AhoCorasickKind::ContiguousNFA,
            Nfa::Noncontiguous(_) => AhoCorasickKind::NoncontiguousNFA,
        }
    }
}

/// Text the NFA scans before the DFA is built. A check of a comment or a few pages never pays
/// for the DFA; a longer run starts building it within a few milliseconds, on a core of its
/// own, while the NFA goes on searching.
pub const DFA_AFTER_BYTES: usize = 256 << 10;

impl SharedAutomaton {
    fn new(patterns: Vec<String>) -> Result<SharedAutomaton, aho_corasick::BuildError> {
        let nfa = Nfa::new(&patterns)?;
        let overlap = patterns
            .iter()
            .map(String::len)
            .max()
            .unwrap_or(0)
            .saturating_sub(1);
        // Beyond the DFA's pattern limit (see `build_automaton`) there is only the NFA.
        let dfa = if patterns.len() <= DFA_MAX_PATTERNS {
            OnceLock::new()
        } else {
            OnceLock::from(None)
        };
        Ok(SharedAutomaton {
            nfa: Arc::new(nfa),
            dfa: Arc::new(dfa),
            patterns: Arc::new(patterns),
            overlap,
            scanned: AtomicUsize::new(0),
        })
    }

    /// Every match in `text`, overlapping ones included, as `(pattern, start, end)`, in the
    /// order of `AhoCorasick::find_overlapping_iter`. `late` is scratch space.
    pub fn overlapping(
        &self,
        text: &str,
        late: &mut Vec<(u32, usize, usize)>,
        f: impl FnMut(usize, usize, usize),
    ) {
        let (hay, overlap) = (text.as_bytes(), self.overlap);
        match (self.dfa_for(text.len()), &*self.nfa) {
            (Some(a), _) => super::scan::overlapping(a, hay, overlap, late, f),
            (None, Nfa::Contiguous(a)) => super::scan::overlapping(a, hay, overlap, late, f),
            (None, Nfa::Noncontiguous(a)) => super::scan::overlapping(a, hay, overlap, late, f),
        }
    }

    /// The DFA to search `len` bytes with, if it is built; else the NFA searches (and the
    /// DFA's build is started once enough text has come).
    fn dfa_for(&self, len: usize) -> Option<&Dfa> {
        if let Some(dfa) = self.dfa.get() {
            return dfa.as_ref();
        }
        let before = self.scanned.fetch_add(len, Ordering::Relaxed);
        if before < DFA_AFTER_BYTES && before + len >= DFA_AFTER_BYTES {
            let (slot, nfa, patterns) = (self.dfa.clone(), self.nfa.clone(), self.patterns.clone());
            // Without a thread the NFA serves on: slower, never wrong.
            let _ = std::thread::Builder::new()
                .name("threadlint-dfa".into())
                .spawn(move || {
                    slot.get_or_init(|| nfa.dfa(&patterns));
                });
        }
        None
    }

    /// Build the DFA now (or wait for the build under way): for a long-running service,
    /// which should not search its first requests with the NFA.
    pub fn build_dfa_now(&self) {
        self.dfa.get_or_init(|| self.nfa.dfa(&self.patterns));
    }

    /// Search with the DFA from now on (`true`), or with the NFA throughout.
    pub fn settle(&mut self, dfa: bool) {
        if dfa {
            self.build_dfa_now();
        } else {
            self.dfa = Arc::new(OnceLock::from(None));
        }
    }

    /// The kind of automaton that searches now.
    pub fn kind(&self) -> AhoCorasickKind {
        match self.dfa.get() {
            Some(Some(_)) => AhoCorasickKind::DFA,
            _ => self.nfa.kind(),
        }
    }
}

/// A pattern as spelled: each letter written as many times as its run says.
fn spelled(text: &str, runs: &[u32]) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        for _ in 0..runs.get(i).copied().unwrap_or(1).max(1) {
            out.push(c);
        }
    }
    out
}

/// Letters of a regex literal that [`literal_spellings`] varies; the rest of a longer literal
/// is dropped (its start is still a necessary condition) to bound the count at 2^8.
const SPELLING_LETTERS: usize = 8;

/// Every way the literal (in folded text) can be spelled in text without a letter three times
/// in a row: each letter once or twice.
fn literal_spellings(lit: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut letters = 0;
    for c in lit.chars() {
        if c.is_alphabetic() {
            if letters == SPELLING_LETTERS {
                break;
            }
            letters += 1;
            out = out
                .into_iter()
                .flat_map(|s| {
                    let mut once = s.clone();
                    once.push(c);
                    let mut twice = s;
                    twice.push(c);
                    twice.push(c);
                    [once, twice]
                })
                .collect();
        } else {
            for s in &mut out {
                s.push(c);
            }
        }
    }
    out
}

/// Most patterns an automaton is built as a DFA for.
const DFA_MAX_PATTERNS: usize = 5_000;

fn build_automaton(patterns: &[&str]) -> Result<AhoCorasick, aho_corasick::BuildError> {
    // A DFA is fastest to search but slow to build and large for big lists; the contiguous
    // NFA builds 100,000 terms in well under a second and searches nearly as fast.
    let kind = if patterns.len() <= DFA_MAX_PATTERNS {
        AhoCorasickKind::DFA
    } else {
        AhoCorasickKind::ContiguousNFA
    };
    build_automaton_as(patterns, kind)
}

/// Every automaton reports all matches, overlapping ones included; `None` lets the builder
/// choose the kind.
fn automaton_builder(kind: Option<AhoCorasickKind>) -> aho_corasick::AhoCorasickBuilder {
    let mut builder = AhoCorasick::builder();
    builder.match_kind(MatchKind::Standard).kind(kind);
    builder
}

fn build_automaton_as(
    patterns: &[&str],
    kind: AhoCorasickKind,
) -> Result<AhoCorasick, aho_corasick::BuildError> {
    automaton_builder(Some(kind))
        .build(patterns)
        .or_else(|_| automaton_builder(None).build(patterns))
}

fn build_fast(
    profiles: &[ProfileMatcher],
    form: Option<SharedForm>,
) -> Result<Option<FastPath>, aho_corasick::BuildError> {
    let Some(form) = form else {
        return Ok(None);
    };
    let mut ids: HashMap<String, usize, FastHash> = HashMap::default();
    let mut lists: Vec<Vec<FastTarget>> = Vec::new();
    let mut spellings: Vec<String> = Vec::new();
    let mut add = |spelling: String, target: FastTarget| {
        let next = spellings.len();
        let id = *ids.entry(spelling.clone()).or_insert(next);
        if id == next {
            spellings.push(spelling);
            lists.push(Vec::new());
        }
        lists[id].push(target);
    };
    for (pi, pm) in profiles.iter().enumerate() {
        for (k, p) in pm.patterns.iter().enumerate() {
            let target = FastTarget {
                profile: pi as u32,
                pattern: Some(k as u32),
            };
            if !pm.profile.repeats {
                add(p.text.clone(), target);
                continue;
            }
            if p.uses.iter().any(|u| u.kind != UseKind::RegexLiteral) {
                add(spelled(&p.text, &p.runs), target);
            }
            if p.uses.iter().any(|u| u.kind == UseKind::RegexLiteral) {
                for v in literal_spellings(&p.text) {
                    add(
                        v,
                        FastTarget {
                            profile: pi as u32,
                            pattern: None,
                        },
                    );
                }
            }
        }
    }
    let ac = if spellings.is_empty() {
        None
    } else {
        Some(SharedAutomaton::new(spellings)?)
    };
    let mut starts = Vec::with_capacity(lists.len() + 1);
    let mut targets = Vec::new();
    for l in lists {
        starts.push(targets.len() as u32);
        targets.extend(l);
    }
    starts.push(targets.len() as u32);
    Ok(Some(FastPath {
        form,
        ac,
        targets,
        starts,
        always_full: profiles
            .iter()
            .map(|p| p.profile.repeats && !p.always_regex.is_empty())
            .collect(),
    }))
}

fn display_term(text: &str, mode: TermMode) -> Box<str> {
    match mode {
        TermMode::Word => text.into(),
        TermMode::Prefix => format!("{text}*").into(),
        TermMode::Suffix => format!("*{text}").into(),
    }
}

struct ProfileBuilder {
    profile: Profile,
    ids: HashMap<(String, Vec<u32>), u32, FastHash>,
    patterns: Vec<Pattern>,
    always_regex: Vec<u32>,
    scope: u8,
}

impl ProfileBuilder {
    fn add(&mut self, norm: &Normalized, use_: Use) {
        if norm.text.is_empty() {
            // Normalisation removed the whole term ("zero-width only"): it can never match.
            // The linter reports it; the engine just leaves it out.
            return;
        }
        let runs = if self.profile.repeats {
            norm.runs.clone()
        } else {
            vec![1; norm.text.len()]
        };
        // Terms are shared by their normalised text and their letter runs together: with the
        // repeats step "gyppo" and "gypo" normalise alike but demand different runs, so each
        // needs its own pattern (the overlapping search reports both).
        let next = self.patterns.len() as u32;
        let id = *self
            .ids
            .entry((norm.text.clone(), runs.clone()))
            .or_insert(next);
        if id == next {
            self.patterns.push(Pattern {
                text: norm.text.clone(),
                runs,
                uses: Vec::new(),
            });
        }
        self.patterns[id as usize].uses.push(use_);
    }
}

/// An ASCII word character: one that every form of `\b` (ASCII or Unicode) counts as a word
/// character.
pub fn ascii_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether an assertion holds only where the characters on its two sides are not both word
/// characters: every word boundary (`\b`, `\b{start}`, their halves), in ASCII or Unicode
/// form, and the anchors. Not `\B`.
fn look_is_edge(look: regex_syntax::hir::Look) -> bool {
    use regex_syntax::hir::Look;
    matches!(
        look,
        Look::Start
            | Look::End
            | Look::StartLF
            | Look::EndLF
            | Look::StartCRLF
            | Look::EndCRLF
            | Look::WordAscii
            | Look::WordUnicode
            | Look::WordStartAscii
            | Look::WordEndAscii
            | Look::WordStartUnicode
            | Look::WordEndUnicode
            | Look::WordStartHalfAscii
            | Look::WordEndHalfAscii
            | Look::WordStartHalfUnicode
            | Look::WordEndHalfUnicode
    )
}

/// Whether a class holds no ASCII word character.
fn class_is_wordless(class: &regex_syntax::hir::Class) -> bool {
    use regex_syntax::hir::Class;
    let word = [(b'0', b'9'), (b'A', b'Z'), (b'_', b'_'), (b'a', b'z')];
    let overlaps = |lo: u32, hi: u32| {
        word.iter()
            .any(|&(a, b)| lo <= u32::from(b) && u32::from(a) <= hi)
    };
    match class {
        Class::Unicode(c) => !c
            .ranges()
            .iter()
            .any(|r| overlaps(u32::from(r.start()), u32::from(r.end()))),
        Class::Bytes(c) => !c
            .ranges()
            .iter()
            .any(|r| overlaps(u32::from(r.start()), u32::from(r.end()))),
    }
}

// A position in a text is an *edge* here when the characters on its two sides are not both
// ASCII word characters. Where a regex has `\b`, every match has an edge under either form of
// `\b`, so an automaton hit with ASCII word characters on both sides of that spot cannot be
// part of a match. The analysis below is sound, not complete: `false` means "not known".

/// The start or the end of a match.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Start,
    End,
}

/// Whether the end of every match of `hir` is an edge, given whether its start is (`start`,
/// which matters only for matches that may be empty).
fn ends_at_edge(hir: &regex_syntax::hir::Hir, start: bool) -> bool {
    side_is_edge(hir, Side::End, start)
}

/// Whether the start of every match of `hir` is an edge, given whether its end is.
fn starts_at_edge(hir: &regex_syntax::hir::Hir, end: bool) -> bool {
    side_is_edge(hir, Side::Start, end)
}

/// Whether `side` of every match of `hir` is an edge, given whether the other side is.
fn side_is_edge(hir: &regex_syntax::hir::Hir, side: Side, other: bool) -> bool {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Empty => other,
        HirKind::Literal(lit) => {
            let byte = match side {
                Side::Start => lit.0.first(),
                Side::End => lit.0.last(),
            };
            byte.map_or(other, |&b| !ascii_word(b))
        }
        HirKind::Class(c) => class_is_wordless(c),
        HirKind::Look(l) => look_is_edge(*l) || other,
        HirKind::Capture(c) => side_is_edge(&c.sub, side, other),
        // Each repeat has an edge on `side` if the nearest one does (the others meet it where
        // an edge is): with no repeat at all, both sides are the same position.
        HirKind::Repetition(r) => {
            if r.max == Some(0) {
                other
            } else {
                side_is_edge(&r.sub, side, other) && (r.min >= 1 || other)
            }
        }
        // From the other side towards `side`, each part starting where the last one ended.
        HirKind::Concat(subs) => {
            let step = |at, sub| side_is_edge(sub, side, at);
            match side {
                Side::End => subs.iter().fold(other, step),
                Side::Start => subs.iter().rev().fold(other, step),
            }
        }
        HirKind::Alternation(alts) => alts.iter().all(|a| side_is_edge(a, side, other)),
    }
}

/// For a concatenation whose start and end are edges as `outer` says: whether each of the
/// `subs.len() + 1` positions between its parts (first: its start, last: its end) is an edge.
pub(super) fn concat_edges(subs: &[regex_syntax::hir::Hir], outer: Edges) -> Vec<bool> {
    let n = subs.len();
    // From the right: a part that starts at an edge (or is empty and ends at one).
    let mut from_right = vec![outer.right; n + 1];
    for k in (0..n).rev() {
        from_right[k] = starts_at_edge(&subs[k], from_right[k + 1]);
    }
    // From the left, taking what the right-hand pass found as known.
    let mut at = vec![outer.left || from_right[0]; n + 1];
    for k in 1..=n {
        at[k] = ends_at_edge(&subs[k - 1], at[k - 1]) || from_right[k];
    }
    at
}

/// What the ends of each repeat of `r` are, given what those of the whole repetition are:
/// the first repeat starts where the repetition does, a later one where the one before ended.
pub(super) fn repeat_edges(r: &regex_syntax::hir::Repetition, outer: Edges) -> Edges {
    let once = r.max == Some(1);
    Edges {
        left: starts_at_edge(&r.sub, false) || outer.left && (once || ends_at_edge(&r.sub, true)),
        right: ends_at_edge(&r.sub, false) || outer.right && (once || starts_at_edge(&r.sub, true)),
    }
}

/// The longest literal that every match of `hir` must contain, if any.
fn required_literal(hir: &regex_syntax::hir::Hir) -> Option<Vec<u8>> {
    required_literal_at(hir, Edges::default()).map(|(lit, _)| lit)
}

/// [`required_literal`] of `hir`, whose ends are edges as `outer` says, with which ends of
/// that occurrence of the literal are edges in every match.
fn required_literal_at(hir: &regex_syntax::hir::Hir, outer: Edges) -> Option<(Vec<u8>, Edges)> {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Literal(lit) => Some((lit.0.to_vec(), outer)),
        HirKind::Capture(c) => required_literal_at(&c.sub, outer),
        HirKind::Repetition(r) if r.min >= 1 => required_literal_at(&r.sub, repeat_edges(r, outer)),
        HirKind::Concat(subs) => {
            // Adjacent literals join into one longer literal; otherwise keep the longest
            // literal any part requires.
            let at = concat_edges(subs, outer);
            let mut best: Option<(Vec<u8>, Edges)> = None;
            let mut current: Vec<u8> = Vec::new();
            let mut current_start = 0;
            let consider = |lit: &[u8], edges: Edges, best: &mut Option<(Vec<u8>, Edges)>| {
                let longer = match best.as_ref() {
                    Some((b, _)) => b.len() < lit.len(),
                    None => true,
                };
                if !lit.is_empty() && longer {
                    *best = Some((lit.to_vec(), edges));
                }
            };
            for (k, sub) in subs.iter().enumerate() {
                if let HirKind::Literal(lit) = sub.kind() {
                    if current.is_empty() {
                        current_start = k;
                    }
                    current.extend_from_slice(&lit.0);
                    continue;
                }
                let run = Edges {
                    left: at[current_start],
                    right: at[k],
                };
                consider(&current, run, &mut best);
                current.clear();
                let here = Edges {
                    left: at[k],
                    right: at[k + 1],
                };
                if let Some((l, edges)) = required_literal_at(sub, here) {
                    consider(&l, edges, &mut best);
                }
            }
            let run = Edges {
                left: at[current_start],
                right: at[subs.len()],
            };
            consider(&current, run, &mut best);
            best
        }
        _ => None,
    }
}

/// Words too common to make a regex trigger worth having: a literal made only of these
/// (`"you "`, `"are you "`) occurs in most comments. Besides the function words, nouns that
/// news comments use all the time: with `man` and `media` among the triggers of
/// `insults/direct-address` and `antisemitism/generalisation`, their regexes ran on many texts
/// they could not match (on 5 MB of the benchmark's JSON Lines, regex runs took 51.4 M
/// instructions, and 49.5 M once these words were added). A single literal every match needs
/// is no trigger either when made only of these: `knows`, in one comment in twenty, was the
/// trigger of `unverified-claims/vague-authority` until it was added here.
const COMMON_WORDS: &[&str] = &[
    "a", "about", "all", "also", "always", "am", "an", "and", "any", "are", "as", "at", "be",
    "because", "been", "boy", "but", "by", "can", "did", "do", "every", "for", "from", "get",
    "girl", "had", "has", "have", "he", "her", "him", "his", "how", "i", "if", "in", "is", "it",
    "its", "just", "know", "knows", "like", "man", "me", "media", "men", "more", "my", "never",
    "no", "not", "of", "on", "one", "only", "or", "our", "out", "people", "person", "power",
    "press", "really", "said", "says", "she", "so", "some", "than", "that", "the", "their", "them",
    "then", "there", "these", "they", "this", "those", "to", "two", "u", "up", "very", "was", "we",
    "were", "what", "when", "who", "why", "will", "with", "woman", "women", "would", "ya", "you",
    "your",
];

/// How rare a trigger literal is likely to be: its longest word that is not a common word
/// (its length in bytes when it has no word at all, like `(((`).
fn literal_score(lit: &str) -> usize {
    let words: Vec<&str> = lit
        .split(|c: char| !normalize::is_word_char(c))
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return lit.len();
    }
    words
        .iter()
        .filter(|w| !COMMON_WORDS.contains(w))
        .map(|w| w.len())
        .max()
        .unwrap_or(1)
}

/// Most literals a required set may hold.
const MAX_REQUIRED_SET: usize = 500;

/// A set of literals of which every match of `hir` contains at least one, choosing in each
/// concatenation the part whose literals look rarest ([`literal_score`]), with which ends of
/// each are edges wherever the set's part occurs ([`required_literal_at`]); `outer`: whether
/// the ends of `hir` are.
pub(super) fn required_set(
    hir: &regex_syntax::hir::Hir,
    outer: Edges,
) -> Option<Vec<(String, Edges)>> {
    use regex_syntax::hir::HirKind;
    let score = |set: &[(String, Edges)]| {
        let worst = set.iter().map(|(l, _)| literal_score(l)).min().unwrap_or(0);
        (worst, std::cmp::Reverse(set.len()))
    };
    match hir.kind() {
        HirKind::Literal(lit) => {
            let text = String::from_utf8(lit.0.to_vec()).ok()?;
            (!text.is_empty()).then(|| vec![(text, outer)])
        }
        HirKind::Capture(c) => required_set(&c.sub, outer),
        HirKind::Repetition(r) if r.min >= 1 => required_set(&r.sub, repeat_edges(r, outer)),
        HirKind::Alternation(alts) => {
            let mut out = Vec::new();
            for alt in alts {
                out.extend(required_set(alt, outer)?);
                if out.len() > MAX_REQUIRED_SET {
                    return None;
                }
            }
            Some(merge_edges(out))
        }
        HirKind::Concat(subs) => {
            // Any part's set will do, and so will a run of adjacent literals joined.
            let at = concat_edges(subs, outer);
            let mut options: Vec<Vec<(String, Edges)>> = Vec::new();
            let mut run: Vec<u8> = Vec::new();
            let mut run_start = 0;
            for (k, sub) in subs.iter().enumerate() {
                if let HirKind::Literal(lit) = sub.kind() {
                    if run.is_empty() {
                        run_start = k;
                    }
                    run.extend_from_slice(&lit.0);
                    continue;
                }
                if let Ok(text) = String::from_utf8(std::mem::take(&mut run)) {
                    if !text.is_empty() {
                        let edges = Edges {
                            left: at[run_start],
                            right: at[k],
                        };
                        options.push(vec![(text, edges)]);
                    }
                }
                let here = Edges {
                    left: at[k],
                    right: at[k + 1],
                };
                if let Some(set) = required_set(sub, here) {
                    options.push(set);
                }
            }
            if let Ok(text) = String::from_utf8(run) {
                if !text.is_empty() {
                    let edges = Edges {
                        left: at[run_start],
                        right: at[subs.len()],
                    };
                    options.push(vec![(text, edges)]);
                }
            }
            options
                .into_iter()
                .filter(|set| set.iter().all(|(l, _)| l.len() >= MIN_TRIGGER_LEN))
                .max_by_key(|set| score(set))
        }
        _ => None,
    }
}

/// Literals sorted and deduplicated; one that occurs in several places is at an edge only
/// where it is in all of them.
pub(super) fn merge_edges(mut lits: Vec<(String, Edges)>) -> Vec<(String, Edges)> {
    lits.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<(String, Edges)> = Vec::with_capacity(lits.len());
    for (lit, edges) in lits {
        match out.last_mut() {
            Some((last, e)) if *last == lit => {
                e.left &= edges.left;
                e.right &= edges.right;
            }
            _ => out.push((lit, edges)),
        }
    }
    out
}

/// `pattern` with its Perl classes and word boundaries made ASCII: `\w` -> `[0-9A-Za-z_]`,
/// `\d`, `\s`, their negations, and `\b` -> `(?-u:\b)`. On the shared form, whose only
/// non-ASCII characters are punctuation that no Unicode class here counts as a word, digit
/// or space character, both forms match alike, and the ASCII one runs in the lazy DFA
/// without Unicode tables (several times faster, and smaller to build). `None` for anything
/// this rewrite does not understand (flags other than `(?:`, nested or POSIX classes,
/// Unicode properties, negated classes inside a class): the rule then uses its own regex.
pub fn ascii_classes(pattern: &str) -> Option<String> {
    let mut out = String::with_capacity(pattern.len() + 32);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let x = chars.next()?;
                let (outside, inside) = match x {
                    'w' => ("[0-9A-Za-z_]", Some("0-9A-Za-z_")),
                    'W' => ("[^0-9A-Za-z_]", None),
                    'd' => ("[0-9]", Some("0-9")),
                    'D' => ("[^0-9]", None),
                    's' => (r"[\t\n\x0B\x0C\r ]", Some(r"\t\n\x0B\x0C\r ")),
                    'S' => (r"[^\t\n\x0B\x0C\r ]", None),
                    'b' => (r"(?-u:\b)", None),
                    'B' => (r"(?-u:\B)", None),
                    'p' | 'P' => return None,
                    _ => {
                        out.push('\\');
                        out.push(x);
                        continue;
                    }
                };
                if in_class {
                    out.push_str(inside?);
                } else {
                    out.push_str(outside);
                }
            }
            '[' if in_class => return None,
            '[' => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                // A `]` first in a class is a literal.
                if chars.peek() == Some(&']') {
                    out.push(']');
                    chars.next();
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '(' if !in_class && chars.peek() == Some(&'?') => {
                chars.next();
                if chars.next() != Some(':') {
                    return None;
                }
                out.push_str("(?:");
            }
            _ => out.push(c),
        }
    }
    (!in_class).then_some(out)
}

/// Whether a rule regex's ASCII form ([`ascii_classes`]) matches `text` exactly as the regex
/// does: no character outside ASCII that Unicode counts as a word character (letters, digits,
/// marks, connector punctuation, joiners) or as white space.
pub fn ascii_classes_apply(text: &str) -> bool {
    text.is_ascii()
        || text.chars().all(|c| {
            c.is_ascii()
                || !(c.is_alphanumeric()
                    || c.is_whitespace()
                    || unicode_normalization::char::is_combining_mark(c)
                    || matches!(
                        c,
                        '\u{200C}'
                            | '\u{200D}'
                            | '\u{203F}'
                            | '\u{2040}'
                            | '\u{2054}'
                            | '\u{FE33}'
                            | '\u{FE34}'
                            | '\u{FE4D}'..='\u{FE4F}' | '\u{FF3F}'
                    ))
        })
}

/// The regex's required literal as text, when it has one that is valid UTF-8.
pub fn regex_literal(pattern: &str) -> Option<String> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let lit = required_literal(&hir)?;
    String::from_utf8(lit).ok()
}

/// Shortest trigger literal worth a place in the automaton. A literal like `" "` (the only
/// one `\b(?:you|u) (?:a|an) ...` requires) occurs in every text: it would make the regex run
/// everywhere anyway and cost an automaton match per space.
pub const MIN_TRIGGER_LEN: usize = 3;

/// Literals of which at least one occurs in every text the regex matches: its required literal
/// when that is at least [`MIN_TRIGGER_LEN`] bytes, else the set of literals every match starts
/// (or else ends) with (`\b(?:the|all) jews` -> `the jews`, `all jews`) when each is that
/// long, else a set some part of every match contains (`\b(?:a|one) (?:official|source)s?
/// said` -> `official`, `source`) when each is that long and not only common words. `None`:
/// the regex has to run on every text in its scope.
pub fn regex_triggers(pattern: &str) -> Option<Vec<String>> {
    regex_trigger_edges(pattern).map(|lits| lits.into_iter().map(|(l, _)| l).collect())
}

/// [`regex_triggers`], each with which of its ends the regex puts at an edge ([`Edges`]): a
/// prefix's start where every match starts at one, a suffix's end where every match ends at
/// one, a required literal's ends where what surrounds it in the regex makes them edges.
pub fn regex_trigger_edges(pattern: &str) -> Option<Vec<(String, Edges)>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    if let Some((lit, edges)) = required_literal_at(&hir, Edges::default())
        .and_then(|(l, edges)| Some((String::from_utf8(l).ok()?, edges)))
        .filter(|(l, _)| l.len() >= MIN_TRIGGER_LEN && literal_score(l) >= MIN_TRIGGER_LEN)
    {
        return Some(vec![(lit, edges)]);
    }
    // The literals every match starts with, else those every match ends with
    // (`\b(?:you|u) (?:idiot|moron)s?\b` ends in "idiot", "idiots", ...).
    let affixes = [ExtractKind::Prefix, ExtractKind::Suffix]
        .into_iter()
        .find_map(|kind| {
            let mut ex = Extractor::new();
            ex.kind(kind.clone()).limit_total(250);
            // Not `optimize_for_*`: it gives up on sets it would not use as a regex
            // prefilter, while any finite set of long enough literals serves here.
            let seq = ex.extract(&hir);
            let lits = seq.literals()?;
            if lits.is_empty() || lits.iter().any(|l| l.as_bytes().len() < MIN_TRIGGER_LEN) {
                return None;
            }
            // A literal cut at the extractor's limits may end (prefix) or start (suffix)
            // inside a character: keep its whole characters, still a prefix or suffix.
            let edges = match kind {
                ExtractKind::Prefix => Edges {
                    left: starts_at_edge(&hir, false),
                    right: false,
                },
                _ => Edges {
                    left: false,
                    right: ends_at_edge(&hir, false),
                },
            };
            let mut out = Vec::with_capacity(lits.len());
            for l in lits {
                let b = l.as_bytes();
                let text = match kind {
                    ExtractKind::Prefix => match std::str::from_utf8(b) {
                        Ok(t) => t,
                        Err(e) => std::str::from_utf8(&b[..e.valid_up_to()]).ok()?,
                    },
                    _ => {
                        let skip = b.iter().take_while(|&&x| x & 0xC0 == 0x80).count();
                        std::str::from_utf8(&b[skip..]).ok()?
                    }
                };
                if text.len() < MIN_TRIGGER_LEN || literal_score(text) < MIN_TRIGGER_LEN {
                    return None;
                }
                out.push((text.to_string(), edges));
            }
            Some(merge_edges(out))
        });
    affixes.or_else(|| {
        required_set(&hir, Edges::default())
            .filter(|set| set.iter().all(|(l, _)| literal_score(l) >= MIN_TRIGGER_LEN))
    })
}

pub fn compile(sets: &[RuleSet]) -> Result<Compiled, Vec<BuildError>> {
    // Compiling regexes and building the shared automaton are most of the cost of building
    // the bundled sets, and independent: the regexes are compiled on every core while the
    // patterns are collected and the automaton built.
    let all_rules: Vec<_> = sets
        .iter()
        .flat_map(|s| {
            let bundled = s.origin.starts_with("bundled:");
            s.rules.iter().map(move |r| (s, r, bundled))
        })
        .collect();
    let (compiled_regexes, matchers) = rayon::join(
        || {
            all_rules
                .par_iter()
                .map(|(_, rule, bundled)| {
                    rule.regex.as_ref().map(|spec| {
                        let branches = split_branches(&spec.pattern);
                        let ascii = build_rule_regex_ascii(branches.as_ref(), &spec.pattern);
                        // `None`: compiled on first use (see `CompiledRule::regex`).
                        let full = (!bundled || ascii.is_none()).then(|| {
                            build_rule_regex(branches.as_ref(), &spec.pattern, ascii.is_none())
                        });
                        (full, ascii, branches)
                    })
                })
                .collect::<Vec<_>>()
        },
        || build_matchers(sets),
    );
    let mut errors = Vec::new();
    let mut rules = match matchers {
        Ok((rules, profiles, fast)) => Some((rules, profiles, fast)),
        Err(e) => {
            errors = e;
            None
        }
    };
    let mut regex_errors = Vec::new();
    for (k, ((set, rule, _), compiled)) in all_rules.iter().zip(compiled_regexes).enumerate() {
        let (Some(spec), Some((full, ascii, branches))) = (&rule.regex, compiled) else {
            continue;
        };
        match full.transpose() {
            Ok(re) => {
                if let Some(rr) = rules.as_mut().and_then(|(r, _, _)| r[k].regex.as_mut()) {
                    rr.ascii = ascii;
                    rr.branches = branches;
                    if let Some(re) = re {
                        let _ = rr.full.set(Some(re));
                    }
                }
            }
            Err(e) => regex_errors.push(BuildError {
                origin: set.origin.clone(),
                line: spec.line,
                column: spec.column,
                message: format!(
                    "rule `{}`: invalid regex: {}",
                    rule.full_id,
                    one_line(&e.to_string())
                ),
            }),
        }
    }
    if !regex_errors.is_empty() {
        return Err(regex_errors);
    }
    match rules {
        Some((rules, profiles, fast)) if errors.is_empty() => Ok(Compiled {
            rules,
            profiles,
            fast,
        }),
        _ => Err(errors),
    }
}

/// Everything but the regexes: rules, each profile's patterns, the shared automaton. Regex
/// triggers are added for every rule with a regex (`compile` reports regexes that do not
/// compile).
#[allow(clippy::type_complexity)]
fn build_matchers(
    sets: &[RuleSet],
) -> Result<(Vec<CompiledRule>, Vec<ProfileMatcher>, Option<FastPath>), Vec<BuildError>> {
    let mut builders: Vec<ProfileBuilder> = Vec::new();
    let mut rules = Vec::new();
    let mut normalizer = Normalizer::default();
    let mut norm = Normalized::default();
    for (si, set) in sets.iter().enumerate() {
        for (ri, rule) in set.rules.iter().enumerate() {
            let rule_no = rules.len() as u32;
            let profile_idx = match builders.iter().position(|b| b.profile == rule.normalize) {
                Some(p) => p,
                None => {
                    builders.push(ProfileBuilder {
                        profile: rule.normalize,
                        ids: HashMap::default(),
                        patterns: Vec::new(),
                        always_regex: Vec::new(),
                        scope: 0,
                    });
                    builders.len() - 1
                }
            };
            let scope = rule.scope.iter().fold(0u8, |m, t| m | target_bit(*t));
            let b = &mut builders[profile_idx];
            b.scope |= scope;
            let profile = b.profile;
            for term in &rule.terms {
                normalizer.normalize_into(&term.text, profile, &mut norm);
                let display = display_term(&term.text, term.mode);
                b.add(
                    &norm,
                    Use {
                        rule: rule_no,
                        kind: UseKind::Term,
                        mode: term.mode,
                        edges: Edges::default(),
                        display,
                    },
                );
            }
            let mut near_groups = 0;
            let mut near_within = 0;
            if let Some(near) = &rule.near {
                near_groups = near.groups.len();
                near_within = near.within;
                for (g, group) in near.groups.iter().enumerate() {
                    for term in group {
                        normalizer.normalize_into(&term.text, profile, &mut norm);
                        b.add(
                            &norm,
                            Use {
                                rule: rule_no,
                                kind: UseKind::Near(g as u16),
                                mode: term.mode,
                                edges: Edges::default(),
                                display: display_term(&term.text, term.mode),
                            },
                        );
                    }
                }
            }
            for (u, phrase) in rule.unless.iter().enumerate() {
                normalizer.normalize_into(phrase, profile, &mut norm);
                b.add(
                    &norm,
                    Use {
                        rule: rule_no,
                        kind: UseKind::Unless(u as u16),
                        mode: TermMode::Word,
                        edges: Edges::default(),
                        display: phrase.as_str().into(),
                    },
                );
            }
            if let Some(spec) = &rule.regex {
                // The ASCII form has the same literals and is cheaper to parse.
                let form = ascii_classes(&spec.pattern);
                match regex_trigger_edges(form.as_deref().unwrap_or(&spec.pattern)) {
                    Some(lits) => {
                        for (lit, edges) in lits {
                            b.add(
                                &Normalized {
                                    runs: vec![1; lit.len()],
                                    text: lit,
                                    ..Normalized::default()
                                },
                                Use {
                                    rule: rule_no,
                                    kind: UseKind::RegexLiteral,
                                    mode: TermMode::Word,
                                    edges,
                                    display: spec.pattern.as_str().into(),
                                },
                            )
                        }
                    }
                    None => b.always_regex.push(rule_no),
                }
            }
            rules.push(CompiledRule {
                set: si,
                index: ri,
                full_id: rule.full_id.clone(),
                profile: profile_idx,
                scope,
                regex: rule.regex.as_ref().map(|r| RuleRegex::new(&r.pattern)),
                near_groups,
                near_within,
                unless: rule.unless.clone(),
                unless_within: rule.unless_within,
                quoted: rule.quoted,
            });
        }
    }
    // Each profile's automaton is independent and a DFA is slow to build: build them in
    // parallel (rayon keeps their order).
    // When every profile shares a case fold there is a fast path, whose one automaton holds
    // every pattern; the profiles' own automata serve only texts that need their full pass,
    // and are built on first use (most runs never need some of them).
    let form = SharedForm::new(&builders.iter().map(|b| b.profile).collect::<Vec<_>>());
    let lazy = form.is_some();
    let profiles = builders
        .into_par_iter()
        .map(|b| {
            let ac = if b.patterns.is_empty() || lazy {
                None
            } else {
                let texts: Vec<&str> = b.patterns.iter().map(|p| p.text.as_str()).collect();
                match build_automaton(&texts) {
                    Ok(ac) => Some(ac),
                    Err(e) => {
                        return Err(vec![BuildError {
                            origin: "<engine>".into(),
                            line: 0,
                            column: 0,
                            message: format!(
                                "cannot build the automaton for profile {}: {e}",
                                b.profile.describe()
                            ),
                        }])
                    }
                }
            };
            let mut censor_words: HashMap<usize, Vec<(u32, u32, u32)>> = HashMap::new();
            if b.profile.censor {
                for (pi, p) in b.patterns.iter().enumerate() {
                    for (off, len, letters) in words_of(&p.text, &p.runs) {
                        censor_words
                            .entry(letters)
                            .or_default()
                            .push((pi as u32, off as u32, len as u32));
                    }
                }
            }
            let cell = OnceLock::new();
            if !lazy {
                let _ = cell.set(ac);
            }
            Ok(ProfileMatcher {
                profile: b.profile,
                ac: cell,
                patterns: b.patterns,
                censor_words,
                always_regex: b.always_regex,
                scope: b.scope,
            })
        })
        .collect::<Result<Vec<_>, Vec<BuildError>>>()?;
    let fast = build_fast(&profiles, form).map_err(|e| {
        vec![BuildError {
            origin: "<engine>".into(),
            line: 0,
            column: 0,
            message: format!("cannot build the shared automaton: {e}"),
        }]
    })?;
    Ok((rules, profiles, fast))
}

/// Words of a normalised pattern: `(byte offset, byte length, letters with repeats expanded)`.
fn words_of(text: &str, runs: &[u32]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut letters = 0usize;
    for (i, c) in text.char_indices() {
        if normalize::is_word_char(c) {
            if start.is_none() {
                start = Some(i);
                letters = 0;
            }
            letters += runs.get(i).copied().unwrap_or(1) as usize;
        } else if let Some(s) = start.take() {
            out.push((s, i - s, letters));
        }
    }
    if let Some(s) = start {
        out.push((s, text.len() - s, letters));
    }
    out
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::{ascii_classes, regex_trigger_edges, Edges};
    use crate::engine::matcher::regex_edges_ok;
    use proptest::prelude::*;

    fn show(lits: Option<Vec<(String, Edges)>>) -> Option<Vec<String>> {
        lits.map(|lits| {
            lits.into_iter()
                .map(|(l, e)| {
                    let left = if e.left { "|" } else { "" };
                    let right = if e.right { "|" } else { "" };
                    format!("{left}{l}{right}")
                })
                .collect()
        })
    }

    /// Each trigger with the ends the regex puts at a word edge, written `|`.
    #[test]
    fn trigger_literals_carry_the_edges_of_the_regex() {
        let table: &[(&str, Option<&[&str]>)] = &[
            // Required literals: what surrounds them in the regex.
            (r"\bjigabos?\b", Some(&["|jigabo"])),
            (r"\bspaz(?:es)?\b", Some(&["|spaz"])),
            (r"\bclaims\b", Some(&["|claims|"])),
            (r"(?:\w+ ){1,3}claims\b", Some(&["|claims|"])),
            (r"(?:\w+ ){0,3}claims\b", Some(&["claims|"])),
            (r"foo\B", Some(&["foo"])),
            (r"\Bfoo\b", Some(&["foo|"])),
            (r"(?:^|[.!?]\s+)wake up\b", Some(&["|wake up|"])),
            (r"(?:^|[.!?]\s+|a)wake up", Some(&["wake up"])),
            (r"(?:^|[.!?]\s*)wake up", Some(&["|wake up"])),
            (r"\b(?:the )?holocaust\b", Some(&["|holocaust|"])),
            (r"x(?:the )?holocaust\b", Some(&["holocaust|"])),
            (r"\b(?:\bfoo\b)+\w", Some(&["|foo|"])),
            (r"x(?:\bfoo)+\w", Some(&["|foo"])),
            (r"(?:foo\b)+\w", Some(&["foo|"])),
            (r"\w(?:foo)+\b", Some(&["foo"])),
            (r"(?:foo)\b", Some(&["foo|"])),
            (r"(?:foo)(?:\b|x)", Some(&["foo"])),
            (r"foo(?:\b|[,.])", Some(&["foo|"])),
            (r"foo$", Some(&["foo|"])),
            (r"(?m)^foo", Some(&["|foo"])),
            (r"\b{start}foo\b{end-half}", Some(&["|foo|"])),
            // Prefixes: every match starts at an edge, or not.
            (
                r"\b(?:you|u) (?:idiot|moron)\b",
                Some(&["|u idiot", "|u moron", "|you idiot", "|you moron"]),
            ),
            (
                r"(?:you|u) (?:idiot|moron)\b",
                Some(&["u idiot", "u moron", "you idiot", "you moron"]),
            ),
            // Suffixes: every match ends at an edge, or not.
            (r"\w+ (?:cat|dog)\b", Some(&[" cat|", " dog|"])),
            (
                r"\w+ (?:cat|dog)(?:\b|[.!?]|$)",
                Some(&[
                    " cat|", " cat!|", " cat.|", " cat?|", " dog|", " dog!|", " dog.|", " dog?|",
                ]),
            ),
            (
                r"\w+ (?:cat|dog)(?:\b|s)",
                Some(&[" cat", " cats", " dog", " dogs"]),
            ),
            // A literal made only of common words is no trigger: it occurs in most comments.
            (r"\w+ (?:man|woman)\b", None),
            // Not even as the one literal every match requires: the prefixes serve instead.
            (
                r"\b(?:everyone|everybody) (?:on|in) (?:\w+ ){1,3}knows\b",
                Some(&[
                    "|everybody in ",
                    "|everybody on ",
                    "|everyone in ",
                    "|everyone on ",
                ]),
            ),
            // Required sets: each literal where it occurs; in two places, only what both say.
            (
                r"\b(?:a|an|one) (?:[\w.\-]+ ){0,3}(?:officials?|sources?) \w+",
                Some(&["|official", "|source"]),
            ),
            (
                r"\b(?:he|she) \w+ (?:idiot|dense)\b|\bare you (?:dumb|thick)\w*",
                Some(&["|dense|", "|dumb", "|idiot|", "|thick"]),
            ),
            (
                r"\ba (?:dumb|thick)\b \w+|\bthe \w+(?:dumb|thick)",
                Some(&["dumb", "thick"]),
            ),
        ];
        let mut wrong = Vec::new();
        for (pattern, want) in table {
            let mut got = show(regex_trigger_edges(pattern));
            if let Some(g) = got.as_mut() {
                g.sort_by(|a, b| a.trim_matches('|').cmp(b.trim_matches('|')));
            }
            let want = want.map(|w| {
                let mut w: Vec<String> = w.iter().map(|s| s.to_string()).collect();
                w.sort_by(|a, b| a.trim_matches('|').cmp(b.trim_matches('|')));
                w
            });
            if got != want {
                wrong.push(format!("{pattern}: got {got:?}, want {want:?}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    /// Patterns for the soundness property: the bundled regexes and shapes they do not have.
    fn patterns() -> Vec<String> {
        let mut out: Vec<String> = vec![
            r"\b(?:you|u) (?:idiot|moron)s?\b".into(),
            r"\w+ (?:man|boy)(?:\b|[.!?]|$)".into(),
            r"(?:\w+ ){0,2}knows\b".into(),
            r"(?:^|[.!?]\s*)(?:wake|man) up\b".into(),
            r"x?(?:\bman)+\w*".into(),
            r"(?:man\b)*boy".into(),
            r"(?:man\b|u)+boy\B".into(),
            r"\Bman\b|\bboy\B".into(),
            r"(?m)^(?:man|you)\s*$".into(),
            r"\b(?:é|man)(?:\w|\b)".into(),
            r"[^a-z]man[^\w]".into(),
            r"(?:\W|^)idiots?(?:\W|$)".into(),
        ];
        let (sets, _) = crate::rules::load_bundled();
        out.extend(
            sets.iter()
                .flat_map(|s| &s.rules)
                .filter_map(|r| r.regex.as_ref().map(|spec| spec.pattern.clone())),
        );
        out
    }

    /// Pieces of texts for a pattern: its words, and what may or may not sit next to them.
    fn pieces(pattern: &str) -> Vec<String> {
        let mut out: Vec<String> = [
            " ", " ", " ", "", ",", ".", "!", "'", "’", "-", "\n", "x", "s", "_", "1", "é", "ß",
            " man", "man ", "you ",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut words: Vec<&str> = pattern
            .split(|c: char| !c.is_ascii_lowercase())
            .filter(|w| !w.is_empty())
            .collect();
        words.sort();
        words.dedup();
        out.extend(words.iter().map(|w| w.to_string()));
        out
    }

    /// Each pattern's pieces, and each of its forms compiled, with its triggers.
    #[allow(clippy::type_complexity)]
    fn cases() -> &'static [(Vec<String>, Vec<(regex::Regex, Vec<(String, Edges)>)>)] {
        static CASES: std::sync::OnceLock<
            Vec<(Vec<String>, Vec<(regex::Regex, Vec<(String, Edges)>)>)>,
        > = std::sync::OnceLock::new();
        CASES.get_or_init(|| {
            patterns()
                .iter()
                .map(|p| {
                    let forms = std::iter::once(p.clone())
                        .chain(ascii_classes(p))
                        .filter_map(|f| {
                            let triggers = regex_trigger_edges(&f)?;
                            Some((regex::Regex::new(&f).unwrap(), triggers))
                        })
                        .collect();
                    (pieces(p), forms)
                })
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// Wherever a regex matches, the automaton finds one of its triggers at a place the
        /// trigger's edges accept: the edges never hide a match. For both forms of a regex,
        /// each with its own triggers.
        #[test]
        fn trigger_edges_never_hide_a_match(
            which in 0usize..64,
            picks in proptest::collection::vec(0usize..4096, 1..16),
        ) {
            let cases = cases();
            let (pieces, forms) = &cases[which % cases.len()];
            let text: String = picks.iter().map(|&k| pieces[k % pieces.len()].as_str()).collect();
            for (re, triggers) in forms {
                if !re.is_match(&text) {
                    continue;
                }
                let found = triggers.iter().any(|(lit, edges)| {
                    // Every occurrence, overlapping ones too, as the automaton reports them.
                    (0..text.len())
                        .filter(|&at| {
                            text.is_char_boundary(at) && text[at..].starts_with(lit.as_str())
                        })
                        .any(|at| regex_edges_ok(&text, at, at + lit.len(), *edges))
                });
                prop_assert!(found, "{} matches {text:?}; triggers {triggers:?}", re.as_str());
            }
        }
    }
}
