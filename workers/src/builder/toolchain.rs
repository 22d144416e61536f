//! The toolchains builds run, provided by the platform rather than by a build step, each
//! installed once per version into a folder that builds see read-only at
//! `/opt/clouddeck/tools/<name>-<version>`, its programs first on their PATH:
//!
//! - **Node.js**, the release a project asks for (node_version.rs), from the npm registry's
//!   `node-linux-<arch>` packages (the official binaries, republished per release): the
//!   tarball's SHA-512 is checked against the registry's `dist.integrity`, and the binary must
//!   print the version asked for.
//! - **Package managers** (npm, pnpm, Yarn 1 and 2+, Bun), from the npm registry with npm's
//!   `--ignore-scripts` (no package code runs on the host).
//!
//! An install is made in a staging folder and renamed into place, so servers sharing the
//! folder (`CLOUDDECK_TOOLCHAINS_DIR`) never see half of one, and a crash leaves only staging.

use super::detect::{PackageManager, Tool};
use super::node_version::{NodeRequest, NodeVersionError, choose};
use base64::Engine;
use nodejs_semver::Version;
use sha2::{Digest, Sha512};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long installing one tool may take.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(300);
/// How long the list of Node.js releases is trusted before it is asked for again.
const RELEASES_FRESH: Duration = Duration::from_secs(3600);
/// Where builds see the toolchains.
const INSIDE: &str = "/opt/clouddeck/tools";

/// A provided tool: where it is on the host, where builds see it, and its programs' folder
/// there (for PATH).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provided {
    pub host: PathBuf,
    pub inside: String,
    pub bin: String,
}

/// The Node.js a build runs.
#[derive(Debug, Clone)]
pub struct ProvidedNode {
    pub version: Version,
    pub tool: Provided,
}

/// Why a toolchain was not provided: the project's request (its fault), or the platform.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolchainError {
    #[error(transparent)]
    Request(#[from] NodeVersionError),
    /// A version the registry does not have: the project's to change.
    #[error("{0}")]
    NotPublished(String),
    #[error("{0}")]
    Platform(String),
}

pub struct Toolchains {
    root: PathBuf,
    /// The Node.js line builds get when they ask for none.
    default_node: u64,
    installing: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    releases: tokio::sync::Mutex<Option<(Instant, Vec<Version>)>>,
}

/// The npm package a tool comes in, and its program's path inside the install prefix.
fn package(manager: PackageManager) -> (&'static str, &'static str) {
    match manager {
        PackageManager::Pnpm => ("pnpm", "node_modules/.bin"),
        PackageManager::YarnClassic => ("yarn", "node_modules/.bin"),
        PackageManager::YarnBerry => ("@yarnpkg/cli-dist", "node_modules/.bin"),
        // The package `bun` fetches its binary in an install script; the platform package
        // carries it.
        PackageManager::Bun => ("@oven/bun-linux-x64", "node_modules/@oven/bun-linux-x64/bin"),
        PackageManager::Npm => ("npm", "node_modules/.bin"),
    }
}

/// The npm package holding this machine's Node.js binaries.
fn node_package() -> Result<String, ToolchainError> {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        "powerpc64" => "ppc64",
        "s390x" => "s390x",
        other => return Err(ToolchainError::Platform(format!("no Node.js binaries are published for {other}"))),
    };
    Ok(format!("node-linux-{arch}"))
}

impl Toolchains {
    /// Tools kept under `root` (which build users must be able to traverse); builds that ask
    /// for no Node.js version get the newest release of the `default_node` line.
    pub fn new(root: PathBuf, default_node: u64) -> Self {
        Toolchains { root, default_node, installing: Mutex::default(), releases: Default::default() }
    }

    /// Turns for one folder within this process (other processes meet at the rename).
    fn turn(&self, folder: &str) -> Result<Arc<tokio::sync::Mutex<()>>, ToolchainError> {
        let mut installing = self.installing.lock().map_err(|_| platform("the toolchain lock is poisoned"))?;
        Ok(installing.entry(folder.to_string()).or_default().clone())
    }

    fn provided(&self, folder: &str, bin: &str) -> Provided {
        Provided {
            host: self.root.join(folder),
            inside: format!("{INSIDE}/{folder}"),
            bin: format!("{INSIDE}/{folder}/{bin}"),
        }
    }

