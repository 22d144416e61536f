//! A GitHub push webhook, locally: a real git repository, a signed payload. The default
//! branch deploys to production, another branch to a preview; a wrong or missing signature
//! is refused and recorded.
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use api::harness::{App, Backend, spawn_app};
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

async fn push(app: &App, path: &str, branch: &str, sha: &str, signature: Option<String>) -> (u16, Value) {
    let body =
        json!({ "ref": format!("refs/heads/{branch}"), "after": sha, "pusher": { "name": "octocat" } }).to_string();
    let mut request = app.http.post(format!("{}{path}", app.base)).header("x-github-event", "push").body(body);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn signed_pushes_deploy_and_unsigned_ones_are_refused_and_recorded() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let token = app.owner_of_acme("owner@example.com", Some("blog")).await;
    let scratch = clouddeck_testkit::Scratch::new();
    let repo = scratch.path().join("blog");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "--quiet", "-b", "main"]);
    let first = commit(&repo, "<h1>first</h1>");
    // served by a real git server on loopback: file:// URLs are refused, as they should be
    let port = clouddeck_testkit::free_port();
    let mut daemon = Command::new("git")
        .args(["daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1", &format!("--port={port}")])
        .arg(format!("--base-path={}", scratch.path().display()))
        .arg(scratch.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "git daemon did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    let refused = app
        .code(
            Some(&token),
            "mutation($url: String!) { connectGitRepository(organization: \"acme\", project: \"blog\", repositoryUrl: $url) { secret } }",
            json!({ "url": format!("file://{}", repo.display()) }),
        )
        .await;
    assert_eq!(refused.as_deref(), Some("BAD_USER_INPUT"));
    let connect = app
        .ok(
            Some(&token),
            "mutation($url: String!) { connectGitRepository(organization: \"acme\", project: \"blog\", repositoryUrl: $url) { webhookPath secret } }",
            json!({ "url": format!("git://127.0.0.1:{port}/blog") }),
        )
        .await;
    let path = connect["connectGitRepository"]["webhookPath"].as_str().unwrap().to_string();
    let secret = connect["connectGitRepository"]["secret"].as_str().unwrap().to_string();

    // a push to main, signed: production serves that commit
    let body = json!({ "ref": "refs/heads/main", "after": first, "pusher": { "name": "octocat" } }).to_string();
    let (status, answer) = push(&app, &path, "main", &first, Some(sign(&secret, &body))).await;
    assert_eq!(status, 202, "{answer}");
    production_serves(&app, "<h1>first</h1>").await;

    // a push to another branch: a preview, production unchanged
    git(&repo, &["checkout", "--quiet", "-b", "feature"]);
    let feature = commit(&repo, "<h1>feature</h1>");
    let body = json!({ "ref": "refs/heads/feature", "after": feature, "pusher": { "name": "octocat" } }).to_string();
    let (status, answer) = push(&app, &path, "feature", &feature, Some(sign(&secret, &body))).await;
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
    production_serves(&app, "<h1>first</h1>").await;

    // a wrong signature and a missing one: refused, and recorded
    assert_eq!(push(&app, &path, "main", &feature, Some(sign("wrong", "x"))).await.0, 401);
    assert_eq!(push(&app, &path, "main", &feature, None).await.0, 401);
    let audit = app
        .ok(
            Some(&token),
            "{ auditLog(organization: \"acme\", types: [\"source.push_received\"]) { events { payload } } }",
            json!({}),
        )
        .await;
    let valid: Vec<bool> = audit["auditLog"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["payload"]["signature_valid"].as_bool().unwrap())
        .collect();
    assert_eq!(valid, [true, true, false, false]);
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    app.stop().await;
}
