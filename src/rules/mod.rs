//! The rule language: loading YAML rule sets, reporting problems with file:line:col, and the
//! generated reference material (format schema, rules documentation).
//!
//! Owns the rule-file format and everything that reads it. It must not match text (that is
//! the engine) nor print (commands in `cli::rules` do): it returns sets and diagnostics.

pub mod docs;
pub mod examples;
pub mod load;
pub mod model;
pub mod schema;

pub use load::{load_str, load_str_with};
pub use model::*;

use std::fmt;
use std::path::{Path, PathBuf};

/// How serious a rule-file problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// One problem in a rule file, printed as `path:line:col: error[code]: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub origin: String,
    pub line: usize,
    pub column: usize,
    pub level: Level,
    /// A stable kebab-case code, e.g. `unknown-key`.
    pub code: &'static str,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}[{}]: {}",
            self.origin,
            self.line,
            self.column,
            self.level.as_str(),
            self.code,
            self.message
        )
    }
}

mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled_rules.rs"));
}

/// The bundled rule files, `(file name, contents)`, sorted by name.
pub fn bundled_files() -> &'static [(&'static str, &'static str)] {
    bundled::BUNDLED
}

/// How much a load checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Checks {
    /// Everything `rules lint` reports: errors, and warnings about rules that may not do what
    /// their author thinks (terms that never match as written, unless phrases that never
    /// overlap, missing examples), and regexes compiled against the engine's size limits.
    #[default]
    Lint,
    /// Only the errors that stop a rule from loading. For commands that use the rules: the
    /// warnings are `rules lint`'s job, and the engine reports a regex over its size limit.
    Errors,
}

/// What every command that matches loads: the bundled sets (unless `bundled` is false), then the
/// sets under `paths`, in that order, with every diagnostic.
pub fn load_sets(
    bundled: bool,
    paths: &[PathBuf],
    checks: Checks,
) -> (Vec<RuleSet>, Vec<Diagnostic>) {
    let (mut sets, mut diags) = if bundled {
        load_bundled_with(checks)
    } else {
        (Vec::new(), Vec::new())
    };
    if !paths.is_empty() {
        let (s, d) = load_paths_with(paths, checks);
        sets.extend(s);
        diags.extend(d);
    }
    (sets, diags)
}

/// The rule sets bundled into the binary, fully checked.
pub fn load_bundled() -> (Vec<RuleSet>, Vec<Diagnostic>) {
    load_bundled_with(Checks::Lint)
}

/// The bundled rule sets, checked as `checks` says.
pub fn load_bundled_with(checks: Checks) -> (Vec<RuleSet>, Vec<Diagnostic>) {
    collect(
        checks,
        bundled_files()
            .iter()
            .map(|(name, text)| (format!("bundled:rules/{name}"), text.to_string())),
    )
}

/// Rule files and directories of them (`*.yaml`, `*.yml`, recursively, in sorted order),
/// fully checked. A path that does not exist or cannot be read is an error diagnostic naming it.
pub fn load_paths(paths: &[PathBuf]) -> (Vec<RuleSet>, Vec<Diagnostic>) {
    load_paths_with(paths, Checks::Lint)
}

/// [`load_paths`], checked as `checks` says.
pub fn load_paths_with(paths: &[PathBuf], checks: Checks) -> (Vec<RuleSet>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found, &mut diags);
            found.sort();
            files.extend(found);
        } else if path.exists() {
            files.push(path.clone());
        } else {
            diags.push(io_diag(path, "no such file or directory"));
        }
    }
    let mut texts = Vec::new();
    for file in files {
        // A rule file of 16 MiB holds about a million terms; a larger one is most likely not a
        // rule file, and would be parsed whole before anything could be said about it. A byte
        // that is not UTF-8 would change a term unseen.
        match crate::input::read_utf8_to(
            &file,
            crate::input::MAX_PAGE_BYTES,
            "a rule file",
            "split its terms over several files",
        ) {
            Ok(text) => texts.push((file.display().to_string(), text)),
            Err(err) => diags.push(io_diag(&file, &format!("cannot read: {err}"))),
        }
    }
    let (sets, more) = collect(checks, texts.into_iter());
    diags.extend(more);
    (sets, diags)
}

fn io_diag(path: &Path, message: &str) -> Diagnostic {
    Diagnostic {
        origin: path.display().to_string(),
        line: 1,
        column: 1,
        level: Level::Error,
        code: "cannot-read",
        message: message.to_string(),
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, diags: &mut Vec<Diagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(err) => {
            diags.push(io_diag(dir, &format!("cannot read directory: {err}")));
            return;
        }
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out, diags);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// Load several files; two files declaring the same set name is an error on the second.
fn collect(
    checks: Checks,
    files: impl Iterator<Item = (String, String)>,
) -> (Vec<RuleSet>, Vec<Diagnostic>) {
    // Files are parsed on every core (start-up waits on this); results are taken in order.
    use rayon::prelude::*;
    let files: Vec<(String, String)> = files.collect();
    let loaded: Vec<_> = files
        .par_iter()
        .map(|(origin, text)| load_str_with(origin, text, checks))
        .collect();
    let mut sets: Vec<RuleSet> = Vec::new();
    let mut diags = Vec::new();
    for ((origin, _), (set, d)) in files.into_iter().zip(loaded) {
        diags.extend(d);
        if let Some(set) = set {
            if let Some(first) = sets.iter().find(|s| s.name == set.name) {
                diags.push(Diagnostic {
                    origin,
                    line: 1,
                    column: 1,
                    level: Level::Error,
                    code: "duplicate-set",
                    message: format!("set `{}` is already loaded from {}", set.name, first.origin),
                });
                continue;
            }
            sets.push(set);
        }
    }
    (sets, diags)
}
