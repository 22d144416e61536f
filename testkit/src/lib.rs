//! Test support: every test gets its own SQLite file, its own PostgreSQL database and, when
//! it needs to stop one, its own Kafka broker. The services are real; `scripts/services`
//! installs and starts them and exports where they are. A missing service fails the test
//! loudly: nothing is skipped.
#![allow(clippy::unwrap_used)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn required(var: &str) -> String {
    std::env::var(var)
        .unwrap_or_else(|_| panic!("{var} is not set: run the tests through scripts/test, which starts the services"))
}

/// A temporary folder that lives as long as the value.
pub struct Scratch(pub tempfile::TempDir);

impl Scratch {
    pub fn new() -> Self {
        Scratch(tempfile::tempdir().unwrap())
    }
    pub fn path(&self) -> PathBuf {
        self.0.path().to_path_buf()
    }
    /// A SQLite URL for a new database file inside the folder.
    pub fn sqlite_url(&self, name: &str) -> String {
        format!("sqlite:{}", self.0.path().join(format!("{name}.db")).display())
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Self::new()
    }
}

/// Creates a new, empty PostgreSQL database and returns its URL.
pub async fn postgres_database() -> String {
    let base = required("CLOUDDECK_TEST_POSTGRES_URL");
    let name = format!("cdtest_{}", uuid::Uuid::new_v4().simple());
    let admin = format!("{base}/postgres");
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {base} is not reachable ({e}): run scripts/services"));
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
    format!("{base}/{name}")
}

/// The shared broker that scripts/services started.
pub fn kafka_brokers() -> String {
    required("CLOUDDECK_TEST_KAFKA_BROKERS")
}

/// The ClickHouse server scripts/services started, and a fresh database name for one test.
pub fn clickhouse() -> (String, String) {
    (required("CLOUDDECK_TEST_CLICKHOUSE_URL"), format!("cdtest_{}", uuid::Uuid::new_v4().simple()))
}

/// A new, empty bucket on the S3-compatible server scripts/services started (moto, which
/// takes any credentials); returns the endpoint and the bucket's name.
pub fn s3_bucket() -> (String, String) {
    use std::io::{Read, Write};
    let endpoint = required("CLOUDDECK_TEST_S3_URL");
    let bucket = format!("cdtest-{}", uuid::Uuid::new_v4().simple());
    let address = endpoint.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address)
        .unwrap_or_else(|e| panic!("the S3 server at {endpoint} is not reachable ({e}): run scripts/services"));
    write!(stream, "PUT /{bucket} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "creating bucket {bucket}: {answer}");
    (endpoint, bucket)
}

