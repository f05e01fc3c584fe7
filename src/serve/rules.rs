//! Where the service's rules come from, how they are compiled, and how a change is noticed.
//!
//! Owns [`RuleSource`] (the `--rules` paths and whether the bundled sets load), compiling it
//! into an [`Engine`] with every problem as a `path:line:col` message, and the cheap file
//! signature the poller compares. It must not swap rules or log: the server decides what a
//! failed compile means (at start: exit; on reload: keep the old rules).

use crate::engine::Engine;
use crate::rules::{self, Level};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The rule files a server loads.
#[derive(Debug, Clone, Default)]
pub struct RuleSource {
    /// Files and directories given with `--rules`.
    pub paths: Vec<PathBuf>,
    /// Load the bundled rule sets too.
    pub bundled: bool,
}

/// A compiled engine and the warnings its rule files produced.
pub struct Compiled {
    pub engine: Engine,
    pub warnings: Vec<String>,
    /// The files' signature taken before they were read: an edit made while compiling
    /// differs from it and is picked up by the next poll.
    pub signature: Vec<FileStamp>,
}

/// The state of one watched file: `None` when it cannot be read.
pub type FileStamp = (PathBuf, Option<(SystemTime, u64)>);

impl RuleSource {
    /// Load and compile every set. On failure, returns every error (and warning) as a
    /// `path:line:col: ...` line, so a broken reload names the line to fix.
    pub fn compile(&self) -> Result<Compiled, Vec<String>> {
        let signature = self.signature();
        let (sets, diagnostics) =
            rules::load_sets(self.bundled, &self.paths, rules::Checks::Errors);
        let failed = diagnostics.iter().any(|d| d.level == Level::Error);
        let mut messages: Vec<String> = diagnostics.iter().map(|d| d.to_string()).collect();
        if failed {
            return Err(messages);
        }
        match Engine::new(sets) {
            Ok(engine) => {
                // A service runs for long: build now what a first request would otherwise
                // wait for.
                engine.build_deferred();
                Ok(Compiled {
                    engine,
                    warnings: messages,
                    signature,
                })
            }
            Err(errors) => {
                messages.extend(errors.iter().map(|e| e.to_string()));
                Err(messages)
            }
        }
    }

    /// Modification time and length of every rule file under the `--rules` paths, sorted.
    /// Two equal signatures mean nothing worth a reload happened.
    pub fn signature(&self) -> Vec<FileStamp> {
        let mut out = Vec::new();
        for path in &self.paths {
            stamp_tree(path, true, &mut out);
        }
        out.sort();
        out
    }
}

fn stamp(path: &Path) -> FileStamp {
    let meta = std::fs::metadata(path).ok();
    (
        path.to_path_buf(),
        meta.and_then(|m| Some((m.modified().ok()?, m.len()))),
    )
}

fn is_rule_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// Stamp `path`: a file as given, a directory as the rule files beneath it (a new or deleted
/// file changes the list, so it is noticed too).
fn stamp_tree(path: &Path, given: bool, out: &mut Vec<FileStamp>) {
    match std::fs::read_dir(path) {
        Ok(entries) => {
            for entry in entries.flatten() {
                let p = entry.path();
                if p.is_dir() {
                    stamp_tree(&p, false, out);
                } else if is_rule_file(&p) {
                    out.push(stamp(&p));
                }
            }
        }
        Err(_) if given || is_rule_file(path) => out.push(stamp(path)),
        Err(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_changes_when_a_rule_file_changes_or_appears() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.yaml");
        std::fs::write(&file, "set: a\n").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not rules").unwrap();
        let source = RuleSource {
            paths: vec![dir.path().to_path_buf()],
            bundled: false,
        };
        let first = source.signature();
        assert_eq!(first.len(), 1, "{first:?}");
        assert_eq!(source.signature(), first);
        std::fs::write(&file, "set: a\nrules: []\n").unwrap();
        let second = source.signature();
        assert_ne!(second, first);
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/b.yml"), "set: b\n").unwrap();
        assert_eq!(source.signature().len(), 2);
    }

    #[test]
    fn a_missing_path_is_stamped_and_fails_to_compile() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("gone.yaml");
        let source = RuleSource {
            paths: vec![missing.clone()],
            bundled: false,
        };
        assert_eq!(source.signature(), vec![(missing.clone(), None)]);
        let errors = source
            .compile()
            .err()
            .expect("a missing file must not compile");
        assert!(errors.iter().any(|e| e.contains("gone.yaml")), "{errors:?}");
    }
}
