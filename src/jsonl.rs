//! JSON Lines comment input: one comment per line, grouped into threads, read as a stream.
//!
//! Each line is an object `{"id", "author", "body", "thread"}` with an optional `article`;
//! other keys are ignored, `id` and `thread` may be strings or numbers. Consecutive lines with
//! the same `thread` form one [`Thread`]; lines without `thread` form a thread named after the
//! file. Only the thread being built is held in memory, so the memory a file needs is bounded
//! by its largest thread, not by its size.
//!
//! Reading is split in steps so a caller can spread them over threads: [`Chunker`] cuts the
//! input into [`Chunk`]s of whole lines without looking inside them; [`parse`] reads one line
//! (lines are independent, so a chunk's lines may be parsed in parallel); [`Grouper`] puts the
//! parsed lines of consecutive chunks together into threads, in input order, and hands out
//! [`Unit`]s; [`Unit::build`] lays a thread out (units are independent too). [`Reader`] does
//! all of it one line at a time. Whatever the steps, the threads and errors come out the same
//! and in the same order.
//!
//! This module builds threads and maps engine positions back to the comment they came from.
//! It must not match rules or print anything: a line that does not parse is handed to the
//! caller as [`Item::Error`] naming the line, and reading goes on.
//!
//! The thread text the engine sees is laid out as `article`, then for each comment its author
//! on a line of its own and its body, blocks separated by a blank line. Lines of a body that
//! start with `>` are quoted passages (the usual mail and forum convention), so a match inside
//! them is reported as quoted. Positions reported to the user are relative to the comment's
//! body (or name, or article): see [`JsonlThread::relocate`].

use crate::finding::{Finding, Target};
use crate::thread::{Article, Comment, LineIndex, LineRange, Quote, Span, Thread};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// What serde's untagged enums say when no variant fits; kept word for word from when `id` and
/// `thread` were read as one, so error messages did not change.
const NOT_A_KEY: &str = "data did not match any variant of untagged enum Key";

/// An `id` or `thread`: a string, or a number written as JSON writes it.
struct Key<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(serde_json::Number::from(v).to_string())))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(serde_json::Number::from(v).to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Key<'de>, E> {
                serde_json::Number::from_f64(v)
                    .map(|n| Key(Cow::Owned(n.to_string())))
                    .ok_or_else(|| E::custom(NOT_A_KEY))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Key<'de>, E> {
                Err(E::custom(NOT_A_KEY))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Key<'de>, E> {
                Err(E::custom(NOT_A_KEY))
            }
            // An object or array is read to its end first, as the untagged enum did, so a
            // syntax error inside it is what gets reported.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Key<'de>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Err(de::Error::custom(NOT_A_KEY))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Key<'de>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Err(de::Error::custom(NOT_A_KEY))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

/// A string field, borrowed from the line when it holds no escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_string(TextVisitor)
    }
}

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(default, borrow)]
    id: Option<Key<'a>>,
    #[serde(default, borrow)]
    author: Option<Text<'a>>,
    #[serde(borrow)]
    body: Text<'a>,
    #[serde(default, borrow)]
    thread: Option<Key<'a>>,
    #[serde(default, borrow)]
    article: Option<Text<'a>>,
}

/// One comment record, as read; its strings borrow from the input line where they can.
struct Pending<'a> {
    id: Option<Cow<'a, str>>,
    author: Option<Cow<'a, str>>,
    body: Cow<'a, str>,
    /// 1-based line of the record in the input.
    line: usize,
}

impl Pending<'_> {
    fn into_owned(self) -> Pending<'static> {
        Pending {
            id: self.id.map(|s| Cow::Owned(s.into_owned())),
            author: self.author.map(|s| Cow::Owned(s.into_owned())),
            body: Cow::Owned(self.body.into_owned()),
            line: self.line,
        }
    }
}

/// A group of consecutive records with the same `thread` key: the key, the article (text and
/// record line) and the comments.
struct Group<'a> {
    key: Option<Cow<'a, str>>,
    article: Option<(Cow<'a, str>, usize)>,
    comments: Vec<Pending<'a>>,
}

impl Group<'_> {
    fn into_owned(self) -> Group<'static> {
        Group {
            key: self.key.map(|k| Cow::Owned(k.into_owned())),
            article: self.article.map(|(a, l)| (Cow::Owned(a.into_owned()), l)),
            comments: self.comments.into_iter().map(Pending::into_owned).collect(),
        }
    }
}

/// One line, parsed.
enum Line<'a> {
    Blank,
    Record {
        key: Option<Cow<'a, str>>,
        article: Option<Cow<'a, str>>,
        comment: Pending<'a>,
    },
    Error {
        line: usize,
        message: String,
    },
}

impl Line<'_> {
    fn into_owned(self) -> Line<'static> {
        match self {
            Line::Blank => Line::Blank,
            Line::Record {
                key,
                article,
                comment,
            } => Line::Record {
                key: key.map(|k| Cow::Owned(k.into_owned())),
                article: article.map(|a| Cow::Owned(a.into_owned())),
                comment: comment.into_owned(),
            },
            Line::Error { line, message } => Line::Error { line, message },
        }
    }
}

/// One input line read by [`parse`], waiting to be grouped into its thread by a [`Grouper`].
/// It borrows from the line's bytes.
pub struct Parsed<'a> {
    line: Line<'a>,
    /// The line held invalid UTF-8 (replaced with U+FFFD).
    lossy: bool,
}

/// Read one input line (`raw`, with or without its line break) as a comment record. `line` is
/// its 1-based number in the input; a byte-order mark is dropped from line 1.
pub fn parse(line: usize, raw: &[u8]) -> Parsed<'_> {
    match std::str::from_utf8(raw) {
        Ok(text) => parse_str(line, text),
        Err(_) => {
            let raw = if line == 1 {
                raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
            } else {
                raw
            };
            let text = String::from_utf8_lossy(raw);
            Parsed {
                line: parse_text(line, &text).into_owned(),
                lossy: true,
            }
        }
    }
}

/// [`parse`] for a line known to be UTF-8.
fn parse_str(line: usize, text: &str) -> Parsed<'_> {
    let text = if line == 1 {
        text.strip_prefix('\u{FEFF}').unwrap_or(text)
    } else {
        text
    };
    Parsed {
        line: parse_text(line, text),
        lossy: false,
    }
}

fn parse_text(line: usize, text: &str) -> Line<'_> {
    if text.trim().is_empty() {
        return Line::Blank;
    }
    let record = match flat::record(text) {
        Some(r) => r,
        None => match serde_json::from_str::<Record>(text) {
            Ok(r) => r,
            Err(e) => {
                return Line::Error {
                    line,
                    message: error_message(text, &e),
                }
            }
        },
    };
    Line::Record {
        key: record.thread.map(|k| k.0),
        article: record.article.map(|a| a.0),
        comment: Pending {
            id: record.id.map(|k| k.0),
            author: record.author.map(|a| a.0).filter(|a| !a.trim().is_empty()),
            body: record.body.0,
            line,
        },
    }
}

/// The usual record, read without serde: a flat object whose values are strings, `null` or
/// plain integers. serde_json's machinery (field visitors, `Option` and untagged handling,
/// byte-at-a-time string scanning) costs more than the rest of reading a line.
///
/// [`record`] answers only when the line is certainly a record that serde_json reads to the
/// same values; anything else (an error of any kind, escaped keys, nested or fractional values,
/// control characters, duplicate fields) gets `None`, and serde_json reads the line, so what is
/// accepted and what every error says stays serde_json's.
mod flat {
    use super::{Key, Record, Text};
    use std::borrow::Cow;

