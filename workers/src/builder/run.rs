//! One build: a disk of its own (workspace.rs) with the source upload laid out on it, the
//! dependencies from the project's own cache (or installed, then cached for the project),
//! the build command, each step confined by the runner; output lines are masked (mask.rs)
//! and sent on as they come; the output folder becomes blobs and a manifest.
//!
//! The dependency cache belongs to one project and one target (production builds never take
//! what a preview build installed), and its key holds the toolchain and the lockfile: as
//! Vercel's build cache, nothing another project ran can enter a project's build.

use super::detect::{BuildPlan, PackageManager, Settings, SourceTree, Tool, detect, lockfile};
use super::identity::{self, Identities};
use super::mask::Masker;
use super::node_version::npm_for;
use super::sandbox::{Runner, SandboxError, Step};
use super::toolchain::{ToolchainError, Toolchains};
use super::workspace::Workspace;
use clouddeck_artifacts::{
    ArtifactError, ArtifactStore, FolderRules, IntakeError, Manifest, normalize_path, sha256_hex, skipped_line,
    store_folder_skipping,
};
use clouddeck_events::FailureCause;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OnceCell, mpsc};
use tokio::time::Instant;

/// Why a build did not produce a site, and whose doing it was.
#[derive(Debug)]
pub struct BuildFailure {
    pub reason: String,
    /// user, platform or timeout.
    pub cause: FailureCause,
}

impl BuildFailure {
    fn user(reason: impl Into<String>) -> Self {
        BuildFailure { reason: reason.into(), cause: FailureCause::User }
    }
    fn platform(reason: impl std::fmt::Display) -> Self {
        BuildFailure { reason: reason.to_string(), cause: FailureCause::Platform }
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

/// Whose dependency cache a build uses: one project's, for one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheScope {
    pub project_id: String,
    /// production or preview.
    pub target: String,
}

/// One build to run: the source, the project's variables and settings, and the deploy's
/// netlify.toml contexts (`production`, or `deploy-preview` and the branch).
pub struct Job<'a> {
    pub id: &'a str,
    pub source: &'a Manifest,
    pub env: &'a [(String, String)],
    pub cache: CacheScope,
    pub settings: Settings,
    pub contexts: Vec<String>,
}

/// Routing files read from the project's folder when the output lacks them: Vercel and
/// Netlify read these from the project, not from what the build publishes.
const PROJECT_ROUTING_FILES: &[&str] = &["netlify.toml", "vercel.json"];

pub struct Builder {
    pub artifacts: ArtifactStore,
    pub runner: Arc<dyn Runner>,
    /// Where dependency caches (`cache/deps/`) live: inside the data folder, which no build sees.
    pub root: PathBuf,
    /// Where workspaces live (see workspace.rs: apart from the data folder).
    pub builds: PathBuf,
    identities: Arc<Identities>,
    /// The server's own Node.js version, part of the cache key of builds that run it (when the
    /// default release could not be provided).
    toolchain: OnceCell<String>,
    /// Node.js releases and package managers the platform provides.
    tools: Toolchains,
}

impl Builder {
    /// A builder whose toolchains live in `toolchains` (default `<builds>/.toolchains`; a
    /// folder build users can traverse), giving builds that ask for no Node.js version the
    /// newest release of the `default_node` line.
    pub fn new(
        artifacts: ArtifactStore,
        runner: Arc<dyn Runner>,
        root: PathBuf,
        builds: PathBuf,
        toolchains: Option<PathBuf>,
        default_node: u64,
    ) -> Self {
        let tools = Toolchains::new(toolchains.unwrap_or_else(|| builds.join(".toolchains")), default_node);
        Builder { artifacts, runner, root, builds, identities: Arc::default(), toolchain: OnceCell::new(), tools }
    }

    /// Removes what builds left when the server stopped abruptly: their workspaces (disks
    /// unmounted), their groups or containers. Call before the first build.
    pub async fn sweep(&self) {
        Workspace::sweep(&self.builds).await;
        self.runner.sweep().await;
    }

