//! The distributed mode when a process is lost (issue 15): API, relay, edge and deployer in
//! one process, the read models in another fed through a real Kafka-protocol broker (tansu)
//! and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use api::harness::spawn_roles;
use clouddeck::server::Roles;
use clouddeck_testkit::{Broker, postgres_database};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// While the read models stand still (their process is gone), a mutation's write still
/// happens: the answer says so (`ACCEPTED`, with the log position), not `INTERNAL`; a retry
/// with the same Idempotency-Key gets that answer again and writes nothing more; once the
/// read models are back, the write shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_write_the_read_models_have_not_shown_is_answered_accepted_not_failed() {
    let broker = Broker::spawn();
    let url = postgres_database().await;
    let distributed = |config: &mut clouddeck::config::Config| config.kafka_brokers = Some(broker.address());
    let mut projections = spawn_roles(Some(url.clone()), Roles::only_projections(), distributed).await;
    let app = spawn_roles(Some(url.clone()), Roles { projections: false, ..Roles::all(true) }, distributed).await;
    let owner = app.owner_of_acme_through_kafka("owner@example.com", None).await;

    // given the read models' process gone
    projections.halt().await;
    let store = clouddeck_eventlog::connect(&url).await.unwrap();
    let before = store.head().await.unwrap();
    let create =
        json!({ "query": "mutation { createProject(organization: \"acme\", slug: \"blog\", name: \"Blog\") { id } }" });
    let send = || {
        let request = app
            .http
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&owner)
            .header("Idempotency-Key", "create-blog")
            .json(&create);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    // when a project is created
    let answer = send().await;
    let error = &answer["errors"][0];
    assert_eq!(error["extensions"]["code"], "ACCEPTED", "{answer}");
    let position = error["extensions"]["position"].as_i64().unwrap();
    assert!(error["message"].as_str().unwrap().contains("do not retry"), "{answer}");
    // then its events are in the log, up to the position said
    let head = store.head().await.unwrap();
    assert!(position > before && position <= head, "{before} < {position} <= {head}");
    // and a retry (the same key) gets the same answer and writes nothing
    assert_eq!(send().await, answer);
    assert_eq!(store.head().await.unwrap(), head);

    // once the read models run again, the project shows
    let projections = spawn_roles(Some(url.clone()), Roles::only_projections(), distributed).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, body) =
            app.post(Some(&owner), "{ organization(slug: \"acme\") { projects { slug } } }", json!({})).await;
        if body["data"]["organization"]["projects"] == json!([{ "slug": "blog" }]) {
            break;
        }
        assert!(Instant::now() < deadline, "the project never showed: {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.stop().await;
    projections.stop().await;
}

/// An edge (or an API, or a deployer) whose artifacts folder is not the installation's refuses
/// to start and says why, instead of failing deploys later with missing files; one that shares
/// the folder starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_with_another_artifacts_folder_refuses_to_start() {
    let url = postgres_database().await;
    let app = spawn_roles(Some(url.clone()), Roles::all(false), |_| {}).await;
    let scratch = clouddeck_testkit::Scratch::new();
    let mut apart = app.config.clone();
    apart.data_dir = scratch.path().join("data");
    apart.edge_addr = "127.0.0.1:0".into();
    apart.edge_https_addr = "127.0.0.1:0".into();
    for roles in [Roles::only_edge(), Roles::only_api(), Roles::only_deployer()] {
        let refused = clouddeck::server::Server::start(&apart, roles).await.err().expect("it should not start");
        let said = format!("{refused:#}");
        assert!(
            said.contains("is not the one this installation's other processes use")
                && said.contains("CLOUDDECK_S3_BUCKET"),
            "{said}"
        );
    }
    // the read models need no artifacts
    let projections = clouddeck::server::Server::start(&apart, Roles::only_projections()).await.unwrap();
    projections.shutdown().await;
    let mut shared = app.config.clone();
    shared.edge_addr = "127.0.0.1:0".into();
    shared.edge_https_addr = "127.0.0.1:0".into();
    let edge = clouddeck::server::Server::start(&shared, Roles::only_edge()).await.unwrap();
    edge.shutdown().await;
    app.stop().await;
}

