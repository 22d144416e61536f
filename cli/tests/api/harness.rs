//! The real server on port 0 with a fresh database, and a small GraphQL client.
#![allow(dead_code)]

use clouddeck::config::Config;
use clouddeck::server::{Roles, Server};
use clouddeck::shield_args::ShieldArgs;
use clouddeck_testkit::{Scratch, postgres_database};
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct App {
    pub server: Option<Server>,
    /// What the server was started with (`restart` starts it again the same way).
    pub config: Config,
    pub base: String,
    /// The edge router's address, `127.0.0.1:PORT`.
    pub edge: String,
    /// The edge's HTTPS address.
    pub edge_https: std::net::SocketAddr,
    pub http: reqwest::Client,
    _scratch: Scratch,
}

/// One toolchains folder for every test server of this run, so each Node.js release and
/// package manager is installed once (`target/tmp/toolchains`).
pub fn shared_toolchains() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("toolchains")
}

pub async fn spawn_app(backend: Backend, rate_per_second: f64, burst: u32) -> App {
    spawn_app_building_with(backend, rate_per_second, burst, "sandbox").await
}

/// The same, with builds in `build_backend` (`sandbox` or `docker`).
pub async fn spawn_app_building_with(backend: Backend, rate_per_second: f64, burst: u32, build_backend: &str) -> App {
    spawn_configured(backend, |config| {
        config.api_rate_limit = rate_per_second;
        config.api_rate_burst = burst;
        config.build_backend = build_backend.into();
    })
    .await
}

/// The server with the test defaults, changed by `tweak`.
pub async fn spawn_configured(backend: Backend, tweak: impl FnOnce(&mut Config)) -> App {
    let database_url = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(postgres_database().await),
    };
    spawn_roles(database_url, Roles::all(false), tweak).await
}

/// A server running `roles` with the test defaults on `database_url` (none: a fresh SQLite
/// file), changed by `tweak`. A server without the API or the edge has `base` or `edge` empty.
pub async fn spawn_roles(database_url: Option<String>, roles: Roles, tweak: impl FnOnce(&mut Config)) -> App {
    // RUST_LOG=… shows the server's log (with --no-capture).
    if let Ok(filter) = std::env::var("RUST_LOG") {
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
    }
    let scratch = Scratch::new();
    // The builds folder must be traversable by build users; the data folder in it is not.
    std::fs::set_permissions(scratch.path(), std::os::unix::fs::PermissionsExt::from_mode(0o711)).unwrap();
    let database_url = database_url.unwrap_or_else(|| scratch.sqlite_url("clouddeck"));
    let mut config = Config {
        data_dir: scratch.path().join("data"),
        database_url: Some(database_url),
        kafka_brokers: None,
        kafka_topic_prefix: None,
        api_addr: "127.0.0.1:0".into(),
        edge_addr: "127.0.0.1:0".into(),
        base_domain: "localhost".into(),
        max_file_bytes: 1024 * 1024,
        build_backend: "sandbox".into(),
        build_image: std::env::var("CLOUDDECK_TEST_BUILD_IMAGE")
            .unwrap_or_else(|_| "clouddeck/build:bookworm-node".into()),
        build_timeout_secs: 600,
        build_memory_mib: 4096,
        build_cpus: 2.0,
        build_processes: 1024,
        build_disk_mib: 4096,
        egress_allow: String::new(),
        builds_dir: Some(scratch.path().join("builds")),
        toolchains_dir: Some(shared_toolchains()),
        node_default: 24,
        unused_storage_grace_secs: 86_400,
        smtp_url: None,
        proxy_timeout_secs: 30,
        mail_from: "CloudDeck <noreply@localhost>".into(),
        public_url: None,
        build_concurrency: 2,
        deploy_health_timeout_secs: 60,
        deployer_takeover_secs: 30,
        clickhouse_url: None,
        clickhouse_database: "clouddeck".into(),
        meter_window_secs: 60,
        api_rate_limit: 10_000.0,
        api_rate_burst: 10_000,
        secret_key: None,
        s3: Default::default(),
        // Tests drive the edge from one address much faster than a visitor would (a new
        // connection per request, hundreds a second); the shield's limits have their own
        // tests (edge_shield.rs).
        shield: ShieldArgs {
            edge_connection_rate: Some(100_000),
            edge_connection_burst: Some(100_000),
            edge_request_rate: Some(100_000),
            edge_request_burst: Some(100_000),
            ..Default::default()
        },
        deployer_id: None,
        domain_cname: Some("edge.clouddeck.test".into()),
        edge_https_addr: "127.0.0.1:0".into(),
        edge_tls_cert: None,
        edge_tls_key: None,
        acme_directory_url: "https://127.0.0.1:1/dir".into(),
        acme_email: None,
        acme_ca_certs: None,
        acme_renew_when_left: 1.0 / 3.0,
        acme_retry_secs: 60,
        domain_addresses: "127.0.0.1".into(),
        // pebble-challtestsrv's DNS server (scripts/services), whose records tests set.
        dns_resolver: std::env::var("CLOUDDECK_TEST_CHALLTESTSRV_DNS").ok(),
    };
    tweak(&mut config);
    let server = Server::start(&config, roles).await.unwrap();
    let base = server.api_addr.map(|addr| format!("http://{addr}")).unwrap_or_default();
    let edge = server.edge_addr.map(|addr| addr.to_string()).unwrap_or_default();
    let edge_https = server.edge_https_addr.unwrap_or_else(|| ([127, 0, 0, 1], 0).into());
    App { server: Some(server), config, base, edge, edge_https, http: reqwest::Client::new(), _scratch: scratch }
}

