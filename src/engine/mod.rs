//! The matching engine: compiled rule sets in, findings out.
//!
//! Owns compiling rule sets (`build`), matching one text (`matcher`) and placing matches in a
//! thread: byte spans in `Thread::source`, line:column, quotes, comment index. It never prints
//! and never reads files; the design is in `docs/engine.md`.

mod build;
pub mod dfa;
mod gate;
mod matcher;
pub mod scan;

pub use build::{
    ascii_classes, ascii_classes_apply, regex_alternatives, regex_literal, regex_triggers,
    DFA_AFTER_BYTES, MIN_TRIGGER_LEN, REGEX_SIZE_LIMIT,
};
pub use matcher::Verdict;

use crate::finding::{sort_findings, Finding, Target};
use crate::normalize::Profile;
use crate::rules::{QuotedPolicy, RuleSet};
use crate::thread::{Comment, LineIndex, Quote, Thread};
use crate::FastHash;
use build::Compiled;
use matcher::{RawMatch, Scratch, Trace};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// Threads with fewer comments than this are checked on the calling thread.
const PARALLEL_MIN_COMMENTS: usize = 32;

/// Compiled rule sets, built once and shared across threads.
pub struct Engine {
    sets: Vec<RuleSet>,
    fingerprint: String,
    compiled: Compiled,
    /// Tells this engine's cached name results (in a [`Worker`]) from another's.
    id: u64,
}

/// Gives each engine built in this process an id of its own.
static ENGINE_IDS: AtomicU64 = AtomicU64::new(0);

fn next_engine_id() -> u64 {
    ENGINE_IDS.fetch_add(1, Ordering::Relaxed)
}

/// A rule set that cannot be compiled (for example a regex over the size limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    pub origin: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: error: {}",
            self.origin, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for BuildError {}

/// What `explain` shows for one text: each profile's normalised text, every candidate with its
/// verdict, and the findings that result.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub target: Target,
    pub profiles: Vec<ExplainedProfile>,
    pub candidates: Vec<ExplainedCandidate>,
    pub findings: Vec<Finding>,
}

/// One normalisation profile in use for the target, and the text as it normalises.
#[derive(Debug, Clone)]
pub struct ExplainedProfile {
    /// `strict`, `plain`, `none` or the steps joined by `+`.
    pub name: String,
    /// Full ids of the rules using this profile.
    pub rules: Vec<String>,
    pub normalized: String,
}

/// One candidate and what became of it.
#[derive(Debug, Clone)]
pub struct ExplainedCandidate {
    pub rule: String,
    /// `term`, `near`, `unless`, `regex-literal` or `regex`.
    pub kind: &'static str,
    pub term: String,
    /// Name of the profile it was found under.
    pub profile: String,
    /// Byte span in the original text.
    pub span: [usize; 2],
    pub matched: String,
    pub normalized: String,
    pub verdict: Verdict,
}