    enum Value<'a> {
        Str(Cow<'a, str>),
        /// An integer as written: `0`, or up to 18 digits not starting with `0`, maybe after a
        /// `-`. serde_json reads it as a `u64` or `i64` and writes it back the same way.
        Int(&'a str),
        Null,
        Bool,
    }

    pub(super) fn record(text: &str) -> Option<Record<'_>> {
        let bytes = text.as_bytes();
        let end = bytes.len()
            - bytes
                .iter()
                .rev()
                .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                .count();
        // Inside a string a control character is an error, outside it may be white space:
        // serde_json tells which. Without them, white space here is only ' '.
        if has_control(&bytes[..end]) {
            return None;
        }
        let mut s = Scan {
            text: &text[..end],
            at: 0,
        };
        s.spaces();
        s.eat(b'{')?;
        let (mut id, mut author, mut body, mut thread, mut article) =
            (None, None, None, None, None);
        loop {
            s.spaces();
            let key = s.key()?;
            s.spaces();
            s.eat(b':')?;
            s.spaces();
            let value = s.value()?;
            match key {
                "id" => set(&mut id, key_of(value)?)?,
                "author" => set(&mut author, text_of(value)?)?,
                "body" => set(&mut body, text_of(value)?.map(Text)?)?,
                "thread" => set(&mut thread, key_of(value)?)?,
                "article" => set(&mut article, text_of(value)?)?,
                _ => {}
            }
            s.spaces();
            match s.next()? {
                b',' => {}
                b'}' => break,
                _ => return None,
            }
        }
        if s.at != s.text.len() {
            return None;
        }
        Some(Record {
            id: id.flatten(),
            author: author.flatten().map(Text),
            body: body?,
            thread: thread.flatten(),
            article: article.flatten().map(Text),
        })
    }

    /// A field seen twice is serde's error to report.
    fn set<T>(slot: &mut Option<T>, value: T) -> Option<()> {
        match slot {
            Some(_) => None,
            None => {
                *slot = Some(value);
                Some(())
            }
        }
    }

    /// An `Option<Key>` field: `None` for `null`.
    fn key_of(value: Value<'_>) -> Option<Option<Key<'_>>> {
        match value {
            Value::Str(s) => Some(Some(Key(s))),
            Value::Int(n) => Some(Some(Key(Cow::Borrowed(n)))),
            Value::Null => Some(None),
            Value::Bool => None,
        }
    }

    /// An `Option<Text>` field: `None` for `null`.
    fn text_of(value: Value<'_>) -> Option<Option<Cow<'_, str>>> {
        match value {
            Value::Str(s) => Some(Some(s)),
            Value::Null => Some(None),
            Value::Int(_) | Value::Bool => None,
        }
    }

    /// Where the first `"` or `\\` is. Many values are short, and for them memchr's setup
    /// costs more than looking at eight bytes at a time.
    fn quote_or_backslash(bytes: &[u8]) -> Option<usize> {
        const ONES: u64 = u64::from_le_bytes([0x01; 8]);
        const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
        const QUOTES: u64 = u64::from_le_bytes([b'"'; 8]);
        const BACKSLASHES: u64 = u64::from_le_bytes([b'\\'; 8]);
        let mut at = 0;
        while at < 16 {
            let Some(word) = bytes.get(at..at + 8) else {
                break;
            };
            let word = u64::from_le_bytes(word.try_into().ok()?);
            // A zero byte in `word ^ QUOTES` is a quote; the lowest flagged byte is exact.
            let q = word ^ QUOTES;
            let b = word ^ BACKSLASHES;
            let hits = (q.wrapping_sub(ONES) & !q | b.wrapping_sub(ONES) & !b) & HIGH;
            if hits != 0 {
                return Some(at + hits.trailing_zeros() as usize / 8);
            }
            at += 8;
        }
        memchr::memchr2(b'"', b'\\', &bytes[at..]).map(|i| at + i)
    }

    /// Whether `bytes` holds a byte below 0x20; written without an early exit so that it
    /// compiles to vector instructions.
    fn has_control(bytes: &[u8]) -> bool {
        let mut chunks = bytes.chunks_exact(32);
        for chunk in &mut chunks {
            if chunk.iter().fold(0u8, |m, &b| m | u8::from(b < 0x20)) != 0 {
                return true;
            }
        }
        chunks.remainder().iter().any(|&b| b < 0x20)
    }

    const FIELDS: [&str; 5] = ["body", "id", "author", "thread", "article"];

    struct Scan<'a> {
        /// The line without its trailing white space; it holds no control characters.
        text: &'a str,
        at: usize,
    }

    impl<'a> Scan<'a> {
        fn peek(&self) -> Option<u8> {
            self.text.as_bytes().get(self.at).copied()
        }

        fn next(&mut self) -> Option<u8> {
            let b = self.peek()?;
            self.at += 1;
            Some(b)
        }

        fn eat(&mut self, want: u8) -> Option<()> {
            (self.next()? == want).then_some(())
        }

        fn spaces(&mut self) {
            while self.peek() == Some(b' ') {
                self.at += 1;
            }
        }

        fn literal(&mut self, word: &str) -> Option<()> {
            let rest = &self.text.as_bytes()[self.at..];
            rest.starts_with(word.as_bytes())
                .then(|| self.at += word.len())
        }

        /// A key without escapes (an escaped key may still name a field: serde_json unescapes
        /// it first).
        fn key(&mut self) -> Option<&'a str> {
            self.eat(b'"')?;
            let bytes = &self.text.as_bytes()[self.at..];
            // The fields themselves, without a search: memchr's setup costs more than these
            // few bytes.
            for field in FIELDS {
                if bytes.len() > field.len()
                    && bytes[field.len()] == b'"'
                    && bytes.starts_with(field.as_bytes())
                {
                    self.at += field.len() + 1;
                    return Some(field);
                }
            }
            let len = memchr::memchr2(b'"', b'\\', bytes)?;
            if bytes[len] != b'"' {
                return None;
            }
            let key = &self.text[self.at..self.at + len];
            self.at += len + 1;
            Some(key)
        }

        fn value(&mut self) -> Option<Value<'a>> {
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    self.string().map(Value::Str)
                }
                b'n' => self.literal("null").map(|()| Value::Null),
                b't' => self.literal("true").map(|()| Value::Bool),
                b'f' => self.literal("false").map(|()| Value::Bool),
                b'-' | b'0'..=b'9' => self.integer().map(Value::Int),
                _ => None,
            }
        }

        /// The number must end where an integer ends for serde_json too (`1.5`, `1e3` are
        /// floats); the caller checks what follows is `,`, `}` or white space.
        fn integer(&mut self) -> Option<&'a str> {
            let bytes = self.text.as_bytes();
            let start = self.at;
            let digits = start + usize::from(bytes[start] == b'-');
            let len = bytes[digits..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            let ok = match bytes.get(digits) {
                // `-0` is a float to serde_json.
                Some(b'0') => len == 1 && digits == start,
                Some(_) => (1..=18).contains(&len),
                None => false,
            };
            if !ok || matches!(bytes.get(digits + len), Some(b'.' | b'e' | b'E')) {
                return None;
            }
            self.at = digits + len;
            Some(&self.text[start..self.at])
        }

        /// The rest of a string whose opening quote is read: borrowed when it holds no
        /// escapes.
        fn string(&mut self) -> Option<Cow<'a, str>> {
            let bytes = self.text.as_bytes();
            let len = quote_or_backslash(&bytes[self.at..])?;
            if bytes[self.at + len] == b'"' {
                let s = &self.text[self.at..self.at + len];
                self.at += len + 1;
                return Some(Cow::Borrowed(s));
            }
            let mut out = String::with_capacity(len + 16);
            let mut run = self.at;
            let mut at = self.at + len;
            loop {
                // `at` is at a quote or a backslash.
                out.push_str(&self.text[run..at]);
                if bytes[at] == b'"' {
                    self.at = at + 1;
                    return Some(Cow::Owned(out));
                }
                at += 1;
                let c = match *bytes.get(at)? {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\x08',
                    b'f' => '\x0c',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    b'u' => {
                        let (c, len) = unicode_escape(&bytes[at + 1..])?;
                        at += len;
                        c
                    }
                    _ => return None,
                };
                out.push(c);
                at += 1;
                run = at;
                at += quote_or_backslash(&bytes[at..])?;
            }
        }
    }

    /// The character of a `\u` escape whose `\u` is read, and how many bytes it took after
    /// the `u`; a surrogate must be a pair, as serde_json wants for a string.
    fn unicode_escape(bytes: &[u8]) -> Option<(char, usize)> {
        let n = hex4(bytes)?;
        match n {
            0xD800..=0xDBFF => {
                if bytes.get(4..6)? != b"\\u" {
                    return None;
                }
                let low = hex4(&bytes[6..])?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return None;
                }
                let c = 0x1_0000 + ((n - 0xD800) << 10) + (low - 0xDC00);
                Some((char::from_u32(c)?, 10))
            }
            0xDC00..=0xDFFF => None,
            _ => Some((char::from_u32(n)?, 4)),
        }
    }

    fn hex4(bytes: &[u8]) -> Option<u32> {
        let digits = bytes.get(..4)?;
        digits.iter().try_fold(0u32, |n, &b| {
            let d = (b as char).to_digit(16)?;
            Some(n << 4 | d)
        })
    }
}

