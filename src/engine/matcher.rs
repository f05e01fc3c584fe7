//! Matching one text: normalise once per profile in use, scan with the profile's automaton,
//! then confirm or reject each candidate (word boundaries, repeats, `near`, `unless`, regex).
//!
//! Owns candidate verification. It works on one standalone text and reports spans relative
//! to it; placing them in a thread (offsets, lines, quotes) is `engine::mod`'s job.

use super::build::{
    ascii_classes_apply, ascii_word, target_bit, Compiled, Edges, FastPath, Pattern, UseKind,
};
use crate::finding::Target;
use crate::normalize::{self, censored_token, Normalized, Normalizer, CENSOR_MARK};
use crate::rules::TermMode;

/// Reusable buffers for checking many texts (one per worker thread).
#[derive(Default)]
pub struct Scratch {
    normalizer: Normalizer,
    /// Normalised forms of the current text, one per distinct effective profile
    /// (`done[k]` made `norms[k]`); the first `used` are valid.
    norms: Vec<Normalized>,
    done: Vec<normalize::Profile>,
    used: usize,
    /// The text's shared form, on the fast path.
    shared: Normalized,
    /// Fast-path hits, with the profile each is for.
    fast_hits: Vec<(u32, Hit)>,
    /// Profiles that take their full pass for the current text, on the fast path.
    full: Vec<bool>,
    /// The shared scan's second walk's matches, until the first walk's are out.
    late: Vec<(u32, usize, usize)>,
    work: Work,
}

/// Buffers for verifying one profile's candidates.
#[derive(Default)]
struct Work {
    hits: Vec<Hit>,
    cands: Vec<Cand>,
    near: Vec<NearHit>,
    unless: Vec<UnlessHit>,
    regex_rules: Vec<u32>,
    word_starts: Vec<usize>,
    token: Vec<char>,
}

impl Work {
    fn clear(&mut self) {
        self.hits.clear();
        self.cands.clear();
        self.near.clear();
        self.unless.clear();
        self.regex_rules.clear();
        self.word_starts.clear();
    }
}

/// A pattern occurrence in the normalised text, for one use of that pattern.
#[derive(Debug, Clone, Copy)]
struct Hit {
    pattern: u32,
    use_idx: u32,
    start: usize,
    end: usize,
    /// Found by the censor path, which has already compared repeats.
    wild: bool,
}

/// A confirmed candidate, before `unless`.
#[derive(Debug, Clone)]
struct Cand {
    rule: u32,
    kind: &'static str,
    start: usize,
    end: usize,
    term: String,
}

#[derive(Debug, Clone)]
struct NearHit {
    rule: u32,
    group: u16,
    start: usize,
    end: usize,
    display: Box<str>,
}

#[derive(Debug, Clone, Copy)]
struct UnlessHit {
    rule: u32,
    phrase: u16,
    start: usize,
    end: usize,
}

/// A confirmed match in one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMatch {
    /// Index into `Compiled::rules`.
    pub rule: u32,
    /// Byte span in the checked text.
    pub start: usize,
    pub end: usize,
    pub normalized: String,
    pub term: String,
    /// `term`, `regex` or `near`: of two matches of one rule on one span, the first kind in
    /// that order is kept.
    pub kind: &'static str,
}

/// Preference among matches of one rule on one span (see [`RawMatch::kind`]).
fn kind_rank(kind: &str) -> u8 {
    match kind {
        "term" => 0,
        "regex" => 1,
        _ => 2,
    }
}

/// Why a candidate was kept or dropped (for `explain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Confirmed: it becomes a finding (or, for `near` parts, it took part in one).
    Confirmed,
    /// A word character touches the match where the term's mode needs a boundary.
    Boundary,
    /// A letter is doubled where the term has it once, or single where the term doubles it.
    Repeats,
    /// The rule's scope does not include this target.
    Scope,
    /// An `unless` phrase of the rule cancels it.
    Unless(String),
    /// A `near` part without a partner from every other group close enough.
    NearNotSatisfied,
    /// The regex's literal occurs but the regex does not match.
    RegexNoMatch,
    /// Found, and acts on other candidates (an `unless` phrase, a regex literal).
    Trigger,
    /// Inside a quoted passage and the rule ignores quotes.
    Quote,
}