/// An edge running as its own process (it learns of appends by polling the log) serves the new
/// production deployment to the first request after a production deploy, a promote or a
/// rollback answers: the
/// mutation waits for every live edge to have applied it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_separate_edge_serves_a_promote_or_rollback_as_soon_as_it_answers() {
    let url = postgres_database().await;
    let app = spawn_roles(Some(url.clone()), Roles::all(false), |_| {}).await;
    let data = app.data_dir();
    let edge = spawn_roles(Some(url.clone()), Roles::only_edge(), |config| config.data_dir = data).await;
    let token = app.owner_of_acme("owner@example.com", None).await;
    let scratch = clouddeck_testkit::Scratch::new();
    let mut ids = Vec::new();
    for version in ["one", "two"] {
        let deployed = deploy_to_production(&app, &token, &scratch.path().join(version), version).await;
        assert_eq!(deployed.status, "ready");
        ids.push(deployed.id);
    }
    // a production deploy (`deploy --prod`) is served by the separate edge once it returns
    let mut stale_deploys = Vec::new();
    for round in 0..6 {
        let dir = scratch.path().join(format!("round-{round}"));
        deploy_to_production(&app, &token, &dir, &format!("round {round}")).await;
        let answer =
            app.http.get(format!("http://{}/", edge.edge)).header("host", "blog.localhost").send().await.unwrap();
        let body = answer.text().await.unwrap();
        if body != format!("round {round}") {
            stale_deploys.push((round, body));
        }
    }
    assert!(
        stale_deploys.is_empty(),
        "the separate edge served an older deployment after deploy --prod: {stale_deploys:?}"
    );
    // (back to the first two versions for the switches below)
    for (mutation, id) in [("promoteDeployment", &ids[1])] {
        app.ok(Some(&token), &format!("mutation {{ {mutation}(id: \"{id}\") {{ id }} }}"), json!({})).await;
    }
    let mut stale = Vec::new();
    for round in 0..20 {
        let (mutation, id, expected) =
            if round % 2 == 0 { ("rollbackDeployment", &ids[0], "one") } else { ("promoteDeployment", &ids[1], "two") };
        app.ok(Some(&token), &format!("mutation {{ {mutation}(id: \"{id}\") {{ id }} }}"), json!({})).await;
        let answer =
            app.http.get(format!("http://{}/", edge.edge)).header("host", "blog.localhost").send().await.unwrap();
        let body = answer.text().await.unwrap();
        if body != expected {
            stale.push((round, body));
        }
    }
    assert!(
        stale.is_empty(),
        "the separate edge served the previous deployment after {} of 20 switches: {stale:?}",
        stale.len()
    );
    edge.stop().await;
    app.stop().await;
}

/// `clouddeck deploy --prebuilt --prod` of a site whose `index.html` is `page`, to acme's blog.
async fn deploy_to_production(
    app: &api::harness::App,
    token: &str,
    dir: &std::path::Path,
    page: &str,
) -> clouddeck::deploy_cmd::Deployed {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("index.html"), page).unwrap();
    let args = clouddeck::deploy_cmd::DeployArgs {
        dir: dir.to_path_buf(),
        project: Some("blog".into()),
        org: Some("acme".into()),
        prod: true,
        prebuilt: true,
    };
    let client = clouddeck::client::Client::new(&app.base, token);
    clouddeck::deploy_cmd::upload_and_deploy(&client, &args).await.unwrap()
}