    /// Lays the source out in `work`, from its manifest.
    async fn materialize(&self, source: &Manifest, work: &Path) -> Result<(), BuildFailure> {
        for (path, entry) in &source.files {
            let target = work.join(normalize_path(path).map_err(|e| BuildFailure::user(e.to_string()))?);
            if let Some(dir) = target.parent() {
                tokio::fs::create_dir_all(dir).await.map_err(|e| disk_error("laying out the source", e))?;
            }
            let blob = self.artifacts.blob_file(&entry.sha256).await.map_err(|e| BuildFailure::user(e.to_string()))?;
            tokio::fs::copy(blob, &target).await.map_err(|e| disk_error("laying out the source", e))?;
        }
        Ok(())
    }

    /// Builds `job`; returns the plan and the output's manifest hash. Lines go to `lines` with
    /// every value of the job's variables masked.
    pub async fn build(
        &self,
        job: &Job<'_>,
        lines: mpsc::UnboundedSender<String>,
    ) -> Result<(BuildPlan, String), BuildFailure> {
        let masker = Arc::new(Masker::new(job.env.iter().map(|(_, v)| v.as_str())));
        let (raw, mut received) = mpsc::unbounded_channel::<String>();
        let mask = masker.clone();
        let masking = tokio::spawn(async move {
            while let Some(line) = received.recv().await {
                let _ = lines.send(mask.mask(&line));
            }
        });
        let result = self.build_confined(job, raw).await;
        let _ = masking.await;
        result.map_err(|failure| BuildFailure { reason: masker.mask(&failure.reason), ..failure })
    }

    async fn build_confined(
        &self,
        job: &Job<'_>,
        lines: mpsc::UnboundedSender<String>,
    ) -> Result<(BuildPlan, String), BuildFailure> {
        let limits = self.runner.limits().clone();
        let deadline = Instant::now() + limits.timeout;
        let user = self.identities.take().ok_or_else(|| BuildFailure::platform("no build user is free"))?;
        let workspace = Workspace::create(&self.builds, job.id, limits.disk_bytes, user)
            .await
            .map_err(|e| BuildFailure::platform(e.to_string()))?;
        let result = self.build_in(job, &workspace, deadline, &lines).await;
        workspace.destroy().await;
        result
    }