/// Where `explain` collects traces and each profile's normalised text.
pub type TraceSink<'a> = (&'a mut Vec<Trace>, &'a mut Vec<(usize, String)>);

/// One line of `explain`: a candidate and what became of it.
#[derive(Debug, Clone)]
pub struct Trace {
    /// Index into the engine's profiles.
    pub profile: usize,
    pub rule: u32,
    /// `term`, `near`, `unless`, `regex-literal` or `regex`.
    pub kind: &'static str,
    pub term: String,
    /// Byte span in the normalised text.
    pub norm_span: (usize, usize),
    /// Byte span in the original text.
    pub span: (usize, usize),
    pub verdict: Verdict,
}

fn kind_name(k: UseKind) -> &'static str {
    match k {
        UseKind::Term => "term",
        UseKind::Near(_) => "near",
        UseKind::Unless(_) => "unless",
        UseKind::RegexLiteral => "regex-literal",
    }
}

fn char_before(text: &str, i: usize) -> Option<char> {
    text[..i].chars().next_back()
}

fn char_after(text: &str, i: usize) -> Option<char> {
    text[i..].chars().next()
}

/// Word boundaries by mode, like regex `\b`: needed only where the term's own edge is a word
/// character.
fn boundary_ok(text: &str, start: usize, end: usize, pattern: &str, mode: TermMode) -> bool {
    let word = |c: Option<char>| c.is_some_and(normalize::is_word_char);
    let need_left =
        matches!(mode, TermMode::Word | TermMode::Prefix) && word(pattern.chars().next());
    let need_right =
        matches!(mode, TermMode::Word | TermMode::Suffix) && word(pattern.chars().next_back());
    !(need_left && word(char_before(text, start)) || need_right && word(char_after(text, end)))
}

/// Whether a rule's regex could match through this occurrence of its trigger literal: at an
/// end the regex puts at a word edge ([`Edges`]), the text must not have ASCII word characters
/// on both sides. Such a spot is no word boundary under the ASCII `\b` nor the Unicode one
/// (which counts more characters as word characters), so this holds whichever form of the
/// regex runs on the text.
pub(super) fn regex_edges_ok(text: &str, start: usize, end: usize, edges: Edges) -> bool {
    let b = text.as_bytes();
    let joined =
        |at: usize| at > 0 && ascii_word(b[at - 1]) && b.get(at).is_some_and(|&c| ascii_word(c));
    !(edges.left && joined(start) || edges.right && joined(end))
}

/// Whether a repeat count in the text satisfies one in the term: equal, or stretched to three
/// or more ("fuuuck"). A real double letter never matches a single one ("cook" is not "cok",
/// "as" is not "ass").
fn run_ok(text_run: u32, term_run: u32) -> bool {
    text_run == term_run || (text_run > term_run && text_run >= 3)
}

fn runs_ok(norm: &Normalized, start: usize, p: &Pattern) -> bool {
    if norm.runs.is_empty() {
        return true;
    }
    p.runs
        .iter()
        .enumerate()
        .all(|(i, &r)| run_ok(norm.run_at(start + i), r))
}

/// The `repeats` step alone.
const REPEATS_ONLY: normalize::Profile = normalize::Profile {
    repeats: true,
    ..normalize::Profile::NONE
};

/// On the shared form (letters not folded), whether the match `start..end` takes whole runs:
/// the letter before it is not its first letter and the letter after it is not its last, as
/// when the folded term's repeat counts must equal the text's.
fn runs_end_at(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let continues = |at: Option<&u8>, edge: u8| edge.is_ascii_alphabetic() && at == Some(&edge);
    end > start
        && !(start > 0 && continues(b.get(start - 1), b[start]))
        && !continues(b.get(end), b[end - 1])
}

