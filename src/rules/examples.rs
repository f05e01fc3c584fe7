//! Running rules' own examples (`rules test`): every `match` example must produce a finding of
//! its rule, every `no-match` example must not. This drives the engine as a user would, through
//! `Engine::check_text`, with the rule's first scope as the target; it never matches by itself.

use crate::engine::Engine;
use crate::finding::{Finding, Target};
use std::fmt;

/// One example's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleResult {
    /// Full rule id, `set/id`.
    pub rule: String,
    /// The rule file and the example's line in it.
    pub origin: String,
    pub line: usize,
    /// A `match` example (true) or a `no-match` one.
    pub expect_match: bool,
    pub text: String,
    pub passed: bool,
    /// What the engine found on the text: for a failed `match`, the findings of any other
    /// rule; for a failed `no-match`, this rule's findings. Empty when the example passed.
    pub found: Vec<Finding>,
}

/// A failed example as `rules test` prints it: `file:line: set/id: what went wrong`.
impl fmt::Display for ExampleResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}: ", self.origin, self.line, self.rule)?;
        if self.passed {
            let kind = if self.expect_match {
                "match"
            } else {
                "no-match"
            };
            return write!(f, "`{kind}` example passed: {:?}", self.text);
        }
        if self.expect_match {
            write!(f, "`match` example was not flagged: {:?}", self.text)?;
            if !self.found.is_empty() {
                let others: Vec<String> = self
                    .found
                    .iter()
                    .map(|x| format!("{} on {:?}", x.rule, x.matched))
                    .collect();
                write!(f, " (found instead: {})", others.join(", "))?;
            }
            Ok(())
        } else {
            let hits: Vec<String> = self
                .found
                .iter()
                .map(|x| {
                    format!(
                        "{:?} at column {} (normalised {:?}, term {:?})",
                        x.matched, x.column, x.normalized, x.term
                    )
                })
                .collect();
            write!(
                f,
                "`no-match` example was flagged: {:?}: {}",
                self.text,
                hits.join("; ")
            )
        }
    }
}

/// Run every example of every rule the engine holds, in set and rule order.
pub fn run_examples(engine: &Engine) -> Vec<ExampleResult> {
    let mut results = Vec::new();
    for set in engine.sets() {
        for rule in &set.rules {
            let target = rule.scope.first().copied().unwrap_or(Target::Body);
            let cases = rule
                .examples_match
                .iter()
                .map(|e| (e, true))
                .chain(rule.examples_no_match.iter().map(|e| (e, false)));
            for (example, expect_match) in cases {
                let all = engine.check_text(&example.text, target);
                let (own, others): (Vec<Finding>, Vec<Finding>) =
                    all.into_iter().partition(|f| f.rule == rule.full_id);
                let passed = own.is_empty() != expect_match;
                let found = match (passed, expect_match) {
                    (true, _) => Vec::new(),
                    (false, true) => others,
                    (false, false) => own,
                };
                results.push(ExampleResult {
                    rule: rule.full_id.clone(),
                    origin: set.origin.clone(),
                    line: example.line,
                    expect_match,
                    text: example.text.clone(),
                    passed,
                    found,
                });
            }
        }
    }
    results
}
