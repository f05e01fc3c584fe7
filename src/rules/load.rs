//! The rule-file loader: YAML text -> [`RuleSet`] plus every problem found, each with
//! `origin:line:col` and a stable code.
//!
//! It owns the rule-file format (which keys exist, their types and defaults, the term syntax,
//! group expansion) and the checks that need the file's positions. It must not match text:
//! what a rule finds is the engine's business. It never panics on any input; anything it
//! cannot make sense of becomes a diagnostic.

use super::model::*;
use super::Checks;
use super::{Diagnostic, Level};
use crate::finding::{Category, Severity, Target};
use crate::normalize::{is_word_char, Normalized, Normalizer, Profile};
use crate::yaml::{self, Located, Node};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Keys a set (the top of a file) may have.
pub const SET_KEYS: [&str; 7] = [
    "set",
    "description",
    "category",
    "normalize",
    "references",
    "groups",
    "rules",
];

/// Keys a rule may have.
pub const RULE_KEYS: [&str; 16] = [
    "id",
    "category",
    "severity",
    "summary",
    "why",
    "references",
    "terms",
    "near",
    "regex",
    "unless",
    "unless-within",
    "scope",
    "quoted",
    "normalize",
    "match",
    "no-match",
];

/// Keys of a rule's `near:` mapping.
pub const NEAR_KEYS: [&str; 2] = ["within", "groups"];

/// Normalisation presets a rule file may name (the steps are `Profile::STEP_NAMES`).
pub const PRESETS: [&str; 3] = ["none", "plain", "strict"];

/// Values of `quoted:`.
pub const QUOTED: [&str; 3] = ["report", "count", "ignore"];

/// A stem or word ending this short (in characters) matches too many ordinary words.
pub const SHORT_AFFIX: usize = 3;

/// The size limit for one compiled rule regex: the engine's, so lint rejects exactly the
/// regexes the engine would refuse to build.
pub use crate::engine::REGEX_SIZE_LIMIT;

/// Every diagnostic code, its level and what it means; the format reference's table is
/// checked against this list.
pub const CODES: &[(&str, Level, &str)] = &[
    ("cannot-read", Level::Error, "a path given on the command line does not exist or cannot be read"),
    ("yaml-syntax", Level::Error, "the file is not valid YAML"),
    ("invalid-type", Level::Error, "a key's value has the wrong type (for example a string where a list is expected)"),
    ("invalid-value", Level::Error, "a value is out of range: an empty scope, `near` with fewer than two groups or `within: 0`, an unknown `quoted` policy"),
    ("unknown-key", Level::Error, "a key the format does not define (often a typo)"),
    ("missing-key", Level::Error, "a required key is absent (`rules`, a rule's `id`, `severity`, `summary`, `category` when the set has none); a warning for a missing `why`"),
    ("unknown-category", Level::Error, "a category other than slur, antisemitism, unverified-claim, profanity, insult"),
    ("unknown-severity", Level::Error, "a severity other than low, medium, high, critical"),
    ("unknown-scope", Level::Error, "a scope other than body, name, article"),
    ("unknown-normalization", Level::Error, "a preset or step name that does not exist"),
    ("invalid-id", Level::Error, "a set, rule or group name outside `[a-z0-9-]+`"),
    ("duplicate-rule-id", Level::Error, "two rules in one set share an id"),
    ("duplicate-set", Level::Error, "two loaded files declare the same set name"),
    ("unknown-group", Level::Error, "`@name` refers to a group the set does not declare"),
    ("unused-group", Level::Warning, "a declared group that no rule uses"),
    ("no-matcher", Level::Error, "a rule with none of `terms`, `near`, `regex`"),
    ("invalid-regex", Level::Error, "the regex does not compile, or is over the size limit"),
    ("invalid-term", Level::Error, "a term with `*` at both ends, or a group that refers to another group"),
    ("empty-term", Level::Error, "an empty term, group or `unless` phrase"),
    ("duplicate-term", Level::Warning, "the same term twice in one rule (after group expansion)"),
    ("term-changed-by-normalization", Level::Warning, "normalisation removes the term or `unless` phrase, rewrites its spelling beyond case and doubled letters (`sh1t` becomes `shit`), or changes it differently inside a text, so as written it can never match"),
    ("short-term-without-boundary", Level::Warning, "a stem or word ending of 3 characters or fewer (`ass*`), which matches inside many ordinary words"),
    ("unless-never-overlaps", Level::Warning, "with `unless-within: 0`, an `unless` phrase that no match of the rule's terms can overlap, so it never cancels anything"),
    ("missing-examples", Level::Warning, "a rule without a `match` or without a `no-match` example"),
];