/// Compare pattern `p` with the normalised text from `start`, where a censor mark in the text
/// stands for one letter of the pattern (each repeat of it). Returns the end of the match.
fn wild_match(norm: &Normalized, start: usize, p: &Pattern) -> Option<usize> {
    let text = &norm.text;
    let mut t = start;
    for (pi, pc) in p.text.char_indices() {
        let tc = char_after(text, t)?;
        if tc == pc {
            if !norm.runs.is_empty() && !run_ok(norm.run_at(t), p.runs[pi]) {
                return None;
            }
            t += tc.len_utf8();
        } else if tc == CENSOR_MARK && normalize::is_word_char(pc) {
            for _ in 0..p.runs[pi] {
                if char_after(text, t)? != CENSOR_MARK {
                    return None;
                }
                t += 1;
            }
        } else {
            return None;
        }
    }
    Some(t)
}

impl Compiled {
    /// Check one text for `target`. Confirmed matches go to `out` (spans relative to `text`);
    /// with `trace`, every candidate and its verdict is recorded too, and each profile's
    /// normalised text is pushed to `norm_texts`.
    pub fn check_segment(
        &self,
        text: &str,
        target: Target,
        s: &mut Scratch,
        out: &mut Vec<RawMatch>,
        mut trace: Option<TraceSink<'_>>,
    ) {
        let bit = target_bit(target);
        s.used = 0;
        // `explain` shows every profile's own normalised text, so it always takes the full
        // pass; the fast path must find exactly what the full pass finds (tested).
        let fast = match (&self.fast, &trace) {
            (Some(f), None) if f.form.prepare(text, &mut s.shared) => Some(f),
            _ => None,
        };
        if let Some(fast) = fast {
            self.scan_shared(fast, bit, s);
        }
        for (pi, pm) in self.profiles.iter().enumerate() {
            if pm.scope & bit == 0 {
                continue;
            }
            s.work.clear();
            if fast.is_some() && !s.full[pi] {
                let hits = s.fast_hits.iter().filter(|(p, _)| *p as usize == pi);
                s.work.hits.extend(hits.map(|(_, h)| *h));
                self.verify(pi, &s.shared, true, bit, &mut s.work, out, None);
                continue;
            }
            // Profiles that normalise this text alike (on ASCII text, `plain` and a default
            // that adds only confusables and leet, say) share one normalisation.
            let effective = pm.profile.effective_for(text);
            let slot = match s.done[..s.used].iter().position(|p| *p == effective) {
                Some(k) => k,
                None => {
                    if s.used == s.norms.len() {
                        s.norms.push(Normalized::default());
                        s.done.push(effective);
                    }
                    let k = s.used;
                    s.done[k] = effective;
                    s.normalizer
                        .normalize_effective_into(text, effective, &mut s.norms[k]);
                    s.used += 1;
                    k
                }
            };
            let norm = &s.norms[slot];
            if let Some((_, texts)) = trace.as_mut() {
                texts.push((pi, norm.text.clone()));
            }
            let w = &mut s.work;
            if let Some(ac) = pm.automaton() {
                for m in ac.find_overlapping_iter(norm.text.as_str()) {
                    let p = m.pattern().as_u32();
                    for u in 0..pm.patterns[p as usize].uses.len() {
                        w.hits.push(Hit {
                            pattern: p,
                            use_idx: u as u32,
                            start: m.start(),
                            end: m.end(),
                            wild: false,
                        });
                    }
                }
            }
            if pm.profile.censor
                && memchr::memchr(CENSOR_MARK as u8, norm.text.as_bytes()).is_some()
            {
                censor_hits(pm, norm, &mut w.token, &mut w.hits);
            }
            let traces = trace.as_mut().map(|(t, _)| &mut **t);
            self.verify(pi, norm, false, bit, w, out, traces);
        }
        // Sorted on every field that identifies a match, so the order in which the automata
        // report them (which differs between the fast and the full path) does not matter.
        let key = |m: &RawMatch| (m.start, m.end, m.rule, kind_rank(m.kind));
        out.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.term.cmp(&b.term)));
        out.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.rule == b.rule);
    }

    /// The fast path's one scan: hits of every profile in scope, and which profiles must take
    /// their full pass after all.
    fn scan_shared(&self, fast: &FastPath, bit: u8, s: &mut Scratch) {
        s.full.clear();
        s.full.extend_from_slice(&fast.always_full);
        s.fast_hits.clear();
        let Some(ac) = &fast.ac else {
            return;
        };
        let (full, fast_hits) = (&mut s.full, &mut s.fast_hits);
        ac.overlapping(&s.shared.text, &mut s.late, |pattern, start, end| {
            for t in fast.targets_of(pattern) {
                let pm = &self.profiles[t.profile as usize];
                if pm.scope & bit == 0 {
                    continue;
                }
                let Some(p) = t.pattern else {
                    full[t.profile as usize] = true;
                    continue;
                };
                for (u, use_) in pm.patterns[p as usize].uses.iter().enumerate() {
                    // Regex literals of a profile that folds repeats are looked for by their
                    // spellings instead (the `None` targets above).
                    if pm.profile.repeats && use_.kind == UseKind::RegexLiteral {
                        continue;
                    }
                    fast_hits.push((
                        t.profile,
                        Hit {
                            pattern: p,
                            use_idx: u as u32,
                            start,
                            end,
                            wild: false,
                        },
                    ));
                }
            }
        });
    }

    /// Confirm or reject profile `pi`'s hits (in `w.hits`) in `norm`, its normalised text.
    /// `shared`: `norm` is the shared form; if the profile folds repeats, terms were then
    /// found as spelled and a run must not continue past either end of a match.
    #[allow(clippy::too_many_arguments)]
    fn verify(
        &self,
        pi: usize,
        norm: &Normalized,
        shared: bool,
        bit: u8,
        w: &mut Work,
        out: &mut Vec<RawMatch>,
        mut trace: Option<&mut Vec<Trace>>,
    ) {
        let pm = &self.profiles[pi];
        let spelled = shared && pm.profile.repeats;
        for h in &mut w.hits {
            let p = &pm.patterns[h.pattern as usize];
            let u = &p.uses[h.use_idx as usize];
            let rule = &self.rules[u.rule as usize];
            let mut verdict = Verdict::Confirmed;
            if rule.scope & bit == 0 {
                verdict = Verdict::Scope;
            } else if u.kind != UseKind::RegexLiteral
                && !boundary_ok(&norm.text, h.start, h.end, &p.text, u.mode)
                || u.kind == UseKind::RegexLiteral
                    && !regex_edges_ok(&norm.text, h.start, h.end, u.edges)
            {
                verdict = Verdict::Boundary;
            } else if u.kind != UseKind::RegexLiteral
                && !h.wild
                && !if spelled {
                    runs_end_at(&norm.text, h.start, h.end)
                } else {
                    runs_ok(norm, h.start, p)
                }
            {
                verdict = Verdict::Repeats;
            }
            if verdict == Verdict::Confirmed {
                // A stem's finding covers the whole word ("parasites", not "parasit").
                let (start, end) = extend_to_word(&norm.text, h.start, h.end, u.mode);
                h.start = start;
                h.end = end;
            }
            if verdict == Verdict::Confirmed {
                match u.kind {
                    UseKind::Term => w.cands.push(Cand {
                        rule: u.rule,
                        kind: "term",
                        start: h.start,
                        end: h.end,
                        term: u.display.to_string(),
                    }),
                    UseKind::Near(g) => w.near.push(NearHit {
                        rule: u.rule,
                        group: g,
                        start: h.start,
                        end: h.end,
                        display: u.display.clone(),
                    }),
                    UseKind::Unless(i) => w.unless.push(UnlessHit {
                        rule: u.rule,
                        phrase: i,
                        start: h.start,
                        end: h.end,
                    }),
                    UseKind::RegexLiteral => w.regex_rules.push(u.rule),
                }
            }
            // Term candidates get their final verdict after `unless`; near parts after
            // pairing; the rest are final now.
            let deferred =
                verdict == Verdict::Confirmed && matches!(u.kind, UseKind::Term | UseKind::Near(_));
            if let Some(traces) = trace.as_deref_mut() {
                if !deferred {
                    let verdict = match (&verdict, u.kind) {
                        (Verdict::Confirmed, _) => Verdict::Trigger,
                        _ => verdict,
                    };
                    traces.push(Trace {
                        profile: pi,
                        rule: u.rule,
                        kind: kind_name(u.kind),
                        term: u.display.to_string(),
                        norm_span: (h.start, h.end),
                        span: norm.original_span(h.start, h.end),
                        verdict,
                    });
                }
            }
        }
        // Regexes: those whose literal occurred, and those without a literal.
        w.regex_rules.extend(
            pm.always_regex
                .iter()
                .copied()
                .filter(|r| self.rules[*r as usize].scope & bit != 0),
        );
        w.regex_rules.sort_unstable();
        w.regex_rules.dedup();
        let ascii_ok = !w.regex_rules.is_empty() && (shared || ascii_classes_apply(&norm.text));
        for &r in &w.regex_rules {
            let rule = &self.rules[r as usize];
            let Some((rr, re)) = rule
                .regex
                .as_ref()
                .and_then(|rr| Some((rr, rr.for_text(ascii_ok)?)))
            else {
                continue;
            };
            let pattern = &*rr.pattern;
            let before = w.cands.len();
            // The regex as written, on text with letters of another script, leaves the lazy
            // DFA for the backtracker: a text that lacks what every branch needs is not
            // worth that (see `gate`).
            let closed = !ascii_ok && rr.gate().is_some_and(|g| !g.open(&norm.text));
            for m in (!closed)
                .then(|| re.find_iter(&norm.text))
                .into_iter()
                .flatten()
            {
                if m.start() == m.end() {
                    continue;
                }
                w.cands.push(Cand {
                    rule: r,
                    kind: "regex",
                    start: m.start(),
                    end: m.end(),
                    term: rr.term_at(re, &norm.text, m.start(), m.end()).to_string(),
                });
            }
            if w.cands.len() == before {
                if let Some(traces) = trace.as_deref_mut() {
                    traces.push(Trace {
                        profile: pi,
                        rule: r,
                        kind: "regex",
                        term: pattern.to_string(),
                        norm_span: (0, 0),
                        span: (0, 0),
                        verdict: Verdict::RegexNoMatch,
                    });
                }
            }
        }
        if !w.near.is_empty() {
            ensure_word_starts(norm, &mut w.word_starts);
            self.pair_near(
                norm,
                &mut w.near,
                &w.word_starts,
                &mut w.cands,
                pi,
                trace.as_deref_mut(),
            );
        }
        if w.cands.is_empty() {
            return;
        }
        let needs_words = w
            .unless
            .iter()
            .any(|u| self.rules[u.rule as usize].unless_within > 0);
        if needs_words {
            ensure_word_starts(norm, &mut w.word_starts);
        }
        for c in &w.cands {
            let rule = &self.rules[c.rule as usize];
            let cancel = w.unless.iter().find(|u| {
                u.rule == c.rule
                    && (overlaps(u.start, u.end, c.start, c.end)
                        || rule.unless_within > 0
                            && word_distance(&w.word_starts, (u.start, u.end), (c.start, c.end))
                                <= rule.unless_within)
            });
            let verdict = match cancel {
                Some(u) => Verdict::Unless(rule.unless[u.phrase as usize].clone()),
                None => Verdict::Confirmed,
            };
            let span = norm.original_span(c.start, c.end);
            if let Some(traces) = trace.as_deref_mut() {
                traces.push(Trace {
                    profile: pi,
                    rule: c.rule,
                    kind: c.kind,
                    term: c.term.clone(),
                    norm_span: (c.start, c.end),
                    span,
                    verdict: verdict.clone(),
                });
            }
            if verdict == Verdict::Confirmed {
                let matched = &norm.text[c.start..c.end];
                out.push(RawMatch {
                    rule: c.rule,
                    start: span.0,
                    end: span.1,
                    // On the shared form a folding profile's text is as spelled: fold the
                    // match as its full pass would have.
                    normalized: if spelled {
                        normalize::normalize_term(matched, REPEATS_ONLY)
                    } else {
                        matched.to_string()
                    },
                    term: c.term.clone(),
                    kind: c.kind,
                });
            }
        }
    }

    /// Turn `near` parts into candidates: for each rule, every part that has, from each other
    /// group, a partner starting at most `within` words after the part's last word and ending
    /// no earlier than it. Taking each part in turn as the earliest-ending one makes this
    /// exact: a combination is within N words iff its latest start is at most N words after
    /// its earliest end.
    fn pair_near(
        &self,
        norm: &Normalized,
        near: &mut [NearHit],
        word_starts: &[usize],
        cands: &mut Vec<Cand>,
        pi: usize,
        mut trace: Option<&mut Vec<Trace>>,
    ) {
        let sentence_starts = sentence_starts(&norm.text);
        near.sort_by(|a, b| {
            (a.rule, a.start, a.end, a.group, &a.display)
                .cmp(&(b.rule, b.start, b.end, b.group, &b.display))
        });
        let mut i = 0;
        while i < near.len() {
            let rule_no = near[i].rule;
            let mut j = i;
            while j < near.len() && near[j].rule == rule_no {
                j += 1;
            }
            let rule = &self.rules[rule_no as usize];
            let hits = &near[i..j];
            let word = |pos: usize| word_index(word_starts, pos);
            // Terms of one combination must share a sentence: "the Zionist lobby. Rats are
            // everywhere" is two statements, not one.
            let sentence = |pos: usize| sentence_starts.partition_point(|&b| b <= pos);
            let mut used = vec![false; hits.len()];
            let mut found: Vec<(usize, usize, String)> = Vec::new();
            for (ai, a) in hits.iter().enumerate() {
                let a_we = word(a.end - 1);
                let mut chosen = vec![ai];
                let mut ok = true;
                for g in 0..rule.near_groups as u16 {
                    if g == a.group {
                        continue;
                    }
                    let pick = hits.iter().enumerate().find(|(_, b)| {
                        b.group == g
                            && sentence(b.start) == sentence(a.start)
                            && !overlaps(a.start, a.end, b.start, b.end)
                            && word(b.end - 1) >= a_we
                            && word(b.start) <= a_we + rule.near_within
                    });
                    match pick {
                        Some((bi, _)) => chosen.push(bi),
                        None => {
                            ok = false;
                            break;
                        }
                    }
                }
                if !ok {
                    continue;
                }
                for &c in &chosen {
                    used[c] = true;
                }
                chosen.sort_by_key(|&c| hits[c].start);
                let start = chosen
                    .iter()
                    .map(|&c| hits[c].start)
                    .min()
                    .unwrap_or(a.start);
                let end = chosen.iter().map(|&c| hits[c].end).max().unwrap_or(a.end);
                let term = chosen
                    .iter()
                    .map(|&c| hits[c].display.as_ref())
                    .collect::<Vec<_>>()
                    .join(" ~ ");
                if !found.iter().any(|f| f.0 == start && f.1 == end) {
                    found.push((start, end, term));
                }
            }
            if let Some(traces) = trace.as_mut() {
                for (h, used) in hits.iter().zip(&used) {
                    traces.push(Trace {
                        profile: pi,
                        rule: rule_no,
                        kind: "near",
                        term: h.display.to_string(),
                        norm_span: (h.start, h.end),
                        span: norm.original_span(h.start, h.end),
                        verdict: if *used {
                            Verdict::Confirmed
                        } else {
                            Verdict::NearNotSatisfied
                        },
                    });
                }
            }
            for (start, end, term) in found {
                cands.push(Cand {
                    rule: rule_no,
                    kind: "near",
                    start,
                    end,
                    term,
                });
            }
            i = j;
        }
    }
}

