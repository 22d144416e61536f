//! The Docker build backend (distributed mode), under the same rule as the sandbox (see
//! sandbox.rs): each step in a fresh container of the build image, as the build's own
//! unprivileged uid, with no capabilities and no new privileges, a read-only root, the
//! build's disk bound at `/build`, `/home/builder` and `/tmp`, its own `/etc` files, the
//! host's Node.js toolchain read-only (no image registry is reachable here to fetch one),
//! no host environment, no Docker socket, memory, CPU and process limits, a wall-clock
//! deadline, and the build network of network.rs: the container joins the network
//! namespace of a holder container that has no network of Docker's, which gets slirp4netns
//! and the egress filter before the step starts.

use super::limits::Limits;
use super::network::BuildNetwork;
use super::sandbox::{Exit, Runner, SandboxError, Step, build_env};
use bollard::Docker;
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, ListContainersOptionsBuilder, LogsOptionsBuilder, RemoveContainerOptionsBuilder,
    WaitContainerOptionsBuilder,
};
use clouddeck_egress::EgressPolicy;
use futures::StreamExt;
use std::collections::HashMap;
use std::path::Path;
use tokio::sync::mpsc;

pub struct DockerRunner {
    docker: Docker,
    pub image: String,
    pub limits: Limits,
    pub egress: EgressPolicy,
    /// Container names start `cd-<instance>-`, so a server sweeps only its own.
    instance: String,
}

/// Host paths bound read-only into every build container: the Node.js toolchain, and the
/// host's trust store and npm configuration, so that registries are reached as the host
/// reaches them (through a TLS-inspecting egress proxy on these machines).
const TOOLCHAIN: &[&str] =
    &["/usr/bin/node", "/usr/lib/node_modules", "/usr/share/nodejs", "/etc/ssl/certs", "/etc/npmrc", "/usr/etc/npmrc"];

fn engine(e: bollard::errors::Error) -> SandboxError {
    SandboxError::Engine(e.to_string())
}

impl DockerRunner {
    /// Connects to the local engine and checks that it can enforce every limit: an engine
    /// without memory, CPU quota or process limits is refused.
    pub async fn connect(
        image: &str,
        limits: Limits,
        egress: EgressPolicy,
        instance: &str,
    ) -> Result<Self, SandboxError> {
        // The engine here speaks an older API than bollard asks for by default.
        let docker =
            Docker::connect_with_local_defaults().map_err(engine)?.negotiate_version().await.map_err(engine)?;
        let info = docker.info().await.map_err(engine)?;
        for (supported, what) in
            [(info.memory_limit, "memory"), (info.cpu_cfs_quota, "CPU quota"), (info.pids_limit, "process")]
        {
            if supported != Some(true) {
                return Err(SandboxError::Confinement(format!("the Docker engine cannot enforce the {what} limit")));
            }
        }
        Ok(DockerRunner { docker, image: image.into(), limits, egress, instance: instance.into() })
    }

    async fn remove(&self, name: &str) {
        let options = RemoveContainerOptionsBuilder::new().force(true).build();
        let _ = self.docker.remove_container(name, Some(options)).await;
    }

    /// A container that holds the step's network namespace: no network of Docker's, nothing
    /// running but `sleep`. Returns its host PID.
    async fn holder(&self, name: &str, user: &str) -> Result<u32, SandboxError> {
        let body = ContainerCreateBody {
            image: Some(self.image.clone()),
            cmd: Some(vec!["/bin/sleep".into(), "infinity".into()]),
            user: Some(user.into()),
            network_disabled: Some(false),
            host_config: Some(HostConfig {
                network_mode: Some("none".into()),
                cap_drop: Some(vec!["ALL".into()]),
                security_opt: Some(vec!["no-new-privileges".into()]),
                readonly_rootfs: Some(true),
                memory: Some(16 << 20),
                pids_limit: Some(4),
                ..Default::default()
            }),
            ..Default::default()
        };
        self.remove(name).await;
        let create = CreateContainerOptionsBuilder::new().name(name).build();
        self.docker.create_container(Some(create), body).await.map_err(engine)?;
        self.docker.start_container(name, None).await.map_err(engine)?;
        let inspected = self.docker.inspect_container(name, None).await.map_err(engine)?;
        let pid = inspected.state.and_then(|s| s.pid).filter(|pid| *pid > 0);
        pid.map(|pid| pid as u32).ok_or_else(|| SandboxError::Engine("the network holder is not running".into()))
    }

