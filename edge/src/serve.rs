//! Serving one request from a deployment's manifest: the right file (index.html for
//! folders, the site's 404.html when nothing matches), Content-Type, ETag = content hash,
//! If-None-Match → 304, HEAD, and cache headers that let hashed assets live forever.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use clouddeck_artifacts::{ArtifactStore, FileEntry, Manifest, normalize_path};
use mime_guess::mime::{self, Mime};
use percent_encoding::percent_decode_str;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use tower::ServiceExt;
use tower_http::services::ServeFile;

/// A file of the manifest: its path and entry.
pub type Found<'a> = Option<(&'a str, &'a FileEntry)>;

use crate::encode::{self, Encoded};
use clouddeck_routing::ROUTING_FILES;

/// A request path percent-decoded and checked: `/` and the normalized path after it.
/// Anything that could leave the manifest (`..`, `\`, NUL, control characters, overlong)
/// is refused outright rather than guessed at.
pub fn decoded(raw_path: &str) -> Result<String, StatusCode> {
    let decoded = percent_decode_str(raw_path).decode_utf8().map_err(|_| StatusCode::BAD_REQUEST)?;
    let trimmed = decoded.trim_start_matches('/');
    if trimmed.is_empty() {
        return Ok("/".into());
    }
    let normalized = normalize_path(trimmed).map_err(|_| StatusCode::BAD_REQUEST)?;
    Ok(if decoded.ends_with('/') { format!("/{normalized}/") } else { format!("/{normalized}") })
}

fn served<'a>(manifest: &'a Manifest, path: &str) -> Found<'a> {
    manifest
        .files
        .get_key_value(path)
        .filter(|(k, _)| !ROUTING_FILES.contains(&k.as_str()) && !PLATFORM_FILES.contains(&k.as_str()))
        .map(|(k, v)| (k.as_str(), v))
}

/// CloudDeck's own configuration files: never served, like the routing files (a proxy
/// rule's headers in `netlify.toml` may hold an upstream's key).
const PLATFORM_FILES: &[&str] = &["clouddeck.toml", ".clouddeckignore"];

/// The file a checked path names itself: the file, the folder's index.html, or the clean
/// URL's .html. Such a file shadows routing rules that are not forced.
pub fn file_at<'a>(manifest: &'a Manifest, path: &str) -> Found<'a> {
    let trimmed = path.trim_matches('/');
    let candidates = if trimmed.is_empty() {
        vec!["index.html".to_string()]
    } else {
        vec![trimmed.to_string(), format!("{trimmed}/index.html"), format!("{trimmed}.html")]
    };
    candidates.iter().find_map(|c| served(manifest, c))
}

/// Whether `served` (what `file_at` found for `path`) is a folder's index reached without the
/// folder's slash.
pub fn is_folder_index(path: &str, served: &str) -> bool {
    !path.ends_with('/')
        && path != "/"
        && served.ends_with("/index.html")
        && served.trim_end_matches("/index.html") == path.trim_matches('/')
}

/// The manifest entry a checked path (from `decoded`) names, and the status to answer with:
/// the file, the folder's index.html, the clean URL's .html, else the site's 404.html, or
/// for a route-like path in a single-page app without one, its index.html.
#[cfg(test)]
pub fn resolve<'a>(manifest: &'a Manifest, path: &str) -> (StatusCode, Found<'a>) {
    match file_at(manifest, path) {
        Some(file) => (StatusCode::OK, Some(file)),
        None => fallback(manifest, is_single_page_app(manifest), path),
    }
}

/// Whether a site is one page with client-side routes: its only HTML page is `index.html`
/// (`404.html` aside). A static site generator's output (Hugo, Astro, Eleventy, plain HTML
/// with pages) has one page per route, and an unknown path there is a 404, not a copy of the
/// home page that search engines would index (a soft 404). An app built otherwise says so
/// with a rule (`/* /index.html 200`), as Netlify asks.
pub fn is_single_page_app(manifest: &Manifest) -> bool {
    let mut pages = manifest.files.keys().filter(|path| path.ends_with(".html") || path.ends_with(".htm"));
    manifest.files.contains_key("index.html") && pages.all(|path| path == "index.html" || path == "404.html")
}

/// What answers for a path that names no file: the 404 page, or a single-page app's index
/// (`spa`: [`is_single_page_app`], worked out once per site).
pub fn fallback<'a>(manifest: &'a Manifest, spa: bool, path: &str) -> (StatusCode, Found<'a>) {
    let found = |path: &str| served(manifest, path);
    let trimmed = path.trim_matches('/');
    if let Some(page) = found("404.html") {
        return (StatusCode::NOT_FOUND, Some(page));
    }
    let route_like = !trimmed.rsplit('/').next().unwrap_or_default().contains('.');
    match found("index.html") {
        Some(index) if spa && route_like => (StatusCode::OK, Some(index)),
        _ => (StatusCode::NOT_FOUND, None),
    }
}

