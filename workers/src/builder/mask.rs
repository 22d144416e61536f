//! Masking a build's secrets in its log, as CI systems do (GitHub Actions' `add-mask`): every
//! value of the build's environment variables, and the common encodings a build might print
//! it in (base64 in both alphabets at each of the three alignments it can fall on inside a
//! longer encoding, percent-encoding, JSON string escaping, hex), is replaced by `***` before a
//! line leaves the builder. Values shorter than `MIN_MASKED` characters are not masked: they
//! would blank out ordinary words and digits (and no key of that length is a secret).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

/// The shortest value (or line of a multi-line value) that is masked, in characters.
pub const MIN_MASKED: usize = 4;
/// What a masked value is shown as.
pub const MASK: &str = "***";

/// The strings to hide in a build's output, longest first.
#[derive(Debug, Clone, Default)]
pub struct Masker {
    needles: Vec<String>,
}

impl Masker {
    /// A masker for these secret values.
    pub fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> Self {
        let mut needles = Vec::new();
        for value in values {
            // A multi-line value (a PEM key) shows line by line.
            let parts = std::iter::once(value).chain(value.lines().filter(|l| l.len() != value.len()));
            for part in parts {
                let part = part.trim_end_matches('\r');
                if part.chars().count() < MIN_MASKED {
                    continue;
                }
                needles.push(part.to_string());
                needles.extend(encodings(part));
            }
        }
        needles.retain(|n| n.chars().count() >= MIN_MASKED);
        needles.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        needles.dedup();
        Masker { needles }
    }

    /// `line` with every secret and encoding of one replaced by `***`.
    pub fn mask(&self, line: &str) -> String {
        let mut masked = line.to_string();
        for needle in &self.needles {
            if masked.contains(needle.as_str()) {
                masked = masked.replace(needle.as_str(), MASK);
            }
        }
        masked
    }

    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }
}

/// The forms of `value` a build is likely to print.
fn encodings(value: &str) -> Vec<String> {
    let bytes = value.as_bytes();
    let mut forms = Vec::new();
    for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
        for offset in 0..3usize {
            // With `offset` bytes before it, the value's bits start at bit 8 * offset; only
            // the characters whose 6 bits all come from the value are fixed.
            let mut padded = vec![0u8; offset];
            padded.extend_from_slice(bytes);
            let encoded = engine.encode(&padded);
            let first = (8 * offset).div_ceil(6);
            let last = (8 * (offset + bytes.len())) / 6;
            if last > first {
                forms.push(encoded[first..last.min(encoded.len())].to_string());
            }
        }
    }
    let percent: String = bytes
        .iter()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (*b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    forms.push(percent.clone());
    forms.push(percent.to_lowercase());
    if let Ok(json) = serde_json::to_string(value) {
        forms.push(json.trim_matches('"').to_string());
    }
    forms.push(bytes.iter().map(|b| format!("{b:02x}")).collect());
    forms.retain(|form| form != value);
    forms
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn values_and_their_encodings_are_masked_wherever_they_appear() {
        let secret = "s3cr3t-T0ken/with+chars=";
        let masker = Masker::new([secret, "ab", "multi\nline-part-two"]);
        let b64 = STANDARD_NO_PAD.encode(secret);
        let inside = STANDARD_NO_PAD.encode(format!("user:{secret}"));
        for line in [
            format!("token is {secret}!"),
            format!("base64: {b64}"),
            format!("Authorization: Basic {inside}"),
            format!("url: https://x/?t={}", secret.replace('/', "%2F").replace('+', "%2B").replace('=', "%3D")),
            format!("json: {}", serde_json::to_string(&format!("say \"{secret}\"")).unwrap()),
            format!("hex {}", secret.bytes().map(|b| format!("{b:02x}")).collect::<String>()),
        ] {
            let masked = masker.mask(&line);
            assert!(masked.contains(MASK), "{line} → {masked}");
            assert!(!masked.contains("T0ken"), "{line} → {masked}");
        }
        // the line of a multi-line value, alone
        assert_eq!(masker.mask("got line-part-two"), "got ***");
        // short values are left alone
        assert_eq!(masker.mask("abc ab"), "abc ab");
        assert_eq!(Masker::new([]).mask("plain"), "plain");
    }
}