    /// The package manager, installed if it is not yet; progress lines go to `say`.
    ///
    /// Errors: [`ToolchainError::NotPublished`] for a version the registry does not have,
    /// [`ToolchainError::Platform`] for any other failure.
    pub async fn provide(&self, tool: &Tool, say: &(dyn Fn(String) + Sync)) -> Result<Provided, ToolchainError> {
        let (name, bin) = package(tool.manager);
        let folder = format!("{}-{}", tool.manager.name(), tool.version);
        let provided = self.provided(&folder, bin);
        let turn = self.turn(&folder)?;
        let _held = turn.lock().await;
        if is_ready(&provided.host).await {
            say(format!("clouddeck: {} {} from the platform's toolchains", tool.manager.name(), tool.version));
            return Ok(provided);
        }
        say(format!("clouddeck: installing {} {} for builds (once per version)", tool.manager.name(), tool.version));
        let spec = format!("{name}@{}", tool.version);
        let staging = self.staging(&folder).await?;
        let installed = async {
            npm(
                &[
                    "install",
                    "--ignore-scripts",
                    "--no-audit",
                    "--no-fund",
                    "--no-save",
                    "--no-package-lock",
                    "--prefix",
                ],
                &[staging.as_os_str(), spec.as_ref()],
            )
            .await
            .map_err(|reason| {
                // npm's codes for a name or a version the registry does not have
                if reason.contains("ETARGET") || reason.contains("E404") {
                    ToolchainError::NotPublished(format!(
                        "`packageManager` names {spec}, which the npm registry does not have"
                    ))
                } else {
                    platform(format!("{spec} could not be installed from the npm registry: {reason}"))
                }
            })?;
            let program = staging.join(bin).join(tool.manager.name());
            if !tokio::fs::try_exists(&program).await.unwrap_or(false) {
                return Err(platform(format!("{spec} was installed but has no `{}` program", tool.manager.name())));
            }
            tokio::fs::write(staging.join(".ready"), &spec).await.map_err(|e| platform(e.to_string()))?;
            place(&staging, &provided.host).await.map_err(|e| platform(e.to_string()))
        }
        .await;
        let _ = tokio::fs::remove_dir_all(&staging).await;
        installed.map(|()| provided)
    }

    /// The Node.js release `request` asks for (none: the default line), installed if it is
    /// not yet; progress lines go to `say`. `Ok(None)`: nothing was asked, and the default
    /// could not be had (the registry unreachable, nothing installed): the build runs the
    /// server's own Node.js, and the log says so.
    ///
    /// Errors: [`ToolchainError::Request`] when no release answers the request;
    /// [`ToolchainError::Platform`] when the asked-for release cannot be installed.
    pub async fn node(
        &self,
        request: Option<&NodeRequest>,
        say: &(dyn Fn(String) + Sync),
    ) -> Result<Option<ProvidedNode>, ToolchainError> {
        let found = self.node_release(request, say).await;
        let (version, note) = match (found, request) {
            (Ok(chosen), _) => chosen,
            (Err(ToolchainError::Platform(reason)), None) => {
                say(format!(
                    "clouddeck: the default Node.js {} could not be provided ({reason}): building with the server's own",
                    self.default_node
                ));
                return Ok(None);
            }
            (Err(e), _) => return Err(e),
        };
        if let Some(note) = note {
            say(format!("clouddeck: {note}"));
        }
        say(match request {
            Some(request) => {
                format!("clouddeck: Node.js {version} (asked for `{}` in {})", request.asked.trim(), request.source)
            }
            None => format!(
                "clouddeck: Node.js {version}, the default line {}; a project chooses with .nvmrc, .node-version, engines.node or NODE_VERSION",
                self.default_node
            ),
        });
        let folder = format!("node-{version}");
        let provided = self.provided(&folder, "bin");
        let turn = self.turn(&folder)?;
        let _held = turn.lock().await;
        if is_ready(&provided.host).await {
            return Ok(Some(ProvidedNode { version, tool: provided }));
        }
        let started = Instant::now();
        say(format!("clouddeck: installing Node.js {version} for builds (once per version)"));
        let staging = self.staging(&folder).await?;
        let installed = self.install_node(&version, &staging, &provided.host).await;
        let _ = tokio::fs::remove_dir_all(&staging).await;
        let integrity = installed?;
        say(format!(
            "clouddeck: Node.js {version} installed in {:.1} s ({}, checked)",
            started.elapsed().as_secs_f64(),
            integrity.chars().take(19).collect::<String>() + "…"
        ));
        Ok(Some(ProvidedNode { version, tool: provided }))
    }

