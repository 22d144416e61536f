//! A GitHub push webhook, locally: a real git repository served over smart HTTP (a stand-in
//! for GitHub, which cannot be reached here), signed payloads as GitHub sends them. The
//! default branch deploys to production, another branch to a preview. A captured push
//! replayed (the same delivery, or an older push under a new delivery) changes nothing and
//! counts no build; bad signatures change nothing, are not recorded and are rate limited;
//! a repository on an internal address is refused unless the operator allows it.
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use api::harness::{App, Backend, spawn_configured};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn commit(repo: &Path, text: &str) -> String {
    std::fs::write(repo.join("index.html"), text).unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "--quiet", "-m", text]);
    git(repo, &["rev-parse", "HEAD"])
}

fn sign(secret: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    format!("sha256={}", mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// A push as GitHub delivers it: `pushed_at` is the time GitHub received it (seconds).
fn payload(branch: &str, sha: &str, pushed_at: i64) -> String {
    json!({
        "ref": format!("refs/heads/{branch}"),
        "after": sha,
        "pusher": { "name": "octocat" },
        "repository": { "pushed_at": pushed_at },
    })
    .to_string()
}

async fn deliver(app: &App, path: &str, delivery: &str, body: &str, signature: Option<String>) -> (u16, Value) {
    let mut request = app
        .http
        .post(format!("{}{path}", app.base))
        .header("x-github-event", "push")
        .header("x-github-delivery", delivery)
        .body(body.to_string());
    if let Some(signature) = signature {
        request = request.header("x-hub-signature-256", signature);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn production_serves(app: &App, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let response =
            app.http.get(format!("http://{}/", app.edge)).header("host", "blog.localhost").send().await.unwrap();
        if response.status().as_u16() == 200 && response.text().await.unwrap() == text {
            return;
        }
        assert!(Instant::now() < deadline, "production never served {text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn deployments(app: &App, token: &str) -> usize {
    let query =
        "{ project(organization: \"acme\", slug: \"blog\") { deployments(first: 50) { edges { node { id } } } } }";
    app.ok(Some(token), query, json!({})).await["project"]["deployments"]["edges"].as_array().unwrap().len()
}

async fn connect(app: &App, token: &str, url: &str) -> Result<(String, String), String> {
    let (_, body) = app
        .post(
            Some(token),
            "mutation($url: String!) { connectGitRepository(organization: \"acme\", project: \"blog\", repositoryUrl: $url) { webhookPath secret } }",
            json!({ "url": url }),
        )
        .await;
    match body["errors"][0]["message"].as_str() {
        Some(error) => Err(error.to_string()),
        None => Ok((
            body["data"]["connectGitRepository"]["webhookPath"].as_str().unwrap().to_string(),
            body["data"]["connectGitRepository"]["secret"].as_str().unwrap().to_string(),
        )),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_repository_on_an_internal_address_is_refused() {
    // given a server with the default egress policy
    let app = spawn_configured(Backend::Sqlite, |_| {}).await;
    let token = app.owner_of_acme("owner@example.com", Some("blog")).await;
    // when a project is pointed at internal addresses, then each is refused, and says why
    for (url, why) in [
        (format!("{}/graphql", app.base), "loopback"),
        ("http://169.254.169.254/latest/meta-data/".to_string(), "metadata"),
        ("http://10.0.0.1/repo.git".to_string(), "private"),
        ("http://localhost:5432/".to_string(), "loopback"),
        ("git://example.com/repo.git".to_string(), "https://"),
        ("file:///etc/passwd".to_string(), "https://"),
    ] {
        let error = connect(&app, &token, &url).await.unwrap_err();
        assert!(error.contains(why), "{url}: {error}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn signed_pushes_deploy_once_and_replays_or_bad_signatures_change_nothing() {
    // loopback is where the stand-in for GitHub runs: the operator allows it here
    let app = spawn_configured(Backend::Sqlite, |config| config.egress_allow = "127.0.0.1".into()).await;
    let token = app.owner_of_acme("owner@example.com", Some("blog")).await;
    let scratch = clouddeck_testkit::Scratch::new();
    let repo = scratch.path().join("blog");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "--quiet", "-b", "main"]);
    let first = commit(&repo, "<h1>first</h1>");
    let server = clouddeck_testkit::GitHttpServer::serve(scratch.path());
    let (path, secret) = connect(&app, &token, &server.url("blog")).await.unwrap();

    // a push to main, signed: production serves that commit
    let first_push = payload("main", &first, 1_000);
    let (status, answer) = deliver(&app, &path, "d-1", &first_push, Some(sign(&secret, &first_push))).await;
    assert_eq!(status, 202, "{answer}");
    production_serves(&app, "<h1>first</h1>").await;

    // a push to another branch: a preview, production unchanged
    git(&repo, &["checkout", "--quiet", "-b", "feature"]);
    let feature = commit(&repo, "<h1>feature</h1>");
    let body = payload("feature", &feature, 1_010);
    let (status, answer) = deliver(&app, &path, "d-2", &body, Some(sign(&secret, &body))).await;
    assert_eq!(status, 202, "{answer}");
    let id = answer["deployment"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let d = app
            .ok(Some(&token), &format!("{{ deployment(id: \"{id}\") {{ status target commitSha }} }}"), json!({}))
            .await;
        if d["deployment"]["status"] == "ready" {
            assert_eq!(
                (d["deployment"]["target"].as_str(), d["deployment"]["commitSha"].as_str()),
                (Some("preview"), Some(feature.as_str()))
            );
            break;
        }
        assert!(Instant::now() < deadline, "preview never ready: {d}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // a newer push to main moves production
    git(&repo, &["checkout", "--quiet", "main"]);
    let second = commit(&repo, "<h1>second</h1>");
    let body = payload("main", &second, 1_020);
    assert_eq!(deliver(&app, &path, "d-3", &body, Some(sign(&secret, &body))).await.0, 202);
    production_serves(&app, "<h1>second</h1>").await;
    let before = deployments(&app, &token).await;
    assert_eq!(before, 3);

    // the first push, captured and replayed as it was: nothing happens
    let (status, answer) = deliver(&app, &path, "d-1", &first_push, Some(sign(&secret, &first_push))).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer["message"].as_str().unwrap().contains("already processed"), "{answer}");
    // and under a new delivery id: older than main's last push, so nothing happens either
    let (status, answer) = deliver(&app, &path, "d-9", &first_push, Some(sign(&secret, &first_push))).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer["message"].as_str().unwrap().contains("older"), "{answer}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    production_serves(&app, "<h1>second</h1>").await;
    assert_eq!(deployments(&app, &token).await, before, "a replay made a deployment");
    let usage = app.ok(Some(&token), "{ organization(slug: \"acme\") { usage { metric quantity } } }", json!({})).await;
    let builds: i64 = usage["organization"]["usage"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["metric"] == "builds")
        .map(|f| f["quantity"].as_i64().unwrap())
        .sum();
    assert_eq!(builds, 3, "a replay counted a build: {usage}");

    // bad signatures: refused, not recorded, and an address that keeps trying is held off,
    // also when it sends them all at once (none passes a look at the bucket another took from)
    let forged: Vec<_> = (0..15)
        .map(|attempt| {
            let forged = payload("main", &first, 2_000 + attempt);
            let signature = if attempt % 2 == 0 { Some(sign("wrong", &forged)) } else { None };
            (format!("x-{attempt}"), forged, signature)
        })
        .collect();
    let statuses: Vec<u16> = futures::future::join_all(
        forged.iter().map(|(delivery, body, signature)| deliver(&app, &path, delivery, body, signature.clone())),
    )
    .await
    .into_iter()
    .map(|(status, ..)| status)
    .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 5, "{statuses:?}");
    let audit = app
        .ok(
            Some(&token),
            "{ auditLog(organization: \"acme\", types: [\"source.push_received\"]) { events { payload } } }",
            json!({}),
        )
        .await;
    let deliveries: Vec<&str> = audit["auditLog"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["payload"]["delivery_id"].as_str().unwrap())
        .collect();
    assert_eq!(deliveries, ["d-1", "d-2", "d-3"]);
    app.stop().await;
}
