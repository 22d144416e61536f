//! Running a build command in a bubblewrap sandbox: the host read-only, only the build's own
//! folder writable, CloudDeck's data and the host's home folders hidden, its own PID, IPC and
//! UTS namespaces, an unprivileged user, a wall-clock timeout, and memory and CPU limits
//! through a cgroup when the host lets us make one. The network is shared: installs need
//! the package registries, and on these machines nothing else is reachable.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio::sync::mpsc;

#[derive(Debug, Clone)]
pub struct Sandbox {
    /// Folders the build must not see (CloudDeck's data folder among them).
    pub hidden: Vec<PathBuf>,
    pub timeout: Duration,
    pub memory_bytes: u64,
    /// CPU time per wall-clock second, in cores (1.0 = one core).
    pub cpus: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("the build ran past its {0:?} limit and was stopped")]
    Timeout(Duration),
    #[error("the sandbox could not start: {0}")]
    Start(std::io::Error),
    #[error("the container engine failed: {0}")]
    Engine(String),
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exit {
    pub code: Option<i32>,
}

impl Exit {
    pub fn success(self) -> bool {
        self.code == Some(0)
    }
}

/// A v1 or v2 cgroup made for one build, removed when dropped.
struct Cgroup {
    dirs: Vec<PathBuf>,
}

impl Cgroup {
    fn create(name: &str, memory: u64, cpus: f64) -> Option<Cgroup> {
        let quota = (cpus * 100_000.0) as u64;
        let v2 = Path::new("/sys/fs/cgroup/cgroup.controllers").exists();
        let plan: Vec<(PathBuf, Vec<(&str, String)>)> = if v2 {
            vec![(
                PathBuf::from(format!("/sys/fs/cgroup/clouddeck-{name}")),
                vec![("memory.max", memory.to_string()), ("cpu.max", format!("{quota} 100000"))],
            )]
        } else {
            vec![
                (
                    PathBuf::from(format!("/sys/fs/cgroup/memory/clouddeck-{name}")),
                    vec![("memory.limit_in_bytes", memory.to_string())],
                ),
                (
                    PathBuf::from(format!("/sys/fs/cgroup/cpu/clouddeck-{name}")),
                    vec![("cpu.cfs_period_us", "100000".into()), ("cpu.cfs_quota_us", quota.to_string())],
                ),
            ]
        };
        let mut group = Cgroup { dirs: Vec::new() };
        for (dir, settings) in plan {
            std::fs::create_dir(&dir).ok()?;
            group.dirs.push(dir.clone());
            for (file, value) in settings {
                std::fs::write(dir.join(file), value).ok()?;
            }
        }
        Some(group)
    }

    /// Shell words that move the shell itself into the group before it execs the sandbox.
    fn enter(&self) -> String {
        self.dirs.iter().map(|d| format!("echo $$ > {}/cgroup.procs; ", d.display())).collect()
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        for dir in &self.dirs {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', "'\\''"))
}

/// What every build sees, whichever runner: a PATH, a home and an npm cache in its own
/// folder, CI=1, the host's extra CA certificates when they are system ones (a proxy's), then
/// the project's variables.
pub fn build_env(work: &str, env: &[(String, String)]) -> Vec<(String, String)> {
    let mut vars: Vec<(String, String)> = vec![
        ("PATH".into(), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()),
        ("HOME".into(), format!("{work}/.home")),
        ("CI".into(), "1".into()),
        ("npm_config_cache".into(), format!("{work}/.npm")),
    ];
    if let Ok(extra) = std::env::var("NODE_EXTRA_CA_CERTS")
        && extra.starts_with("/etc/ssl/")
    {
        vars.push(("NODE_EXTRA_CA_CERTS".into(), extra));
    }
    vars.extend(env.iter().cloned());
    vars
}

/// Where a build's commands run: bubblewrap on the embedded default, Docker when distributed.
#[async_trait::async_trait]
pub trait Runner: Send + Sync {
    /// Recorded in `deployment.build_started`.
    fn name(&self) -> &'static str;

    /// Runs `command` with `sh -c` in `workdir`, sending each output line (stdout and stderr)
    /// to `lines` as it comes.
    async fn run(
        &self,
        name: &str,
        workdir: &Path,
        command: &str,
        env: &[(String, String)],
        lines: mpsc::UnboundedSender<String>,
    ) -> Result<Exit, SandboxError>;
}

#[async_trait::async_trait]
impl Runner for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    async fn run(
        &self,
        name: &str,
        workdir: &Path,
        command: &str,
        env: &[(String, String)],
        lines: mpsc::UnboundedSender<String>,
    ) -> Result<Exit, SandboxError> {
        let work = workdir.display().to_string();
        let mut args: Vec<String> = vec!["--ro-bind".into(), "/".into(), "/".into()];
        for hidden in self.hidden.iter().map(|p| p.display().to_string()).chain(["/root".into(), "/home".into()]) {
            if Path::new(&hidden).exists() {
                args.extend(["--tmpfs".into(), hidden]);
            }
        }
        args.extend(["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"].map(String::from));
        args.extend(["--bind".into(), work.clone(), work.clone()]);
        args.extend(
            ["--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--uid", "65534", "--gid", "65534"]
                .map(String::from),
        );
        args.extend(["--die-with-parent", "--new-session", "--clearenv"].map(String::from));
        for (key, value) in build_env(&work, env) {
            args.extend(["--setenv".into(), key, value]);
        }
        args.extend(["--chdir".into(), work.clone(), "--".into(), "/bin/sh".into(), "-c".into(), command.into()]);
        let bwrap = format!("exec bwrap {}", args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" "));
        let group = Cgroup::create(name, self.memory_bytes, self.cpus);
        if group.is_none() {
            let _ = lines.send("clouddeck: no cgroup could be made here; memory and CPU are not limited".into());
        }
        let script = format!("{}{bwrap}", group.as_ref().map(Cgroup::enter).unwrap_or_default());
        let mut child = Command::new("/bin/sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(SandboxError::Start)?;
        let forward = |stream: Option<Box<dyn tokio::io::AsyncRead + Unpin + Send>>,
                       lines: mpsc::UnboundedSender<String>| {
            tokio::spawn(async move {
                if let Some(stream) = stream {
                    let mut reader = BufReader::new(stream).lines();
                    while let Ok(Some(line)) = reader.next_line().await {
                        let _ = lines.send(line);
                    }
                }
            })
        };
        let out = forward(child.stdout.take().map(|s| Box::new(s) as _), lines.clone());
        let err = forward(child.stderr.take().map(|s| Box::new(s) as _), lines);
        let status = match tokio::time::timeout(self.timeout, child.wait()).await {
            Ok(status) => status.map_err(SandboxError::Start)?,
            Err(_) => {
                let _ = child.kill().await;
                return Err(SandboxError::Timeout(self.timeout));
            }
        };
        let _ = tokio::join!(out, err);
        drop(group);
        Ok(Exit { code: status.code() })
    }
}
