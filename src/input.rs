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

/// Largest page read, in bytes: 16 MiB.
///
/// Checking a page holds about 15 bytes for every byte of its longest segment while that
/// segment is checked (its normalised form and the offsets back to the page; see
/// docs/engine.md, "Known limits"), so a page of 1 GB would need 15 GB. A scraped page is a
/// few hundred kilobytes at most; a larger "page" is something else (JSON Lines read as page
/// text, many pages in one file), and is refused with an error that says what to do instead.
pub const MAX_PAGE_BYTES: u64 = 16 << 20;

/// A page of text, decoded (`-` reads standard input): at most [`MAX_PAGE_BYTES`], else an
/// error that gives the size and what to do. A file's size is looked at before it is read.
pub fn read_page(path: &Path) -> std::io::Result<Decoded> {
    read_limited(
        path,
        "a page",
        "JSON Lines are read with `--input jsonl`, and pages go one to a file",
    )
}

/// Largest data file read whole whose size grows with a corpus rather than with one page: a
/// labels file for `eval` and `diff --labels`, a baseline. Each is held in memory with its
/// records, at a few times its size; 256 MiB is some hundreds of thousands of labelled
/// comments, or of accepted findings.
pub const MAX_DATA_BYTES: u64 = 256 << 20;

/// A file (standard input for `-`), decoded and held to [`MAX_PAGE_BYTES`] as [`read_page`]
/// is: a larger input is refused with an error saying it is too large for `what`, with its
/// size and `hint`. Every file read whole goes through here, [`read_limited_to`] or
/// [`read_utf8_to`].
pub fn read_limited(path: &Path, what: &str, hint: &str) -> std::io::Result<Decoded> {
    read_limited_to(path, MAX_PAGE_BYTES, what, hint)
}

/// A file (standard input for `-`) held to `limit` bytes as [`read_limited_to`] holds it, that
/// must be UTF-8 throughout: rule, gold and labels files and baselines say what is matched or
/// compared as written, so a byte replaced with U+FFFD would change them unseen. A byte-order
/// mark is dropped; any other invalid byte is an error ("not UTF-8").
pub fn read_utf8_to(path: &Path, limit: u64, what: &str, hint: &str) -> std::io::Result<String> {
    let decoded = read_limited_to(path, limit, what, hint)?;
    if decoded.lossy {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "not UTF-8",
        ));
    }
    Ok(decoded.text)
}

/// [`read_limited`] with a limit of `limit` bytes.
pub fn read_limited_to(
    path: &Path,
    limit: u64,
    what: &str,
    hint: &str,
) -> std::io::Result<Decoded> {
    let found = match read_at_most(path, limit)? {
        Ok(bytes) => return Ok(decode(bytes)),
        Err(Some(n)) => format!("{}; ", size(n)),
        Err(None) => String::new(),
    };
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!(
            "too large for {what} ({found}the limit is {}): {hint}",
            size(limit)
        ),
    ))
}

/// A size for an error message: in MB to one decimal, rounded up (so that a size just over a
/// limit does not read as the limit), whole MB exactly, or bytes below one MB.
pub(crate) fn size(bytes: u64) -> String {
    const MB: u64 = 1 << 20;
    if bytes % MB == 0 && bytes > 0 {
        format!("{} MB", bytes / MB)
    } else if bytes >= MB {
        format!("{:.1} MB", (bytes as f64 * 10.0 / MB as f64).ceil() / 10.0)
    } else {
        format!("{bytes} bytes")
    }
}

/// The bytes of a file, or of standard input for `-`, if there are at most `limit`; else
/// `Err` with the file's size (`None` for standard input, which is read only to `limit` + 1
/// bytes). A file's size is looked at first, so a file too large is not read at all.
fn read_at_most(path: &Path, limit: u64) -> std::io::Result<Result<Vec<u8>, Option<u64>>> {
    let mut bytes = Vec::new();
    let read = limit.saturating_add(1);
    if path.as_os_str() == "-" {
        std::io::stdin().lock().take(read).read_to_end(&mut bytes)?;
        return Ok(if bytes.len() as u64 > limit {
            Err(None)
        } else {
            Ok(bytes)
        });
    }
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > limit {
        return Ok(Err(Some(size)));
    }
    // As `fs::read` does; a file that grows while it is read is still held to the limit.
    let _ = bytes.try_reserve_exact(size as usize);
    file.take(read).read_to_end(&mut bytes)?;
    Ok(if bytes.len() as u64 > limit {
        Err(Some(bytes.len() as u64))
    } else {
        Ok(bytes)
    })
}