/// The message for a line that is not a comment record.
fn error_message(text: &str, e: &serde_json::Error) -> String {
    // serde_json appends "at line 1 column N"; within one record only the column says anything.
    let full = e.to_string();
    let what = full.rfind(" at line ").map_or(&full[..], |i| &full[..i]);
    let mut column = e.column();
    if what == NOT_A_KEY && e.line() == 1 {
        // The untagged enum's error got its position only after the record's end was looked
        // for: past white space, and past the closing bracket (or, in an array, a comma and
        // the white space after it). Report the column it reported.
        let bytes = text.as_bytes();
        let skip = |mut at: usize| {
            while let Some(b' ' | b'\t' | b'\r' | b'\n') = bytes.get(at) {
                at += 1;
            }
            at
        };
        let array = bytes.get(skip(0)) == Some(&b'[');
        let mut at = skip(column.min(bytes.len()));
        match bytes.get(at) {
            Some(b'}') if !array => at += 1,
            Some(b']') if array => at += 1,
            Some(b',') if array => at = skip(at + 1),
            _ => {}
        }
        column = match memchr::memrchr(b'\n', &bytes[..at]) {
            Some(nl) => at - (nl + 1),
            None => at,
        };
    }
    format!("not a comment record: {what} (column {column})")
}

/// What the reader yields: a finished thread, or a line that could not be read as a comment.
#[derive(Debug)]
pub enum Item {
    Thread(JsonlThread),
    Error { line: usize, message: String },
}

/// A thread whose records are all read, or a line that could not be read, as handed out by a
/// [`Grouper`]: [`Unit::build`] turns it into an [`Item`]. It may borrow from the input.
pub struct Unit<'a>(UnitKind<'a>);

enum UnitKind<'a> {
    Thread { name: String, group: Group<'a> },
    Error { line: usize, message: String },
}

impl Unit<'_> {
    /// Lay the thread out (or pass the error on).
    pub fn build(self) -> Item {
        match self.0 {
            UnitKind::Thread { name, group } => {
                Item::Thread(build(name, group.article, group.comments))
            }
            UnitKind::Error { line, message } => Item::Error { line, message },
        }
    }

    /// Whether this is a thread (rather than a line that could not be read).
    pub fn is_thread(&self) -> bool {
        matches!(self.0, UnitKind::Thread { .. })
    }
}

/// Add one parsed line to the group being built; a finished group or an error goes to `out`
/// (a line finishes at most one).
fn add<'a>(
    default_name: &str,
    current: &mut Option<Group<'a>>,
    line: Line<'a>,
    out: &mut Vec<Unit<'a>>,
) {
    let (key, article, comment) = match line {
        Line::Blank => return,
        Line::Error { line, message } => {
            out.push(Unit(UnitKind::Error { line, message }));
            return;
        }
        Line::Record {
            key,
            article,
            comment,
        } => (key, article, comment),
    };
    let article = article.map(|a| (a, comment.line));
    if let Some(group) = current.as_mut().filter(|g| g.key == key) {
        if group.article.is_none() {
            group.article = article;
        }
        group.comments.push(comment);
        return;
    }
    let finished = current.replace(Group {
        key,
        article,
        comments: vec![comment],
    });
    out.extend(finished.map(|g| finish(default_name, g)));
}

fn finish<'a>(default_name: &str, group: Group<'a>) -> Unit<'a> {
    let name = match &group.key {
        Some(k) => k.to_string(),
        None => default_name.to_string(),
    };
    Unit(UnitKind::Thread { name, group })
}

/// Groups parsed lines into threads, across chunks: the last thread of a chunk may go on in
/// the next, so it is kept (as owned text) until a line of another thread or the end comes.
pub struct Grouper {
    default_name: String,
    carry: Option<Group<'static>>,
    lossy: bool,
}

impl Grouper {
    /// `default_name` names the thread of records that have no `thread` key (the file's path).
    pub fn new(default_name: &str) -> Grouper {
        Grouper {
            default_name: default_name.to_string(),
            carry: None,
            lossy: false,
        }
    }

    /// Add the next lines of the input, in order; returns the threads they finished and the
    /// lines that could not be read, in input order.
    pub fn group<'a>(&mut self, lines: Vec<Parsed<'a>>) -> Vec<Unit<'a>> {
        let mut current: Option<Group<'a>> = self.carry.take();
        let mut out = Vec::new();
        for p in lines {
            self.lossy |= p.lossy;
            add(&self.default_name, &mut current, p.line, &mut out);
        }
        self.carry = current.map(Group::into_owned);
        out
    }

    /// The end of the input: the last thread, if any.
    pub fn finish(&mut self) -> Option<Unit<'static>> {
        let group = self.carry.take()?;
        Some(finish(&self.default_name, group))
    }

    /// Whether any line so far held invalid UTF-8 (replaced with U+FFFD).
    pub fn lossy(&self) -> bool {
        self.lossy
    }
}

/// The least a [`Chunker`] asks a read for.
const READ_MIN: usize = 1 << 16;

/// The longest line a [`Chunker`] reads, in bytes. A longer one is passed over to its line
/// break without being kept, and stands in its chunk as an error naming its length: a record
/// is one comment, and a line this long is most likely a whole export written as one JSON
/// document. Memory then stays bounded whatever the input (a 200 MB one-line array took 492 MB
/// when it was read whole; docs/output.md), and the lines after it are still read.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// Whole lines of the input, as read by a [`Chunker`].
pub struct Chunk {
    /// The lines.
    data: Data,
    /// End (exclusive, after its line break) of each line in `data`.
    ends: Vec<usize>,
    /// 1-based input line of the chunk's first line.
    first_line: usize,
    /// Reading stopped here with this error; the chunk holds the whole lines read before it.
    error: Option<std::io::Error>,
    /// Lines longer than `max_line`, as (index, length without the line break), in order:
    /// each parses as an error. One passed over without being kept is an empty line in
    /// `data`.
    long: Vec<(usize, usize)>,
    max_line: usize,
    /// Where `data` goes when the chunk is dropped.
    spare: Spare,
}

/// Read buffers handed back by dropped chunks. Safe code cannot read into memory that was
/// never written, so a fresh buffer is zeroed before every read; a used one is read into as it
/// is.
#[derive(Clone, Default)]
struct Spare {
    buffers: Arc<Mutex<Vec<Vec<u8>>>>,
    /// Buffers of a larger capacity (grown by a line longer than a chunk) are not kept.
    max_len: usize,
}

impl Spare {
    /// At most this many wait: one chunk is read while one waits to be checked and one is
    /// being checked.
    const KEEP: usize = 2;

    fn take(&self) -> Vec<u8> {
        let mut buffers = self.buffers.lock().unwrap_or_else(PoisonError::into_inner);
        buffers.pop().unwrap_or_default()
    }

    fn give(&self, data: Vec<u8>) {
        // By capacity: a buffer grown by a long line is truncated to the whole lines before it,
        // and is still that large. One that never held anything (a passed-over line's chunk)
        // is not worth a place.
        if (1..=self.max_len).contains(&data.capacity()) {
            let mut buffers = self.buffers.lock().unwrap_or_else(PoisonError::into_inner);
            if buffers.len() < Self::KEEP {
                buffers.push(data);
            }
        }
    }
}

/// A chunk's lines: checked as UTF-8 once, as a whole, when they are. `std` checks a long
/// text faster than many lines of a few hundred bytes: line by line the check was 1.3-1.4% of
/// a one-thread `check` of JSON Lines, as a whole 0.9%, and with two or more jobs it is done
/// by the reader thread.
enum Data {
    Text(String),
    /// Not UTF-8 somewhere: each line is checked on its own, and the bad ones replaced.
    Bytes(Vec<u8>),
}

impl Data {
    fn bytes(&self) -> &[u8] {
        match self {
            Data::Text(t) => t.as_bytes(),
            Data::Bytes(b) => b,
        }
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        let data = match std::mem::replace(&mut self.data, Data::Bytes(Vec::new())) {
            Data::Text(t) => t.into_bytes(),
            Data::Bytes(b) => b,
        };
        self.spare.give(data);
    }
}

