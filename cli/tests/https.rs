//! Custom domains over HTTPS with certificates from a real ACME CA (pebble, validating HTTP-01
//! against the edge's plain HTTP port, resolving names through pebble-challtestsrv's DNS):
//! a verified domain gets a certificate and serves over HTTP/2 and HTTP/1.1 with pebble's
//! root as the only trust anchor; plain HTTP is redirected; a name without a certificate gets
//! no handshake; a challenge that cannot succeed fails with its cause and is retried; keys
//! never show; after a restart certificates serve from the log with no new order; renewal
//! replaces a certificate while a client keeps asking, and no request fails.
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use api::harness::{App, Backend, spawn_configured};
use clouddeck::client::Client;
use clouddeck::deploy_cmd::{DeployArgs, upload_and_deploy};
use clouddeck_testkit::{Pebble, free_port};
use serde_json::json;
use std::time::{Duration, Instant};

async fn challtestsrv(path: &str, body: serde_json::Value) {
    let api = std::env::var("CLOUDDECK_TEST_CHALLTESTSRV_API").expect("run scripts/services and source its output");
    let answer = reqwest::Client::new().post(format!("{api}/{path}")).json(&body).send().await.unwrap();
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
}

/// A server whose certificates come from a pebble of its own (started first: pebble must
/// know the edge's HTTP port).
async fn spawn_with_pebble(tweak: impl FnOnce(&mut clouddeck::config::Config)) -> (App, Pebble) {
    let edge_port = free_port();
    let pebble = Pebble::start(edge_port);
    let (directory, ca) = (pebble.directory_url.clone(), pebble.listener_ca.clone());
    let app = spawn_configured(Backend::Sqlite, |config| {
        config.edge_addr = format!("127.0.0.1:{edge_port}");
        config.acme_email = Some("ops@example.test".into());
        config.acme_directory_url = directory;
        config.acme_ca_certs = Some(ca);
        config.acme_retry_secs = 1;
        tweak(config);
    })
    .await;
    (app, pebble)
}

async fn deploy(app: &App, token: &str, body: &str) {
    let scratch = clouddeck_testkit::Scratch::new();
    let dir = scratch.path().join("shop");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), body).unwrap();
    let args = DeployArgs { dir, project: Some("shop".into()), org: Some("acme".into()), prod: true, prebuilt: true };
    upload_and_deploy(&Client::new(&app.base, token), &args).await.unwrap();
}

/// Adds `hostname` to project `shop` and verifies it (its TXT record published first);
/// with `reachable`, the name resolves to loopback, where pebble finds the edge. Returns
/// the domain's id.
async fn verified_domain(app: &App, token: &str, hostname: &str, reachable: bool) -> String {
    let add = "mutation($h: String!) { addDomain(organization: \"acme\", project: \"shop\", hostname: $h) { id verification { name value } } }";
    let added = app.ok(Some(token), add, json!({ "h": hostname })).await;
    let record = &added["addDomain"]["verification"];
    challtestsrv(
        "set-txt",
        json!({ "host": format!("{}.", record["name"].as_str().unwrap()), "value": record["value"] }),
    )
    .await;
    if reachable {
        challtestsrv("add-a", json!({ "host": format!("{hostname}."), "addresses": ["127.0.0.1"] })).await;
    }
    let id = added["addDomain"]["id"].as_str().unwrap().to_string();
    let verify = "mutation($id: String!) { verifyDomain(id: $id) { status } }";
    assert_eq!(app.ok(Some(token), verify, json!({ "id": id })).await["verifyDomain"]["status"], "VERIFIED");
    id
}

/// Polls the project's domain `hostname` until `done` holds for it (at most 90 s).
async fn wait_for_domain(
    app: &App,
    token: &str,
    hostname: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let query = "{ project(organization: \"acme\", slug: \"shop\") { domains { hostname status lastError certificate { status issuer notBefore notAfter error } } } }";
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let listed = app.ok(Some(token), query, json!({})).await;
        let domain = listed["project"]["domains"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["hostname"] == hostname)
            .cloned()
            .unwrap();
        if done(&domain) {
            return domain;
        }
        assert!(Instant::now() < deadline, "gave up waiting: {domain}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A client that trusts only `root` (PEM) and reaches `hostname` at the edge's HTTPS port.
fn https_client(app: &App, root: &[u8], hostname: &str, http1_only: bool) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(root).unwrap())
        .resolve(hostname, app.edge_https)
        .redirect(reqwest::redirect::Policy::none());
    if http1_only {
        builder = builder.http1_only();
    }
    builder.build().unwrap()
}

async fn pebble_root(pebble: &Pebble) -> Vec<u8> {
    let ca = std::fs::read(&pebble.listener_ca).unwrap();
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap();
    client.get(pebble.root_url()).send().await.unwrap().bytes().await.unwrap().to_vec()
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}.example.test", &uuid::Uuid::new_v4().simple().to_string()[..10])
}

