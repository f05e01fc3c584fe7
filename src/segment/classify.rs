//! What a single line looks like on its own: a timestamp, a comment action ("Reply", vote
//! counts), site chrome (menus, counters, "Latest news", paywall and newsletter notices), or an
//! inline comment header ("Name says:", "Name • 5 years ago").
//!
//! Owns the vocabularies and patterns. It must not look at neighbouring lines; `layout` does
//! that. Every test bounds the line length first, so a 20 MB line costs one length check.

use super::words::{
    contains_ascii_ci, count_words, ends_with_ascii_ci, with_lower, AnyPhrase, WordSet,
};
use regex::Regex;
use std::sync::LazyLock;

/// Build every pattern and vocabulary of this module now rather than on first use (see
/// [`super::warm`]). The regexes are the costly ones: 3.6 ms together at best, more on a cold
/// start.
pub fn warm() {
    let regexes = [
        &TIMESTAMP,
        &COUNTER,
        &FORM_FIELD,
        &LIST_MARKER,
        &LIST_CONTROL,
        &SAYS,
        &REPLIED_TO,
    ];
    for re in regexes {
        LazyLock::force(re);
    }
    LazyLock::force(&ACTIONS);
    LazyLock::force(&MENU);
    LazyLock::force(&NOTICE_ANY);
    LazyLock::force(&NOTICES);
}

/// Lines longer than this are prose: no pattern here applies to them.
const SHORT: usize = 160;

/// Site chrome that belongs to the page, not to one comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// "12 Comments", "Comments", "Leave a Reply": a comment section opens here.
    CommentHeader,
    /// "Latest news", "Related", "You might also like": a list of links follows.
    ListMarker,
    /// Paywall, newsletter, cookie, donation and form notices.
    Notice,
    /// Menus and share bars: every word is navigation vocabulary.
    Menu,
    /// "Load more comments", "Sort by newest": controls of the comment list.
    ListControl,
}

/// The kind of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Blank,
    Text,
    /// "July 17, 2018 at 3:45 pm", "5 years ago", "2h".
    Timestamp,
    /// "Reply", "Report", "Like", "▲ 3 ▼", "View 2 replies": belongs to the comment above.
    Action,
    Section(Section),
}

pub fn kind(text: &str) -> Kind {
    if text.is_empty() {
        return Kind::Blank;
    }
    if text.len() > SHORT {
        return if is_notice(text) {
            Kind::Section(Section::Notice)
        } else {
            Kind::Text
        };
    }
    if is_timestamp(text) || is_meta(text) {
        return Kind::Timestamp;
    }
    if let Some(s) = section(text) {
        return Kind::Section(s);
    }
    if is_action(text) {
        return Kind::Action;
    }
    if is_notice(text) {
        return Kind::Section(Section::Notice);
    }
    Kind::Text
}

const MONTH: &str = r"(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)\.?";
const TIME: &str =
    r"([0-9]{1,2}[:.][0-9]{2}(:[0-9]{2})?(\s*[ap]\.?m\.?)?|[0-9]{1,2}\s*[ap]\.?m\.?)";

// Digits are ASCII, as `may_be_timestamp` already requires of a line it lets through (bar a
// few word-led ones): a Unicode `\d`, repeated about twenty times here, made this pattern
// take 1.9 ms to build instead of 0.7 ms, on the first page of every run.
static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    let date = format!(
        r"({MONTH}\s+[0-9]{{1,2}}(st|nd|rd|th)?,?(\s+[0-9]{{4}})?|[0-9]{{1,2}}(st|nd|rd|th)?\s+(of\s+)?{MONTH},?(\s+[0-9]{{4}})?|[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}(t[0-9:]+z?)?|[0-9]{{1,2}}[/.][0-9]{{1,2}}[/.][0-9]{{2,4}})"
    );
    let weekday = r"((mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(day|nesday|sday|urday)?,?\s+)?";
    let abs = format!(
        r"((posted|published|updated|last updated|modified)(\s+on)?:?\s+|on\s+)?{weekday}{date}((\s+at|,|\s+-|\s+·|\s*•|\s*\|)?\s+{TIME})?"
    );
    let rel = r"(posted\s+)?(about\s+|over\s+|almost\s+|nearly\s+)?([0-9]+|a|an|one)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|mo|mos|months?|y|yrs?|years?)(\s+ago)?";
    let misc =
        format!(r"(just now|yesterday|today)((\s+at)?\s+{TIME})?|{TIME}(\s+{weekday}{date})?");
    Regex::new(&format!(
        r"(?i)^({abs}|{rel}|{misc})(\s*[·•|,-]?\s*\(?edited\)?)?$"
    ))
    .expect("timestamp pattern compiles")
});