impl Chunk {
    /// Number of lines.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Line `i` of the chunk (0-based): its 1-based number in the input and its bytes, line
    /// break included.
    pub fn line(&self, i: usize) -> (usize, &[u8]) {
        (self.first_line + i, &self.data.bytes()[self.span(i)])
    }

    /// Line `i`, parsed ([`parse`]).
    pub fn parse_line(&self, i: usize) -> Parsed<'_> {
        let line = self.first_line + i;
        // Almost always empty: no search then.
        let long = if self.long.is_empty() {
            None
        } else {
            self.long.binary_search_by_key(&i, |&(k, _)| k).ok()
        };
        if let Some(k) = long {
            let (len, limit) = (self.long[k].1, self.max_line);
            return Parsed {
                line: Line::Error {
                    line,
                    message: format!(
                        "line too long ({}; the limit is {}), not read: a JSON Lines record \
                         is one comment, on a line of its own",
                        crate::input::size(len as u64),
                        crate::input::size(limit as u64)
                    ),
                },
                lossy: false,
            };
        }
        match &self.data {
            Data::Text(t) => parse_str(line, &t[self.span(i)]),
            Data::Bytes(b) => parse(line, &b[self.span(i)]),
        }
    }

    /// Where line `i` lies in the chunk's data, line break included.
    fn span(&self, i: usize) -> std::ops::Range<usize> {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        start..self.ends[i]
    }

    /// All lines, parsed one after the other.
    pub fn parse(&self) -> Vec<Parsed<'_>> {
        (0..self.len()).map(|i| self.parse_line(i)).collect()
    }

    /// The read error that ended the input after this chunk, if one did.
    pub fn take_error(&mut self) -> Option<std::io::Error> {
        self.error.take()
    }
}

/// Cuts an input into chunks of whole lines of about a given size (a longer line makes a
/// chunk of its own), reading ahead no further than one chunk. A line longer than
/// [`MAX_LINE_BYTES`] is passed over and makes a chunk of its own that parses as an error.
pub struct Chunker<R> {
    input: R,
    size: usize,
    /// While set, a chunk ends as soon as a read brings a whole line.
    hurry: Arc<AtomicBool>,
    next_line: usize,
    /// The start of a line whose end has not been read yet.
    tail: Vec<u8>,
    done: bool,
    spare: Spare,
    /// The longest line read ([`MAX_LINE_BYTES`]).
    max_line: usize,
    /// Reading is inside a line longer than `max_line`, being passed over.
    long: Option<LongLine>,
}

/// A line longer than the limit, as far as it has been read.
struct LongLine {
    /// Its bytes read so far.
    len: usize,
    /// Input ended in it.
    eof: bool,
    /// Reading failed in it.
    error: Option<std::io::Error>,
}

impl<R: Read> Chunker<R> {
    pub fn new(input: R, size: usize) -> Chunker<R> {
        Chunker {
            input,
            size: size.max(1),
            hurry: Arc::new(AtomicBool::new(false)),
            next_line: 1,
            tail: Vec::new(),
            done: false,
            spare: Spare {
                buffers: Arc::default(),
                max_len: 2 * size.max(READ_MIN),
            },
            max_line: MAX_LINE_BYTES,
            long: None,
        }
    }

    /// Pass over lines longer than `bytes` instead of [`MAX_LINE_BYTES`].
    pub fn max_line(mut self, bytes: usize) -> Chunker<R> {
        self.max_line = bytes;
        self
    }

    /// While `flag` is set, end a chunk as soon as a read brings whole lines instead of
    /// waiting for the chunk to fill: for a consumer that is idle, waiting on a slow input.
    pub fn hurry_when(mut self, flag: Arc<AtomicBool>) -> Chunker<R> {
        self.hurry = flag;
        self
    }

    /// The next chunk; `None` at the end of the input. After a chunk that carries a read error,
    /// the input is not read further.
    pub fn next_chunk(&mut self) -> Option<Chunk> {
        if self.done {
            return None;
        }
        if let Some(long) = self.long.take() {
            return Some(self.pass_over(long));
        }
        let mut data = self.spare.take();
        // `data[..filled]` is input; what follows is room to read into.
        let mut filled = self.tail.len();
        if data.len() < filled {
            data.resize(filled, 0);
        }
        data[..filled].copy_from_slice(&self.tail);
        let mut ends = Vec::new();
        let mut scanned = 0;
        let mut error = None;
        let mut eof = false;
        let mut long_lines = Vec::new();
        loop {
            let from = ends.len();
            ends.extend(
                memchr::memchr_iter(b'\n', &data[scanned..filled]).map(|i| scanned + i + 1),
            );
            for k in from..ends.len() {
                let len = ends[k] - 1 - if k == 0 { 0 } else { ends[k - 1] };
                if len > self.max_line {
                    long_lines.push((k, len));
                }
            }
            scanned = filled;
            let open = filled - ends.last().copied().unwrap_or(0);
            if open > self.max_line {
                // Neither the line nor the rest of its chunk is kept: the whole lines before
                // it go out now (or nothing does), and the line is passed over next.
                self.long = Some(LongLine {
                    len: open,
                    eof,
                    error: error.take(),
                });
                eof = false;
                break;
            }
            if eof
                || error.is_some()
                || (!ends.is_empty() && (filled >= self.size || self.hurry.load(Ordering::Relaxed)))
            {
                break;
            }
            let want = self.size.saturating_sub(filled).max(READ_MIN);
            if data.len() < filled + want {
                data.resize(filled + want, 0);
            }
            let read = loop {
                match self.input.read(&mut data[filled..filled + want]) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    r => break r,
                }
            };
            match read {
                Ok(n) => {
                    filled += n;
                    eof = n == 0;
                }
                Err(e) => error = Some(e),
            }
        }
        if eof && ends.last().copied().unwrap_or(0) < filled {
            // The last line has no line break.
            ends.push(filled);
        }
        self.done = eof || error.is_some();
        let whole = ends.last().copied().unwrap_or(0);
        self.tail.clear();
        if !self.done && self.long.is_none() {
            self.tail.extend_from_slice(&data[whole..filled]);
        }
        if ends.is_empty() && error.is_none() {
            self.spare.give(data);
            return self.long.take().map(|long| self.pass_over(long));
        }
        let first_line = self.next_line;
        self.next_line += ends.len();
        // What follows the last whole line is in `tail` now, or is room that was not read into.
        // (When the buffer comes back for another chunk, only what lies past this is zeroed.)
        data.truncate(whole);
        let data = match String::from_utf8(data) {
            Ok(text) => Data::Text(text),
            Err(e) => Data::Bytes(e.into_bytes()),
        };
        Some(Chunk {
            data,
            ends,
            first_line,
            error,
            long: long_lines,
            max_line: self.max_line,
            spare: self.spare.clone(),
        })
    }

    /// Read on to the end of a line longer than the limit, keeping none of it but its length
    /// (what follows its line break starts the next chunk); the line's chunk.
    fn pass_over(&mut self, mut long: LongLine) -> Chunk {
        let mut buf = vec![0; READ_MIN];
        while !long.eof && long.error.is_none() {
            match self.input.read(&mut buf) {
                Ok(0) => long.eof = true,
                Ok(n) => match memchr::memchr(b'\n', &buf[..n]) {
                    Some(i) => {
                        long.len += i;
                        self.tail.clear();
                        self.tail.extend_from_slice(&buf[i + 1..n]);
                        break;
                    }
                    None => long.len += n,
                },
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => long.error = Some(e),
            }
        }
        self.done = long.eof || long.error.is_some();
        let first_line = self.next_line;
        self.next_line += 1;
        Chunk {
            data: Data::Bytes(Vec::new()),
            ends: vec![0],
            first_line,
            error: long.error,
            long: vec![(0, long.len)],
            max_line: self.max_line,
            spare: self.spare.clone(),
        }
    }
}

/// A thread built from consecutive JSON Lines records, with where each comment came from.
#[derive(Debug, Clone)]
pub struct JsonlThread {
    pub thread: Thread,
    /// For each comment, the 1-based line of its record in the input file.
    pub record_lines: Vec<usize>,
    /// The line of the record that carried the article, if any did.
    pub article_line: Option<usize>,
    /// Where the lines of `thread.source` start: built with the layout, and handed to the
    /// engine so that it does not count them again ([`Engine::check_thread_lines`]).
    ///
    /// [`Engine::check_thread_lines`]: crate::engine::Engine::check_thread_lines
    pub lines: LineIndex,
}