/// Parse one rule file. Returns the set when it has no errors, and every problem found.
pub fn load_str(origin: &str, text: &str) -> (Option<RuleSet>, Vec<Diagnostic>) {
    load_str_with(origin, text, Checks::Lint)
}

/// [`load_str`] with a choice of how much to check.
pub fn load_str_with(
    origin: &str,
    text: &str,
    checks: Checks,
) -> (Option<RuleSet>, Vec<Diagnostic>) {
    let mut cx = Cx {
        origin,
        diags: Vec::new(),
        norm: Norm::default(),
        checks,
    };
    let root = match yaml::parse_located(text) {
        Ok(root) => root,
        Err(err) => {
            cx.push(
                err.line,
                err.column,
                Level::Error,
                "yaml-syntax",
                err.message,
            );
            return (None, cx.diags);
        }
    };
    let set = cx.set(&root, text);
    let errors = cx.diags.iter().any(|d| d.level == Level::Error);
    cx.diags.sort_by_key(|d| (d.line, d.column));
    // A group's term is checked once per rule that uses it; say it once.
    cx.diags.dedup();
    (if errors { None } else { set }, cx.diags)
}

/// The set name a file gets when it has no `set:` key: its file stem.
pub fn stem_of(origin: &str) -> &str {
    let file = origin.rsplit(['/', '\\']).next().unwrap_or(origin);
    file.rsplit_once('.').map_or(file, |(stem, _)| stem)
}

pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

struct Cx<'a> {
    origin: &'a str,
    diags: Vec<Diagnostic>,
    norm: Norm,
    checks: Checks,
}

/// Normalisation for the term checks, with buffers reused across terms: a set of 100,000
/// terms is normalised several times over, and fresh buffers each time dominated load time.
#[derive(Default)]
struct Norm {
    normalizer: Normalizer,
    out: Normalized,
}

impl Norm {
    fn text(&mut self, text: &str, profile: Profile) -> String {
        self.normalizer.normalize_into(text, profile, &mut self.out);
        self.out.text.clone()
    }

    /// Whether normalisation makes a term (or `unless` phrase) unmatchable as written, and how.
    ///
    /// The engine normalises terms and texts with the same function, so a term that only
    /// changes case or doubled letters ("Occupied" -> "ocupied") still matches. Reported: a
    /// term that normalisation removes entirely (invisible characters only); a disguised
    /// spelling that a step rewrites ("sh1t" -> "shit", see [`Norm::rewritten_spelling`]); and
    /// a term that normalises differently inside a sentence than on its own (a token step that
    /// depends on the neighbouring characters), so the normalised term is not found where it
    /// was written.
    fn never_matches_as_written(
        &mut self,
        text: &str,
        mode: TermMode,
        profile: Profile,
    ) -> Option<String> {
        let normalized = self.text(text, profile);
        if normalized.trim().is_empty() {
            return Some("is removed entirely by normalisation, so it can never match".into());
        }
        if let Some(spelling) = self.rewritten_spelling(text, profile) {
            return Some(format!(
                "becomes {spelling:?} after normalisation, so it can never match as written; write {spelling:?}"
            ));
        }
        // Character steps map one character at a time; only token steps see the neighbours.
        if !(profile.leet || profile.separators || profile.repeats || profile.censor) {
            return None;
        }
        let sentence = self.text(&format!("said {text} said"), profile);
        let word = |c: Option<char>| c.is_some_and(is_word_char);
        let found = sentence.match_indices(normalized.as_str()).any(|(i, m)| {
            let before = sentence[..i].chars().next_back();
            let after = sentence[i + m.len()..].chars().next();
            let starts = !word(before) || mode == TermMode::Suffix;
            let ends = !word(after) || mode == TermMode::Prefix;
            starts && ends
        });
        (!found).then(|| {
            format!(
                "becomes {normalized:?} after normalisation, but written in a text it normalises to {sentence:?}, so it can never match as written"
            )
        })
    }

    /// The normalised spelling of a term or phrase when normalisation rewrites it beyond case.
    ///
    /// The engine normalises terms and text alike, so a term still finds its text; what can
    /// never appear in normalised text is the term's own spelling when a step rewrites it
    /// ("sh1t" becomes "shit", "ﬁsh" becomes "fish"), which usually means the author meant
    /// something else. Case is not a rewrite worth a warning, and neither are collapsed double
    /// letters: "occupied" is stored as "ocupied" internally, an implementation detail.
    fn rewritten_spelling(&mut self, text: &str, profile: Profile) -> Option<String> {
        if text.is_empty() {
            return None;
        }
        let normalized = self.text(
            text,
            Profile {
                repeats: false,
                ..profile
            },
        );
        // Case, apostrophes and accents are not rewrites of the word either.
        let as_written = crate::normalize::spelling_fold(text, profile);
        (normalized != as_written).then_some(normalized)
    }
}

