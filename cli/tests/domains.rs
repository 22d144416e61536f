//! Custom domains end to end, against a real DNS server (pebble-challtestsrv, started by
//! scripts/services, whose records the test sets over its HTTP API): added domains wait for
//! their TXT record and serve nothing meanwhile; once the record is published a check
//! verifies them and the edge serves the project's production deployment at that name; a
//! second organization cannot take a verified name; `redirectTo` answers 308; removing stops
//! serving at once and frees the name; every name that could not be a customer's domain is
//! refused with the rule it breaks.
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use api::harness::{App, Backend, spawn_app};
use clouddeck::client::Client;
use clouddeck::deploy_cmd::{DeployArgs, upload_and_deploy};
use serde_json::{Value, json};

/// Sets (or, with `None`, clears) the TXT records at `name` in challtestsrv.
async fn set_txt(name: &str, value: Option<&str>) {
    let api = std::env::var("CLOUDDECK_TEST_CHALLTESTSRV_API").expect("run scripts/services and source its output");
    let http = reqwest::Client::new();
    http.post(format!("{api}/clear-txt")).json(&json!({ "host": format!("{name}.") })).send().await.unwrap();
    if let Some(value) = value {
        let set = http.post(format!("{api}/set-txt")).json(&json!({ "host": format!("{name}."), "value": value }));
        assert!(set.send().await.unwrap().status().is_success());
    }
}

async fn get(app: &App, host: &str, path: &str) -> reqwest::Response {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    client.get(format!("http://{}{path}", app.edge)).header("host", host).send().await.unwrap()
}

const DOMAIN_FIELDS: &str = "id hostname status lastError checks redirectTo verification { recordType name value } \
                             dnsRecords { recordType name value } certificate { status }";

async fn add(app: &App, token: &str, hostname: &str, redirect_to: Option<&str>) -> (u16, Value) {
    let query = format!(
        "mutation($h: String!, $r: String) {{ addDomain(organization: \"acme\", project: \"shop\", hostname: $h, redirectTo: $r) {{ {DOMAIN_FIELDS} }} }}"
    );
    app.post(Some(token), &query, json!({ "h": hostname, "r": redirect_to })).await
}

