//! The CLI's side of the API: where the server is and which token to use, and the calls the
//! user's commands make. `--url` / `--token` (or `CLOUDDECK_URL` / `CLOUDDECK_TOKEN`) win;
//! then what `clouddeck login` saved; then, on the server's own machine, the first-run token
//! in the data folder.
//!
//! Every call honours the server's rate limit: a 429 is waited out (its `Retry-After`) and
//! sent again, a few times, so a deploy never trips its own server's limits.

use anyhow::{Context as _, bail};
use clap::Args;
use serde_json::{Value, json};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::time::Duration;

/// What the user's commands take: where the server is, as whom, and how to print.
#[derive(Debug, Clone, Args)]
pub struct ClientArgs {
    /// The API's address (default: what `clouddeck login` saved, else this machine's server).
    #[arg(long, global = true, env = "CLOUDDECK_URL")]
    pub url: Option<String>,
    /// A session or API token (default: what `clouddeck login` saved, else this machine's
    /// admin token).
    #[arg(long, global = true, env = "CLOUDDECK_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Where this machine's server keeps its data (for its admin token).
    #[arg(long, global = true, env = "CLOUDDECK_DATA_DIR", default_value = "./.clouddeck")]
    pub data_dir: PathBuf,
    /// Print listings as JSON, one document.
    #[arg(long, global = true)]
    pub json: bool,
}

/// How many times a rate-limited call is sent again.
const RETRIES: usize = 8;

pub struct Client {
    pub base: String,
    token: String,
    http: reqwest::Client,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Login {
    url: String,
    token: String,
}

fn login_file() -> Option<PathBuf> {
    let config_home = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(config_home.join("clouddeck").join("login.json"))
}

/// Saves a server URL and token for this user (mode 0600).
pub fn save_login(url: &str, token: &str) -> anyhow::Result<PathBuf> {
    let path = login_file().context("neither XDG_CONFIG_HOME nor HOME is set")?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let _ = std::fs::remove_file(&path);
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path)?;
    file.write_all(
        serde_json::to_string_pretty(&Login { url: url.trim_end_matches('/').into(), token: token.into() })?.as_bytes(),
    )?;
    Ok(path)
}

/// An error the server answered, with its `extensions.code` (`NOT_FOUND`, `FORBIDDEN`…).
#[derive(Debug, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

impl Client {
    pub fn new(base: &str, token: &str) -> Client {
        Client { base: base.trim_end_matches('/').to_string(), token: token.to_string(), http: reqwest::Client::new() }
    }

    pub fn resolve(args: &ClientArgs) -> anyhow::Result<Client> {
        let saved: Option<Login> =
            login_file().and_then(|p| std::fs::read(p).ok()).and_then(|bytes| serde_json::from_slice(&bytes).ok());
        let local_token = std::fs::read_to_string(args.data_dir.join("admin-token")).ok().map(|t| t.trim().to_string());
        let url = args
            .url
            .clone()
            .or_else(|| saved.as_ref().map(|l| l.url.clone()))
            // On the server's machine: where its API listens.
            .or_else(|| std::env::var("CLOUDDECK_API_ADDR").ok().map(|addr| format!("http://{addr}")))
            .unwrap_or_else(|| "http://127.0.0.1:4000".into());
        let token = args.token.clone().or_else(|| saved.map(|l| l.token)).or(local_token);
        let Some(token) = token else {
            bail!(
                "not logged in: run `clouddeck login --url URL --token TOKEN`, or `clouddeck up` on this machine first"
            );
        };
        Ok(Client { base: url.trim_end_matches('/').to_string(), token, http: reqwest::Client::new() })
    }

