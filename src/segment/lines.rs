//! Lines and blocks: the page split at `\n`, `\r\n` or a lone `\r`, and grouped into blocks
//! (maximal runs of non-blank lines) with the number of blank lines before each.
//!
//! Owns only this splitting; it must not judge what a line means. Everything here is one pass
//! over the bytes (memchr), so a 20 MB line or a 100 MB page costs linear time.

/// One line of the page, without its terminator.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// Byte offset of the line's first byte.
    pub start: usize,
    /// The line with surrounding whitespace removed.
    pub text: &'a str,
    /// Byte offset where `text` starts (after leading whitespace).
    pub text_start: usize,
}

impl Line<'_> {
    pub fn is_blank(&self) -> bool {
        self.text.is_empty()
    }
    /// Byte offset just past `text`.
    pub fn text_end(&self) -> usize {
        self.text_start + self.text.len()
    }
}

/// Split `source` into lines. A trailing terminator does not open an extra empty line
/// (the gold files count lines like `cat -n`).
pub fn split(source: &str) -> Vec<Line<'_>> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let (end, next) = match memchr::memchr2(b'\n', b'\r', &bytes[start..]) {
            Some(off) => {
                let at = start + off;
                let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                    at + 2
                } else {
                    at + 1
                };
                (at, next)
            }
            None => (bytes.len(), bytes.len()),
        };
        let raw = &source[start..end];
        // Most lines start and end with an ASCII byte that is not white space (as
        // `char::is_whitespace` has it: tab to carriage return, and space): nothing to trim.
        let solid =
            |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii() && !matches!(b, 9..=13 | b' '));
        if solid(raw.as_bytes().first()) && solid(raw.as_bytes().last()) {
            out.push(Line {
                start,
                text: raw,
                text_start: start,
            });
        } else {
            let trimmed_start = raw.trim_start();
            let text = trimmed_start.trim_end();
            out.push(Line {
                start,
                text,
                text_start: start + (raw.len() - trimmed_start.len()),
            });
        }
        start = next;
    }
    out
}

/// A maximal run of non-blank lines. Indices are 0-based into the line list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub first: usize,
    pub last: usize,
    /// Blank lines between the previous block (or the top of the page) and this one.
    pub gap: usize,
}

impl Block {
    pub fn is_single(&self) -> bool {
        self.first == self.last
    }
}

/// Group lines into blocks.
pub fn blocks(lines: &[Line<'_>]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut gap = 0;
    let mut i = 0;
    while i < lines.len() {
        if lines[i].is_blank() {
            gap += 1;
            i += 1;
            continue;
        }
        let first = i;
        while i + 1 < lines.len() && !lines[i + 1].is_blank() {
            i += 1;
        }
        out.push(Block {
            first,
            last: i,
            gap,
        });
        gap = 0;
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_every_line_ending() {
        let l = split("a\r\n\r\n  b \rc\n");
        let texts: Vec<&str> = l.iter().map(|l| l.text).collect();
        assert_eq!(texts, vec!["a", "", "b", "c"]);
        assert_eq!(l[2].text_start, 7);
        let b = blocks(&l);
        assert_eq!(
            b,
            vec![
                Block {
                    first: 0,
                    last: 0,
                    gap: 0
                },
                Block {
                    first: 2,
                    last: 3,
                    gap: 1
                }
            ]
        );
        assert!(split("").is_empty());
    }
}
