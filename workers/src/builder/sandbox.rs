//! Running one build step confined, and the bubblewrap backend (the embedded default).
//!
//! What a step sees (the rule, for both backends):
//! - **Shown, read-only**: `/usr` (programs and libraries, the Node.js toolchain among them),
//!   `/bin`, `/sbin`, `/lib*` (links into `/usr` on current Debian), and `/etc` less its
//!   secrets (`SECRET_ETC`: password hashes, private keys, the services' configuration).
//! - **Its own**: `/etc/passwd`, `/etc/group`, `/etc/hosts`, `/etc/hostname` and
//!   `/etc/resolv.conf` written for the build; `/proc` of its own PID namespace (only its own
//!   processes); a minimal `/dev`; its own disk at `/build` (the source), `/home/builder` and
//!   `/tmp` (see workspace.rs); its own network (network.rs).
//! - **Nothing else**: no `/root`, `/home`, `/var`, `/run`, `/srv`, `/opt`, `/mnt`, `/sys`; so
//!   not the data folder, the database, the key file, other builds' folders, the services'
//!   data (`/var/lib/postgresql`, ClickHouse's, Docker's) or any socket. Paths the operator
//!   names (`hidden`: the data folder, the database, the key file) are hidden even where they
//!   lie inside a shown tree.
//!
//! Who runs it: an unprivileged host uid of the build's own (identity.rs), `builder` inside,
//! no capabilities, no new privileges, no nested user namespaces. Limits: a cgroup per step
//! (cgroup.rs) and the disk's size. The sandbox process itself starts with an empty
//! environment: the build gets only the variables it is given.

use super::cgroup::CgroupRoot;
use super::identity::{self, INSIDE_ID};
use super::limits::Limits;
use super::network::BuildNetwork;
use super::workspace::Workspace;
use clouddeck_egress::EgressPolicy;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Parts of `/etc` a build never sees: password hashes, sudo and ssh configuration, private
/// keys, and the configuration (with its passwords) of the services CloudDeck runs beside.
pub const SECRET_ETC: &[&str] = &[
    "/etc/shadow",
    "/etc/shadow-",
    "/etc/gshadow",
    "/etc/gshadow-",
    "/etc/sudoers",
    "/etc/sudoers.d",
    "/etc/ssh",
    "/etc/ssl/private",
    "/etc/postgresql",
    "/etc/postgresql-common",
    "/etc/clickhouse-server",
    "/etc/clickhouse-client",
    "/etc/docker",
    "/etc/clouddeck",
    "/etc/letsencrypt",
];

/// The host folders a build sees, read-only (or as the links they are).
const SHOWN: &[&str] = &["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"];

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("the build ran past its {0:?} limit and was stopped")]
    Timeout(Duration),
    #[error("the sandbox could not start: {0}")]
    Start(std::io::Error),
    #[error("the container engine failed: {0}")]
    Engine(String),
    /// A limit or a wall the host cannot give: the step did not run.
    #[error("the build cannot be confined here: {0}")]
    Confinement(String),
}

impl From<super::cgroup::CgroupError> for SandboxError {
    fn from(e: super::cgroup::CgroupError) -> Self {
        SandboxError::Confinement(e.to_string())
    }
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exit {
    pub code: Option<i32>,
    /// The kernel stopped a process of the step for going over the memory limit.
    pub out_of_memory: bool,
}

impl Exit {
    pub fn success(self) -> bool {
        self.code == Some(0)
    }
}

/// One command of a build, to run confined.
pub struct Step<'a> {
    /// Unique on this host among running steps (`<build>-<n>`): names its cgroup or container.
    pub name: String,
    pub workspace: &'a Workspace,
    /// Run with `sh -c` in `dir`.
    pub command: &'a str,
    /// Where the command runs: `/build` or a folder of it.
    pub dir: &'a str,
    /// Toolchains the platform provides, `(host folder, where the build sees it)`, read-only.
    pub tools: &'a [(PathBuf, String)],
    /// The build's variables, from `build_env`.
    pub env: &'a [(String, String)],
    /// When the whole build's time is up.
    pub deadline: Instant,
}

/// What every build sees, whichever runner: a PATH, its home, CI=1, a temp folder on its own
/// disk, an npm cache in its home, the host's extra CA certificates when they are system ones
/// (a TLS-inspecting egress proxy's), then the project's variables.
pub fn build_env(env: &[(String, String)]) -> Vec<(String, String)> {
    let home = identity::HOME;
    let mut vars: Vec<(String, String)> = vec![
        ("PATH".into(), DEFAULT_PATH.into()),
        ("HOME".into(), home.into()),
        ("USER".into(), "builder".into()),
        ("CI".into(), "1".into()),
        ("TMPDIR".into(), "/tmp".into()),
        ("LANG".into(), "C.UTF-8".into()),
        ("npm_config_cache".into(), format!("{home}/.npm")),
    ];
    if let Ok(extra) = std::env::var("NODE_EXTRA_CA_CERTS")
        && extra.starts_with("/etc/ssl/")
    {
        vars.push(("NODE_EXTRA_CA_CERTS".into(), extra));
    }
    // A later value replaces an earlier one of the same name (the project's own PATH, say).
    for (key, value) in env {
        vars.retain(|(k, _)| k != key);
        vars.push((key.clone(), value.clone()));
    }
    vars
}