    /// Sends a request built by `build`, again after a 429's `Retry-After`.
    async fn send(&self, build: impl Fn() -> reqwest::RequestBuilder) -> anyhow::Result<reqwest::Response> {
        for attempt in 0..=RETRIES {
            let response = build().send().await.with_context(|| format!("cannot reach CloudDeck at {}", self.base))?;
            if response.status() != reqwest::StatusCode::TOO_MANY_REQUESTS || attempt == RETRIES {
                return Ok(response);
            }
            let wait = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(1)
                .clamp(1, 60);
            tokio::time::sleep(Duration::from_secs(wait)).await;
        }
        bail!("the server kept refusing for its rate limit")
    }

    /// Runs a GraphQL operation; an error answer becomes an `ApiError` naming its code.
    pub async fn graphql(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let body = json!({ "query": query, "variables": variables });
        let response =
            self.send(|| self.http.post(format!("{}/graphql", self.base)).bearer_auth(&self.token).json(&body)).await?;
        let body: Value = response.json().await.context("the server's answer is not JSON")?;
        if let Some(error) = body["errors"].as_array().and_then(|e| e.first()) {
            return Err(ApiError {
                code: error["extensions"]["code"].as_str().unwrap_or("ERROR").into(),
                message: error["message"].as_str().unwrap_or("unknown error").into(),
            }
            .into());
        }
        Ok(body["data"].clone())
    }

    /// Which of `hashes` the project's organization has not uploaded yet (20,000 at a time).
    pub async fn missing_blobs(
        &self,
        organization: &str,
        project: &str,
        hashes: &[String],
    ) -> anyhow::Result<Vec<String>> {
        let mut missing = Vec::new();
        for batch in hashes.chunks(20_000) {
            let body = json!({ "organization": organization, "project": project, "hashes": batch });
            let response = self
                .send(|| self.http.post(format!("{}/v1/blobs/missing", self.base)).bearer_auth(&self.token).json(&body))
                .await?;
            let status = response.status();
            let body: Value = response.json().await?;
            if !status.is_success() {
                bail!("checking blobs: {}", body["errors"][0]["message"].as_str().unwrap_or("refused"));
            }
            missing.extend(
                body["missing"].as_array().into_iter().flatten().filter_map(|h| h.as_str().map(str::to_string)),
            );
        }
        Ok(missing)
    }

    /// Uploads one file's bytes for the project.
    pub async fn upload_blob(
        &self,
        organization: &str,
        project: &str,
        hash: &str,
        bytes: Vec<u8>,
    ) -> anyhow::Result<()> {
        let body = bytes::Bytes::from(bytes);
        let response = self
            .send(|| {
                self.http
                    .put(format!("{}/v1/blobs/{hash}", self.base))
                    .query(&[("organization", organization), ("project", project)])
                    .bearer_auth(&self.token)
                    .body(body.clone())
            })
            .await?;
        answered(response, &format!("uploading {hash}")).await
    }

    /// Uploads many files in one request (`POST /v1/blobs`): `(hash, bytes)` each.
    pub async fn upload_batch(
        &self,
        organization: &str,
        project: &str,
        parts: &[(String, Vec<u8>)],
    ) -> anyhow::Result<()> {
        let mut body = Vec::with_capacity(parts.iter().map(|(_, b)| b.len() + 80).sum());
        for (hash, bytes) in parts {
            body.extend_from_slice(format!("{hash} {}\n", bytes.len()).as_bytes());
            body.extend_from_slice(bytes);
        }
        let body = bytes::Bytes::from(body);
        let response = self
            .send(|| {
                self.http
                    .post(format!("{}/v1/blobs", self.base))
                    .query(&[("organization", organization), ("project", project)])
                    .bearer_auth(&self.token)
                    .body(body.clone())
            })
            .await?;
        answered(response, &format!("uploading {} files", parts.len())).await
    }
}

async fn answered(response: reqwest::Response, what: &str) -> anyhow::Result<()> {
    if response.status().is_success() {
        return Ok(());
    }
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    bail!("{what}: {status} {}", body["errors"][0]["message"].as_str().unwrap_or(""))
}
