//! Bad and large input: the segmenter never panics, keeps its invariants, and stays linear.
//! Timings are printed (run with `--nocapture`) and bounded generously for a debug build on a
//! shared 2-core machine.

use std::time::{Duration, Instant};
use threadlint::segment::segment;
use threadlint::thread::Thread;

const PAGE: &str = "Harbour wall to be rebuilt after winter storms\n\nThe council will rebuild a 200-metre section of the harbour wall damaged in the January storms, at a cost of £4.2 million, it confirmed on Tuesday.\n\nWork will start in April and the harbour will stay open to fishing boats throughout.\n\nMoira Kelly\n\nAbout time. The wall has been patched for ten years.\n\nsea_dog_44\n\nWho is paying for it? Not the harbour board, I bet.\n\n\nThe fishing fleet was never consulted.\n";

/// Every range and span points inside the page, in order, on character boundaries.
fn check_invariants(t: &Thread) {
    let lines = threadlint::thread::LineIndex::new(&t.source).line_count(t.source.len());
    let mut prev = 0;
    for c in &t.comments {
        assert!(
            c.lines.first <= c.lines.last && c.lines.last <= lines,
            "{c:?}"
        );
        assert!(c.lines.first > prev, "comments in page order");
        prev = c.lines.last;
        assert!(c.span.start <= c.span.end && c.span.end <= t.source.len());
        assert!(t.source.is_char_boundary(c.span.start) && t.source.is_char_boundary(c.span.end));
        for q in &c.quotes {
            assert!(c.lines.first <= q.lines.first && q.lines.last <= c.lines.last);
            assert!(c.span.contains(q.span));
        }
        if let Some(n) = c.name_span {
            assert!(t.source.is_char_boundary(n.start) && t.source.is_char_boundary(n.end));
            assert_eq!(
                t.source[n.start..n.end].trim(),
                c.author.as_deref().unwrap()
            );
        }
    }
    for b in &t.boilerplate {
        assert!(b.first <= b.last && b.last <= lines);
    }
    if let Some(a) = &t.article {
        assert!(a.lines.first <= a.lines.last && a.lines.last <= lines);
    }
}

/// The page with its line ends cycling through `\r\n`, `\n` and `\r` (a `\r` is always
/// followed by `\r\n`, so it never fuses with the next ending into one CRLF).
fn mixed_endings(text: &str) -> String {
    let ends = ["\r\n", "\n", "\r"];
    text.split('\n')
        .enumerate()
        .map(|(i, l)| format!("{l}{}", ends[i % 3]))
        .collect()
}

/// (author, name line, body lines) of each comment.
fn outline(t: &Thread) -> Vec<(Option<String>, Option<usize>, [usize; 2])> {
    t.comments
        .iter()
        .map(|c| (c.author.clone(), c.name_line, [c.lines.first, c.lines.last]))
        .collect()
}

#[test]
fn line_endings_do_not_change_the_outline() {
    let lf = segment("lf", PAGE.to_string());
    check_invariants(&lf);
    assert_eq!(lf.comments.len(), 3, "{:?}", outline(&lf));
    for (name, text) in [
        ("crlf", PAGE.replace('\n', "\r\n")),
        ("cr", PAGE.replace('\n', "\r")),
        ("mixed", mixed_endings(PAGE)),
    ] {
        let t = segment(name, text);
        check_invariants(&t);
        assert_eq!(outline(&t), outline(&lf), "{name}");
        assert_eq!(t.boilerplate, lf.boilerplate, "{name}");
        assert_eq!(
            t.article.map(|a| a.lines),
            lf.article.clone().map(|a| a.lines),
            "{name}"
        );
    }
}

#[test]
fn tabs_and_trailing_spaces_are_trimmed() {
    let text = PAGE
        .replace("Moira Kelly", "\tMoira Kelly \t")
        .replace("About time.", "\t\tAbout time.");
    let t = segment("tabs", text);
    check_invariants(&t);
    assert_eq!(t.comments[0].author.as_deref(), Some("Moira Kelly"));
    assert_eq!(
        &t.source[t.comments[0].span.start..t.comments[0].span.start + 5],
        "About"
    );
}