/// The PATH a build starts with.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Where a build's commands run: bubblewrap on the embedded default, Docker when distributed.
#[async_trait::async_trait]
pub trait Runner: Send + Sync {
    /// Recorded in `deployment.build_started`.
    fn name(&self) -> &'static str;

    /// The limits every step runs under.
    fn limits(&self) -> &Limits;

    /// Runs `step`, sending each output line (stdout and stderr) to `lines` as it comes.
    async fn run(&self, step: Step<'_>, lines: mpsc::UnboundedSender<String>) -> Result<Exit, SandboxError>;

    /// Removes what builds of this server left when it crashed (groups, containers).
    async fn sweep(&self) {}
}

/// The bubblewrap backend.
#[derive(Debug, Clone)]
pub struct Sandbox {
    pub limits: Limits,
    /// Where a build may connect.
    pub egress: EgressPolicy,
    /// Host paths hidden even inside the shown trees: the data folder, the database, the
    /// key file.
    pub hidden: Vec<PathBuf>,
    pub cgroups: CgroupRoot,
}

/// Sends each line of `stream` to `lines`; a line longer than 16 KiB comes in pieces.
pub(crate) fn forward(
    stream: Option<Box<dyn AsyncRead + Unpin + Send>>,
    lines: mpsc::UnboundedSender<String>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Some(stream) = stream else { return };
        let mut reader = BufReader::new(stream);
        let mut buffer = Vec::new();
        loop {
            buffer.clear();
            match (&mut reader).take(16 * 1024).read_until(b'\n', &mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&buffer);
                    let _ = lines.send(text.trim_end_matches(['\n', '\r']).to_string());
                }
            }
        }
    })
}

impl Sandbox {
    /// bubblewrap's options for `step` (the command comes after them): the rule in this
    /// module's header, as mounts.
    fn arguments(&self, step: &Step<'_>) -> Vec<String> {
        let mut args: Vec<String> = [
            "--unshare-user",
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-cgroup-try",
            "--disable-userns",
            "--die-with-parent",
            "--new-session",
            "--cap-drop",
            "ALL",
            "--hostname",
            "build",
        ]
        .map(String::from)
        .to_vec();
        args.extend(["--uid".into(), INSIDE_ID.to_string(), "--gid".into(), INSIDE_ID.to_string()]);
        for shown in SHOWN {
            let path = Path::new(shown);
            match std::fs::read_link(path) {
                Ok(target) => args.extend(["--symlink".into(), target.display().to_string(), shown.to_string()]),
                Err(_) if path.is_dir() => args.extend(["--ro-bind".into(), shown.to_string(), shown.to_string()]),
                Err(_) => {}
            }
        }
        let hidden = SECRET_ETC.iter().map(PathBuf::from).chain(self.hidden.iter().cloned());
        for path in hidden {
            let inside_shown = SHOWN.iter().any(|s| path.starts_with(s));
            match std::fs::symlink_metadata(&path) {
                Ok(meta) if inside_shown && meta.is_dir() => {
                    args.extend(["--tmpfs".into(), path.display().to_string()])
                }
                Ok(_) if inside_shown => {
                    args.extend(["--ro-bind".into(), "/dev/null".into(), path.display().to_string()])
                }
                _ => {}
            }
        }
        for (host, inside) in step.workspace.etc_files() {
            args.extend(["--ro-bind".into(), host.display().to_string(), inside]);
        }
        args.extend(["--proc", "/proc", "--dev", "/dev"].map(String::from));
        for (host, inside) in step.workspace.binds() {
            args.extend(["--bind".into(), host.display().to_string(), inside.to_string()]);
        }
        for (host, inside) in step.tools {
            args.extend(["--ro-bind".into(), host.display().to_string(), inside.clone()]);
        }
        for (key, value) in build_env(step.env) {
            args.extend(["--setenv".into(), key, value]);
        }
        args.extend(["--chdir".into(), step.dir.into()]);
        args
    }
}

