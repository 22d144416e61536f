//! A hostile build, on both backends: one script tries every escape a tenant would (the
//! host's environment through every `/proc/<pid>/environ`, `/etc/shadow`, the database, the
//! key file, other builds' folders, the services' data, every port the host's services
//! listen on, on every address that could lead there), and pushes every limit (10,000
//! processes, 3 GiB of memory, 5 GiB of disk, all the CPU it can get). It records what it
//! reached in its output, which the edge then serves; the test asserts it reached nothing,
//! that every limit held, and that what a build legitimately needs (the npm registry, its own
//! files) still works. Also: limits that cannot be enforced stop the build before it runs,
//! and what a crashed server left behind is removed at start-up.
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use api::harness::{App, Backend, spawn_configured};
use clouddeck::client::Client;
use clouddeck::deploy_cmd::{DeployArgs, Deployed, upload_and_deploy};
use serde_json::json;
use std::collections::BTreeSet;
use std::path::Path;

const MEMORY_MIB: u64 = 512;
const PROCESSES: u64 = 200;
const DISK_MIB: u64 = 1024;
const CPUS: f64 = 0.5;

/// Every escape, each a line in `out/report.txt`. The install step leaves a daemon behind
/// (it must not keep the build step from being confined).
const ESCAPE: &str = r#"#!/bin/bash
mkdir -p out
r=out/report.txt
: > "$r"
note() { echo "$1" >> "$r"; }

# The environment of every process the build can see, and what those processes are.
for f in /proc/[0-9]*/environ; do tr '\0' '\n' < "$f" 2>/dev/null; done | cut -d= -f1 | sort -u \
  | sed 's/^/env-key: /' >> "$r"
for f in /proc/[0-9]*/cmdline; do echo "process: $(tr '\0' ' ' < "$f" 2>/dev/null)" >> "$r"; done

# Files of the host and of CloudDeck: canaries the test left where only the host should see
# them, the services' sockets, and the system's own files (which a build may read).
for f in /etc/os-release /etc/shadow $CANARIES "$DATA_DIR/secret.key" "$DATABASE_FILE" \
         /var/run/docker.sock /run/docker.sock /run/postgresql/.s.PGSQL.5432; do
  [ -e "$f" ] && note "exists: $f"
  [ -n "$(head -c 1 "$f" 2>/dev/null)" ] && note "read: $f"
done
for d in "$DATA_DIR" "$BUILDS_DIR" /root /var/lib/postgresql /var/lib/docker /var/lib/clickhouse; do
  [ -n "$(ls -A "$d" 2>/dev/null)" ] && note "listed: $d"
done

# Every port the host's services listen on, on every address that could reach the host.
for host in $HOSTS; do for port in $PORTS; do
  timeout 3 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null && note "connected: $host:$port"
done; done
node -e "require('https').get('https://registry.npmjs.org/react',r=>{console.log('registry: '+r.statusCode);process.exit(0)}).on('error',e=>{console.log('registry: '+e.message);process.exit(0)})" >> "$r"

# 10,000 processes.
node -e "
const {spawn}=require('child_process'); let ok=0; const kids=[];
for (let i=0;i<10000;i++){ try { const c=spawn('sleep',['30'],{stdio:'ignore'}); c.on('error',()=>{}); if (c.pid){ok++;kids.push(c);} } catch(e){} }
console.log('processes: '+ok); kids.forEach(k=>{try{k.kill('SIGKILL')}catch(e){}}); process.exit(0);" >> "$r" 2>/dev/null

# 3 GiB of memory.
node -e "const a=[]; for(let i=0;i<3072;i++){a.push(Buffer.alloc(1<<20,1))} console.log('memory: 3 GiB allocated')" >> "$r" 2>/dev/null
note "memory-exit: $?"

