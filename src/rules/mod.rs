//! The rule language: loading YAML rule sets, reporting problems with file:line:col, linting.

pub mod model;

pub use model::*;