    /// The release to provide: among the registry's (asked at most hourly), or, when it does
    /// not answer, among those installed here.
    async fn node_release(
        &self,
        request: Option<&NodeRequest>,
        say: &(dyn Fn(String) + Sync),
    ) -> Result<(Version, Option<String>), ToolchainError> {
        match self.node_releases().await {
            Ok(releases) => Ok(choose(request, &releases, self.default_node)?),
            Err(reason) => {
                let installed = self.installed_node_releases().await;
                match choose(request, &installed, self.default_node) {
                    Ok(version) => {
                        say(format!(
                            "clouddeck: the npm registry did not answer ({reason}): using an installed Node.js"
                        ));
                        Ok(version)
                    }
                    Err(_) => Err(platform(format!("the list of Node.js releases could not be read: {reason}"))),
                }
            }
        }
    }

    async fn node_releases(&self) -> Result<Vec<Version>, String> {
        let mut releases = self.releases.lock().await;
        if let Some((at, known)) = releases.as_ref()
            && at.elapsed() < RELEASES_FRESH
        {
            return Ok(known.clone());
        }
        let package = node_package().map_err(|e| e.to_string())?;
        let listed = npm(&["view", "--json"], &[package.as_ref(), "versions".as_ref()]).await?;
        let listed: Vec<String> =
            serde_json::from_str(&listed).map_err(|e| format!("the registry's list of {package} is not JSON: {e}"))?;
        let known: Vec<Version> = listed.iter().filter_map(|v| Version::parse(v).ok()).collect();
        *releases = Some((Instant::now(), known.clone()));
        Ok(known)
    }

    async fn installed_node_releases(&self) -> Vec<Version> {
        let mut found = Vec::new();
        if let Ok(mut entries) = tokio::fs::read_dir(&self.root).await {
            while let Ok(Some(entry)) = entries.next_entry().await {
                let name = entry.file_name().to_string_lossy().to_string();
                if let Some(version) = name.strip_prefix("node-").and_then(|v| Version::parse(v).ok())
                    && is_ready(&entry.path()).await
                {
                    found.push(version);
                }
            }
        }
        found
    }