#[test]
fn byte_order_mark_is_dropped_before_segmenting() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(PAGE.as_bytes());
    let decoded = threadlint::input::decode(bytes);
    let t = segment("bom", decoded.text);
    assert_eq!(outline(&t), outline(&segment("plain", PAGE.to_string())));
    assert_eq!(t.article.unwrap().title, Some(1));
}

#[test]
fn empty_and_blank_pages_give_nothing() {
    for text in ["", "\n", "\r\n\r\n", "   \t  \n\n \u{a0}\n"] {
        let t = segment("empty", text.to_string());
        assert!(t.article.is_none(), "{text:?}");
        assert!(
            t.comments.is_empty() && t.boilerplate.is_empty(),
            "{text:?}"
        );
    }
}

#[test]
fn replacement_characters_and_odd_bytes_do_not_panic() {
    let decoded = threadlint::input::decode(
        b"Head\xFF line here\n\n\xC3\x28 body \xE2\x82 text\n\nName\xFE\n\nbody".to_vec(),
    );
    assert!(decoded.lossy);
    check_invariants(&segment("lossy", decoded.text));
    for text in [
        "\u{0}",
        "“",
        "”\n\n“",
        ">\n>\n>",
        "a wrote:",
        " says:",
        "•",
        "\r",
        "\n\r\n\r",
    ] {
        check_invariants(&segment("odd", text.to_string()));
    }
}

#[test]
fn a_page_without_blank_lines_is_linear_and_safe() {
    let mut text = String::new();
    for i in 0..40_000 {
        text.push_str(&format!(
            "Line {i} of a page with no blank lines at all, Reply, 3 days ago\n"
        ));
    }
    let started = Instant::now();
    let t = segment("noblank", text);
    let took = started.elapsed();
    eprintln!("no blank lines, {} bytes: {took:?}", t.source.len());
    check_invariants(&t);
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn one_twenty_megabyte_line() {
    let word = "harbour wall storm council ";
    let text: String = word.repeat(20 * 1024 * 1024 / word.len());
    let started = Instant::now();
    let t = segment("long-line", text);
    let took = started.elapsed();
    eprintln!("one line of {} bytes: {took:?}", t.source.len());
    check_invariants(&t);
    assert!(t.comments.is_empty());
    assert!(took < Duration::from_secs(10), "{took:?}");
}

/// A 100 MB page: an article and a comment section of about 850,000 comments with quotes.
/// The dev profile builds tests at opt-level 1 (Cargo.toml), where this takes about 17 s on the
/// shared 2-core machine, so it runs in every `cargo test`; the bound is loose for a loaded
/// machine and still fails on anything worse than linear.
#[test]
fn a_hundred_megabyte_page() {
    let mut text = String::with_capacity(101 * 1024 * 1024);
    text.push_str("Harbour wall to be rebuilt after winter storms\n\nThe council will rebuild a 200-metre section of the harbour wall damaged in the January storms, at a cost of £4.2 million.\n\n");
    let mut i = 0usize;
    while text.len() < 100 * 1024 * 1024 {
        text.push_str(&format!(
            "reader_{}\n\n“The council will rebuild a 200-metre section”\n\nComment number {i} says the wall needed work years ago.\n\n",
            i % 977
        ));
        i += 1;
    }
    let started = Instant::now();
    let t = segment("big", text);
    let took = started.elapsed();
    eprintln!(
        "{} bytes, {} comments: {took:?}",
        t.source.len(),
        t.comments.len()
    );
    check_invariants(&t);
    assert_eq!(t.comments.len(), i);
    assert!(took < Duration::from_secs(120), "{took:?}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    #[test]
    fn never_panics_on_arbitrary_text(s in "[a-zA-Z .,!?“”\"'>:•\\-\\n\\r\\t0-9]{0,400}") {
        check_invariants(&segment("prop", s));
    }
}
