//! A control group per build step, with the step's memory, CPU and process limits, killed
//! whole and removed when the step ends. Groups live under `clouddeck/<instance>/`, one
//! instance per data folder, so that a server sweeping its leftovers after a crash never
//! touches another server's builds on the same host. Both cgroup v2 (the unified
//! hierarchy) and v1 (a hierarchy per controller) are supported; anything that cannot be
//! made or set is an error and the step does not run.

use super::limits::Limits;
use std::path::{Path, PathBuf};
use std::time::Duration;

const ROOT: &str = "/sys/fs/cgroup";
/// cpu.max / cpu.cfs_period_us: the CPU quota's period, in microseconds.
const PERIOD_US: u64 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V1,
    V2,
}

/// Where one server's build groups live.
#[derive(Debug, Clone)]
pub struct CgroupRoot {
    version: Version,
    /// `clouddeck/<instance>`, relative to each hierarchy.
    relative: PathBuf,
}

/// One step's group (one folder on v2, one per controller on v1).
#[derive(Debug)]
pub struct Cgroup {
    dirs: Vec<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
#[error("the build's {what} limit cannot be enforced here ({reason}); the build was not started")]
pub struct CgroupError {
    what: &'static str,
    reason: String,
}

fn refuse(what: &'static str, path: &Path, e: std::io::Error) -> CgroupError {
    CgroupError { what, reason: format!("{}: {e}", path.display()) }
}

impl CgroupRoot {
    /// The groups of the server whose data folder is identified by `instance`.
    pub fn new(instance: &str) -> Self {
        let version = if Path::new(ROOT).join("cgroup.controllers").exists() { Version::V2 } else { Version::V1 };
        CgroupRoot { version, relative: Path::new("clouddeck").join(instance) }
    }

    fn v1_dir(&self, controller: &str) -> PathBuf {
        Path::new(ROOT).join(controller).join(&self.relative)
    }

    /// Makes the step's group with `limits` and returns it. Every value is written, or the
    /// group is removed again and the error says which limit failed.
    pub fn create(&self, step: &str, limits: &Limits) -> Result<Cgroup, CgroupError> {
        let quota = ((limits.cpus * PERIOD_US as f64) as u64).max(1_000);
        let memory = limits.memory_bytes.to_string();
        let processes = limits.processes.to_string();
        let mut group = Cgroup { dirs: Vec::new() };
        match self.version {
            Version::V2 => {
                let parent = Path::new(ROOT).join(&self.relative);
                enable_controllers(Path::new(ROOT), &parent)?;
                let dir = parent.join(step);
                make(&dir, "memory")?;
                group.dirs.push(dir.clone());
                set(&dir, "memory.max", &memory, "memory")?;
                // No swap: a build over its memory is stopped, not paged out.
                set_if_present(&dir, "memory.swap.max", "0", "memory")?;
                set(&dir, "cpu.max", &format!("{quota} {PERIOD_US}"), "CPU")?;
                set(&dir, "pids.max", &processes, "process")?;
            }
            Version::V1 => {
                for (controller, what) in [("memory", "memory"), ("cpu", "CPU"), ("pids", "process")] {
                    let dir = self.v1_dir(controller).join(step);
                    make(&dir, what)?;
                    group.dirs.push(dir.clone());
                    match controller {
                        "memory" => {
                            set(&dir, "memory.limit_in_bytes", &memory, what)?;
                            // Memory and swap together, where the kernel accounts swap.
                            set_if_present(&dir, "memory.memsw.limit_in_bytes", &memory, what)?;
                        }
                        "cpu" => {
                            set(&dir, "cpu.cfs_period_us", &PERIOD_US.to_string(), what)?;
                            set(&dir, "cpu.cfs_quota_us", &quota.to_string(), what)?;
                        }
                        _ => set(&dir, "pids.max", &processes, what)?,
                    }
                }
            }
        }
        Ok(group)
    }

