//! How much a short line looks like a commenter's name rather than a short comment.
//!
//! Owns the score of one line in isolation. Structure (a name needs a body after one blank
//! line, two names cannot follow each other, a repeated name is strong evidence) is applied by
//! `layout`; this module must not look at other lines.

use super::words::{with_lower, WordSet};
use std::sync::LazyLock;

/// Words that make a line read as a sentence: pronouns, verbs, articles, prepositions, reply
/// words. Names and handles rarely contain them ("Gregory Casey", "leon mc pilibin",
/// "Zionism = EVIL"); short replies nearly always do ("Most probably", "Thanks Julian.",
/// "I agree", "So true").
const SENTENCE_WORDS: &[&str] = &[
    "i",
    "i'm",
    "im",
    "i've",
    "me",
    "my",
    "you",
    "your",
    "you're",
    "we",
    "our",
    "they",
    "their",
    "he",
    "she",
    "it",
    "it's",
    "its",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "am",
    "do",
    "does",
    "did",
    "don't",
    "dont",
    "not",
    "no",
    "yes",
    "yeah",
    "yep",
    "nope",
    "the",
    "a",
    "an",
    "of",
    "in",
    "at",
    "to",
    "for",
    "from",
    "with",
    "by",
    "about",
    "as",
    "but",
    "or",
    "so",
    "if",
    "that",
    "this",
    "these",
    "those",
    "there",
    "here",
    "what",
    "why",
    "how",
    "who",
    "when",
    "where",
    "thanks",
    "thank",
    "thx",
    "agree",
    "agreed",
    "exactly",
    "indeed",
    "probably",
    "maybe",
    "perhaps",
    "true",
    "false",
    "lol",
    "lmao",
    "well",
    "just",
    "very",
    "too",
    "also",
    "most",
    "really",
    "sure",
    "correct",
    "right",
    "wrong",
    "good",
    "great",
    "nice",
    "bad",
    "never",
    "always",
    "again",
    "ok",
    "okay",
    "wow",
    "hmm",
    "ha",
    "haha",
    "gee",
    "oh",
    "all",
    "can",
    "would",
    "should",
    "could",
    "has",
    "have",
    "had",
    "get",
    "got",
    "see",
    "think",
    "know",
    "say",
    "said",
    "nonsense",
    "rubbish",
    "absolutely",
    "definitely",
    "amen",
    "bingo",
    "ditto",
    "same",
    "and",
    "nothing",
    "everything",
    "something",
    "much",
    "many",
    "more",
    "less",
    "please",
    "sorry",
    "hello",
    "hi",
    "hey",
    "welcome",
    "bravo",
    "excellent",
    "interesting",
    "bullshit",
    "bs",
    "propaganda",
    "lies",
    "fake",
    "news",
];

const HONORIFICS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "rev", "capt", "col", "gen", "sgt", "lt",
    "fr", "sir",
];

static SENTENCE: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(SENTENCE_WORDS));
static HONORIFIC: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(HONORIFICS));

/// Most words a name may have.
const MAX_WORDS: usize = 6;

