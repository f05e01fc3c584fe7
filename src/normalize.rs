//! Normalisation against evasion, with a map back to the original bytes.
//!
//! (Interface placeholder; implemented with the engine.)

use crate::finding::Category;

/// Which normalisation steps a rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Profile {
    pub casefold: bool,
    pub compat: bool,
    pub confusables: bool,
    pub zero_width: bool,
    pub leet: bool,
    pub separators: bool,
    pub repeats: bool,
    pub censor: bool,
}

impl Profile {
    /// The names of the steps, as rule files write them.
    pub const STEP_NAMES: [&'static str; 8] = [
        "casefold",
        "compat",
        "confusables",
        "zero-width",
        "leet",
        "separators",
        "repeats",
        "censor",
    ];

    /// A named preset (`none`, `plain`, `strict`), if `name` is one.
    pub fn preset(name: &str) -> Option<Profile> {
        match name {
            "none" => Some(Profile::default()),
            _ => None,
        }
    }

    /// Turn on the step called `name`; false if there is no such step.
    pub fn set_step(&mut self, name: &str) -> bool {
        match name {
            "casefold" => self.casefold = true,
            _ => return false,
        }
        true
    }

    /// The default profile for a category.
    pub fn default_for(_category: Category) -> Profile {
        Profile {
            casefold: true,
            ..Profile::default()
        }
    }
}

/// Normalised text and, for each of its bytes, the byte offset in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    pub text: String,
    /// `offsets[i]` is the original offset of normalised byte `i`; one extra entry maps the end.
    pub offsets: Vec<usize>,
}

/// Normalise `text` with `profile`.
pub fn normalize(text: &str, profile: Profile) -> Normalized {
    let text = if profile.casefold {
        text.to_lowercase()
    } else {
        text.to_string()
    };
    let offsets = (0..=text.len()).collect();
    Normalized { text, offsets }
}

/// Normalise a rule term the way text is normalised, for matching and for lint.
pub fn normalize_term(term: &str, profile: Profile) -> String {
    normalize(term, profile).text
}