async fn count_events(app: &App, event_type: &str) -> usize {
    let events = app.server.as_ref().unwrap().store.read_all(0, 100_000).await.unwrap();
    events.iter().filter(|e| e.meta.event_type == event_type).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verified_domain_gets_a_certificate_and_serves_https_over_h2_and_http1() {
    let (mut app, pebble) = spawn_with_pebble(|_| {}).await;
    let token = app.owner_of_acme("owner@example.com", Some("shop")).await;
    deploy(&app, &token, "<h1>v1</h1>").await;
    let host = unique("tls");
    let id = verified_domain(&app, &token, &host, true).await;
    let domain = wait_for_domain(&app, &token, &host, |d| d["status"] == "ACTIVE").await;
    let certificate = &domain["certificate"];
    assert_eq!(certificate["status"], "issued", "{domain}");
    assert!(certificate["issuer"].as_str().unwrap().contains("Pebble"), "{domain}");
    assert!(certificate["notAfter"].as_str().unwrap() > certificate["notBefore"].as_str().unwrap());

    let root = pebble_root(&pebble).await;
    let port = app.edge_https.port();
    let url = format!("https://{host}:{port}/");
    let h2 = https_client(&app, &root, &host, false).get(&url).send().await.unwrap();
    assert_eq!(h2.version(), reqwest::Version::HTTP_2);
    assert_eq!(h2.status(), 200);
    assert_eq!(h2.text().await.unwrap(), "<h1>v1</h1>");
    let h1 = https_client(&app, &root, &host, true).get(&url).send().await.unwrap();
    assert_eq!(h1.version(), reqwest::Version::HTTP_11);
    assert_eq!(h1.text().await.unwrap(), "<h1>v1</h1>");

    // Plain HTTP is sent to HTTPS, except ACME's challenges.
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let moved = plain.get(format!("http://{}/a?b=c", app.edge)).header("host", &host).send().await.unwrap();
    assert_eq!(moved.status(), 308);
    assert_eq!(moved.headers()["location"], format!("https://{host}:{port}/a?b=c").as_str());
    let challenge = plain
        .get(format!("http://{}/.well-known/acme-challenge/nothing", app.edge))
        .header("host", &host)
        .send()
        .await
        .unwrap();
    assert_ne!(challenge.status(), 308);

    // A request naming another host than its handshake did is misdirected (domain fronting).
    let fronted = https_client(&app, &root, &host, false).get(&url).header("host", "victim.example.test").send().await;
    assert_eq!(fronted.unwrap().status(), 421);

    // A name with no certificate gets no handshake.
    let stranger = unique("nocert");
    let refused = https_client(&app, &root, &stranger, false).get(format!("https://{stranger}:{port}/")).send().await;
    assert!(refused.is_err(), "{refused:?}");

    // HSTS is off until the owner sets it, and then sent over HTTPS only.
    let client = https_client(&app, &root, &host, false);
    assert!(client.get(&url).send().await.unwrap().headers().get("strict-transport-security").is_none());
    let hsts = "mutation($id: String!, $s: Int!) { setDomainHsts(id: $id, maxAgeSeconds: $s, includeSubdomains: true) { hstsMaxAge } }";
    assert_eq!(app.code(Some(&token), hsts, json!({ "id": id, "s": -1 })).await.as_deref(), Some("BAD_USER_INPUT"));
    let set = app.ok(Some(&token), hsts, json!({ "id": id, "s": 31_536_000 })).await;
    assert_eq!(set["setDomainHsts"]["hstsMaxAge"], 31_536_000);
    let answer = client.get(&url).send().await.unwrap();
    assert_eq!(answer.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains");
    let plain_answer = plain.get(format!("http://{}/", app.edge)).header("host", &host).send().await.unwrap();
    assert!(plain_answer.headers().get("strict-transport-security").is_none(), "never over plain HTTP (RFC 6797 §7.2)");

    // A promote shows on the domain at once.
    deploy(&app, &token, "<h1>v2</h1>").await;
    assert_eq!(client.get(&url).send().await.unwrap().text().await.unwrap(), "<h1>v2</h1>");

    // No key in clear: the audit log masks the sealed ones, and no payload holds a PEM key.
    let audit = app
        .ok(Some(&token), "{ auditLog(organization: \"acme\", first: 100) { events { type payload } } }", json!({}))
        .await;
    let text = audit.to_string();
    assert!(text.contains("domain.certificate_issued"), "{text}");
    assert!(!text.contains("PRIVATE KEY"), "a private key shows in the audit log");
    let events = app.server.as_ref().unwrap().store.read_all(0, 100_000).await.unwrap();
    for event in &events {
        let decoded = event.decode().unwrap().payload_json().to_string();
        assert!(!decoded.contains("PRIVATE KEY"), "{}: {decoded}", event.meta.event_type);
    }

    // After a restart the certificate serves from the log, with no new order.
    let ordered = count_events(&app, "domain.certificate_ordered").await;
    app.restart().await;
    let port = app.edge_https.port();
    let url = format!("https://{host}:{port}/");
    let again = https_client(&app, &root, &host, false).get(&url).send().await.unwrap();
    assert_eq!(again.text().await.unwrap(), "<h1>v2</h1>");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(count_events(&app, "domain.certificate_ordered").await, ordered, "a restart ordered again");

    // Removing the domain stops its HTTPS and HTTP at once.
    app.ok(Some(&token), "mutation($id: String!) { removeDomain(id: $id) }", json!({ "id": id })).await;
    assert!(https_client(&app, &root, &host, false).get(&url).send().await.is_err());
    let gone = plain.get(format!("http://{}/", app.edge)).header("host", &host).send().await.unwrap();
    assert_eq!(gone.status(), 404);
    challtestsrv("clear-a", json!({ "host": format!("{host}.") })).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_challenge_that_cannot_succeed_fails_with_its_cause_and_is_retried() {
    let (app, pebble) = spawn_with_pebble(|_| {}).await;
    let token = app.owner_of_acme("owner@example.com", Some("shop")).await;
    deploy(&app, &token, "<h1>shop</h1>").await;
    // No A record: pebble cannot reach the edge for this name.
    let host = unique("unreachable");
    verified_domain(&app, &token, &host, false).await;
    let failed = wait_for_domain(&app, &token, &host, |d| d["status"] == "FAILED").await;
    let error = failed["certificate"]["error"].as_str().unwrap();
    assert!(error.starts_with("dns:") && error.contains("no A or AAAA record"), "{failed}");
    // The name points nowhere: the CA was never asked, so no order of the account is spent.
    assert_eq!(count_events(&app, "domain.certificate_ordered").await, 0);
    let root = pebble_root(&pebble).await;
    let url = format!("https://{host}:{}/", app.edge_https.port());
    assert!(https_client(&app, &root, &host, false).get(&url).send().await.is_err(), "nothing serves meanwhile");
    // A name that resolves, but not to this edge: the CA's own challenge fails, with its cause.
    let elsewhere = unique("elsewhere");
    verified_domain(&app, &token, &elsewhere, false).await;
    challtestsrv("add-a", json!({ "host": format!("{elsewhere}."), "addresses": ["127.0.0.2"] })).await;
    let refused = wait_for_domain(&app, &token, &elsewhere, |d| {
        d["certificate"]["error"].as_str().is_some_and(|e| e.starts_with("challenge:"))
    })
    .await;
    assert_eq!(refused["status"], "FAILED", "{refused}");
    challtestsrv("clear-a", json!({ "host": format!("{elsewhere}.") })).await;

    // Once the name resolves, a retry succeeds.
    challtestsrv("add-a", json!({ "host": format!("{host}."), "addresses": ["127.0.0.1"] })).await;
    wait_for_domain(&app, &token, &host, |d| d["status"] == "ACTIVE").await;
    let served = https_client(&app, &root, &host, false).get(&url).send().await.unwrap();
    assert_eq!(served.text().await.unwrap(), "<h1>shop</h1>");
    assert!(count_events(&app, "domain.certificate_failed").await >= 1);
    challtestsrv("clear-a", json!({ "host": format!("{host}.") })).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_replaces_the_certificate_while_requests_keep_succeeding() {
    // Renew when the whole lifetime is left: every new certificate is due at once.
    let (app, pebble) = spawn_with_pebble(|config| config.acme_renew_when_left = 1.0).await;
    let token = app.owner_of_acme("owner@example.com", Some("shop")).await;
    deploy(&app, &token, "<h1>shop</h1>").await;
    let host = unique("renew");
    verified_domain(&app, &token, &host, true).await;
    wait_for_domain(&app, &token, &host, |d| d["status"] == "ACTIVE").await;
    let root = pebble_root(&pebble).await;
    let url = format!("https://{host}:{}/", app.edge_https.port());
    let issued = count_events(&app, "domain.certificate_issued").await;
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut requests = 0;
    // A new connection per request, so each handshake sees the certificate of the moment.
    while count_events(&app, "domain.certificate_issued").await < issued + 2 {
        assert!(Instant::now() < deadline, "no renewal in 90 s");
        let answer = https_client(&app, &root, &host, false).get(&url).send().await.unwrap();
        assert_eq!(answer.status(), 200);
        requests += 1;
    }
    assert!(requests > 0);
    assert!(count_events(&app, "domain.certificate_renewal_due").await >= 2);
    challtestsrv("clear-a", json!({ "host": format!("{host}.") })).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operators_certificate_serves_the_base_domain() {
    // scripts/services' test certificate for `localhost`, signed by its own small CA.
    let dir = std::path::PathBuf::from(std::env::var("CLOUDDECK_TEST_PEBBLE_DIR").unwrap());
    let (cert, key) = (dir.join("leaf.pem"), dir.join("leaf.key"));
    let app = spawn_configured(Backend::Sqlite, |config| {
        config.edge_tls_cert = Some(cert);
        config.edge_tls_key = Some(key);
    })
    .await;
    let ca = std::fs::read(dir.join("ca.pem")).unwrap();
    let answer = https_client(&app, &ca, "localhost", false)
        .get(format!("https://localhost:{}/", app.edge_https.port()))
        .send()
        .await
        .unwrap();
    // The handshake succeeded with the operator's certificate; the bare base domain is no site.
    assert_eq!(answer.status(), 404);
    assert_eq!(answer.headers()["x-clouddeck-route"], "none");
}
