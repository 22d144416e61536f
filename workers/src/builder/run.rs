//! One build: the source upload laid out in a work folder, dependencies from the cache keyed
//! by the lockfile's hash (or installed, then cached), the build command, all in the
//! sandbox; output lines go to the log in chunks as they come; the output folder becomes
//! blobs and a manifest.

use super::detect::{BuildPlan, SourceTree, detect, lockfile};
use super::sandbox::{Runner, SandboxError};
use crate::artifacts::{ArtifactStore, FileEntry, Manifest, content_type, normalize_path, sha256_hex};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc;

/// Why a build did not produce a site, and whose doing it was.
#[derive(Debug)]
pub struct BuildFailure {
    pub reason: String,
    /// user, platform or timeout.
    pub cause: &'static str,
}

impl BuildFailure {
    fn user(reason: impl Into<String>) -> Self {
        BuildFailure { reason: reason.into(), cause: "user" }
    }
    fn platform(reason: impl std::fmt::Display) -> Self {
        BuildFailure { reason: reason.to_string(), cause: "platform" }
    }
}

struct Folder<'a>(&'a Path);

impl SourceTree for Folder<'_> {
    fn text(&self, path: &str) -> Option<String> {
        let file = self.0.join(path);
        let meta = std::fs::symlink_metadata(&file).ok()?;
        if !meta.is_file() || meta.len() > 1 << 20 {
            return None;
        }
        std::fs::read_to_string(file).ok()
    }
}

pub struct Builder {
    pub artifacts: ArtifactStore,
    pub runner: std::sync::Arc<dyn Runner>,
    /// Where work folders and the dependency cache live.
    pub root: PathBuf,
}

impl Builder {
    /// Lays the source out in `work`, from its manifest.
    async fn materialize(&self, source: &Manifest, work: &Path) -> Result<(), BuildFailure> {
        for (path, entry) in &source.files {
            let target = work.join(normalize_path(path).map_err(|e| BuildFailure::user(e.to_string()))?);
            if let Some(dir) = target.parent() {
                tokio::fs::create_dir_all(dir).await.map_err(BuildFailure::platform)?;
            }
            let blob = self.artifacts.blob_file(&entry.sha256).await.map_err(|e| BuildFailure::user(e.to_string()))?;
            tokio::fs::copy(blob, &target).await.map_err(BuildFailure::platform)?;
        }
        Ok(())
    }

    /// Builds the source manifest `source`; returns the plan and the output's manifest hash.
    pub async fn build(
        &self,
        build_id: &str,
        source: &Manifest,
        env: &[(String, String)],
        lines: mpsc::UnboundedSender<String>,
    ) -> Result<(BuildPlan, String), BuildFailure> {
        let work = self.root.join("builds").join(build_id);
        let _ = tokio::fs::remove_dir_all(&work).await;
        tokio::fs::create_dir_all(work.join(".home")).await.map_err(BuildFailure::platform)?;
        let result = self.build_in(build_id, &work, source, env, lines).await;
        let _ = tokio::fs::remove_dir_all(&work).await;
        result
    }

    async fn build_in(
        &self,
        build_id: &str,
        work: &Path,
        source: &Manifest,
        env: &[(String, String)],
        lines: mpsc::UnboundedSender<String>,
    ) -> Result<(BuildPlan, String), BuildFailure> {
        self.materialize(source, work).await?;
        let plan = detect(&Folder(work)).map_err(|e| BuildFailure::user(e.to_string()))?;
        let _ = lines.send(format!("clouddeck: {} project; output in {}", plan.framework, plan.output));
        let cached = match lockfile(&Folder(work)) {
            Some(lock) => {
                let bytes = tokio::fs::read(work.join(lock)).await.map_err(BuildFailure::platform)?;
                Some(self.root.join("cache").join("deps").join(sha256_hex(&bytes)))
            }
            None => None,
        };
        let hit = cached.as_ref().is_some_and(|dir| dir.join("node_modules").is_dir());
        if let (true, Some(dir)) = (hit, &cached) {
            let _ = lines.send("clouddeck: dependencies from the cache (same lockfile)".into());
            copy_tree(&dir.join("node_modules"), &work.join("node_modules")).await?;
        } else if let Some(install) = &plan.install {
            let _ = lines.send(format!("$ {install}"));
            self.step(build_id, work, install, env, &lines).await?;
            if let Some(dir) = &cached
                && work.join("node_modules").is_dir()
            {
                let _ = tokio::fs::create_dir_all(dir).await;
                copy_tree(&work.join("node_modules"), &dir.join("node_modules")).await?;
            }
        }
        if let Some(build) = &plan.build {
            let _ = lines.send(format!("$ {build}"));
            self.step(build_id, work, build, env, &lines).await?;
        }
        let output = work.join(normalize_output(&plan.output)?);
        let manifest = self.collect(&output).await?;
        if manifest.files.is_empty() {
            return Err(BuildFailure::user(format!("the build left nothing in `{}`", plan.output)));
        }
        let hash = self.artifacts.put_manifest(&manifest).await.map_err(BuildFailure::platform)?;
        Ok((plan, hash))
    }