#[async_trait::async_trait]
impl Runner for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn limits(&self) -> &Limits {
        &self.limits
    }

    async fn run(&self, step: Step<'_>, lines: mpsc::UnboundedSender<String>) -> Result<Exit, SandboxError> {
        let user = &step.workspace.user;
        // bubblewrap's arguments hold the build's variables: they go through a root-only file
        // read on fd 3 (and deleted at once), so the sandbox's first process shows a bare
        // `bwrap --args 3` instead of every value and host path.
        let arguments = step.workspace.private_file(&format!("args-{}", step.name));
        write_private(&arguments, &self.arguments(&step)).await?;
        let group = match self.cgroups.create(&step.name, &self.limits) {
            Ok(group) => group,
            Err(e) => {
                let _ = tokio::fs::remove_file(&arguments).await;
                return Err(e.into());
            }
        };
        // A launcher in a new network namespace (made by root: the build gets no say in it)
        // says it is there, waits until its cgroup and network are ready, then becomes the
        // unprivileged sandbox. It starts with an empty environment.
        let mut launcher = Command::new("unshare");
        launcher
            .args(["--net", "--", "/bin/sh", "-c"])
            .arg("echo ready && read go && exec 3<\"$0\" && rm -f -- \"$0\" && exec \"$@\"")
            .arg(&arguments)
            // (the shell exports PWD: `env -i` leaves the sandbox nothing at all)
            .args([which("env")?.as_os_str(), "-i".as_ref()])
            .arg(which("setpriv")?)
            .args([format!("--reuid={}", user.uid), format!("--regid={}", user.gid)])
            .args(["--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"])
            .arg(which("bwrap")?)
            .args(["--args", "3", "--", "/bin/sh", "-c", step.command])
            .env_clear()
            .current_dir("/")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let started = async {
            let mut child = launcher.spawn().map_err(SandboxError::Start)?;
            let pid = child.id().ok_or_else(|| SandboxError::Confinement("the launcher ended at once".into()))?;
            group.enter(pid)?;
            let mut stdout =
                BufReader::new(child.stdout.take().ok_or_else(|| SandboxError::Confinement("no stdout".into()))?);
            let mut ready = String::new();
            let said = tokio::time::timeout(Duration::from_secs(10), stdout.read_line(&mut ready)).await;
            if !matches!(said, Ok(Ok(_))) || ready.trim() != "ready" {
                return Err(SandboxError::Confinement("the sandbox's network namespace was not made".into()));
            }
            own_namespace(pid)?;
            let network = BuildNetwork::attach(pid, &self.egress).await?;
            let mut stdin = child.stdin.take().ok_or_else(|| SandboxError::Confinement("no stdin".into()))?;
            stdin.write_all(b"go\n").await.map_err(SandboxError::Start)?;
            drop(stdin);
            Ok((child, stdout, network))
        }
        .await;
        let (mut child, stdout, network) = match started {
            Ok(started) => started,
            Err(e) => {
                group.destroy().await;
                let _ = tokio::fs::remove_file(&arguments).await;
                return Err(e);
            }
        };
        let out = forward(Some(Box::new(stdout)), lines.clone());
        let err = forward(child.stderr.take().map(|s| Box::new(s) as _), lines);
        let waited = tokio::time::timeout_at(step.deadline, child.wait()).await;
        let out_of_memory = group.out_of_memory();
        // Whatever the step left running (a daemon, a process that outlived the shell) dies here.
        group.destroy().await;
        network.stop().await;
        let _ = tokio::join!(out, err);
        match waited {
            Ok(status) => Ok(Exit { code: status.map_err(SandboxError::Start)?.code(), out_of_memory }),
            Err(_) => {
                let _ = child.kill().await;
                Err(SandboxError::Timeout(self.limits.timeout))
            }
        }
    }

    async fn sweep(&self) {
        self.cgroups.sweep().await;
    }
}

/// Writes `arguments` NUL-separated (bubblewrap's `--args` form) to a file only root may read.
async fn write_private(path: &Path, arguments: &[String]) -> Result<(), SandboxError> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut bytes = Vec::new();
    for argument in arguments {
        bytes.extend_from_slice(argument.as_bytes());
        bytes.push(0);
    }
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let _ = std::fs::remove_file(&path);
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path)?;
        file.write_all(&bytes)
    })
    .await
    .map_err(|e| SandboxError::Confinement(e.to_string()))?
    .map_err(|e| SandboxError::Confinement(format!("writing the sandbox's arguments: {e}")))
}

/// Refuses to go on unless process `pid` is in a network namespace other than this one: the
/// filter must never land on the host's own network.
fn own_namespace(pid: u32) -> Result<(), SandboxError> {
    let theirs = std::fs::read_link(format!("/proc/{pid}/ns/net"));
    let ours = std::fs::read_link("/proc/self/ns/net");
    match (theirs, ours) {
        (Ok(theirs), Ok(ours)) if theirs != ours => Ok(()),
        _ => Err(SandboxError::Confinement("the build did not get a network namespace of its own".into())),
    }
}

/// The full path of a program the sandbox needs, from the server's PATH.
pub(crate) fn which(program: &str) -> Result<PathBuf, SandboxError> {
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/sbin:/usr/bin:/sbin:/bin".into());
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| SandboxError::Confinement(format!("{program} is not installed")))
}
