//! Configuration: flags, each with an environment variable and a default (see README).

use clap::Args;
use clouddeck_artifacts::{ArtifactStore, S3Config};
use clouddeck_egress::EgressPolicy;
use clouddeck_workers::builder::limits::Limits;
use std::path::PathBuf;

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Where CloudDeck keeps its data (the SQLite file, artifacts).
    #[arg(long, env = "CLOUDDECK_DATA_DIR", default_value = "./.clouddeck")]
    pub data_dir: PathBuf,
    /// `sqlite:PATH` or `postgres://…`; default: a SQLite file in the data folder.
    #[arg(long, env = "CLOUDDECK_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Kafka bootstrap servers (`host:port,…`); unset: no Kafka.
    #[arg(long, env = "CLOUDDECK_KAFKA_BROKERS")]
    pub kafka_brokers: Option<String>,
    /// The prefix of this installation's Kafka topics and consumer groups
    /// (`<prefix>.deployment`, `<prefix>.read-models`, …). Default: `clouddeck-<installation
    /// id>`, the id made when the event store was first migrated, so installations can share
    /// a broker.
    #[arg(long, env = "CLOUDDECK_KAFKA_TOPIC_PREFIX")]
    pub kafka_topic_prefix: Option<String>,
    /// Where the GraphQL API listens.
    #[arg(long, env = "CLOUDDECK_API_ADDR", default_value = "127.0.0.1:4000")]
    pub api_addr: String,
    /// Requests per second each caller (token or address) may make to the API.
    #[arg(long, env = "CLOUDDECK_API_RATE_LIMIT", default_value_t = 50.0)]
    pub api_rate_limit: f64,
    /// Requests a caller may burst above the rate.
    #[arg(long, env = "CLOUDDECK_API_RATE_BURST", default_value_t = 200)]
    pub api_rate_burst: u32,
    /// The key that seals env var values (32 bytes, base64); default: `<data dir>/secret.key`,
    /// created on first start.
    #[arg(long, env = "CLOUDDECK_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// The domain deployments are served under: `<project>.<base>`, `<deployment>-<project>.<base>`.
    #[arg(long, env = "CLOUDDECK_BASE_DOMAIN", default_value = "localhost")]
    pub base_domain: String,
    /// The largest file a deployment may hold, in bytes.
    #[arg(long, env = "CLOUDDECK_MAX_FILE_BYTES", default_value_t = 100 * 1024 * 1024)]
    pub max_file_bytes: u64,
    /// Where builds run: `sandbox` (bubblewrap, the default) or `docker`.
    #[arg(long, env = "CLOUDDECK_BUILD_BACKEND", default_value = "sandbox")]
    pub build_backend: String,
    /// The image Docker builds run in.
    #[arg(long, env = "CLOUDDECK_BUILD_IMAGE", default_value = "clouddeck/build:bookworm-node")]
    pub build_image: String,
    /// A build's wall-clock limit, in seconds.
    #[arg(long, env = "CLOUDDECK_BUILD_TIMEOUT_SECS", default_value_t = 900)]
    pub build_timeout_secs: u64,
    /// A build's memory limit, in MiB.
    #[arg(long, env = "CLOUDDECK_BUILD_MEMORY_MIB", default_value_t = 2048)]
    pub build_memory_mib: u64,
    /// A build's CPU limit, in cores.
    #[arg(long, env = "CLOUDDECK_BUILD_CPUS", default_value_t = 2.0)]
    pub build_cpus: f64,
    /// The processes (and threads) a build may have at once.
    #[arg(long, env = "CLOUDDECK_BUILD_PROCESSES", default_value_t = 1024)]
    pub build_processes: u64,
    /// A build's disk (source, dependencies, output, home and /tmp together), in MiB.
    #[arg(long, env = "CLOUDDECK_BUILD_DISK_MIB", default_value_t = 10240)]
    pub build_disk_mib: u64,
    /// Where builds' disks are mounted while they run: apart from the data folder, which no
    /// build user may enter. Default: `<data dir>-builds`.
    #[arg(long, env = "CLOUDDECK_BUILDS_DIR")]
    pub builds_dir: Option<PathBuf>,
    /// Where the Node.js releases and package managers builds use are installed, once per
    /// version (servers may share it; build users must be able to traverse it). Default:
    /// `<builds dir>/.toolchains`.
    #[arg(long, env = "CLOUDDECK_TOOLCHAINS_DIR")]
    pub toolchains_dir: Option<PathBuf>,
    /// The Node.js line (a major) builds run when a project asks for none: its newest release.
    #[arg(long, env = "CLOUDDECK_NODE_DEFAULT", default_value_t = 24)]
    pub node_default: u64,
    /// Address ranges tenants may make CloudDeck reach although they are loopback, private,
    /// link-local or the host's own (`10.1.0.0/16,127.0.0.1`): builds, git fetches. Empty:
    /// none.
    #[arg(long, env = "CLOUDDECK_EGRESS_ALLOW", default_value = "")]
    pub egress_allow: String,
    #[command(flatten)]
    pub s3: S3Args,
    #[command(flatten)]
    pub shield: crate::shield_args::ShieldArgs,
    /// Deployments built at once (one project's deployments always run in order).
    #[arg(long, env = "CLOUDDECK_BUILD_CONCURRENCY", default_value_t = 2)]
    pub build_concurrency: usize,
    /// How long a new deployment waits for the platform (the edge to route and serve it, the
    /// artifact storage to answer) before it fails as the platform's fault (not billed), in
    /// seconds: long enough for an operator to restart what failed.
    #[arg(long, env = "CLOUDDECK_DEPLOY_HEALTH_TIMEOUT_SECS", default_value_t = 600)]
    pub deploy_health_timeout_secs: u64,
    /// This deployer's id, different for every deployer process sharing a database: each
    /// deployment is claimed under one id and carried by that deployer alone (a restarted
    /// deployer resumes its claims). Default: the host's name.
    #[arg(long, env = "CLOUDDECK_DEPLOYER_ID")]
    pub deployer_id: Option<String>,
    /// How long another deployer's heartbeat must stand still before this one takes over the
    /// deployments it holds, in seconds.
    #[arg(long, env = "CLOUDDECK_DEPLOYER_TAKEOVER_SECS", default_value_t = 30)]
    pub deployer_takeover_secs: u64,
    /// ClickHouse's HTTP URL (distributed mode): analytics and usage figures go there; unset:
    /// usage comes from the read models.
    #[arg(long, env = "CLOUDDECK_CLICKHOUSE_URL")]
    pub clickhouse_url: Option<String>,
    /// The ClickHouse database CloudDeck's tables live in (created if missing).
    #[arg(long, env = "CLOUDDECK_CLICKHOUSE_DATABASE", default_value = "clouddeck")]
    pub clickhouse_database: String,
    /// How long the edge counts before it reports a usage window, in seconds (a crash loses
    /// at most this much of the edge's counts).
    #[arg(long, env = "CLOUDDECK_METER_WINDOW_SECS", default_value_t = 60)]
    pub meter_window_secs: u64,
    /// How long an upload no deployment uses, or a blob or manifest no deployment uses, is
    /// kept before it is removed (and stops counting against storage), in seconds.
    #[arg(long, env = "CLOUDDECK_UNUSED_STORAGE_GRACE_SECS", default_value_t = 86_400)]
    pub unused_storage_grace_secs: u64,
    /// An SMTP server for verification links and invitations (`smtp://host:25`,
    /// `smtp://user:pass@host:587?tls=required`, `smtps://…:465`). Unset: CloudDeck runs open
    /// (accounts sign in at registration; invitations are accepted with their link only).
    #[arg(long, env = "CLOUDDECK_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Who CloudDeck's mail comes from.
    #[arg(long, env = "CLOUDDECK_MAIL_FROM", default_value = "CloudDeck <noreply@localhost>")]
    pub mail_from: String,
    /// Where people reach CloudDeck, for the links in its mail; default: the API's address.
    #[arg(long, env = "CLOUDDECK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// How long a site's proxy rule waits for the proxied service to answer (then 504), in
    /// seconds.
    #[arg(long, env = "CLOUDDECK_PROXY_TIMEOUT_SECS", default_value_t = 30)]
    pub proxy_timeout_secs: u64,
    /// Where the edge router listens.
    #[arg(long, env = "CLOUDDECK_EDGE_ADDR", default_value = "127.0.0.1:8080")]
    pub edge_addr: String,
    /// The name customers point a subdomain's CNAME record at (shown with each custom
    /// domain); unset: A / AAAA records to `CLOUDDECK_DOMAIN_ADDRESSES` only.
    #[arg(long, env = "CLOUDDECK_DOMAIN_CNAME")]
    pub domain_cname: Option<String>,
    /// The edge's public addresses (`203.0.113.7,2001:db8::7`), for the A / AAAA records of
    /// custom domains.
    #[arg(long, env = "CLOUDDECK_DOMAIN_ADDRESSES", default_value = "")]
    pub domain_addresses: String,
    /// Where the edge's HTTPS listener (TLS 1.2 and 1.3, HTTP/2 and HTTP/1.1) listens.
    #[arg(long, env = "CLOUDDECK_EDGE_HTTPS_ADDR", default_value = "127.0.0.1:8443")]
    pub edge_https_addr: String,
    /// The base domain's certificate chain (PEM; a wildcard for `*.<base>`), served for the
    /// base domain and every name under it; re-read when it changes. Unset: those names get
    /// no HTTPS.
    #[arg(long, env = "CLOUDDECK_EDGE_TLS_CERT")]
    pub edge_tls_cert: Option<PathBuf>,
    /// The key of `CLOUDDECK_EDGE_TLS_CERT` (PEM).
    #[arg(long, env = "CLOUDDECK_EDGE_TLS_KEY")]
    pub edge_tls_key: Option<PathBuf>,
    /// The ACME CA's directory custom domains' certificates are ordered from.
    #[arg(
        long,
        env = "CLOUDDECK_ACME_DIRECTORY_URL",
        default_value = "https://acme-v02.api.letsencrypt.org/directory"
    )]
    pub acme_directory_url: String,
    /// The contact of CloudDeck's ACME account. Unset: no certificates are ordered at all.
    #[arg(long, env = "CLOUDDECK_ACME_EMAIL")]
    pub acme_email: Option<String>,
    /// A PEM file with a root to trust for the ACME server's own HTTPS (a test CA's).
    #[arg(long, env = "CLOUDDECK_ACME_CA_CERTS")]
    pub acme_ca_certs: Option<PathBuf>,
    /// Renew a certificate when this fraction of its lifetime is left.
    #[arg(long, env = "CLOUDDECK_ACME_RENEW_WHEN_LEFT", default_value_t = 1.0 / 3.0)]
    pub acme_renew_when_left: f64,
    /// The pause after a first failed order, in seconds; it doubles up to an hour.
    #[arg(long, env = "CLOUDDECK_ACME_RETRY_SECS", default_value_t = 60)]
    pub acme_retry_secs: u64,
    /// The DNS server custom domains' TXT records are checked against (`ip:port`); unset:
    /// the system's resolvers (`/etc/resolv.conf`).
    #[arg(long, env = "CLOUDDECK_DNS_RESOLVER")]
    pub dns_resolver: Option<String>,
}

