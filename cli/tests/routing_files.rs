//! Routing files as Netlify and Vercel document them, through the real edge: status rules
//! that show a page with its status, query-parameter rules, forced rules, repeated headers,
//! `has` conditions, netlify.toml, folders without their slash, Locations that are valid
//! URIs, proxies to a real service (streaming both ways, `X-Forwarded-*`, 502 and 504, and
//! internal addresses refused unless the operator allows them), files a site's rules cannot
//! honour failing the deploy with file, line and reason; and what the edge sends as stored
//! (archives, video) against what it compresses once (text).
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use api::harness::{App, Backend, spawn_app, spawn_configured};
use clouddeck::client::Client;
use clouddeck::deploy_cmd::{DeployArgs, Deployed, upload_and_deploy};
use std::path::Path;

fn write(dir: &Path, files: &[(&str, &[u8])]) {
    for (path, body) in files {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, body).unwrap();
    }
}

async fn deploy(app: &App, token: &str, project: &str, files: &[(&str, &[u8])], prebuilt: bool) -> Deployed {
    let scratch = clouddeck_testkit::Scratch::new();
    let dir = scratch.path().join(project);
    write(&dir, files);
    let args = DeployArgs { dir, project: Some(project.into()), org: Some("acme".into()), prod: true, prebuilt };
    upload_and_deploy(&Client::new(&app.base, token), &args).await.unwrap()
}

async fn get(app: &App, project: &str, path: &str) -> reqwest::Response {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    client
        .get(format!("http://{}{path}", app.edge))
        .header("host", format!("{project}.localhost"))
        .send()
        .await
        .unwrap()
}

