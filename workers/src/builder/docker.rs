//! The Docker build backend (distributed mode): each build command in a fresh container of
//! the build image, the build folder bound in, the host's Node.js toolchain bound read-only
//! (no image registry is reachable here to fetch one), memory and CPU limits, a wall-clock
//! timeout, an unprivileged user, and the container removed afterwards.

use super::sandbox::{Exit, Runner, SandboxError, build_env};
use bollard::Docker;
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, LogsOptionsBuilder, RemoveContainerOptionsBuilder, WaitContainerOptionsBuilder,
};
use futures::StreamExt;
use std::path::Path;
use std::time::Duration;
use tokio::sync::mpsc;

pub struct DockerRunner {
    docker: Docker,
    pub image: String,
    pub timeout: Duration,
    pub memory_bytes: u64,
    pub cpus: f64,
}

/// Host paths bound read-only into every build container: the Node.js toolchain, and the
/// host's trust store and npm configuration, so that registries are reached as the host
/// reaches them (through a TLS-inspecting egress proxy on these machines).
const TOOLCHAIN: &[&str] =
    &["/usr/bin/node", "/usr/lib/node_modules", "/usr/share/nodejs", "/etc/ssl", "/etc/npmrc", "/usr/etc/npmrc"];

fn engine(e: bollard::errors::Error) -> SandboxError {
    SandboxError::Engine(e.to_string())
}

impl DockerRunner {
    pub async fn connect(image: &str, timeout: Duration, memory_bytes: u64, cpus: f64) -> Result<Self, SandboxError> {
        // The engine here speaks an older API than bollard asks for by default.
        let docker =
            Docker::connect_with_local_defaults().map_err(engine)?.negotiate_version().await.map_err(engine)?;
        Ok(DockerRunner { docker, image: image.into(), timeout, memory_bytes, cpus })
    }

    async fn remove(&self, name: &str) {
        let options = RemoveContainerOptionsBuilder::new().force(true).build();
        let _ = self.docker.remove_container(name, Some(options)).await;
    }
}

#[async_trait::async_trait]
impl Runner for DockerRunner {
    fn name(&self) -> &'static str {
        "docker"
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
        // The build runs as nobody: it must own its folder.
        let owned = tokio::process::Command::new("chown").args(["-R", "65534:65534", &work]).status().await;
        if !owned.is_ok_and(|s| s.success()) {
            return Err(SandboxError::Engine(format!("cannot hand {work} to the build user")));
        }
        let mut binds = vec![format!("{work}:{work}")];
        binds.extend(TOOLCHAIN.iter().filter(|p| Path::new(p).exists()).map(|p| format!("{p}:{p}:ro")));
        let vars = build_env(&work, env).into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        let body = ContainerCreateBody {
            image: Some(self.image.clone()),
            cmd: Some(vec!["/bin/sh".into(), "-c".into(), command.into()]),
            working_dir: Some(work.clone()),
            user: Some("65534:65534".into()),
            env: Some(vars),
            host_config: Some(HostConfig {
                binds: Some(binds),
                memory: Some(self.memory_bytes as i64),
                memory_swap: Some(self.memory_bytes as i64),
                nano_cpus: Some((self.cpus * 1e9) as i64),
                pids_limit: Some(4096),
                network_mode: Some("bridge".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let container = format!("clouddeck-build-{name}");
        self.remove(&container).await;
        let create = CreateContainerOptionsBuilder::new().name(&container).build();
        self.docker.create_container(Some(create), body).await.map_err(engine)?;
        let outcome = async {
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
                }
                if !partial.is_empty() {
                    let _ = lines.send(std::mem::take(&mut partial));
                }
            };
            if tokio::time::timeout(self.timeout, forward).await.is_err() {
                return Err(SandboxError::Timeout(self.timeout));
            }
            let wait = WaitContainerOptionsBuilder::new().condition("not-running").build();
            let code = match self.docker.wait_container(&container, Some(wait)).next().await {
                Some(Ok(status)) => Some(status.status_code as i32),
                // A non-zero exit comes back as an error carrying the code.
                Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => Some(code as i32),
                Some(Err(e)) => return Err(engine(e)),
                None => None,
            };
            Ok(Exit { code })
        }
        .await;
        self.remove(&container).await;
        outcome
    }
}