/// A line that is only a date, a time or an age.
pub fn is_timestamp(text: &str) -> bool {
    // Disqus scrapes put the separator on the date's own line ("• 2 years ago").
    let text = text
        .strip_prefix(['•', '·', '|', '–', '—'])
        .map_or(text, str::trim_start);
    text.len() <= 60 && may_be_timestamp(text) && TIMESTAMP.is_match(text)
}

/// A cheap test that rules out nearly every line before the pattern runs: a timestamp has a
/// digit or one of a few words, and starts with a digit, a month, a weekday or a lead word.
fn may_be_timestamp(text: &str) -> bool {
    const LEAD: &[&str] = &[
        "posted",
        "published",
        "updated",
        "last",
        "modified",
        "on",
        "about",
        "over",
        "almost",
        "nearly",
        "a",
        "an",
        "one",
        "just",
        "yesterday",
        "today",
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
    ];
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        return true;
    }
    static LEADS: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(LEAD));
    static LEADS3: LazyLock<Vec<u32>> = LazyLock::new(|| {
        let mut v: Vec<u32> = LEAD
            .iter()
            .filter(|w| w.len() == 3)
            .map(|w| u32::from_le_bytes([w.as_bytes()[0], w.as_bytes()[1], w.as_bytes()[2], 0]))
            .collect();
        v.sort_unstable();
        v
    });
    // The leading ASCII letters, lowercased: a lead word, or starting with a three-letter one.
    let letters = text.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters < 1 {
        return false;
    }
    let b = text.as_bytes();
    // ASCII letters lowercase by setting bit 5.
    let three = letters >= 3 && {
        let key = u32::from_le_bytes([b[0], b[1], b[2], 0]) | 0x0020_2020;
        LEADS3.binary_search(&key).is_ok()
    };
    if !three && !LEADS.contains_lower(&text[..letters]) {
        return false;
    }
    text.bytes().any(|b| b.is_ascii_digit())
        || contains_ascii_ci(text, "yesterday")
        || contains_ascii_ci(text, "today")
        || contains_ascii_ci(text, "just now")
        || contains_ascii_ci(text, " ago")
}

/// A line of comment metadata made of parts that are each a timestamp or a counter:
/// "34 points · 3 hours ago", "Edited · 2h".
fn is_meta(text: &str) -> bool {
    // '·' is C2 B7 and '•' E2 80 A2 in UTF-8.
    if text.len() > 60
        || !memchr::memchr3_iter(b'|', 0xC2, 0xE2, text.as_bytes())
            .any(|i| text[i..].starts_with(['|', '·', '•']))
    {
        return false;
    }
    let parts: Vec<&str> = text
        .split(['·', '•', '|'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    parts.len() >= 2
        && parts.iter().any(|p| is_timestamp(p))
        && parts.iter().all(|p| is_timestamp(p) || is_action(p))
}

/// Words of per-comment controls and counters.
const ACTION_WORDS: &[&str] = &[
    "reply",
    "replies",
    "report",
    "like",
    "likes",
    "liked",
    "unlike",
    "dislike",
    "share",
    "flag",
    "edit",
    "edited",
    "delete",
    "permalink",
    "link",
    "quote",
    "upvote",
    "upvotes",
    "downvote",
    "vote",
    "votes",
    "point",
    "points",
    "helpful",
    "recommend",
    "recommended",
    "hide",
    "show",
    "view",
    "collapse",
    "expand",
    "abuse",
    "to",
    "this",
    "comment",
    "more",
    "thread",
    "translate",
    "follow",
    "block",
    "mute",
    "reaction",
    "reactions",
    "↑",
    "↓",
    "▲",
    "▼",
    "👍",
    "👎",
    "❤",
    "♥",
    "+",
    "-",
    "−",
    "–",
    "|",
    "•",
    "·",
    "/",
    "reply↓",
    "↩",
    // Disqus vote arrows and "Share ›"; Reddit's "Save", "Award" and thread depth ("level 2").
    "△",
    "▽",
    "›",
    "save",
    "award",
    "embed",
    // WordPress "Like Loading..." under a post.
    "loading",
    "loading...",
    "loading…",
];

static ACTIONS: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(ACTION_WORDS));

/// "Reply", "Like · Reply · 3", "▲ 12 ▼", "View 2 replies", "+5".
pub fn is_action(text: &str) -> bool {
    if text.len() > 60 {
        return false;
    }
    let mut any_word = false;
    let mut all_numbers = true;
    for tok in text
        .split(|c: char| {
            c.is_whitespace() || matches!(c, '|' | '•' | '·' | '/' | '(' | ')' | '[' | ']')
        })
        .filter(|t| !t.is_empty())
    {
        match action_token(tok) {
            None => return false,
            Some(true) => any_word = true,
            Some(false) => {
                all_numbers = false;
                any_word = true;
            }
        }
    }
    // A bare number is a vote count only when short ("12", "+3"), never a year-like "2018".
    any_word && (!all_numbers || text.trim_start_matches(['+', '-']).len() <= 3)
}

/// [`is_action`]'s test of one token: `Some(true)` for a number ("+3", "1.2k"), `Some(false)`
/// for an action word (any case), `None` otherwise. The Kelvin sign counts as a `k`, as it
/// lowercases to one.
fn action_token(tok: &str) -> Option<bool> {
    let t = tok.trim_matches([':', ',']);
    let number = t
        .trim_start_matches(['+', '-', '\u{2212}'])
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'k' | 'K' | '\u{212A}'))
        && t.bytes().any(|b| b.is_ascii_digit());
    if number {
        Some(true)
    } else if ACTIONS.contains_lower(t) {
        Some(false)
    } else {
        None
    }
}

static COUNTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(\d[\d,.]*k?|no|one)\s+(comments?|responses?|replies|thoughts?)(\s+(on|to)\s+.*)?:?$|^(comments?|responses?|discussion|conversation|reader comments|readers'? comments|join the (discussion|conversation)(…|\.\.\.)?|be the first to (comment|reply)\.?|comments? (on this (article|story|post|page) )?(are|have been|is) (now )?closed\.?|leave a (reply|comment)|add a comment|post a comment|write a comment|have your say|what do you think\??|comments are closed\.?)(\s*\(\d+\))?:?$|^(comments?|responses?)\s*\(\d+\)$|^\d+\s+thoughts on\b.*$")
        .expect("counter pattern compiles")
});

static FORM_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(name|e-?mail|e-?mail address|website|url|comment|message|your (name|e-?mail|comment|message|reply))\s*(\*|\(required\)|\(optional\)|\(will not be published\))?\s*:?$")
        .expect("form field pattern compiles")
});

static LIST_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(latest( news| stories| articles| posts)?|related( articles| stories| posts| news| content| coverage)?|more (news|stories|from .{1,40}|on this( topic| story)?|in .{1,30})|must read|read (more|next|also)|also read|you (might|may) also like.*|recommended( for you| reading| stories)?|recommended to you|trending( now| stories)?|most (popular|read|viewed|shared)|popular( posts| stories)?|top stories|editor'?s picks|in case you missed it|don'?t miss|further reading|see also|up next|what to read next|from around the web|sponsored( content| stories)?|around the web|tags?|topics|categories|filed under.*|about (the )?(author|authors|writer|contributor|reporter|blogger)|share this( story| article| post| page)?|like this|view all posts by .{1,40}|more from (this|the) (author|writer|blogger|reporter)|follow us( on .{1,30})?)\s*:?$")
        .expect("list marker pattern compiles")
});

static LIST_CONTROL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^((load|show|view|see|read) (more|all|older|newer|previous|\d+ more)( comments?| replies| responses)?|sort(ed)? by.*|(newest|oldest|best|top|popular)( first)?|older comments|newer comments|« older comments|newer comments »|previous comments|next comments|comment navigation|log in to (comment|reply)|sign in to (comment|reply)|login to (comment|reply)|you must be logged in to post a comment\.?|cancel reply|post comment|submit( comment)?|powered by .{1,30}|subscribe to comments|notify me of .*|\d+ (people|users) (are )?(viewing|reading).*|more (replies|comments|responses)|post (a )?reply|\d+ posts?(\s*[•·|,]\s*page \d+ of \d+)?|page \d+ of \d+|display posts from previous.*|users browsing this (topic|thread|forum).*|level \d{1,2})$")
        .expect("list control pattern compiles")
});