impl Config {
    /// Where custom domains point (see `domain_cname`, `domain_addresses`).
    pub fn domain_targets(&self) -> anyhow::Result<clouddeck_graphql_api::domains::DomainTargets> {
        let addresses = self
            .domain_addresses
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| a.parse().map_err(|_| anyhow::anyhow!("CLOUDDECK_DOMAIN_ADDRESSES: `{a}` is not an IP address")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(clouddeck_graphql_api::domains::DomainTargets {
            base_domain: self.base_domain.clone(),
            cname: self.domain_cname.clone(),
            addresses,
        })
    }

    /// What tenants may reach: the special-purpose ranges and this host's addresses refused,
    /// less what `CLOUDDECK_EGRESS_ALLOW` opens.
    pub fn egress(&self) -> anyhow::Result<EgressPolicy> {
        let allowed = EgressPolicy::parse_allowed(&self.egress_allow)
            .map_err(|e| anyhow::anyhow!("CLOUDDECK_EGRESS_ALLOW: {e}"))?;
        Ok(EgressPolicy::new(allowed).with_host_addresses(clouddeck_egress::host_addresses()))
    }

    /// Where builds' disks are mounted (see `builds_dir`).
    pub fn builds_dir(&self) -> PathBuf {
        self.builds_dir.clone().unwrap_or_else(|| {
            let data = self.data_dir.canonicalize().unwrap_or_else(|_| self.data_dir.clone());
            let mut name = data.file_name().unwrap_or_default().to_os_string();
            name.push("-builds");
            data.with_file_name(name)
        })
    }

    /// The limits of every build.
    pub fn build_limits(&self) -> Limits {
        Limits {
            timeout: std::time::Duration::from_secs(self.build_timeout_secs),
            memory_bytes: self.build_memory_mib << 20,
            cpus: self.build_cpus,
            processes: self.build_processes,
            disk_bytes: self.build_disk_mib << 20,
        }
    }

    /// The artifact store: the bucket when an S3 endpoint is set, else the data folder.
    /// The artifacts folder: the store itself, or the S3 bucket's read-through cache.
    pub fn artifacts_folder(&self) -> std::path::PathBuf {
        self.data_dir.join("artifacts")
    }

    pub fn artifacts(&self) -> anyhow::Result<ArtifactStore> {
        let folder = self.artifacts_folder();
        let Some(endpoint) = &self.s3.endpoint else { return Ok(ArtifactStore::new(folder)) };
        let s3 = S3Config {
            endpoint: endpoint.clone(),
            bucket: self.s3.bucket.clone(),
            region: self.s3.region.clone(),
            access_key_id: self.s3.access_key_id.clone(),
            secret_access_key: self.s3.secret_access_key.clone(),
        };
        Ok(s3.open(folder)?)
    }

    /// The database URL, creating the data folder when the default SQLite file is used.
    pub fn database_url(&self) -> anyhow::Result<String> {
        std::fs::create_dir_all(&self.data_dir)?;
        restrict(&self.data_dir)?;
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        Ok(format!("sqlite:{}", self.data_dir.join("clouddeck.db").display()))
    }
}

/// The data folder holds secrets (tokens, keys): only its owner may read it.
fn restrict(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

/// Where artifacts go in the distributed mode; unset endpoint: the data folder.
#[derive(Clone, Default, Args)]
pub struct S3Args {
    /// An S3-compatible endpoint for artifacts (`https://…`); unset: artifacts stay in the data
    /// folder. With it, the data folder keeps only a cache.
    #[arg(long = "s3-endpoint", env = "CLOUDDECK_S3_ENDPOINT")]
    pub endpoint: Option<String>,
    /// The bucket artifacts go in (it must exist).
    #[arg(long = "s3-bucket", env = "CLOUDDECK_S3_BUCKET", default_value = "clouddeck-artifacts")]
    pub bucket: String,
    #[arg(long = "s3-region", env = "CLOUDDECK_S3_REGION", default_value = "us-east-1")]
    pub region: String,
    #[arg(long = "s3-access-key-id", env = "CLOUDDECK_S3_ACCESS_KEY_ID", default_value = "")]
    pub access_key_id: String,
    #[arg(
        long = "s3-secret-access-key",
        env = "CLOUDDECK_S3_SECRET_ACCESS_KEY",
        hide_env_values = true,
        default_value = ""
    )]
    pub secret_access_key: String,
}

/// Never prints the secret key.
impl std::fmt::Debug for S3Args {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Args").field("endpoint", &self.endpoint).field("bucket", &self.bucket).finish_non_exhaustive()
    }
}

impl Config {
    /// The deployer's id: `--deployer-id`, else the host's name.
    pub fn deployer_id(&self) -> String {
        self.deployer_id.clone().unwrap_or_else(|| {
            let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
            if name.trim().is_empty() { "deployer".into() } else { name.trim().to_string() }
        })
    }
}
