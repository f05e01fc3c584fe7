//! The matching engine. (Interface placeholder.)

use crate::finding::{Finding, Target};
use crate::rules::RuleSet;
use crate::thread::Thread;

/// Compiled rule sets, built once and shared across threads.
pub struct Engine {
    sets: Vec<RuleSet>,
    fingerprint: String,
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

impl Engine {
    pub fn new(sets: Vec<RuleSet>) -> Result<Engine, Vec<BuildError>> {
        Ok(Engine {
            sets,
            fingerprint: String::new(),
        })
    }

    /// The loaded rule sets.
    pub fn sets(&self) -> &[RuleSet] {
        &self.sets
    }

    /// A hash of the loaded rule sets' contents.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Every finding in a thread, sorted (see `finding::sort_findings`).
    pub fn check_thread(&self, _thread: &Thread) -> Vec<Finding> {
        Vec::new()
    }

    /// Findings in one standalone text, as if it were a comment body (`Target::Body`), a
    /// commenter name or an article. `comment` is `Some(0)` for body and name, `None` for article.
    pub fn check_text(&self, _text: &str, _target: Target) -> Vec<Finding> {
        Vec::new()
    }
}