/// Navigation vocabulary: a short line made only of these is a menu or share bar.
const MENU_WORDS: &[&str] = &[
    "menu",
    "close",
    "open",
    "search",
    "home",
    "skip",
    "to",
    "content",
    "main",
    "navigation",
    "toggle",
    "subscribe",
    "sign",
    "in",
    "up",
    "log",
    "login",
    "logout",
    "out",
    "register",
    "account",
    "my",
    "share",
    "tweet",
    "email",
    "print",
    "facebook",
    "twitter",
    "x",
    "whatsapp",
    "linkedin",
    "reddit",
    "telegram",
    "pinterest",
    "copy",
    "link",
    "sections",
    "back",
    "top",
    "next",
    "previous",
    "prev",
    "article",
    "story",
    "advertisement",
    "ad",
    "×",
    "☰",
    "≡",
    "|",
    "•",
    "·",
    "and",
    "on",
    "via",
    "newsletter",
    "newsletters",
    "podcasts",
    "video",
    "videos",
    "opinion",
    "world",
    "business",
    "sport",
    "sports",
    "politics",
    "live",
    "epaper",
    "e-paper",
    "more",
    "donate",
    "contact",
    "about",
    "us",
    "privacy",
    "policy",
    "terms",
    "cookies",
    "rss",
    "feed",
    "listen",
    "save",
    "saved",
    "gift",
    "font",
    "size",
    "a+",
    "a-",
    "dark",
    "mode",
    // Cookie banner buttons ("Accept all", "Manage preferences", "Got it").
    "accept",
    "reject",
    "all",
    "manage",
    "preferences",
    "settings",
    "agree",
    "ok",
    "got",
    "it",
    "dismiss",
    "jump",
];

fn is_menu(text: &str) -> bool {
    if text.len() > 80 || text.ends_with(['.', '!', '?']) {
        return false;
    }
    // At most eight tokens, every one (lowercased) navigation vocabulary.
    let mut toks = 0;
    let mut long = false;
    for t in text
        .split(|c: char| c.is_whitespace() || matches!(c, '|' | '•' | '·' | '/' | '>' | '»'))
        .filter(|t| !t.is_empty())
    {
        toks += 1;
        if toks > 8 {
            return false;
        }
        let menu = if t.is_ascii() {
            long |= t.len() > 2;
            MENU.contains_lower(t)
        } else {
            with_lower(t, |t| {
                long |= t.len() > 2;
                MENU.contains(t)
            })
        };
        if !menu {
            return false;
        }
    }
    // "More" or "Share" alone is a menu; "in to" alone is not.
    toks > 0 && long
}

static MENU: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(MENU_WORDS));

/// Phrases that only site notices use: paywalls, newsletters, donation appeals, forms.
const NOTICE_PHRASES: &[&str] = &[
    "newsletter",
    "subscribe",
    "subscribed",
    "subscribing",
    "subscriber",
    "sign up for",
    "register to",
    "please register",
    "full access",
    "articles this month",
    "free articles",
    "article limit",
    "continue reading",
    "to keep reading",
    "already a member",
    "already have an account",
    "create an account",
    "create a free account",
    "donate now",
    "donate today",
    "donating today",
    "make a donation",
    "every contribution",
    "support our journalism",
    "support independent journalism",
    "readers like you",
    "cookie settings",
    "cookie policy",
    "we use cookies",
    "privacy policy",
    "terms of service",
    "terms of use",
    "gdpr",
    "all rights reserved",
    "©",
    "please try again",
    "error while",
    "enable javascript",
    "comments are closed",
    "comment policy",
    "community guidelines",
    "email address will not be published",
    "required fields are marked",
    "check your inbox",
    "in your inbox",
    "to your inbox",
    "let us know in the comments",
    "loyal",
    "scroll on",
    "log in to",
    "sign in to",
    "logged in to",
    "thank you for reading",
    "thanks for reading",
    "our mission",
];

/// Whether a line reads as a site notice. A long line needs two notice phrases: article
/// prose may mention a subscription once, a notice keeps asking.
pub fn is_notice(text: &str) -> bool {
    if text.len() > 1200 {
        return false;
    }
    // Most lines hold no notice phrase: one quick test before counting them.
    if !NOTICE_ANY.is_match(text) {
        return false;
    }
    let mut seen = [false; NOTICE_PHRASES.len()];
    for m in NOTICES.find_overlapping_iter(text) {
        seen[m.pattern().as_usize()] = true;
    }
    let hits = seen.iter().filter(|s| **s).count();
    if hits == 0 {
        return false;
    }
    // A notice speaks as the site: to "you", of "our"/"we", or in the imperative. A reader's
    // "I read about it in the council newsletter" does not.
    let lower = text.to_lowercase();
    let site_voice = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .any(|w| {
            matches!(
                w,
                "you" | "your" | "you're" | "we" | "our" | "us" | "please" | "thank" | "thanks"
            )
        })
        || [
            "sign up",
            "subscribe",
            "register",
            "log in",
            "sign in",
            "get ",
            "join ",
            "become ",
            "support ",
            "donate",
            "create ",
            "already ",
            "continue ",
        ]
        .iter()
        .any(|v| lower.starts_with(v))
        || [
            "©",
            "all rights reserved",
            "gdpr",
            "privacy policy",
            "terms of",
            "cookie",
            "error while",
        ]
        .iter()
        .any(|v| lower.contains(v));
    site_voice && hits >= if text.len() > SHORT { 2 } else { 1 }
}

