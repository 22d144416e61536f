//! Two organizations attack each other, as hostile tenants would: through the content store
//! (learning that the other has a file, deploying its blobs or its whole site by name),
//! through the dependency cache (planting code in the other's next build), through API
//! tokens that outlive their member, and through subscriptions that outlive their access.
//! Uploads need a project, stream to disk, count against storage, and what no deployment
//! uses is collected.
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use api::harness::{App, Backend, Socket, next_message, spawn_app, spawn_configured};
use clouddeck::client::Client;
use clouddeck::deploy_cmd::{DeployArgs, Deployed, upload_and_deploy};
use clouddeck_artifacts::sha256_hex;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

/// `email` registers and creates organization `org` with project `project`.
async fn tenant(app: &App, email: &str, org: &str, project: &str) -> String {
    let (token, _) = app.register(email).await;
    app.ok(
        Some(&token),
        &format!("mutation {{ createOrganization(slug: \"{org}\", name: \"{org}\") {{ id }} }}"),
        json!({}),
    )
    .await;
    let create = format!(
        "mutation {{ createProject(organization: \"{org}\", slug: \"{project}\", name: \"{project}\") {{ id }} }}"
    );
    app.ok(Some(&token), &create, json!({})).await;
    token
}

async fn missing(app: &App, token: &str, org: &str, project: &str, hashes: &[String]) -> (u16, Value) {
    let response = app
        .http
        .post(format!("{}/v1/blobs/missing", app.base))
        .bearer_auth(token)
        .json(&json!({ "organization": org, "project": project, "hashes": hashes }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn upload(app: &App, token: &str, org: &str, project: &str, bytes: &[u8]) -> (u16, Value) {
    let response = app
        .http
        .put(format!("{}/v1/blobs/{}", app.base, sha256_hex(bytes)))
        .query(&[("organization", org), ("project", project)])
        .bearer_auth(token)
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn deploy_files(app: &App, token: &str, org: &str, project: &str, bytes: &[u8]) -> Value {
    let deploy = "mutation($o: String!, $p: String!, $f: [DeployFileInput!]!) { deployFiles(organization: $o, project: $p, files: $f, production: true) { id } }";
    let files = json!([{ "path": "index.html", "sha256": sha256_hex(bytes), "size": bytes.len() }]);
    app.post(Some(token), deploy, json!({ "o": org, "p": project, "f": files })).await.1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organization_cannot_learn_of_reference_or_deploy_anothers_content() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let acme = tenant(&app, "owner@acme.test", "acme", "site").await;
    let globex = tenant(&app, "owner@globex.test", "globex", "gsite").await;
    let secret_page = b"<h1>acme's unreleased product</h1>".to_vec();
    let hash = sha256_hex(&secret_page);
    // given acme uploaded and deployed a page
    assert_eq!(missing(&app, &acme, "acme", "site", std::slice::from_ref(&hash)).await.1["missing"], json!([hash]));
    assert_eq!(upload(&app, &acme, "acme", "site", &secret_page).await.0, 201);
    assert_eq!(missing(&app, &acme, "acme", "site", std::slice::from_ref(&hash)).await.1["missing"], json!([]));
    let deployed = deploy_files(&app, &acme, "acme", "site", &secret_page).await;
    let id = deployed["data"]["deployFiles"]["id"].as_str().unwrap().to_string();
    let query = format!("{{ deployment(id: \"{id}\") {{ status }} }}");
    for _ in 0..200 {
        if app.ok(Some(&acme), &query, json!({})).await["deployment"]["status"] == "ready" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let source: Option<(String,)> = sqlx::query_as("SELECT source_ref FROM rm_deployments WHERE deployment_id = $1")
        .bind(&id)
        .fetch_optional(&app.server.as_ref().unwrap().read_db)
        .await
        .unwrap();
    let acme_manifest = source.unwrap().0;

    // when globex asks whether the store has acme's file, then it is told to upload it
    let (status, answer) = missing(&app, &globex, "globex", "gsite", std::slice::from_ref(&hash)).await;
    assert_eq!((status, &answer["missing"]), (200, &json!([hash])), "{answer}");
    // when globex names acme's blob in a deployment without uploading it, then it is refused
    let answer = deploy_files(&app, &globex, "globex", "gsite", &secret_page).await;
    assert!(answer["errors"][0]["message"].as_str().unwrap().contains("was not uploaded"), "{answer}");
    // when globex deploys acme's whole site by its manifest, then it is refused
    let steal = "mutation($m: String!) { requestDeployment(organization: \"globex\", project: \"gsite\", target: PRODUCTION, sourceKind: \"upload\", sourceRef: $m, prebuilt: true) { id } }";
    let (_, answer) = app.post(Some(&globex), steal, json!({ "m": acme_manifest })).await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{answer}");
    // while acme may deploy its own manifest again
    let again = steal.replace("globex", "acme").replace("gsite", "site");
    app.ok(Some(&acme), &again, json!({ "m": acme_manifest })).await;
    // and globex, once it sent the bytes itself, may use them
    assert_eq!(upload(&app, &globex, "globex", "gsite", &secret_page).await.0, 201);
    assert!(deploy_files(&app, &globex, "globex", "gsite", &secret_page).await["errors"].is_null());

    // uploads need a project the caller may deploy to
    let (status, _) = upload(&app, &globex, "acme", "site", b"x").await;
    assert_eq!(status, 404, "another organization's project is not found");
    let (lone, _) = app.register("lone@nowhere.test").await;
    assert_eq!(upload(&app, &lone, "globex", "gsite", b"x").await.0, 404);
    let response = app
        .http
        .put(format!("{}/v1/blobs/{}", app.base, sha256_hex(b"x")))
        .bearer_auth(&lone)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400, "an upload must name its project");
    let (viewer, _) = app.register("viewer@globex.test").await;
    app.join(&globex, "globex", "viewer@globex.test", &viewer, "VIEWER").await;
    let (status, answer) = upload(&app, &viewer, "globex", "gsite", b"x").await;
    assert_eq!((status, answer["errors"][0]["extensions"]["code"].as_str()), (403, Some("FORBIDDEN")));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_stream_within_the_file_limit_and_the_storage_quota() {
    let app = spawn_configured(Backend::Sqlite, |config| config.max_file_bytes = 8 << 20).await;
    let token = tenant(&app, "owner@acme.test", "acme", "site").await;
    // a file over the limit is refused with the API's error contract
    let big = vec![7u8; (8 << 20) + 1];
    let (status, answer) = upload(&app, &token, "acme", "site", &big).await;
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    // bytes that do not hash to the name are refused and not kept
    let response = app
        .http
        .put(format!("{}/v1/blobs/{}", app.base, sha256_hex(b"claimed")))
        .query(&[("organization", "acme"), ("project", "site")])
        .bearer_auth(&token)
        .body("other")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    // at the limit, it streams in
    let exact = vec![9u8; 8 << 20];
    assert_eq!(upload(&app, &token, "acme", "site", &exact).await.0, 201);
    // an organization at its plan's storage (Free: 5 GB) may upload no more
    let db = &app.server.as_ref().unwrap().read_db;
    let (org,): (String,) =
        sqlx::query_as("SELECT organization_id FROM rm_organizations WHERE slug = 'acme'").fetch_one(db).await.unwrap();
    sqlx::query("INSERT INTO artifact_uploads (organization_id, sha256, bytes, uploaded_at) VALUES ($1, $2, $3, 0)")
        .bind(&org)
        .bind("f".repeat(64))
        .bind(5_000_000_000i64 - (8 << 20))
        .execute(db)
        .await
        .unwrap();
    let (status, answer) = upload(&app, &token, "acme", "site", b"one byte too many").await;
    assert_eq!((status, answer["errors"][0]["extensions"]["code"].as_str()), (403, Some("QUOTA_EXCEEDED")), "{answer}");
    // (what it uploaded already still counts once, and can be sent again)
    assert_eq!(upload(&app, &token, "acme", "site", &exact).await.0, 201);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_no_deployment_uses_is_collected_after_the_grace_period() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let token = tenant(&app, "owner@acme.test", "acme", "site").await;
    let used = b"<h1>live</h1>".to_vec();
    let abandoned = b"uploaded, never deployed".to_vec();
    assert_eq!(upload(&app, &token, "acme", "site", &used).await.0, 201);
    assert_eq!(upload(&app, &token, "acme", "site", &abandoned).await.0, 201);
    assert!(deploy_files(&app, &token, "acme", "site", &used).await["errors"].is_null());
    let server = app.server.as_ref().unwrap();
    let store = clouddeck_artifacts::ArtifactStore::new(app.data_dir().join("artifacts"));
    let collector = clouddeck_workers::collector::Collector {
        store: store.clone(),
        db: server.read_db.clone(),
        grace: Duration::from_secs(3600),
    };
    // within the grace period nothing goes
    let now = clouddeck_eventlog::now_ms();
    assert_eq!(collector.collect(now).await.unwrap(), Default::default());
    // past it, the abandoned upload is forgotten and its bytes removed; the deployed one stays
    let later = now + 2 * 3_600_000;
    let collected = collector.collect(later).await.unwrap();
    assert_eq!((collected.uploads_forgotten, collected.blobs_removed), (1, 1), "{collected:?}");
    assert!(!store.has_blob(&sha256_hex(&abandoned)).await);
    assert!(store.has_blob(&sha256_hex(&used)).await);
    let (_, answer) = missing(&app, &token, "acme", "site", &[sha256_hex(&abandoned), sha256_hex(&used)]).await;
    assert_eq!(answer["missing"], json!([sha256_hex(&abandoned)]));
    // and a second pass finds nothing more
    assert_eq!(collector.collect(later).await.unwrap(), Default::default());
    app.stop().await;
}

fn cache_site(dir: &Path, package: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("package.json"), r#"{ "name": "site", "private": true }"#).unwrap();
    std::fs::write(dir.join("package-lock.json"), r#"{ "name": "site", "lockfileVersion": 3, "packages": {} }"#)
        .unwrap();
    std::fs::write(
        dir.join("clouddeck.toml"),
        format!(
            "[build]\ninstall = \"mkdir -p node_modules/x && echo {package} > node_modules/x/index.js\"\n\
             command = \"mkdir -p out && cp node_modules/x/index.js out/index.html\"\noutput = \"out\"\n"
        ),
    )
    .unwrap();
}

async fn deploy_dir(app: &App, token: &str, org: &str, project: &str, dir: &Path) -> Deployed {
    let args = DeployArgs {
        dir: dir.to_path_buf(),
        project: Some(project.into()),
        org: Some(org.into()),
        prod: true,
        prebuilt: false,
    };
    upload_and_deploy(&Client::new(&app.base, token), &args).await.unwrap()
}

async fn page(app: &App, host: &str) -> String {
    let response = app.http.get(format!("http://{}/", app.edge)).header("host", host).send().await.unwrap();
    response.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copied_lockfile_does_not_let_one_organization_plant_code_in_anothers_build_in_the_sandbox() {
    cache_stays_the_projects("sandbox").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copied_lockfile_does_not_let_one_organization_plant_code_in_anothers_build_in_docker() {
    cache_stays_the_projects("docker").await;
}

async fn cache_stays_the_projects(build_backend: &str) {
    let app = spawn_configured(Backend::Sqlite, |config| config.build_backend = build_backend.into()).await;
    let victim = tenant(&app, "owner@acme.test", "acme", "shop").await;
    let attacker = tenant(&app, "owner@globex.test", "globex", "copy").await;
    let scratch = clouddeck_testkit::Scratch::new();
    // given the attacker builds a copy of the victim's package.json and lockfile, whose
    // install step rewrites a package
    cache_site(&scratch.path().join("evil"), "EVIL");
    let planted = deploy_dir(&app, &attacker, "globex", "copy", &scratch.path().join("evil")).await;
    assert_eq!(planted.status, "ready", "{:?} {:?}", planted.error, planted.log);
    // when the victim builds the same lockfile, then its own install runs
    cache_site(&scratch.path().join("good"), "GOOD");
    let built = deploy_dir(&app, &victim, "acme", "shop", &scratch.path().join("good")).await;
    assert_eq!(built.status, "ready", "{:?} {:?}", built.error, built.log);
    assert!(!built.log.iter().any(|l| l.contains("from the cache (this project's")), "{:?}", built.log);
    assert_eq!(page(&app, "shop.localhost").await.trim(), "GOOD");
    // and its next build takes its own cache
    let again = deploy_dir(&app, &victim, "acme", "shop", &scratch.path().join("good")).await;
    assert!(again.log.iter().any(|l| l.contains("from the cache (this project's")), "{:?}", again.log);
    assert_eq!(page(&app, "shop.localhost").await.trim(), "GOOD");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_builds_secrets_are_masked_in_its_log_everywhere_it_shows_in_the_sandbox() {
    secrets_are_masked("sandbox").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_builds_secrets_are_masked_in_its_log_everywhere_it_shows_in_docker() {
    secrets_are_masked("docker").await;
}

async fn secrets_are_masked(build_backend: &str) {
    let app = spawn_configured(Backend::Sqlite, |config| config.build_backend = build_backend.into()).await;
    let token = tenant(&app, "owner@acme.test", "acme", "site").await;
    let secret = "sk_live_51Hb3xQ2mN8pR4tV";
    let set = "mutation($v: String!) { setEnvVar(organization: \"acme\", project: \"site\", key: \"STRIPE_KEY\", value: $v, target: ALL) { key } }";
    app.ok(Some(&token), set, json!({ "v": secret })).await;
    let scratch = clouddeck_testkit::Scratch::new();
    let dir = scratch.path().join("site");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("clouddeck.toml"),
        "[build]\ninstall = \"\"\ncommand = \"echo key=$STRIPE_KEY; printf %s \\\"$STRIPE_KEY\\\" | base64; node -e 'console.log(encodeURIComponent(process.env.STRIPE_KEY), JSON.stringify({k: process.env.STRIPE_KEY}))'; mkdir -p out; echo ok > out/index.html\"\noutput = \"out\"\n",
    )
    .unwrap();
    let deployed = deploy_dir(&app, &token, "acme", "site", &dir).await;
    assert_eq!(deployed.status, "ready", "{:?} {:?}", deployed.error, deployed.log);
    let log = deployed.log.join("\n");
    assert!(log.contains("key=***"), "{log}");
    let encoded = base64_of(secret);
    for shown in [secret, encoded.as_str(), "sk_live"] {
        assert!(!log.contains(shown), "`{shown}` in the log:\n{log}");
    }
    // nor in the events a viewer of the audit log reads
    let audit = app
        .ok(
            Some(&token),
            "{ auditLog(organization: \"acme\", types: [\"deployment.build_log_chunk\"]) { events { payload } } }",
            json!({}),
        )
        .await;
    let events = audit.to_string();
    assert!(events.contains("key=***") && !events.contains(secret), "{events}");
    app.stop().await;
}

fn base64_of(text: &str) -> String {
    let output = std::process::Command::new("base64")
        .arg("-w0")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    let mut child = output;
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
}

/// Reads until the subscription ends; returns the error that ended it.
async fn closed_with(socket: &mut Socket) -> Value {
    let mut error = Value::Null;
    loop {
        let message = next_message(socket).await;
        match message["type"].as_str() {
            Some("next") if !message["payload"]["errors"].is_null() => error = message["payload"]["errors"][0].clone(),
            Some("error") => error = message["payload"][0].clone(),
            Some("complete") => return error,
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_acts_as_its_member_at_most_and_dies_with_the_membership() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let owner = tenant(&app, "owner@acme.test", "acme", "site").await;
    let (admin, admin_id) = app.register("admin@acme.test").await;
    app.join(&owner, "acme", "admin@acme.test", &admin, "ADMIN").await;
    let mint = "mutation($r: Role!) { createApiToken(organization: \"acme\", name: \"ci\", role: $r) { secret } }";
    let token = app.ok(Some(&admin), mint, json!({ "r": "ADMIN" })).await["createApiToken"]["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let invite = "mutation($e: String!) { inviteMember(organization: \"acme\", email: $e, role: VIEWER) { id } }";
    app.ok(Some(&token), invite, json!({ "e": "one@acme.test" })).await;
    // when its member is demoted to developer, then the token acts as a developer
    let demote = format!(
        "mutation {{ changeMemberRole(organization: \"acme\", userId: \"{admin_id}\", role: DEVELOPER) {{ id }} }}"
    );
    app.ok(Some(&owner), &demote, json!({})).await;
    assert_eq!(app.code(Some(&token), invite, json!({ "e": "two@acme.test" })).await.as_deref(), Some("FORBIDDEN"));
    assert_eq!(app.code(Some(&token), mint, json!({ "r": "VIEWER" })).await.as_deref(), Some("FORBIDDEN"));
    let read = "{ organization(slug: \"acme\") { projects { slug } } }";
    app.ok(Some(&token), read, json!({})).await;
    // when the member is removed, then the token stops working at once
    let remove = format!("mutation {{ removeMember(organization: \"acme\", userId: \"{admin_id}\") }}");
    app.ok(Some(&owner), &remove, json!({})).await;
    assert_eq!(app.code(Some(&token), read, json!({})).await.as_deref(), Some("UNAUTHENTICATED"));
    assert_eq!(app.code(Some(&token), mint, json!({ "r": "VIEWER" })).await.as_deref(), Some("UNAUTHENTICATED"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_closes_when_its_caller_loses_access() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let owner = tenant(&app, "owner@acme.test", "acme", "site").await;
    let (member, member_id) = app.register("dev@acme.test").await;
    app.join(&owner, "acme", "dev@acme.test", &member, "DEVELOPER").await;
    let mint =
        "mutation { createApiToken(organization: \"acme\", name: \"feed\", role: VIEWER) { secret token { id } } }";
    let created = app.ok(Some(&owner), mint, json!({})).await;
    let token = created["createApiToken"]["secret"].as_str().unwrap().to_string();
    let token_id = created["createApiToken"]["token"]["id"].as_str().unwrap().to_string();
    let feed = "subscription { events(organization: \"acme\") { type } }";
    let mut by_token = app.subscribe(&token, feed).await;
    let mut by_member = app.subscribe(&member, feed).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // given both receive the organization's events
    let set = "mutation { setEnvVar(organization: \"acme\", project: \"site\", key: \"A\", value: \"1\", target: PREVIEW) { key } }";
    app.ok(Some(&owner), set, json!({})).await;
    assert_eq!(next_message(&mut by_token).await["payload"]["data"]["events"]["type"], "project.env_var_set");
    assert_eq!(next_message(&mut by_member).await["payload"]["data"]["events"]["type"], "project.env_var_set");
    // when the token is revoked, then its subscription ends with a reason
    let revoke = format!("mutation {{ revokeApiToken(organization: \"acme\", tokenId: \"{token_id}\") {{ id }} }}");
    app.ok(Some(&owner), &revoke, json!({})).await;
    let reason = closed_with(&mut by_token).await;
    assert_eq!(reason["extensions"]["code"], "FORBIDDEN", "{reason}");
    assert!(reason["message"].as_str().unwrap().contains("subscription closed"), "{reason}");
    // when the member is removed, then theirs ends too, before it shows anything newer
    let remove = format!("mutation {{ removeMember(organization: \"acme\", userId: \"{member_id}\") }}");
    app.ok(Some(&owner), &remove, json!({})).await;
    app.ok(Some(&owner), &set.replace("\"A\"", "\"B\""), json!({})).await;
    let mut shown = Vec::new();
    let reason = loop {
        let message = next_message(&mut by_member).await;
        match message["type"].as_str() {
            Some("next") if message["payload"]["errors"].is_null() => {
                shown.push(message["payload"]["data"]["events"]["type"].as_str().unwrap().to_string())
            }
            Some("next") => break message["payload"]["errors"][0].clone(),
            Some("complete") => panic!("completed without a reason"),
            _ => {}
        }
    };
    assert_eq!(reason["extensions"]["code"], "FORBIDDEN", "{reason}");
    assert!(!shown.iter().any(|t| t == "project.env_var_set"), "shown after removal: {shown:?}");
    app.stop().await;
}

/// The process's peak resident memory so far, in bytes.
fn peak_memory() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 1024
}

/// Sends `size` bytes of a pattern as the blob they hash to, a chunk at a time (no copy of the
/// body is held here either); returns the HTTP status.
async fn stream_upload(base: &str, token: &str, seed: u8, size: usize) -> u16 {
    use sha2::Digest;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let chunk = |i: usize| vec![seed.wrapping_add(i as u8); 64 * 1024];
    let mut hasher = sha2::Sha256::new();
    for i in 0..size / (64 * 1024) {
        hasher.update(chunk(i));
    }
    let hash: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "PUT /v1/blobs/{hash}?organization=acme&project=site HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Bearer {token}\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for i in 0..size / (64 * 1024) {
        stream.write_all(&chunk(i)).await.unwrap();
    }
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer.split(' ').nth(1).unwrap_or_default().parse().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_large_uploads_stream_to_disk_not_to_memory() {
    let app = spawn_configured(Backend::Sqlite, |config| config.max_file_bytes = 100 << 20).await;
    let token = tenant(&app, "owner@acme.test", "acme", "site").await;
    let before = peak_memory();
    // when 8 uploads of 64 MiB arrive at once (512 MiB in all)
    let uploads: Vec<_> = (0..8u8).map(|seed| stream_upload(&app.base, &token, seed, 64 << 20)).collect();
    let statuses = futures::future::join_all(uploads).await;
    assert_eq!(statuses, [201; 8]);
    // then the server held about a chunk of each at a time, not the bodies
    let grew = peak_memory().saturating_sub(before);
    assert!(grew < 128 << 20, "peak memory grew by {} MiB for 512 MiB of uploads", grew >> 20);
    app.stop().await;
}
