//! The build sandbox against real bubblewrap, slirp4netns, nftables, cgroups and a
//! loop-mounted disk: a read-only host with its secrets hidden, an unprivileged user of its
//! own, an empty environment, a network of its own, a deadline, and memory, process and disk
//! limits; and what a crash leaves is swept.
#![allow(clippy::unwrap_used)]

use clouddeck_egress::EgressPolicy;
use clouddeck_testkit::Scratch;
use clouddeck_workers::builder::CgroupRoot;
use clouddeck_workers::builder::identity::Identities;
use clouddeck_workers::builder::limits::Limits;
use clouddeck_workers::builder::sandbox::{Exit, Runner, Sandbox, SandboxError, Step};
use clouddeck_workers::builder::workspace::Workspace;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

fn sandbox(limits: Limits, hidden: Vec<std::path::PathBuf>) -> Sandbox {
    let instance = format!("test{}", uuid_like());
    Sandbox {
        limits,
        egress: EgressPolicy::default().with_host_addresses(clouddeck_egress::host_addresses()),
        hidden,
        cgroups: CgroupRoot::new(&instance),
    }
}

fn uuid_like() -> String {
    format!("{:x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos())
}

async fn workspace(root: &std::path::Path, limits: &Limits) -> Workspace {
    // (the builds folder must be traversable by build users)
    std::fs::set_permissions(root, std::os::unix::fs::PermissionsExt::from_mode(0o711)).unwrap();
    let user = Arc::new(Identities::default()).take().unwrap();
    Workspace::create(&root.join("builds"), &uuid_like(), limits.disk_bytes, user).await.unwrap()
}

async fn run(sandbox: &Sandbox, workspace: &Workspace, command: &str) -> (Result<Exit, SandboxError>, Vec<String>) {
    workspace.hand_over().await.unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let step = Step {
        name: uuid_like(),
        workspace,
        command,
        env: &[("GIVEN".into(), "yes".into())],
        deadline: Instant::now() + sandbox.limits.timeout,
        dir: "/build",
        tools: &[],
    };
    let result = sandbox.run(step, tx).await;
    let mut lines = Vec::new();
    while let Ok(line) = rx.try_recv() {
        lines.push(line);
    }
    (result, lines)
}

fn small_limits() -> Limits {
    Limits { timeout: Duration::from_secs(60), memory_bytes: 128 << 20, cpus: 1.0, processes: 64, disk_bytes: 64 << 20 }
}

#[tokio::test]
async fn a_step_sees_a_read_only_host_without_secrets_and_nothing_of_ours() {
    let scratch = Scratch::new();
    let data = scratch.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("secret.key"), "do not read").unwrap();
    let limits = small_limits();
    let sandbox = sandbox(limits.clone(), vec![data.clone()]);
    let workspace = workspace(&scratch.path(), &limits).await;
    // a listener of the host's, on loopback
    let host = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = host.local_addr().unwrap().port();
    let script = format!(
        "echo hello; id -un; id -u; touch /etc/probe 2>/dev/null || echo host-read-only; \
         cat {key} 2>/dev/null || echo data-hidden; ls -d /root /var /run /srv /opt 2>/dev/null | wc -l; ls /home; \
         head -c 1 /etc/shadow 2>/dev/null || echo no-shadow; \
         tr '\\0' ' ' < /proc/1/environ; echo; ls /proc | grep -c '^[0-9]'; \
         timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/{port}' 2>/dev/null && echo reached-host || echo own-loopback; \
         echo built > out.txt",
        key = data.join("secret.key").display()
    );
    let (exit, lines) = run(&sandbox, &workspace, &script).await;
    assert!(exit.unwrap().success(), "{lines:?}");
    assert_eq!(
        lines[..8],
        ["hello", "builder", "1000", "host-read-only", "data-hidden", "0", "builder", "no-shadow"],
        "{lines:?}"
    );
    // the sandbox itself started with no environment: its first process shows none
    assert_eq!(lines[8].trim(), "", "{lines:?}");
    let processes: usize = lines[9].parse().unwrap();
    assert!(processes <= 6, "the step sees {processes} processes");
    assert_eq!(lines[10], "own-loopback");
    // the file is on the build's own disk, owned by its unprivileged host uid
    let out = workspace.source().join("out.txt");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "built\n");
    use std::os::unix::fs::MetadataExt;
    assert_eq!(std::fs::metadata(&out).unwrap().uid(), workspace.user.uid);
    assert!(workspace.user.uid > 65_535);
    assert!(!std::path::Path::new("/etc/probe").exists());
    workspace.destroy().await;
}

#[tokio::test]
async fn a_step_past_its_deadline_is_stopped_and_its_limits_hold() {
    let scratch = Scratch::new();
    let limits = Limits { timeout: Duration::from_millis(1500), ..small_limits() };
    let quick = sandbox(limits.clone(), vec![]);
    let workspace = workspace(&scratch.path(), &limits).await;
    let (result, _) = run(&quick, &workspace, "sleep 10").await;
    assert!(matches!(result, Err(SandboxError::Timeout(_))), "{result:?}");

    let small = sandbox(small_limits(), vec![]);
    // memory: 400 MiB under a 128 MiB limit is stopped by the kernel, and said so
    let (result, lines) =
        run(&small, &workspace, "node -e 'Buffer.alloc(400 << 20, 1); console.log(\"allocated\")'").await;
    let exit = result.unwrap();
    assert!(!exit.success() && exit.out_of_memory, "{exit:?} {lines:?}");
    // processes: at most 64
    let (result, lines) = run(
        &small,
        &workspace,
        "n=0; for i in $(seq 200); do sleep 5 2>/dev/null & [ $? = 0 ] && n=$i; done 2>/dev/null; echo $(pgrep -c sleep)",
    )
    .await;
    let exit = result.unwrap();
    let running: u64 = lines.last().and_then(|l| l.trim().parse().ok()).unwrap_or(0);
    assert!(running < 64, "{running} processes ran: {exit:?} {lines:?}");
    // disk: 64 MiB, whatever the folder
    let (result, lines) =
        run(&small, &workspace, "dd if=/dev/zero of=/tmp/big bs=1M count=200 2>&1 | tail -1; du -m /tmp/big | cut -f1")
            .await;
    result.unwrap();
    let written: u64 = lines.last().unwrap().trim().parse().unwrap();
    assert!(written <= 64, "{written} MiB on a 64 MiB disk: {lines:?}");
    workspace.destroy().await;
}

#[tokio::test]
async fn what_a_crash_left_is_swept_at_start_up() {
    let scratch = Scratch::new();
    let limits = small_limits();
    let builds = scratch.path().join("builds");
    // given a workspace still mounted and a group with a process in it, as a crash leaves them
    let left = workspace(&scratch.path(), &limits).await;
    let mount = left.source().parent().unwrap().to_path_buf();
    std::mem::forget(left);
    let instance = format!("sweep{}", uuid_like());
    let cgroups = CgroupRoot::new(&instance);
    let group = cgroups.create("crashed", &limits).unwrap();
    let mut sleeper = std::process::Command::new("sleep").arg("300").spawn().unwrap();
    group.enter(sleeper.id()).unwrap();
    std::mem::forget(group);
    // when the server starts again
    Workspace::sweep(&builds).await;
    cgroups.sweep().await;
    // then the disk is unmounted and gone, and the process is dead
    assert!(!mount.exists(), "{} is still there", mount.display());
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mounts.contains(&mount.display().to_string()));
    let status = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let Some(status) = sleeper.try_wait().unwrap() {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the crashed build's process was not killed");
    assert!(!status.success());
}