/// Declared groups: name -> (where the name is written, its terms).
type Groups = BTreeMap<String, (Located, Vec<Term>)>;

/// A mapping's entries by key, after checking for unknown keys.
type Entries<'n> = BTreeMap<&'n str, (&'n Located, &'n Located)>;

impl Cx<'_> {
    fn push(
        &mut self,
        line: usize,
        column: usize,
        level: Level,
        code: &'static str,
        message: String,
    ) {
        self.diags.push(Diagnostic {
            origin: self.origin.to_string(),
            line,
            column,
            level,
            code,
            message,
        });
    }

    fn err(&mut self, at: &Located, code: &'static str, message: String) {
        self.push(at.line, at.column, Level::Error, code, message);
    }

    fn warn(&mut self, at: &Located, code: &'static str, message: String) {
        self.push(at.line, at.column, Level::Warning, code, message);
    }

    fn wrong_type(&mut self, at: &Located, key: &str, expected: &str) {
        self.err(
            at,
            "invalid-type",
            format!("`{key}` must be {expected}, found {}", at.node.kind()),
        );
    }

    /// The entries of a mapping; unknown keys are reported (with the closest known key).
    fn entries<'n>(&mut self, map: &'n Located, known: &[&str], what: &str) -> Entries<'n> {
        let mut out = BTreeMap::new();
        let Node::Map(entries) = &map.node else {
            return out;
        };
        for (k, v) in entries {
            let Node::String(name) = &k.node else {
                continue;
            };
            if known.contains(&name.as_str()) {
                out.insert(name.as_str(), (k, v));
            } else {
                let hint = closest(name, known)
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                self.err(
                    k,
                    "unknown-key",
                    format!("unknown key `{name}` in {what}{hint}"),
                );
            }
        }
        out
    }

    fn string(&mut self, entries: &Entries, key: &str) -> Option<(String, Located)> {
        let (_, v) = entries.get(key)?;
        match &v.node {
            Node::String(s) => Some((s.clone(), (*v).clone())),
            // Numbers and booleans are fine as text ("summary: 1984").
            Node::Number(s) => Some((s.clone(), (*v).clone())),
            Node::Bool(b) => Some((b.to_string(), (*v).clone())),
            _ => {
                self.wrong_type(v, key, "a string");
                None
            }
        }
    }

    /// A list of strings with their positions; a non-string item is reported.
    fn strings(&mut self, entries: &Entries, key: &str) -> Vec<(String, Located)> {
        let Some((_, v)) = entries.get(key) else {
            return Vec::new();
        };
        self.string_list(v, key)
    }

    fn string_list(&mut self, v: &Located, key: &str) -> Vec<(String, Located)> {
        match &v.node {
            Node::Seq(items) => items
                .iter()
                .filter_map(|item| match &item.node {
                    Node::String(s) | Node::Number(s) => Some((s.clone(), item.clone())),
                    _ => {
                        self.wrong_type(item, key, "a list of strings");
                        None
                    }
                })
                .collect(),
            Node::Null => Vec::new(),
            _ => {
                self.wrong_type(v, key, "a list of strings");
                Vec::new()
            }
        }
    }

    fn count(&mut self, entries: &Entries, key: &str) -> Option<(usize, Located)> {
        let (_, v) = entries.get(key)?;
        match &v.node {
            Node::Number(n) => match n.parse::<usize>() {
                Ok(n) => Some((n, (*v).clone())),
                Err(_) => {
                    self.wrong_type(v, key, "a whole number, 0 or more");
                    None
                }
            },
            _ => {
                self.wrong_type(v, key, "a whole number, 0 or more");
                None
            }
        }
    }

    fn category(&mut self, entries: &Entries) -> Option<Category> {
        let (name, at) = self.string(entries, "category")?;
        match name.parse::<Category>() {
            Ok(c) => Some(c),
            Err(msg) => {
                self.err(&at, "unknown-category", msg);
                None
            }
        }
    }

    /// `normalize:` as a preset name or a list of steps. `Err(())` when it was present but bad.
    fn normalize(&mut self, entries: &Entries) -> Result<Option<Profile>, ()> {
        let Some((_, v)) = entries.get("normalize") else {
            return Ok(None);
        };
        let unknown = |name: &str| {
            format!(
                "unknown normalisation `{name}` (expected a preset: {}, or a list of steps: {})",
                PRESETS.join(", "),
                Profile::STEP_NAMES.join(", ")
            )
        };
        match &v.node {
            Node::String(name) => {
                if PRESETS.contains(&name.as_str()) {
                    Ok(Some(Profile::preset(name).unwrap_or_default()))
                } else {
                    self.err(v, "unknown-normalization", unknown(name));
                    Err(())
                }
            }
            Node::Seq(_) => {
                let mut profile = Profile::default();
                let mut ok = true;
                for (step, at) in self.string_list(v, "normalize") {
                    if Profile::STEP_NAMES.contains(&step.as_str()) {
                        profile.set_step(&step);
                    } else {
                        self.err(&at, "unknown-normalization", unknown(&step));
                        ok = false;
                    }
                }
                if ok {
                    Ok(Some(profile))
                } else {
                    Err(())
                }
            }
            _ => {
                self.wrong_type(v, "normalize", "a preset name or a list of steps");
                Err(())
            }
        }
    }

    fn set(&mut self, root: &Located, text: &str) -> Option<RuleSet> {
        if !matches!(root.node, Node::Map(_)) {
            self.wrong_type(root, "the file", "a mapping with a `rules:` list");
            return None;
        }
        let top = self.entries(root, &SET_KEYS, "the set");
        let name = match self.string(&top, "set") {
            Some((name, at)) => {
                if !valid_id(&name) {
                    self.err(
                        &at,
                        "invalid-id",
                        format!("set name `{name}` must match [a-z0-9-]+"),
                    );
                }
                name
            }
            None => {
                let stem = stem_of(self.origin).to_string();
                if !valid_id(&stem) {
                    self.push(
                        1,
                        1,
                        Level::Error,
                        "invalid-id",
                        format!("the file name gives the set name `{stem}`, which does not match [a-z0-9-]+; add `set: NAME`"),
                    );
                }
                stem
            }
        };
        let description = self.string(&top, "description").map(|s| s.0);
        let set_category = self.category(&top);
        let set_category_given = top.contains_key("category");
        let set_normalize = self.normalize(&top).unwrap_or(None);
        let references = self
            .strings(&top, "references")
            .into_iter()
            .map(|s| s.0)
            .collect();
        let groups = self.groups(&top);
        let mut used_groups = HashSet::new();

        let mut rules = Vec::new();
        match top.get("rules") {
            None => self.push(
                root.line,
                root.column,
                Level::Error,
                "missing-key",
                "the set has no `rules:` list".into(),
            ),
            Some((_, v)) => match &v.node {
                Node::Seq(items) => {
                    let mut seen: HashMap<String, usize> = HashMap::new();
                    for item in items {
                        let defaults = Defaults {
                            set: &name,
                            category: set_category,
                            category_given: set_category_given,
                            normalize: set_normalize,
                            groups: &groups,
                        };
                        let Some((rule, id_at)) = self.rule(item, &defaults, &mut used_groups)
                        else {
                            continue;
                        };
                        if let Some(first) = seen.get(&rule.id) {
                            self.err(
                                &id_at,
                                "duplicate-rule-id",
                                format!("rule id `{}` is already used on line {first}", rule.id),
                            );
                        } else {
                            seen.insert(rule.id.clone(), rule.line);
                        }
                        rules.push(rule);
                    }
                }
                _ => self.wrong_type(v, "rules", "a list of rules"),
            },
        }
        for (group, (at, _)) in &groups {
            if !used_groups.contains(group.as_str()) {
                self.warn(
                    at,
                    "unused-group",
                    format!("group `{group}` is not used by any rule"),
                );
            }
        }
        Some(RuleSet {
            name,
            origin: self.origin.to_string(),
            source: text.to_string(),
            description: description.unwrap_or_default(),
            references,
            rules,
        })
    }

    /// Declared groups: name -> (position of the name, terms).
    fn groups(&mut self, top: &Entries) -> Groups {
        let mut out = BTreeMap::new();
        let Some((_, v)) = top.get("groups") else {
            return out;
        };
        let Node::Map(entries) = &v.node else {
            self.wrong_type(v, "groups", "a mapping of group names to term lists");
            return out;
        };
        for (k, list) in entries {
            let Node::String(name) = &k.node else {
                continue;
            };
            if !valid_id(name) {
                self.err(
                    k,
                    "invalid-id",
                    format!("group name `{name}` must match [a-z0-9-]+"),
                );
            }
            let mut terms = Vec::new();
            for (text, at) in self.string_list(list, "a group") {
                if text.trim_start().starts_with('@') {
                    self.err(
                        &at,
                        "invalid-term",
                        format!(
                            "group `{name}` refers to `{}`; groups cannot contain other groups",
                            text.trim()
                        ),
                    );
                    continue;
                }
                if let Some(term) = self.term(&text, &at) {
                    terms.push(term);
                }
            }
            if terms.is_empty() && matches!(list.node, Node::Seq(_) | Node::Null) {
                self.err(k, "empty-term", format!("group `{name}` has no terms"));
            }
            out.insert(name.clone(), ((*k).clone(), terms));
        }
        out
    }

    /// Parse one term: `word`, `stem*`, `*ending`.
    fn term(&mut self, text: &str, at: &Located) -> Option<Term> {
        let t = text.trim();
        let (body, mode) = match (t.strip_prefix('*'), t.strip_suffix('*')) {
            (Some(_), Some(_)) if t.len() > 1 => {
                self.err(
                    at,
                    "invalid-term",
                    format!(
                        "term `{t}` has `*` at both ends; a term is a word, `stem*` or `*ending`"
                    ),
                );
                return None;
            }
            (Some(rest), _) => (rest, TermMode::Suffix),
            (_, Some(rest)) => (rest, TermMode::Prefix),
            _ => (t, TermMode::Word),
        };
        let body = body.trim();
        if body.is_empty() {
            self.err(at, "empty-term", format!("empty term `{t}`"));
            return None;
        }
        Some(Term {
            text: body.to_string(),
            mode,
            line: at.line,
            column: at.column,
        })
    }

    /// A list of terms with `@group` references expanded. A term listed twice (directly or
    /// through a group) is reported where the second one is written.
    fn term_list(
        &mut self,
        items: Vec<(String, Located)>,
        groups: &Groups,
        used: &mut HashSet<String>,
    ) -> Vec<Term> {
        let mut out: Vec<Term> = Vec::new();
        let mut seen: HashMap<(String, TermMode), (usize, usize), crate::FastHash> =
            HashMap::default();
        let mut add = |cx: &mut Self, term: Term, at: &Located, via: Option<&str>| {
            let key = (term.text.to_lowercase(), term.mode);
            if let Some(first) = seen.get(&key) {
                let via = via.map(|g| format!(" (from `@{g}`)")).unwrap_or_default();
                cx.warn(
                    at,
                    "duplicate-term",
                    format!(
                        "term `{}`{via} is already listed at {}:{}",
                        display_term(&term),
                        first.0,
                        first.1
                    ),
                );
            } else {
                seen.insert(key, (at.line, at.column));
                out.push(term);
            }
        };
        for (text, at) in items {
            if let Some(group) = text.trim().strip_prefix('@') {
                match groups.get(group) {
                    Some((_, terms)) => {
                        used.insert(group.to_string());
                        for t in terms {
                            add(self, t.clone(), &at, Some(group));
                        }
                    }
                    None => {
                        let hint = closest(
                            group,
                            &groups.keys().map(String::as_str).collect::<Vec<_>>(),
                        )
                        .map(|c| format!("; did you mean `@{c}`?"))
                        .unwrap_or_default();
                        self.err(
                            &at,
                            "unknown-group",
                            format!("unknown group `@{group}`{hint}"),
                        );
                    }
                }
            } else if let Some(term) = self.term(&text, &at) {
                add(self, term, &at, None);
            }
        }
        out
    }

    fn rule(
        &mut self,
        item: &Located,
        d: &Defaults,
        used: &mut HashSet<String>,
    ) -> Option<(Rule, Located)> {
        if !matches!(item.node, Node::Map(_)) {
            self.wrong_type(item, "a rule", "a mapping");
            return None;
        }
        let e = self.entries(item, &RULE_KEYS, "a rule");
        let (id, id_at) = match self.string(&e, "id") {
            Some((id, at)) => {
                if !valid_id(&id) {
                    self.err(
                        &at,
                        "invalid-id",
                        format!("rule id `{id}` must match [a-z0-9-]+"),
                    );
                }
                (id, at)
            }
            None => {
                if !e.contains_key("id") {
                    self.err(item, "missing-key", "rule has no `id`".into());
                }
                (String::new(), item.clone())
            }
        };
        let label = if id.is_empty() {
            "rule".to_string()
        } else {
            format!("rule `{id}`")
        };
        let missing = |cx: &mut Self, key: &str| {
            if !e.contains_key(key) {
                cx.err(&id_at, "missing-key", format!("{label} has no `{key}`"));
            }
        };
        missing(self, "severity");
        missing(self, "summary");
        if !e.contains_key("why") {
            self.warn(
                &id_at,
                "missing-key",
                format!("{label} has no `why`: say why it matters"),
            );
        }
        let category = match self.category(&e) {
            Some(c) => Some(c),
            None if e.contains_key("category") => None,
            None => {
                if d.category.is_none() && !d.category_given {
                    self.err(
                        &id_at,
                        "missing-key",
                        format!("{label} has no `category` and the set declares none"),
                    );
                }
                d.category
            }
        };
        let severity =
            self.string(&e, "severity")
                .and_then(|(s, at)| match s.parse::<Severity>() {
                    Ok(s) => Some(s),
                    Err(msg) => {
                        self.err(&at, "unknown-severity", msg);
                        None
                    }
                });
        let summary = self.string(&e, "summary").map(|s| s.0).unwrap_or_default();
        let why = self.string(&e, "why").map(|s| s.0).unwrap_or_default();
        let references = self
            .strings(&e, "references")
            .into_iter()
            .map(|s| s.0)
            .collect();

        let items = self.strings(&e, "terms");
        if let Some((_, v)) = e.get("terms") {
            if matches!(v.node, Node::Null) || matches!(v.node, Node::Seq(ref s) if s.is_empty()) {
                self.err(
                    v,
                    "empty-term",
                    format!("{label} has an empty `terms` list"),
                );
            }
        }
        let terms = self.term_list(items, d.groups, used);
        let near = self.near(&e, d, used);
        let regex = self.regex(&e);
        if !e.contains_key("terms") && !e.contains_key("near") && !e.contains_key("regex") {
            self.err(
                &id_at,
                "no-matcher",
                format!("{label} has none of `terms`, `near`, `regex`, so it can never match"),
            );
        }

        let unless = self.strings(&e, "unless");
        for (phrase, at) in &unless {
            if phrase.trim().is_empty() {
                self.err(at, "empty-term", "empty `unless` phrase".into());
            }
        }
        let unless_within = self.count(&e, "unless-within").map_or(0, |c| c.0);

        let mut scope = Vec::new();
        if let Some((_, v)) = e.get("scope") {
            let list = self.string_list(v, "scope");
            if list.is_empty() && matches!(v.node, Node::Seq(_) | Node::Null) {
                self.err(
                    v,
                    "invalid-value",
                    format!("{label} has an empty `scope`; leave it out for [body]"),
                );
            }
            for (s, at) in list {
                match s.parse::<Target>() {
                    Ok(t) if !scope.contains(&t) => scope.push(t),
                    Ok(_) => {}
                    Err(msg) => self.err(&at, "unknown-scope", msg),
                }
            }
        } else {
            scope.push(Target::Body);
        }
        let quoted = match self.string(&e, "quoted") {
            None => QuotedPolicy::Report,
            Some((s, at)) => match s.as_str() {
                "report" => QuotedPolicy::Report,
                "count" => QuotedPolicy::Count,
                "ignore" => QuotedPolicy::Ignore,
                _ => {
                    self.err(
                        &at,
                        "invalid-value",
                        format!("unknown quoted policy `{s}` (expected report, count or ignore)"),
                    );
                    QuotedPolicy::Report
                }
            },
        };
        let normalize = match self.normalize(&e) {
            Ok(Some(p)) => p,
            Ok(None) | Err(()) => d
                .normalize
                .unwrap_or_else(|| Profile::default_for(category.unwrap_or(Category::Insult))),
        };
        let examples = |cx: &mut Self, key: &str| -> Vec<Example> {
            cx.strings(&e, key)
                .into_iter()
                .map(|(text, at)| Example {
                    text,
                    line: at.line,
                })
                .collect()
        };
        let examples_match = examples(self, "match");
        let examples_no_match = examples(self, "no-match");

        // Quality checks: warnings that the rule may not do what its author thinks. They are
        // `rules lint`'s job; a command that only uses the rules skips them (they normalise
        // every term several times over and would dominate start-up).
        if self.checks == Checks::Lint {
            let all_terms: Vec<&Term> = terms
                .iter()
                .chain(near.iter().flat_map(|n| n.groups.iter().flatten()))
                .collect();
            self.check_terms(&terms, normalize);
            if let Some(n) = &near {
                for g in &n.groups {
                    self.check_terms(g, normalize);
                }
            }
            for (phrase, at) in &unless {
                let phrase = phrase.trim();
                if phrase.is_empty() {
                    continue; // already an `empty-term` error
                }
                if let Some(problem) =
                    self.norm
                        .never_matches_as_written(phrase, TermMode::Word, normalize)
                {
                    self.warn(
                        at,
                        "term-changed-by-normalization",
                        format!("`unless` phrase {phrase:?} {problem}"),
                    );
                }
            }
            if unless_within == 0 && regex.is_none() && !all_terms.is_empty() && !unless.is_empty()
            {
                let normalized: Vec<(String, TermMode)> = all_terms
                    .iter()
                    .map(|t| (self.norm.text(&t.text, normalize), t.mode))
                    .collect();
                for (phrase, at) in &unless {
                    let p = self.norm.text(phrase.trim(), normalize);
                    if !p.trim().is_empty()
                        && !normalized.iter().any(|(t, mode)| can_overlap(&p, t, *mode))
                    {
                        self.warn(
                            at,
                            "unless-never-overlaps",
                            format!("`unless` phrase `{}` cannot overlap any match of {label} (no term of the rule can match inside or across it), so with `unless-within: 0` it never cancels anything; set `unless-within` or remove it", phrase.trim()),
                        );
                    }
                }
            }
            if examples_match.is_empty() || examples_no_match.is_empty() {
                let which = match (examples_match.is_empty(), examples_no_match.is_empty()) {
                    (true, true) => "`match` and `no-match` examples",
                    (true, false) => "`match` example",
                    _ => "`no-match` example",
                };
                self.warn(
                    &id_at,
                    "missing-examples",
                    format!("{label} has no {which}"),
                );
            }
        }

        let rule = Rule {
            full_id: format!("{}/{}", d.set, id),
            id,
            line: id_at.line,
            category: category.unwrap_or(Category::Insult),
            severity: severity.unwrap_or(Severity::Low),
            summary,
            why,
            references,
            terms,
            near,
            regex,
            unless: unless
                .into_iter()
                .map(|(p, _)| p.trim().to_string())
                .collect(),
            unless_within,
            scope,
            quoted,
            normalize,
            examples_match,
            examples_no_match,
        };
        Some((rule, id_at))
    }

    fn check_terms(&mut self, terms: &[Term], profile: Profile) {
        for t in terms {
            let at = Located {
                line: t.line,
                column: t.column,
                node: Node::Null,
            };
            let written = display_term(t);
            if let Some(problem) = self.norm.never_matches_as_written(&t.text, t.mode, profile) {
                self.warn(
                    &at,
                    "term-changed-by-normalization",
                    format!("term {written:?} {problem}"),
                );
            }
            if t.mode != TermMode::Word && t.text.chars().count() <= SHORT_AFFIX {
                self.warn(
                    &at,
                    "short-term-without-boundary",
                    format!("`{written}` is a {}-character {}: it matches inside many ordinary words; list whole words instead", t.text.chars().count(), if t.mode == TermMode::Prefix { "stem" } else { "word ending" }),
                );
            }
        }
    }

    fn near(&mut self, e: &Entries, d: &Defaults, used: &mut HashSet<String>) -> Option<Near> {
        let (key, v) = e.get("near")?;
        if !matches!(v.node, Node::Map(_)) {
            self.wrong_type(v, "near", "a mapping with `within` and `groups`");
            return None;
        }
        let ne = self.entries(v, &NEAR_KEYS, "`near`");
        let within = self.count(&ne, "within");
        if !ne.contains_key("within") {
            self.err(
                v,
                "missing-key",
                "`near` has no `within` (how many words apart)".into(),
            );
        }
        if let Some((0, at)) = &within {
            self.err(
                at,
                "invalid-value",
                "`near.within` must be 1 or more".into(),
            );
        }
        let mut groups = Vec::new();
        match ne.get("groups") {
            None => self.err(v, "missing-key", "`near` has no `groups`".into()),
            Some((_, gv)) => match &gv.node {
                Node::Seq(items) => {
                    for item in items {
                        let terms = match &item.node {
                            Node::String(s) => {
                                self.term_list(vec![(s.clone(), item.clone())], d.groups, used)
                            }
                            Node::Seq(_) => {
                                let list = self.string_list(item, "a `near` group");
                                if list.is_empty() {
                                    self.err(item, "empty-term", "empty `near` group".into());
                                }
                                self.term_list(list, d.groups, used)
                            }
                            _ => {
                                self.wrong_type(
                                    item,
                                    "a `near` group",
                                    "`@group` or a list of terms",
                                );
                                Vec::new()
                            }
                        };
                        groups.push(terms);
                    }
                    if items.len() < 2 {
                        self.err(
                            gv,
                            "invalid-value",
                            "`near.groups` needs at least two groups".into(),
                        );
                    }
                }
                _ => self.wrong_type(gv, "near.groups", "a list of groups"),
            },
        }
        Some(Near {
            groups,
            within: within.map_or(0, |w| w.0),
            line: key.line,
        })
    }

    fn regex(&mut self, e: &Entries) -> Option<RegexSpec> {
        let (pattern, at) = self.string(e, "regex")?;
        // Outside lint, only the syntax is checked here (translating Unicode classes is most
        // of a parse's cost); the engine reports anything else when it compiles the regex.
        let parsed = if self.checks == Checks::Lint {
            regex_syntax::Parser::new().parse(&pattern).map(|_| ())
        } else {
            regex_syntax::ast::parse::Parser::new()
                .parse(&pattern)
                .map(|_| ())
                .map_err(regex_syntax::Error::Parse)
        };
        if let Err(err) = parsed {
            let (kind, offset) = match &err {
                regex_syntax::Error::Parse(e) => (e.kind().to_string(), e.span().start.column),
                regex_syntax::Error::Translate(e) => (e.kind().to_string(), e.span().start.column),
                other => (other.to_string(), 1),
            };
            self.err(
                &at,
                "invalid-regex",
                format!("regex does not compile: {kind} (at character {offset} of the pattern)"),
            );
            return None;
        }
        // Whether the compiled program fits the engine's size limits is only known by
        // compiling it; the engine compiles every regex anyway and reports the same error with
        // this position, so only lint pays for a second compilation.
        if self.checks != Checks::Lint {
            return Some(RegexSpec {
                pattern,
                line: at.line,
                column: at.column,
            });
        }
        if let Err(err) = regex::RegexBuilder::new(&pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(REGEX_SIZE_LIMIT)
            .build()
        {
            let msg = err
                .to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .to_string();
            self.err(
                &at,
                "invalid-regex",
                format!("regex does not compile: {msg}"),
            );
            return None;
        }
        Some(RegexSpec {
            pattern,
            line: at.line,
            column: at.column,
        })
    }
}

