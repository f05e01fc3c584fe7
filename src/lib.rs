//! threadlint audits comment threads scraped from news pages.
//!
//! The pipeline runs one way:
//! `page text -> segment -> Thread -> engine(RuleSet) -> Vec<Finding> -> report -> output`.
//! See `docs/design.md` for what each module owns.

pub mod baseline;
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
