//! `clouddeck bench`'s API part: the dashboard's project query (a project with 20
//! deployments) against the real server on a fresh SQLite file, from 32 concurrent clients.

use crate::config::Config;
use crate::server::{Roles, Server};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const DASHBOARD: &str = "query($org: String!, $slug: String!) { project(organization: $org, slug: $slug) { \
     id name settings { framework productionBranch buildCommand } envVars { key target } \
     productionDeployment { id url status } \
     deployments(first: 20) { edges { cursor node { id status target url createdAt build { durationMs } } } pageInfo { hasNextPage } } } }";

async fn call(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    let mut request = http.post(url).json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let body: Value = request.send().await?.json().await?;
    anyhow::ensure!(body.get("errors").is_none(), "{body}");
    Ok(body["data"].clone())
}

pub async fn run(config: &Config, concurrency: usize, seconds: u64) -> anyhow::Result<()> {
    let dir = config.data_dir.join(format!("bench-api-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir)?;
    let bench_config = Config {
        data_dir: dir.clone(),
        database_url: Some(format!("sqlite:{}", dir.join("api.db").display())),
        kafka_brokers: None,
        kafka_topic_prefix: None,
        api_addr: "127.0.0.1:0".into(),
        edge_addr: "127.0.0.1:0".into(),
        api_rate_limit: 1e9,
        api_rate_burst: u32::MAX,
        ..config.clone()
    };
    let server = Server::start(&bench_config, Roles::all(false)).await?;
    let url = format!("http://{}/graphql", server.api_addr.ok_or_else(|| anyhow::anyhow!("API not bound"))?);
    let http = reqwest::Client::new();
    let register = "mutation { registerUser(email: \"bench@example.com\", name: \"Bench\", password: \"a long bench password\") { token } }";
    let data = call(&http, &url, None, register, json!({})).await?;
    let session = data["registerUser"]["token"].as_str().unwrap_or_default().to_string();
    let token = Some(session.as_str());
    call(&http, &url, token, "mutation { createOrganization(slug: \"bench\", name: \"Bench\") { id } }", json!({}))
        .await?;
    call(&http, &url, token, "mutation { createProject(organization: \"bench\", slug: \"site\", name: \"Site\", framework: \"vite\") { id } }", json!({})).await?;
    for key in ["API_URL", "SENTRY_DSN", "STRIPE_KEY"] {
        let set = format!(
            "mutation {{ setEnvVar(organization: \"bench\", project: \"site\", key: \"{key}\", value: \"v\", target: PRODUCTION) {{ key }} }}"
        );
        call(&http, &url, token, &set, json!({})).await?;
    }
    for n in 0..20 {
        let deploy = format!(
            "mutation {{ requestDeployment(organization: \"bench\", project: \"site\", target: PREVIEW, sourceKind: \"upload\", sourceRef: \"u{n}\") {{ id }} }}"
        );
        call(&http, &url, token, &deploy, json!({})).await?;
    }
    let variables = json!({ "org": "bench", "slug": "site" });
    let check = call(&http, &url, token, DASHBOARD, variables.clone()).await?;
    anyhow::ensure!(
        check["project"]["deployments"]["edges"].as_array().map_or(0, Vec::len) == 20,
        "expected 20 deployments"
    );

    // The load comes from this process, on the same cores: keep the client's share small by
    // sending prebuilt bytes and only scanning the answer for errors.
    let body = bytes::Bytes::from(json!({ "query": DASHBOARD, "variables": variables }).to_string());
    let authorization = format!("Bearer {session}");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut clients = Vec::new();
    for _ in 0..concurrency {
        let (http, url, body, authorization) = (http.clone(), url.clone(), body.clone(), authorization.clone());
        clients.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let started = Instant::now();
                let answer = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("authorization", &authorization)
                    .body(body.clone())
                    .send()
                    .await?
                    .bytes()
                    .await?;
                anyhow::ensure!(!answer.windows(9).any(|w| w == b"\"errors\"") && answer.len() > 1000, "bad answer");
                latencies.push(started.elapsed());
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for client in clients {
        latencies.extend(client.await??);
    }
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{:<44} {:>10.0}/s   p50 {:.2?}  p99 {:.2?}  ({} requests, concurrency {concurrency})",
        "API dashboard query (project, 20 deployments)",
        latencies.len() as f64 / seconds as f64,
        at(0.50),
        at(0.99),
        latencies.len(),
    );
    let edge = server.edge_addr.ok_or_else(|| anyhow::anyhow!("edge not bound"))?;
    let base = url.trim_end_matches("/graphql").to_string();
    push_to_live(&dir, &base, &session, edge).await?;
    server.shutdown().await;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// Time from the first byte uploaded until the production alias serves the new site:
/// a prebuilt 1,000-file site, then the same site with one file changed.
async fn push_to_live(
    dir: &std::path::Path,
    base: &str,
    token: &str,
    edge: std::net::SocketAddr,
) -> anyhow::Result<()> {
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("assets"))?;
    for n in 0..999 {
        std::fs::write(site.join(format!("assets/file-{n}.txt")), format!("{n}: {}", "x".repeat(1000)))?;
    }
    let client = crate::client::Client::new(base, token);
    let args = crate::deploy_cmd::DeployArgs {
        dir: site.clone(),
        project: Some("push".into()),
        org: Some("bench".into()),
        prod: true,
        prebuilt: true,
    };
    let http = reqwest::Client::new();
    for (label, version) in [("1,000 files", "one"), ("one file changed", "two")] {
        std::fs::write(site.join("index.html"), format!("<h1>{version}</h1>"))?;
        let started = Instant::now();
        let deployed = crate::deploy_cmd::upload_and_deploy(&client, &args).await?;
        anyhow::ensure!(deployed.status == "ready", "deploy {}: {:?}", deployed.status, deployed.error);
        loop {
            let body =
                http.get(format!("http://{edge}/")).header("host", "push.localhost").send().await?.text().await?;
            if body.contains(version) {
                break;
            }
            anyhow::ensure!(started.elapsed() < Duration::from_secs(60), "production never served {version}");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        println!(
            "{:<44} {:>8} ms   ({} files, {} uploaded)",
            format!("push to live, prebuilt, {label}"),
            started.elapsed().as_millis(),
            deployed.files,
            deployed.uploaded
        );
    }
    Ok(())
}
