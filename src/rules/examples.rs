//! Running rules' own examples (`rules test`): every `match` example must produce a finding of
//! its rule, every `no-match` example must not. This drives the engine as a user would, through
//! `Engine::check_text`, with the rule's first scope as the target.

use crate::engine::Engine;
use crate::finding::{Finding, Target};
use std::fmt;

/// One example's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleResult {
    pub rule: String,
    pub origin: String,
    pub line: usize,
    pub expect_match: bool,
    pub text: String,
    /// `None` when the example passed.
    pub failure: Option<ExampleFailure>,
}

/// Why an example failed, with what the engine found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    pub rule: String,
    pub origin: String,
    pub line: usize,
    pub expect_match: bool,
    pub text: String,
    /// The findings on the example text: of this rule for a `no-match`, of any rule for a `match`.
    pub found: Vec<Finding>,
}

impl fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.expect_match {
            write!(
                f,
                "{}:{}: {}: `match` example was not flagged: {:?}",
                self.origin, self.line, self.rule, self.text
            )?;
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
                "{}:{}: {}: `no-match` example was flagged: {:?}: {}",
                self.origin,
                self.line,
                self.rule,
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
                let own: Vec<Finding> = all
                    .iter()
                    .filter(|f| f.rule == rule.full_id)
                    .cloned()
                    .collect();
                let failure = if expect_match && own.is_empty() {
                    Some(all)
                } else if !expect_match && !own.is_empty() {
                    Some(own)
                } else {
                    None
                };
                results.push(ExampleResult {
                    rule: rule.full_id.clone(),
                    origin: set.origin.clone(),
                    line: example.line,
                    expect_match,
                    text: example.text.clone(),
                    failure: failure.map(|found| ExampleFailure {
                        rule: rule.full_id.clone(),
                        origin: set.origin.clone(),
                        line: example.line,
                        expect_match,
                        text: example.text.clone(),
                        found,
                    }),
                });
            }
        }
    }
    results
}
