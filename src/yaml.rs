//! The one module that touches the YAML parser.
//!
//! `serde_yaml` is unmaintained upstream; keeping every call behind this module means a
//! replacement touches one file. Callers get plain serde values and a [`YamlError`] that carries
//! a 1-based line and column. Nothing outside this module may name `serde_yaml`.

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;

/// A YAML syntax or shape error with its position, when the parser knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for YamlError {}

fn convert(err: serde_yaml::Error) -> YamlError {
    let (line, column) = err
        .location()
        .map_or((1, 1), |loc| (loc.line(), loc.column()));
    // serde_yaml appends " at line L column C" to its messages; the position is kept apart.
    let mut message = err.to_string();
    if let Some(cut) = message.find(" at line ") {
        message.truncate(cut);
    }
    YamlError {
        line,
        column,
        message,
    }
}

/// Deserialise a YAML document into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_yaml::from_str(text).map_err(convert)
}

/// Serialise `value` as a YAML document.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, YamlError> {
    serde_yaml::to_string(value).map_err(convert)
}