    /// Fetches the release's package, checks its SHA-512 against the registry's record and
    /// its binary's version, and places `bin/node` at `host`; returns the integrity string.
    async fn install_node(&self, version: &Version, staging: &Path, host: &Path) -> Result<String, ToolchainError> {
        let package = node_package()?;
        let spec = format!("{package}@{version}");
        let recorded = npm(&["view", "--json"], &[spec.as_ref(), "dist.integrity".as_ref()])
            .await
            .map_err(|e| platform(format!("the registry's record of {spec}: {e}")))?;
        let recorded: String = serde_json::from_str(&recorded)
            .map_err(|e| platform(format!("the registry's integrity of {spec} is not a string: {e}")))?;
        let packed = npm(&["pack", "--json", "--pack-destination"], &[staging.as_os_str(), spec.as_ref()])
            .await
            .map_err(|e| platform(format!("{spec} could not be fetched: {e}")))?;
        #[derive(serde::Deserialize)]
        struct Packed {
            filename: String,
        }
        let tarball = serde_json::from_str::<Vec<Packed>>(&packed)
            .ok()
            .and_then(|p| p.into_iter().next())
            .map(|p| staging.join(p.filename))
            .ok_or_else(|| platform(format!("npm pack of {spec} named no file")))?;
        let digest = {
            let tarball = tarball.clone();
            tokio::task::spawn_blocking(move || sha512_file(&tarball))
                .await
                .map_err(|e| platform(e.to_string()))?
                .map_err(|e| platform(format!("reading {spec}'s tarball: {e}")))?
        };
        let integrity = format!("sha512-{}", base64::engine::general_purpose::STANDARD.encode(digest));
        if integrity != recorded {
            return Err(platform(format!(
                "{spec}'s tarball does not match the registry's integrity ({integrity} is not {recorded})"
            )));
        }
        let unpacked = staging.join("unpacked");
        tokio::fs::create_dir_all(&unpacked).await.map_err(|e| platform(e.to_string()))?;
        let output = tokio::process::Command::new("tar")
            .arg("-xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(&unpacked)
            .args(["--strip-components=1", "--no-same-owner", "package/bin/node", "package/LICENSE"])
            .kill_on_drop(true)
            .output()
            .await
            .map_err(|e| platform(format!("running tar: {e}")))?;
        if !output.status.success() {
            return Err(platform(format!(
                "unpacking {spec}: {}",
                String::from_utf8_lossy(&output.stderr).lines().next().unwrap_or_default()
            )));
        }
        let node = unpacked.join("bin/node");
        let printed = tokio::process::Command::new(&node)
            .arg("--version")
            .output()
            .await
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        if printed != format!("v{version}") {
            return Err(platform(format!("{spec}'s node printed `{printed}` for its version, not v{version}")));
        }
        tokio::fs::write(unpacked.join(".ready"), format!("{spec}\n{integrity}\n"))
            .await
            .map_err(|e| platform(e.to_string()))?;
        place(&unpacked, host).await.map_err(|e| platform(e.to_string()))?;
        Ok(integrity)
    }

    /// A fresh staging folder for `folder`, beside where it will be placed.
    async fn staging(&self, folder: &str) -> Result<PathBuf, ToolchainError> {
        tokio::fs::create_dir_all(&self.root)
            .await
            .map_err(|e| platform(format!("making the toolchains folder: {e}")))?;
        set_mode(&self.root, 0o755).await;
        let staging = self.root.join(format!(".staging-{folder}-{}-{}", std::process::id(), rand::random::<u32>()));
        tokio::fs::create_dir_all(&staging).await.map_err(|e| platform(format!("making a staging folder: {e}")))?;
        Ok(staging)
    }
}

fn platform(reason: impl Into<String>) -> ToolchainError {
    ToolchainError::Platform(reason.into())
}

async fn is_ready(folder: &Path) -> bool {
    tokio::fs::try_exists(folder.join(".ready")).await.unwrap_or(false)
}

/// Renames a finished install into place; another process that placed it first wins.
async fn place(staged: &Path, host: &Path) -> std::io::Result<()> {
    set_mode(staged, 0o755).await;
    match tokio::fs::rename(staged, host).await {
        Ok(()) => Ok(()),
        Err(_) if is_ready(host).await => Ok(()),
        Err(e) => {
            // A folder left by an install that crashed before `.ready` was written.
            if tokio::fs::try_exists(host).await.unwrap_or(false) {
                tokio::fs::remove_dir_all(host).await?;
                return tokio::fs::rename(staged, host).await;
            }
            Err(e)
        }
    }
}

/// Runs npm with `flags` then `args`, within the install timeout; its standard output, or the
/// lines of its error output that say what failed.
async fn npm(flags: &[&str], args: &[&std::ffi::OsStr]) -> Result<String, String> {
    let run = tokio::process::Command::new("npm").args(flags).args(args).kill_on_drop(true).output();
    let output = tokio::time::timeout(INSTALL_TIMEOUT, run)
        .await
        .map_err(|_| format!("npm took longer than {INSTALL_TIMEOUT:?}"))?
        .map_err(|e| format!("running npm: {e}"))?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        // npm 7 to 9 write `npm ERR! …`, npm 10 and later `npm error …`
        let reason = said
            .lines()
            .filter(|l| l.contains("ERR!") || l.starts_with("npm error"))
            .filter(|l| l.trim_end() != "npm error")
            .take(3)
            .collect::<Vec<_>>()
            .join("; ");
        return Err(if reason.is_empty() { format!("npm exited with {}", output.status) } else { reason });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn sha512_file(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha512::new();
    std::io::copy(&mut file, &mut hasher)?;
    Ok(hasher.finalize().to_vec())
}

async fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = tokio::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).await;
}
