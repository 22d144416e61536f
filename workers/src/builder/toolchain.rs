//! The package managers a project asks for (pnpm, Yarn 1 and 2+, Bun), provided by the
//! platform rather than by a build step: installed from the npm registry once per version,
//! with npm's `--ignore-scripts` (no package code runs here), into a folder beside the builds
//! that builds see read-only at `/opt/clouddeck/tools/<name>`, its programs on their PATH.
//! npm itself comes with Node.js.

use super::detect::{PackageManager, Tool};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long installing one tool may take.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(300);

/// A provided tool: where it is on the host, where builds see it, and its programs' folder
/// there (for PATH).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provided {
    pub host: PathBuf,
    pub inside: String,
    pub bin: String,
}

pub struct Toolchains {
    root: PathBuf,
    installing: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
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

impl Toolchains {
    /// Tools kept under `root` (which build users must be able to traverse).
    pub fn new(root: PathBuf) -> Self {
        Toolchains { root, installing: Mutex::default() }
    }

    /// The tool, installed if it is not yet; progress lines go to `say`.
    pub async fn provide(&self, tool: &Tool, say: &(dyn Fn(String) + Sync)) -> Result<Provided, String> {
        let (name, bin) = package(tool.manager);
        let folder = format!("{}-{}", tool.manager.name(), tool.version);
        let host = self.root.join(&folder);
        let provided = Provided {
            host: host.clone(),
            inside: format!("/opt/clouddeck/tools/{folder}"),
            bin: format!("/opt/clouddeck/tools/{folder}/{bin}"),
        };
        let lock = {
            let mut installing = self.installing.lock().map_err(|_| "the toolchain lock is poisoned".to_string())?;
            installing.entry(folder.clone()).or_default().clone()
        };
        let _held = lock.lock().await;
        if host.join(".ready").exists() {
            say(format!("clouddeck: {} {} from the platform's toolchains", tool.manager.name(), tool.version));
            return Ok(provided);
        }
        say(format!("clouddeck: installing {} {} for builds (once per version)", tool.manager.name(), tool.version));
        let _ = tokio::fs::remove_dir_all(&host).await;
        tokio::fs::create_dir_all(&host).await.map_err(|e| format!("making the toolchain folder: {e}"))?;
        set_mode(&self.root, 0o755).await;
        let spec = format!("{name}@{}", tool.version);
        let install = tokio::process::Command::new("npm")
            .args(["install", "--ignore-scripts", "--no-audit", "--no-fund", "--no-save", "--no-package-lock"])
            .arg("--prefix")
            .arg(&host)
            .arg(&spec)
            .kill_on_drop(true)
            .output();
        let output = tokio::time::timeout(INSTALL_TIMEOUT, install)
            .await
            .map_err(|_| format!("installing {spec} took longer than {INSTALL_TIMEOUT:?}"))?
            .map_err(|e| format!("running npm to install {spec}: {e}"))?;
        if !output.status.success() {
            let said = String::from_utf8_lossy(&output.stderr);
            let reason = said.lines().filter(|l| l.contains("ERR")).take(3).collect::<Vec<_>>().join("; ");
            return Err(format!("{spec} could not be installed from the npm registry: {reason}"));
        }
        let program = host.join(bin).join(tool.manager.name());
        if !tokio::fs::try_exists(&program).await.unwrap_or(false) {
            return Err(format!("{spec} was installed but has no `{}` program", tool.manager.name()));
        }
        tokio::fs::write(host.join(".ready"), &spec).await.map_err(|e| e.to_string())?;
        Ok(provided)
    }
}

async fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = tokio::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).await;
}