/// Whether a line holds any notice phrase (ASCII case-insensitive, like [`NOTICES`]): a dense
/// DFA scans faster than the automaton that reports every phrase.
static NOTICE_ANY: LazyLock<AnyPhrase> = LazyLock::new(|| AnyPhrase::new(NOTICE_PHRASES));

/// One automaton for every notice phrase: one pass per line instead of one per phrase. It
/// only runs on the few lines [`NOTICE_ANY`] lets through, so the NFA, quick to build, is
/// used rather than the DFA the builder would choose for so few phrases.
static NOTICES: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
        .ascii_case_insensitive(true)
        .build(NOTICE_PHRASES)
        .expect("notice phrases build")
});

fn section(text: &str) -> Option<Section> {
    if text.len() > 100 {
        return None;
    }
    // Every counter, list marker and list control is short and starts with a digit or one
    // of a few words, so the patterns below run on few lines.
    // Counted up to 13: only "more than 12" and "at most 4" matter.
    let words = count_words(text, 13);
    if words > 12 {
        return None;
    }
    static FIRST_WORDS: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(FIRST));
    const FIRST: &[&str] = &[
        "no",
        "one",
        "comment",
        "comments",
        "response",
        "responses",
        "discussion",
        "conversation",
        "reader",
        "readers",
        "readers'",
        "join",
        "leave",
        "add",
        "post",
        "write",
        "have",
        "what",
        "load",
        "show",
        "view",
        "see",
        "read",
        "sort",
        "sorted",
        "newest",
        "oldest",
        "best",
        "top",
        "popular",
        "older",
        "newer",
        "«",
        "previous",
        "next",
        "log",
        "sign",
        "login",
        "you",
        "cancel",
        "submit",
        "powered",
        "subscribe",
        "notify",
        "latest",
        "related",
        "more",
        "must",
        "also",
        "recommended",
        "trending",
        "most",
        "editor's",
        "editors",
        "in",
        "don't",
        "dont",
        "further",
        "up",
        "from",
        "sponsored",
        "around",
        "tags",
        "tag",
        "topics",
        "categories",
        "filed",
        "be",
        "page",
        "display",
        "users",
        "level",
        "about",
        "share",
        "like",
        "follow",
    ];
    // The first word, lowercased: "about", or one of the words above.
    let first = text
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_end_matches([':', ',', '.']);
    let (about, first_known) = if first.is_ascii() {
        (
            first.eq_ignore_ascii_case("about"),
            FIRST_WORDS.contains_lower(first),
        )
    } else {
        with_lower(first, |first| {
            (first == "about", FIRST_WORDS.contains(first))
        })
    };
    // A forum post's subject ("Re: Quarry extension") labels the post under it.
    if text.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("re:")) {
        return Some(Section::ListControl);
    }
    // Reply form fields ("Name *", "Email *", "Website").
    if words <= 4 && may_be_form_field(text) && FORM_FIELD.is_match(text) && !COUNTER.is_match(text)
    {
        return Some(Section::ListControl);
    }
    // An author box ("About Sam Reyes"): "About" and a name, nothing else.
    if about
        && words <= 4
        && !text.ends_with(['.', '!', '?'])
        && text
            .get("about".len()..)
            .unwrap_or("")
            .split_whitespace()
            .all(|w| w.starts_with(char::is_uppercase))
    {
        return Some(Section::ListMarker);
    }
    let lead_ok = text.starts_with(|c: char| c.is_ascii_digit()) || first_known;
    if !lead_ok {
        return is_menu(text).then_some(Section::Menu);
    }
    if COUNTER.is_match(text) {
        return Some(Section::CommentHeader);
    }
    if LIST_CONTROL.is_match(text) {
        return Some(Section::ListControl);
    }
    if LIST_MARKER.is_match(text) {
        return Some(Section::ListMarker);
    }
    if is_menu(text) {
        return Some(Section::Menu);
    }
    None
}

/// Whether [`FORM_FIELD`] can match: every field name starts with one of these letters in
/// either case; a line starting with a non-ASCII character is left to the pattern (Unicode
/// case folding).
fn may_be_form_field(text: &str) -> bool {
    text.as_bytes().first().is_some_and(|&b| {
        !b.is_ascii()
            || matches!(
                b.to_ascii_lowercase(),
                b'n' | b'e' | b'w' | b'u' | b'c' | b'm' | b'y'
            )
    })
}

