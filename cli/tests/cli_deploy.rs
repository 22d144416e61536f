//! The user's path, as processes: `clouddeck up` on a fresh data folder (first run makes an
//! owner and a token), then `clouddeck deploy --prebuilt --prod` with no set-up at all.
#![allow(clippy::unwrap_used)]

use clouddeck_testkit::{Scratch, free_port, s3_bucket, s3_keys};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn clouddeck(data: &Path, api: u16, edge: u16, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clouddeck"))
        .args(args)
        .env("CLOUDDECK_DATA_DIR", data)
        .env("CLOUDDECK_API_ADDR", format!("127.0.0.1:{api}"))
        .env("CLOUDDECK_EDGE_ADDR", format!("127.0.0.1:{edge}"))
        .env("HOME", data.join("home"))
        .env_remove("CLOUDDECK_URL")
        .env_remove("CLOUDDECK_TOKEN")
        .env_remove("XDG_CONFIG_HOME")
        .output()
        .unwrap()
}

fn get(edge: u16, host: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", edge)).unwrap();
    write!(stream, "GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn up_then_deploy_with_no_setup() {
    deploy_promote_and_roll_back(&[]);
}

#[test]
fn the_same_with_artifacts_in_an_s3_bucket() {
    let (endpoint, bucket) = s3_bucket();
    deploy_promote_and_roll_back(&[("CLOUDDECK_S3_ENDPOINT", &endpoint), ("CLOUDDECK_S3_BUCKET", &bucket)]);
    let keys = s3_keys(&endpoint, &bucket);
    // three versions of index.html and one app.css; three manifests
    assert_eq!(keys.iter().filter(|k| k.starts_with("blobs/")).count(), 4, "{keys:?}");
    assert_eq!(keys.iter().filter(|k| k.starts_with("manifests/")).count(), 3, "{keys:?}");
}

/// `clouddeck up` on a fresh data folder with `server_env`, once it has written its admin
/// token: the process, the scratch folder holding its data, the data folder, its API and
/// edge ports.
fn start_up(server_env: &[(&str, &str)]) -> (std::process::Child, Scratch, std::path::PathBuf, u16, u16) {
    let scratch = Scratch::new();
    let data = scratch.path().join("data");
    let (api, edge) = (free_port(), free_port());
    let up = Command::new(env!("CARGO_BIN_EXE_clouddeck"))
        .arg("up")
        .envs(server_env.iter().copied())
        .env("CLOUDDECK_DATA_DIR", &data)
        // (one toolchains folder for the run: each Node.js release installed once)
        .env("CLOUDDECK_TOOLCHAINS_DIR", std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("toolchains"))
        .env("CLOUDDECK_API_ADDR", format!("127.0.0.1:{api}"))
        .env("CLOUDDECK_EDGE_ADDR", format!("127.0.0.1:{edge}"))
        // (its own HTTPS port too: the tests here run `up` side by side)
        .env("CLOUDDECK_EDGE_HTTPS_ADDR", format!("127.0.0.1:{}", free_port()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !data.join("admin-token").exists() {
        assert!(Instant::now() < deadline, "up did not write its admin token");
        std::thread::sleep(Duration::from_millis(50));
    }
    (up, scratch, data, api, edge)
}

fn deploy_promote_and_roll_back(server_env: &[(&str, &str)]) {
    let (mut up, scratch, data, api, edge) = start_up(server_env);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(data.join("admin-token")).unwrap().permissions().mode() & 0o777, 0o600);

    // given a built site with a link that escapes it
    let site = scratch.path().join("my-site");
    std::fs::create_dir_all(site.join("assets")).unwrap();
    std::fs::write(site.join("index.html"), "<h1>one</h1>").unwrap();
    std::fs::write(site.join("assets/app.css"), "body { color: red }").unwrap();
    std::os::unix::fs::symlink("/etc/passwd", site.join("leak")).unwrap();
    let refused = clouddeck(&data, api, edge, &["deploy", site.to_str().unwrap(), "--prebuilt", "--prod"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("points outside the folder"), "{refused:?}");
    std::fs::remove_file(site.join("leak")).unwrap();

    // when deployed to production
    let first = clouddeck(&data, api, edge, &["deploy", site.to_str().unwrap(), "--prebuilt", "--prod"]);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(first.status.success(), "{first:?}");
    assert!(stdout.contains(&format!("production: http://my-site.localhost:{edge}")), "{stdout}");
    // then the alias serves it
    assert!(get(edge, "my-site.localhost").ends_with("<h1>one</h1>"));

    // one file changed: one upload, and production follows
    std::fs::write(site.join("index.html"), "<h1>two</h1>").unwrap();
    let second = clouddeck(&data, api, edge, &["deploy", site.to_str().unwrap(), "--prebuilt", "--prod"]);
    assert!(second.status.success(), "{second:?}");
    assert!(String::from_utf8_lossy(&second.stderr).contains("2 files, 1 uploaded"), "{second:?}");
    assert!(get(edge, "my-site.localhost").ends_with("<h1>two</h1>"));

    // roll back to the first deployment from the CLI
    let first_id = stdout.lines().next().unwrap().trim_start_matches("http://")[..36].to_string();
    let rollback = clouddeck(&data, api, edge, &["rollback", &first_id]);
    assert!(rollback.status.success(), "{rollback:?}");
    assert!(get(edge, "my-site.localhost").ends_with("<h1>one</h1>"));
    let listed = clouddeck(&data, api, edge, &["deployments", "ls", "--project", "my-site"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains(&format!("* {first_id}")), "{listed:?}");

    // a third deployment, then `rollback` with no id goes to the production one before it
    std::fs::write(site.join("index.html"), "<h1>three</h1>").unwrap();
    let third = clouddeck(&data, api, edge, &["deploy", site.to_str().unwrap(), "--prebuilt", "--prod"]);
    assert!(third.status.success(), "{third:?}");
    assert!(get(edge, "my-site.localhost").ends_with("<h1>three</h1>"));
    let back = clouddeck(&data, api, edge, &["rollback", "--project", "my-site"]);
    assert!(back.status.success(), "{back:?}");
    assert!(get(edge, "my-site.localhost").ends_with("<h1>two</h1>"));
    let again = clouddeck(&data, api, edge, &["rollback", "--project", "my-site"]);
    assert!(again.status.success(), "{again:?}");
    assert!(get(edge, "my-site.localhost").ends_with("<h1>one</h1>"));
    let nothing_older = clouddeck(&data, api, edge, &["rollback", "--project", "my-site"]);
    assert!(!nothing_older.status.success());
    assert!(String::from_utf8_lossy(&nothing_older.stderr).contains("no ready production deployment older"));
    up.kill().unwrap();
    up.wait().unwrap();
}

fn get_path(edge: u16, host: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", edge)).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// What a folder holds by accident is not published: a prebuilt folder's dotfiles (but
/// `.well-known/`), `node_modules` and what its `.clouddeckignore` names; a source's
/// gitignored files; and CloudDeck's own `clouddeck.toml` is never served. A site without a
/// home page goes live (issue 18).
#[test]
fn files_not_meant_to_be_published_are_left_out_and_said() {
    let (mut up, scratch, data, api, edge) = start_up(&[]);
    let write = |root: &Path, path: &str, text: &str| {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    };

    let site = scratch.path().join("leaky");
    for (path, text) in [
        ("index.html", "<h1>leaky</h1>"),
        (".env", "STRIPE_KEY=sk_live_secret"),
        (".git/config", "[remote] url = https://token@example.com"),
        ("node_modules/lib/index.js", "module.exports = 1"),
        (".well-known/security.txt", "Contact: mailto:security@example.com"),
        (".nojekyll", ""),
        ("app.js", "console.log(1)"),
        ("app.js.map", "{}"),
        (".clouddeckignore", "*.map\n!.nojekyll\n"),
        ("clouddeck.toml", "[build]\noutput = \".\"\n"),
    ] {
        write(&site, path, text);
    }
    let deployed = clouddeck(&data, api, edge, &["deploy", site.to_str().unwrap(), "--prebuilt", "--prod"]);
    assert!(deployed.status.success(), "{deployed:?}");
    let said = String::from_utf8_lossy(&deployed.stderr);
    assert!(said.contains("not uploaded"), "{said}");
    // (`.git` is always left out, unsaid)
    for left_out in [".env", "node_modules/", "app.js.map", ".clouddeckignore"] {
        assert!(said.contains(left_out), "{left_out} not said: {said}");
    }
    let host = "leaky.localhost";
    for path in ["/.env", "/node_modules/lib/index.js", "/app.js.map", "/clouddeck.toml"] {
        let answer = get_path(edge, host, path);
        assert!(answer.starts_with("HTTP/1.1 404"), "{path}: {answer}");
        assert!(!answer.contains("sk_live") && !answer.contains("output"), "{path}: {answer}");
    }
    // (an extensionless path falls back to the home page for now: not the file)
    assert!(!get_path(edge, host, "/.git/config").contains("token@"));
    for path in ["/.well-known/security.txt", "/.nojekyll", "/app.js"] {
        assert!(get_path(edge, host, path).starts_with("HTTP/1.1 200"), "{path}");
    }

    // a source: what its .gitignore names is not uploaded, so not built, not served
    let source = scratch.path().join("sourced");
    for (path, text) in [
        ("index.html", "<h1>sourced</h1>"),
        (".gitignore", "secret.txt\n.env\n"),
        ("secret.txt", "password=hunter2"),
        (".env", "API_KEY=abc"),
    ] {
        write(&source, path, text);
    }
    let built = clouddeck(&data, api, edge, &["deploy", source.to_str().unwrap(), "--prod"]);
    assert!(built.status.success(), "{built:?}");
    let said = String::from_utf8_lossy(&built.stderr);
    assert!(said.contains("secret.txt") && said.contains(".env"), "{said}");
    for path in ["/secret.txt", "/.env", "/.gitignore"] {
        let answer = get_path(edge, "sourced.localhost", path);
        assert!(answer.starts_with("HTTP/1.1 404"), "{path}: {answer}");
    }
    assert!(get_path(edge, "sourced.localhost", "/").contains("<h1>sourced</h1>"));

    // a generator's pages (Hugo's shape) with no 404.html: an unknown path is a 404, not a
    // soft 404 with the home page
    let pages = scratch.path().join("pages");
    write(&pages, "index.html", "<h1>home</h1>");
    write(&pages, "posts/first/index.html", "<h1>first</h1>");
    let deployed = clouddeck(&data, api, edge, &["deploy", pages.to_str().unwrap(), "--prebuilt", "--prod"]);
    assert!(deployed.status.success(), "{deployed:?}");
    assert!(get_path(edge, "pages.localhost", "/posts/first/").contains("<h1>first</h1>"));
    let unknown = get_path(edge, "pages.localhost", "/posts/nope/");
    assert!(unknown.starts_with("HTTP/1.1 404") && !unknown.contains("<h1>home</h1>"), "{unknown}");

    // a site needs no home page to go live: only `docs/`, or `/` redirected there
    let nested = scratch.path().join("nested");
    write(&nested, "docs/index.html", "<h1>docs</h1>");
    let deployed = clouddeck(&data, api, edge, &["deploy", nested.to_str().unwrap(), "--prebuilt", "--prod"]);
    assert!(deployed.status.success(), "{deployed:?}");
    assert!(get_path(edge, "nested.localhost", "/docs/").contains("<h1>docs</h1>"));
    write(&nested, "_redirects", "/ /docs/ 301\n");
    let redirected = clouddeck(&data, api, edge, &["deploy", nested.to_str().unwrap(), "--prebuilt", "--prod"]);
    assert!(redirected.status.success(), "{redirected:?}");
    let home = get_path(edge, "nested.localhost", "/");
    assert!(home.starts_with("HTTP/1.1 301") && home.contains("location: /docs/"), "{home}");
    up.kill().unwrap();
    let _ = up.wait();
}