/// `clouddeck projections run` as its own process on the installation of `url`.
fn start_projections(url: &str, brokers: &str, data: &std::path::Path) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_clouddeck"))
        .args(["projections", "run"])
        .env("CLOUDDECK_DATABASE_URL", url)
        .env("CLOUDDECK_KAFKA_BROKERS", brokers)
        .env("CLOUDDECK_DATA_DIR", data)
        .env("CLOUDDECK_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// `clouddeck projections status` on the installation of `url`.
fn projections_status(url: &str, brokers: &str, data: &std::path::Path) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_clouddeck"))
        .args(["projections", "status"])
        .env("CLOUDDECK_DATABASE_URL", url)
        .env("CLOUDDECK_KAFKA_BROKERS", brokers)
        .env("CLOUDDECK_DATA_DIR", data)
        .env("CLOUDDECK_LOG", "error")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// Polls `status` until a line has `needle` (30 s at most).
async fn status_until(url: &str, brokers: &str, data: &std::path::Path, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = projections_status(url, brokers, data);
        if status.contains(needle) {
            return status;
        }
        assert!(Instant::now() < deadline, "`{needle}` never showed in:\n{status}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Two read-model processes, the active one killed with SIGKILL (twice, the second time the
/// one that took over): the standby takes over, so every mutation sent meanwhile answers OK
/// once its write shows (none ACCEPTED, none failed), each write is in the next query, and
/// the read models end equal to a rebuild from the log. Before, a killed instance's
/// partitions stood still for good on this broker while the shared checkpoint said all was
/// applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_read_models_process_is_taken_over_by_its_standby() {
    let broker = Broker::spawn();
    let brokers = broker.address();
    let url = postgres_database().await;
    let scratch = clouddeck_testkit::Scratch::new();
    let data = scratch.path().join("projections");
    let distributed = |config: &mut clouddeck::config::Config| config.kafka_brokers = Some(broker.address());
    let app = spawn_roles(Some(url.clone()), Roles { projections: false, ..Roles::all(true) }, distributed).await;

    // given two read-model processes: the older reads, the other stands by
    let mut active = start_projections(&url, &brokers, &data);
    status_until(&url, &brokers, &data, " reads\n").await;
    let mut standby = start_projections(&url, &brokers, &data);
    status_until(&url, &brokers, &data, "standing by").await;
    let owner = app.owner_of_acme_through_kafka("owner@example.com", Some("blog")).await;
    let store = clouddeck_eventlog::connect(&url).await.unwrap();

    let set = "mutation($k: String!) { setEnvVar(organization: \"acme\", project: \"blog\", key: $k, value: \"v\", target: PRODUCTION) { key } }";
    let read = "{ project(organization: \"acme\", slug: \"blog\") { envVars { key } } }";
    let mut longest = Duration::ZERO;
    let mut round = 0;
    for kill in 0..2 {
        // when the active process is killed
        active.kill().unwrap();
        active.wait().unwrap();
        let killed_at = Instant::now();
        // then every write sent meanwhile answers once it shows, none ACCEPTED
        for _ in 0..4 {
            round += 1;
            let sent = Instant::now();
            let key = format!("ROUND_{round}");
            let (_, answer) = app.post(Some(&owner), set, json!({ "k": key })).await;
            longest = longest.max(sent.elapsed());
            assert_eq!(answer["data"]["setEnvVar"]["key"], key, "write {round}: {answer}");
            let (_, shown) = app.post(Some(&owner), read, json!({})).await;
            let keys = shown["data"]["project"]["envVars"].as_array().map_or(0, Vec::len);
            assert_eq!(keys, round, "write {round} is not in the next query: {shown}");
        }
        let status = status_until(&url, &brokers, &data, "caught up").await;
        eprintln!(
            "kill {kill}: first write answered within {longest:?}, caught up {:?} after the kill",
            killed_at.elapsed()
        );
        // and the one that took over reads, alone until another starts
        assert!(status.contains(" reads\n") || status.contains(" reads;"), "{status}");
        std::mem::swap(&mut active, &mut standby);
        standby = start_projections(&url, &brokers, &data);
        status_until(&url, &brokers, &data, "standing by").await;
    }
    let applied = clouddeck_projections::runner::checkpoint(&app_read_db(&url).await, "read_models").await.unwrap();
    assert_eq!(applied, store.head().await.unwrap());
    eprintln!("the longest a write waited to show across two kills: {longest:?}");

    // the owner's password hash is in the event table, and withheld from every Kafka message
    let topics = clouddeck_eventlog::kafka::Topics::for_installation(&store.installation_id().await.unwrap()).unwrap();
    let group = format!("auditor-{}", std::process::id());
    let mut auditor = clouddeck_eventlog::kafka::KafkaFeed::new(&brokers, &group, &topics.all()).unwrap();
    let mut published = std::collections::HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while (published.len() as i64) < applied {
        assert!(Instant::now() < deadline, "{} of {applied} events read back from Kafka", published.len());
        for event in clouddeck_eventlog::EventFeed::next_batch(&mut auditor, 500, Duration::from_secs(1)).await.unwrap()
        {
            published.insert(event.meta.position, event);
        }
    }
    let registered: Vec<_> = published.values().filter(|e| e.meta.event_type == "user.registered").collect();
    assert_eq!(registered.len(), 1);
    let hash_of = |event: &clouddeck_eventlog::RecordedEvent| match event.decode().unwrap() {
        clouddeck_events::Event::UserRegistered(user) => user.password_hash,
        other => panic!("{other:?}"),
    };
    assert_eq!(hash_of(registered[0]), None);
    let stored = store.read_all(registered[0].meta.position - 1, 1).await.unwrap();
    assert!(hash_of(&stored[0]).unwrap().starts_with("$argon2id$"));

    // the read models equal a rebuild from the log
    active.kill().unwrap();
    standby.kill().unwrap();
    let _ = (active.wait(), standby.wait());
    app.stop().await;
    let read_db = app_read_db(&url).await;
    let live = clouddeck_projections::snapshot(&read_db, &clouddeck_projections::ReadModels).await.unwrap();
    clouddeck_projections::rebuild(store.clone(), &read_db, std::sync::Arc::new(clouddeck_projections::ReadModels))
        .await
        .unwrap();
    assert_eq!(clouddeck_projections::snapshot(&read_db, &clouddeck_projections::ReadModels).await.unwrap(), live);
}

async fn app_read_db(url: &str) -> sqlx::AnyPool {
    clouddeck_projections::db::open(url).await.unwrap()
}

/// Two API processes on one PostgreSQL database take from the same rate-limit buckets: a
/// client alternating between them gets the burst once, not once per process, and the
/// refusal says when to come back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_processes_share_their_rate_limits() {
    let url = postgres_database().await;
    let limited = |config: &mut clouddeck::config::Config| {
        config.api_rate_limit = 0.5;
        config.api_rate_burst = 6;
    };
    let app = spawn_roles(Some(url.clone()), Roles::all(false), limited).await;
    let mut second = app.config.clone();
    second.api_addr = "127.0.0.1:0".into();
    let other = clouddeck::server::Server::start(&second, Roles::only_api()).await.unwrap();
    let bases = [app.base.clone(), format!("http://{}", other.api_addr.unwrap())];
    let ask = |base: &str| app.http.post(format!("{base}/graphql")).json(&json!({ "query": "{ __typename }" })).send();
    // given a client that alternates between the processes
    let mut statuses = Vec::new();
    for i in 0..10 {
        let response = ask(&bases[i % 2]).await.unwrap();
        statuses.push((response.status().as_u16(), response.headers().get("retry-after").cloned()));
    }
    // then the burst of 6 passes once across both, and the rest are refused with a wait
    let passed = statuses.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!(passed, 6, "{statuses:?}");
    assert!(statuses[6..].iter().all(|(status, wait)| *status == 429 && wait.is_some()), "{statuses:?}");
    // and the two processes kept one bucket for that caller, in the database
    let keys: Vec<String> =
        sqlx::query_scalar("SELECT key FROM api_rate_buckets").fetch_all(&app_read_db(&url).await).await.unwrap();
    // (under the API limiter's own prefix, which its sweep keeps to: the webhook limiter's
    // slower buckets share the table)
    assert_eq!(keys, ["api:address:127.0.0.1"], "one caller, one shared bucket");
    other.shutdown().await;
    app.stop().await;
}

/// Puts a claim for `key` in `api_idempotency` as an API process that died mid-request would
/// leave it: held by `holder`, its events (if any) correlated by `correlation`.
async fn leave_claim(app: &api::harness::App, caller: &str, key: &str, body: &[u8], holder: &str, correlation: &str) {
    let sealer = clouddeck_secrets::Sealer::from_env_or_file(None, &app.data_dir().join("secret.key")).unwrap();
    let db = app_read_db(app.config.database_url.as_deref().unwrap()).await;
    sqlx::query(
        "INSERT INTO api_idempotency (id, fingerprint, claimed_at, holder, correlation) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(clouddeck_secrets::sha256_hex(&format!("{caller}\u{0}{key}")))
    .bind(sealer.keyed_digest("idempotency request", body))
    .bind(clouddeck_eventlog::now_ms())
    .bind(holder)
    .bind(correlation)
    .execute(&db)
    .await
    .unwrap();
}

/// A retry whose first request's API process died (its heartbeat count stood still for 6 s)
/// is taken over, not left to the lease (which is only for holders that never counted): when the first request wrote, the answer says it
/// took effect and nothing runs again; when it did not, the request runs once. A claim whose
/// holder is alive is never taken over, even when the holder's clock is far behind: the retry
/// waits, then answers 409.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_the_api_process_died_never_has_a_second_effect() {
    let url = postgres_database().await;
    let app = spawn_roles(Some(url.clone()), Roles::all(false), |_| {}).await;
    let token = app.owner_of_acme("owner@example.com", Some("blog")).await;
    let (_, viewer) = app.post(Some(&token), "{ viewer { actor } }", json!({})).await;
    let caller = viewer["data"]["viewer"]["actor"].as_str().unwrap().to_string();
    let store = clouddeck_eventlog::connect(&url).await.unwrap();
    let set = |key: &str| json!({ "query": format!("mutation {{ setEnvVar(organization: \"acme\", project: \"blog\", key: \"{key}\", value: \"v\", target: PRODUCTION) {{ key }} }}") });
    let send = |body: Value, key: &'static str| {
        let request = app
            .http
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&token)
            .header("Idempotency-Key", key)
            .json(&body);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };

    // given a request whose process wrote its event, then died before answering (its
    // heartbeat counted to 41 and stopped)
    store.save_checkpoint("api-dead-process", 41).await.unwrap();
    let log = store.read_all(0, 1_000).await.unwrap();
    let written = log.last().unwrap().clone();
    // (the first event of the request's chain: a command may write several)
    let first = log.iter().find(|e| e.meta.correlation_id == written.meta.correlation_id).unwrap().meta.position;
    let body = set("FIRST");
    leave_claim(
        &app,
        &caller,
        "first",
        &serde_json::to_vec(&body).unwrap(),
        "dead-process",
        &written.meta.correlation_id.to_string(),
    )
    .await;
    let head = store.head().await.unwrap();
    // when it is retried
    let started = Instant::now();
    let answer = send(body, "first").await;
    // then the answer says it took effect, at once, and nothing was written again
    assert_eq!(answer["errors"][0]["extensions"]["code"], "ACCEPTED", "{answer}");
    assert_eq!(answer["errors"][0]["extensions"]["position"], first, "{answer}");
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(6) && took < Duration::from_secs(10), "{took:?}");
    assert_eq!(store.head().await.unwrap(), head);

    // given a request whose process died before writing anything
    let body = set("SECOND");
    let correlation = uuid::Uuid::now_v7();
    leave_claim(&app, &caller, "second", &serde_json::to_vec(&body).unwrap(), "dead-process", &correlation.to_string())
        .await;
    // then a retry runs it, once, carrying the claim's correlation id
    let answer = send(body.clone(), "second").await;
    assert_eq!(answer["data"]["setEnvVar"]["key"], "SECOND", "{answer}");
    let ran = store.read_all(head, 100).await.unwrap();
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0].meta.correlation_id, correlation);
    assert_eq!(send(body, "second").await, answer);

    // given a claim whose process is alive (its heartbeat counts on) but whose clock is
    // decades behind (every beat recorded at time 0)
    let db = clouddeck_eventlog::connect(&url).await.unwrap();
    let beating = tokio::spawn(async move {
        for beat in 1.. {
            db.save_checkpoint("api-live-process", beat).await.unwrap();
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    let events_db = app_read_db(&url).await;
    let skewed = tokio::spawn(async move {
        loop {
            sqlx::query("UPDATE log_checkpoints SET updated_at = 0 WHERE name = 'api-live-process'")
                .execute(&events_db)
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let body = set("THIRD");
    leave_claim(
        &app,
        &caller,
        "third",
        &serde_json::to_vec(&body).unwrap(),
        "live-process",
        &uuid::Uuid::now_v7().to_string(),
    )
    .await;
    let head = store.head().await.unwrap();
    // then a retry waits for its answer rather than running it, and says it is still running
    let answer = send(body, "third").await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "CONFLICT", "{answer}");
    assert!(answer["errors"][0]["message"].as_str().unwrap().contains("still running"), "{answer}");
    assert_eq!(store.head().await.unwrap(), head, "nothing ran");
    beating.abort();
    skewed.abort();

    // and a document with two mutation fields under one key is refused before it runs
    let two = json!({ "query": "mutation { a: setEnvVar(organization: \"acme\", project: \"blog\", key: \"A\", value: \"v\", target: PRODUCTION) { key } b: setEnvVar(organization: \"acme\", project: \"blog\", key: \"B\", value: \"v\", target: PRODUCTION) { key } }" });
    let refused = app
        .http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&token)
        .header("Idempotency-Key", "two")
        .json(&two)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let refused: Value = refused.json().await.unwrap();
    assert!(refused["errors"][0]["message"].as_str().unwrap().contains("one mutation field"), "{refused}");
    assert_eq!(store.head().await.unwrap(), head, "nothing ran");
    app.stop().await;
}