struct Defaults<'a> {
    set: &'a str,
    category: Option<Category>,
    category_given: bool,
    normalize: Option<Profile>,
    groups: &'a Groups,
}

/// A term as a rule file writes it.
pub fn display_term(t: &Term) -> String {
    match t.mode {
        TermMode::Word => t.text.clone(),
        TermMode::Prefix => format!("{}*", t.text),
        TermMode::Suffix => format!("*{}", t.text),
    }
}

/// Whether some text can hold the phrase and the term so that they overlap, judged by words
/// (matches sit on word boundaries): the phrase contains the term or the term the phrase, or
/// the phrase's last words begin the term, or the term's last words begin the phrase. A stem's
/// last word and an ending's first word compare by prefix and suffix.
pub fn can_overlap(phrase: &str, term: &str, mode: TermMode) -> bool {
    // Words as the engine's word boundaries see them: runs of word characters.
    fn words(s: &str) -> Vec<&str> {
        s.split(|c: char| !is_word_char(c))
            .filter(|w| !w.is_empty())
            .collect()
    }
    let (p, t) = (words(phrase), words(term));
    if p.is_empty() || t.is_empty() {
        return false;
    }
    let last = t.len() - 1;
    // Does phrase word `pw` fit term word `ti`?
    let fits = |pw: &str, ti: usize| {
        let tw = t[ti];
        match mode {
            TermMode::Prefix if ti == last => pw.starts_with(tw),
            TermMode::Suffix if ti == 0 => pw.ends_with(tw),
            _ => pw == tw,
        }
    };
    // Align term word 0 at phrase offset `off` (may be negative or run past the end); the
    // overlapping words must all fit and at least one word must overlap.
    let (pl, tl) = (p.len() as isize, t.len() as isize);
    for off in (1 - tl)..pl {
        let lo = off.max(0);
        let hi = (off + tl).min(pl);
        if lo >= hi {
            continue;
        }
        if (lo..hi).all(|pi| fits(p[pi as usize], (pi - off) as usize)) {
            return true;
        }
    }
    false
}

/// The known name closest to a misspelt one, if any is close.
fn closest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edit_distance(name, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_table() {
        let cases = [
            ("the myth that", "jews control", TermMode::Word, false),
            (
                "the myth that jews control",
                "jews control",
                TermMode::Word,
                true,
            ),
            ("jews control the media", "control", TermMode::Word, true),
            ("control the media", "jews control", TermMode::Word, true),
            ("parasites", "parasit", TermMode::Prefix, true),
            ("homophobes", "phobes", TermMode::Suffix, true),
            ("that", "take", TermMode::Word, false),
            ("a b", "b c", TermMode::Word, true),
            ("b c", "a b", TermMode::Word, true),
        ];
        let mut failures = Vec::new();
        for (p, t, m, want) in cases {
            if can_overlap(p, t, m) != want {
                failures.push(format!("{p:?} / {t:?} ({m:?}): expected {want}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn closest_key() {
        assert_eq!(closest("severty", &RULE_KEYS), Some("severity"));
        assert_eq!(closest("nomatch", &RULE_KEYS), Some("no-match"));
        assert_eq!(closest("zzzzzz", &RULE_KEYS), None);
    }
}