    async fn build_in(
        &self,
        job: &Job<'_>,
        workspace: &Workspace,
        deadline: Instant,
        lines: &mpsc::UnboundedSender<String>,
    ) -> Result<(BuildPlan, String), BuildFailure> {
        let top = workspace.source();
        self.materialize(job.source, &top).await?;
        let contexts: Vec<&str> = job.contexts.iter().map(String::as_str).collect();
        let plan = detect(&Folder(&top), &job.settings, &contexts).map_err(|e| BuildFailure::user(e.to_string()))?;
        let _ = lines.send(format!("clouddeck: {} project; output in {}", plan.framework, plan.output));
        for said in &plan.said {
            let _ = lines.send(format!("clouddeck: {said}"));
        }
        if let Some(hint) = &plan.output_hint {
            let _ = lines.send(format!("clouddeck: warning: {hint}"));
        }
        let work = if plan.root.is_empty() { top.clone() } else { top.join(&plan.root) };
        if !tokio::fs::metadata(&work).await.is_ok_and(|m| m.is_dir()) {
            return Err(BuildFailure::user(format!(
                "the root directory `{}` is not a folder of the source",
                plan.root
            )));
        }
        let dir = if plan.root.is_empty() {
            identity::SOURCE.to_string()
        } else {
            format!("{}/{}", identity::SOURCE, plan.root)
        };
        let mut env: Vec<(String, String)> = job.env.to_vec();
        let mut tools = Vec::new();
        let mut bins = Vec::new();
        let say = |line: String| {
            let _ = lines.send(line);
        };
        // Node.js, when the build runs it; the toolchain part of the dependency cache's key.
        let mut runtime = String::new();
        let mut manager = plan.tool.clone();
        if plan.node {
            match self.tools.node(plan.node_request.as_ref(), &say).await {
                Ok(Some(node)) => {
                    runtime = format!("node@{}", node.version);
                    // npm as this release ships it, unless the project names its own manager.
                    manager = manager.or_else(|| {
                        Some(Tool { manager: PackageManager::Npm, version: npm_for(&node.version).into() })
                    });
                    bins.push(node.tool.bin.clone());
                    tools.push((node.tool.host, node.tool.inside));
                }
                Ok(None) => runtime = format!("node@{}", self.toolchain().await),
                Err(e) => return Err(toolchain_failure(e)),
            }
        }
        if let Some(tool) = &manager {
            let provided = self.tools.provide(tool, &say).await.map_err(toolchain_failure)?;
            bins.insert(0, provided.bin);
            tools.push((provided.host, provided.inside));
        }
        if !bins.is_empty() {
            bins.push(super::sandbox::DEFAULT_PATH.into());
            env.insert(0, ("PATH".into(), bins.join(":")));
        }
        let cached = match lockfile(&Folder(&work)) {
            Some(lock) => {
                let bytes =
                    tokio::fs::read(work.join(lock)).await.map_err(|e| disk_error("reading the lockfile", e))?;
                let tool = manager.as_ref().map(|t| format!("{}@{}", t.manager.name(), t.version)).unwrap_or_default();
                let key = sha256_hex(
                    format!(
                        "{}\n{}\n{runtime}\n{tool}\n{}\n{lock}\n{}",
                        job.cache.project_id,
                        job.cache.target,
                        plan.root,
                        sha256_hex(&bytes)
                    )
                    .as_bytes(),
                );
                let dir =
                    self.root.join("cache").join("deps").join(safe_name(&job.cache.project_id)).join(&job.cache.target);
                Some((dir, key))
            }
            None => None,
        };
        let hit = match &cached {
            Some((dir, key)) => {
                tokio::fs::read_to_string(dir.join("key")).await.is_ok_and(|k| k == *key)
                    && dir.join("node_modules").is_dir()
            }
            None => false,
        };
        let step =
            |name: String, command| Step { name, workspace, command, env: &env, deadline, dir: &dir, tools: &tools };
        if let (true, Some((cache, _))) = (hit, &cached) {
            let _ = lines.send("clouddeck: dependencies from the cache (this project's, same lockfile)".into());
            copy_tree(&cache.join("node_modules"), &work.join("node_modules")).await?;
        } else if let Some(install) = &plan.install {
            let _ = lines.send(format!("$ {install}"));
            workspace.hand_over().await.map_err(|e| BuildFailure::platform(e.to_string()))?;
            self.step(step(format!("{}-install", job.id), install), lines).await?;
            if let Some((cache, key)) = &cached {
                save_cache(&work.join("node_modules"), cache, key).await;
            }
        }
        if let Some(build) = &plan.build {
            let _ = lines.send(format!("$ {build}"));
            workspace.hand_over().await.map_err(|e| BuildFailure::platform(e.to_string()))?;
            self.step(step(format!("{}-build", job.id), build), lines).await?;
        }
        let output = normalize_output(&plan.output)?;
        let output = if plan.root.is_empty() {
            output
        } else if output.is_empty() {
            plan.root.clone()
        } else {
            format!("{}/{output}", plan.root)
        };
        let mut manifest =
            self.collect(&top, &output, plan.build.is_some(), plan.output_hint.as_deref(), lines).await?;
        if manifest.files.is_empty() {
            return Err(BuildFailure::user(format!("the build left nothing in `{}`", plan.output)));
        }
        // netlify.toml and vercel.json configure the site from the project's folder.
        for name in PROJECT_ROUTING_FILES {
            if manifest.files.contains_key(*name) {
                continue;
            }
            let candidates = [work.join(name), top.join(name)];
            for file in candidates {
                if let Ok(meta) = tokio::fs::symlink_metadata(&file).await
                    && meta.is_file()
                    && meta.len() <= clouddeck_routing::MAX_FILE_BYTES as u64
                {
                    let bytes = tokio::fs::read(&file).await.map_err(|e| disk_error("reading the routing files", e))?;
                    let entry = self.artifacts.put_file(name, &bytes).await.map_err(BuildFailure::platform)?;
                    manifest.files.insert(name.to_string(), entry);
                    break;
                }
            }
        }
        let hash = self.artifacts.put_manifest(&manifest).await.map_err(BuildFailure::platform)?;
        Ok((plan, hash))
    }

    /// `node --version` of the toolchain builds use.
    async fn toolchain(&self) -> String {
        self.toolchain
            .get_or_init(|| async {
                let out = tokio::process::Command::new("node").arg("--version").output().await;
                out.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default()
            })
            .await
            .clone()
    }

