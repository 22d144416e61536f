//! The web dashboard, compiled into the binary: the single-page app that `web/` builds with
//! Vite into `web/dist` (committed, so that `cargo build` needs no Node.js; `scripts/test`
//! rebuilds it from source and fails when the committed output differs), and GraphiQL built
//! from npm into the same folder, so neither loads anything from a CDN.
//!
//! What the API serves from here (`serve`, its fallback route, and `explorer` on `GET /graphql`):
//! - `/assets/<name>-<hash>.<ext>`: Vite's content-hashed files, cached for a year
//!   (`immutable`), as Vite's deployment guide advises;
//! - any other `GET` path outside the API's own (`/graphql…`, `/v1/…`, `/healthz`): the app's
//!   `index.html`, never cached, so that a link to `/acme/projects/shop` opens that page (the
//!   app routes in the browser);
//! - text compressed with brotli or gzip as `Accept-Encoding` allows, once per file and
//!   encoding, in memory;
//! - every page with a Content-Security-Policy that lets it load and connect only to its own
//!   origin (CSP Level 3: `'self'` also matches `ws:`/`wss:` to the same host).

mod negotiate;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use include_dir::{Dir, File, include_dir};
use negotiate::Encoding;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

static DIST: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/web/dist");

/// The app's page, for every path the app routes itself.
pub const INDEX: &str = "index.html";
/// GraphiQL's page, served on `GET /graphql`.
pub const EXPLORER: &str = "explorer.html";

/// Scripts, styles, fonts and connections from this origin only; inline styles are allowed
/// (Radix and GraphiQL position popovers with `style` attributes), inline scripts are not;
/// no page may frame it (clickjacking).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
     form-action 'self'; object-src 'none'";

/// A year: Vite names built assets by their content's hash, so one never changes.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `GET /graphql`: GraphiQL, with the dashboard's session token offered as its header.
pub async fn explorer(headers: HeaderMap) -> Response {
    match DIST.get_file(EXPLORER) {
        Some(file) => respond(file, &headers, false),
        None => missing(),
    }
}

/// The fallback of the API's router: a built file, or the app's page for a path the app
/// routes; 404 for what is neither (an unknown API path, another method than GET or HEAD).
pub async fn serve(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::NOT_FOUND.into_response();
    }
    let path = uri.path();
    if is_api_path(path) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let relative = path.trim_start_matches('/');
    // (`include_dir` looks names up as given: no `..` or absolute path can reach outside it,
    // and an HTML page is only ever the two built ones)
    if let Some(file) = DIST.get_file(relative).filter(|_| !relative.is_empty() && !relative.ends_with(".html")) {
        return respond(file, &headers, relative.starts_with("assets/"));
    }
    if relative.starts_with("assets/") || relative.contains('.') && !relative.contains('/') {
        // A missing built file answers 404, not the app: a stale page asking for last
        // release's chunk must fail loudly, not run HTML as a script.
        return StatusCode::NOT_FOUND.into_response();
    }
    match DIST.get_file(INDEX) {
        Some(file) => respond(file, &headers, false),
        None => missing(),
    }
}

/// Paths the API answers itself: never the app's page.
fn is_api_path(path: &str) -> bool {
    path == "/graphql" || path.starts_with("/graphql/") || path.starts_with("/v1/") || path == "/healthz"
}

fn missing() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, "the dashboard was not built into this binary (dashboard/web/dist is empty)")
        .into_response()
}

fn respond(file: &'static File<'static>, headers: &HeaderMap, immutable: bool) -> Response {
    let name = file.path().to_string_lossy();
    let content_type = mime_guess::from_path(&*name).first_or_octet_stream().essence_str().to_string();
    let text = negotiate::compressible(&content_type);
    let accepted = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let encoded =
        if text { negotiate::choose(accepted).and_then(|e| compressed(file, e).map(|b| (e, b))) } else { None };
    let mut response = match &encoded {
        Some((_, bytes)) => Response::new(Body::from(bytes.to_vec())),
        None => Response::new(Body::from(file.contents())),
    };
    let out = response.headers_mut();
    let charset = if text { "; charset=utf-8" } else { "" };
    if let Ok(value) = HeaderValue::from_str(&format!("{content_type}{charset}")) {
        out.insert(header::CONTENT_TYPE, value);
    }
    if let Some((encoding, _)) = encoded {
        out.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding.token()));
    }
    if text {
        out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    let cache = if immutable { IMMUTABLE } else { "no-cache" };
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    out.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if content_type == "text/html" {
        out.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
        out.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        out.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    }
    response
}

type Compressed = HashMap<(&'static str, Encoding), Option<Arc<[u8]>>>;

/// The file compressed with `encoding`, made on first use and kept; `None` when compressing
/// does not make it smaller.
fn compressed(file: &'static File<'static>, encoding: Encoding) -> Option<Arc<[u8]>> {
    static CACHE: OnceLock<Mutex<Compressed>> = OnceLock::new();
    let key = (file.path().to_str()?, encoding);
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(found) = cache.lock().ok()?.get(&key) {
        return found.clone();
    }
    // (compressed outside the lock: two first requests may both compress, and agree)
    let bytes = negotiate::compress(file.contents(), encoding).filter(|b| b.len() < file.contents().len());
    let bytes: Option<Arc<[u8]>> = bytes.map(Arc::from);
    cache.lock().ok()?.insert(key, bytes.clone());
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str, accept_encoding: &str) -> Response {
        let mut headers = HeaderMap::new();
        if !accept_encoding.is_empty() {
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(accept_encoding).unwrap());
        }
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(serve(Method::GET, path.parse().unwrap(), headers))
    }

    fn first_asset(ext: &str) -> String {
        let assets = DIST.get_dir("assets").expect("the build has an assets folder");
        let file = assets.files().find(|f| f.path().extension().is_some_and(|e| e == ext)).expect("a built file");
        format!("/{}", file.path().display())
    }

    #[test]
    fn app_paths_get_the_page_and_api_paths_do_not() {
        for path in ["/", "/acme", "/acme/projects/shop/deployments/0192", "/login"] {
            let response = get(path, "");
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(response.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
            assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
            assert!(
                response.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("default-src 'self'")
            );
        }
        for path in ["/v1/nothing", "/graphql/else", "/assets/gone-1234.js", "/favicon-missing.ico", "/explorer.html"] {
            assert_eq!(get(path, "").status(), StatusCode::NOT_FOUND, "{path}");
        }
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let posted = runtime.block_on(serve(Method::POST, "/".parse().unwrap(), HeaderMap::new()));
        assert_eq!(posted.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn hashed_assets_are_immutable_and_compressed_as_asked() {
        let script = first_asset("js");
        let plain = get(&script, "");
        assert_eq!(plain.headers()[header::CACHE_CONTROL], IMMUTABLE);
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        assert_eq!(get(&script, "gzip, br").headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(get(&script, "gzip").headers()[header::CONTENT_ENCODING], "gzip");
        assert!(get(&script, "br;q=0, identity").headers().get(header::CONTENT_ENCODING).is_none());
    }
}