static SAYS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(.{1,60}?)\s+(says|said|writes|commented|replied|wrote)(\s+on\s+.{1,60})?\s*(:|\.\.\.|…)?\s*$",
    )
    .expect("says pattern compiles")
});

static REPLIED_TO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(.{1,60}?)\s+(replied to|in reply to|replying to|responded to|→|▸|>)\s+@?(.{1,60})$",
    )
    .expect("reply pattern compiles")
});

/// The byte range of the name inside an inline header line, if the line is one:
/// "Name says:", "Name said on July 3:", "Name • 5 years ago", "Name | 17 July 2018 at 3:45 pm",
/// "Name replied to Other", "Name on July 17, 2018 at 3:45 pm".
pub fn inline_header(text: &str) -> Option<(usize, usize)> {
    if text.len() > 140 {
        return None;
    }
    // Lowercasing maps no other character to these ASCII words' letters in these positions
    // (only U+212A to "k", U+0130 to "i" and a combining dot), so comparing ASCII case
    // insensitively gives the same answer as comparing with the lowercased line.
    let bare = text.trim_end_matches(['.', '…']);
    let says = text.ends_with(':')
        || ["says", "said", "writes", "commented", "replied"]
            .iter()
            .any(|v| ends_with_ascii_ci(bare, v));
    // One pass over the bytes says which of the searches below can find anything.
    let seen = text
        .as_bytes()
        .iter()
        .fold(0u8, |acc, &b| acc | BYTE_FLAGS[b as usize]);
    let replied = seen & (HAS_P | HAS_GT | HAS_E2) != 0 && reply_words(text);
    let has_digit = seen & HAS_DIGIT != 0;
    let separated =
        seen & HAS_DASH_BAR != 0 || (seen & (HAS_C2 | HAS_E2) != 0 && has_separator(text));
    if !says && !replied && !separated && !has_digit {
        return None;
    }
    if let Some(c) = says.then(|| SAYS.captures(text)).flatten() {
        let m = c.get(1)?;
        // "wrote:" with no date is how a quote is introduced inside a body, not a header.
        let verb = c.get(2)?.as_str().to_lowercase();
        if (verb == "wrote" || verb == "writes") && c.get(3).is_none() {
            return None;
        }
        return name_ok(text, m.start(), m.end());
    }
    if let Some(c) = replied.then(|| REPLIED_TO.captures(text)).flatten() {
        // Both sides must be names: "They replied to me with a letter." is a sentence.
        let target = c.get(3)?.as_str();
        if !text.ends_with(['.', '!', '?'])
            && crate::segment::names::score(target).is_some_and(|s| s > 0)
        {
            let m = c.get(1)?;
            return name_ok(text, m.start(), m.end());
        }
        return None;
    }
    // "Name • 5 years ago": split at the first separator whose right side is a timestamp.
    for (i, ch) in text.char_indices() {
        if matches!(ch, '•' | '·' | '|' | '—' | '–' | '-' | '»') && i > 0 {
            let right = text[i + ch.len_utf8()..].trim();
            if is_timestamp(right) {
                let left = text[..i].trim_end();
                return name_ok(text, 0, left.len());
            }
        }
    }
    // "Name on July 17, 2018 at 3:45 pm" / "Name July 17, 2018": a prefix, then a full date.
    // The date part needs a digit.
    if !has_digit {
        return None;
    }
    for (i, _) in text.match_indices(' ') {
        let right = text[i + 1..].trim();
        let right = right.strip_prefix("on ").unwrap_or(right);
        // A timestamp has 6 to 60 bytes (`is_timestamp` takes at most 60 when `right` starts
        // like a date, which cannot start with a separator); a date starts with a digit, a
        // month or a weekday. Most spaces are skipped here.
        if !(6..=60).contains(&right.len()) || !may_be_timestamp(right) {
            continue;
        }
        if right.bytes().any(|b| b.is_ascii_digit()) && is_timestamp(right) {
            let left = text[..i].trim_end();
            return name_ok(text, 0, left.len());
        }
    }
    None
}

const HAS_DIGIT: u8 = 1;
/// '-' or '|'.
const HAS_DASH_BAR: u8 = 2;
/// A first byte of '·' or '»' (and other characters).
const HAS_C2: u8 = 4;
/// A first byte of '•', '—', '–', '→', '▸', curly quotes and other characters.
const HAS_E2: u8 = 8;
/// 'p' or 'P', in "repl" and "respond".
const HAS_P: u8 = 16;
const HAS_GT: u8 = 32;

