//! Throughput of the segmenter alone (no reading, no rendering) on a directory of page texts.
//!
//! Ignored by default; run in release on a generated corpus:
//!
//! ```text
//! cargo build --release --example gen_corpus
//! target/release/examples/gen_corpus --mb 20 --format text --out /tmp/segp
//! SEGMENT_SPEED_DIR=/tmp/segp cargo test --release --test segment_speed -- --ignored --nocapture
//! ```
//!
//! `SEGMENT_SPEED_ROUNDS` (default 3) repeats the pass; the best round is reported.

use std::time::Instant;
use threadlint::segment::segment;

#[test]
#[ignore = "measures throughput; needs SEGMENT_SPEED_DIR and a release build"]
fn segment_throughput() {
    let dir = std::env::var("SEGMENT_SPEED_DIR").expect("SEGMENT_SPEED_DIR names a directory");
    let rounds: usize = std::env::var("SEGMENT_SPEED_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("readable directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    let pages: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(p).expect("UTF-8 page"),
            )
        })
        .collect();
    let bytes: usize = pages.iter().map(|(_, t)| t.len()).sum();
    let mut best = f64::INFINITY;
    let mut comments = 0;
    for _ in 0..rounds {
        let copies: Vec<(String, String)> = pages.clone();
        let t0 = Instant::now();
        comments = 0;
        for (name, text) in copies {
            comments += segment(&name, text).comments.len();
        }
        best = best.min(t0.elapsed().as_secs_f64());
    }
    println!(
        "segment: {} pages, {:.1} MB, {comments} comments: best of {rounds} {:.3} s, {:.1} MB/s",
        pages.len(),
        bytes as f64 / 1e6,
        best,
        bytes as f64 / 1e6 / best
    );
}
