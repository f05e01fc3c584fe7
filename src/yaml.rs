//! The one module that touches the YAML parser.
//!
//! `serde_yaml` is unmaintained upstream; keeping every call behind this module means a
//! replacement touches one file. Callers get plain serde values and a [`YamlError`] that carries
//! a 1-based line and column. Nothing outside this module may name `serde_yaml`.

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;

/// A YAML syntax or shape error with its position, when the parser knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for YamlError {}

fn convert(text: &str, err: serde_yaml::Error) -> YamlError {
    let (line, column) = err.location().map_or((1, 1), |loc| {
        editor_position(text, loc.line(), loc.column())
    });
    // serde_yaml appends " at line L column C" to its messages; the position is kept apart.
    let mut message = err.to_string();
    if let Some(cut) = message.find(" at line ") {
        message.truncate(cut);
    }
    YamlError {
        line,
        column,
        message,
    }
}

/// Translate a position the YAML parser counted into the one an editor shows.
///
/// YAML also breaks lines at U+0085, U+2028 and U+2029, which editors show inside a line, so
/// the parser's line can lie past the end of the file as an editor counts it. Walk the text the
/// parser's way to the byte it means, then count that byte's line and column (in characters)
/// by `\n`, as every other diagnostic does.
fn editor_position(text: &str, line: usize, column: usize) -> (usize, usize) {
    let mut yaml_line = 1;
    let mut yaml_col = 1;
    let mut offset = text.len();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if yaml_line == line && yaml_col >= column {
            offset = i;
            break;
        }
        let breaks = match c {
            '\r' => chars.peek().map(|&(_, n)| n) != Some('\n'),
            '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => true,
            _ => false,
        };
        if breaks {
            if yaml_line == line {
                offset = i;
                break;
            }
            yaml_line += 1;
            yaml_col = 1;
        } else {
            yaml_col += 1;
        }
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// Deserialise a YAML document into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_yaml::from_str(text).map_err(|e| convert(text, e))
}

/// Serialise `value` as a YAML document.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, YamlError> {
    serde_yaml::to_string(value).map_err(|e| convert("", e))
}

/// A YAML node with the 1-based line and column where it starts in the text.
///
/// serde_yaml reports positions only for syntax errors, but rule-file diagnostics must point
/// at the key, term or example at fault. [`parse_located`] therefore parses with serde_yaml
/// (so the YAML dialect is exactly serde_yaml's) and then walks the text in document order
/// with a small scanner that finds where each node starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub line: usize,
    pub column: usize,
    pub node: Node,
}

/// The shape of a YAML value. Mapping keys are kept in file order, as strings.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    /// A number, as YAML wrote it (`4`, `2.5`).
    Number(String),
    String(String),
    Seq(Vec<Located>),
    Map(Vec<(Located, Located)>),
}

impl Node {
    /// A short name of the node's type for messages ("a string", "a list").
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "nothing",
            Node::Bool(_) => "a boolean",
            Node::Number(_) => "a number",
            Node::String(_) => "a string",
            Node::Seq(_) => "a list",
            Node::Map(_) => "a mapping",
        }
    }
}

/// Parse one YAML document, keeping the position of every node.
pub fn parse_located(text: &str) -> Result<Located, YamlError> {
    let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| convert(text, e))?;
    let mut scanner = Scanner::new(text);
    scanner.skip_directives();
    Ok(scanner.walk(&value))
}