    async fn step(&self, step: Step<'_>, lines: &mpsc::UnboundedSender<String>) -> Result<(), BuildFailure> {
        let command = step.command.to_string();
        let memory = self.runner.limits().memory_bytes;
        match self.runner.run(step, lines.clone()).await {
            Ok(exit) if exit.success() => Ok(()),
            Ok(exit) if exit.out_of_memory => {
                Err(BuildFailure::user(format!("`{command}` ran out of memory: builds may use {} MiB", memory >> 20)))
            }
            Ok(exit) => Err(BuildFailure::user(format!(
                "`{command}` exited with {}",
                exit.code.map_or("a signal".into(), |c| c.to_string())
            ))),
            Err(SandboxError::Timeout(limit)) => {
                Err(BuildFailure { reason: format!("the build ran past {limit:?}"), cause: FailureCause::Timeout })
            }
            Err(e) => Err(BuildFailure::platform(e)),
        }
    }

    /// Stores every regular file under `output` (relative to the source) as a blob, through
    /// the one intake (links that leave the output and special files are refused), leaving
    /// out what a site should not publish by accident: hidden files and folders (`.env`,
    /// `.git`; not `.well-known`), `node_modules`, and what a `.clouddeckignore` names; the
    /// log says what was left out. The build's processes are all gone by now (its groups or
    /// containers were destroyed), so nothing changes under our feet.
    async fn collect(
        &self,
        work: &Path,
        output: &str,
        ran_build: bool,
        hint: Option<&str>,
        lines: &mpsc::UnboundedSender<String>,
    ) -> Result<Manifest, BuildFailure> {
        let shown = if output.is_empty() { ".".to_string() } else { output.to_string() };
        let work = &work.canonicalize().map_err(|e| disk_error("reading the output", e))?;
        let root = work
            .join(output)
            .canonicalize()
            .ok()
            .filter(|root| root.starts_with(work) && root.is_dir())
            .ok_or_else(|| BuildFailure::user(missing_output(&shown, ran_build, hint)))?;
        // A deployment holds at most 100,000 files, however they were made.
        let rules = FolderRules {
            skip_unpublished: true,
            ignore_files: &[".clouddeckignore"],
            max_files: Some(MAX_OUTPUT_FILES),
            ..FolderRules::default()
        };
        let stored = store_folder_skipping(&root, &rules, &self.artifacts).await.map_err(|e| match e {
            IntakeError::Artifact(ArtifactError::Io(e)) => disk_error("reading the output", e),
            IntakeError::Artifact(e) => BuildFailure::platform(e),
            refused => BuildFailure::user(format!("in `{shown}`: {refused}")),
        })?;
        if let Some(said) = skipped_line(&stored.skipped, stored.skipped_unlisted) {
            let _ = lines.send(format!("clouddeck: not published (hidden, or in .clouddeckignore): {said}"));
        }
        Ok(stored.manifest)
    }
}

/// Why there is nothing to publish: the output folder is missing, and whether a build
/// command ran at all (when none did, that is the fault to fix, not the folder).
fn missing_output(output: &str, ran_build: bool, hint: Option<&str>) -> String {
    if let (true, Some(hint)) = (ran_build, hint) {
        format!("the build made no `{output}` folder: {hint}")
    } else if ran_build {
        format!("the build made no `{output}` folder: set `[build] output` in clouddeck.toml to where it writes")
    } else {
        format!(
            "no build command ran (package.json has no `build` script and no framework CloudDeck knows was \
             found), so there is no `{output}` folder: add a `build` script, or set `[build] command` and \
             `output` in clouddeck.toml"
        )
    }
}

/// A toolchain that could not be provided: the project's doing when it asked for what does
/// not exist, else the platform's.
fn toolchain_failure(e: ToolchainError) -> BuildFailure {
    match e {
        ToolchainError::Request(_) | ToolchainError::NotPublished(_) => BuildFailure::user(e.to_string()),
        ToolchainError::Platform(reason) => BuildFailure::platform(reason),
    }
}

/// The most files a build's output may hold: what a deployment may hold.
const MAX_OUTPUT_FILES: usize = 100_000;

