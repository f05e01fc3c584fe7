//! The loaded form of a rule set: what the loader produces and the engine compiles.
//!
//! Named term groups are already expanded and defaults already applied, so the engine never
//! looks at YAML. Positions (`line`) point into the rule file so that `rules test` and the
//! engine's build errors can name file:line.

use crate::finding::{Category, Severity, Target};
use crate::normalize::Profile;

/// One YAML file of rules.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// The set's name: the `set:` key, or the file stem.
    pub name: String,
    /// Where it came from: a path as given, or `bundled:rules/NAME.yaml`.
    pub origin: String,
    /// The file's text, as read (the fingerprint hashes it).
    pub source: String,
    pub description: String,
    pub references: Vec<String>,
    pub rules: Vec<Rule>,
}

/// How a term must sit in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TermMode {
    /// The whole word or phrase, with word boundaries on both sides (the default).
    Word,
    /// A stem: word boundary before, any word characters may follow (`parasit*`).
    Prefix,
    /// A word ending: any word characters may precede, boundary after (`*phobe`).
    Suffix,
}

/// A literal word or phrase, as written in the rule file (without `*` markers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    pub mode: TermMode,
    /// Position of the term in the rule file (1-based).
    pub line: usize,
    pub column: usize,
}

/// One term from each group within `within` words of each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Near {
    pub groups: Vec<Vec<Term>>,
    pub within: usize,
    pub line: usize,
}

/// A regular expression, run on the rule's normalised text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegexSpec {
    pub pattern: String,
    pub line: usize,
    pub column: usize,
}

/// What a match inside a quoted passage does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuotedPolicy {
    /// Reported, marked quoted, does not count toward the commenter (the default).
    #[default]
    Report,
    /// Reported and counts toward the commenter as if it were their own words.
    Count,
    /// Not reported at all.
    Ignore,
}

/// A must-match or must-not-match example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub text: String,
    pub line: usize,
}

/// One rule, with every default applied.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The id inside its set.
    pub id: String,
    /// `set/id`.
    pub full_id: String,
    /// Line of the rule's `id:` key.
    pub line: usize,
    pub category: Category,
    pub severity: Severity,
    pub summary: String,
    pub why: String,
    pub references: Vec<String>,
    /// Any of these terms matches (named groups already expanded).
    pub terms: Vec<Term>,
    pub near: Option<Near>,
    pub regex: Option<RegexSpec>,
    /// Phrases that cancel a match (checked on the same normalised text).
    pub unless: Vec<String>,
    /// 0: an `unless` phrase cancels only when it overlaps the match; N: also when it ends
    /// within N words before the match or starts within N words after it.
    pub unless_within: usize,
    pub scope: Vec<Target>,
    pub quoted: QuotedPolicy,
    pub normalize: Profile,
    pub examples_match: Vec<Example>,
    pub examples_no_match: Vec<Example>,
}

impl Rule {
    /// A rule built in code (tests, benchmarks, synthetic sets) rather than loaded: `set/id`,
    /// line 1, no text, no terms, and every optional key as a rule file leaves it (body scope,
    /// quotes reported, the category's normalisation). Set the fields that matter with struct
    /// update syntax.
    pub fn new(set: &str, id: &str, category: Category, severity: Severity) -> Rule {
        Rule {
            id: id.to_string(),
            full_id: format!("{set}/{id}"),
            line: 1,
            category,
            severity,
            summary: String::new(),
            why: String::new(),
            references: Vec::new(),
            terms: Vec::new(),
            near: None,
            regex: None,
            unless: Vec::new(),
            unless_within: 0,
            scope: vec![Target::Body],
            quoted: QuotedPolicy::Report,
            normalize: Profile::default_for(category),
            examples_match: Vec::new(),
            examples_no_match: Vec::new(),
        }
    }
}
