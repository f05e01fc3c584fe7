//! threadlint audits comment threads scraped from news pages.
//!
//! The pipeline runs one way:
//! `page text -> segment -> Thread -> engine(RuleSet) -> Vec<Finding> -> report -> output`.
//! See `docs/design.md` for what each module owns.

/// The hasher of maps keyed by short strings from the input or the rules (commenter names,
/// page lines, pattern texts): foldhash, hashbrown's own default. It takes a fraction of the
/// default SipHash's time on such keys (hashing names was 2.7 M instructions on 5 MB of JSON
/// Lines, and the run took 2.8 M fewer with foldhash), and it is seeded per process, so page
/// text cannot be written to make the segmenter's maps collide.
pub(crate) type FastHash = foldhash::fast::RandomState;

pub mod baseline;
pub mod chars;
pub mod engine;
pub mod finding;
pub mod gold;
pub mod input;
pub mod jsonl;
pub mod normalize;
pub mod report;
pub mod rules;
pub mod segment;
pub mod serve;
pub mod thread;
pub mod tuning;
pub mod yaml;
