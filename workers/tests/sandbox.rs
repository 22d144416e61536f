//! The build sandbox against real bubblewrap: read-only host, hidden data, an unprivileged
//! user, a timeout and a memory limit.
#![allow(clippy::unwrap_used)]

use clouddeck_testkit::Scratch;
use clouddeck_workers::builder::sandbox::{Runner, Sandbox, SandboxError};
use std::time::Duration;
use tokio::sync::mpsc;

async fn run(sandbox: &Sandbox, work: &std::path::Path, command: &str) -> (Result<bool, String>, Vec<String>) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let name = format!("test-{}", std::process::id() as u64 * 1000 + rand_id());
    let result = sandbox.run(&name, work, command, &[], tx).await;
    let mut lines = Vec::new();
    while let Ok(line) = rx.try_recv() {
        lines.push(line);
    }
    (result.map(|exit| exit.success()).map_err(|e| e.to_string()), lines)
}

fn rand_id() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as u64
}

#[tokio::test]
async fn a_build_sees_a_read_only_host_and_not_our_data() {
    let scratch = Scratch::new();
    let data = scratch.path().join("data");
    let work = data.join("builds").join("b1");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(data.join("secret.key"), "do not read").unwrap();
    let sandbox =
        Sandbox { hidden: vec![data.clone()], timeout: Duration::from_secs(30), memory_bytes: 512 << 20, cpus: 1.0 };
    let script = format!(
        "echo hello; id -u; touch /etc/clouddeck-probe 2>/dev/null || echo host-read-only; \
         cat {} 2>/dev/null || echo data-hidden; ls /root | wc -l; echo built > out.txt",
        data.join("secret.key").display()
    );
    let (ok, lines) = run(&sandbox, &work, &script).await;
    assert_eq!(ok, Ok(true), "{lines:?}");
    let lines: Vec<&str> = lines.iter().map(String::as_str).filter(|l| !l.starts_with("clouddeck:")).collect();
    assert_eq!(lines, ["hello", "65534", "host-read-only", "data-hidden", "0"]);
    assert_eq!(std::fs::read_to_string(work.join("out.txt")).unwrap(), "built\n");
    assert!(!std::path::Path::new("/etc/clouddeck-probe").exists());
}

#[tokio::test]
async fn a_build_past_its_time_is_stopped_and_one_over_its_memory_is_killed() {
    let scratch = Scratch::new();
    let work = scratch.path();
    let quick = Sandbox { hidden: vec![], timeout: Duration::from_millis(500), memory_bytes: 256 << 20, cpus: 1.0 };
    let (result, _) = run(&quick, &work, "sleep 10").await;
    assert_eq!(result, Err(SandboxError::Timeout(Duration::from_millis(500)).to_string()));

    let small = Sandbox { hidden: vec![], timeout: Duration::from_secs(30), memory_bytes: 64 << 20, cpus: 1.0 };
    let (result, lines) = run(&small, &work, "python3 -c 'x = bytearray(400 * 1024 * 1024); print(len(x))'").await;
    assert_eq!(result, Ok(false), "{lines:?}");
    assert!(!lines.iter().any(|l| l.contains("clouddeck: no cgroup")), "memory must be limited here: {lines:?}");
}
