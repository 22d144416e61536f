//! Fetching a pushed commit: a shallow fetch of exactly that commit from the project's own
//! repository URL (never one named by the webhook's payload), then the tree as a source
//! upload: its files as blobs and a manifest.
//!
//! The URL is a tenant's: only https:// and http:// are fetched, its host is resolved and
//! checked against the egress policy (no loopback, private, link-local, metadata or host
//! address), and git connects to exactly the address that was checked (curl's resolve pin),
//! with no proxy, no redirects, no other protocol, and no system or user git configuration.

use crate::{ArtifactStore, FolderRules, IntakeError, store_folder};
use std::path::Path;
use tokio::process::Command;

/// How long a fetch may take.
const FETCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);
/// The largest tree stored as a source upload, in bytes and in files.
const MAX_TREE_BYTES: u64 = 2 << 30;
const MAX_TREE_FILES: usize = 100_000;

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{0}")]
    Egress(#[from] clouddeck_egress::EgressError),
    #[error("the checkout cannot be stored: {0}")]
    Refused(String),
    #[error("the repository is larger than CloudDeck takes ({0})")]
    TooLarge(String),
    #[error("`{0}` is not a commit id (40 hex digits)")]
    BadCommit(String),
    #[error("git {step} failed: {reason}")]
    Git { step: &'static str, reason: String },
    #[error("reading the checkout: {0}")]
    Io(#[from] std::io::Error),
    #[error("storing the source: {0}")]
    Store(#[from] crate::ArtifactError),
}

async fn git(dir: &Path, step: &'static str, args: &[&str]) -> Result<(), GitError> {
    let run = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(FETCH_TIMEOUT, run)
        .await
        .map_err(|_| GitError::Git { step, reason: format!("took longer than {FETCH_TIMEOUT:?}") })?
        .map_err(|e| GitError::Git { step, reason: e.to_string() })?;
    if output.status.success() {
        Ok(())
    } else {
        let reason = String::from_utf8_lossy(&output.stderr).lines().last().unwrap_or("no message").to_string();
        Err(GitError::Git { step, reason })
    }
}

/// Checks out `commit` of `repository` into `dest` (created, must not exist), connecting
/// only where `egress` allows.
pub async fn checkout(
    repository: &str,
    commit: &str,
    dest: &Path,
    egress: &clouddeck_egress::EgressPolicy,
) -> Result<(), GitError> {
    if commit.len() != 40 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(GitError::BadCommit(commit.chars().take(60).collect()));
    }
    let destination = clouddeck_egress::resolve_url(egress, repository).await?;
    let address = match destination.address.ip() {
        std::net::IpAddr::V6(v6) => format!("[{v6}]"),
        v4 => v4.to_string(),
    };
    let pin = format!("http.curloptResolve={}:{}:{address}", destination.host, destination.port);
    tokio::fs::create_dir_all(dest).await?;
    git(dest, "init", &["init", "--quiet"]).await?;
    let fetch = [
        "-c",
        &pin,
        "-c",
        "http.proxy=",
        "-c",
        "http.followRedirects=false",
        "-c",
        "protocol.allow=never",
        "-c",
        "protocol.https.allow=always",
        "-c",
        "protocol.http.allow=always",
        "-c",
        "submodule.recurse=false",
        "fetch",
        "--quiet",
        "--no-tags",
        "--depth",
        "1",
        "--",
        repository,
        commit,
    ];
    git(dest, "fetch", &fetch).await?;
    git(dest, "checkout", &["-c", "advice.detachedHead=false", "checkout", "--quiet", "FETCH_HEAD"]).await?;
    Ok(())
}

/// Stores the checkout's files (not `.git`) through the one intake; returns the manifest's
/// hash. A link that leaves the checkout refuses the push ([`IntakeError::Outside`]).
pub async fn store_tree(root: &Path, artifacts: &ArtifactStore) -> Result<String, GitError> {
    let rules = FolderRules {
        skip: &[".git"],
        max_files: Some(MAX_TREE_FILES),
        max_total_bytes: Some(MAX_TREE_BYTES),
        ..FolderRules::default()
    };
    let manifest = store_folder(root, &rules, artifacts).await.map_err(|e| match e {
        IntakeError::TooManyFiles(_) | IntakeError::TooLarge(_) | IntakeError::TooManyEntries(_) => {
            GitError::TooLarge(format!("at most {MAX_TREE_FILES} files and {} MiB", MAX_TREE_BYTES >> 20))
        }
        IntakeError::Artifact(e) => GitError::Store(e),
        refused => GitError::Refused(refused.to_string()),
    })?;
    Ok(artifacts.put_manifest(&manifest).await?)
}
