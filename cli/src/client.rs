//! The CLI's side of the API: where the server is and which token to use, and the calls the
//! user's commands make. `CLOUDDECK_URL` / `CLOUDDECK_TOKEN` win; then what `clouddeck login`
//! saved; then, on the server's own machine, the first-run token in the data folder.

use crate::bootstrap::admin_token_path;
use crate::config::Config;
use anyhow::{Context as _, bail};
use serde_json::{Value, json};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

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

impl Client {
    pub fn new(base: &str, token: &str) -> Client {
        Client { base: base.trim_end_matches('/').to_string(), token: token.to_string(), http: reqwest::Client::new() }
    }

    pub fn resolve(config: &Config) -> anyhow::Result<Client> {
        let saved: Option<Login> =
            login_file().and_then(|p| std::fs::read(p).ok()).and_then(|bytes| serde_json::from_slice(&bytes).ok());
        let local_token = std::fs::read_to_string(admin_token_path(config)).ok().map(|t| t.trim().to_string());
        let url = std::env::var("CLOUDDECK_URL")
            .ok()
            .or_else(|| saved.as_ref().map(|l| l.url.clone()))
            .unwrap_or_else(|| format!("http://{}", config.api_addr));
        let token = std::env::var("CLOUDDECK_TOKEN").ok().or_else(|| saved.map(|l| l.token)).or(local_token);
        let Some(token) = token else {
            bail!(
                "not logged in: run `clouddeck login --url URL --token TOKEN`, or `clouddeck up` on this machine first"
            );
        };
        Ok(Client { base: url.trim_end_matches('/').to_string(), token, http: reqwest::Client::new() })
    }

    /// Runs a GraphQL operation; an error answer becomes an error naming its code.
    pub async fn graphql(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let response = self
            .http
            .post(format!("{}/graphql", self.base))
            .bearer_auth(&self.token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .with_context(|| format!("cannot reach CloudDeck at {}", self.base))?;
        let body: Value = response.json().await.context("the server's answer is not JSON")?;
        if let Some(error) = body["errors"].as_array().and_then(|e| e.first()) {
            let code = error["extensions"]["code"].as_str().unwrap_or("ERROR");
            bail!("{code}: {}", error["message"].as_str().unwrap_or("unknown error"));
        }
        Ok(body["data"].clone())
    }

    /// Which of `hashes` the project's organization has not uploaded yet.
    pub async fn missing_blobs(
        &self,
        organization: &str,
        project: &str,
        hashes: &[String],
    ) -> anyhow::Result<Vec<String>> {
        let response = self
            .http
            .post(format!("{}/v1/blobs/missing", self.base))
            .bearer_auth(&self.token)
            .json(&json!({ "organization": organization, "project": project, "hashes": hashes }))
            .send()
            .await?;
        let status = response.status();
        let body: Value = response.json().await?;
        if !status.is_success() {
            bail!("checking blobs: {}", body["errors"][0]["message"].as_str().unwrap_or("refused"));
        }
        Ok(body["missing"]
            .as_array()
            .map(|a| a.iter().filter_map(|h| h.as_str().map(str::to_string)).collect())
            .unwrap_or_default())
    }

    /// Uploads one file's bytes for the project.
    pub async fn upload_blob(
        &self,
        organization: &str,
        project: &str,
        hash: &str,
        bytes: Vec<u8>,
    ) -> anyhow::Result<()> {
        let response = self
            .http
            .put(format!("{}/v1/blobs/{hash}", self.base))
            .query(&[("organization", organization), ("project", project)])
            .bearer_auth(&self.token)
            .body(bytes)
            .send()
            .await?;
        if !response.status().is_success() {
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            bail!("uploading {hash}: {status} {}", body["errors"][0]["message"].as_str().unwrap_or(""));
        }
        Ok(())
    }
}