async fn verify(app: &App, token: &str, id: &str) -> Value {
    let query = format!("mutation($id: String!) {{ verifyDomain(id: $id) {{ {DOMAIN_FIELDS} }} }}");
    app.ok(Some(token), &query, json!({ "id": id })).await["verifyDomain"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_domain_serves_once_its_txt_record_proves_it_and_stops_when_removed() {
    proved_served_removed(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_domain_serves_once_its_txt_record_proves_it_and_stops_when_removed_on_postgres() {
    proved_served_removed(Backend::Postgres).await;
}

async fn proved_served_removed(backend: Backend) {
    let app = spawn_app(backend, 10_000.0, 10_000).await;
    let token = app.owner_of_acme("owner@example.com", Some("shop")).await;
    let scratch = clouddeck_testkit::Scratch::new();
    let dir = scratch.path().join("shop");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<h1>the shop</h1>").unwrap();
    let args = DeployArgs { dir, project: Some("shop".into()), org: Some("acme".into()), prod: true, prebuilt: true };
    upload_and_deploy(&Client::new(&app.base, &token), &args).await.unwrap();

    // A name of its own per run: challtestsrv is shared by every test.
    let apex = format!("shop-{}.example.test", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let (_, added) = add(&app, &token, &format!("{}.", apex.to_uppercase()), None).await;
    let domain = &added["data"]["addDomain"];
    assert_eq!(domain["hostname"], apex.as_str(), "normalized: {added}");
    assert_eq!(domain["status"], "PENDING_VERIFICATION");
    let record = &domain["verification"];
    assert_eq!(record["recordType"], "TXT");
    assert_eq!(record["name"], format!("_clouddeck-challenge.{apex}").as_str());
    let value = record["value"].as_str().unwrap().to_string();
    assert!(
        domain["dnsRecords"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["recordType"] == "CNAME" && r["value"] == "edge.clouddeck.test"),
        "a subdomain is pointed with a CNAME: {domain}"
    );
    let id = domain["id"].as_str().unwrap().to_string();

    // Pending: nothing serves it, and a check now says what is missing.
    assert_eq!(get(&app, &apex, "/").await.status(), 404);
    let checked = verify(&app, &token, &id).await;
    assert_eq!(checked["status"], "PENDING_VERIFICATION", "{checked}");
    assert!(checked["lastError"].as_str().unwrap().contains("no TXT record"), "{checked}");

    // A wrong value is named as such; the right one verifies.
    set_txt(&format!("_clouddeck-challenge.{apex}"), Some("somebody-else")).await;
    let checked = verify(&app, &token, &id).await;
    assert!(checked["lastError"].as_str().unwrap().contains("not the value shown"), "{checked}");
    set_txt(&format!("_clouddeck-challenge.{apex}"), Some(&value)).await;
    let checked = verify(&app, &token, &id).await;
    assert_eq!(checked["status"], "VERIFIED", "{checked}");
    let served = get(&app, &format!("{}:80", apex.to_uppercase()), "/").await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.text().await.unwrap(), "<h1>the shop</h1>");

    // Another organization cannot take the verified name.
    let (bob, _) = app.register("bob@example.com").await;
    app.ok(Some(&bob), "mutation { createOrganization(slug: \"bobs\", name: \"Bob\") { id } }", json!({})).await;
    app.ok(
        Some(&bob),
        "mutation { createProject(organization: \"bobs\", slug: \"bobshop\", name: \"B\") { id } }",
        json!({}),
    )
    .await;
    let theft =
        "mutation($h: String!) { addDomain(organization: \"bobs\", project: \"bobshop\", hostname: $h) { id } }";
    assert_eq!(app.code(Some(&bob), theft, json!({ "h": apex })).await.as_deref(), Some("CONFLICT"));

    // www redirects to the apex, path and query kept.
    let www = format!("www.{apex}");
    let (_, added) = add(&app, &token, &www, Some(&apex)).await;
    let www_domain = &added["data"]["addDomain"];
    assert!(
        www_domain["dnsRecords"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["recordType"] == "CNAME" && r["value"] == "edge.clouddeck.test"),
        "a subdomain is pointed with a CNAME: {www_domain}"
    );
    let www_id = www_domain["id"].as_str().unwrap().to_string();
    set_txt(&format!("_clouddeck-challenge.{www}"), www_domain["verification"]["value"].as_str()).await;
    assert_eq!(verify(&app, &token, &www_id).await["status"], "VERIFIED");
    let moved = get(&app, &www, "/a/b?c=d").await;
    assert_eq!(moved.status(), 308);
    assert_eq!(moved.headers()["location"], format!("http://{apex}/a/b?c=d").as_str());

    let listed = app
        .ok(
            Some(&token),
            "{ project(organization: \"acme\", slug: \"shop\") { domains { hostname status } } }",
            json!({}),
        )
        .await;
    let hostnames: Vec<&str> =
        listed["project"]["domains"].as_array().unwrap().iter().map(|d| d["hostname"].as_str().unwrap()).collect();
    assert_eq!(hostnames, [apex.as_str(), www.as_str()]);

    // Removing stops serving at once and frees the name.
    let remove = "mutation($id: String!) { removeDomain(id: $id) }";
    app.ok(Some(&token), remove, json!({ "id": id })).await;
    assert_eq!(get(&app, &apex, "/").await.status(), 404);
    assert_eq!(app.code(Some(&token), remove, json!({ "id": id })).await.as_deref(), Some("NOT_FOUND"));
    let (_, taken) = app.post(Some(&bob), theft, json!({ "h": apex })).await;
    assert!(taken["data"]["addDomain"]["id"].is_string(), "{taken}");
    // The other organization cannot see or remove this one's domains.
    assert_eq!(app.code(Some(&bob), remove, json!({ "id": www_id })).await.as_deref(), Some("NOT_FOUND"));
    // Deleting the project removes its domains: the verified www name is free again.
    assert_eq!(app.code(Some(&bob), theft, json!({ "h": www })).await.as_deref(), Some("CONFLICT"));
    app.ok(Some(&token), "mutation { deleteProject(organization: \"acme\", project: \"shop\") }", json!({})).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let (_, body) = app.post(Some(&bob), theft, json!({ "h": www })).await;
        if body["data"]["addDomain"]["id"].is_string() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the deleted project's domain still holds its name: {body}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(get(&app, &www, "/").await.status(), 404);
    set_txt(&format!("_clouddeck-challenge.{apex}"), None).await;
    set_txt(&format!("_clouddeck-challenge.{www}"), None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_that_cannot_be_a_customers_domain_are_refused_with_their_rule() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let token = app.owner_of_acme("owner@example.com", Some("shop")).await;
    let long_label = format!("{}.example.com", "a".repeat(64));
    let long_name = format!("{}.com", ["abcdefghij"; 25].join("."));
    let refused = [
        ("203.0.113.9", "IP address"),
        ("::1", "IP address"),
        ("localhost", "localhost"),
        ("api.localhost", "localhost"),
        ("shop.localhost", "localhost"),
        ("my_site.example.com", "underscores"),
        ("a..example.com", "empty label"),
        (long_label.as_str(), "63"),
        (long_name.as_str(), "253"),
        ("example", "two labels"),
    ];
    for (hostname, rule) in refused {
        let (_, body) = add(&app, &token, hostname, None).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{hostname}: {body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains(rule), "{hostname}: {body}");
    }
    let (_, body) = add(&app, &token, "bücher.example", None).await;
    let domain = &body["data"]["addDomain"];
    assert_eq!(domain["hostname"], "xn--bcher-kva.example", "{body}");
    assert!(
        domain["dnsRecords"].as_array().unwrap().iter().any(|r| r["recordType"] == "A" && r["value"] == "127.0.0.1"),
        "an apex cannot hold a CNAME: it is pointed with A records: {domain}"
    );
    let (_, body) = add(&app, &token, "Example.CO.UK", None).await;
    let records = body["data"]["addDomain"]["dnsRecords"].as_array().unwrap().clone();
    assert!(records.iter().any(|r| r["recordType"] == "A"), "example.co.uk is an apex (Public Suffix List): {body}");
    // A viewer of the organization adds nothing.
    let (viewer, _) = app.register("viewer@example.com").await;
    app.join(&token, "acme", "viewer@example.com", &viewer, "VIEWER").await;
    assert_eq!(add(&app, &viewer, "view.example.com", None).await.1["errors"][0]["extensions"]["code"], "FORBIDDEN");
    // An organization holds at most 100 domains (two are added above).
    for n in 0..98 {
        let (_, body) = add(&app, &token, &format!("d{n}.example.com"), None).await;
        assert!(body["data"]["addDomain"]["id"].is_string(), "{body}");
    }
    let (_, body) = add(&app, &token, "one-more.example.com", None).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "QUOTA_EXCEEDED", "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_verification_requests_makes_few_dns_checks_and_each_answers() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let token = app.owner_of_acme("owner@example.com", Some("shop")).await;
    let host = format!("flood-{}.example.test", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let (_, added) = add(&app, &token, &host, None).await;
    let id = added["data"]["addDomain"]["id"].as_str().unwrap().to_string();
    // 20 at once, as a script hammering the button would send them.
    let answers = futures::future::join_all((0..20).map(|_| verify(&app, &token, &id))).await;
    for answer in &answers {
        assert_eq!(answer["status"], "PENDING_VERIFICATION", "{answer}");
        assert!(answer["lastError"].as_str().unwrap().contains("no TXT record"), "{answer}");
    }
    // One check when added, then the requests share checks at most one per 2 s.
    let events = app.server.as_ref().unwrap().store.read_all(0, 100_000).await.unwrap();
    let checks = events.iter().filter(|e| e.meta.event_type == "domain.verification_failed").count();
    let requests = events.iter().filter(|e| e.meta.event_type == "domain.verification_requested").count();
    assert_eq!(requests, 20);
    assert!((2..=4).contains(&checks), "{checks} DNS checks for 20 requests");
}