/// Reads threads from a JSON Lines stream, one at a time: a [`Chunker`] and a [`Grouper`],
/// as `check` reads its input, on one thread.
pub struct Reader<R> {
    chunker: Chunker<R>,
    grouper: Grouper,
    /// Threads and errors read and not yet returned, in order.
    ready: std::collections::VecDeque<std::io::Result<Item>>,
    done: bool,
}

impl<R: Read> Reader<R> {
    /// `default_name` names the thread of records that have no `thread` key (the file's path).
    pub fn new(input: R, default_name: &str) -> Reader<R> {
        // A chunk ends with the first read that brings a whole line: a thread is returned as
        // soon as the record after it has been read, however slow the input.
        let hurry = Arc::new(AtomicBool::new(true));
        Reader {
            chunker: Chunker::new(input, READ_MIN).hurry_when(hurry),
            grouper: Grouper::new(default_name),
            ready: std::collections::VecDeque::new(),
            done: false,
        }
    }

    /// Whether any line so far held invalid UTF-8 (replaced with U+FFFD).
    pub fn lossy(&self) -> bool {
        self.grouper.lossy()
    }
}

impl<R: Read> Iterator for Reader<R> {
    type Item = std::io::Result<Item>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Some(item);
            }
            if self.done {
                return None;
            }
            match self.chunker.next_chunk() {
                Some(mut chunk) => {
                    let error = chunk.take_error();
                    let units = self.grouper.group(chunk.parse());
                    self.ready.extend(units.into_iter().map(|u| Ok(u.build())));
                    self.ready.extend(error.map(Err));
                }
                None => {
                    self.done = true;
                    let last = self.grouper.finish();
                    self.ready.extend(last.map(|u| Ok(u.build())));
                }
            }
        }
    }
}

/// Lay the comments out as one source text and describe it as a thread.
fn build(
    name: String,
    article: Option<(Cow<'_, str>, usize)>,
    comments: Vec<Pending<'_>>,
) -> JsonlThread {
    let size = article.as_ref().map_or(0, |(a, _)| a.len() + 2)
        + comments
            .iter()
            .map(|c| c.author.as_ref().map_or(0, |a| a.len() + 1) + c.body.len() + 2)
            .sum::<usize>();
    let mut source = String::with_capacity(size);
    let mut article_span = None;
    let mut article_line = None;
    if let Some((text, line)) = article {
        source.push_str(&text);
        article_span = Some(Span::new(0, text.len()));
        article_line = Some(line);
        source.push_str("\n\n");
    }
    struct Placed {
        name_span: Option<Span>,
        span: Span,
    }
    let mut placed = Vec::with_capacity(comments.len());
    for c in &comments {
        let name_span = c.author.as_ref().map(|a| {
            let start = source.len();
            // A name is one line of the layout; a newline inside it would shift the body.
            if a.contains(['\n', '\r']) {
                source.push_str(&a.replace(['\n', '\r'], " "));
            } else {
                source.push_str(a);
            }
            let span = Span::new(start, source.len());
            source.push('\n');
            span
        });
        let start = source.len();
        source.push_str(&c.body);
        placed.push(Placed {
            name_span,
            span: Span::new(start, source.len()),
        });
        source.push_str("\n\n");
    }
    let index = LineIndex::new(&source);
    let lines_of = |span: Span| {
        let first = index.line_of(span.start);
        let last = index.line_of(span.end.saturating_sub(1).max(span.start));
        LineRange::new(first, last.max(first))
    };
    let article = article_span.map(|span| Article {
        title: None,
        lines: lines_of(span),
        span,
    });
    let mut record_lines = Vec::with_capacity(comments.len());
    let mut out = Vec::with_capacity(comments.len());
    for (c, p) in comments.into_iter().zip(placed) {
        let quotes = quotes_in(&source, p.span)
            .into_iter()
            .map(|span| Quote {
                lines: lines_of(span),
                span,
                source: None,
            })
            .collect();
        record_lines.push(c.line);
        out.push(Comment {
            author: c.author.map(Cow::into_owned),
            name_line: p.name_span.map(|s| index.line_of(s.start)),
            name_span: p.name_span,
            lines: lines_of(p.span),
            span: p.span,
            quotes,
            id: c.id.map(Cow::into_owned),
        });
    }
    JsonlThread {
        thread: Thread {
            name,
            source,
            article,
            boilerplate: Vec::new(),
            comments: out,
        },
        record_lines,
        article_line,
        lines: index,
    }
}

/// Runs of body lines starting with `>` (after spaces): quoted passages.
fn quotes_in(source: &str, body: Span) -> Vec<Span> {
    let text = &source[body.start..body.end];
    let mut quotes: Vec<Span> = Vec::new();
    // Most bodies quote nothing: one vector search instead of a walk over their lines.
    if memchr::memchr(b'>', text.as_bytes()).is_none() {
        return quotes;
    }
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = body.start + offset;
        offset += line.len();
        if line.trim_start().starts_with('>') {
            let content = line.trim_end_matches(['\n', '\r']);
            let end = start + content.len();
            match quotes.last_mut() {
                Some(q) if q.end + (line.len() - content.len()).max(1) >= start => q.end = end,
                _ => quotes.push(Span::new(start, end)),
            }
        }
    }
    quotes
}

impl JsonlThread {
    /// The finding with its position made relative to what the user wrote: the comment's body
    /// (line 1 is the body's first line), the commenter's name, or the article. The span is a
    /// byte range into that text. The record's line in the input file is in `record_lines`.
    pub fn relocate(&self, finding: &Finding) -> Finding {
        let t = &self.thread;
        let comment = finding.comment.and_then(|i| t.comments.get(i));
        let base = match (finding.target, comment) {
            (Target::Name, Some(c)) => c.name_span.map(|s| s.start),
            (Target::Body, Some(c)) => Some(c.span.start),
            _ => t.article.as_ref().map(|a| a.span.start),
        }
        .unwrap_or(0);
        let start = finding.span[0].saturating_sub(base);
        let end = finding.span[1].saturating_sub(base);
        let text = &t.source[base..];
        let (line, column) = LineIndex::new(&text[..start.min(text.len())])
            .line_col(&text[..start.min(text.len())], start.min(text.len()));
        Finding {
            span: [start, end],
            line,
            column,
            ..finding.clone()
        }
    }

