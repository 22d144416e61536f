//! A build's own filesystem: an ext4 image of the build's disk limit, loop-mounted (nodev,
//! nosuid) under `<builds>/<build>/fs`. Everything a build can write lives in it:
//! `source/` (seen as `/build`), `home/` (`/home/builder`) and `tmp/` (`/tmp`), so a build
//! that writes too much meets ENOSPC on its own disk and never fills the host's. The files
//! the sandbox shows in place of the host's (`passwd`, `resolv.conf`, …) sit beside it, owned
//! by root and bound read-only.
//!
//! A workspace is destroyed when its build ends; `sweep` removes what a crash left.
//!
//! The builds folder is apart from the data folder (which only root may enter) because the
//! sandbox binds it as the build's own user: it and each build's folder are traversable
//! (0711) but not listable, the disk's root belongs to the build's uid alone (0700), and the
//! `/etc` files beside it hold nothing secret.

use super::identity::{self, BuildUser};
use super::sandbox::SandboxError;
use std::path::{Path, PathBuf};
use tokio::process::Command;

#[derive(Debug)]
pub struct Workspace {
    /// `<data>/builds/<build>`: the image, the mount point, the sandbox's own `/etc` files.
    dir: PathBuf,
    mount: PathBuf,
    pub user: BuildUser,
}

fn confinement(what: &str, e: impl std::fmt::Display) -> SandboxError {
    SandboxError::Confinement(format!("{what}: {e}"))
}

async fn run(program: &str, args: &[&str]) -> Result<(), SandboxError> {
    let output = Command::new(program)
        .args(args)
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| confinement(&format!("cannot run {program}"), e))?;
    if output.status.success() {
        Ok(())
    } else {
        let reason = String::from_utf8_lossy(&output.stderr).trim().chars().take(300).collect::<String>();
        Err(confinement(&format!("{program} failed"), reason))
    }
}

impl Workspace {
    /// Makes and mounts a filesystem of `disk_bytes` for build `id`, owned by `user`.
    pub async fn create(builds: &Path, id: &str, disk_bytes: u64, user: BuildUser) -> Result<Self, SandboxError> {
        use std::os::unix::fs::PermissionsExt;
        let dir = builds.join(id);
        let _ = Self::remove(&dir).await;
        let etc = dir.join("etc");
        tokio::fs::create_dir_all(&etc).await.map_err(|e| confinement("making the build folder", e))?;
        for (folder, mode) in [(builds, 0o711), (dir.as_path(), 0o711), (etc.as_path(), 0o755)] {
            tokio::fs::set_permissions(folder, std::fs::Permissions::from_mode(mode))
                .await
                .map_err(|e| confinement("making the build folder", e))?;
        }
        let image = dir.join("disk.img");
        let mount = dir.join("fs");
        tokio::fs::create_dir_all(&mount).await.map_err(|e| confinement("making the build folder", e))?;
        let file = tokio::fs::File::create(&image).await.map_err(|e| confinement("making the build's disk", e))?;
        // Sparse: the host's disk holds only what the build writes.
        file.set_len(disk_bytes).await.map_err(|e| confinement("sizing the build's disk", e))?;
        drop(file);
        let image_arg = image.display().to_string();
        // No journal (the image is thrown away after a crash anyway), no reserved blocks.
        run("mkfs.ext4", &["-q", "-F", "-m", "0", "-O", "^has_journal", "-E", "nodiscard", &image_arg]).await?;
        let mount_arg = mount.display().to_string();
        run("mount", &["-o", "loop,nodev,nosuid,noatime", &image_arg, &mount_arg]).await?;
        let workspace = Workspace { dir, mount, user };
        for sub in ["source", "home", "tmp"] {
            tokio::fs::create_dir(workspace.mount.join(sub))
                .await
                .map_err(|e| confinement("laying out the disk", e))?;
        }
        tokio::fs::set_permissions(&workspace.mount, std::fs::Permissions::from_mode(0o700))
            .await
            .map_err(|e| confinement("laying out the disk", e))?;
        for (name, text) in [
            ("passwd", identity::passwd()),
            ("group", identity::group()),
            ("hostname", "build\n".to_string()),
            ("hosts", "127.0.0.1 localhost build\n::1 localhost\n".to_string()),
            // The build network's DNS forwarder (see network.rs).
            ("resolv.conf", format!("nameserver {}\n", super::network::DNS)),
        ] {
            tokio::fs::write(etc.join(name), text).await.map_err(|e| confinement("writing the sandbox's /etc", e))?;
        }
        Ok(workspace)
    }