/// SHA-256 over each set's origin, a NUL, its source, a NUL, in load order: the first 8
/// bytes in hex.
fn fingerprint(sets: &[RuleSet]) -> String {
    let mut hasher = Sha256::new();
    for set in sets {
        hasher.update(set.origin.as_bytes());
        hasher.update([0]);
        hasher.update(set.source.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

impl Engine {
    pub fn new(sets: Vec<RuleSet>) -> Result<Engine, Vec<BuildError>> {
        // Hashing the sources (about 1 ms for the bundled sets) fits beside compiling.
        let (compiled, fingerprint) = rayon::join(|| build::compile(&sets), || fingerprint(&sets));
        let compiled = compiled?;
        Ok(Engine {
            sets,
            fingerprint,
            compiled,
            id: next_engine_id(),
        })
    }

    /// Build now what is otherwise built when a text first needs it: each profile's own
    /// automaton and the bundled regexes as written (see `docs/engine.md`). A long-running
    /// service calls this once so that no request pays for it.
    pub fn build_deferred(&self) {
        self.compiled.build_deferred();
    }

    /// The same engine with the shared-form fast path turned off: every text takes each
    /// profile's full pass. For tests that compare the two.
    #[doc(hidden)]
    pub fn without_fast_path(mut self) -> Engine {
        self.compiled.fast = None;
        self.id = next_engine_id();
        self
    }

    /// The same engine with its shared automaton settled: the DFA built now (`true`), or the
    /// NFA searching throughout. For tests that compare the two.
    #[doc(hidden)]
    pub fn with_shared_dfa(mut self, dfa: bool) -> Engine {
        if let Some(ac) = self.compiled.fast.as_mut().and_then(|f| f.ac.as_mut()) {
            ac.settle(dfa);
        }
        self.id = next_engine_id();
        self
    }

    /// The kind of the shared automaton that searches now, if there is one.
    #[doc(hidden)]
    pub fn shared_automaton_kind(&self) -> Option<aho_corasick::AhoCorasickKind> {
        let fast = self.compiled.fast.as_ref()?;
        fast.ac.as_ref().map(|ac| ac.kind())
    }

    /// Whether `text` takes the fast path (for tests and benchmarks).
    #[doc(hidden)]
    pub fn takes_fast_path(&self, text: &str) -> bool {
        let mut shared = crate::normalize::Normalized::default();
        self.compiled
            .fast
            .as_ref()
            .is_some_and(|f| f.form.prepare(text, &mut shared))
    }

    /// The loaded rule sets.
    pub fn sets(&self) -> &[RuleSet] {
        &self.sets
    }

    /// A hash of the loaded rule sets' contents (16 hex digits of SHA-256 over each set's
    /// origin and source, in load order).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The normalisation profiles in use, one automaton each.
    pub fn profiles(&self) -> Vec<Profile> {
        self.compiled.profiles.iter().map(|p| p.profile).collect()
    }

    /// Number of distinct normalised literals in all automata.
    pub fn pattern_count(&self) -> usize {
        self.compiled
            .profiles
            .iter()
            .map(|p| p.patterns.len())
            .sum()
    }

    /// Every finding in a thread, sorted (see `finding::sort_findings`). Comments are checked
    /// in parallel; the order is the same whatever the number of threads.
    pub fn check_thread(&self, thread: &Thread) -> Vec<Finding> {
        self.check_thread_with(thread, None, &mut Pooled::take())
    }

    /// [`Engine::check_thread`] for a caller that has counted the lines of `thread.source`
    /// already (`lines` must be `LineIndex::new(&thread.source)`).
    pub fn check_thread_lines(&self, thread: &Thread, lines: &LineIndex) -> Vec<Finding> {
        debug_assert_eq!(
            lines.line_count(thread.source.len()),
            LineIndex::new(&thread.source).line_count(thread.source.len())
        );
        self.check_thread_with(thread, Some(lines), &mut Pooled::take())
    }

    fn check_thread_with(
        &self,
        thread: &Thread,
        given: Option<&LineIndex>,
        worker: &mut Worker,
    ) -> Vec<Finding> {
        let source = thread.source.as_str();
        // Lines are counted only when there is something to place (most threads have no
        // finding at all), unless the caller has counted them.
        let lines: OnceLock<LineIndex> = OnceLock::new();
        let index = || given.unwrap_or_else(|| lines.get_or_init(|| LineIndex::new(source)));
        let mut findings = Vec::new();
        if let Some(article) = &thread.article {
            let Worker { scratch, raw, .. } = &mut *worker;
            raw.clear();
            if let Some(text) = source.get(article.span.start..article.span.end) {
                self.compiled
                    .check_segment(text, Target::Article, scratch, raw, None);
            }
            if !raw.is_empty() {
                let place = Place {
                    source,
                    index: index(),
                    base: article.span.start,
                    target: Target::Article,
                    comment: None,
                    quotes: &[],
                };
                findings.extend(raw.iter().filter_map(|m| self.finding(m, &place)));
            }
        }
        let check_comment =
            |worker: &mut Worker, out: &mut Vec<Finding>, ci: usize, comment: &Comment| {
                let name = comment.name_span.map(|n| (n, Target::Name));
                for (span, target) in std::iter::once((comment.span, Target::Body)).chain(name) {
                    let Some(text) = source.get(span.start..span.end) else {
                        continue;
                    };
                    let Worker {
                        scratch,
                        raw,
                        names,
                    } = &mut *worker;
                    raw.clear();
                    if target == Target::Name {
                        names.check(self.id, text, raw, |raw| {
                            self.compiled
                                .check_segment(text, target, scratch, raw, None)
                        });
                    } else {
                        self.compiled
                            .check_segment(text, target, scratch, raw, None);
                    }
                    if raw.is_empty() {
                        continue;
                    }
                    let place = Place {
                        source,
                        index: index(),
                        base: span.start,
                        target,
                        comment: Some(ci),
                        quotes: if target == Target::Body {
                            &comment.quotes
                        } else {
                            &[]
                        },
                    };
                    out.extend(raw.iter().filter_map(|m| self.finding(m, &place)));
                }
            };
        // Handing a few comments to the thread pool costs more than checking them: a service
        // checks one comment per call, and `check` already spreads whole threads over the pool.
        if thread.comments.len() < PARALLEL_MIN_COMMENTS {
            for (ci, comment) in thread.comments.iter().enumerate() {
                check_comment(worker, &mut findings, ci, comment);
            }
        } else {
            let per_comment: Vec<Vec<Finding>> = thread
                .comments
                .par_iter()
                .enumerate()
                .map_init(Pooled::take, |worker, (ci, comment)| {
                    let mut out = Vec::new();
                    check_comment(worker, &mut out, ci, comment);
                    out
                })
                .collect();
            findings.extend(per_comment.into_iter().flatten());
        }
        sort_findings(&mut findings);
        findings
    }

    /// Findings in one standalone text, as if it were a comment body (`Target::Body`), a
    /// commenter name or an article. `comment` is `Some(0)` for body and name, `None` for article.
    pub fn check_text(&self, text: &str, target: Target) -> Vec<Finding> {
        let raw = {
            let Worker { scratch, raw, .. } = &mut *Pooled::take();
            raw.clear();
            self.compiled
                .check_segment(text, target, scratch, raw, None);
            raw.clone()
        };
        let index = LineIndex::new(text);
        let place = Place::standalone(text, &index, target);
        let mut findings: Vec<Finding> =
            raw.iter().filter_map(|m| self.finding(m, &place)).collect();
        sort_findings(&mut findings);
        findings
    }

    /// Everything `explain` shows for one standalone text.
    pub fn explain(&self, text: &str, target: Target) -> Explanation {
        let mut raw = Vec::new();
        let mut traces: Vec<Trace> = Vec::new();
        let mut texts: Vec<(usize, String)> = Vec::new();
        self.compiled.check_segment(
            text,
            target,
            &mut Scratch::default(),
            &mut raw,
            Some((&mut traces, &mut texts)),
        );
        let index = LineIndex::new(text);
        let place = Place::standalone(text, &index, target);
        let mut findings: Vec<Finding> =
            raw.iter().filter_map(|m| self.finding(m, &place)).collect();
        sort_findings(&mut findings);
        let profile_name = |pi: usize| self.compiled.profiles[pi].profile.describe();
        let profiles = texts
            .iter()
            .map(|(pi, normalized)| ExplainedProfile {
                name: profile_name(*pi),
                rules: self
                    .compiled
                    .rules
                    .iter()
                    .filter(|r| r.profile == *pi)
                    .map(|r| r.full_id.clone())
                    .collect(),
                normalized: normalized.clone(),
            })
            .collect();
        let mut candidates: Vec<ExplainedCandidate> = traces
            .into_iter()
            .map(|t| {
                let normalized = texts
                    .iter()
                    .find(|(pi, _)| *pi == t.profile)
                    .and_then(|(_, n)| n.get(t.norm_span.0..t.norm_span.1))
                    .unwrap_or("")
                    .to_string();
                ExplainedCandidate {
                    rule: self.compiled.rules[t.rule as usize].full_id.clone(),
                    kind: t.kind,
                    term: t.term,
                    profile: profile_name(t.profile),
                    span: [t.span.0, t.span.1],
                    matched: text.get(t.span.0..t.span.1).unwrap_or("").to_string(),
                    normalized,
                    verdict: t.verdict,
                }
            })
            .collect();
        candidates.sort_by(|a, b| (a.span, &a.rule, a.kind).cmp(&(b.span, &b.rule, b.kind)));
        Explanation {
            target,
            profiles,
            candidates,
            findings,
        }
    }

    /// `explain` for comment `ci` of a thread: the body as a standalone text, then placed in
    /// the thread. Candidate spans become absolute; a confirmed candidate inside one of the
    /// comment's quotes whose rule ignores quotes gets [`Verdict::Quote`]; findings carry
    /// `quoted` as `check` reports them. `None` when there is no such comment.
    pub fn explain_comment(&self, thread: &Thread, ci: usize) -> Option<Explanation> {
        let comment = thread.comments.get(ci)?;
        let source = thread.source.as_str();
        let text = source.get(comment.span.start..comment.span.end)?;
        let mut x = self.explain(text, Target::Body);
        let base = comment.span.start;
        let in_quote = |at: usize| {
            comment
                .quotes
                .iter()
                .any(|q| q.span.start <= at && at < q.span.end)
        };
        for c in &mut x.candidates {
            c.span = [c.span[0] + base, c.span[1] + base];
            let ignores = self
                .compiled
                .rules
                .iter()
                .find(|r| r.full_id == c.rule)
                .is_some_and(|r| r.quoted == QuotedPolicy::Ignore);
            if c.verdict == Verdict::Confirmed && ignores && in_quote(c.span[0]) {
                c.verdict = Verdict::Quote;
            }
        }
        let index = LineIndex::new(source);
        let place = Place {
            source,
            index: &index,
            base,
            target: Target::Body,
            comment: Some(ci),
            quotes: &comment.quotes,
        };
        let mut raw = Vec::new();
        self.compiled
            .check_segment(text, Target::Body, &mut Scratch::default(), &mut raw, None);
        x.findings = raw.iter().filter_map(|m| self.finding(m, &place)).collect();
        sort_findings(&mut x.findings);
        Some(x)
    }

    /// Place a match in its text: absolute span, line:column, quote status.
    fn finding(&self, m: &RawMatch, place: &Place) -> Option<Finding> {
        let compiled = &self.compiled.rules[m.rule as usize];
        let rule = &self.sets[compiled.set].rules[compiled.index];
        let start = place.base + m.start;
        let end = place.base + m.end;
        let quoted = place
            .quotes
            .iter()
            .any(|q| q.span.start <= start && start < q.span.end);
        if quoted && compiled.quoted == QuotedPolicy::Ignore {
            return None;
        }
        let (line, column) = place.index.line_col(place.source, start);
        Some(Finding {
            rule: rule.full_id.clone(),
            category: rule.category,
            severity: rule.severity,
            target: place.target,
            comment: place.comment,
            span: [start, end],
            line,
            column,
            matched: place.source.get(start..end).unwrap_or("").to_string(),
            normalized: m.normalized.clone(),
            term: m.term.clone(),
            quoted,
            counts_when_quoted: quoted && compiled.quoted == QuotedPolicy::Count,
        })
    }
}

/// What one worker thread reuses from text to text: the matching buffers, and the names it
/// has checked.
#[derive(Default)]
struct Worker {
    scratch: Scratch,
    raw: Vec<RawMatch>,
    names: NameCache,
}

/// Slots of a [`NameCache`] (a power of two): about 130 KB a worker.
const NAME_SLOTS: usize = 2048;
/// The longest name, in bytes, a [`NameCache`] keeps; a longer one is checked every time.
const NAME_MAX: usize = 32;

/// Commenter names already checked, with what they matched. A commenter usually posts more
/// than once (in the seed threads, 18 named comments carry 12 names, and 12 carry 7), and a
/// name matches the same wherever it stands: its check depends on its text alone.
///
/// A site's regulars post often among many names seen once or twice, so the cache must cost
/// next to nothing when it misses: each name has one slot, chosen by its hash, holding the
/// last name that hashed there, in place (no allocation unless it matched something). A map
/// of up to 4,096 names, allocated per name and emptied when full, made a run on the
/// benchmark's JSON Lines (half its names seen once) a few percent slower than no cache.
#[derive(Default)]
struct NameCache {
    /// The engine whose results these are ([`Engine::id`]): workers outlive an engine.
    engine: u64,
    hasher: FastHash,
    /// [`NAME_SLOTS`] slots once a name has been checked.
    slots: Vec<NameSlot>,
}

#[derive(Default)]
struct NameSlot {
    /// The name's length in bytes; 0 for an empty slot.
    len: usize,
    name: [u8; NAME_MAX],
    found: Vec<RawMatch>,
}

impl NameCache {
    /// Put `name`'s matches in `raw` (empty): the cached ones, or those `check` puts there.
    fn check(
        &mut self,
        engine: u64,
        name: &str,
        raw: &mut Vec<RawMatch>,
        check: impl FnOnce(&mut Vec<RawMatch>),
    ) {
        if name.is_empty() || name.len() > NAME_MAX {
            check(raw);
            return;
        }
        if self.engine != engine {
            self.slots.iter_mut().for_each(|s| s.len = 0);
            self.engine = engine;
        }
        if self.slots.is_empty() {
            self.slots.resize_with(NAME_SLOTS, NameSlot::default);
        }
        let at = self.hasher.hash_one(name.as_bytes()) as usize & (NAME_SLOTS - 1);
        let slot = &mut self.slots[at];
        if slot.name.get(..slot.len) == Some(name.as_bytes()) {
            raw.extend_from_slice(&slot.found);
            return;
        }
        check(raw);
        slot.name[..name.len()].copy_from_slice(name.as_bytes());
        slot.len = name.len();
        slot.found.clear();
        slot.found.extend_from_slice(raw);
    }
}

thread_local! {
    /// Each thread's idle workers, so checking many small threads (a service checking one
    /// comment per call, `check` on JSON Lines) does not allocate buffers every time. More
    /// than one when checks nest: a thread's comments checked in parallel on the thread
    /// that checks the thread.
    static WORKERS: RefCell<Vec<Worker>> = const { RefCell::new(Vec::new()) };
}

/// A worker taken from this thread's idle ones (or a new one), given back when dropped.
struct Pooled(Option<Worker>);

impl Pooled {
    fn take() -> Pooled {
        let idle = WORKERS.with(|w| w.borrow_mut().pop());
        Pooled(Some(idle.unwrap_or_default()))
    }
}

impl std::ops::Deref for Pooled {
    type Target = Worker;
    fn deref(&self) -> &Worker {
        self.0.as_ref().expect("a worker until dropped")
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Worker {
        self.0.as_mut().expect("a worker until dropped")
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        if let Some(worker) = self.0.take() {
            // During thread exit the pool may already be gone; the worker is then dropped.
            let _ = WORKERS.try_with(|w| w.borrow_mut().push(worker));
        }
    }
}

/// Where a checked text sits in its source.
struct Place<'a> {
    source: &'a str,
    index: &'a LineIndex,
    base: usize,
    target: Target,
    comment: Option<usize>,
    quotes: &'a [Quote],
}

impl<'a> Place<'a> {
    fn standalone(text: &'a str, index: &'a LineIndex, target: Target) -> Place<'a> {
        Place {
            source: text,
            index,
            base: 0,
            target,
            comment: match target {
                Target::Article => None,
                Target::Body | Target::Name => Some(0),
            },
            quotes: &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A name is checked once while its slot holds it, and only ever served its own matches:
    /// a name that takes its slot, another engine and a name too long to keep are checked.
    #[test]
    fn the_name_cache_serves_a_name_only_its_own_matches() {
        let mut cache = NameCache::default();
        let mut calls = 0u32;
        let mut check = |cache: &mut NameCache, engine: u64, name: &str| {
            let mut raw = Vec::new();
            cache.check(engine, name, &mut raw, |raw| {
                calls += 1;
                raw.push(RawMatch {
                    rule: calls,
                    start: 0,
                    end: name.len(),
                    normalized: name.to_string(),
                    term: name.to_string(),
                    kind: "term",
                });
            });
            (
                calls,
                raw.iter()
                    .map(|m| (m.rule, m.term.clone()))
                    .collect::<Vec<_>>(),
            )
        };
        let ann = |rule: u32| vec![(rule, "ann".to_string())];
        assert_eq!(check(&mut cache, 7, "ann"), (1, ann(1)));
        assert_eq!(
            check(&mut cache, 7, "ann"),
            (1, ann(1)),
            "served from the cache"
        );
        // A name that hashes to the same slot replaces it.
        let slot = |cache: &NameCache, name: &str| {
            cache.hasher.hash_one(name.as_bytes()) as usize & (NAME_SLOTS - 1)
        };
        let rival = (0..)
            .map(|i| format!("rival{i}"))
            .find(|n| slot(&cache, n) == slot(&cache, "ann"))
            .expect("some name shares the slot");
        assert_eq!(check(&mut cache, 7, &rival), (2, vec![(2, rival.clone())]));
        assert_eq!(check(&mut cache, 7, "ann"), (3, ann(3)), "checked again");
        assert_eq!(check(&mut cache, 8, "ann"), (4, ann(4)), "another engine");
        let long = "x".repeat(NAME_MAX + 1);
        assert_eq!(check(&mut cache, 8, &long).0, 5);
        assert_eq!(check(&mut cache, 8, &long).0, 6, "too long to keep");
    }

    /// A thread's buffers outlive the check that grew them, and a nested check (a thread's
    /// comments checked in parallel on the thread checking it) gets a worker of its own.
    #[test]
    fn workers_are_reused_and_nested_checks_get_their_own() {
        // Other tests may have run on this thread and left workers behind.
        WORKERS.with(|w| w.borrow_mut().clear());
        let mut outer = Pooled::take();
        outer.raw.reserve(64);
        let grown = outer.raw.capacity();
        {
            let inner = Pooled::take();
            assert_eq!(inner.raw.capacity(), 0, "the outer worker is still in use");
        }
        drop(outer);
        let again = Pooled::take();
        assert_eq!(
            again.raw.capacity(),
            grown,
            "the last worker given back comes first"
        );
    }
}
