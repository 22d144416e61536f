//! The distributed mode's fault suite (issue 15): every role its own `clouddeck` process on
//! one PostgreSQL database and a private Kafka-protocol broker (tansu), under a steady load
//! of env var writes (each with an Idempotency-Key, read back at once), production deploys
//! and edge requests. Each role in turn, and then the broker, is killed with SIGKILL and
//! started again. Asserted at the end: no acknowledged write lost, no write answered as
//! failed, every deployment ready (none failed), the log verified, and the read models equal
//! to a rebuild from the log, and the usage the analytics projector put in ClickHouse equal to
//! the log's. Printed: per kill, the time until the read models had caught up with the log as
//! it stood at the restart, and the longest a read missed an acknowledged write.
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use clouddeck_testkit::{Broker, Scratch, free_port, postgres_database};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One role's process, started again after a kill with the same settings and addresses.
struct Role {
    args: &'static [&'static str],
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Option<Child>,
}

impl Role {
    fn start(&mut self) {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_clouddeck"))
            .args(self.args)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("CLOUDDECK_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }
}

impl Drop for Role {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What the load saw.
#[derive(Default)]
struct Ledger {
    /// Env var keys whose write was answered OK or ACCEPTED.
    acknowledged: Vec<String>,
    /// Writes answered with an error other than ACCEPTED, with the answer.
    failed: Vec<String>,
    /// The longest a read after an acknowledged write did not show it.
    longest_miss: Duration,
    /// Deployments created (whatever became of the CLI's wait).
    deployments: Vec<String>,
    edge_ok: u64,
    edge_other: u64,
}

async fn graphql(http: &reqwest::Client, api: &str, token: &str, query: &str, key: Option<&str>) -> Option<Value> {
    let mut request = http.post(format!("{api}/graphql")).bearer_auth(token).json(&json!({ "query": query }));
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    // (a retry of a key whose first request died with its process waits out the lease, 60 s)
    let response = request.timeout(Duration::from_secs(90)).send().await.ok()?;
    response.json::<Value>().await.ok()
}

/// Writes env vars one after another, each retried with its key until it gets an answer,
/// then read back until it shows.
async fn write_env_vars(api: String, token: String, ledger: Arc<Mutex<Ledger>>, stop: Arc<Mutex<bool>>) {
    let http = reqwest::Client::new();
    let mut n = 0;
    while !*stop.lock().unwrap() {
        n += 1;
        let key = format!("K{n}");
        let set = format!(
            "mutation {{ setEnvVar(organization: \"acme\", project: \"blog\", key: \"{key}\", value: \"v\", target: PRODUCTION) {{ key }} }}"
        );
        let deadline = Instant::now() + Duration::from_secs(120);
        let answer = loop {
            // (no answer: the API's process is down; the same key again once it is back)
            if let Some(answer) = graphql(&http, &api, &token, &set, Some(&format!("write-{key}"))).await {
                break answer;
            }
            assert!(Instant::now() < deadline, "write {key} never got an answer");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let code = answer["errors"][0]["extensions"]["code"].as_str().unwrap_or_default();
        if answer["data"]["setEnvVar"]["key"] != key && code != "ACCEPTED" {
            ledger.lock().unwrap().failed.push(format!("{key}: {answer}"));
            continue;
        }
        ledger.lock().unwrap().acknowledged.push(key.clone());
        // read your write: how long until it shows
        let written = Instant::now();
        let read = "{ project(organization: \"acme\", slug: \"blog\") { envVars { key } } }";
        loop {
            let shown = graphql(&http, &api, &token, read, None).await;
            let keys = shown.as_ref().and_then(|s| s["data"]["project"]["envVars"].as_array().cloned());
            if keys.is_some_and(|keys| keys.iter().any(|k| k["key"] == key)) {
                break;
            }
            if written.elapsed() > Duration::from_secs(120) {
                ledger.lock().unwrap().failed.push(format!("{key} never showed"));
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        {
            let mut ledger = ledger.lock().unwrap();
            ledger.longest_miss = ledger.longest_miss.max(written.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Deploys a new production version every 2 s; one the CLI lost track of (the API died) is
/// found at the end by listing the project's deployments.
async fn deploy(api: String, token: String, site: PathBuf, ledger: Arc<Mutex<Ledger>>, stop: Arc<Mutex<bool>>) {
    let client = clouddeck::client::Client::new(&api, &token);
    let mut n = 0;
    while !*stop.lock().unwrap() {
        n += 1;
        std::fs::write(site.join("index.html"), format!("version {n}")).unwrap();
        let args = clouddeck::deploy_cmd::DeployArgs {
            dir: site.clone(),
            project: Some("blog".into()),
            org: Some("acme".into()),
            prod: true,
            prebuilt: true,
        };
        if let Ok(deployed) = clouddeck::deploy_cmd::upload_and_deploy(&client, &args).await {
            ledger.lock().unwrap().deployments.push(deployed.id);
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

async fn browse(edge: String, ledger: Arc<Mutex<Ledger>>, stop: Arc<Mutex<bool>>) {
    let http = reqwest::Client::new();
    while !*stop.lock().unwrap() {
        let answer = http
            .get(format!("http://{edge}/"))
            .header("host", "blog.localhost")
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        let ok = answer.is_ok_and(|a| a.status().is_success());
        {
            let mut ledger = ledger.lock().unwrap();
            if ok {
                ledger.edge_ok += 1;
            } else {
                ledger.edge_other += 1;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_listening(address: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while tokio::net::TcpStream::connect(address).await.is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {address}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn read_models_position(db: &sqlx::AnyPool) -> i64 {
    clouddeck_projections::runner::checkpoint(db, "read_models").await.unwrap()
}

fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_role_killed_in_turn_loses_and_fails_nothing() {
    let mut broker = Broker::spawn();
    let url = postgres_database().await;
    let (clickhouse_url, clickhouse_database) = clouddeck_testkit::clickhouse();
    let scratch = Scratch::new();
    std::fs::set_permissions(scratch.path(), std::os::unix::fs::PermissionsExt::from_mode(0o711)).unwrap();
    let (api_port, edge_port, https_port) = (free_port(), free_port(), free_port());
    let api = format!("http://127.0.0.1:{api_port}");
    let edge = format!("127.0.0.1:{edge_port}");
    let common: Vec<(String, String)> = [
        ("CLOUDDECK_DATABASE_URL", url.clone()),
        ("CLOUDDECK_KAFKA_BROKERS", broker.address()),
        ("CLOUDDECK_DATA_DIR", scratch.path().join("data").display().to_string()),
        ("CLOUDDECK_BUILDS_DIR", scratch.path().join("builds").display().to_string()),
        ("CLOUDDECK_TOOLCHAINS_DIR", api::harness::shared_toolchains().display().to_string()),
        ("CLOUDDECK_API_ADDR", format!("127.0.0.1:{api_port}")),
        ("CLOUDDECK_EDGE_ADDR", edge.clone()),
        ("CLOUDDECK_EDGE_HTTPS_ADDR", format!("127.0.0.1:{https_port}")),
        ("CLOUDDECK_DEPLOYER_ID", "deployer-1".into()),
        ("CLOUDDECK_CLICKHOUSE_URL", clickhouse_url.clone()),
        ("CLOUDDECK_CLICKHOUSE_DATABASE", clickhouse_database.clone()),
        // (usage windows every 2 s, so that several are cut while roles die)
        ("CLOUDDECK_METER_WINDOW_SECS", "2".into()),
        ("CLOUDDECK_API_RATE_LIMIT", "10000".into()),
        ("CLOUDDECK_API_RATE_BURST", "10000".into()),
        ("CLOUDDECK_EDGE_REQUEST_RATE", "100000".into()),
        ("CLOUDDECK_EDGE_REQUEST_BURST", "100000".into()),
        ("CLOUDDECK_EDGE_CONNECTION_RATE", "100000".into()),
        ("CLOUDDECK_EDGE_CONNECTION_BURST", "100000".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let role = |name: &'static str, args: &'static [&'static str]| Role {
        args,
        env: common.clone(),
        log: scratch.path().join(format!("{name}.log")),
        child: None,
    };
    // The relay first: the others' first start makes the installation and the artifacts
    // folder's token, which must not race each other.
    let mut relay = role("relay", &["relay"]);
    relay.start();
    let store = {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let store = clouddeck_eventlog::connect(&url).await.unwrap();
            if store.installation_id().await.is_ok() {
                break store;
            }
            assert!(Instant::now() < deadline);
        }
    };
    let mut api_role = role("api", &["api"]);
    api_role.start();
    wait_listening(&format!("127.0.0.1:{api_port}")).await;
    let mut projections =
        [role("projections-a", &["projections", "run"]), role("projections-b", &["projections", "run"])];
    projections[0].start();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    projections[1].start();
    let mut edge_role = role("edge", &["edge"]);
    edge_role.start();
    let mut deployer = role("deployer", &["deployer"]);
    deployer.start();
    wait_listening(&edge).await;

    // the first owner, an organization and a project
    let http = reqwest::Client::new();
    let register = "mutation { registerUser(email: \"owner@example.com\", name: \"Owner\", password: \"correct horse battery\") { token } }";
    let answer: Value = http
        .post(format!("{api}/graphql"))
        .json(&json!({ "query": register }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = answer["data"]["registerUser"]["token"].as_str().unwrap().to_string();
    for (key, setup) in [
        ("setup-organization", "mutation { createOrganization(slug: \"acme\", name: \"Acme\") { id } }"),
        ("setup-project", "mutation { createProject(organization: \"acme\", slug: \"blog\", name: \"Blog\") { id } }"),
    ] {
        let done = graphql(&http, &api, &token, setup, Some(key)).await.unwrap();
        assert!(done["errors"].is_null() || done["errors"][0]["extensions"]["code"] == "ACCEPTED", "{done}");
    }
    let read_db = clouddeck_projections::db::open(&url).await.unwrap();
    let poll_project = "{ project(organization: \"acme\", slug: \"blog\") { id } }";
    let deadline = Instant::now() + Duration::from_secs(30);
    while graphql(&http, &api, &token, poll_project, None).await.is_none_or(|a| a["data"]["project"]["id"].is_null()) {
        assert!(Instant::now() < deadline, "the project never showed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // given a steady load
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let stop = Arc::new(Mutex::new(false));
    let site = scratch.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    let load = [
        tokio::spawn(write_env_vars(api.clone(), token.clone(), ledger.clone(), stop.clone())),
        tokio::spawn(deploy(api.clone(), token.clone(), site, ledger.clone(), stop.clone())),
        tokio::spawn(browse(edge.clone(), ledger.clone(), stop.clone())),
    ];
    tokio::time::sleep(Duration::from_secs(3)).await;

    // when each role in turn, then the broker, is killed and started again
    let mut figures = Vec::new();
    for victim in ["relay", "projections (the active one)", "api", "edge", "deployer", "broker"] {
        let killed_at = Instant::now();
        match victim {
            "relay" => relay.kill(),
            "api" => api_role.kill(),
            "edge" => edge_role.kill(),
            "deployer" => deployer.kill(),
            "broker" => broker.kill(),
            _ => {
                projections[0].kill();
                projections.swap(0, 1);
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        match victim {
            "relay" => relay.start(),
            "api" => api_role.start(),
            "edge" => edge_role.start(),
            "deployer" => deployer.start(),
            "broker" => broker.start(),
            _ => projections[1].start(),
        }
        let head = store.head().await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(90);
        while read_models_position(&read_db).await < head {
            assert!(
                Instant::now() < deadline,
                "the read models did not catch up after the {victim} was killed\nprojections-a:\n{}\nprojections-b:\n{}\nrelay:\n{}",
                tail(&projections[0].log),
                tail(&projections[1].log),
                tail(&relay.log)
            );
            if std::env::var("FAULTS_DEBUG").is_ok() {
                let relayed = store.load_checkpoint("kafka-relay").await.unwrap();
                eprintln!(
                    "{:.1?} head {head} relayed {relayed} read models {}",
                    killed_at.elapsed(),
                    read_models_position(&read_db).await
                );
                tokio::time::sleep(Duration::from_millis(950)).await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        figures.push(format!("{victim}: caught up {:.1?} after the kill (2 s down)", killed_at.elapsed()));
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    *stop.lock().unwrap() = true;
    for task in load {
        tokio::time::timeout(Duration::from_secs(150), task).await.unwrap().unwrap();
    }

    // then nothing acknowledged is lost and nothing was answered as failed
    let ledger = Arc::try_unwrap(ledger).ok().unwrap().into_inner().unwrap();
    if std::env::var("FAULTS_DEBUG").is_ok() {
        for role in &projections {
            eprintln!("--- {}\n{}", role.log.display(), std::fs::read_to_string(&role.log).unwrap_or_default());
        }
    }
    for figure in &figures {
        eprintln!("{figure}");
    }
    eprintln!(
        "{} writes acknowledged, the longest a read missed one: {:.1?}; {} deployments; edge: {} OK, {} not",
        ledger.acknowledged.len(),
        ledger.longest_miss,
        ledger.deployments.len(),
        ledger.edge_ok,
        ledger.edge_other
    );
    assert!(ledger.failed.is_empty(), "writes answered as failed: {:?}", ledger.failed);
    let head = store.head().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while read_models_position(&read_db).await < head {
        assert!(Instant::now() < deadline, "the read models never caught up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let keys: Vec<String> = sqlx::query_scalar("SELECT key FROM rm_env_vars").fetch_all(&read_db).await.unwrap();
    for key in &ledger.acknowledged {
        assert!(keys.contains(key), "the acknowledged write {key} is lost");
    }
    assert!(ledger.acknowledged.len() >= 10, "too little load: {}", ledger.acknowledged.len());
    // and every deployment became ready: none failed, none stuck, whatever was killed
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let statuses: Vec<(String, String)> =
            sqlx::query_as("SELECT deployment_id, status FROM rm_deployments").fetch_all(&read_db).await.unwrap();
        assert!(statuses.iter().all(|(_, s)| s != "failed"), "a deployment failed: {statuses:?}");
        if statuses.iter().all(|(_, s)| s == "ready") {
            // (at least two: a deploy --prod waits up to 5 s for an edge killed moments ago,
            // whose progress row counts as live for 6 s, so few fit in the run)
            assert!(statuses.len() >= ledger.deployments.len() && statuses.len() >= 2, "{statuses:?}");
            break;
        }
        assert!(Instant::now() < deadline, "deployments stuck: {statuses:?}\ndeployer:\n{}", tail(&deployer.log));
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // and the usage in ClickHouse equals the log's (as the read models sum it), every meter
    let analytics =
        clouddeck_projections::analytics::Analytics::connect(&clickhouse_url, &clickhouse_database).await.unwrap();
    let organization: String =
        sqlx::query_scalar("SELECT organization_id FROM rm_organizations").fetch_one(&read_db).await.unwrap();
    let from_log: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT metric, project_id, CAST(SUM(quantity) AS BIGINT) FROM rm_usage WHERE organization_id = $1 \
         AND metric <> 'seats' GROUP BY metric, project_id ORDER BY metric, project_id",
    )
    .bind(&organization)
    .fetch_all(&read_db)
    .await
    .unwrap();
    assert!(from_log.iter().any(|(metric, _, quantity)| metric == "requests" && *quantity > 100), "{from_log:?}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now = clouddeck_eventlog::now_ms();
        let in_clickhouse: Vec<(String, String, i64)> = analytics
            .usage(&organization, now - 86_400_000, now + 86_400_000)
            .await
            .unwrap()
            .into_iter()
            .map(|u| (u.metric, u.project_id, u.quantity))
            .filter(|(metric, ..)| metric != "seats")
            .collect();
        if in_clickhouse == from_log {
            break;
        }
        assert!(Instant::now() < deadline, "ClickHouse {in_clickhouse:?} != the log {from_log:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    analytics.drop_database().await.unwrap();

    // and the log verifies, and the read models equal a rebuild
    let verified = Command::new(env!("CARGO_BIN_EXE_clouddeck"))
        .args(["events", "verify"])
        .env("CLOUDDECK_DATABASE_URL", &url)
        .env("CLOUDDECK_DATA_DIR", scratch.path().join("data"))
        .output()
        .unwrap();
    assert!(verified.status.success(), "{}", String::from_utf8_lossy(&verified.stdout));
    for role in [&mut relay, &mut api_role, &mut edge_role, &mut deployer] {
        role.kill();
    }
    for role in &mut projections {
        role.kill();
    }
    let live = clouddeck_projections::snapshot(&read_db, &clouddeck_projections::ReadModels).await.unwrap();
    clouddeck_projections::rebuild(store.clone(), &read_db, Arc::new(clouddeck_projections::ReadModels)).await.unwrap();
    assert_eq!(clouddeck_projections::snapshot(&read_db, &clouddeck_projections::ReadModels).await.unwrap(), live);
}