    /// The source, its dependencies and the output: `/build` inside.
    pub fn source(&self) -> PathBuf {
        self.mount.join("source")
    }

    /// `/home/builder` inside.
    pub fn home(&self) -> PathBuf {
        self.mount.join("home")
    }

    /// `/tmp` inside.
    pub fn tmp(&self) -> PathBuf {
        self.mount.join("tmp")
    }

    /// One of the files shown in place of the host's `/etc/<name>`.
    pub fn etc(&self, name: &str) -> PathBuf {
        self.dir.join("etc").join(name)
    }

    /// A file beside the disk that only root may read (created by the caller with mode 0600).
    pub fn private_file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// What the sandbox binds, `(host path, path inside)`, read-write.
    pub fn binds(&self) -> [(PathBuf, &'static str); 3] {
        [(self.source(), identity::SOURCE), (self.home(), identity::HOME), (self.tmp(), "/tmp")]
    }

    /// The `/etc` files the sandbox shows instead of the host's, `(host path, path inside)`.
    pub fn etc_files(&self) -> Vec<(PathBuf, String)> {
        ["passwd", "group", "hostname", "hosts", "resolv.conf"]
            .iter()
            .map(|name| (self.etc(name), format!("/etc/{name}")))
            .collect()
    }

    /// Gives the build user everything on its disk: run before each step, after the server
    /// wrote files there (the source, cached dependencies).
    pub async fn hand_over(&self) -> Result<(), SandboxError> {
        let owner = format!("{}:{}", self.user.uid, self.user.gid);
        let mount = self.mount.display().to_string();
        run("chown", &["-R", "-P", &owner, &mount]).await
    }

    /// Unmounts and deletes the build's disk and folder.
    pub async fn destroy(self) {
        let _ = Self::remove(&self.dir).await;
    }

    async fn remove(dir: &Path) -> std::io::Result<()> {
        let mount = dir.join("fs");
        if is_mount_point(&mount) {
            let target = mount.display().to_string();
            // Lazily if something still holds it: it goes once the last user lets go.
            if run("umount", &[&target]).await.is_err() {
                let _ = run("umount", &["-l", &target]).await;
            }
        }
        match tokio::fs::remove_dir_all(dir).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Removes every workspace under `builds`: at start-up, what a crash left behind.
    pub async fn sweep(builds: &Path) {
        let Ok(mut entries) = tokio::fs::read_dir(builds).await else { return };
        while let Ok(Some(entry)) = entries.next_entry().await {
            // (`.toolchains` and the like are the platform's, not a build's)
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if let Err(e) = Self::remove(&entry.path()).await {
                tracing::warn!(folder = %entry.path().display(), error = %e, "a crashed build's folder");
            }
        }
    }
}

/// Whether `path` is where something is mounted, from the kernel's table.
fn is_mount_point(path: &Path) -> bool {
    let Ok(table) = std::fs::read_to_string("/proc/self/mountinfo") else { return false };
    let wanted = path.display().to_string();
    // Field 5 is the mount point, with spaces and the like written as octal escapes.
    table.lines().filter_map(|l| l.split(' ').nth(4)).any(|point| unescape(point) == wanted)
}

fn unescape(field: &str) -> String {
    let mut out = String::new();
    let mut chars = field.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let code: String = chars.by_ref().take(3).collect();
            match u8::from_str_radix(&code, 8) {
                Ok(byte) => out.push(byte as char),
                Err(_) => out.push_str(&code),
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl Drop for Workspace {
    fn drop(&mut self) {
        // `destroy` is the way out; a workspace dropped on an error path is swept at the next
        // start-up, or here if the mount is already gone.
        if !is_mount_point(&self.mount) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