fn location(response: &reqwest::Response) -> &str {
    response.headers().get("location").map(|v| v.to_str().unwrap()).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn netlify_rules_status_pages_queries_forced_rules_headers_and_folders() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let token = app.owner_of_acme("owner@example.com", None).await;
    let redirects = "/store id=:id /products/:id 301\n/store /catalog.html 200\n/en/* /en/404.html 404\n\
                     /old-shop/* /closed.html 410\n/docs/* /guide/:splat 301!\n/blog/:year/:slug/comments /c/:slug 302\n\
                     /fr/* /fr/index.html 200 Language=fr\n";
    let headers = "/\n  Link: </app.js>; rel=preload\n  Link: </site.css>; rel=preload\n/*\n  X-Frame-Options: DENY\n";
    let deployed = deploy(
        &app,
        &token,
        "shop",
        &[
            ("index.html", b"HOME"),
            ("catalog.html", b"CATALOG"),
            ("closed.html", b"SHOP-CLOSED"),
            ("en/index.html", b"EN-HOME"),
            ("en/404.html", b"EN-NOT-FOUND"),
            ("fr/index.html", b"FR-HOME"),
            ("docs/a.html", b"shadowed by the forced rule"),
            ("team/index.html", b"TEAM"),
            ("team/photo.png", b"PNG"),
            ("_redirects", redirects.as_bytes()),
            ("_headers", headers.as_bytes()),
        ],
        true,
    )
    .await;
    assert_eq!(deployed.status, "ready", "{:?}", deployed.error);
    // 404 and 410 rules show their page with their status, at the same URL
    let missing = get(&app, "shop", "/en/no-such-page").await;
    assert_eq!((missing.status().as_u16(), location(&missing).to_string()), (404, String::new()));
    assert_eq!(missing.text().await.unwrap(), "EN-NOT-FOUND");
    assert_eq!(get(&app, "shop", "/en/").await.text().await.unwrap(), "EN-HOME", "a file shadows the rule");
    let gone = get(&app, "shop", "/old-shop/item-7").await;
    assert_eq!(gone.status().as_u16(), 410);
    assert_eq!(gone.text().await.unwrap(), "SHOP-CLOSED");
    // a query rule applies only with its key
    let query = get(&app, "shop", "/store?id=42").await;
    assert_eq!((query.status().as_u16(), location(&query)), (301, "/products/42"));
    assert_eq!(get(&app, "shop", "/store").await.text().await.unwrap(), "CATALOG");
    // a forced rule wins over a file; placeholders in the middle of a path
    let forced = get(&app, "shop", "/docs/a.html").await;
    assert_eq!((forced.status().as_u16(), location(&forced)), (301, "/guide/a.html"));
    let middle = get(&app, "shop", "/blog/2024/hello/comments").await;
    assert_eq!((middle.status().as_u16(), location(&middle)), (302, "/c/hello"));
    // a Location built from the request is a valid URI: spaces and UTF-8 percent-encoded
    let encoded = get(&app, "shop", "/docs/h%C3%A9llo%20w%C3%B6rld").await;
    assert_eq!(location(&encoded), "/guide/h%C3%A9llo%20w%C3%B6rld");
    // a language condition
    let french = reqwest::Client::new()
        .get(format!("http://{}/fr/x", app.edge))
        .header("host", "shop.localhost")
        .header("accept-language", "fr-CA,fr;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(french.text().await.unwrap(), "FR-HOME");
    // a header named twice sends both values
    let home = get(&app, "shop", "/").await;
    let links: Vec<&str> = home.headers().get_all("link").iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(links, ["</app.js>; rel=preload", "</site.css>; rel=preload"]);
    assert_eq!(home.headers()["x-frame-options"], "DENY");
    // a folder asked for without its slash goes to the slash form, so its relative links work
    let folder = get(&app, "shop", "/team?x=1").await;
    assert_eq!((folder.status().as_u16(), location(&folder)), (301, "/team/?x=1"));
    assert_eq!(get(&app, "shop", "/team/").await.text().await.unwrap(), "TEAM");
    app.stop().await;
}

/// A site whose own home page answers 503 (a maintenance page) is ready at once: only the
/// edge's own 503, which it marks and no site can forge, makes the deployer wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sites_own_503_home_page_is_ready_not_waited_for() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let token = app.owner_of_acme("owner@example.com", None).await;
    let started = std::time::Instant::now();
    let deployed = deploy(
        &app,
        &token,
        "down",
        &[
            ("index.html", b"<h1>home</h1>"),
            ("maintenance.html", b"back soon"),
            ("_redirects", b"/ /maintenance.html 503!\n"),
        ],
        true,
    )
    .await;
    assert_eq!(deployed.status, "ready", "{deployed:?}");
    // (the harness's deployer waits up to 60 s for the platform)
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "{:?}", started.elapsed());
    let home = get(&app, "down", "/").await;
    assert_eq!(home.status(), 503);
    assert!(home.headers().get("x-clouddeck-route").is_none(), "a site's 503 is not the edge's");
    assert_eq!(home.text().await.unwrap(), "back soon");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vercel_conditions_and_netlify_toml_from_source() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let token = app.owner_of_acme("owner@example.com", None).await;
    let vercel = br#"{ "redirects": [
        { "source": "/:path*", "has": [{ "type": "host", "value": "www.example.com" }], "destination": "https://example.com/:path*", "permanent": true },
        { "source": "/docs", "has": [{ "type": "query", "key": "version", "value": "1" }], "destination": "/docs-v1", "permanent": false },
        { "source": "/beta/:path*", "missing": [{ "type": "cookie", "key": "beta" }], "destination": "/", "permanent": false } ] }"#;
    let deployed = deploy(
        &app,
        &token,
        "site",
        &[
            ("index.html", b"HOME"),
            ("about.html", b"ABOUT"),
            ("docs.html", b"DOCS"),
            ("beta/index.html", b"BETA"),
            ("vercel.json", vercel),
        ],
        true,
    )
    .await;
    assert_eq!(deployed.status, "ready", "{:?}", deployed.error);
    assert_eq!(get(&app, "site", "/about").await.text().await.unwrap(), "ABOUT", "another host: no redirect");
    assert_eq!(get(&app, "site", "/docs").await.text().await.unwrap(), "DOCS");
    let versioned = get(&app, "site", "/docs?version=1").await;
    assert_eq!((versioned.status().as_u16(), location(&versioned)), (307, "/docs-v1?version=1"));
    assert_eq!(get(&app, "site", "/beta/").await.status().as_u16(), 307, "no beta cookie");
    let with_cookie = reqwest::Client::new()
        .get(format!("http://{}/beta/", app.edge))
        .header("host", "site.localhost")
        .header("cookie", "beta=1")
        .send()
        .await
        .unwrap();
    assert_eq!(with_cookie.text().await.unwrap(), "BETA");

    // netlify.toml in a source deploy (plain HTML, no build): its redirects and headers apply
    let toml =
        b"[build]\n  publish = \".\"\n[[redirects]]\n  from = \"/posts/*\"\n  to = \"/blog/:splat\"\n  status = 301\n\
                 [[headers]]\n  for = \"/*\"\n  [headers.values]\n    X-Frame-Options = \"DENY\"\n";
    let source = deploy(&app, &token, "blog", &[("index.html", b"BLOG"), ("netlify.toml", toml)], false).await;
    assert_eq!(source.status, "ready", "{:?} {:?}", source.error, source.log);
    let moved = get(&app, "blog", "/posts/first").await;
    assert_eq!((moved.status().as_u16(), location(&moved)), (301, "/blog/first"));
    assert_eq!(get(&app, "blog", "/").await.headers()["x-frame-options"], "DENY");
    assert_eq!(get(&app, "blog", "/netlify.toml").await.status().as_u16(), 404, "routing files are never served");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_the_edge_cannot_honour_fail_the_deploy_with_file_line_and_reason() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let token = app.owner_of_acme("owner@example.com", None).await;
    for (file, text, says) in [
        ("_redirects", "/ok /fine\n/a /b 999\n", "`_redirects` line 2: status 999 is not between 200 and 599"),
        ("_redirects", "/a /b 302 Country=us\n", "`_redirects` line 1: `Country=` needs geolocation"),
        (
            "vercel.json",
            "{ \"redirects\": [\n  { \"source\": \"/a\", \"destination\": \"/b\" },\n] }",
            "`vercel.json` line 3: not valid JSON",
        ),
        (
            "vercel.json",
            r#"{ "redirects": [{ "source": "/a", "destination": "/b", "statusCode": 999 }] }"#,
            "statusCode 999",
        ),
        ("_headers", "/*\n  Content-Length: 1\n", "`_headers` line 2: `Content-Length` is set by the edge"),
        ("netlify.toml", "[[redirects]]\nfrom = \"/a\"\nto = \"/b\"\nstatus = 1000\n", "status 1000"),
    ] {
        let deployed = deploy(&app, &token, "site", &[("index.html", b"x"), (file, text.as_bytes())], true).await;
        assert_eq!(deployed.status, "failed", "{file}: {text}");
        let error = deployed.error.unwrap();
        assert!(error.contains(says), "{file}: {error}");
    }
    app.stop().await;
}

