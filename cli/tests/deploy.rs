//! Deploying a prebuilt site end to end: upload only missing blobs, deploy, serve from the
//! edge by Host, promote and roll back without a failed request, refuse hostile uploads.
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use api::harness::{App, Backend, spawn_app};
use clouddeck_artifacts::sha256_hex;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const SITE: &[(&str, &str)] = &[
    ("index.html", "<h1>version one</h1>"),
    ("about/index.html", "<h1>about</h1>"),
    ("404.html", "<h1>lost?</h1>"),
    ("assets/app.3f9a1c2e.js", "console.log('app')"),
    ("assets/site.css", BIG_CSS),
];

const BIG_CSS: &str = "body { margin: 0; padding: 0; font-family: system-ui, sans-serif; color: #222; } \
    h1 { font-size: 2rem; } h2 { font-size: 1.5rem; } p { line-height: 1.5; } a { color: #06c; } \
    main { max-width: 60rem; margin: 0 auto; } footer { color: #666; } nav { display: flex; gap: 1rem; }";

async fn missing(app: &App, token: &str, hashes: &[String]) -> Vec<String> {
    let response = app
        .http
        .post(format!("{}/v1/blobs/missing", app.base))
        .bearer_auth(token)
        .json(&json!({ "organization": "acme", "project": "site", "hashes": hashes }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    body["missing"].as_array().unwrap().iter().map(|h| h.as_str().unwrap().to_string()).collect()
}

async fn put_blob(app: &App, token: &str, hash: &str, bytes: Vec<u8>) -> u16 {
    app.http
        .put(format!("{}/v1/blobs/{hash}", app.base))
        .query(&[("organization", "acme"), ("project", "site")])
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Uploads what is missing, deploys, waits for the outcome; returns (id, status, uploaded).
async fn deploy(app: &App, token: &str, files: &[(&str, &str)], production: bool) -> (String, String, usize) {
    let hashes: Vec<String> = files.iter().map(|(_, body)| sha256_hex(body.as_bytes())).collect();
    let wanted = missing(app, token, &hashes).await;
    for (hash, (_, body)) in hashes.iter().zip(files) {
        if wanted.contains(hash) {
            assert_eq!(put_blob(app, token, hash, body.as_bytes().to_vec()).await, 201);
        }
    }
    let list: Vec<Value> = files
        .iter()
        .zip(&hashes)
        .map(|((path, body), hash)| json!({ "path": path, "sha256": hash, "size": body.len() }))
        .collect();
    let data = app
        .ok(
            Some(token),
            "mutation($files: [DeployFileInput!]!, $prod: Boolean) { deployFiles(organization: \"acme\", project: \"site\", files: $files, production: $prod) { id } }",
            json!({ "files": list, "prod": production }),
        )
        .await;
    let id = data["deployFiles"]["id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status =
            app.ok(Some(token), &format!("{{ deployment(id: \"{id}\") {{ status }} }}"), json!({})).await["deployment"]
                ["status"]
                .as_str()
                .unwrap()
                .to_string();
        if status == "ready" || status == "failed" {
            // a production deploy is promoted right after it is ready
            tokio::time::sleep(Duration::from_millis(100)).await;
            return (id, status, wanted.len());
        }
        assert!(Instant::now() < deadline, "deployment stuck in {status}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn get(app: &App, host: &str, path: &str) -> reqwest::Response {
    app.http.get(format!("http://{}{path}", app.edge)).header("host", host).send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_prebuilt_site_deploys_serves_promotes_and_rolls_back() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let token = app.owner_of_acme("owner@example.com", Some("site")).await;

    // deploy v1 to production: every blob uploaded once
    let (v1, status, uploaded) = deploy(&app, &token, SITE, true).await;
    assert_eq!((status.as_str(), uploaded), ("ready", 5));
    let home = get(&app, "site.localhost", "/").await;
    assert_eq!(home.status().as_u16(), 200);
    assert_eq!(home.headers()["content-type"], "text/html; charset=utf-8");
    let etag = home.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(etag, format!("\"{}\"", sha256_hex(b"<h1>version one</h1>")));
    assert_eq!(home.text().await.unwrap(), "<h1>version one</h1>");
    let js = get(&app, "site.localhost", "/assets/app.3f9a1c2e.js").await;
    assert_eq!(js.headers()["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(js.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(get(&app, "site.localhost", "/about/").await.text().await.unwrap(), "<h1>about</h1>");
    let lost = get(&app, "site.localhost", "/no/such/page").await;
    assert_eq!((lost.status().as_u16(), lost.text().await.unwrap()), (404, "<h1>lost?</h1>".to_string()));
    let revalidate = app
        .http
        .get(format!("http://{}/", app.edge))
        .header("host", "site.localhost")
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidate.status().as_u16(), 304);
    // ranges, and compression for what is worth compressing
    let range = app
        .http
        .get(format!("http://{}/assets/site.css", app.edge))
        .header("host", "site.localhost")
        .header("range", "bytes=0-3")
        .send()
        .await
        .unwrap();
    assert_eq!(range.status().as_u16(), 206);
    assert_eq!(range.text().await.unwrap(), "body");
    for (accepts, encoding) in [("br", "br"), ("gzip", "gzip")] {
        let packed = app
            .http
            .get(format!("http://{}/assets/site.css", app.edge))
            .header("host", "site.localhost")
            .header("accept-encoding", accepts)
            .send()
            .await
            .unwrap();
        assert_eq!(packed.headers()["content-encoding"], encoding);
        assert!(packed.bytes().await.unwrap().len() < BIG_CSS.len());
    }
    let head = app.http.head(format!("http://{}/", app.edge)).header("host", "site.localhost").send().await.unwrap();
    assert_eq!(head.headers()["content-length"], "20");
    for hostile in ["/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/a%00b", "/a%5c..%5cb", "/a\\..\\b"] {
        assert_eq!(raw(&app, hostile).await.0, 400, "{hostile}");
    }
    assert_eq!(get(&app, &format!("{v1}-site.localhost"), "/").await.text().await.unwrap(), "<h1>version one</h1>");
    assert_eq!(get(&app, "other.localhost", "/").await.status().as_u16(), 404);

    // v2 changes one file: exactly one blob goes up
    let mut v2_site = SITE.to_vec();
    v2_site[0] = ("index.html", "<h1>version two</h1>");
    let (v2, status, uploaded) = deploy(&app, &token, &v2_site, true).await;
    assert_eq!((status.as_str(), uploaded), ("ready", 1));
    assert_eq!(get(&app, "site.localhost", "/").await.text().await.unwrap(), "<h1>version two</h1>");
    // its own URL keeps serving v1, immutable
    assert_eq!(get(&app, &format!("{v1}-site.localhost"), "/").await.text().await.unwrap(), "<h1>version one</h1>");

    // roll back and forward while a client loops over the alias: no request fails
    let looping = {
        let (http, edge) = (app.http.clone(), app.edge.clone());
        tokio::spawn(async move {
            let mut seen = Vec::new();
            for _ in 0..300 {
                let response =
                    http.get(format!("http://{edge}/")).header("host", "site.localhost").send().await.unwrap();
                assert_eq!(response.status().as_u16(), 200);
                seen.push(response.text().await.unwrap());
            }
            seen
        })
    };
    for (mutation, id) in [("rollbackDeployment", &v1), ("promoteDeployment", &v2), ("rollbackDeployment", &v1)] {
        app.ok(Some(&token), &format!("mutation {{ {mutation}(id: \"{id}\") {{ id }} }}"), json!({})).await;
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let seen = looping.await.unwrap();
    assert!(seen.iter().all(|b| b == "<h1>version one</h1>" || b == "<h1>version two</h1>"));
    // the rollback took effect the moment its mutation answered
    assert_eq!(get(&app, "site.localhost", "/").await.text().await.unwrap(), "<h1>version one</h1>");

    // a deployment that fails (a rule the edge cannot honour) leaves production untouched
    let (_, status, _) = deploy(&app, &token, &[("readme.txt", "hello"), ("_redirects", "/a /b 999\n")], true).await;
    assert_eq!(status, "failed");
    assert_eq!(get(&app, "site.localhost", "/").await.text().await.unwrap(), "<h1>version one</h1>");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_uploads_are_refused_with_clear_errors() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let token = app.owner_of_acme("owner@example.com", Some("site")).await;
    let hash = sha256_hex(b"hello");
    // content that does not hash to its name, a name that is no hash, and no token at all
    assert_eq!(put_blob(&app, &token, &hash, b"not hello".to_vec()).await, 400);
    assert_eq!(put_blob(&app, &token, "..%2f..%2fetc", b"x".to_vec()).await, 400);
    assert_eq!(
        app.http.put(format!("{}/v1/blobs/{hash}", app.base)).body("hello").send().await.unwrap().status().as_u16(),
        401
    );
    // a file over the limit (1 MiB in this server)
    let big = vec![7u8; 1024 * 1024 + 1];
    let big_hash = sha256_hex(&big);
    let sent = app
        .http
        .put(format!("{}/v1/blobs/{big_hash}", app.base))
        .query(&[("organization", "acme"), ("project", "site")])
        .bearer_auth(&token)
        .body(big)
        .send()
        .await;
    // 413, or the connection closed under a client still sending: either way, not stored
    if let Ok(response) = sent {
        assert_eq!(response.status().as_u16(), 413);
    }
    assert_eq!(missing(&app, &token, std::slice::from_ref(&big_hash)).await, vec![big_hash]);
    assert_eq!(put_blob(&app, &token, &hash, b"hello".to_vec()).await, 201);

    let deploy = |path: &str, sha: &str, size: i64| {
        let files = json!([{ "path": path, "sha256": sha, "size": size }]);
        (
            "mutation($files: [DeployFileInput!]!) { deployFiles(organization: \"acme\", project: \"site\", files: $files) { id } }",
            json!({ "files": files }),
        )
    };
    for (path, sha, size, says) in [
        ("../../etc/passwd", hash.as_str(), 5, "leave its folder"),
        ("a\\b.html", hash.as_str(), 5, "`/`"),
        ("bell\u{7}.html", hash.as_str(), 5, "control characters"),
        ("index.html", &sha256_hex(b"never uploaded"), 14, "was not uploaded"),
        ("index.html", hash.as_str(), 1 << 40, "the limit is"),
        ("index.html", hash.as_str(), 4, "size differs"),
    ] {
        let (query, variables) = deploy(path, sha, size);
        let (_, body) = app.post(Some(&token), query, variables).await;
        let error = &body["errors"][0];
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{path}: {body}");
        assert_eq!(error["extensions"]["field"], "files");
        assert!(error["message"].as_str().unwrap().contains(says), "{path}: {body}");
    }
    app.stop().await;
}

/// Status, head and body of a request sent byte for byte: an HTTP client would clean `..`
/// out of the path, and follow redirects.
async fn raw(app: &App, path: &str) -> (u16, String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(&app.edge).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: site.localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer).to_string();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, head.to_lowercase(), body.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn netlify_and_vercel_routing_files_are_honoured() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let token = app.owner_of_acme("owner@example.com", Some("site")).await;
    let files = [
        ("index.html", "<h1>home</h1>"),
        ("about.html", "<h1>about</h1>"),
        ("app.html", "<h1>the app</h1>"),
        ("_redirects", "/old-blog/* /blog/:splat 301\n/app/* /app.html 200\n/index.html /elsewhere 302\n"),
        ("_headers", "/*\n  X-Frame-Options: DENY\n"),
        (
            "vercel.json",
            r#"{ "cleanUrls": true, "trailingSlash": false, "redirects": [{ "source": "/docs/:page", "destination": "/guide/:page", "permanent": true }] }"#,
        ),
    ];
    let (_, status, _) = deploy(&app, &token, &files, true).await;
    assert_eq!(status, "ready");
    let (code, head, _) = raw(&app, "/old-blog/2024/hello?ref=x").await;
    assert_eq!(code, 301);
    assert!(head.contains("location: /blog/2024/hello?ref=x"), "{head}");
    let (code, head, body) = raw(&app, "/app/settings/profile").await;
    assert_eq!((code, body.as_str()), (200, "<h1>the app</h1>"), "a rewrite keeps the URL");
    assert!(head.contains("x-frame-options: deny"), "{head}");
    let (code, head, _) = raw(&app, "/docs/install").await;
    assert_eq!(code, 308);
    assert!(head.contains("location: /guide/install"), "{head}");
    let (code, head, _) = raw(&app, "/about.html").await;
    assert_eq!(code, 308, "cleanUrls");
    assert!(head.contains("location: /about\r\n"), "{head}");
    assert_eq!(raw(&app, "/about").await.2, "<h1>about</h1>");
    let (code, head, _) = raw(&app, "/about/").await;
    assert_eq!(code, 308, "trailingSlash: false");
    assert!(head.contains("location: /about\r\n"), "{head}");
    // the routing files themselves are not served, and a file shadows an unforced rule
    assert_ne!(raw(&app, "/_redirects").await.2, files[3].1);
    assert_eq!(raw(&app, "/").await.2, "<h1>home</h1>");
    app.stop().await;
}
