//! Unicode classes of characters, answered fast for non-ASCII text.
//!
//! Owns answering whether a character is alphabetic or numeric (as `char`'s methods say) or a
//! combining mark (as `unicode_normalization` says), with exactly their answers. It must not
//! decide what a word or a letter is for matching: `normalize` does, from these classes.
//!
//! Why: `char::is_alphabetic` searches a table of ranges for every non-ASCII character, about
//! 300 instructions each (callgrind). Normalising a comment in Cyrillic, Hebrew or Greek asks
//! it several times per character, and that search was half of all the work of checking such
//! text. Text in one script uses a few blocks of 256 code points, so each block's classes are
//! worked out once, the first time one of its characters is asked about (256 of the searches
//! above), and kept for the process; then a class is two loads.

use std::sync::OnceLock;

/// `char::is_alphabetic`.
pub const ALPHABETIC: u8 = 1;
/// `char::is_numeric`.
pub const NUMERIC: u8 = 2;
/// `unicode_normalization::char::is_combining_mark`.
pub const MARK: u8 = 4;

/// Blocks are kept for planes 0 to 2: every script, the symbols and emoji, the common CJK
/// extensions. Characters above are classified each time.
const BLOCKS: usize = 0x30000 >> 8;

static TABLE: [OnceLock<Box<[u8; 256]>>; BLOCKS] = [const { OnceLock::new() }; BLOCKS];

/// The classes of `c`, worked out.
fn classify(c: char) -> u8 {
    let mut f = 0;
    if c.is_alphabetic() {
        f |= ALPHABETIC;
    }
    if c.is_numeric() {
        f |= NUMERIC;
    }
    if unicode_normalization::char::is_combining_mark(c) {
        f |= MARK;
    }
    f
}

/// The classes of `c` ([`ALPHABETIC`], [`NUMERIC`], [`MARK`]).
#[inline]
pub fn class(c: char) -> u8 {
    let n = c as u32;
    let Some(block) = TABLE.get((n >> 8) as usize) else {
        return classify(c);
    };
    block.get_or_init(|| {
        let base = n & !0xFF;
        let mut classes = Box::new([0u8; 256]);
        for (k, slot) in classes.iter_mut().enumerate() {
            // Surrogates are no characters: no class.
            if let Some(ch) = char::from_u32(base + k as u32) {
                *slot = classify(ch);
            }
        }
        classes
    })[(n & 0xFF) as usize]
}

/// `c.is_alphabetic()`.
#[inline]
pub fn is_alphabetic(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        class(c) & ALPHABETIC != 0
    }
}

/// `c.is_alphanumeric()`.
#[inline]
pub fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        class(c) & (ALPHABETIC | NUMERIC) != 0
    }
}

/// `unicode_normalization::char::is_combining_mark(c)`.
#[inline]
pub fn is_combining_mark(c: char) -> bool {
    !c.is_ascii() && class(c) & MARK != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character, every class, against the functions the table stands for.
    #[test]
    fn every_character_has_the_classes_std_gives() {
        let mut wrong = Vec::new();
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let got = (is_alphabetic(c), is_alphanumeric(c), is_combining_mark(c));
            let want = (
                c.is_alphabetic(),
                c.is_alphanumeric(),
                unicode_normalization::char::is_combining_mark(c),
            );
            if got != want {
                wrong.push(format!(
                    "{:?} U+{:04X}: {got:?}, want {want:?}",
                    c, c as u32
                ));
            }
        }
        assert!(
            wrong.is_empty(),
            "{} wrong, first: {:?}",
            wrong.len(),
            &wrong[..wrong.len().min(5)]
        );
    }
}
