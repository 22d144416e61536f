//! The platform under a team's ordinary load, and stock GraphQL tools: parallel writes wait
//! their turn instead of failing; deploys never trip their own server's rate limit; large
//! sites deploy; graphql-js's introspection query works; malformed and oversized requests get
//! the API's error contract; public names are the server's, once.
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use api::harness::{App, Backend, spawn_app, spawn_configured};
use clouddeck::client::Client;
use clouddeck::deploy_cmd::{DeployArgs, Deployed, upload_and_deploy};
use serde_json::{Value, json};
use std::path::Path;

async fn deploy_dir(app: &App, token: &str, dir: &Path, project: &str) -> Deployed {
    let args = DeployArgs {
        dir: dir.to_path_buf(),
        project: Some(project.into()),
        org: Some("acme".into()),
        prod: true,
        prebuilt: true,
    };
    upload_and_deploy(&Client::new(&app.base, token), &args).await.unwrap()
}

fn site(dir: &Path, files: usize, tag: &str) {
    std::fs::create_dir_all(dir.join("pages")).unwrap();
    std::fs::write(dir.join("index.html"), format!("<h1>{tag}</h1>")).unwrap();
    for i in 0..files {
        std::fs::write(dir.join("pages").join(format!("{i}.html")), format!("{tag} page {i}")).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_writes_to_one_organization_and_project_all_succeed() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let token = app.owner_of_acme("owner@example.com", Some("site")).await;
    // 200 variables with distinct keys at once, on one project's stream
    let set = "mutation($k: String!) { setEnvVar(organization: \"acme\", project: \"site\", key: $k, value: \"v\", target: PREVIEW) { key } }";
    let writes = (0..200).map(|i| app.post(Some(&token), set, json!({ "k": format!("KEY_{i}") })));
    let answers = futures::future::join_all(writes).await;
    let failed: Vec<&Value> = answers.iter().map(|(_, body)| body).filter(|b| !b["errors"].is_null()).collect();
    assert!(failed.is_empty(), "{} of 200 failed, first: {}", failed.len(), failed[0]);
    let listed = app
        .ok(Some(&token), "{ project(organization: \"acme\", slug: \"site\") { envVars { key } } }", json!({}))
        .await;
    assert_eq!(listed["project"]["envVars"].as_array().unwrap().len(), 200);
    // 20 deployments into one organization at once (each counts a build on the month's counter)
    let scratch = clouddeck_testkit::Scratch::new();
    site(&scratch.path().join("s"), 3, "parallel");
    let deploys = (0..20).map(|i| {
        let dir = scratch.path().join("s");
        let (app, token) = (&app, &token);
        async move {
            let project = format!("p{i}");
            app.ok(Some(token), &format!("mutation {{ createProject(organization: \"acme\", slug: \"{project}\", name: \"{project}\") {{ id }} }}"), json!({})).await;
            deploy_dir(app, token, &dir, &project).await
        }
    });
    let deployed = futures::future::join_all(deploys).await;
    assert!(
        deployed.iter().all(|d| d.status == "ready"),
        "{:?}",
        deployed.iter().map(|d| &d.error).collect::<Vec<_>>()
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deploys_stay_inside_their_servers_rate_limit() {
    // the server's default limits: 50 requests a second, 200 in a burst
    let app = spawn_configured(Backend::Sqlite, |config| {
        config.api_rate_limit = 50.0;
        config.api_rate_burst = 200;
    })
    .await;
    let token = app.owner_of_acme("owner@example.com", None).await;
    let scratch = clouddeck_testkit::Scratch::new();
    for (n, tag) in ["a", "b", "c"].iter().enumerate() {
        site(&scratch.path().join(tag), 500 + n, tag);
    }
    // three CLIs on one token, each a 500-file site, at once
    let deploys = ["a", "b", "c"].map(|tag| {
        let dir = scratch.path().join(tag);
        let (app, token) = (&app, &token);
        async move { deploy_dir(app, token, &dir, &format!("site-{tag}")).await }
    });
    let deployed = futures::future::join_all(deploys).await;
    for d in &deployed {
        assert_eq!(d.status, "ready", "{:?}", d.error);
        assert!(d.uploaded > 500);
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_site_of_twenty_thousand_files_deploys_with_its_list_in_parts() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let token = app.owner_of_acme("owner@example.com", None).await;
    let scratch = clouddeck_testkit::Scratch::new();
    let dir = scratch.path().join("big");
    // (100,000 files, the limit, take ≈ 3.5 min here, mostly creating inodes: measured, not run)
    site(&dir, 19_999, "big");
    let deployed = deploy_dir(&app, &token, &dir, "big").await;
    assert_eq!(deployed.status, "ready", "{:?}", deployed.error);
    assert_eq!(deployed.files, 20_000);
    let page = app
        .http
        .get(format!("http://{}/pages/17777.html", app.edge))
        .header("host", "big.localhost")
        .send()
        .await
        .unwrap();
    assert_eq!(page.text().await.unwrap(), "big page 17777");
    // a list of 100,001 files (one uploaded blob under as many names) is refused, with the limit
    let client = Client::new(&app.base, &token);
    let blob = b"same".to_vec();
    let hash = clouddeck_artifacts::sha256_hex(&blob);
    client.upload_batch("acme", "big", &[(hash.clone(), blob.clone()), (hash.clone(), blob)]).await.unwrap();
    let entries: Vec<Value> =
        (0..100_001).map(|i| json!({ "path": format!("f/{i}.txt"), "sha256": hash, "size": 4 })).collect();
    let parts: Vec<(String, Vec<u8>)> = entries
        .chunks(5_000)
        .map(|part| {
            let bytes = serde_json::to_vec(part).unwrap();
            (clouddeck_artifacts::sha256_hex(&bytes), bytes)
        })
        .collect();
    client.upload_batch("acme", "big", &parts).await.unwrap();
    let hashes: Vec<&String> = parts.iter().map(|(hash, _)| hash).collect();
    let (_, refused) = app
        .post(
            Some(&token),
            "mutation($l: [String!]) { deployFiles(organization: \"acme\", project: \"big\", fileList: $l) { id } }",
            json!({ "l": hashes }),
        )
        .await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{refused}");
    assert!(refused["errors"][0]["message"].as_str().unwrap().contains("100000"), "{refused}");
    app.stop().await;
}

/// graphql-js's `getIntrospectionQuery()` (v16), as GraphiQL, Apollo and graphql-codegen send it.
const INTROSPECTION: &str = r#"
    query IntrospectionQuery {
      __schema {
        queryType { name } mutationType { name } subscriptionType { name }
        types { ...FullType }
        directives { name description locations args { ...InputValue } }
      }
    }
    fragment FullType on __Type {
      kind name description
      fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
      inputFields { ...InputValue }
      interfaces { ...TypeRef }
      enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
      possibleTypes { ...TypeRef }
    }
    fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
    fragment TypeRef on __Type {
      kind name
      ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
    }"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_tools_introspect_and_bad_requests_get_the_error_contract() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let token = app.owner_of_acme("owner@example.com", None).await;
    let schema = app.ok(None, INTROSPECTION, json!({})).await;
    assert_eq!(schema["__schema"]["queryType"]["name"], "QueryRoot");
    assert!(schema["__schema"]["types"].as_array().unwrap().len() > 20);
    // user queries keep their limits: an introspection inside a user query is not exempt
    let mixed = format!(
        "{{ organizations {{ slug }} {} }}",
        &INTROSPECTION[INTROSPECTION.find("__schema").unwrap()..INTROSPECTION.find("fragment").unwrap()]
    );
    let (_, refused) = app
        .post(
            Some(&token),
            &format!("{mixed}\n{}", &INTROSPECTION[INTROSPECTION.find("fragment FullType").unwrap()..]),
            json!({}),
        )
        .await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{refused}");
    // malformed JSON, a body that is not a request, an oversized body: JSON errors with codes
    for (body, status) in [("{\"query\": ", 400), ("[1, 2]", 400), ("not json", 400)] {
        let answer = app
            .http
            .post(format!("{}/graphql", app.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), status, "{body}");
        let answer: Value = answer.json().await.unwrap();
        assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}: {answer}");
    }
    let huge = json!({ "query": format!("{{ viewer {{ actor }} }} #{}", "x".repeat(300 * 1024)) }).to_string();
    let answer = app.http.post(format!("{}/graphql", app.base)).body(huge).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 413);
    let answer: Value = answer.json().await.unwrap();
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert!(answer["errors"][0]["message"].as_str().unwrap().contains("256 KiB"));
    // an alias flood is refused before it runs, as a document failing validation is (200)
    let flood: String = (0..10_000).map(|i| format!("a{i}: __typename ")).collect();
    let (status, answer) = app.post(Some(&token), &format!("{{ {flood} }}"), json!({})).await;
    assert_eq!((status, answer["errors"][0]["extensions"]["code"].as_str()), (200, Some("BAD_USER_INPUT")));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_name_is_the_first_claimers() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let acme = app.owner_of_acme("owner@acme.test", Some("blog")).await;
    let (other, _) = app.register("owner@globex.test").await;
    // an organization slug in use is refused, with the reason
    let (_, taken) = app
        .post(Some(&other), "mutation { createOrganization(slug: \"acme\", name: \"Acme 2\") { id } }", json!({}))
        .await;
    assert_eq!(taken["errors"][0]["extensions"]["code"], "CONFLICT", "{taken}");
    app.ok(Some(&other), "mutation { createOrganization(slug: \"globex\", name: \"Globex\") { id } }", json!({})).await;
    // a project's host name in use elsewhere is refused, with a suggestion
    let (_, taken) = app
        .post(
            Some(&other),
            "mutation { createProject(organization: \"globex\", slug: \"blog\", name: \"Blog\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(taken["errors"][0]["extensions"]["code"], "CONFLICT");
    assert!(taken["errors"][0]["message"].as_str().unwrap().contains("try `blog-globex`"), "{taken}");
    // once the holder deletes its project, the name is free again
    app.ok(Some(&acme), "mutation { deleteProject(organization: \"acme\", project: \"blog\") }", json!({})).await;
    app.ok(
        Some(&other),
        "mutation { createProject(organization: \"globex\", slug: \"blog\", name: \"Blog\") { id } }",
        json!({}),
    )
    .await;
    app.stop().await;
}
