//! Reading input files into text.
//!
//! Owns decoding: a byte-order mark is dropped and invalid UTF-8 is replaced (the caller is
//! told, so it can warn naming the file). It must not interpret the text.

use std::io::Read;
use std::path::Path;

/// Text decoded from a file or stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// Some bytes were not valid UTF-8 and were replaced with U+FFFD.
    pub lossy: bool,
}

/// Decode raw bytes: strip a UTF-8 byte-order mark, replace invalid sequences.
pub fn decode(bytes: Vec<u8>) -> Decoded {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(text) => Decoded { text, lossy: false },
        Err(err) => Decoded {
            text: String::from_utf8_lossy(err.as_bytes()).into_owned(),
            lossy: true,
        },
    }
}

/// Read and decode a file; `-` reads standard input.
pub fn read_path(path: &Path) -> std::io::Result<Decoded> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin().lock().read_to_end(&mut bytes)?;
    } else {
        bytes = std::fs::read(path)?;
    }
    Ok(decode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_bom_and_replaces_invalid_bytes() {
        let d = decode(b"\xEF\xBB\xBFhi".to_vec());
        assert_eq!(
            d,
            Decoded {
                text: "hi".into(),
                lossy: false
            }
        );
        let d = decode(b"a\xFFb".to_vec());
        assert_eq!(d.text, "a\u{FFFD}b");
        assert!(d.lossy);
    }
}