/// The keys in a bucket of the test S3 server.
pub fn s3_keys(endpoint: &str, bucket: &str) -> Vec<String> {
    use std::io::{Read, Write};
    let address = endpoint.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(stream, "GET /{bucket}?list-type=2 HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer.split("<Key>").skip(1).filter_map(|k| k.split("</Key>").next()).map(str::to_string).collect()
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A private tansu broker with its own storage, for tests that stop and restart it.
pub struct Broker {
    pub port: u16,
    storage: Scratch,
    child: Option<Child>,
}

impl Broker {
    pub fn spawn() -> Self {
        let mut broker = Broker { port: free_port(), storage: Scratch::new(), child: None };
        broker.start();
        broker
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn start(&mut self) {
        assert!(self.child.is_none(), "broker already running");
        let tansu = required("CLOUDDECK_TEST_TANSU");
        let url = format!("tcp://{}", self.address());
        let child = Command::new(tansu)
            .current_dir(self.storage.path())
            .args(["broker", "--listener-url", &url, "--advertised-listener-url", &url])
            .args(["--storage-engine", "sqlite://broker.db"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tansu starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(self.address()).is_err() {
            assert!(Instant::now() < deadline, "tansu did not listen on {}", self.address());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the broker at once (SIGKILL): no clean shutdown.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A git server speaking smart HTTP on loopback (`git http-backend` behind a small HTTP/1.1
/// listener), serving every repository under `root`: what GitHub is to CloudDeck, here. A
/// stand-in only for GitHub itself, which cannot be reached from these machines.
pub struct GitHttpServer {
    pub port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl GitHttpServer {
    pub fn serve(root: PathBuf) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let root = root.clone();
                std::thread::spawn(move || {
                    let _ = git_http_exchange(stream, &root);
                });
            }
        });
        GitHttpServer { port, stop }
    }

    /// The URL of repository `name` (a folder under the root).
    pub fn url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for GitHttpServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// One request: its head and body to `git http-backend` as CGI, its CGI answer back as HTTP.
fn git_http_exchange(mut stream: std::net::TcpStream, root: &std::path::Path) -> std::io::Result<()> {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or("GET").to_string(), parts.next().unwrap_or("/").to_string());
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.trim_end().split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let mut body = Vec::new();
    if let Some(length) = header("content-length").and_then(|l| l.parse::<usize>().ok()) {
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
    } else if header("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut cgi = Command::new("git")
        .arg("http-backend")
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", &method)
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("CONTENT_TYPE", header("content-type").unwrap_or_default())
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("HTTP_CONTENT_ENCODING", header("content-encoding").unwrap_or_default())
        .env("GIT_PROTOCOL", header("git-protocol").unwrap_or_default())
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    if let Some(mut stdin) = cgi.stdin.take() {
        stdin.write_all(&body)?;
    }
    let output = cgi.wait_with_output()?;
    let split = output
        .stdout
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, 4))
        .or_else(|| output.stdout.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)));
    let (head, rest) = match split {
        Some((at, gap)) => (String::from_utf8_lossy(&output.stdout[..at]).to_string(), &output.stdout[at + gap..]),
        None => (String::new(), &output.stdout[..]),
    };
    let mut status = "200 OK".to_string();
    let mut out_headers = String::new();
    for line in head.lines() {
        match line.split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("status") => status = value.trim().to_string(),
            Some(_) => out_headers.push_str(&format!("{}\r\n", line.trim_end())),
            None => {}
        }
    }
    write!(stream, "HTTP/1.1 {status}\r\n{out_headers}Content-Length: {}\r\nConnection: close\r\n\r\n", rest.len())?;
    stream.write_all(rest)?;
    stream.flush()
}

/// An SMTP server that keeps what it receives in a maildir (aiosmtpd, which scripts/services
/// installs), private to one test: where CloudDeck's mail goes in tests.
pub struct SmtpSink {
    pub port: u16,
    maildir: Scratch,
    child: Child,
}

impl SmtpSink {
    pub fn start() -> Self {
        let python = required("CLOUDDECK_TEST_SMTP_PYTHON");
        let port = free_port();
        let maildir = Scratch::new();
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not listen on {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
        SmtpSink { port, maildir, child }
    }

    /// The URL CloudDeck sends to.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, raw (headers and body).
    pub fn messages(&self) -> Vec<String> {
        let mut found = Vec::new();
        for folder in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.maildir.path().join("mail").join(folder)) else { continue };
            for entry in entries.flatten() {
                found.extend(std::fs::read_to_string(entry.path()));
            }
        }
        found
    }

    /// The messages to `address`, waiting up to 10 seconds for `count` of them.
    pub fn wait_for(&self, address: &str, count: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let to: Vec<String> = self
                .messages()
                .into_iter()
                .filter(|m| m.lines().any(|l| l.to_ascii_lowercase().starts_with("to:") && l.contains(address)))
                .collect();
            if to.len() >= count || Instant::now() > deadline {
                return to;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A private pebble (Let's Encrypt's ACME test CA, from Debian; scripts/services makes its
/// listener's certificate) that validates HTTP-01 challenges against `http_port` on loopback,
/// resolving names through pebble-challtestsrv's DNS server. Killed when dropped.
pub struct Pebble {
    /// `https://127.0.0.1:PORT/dir`.
    pub directory_url: String,
    /// The CA that signed pebble's own HTTPS certificate (PEM file): trust it to talk to pebble.
    pub listener_ca: std::path::PathBuf,
    management_port: u16,
    child: Child,
    config: Scratch,
}

impl Pebble {
    pub fn start(http_port: u16) -> Self {
        let dir = std::path::PathBuf::from(required("CLOUDDECK_TEST_PEBBLE_DIR"));
        let dns = required("CLOUDDECK_TEST_CHALLTESTSRV_DNS");
        let (port, management_port) = (free_port(), free_port());
        let config = Scratch::new();
        let file = config.path().join("pebble.json");
        let json = format!(
            r#"{{"pebble":{{"listenAddress":"127.0.0.1:{port}","managementListenAddress":"127.0.0.1:{management_port}","certificate":"{}","privateKey":"{}","httpPort":{http_port},"tlsPort":1,"ocspResponderURL":"","externalAccountBindingRequired":false}}}}"#,
            dir.join("leaf.pem").display(),
            dir.join("leaf.key").display()
        );
        std::fs::write(&file, json).unwrap();
        let child = Command::new("pebble")
            .args(["-config", &file.display().to_string(), "-dnsserver", &dns])
            // No random waits or nonce rejections; every order validates afresh.
            .env("PEBBLE_VA_NOSLEEP", "1")
            .env("PEBBLE_WFE_NONCEREJECT", "0")
            .env("PEBBLE_AUTHZREUSE", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pebble starts (scripts/services installs it)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
            || std::net::TcpStream::connect(("127.0.0.1", management_port)).is_err()
        {
            assert!(Instant::now() < deadline, "pebble did not listen on {port}");
            std::thread::sleep(Duration::from_millis(10));
        }
        Pebble {
            directory_url: format!("https://127.0.0.1:{port}/dir"),
            listener_ca: dir.join("ca.pem"),
            management_port,
            child,
            config,
        }
    }

    /// Where pebble's issuing root (PEM, made afresh at each start) is fetched from, over
    /// HTTPS trusting [`Pebble::listener_ca`].
    pub fn root_url(&self) -> String {
        format!("https://127.0.0.1:{}/roots/0", self.management_port)
    }

    /// The folder of pebble's configuration (kept while it runs).
    pub fn config_dir(&self) -> std::path::PathBuf {
        self.config.path()
    }
}

impl Drop for Pebble {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