# 5 GiB of disk, in the source folder and in /tmp.
dd if=/dev/zero of=big bs=1M count=5120 2>/dev/null; note "disk-mib: $(( $(stat -c %s big) >> 20 ))"; rm -f big
dd if=/dev/zero of=/tmp/big bs=1M count=5120 2>/dev/null; note "tmp-mib: $(( $(stat -c %s /tmp/big) >> 20 ))"; rm -f /tmp/big

# All the CPU it can get: three busy processes for three seconds, then their CPU time.
before=$(awk '{print $16+$17}' /proc/$$/stat)
for i in 1 2 3; do ( end=$(( $(date +%s) + 3 )); while [ "$(date +%s)" -lt "$end" ]; do :; done ) & done; wait
note "cpu-centiseconds: $(( $(awk '{print $16+$17}' /proc/$$/stat) - before ))"
note "done"
cp "$r" out/index.html
"#;

/// Files with a secret in them, where only the host (root) should see them; removed on drop.
struct Canaries(Vec<std::path::PathBuf>);

impl Canaries {
    fn plant(data_dir: &Path) -> Self {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let mut planted = Vec::new();
        for dir in ["/root", "/home", "/var/lib", "/run", "/srv", "/opt", "/etc/ssl/private"] {
            let dir = Path::new(dir);
            if dir.is_dir() {
                planted.push(dir.join(format!(".clouddeck-canary-{tag}")));
            }
        }
        planted.push(data_dir.join(format!("canary-{tag}")));
        for file in &planted {
            std::fs::write(file, "host secret").unwrap();
        }
        Canaries(planted)
    }

    fn paths(&self) -> String {
        self.0.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" ")
    }
}

impl Drop for Canaries {
    fn drop(&mut self) {
        for file in &self.0 {
            let _ = std::fs::remove_file(file);
        }
    }
}

/// The site that tries to escape; its install step leaves `sleep <daemon>` behind, a number
/// of its own per backend, so the two backends' tests (run at once) look only for theirs.
fn write_site(dir: &Path, daemon: u32) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("escape.sh"), ESCAPE).unwrap();
    std::fs::write(
        dir.join("clouddeck.toml"),
        format!(
            "[build]\ninstall = \"(setsid sleep {daemon} >/dev/null 2>&1 &) ; echo installed\"\ncommand = \"bash escape.sh\"\noutput = \"out\"\n"
        ),
    )
    .unwrap();
}

async fn deploy(app: &App, token: &str, dir: &Path, project: &str) -> Deployed {
    let args = DeployArgs {
        dir: dir.to_path_buf(),
        project: Some(project.into()),
        org: Some("acme".into()),
        prod: true,
        prebuilt: false,
    };
    upload_and_deploy(&Client::new(&app.base, token), &args).await.unwrap()
}

async fn set_env(app: &App, token: &str, project: &str, key: &str, value: &str) {
    let set = "mutation($p: String!, $k: String!, $v: String!) { setEnvVar(organization: \"acme\", project: $p, key: $k, value: $v, target: ALL) { key } }";
    app.ok(Some(token), set, json!({ "p": project, "k": key, "v": value })).await;
}

fn report_values<'a>(report: &'a str, key: &str) -> Vec<&'a str> {
    report.lines().filter_map(|l| l.strip_prefix(&format!("{key}: "))).collect()
}

fn number(report: &str, key: &str) -> u64 {
    let values = report_values(report, key);
    values.first().unwrap_or_else(|| panic!("no {key} in the report:\n{report}")).trim().parse().unwrap()
}

/// The install step's leftover daemon's argument, per backend.
fn daemon_of(build_backend: &str) -> u32 {
    if build_backend == "docker" { 6138 } else { 6137 }
}