/// Folders whose every file is named by its content, by the framework's own contract: Next.js
/// `_next/static/`, SvelteKit `_app/immutable/`, Astro `_astro/`, Nuxt `_nuxt/`.
const IMMUTABLE_FOLDERS: &[&str] = &["_next/static/", "_app/immutable/", "_astro/", "_nuxt/"];

/// Whether `part` looks like a bundler's content hash: 8 or more characters of the base64url
/// alphabet that Vite and Rollup use (`_7Gn2Fxo`, `BdKqxWaz`) or webpack's hex, with a digit
/// or both cases (a word rarely has either); or 5 to 7 hex characters with a digit (Preact
/// CLI's `bundle.c3f9a.js`).
fn looks_like_hash(part: &str) -> bool {
    let bytes = part.as_bytes();
    let digit = bytes.iter().any(u8::is_ascii_digit);
    if (5..8).contains(&bytes.len()) {
        return digit && bytes.iter().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b));
    }
    let alphabet = bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-');
    let cases = bytes.iter().any(u8::is_ascii_uppercase) && bytes.iter().any(u8::is_ascii_lowercase);
    (8..=64).contains(&bytes.len()) && alphabet && (digit || cases)
}

/// A content hash in the name (`app.3f9a1c2e.js`, `index-_7Gn2Fxo.js`, `main-ABCD1234.js`,
/// Rollup's unnamed chunk `DF5PMZVf.js`) or a framework's immutable folder: the URL changes
/// whenever the content does, so the browser may keep it for a year. The hash is a dotted
/// part of the name (webpack's `[name].[contenthash]`), what follows a `-` (Vite's
/// `[name]-[hash]`), or a whole 8-character script or style name.
fn is_hashed_asset(path: &str) -> bool {
    if IMMUTABLE_FOLDERS.iter().any(|folder| path.starts_with(folder)) {
        return true;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
    // webpack, CRA, Parcel, Astro: `[name].[hash]` (`787.8a9b0c1d.chunk`: any dotted part)
    if stem.split('.').skip(1).any(looks_like_hash) {
        return true;
    }
    // Vite, Angular: `[name]-[hash]`, where a base64url hash may itself hold a `-`
    let dashed = [stem.rsplit_once('-').map(|(_, h)| h), stem.split_once('-').map(|(_, h)| h)];
    if dashed.into_iter().flatten().any(looks_like_hash) {
        return true;
    }
    matches!(extension, "js" | "mjs" | "css") && stem.len() == 8 && looks_like_hash(stem)
}

/// Small blobs kept in memory: most of a site's requests are for a few small files.
#[derive(Default)]
pub struct SmallFiles {
    blobs: Mutex<HashMap<String, Bytes>>,
    held: AtomicUsize,
}

const SMALL: u64 = 256 * 1024;
const HELD_AT_MOST: usize = 64 * 1024 * 1024;

impl SmallFiles {
    async fn get(&self, artifacts: &ArtifactStore, sha256: &str) -> Option<Bytes> {
        if let Some(bytes) = self.blobs.lock().ok().and_then(|b| b.get(sha256).cloned()) {
            return Some(bytes);
        }
        let bytes = Bytes::from(tokio::fs::read(artifacts.blob_file(sha256).await.ok()?).await.ok()?);
        if self.held.fetch_add(bytes.len(), Ordering::Relaxed) + bytes.len() <= HELD_AT_MOST
            && let Ok(mut blobs) = self.blobs.lock()
        {
            blobs.insert(sha256.to_string(), bytes.clone());
        }
        Some(bytes)
    }
}

/// Answers with the file: Range, HEAD and Last-Modified come from tower-http's `ServeFile`
/// over the blob (small whole files from memory); ETag, Cache-Control and If-None-Match from
/// the manifest; a text-like file in the encoding the client prefers (encode.rs), as a copy
/// made once, with its own length.
pub async fn respond(
    artifacts: &ArtifactStore,
    small_files: &SmallFiles,
    encoded: &Encoded,
    request: Request,
    status: StatusCode,
    file: Found<'_>,
) -> Response {
    let Some((path, entry)) = file else {
        return (status, "404: this deployment has no such page\n").into_response();
    };
    let cache = if entry.content_type.starts_with("text/html") || !is_hashed_asset(path) {
        "public, max-age=0, must-revalidate"
    } else {
        "public, max-age=31536000, immutable"
    };
    let compressible = encode::compressible(&entry.content_type);
    let whole = !request.headers().contains_key(header::RANGE);
    let encoding = if compressible && whole && (encode::MIN_BYTES..=encode::MAX_BYTES).contains(&entry.size) {
        encode::negotiate(request.headers().get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()))
    } else {
        None
    };
    let copy = match encoding {
        Some(encoding) => match artifacts.blob_file(&entry.sha256).await {
            Ok(blob) => encoded.copy(&entry.sha256, blob, encoding).await.map(|copy| (encoding, copy)),
            Err(_) => None,
        },
        None => None,
    };
    // Each representation has its own tag (RFC 9110 §8.8.3).
    let etag = match &copy {
        Some((encoding, _)) => format!("\"{}-{}\"", entry.sha256, encoding.token()),
        None => format!("\"{}\"", entry.sha256),
    };
    let matches = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let head = request.method() == Method::HEAD;
    let mut response = if matches && status == StatusCode::OK {
        StatusCode::NOT_MODIFIED.into_response()
    } else if let Some((encoding, copy)) = copy {
        let mut served = match copy.bytes {
            Some(bytes) => {
                let body = if head { Body::empty() } else { Body::from(bytes) };
                let mut served = (status, body).into_response();
                served.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(copy.size));
                served
            }
            None => serve_file(request, copy.path, entry, status).await,
        };
        let headers = served.headers_mut();
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding.token()));
        if let Ok(value) = HeaderValue::from_str(&entry.content_type) {
            headers.insert(header::CONTENT_TYPE, value);
        }
        // (ranges are served from the stored bytes only)
        headers.remove(header::ACCEPT_RANGES);
        served
    } else if whole
        && entry.size <= SMALL
        && let Some(bytes) = small_files.get(artifacts, &entry.sha256).await
    {
        // Small and whole: straight from memory. Ranges and large files: ServeFile.
        let body = if head { Body::empty() } else { Body::from(bytes) };
        let mut served = (status, body).into_response();
        let headers = served.headers_mut();
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(entry.size));
        if let Ok(value) = HeaderValue::from_str(&entry.content_type) {
            headers.insert(header::CONTENT_TYPE, value);
        }
        headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        served
    } else {
        match artifacts.blob_file(&entry.sha256).await {
            Ok(blob) => serve_file(request, blob, entry, status).await,
            Err(e) => {
                tracing::error!(error = %e, "a ready deployment lacks a blob");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        }
    };
    let headers = response.headers_mut();
    for (name, value) in [(header::ETAG, etag.as_str()), (header::CACHE_CONTROL, cache)] {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    }
    if compressible {
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    response
}

async fn serve_file(request: Request, blob: std::path::PathBuf, entry: &FileEntry, status: StatusCode) -> Response {
    {
        let mime: Mime = entry.content_type.parse().unwrap_or(mime::APPLICATION_OCTET_STREAM);
        let Ok(served) = ServeFile::new_with_mime(blob, &mime).oneshot(request).await;
        let mut served = served.into_response();
        if status != StatusCode::OK && served.status() == StatusCode::OK {
            *served.status_mut() = status;
        }
        served
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Manifest {
        let mut manifest = Manifest::default();
        for path in ["index.html", "about/index.html", "contact.html", "404.html", "assets/app.3f9a1c2e.js"] {
            manifest
                .files
                .insert(path.into(), FileEntry { sha256: "a".repeat(64), size: 1, content_type: "text/html".into() });
        }
        manifest
    }

    #[test]
    fn paths_resolve_to_files_folders_clean_urls_or_the_404_page() {
        let m = site();
        let name = |raw: &str| {
            decoded(raw).map(|path| {
                let (status, file) = resolve(&m, &path);
                (status.as_u16(), file.map(|(p, _)| p.to_string()))
            })
        };
        assert_eq!(name("/"), Ok((200, Some("index.html".into()))));
        assert_eq!(name("/about/"), Ok((200, Some("about/index.html".into()))));
        assert_eq!(name("/contact"), Ok((200, Some("contact.html".into()))));
        assert_eq!(name("/assets/app.3f9a1c2e.js"), Ok((200, Some("assets/app.3f9a1c2e.js".into()))));
        assert_eq!(name("/nope"), Ok((404, Some("404.html".into()))));
        for hostile in ["/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/a%5c..%5cb", "/a%00b", "/%ff"] {
            assert_eq!(name(hostile), Err(StatusCode::BAD_REQUEST), "{hostile}");
        }
        assert_eq!(name(&format!("/{}", "x/".repeat(600))), Err(StatusCode::BAD_REQUEST));
    }

    #[test]
    fn only_a_single_page_app_answers_unknown_routes_with_its_index() {
        let entry = |t: &str| FileEntry { sha256: "b".repeat(64), size: 1, content_type: t.into() };
        // one page, its scripts and routing files: an app
        let mut app = Manifest::default();
        for path in ["index.html", "assets/index-_7Gn2Fxo.js", "_redirects"] {
            app.files.insert(path.into(), entry("text/html"));
        }
        assert!(is_single_page_app(&app));
        assert_eq!(resolve(&app, "/settings/profile").1.map(|f| f.0), Some("index.html"));
        assert_eq!(resolve(&app, "/missing.png"), (StatusCode::NOT_FOUND, None));
        assert_eq!(resolve(&app, "/_redirects").1.map(|f| f.0), Some("index.html"), "routing files are never served");
        // a generator's pages without a 404.html: an unknown path is a 404, not a soft one
        let mut pages = site();
        pages.files.remove("404.html");
        assert!(!is_single_page_app(&pages));
        assert_eq!(resolve(&pages, "/settings/profile"), (StatusCode::NOT_FOUND, None));
        // a site with no home page at all
        let mut docs = Manifest::default();
        docs.files.insert("docs/index.html".into(), entry("text/html"));
        assert!(!is_single_page_app(&docs));
        assert_eq!(resolve(&docs, "/"), (StatusCode::NOT_FOUND, None));
    }

    /// Every file of real builds (`tests/fixtures/hashed-assets/`: Vite, webpack, Next.js with
    /// Turbopack, SvelteKit, Astro, Docusaurus on webpack and on Rspack, Preact, as their
    /// create tools made them on 2026-11-30), each labelled by its bundler's naming contract and
    /// checked by a rebuild after a change: long caching for exactly the content-named ones.
    #[test]
    fn real_build_outputs_get_long_caching_for_exactly_their_hashed_assets() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hashed-assets");
        let mut checked = 0;
        let mut wrong = Vec::new();
        for fixture in std::fs::read_dir(&folder).unwrap() {
            let fixture = fixture.unwrap().path();
            let text = std::fs::read_to_string(&fixture).unwrap();
            let name = fixture.file_name().unwrap().to_string_lossy().to_string();
            for line in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
                let (path, label) = line.split_once('\t').unwrap();
                let immutable = match label {
                    "immutable" => true,
                    "revalidate" => false,
                    other => panic!("{name}: unknown label {other}"),
                };
                checked += 1;
                if is_hashed_asset(path) != immutable {
                    wrong.push(format!("{name}: {path} should be {label}"));
                }
            }
        }
        assert!(checked > 250, "the fixtures hold {checked} files");
        assert!(wrong.is_empty(), "{} of {checked} wrong:\n{}", wrong.len(), wrong.join("\n"));
    }

    #[test]
    fn only_hashed_asset_names_are_cached_forever() {
        assert!(is_hashed_asset("assets/app.3f9a1c2e.js"));
        assert!(is_hashed_asset("assets/index-BdK3x9a2.css"));
        assert!(!is_hashed_asset("assets/app.js"));
        assert!(!is_hashed_asset("favicon.ico"));
        assert!(!is_hashed_asset("docs/getting-started.html"));
        // names as the bundlers write them (Vite/Rollup base64url with `_` and `-`, no
        // digit; webpack and CRA hex; Angular's esbuild; Preact CLI's short hex; Rollup's
        // unnamed chunks) and frameworks' immutable folders
        for hashed in [
            "assets/index-_7Gn2Fxo.js",
            "assets/index-BdKqxWaz.css",
            "assets/vendor-D-f5PMZV.js",
            "assets/DF5PMZVf.js",
            "static/js/main.3f9a1c2e.js",
            "static/js/787.8a9b0c1d.chunk.js",
            "main.3f9a1c2e5b7d9e0f1a2b.js",
            "main-ABCD1234.js",
            "bundle.c3f9a.js",
            "_next/static/chunks/pages/_app-3f9a1c2e8b7d6a5f.js",
            "_next/static/Xk2mP9qLr4T7vW1yZ3aB5/_buildManifest.js",
            "_app/immutable/entry/start.BdK3_x9a.js",
            "_app/immutable/chunks/DF5PMZVf.js",
            "_astro/index.BdKqxWaz.css",
            "_nuxt/entry.3f9a1c2e.js",
        ] {
            assert!(is_hashed_asset(hashed), "{hashed}");
        }
        for plain in [
            "assets/logo.png",
            "assets/settings.js",
            "js/jquery-3.7.1.min.js",
            "css/site-styles.css",
            "images/team-photo.jpg",
            "favicon1.png",
            "docs/release-notes.html",
            "robots.txt",
        ] {
            assert!(!is_hashed_asset(plain), "{plain}");
        }
    }
}
