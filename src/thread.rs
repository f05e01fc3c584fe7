//! The thread model: what the segmenter produces and the engine consumes.
//!
//! A [`Thread`] owns the decoded source text of one page (or one group of JSON Lines comments)
//! and describes it as an article, boilerplate blocks and comments. Every position is either a
//! 1-based inclusive [`LineRange`] (as the gold files count lines) or a byte [`Span`] into
//! `Thread::source`. This module must not segment text or match rules; it only holds data and
//! maps between byte offsets and lines.

use serde::{Deserialize, Serialize};

/// A byte range `[start, end)` into `Thread::source`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
    pub fn overlaps(&self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// A 1-based inclusive range of lines, serialised as `[first, last]` like the gold files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "[usize; 2]", into = "[usize; 2]")]
pub struct LineRange {
    pub first: usize,
    pub last: usize,
}

impl LineRange {
    pub fn new(first: usize, last: usize) -> LineRange {
        LineRange { first, last }
    }
    pub fn contains(&self, line: usize) -> bool {
        self.first <= line && line <= self.last
    }
}

impl From<[usize; 2]> for LineRange {
    fn from(v: [usize; 2]) -> Self {
        LineRange::new(v[0], v[1])
    }
}

impl From<LineRange> for [usize; 2] {
    fn from(r: LineRange) -> Self {
        [r.first, r.last]
    }
}

/// The article a comment section sits under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// Line of the headline, if one was found.
    pub title: Option<usize>,
    /// First and last line of the article, captions included.
    pub lines: LineRange,
    /// Byte span of those lines.
    pub span: Span,
}

/// Where the words of a quoted passage come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "index")]
pub enum QuoteSource {
    Article,
    /// Index into `Thread::comments` of an earlier comment.
    Comment(usize),
}

/// A passage inside a comment body that quotes someone else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub lines: LineRange,
    pub span: Span,
    /// Where the quoted words were found, when they could be traced.
    pub source: Option<QuoteSource>,
}

/// One comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// The commenter's name as shown, trimmed; `None` for a guest.
    pub author: Option<String>,
    /// Line of the name, when there is one.
    pub name_line: Option<usize>,
    /// Byte span of the name in the source.
    pub name_span: Option<Span>,
    /// First and last line of the body.
    pub lines: LineRange,
    /// Byte span of the body.
    pub span: Span,
    /// Quoted passages inside the body, in order.
    pub quotes: Vec<Quote>,
    /// An external identifier (the `id` of a JSON Lines record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// A segmented page: article, boilerplate and comments over one source text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    /// A name for the thread: the file name for pages, the `thread` key for JSON Lines.
    pub name: String,
    /// The decoded text every span points into.
    #[serde(skip)]
    pub source: String,
    pub article: Option<Article>,
    /// Line ranges of site chrome: neither article nor comment.
    pub boilerplate: Vec<LineRange>,
    pub comments: Vec<Comment>,
}

/// Maps byte offsets of a text to 1-based lines and columns.
///
/// A line ends at `\n`, `\r\n` or a lone `\r`, so CR-only files count lines the way a reader
/// sees them.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    /// Byte offset where each line starts; `starts[0] == 0`.
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while let Some(off) = memchr::memchr2(b'\n', b'\r', &bytes[i..]) {
            let at = i + off;
            let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            };
            starts.push(next);
            i = next;
        }
        LineIndex { starts }
    }

    /// Number of lines (a trailing newline does not open an extra line of its own unless text
    /// follows it, matching `cat -n`).
    pub fn line_count(&self, text_len: usize) -> usize {
        match self.starts.last() {
            Some(&last) if last == text_len && self.starts.len() > 1 => self.starts.len() - 1,
            _ => self.starts.len(),
        }
    }

    /// Byte offset where 1-based line `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line.saturating_sub(1).min(self.starts.len() - 1)]
    }

    /// 1-based line containing byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// 1-based line and 1-based column (in characters) of byte `offset` in `text`.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let start = self.starts[line - 1];
        let col = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        (line, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_handles_all_line_endings() {
        let text = "a\nb\r\nc\rd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(text.len()), 4);
        assert_eq!(idx.line_col(text, 0), (1, 1));
        assert_eq!(idx.line_col(text, 2), (2, 1));
        assert_eq!(idx.line_col(text, 5), (3, 1));
        assert_eq!(idx.line_col(text, 7), (4, 1));
        assert_eq!(idx.line_start(3), 5);
    }

    #[test]
    fn trailing_newline_does_not_add_a_line() {
        let text = "a\nb\n";
        assert_eq!(LineIndex::new(text).line_count(text.len()), 2);
        assert_eq!(LineIndex::new("").line_count(0), 1);
    }

    #[test]
    fn columns_count_characters() {
        let text = "“ab” x";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(idx.line_col(text, x), (1, 6));
    }
}