    /// The input line of the record a finding belongs to (the article's record for the article).
    pub fn record_line(&self, finding: &Finding) -> Option<usize> {
        match finding.comment {
            Some(i) if finding.target != Target::Article => self.record_lines.get(i).copied(),
            _ => self.article_line,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Category, Severity};

    fn read(input: &str) -> Vec<Item> {
        Reader::new(input.as_bytes(), "in.jsonl")
            .map(|r| r.unwrap())
            .collect()
    }

    fn threads(items: &[Item]) -> Vec<&JsonlThread> {
        items
            .iter()
            .filter_map(|i| match i {
                Item::Thread(t) => Some(t),
                Item::Error { .. } => None,
            })
            .collect()
    }

    #[test]
    fn groups_consecutive_records_by_thread() {
        let input = r#"{"id":"a","author":"Ann","body":"one","thread":"t1"}
{"id":"b","body":"two","thread":"t1"}

{"id":3,"author":"Cy","body":"three","thread":2}
{"id":"d","author":"","body":"four"}
"#;
        let items = read(input);
        let ts = threads(&items);
        type Shape<'a> = (&'a str, Vec<Option<&'a str>>, Vec<usize>);
        let shape: Vec<Shape> = ts
            .iter()
            .map(|t| {
                (
                    t.thread.name.as_str(),
                    t.thread
                        .comments
                        .iter()
                        .map(|c| c.author.as_deref())
                        .collect(),
                    t.record_lines.clone(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                ("t1", vec![Some("Ann"), None], vec![1, 2]),
                ("2", vec![Some("Cy")], vec![4]),
                ("in.jsonl", vec![None], vec![5]),
            ]
        );
        assert_eq!(ts[1].thread.comments[0].id.as_deref(), Some("3"));
        let t = &ts[0].thread;
        let c = &t.comments[0];
        assert_eq!(&t.source[c.span.start..c.span.end], "one");
        assert_eq!(
            &t.source[c.name_span.unwrap().start..c.name_span.unwrap().end],
            "Ann"
        );
    }

    #[test]
    fn bad_lines_are_reported_and_reading_goes_on() {
        let input = "{\"body\":\"x\",\"thread\":\"a\"}\nnot json\n{\"thread\":\"a\"}\n{\"body\":\"y\",\"thread\":\"a\"}\n";
        let items = read(input);
        let errors: Vec<usize> = items
            .iter()
            .filter_map(|i| match i {
                Item::Error { line, .. } => Some(*line),
                Item::Thread(_) => None,
            })
            .collect();
        assert_eq!(errors, vec![2, 3]);
        let ts = threads(&items);
        assert_eq!(ts.len(), 1);
        assert_eq!(ts[0].record_lines, vec![1, 4]);
    }

    #[test]
    fn quoted_lines_and_article() {
        let input = r#"{"id":"q","author":"A","body":"> they said rats\nI disagree","thread":"t","article":"Head\nText"}"#;
        let items = read(input);
        let t = &threads(&items)[0];
        assert_eq!(t.article_line, Some(1));
        let a = t.thread.article.as_ref().unwrap();
        assert_eq!(&t.thread.source[a.span.start..a.span.end], "Head\nText");
        let c = &t.thread.comments[0];
        assert_eq!(c.quotes.len(), 1);
        let q = c.quotes[0].span;
        assert_eq!(&t.thread.source[q.start..q.end], "> they said rats");
    }

    #[test]
    fn relocate_makes_positions_relative_to_the_body() {
        let input = r#"{"id":"c1","author":"A","body":"fine","thread":"t"}
{"id":"c2","author":"B","body":"line one\nsay “rats” now","thread":"t"}
"#;
        let items = read(input);
        let t = threads(&items)[0];
        let src = &t.thread.source;
        let start = src.find("rats").unwrap();
        let (line, column) = LineIndex::new(src).line_col(src, start);
        let f = Finding {
            rule: "x/y".into(),
            category: Category::Insult,
            severity: Severity::High,
            target: Target::Body,
            comment: Some(1),
            span: [start, start + 4],
            line,
            column,
            matched: "rats".into(),
            normalized: "rats".into(),
            term: "rats".into(),
            quoted: false,
            counts_when_quoted: false,
        };
        let r = t.relocate(&f);
        let body = "line one\nsay “rats” now";
        let at = body.find("rats").unwrap();
        assert_eq!((r.line, r.column, r.span), (2, 6, [at, at + 4]));
        assert_eq!(t.record_line(&f), Some(2));
    }

    /// Input that fails the test if it is read past `limit` bytes.
    struct Tripwire {
        data: Vec<u8>,
        at: usize,
        limit: usize,
    }

    impl std::io::Read for Tripwire {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            assert!(
                self.at < self.limit,
                "read past the second thread's first record"
            );
            let n = buf
                .len()
                .min(self.limit - self.at)
                .min(self.data.len() - self.at);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    #[test]
    fn a_thread_is_yielded_before_the_rest_of_the_input_is_read() {
        let first = "{\"body\":\"a\",\"thread\":1}\n{\"body\":\"b\",\"thread\":1}\n";
        let second = "{\"body\":\"c\",\"thread\":2}\n";
        let mut data = format!("{first}{second}").into_bytes();
        data.extend(vec![b' '; 1 << 20]);
        let limit = first.len() + second.len();
        // A one-byte buffer: the reader cannot have read ahead by accident.
        let input = std::io::BufReader::with_capacity(1, Tripwire { data, at: 0, limit });
        let mut reader = Reader::new(input, "x");
        match reader.next().unwrap().unwrap() {
            Item::Thread(t) => assert_eq!(t.thread.comments.len(), 2),
            Item::Error { message, .. } => panic!("{message}"),
        }
    }

    #[test]
    fn invalid_utf8_is_replaced_and_flagged() {
        let input: &[u8] = b"{\"body\":\"a\xFFb\"}\n";
        let mut reader = Reader::new(input, "x");
        let item = reader.next().unwrap().unwrap();
        assert!(reader.lossy());
        match item {
            Item::Thread(t) => assert!(t.thread.source.contains("a\u{FFFD}b")),
            Item::Error { message, .. } => panic!("unexpected error {message}"),
        }
    }

    /// Threads and errors as a comparable shape: name, record lines, text; or the bad line.
    fn shape(items: &[Item]) -> Vec<(String, Vec<usize>, String)> {
        items
            .iter()
            .map(|i| match i {
                Item::Thread(t) => (
                    t.thread.name.clone(),
                    t.record_lines.clone(),
                    t.thread.source.clone(),
                ),
                Item::Error { line, message } => (format!("error {line}"), vec![], message.clone()),
            })
            .collect()
    }

    /// Chunker, parse, Grouper and build, as `check` runs them.
    fn read_in_chunks(input: &[u8], size: usize) -> Vec<Item> {
        let mut chunker = Chunker::new(input, size);
        let mut grouper = Grouper::new("in.jsonl");
        let mut items = Vec::new();
        while let Some(mut chunk) = chunker.next_chunk() {
            assert!(chunk.take_error().is_none());
            let units = grouper.group(chunk.parse());
            items.extend(units.into_iter().map(Unit::build));
        }
        items.extend(grouper.finish().map(Unit::build));
        items
    }

    #[test]
    fn chunks_of_any_size_give_what_the_reader_gives() {
        let mut input = String::from("\u{FEFF}");
        for t in 0..40 {
            for c in 0..(t % 5 + 1) {
                input.push_str(&format!(
                    "{{\"id\":{c},\"author\":\"a{c}\",\"body\":\"b\\n> q{t}\",\"thread\":\"t{}\"}}\n",
                    t / 2
                ));
                if (t + c) % 7 == 0 {
                    input.push_str("{\"body\":\n\n");
                }
            }
        }
        input.push_str("{\"body\":\"last line, no line break\"}");
        let expected = shape(&read(&input));
        assert!(expected.len() > 20);
        for size in [1, 2, 7, 64, 300, 1 << 20] {
            let got = shape(&read_in_chunks(input.as_bytes(), size));
            assert_eq!(got, expected, "chunks of {size} bytes");
        }
    }

    /// Line 1 loses one byte-order mark, on the UTF-8 path and on the lossy one alike; a
    /// second mark is left to fail the record.
    #[test]
    fn line_one_drops_one_byte_order_mark() {
        for body in [&b"ok"[..], &b"bad \xFF"[..]] {
            let record = |boms: usize| {
                let mut raw = b"\xEF\xBB\xBF".repeat(boms);
                raw.extend_from_slice(b"{\"body\":\"");
                raw.extend_from_slice(body);
                raw.extend_from_slice(b"\"}");
                raw
            };
            let one = record(1);
            assert!(
                matches!(parse(1, &one).line, Line::Record { .. }),
                "{body:?}"
            );
            assert!(
                matches!(parse(2, &one).line, Line::Error { .. }),
                "{body:?}"
            );
            let two = record(2);
            assert!(
                matches!(parse(1, &two).line, Line::Error { .. }),
                "{body:?}"
            );
        }
    }

    /// A chunk with a bad byte is read line by line; the chunks around it as a whole.
    #[test]
    fn chunks_with_invalid_utf8_give_what_the_reader_gives() {
        let mut input = b"\xEF\xBB\xBF".to_vec();
        for c in 0..30 {
            input.extend_from_slice(format!("{{\"id\":{c},\"body\":\"b{c}").as_bytes());
            if c % 11 == 4 {
                input.extend_from_slice(b" \xFF\xC3");
            }
            input.extend_from_slice(b"\",\"thread\":\"t\"}\n");
        }
        let mut reader = Reader::new(&input[..], "in.jsonl");
        let expected = shape(&reader.by_ref().map(|r| r.unwrap()).collect::<Vec<_>>());
        assert!(reader.lossy());
        assert!(expected[0].2.contains("b4 \u{FFFD}\u{FFFD}"));
        for size in [1, 40, 300, 1 << 20] {
            let got = shape(&read_in_chunks(&input, size));
            assert_eq!(got, expected, "chunks of {size} bytes");
        }
    }

    /// Gives its data, then fails.
    struct Failing<'a>(&'a [u8]);

    impl std::io::Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Err(std::io::Error::other("disk on fire"));
            }
            let n = buf.len().min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_read_error_ends_the_chunks_after_the_whole_lines_before_it() {
        let data = b"{\"body\":\"a\"}\n{\"body\":\"b\"}\n{\"body\":\"cut sh";
        let mut chunker = Chunker::new(Failing(data), 1 << 20);
        let mut chunk = chunker.next_chunk().unwrap();
        assert_eq!(chunk.len(), 2);
        assert_eq!(chunk.line(1), (2, &b"{\"body\":\"b\"}\n"[..]));
        assert_eq!(chunk.take_error().unwrap().to_string(), "disk on fire");
        assert!(chunker.next_chunk().is_none());
    }

    #[test]
    fn a_hurried_chunk_ends_at_the_first_read_that_brings_a_line() {
        /// Gives one byte per read.
        struct Trickle<'a>(&'a [u8]);
        impl std::io::Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(self.0.len()).min(1);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let data = b"{\"body\":1}\n{\"body\":2}\n";
        let lens = |hurry: bool| {
            let flag = Arc::new(AtomicBool::new(hurry));
            let mut chunker = Chunker::new(Trickle(data), 1 << 20).hurry_when(flag);
            std::iter::from_fn(|| chunker.next_chunk().map(|c| c.len())).collect::<Vec<_>>()
        };
        assert_eq!(lens(true), [1, 1]);
        assert_eq!(lens(false), [2]);
    }

    /// A chunk's buffer is kept for the next chunk; one grown by a line over the limit is not,
    /// nor the empty one of a line passed over.
    #[test]
    fn only_buffers_of_a_chunk_s_size_are_kept_for_the_next() {
        let ok = "{\"body\":\"a\"}\n";
        let input = format!("{}{}\n{ok}", ok.repeat(100), "x".repeat(1 << 20));
        let mut chunker = Chunker::new(input.as_bytes(), 16).max_line(256 << 10);
        let (buffers, max) = (chunker.spare.buffers.clone(), chunker.spare.max_len);
        let first = chunker.next_chunk().unwrap();
        assert!(first.len() > 1);
        drop(first);
        assert_eq!(buffers.lock().unwrap().len(), 1, "a chunk's buffer is kept");
        let mut long = 0;
        while let Some(chunk) = chunker.next_chunk() {
            long += chunk.long.len();
            drop(chunk);
            for b in buffers.lock().unwrap().iter() {
                assert!(
                    (1..=max).contains(&b.capacity()),
                    "kept a buffer of {}",
                    b.capacity()
                );
            }
        }
        assert_eq!(long, 1);
        assert!(!buffers.lock().unwrap().is_empty());
    }

    #[test]
    fn a_chunk_read_into_a_used_buffer_holds_only_its_own_lines() {
        let data = b"{\"body\":\"a long first line\"}\n{\"body\":\"x\"}\nlast";
        let mut chunker = Chunker::new(&data[..], 1);
        let buffers = chunker.spare.buffers.clone();
        let spare = || buffers.lock().unwrap().len();
        let first = chunker.next_chunk().unwrap();
        assert_eq!(first.len(), 2);
        assert_eq!(first.line(1), (2, &b"{\"body\":\"x\"}\n"[..]));
        drop(first);
        assert_eq!(spare(), 1);
        let second = chunker.next_chunk().unwrap();
        assert_eq!(spare(), 0);
        assert_eq!((second.len(), second.line(0)), (1, (3, &b"last"[..])));
        drop(second);
        assert!(chunker.next_chunk().is_none());
        assert_eq!(spare(), 1);
    }

    /// Every line of the chunks, as (line number, length, too-long error or not).
    fn lines_of(mut chunker: Chunker<impl std::io::Read>) -> Vec<(usize, usize, bool)> {
        let mut out = Vec::new();
        while let Some(chunk) = chunker.next_chunk() {
            for i in 0..chunk.len() {
                let (n, bytes) = chunk.line(i);
                let long = match chunk.parse_line(i).line {
                    Line::Error { message, .. } => message.starts_with("line too long"),
                    _ => false,
                };
                // A long line's bytes may or may not be kept: only the error counts.
                out.push((n, if long { 0 } else { bytes.len() }, long));
            }
        }
        out
    }

    /// A line over the limit is passed over: the lines before and after it are read as
    /// usual, and it stands as an error in the right place, at the start, the middle and
    /// the end of the input, with or without a line break, in chunks of any size.
    #[test]
    fn a_line_over_the_limit_is_an_error_and_the_others_are_read() {
        let ok = "{\"body\":\"a\"}\n";
        let long = format!("{}\n", "x".repeat(300));
        let input = format!("{long}{ok}{ok}{long}{ok}{}", "y".repeat(250));
        for size in [1, 16, 100, 1 << 20] {
            let chunker = Chunker::new(input.as_bytes(), size).max_line(200);
            assert_eq!(
                lines_of(chunker),
                [
                    (1, 0, true),
                    (2, ok.len(), false),
                    (3, ok.len(), false),
                    (4, 0, true),
                    (5, ok.len(), false),
                    (6, 0, true)
                ],
                "chunks of {size}"
            );
        }
        // A line of exactly the limit is read.
        let at_limit = format!("{}\n{ok}", "z".repeat(200));
        let chunker = Chunker::new(at_limit.as_bytes(), 16).max_line(201);
        assert_eq!(lines_of(chunker), [(1, 201, false), (2, ok.len(), false)]);
    }

    /// The error gives the line's whole length, read far past what is kept, and the limit.
    #[test]
    fn a_line_over_the_limit_is_named_with_its_length() {
        let mut input = vec![b'x'; 3 << 20];
        input.extend_from_slice(b"\n{\"body\":\"after\"}\n");
        let mut reader = Reader::new(std::io::BufReader::new(&input[..]), "big.jsonl");
        reader.chunker.max_line = 1 << 20;
        match reader.next().unwrap().unwrap() {
            Item::Error { line, message } => {
                assert_eq!(line, 1);
                assert!(
                    message.starts_with("line too long (3 MB; the limit is 1 MB)"),
                    "{message}"
                );
            }
            Item::Thread(_) => panic!("the long line was read"),
        }
        match reader.next().unwrap().unwrap() {
            Item::Thread(t) => assert_eq!(t.record_lines, [2]),
            Item::Error { message, .. } => panic!("{message}"),
        }
        assert!(reader.next().is_none());
    }

    /// A record's values, or serde_json's error message, for comparing the two readers.
    type Values = Result<[Option<String>; 5], String>;

    fn values(r: Record<'_>) -> [Option<String>; 5] {
        [
            r.id.map(|k| k.0.into_owned()),
            r.author.map(|t| t.0.into_owned()),
            Some(r.body.0.into_owned()),
            r.thread.map(|k| k.0.into_owned()),
            r.article.map(|t| t.0.into_owned()),
        ]
    }

    fn by_serde(text: &str) -> Values {
        serde_json::from_str::<Record>(text)
            .map(values)
            .map_err(|e| error_message(text, &e))
    }

    /// Whether the fast reader took the line, after checking it read what serde_json reads.
    fn agrees(text: &str) -> bool {
        match flat::record(text) {
            Some(r) => {
                assert_eq!(Ok(values(r)), by_serde(text), "{text:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn the_fast_reader_reads_what_serde_json_reads_or_leaves_the_line_to_it() {
        // (line, whether the fast reader takes it)
        let table: &[(&str, bool)] = &[
            (
                r#"{"id":"a","author":"Ann","body":"one","thread":"t1"}"#,
                true,
            ),
            (r#"{"body":"x"}"#, true),
            ("{\"body\":\"x\"}\n", true),
            ("{\"body\":\"x\"}\r\n", true),
            ("  { \"body\" : \"x\" ,  \"id\" : 7 }  \t\r\n", true),
            (r#"{"body":"a\"b\\c\/d\b\f\n\r\t"}"#, true),
            (
                r#"{"body":"\u00e9\u00E9 \u2028 \u0000 \ud83d\ude00 \uD83D\uDE00"}"#,
                true,
            ),
            (r#"{"body":"tail\\"}"#, true),
            (r#"{"body":"\\\\\\\"\"\""}"#, true),
            (r#"{"body":"ünïcödé “quotes” ’"}"#, true),
            (r#"{"body":"","author":""}"#, true),
            (r#"{"body":"x","author":"  "}"#, true),
            (
                r#"{"body":"x","author":null,"id":null,"thread":null,"article":null}"#,
                true,
            ),
            (r#"{"body":"x","id":0,"thread":-12}"#, true),
            (
                r#"{"body":"x","id":123456789012345678,"thread":-123456789012345678}"#,
                true,
            ),
            (
                r#"{"body":"x","extra":"y","more":1,"n":null,"t":true,"f":false}"#,
                true,
            ),
            (r#"{"body":"x","extra":"\ud800","other":"\q"}"#, false),
            (r#"{"body":"x","extra":"x","extra":2}"#, true),
            (r#"{"body":"x","bodyx":"y","BODY":"z","":"w"}"#, true),
            (r#"{"body":"x","article":"Head\nText"}"#, true),
            // Left to serde_json: errors, and values the fast reader does not read.
            (r#"{"body":"x","body":"y"}"#, false),
            (r#"{"body":"x","id":"a","id":"b"}"#, false),
            (r#"{"body":"x","id":null,"id":null}"#, false),
            (r#"{"id":"a"}"#, false),
            (r#"{}"#, false),
            (r#"{"body":null}"#, false),
            (r#"{"body":1}"#, false),
            (r#"{"body":"x","author":1}"#, false),
            (r#"{"body":"x","id":true}"#, false),
            (r#"{"body":"x","id":1.5}"#, false),
            (r#"{"body":"x","id":1e3}"#, false),
            (r#"{"body":"x","id":-0}"#, false),
            (r#"{"body":"x","id":007}"#, false),
            (r#"{"body":"x","id":1234567890123456789}"#, false),
            (r#"{"body":"x","id":99999999999999999999999}"#, false),
            (r#"{"body":"x","id":-}"#, false),
            (r#"{"body":"x","id":[1]}"#, false),
            (r#"{"body":"x","id":{"a":1}}"#, false),
            (r#"{"body":"x","id":[1,}"#, false),
            (r#"{"body":"x","extra":[1,2]}"#, false),
            (r#"{"body":"x","extra":{"a":"b"}}"#, false),
            (r#"{"body":["x"]}"#, false),
            (r#"{"bo\u0064y":"x"}"#, false),
            (r#"{"body":"x","\u0069d":"y"}"#, false),
            (r#"{"body":"a\qb"}"#, false),
            (r#"{"body":"a\u12"}"#, false),
            (r#"{"body":"a\u12g4"}"#, false),
            (r#"{"body":"\ud83d"}"#, false),
            (r#"{"body":"\ud83dx"}"#, false),
            (r#"{"body":"\ud83d\n"}"#, false),
            (r#"{"body":"\ud83d\u0041"}"#, false),
            (r#"{"body":"\ude00"}"#, false),
            (r#"{"body":"\"#, false),
            (r#"{"body":"x"#, false),
            (r#"{"body":"x""#, false),
            (r#"{"body":"x",}"#, false),
            (r#"{"body":"x"}}"#, false),
            (r#"{"body":"x"} x"#, false),
            (r#"{"body":"x"}{"body":"y"}"#, false),
            (r#"{"body" "x"}"#, false),
            (r#"{"body":"x" "id":"y"}"#, false),
            (r#"{body:"x"}"#, false),
            (r#"{'body':'x'}"#, false),
            (r#"["1","a","x"]"#, false),
            (r#""body""#, false),
            ("not json", false),
            ("{\"body\":\"tab\tinside\"}", false),
            ("{\"body\":\"nul\u{0}inside\"}", false),
            ("\t{\"body\":\"x\"}", false),
            ("{\"body\":\"x\",\t\"id\":\"y\"}", false),
            ("{\"body\":\"x\"}\u{a0}", false),
            ("\u{feff}{\"body\":\"x\"}", false),
            (r#"{"body":"x","t":tru}"#, false),
            (r#"{"body":"x","t":nullx}"#, false),
            (r#"{"body":"x","n":-5x}"#, false),
        ];
        for &(text, fast) in table {
            assert_eq!(agrees(text), fast, "{text:?}");
        }
        let long = format!(
            r#"{{"body":"{}\n{}","id":"{}"}}"#,
            "a\\\"b ".repeat(50_000),
            "é".repeat(100_000),
            "i".repeat(1000)
        );
        assert!(agrees(&long));
    }

    #[test]
    fn lines_read_fast_or_not_come_out_the_same() {
        // parse_text with the fast reader against serde_json alone, errors included.
        let lines = [
            r#"{"body":"a\"b","author":" A ","id":12,"thread":"t"}"#,
            r#"{"body":"x","id":{"a":[1,2}}"#,
            r#"{"body":"x","id":true}"#,
            r#"{"body":"x","body":"y"}"#,
            "{\"body\":\"tab\tinside\"}",
        ];
        for text in lines {
            let serde = by_serde(text);
            let got = match parse_text(1, text) {
                Line::Record {
                    key,
                    article,
                    comment,
                } => Ok([
                    comment.id.map(Cow::into_owned),
                    comment.author.map(Cow::into_owned),
                    Some(comment.body.into_owned()),
                    key.map(Cow::into_owned),
                    article.map(Cow::into_owned),
                ]),
                Line::Error { message, .. } => Err(message),
                Line::Blank => panic!("blank"),
            };
            let serde = serde.map(|mut v| {
                v[1] = v[1].take().filter(|a| !a.trim().is_empty());
                v
            });
            assert_eq!(got, serde, "{text:?}");
        }
    }

    use proptest::prelude::*;

    /// Pieces of JSON, right and wrong, that records are put together from.
    fn json_value() -> impl Strategy<Value = String> {
        let string_char = prop_oneof![
            4 => "[a-z >“é]",
            1 => Just("\\\"".to_string()),
            1 => Just("\\\\".to_string()),
            1 => Just("\\n".to_string()),
            1 => Just("\\/".to_string()),
            1 => Just("\\u00e9".to_string()),
            1 => Just("\\ud83d\\ude00".to_string()),
            1 => Just("\\ud83d".to_string()),
            1 => Just("\\ude00".to_string()),
            1 => Just("\\x".to_string()),
            1 => Just("\\u12".to_string()),
            1 => Just("\t".to_string()),
            1 => Just("\"".to_string()),
            1 => Just("\\".to_string()),
        ];
        prop_oneof![
            6 => proptest::collection::vec(string_char, 0..12).prop_map(|v| format!("\"{}\"", v.concat())),
            1 => Just("null".to_string()),
            1 => Just("true".to_string()),
            1 => Just("fals".to_string()),
            2 => "-?[0-9]{1,21}(\\.[0-9])?(e[0-9])?",
            1 => Just("[1,\"a\"]".to_string()),
            1 => Just("{\"a\":1}".to_string()),
            1 => Just("".to_string()),
        ]
    }

    fn json_line() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            3 => Just("\"body\"".to_string()),
            2 => Just("\"id\"".to_string()),
            2 => Just("\"author\"".to_string()),
            2 => Just("\"thread\"".to_string()),
            1 => Just("\"article\"".to_string()),
            1 => Just("\"other\"".to_string()),
            1 => Just("\"bo\\u0064y\"".to_string()),
            1 => Just("\"bod\"".to_string()),
            1 => Just("body".to_string()),
        ];
        let space = prop_oneof![4 => Just(""), 2 => Just(" "), 1 => Just("\t"), 1 => Just("\r\n")];
        let entry = (key, space.clone(), json_value(), space.clone());
        (
            proptest::collection::vec(entry, 0..6),
            space.clone(),
            prop_oneof![8 => Just(","), 1 => Just(""), 1 => Just(";"), 1 => Just(",,")],
            prop_oneof![8 => Just("}"), 1 => Just(""), 1 => Just("},"), 1 => Just("} x")],
            space,
        )
            .prop_map(|(entries, lead, sep, close, trail)| {
                let fields: Vec<String> = entries
                    .into_iter()
                    .map(|(k, s1, v, s2)| format!("{k}{s1}:{s2}{v}"))
                    .collect();
                format!("{lead}{{{}{close}{trail}", fields.join(sep))
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn the_fast_reader_never_reads_a_line_differently(line in json_line()) {
            agrees(&line);
        }

        #[test]
        fn the_fast_reader_on_any_text(line in "[{}\\[\\]\":,a-z0-9 \\\\\t-]{0,40}") {
            agrees(&line);
        }
    }
}
