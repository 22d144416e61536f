//! A `Location` built from a rule and the request's own path is valid (RFC 3986 §2): every
//! byte that a URI may not carry (space, non-ASCII, `"`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`,
//! `}`, controls) is percent-encoded; reserved characters and existing `%XX` escapes stay.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// What a URI reference cannot hold as is (RFC 3986 §2.2–2.3 allow the rest).
const NOT_IN_URI: &AsciiSet =
    &CONTROLS.add(b' ').add(b'"').add(b'<').add(b'>').add(b'\\').add(b'^').add(b'`').add(b'{').add(b'|').add(b'}');

/// `location` with what a URI may not hold percent-encoded; a `%` that does not start an
/// escape becomes `%25`.
pub fn encode_location(location: &str) -> String {
    let bytes = location.as_bytes();
    let mut escaped = String::with_capacity(location.len());
    for (index, c) in location.char_indices() {
        if c == '%' {
            let valid = bytes.get(index + 1..index + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
            escaped.push_str(if valid { "%" } else { "%25" });
        } else {
            escaped.extend(utf8_percent_encode(c.encode_utf8(&mut [0; 4]), NOT_IN_URI));
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_carry_only_uri_characters() {
        assert_eq!(encode_location("/blog/héllo wörld"), "/blog/h%C3%A9llo%20w%C3%B6rld");
        assert_eq!(encode_location("/a%20b?x=1&y=[2]#top"), "/a%20b?x=1&y=[2]#top");
        assert_eq!(encode_location("/100%/done"), "/100%25/done");
        assert_eq!(encode_location("https://example.com/{x}|\"y\""), "https://example.com/%7Bx%7D%7C%22y%22");
        assert!(http::HeaderValue::from_str(&encode_location("/日本/\u{7f}")).is_ok());
    }
}