impl App {
    /// Where the server mounts its builds' disks.
    pub fn builds_dir(&self) -> std::path::PathBuf {
        self._scratch.path().join("builds")
    }

    /// The server's data folder.
    pub fn data_dir(&self) -> std::path::PathBuf {
        self._scratch.path().join("data")
    }

    /// The whole answer: HTTP status and JSON body.
    pub async fn post(&self, token: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
        let mut request =
            self.http.post(format!("{}/graphql", self.base)).json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// The data of an answer that must succeed.
    pub async fn ok(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let (status, body) = self.post(token, query, variables).await;
        assert!(status == 200 && body.get("errors").is_none(), "{query}\n→ {status} {body}");
        body["data"].clone()
    }

    /// The `extensions.code` of the first error, or None when it succeeded.
    pub async fn code(&self, token: Option<&str>, query: &str, variables: Value) -> Option<String> {
        let (_, body) = self.post(token, query, variables).await;
        body["errors"][0]["extensions"]["code"].as_str().map(str::to_string)
    }

    /// Registers a user and returns (session token, user id).
    pub async fn register(&self, email: &str) -> (String, String) {
        let data = self
            .ok(
                None,
                "mutation($e: String!) { registerUser(email: $e, name: \"Test User\", password: \"correct horse battery\") { token user { id } } }",
                json!({ "e": email }),
            )
            .await;
        (
            data["registerUser"]["token"].as_str().unwrap().into(),
            data["registerUser"]["user"]["id"].as_str().unwrap().into(),
        )
    }

    /// Invites `email` to `org` as `role` (by `owner`) and accepts it as `token`.
    pub async fn join(&self, owner: &str, org: &str, email: &str, token: &str, role: &str) {
        let invited = self
            .ok(
                Some(owner),
                &format!(
                    "mutation {{ inviteMember(organization: \"{org}\", email: \"{email}\", role: {role}) {{ id acceptToken }} }}"
                ),
                json!({}),
            )
            .await;
        let id = invited["inviteMember"]["id"].as_str().unwrap();
        let secret = invited["inviteMember"]["acceptToken"].as_str().unwrap();
        let accept = "mutation($i: String!, $t: String) { acceptInvitation(invitationId: $i, token: $t) { slug } }";
        self.ok(Some(token), accept, json!({ "i": id, "t": secret })).await;
    }

    /// Registers `email`, who creates the organization `acme` and, when named, a project in
    /// it; returns that owner's session token.
    pub async fn owner_of_acme(&self, email: &str, project: Option<&str>) -> String {
        let (token, _) = self.register(email).await;
        self.ok(Some(&token), "mutation { createOrganization(slug: \"acme\", name: \"Acme\") { id } }", json!({}))
            .await;
        if let Some(slug) = project {
            let create = "mutation($p: String!) { createProject(organization: \"acme\", slug: $p, name: $p) { id } }";
            self.ok(Some(&token), create, json!({ "p": slug })).await;
        }
        token
    }

    /// `owner_of_acme` for an API whose read models are fed from Kafka: there a mutation may
    /// answer before its write shows (the read models' progress is one checkpoint row across
    /// partitions and topics, issue 15's open part), so each step is confirmed by polling
    /// what it made rather than by its answer.
    pub async fn owner_of_acme_through_kafka(&self, email: &str, project: Option<&str>) -> String {
        let register = "mutation($e: String!) { registerUser(email: $e, name: \"Test User\", password: \"correct horse battery\") { token } }";
        let (_, answer) = self.post(None, register, json!({ "e": email })).await;
        let login = "mutation($e: String!) { login(email: $e, password: \"correct horse battery\") { token } }";
        let token = match answer["data"]["registerUser"]["token"].as_str() {
            Some(token) => token.to_string(),
            None => {
                let signed_in =
                    self.poll(None, login, json!({ "e": email }), |d| d["login"]["token"].is_string()).await;
                signed_in["login"]["token"].as_str().unwrap_or_default().to_string()
            }
        };
        let create = "mutation { createOrganization(slug: \"acme\", name: \"Acme\") { id } }";
        let _ = self.post(Some(&token), create, json!({})).await;
        let organization = "{ organization(slug: \"acme\") { id projects { slug } } }";
        self.poll(Some(&token), organization, json!({}), |d| d["organization"]["id"].is_string()).await;
        if let Some(slug) = project {
            let create = "mutation($p: String!) { createProject(organization: \"acme\", slug: $p, name: $p) { id } }";
            let _ = self.post(Some(&token), create, json!({ "p": slug })).await;
            self.poll(Some(&token), organization, json!({}), |d| {
                d["organization"]["projects"].as_array().is_some_and(|p| p.iter().any(|p| p["slug"] == slug))
            })
            .await;
        }
        token
    }

    /// Sends `query` every 100 ms until its data passes `done` (at most 30 s); that data.
    pub async fn poll(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let (_, body) = self.post(token, query, variables.clone()).await;
            if done(&body["data"]) {
                return body["data"].clone();
            }
            assert!(std::time::Instant::now() < deadline, "{query} never showed what was written: {body}");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// Stops the server (cleanly: the edge reports its last window) and keeps its data.
    pub async fn halt(&mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }

    /// Starts the server again on its data (after `halt`), as a restart after a crash would.
    pub async fn restart(&mut self) {
        self.halt().await;
        let server = Server::start(&self.config, Roles::all(false)).await.unwrap();
        self.base = format!("http://{}", server.api_addr.unwrap());
        self.edge = server.edge_addr.unwrap().to_string();
        self.edge_https = server.edge_https_addr.unwrap();
        self.server = Some(server);
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }
}

/// A GraphQL subscription over a real WebSocket (graphql-transport-ws).
pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

impl App {
    /// Opens a WebSocket as `token` and subscribes to `query` (id "1").
    pub async fn subscribe(&self, token: &str, query: &str) -> Socket {
        use futures::SinkExt;
        use tokio_tungstenite::tungstenite::Message;
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request =
            format!("{}/graphql/ws", self.base.replace("http://", "ws://")).into_client_request().unwrap();
        request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
        socket.send(Message::Text(init.to_string().into())).await.unwrap();
        assert_eq!(next_message(&mut socket).await["type"], "connection_ack");
        let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": query } });
        socket.send(Message::Text(subscribe.to_string().into())).await.unwrap();
        socket
    }
}

/// The next JSON message on a subscription's socket (waiting up to 15 s).
pub async fn next_message(socket: &mut Socket) -> Value {
    use futures::StreamExt;
    loop {
        let message =
            tokio::time::timeout(std::time::Duration::from_secs(15), socket.next()).await.unwrap().unwrap().unwrap();
        if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}