    async fn step(
        &self,
        build_id: &str,
        work: &Path,
        command: &str,
        env: &[(String, String)],
        lines: &mpsc::UnboundedSender<String>,
    ) -> Result<(), BuildFailure> {
        match self.runner.run(build_id, work, command, env, lines.clone()).await {
            Ok(exit) if exit.success() => Ok(()),
            Ok(exit) => Err(BuildFailure::user(format!(
                "`{command}` exited with {}",
                exit.code.map_or("a signal".into(), |c| c.to_string())
            ))),
            Err(SandboxError::Timeout(limit)) => {
                Err(BuildFailure { reason: format!("the build ran past {limit:?}"), cause: "timeout" })
            }
            Err(e) => Err(BuildFailure::platform(e)),
        }
    }

    /// Stores every file under `output` as a blob; links that leave it are refused.
    async fn collect(&self, output: &Path) -> Result<Manifest, BuildFailure> {
        let root = output
            .canonicalize()
            .map_err(|_| BuildFailure::user(format!("the build made no `{}` folder", output.display())))?;
        let mut manifest = Manifest::default();
        let mut folders = vec![root.clone()];
        while let Some(folder) = folders.pop() {
            let mut entries = tokio::fs::read_dir(&folder).await.map_err(BuildFailure::platform)?;
            while let Some(entry) = entries.next_entry().await.map_err(BuildFailure::platform)? {
                let real = match entry.path().canonicalize() {
                    Ok(real) if real.starts_with(&root) => real,
                    _ => {
                        return Err(BuildFailure::user(format!(
                            "{} points outside the output",
                            entry.path().display()
                        )));
                    }
                };
                if real.is_dir() {
                    folders.push(entry.path());
                    continue;
                }
                let relative =
                    entry.path().strip_prefix(&root).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
                let path = normalize_path(&relative).map_err(|e| BuildFailure::user(e.to_string()))?;
                let bytes = tokio::fs::read(&real).await.map_err(BuildFailure::platform)?;
                let sha256 = sha256_hex(&bytes);
                self.artifacts.put_blob(&sha256, &bytes).await.map_err(BuildFailure::platform)?;
                manifest.files.insert(
                    path.clone(),
                    FileEntry { sha256, size: bytes.len() as u64, content_type: content_type(&path) },
                );
            }
        }
        Ok(manifest)
    }
}

fn normalize_output(output: &str) -> Result<String, BuildFailure> {
    if output == "." || output.is_empty() {
        return Ok(String::new());
    }
    normalize_path(output).map_err(|e| BuildFailure::user(format!("output folder: {e}")))
}

/// `cp -a`: keeps links and modes, and is much faster than a copy in Rust for node_modules.
async fn copy_tree(from: &Path, to: &Path) -> Result<(), BuildFailure> {
    let status = tokio::process::Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .await
        .map_err(BuildFailure::platform)?;
    if status.success() { Ok(()) } else { Err(BuildFailure::platform(format!("copying {} failed", from.display()))) }
}

/// Gathers lines into chunks: flushed every `every`, or sooner at `max_lines`.
pub async fn chunk_lines<F, Fut>(
    mut lines: mpsc::UnboundedReceiver<String>,
    every: Duration,
    max_lines: usize,
    mut flush: F,
) where
    F: FnMut(Vec<String>) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut pending = Vec::new();
    loop {
        tokio::select! {
            line = lines.recv() => match line {
                Some(line) => {
                    pending.push(line);
                    if pending.len() >= max_lines {
                        flush(std::mem::take(&mut pending)).await;
                    }
                }
                None => break,
            },
            _ = tokio::time::sleep(every), if !pending.is_empty() => flush(std::mem::take(&mut pending)).await,
        }
    }
    if !pending.is_empty() {
        flush(pending).await;
    }
}