    fn step_body(&self, step: &Step<'_>, holder: &str, user: &str) -> ContainerCreateBody {
        let mut binds: Vec<String> =
            step.workspace.binds().iter().map(|(host, inside)| format!("{}:{inside}", host.display())).collect();
        binds.extend(
            step.workspace.etc_files().into_iter().map(|(host, inside)| format!("{}:{inside}:ro", host.display())),
        );
        binds.extend(TOOLCHAIN.iter().filter(|p| Path::new(p).exists()).map(|p| format!("{p}:{p}:ro")));
        binds.extend(step.tools.iter().map(|(host, inside)| format!("{}:{inside}:ro", host.display())));
        let vars = build_env(step.env).into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        ContainerCreateBody {
            image: Some(self.image.clone()),
            cmd: Some(vec!["/bin/sh".into(), "-c".into(), step.command.into()]),
            working_dir: Some(step.dir.into()),
            user: Some(user.into()),
            env: Some(vars),
            host_config: Some(HostConfig {
                binds: Some(binds),
                memory: Some(self.limits.memory_bytes as i64),
                memory_swap: Some(self.limits.memory_bytes as i64),
                nano_cpus: Some((self.limits.cpus * 1e9) as i64),
                pids_limit: Some(self.limits.processes as i64),
                network_mode: Some(format!("container:{holder}")),
                cap_drop: Some(vec!["ALL".into()]),
                security_opt: Some(vec!["no-new-privileges".into()]),
                readonly_rootfs: Some(true),
                tmpfs: Some(HashMap::from([("/run".to_string(), "size=16m,noexec".to_string())])),
                ..Default::default()
            }),
            ..Default::default()
        }
    }
}

#[async_trait::async_trait]
impl Runner for DockerRunner {
    fn name(&self) -> &'static str {
        "docker"
    }

    fn limits(&self) -> &Limits {
        &self.limits
    }

    async fn run(&self, step: Step<'_>, lines: mpsc::UnboundedSender<String>) -> Result<Exit, SandboxError> {
        let user = format!("{}:{}", step.workspace.user.uid, step.workspace.user.gid);
        let container = format!("cd-{}-{}", self.instance, step.name);
        let holder = format!("{container}-net");
        let outcome = async {
            let pid = self.holder(&holder, &user).await?;
            let network = BuildNetwork::attach(pid, &self.egress).await?;
            let result = async {
                let create = CreateContainerOptionsBuilder::new().name(&container).build();
                let body = self.step_body(&step, &holder, &user);
                self.docker.create_container(Some(create), body).await.map_err(engine)?;
                self.docker.start_container(&container, None).await.map_err(engine)?;
                let options = LogsOptionsBuilder::new().follow(true).stdout(true).stderr(true).build();
                let mut logs = self.docker.logs(&container, Some(options));
                let mut partial = String::new();
                let forward = async {
                    while let Some(Ok(output)) = logs.next().await {
                        partial.push_str(&String::from_utf8_lossy(&output.into_bytes()));
                        while let Some(at) = partial.find('\n') {
                            let line: String = partial.drain(..=at).collect();
                            let _ = lines.send(line.trim_end_matches(['\n', '\r']).to_string());
                        }
                        if partial.len() > 16 * 1024 {
                            let _ = lines.send(std::mem::take(&mut partial));
                        }
                    }
                    if !partial.is_empty() {
                        let _ = lines.send(std::mem::take(&mut partial));
                    }
                };
                if tokio::time::timeout_at(step.deadline, forward).await.is_err() {
                    return Err(SandboxError::Timeout(self.limits.timeout));
                }
                let wait = WaitContainerOptionsBuilder::new().condition("not-running").build();
                let code = match self.docker.wait_container(&container, Some(wait)).next().await {
                    Some(Ok(status)) => Some(status.status_code as i32),
                    // A non-zero exit comes back as an error carrying the code.
                    Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => Some(code as i32),
                    Some(Err(e)) => return Err(engine(e)),
                    None => None,
                };
                let inspected = self.docker.inspect_container(&container, None).await.map_err(engine)?;
                let out_of_memory = inspected.state.and_then(|s| s.oom_killed).unwrap_or(false);
                Ok(Exit { code, out_of_memory })
            }
            .await;
            network.stop().await;
            result
        }
        .await;
        self.remove(&container).await;
        self.remove(&holder).await;
        outcome
    }

    async fn sweep(&self) {
        let prefix = format!("cd-{}-", self.instance);
        let filters = HashMap::from([("name".to_string(), vec![prefix.clone()])]);
        let options = ListContainersOptionsBuilder::new().all(true).filters(&filters).build();
        let Ok(found) = self.docker.list_containers(Some(options)).await else { return };
        for container in found {
            for name in container.names.unwrap_or_default() {
                let name = name.trim_start_matches('/');
                if name.starts_with(&prefix) {
                    self.remove(name).await;
                }
            }
        }
    }
}
