//! Two deployer processes on one log (`clouddeck deployer`, distributed mode): every deployment
//! is claimed by one of them and built once, never by both.
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use api::harness::{Backend, spawn_configured};
use clouddeck::client::Client;
use clouddeck::deploy_cmd::{DeployArgs, upload_and_deploy};
use clouddeck::server::{Roles, Server};
use serde_json::json;

/// A project in `dir` whose build runs `first`, then writes `out/index.html`; returns `dir`.
fn sources(dir: &std::path::Path, first: &str) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let command = format!("{first} && mkdir -p out && echo hi > out/index.html");
    std::fs::write(
        dir.join("clouddeck.toml"),
        format!("[build]\ninstall = \"\"\ncommand = \"{command}\"\noutput = \"out\"\n"),
    )
    .unwrap();
    dir.to_path_buf()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_deployers_never_build_one_deployment_twice() {
    let app = spawn_configured(Backend::Sqlite, |config| config.deployer_id = Some("one".into())).await;
    // a second deployer on the same database, artifacts and edge, with its own builds folder
    let scratch = clouddeck_testkit::Scratch::new();
    std::fs::set_permissions(scratch.path(), std::os::unix::fs::PermissionsExt::from_mode(0o711)).unwrap();
    let mut second = app.config.clone();
    second.deployer_id = Some("two".into());
    second.edge_addr = app.edge.clone();
    second.builds_dir = Some(scratch.path().join("builds"));
    let other = Server::start(&second, Roles::only_deployer()).await.unwrap();
    assert!(other.edge_addr.is_none() && other.api_addr.is_none(), "a deployer serves nothing");

    let token = app.owner_of_acme("owner@example.com", None).await;
    let sites = clouddeck_testkit::Scratch::new();
    let deploys = (0..4).map(|n| {
        let dir = sources(&sites.path().join(format!("site-{n}")), "echo built-by-one-deployer");
        let args = DeployArgs {
            dir,
            project: Some(format!("site-{n}")),
            org: Some("acme".into()),
            prod: true,
            prebuilt: false,
        };
        let client = Client::new(&app.base, &token);
        async move { upload_and_deploy(&client, &args).await.unwrap() }
    });
    let deployed = futures::future::join_all(deploys).await;

    let store = app.server.as_ref().unwrap().store.clone();
    for deployment in &deployed {
        assert_eq!(deployment.status, "ready", "{deployment:?}");
        // then one claim, one start, and the build's output once in its log
        let events = store.read_stream(&format!("deployment-{}", deployment.id), 0).await.unwrap();
        let count = |kind: &str| events.iter().filter(|e| e.meta.event_type == kind).count();
        assert_eq!(
            count("deployment.claimed"),
            1,
            "{:?}",
            events.iter().map(|e| &e.meta.event_type).collect::<Vec<_>>()
        );
        assert_eq!(count("deployment.build_started"), 1);
        let query = "query($id: String!) { deployment(id: $id) { log } }";
        let log = app.ok(Some(&token), query, json!({ "id": deployment.id })).await;
        let lines = log["deployment"]["log"].as_array().unwrap();
        let built = lines.iter().filter(|l| l.as_str().unwrap().trim() == "built-by-one-deployer").count();
        assert_eq!(built, 1, "the build ran {built} times: {lines:?}");
    }
    other.shutdown().await;
    app.stop().await;
}

/// A deployer that stops for good (not restarted under its id) leaves nothing stuck: another
/// deployer sees its heartbeat stand still and takes its deployment in flight over, which then
/// becomes ready; the log shows both claims and that the first attempt was interrupted.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deployment_held_by_a_deployer_that_stopped_is_taken_over() {
    let roles = Roles { deployer: false, ..Roles::all(false) };
    let app = api::harness::spawn_roles(None, roles, |_| {}).await;
    let deployer = |id: &str, builds: &std::path::Path| {
        let mut config = app.config.clone();
        config.deployer_id = Some(id.into());
        config.edge_addr = app.edge.clone();
        config.builds_dir = Some(builds.to_path_buf());
        config.deployer_takeover_secs = 3;
        config
    };
    let scratch = clouddeck_testkit::Scratch::new();
    std::fs::set_permissions(scratch.path(), std::os::unix::fs::PermissionsExt::from_mode(0o711)).unwrap();
    // given a deployer "two" building a deployment (a build that takes a while)
    let two = Server::start(&deployer("two", &scratch.path().join("two")), Roles::only_deployer()).await.unwrap();
    let token = app.owner_of_acme("owner@example.com", None).await;
    let site = sources(&scratch.path().join("site"), "echo building && sleep 4");
    let args =
        DeployArgs { dir: site, project: Some("slow".into()), org: Some("acme".into()), prod: true, prebuilt: false };
    let client = Client::new(&app.base, &token);
    let deploying = tokio::spawn(async move { upload_and_deploy(&client, &args).await.unwrap() });
    let store = app.server.as_ref().unwrap().store.clone();
    let started = std::time::Instant::now();
    let stream = loop {
        let log = store.read_all(0, 10_000).await.unwrap();
        if let Some(e) = log.iter().find(|e| e.meta.event_type == "deployment.build_started") {
            break e.meta.stream_id.clone();
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "no build started");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    // when it stops for good, mid-build, and another deployer runs
    two.shutdown().await;
    let one = Server::start(&deployer("one", &scratch.path().join("one")), Roles::only_deployer()).await.unwrap();
    // then the deployment is taken over and becomes ready
    let deployed = tokio::time::timeout(std::time::Duration::from_secs(120), deploying).await.unwrap().unwrap();
    assert_eq!(deployed.status, "ready", "{deployed:?}");
    assert_eq!(stream, format!("deployment-{}", deployed.id));
    let events = store.read_stream(&stream, 0).await.unwrap();
    let claims: Vec<String> = events
        .iter()
        .filter_map(|e| match e.decode().unwrap() {
            clouddeck_events::Event::DeploymentClaimed(c) => Some(c.deployer),
            _ => None,
        })
        .collect();
    assert_eq!(claims, ["two", "one"]);
    let query = "query($id: String!) { deployment(id: $id) { log } }";
    let log = app.ok(Some(&token), query, json!({ "id": deployed.id })).await;
    let lines: Vec<&str> = log["deployment"]["log"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(lines.iter().any(|l| l.contains("the previous attempt stopped")), "{lines:?}");
    one.shutdown().await;
    app.stop().await;
}