/// Widen a prefix match to the end of its word and a suffix match to the start of its word.
fn extend_to_word(text: &str, mut start: usize, mut end: usize, mode: TermMode) -> (usize, usize) {
    match mode {
        TermMode::Prefix => {
            while let Some(c) = char_after(text, end).filter(|c| normalize::is_word_char(*c)) {
                end += c.len_utf8();
            }
        }
        TermMode::Suffix => {
            while let Some(c) = char_before(text, start).filter(|c| normalize::is_word_char(*c)) {
                start -= c.len_utf8();
            }
        }
        TermMode::Word => {}
    }
    (start, end)
}

/// Where sentences start in normalised text: after `.`, `!` or `?` followed by white space,
/// and after a blank line (paragraphs). Only texts with `near` candidates pay for this.
fn sentence_starts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for i in 1..b.len() {
        let prev = b[i - 1];
        let ends_sentence = matches!(prev, b'.' | b'!' | b'?') && b[i].is_ascii_whitespace();
        let blank_line = b[i] == b'\n'
            && b[..i]
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_whitespace())
                .any(|&c| c == b'\n');
        if ends_sentence || blank_line {
            out.push(i);
        }
    }
    out
}

fn overlaps(a0: usize, a1: usize, b0: usize, b1: usize) -> bool {
    a0 < b1 && b0 < a1
}

