//! Reading input files into text.
//!
//! Owns decoding: a byte-order mark is dropped and invalid UTF-8 is replaced (the caller is
//! told, so it can warn naming the file), and the walk of an input directory. It must not
//! interpret the text.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Text decoded from a file or stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// Some bytes were not valid UTF-8 and were replaced with U+FFFD.
    pub lossy: bool,
}

/// Decode raw bytes: strip a UTF-8 byte-order mark, replace invalid sequences.
pub fn decode(bytes: Vec<u8>) -> Decoded {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(text) => Decoded { text, lossy: false },
        Err(err) => Decoded {
            text: String::from_utf8_lossy(err.as_bytes()).into_owned(),
            lossy: true,
        },
    }
}

/// Read and decode a file; `-` reads standard input.
pub fn read_path(path: &Path) -> std::io::Result<Decoded> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin().lock().read_to_end(&mut bytes)?;
    } else {
        bytes = std::fs::read(path)?;
    }
    Ok(decode(bytes))
}

/// File extensions a directory walk takes as inputs: page text and JSON Lines. Other files
/// in an input directory (gold YAML, notes, images) are not comment threads.
pub const INPUT_EXTENSIONS: &[&str] = &["txt", "text", "jsonl", "ndjson"];

/// Files under `dir` whose extension `accept` takes, recursively, in sorted order (by file
/// name at each level), so outputs do not depend on the file system's order. Hidden files and
/// directories (`.git`, editor backups) are not inputs. An entry that cannot be read is passed
/// to `error` with its path, and the walk goes on.
pub fn walk(
    dir: &Path,
    accept: &dyn Fn(&str) -> bool,
    out: &mut Vec<PathBuf>,
    error: &mut dyn FnMut(&Path, std::io::Error),
) {
    let mut entries = match std::fs::read_dir(dir).and_then(|rd| rd.collect::<Result<Vec<_>, _>>())
    {
        Ok(e) => e,
        Err(e) => return error(dir, e),
    };
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&path, accept, out, error),
            Ok(_) => {
                let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
                if accept(ext) {
                    out.push(path);
                }
            }
            Err(e) => error(&path, e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_takes_accepted_files_in_sorted_order_and_skips_hidden_ones() {
        let dir = std::env::temp_dir().join(format!("threadlint-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for f in [
            "b.txt",
            "a/z.jsonl",
            "a/y.yaml",
            ".hidden/c.txt",
            "a/.d.txt",
            "c.text",
        ] {
            let p = dir.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "x").unwrap();
        }
        let mut out = Vec::new();
        let mut errors = Vec::new();
        let accept = |e: &str| INPUT_EXTENSIONS.contains(&e);
        walk(&dir, &accept, &mut out, &mut |p, _| {
            errors.push(p.to_path_buf())
        });
        let names: Vec<_> = out.iter().map(|p| p.strip_prefix(&dir).unwrap()).collect();
        let want: Vec<PathBuf> = ["a/z.jsonl", "b.txt", "c.text"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(names, want);
        assert!(errors.is_empty());
        walk(&dir.join("missing"), &accept, &mut out, &mut |p, _| {
            errors.push(p.to_path_buf())
        });
        assert_eq!(errors, vec![dir.join("missing")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn strips_bom_and_replaces_invalid_bytes() {
        let d = decode(b"\xEF\xBB\xBFhi".to_vec());
        assert_eq!(
            d,
            Decoded {
                text: "hi".into(),
                lossy: false
            }
        );
        let d = decode(b"a\xFFb".to_vec());
        assert_eq!(d.text, "a\u{FFFD}b");
        assert!(d.lossy);
    }
}
