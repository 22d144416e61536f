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
        let dir = sites.path().join(format!("site-{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("clouddeck.toml"),
            "[build]\ninstall = \"\"\ncommand = \"echo built-by-one-deployer && mkdir -p out && echo hi > out/index.html\"\noutput = \"out\"\n",
        )
        .unwrap();
        let args =
            DeployArgs { dir, project: Some(format!("site-{n}")), org: Some("acme".into()), prod: true, prebuilt: false };
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