fn ensure_word_starts(norm: &Normalized, starts: &mut Vec<usize>) {
    if !starts.is_empty() {
        return;
    }
    let mut prev_word = false;
    for (i, c) in norm.text.char_indices() {
        let w = normalize::is_word_char(c);
        if w && !prev_word {
            starts.push(i);
        }
        prev_word = w;
    }
    // Keep the vector non-empty so a text without words is not rescanned.
    if starts.is_empty() {
        starts.push(0);
    }
}

/// Index of the word containing (or last word before) byte `pos`.
fn word_index(starts: &[usize], pos: usize) -> usize {
    starts.partition_point(|&s| s <= pos).saturating_sub(1)
}

/// Words from the end of the earlier span to the start of the later one (adjacent words are
/// 1 apart, overlapping spans 0).
fn word_distance(starts: &[usize], a: (usize, usize), b: (usize, usize)) -> usize {
    if overlaps(a.0, a.1, b.0, b.1) {
        return 0;
    }
    let (first, second) = if a.0 <= b.0 { (a, b) } else { (b, a) };
    word_index(starts, second.0).saturating_sub(word_index(starts, first.1.saturating_sub(1)))
}

/// Candidates where censor marks stand for letters ("f*ck"): each censored token is compared
/// with the pattern words of the same length, then the whole pattern is compared from there.
fn censor_hits(
    pm: &super::build::ProfileMatcher,
    norm: &Normalized,
    token: &mut Vec<char>,
    hits: &mut Vec<Hit>,
) {
    let text = norm.text.as_str();
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if !(normalize::is_word_char(c) || c == CENSOR_MARK) {
            continue;
        }
        token.clear();
        token.push(c);
        while let Some(&(_, d)) = iter.peek() {
            if normalize::is_word_char(d) || d == CENSOR_MARK {
                token.push(d);
                iter.next();
            } else {
                break;
            }
        }
        let Some((a, b)) = censored_token(token, |c| *c == CENSOR_MARK) else {
            continue;
        };
        if !token[a..b].contains(&CENSOR_MARK) {
            continue;
        }
        let tok_start = i + token[..a].iter().map(|c| c.len_utf8()).sum::<usize>();
        // Letters of the token with repeats expanded, as the index counts them.
        let mut letters = 0usize;
        let mut pos = tok_start;
        for ch in &token[a..b] {
            letters += norm.run_at(pos) as usize;
            pos += ch.len_utf8();
        }
        let Some(entries) = pm.censor_words.get(&letters) else {
            continue;
        };
        for &(p, off, _len) in entries {
            let Some(start) = tok_start.checked_sub(off as usize) else {
                continue;
            };
            if !text.is_char_boundary(start) {
                continue;
            }
            let pattern = &pm.patterns[p as usize];
            if let Some(end) = wild_match(norm, start, pattern) {
                for u in 0..pattern.uses.len() {
                    hits.push(Hit {
                        pattern: p,
                        use_idx: u as u32,
                        start,
                        end,
                        wild: true,
                    });
                }
            }
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Confirmed => f.write_str("confirmed"),
            Verdict::Boundary => f.write_str("rejected: word boundary"),
            Verdict::Repeats => f.write_str("rejected: repeated letters do not fit the term"),
            Verdict::Scope => f.write_str("rejected: rule scope does not include this target"),
            Verdict::Unless(p) => write!(f, "rejected: exception `{p}` (unless)"),
            Verdict::NearNotSatisfied => {
                f.write_str("rejected: near not satisfied (no partner close enough)")
            }
            Verdict::RegexNoMatch => {
                f.write_str("rejected: regex literal found, regex did not match")
            }
            Verdict::Trigger => f.write_str("found (acts on other candidates)"),
            Verdict::Quote => f.write_str("rejected: inside a quote (quoted: ignore)"),
        }
    }
}