/// Score a line as a commenter's name: `None` when it cannot be one, otherwise higher means
/// more name-like (above zero: a name unless structure says otherwise).
pub fn score(text: &str) -> Option<i32> {
    let text = text.trim();
    if text.is_empty() || text.len() > 60 {
        return None;
    }
    let mut buf = [""; MAX_WORDS];
    let mut n = 0;
    for w in text.split_whitespace() {
        if n == MAX_WORDS {
            return None;
        }
        buf[n] = w;
        n += 1;
    }
    let words = &buf[..n];
    // Two sentences ("Gee. I hope you are right!") or a question or exclamation.
    if text.ends_with(['?', '!']) {
        return None;
    }
    // "Gee. I hope": a full stop inside the line ends a sentence, unless it closes an
    // honorific or an initial ("Dr. Ruth Hale", "J. Smith").
    for pair in words.windows(2) {
        let (w, next) = (pair[0], pair[1]);
        if w.ends_with(['.', '!', '?']) && next.starts_with(char::is_uppercase) {
            let stem = w.trim_end_matches(['.', '!', '?']);
            let abbreviation = with_lower(stem, |stem| {
                stem.chars().count() == 1 || HONORIFIC.contains(stem)
            });
            if !abbreviation || w.ends_with(['!', '?']) {
                return None;
            }
        }
    }
    if !text.chars().any(|c| c.is_alphanumeric()) {
        return None;
    }
    let mut s = 1;
    // A sentence ends in a full stop right after a word ("Thanks Julian."); a handle may end
    // in a detached one ("northerntruthseeker .") and initials end in one ("John Q.").
    if let Some(last) = words.last() {
        if last.ends_with('.') && last != &"." {
            let stem = last.trim_end_matches('.');
            if stem.chars().count() > 2 || words.len() == 1 {
                s -= 3;
            }
        }
    }
    if text.contains(',') || text.contains(';') {
        s -= 2;
    }
    let sentence = words.iter().filter(|w| is_sentence_word(w)).count() as i32;
    s -= 3 * sentence;
    // Words with a letter: how many, how many capitalised, how many all lowercase, and
    // whether the first is capitalised.
    let mut lettered = 0;
    let mut capitalised = 0;
    let mut lower = 0;
    let mut first_upper = false;
    for w in words {
        // (has a letter, starts uppercase, first letter uppercase, no uppercase letter); on
        // ASCII words by bytes.
        let (lettered_word, starts_upper, first_letter_upper, no_upper) = if w.is_ascii() {
            let b = w.as_bytes();
            let first_letter = b.iter().find(|c| c.is_ascii_alphabetic());
            (
                first_letter.is_some(),
                b[0].is_ascii_uppercase(),
                first_letter.is_some_and(u8::is_ascii_uppercase),
                !b.iter().any(u8::is_ascii_uppercase),
            )
        } else {
            let first_letter = w.chars().find(|c| c.is_alphabetic());
            (
                first_letter.is_some(),
                w.starts_with(char::is_uppercase),
                first_letter.is_some_and(char::is_uppercase),
                w.chars().all(|c| !c.is_uppercase()),
            )
        };
        if !lettered_word {
            continue;
        }
        if lettered == 0 {
            first_upper = starts_upper;
        }
        lettered += 1;
        if first_letter_upper {
            capitalised += 1;
        }
        if no_upper {
            lower += 1;
        }
    }
    if lettered != 0 && capitalised == lettered {
        s += 2;
    } else if lettered != 0 && lower == lettered && words.len() <= 4 {
        // all-lowercase handles: "leon mc pilibin", "northerntruthseeker ."
        s += 1;
    } else if lettered >= 2 && capitalised == 1 && first_upper {
        // Sentence case ("Winter peaks", "Most probably") is how headings and short replies
        // are written; names capitalise every part.
        s -= 2;
    }
    // A single token with digits or underscores is a handle ("rob_k", "truth2power").
    if words.len() == 1 && text.chars().any(|c| c.is_ascii_digit() || c == '_') {
        s += 1;
    }
    Some(s)
}

/// Whether a word, stripped of surrounding punctuation and lowercased (curly apostrophes as
/// straight ones), is one of [`SENTENCE_WORDS`].
fn is_sentence_word(w: &str) -> bool {
    if w.is_ascii() {
        // Trimmed by bytes: in ASCII, only letters and digits are alphanumeric.
        let keep = |c: &u8| c.is_ascii_alphanumeric() || *c == b'\'';
        let b = w.as_bytes();
        let trimmed = match (b.iter().position(keep), b.iter().rposition(keep)) {
            (Some(a), Some(z)) => &b[a..=z],
            _ => &[],
        };
        return SENTENCE.contains_ascii_lower(trimmed);
    }
    let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’');
    if w.is_ascii() {
        SENTENCE.contains_lower(w)
    } else {
        SENTENCE.contains(&w.replace('’', "'").to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_score_above_zero() {
        for n in [
            "Gregory Casey",
            "S Melanson",
            "leon mc pilibin",
            "northerntruthseeker .",
            "Zionism = EVIL",
            "Brother Ma",
            "rob_k",
            "John Q.",
            "Dr. Ruth Hale",
            "Maria-José Núñez",
        ] {
            assert!(score(n).is_some_and(|s| s > 0), "{n}: {:?}", score(n));
        }
    }

    #[test]
    fn short_comments_score_at_or_below_zero() {
        for n in [
            "Most probably",
            "Thanks Julian.",
            "Gee. I hope you are right!",
            "So true",
            "Agreed",
            "Yes, indeed",
            "Well said.",
            "Iran’s role in Syria",
            "Winter peaks",
            "Fake news",
            "What?",
        ] {
            assert!(score(n).map_or(true, |s| s <= 0), "{n}: {:?}", score(n));
        }
    }
}
