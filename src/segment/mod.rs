//! The segmenter. (Interface placeholder.)

use crate::thread::Thread;

/// Segment a page's text into a thread named `name`.
pub fn segment(name: &str, source: String) -> Thread {
    Thread {
        name: name.to_string(),
        source,
        article: None,
        boilerplate: Vec::new(),
        comments: Vec::new(),
    }
}
