//! The segmenter: the plain text of a scraped page in, a [`Thread`] out (article, boilerplate,
//! comments with author or none, body lines and span, quotes).
//!
//! Owns reading structure out of layout: blank lines, short name lines, timestamps, comment
//! actions, counters, site notices. It knows nothing of rules or findings and must not match
//! them. Each heuristic is explained, with the case that forced it, in `docs/segmenter.md`.
//!
//! Submodules: `lines` (splitting), `classify` (one line in isolation), `names` (name score of
//! one line), `quotes` (quotes in a body and their sources); this file puts them together.

mod classify;
mod lines;
mod names;
mod quotes;
mod words;

use crate::thread::{Article, Comment, LineRange, Quote, Span, Thread};
use crate::FastHash;
use classify::{Kind, Section};
use lines::{Block, Line};
use std::collections::HashMap;

/// Build the patterns and vocabularies the segmenter otherwise builds on first use (a few
/// milliseconds), so that a server's first page does not wait for them.
pub fn warm() {
    classify::warm();
}

/// Segment a page's text into a thread named `name`.
///
/// Never panics and runs in time linear in the size of `source`.
pub fn segment(name: &str, source: String) -> Thread {
    let (article, boilerplate, comments) = {
        let lines = lines::split(&source);
        let page = Page::new(&lines);
        page.run(source.len())
    };
    Thread {
        name: name.to_string(),
        source,
        article,
        boilerplate,
        comments,
    }
}

/// What a block is, before comments are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockClass {
    /// Most lines are site chrome; the strongest section kind.
    Chrome(Section),
    /// Only comment actions and timestamps ("Reply", "▲ 3", "5 years ago").
    Action,
    Content,
}

/// Where a block sits on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zone {
    /// Not yet known (article or comments).
    Open,
    /// After a "Latest news" marker, a notice or a teaser list: boilerplate until a comment
    /// section opens.
    Tail,
}

/// A comment header found by its own shape ("Name says:", "Name • 2h", name then timestamp).
#[derive(Debug, Clone, Copy)]
struct Header {
    line: usize,
    name: Span,
    /// Last line of the header (timestamp and action lines directly under the name).
    end: usize,
}

/// A comment as line indices (0-based) before it becomes a [`Comment`].
#[derive(Debug, Clone)]
struct Draft {
    name: Option<(usize, Span)>,
    first: usize,
    last: usize,
}

struct Page<'s, 'l> {
    lines: &'l [Line<'s>],
    kinds: Vec<Kind>,
    blocks: Vec<Block>,
    class: Vec<BlockClass>,
}

/// A paragraph of article prose: long enough that no name, caption or menu is this long.
/// Headlines are as long but do not end like a sentence (seed 001 line 1, seed 004 line 3).
fn is_prose(text: &str) -> bool {
    text.len() >= 80
        && (text.ends_with(['.', '!', '?', '…', '"', '”', '’', ')', ':'])
            || memchr::memchr_iter(b'.', text.as_bytes())
                .any(|i| text.as_bytes().get(i + 1) == Some(&b' ')))
        && words::count_words(text, 12) >= 12
}

