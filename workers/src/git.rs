//! Fetching a pushed commit: a shallow fetch of exactly that commit from the project's own
//! repository URL (never one named by the webhook's payload), then the tree as a source
//! upload: its files as blobs and a manifest.

use crate::artifacts::{ArtifactStore, FileEntry, Manifest, content_type, normalize_path, sha256_hex};
use std::path::Path;
use tokio::process::Command;

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("`{0}` is not a commit id (40 hex digits)")]
    BadCommit(String),
    #[error("git {step} failed: {reason}")]
    Git { step: &'static str, reason: String },
    #[error("reading the checkout: {0}")]
    Io(#[from] std::io::Error),
    #[error("storing the source: {0}")]
    Store(#[from] crate::artifacts::ArtifactError),
}

async fn git(dir: &Path, step: &'static str, args: &[&str]) -> Result<(), GitError> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .await
        .map_err(|e| GitError::Git { step, reason: e.to_string() })?;
    if output.status.success() {
        Ok(())
    } else {
        let reason = String::from_utf8_lossy(&output.stderr).lines().last().unwrap_or("no message").to_string();
        Err(GitError::Git { step, reason })
    }
}

/// Checks out `commit` of `repository` into `dest` (created, must not exist).
pub async fn checkout(repository: &str, commit: &str, dest: &Path) -> Result<(), GitError> {
    if commit.len() != 40 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(GitError::BadCommit(commit.chars().take(60).collect()));
    }
    tokio::fs::create_dir_all(dest).await?;
    git(dest, "init", &["init", "--quiet"]).await?;
    git(dest, "fetch", &["fetch", "--quiet", "--depth", "1", "--", repository, commit]).await?;
    git(dest, "checkout", &["-c", "advice.detachedHead=false", "checkout", "--quiet", "FETCH_HEAD"]).await?;
    Ok(())
}

/// Stores the checkout's files (not `.git`, not links) as blobs; returns the manifest's hash.
pub async fn store_tree(root: &Path, artifacts: &ArtifactStore) -> Result<String, GitError> {
    let mut manifest = Manifest::default();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let mut entries = tokio::fs::read_dir(&folder).await?;
        while let Some(entry) = entries.next_entry().await? {
            let kind = entry.file_type().await?;
            if entry.file_name() == ".git" || kind.is_symlink() {
                continue;
            }
            if kind.is_dir() {
                folders.push(entry.path());
                continue;
            }
            let relative =
                entry.path().strip_prefix(root).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
            let path = normalize_path(&relative)?;
            let bytes = tokio::fs::read(entry.path()).await?;
            let sha256 = sha256_hex(&bytes);
            artifacts.put_blob(&sha256, &bytes).await?;
            manifest.files.insert(
                path.clone(),
                FileEntry { sha256, size: bytes.len() as u64, content_type: content_type(&path) },
            );
        }
    }
    Ok(artifacts.put_manifest(&manifest).await?)
}
