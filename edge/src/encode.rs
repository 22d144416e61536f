//! Content encoding: text-like files (HTML, CSS, JavaScript, JSON, SVG, XML, WebAssembly,
//! uncompressed fonts…) are compressed once per blob and encoding, kept beside the artifacts,
//! and served with their `Content-Length`; everything else (images, video, audio, archives,
//! WOFF fonts, PDFs: already compressed) is sent as stored, whatever the client accepts, as
//! Cloudflare and nginx's `gzip_types` do. A compressed copy that would not be smaller is not
//! made. Ranges are always served from the stored bytes.

use bytes::Bytes;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// Files smaller than this are sent as stored: the encoding's headers would eat the saving.
pub const MIN_BYTES: u64 = 128;
/// Files larger than this are sent as stored: compressing them would hold a worker for long.
pub const MAX_BYTES: u64 = 64 << 20;

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

/// Whether files of `content_type` are worth compressing.
pub fn compressible(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence.starts_with("text/")
        || essence.ends_with("+json")
        || essence.ends_with("+xml")
        || matches!(
            essence.as_str(),
            "application/javascript"
                | "application/json"
                | "application/xml"
                | "application/wasm"
                | "application/x-javascript"
                | "application/ld+json"
                | "application/rss+xml"
                | "application/atom+xml"
                | "application/xhtml+xml"
                | "application/vnd.ms-fontobject"
                | "font/ttf"
                | "font/otf"
                | "image/svg+xml"
                | "image/x-icon"
                | "image/vnd.microsoft.icon"
                | "image/bmp"
        )
}

/// The encoding the client prefers of those offered, from `Accept-Encoding` (RFC 9110
/// §12.5.3): brotli before gzip at equal weight, none with `q=0`.
pub fn negotiate(accept: Option<&str>) -> Option<Encoding> {
    let mut best: Option<(f32, Encoding)> = None;
    for item in accept.unwrap_or_default().split(',') {
        let mut parts = item.split(';');
        let token = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let weight = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .next()
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let encoding = match token.as_str() {
            "br" => Encoding::Brotli,
            "gzip" | "x-gzip" => Encoding::Gzip,
            _ => continue,
        };
        let better = match best {
            None => true,
            Some((w, e)) => weight > w || (weight == w && encoding == Encoding::Brotli && e != Encoding::Brotli),
        };
        if weight > 0.0 && better {
            best = Some((weight, encoding));
        }
    }
    best.map(|(_, e)| e)
}

/// A compressed copy: where it is, its size, and its bytes when small.
#[derive(Debug, Clone)]
pub struct Copy {
    pub path: PathBuf,
    pub size: u64,
    pub bytes: Option<Bytes>,
}

type Slot = Arc<OnceCell<Option<Copy>>>;

/// Compressed copies of blobs, made once each.
pub struct Encoded {
    dir: PathBuf,
    made: Mutex<HashMap<(String, Encoding), Slot>>,
}

impl Encoded {
    /// Copies kept under `dir`.
    pub fn new(dir: PathBuf) -> Self {
        Encoded { dir, made: Mutex::default() }
    }

    /// The blob at `source` (hash `sha256`) compressed with `encoding`: made the first time it
    /// is asked for (one request makes it, the others wait), read from disk after a restart;
    /// `None` when compressing does not make it smaller.
    pub async fn copy(&self, sha256: &str, source: PathBuf, encoding: Encoding) -> Option<Copy> {
        let slot = {
            let mut made = self.made.lock().ok()?;
            if made.len() > 200_000 {
                made.clear();
            }
            made.entry((sha256.to_string(), encoding)).or_default().clone()
        };
        let path = self.dir.join(&sha256[..2]).join(format!("{sha256}.{}", encoding.token()));
        slot.get_or_init(|| async move {
            tokio::task::spawn_blocking(move || make(&source, &path, encoding)).await.ok().flatten()
        })
        .await
        .clone()
    }
}

/// Reads or makes the compressed copy; `None` when it would not be smaller.
fn make(source: &std::path::Path, path: &std::path::Path, encoding: Encoding) -> Option<Copy> {
    let small = |path: &std::path::Path, size: u64| {
        (size <= 256 * 1024).then(|| std::fs::read(path).ok().map(Bytes::from)).flatten()
    };
    let none_marker = path.with_extension(format!("{}.none", encoding.token()));
    if let Ok(meta) = std::fs::metadata(path) {
        return Some(Copy { path: path.to_path_buf(), size: meta.len(), bytes: small(path, meta.len()) });
    }
    if none_marker.exists() {
        return None;
    }
    let original = std::fs::read(source).ok()?;
    let compressed = match encoding {
        Encoding::Brotli => {
            let mut out = Vec::new();
            let params = brotli::enc::BrotliEncoderParams { quality: 9, lgwin: 22, ..Default::default() };
            brotli::BrotliCompress(&mut original.as_slice(), &mut out, &params).ok()?;
            out
        }
        Encoding::Gzip => {
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
            encoder.write_all(&original).ok()?;
            encoder.finish().ok()?
        }
    };
    let dir = path.parent()?;
    std::fs::create_dir_all(dir).ok()?;
    if compressed.len() >= original.len() {
        let _ = std::fs::write(&none_marker, b"");
        return None;
    }
    let temp = dir.join(format!(".{}-{}", std::process::id(), rand_suffix()));
    std::fs::write(&temp, &compressed).ok()?;
    std::fs::rename(&temp, path).ok()?;
    let size = compressed.len() as u64;
    Some(Copy { path: path.to_path_buf(), size, bytes: (size <= 256 * 1024).then(|| Bytes::from(compressed)) })
}

/// A name no other writer in this process uses at the same time.
fn rand_suffix() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_text_like_types_are_compressed() {
        for yes in [
            "text/html; charset=utf-8",
            "application/javascript",
            "image/svg+xml",
            "application/manifest+json",
            "font/ttf",
        ] {
            assert!(compressible(yes), "{yes}");
        }
        for no in [
            "application/zip",
            "video/mp4",
            "image/png",
            "image/webp",
            "font/woff2",
            "application/pdf",
            "application/gzip",
        ] {
            assert!(!compressible(no), "{no}");
        }
    }

    #[test]
    fn the_clients_preference_wins_and_q0_refuses() {
        assert_eq!(negotiate(Some("gzip, deflate, br, zstd")), Some(Encoding::Brotli));
        assert_eq!(negotiate(Some("gzip;q=1, br;q=0.5")), Some(Encoding::Gzip));
        assert_eq!(negotiate(Some("br;q=0, gzip")), Some(Encoding::Gzip));
        assert_eq!(negotiate(Some("identity")), None);
        assert_eq!(negotiate(None), None);
    }
}