    /// Kills and removes every group this instance left behind (a crash, a kill -9).
    pub async fn sweep(&self) {
        let parents: Vec<PathBuf> = match self.version {
            Version::V2 => vec![Path::new(ROOT).join(&self.relative)],
            Version::V1 => ["memory", "cpu", "pids"].iter().map(|c| self.v1_dir(c)).collect(),
        };
        for parent in parents {
            let Ok(entries) = std::fs::read_dir(&parent) else { continue };
            for entry in entries.flatten() {
                if entry.path().is_dir() {
                    Cgroup { dirs: vec![entry.path()] }.destroy().await;
                }
            }
        }
    }
}

impl Cgroup {
    /// Moves the process `pid` (and so everything it starts) into the group.
    pub fn enter(&self, pid: u32) -> Result<(), CgroupError> {
        for dir in &self.dirs {
            let file = dir.join("cgroup.procs");
            std::fs::write(&file, pid.to_string()).map_err(|e| refuse("process", &file, e))?;
        }
        Ok(())
    }

    /// The processes still in the group.
    fn members(&self) -> Vec<i32> {
        let mut pids: Vec<i32> = self
            .dirs
            .iter()
            .filter_map(|dir| std::fs::read_to_string(dir.join("cgroup.procs")).ok())
            .flat_map(|text| text.lines().filter_map(|l| l.trim().parse().ok()).collect::<Vec<i32>>())
            .collect();
        pids.sort_unstable();
        pids.dedup();
        pids
    }

    /// Whether the kernel stopped a process of the group for want of memory.
    pub fn out_of_memory(&self) -> bool {
        self.dirs.iter().any(|dir| {
            let events = std::fs::read_to_string(dir.join("memory.events")).unwrap_or_default();
            let v2 = events.lines().any(|l| l.starts_with("oom_kill ") && !l.ends_with(" 0"));
            let v1 = std::fs::read_to_string(dir.join("memory.oom_control"))
                .unwrap_or_default()
                .lines()
                .any(|l| l.starts_with("oom_kill ") && !l.ends_with(" 0"));
            v2 || v1
        })
    }

    /// Kills every process left in the group (a daemon a build started, say), then removes
    /// it. On v2 `cgroup.kill` does it at once; on v1 members are killed until none is left.
    pub async fn destroy(self) {
        for dir in &self.dirs {
            let _ = std::fs::write(dir.join("cgroup.kill"), "1");
        }
        for _ in 0..200 {
            let members = self.members();
            if members.is_empty() {
                break;
            }
            for pid in members {
                if let Some(pid) = rustix::process::Pid::from_raw(pid) {
                    let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        for dir in &self.dirs {
            for _ in 0..50 {
                match std::fs::remove_dir(dir) {
                    Ok(()) => break,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                }
            }
        }
    }
}

fn make(dir: &Path, what: &'static str) -> Result<(), CgroupError> {
    match std::fs::create_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) => Err(refuse(what, dir, e)),
    }
}

fn set(dir: &Path, file: &str, value: &str, what: &'static str) -> Result<(), CgroupError> {
    let path = dir.join(file);
    std::fs::write(&path, value).map_err(|e| refuse(what, &path, e))
}

fn set_if_present(dir: &Path, file: &str, value: &str, what: &'static str) -> Result<(), CgroupError> {
    if dir.join(file).exists() { set(dir, file, value, what) } else { Ok(()) }
}

/// On v2 a group's controllers must be enabled in every parent's `subtree_control`.
fn enable_controllers(root: &Path, parent: &Path) -> Result<(), CgroupError> {
    make(parent, "memory")?;
    let mut at = root.to_path_buf();
    let below: Vec<_> = parent.strip_prefix(root).map(|p| p.components().collect()).unwrap_or_default();
    for component in std::iter::once(None).chain(below.into_iter().map(Some)) {
        if let Some(component) = component {
            at.push(component);
        }
        let file = at.join("cgroup.subtree_control");
        let enabled = std::fs::read_to_string(&file).unwrap_or_default();
        for controller in ["memory", "cpu", "pids"] {
            if !enabled.split_whitespace().any(|c| c == controller) {
                std::fs::write(&file, format!("+{controller}"))
                    .map_err(|e| refuse("memory, CPU or process", &file, e))?;
            }
        }
    }
    Ok(())
}
