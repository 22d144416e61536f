//! The CLI as a user runs it, as a process: each command shows only its own options; what a
//! user does without the GraphQL console (`whoami`, `orgs`, `projects`, `env`, `tokens`,
//! `inspect`), with `--json` on listings; exit codes a script can rely on; a secret read
//! from stdin, never an argument; and a closed stdout (`… | head -1`) that is not a panic.
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use api::harness::{Backend, spawn_app};
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn json_of(output: &Output) -> Value {
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
}

#[test]
fn user_commands_show_only_their_own_options() {
    for command in [&["deploy", "--help"][..], &["env", "set", "--help"], &["whoami", "--help"]] {
        let output = Command::new(env!("CARGO_BIN_EXE_clouddeck")).args(command).output().unwrap();
        let help = String::from_utf8_lossy(&output.stdout);
        for server_flag in ["--database-url", "--kafka-brokers", "--s3-", "--clickhouse", "--build-", "--edge-addr"] {
            assert!(!help.contains(server_flag), "{command:?} shows {server_flag}:\n{help}");
        }
        assert!(help.contains("--url") && help.contains("--token"), "{help}");
    }
    let up = Command::new(env!("CARGO_BIN_EXE_clouddeck")).args(["up", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&up.stdout).contains("--database-url"));
    let usage = Command::new(env!("CARGO_BIN_EXE_clouddeck")).args(["deploy", "--no-such-flag"]).output().unwrap();
    assert_eq!(usage.status.code(), Some(2), "a usage error");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn what_a_user_does_without_the_console() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let token = app.owner_of_acme("owner@example.com", Some("blog")).await;
    let run = |args: Vec<&str>, stdin: Option<&str>| {
        let (app, token) = (&app, token.clone());
        let args: Vec<String> = args.into_iter().map(str::to_string).collect();
        let stdin = stdin.map(str::to_string);
        async move {
            let app_base = app.base.clone();
            tokio::task::spawn_blocking(move || {
                let app = AppLike { base: app_base };
                app.run(&token, &args.iter().map(String::as_str).collect::<Vec<_>>(), stdin.as_deref())
            })
            .await
            .unwrap()
        }
    };
    let whoami = json_of(&run(vec!["whoami", "--json"], None).await);
    assert_eq!(whoami["viewer"]["user"]["email"], "owner@example.com");
    let orgs = json_of(&run(vec!["orgs", "ls", "--json"], None).await);
    assert_eq!(orgs[0]["slug"], "acme");
    let created = run(vec!["projects", "create", "docs", "--org", "acme"], None).await;
    assert!(created.status.success(), "{created:?}");
    let projects = json_of(&run(vec!["projects", "ls", "--org", "acme", "--json"], None).await);
    let slugs: Vec<&str> = projects.as_array().unwrap().iter().map(|p| p["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["blog", "docs"]);
    // a variable's value comes from stdin and is never shown again
    let set = run(
        vec!["env", "set", "API_KEY", "--project", "blog", "--org", "acme", "--target", "production"],
        Some("s3cret-value\n"),
    )
    .await;
    assert!(set.status.success(), "{set:?}");
    assert!(!String::from_utf8_lossy(&set.stdout).contains("s3cret"));
    let vars = json_of(&run(vec!["env", "ls", "--project", "blog", "--org", "acme", "--json"], None).await);
    assert_eq!(vars, json!([{ "key": "API_KEY", "target": "production", "updated": vars[0]["updated"] }]));
    let removed =
        run(vec!["env", "rm", "API_KEY", "--project", "blog", "--org", "acme", "--target", "production"], None).await;
    assert!(removed.status.success(), "{removed:?}");
    // domains: the records to create, in DNS panels' columns; a check that finds none says so
    let host = format!("cli-{}.example.test", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let added = run(vec!["domains", "add", &host.to_uppercase(), "--project", "blog", "--org", "acme"], None).await;
    let printed = String::from_utf8_lossy(&added.stdout).to_string();
    assert!(added.status.success(), "{added:?}");
    assert!(printed.contains("TXT") && printed.contains(&format!("_clouddeck-challenge.{host}")), "{printed}");
    assert!(printed.contains("CNAME") && printed.contains("edge.clouddeck.test"), "{printed}");
    let listed = json_of(&run(vec!["domains", "ls", "--project", "blog", "--org", "acme", "--json"], None).await);
    assert_eq!(listed[0]["hostname"], host.as_str());
    assert_eq!(listed[0]["status"], "pending_verification");
    let checked = run(vec!["domains", "verify", &host, "--project", "blog", "--org", "acme"], None).await;
    let printed = String::from_utf8_lossy(&checked.stdout).to_string();
    assert!(printed.contains("pending_verification") && printed.contains("no TXT record"), "{printed}");
    let unknown = run(vec!["domains", "rm", "nothing.example.test", "--project", "blog", "--org", "acme"], None).await;
    assert!(!unknown.status.success());
    assert!(run(vec!["domains", "rm", &host, "--project", "blog", "--org", "acme"], None).await.status.success());
    let listed = json_of(&run(vec!["domains", "ls", "--project", "blog", "--org", "acme", "--json"], None).await);
    assert_eq!(listed, json!([]));
    // tokens: the secret once, then listed without it, then revoked
    let created =
        json_of(&run(vec!["tokens", "create", "ci", "--role", "developer", "--org", "acme", "--json"], None).await);
    let secret = created["secret"].as_str().unwrap().to_string();
    let id = created["token"]["id"].as_str().unwrap().to_string();
    let listed = run(vec!["tokens", "ls", "--org", "acme", "--json"], None).await;
    assert!(!String::from_utf8_lossy(&listed.stdout).contains(&secret));
    assert_eq!(json_of(&listed)[0]["id"], id.as_str());
    let as_token = tokio::task::spawn_blocking({
        let base = app.base.clone();
        let secret = secret.clone();
        move || AppLike { base }.run(&secret, &["whoami", "--json"], None)
    })
    .await
    .unwrap();
    assert_eq!(json_of(&as_token)["viewer"]["organization"]["slug"], "acme");
    assert!(run(vec!["tokens", "revoke", &id, "--org", "acme"], None).await.status.success());
    // exit codes: 4 for what does not exist, 3 for a refused token, 1 for a failed deploy
    let missing = run(vec!["inspect", "01a20000-0000-7000-8000-000000000000"], None).await;
    assert_eq!(missing.status.code(), Some(4), "{missing:?}");
    let revoked = tokio::task::spawn_blocking({
        let base = app.base.clone();
        move || AppLike { base }.run(&secret, &["whoami"], None)
    })
    .await
    .unwrap();
    assert_eq!(revoked.status.code(), Some(3), "{revoked:?}");
    let scratch = clouddeck_testkit::Scratch::new();
    // a routing rule the edge cannot honour fails the deploy
    std::fs::write(scratch.path().join("readme.txt"), "no index").unwrap();
    std::fs::write(scratch.path().join("_redirects"), "/a /b 999\n").unwrap();
    let failed =
        run(vec!["deploy", scratch.path().to_str().unwrap(), "--project", "blog", "--org", "acme", "--prebuilt"], None)
            .await;
    assert_eq!(failed.status.code(), Some(1), "{failed:?}");
    // inspect, as JSON; and a listing piped into `head -1` ends quietly
    let listed = json_of(&run(vec!["deployments", "ls", "--project", "blog", "--org", "acme", "--json"], None).await);
    let deployment = listed[0]["id"].as_str().unwrap().to_string();
    let inspected = json_of(&run(vec!["inspect", &deployment, "--json"], None).await);
    assert_eq!(inspected["status"], "failed");
    let piped = Command::new("sh")
        .arg("-c")
        .arg(format!("'{}' projects ls --org acme | head -1", env!("CARGO_BIN_EXE_clouddeck")))
        .env("CLOUDDECK_URL", &app.base)
        .env("CLOUDDECK_TOKEN", &token)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&piped.stderr).contains("panicked"), "{piped:?}");
    app.stop().await;
}

/// Runs the CLI against a server by address (movable to a blocking thread).
struct AppLike {
    base: String,
}

impl AppLike {
    fn run(&self, token: &str, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_clouddeck"))
            .args(args)
            .env("CLOUDDECK_URL", &self.base)
            .env("CLOUDDECK_TOKEN", token)
            .env("HOME", "/nonexistent")
            .env_remove("CLOUDDECK_API_ADDR")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(input) = stdin {
            child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    }
}