/// What each byte tells [`inline_header`] about the line.
static BYTE_FLAGS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = b'0';
    while b <= b'9' {
        t[b as usize] = HAS_DIGIT;
        b += 1;
    }
    t[b'-' as usize] = HAS_DASH_BAR;
    t[b'|' as usize] = HAS_DASH_BAR;
    t[0xC2] = HAS_C2;
    t[0xE2] = HAS_E2;
    t[b'p' as usize] = HAS_P;
    t[b'P' as usize] = HAS_P;
    t[b'>' as usize] = HAS_GT;
    t
};

/// Whether the lowercased line contains "repl", "respond", "→", "▸" or " > ".
fn reply_words(text: &str) -> bool {
    let b = text.as_bytes();
    // Both words have a "p", rarer than their other letters.
    memchr::memchr2_iter(b'p', b'P', b).any(|i| {
        (i >= 2
            && b.get(i - 2..i + 2)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"repl")))
            || (i >= 3
                && b.get(i - 3..i + 4)
                    .is_some_and(|w| w.eq_ignore_ascii_case(b"respond")))
    }) || memchr::memchr_iter(b'>', b)
        .any(|i| i > 0 && b[i - 1] == b' ' && b.get(i + 1) == Some(&b' '))
        || memchr::memchr_iter(0xE2, b).any(|i| {
            let rest = &b[i + 1..];
            rest.starts_with(&[0x86, 0x92]) || rest.starts_with(&[0x96, 0xB8])
        })
}

/// Whether the line contains one of '•', '·', '|', '—', '–', '-', '»'.
fn has_separator(text: &str) -> bool {
    let b = text.as_bytes();
    // '-' and '|' are ASCII; '·' and '»' are C2 B7 and C2 BB; '•', '—', '–' are E2 80 A2,
    // E2 80 94 and E2 80 93.
    memchr::memchr3_iter(b'-', b'|', 0xC2, b)
        .any(|i| b[i] != 0xC2 || matches!(b.get(i + 1), Some(0xB7 | 0xBB)))
        || memchr::memchr_iter(0xE2, b).any(|i| {
            b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0xA2 | 0x94 | 0x93))
        })
}

fn name_ok(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let mut name = text[start..end].trim();
    // "Posted by Ann on ...", "by ann_k » Tue ...": the name follows the lead words.
    for lead in [
        "posted by ",
        "comment by ",
        "reply by ",
        "written by ",
        "by ",
    ] {
        if name.len() > lead.len()
            && name
                .get(..lead.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(lead))
        {
            name = name.get(lead.len()..).unwrap_or(name).trim_start();
            break;
        }
    }
    if name.is_empty() || crate::segment::names::score(name).is_none() {
        return None;
    }
    let start = start + text[start..end].find(name)?;
    Some((start, start + name.len()))
}