/// A service to proxy to: echoes what it got (method, forwarded headers, body), or answers
/// slowly.
async fn backend() -> (String, tokio::task::JoinHandle<()>) {
    use axum::routing::any;
    async fn echo(request: axum::extract::Request) -> String {
        let headers = request.headers().clone();
        let method = request.method().to_string();
        let uri = request.uri().to_string();
        let body = axum::body::to_bytes(request.into_body(), 64 << 20).await.unwrap();
        let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        format!(
            "{method} {uri} for={} proto={} host={} extra={} bytes={}",
            header("x-forwarded-for"),
            header("x-forwarded-proto"),
            header("x-forwarded-host"),
            header("x-from"),
            body.len()
        )
    }
    async fn slow() -> &'static str {
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
        "late"
    }
    async fn forged() -> impl axum::response::IntoResponse {
        (axum::http::StatusCode::SERVICE_UNAVAILABLE, [("x-clouddeck-route", "unavailable")], "forged")
    }
    let router = axum::Router::new().route("/slow", any(slow)).route("/forged", any(forged)).fallback(echo);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (format!("http://{address}"), task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn proxy_rules_stream_to_the_service_within_the_egress_policy() {
    let (service, _task) = backend().await;
    let redirects =
        format!("/api/* {service}/v1/:splat 200\n/slow {service}/slow 200\n/closed http://127.0.0.1:9/x 200\n");
    // the operator allows loopback (where the test's service runs), and a short answer timeout
    let app = spawn_configured(Backend::Sqlite, |config| {
        config.egress_allow = "127.0.0.1".into();
        config.proxy_timeout_secs = 2;
    })
    .await;
    let token = app.owner_of_acme("owner@example.com", None).await;
    let toml = format!(
        "[[redirects]]\nfrom = \"/with-header/*\"\nto = \"{service}/h/:splat\"\nstatus = 200\nheaders = {{ X-From = \"CloudDeck\" }}\n"
    );
    let deployed = deploy(
        &app,
        &token,
        "app",
        &[("index.html", b"SPA"), ("_redirects", redirects.as_bytes()), ("netlify.toml", toml.as_bytes())],
        true,
    )
    .await;
    assert_eq!(deployed.status, "ready", "{:?}", deployed.error);
    // a 5 MiB body goes up and the answer comes back, with the forwarding headers
    let body = vec![7u8; 5 << 20];
    let answer = reqwest::Client::new()
        .post(format!("http://{}/api/items?page=2", app.edge))
        .header("host", "app.localhost")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let text = answer.text().await.unwrap();
    assert!(text.starts_with("POST /v1/items?page=2 for=127.0.0.1 proto=http host=app.localhost"), "{text}");
    assert!(text.ends_with(&format!("bytes={}", 5 << 20)), "{text}");
    let extra = get(&app, "app", "/with-header/x").await.text().await.unwrap();
    assert!(extra.contains("extra=CloudDeck"), "{extra}");
    // a service that does not answer in time: 504; one that is not there: 502
    let slow = get(&app, "app", "/slow").await;
    assert_eq!(slow.status().as_u16(), 504);
    assert!(slow.text().await.unwrap().contains("did not answer within 2 s"));
    assert_eq!(get(&app, "app", "/closed").await.status().as_u16(), 502);
    assert_eq!(get(&app, "app", "/").await.text().await.unwrap(), "SPA");
    // a service that answers with the edge's own marker cannot pass it off as the edge's: a
    // site whose home page it serves is ready, not held waiting for the platform
    let started = std::time::Instant::now();
    let forged = format!("/ {service}/forged 200!\n");
    let deployed =
        deploy(&app, &token, "forger", &[("index.html", b"x"), ("_redirects", forged.as_bytes())], true).await;
    assert_eq!(deployed.status, "ready", "{:?}", deployed.error);
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "{:?}", started.elapsed());
    let home = get(&app, "forger", "/").await;
    assert_eq!(home.status().as_u16(), 503);
    assert!(home.headers().get("x-clouddeck-route").is_none(), "the marker was forwarded");
    app.stop().await;

    // without the operator's allowance, the same rule may not reach the host's loopback
    let strict = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let token = strict.owner_of_acme("owner@example.com", None).await;
    let refused = format!("/api/* {service}/v1/:splat 200\n/meta http://169.254.169.254/latest/ 200\n");
    deploy(&strict, &token, "app", &[("index.html", b"SPA"), ("_redirects", refused.as_bytes())], true).await;
    for path in ["/api/items", "/meta"] {
        let answer = get(&strict, "app", path).await;
        assert_eq!(answer.status().as_u16(), 502, "{path}");
        assert!(answer.text().await.unwrap().contains("refused"), "{path}");
    }
    strict.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archives_are_sent_as_stored_and_text_is_compressed_once() {
    let app = spawn_configured(Backend::Sqlite, |config| config.max_file_bytes = 32 << 20).await;
    let token = app.owner_of_acme("owner@example.com", None).await;
    // incompressible bytes, as a release archive is
    let archive: Vec<u8> = (0..(12u32 << 20)).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let css = "body { color: #222; margin: 0 auto; } ".repeat(2_000);
    let deployed = deploy(
        &app,
        &token,
        "files",
        &[("index.html", b"home"), ("downloads/release.zip", &archive), ("site.css", css.as_bytes())],
        true,
    )
    .await;
    assert_eq!(deployed.status, "ready");
    let browser = |path: &str| {
        reqwest::Client::builder()
            .no_gzip()
            .no_brotli()
            .build()
            .unwrap()
            .get(format!("http://{}{path}", app.edge))
            .header("host", "files.localhost")
            .header("accept-encoding", "gzip, deflate, br, zstd")
            .send()
    };
    let zip = browser("/downloads/release.zip").await.unwrap();
    assert!(zip.headers().get("content-encoding").is_none());
    assert_eq!(zip.headers()["content-length"], archive.len().to_string().as_str());
    assert_eq!(zip.bytes().await.unwrap().as_ref(), archive.as_slice());
    let text = browser("/site.css").await.unwrap();
    assert_eq!(text.headers()["content-encoding"], "br");
    let length: usize = text.headers()["content-length"].to_str().unwrap().parse().unwrap();
    assert!(length < css.len() / 10, "{length}");
    assert_eq!(text.headers()["vary"], "Accept-Encoding");
    // made once, kept beside the artifacts
    let kept: Vec<_> = walk(&app.data_dir().join("artifacts/derived/encoded"));
    assert_eq!(kept.iter().filter(|p| p.ends_with(".br")).count(), 1, "{kept:?}");
    app.stop().await;
}

fn walk(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.path().is_dir() {
            found.extend(walk(&entry.path()));
        } else {
            found.push(entry.path().display().to_string());
        }
    }
    found
}