async fn escape_attempts_reach_nothing_and_limits_hold(build_backend: &str) {
    let database = clouddeck_testkit::Scratch::new();
    let database_file = database.path().join("outside-the-data-folder.db");
    let app = spawn_configured(Backend::Sqlite, |config| {
        config.build_backend = build_backend.into();
        config.database_url = Some(format!("sqlite:{}", database_file.display()));
        config.build_memory_mib = MEMORY_MIB;
        config.build_processes = PROCESSES;
        config.build_disk_mib = DISK_MIB;
        config.build_cpus = CPUS;
    })
    .await;
    let token = app.owner_of_acme("owner@example.com", Some("escape")).await;
    // A port open on every host address, so that "not connected" means refused by the wall.
    let open = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let open_port = open.local_addr().unwrap().port();
    let mut hosts: BTreeSet<String> =
        ["127.0.0.1", "10.0.2.2", "169.254.169.254", "172.17.0.1"].iter().map(|h| h.to_string()).collect();
    hosts.extend(clouddeck_egress::host_addresses().iter().filter(|a| a.is_ipv4()).map(|a| a.to_string()));
    let api_port = app.base.rsplit(':').next().unwrap().to_string();
    let edge_port = app.edge.rsplit(':').next().unwrap().to_string();
    let ports =
        [api_port.as_str(), &edge_port, "5432", "8123", "9000", "9092", "7480", "22", &open_port.to_string()].join(" ");
    // (the control: from the host, the open port answers on its public address)
    let public = hosts
        .iter()
        .find(|h| !h.starts_with("127.") && clouddeck_egress::host_addresses().iter().any(|a| a.to_string() == **h));
    if let Some(public) = public {
        assert!(std::net::TcpStream::connect((public.as_str(), open_port)).is_ok());
    }
    let data_dir = app.data_dir().canonicalize().unwrap();
    let canaries = Canaries::plant(&data_dir);
    set_env(&app, &token, "escape", "DATA_DIR", &data_dir.display().to_string()).await;
    set_env(&app, &token, "escape", "DATABASE_FILE", &database_file.display().to_string()).await;
    set_env(&app, &token, "escape", "HOSTS", &hosts.into_iter().collect::<Vec<_>>().join(" ")).await;
    set_env(&app, &token, "escape", "PORTS", &ports).await;
    set_env(&app, &token, "escape", "CANARIES", &canaries.paths()).await;
    set_env(&app, &token, "escape", "BUILDS_DIR", &app.builds_dir().display().to_string()).await;

    let scratch = clouddeck_testkit::Scratch::new();
    write_site(&scratch.path().join("site"), daemon_of(build_backend));
    let deployed = deploy(&app, &token, &scratch.path().join("site"), "escape").await;
    assert_eq!(deployed.status, "ready", "{:?}\n{}", deployed.error, deployed.log.join("\n"));
    let report = app
        .http
        .get(format!("http://{}/report.txt", app.edge))
        .header("host", "escape.localhost")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(report.contains("done"), "the script did not finish:\n{report}");
    // (shown when the test fails, or with --no-capture)
    eprintln!("{build_backend}: what the hostile build recorded:\n{report}");

    // The environment: only what the build was given (and what shells add themselves).
    let allowed: BTreeSet<&str> = [
        "PATH",
        "HOME",
        "USER",
        "CI",
        "TMPDIR",
        "LANG",
        "npm_config_cache",
        "NODE_EXTRA_CA_CERTS",
        "DATA_DIR",
        "DATABASE_FILE",
        "HOSTS",
        "PORTS",
        "CANARIES",
        "BUILDS_DIR",
        "PWD",
        "OLDPWD",
        "SHLVL",
        "_",
        "HOSTNAME",
    ]
    .into_iter()
    .collect();
    let keys = report_values(&report, "env-key");
    assert!(keys.contains(&"DATA_DIR"), "the probe saw no environment at all:\n{report}");
    let foreign: Vec<&&str> = keys.iter().filter(|k| !k.is_empty() && !allowed.contains(**k)).collect();
    assert!(foreign.is_empty(), "{build_backend}: the build saw variables it was not given: {foreign:?}");
    // Processes: only the build's own.
    for process in report_values(&report, "process") {
        for host_process in
            ["containment", "postgres -D", "dockerd", "clickhouse-server", "tansu", "moto_server", "slirp4netns"]
        {
            assert!(!process.contains(host_process), "{build_backend}: the build saw `{process}`");
        }
    }
    // Files: its own system files, and nothing of the host's secrets or CloudDeck's data.
    assert!(report.contains("read: /etc/os-release"), "the file probe is broken:\n{report}");
    let read: Vec<&str> = report_values(&report, "read").into_iter().filter(|f| *f != "/etc/os-release").collect();
    assert!(read.is_empty(), "{build_backend}: the build read {read:?}");
    let listed = report_values(&report, "listed");
    assert!(listed.is_empty(), "{build_backend}: the build listed {listed:?}");
    let seen: Vec<&str> = report_values(&report, "exists").into_iter().filter(|f| !f.starts_with("/etc/")).collect();
    assert!(seen.is_empty(), "{build_backend}: the build saw {seen:?}");
    // Network: nothing of the host, the registry still there.
    let connected = report_values(&report, "connected");
    assert!(connected.is_empty(), "{build_backend}: the build connected to {connected:?}");
    assert_eq!(report_values(&report, "registry"), ["200"], "{build_backend}: the registry must stay reachable");
    // Limits.
    let processes = number(&report, "processes");
    assert!(processes > 10 && processes < PROCESSES, "{build_backend}: {processes} processes ran");
    assert!(
        !report.contains("memory: 3 GiB allocated"),
        "{build_backend}: 3 GiB were allocated under {MEMORY_MIB} MiB"
    );
    assert_ne!(report_values(&report, "memory-exit"), ["0"]);
    let disk = number(&report, "disk-mib");
    let tmp = number(&report, "tmp-mib");
    assert!(disk > 100 && disk <= DISK_MIB, "{build_backend}: {disk} MiB written to a {DISK_MIB} MiB disk");
    assert!(tmp <= DISK_MIB, "{build_backend}: {tmp} MiB written to /tmp");
    // Three busy processes for three seconds get at most half a core: 1.5 s of CPU, with a
    // wide margin (unconfined on two cores they take 6 s).
    let cpu_seconds = number(&report, "cpu-centiseconds") as f64 / 100.0;
    assert!(cpu_seconds < 4.0, "{build_backend}: the build used {cpu_seconds} s of CPU in 3 s at {CPUS} cores");
    // The install step's daemon did not outlive its step.
    let daemon = format!("sleep {}", daemon_of(build_backend));
    assert!(
        !std::process::Command::new("pgrep").args(["-f", &daemon]).status().unwrap().success(),
        "{daemon} outlived its step"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_build_in_the_sandbox_reaches_nothing_and_its_limits_hold() {
    escape_attempts_reach_nothing_and_limits_hold("sandbox").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_build_in_docker_reaches_nothing_and_its_limits_hold() {
    escape_attempts_reach_nothing_and_limits_hold("docker").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limit_that_cannot_be_enforced_stops_the_build_before_it_runs() {
    // pids.max takes nothing this large: the group cannot be made as asked.
    let app = spawn_configured(Backend::Sqlite, |config| config.build_processes = u64::MAX).await;
    let token = app.owner_of_acme("owner@example.com", Some("site")).await;
    let scratch = clouddeck_testkit::Scratch::new();
    let dir = scratch.path().join("site");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("clouddeck.toml"),
        "[build]\ninstall = \"\"\ncommand = \"echo STEP-$((40+2)); mkdir out; echo x > out/index.html\"\noutput = \"out\"\n",
    )
    .unwrap();
    let deployed = deploy(&app, &token, &dir, "site").await;
    assert_eq!(deployed.status, "failed");
    let error = deployed.error.unwrap();
    assert!(error.contains("process limit cannot be enforced"), "{error}");
    assert!(!deployed.log.iter().any(|l| l.contains("STEP-42")), "the step ran: {:?}", deployed.log);
    app.stop().await;
}