/// A line that can be a headline: a few words, not a sentence, not chrome.
/// Breadcrumbs ("News › World › Europe", "Markets | Europe") are not headlines.
pub fn is_headline(text: &str) -> bool {
    if text.len() > 250 || text.ends_with(['.', ';', ',']) {
        return false;
    }
    let words = text
        .split_whitespace()
        .filter(|w| w.chars().any(|c| c.is_alphabetic()))
        .count();
    (3..=30).contains(&words)
        && ![" › ", " > ", " » ", " / ", " | ", " ‹ ", " « ", " :: "]
            .iter()
            .any(|sep| text.contains(sep))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pattern compiles: a broken one would otherwise panic only on the first line
    /// that reaches it.
    #[test]
    fn warm_builds_every_pattern() {
        warm();
        assert!(TIMESTAMP.is_match("July 17, 2018 at 3:45 pm"));
        assert!(NOTICE_ANY.is_match("Subscribe to our newsletter"));
    }

    #[test]
    fn timestamps() {
        for t in [
            "July 17, 2018 at 3:45 pm",
            "5 years ago",
            "2h",
            "3 days ago",
            "an hour ago",
            "17 July 2018 at 15:45",
            "2019-03-04",
            "Yesterday at 9:12 AM",
            "just now",
            "March 3, 2019",
            "Mon, Jan 7, 2019 10:02 am",
            "12/03/2020 11:15",
            "4 months ago (edited)",
            "Updated on March 3, 2019 at 1:05 pm",
            "• 2 years ago",
            "Tue Mar 14, 2023 7:02 pm",
        ] {
            assert!(is_timestamp(t), "{t}");
        }
        for t in [
            "2 Comments",
            "I was there 5 years",
            "Most probably",
            "May I add",
            // Digits are ASCII digits (docs/segmenter.md).
            "posted \u{663} hours ago",
        ] {
            assert!(!is_timestamp(t), "{t}");
        }
    }

    #[test]
    fn actions_and_sections() {
        for t in [
            "Reply",
            "Like · Reply · 3",
            "▲ 12 ▼",
            "Report",
            "View 2 replies",
            "+5",
            "12",
            "△ 14 ▽",
            "Reply • Share ›",
            "Reply Share Report Save",
            "Like Loading...",
        ] {
            assert_eq!(kind(t), Kind::Action, "{t}");
        }
        for t in ["2018", "Thanks", "Reply to all of them please"] {
            assert_ne!(kind(t), Kind::Action, "{t}");
        }
        // One token at a time: numbers with a sign, a decimal point or a "k" (any case, the
        // Kelvin sign too), action words in any case and script, trailing ":" or ",".
        let tokens = [
            ("+3", Some(true)),
            ("\u{2212}3", Some(true)),
            ("1.2K", Some(true)),
            ("5\u{212A}", Some(true)),
            ("REPLY:", Some(false)),
            ("Like,", Some(false)),
            ("k", None),
            ("Thanks", None),
            ("\u{25B2}", Some(false)),
        ];
        for (tok, want) in tokens {
            assert_eq!(action_token(tok), want, "{tok}");
        }
        let cases = [
            ("1 Comment", Section::CommentHeader),
            ("Comments", Section::CommentHeader),
            ("37 Comments on Iran talks", Section::CommentHeader),
            ("Leave a Reply", Section::CommentHeader),
            ("Latest News:", Section::ListMarker),
            ("Must read", Section::ListMarker),
            ("Load more comments", Section::ListControl),
            ("Menu Close", Section::Menu),
            ("You have read 3 articles this month.", Section::Notice),
            ("Sign up for our weather newsletter", Section::Notice),
            (
                "Comments on this article are now closed.",
                Section::CommentHeader,
            ),
            ("Join the discussion…", Section::CommentHeader),
            ("Name *", Section::ListControl),
            ("Website", Section::ListControl),
            ("level 2", Section::ListControl),
            ("Re: Quarry extension", Section::ListControl),
            ("4 posts • Page 1 of 1", Section::ListControl),
            ("sorted by: best", Section::ListControl),
            ("About the author", Section::ListMarker),
            ("About Sam Reyes", Section::ListMarker),
            ("Share this:", Section::ListMarker),
            ("Accept all", Section::Menu),
        ];
        assert_eq!(
            kind("It was in the council newsletter last spring."),
            Kind::Text
        );
        for (t, s) in cases {
            assert_eq!(kind(t), Kind::Section(s), "{t}");
        }
        assert_eq!(kind("update desk"), Kind::Text);
        // The quick notice test agrees with the phrase automaton.
        for t in [
            "© 2024 The Paper",
            "ALL RIGHTS RESERVED",
            "Subscribe",
            "sUbScRiBeR",
            "Sign Up For",
            "sign up",
            "Ⓒ 2024",
            "newslettr",
            "GDPR",
            "Loyal readers",
            "",
        ] {
            assert_eq!(NOTICE_ANY.is_match(t), NOTICES.is_match(t), "{t}");
        }
    }

    #[test]
    fn inline_headers() {
        let name = |t: &str| inline_header(t).map(|(a, b)| t[a..b].to_string());
        assert_eq!(name("Mary Lou says:").as_deref(), Some("Mary Lou"));
        assert_eq!(name("rob_k • 5 years ago").as_deref(), Some("rob_k"));
        assert_eq!(
            name("Tom | July 17, 2018 at 3:45 pm").as_deref(),
            Some("Tom")
        );
        assert_eq!(
            name("Ann on March 3, 2019 at 1:05 pm").as_deref(),
            Some("Ann")
        );
        assert_eq!(name("Ann replied to Bob").as_deref(), Some("Ann"));
        assert_eq!(name("Anonymous said...").as_deref(), Some("Anonymous"));
        assert_eq!(
            name("Posted by ann_k on 12 March 2023, 18:40").as_deref(),
            Some("ann_k")
        );
        assert_eq!(
            name("by marlstone » Tue Mar 14, 2023 7:02 pm").as_deref(),
            Some("marlstone")
        );
        assert_eq!(name("Bob wrote:"), None);
        assert_eq!(name("They replied to me with a form letter."), None);
        assert_eq!(name("I said to him that it was over and done:"), None);
    }
}