/// Finds where nodes start by skipping whitespace, comments and YAML punctuation, then
/// stepping over one scalar. It only needs to be right for text serde_yaml accepted; when it
/// is unsure (multi-line plain scalars, aliases) a position may point at a nearby token, never
/// outside the text.
struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    flow: usize,
    /// Byte offset where each line starts.
    line_starts: Vec<usize>,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i + 1);
            }
        }
        Scanner {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            flow: 0,
            line_starts,
        }
    }

    fn line_col(&self, pos: usize) -> (usize, usize) {
        let pos = pos.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= pos);
        let start = self.line_starts[line - 1];
        let column = self
            .text
            .get(start..pos)
            .map_or(1, |s| s.chars().count() + 1);
        (line, column)
    }

    fn peek(&self, at: usize) -> u8 {
        self.bytes.get(at).copied().unwrap_or(0)
    }

    fn at_line_start(&self, at: usize) -> bool {
        at == 0 || self.peek(at - 1) == b'\n'
    }

    /// Skip `%YAML` directives and a leading `---`.
    fn skip_directives(&mut self) {
        loop {
            self.skip_space_and_comments();
            if self.at_line_start(self.pos) && self.peek(self.pos) == b'%' {
                self.skip_to_line_end();
            } else if self.at_line_start(self.pos) && self.bytes[self.pos..].starts_with(b"---") {
                self.pos += 3;
            } else {
                return;
            }
        }
    }

    fn skip_to_line_end(&mut self) {
        while self.pos < self.bytes.len() && self.peek(self.pos) != b'\n' {
            self.pos += 1;
        }
    }

    fn skip_space_and_comments(&mut self) {
        while self.pos < self.bytes.len() {
            match self.peek(self.pos) {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'#' if self.pos == 0
                    || matches!(self.peek(self.pos - 1), b' ' | b'\t' | b'\n' | b'\r') =>
                {
                    self.skip_to_line_end()
                }
                _ => return,
            }
        }
    }

    fn is_blank(b: u8) -> bool {
        matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0)
    }

    /// Skip whitespace, comments, and punctuation that does not start a node's content.
    /// Returns where the next node starts.
    fn next_token(&mut self) -> usize {
        loop {
            self.skip_space_and_comments();
            let b = self.peek(self.pos);
            let next = self.peek(self.pos + 1);
            match b {
                b'-' | b'?' | b':' if Self::is_blank(next) && self.pos < self.bytes.len() => {
                    self.pos += 1
                }
                b':' if self.flow > 0 => self.pos += 1,
                b',' if self.flow > 0 => self.pos += 1,
                b']' | b'}' if self.flow > 0 => {
                    self.flow -= 1;
                    self.pos += 1
                }
                b'!' | b'&' => {
                    // A tag or an anchor: skip it, the node follows.
                    while !Self::is_blank(self.peek(self.pos)) && self.pos < self.bytes.len() {
                        self.pos += 1;
                    }
                }
                _ => return self.pos,
            }
        }
    }

    fn walk(&mut self, value: &serde_yaml::Value) -> Located {
        use serde_yaml::Value;
        let before = self.pos;
        let start = self.next_token();
        let (line, column) = self.line_col(start);
        if self.peek(start) == b'*' {
            // An alias: its content was written elsewhere. Consume the alias and give every
            // node inside it this position.
            while !Self::is_blank(self.peek(self.pos))
                && !matches!(self.peek(self.pos), b',' | b']' | b'}')
                && self.pos < self.bytes.len()
            {
                self.pos += 1;
            }
            return fixed(value, line, column);
        }
        let node = match value {
            Value::Null => {
                let rest = self.text.get(start..).unwrap_or("");
                let written = ["null", "Null", "NULL", "~"].into_iter().find(|word| {
                    rest.starts_with(word)
                        && rest[word.len()..].bytes().next().map_or(true, |b| {
                            Self::is_blank(b) || matches!(b, b',' | b']' | b'}')
                        })
                });
                match written {
                    Some(word) => self.pos += word.len(),
                    None => {
                        // Nothing written (`terms:` and then the next key): the token found is
                        // the next node's, so point where this value would have been.
                        self.pos = before;
                        let (line, column) = self.line_col(before);
                        return Located {
                            line,
                            column,
                            node: Node::Null,
                        };
                    }
                }
                Node::Null
            }
            Value::Bool(b) => {
                self.skip_scalar();
                Node::Bool(*b)
            }
            Value::Number(n) => {
                self.skip_scalar();
                Node::Number(n.to_string())
            }
            Value::String(s) => {
                let plain = !matches!(self.peek(self.pos), b'"' | b'\'' | b'|' | b'>');
                self.skip_scalar();
                if plain && self.flow == 0 {
                    self.continue_plain(start, s);
                }
                Node::String(s.clone())
            }
            Value::Sequence(items) => {
                let flow = self.open_flow(b'[');
                let items = items.iter().map(|item| self.walk(item)).collect();
                self.close_flow(flow);
                Node::Seq(items)
            }
            Value::Mapping(map) => {
                let flow = self.open_flow(b'{');
                let mut entries = Vec::new();
                for (k, v) in map {
                    let key = self.walk(k);
                    let key = match key.node {
                        Node::String(_) => key,
                        ref other => Located {
                            node: Node::String(
                                scalar_text(k).unwrap_or_else(|| other.kind().into()),
                            ),
                            ..key
                        },
                    };
                    let value = self.walk(v);
                    entries.push((key, value));
                }
                self.close_flow(flow);
                Node::Map(entries)
            }
            Value::Tagged(tagged) => return self.walk(&tagged.value),
        };
        Located { line, column, node }
    }

    /// Enter a flow collection if one starts here; returns its depth.
    fn open_flow(&mut self, open: u8) -> Option<usize> {
        if self.peek(self.pos) == open {
            self.pos += 1;
            self.flow += 1;
            Some(self.flow)
        } else {
            None
        }
    }

    fn close_flow(&mut self, opened: Option<usize>) {
        if let Some(depth) = opened {
            // Consume the closing bracket (and anything before it) so the next node starts after.
            while self.flow >= depth && self.pos < self.bytes.len() {
                let before = self.pos;
                self.next_token();
                if self.pos == before && self.flow >= depth {
                    // Not punctuation: an unexpected token; step over it.
                    self.skip_scalar();
                    if self.pos == before {
                        self.pos += 1;
                    }
                }
            }
        }
    }

    /// A plain scalar may go on over more-indented lines (a long `why:` wrapped by hand). The
    /// parsed value says how much text it holds: take following lines while their words
    /// continue it.
    fn continue_plain(&mut self, start: usize, value: &str) {
        // The usual case: the scalar ended on its line.
        if self.text.get(start..self.pos).map(str::trim_end) == Some(value) {
            return;
        }
        let want: Vec<&str> = value.split_whitespace().collect();
        let mut have: Vec<&str> = self
            .text
            .get(start..self.pos)
            .unwrap_or("")
            .split_whitespace()
            .collect();
        while have.len() < want.len() {
            // The next line, without its comment.
            let Some(nl) = self.text.get(self.pos..).and_then(|r| r.find('\n')) else {
                return;
            };
            let line_start = self.pos + nl + 1;
            let rest = self.text.get(line_start..).unwrap_or("");
            let line = rest.split('\n').next().unwrap_or("");
            let content = match line.find(" #") {
                Some(cut) => &line[..cut],
                None => line,
            };
            let words: Vec<&str> = content.split_whitespace().collect();
            if words.is_empty() {
                if line.trim().is_empty() || line.trim_start().starts_with('#') {
                    // Blank lines fold into the scalar; comment lines end it.
                    if line.trim_start().starts_with('#') {
                        return;
                    }
                    self.pos = line_start + line.len();
                    continue;
                }
                return;
            }
            let n = have.len();
            if n + words.len() > want.len() || want[n..n + words.len()] != words[..] {
                return;
            }
            have.extend(words);
            self.pos = line_start + content.trim_end().len();
        }
    }

    /// Step over one scalar starting at `self.pos`.
    fn skip_scalar(&mut self) {
        match self.peek(self.pos) {
            b'"' => {
                self.pos += 1;
                while self.pos < self.bytes.len() {
                    match self.peek(self.pos) {
                        // An escape: step over the backslash and the whole character after it.
                        b'\\' => {
                            self.pos += 1;
                            self.pos += self
                                .text
                                .get(self.pos..)
                                .and_then(|r| r.chars().next())
                                .map_or(1, char::len_utf8);
                        }
                        b'"' => {
                            self.pos += 1;
                            break;
                        }
                        _ => self.pos += 1,
                    }
                }
            }
            b'\'' => {
                self.pos += 1;
                while self.pos < self.bytes.len() {
                    if self.peek(self.pos) == b'\'' {
                        if self.peek(self.pos + 1) == b'\'' {
                            self.pos += 2;
                        } else {
                            self.pos += 1;
                            break;
                        }
                    } else {
                        self.pos += 1;
                    }
                }
            }
            b'|' | b'>' => {
                // A block scalar: the indicator line, then every line indented at least as much
                // as the first content line (or blank).
                self.skip_to_line_end();
                let mut indent = None;
                while self.pos < self.bytes.len() {
                    let line_start = self.pos + 1;
                    let mut i = line_start;
                    while self.peek(i) == b' ' {
                        i += 1;
                    }
                    let blank = matches!(self.peek(i), b'\n' | b'\r' | 0);
                    let width = i - line_start;
                    let keep = if blank {
                        true
                    } else {
                        match indent {
                            None => {
                                indent = Some(width);
                                true
                            }
                            Some(n) => width >= n,
                        }
                    };
                    if !keep || i >= self.bytes.len() {
                        break;
                    }
                    self.pos = line_start;
                    self.skip_to_line_end();
                }
            }
            _ => {
                // A plain scalar ends at `: `, ` #`, the end of the line, or in flow context at
                // `,` `]` `}`.
                while self.pos < self.bytes.len() {
                    let b = self.peek(self.pos);
                    let next = self.peek(self.pos + 1);
                    if b == b'\n' || b == b'\r' {
                        break;
                    }
                    if b == b':'
                        && (Self::is_blank(next)
                            || (self.flow > 0 && matches!(next, b',' | b']' | b'}')))
                    {
                        break;
                    }
                    if (b == b' ' || b == b'\t') && next == b'#' {
                        break;
                    }
                    if self.flow > 0 && matches!(b, b',' | b']' | b'}') {
                        break;
                    }
                    self.pos += 1;
                }
            }
        }
        self.pos = self.pos.min(self.bytes.len());
    }
}