/// The files a directory walk takes as inputs, by extension. Other files in an input
/// directory (gold YAML, notes, images) are not comment threads.
pub struct Inputs {
    /// What they are, for the error on a directory without any.
    pub what: &'static str,
    pub extensions: &'static [&'static str],
}

/// Page text and JSON Lines: what `check`, `stats` and `diff` read.
pub const THREADS: Inputs = Inputs {
    what: "input files",
    extensions: &["txt", "text", "jsonl", "ndjson"],
};

/// Page text: what `segment` reads.
pub const PAGES: Inputs = Inputs {
    what: "page text files",
    extensions: &["txt", "text"],
};

/// Whether a file is read as JSON Lines (`.jsonl`, `.ndjson`) rather than page text, when
/// nothing says otherwise.
pub fn is_jsonl(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e == "jsonl" || e == "ndjson")
}

/// Files under `dir` with one of `inputs`' extensions, recursively, in sorted order (by file
/// name at each level), so outputs do not depend on the file system's order. Hidden files and
/// directories (`.git`, editor backups) are not inputs. An entry that cannot be read is passed
/// to `error` with its path, and the walk goes on. A directory with no such file is passed to
/// `error` too: a gate pointed at a mistyped or empty directory must not pass.
pub fn walk(
    dir: &Path,
    inputs: &Inputs,
    out: &mut Vec<PathBuf>,
    error: &mut dyn FnMut(&Path, std::io::Error),
) {
    let before = out.len();
    walk_into(dir, inputs.extensions, out, error);
    if out.len() == before {
        let exts: Vec<String> = inputs.extensions.iter().map(|e| format!(".{e}")).collect();
        let message = format!("no {} ({}) in it", inputs.what, exts.join(", "));
        error(
            dir,
            std::io::Error::new(std::io::ErrorKind::NotFound, message),
        );
    }
}

fn walk_into(
    dir: &Path,
    extensions: &[&str],
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
            Ok(t) if t.is_dir() => walk_into(&path, extensions, out, error),
            Ok(_) => {
                let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
                if extensions.contains(&ext) {
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
    fn sizes_in_errors_round_up_and_name_their_unit() {
        assert_eq!(size(16 << 20), "16 MB");
        assert_eq!(size((16 << 20) + 1), "16.1 MB");
        assert_eq!(size(3 * (1 << 20) + 1), "3.1 MB");
        assert_eq!(size(200), "200 bytes");
    }

    /// A page of exactly the limit is read; one byte more is refused, before it is read.
    #[test]
    fn a_page_may_be_as_large_as_the_limit_and_no_larger() {
        let dir = std::env::temp_dir().join(format!("threadlint-page-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("p.txt");
        let mut text = "a".repeat(MAX_PAGE_BYTES as usize);
        std::fs::write(&path, &text).unwrap();
        assert_eq!(read_page(&path).unwrap().text.len(), text.len());
        text.push('b');
        std::fs::write(&path, &text).unwrap();
        let err = read_page(&path).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        assert!(
            err.to_string()
                .starts_with("too large for a page (16.1 MB;"),
            "{err}"
        );
        // Other readers have limits of their own.
        let data = read_limited_to(&path, MAX_DATA_BYTES, "data", "").unwrap();
        assert_eq!(data.text.len(), text.len());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn json_lines_are_told_by_their_extension() {
        for (path, jsonl) in [
            ("a.jsonl", true),
            ("dir/b.ndjson", true),
            ("c.txt", false),
            ("d.json", false),
            ("jsonl", false),
            ("e.jsonl.txt", false),
        ] {
            assert_eq!(is_jsonl(Path::new(path)), jsonl, "{path}");
        }
    }

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
        walk(&dir, &THREADS, &mut out, &mut |p, _| {
            errors.push(p.to_path_buf())
        });
        let names: Vec<_> = out.iter().map(|p| p.strip_prefix(&dir).unwrap()).collect();
        let want: Vec<PathBuf> = ["a/z.jsonl", "b.txt", "c.text"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(names, want);
        assert!(errors.is_empty());
        // A missing directory: the read error, then nothing found in it.
        walk(&dir.join("missing"), &THREADS, &mut out, &mut |p, _| {
            errors.push(p.to_path_buf())
        });
        assert_eq!(errors, vec![dir.join("missing"), dir.join("missing")]);
        // A directory of other files only.
        errors.clear();
        let mut message = String::new();
        walk(&dir.join("a"), &PAGES, &mut out, &mut |p, e| {
            errors.push(p.to_path_buf());
            message = e.to_string();
        });
        assert_eq!(errors, vec![dir.join("a")]);
        assert_eq!(message, "no page text files (.txt, .text) in it");
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
