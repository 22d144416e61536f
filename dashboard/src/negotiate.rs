//! Content coding for the dashboard's files: which coding a client accepts
//! (`Accept-Encoding`, RFC 9110 §12.5.3) and compressing with it.

use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    /// The `Content-Encoding` token.
    pub fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }
}

/// Whether a file of this media type is text worth compressing (images and fonts here are
/// compressed formats already).
pub fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || matches!(content_type, "application/javascript" | "application/json" | "image/svg+xml")
}

/// Brotli when the client accepts it, else gzip, else none: a coding with `q=0` is refused
/// (RFC 9110 §12.5.3), and `*` accepts both.
pub fn choose(accept_encoding: &str) -> Option<Encoding> {
    let mut brotli = false;
    let mut gzip = false;
    for item in accept_encoding.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let refused = parts.any(|p| {
            let p = p.trim().to_ascii_lowercase();
            p.strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q <= 0.0)
        });
        let accepted = !refused;
        match name.as_str() {
            "br" => brotli = accepted,
            "gzip" | "x-gzip" => gzip = accepted,
            "*" => {
                brotli |= accepted;
                gzip |= accepted;
            }
            _ => {}
        }
    }
    if brotli {
        Some(Encoding::Brotli)
    } else if gzip {
        Some(Encoding::Gzip)
    } else {
        None
    }
}

/// `bytes` compressed (brotli quality 11, gzip level 9: done once per file, kept).
pub fn compress(bytes: &[u8], encoding: Encoding) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len() / 3);
    match encoding {
        Encoding::Brotli => {
            let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
            brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).ok()?;
        }
        Encoding::Gzip => {
            let mut encoder = flate2::write::GzEncoder::new(&mut out, flate2::Compression::best());
            encoder.write_all(bytes).ok()?;
            encoder.finish().ok()?;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding_is_read_as_rfc_9110_says() {
        assert_eq!(choose("gzip, deflate, br, zstd"), Some(Encoding::Brotli));
        assert_eq!(choose("gzip"), Some(Encoding::Gzip));
        assert_eq!(choose("br;q=0, gzip;q=0.5"), Some(Encoding::Gzip));
        assert_eq!(choose("*"), Some(Encoding::Brotli));
        assert_eq!(choose("identity"), None);
        assert_eq!(choose(""), None);
        assert_eq!(choose("GZIP;Q=0"), None);
    }

    #[test]
    fn compressed_text_comes_back_whole() {
        let text = "const dashboard = 'CloudDeck';\n".repeat(200);
        let gz = compress(text.as_bytes(), Encoding::Gzip).unwrap();
        let mut back = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut back).unwrap();
        assert_eq!(back, text);
        let br = compress(text.as_bytes(), Encoding::Brotli).unwrap();
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut back).unwrap();
        assert_eq!(back, text.as_bytes());
        assert!(br.len() < text.len() / 10);
    }
}
