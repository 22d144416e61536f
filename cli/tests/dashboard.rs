//! The web dashboard in a real browser: `clouddeck up` on free ports, then
//! `dashboard/web/e2e/dashboard.mjs` (playwright-core driving Debian's Chromium) through a
//! team's day: register, organization, project, a CLI deploy watched live, the build log
//! streaming, rollback, env vars, a domain, an invoice followed to its events, a viewer
//! without buttons, GraphiQL, a phone-sized screen. Screenshots of each page are kept in
//! `target/dashboard-screenshots/`.
//!
//! Needs `scripts/services` (it installs Chromium and the dashboard's npm packages).
#![allow(clippy::unwrap_used)]

use clouddeck_testkit::{Scratch, free_port};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

#[test]
fn a_team_uses_the_dashboard_in_a_browser() {
    let web = workspace().join("dashboard/web");
    assert!(
        web.join("node_modules/playwright-core").exists(),
        "the dashboard's npm packages are not installed: run scripts/services"
    );
    let chromium = std::env::var("CLOUDDECK_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(PathBuf::from(&chromium).exists(), "{chromium} is missing: run scripts/services");

    let scratch = Scratch::new();
    let data = scratch.path().join("data");
    let api = free_port();
    let mut up = Command::new(env!("CARGO_BIN_EXE_clouddeck"))
        .arg("up")
        .env("CLOUDDECK_DATA_DIR", &data)
        // (one toolchains folder for the run: each Node.js release installed once)
        .env("CLOUDDECK_TOOLCHAINS_DIR", std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("toolchains"))
        .env("CLOUDDECK_API_ADDR", format!("127.0.0.1:{api}"))
        .env("CLOUDDECK_EDGE_ADDR", format!("127.0.0.1:{}", free_port()))
        .env("CLOUDDECK_EDGE_HTTPS_ADDR", format!("127.0.0.1:{}", free_port()))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(scratch.path().join("up.log")).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !data.join("admin-token").exists() {
        assert!(Instant::now() < deadline, "up did not start");
        std::thread::sleep(Duration::from_millis(50));
    }

    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace().join("target"));
    let screenshots = target.join("dashboard-screenshots");
    let _ = std::fs::remove_dir_all(&screenshots);
    let e2e = scratch.path().join("e2e");
    std::fs::create_dir_all(&e2e).unwrap();
    let run = Command::new("node")
        .arg("e2e/dashboard.mjs")
        .current_dir(&web)
        .env("CLOUDDECK_URL", format!("http://127.0.0.1:{api}"))
        .env("CLOUDDECK_BIN", env!("CARGO_BIN_EXE_clouddeck"))
        .env("CLOUDDECK_E2E_DIR", &e2e)
        .env("CLOUDDECK_SCREENSHOTS", &screenshots)
        .env("CLOUDDECK_TEST_CHROMIUM", &chromium)
        .output()
        .unwrap();
    up.kill().unwrap();
    up.wait().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    let server = std::fs::read_to_string(scratch.path().join("up.log")).unwrap_or_default();
    let server_tail: String =
        server.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
    assert!(
        run.status.success(),
        "the browser test failed\n--- its output\n{stdout}\n{stderr}\n--- the server's last lines\n{server_tail}"
    );
    assert!(stdout.contains("dashboard: every step passed"), "{stdout}");
    // one screenshot per page visited
    let kept = std::fs::read_dir(&screenshots).unwrap().count();
    assert!(kept >= 15, "{kept} screenshots in {}", screenshots.display());
}
