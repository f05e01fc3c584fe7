//! Builds rule sets directly (no YAML) for the engine tests, and the bundled engine.
#![allow(dead_code)]

use threadlint::engine::Engine;
use threadlint::finding::{Category, Severity, Target};
use threadlint::normalize::Profile;
use threadlint::rules::{Near, QuotedPolicy, RegexSpec, Rule, RuleSet, Term, TermMode};

/// A term as rule files write it: "stem*" is a prefix, "*ending" a suffix.
pub fn term(t: &str) -> Term {
    let (text, mode) = if let Some(s) = t.strip_suffix('*') {
        (s, TermMode::Prefix)
    } else if let Some(s) = t.strip_prefix('*') {
        (s, TermMode::Suffix)
    } else {
        (t, TermMode::Word)
    };
    Term {
        text: text.to_string(),
        mode,
        line: 1,
        column: 1,
    }
}

pub struct RuleBuilder(Rule);

pub fn rule(id: &str) -> RuleBuilder {
    RuleBuilder(Rule {
        normalize: Profile::PLAIN,
        ..Rule::new("test", id, Category::Profanity, Severity::Medium)
    })
}

impl RuleBuilder {
    pub fn terms(mut self, terms: &[&str]) -> Self {
        self.0.terms = terms.iter().map(|t| term(t)).collect();
        self
    }
    pub fn near(mut self, within: usize, groups: &[&[&str]]) -> Self {
        self.0.near = Some(Near {
            groups: groups
                .iter()
                .map(|g| g.iter().map(|t| term(t)).collect())
                .collect(),
            within,
            line: 1,
        });
        self
    }
    pub fn regex(mut self, pattern: &str) -> Self {
        self.0.regex = Some(RegexSpec {
            pattern: pattern.to_string(),
            line: 7,
            column: 12,
        });
        self
    }
    pub fn unless(mut self, phrases: &[&str], within: usize) -> Self {
        self.0.unless = phrases.iter().map(|s| s.to_string()).collect();
        self.0.unless_within = within;
        self
    }
    pub fn scope(mut self, scope: &[Target]) -> Self {
        self.0.scope = scope.to_vec();
        self
    }
    pub fn quoted(mut self, q: QuotedPolicy) -> Self {
        self.0.quoted = q;
        self
    }
    pub fn profile(mut self, p: Profile) -> Self {
        self.0.normalize = p;
        self
    }
    pub fn category(mut self, c: Category) -> Self {
        self.0.category = c;
        self.0.normalize = Profile::default_for(c);
        self
    }
    pub fn build(self) -> Rule {
        self.0
    }
}

pub fn set(name: &str, rules: Vec<Rule>) -> RuleSet {
    let rules = rules
        .into_iter()
        .map(|mut r| {
            r.full_id = format!("{name}/{}", r.id);
            r
        })
        .collect();
    RuleSet {
        name: name.to_string(),
        origin: format!("{name}.yaml"),
        source: format!("set: {name}\n"),
        description: String::new(),
        references: Vec::new(),
        rules,
    }
}

pub fn engine(rules: Vec<Rule>) -> Engine {
    Engine::new(vec![set("test", rules)]).expect("rules compile")
}

/// `(matched, term)` of every finding in `text` as a comment body.
pub fn matches(engine: &Engine, text: &str) -> Vec<(String, String)> {
    engine
        .check_text(text, Target::Body)
        .into_iter()
        .map(|f| {
            assert_eq!(&text[f.span[0]..f.span[1]], f.matched, "span maps back");
            (f.matched, f.term)
        })
        .collect()
}

/// The engine of the bundled rule sets; every load error fails the test, named.
pub fn bundled() -> Engine {
    let (sets, diags) = threadlint::rules::load_bundled();
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.level == threadlint::rules::Level::Error)
        .map(|d| d.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "bundled rules do not load:\n{}",
        errors.join("\n")
    );
    Engine::new(sets).unwrap_or_else(|e| panic!("bundled rules do not compile: {e:?}"))
}