fn scalar_text(value: &serde_yaml::Value) -> Option<String> {
    match value {
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Null => Some("null".into()),
        _ => None,
    }
}

/// A node tree with one position everywhere (used for aliases).
fn fixed(value: &serde_yaml::Value, line: usize, column: usize) -> Located {
    use serde_yaml::Value;
    let node = match value {
        Value::Null => Node::Null,
        Value::Bool(b) => Node::Bool(*b),
        Value::Number(n) => Node::Number(n.to_string()),
        Value::String(s) => Node::String(s.clone()),
        Value::Sequence(items) => Node::Seq(items.iter().map(|v| fixed(v, line, column)).collect()),
        Value::Mapping(map) => Node::Map(
            map.iter()
                .map(|(k, v)| {
                    let key = Located {
                        line,
                        column,
                        node: Node::String(scalar_text(k).unwrap_or_default()),
                    };
                    (key, fixed(v, line, column))
                })
                .collect(),
        ),
        Value::Tagged(tagged) => return fixed(&tagged.value, line, column),
    };
    Located { line, column, node }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_are_placed_by_editor_lines() {
        // U+2028 is a line break to YAML but not to an editor: the error is on line 1.
        let err = from_str::<serde_yaml::Value>("(: a\u{2028}b").unwrap_err();
        assert_eq!(err.line, 1, "{err:?}");
        let err = from_str::<serde_yaml::Value>("a: 1\nb: [\n").unwrap_err();
        assert_eq!(err.line, 3, "{err:?}");
    }

    fn positions(node: &Located, out: &mut Vec<(String, usize, usize)>) {
        match &node.node {
            Node::Seq(items) => items.iter().for_each(|i| positions(i, out)),
            Node::Map(entries) => {
                for (k, v) in entries {
                    positions(k, out);
                    positions(v, out);
                }
            }
            Node::String(s) => out.push((s.clone(), node.line, node.column)),
            Node::Number(s) => out.push((s.clone(), node.line, node.column)),
            Node::Bool(b) => out.push((b.to_string(), node.line, node.column)),
            Node::Null => out.push(("~".into(), node.line, node.column)),
        }
    }

    #[test]
    fn every_scalar_is_located() {
        let text = "\
# comment
set: demo   # trailing
groups:
  g: [a, \"b c\", 'it''s']
rules:
  - id: one
    why: >
      folded text
      more

    terms:
      - x
      - \"*ing\"
    empty:
    near: {within: 4, groups: [[p, q], \"@g\"]}
  - id: two
";
        let root = parse_located(text).unwrap();
        let mut got = Vec::new();
        positions(&root, &mut got);
        let want: Vec<(String, usize, usize)> = [
            ("set", 2, 1),
            ("demo", 2, 6),
            ("groups", 3, 1),
            ("g", 4, 3),
            ("a", 4, 7),
            ("b c", 4, 10),
            ("it's", 4, 17),
            ("rules", 5, 1),
            ("id", 6, 5),
            ("one", 6, 9),
            ("why", 7, 5),
            ("folded text more\n", 7, 10),
            ("terms", 11, 5),
            ("x", 12, 9),
            ("*ing", 13, 9),
            ("empty", 14, 5),
            ("~", 14, 10),
            ("near", 15, 5),
            ("within", 15, 12),
            ("4", 15, 20),
            ("groups", 15, 23),
            ("p", 15, 33),
            ("q", 15, 36),
            ("@g", 15, 40),
            ("id", 16, 5),
            ("two", 16, 9),
        ]
        .into_iter()
        .map(|(s, l, c)| (s.to_string(), l, c))
        .collect();
        assert_eq!(got, want);
    }
}