impl<'s, 'l> Page<'s, 'l> {
    fn new(lines: &'l [Line<'s>]) -> Self {
        let mut kinds: Vec<Kind> = lines.iter().map(|l| classify::kind(l.text)).collect();
        let blocks = lines::blocks(lines);
        let class = blocks
            .iter()
            .map(|b| {
                let n = b.last - b.first + 1;
                let mut sections = 0;
                let mut actions = 0;
                let mut strongest: Option<Section> = None;
                for k in &kinds[b.first..=b.last] {
                    match k {
                        Kind::Section(s) => {
                            sections += 1;
                            strongest = Some(match (strongest, s) {
                                (_, Section::CommentHeader) | (Some(Section::CommentHeader), _) => {
                                    Section::CommentHeader
                                }
                                (_, Section::ListMarker) | (Some(Section::ListMarker), _) => {
                                    Section::ListMarker
                                }
                                (_, Section::Notice) | (Some(Section::Notice), _) => {
                                    Section::Notice
                                }
                                (_, s) => *s,
                            });
                        }
                        Kind::Action | Kind::Timestamp => actions += 1,
                        _ => {}
                    }
                }
                // A list marker heading its block ("Related" over link titles, "About the
                // author" over a short bio) makes the whole block a list or a box
                // (`related_then_comments_bees`, `no_comments_bio_cookies_recipe`).
                if kinds[b.first] == Kind::Section(Section::ListMarker)
                    && n > 1
                    && (b.first + 1..=b.last).all(|i| lines[i].text.len() <= 300)
                {
                    return BlockClass::Chrome(Section::ListMarker);
                }
                match strongest {
                    // A paragraph with one notice phrase among prose stays content; a block
                    // that is mostly chrome is chrome ("Comments" among paywall lines, seed 003).
                    Some(s) if (sections + actions) * 2 > n && sections * 3 >= n => {
                        BlockClass::Chrome(s)
                    }
                    _ if actions == n => BlockClass::Action,
                    _ => BlockClass::Content,
                }
            })
            .collect::<Vec<BlockClass>>();
        // A reader may mention a newsletter or a subscription: a notice-like paragraph right
        // under a name line (one blank line) is that reader's comment, not site chrome.
        let mut class = class;
        for b in 1..blocks.len() {
            let prev = blocks[b - 1];
            if class[b] == BlockClass::Chrome(Section::Notice)
                && blocks[b].gap == 1
                && class[b - 1] == BlockClass::Content
                && prev.is_single()
                && kinds[prev.first] == Kind::Text
                && names::score(lines[prev.first].text).is_some_and(|s| s >= 1)
            {
                class[b] = BlockClass::Content;
                for k in &mut kinds[blocks[b].first..=blocks[b].last] {
                    if *k == Kind::Section(Section::Notice) {
                        *k = Kind::Text;
                    }
                }
            }
        }
        Page {
            lines,
            kinds,
            blocks,
            class,
        }
    }

    fn text(&self, i: usize) -> &'s str {
        self.lines[i].text
    }

    fn block_text_len(&self, b: &Block) -> usize {
        (b.first..=b.last).map(|i| self.lines[i].text.len()).sum()
    }

    /// Run every stage; returns article, boilerplate and comments.
    fn run(&self, source_len: usize) -> (Option<Article>, Vec<LineRange>, Vec<Comment>) {
        let nb = self.blocks.len();
        // Leading chrome ("Menu Close", seed 004) is boilerplate, not article.
        let lead = (0..nb)
            .take_while(|&b| {
                matches!(
                    self.class[b],
                    BlockClass::Chrome(Section::Menu | Section::Notice)
                )
            })
            .count();
        // The article body starts at its first prose paragraph; short lines before it are the
        // headline, breadcrumbs, bylines and captions (seeds 001, 003).
        let header_before = |upto: usize| {
            (lead..upto).find(|&b| self.class[b] == BlockClass::Chrome(Section::CommentHeader))
        };
        let prose = (lead..nb).find(|&b| {
            self.class[b] == BlockClass::Content
                && (self.blocks[b].first..=self.blocks[b].last).any(|i| is_prose(self.text(i)))
        });
        let body_start = prose.unwrap_or(nb);
        // A comment section that opens before any prose (a page that is only comments).
        let search_from = match header_before(body_start) {
            Some(h) => h + 1,
            None => body_start,
        };

        let zones = self.zones(lead);
        // A dateline above the article ("Updated on March 3, 2019 at 1:05 pm") has a header's
        // shape; headers count only after the first paragraph or after a comment counter.
        let all_headers = self.headers(lead);
        let headers: Vec<Header> = all_headers
            .iter()
            .copied()
            .filter(|h| {
                let hb = self.line_block(h.line);
                prose.is_none() || hb > body_start || header_before(hb).is_some()
            })
            .collect();
        // A forum's opening post: its header ("Posted by Ann on ...") heads the first prose
        // block. Kept when at least two later headers have the same shape (same words before
        // the name, same separator after it), which a byline over the article does not share
        // with the comments (`forum_quote_from_chess`, `phpbb_wrote_quarry`).
        let headers = match (
            prose,
            all_headers
                .iter()
                .find(|h| self.line_block(h.line) == body_start),
        ) {
            (Some(_), Some(first))
                if self.blocks[body_start].first == first.line
                    && headers
                        .iter()
                        .filter(|h| self.header_shape(h) == self.header_shape(first))
                        .count()
                        >= 2 =>
            {
                let mut v = vec![*first];
                v.extend(headers);
                v
            }
            _ => headers,
        };
        // One header is enough after a counter, or after the article's first paragraph (a
        // byline with a dateline sits before it).
        let explicit = headers.len() >= 2
            || (headers.len() == 1 && {
                let hb = self.line_block(headers[0].line);
                header_before(hb).is_some() || (prose.is_some() && hb > body_start)
            });

        let (drafts, article_end_block) = if explicit {
            self.explicit(&headers, &zones)
        } else {
            self.plain(search_from, body_start, &zones)
        };

        // Roles of lines: boilerplate where chrome or tail lies outside article and comments.
        let mut in_comment = vec![false; self.lines.len()];
        for d in &drafts {
            let from = d.name.map_or(d.first, |(l, _)| l);
            let mut to = d.last;
            // Actions and timestamps right under a body belong to the comment.
            while to + 1 < self.lines.len()
                && matches!(
                    self.kinds[to + 1],
                    Kind::Action | Kind::Timestamp | Kind::Blank
                )
            {
                to += 1;
            }
            for flag in &mut in_comment[from..=to] {
                *flag = true;
            }
        }
        let article_blocks = lead..article_end_block.unwrap_or(lead);
        let article = if article_blocks.is_empty() {
            None
        } else {
            let first_line = self.blocks[article_blocks.start].first;
            let last_line = self.blocks[article_blocks.end - 1].last;
            Some(Article {
                title: self.title(lead, body_start.min(article_blocks.end)),
                lines: LineRange::new(first_line + 1, last_line + 1),
                span: Span::new(
                    self.lines[first_line].start,
                    self.lines[last_line].text_end(),
                ),
            })
        };
        let mut boiler = vec![false; self.lines.len()];
        for (bi, b) in self.blocks.iter().enumerate() {
            let chrome = match self.class[bi] {
                BlockClass::Chrome(_) => true,
                BlockClass::Action => true,
                BlockClass::Content => {
                    bi < lead || (zones[bi] == Zone::Tail && !article_blocks.contains(&bi))
                }
            };
            // Datelines and timestamps inside the article are article ("Published 14 October").
            let inside_article = article_blocks.contains(&bi)
                && matches!(self.class[bi], BlockClass::Content | BlockClass::Action);
            for (i, flag) in boiler.iter_mut().enumerate().take(b.last + 1).skip(b.first) {
                *flag = chrome && !inside_article && !in_comment[i];
            }
        }
        // Content that is neither article nor comment after the article (an unclaimed
        // paragraph between the tail and the comments) is boilerplate too.
        let article_last = article.as_ref().map_or(0, |a| a.lines.last);
        for (bi, b) in self.blocks.iter().enumerate() {
            if b.first + 1 > article_last
                && !(b.first..=b.last).any(|i| in_comment[i])
                && bi >= lead
            {
                for flag in &mut boiler[b.first..=b.last] {
                    *flag = true;
                }
            }
        }
        // Chrome lines inside a content block after the article ("level 2" and "Re: subject"
        // lines over a post's header, `reddit_levels_cycling`, `phpbb_wrote_quarry`).
        // A control right under a comment's own actions ("Reply" / "View 2 more replies")
        // stays with that comment (`replies_lost_indent_pets`).
        for i in article_last..self.lines.len() {
            let under_comment = i > 0 && in_comment[i - 1] && !self.lines[i - 1].is_blank();
            if matches!(self.kinds[i], Kind::Section(_)) && !in_comment[i] && !under_comment {
                boiler[i] = true;
            }
        }
        let boilerplate = self.ranges(&boiler);

        let article_lines = article.as_ref().map(|a| {
            (
                self.line_of(a.span.start),
                self.line_of(a.span.end.saturating_sub(1)),
            )
        });
        let mut tracer = quotes::Tracer::new(self.lines, article_lines, source_len);
        let comments = drafts
            .iter()
            .map(|d| self.comment(d, &mut tracer))
            .collect();
        (article, boilerplate, comments)
    }

    fn line_of(&self, offset: usize) -> usize {
        match self.lines.binary_search_by(|l| l.start.cmp(&offset)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    fn line_block(&self, line: usize) -> usize {
        match self.blocks.binary_search_by(|b| b.first.cmp(&line)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Merge boilerplate lines into ranges; blank lines between them do not break a range.
    fn ranges(&self, boiler: &[bool]) -> Vec<LineRange> {
        let mut out: Vec<LineRange> = Vec::new();
        let mut open: Option<(usize, usize)> = None;
        for (i, &b) in boiler.iter().enumerate() {
            if b {
                open = Some(match open {
                    Some((s, _)) => (s, i),
                    None => (i, i),
                });
            } else if !self.lines[i].is_blank() {
                if let Some((s, e)) = open.take() {
                    out.push(LineRange::new(s + 1, e + 1));
                }
            }
        }
        if let Some((s, e)) = open {
            out.push(LineRange::new(s + 1, e + 1));
        }
        out
    }

    /// The headline: the first headline-shaped line before the body; when a later line is
    /// its tail, the earlier one was a breadcrumb run into it (seed 001).
    fn title(&self, from: usize, to: usize) -> Option<usize> {
        let cand: Vec<usize> = (from..to.min(self.blocks.len()))
            .filter(|&b| self.class[b] == BlockClass::Content)
            .flat_map(|b| self.blocks[b].first..=self.blocks[b].last)
            .filter(|&i| !is_prose(self.text(i)))
            .take(8)
            .collect();
        let first = *cand
            .iter()
            .find(|&&i| classify::is_headline(self.text(i)))?;
        let t = self.text(first);
        let tail = cand.iter().find(|&&j| {
            j > first
                && self.text(j).len() < t.len()
                && classify::is_headline(self.text(j))
                && t.ends_with(self.text(j))
        });
        Some(tail.copied().unwrap_or(first) + 1)
    }

    /// Mark blocks after a list marker, a notice or a teaser list as tail until a comment
    /// section opens (seeds 001, 003, 004).
    fn zones(&self, lead: usize) -> Vec<Zone> {
        let nb = self.blocks.len();
        let mut zones = vec![Zone::Open; nb];
        let teaser = self.teaser_lists();
        let mut tail = false;
        let mut seen_prose = false;
        for b in lead..nb {
            match self.class[b] {
                BlockClass::Chrome(Section::CommentHeader) => tail = false,
                // A marker heading its own block ("Related" over its links) holds its list;
                // what follows after a blank line may be comments without a counter
                // (`related_then_comments_bees`). A marker alone opens a list below it.
                BlockClass::Chrome(Section::ListMarker)
                    if !self.blocks[b].is_single()
                        && self.kinds[self.blocks[b].first]
                            == Kind::Section(Section::ListMarker) => {}
                BlockClass::Chrome(Section::ListMarker | Section::Notice) if seen_prose => {
                    tail = true
                }
                BlockClass::Content if teaser[b] => tail = true,
                BlockClass::Content => {
                    let blk = self.blocks[b];
                    if (blk.first..=blk.last).any(|i| is_prose(self.text(i))) {
                        seen_prose = true;
                        // Prose after a notice is the article going on after an inline
                        // newsletter box, not more chrome.
                        tail = false;
                    }
                }
                _ => {}
            }
            if tail {
                zones[b] = Zone::Tail;
            }
        }
        zones
    }

    /// Blocks in a run of at least two "headline, blank, teaser…" link items.
    fn teaser_lists(&self) -> Vec<bool> {
        let nb = self.blocks.len();
        let mut item = vec![false; nb];
        let is_teaser = |b: usize| {
            let t = self.text(self.blocks[b].last);
            t.ends_with("...") || t.ends_with('…') || t.ends_with("[…]") || t.ends_with("[...]")
        };
        let is_head = |b: usize| {
            self.blocks[b].is_single()
                && self.class[b] == BlockClass::Content
                && !self.text(self.blocks[b].first).ends_with(['.', '!', '?'])
                && self.text(self.blocks[b].first).len() <= 200
        };
        let mut b = 0;
        while b + 1 < nb {
            // Count consecutive (headline, teaser) pairs starting at b.
            let mut k = b;
            let mut pairs = 0;
            while k + 1 < nb && is_head(k) && is_teaser(k + 1) && self.blocks[k + 1].gap == 1 {
                pairs += 1;
                k += 2;
            }
            if pairs >= 2 {
                for flag in &mut item[b..k] {
                    *flag = true;
                }
                b = k;
            } else {
                b += 1;
            }
        }
        item
    }

    /// Comment headers found by shape: inline ("Name says:", "Name • 5 years ago") or a
    /// name-like line with a timestamp right under it (or after one blank line).
    fn headers(&self, lead: usize) -> Vec<Header> {
        let mut out = Vec::new();
        let from = self.blocks.get(lead).map_or(self.lines.len(), |b| b.first);
        let mut i = from;
        while i < self.lines.len() {
            let t = self.text(i);
            let starts_para = i == 0
                || matches!(
                    self.kinds[i - 1],
                    Kind::Blank | Kind::Action | Kind::Timestamp | Kind::Section(_)
                );
            if self.kinds[i] != Kind::Text || !starts_para || t.len() > 140 {
                i += 1;
                continue;
            }
            let mut name = classify::inline_header(t).map(|(a, b)| {
                Span::new(self.lines[i].text_start + a, self.lines[i].text_start + b)
            });
            let mut end = i;
            // The next non-blank line (at most one blank between) is a timestamp.
            let mut j = i + 1;
            if j < self.lines.len() && self.lines[j].is_blank() {
                j += 1;
            }
            // Disqus replies name the parent between the name and the date ("Ann Lee" /
            // "Bob Hart" / "• 2 years ago", `disqus_split_bullets_school`); both lines must read
            // as names.
            if j + 1 < self.lines.len()
                && j == i + 1
                && self.kinds[j] == Kind::Text
                && self.kinds[j + 1] == Kind::Timestamp
                && names::score(t).is_some_and(|s| s > 0)
                && names::score(self.text(j)).is_some_and(|s| s > 0)
            {
                j += 1;
            }
            let stamped = j < self.lines.len() && self.kinds[j] == Kind::Timestamp;
            // A byline over a dateline ("By Marta Novak" / "Published 14 October") is not a
            // comment header.
            let byline = words::starts_with_ascii_ci(t, "by ");
            if name.is_none() && stamped && !byline && names::score(t).is_some_and(|s| s > -3) {
                name = Some(Span::new(
                    self.lines[i].text_start,
                    self.lines[i].text_end(),
                ));
            }
            if let Some(span) = name {
                if stamped {
                    end = j;
                }
                while end + 1 < self.lines.len()
                    && matches!(self.kinds[end + 1], Kind::Timestamp | Kind::Action)
                {
                    end += 1;
                }
                out.push(Header {
                    line: i,
                    name: span,
                    end,
                });
                i = end + 1;
            } else {
                i += 1;
            }
        }
        out
    }

    /// The shape of a header line: the words before the name and the first character after
    /// it ("posted by", ' '; "", '•').
    fn header_shape(&self, h: &Header) -> (String, Option<char>) {
        let l = &self.lines[h.line];
        let from = h.name.start.saturating_sub(l.text_start);
        let to = h.name.end.saturating_sub(l.text_start);
        let before = l.text.get(..from).unwrap_or("").trim().to_lowercase();
        let after = l.text.get(to..).unwrap_or("").trim_start().chars().next();
        (before, after)
    }

    /// Layout with explicit headers: each header starts a comment whose body runs to the next
    /// header; an action line ("Reply") followed by more text ends the comment, and the text
    /// after it is a guest comment.
    fn explicit(&self, headers: &[Header], zones: &[Zone]) -> (Vec<Draft>, Option<usize>) {
        let n = self.lines.len();
        let first_header_block = self.line_block(headers[0].line);
        let article_end = self.article_end(first_header_block, zones);
        let mut drafts = Vec::new();
        for (hi, h) in headers.iter().enumerate() {
            let stop = headers.get(hi + 1).map_or(n, |x| x.line);
            let mut cur: Option<Draft> = Some(Draft {
                name: Some((h.line, h.name)),
                first: usize::MAX,
                last: 0,
            });
            let mut after_action = false;
            for i in h.end + 1..stop {
                let bi = self.line_block(i);
                if self.lines[i].is_blank() {
                    continue;
                }
                if zones[bi] == Zone::Tail || matches!(self.class[bi], BlockClass::Chrome(_)) {
                    break;
                }
                match self.kinds[i] {
                    Kind::Text => {
                        if after_action && cur.as_ref().map_or(true, |d| d.first != usize::MAX) {
                            if let Some(d) = cur.take() {
                                drafts.push(d);
                            }
                            cur = Some(Draft {
                                name: None,
                                first: usize::MAX,
                                last: 0,
                            });
                        }
                        after_action = false;
                        let d = cur.as_mut().expect("a draft is open");
                        if d.first == usize::MAX {
                            d.first = i;
                        }
                        d.last = i;
                    }
                    Kind::Action => after_action = true,
                    // A reply form, a list or a post subject under the body ends it
                    // ("Leave a Reply" over "Name *", `wp_thoughts_allotment`).
                    Kind::Section(_) => break,
                    _ => {}
                }
            }
            if let Some(d) = cur {
                drafts.push(d);
            }
        }
        drafts.retain(|d| d.first != usize::MAX);
        (drafts, article_end)
    }

    /// One past the last article block before block `stop`: the last content block that is
    /// not in the tail.
    fn article_end(&self, stop: usize, zones: &[Zone]) -> Option<usize> {
        (0..stop.min(self.blocks.len()))
            .rev()
            .find(|&b| self.class[b] == BlockClass::Content && zones[b] == Zone::Open)
            .map(|b| b + 1)
    }

    /// The seeds' layout: name line, one blank line, body; guests after two blank lines.
    fn plain(
        &self,
        search_from: usize,
        body_start: usize,
        zones: &[Zone],
    ) -> (Vec<Draft>, Option<usize>) {
        let nb = self.blocks.len();
        let takes_part = |b: usize| self.class[b] == BlockClass::Content && zones[b] == Zone::Open;
        // Repeated single-line blocks: a name that comes back is strong evidence (seed 002).
        let mut repeats: HashMap<&str, usize, FastHash> =
            HashMap::with_capacity_and_hasher(nb.saturating_sub(search_from), FastHash::default());
        for b in search_from..nb {
            if takes_part(b) && self.blocks[b].is_single() {
                *repeats.entry(self.text(self.blocks[b].first)).or_default() += 1;
            }
        }
        // Scored once per block: the labelling below asks for most blocks several times.
        let base_scores: Vec<Option<i32>> = (0..nb)
            .map(|b| {
                let blk = self.blocks[b];
                if !blk.is_single() || self.kinds[blk.first] != Kind::Text {
                    return None;
                }
                let t = self.text(blk.first);
                let s = names::score(t)?;
                let rep = repeats.get(t).copied().unwrap_or(0);
                Some(if rep >= 2 && s > -3 { s + 3 } else { s })
            })
            .collect();
        let base_score = |b: usize| -> Option<i32> { base_scores[b] };
        // Names that are ordinary words ("Nurse on nights", "Name withheld") score like short
        // replies. Where the page already names its commenters, such a line between two
        // finished paragraphs, right after a name and its body (or after a guest comment that
        // follows two blank lines), is the next name (`word_names_plain_parking`). A short
        // reply sits between a name and a name instead ("Most probably", `short_bodies_names`).
        let body_like = |b: usize| {
            let blk = self.blocks[b];
            let last = self.text(blk.last);
            !blk.is_single()
                || (self.block_text_len(&blk) >= 40
                    && last.ends_with(['.', '!', '?', '…', '"', '”', ')']))
        };
        let named_pages = (search_from..nb)
            .filter(|&b| takes_part(b) && base_score(b).is_some_and(|s| s > 0))
            .count()
            >= 2;
        let name_score = |b: usize| -> Option<i32> {
            let s = base_score(b)?;
            if s > 0 || !named_pages || b < 2 || b + 1 >= nb {
                return Some(s);
            }
            let t = self.text(self.blocks[b].first);
            let joined = |k: usize| takes_part(k) && self.blocks[k].gap == 1;
            let after_name = joined(b - 1) && base_score(b - 2).is_some_and(|x| x > 0);
            let after_guest = self.blocks[b - 1].gap >= 2 && takes_part(b - 1);
            let shaped = t.split_whitespace().count() <= 4
                && !t.contains([',', ';', ':'])
                && !t.ends_with(['.', '…']);
            if shaped
                && joined(b)
                && joined(b + 1)
                && body_like(b - 1)
                && body_like(b + 1)
                && (after_name || after_guest)
            {
                return Some(1);
            }
            Some(s)
        };

        // Stacked layout: the name on the first line of the body's block, no blank line between
        // ("Ann Lee" / "I agree with the council."). Taken only when it happens at least twice,
        // so a one-off short first line of an article paragraph is not a name
        // (`stacked_names_ferry`).
        let mut first_lines: HashMap<&str, usize, FastHash> =
            HashMap::with_capacity_and_hasher(nb.saturating_sub(search_from), FastHash::default());
        for b in search_from..nb {
            if takes_part(b) && !self.blocks[b].is_single() {
                *first_lines
                    .entry(self.text(self.blocks[b].first))
                    .or_default() += 1;
            }
        }
        let mut stacked: Vec<bool> = (0..nb)
            .map(|b| {
                let blk = self.blocks[b];
                if b < search_from || b <= body_start.min(search_from) || !takes_part(b) {
                    return false;
                }
                if blk.is_single()
                    || self.kinds[blk.first] != Kind::Text
                    || self.kinds[blk.first + 1] != Kind::Text
                {
                    return false;
                }
                let t = self.text(blk.first);
                let rep = first_lines.get(t).copied().unwrap_or(0);
                names::score(t).is_some_and(|s| s >= 2 || (rep >= 2 && s > 0))
            })
            .collect();
        if stacked.iter().filter(|s| **s).count() < 2 {
            stacked.iter_mut().for_each(|s| *s = false);
        }

        // Runs: participating blocks joined by exactly one blank line.
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut b = search_from;
        while b < nb {
            if !takes_part(b) {
                b += 1;
                continue;
            }
            let s = b;
            while b + 1 < nb && takes_part(b + 1) && self.blocks[b + 1].gap == 1 {
                b += 1;
            }
            runs.push((s, b));
            b += 1;
        }

        // Label each run: N (name) or B (body) maximising the sum of name scores, with a name
        // always followed by a body in the same run and never by another name.
        let mut is_name = vec![false; nb];
        for &(s, e) in &runs {
            let len = e - s + 1;
            // best[k][0]: best total for blocks k.. given block k is B; [1]: block k is N.
            let neg = i64::MIN / 4;
            let mut best = vec![[0i64, neg]; len + 1];
            let mut choice_b = vec![false; len + 1];
            best[len] = [0, neg];
            for k in (0..len).rev() {
                let next_b = best[k + 1][0];
                let next_n = best[k + 1][1];
                // Block k as B: the next block may be either.
                choice_b[k] = next_n > next_b;
                best[k][0] = next_b.max(next_n);
                // Block k as N: needs a next block labelled B.
                best[k][1] = match name_score(s + k) {
                    Some(sc) if sc > 0 && k + 1 < len => sc as i64 + next_b,
                    _ => neg,
                };
            }
            let mut state_n = best[0][1] > best[0][0];
            for k in 0..len {
                is_name[s + k] = state_n;
                state_n = if state_n { false } else { choice_b[k] };
            }
        }

        // The article's usual gap between paragraphs: two blank lines separate guests only
        // where the article does not already use them.
        // Measured on the first paragraphs of the body, before any comment can start.
        let article_gap = (body_start + 1..nb.min(body_start + 3))
            .take_while(|&b| takes_part(b))
            .map(|b| self.blocks[b].gap)
            .min()
            .unwrap_or(1);

        // Candidate comment starts.
        let mut cand: Vec<usize> = Vec::new();
        let mut header_seen = vec![false; nb + 1];
        // A header before the body means the section opened before any prose.
        let mut seen = search_from < body_start;
        let from = body_start.min(search_from);
        for (b, flag) in header_seen.iter_mut().enumerate().take(nb).skip(from) {
            if self.class[b] == BlockClass::Chrome(Section::CommentHeader) {
                seen = true;
            }
            *flag = seen;
        }
        for &(s, e) in &runs {
            if s < body_start.min(search_from) {
                continue;
            }
            let prev_separates = s > 0
                && (self.blocks[s].gap >= 2 && self.blocks[s].gap > article_gap
                    || matches!(
                        self.class[s - 1],
                        BlockClass::Action | BlockClass::Chrome(_)
                    )
                    || !takes_part(s - 1));
            if !is_name[s] && (prev_separates && s > body_start || header_seen[s]) {
                cand.push(s);
            }
            for k in s..=e {
                if (is_name[k] || stacked[k]) && k >= body_start.min(search_from) {
                    cand.push(k);
                }
            }
        }
        cand.sort_unstable();
        cand.dedup();

        // The comment section starts at the first candidate with evidence behind it: a
        // comment header before it, another comment after it, or a name that repeats.
        // A lone comment needs a clearly name-shaped line and a short body: a section heading
        // in the article has long paragraphs under it.
        let lone = |c: usize| {
            if !is_name[c] || c <= body_start {
                return false;
            }
            let strong = names::score(self.text(self.blocks[c].first)).is_some_and(|s| s >= 2);
            let mut body = 0;
            let mut len = 0;
            let mut k = c + 1;
            while k < nb && takes_part(k) && self.blocks[k].gap == 1 {
                body += 1;
                len += self.block_text_len(&self.blocks[k]);
                k += 1;
            }
            strong && (1..=2).contains(&body) && len <= 600
        };
        let start = cand.iter().enumerate().find(|&(i, &c)| {
            header_seen[c]
                || cand.len() - i >= 2
                || (is_name[c]
                    && repeats
                        .get(self.text(self.blocks[c].first))
                        .is_some_and(|&r| r >= 2))
                || (cand.len() - i == 1 && lone(c))
        });
        let Some((ci, &start)) = start else {
            let end = self.article_end(nb, zones);
            return (Vec::new(), end);
        };
        let mut starts: Vec<usize> = cand[ci..].to_vec();

        // Title Case section headings ("Winter Demand") over article prose look like names
        // over bodies. Read as article sections when nothing else says "comments": no counter,
        // no guest, no repeated name, and every "body" paragraph is prose as long as the
        // article's own (`titlecase_headings_tariffs`).
        if !header_seen[start]
            && self.article_sections(&starts, &is_name, &stacked, body_start, &takes_part)
        {
            let end = self.article_end(nb, zones);
            return (Vec::new(), end);
        }

        // A guest comment can follow the article's last paragraph after one blank line (seed
        // 000, line 15). It reads differently from the article: much shorter than the
        // article's paragraphs and informal. Seed 002 line 15 is as long as the others.
        let mut article_stop = start;
        if start > 0 && takes_part(start - 1) && self.blocks[start].gap == 1 && !header_seen[start]
        {
            let last = start - 1;
            let paras: Vec<usize> = (body_start..last)
                .filter(|&b| takes_part(b))
                .map(|b| self.block_text_len(&self.blocks[b]))
                .collect();
            if !paras.is_empty() && last > body_start {
                let mut sorted = paras.clone();
                sorted.sort_unstable();
                let median = sorted[sorted.len() / 2];
                let len = self.block_text_len(&self.blocks[last]);
                let text: Vec<&str> = (self.blocks[last].first..=self.blocks[last].last)
                    .map(|i| self.text(i))
                    .collect();
                let casual = informal(&text.join(" "));
                // The shorter the paragraph, the less informality it needs (guest_after_article
                // fixture: lowercase start, "my", "!!" at two thirds of the median length).
                if (casual >= 1 && len * 2 < median) || (casual >= 2 && len * 4 < median * 3) {
                    starts.insert(0, last);
                    article_stop = last;
                }
            }
        }

        let article_end = self.article_end(article_stop, zones);
        let mut drafts = Vec::new();
        for (si, &s) in starts.iter().enumerate() {
            let next = starts.get(si + 1).copied().unwrap_or(nb);
            let name_at = |l: usize| {
                Some((
                    l,
                    Span::new(self.lines[l].text_start, self.lines[l].text_end()),
                ))
            };
            // (name, first block of the body, lines of that block to skip)
            let (name, body_from, skip) = if is_name[s] {
                (name_at(self.blocks[s].first), s + 1, 0)
            } else if stacked[s] {
                (name_at(self.blocks[s].first), s, 1)
            } else {
                (None, s, 0)
            };
            // The body: participating blocks joined to the start by single blank lines.
            let mut last_block = body_from;
            let mut k = body_from;
            while k + 1 < next && takes_part(k + 1) && self.blocks[k + 1].gap == 1 {
                k += 1;
                last_block = k;
            }
            if body_from >= nb || !takes_part(body_from) {
                continue;
            }
            let (first, last) = self.trim_body(
                self.blocks[body_from].first + skip,
                self.blocks[last_block].last,
            );
            if let Some((first, last)) = first.zip(last) {
                drafts.push(Draft { name, first, last });
            }
        }
        (drafts, article_end)
    }

    /// Whether the comment starts found are really the article's section headings.
    fn article_sections(
        &self,
        starts: &[usize],
        is_name: &[bool],
        stacked: &[bool],
        body_start: usize,
        takes_part: &dyn Fn(usize) -> bool,
    ) -> bool {
        let nb = self.blocks.len();
        if starts.is_empty() || starts.iter().any(|&s| !is_name[s] || stacked[s]) {
            return false;
        }
        let mut names: Vec<&str> = starts
            .iter()
            .map(|&s| self.text(self.blocks[s].first))
            .collect();
        // A handle ("pete_from_ridgeway", "rob88", "old man river") is never a heading
        // (`long_paras_few_commenters_housing`).
        if names.iter().any(|n| {
            n.contains(|c: char| c == '_' || c.is_ascii_digit())
                || !n.contains(|c: char| c.is_uppercase())
        }) {
            return false;
        }
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return false;
        }
        let article: Vec<usize> = (body_start..starts[0])
            .filter(|&b| takes_part(b))
            .map(|b| self.block_text_len(&self.blocks[b]))
            .collect();
        if article.is_empty() {
            return false;
        }
        let mut sorted = article;
        sorted.sort_unstable();
        let median = sorted[sorted.len() / 2];
        let mut lens = Vec::new();
        for (i, &s) in starts.iter().enumerate() {
            let stop = starts.get(i + 1).copied().unwrap_or(nb);
            let mut k = s + 1;
            while k < stop && takes_part(k) && self.blocks[k].gap == 1 {
                let blk = self.blocks[k];
                if !(blk.first..=blk.last).any(|l| is_prose(self.text(l))) {
                    return false;
                }
                lens.push(self.block_text_len(&blk));
                k += 1;
            }
        }
        // Readers write in the first and second person; an article's sections do not, outside
        // the words they quote. When most "sections" speak as "I" or "you" and the article
        // before them never does, they are comments.
        let para_text = |b: usize| {
            let blk = self.blocks[b];
            (blk.first..=blk.last)
                .map(|l| self.text(l))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let article_personal = (body_start..starts[0])
            .filter(|&b| takes_part(b))
            .any(|b| personal(&para_text(b)));
        if !article_personal {
            let speaking = starts
                .iter()
                .filter(|&&s| s + 1 < nb && takes_part(s + 1) && personal(&para_text(s + 1)))
                .count();
            if speaking * 3 >= starts.len() * 2 {
                return false;
            }
        }
        lens.sort_unstable();
        !lens.is_empty() && lens[lens.len() / 2] * 10 >= median * 6
    }

    /// Drop action, timestamp and chrome lines at either end of a body.
    fn trim_body(&self, mut first: usize, mut last: usize) -> (Option<usize>, Option<usize>) {
        let is_body = |i: usize| self.kinds[i] == Kind::Text;
        while first <= last && !is_body(first) {
            first += 1;
        }
        while last > first && !is_body(last) {
            last -= 1;
        }
        if first > last || !is_body(first) {
            return (None, None);
        }
        (Some(first), Some(last))
    }

    fn comment(&self, d: &Draft, tracer: &mut quotes::Tracer<'_>) -> Comment {
        let found = quotes::find(self.lines, d.first, d.last);
        let mut quotes_out = Vec::new();
        for f in &found {
            let mut f = *f;
            // "Dana wrote:" / quoted line / reply: the quote ends where its words stop
            // matching the article or an earlier comment (`quote_first_line_wrote_cycling`).
            // When even the first line matches nothing, nothing says where it ends: keep all.
            if f.open_ended && f.last > f.first {
                let mut keep = None;
                for l in f.first..=f.last {
                    if tracer.trace(self.text(l)).is_none() {
                        break;
                    }
                    keep = Some(l);
                }
                if let Some(k) = keep {
                    f.last = k;
                    f.span = Span::new(f.span.start, self.lines[k].text_end());
                }
            }
            // Only the quoted words: "Bob wrote: his words" is traced by "his words".
            let text: String = (f.first..=f.last)
                .map(|i| {
                    let l = &self.lines[i];
                    let from = f.span.start.clamp(l.text_start, l.text_end()) - l.text_start;
                    let to = f.span.end.clamp(l.text_start, l.text_end()) - l.text_start;
                    l.text.get(from..to).unwrap_or(l.text)
                })
                .collect::<Vec<_>>()
                .join("\n");
            quotes_out.push(Quote {
                lines: LineRange::new(f.first + 1, f.last + 1),
                span: f.span,
                source: tracer.trace(&text),
            });
        }
        tracer.push_comment(d.first, d.last);
        let (author, name_line, name_span) = match d.name {
            Some((l, span)) => {
                let t = self.lines[l].text;
                let off = span.start - self.lines[l].text_start;
                let name = t.get(off..off + span.len()).unwrap_or(t).trim().to_string();
                (Some(name), Some(l + 1), Some(span))
            }
            None => (None, None, None),
        };
        Comment {
            author,
            name_line,
            name_span,
            lines: LineRange::new(d.first + 1, d.last + 1),
            span: Span::new(
                self.lines[d.first].text_start,
                self.lines[d.last].text_end(),
            ),
            quotes: quotes_out,
            id: None,
        }
    }
}

/// Whether `text` speaks in the first or second person outside quotation marks.
fn personal(text: &str) -> bool {
    let mut quoted = false;
    let mut own = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '“' => quoted = true,
            '”' => quoted = false,
            '"' => quoted = !quoted,
            _ if !quoted => own.push(ch),
            _ => {}
        }
    }
    own.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .any(|w| {
            matches!(
                w.to_lowercase().replace('’', "'").as_str(),
                "i" | "i'm" | "i've" | "i'd" | "me" | "my" | "you" | "your" | "you're"
            )
        })
}

/// Signs of a reader's voice rather than an editor's: lowercase start, contractions without
/// apostrophes, "lol", emoticons, shouting, exclamation or question marks, first or second
/// person.
fn informal(text: &str) -> usize {
    // Reported speech ("“I can't believe it!” said one resident.") is the article quoting
    // someone, however casual the quoted words.
    let speech = [" said", " says", " told", " added", "according to"];
    if text.contains(['"', '“', '”']) && speech.iter().any(|v| text.contains(v)) {
        return 0;
    }
    let mut n = 0;
    if text.starts_with(|c: char| c.is_lowercase()) {
        n += 1;
    }
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .filter(|w| !w.is_empty())
        .collect();
    const CASUAL: &[&str] = &[
        "thats", "dont", "cant", "wont", "isnt", "doesnt", "didnt", "im", "ive", "youre", "theyre",
        "lol", "lmao", "u", "ur", "gonna", "wanna", "ya", "yeah", "i", "me", "my", "you", "your",
    ];
    n += words.iter().filter(|w| CASUAL.contains(w)).count().min(2);
    if text.contains('!') || text.contains("?!") || text.contains(":)") || text.contains(":-)") {
        n += 1;
    }
    if text
        .split_whitespace()
        .any(|w| w.len() >= 4 && w.chars().all(|c| c.is_uppercase()))
    {
        n += 1;
    }
    n
}