/// A platform error on the build's disk, without the server's paths.
fn disk_error(what: &str, e: std::io::Error) -> BuildFailure {
    if e.raw_os_error() == Some(28) {
        return BuildFailure::user(format!("{what}: the build's disk is full"));
    }
    BuildFailure::platform(format!("{what}: {}", e.kind()))
}

/// A project id as a folder name: ids are UUIDs, but nothing here trusts that.
fn safe_name(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
}

fn normalize_output(output: &str) -> Result<String, BuildFailure> {
    if output == "." || output.is_empty() {
        return Ok(String::new());
    }
    normalize_path(output).map_err(|e| BuildFailure::user(format!("output folder: {e}")))
}

/// `cp -a` without owners: keeps links and modes, does not follow links, and is much faster
/// than a copy in Rust for node_modules. The copy is handed to the build user afterwards.
async fn copy_tree(from: &Path, to: &Path) -> Result<(), BuildFailure> {
    let status = tokio::process::Command::new("cp")
        .args(["-a", "--no-preserve=ownership", "--"])
        .arg(from)
        .arg(to)
        .status()
        .await
        .map_err(BuildFailure::platform)?;
    if status.success() { Ok(()) } else { Err(BuildFailure::platform("copying cached dependencies failed")) }
}

/// Replaces the project's cache with what the install step left (a real folder only: a link
/// is not followed). A failure costs only the next build's time.
async fn save_cache(installed: &Path, dir: &Path, key: &str) {
    let is_folder = tokio::fs::symlink_metadata(installed).await.is_ok_and(|m| m.is_dir());
    if !is_folder {
        return;
    }
    let fresh = dir.with_extension(format!("new-{}", rand::random::<u32>()));
    let saved = async {
        tokio::fs::create_dir_all(&fresh).await?;
        copy_tree(installed, &fresh.join("node_modules")).await.map_err(|f| std::io::Error::other(f.reason))?;
        tokio::fs::write(fresh.join("key"), key).await?;
        let _ = tokio::fs::remove_dir_all(dir).await;
        tokio::fs::rename(&fresh, dir).await
    }
    .await;
    if let Err(e) = saved {
        tracing::warn!(error = %e, "the dependency cache was not saved");
        let _ = tokio::fs::remove_dir_all(&fresh).await;
    }
}

/// Gathers lines into chunks: a chunk goes at most `every` after its first line arrived (so
/// steady output shows as it comes), or sooner at `max_lines`.
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
    // When the oldest unflushed line must be out.
    let mut due: Option<Instant> = None;
    loop {
        let deadline = due.unwrap_or_else(|| Instant::now() + every);
        tokio::select! {
            line = lines.recv() => match line {
                Some(line) => {
                    if pending.is_empty() {
                        due = Some(Instant::now() + every);
                    }
                    pending.push(line);
                    if pending.len() >= max_lines {
                        flush(std::mem::take(&mut pending)).await;
                        due = None;
                    }
                }
                None => break,
            },
            _ = tokio::time::sleep_until(deadline), if due.is_some() => {
                flush(std::mem::take(&mut pending)).await;
                due = None;
            }
        }
    }
    if !pending.is_empty() {
        flush(pending).await;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn steady_output_is_flushed_within_the_interval_of_its_first_line() {
        let (tx, rx) = mpsc::unbounded_channel();
        let flushed = Arc::new(std::sync::Mutex::new(Vec::<(u128, usize)>::new()));
        let start = Instant::now();
        let record = flushed.clone();
        let chunker = tokio::spawn(chunk_lines(rx, Duration::from_millis(250), 200, move |chunk: Vec<String>| {
            let record = record.clone();
            async move { record.lock().unwrap().push((start.elapsed().as_millis(), chunk.len())) }
        }));
        // a line every 100 ms for a second: the timer must not restart on each
        for i in 0..10 {
            tx.send(format!("line {i}")).unwrap();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        drop(tx);
        chunker.await.unwrap();
        let flushed = flushed.lock().unwrap().clone();
        assert!(flushed.len() >= 3, "{flushed:?}");
        assert!(flushed[0].0 <= 260, "the first line waited {} ms", flushed[0].0);
        assert_eq!(flushed.iter().map(|(_, n)| n).sum::<usize>(), 10);
    }
}
