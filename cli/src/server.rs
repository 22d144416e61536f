//! The server process, built once and shared by `clouddeck up`, the role commands and the
//! tests: the event store, the projection runner, the Kafka relay when configured, and the
//! GraphQL API.

use crate::config::Config;
use anyhow::Context as _;
use clouddeck_command_handlers::CommandHandler;
use clouddeck_domains::{AcmeSettings, CertificateManager, DnsChecker, Verifier};
use clouddeck_edge::Edge;
use clouddeck_edge::per_core;
use clouddeck_edge::report::Reporter;
use clouddeck_edge::shield::Shield;
use clouddeck_edge::tls::BaseCertificate;
use clouddeck_eventlog::kafka::{DEFAULT_PARTITIONS, KafkaFeed, Relay, RelayConfig, Topics, ensure_topics};
use clouddeck_eventlog::{EventFeed, EventStore, StoreFeed, redact};
use clouddeck_graphql_api::mail::Mailer;
use clouddeck_graphql_api::{ApiConfig, ApiState};
use clouddeck_projections::analytics::{Analytics, AnalyticsProjector, CHECKPOINT as ANALYTICS};
use clouddeck_projections::{Projection, ProjectionRunner, ReadModels, db};
use clouddeck_secrets::Sealer;
use clouddeck_workers::builder::CgroupRoot;
use clouddeck_workers::builder::docker::DockerRunner;
use clouddeck_workers::builder::run::Builder;
use clouddeck_workers::builder::sandbox::{Runner, Sandbox};
use clouddeck_workers::collector::Collector;
use clouddeck_workers::deployer::Deployer;
use sqlx::AnyPool;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::{info, warn};

/// Which roles a process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Roles {
    pub projections: bool,
    pub relay: bool,
    pub api: bool,
    /// The edge router: serves deployments, meters what it serves.
    pub edge: bool,
    /// The deployer (builds and rollouts) and the collector of unused storage.
    pub deployer: bool,
}

impl Roles {
    /// Everything in one process: `clouddeck up`.
    pub fn all(relay: bool) -> Self {
        Roles { projections: true, relay, api: true, edge: true, deployer: true }
    }

    pub fn only_projections() -> Self {
        Roles { projections: true, ..Roles::none() }
    }

    pub fn only_relay() -> Self {
        Roles { relay: true, ..Roles::none() }
    }

    pub fn only_api() -> Self {
        Roles { api: true, ..Roles::none() }
    }

    pub fn only_edge() -> Self {
        Roles { edge: true, ..Roles::none() }
    }

    pub fn only_deployer() -> Self {
        Roles { deployer: true, ..Roles::none() }
    }

    pub fn none() -> Self {
        Roles { projections: false, relay: false, api: false, edge: false, deployer: false }
    }
}

pub struct Server {
    pub store: Arc<dyn EventStore>,
    pub read_db: AnyPool,
    /// Where the API listens, once bound (port 0 becomes a real port).
    pub api_addr: Option<SocketAddr>,
    /// Where the edge listens, once bound.
    pub edge_addr: Option<SocketAddr>,
    /// Where the edge's HTTPS listener listens, once bound.
    pub edge_https_addr: Option<SocketAddr>,
    stop: watch::Sender<bool>,
    tasks: JoinSet<anyhow::Result<()>>,
}

/// The read models' position, followed from their checkpoint row when the projections
/// run in another process.
fn follow_checkpoint(read_db: AnyPool, mut stopped: watch::Receiver<bool>) -> watch::Receiver<i64> {
    let (position, receiver) = watch::channel(0);
    tokio::spawn(async move {
        while !*stopped.borrow() {
            if let Ok(p) = clouddeck_projections::runner::checkpoint(&read_db, ReadModels.name()).await {
                position.send_if_modified(|known| std::mem::replace(known, p) != p);
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(20)) => {}
                _ = stopped.changed() => {}
            }
        }
    });
    receiver
}

impl Server {
    pub async fn start(config: &Config, roles: Roles) -> anyhow::Result<Server> {
        let url = config.database_url()?;
        let store = clouddeck_eventlog::connect(&url)
            .await
            .with_context(|| format!("opening the event store at {}", redact(&url)))?;
        let read_db = db::open(&url).await.with_context(|| format!("opening read models at {}", redact(&url)))?;
        let topics = config.kafka_topics(&*store).await?;
        if let (Some(brokers), true, false) = (&config.kafka_brokers, roles.projections, roles.relay) {
            // A consumer may start before the relay has made the topics; made here, it reads
            // from the first event instead of waiting for them to appear.
            if let Err(e) = ensure_topics(brokers, &topics, DEFAULT_PARTITIONS).await {
                warn!(error = %e, "the Kafka topics could not be made yet; the relay makes them");
            }
        }
        let (stop, stopped) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let mut projected = None;
        if roles.projections {
            // (a gap Kafka never fills is read from the event table; the table's own feed has none)
            let mut runner =
                ProjectionRunner::new(read_db.clone(), Arc::new(ReadModels)).await?.with_gap_source(store.clone());
            projected = Some(runner.position());
            // Distributed: projections read Kafka. Embedded: the event table itself.
            let mut feed: Box<dyn EventFeed> = match (&config.kafka_brokers, roles.relay) {
                (Some(brokers), false) => {
                    Box::new(KafkaFeed::shared(brokers, &topics.group("read-models"), &topics.all(), store.clone())?)
                }
                _ => Box::new(StoreFeed::new(store.clone(), runner.checkpoint())),
            };
            let stopped = stopped.clone();
            info!(from = runner.checkpoint(), "projections: running");
            tasks.spawn(async move { Ok(runner.run(&mut *feed, stopped).await?) });
        }
        if roles.relay {
            let brokers = config.kafka_brokers.clone().context("the relay needs CLOUDDECK_KAFKA_BROKERS")?;
            let relay = Relay::new(store.clone(), RelayConfig::new(brokers, topics.clone()));
            let stopped = stopped.clone();
            tasks.spawn(async move { Ok(relay.run(stopped).await?) });
        }
        let projected = match projected {
            Some(position) => position,
            None if roles.api => follow_checkpoint(read_db.clone(), stopped.clone()),
            None => watch::channel(0).1,
        };
        let artifacts = config.artifacts()?;
        if (roles.api || roles.edge || roles.deployer) && config.s3.endpoint.is_none() {
            crate::shared_artifacts::check(&read_db, &config.artifacts_folder()).await?;
        }
        let analytics = match &config.clickhouse_url {
            Some(url) => Some(
                Analytics::connect(url, &config.clickhouse_database)
                    .await
                    .with_context(|| format!("connecting to ClickHouse at {}", redact(url)))?,
            ),
            None => None,
        };
        if let (true, Some(analytics)) = (roles.projections, &analytics) {
            let projector = AnalyticsProjector::new(analytics.clone());
            let mut feed: Box<dyn EventFeed> = match (&config.kafka_brokers, roles.relay) {
                (Some(brokers), false) => {
                    Box::new(KafkaFeed::shared(brokers, &topics.group("analytics"), &topics.all(), store.clone())?)
                }
                _ => Box::new(StoreFeed::new(store.clone(), analytics.checkpoint(ANALYTICS).await?)),
            };
            let stopped = stopped.clone();
            tasks.spawn(async move { Ok(projector.run(&mut *feed, stopped).await?) });
        }
        let sealer = Sealer::from_env_or_file(config.secret_key.as_deref(), &config.data_dir.join("secret.key"))?;
        let mut edge_addr = None;
        let mut edge_https_addr = None;
        if roles.edge {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let sockets = per_core::bind(&config.edge_addr, cores)?;
            edge_addr = Some(sockets.address);
            let https_listener = tokio::net::TcpListener::bind(&config.edge_https_addr)
                .await
                .with_context(|| format!("binding the edge's HTTPS listener to {}", config.edge_https_addr))?;
            let https_bound = https_listener.local_addr()?;
            edge_https_addr = Some(https_bound);
            let edge = Edge::new(
                artifacts.clone(),
                config.base_domain.clone(),
                store.head_watch(),
                config.egress()?,
                Duration::from_secs(config.proxy_timeout_secs),
            )
            .with_https(sealer.clone(), https_bound.port());
            if let (Some(cert), Some(key)) = (&config.edge_tls_cert, &config.edge_tls_key) {
                let base =
                    BaseCertificate { base_domain: config.base_domain.clone(), cert: cert.clone(), key: key.clone() };
                base.load(&edge.certificates)
                    .map_err(anyhow::Error::msg)
                    .context("CLOUDDECK_EDGE_TLS_CERT / CLOUDDECK_EDGE_TLS_KEY")?;
                let reloading =
                    base.reload_on_change(edge.certificates.clone(), BASE_CERTIFICATE_CHECK, stopped.clone());
                tasks.spawn(async move {
                    reloading.await;
                    Ok(())
                });
            }
            // The route table is in memory: it reads the whole log at each start, before the
            // edge takes its first request.
            let mut feed = Box::new(StoreFeed::new(store.clone(), 0));
            edge.catch_up(&mut *feed, store.head().await?).await?;
            let following = edge.clone();
            let stopped_following = stopped.clone();
            tasks.spawn(async move { Ok(following.follow(feed, stopped_following).await?) });
            // Its progress, for the API's promote and rollback to wait on (progress.rs).
            let reporting = clouddeck_edge::progress::report(
                store.clone(),
                uuid::Uuid::now_v7().simple().to_string(),
                edge.applied(),
                stopped.clone(),
            );
            tasks.spawn(async move {
                reporting.await;
                Ok(())
            });
            let shield = Shield::new(config.shield.limits(), config.shield.trusted()?);
            let budgets = edge.clone();
            let maintained = shield.clone().maintain(move || budgets.forget_idle_budgets(), stopped.clone());
            tasks.spawn(async move {
                maintained.await;
                Ok(())
            });
            let reporter =
                Reporter::new(edge.meter.clone(), CommandHandler::new(store.clone())).with_shield(shield.clone());
            let window = Duration::from_secs(config.meter_window_secs.max(1));
            // Serving stops first; the reporter's last flush then sees every request.
            let (stop_reporter, reporter_stopped) = watch::channel(false);
            let tls = clouddeck_edge::tls::server_config(edge.certificates.clone());
            let https = clouddeck_edge::https::serve(
                https_listener,
                tls,
                shield.clone(),
                edge.clone().router(),
                stopped.clone(),
            );
            tasks.spawn(async move { Ok(https.await?) });
            let served = per_core::serve(sockets, shield, edge.router(), stopped.clone());
            tasks.spawn(async move {
                let reporting = tokio::spawn(reporter.run(window, reporter_stopped));
                let result = served.await;
                let _ = stop_reporter.send(true);
                let _ = reporting.await;
                Ok(result?)
            });
        }
        if roles.deployer {
            // The edge a new deployment is checked through: this process's, or the one
            // `--edge-addr` names (a host name is resolved).
            let edge = match edge_addr {
                Some(bound) => bound,
                None => tokio::net::lookup_host(&config.edge_addr)
                    .await
                    .ok()
                    .and_then(|mut addresses| addresses.next())
                    .with_context(|| format!("the deployer cannot resolve the edge at {}", config.edge_addr))?,
            };
            let port_suffix = if edge.port() == 80 { String::new() } else { format!(":{}", edge.port()) };
            let builder = Builder::new(
                artifacts.clone(),
                build_runner(config).await?,
                config.data_dir.canonicalize().unwrap_or_else(|_| config.data_dir.clone()),
                config.builds_dir(),
                config.toolchains_dir.clone(),
                config.node_default,
            );
            builder.sweep().await;
            let deployer = Deployer {
                id: config.deployer_id(),
                store: store.clone(),
                artifacts: artifacts.clone(),
                builder,
                base_domain: config.base_domain.clone(),
                port_suffix,
                edge,
                sealer: sealer.clone(),
                concurrency: config.build_concurrency,
                health_patience: Duration::from_secs(config.deploy_health_timeout_secs),
                takeover_after: Duration::from_secs(config.deployer_takeover_secs.max(1)),
            };
            let stopped_deployer = stopped.clone();
            tasks.spawn(async move { Ok(Arc::new(deployer).run(stopped_deployer).await?) });
            // Custom domains: ownership checks over DNS.
            let resolver = config
                .dns_resolver
                .as_deref()
                .map(|text| text.parse().with_context(|| format!("CLOUDDECK_DNS_RESOLVER: `{text}` is not ip:port")))
                .transpose()?;
            let checker = DnsChecker::new(resolver).map_err(anyhow::Error::msg)?;
            // Both read the whole log, and act once they have read it up to where it is now.
            let head = store.head().await?;
            let verifier = Verifier::new(CommandHandler::new(store.clone()), checker.clone());
            let feed = Box::new(StoreFeed::new(store.clone(), 0));
            let stopped_verifier = stopped.clone();
            tasks.spawn(async move { Ok(verifier.run(feed, head, stopped_verifier).await?) });
            // Certificates for verified domains, when an ACME contact is configured.
            if let Some(email) = &config.acme_email {
                let settings = AcmeSettings {
                    directory_url: config.acme_directory_url.clone(),
                    email: email.clone(),
                    ca_certs: config.acme_ca_certs.clone(),
                    renew_when_left: config.acme_renew_when_left.clamp(0.0, 1.0),
                    first_retry: Duration::from_secs(config.acme_retry_secs.max(1)),
                    edge,
                };
                let manager =
                    CertificateManager::new(CommandHandler::new(store.clone()), checker, sealer.clone(), settings);
                let feed = Box::new(StoreFeed::new(store.clone(), 0));
                let stopped_manager = stopped.clone();
                tasks.spawn(async move { Ok(manager.run(feed, head, stopped_manager).await?) });
            }
            let grace = Duration::from_secs(config.unused_storage_grace_secs);
            let collector = Collector { store: artifacts.clone(), db: read_db.clone(), grace };
            let stopped_collector = stopped.clone();
            tasks.spawn(async move {
                collector.run(grace.clamp(Duration::from_secs(60), Duration::from_secs(3600)), stopped_collector).await;
                Ok(())
            });
        }
        let mut api_addr = None;
        if roles.api {
            let listener = tokio::net::TcpListener::bind(&config.api_addr)
                .await
                .with_context(|| format!("binding the API to {}", config.api_addr))?;
            let bound = listener.local_addr()?;
            api_addr = Some(bound);
            let mailer = match &config.smtp_url {
                Some(url) => {
                    let public = config.public_url.clone().unwrap_or_else(|| format!("http://{bound}"));
                    Some(Arc::new(Mailer::new(url, &config.mail_from, &public).map_err(anyhow::Error::msg)?))
                }
                None => None,
            };
            let state = Arc::new(ApiState {
                handler: CommandHandler::new(store.clone()),
                store: store.clone(),
                read_db: read_db.clone(),
                projected: projected.clone(),
                sealer: sealer.clone(),
                artifacts: artifacts.clone(),
                max_file_bytes: config.max_file_bytes,
                analytics: analytics.clone(),
                egress: config.egress()?,
                webhook_refusals: clouddeck_graphql_api::rate_limit::RateLimiter::new(1.0 / 60.0, 10)
                    .shared_in(&read_db, "webhook-refusals:"),
                bad_webhook_signatures: Default::default(),
                mailer,
                domains: config.domain_targets()?,
            });
            let router = clouddeck_graphql_api::router(state, config.api_limits());
            let mut stopped = stopped.clone();
            tasks.spawn(async move {
                tokio::select! {
                    served = clouddeck_graphql_api::serve(listener, router) => Ok(served?),
                    _ = stopped.changed() => Ok(()),
                }
            });
        }
        Ok(Server { store, read_db, api_addr, edge_addr, edge_https_addr, stop, tasks })
    }

    /// Runs until ctrl-c, SIGTERM or a role fails, then stops every role cleanly.
    pub async fn serve(mut self) -> anyhow::Result<()> {
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        let outcome = tokio::select! {
            _ = tokio::signal::ctrl_c() => Ok(()),
            _ = terminate.recv() => Ok(()),
            Some(done) = self.tasks.join_next() => done.map_err(anyhow::Error::from).and_then(|r| r),
        };
        self.shutdown().await;
        outcome
    }

    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
    }
}

impl Config {
    /// This installation's names on the broker: the operator's prefix, or the one its
    /// installation id gives. Errors: a prefix Kafka would refuse, an unreadable store.
    pub async fn kafka_topics(&self, store: &dyn clouddeck_eventlog::EventStore) -> anyhow::Result<Topics> {
        let topics = match &self.kafka_topic_prefix {
            Some(prefix) => Topics::new(prefix),
            None => Topics::for_installation(&store.installation_id().await.context("reading the installation id")?),
        };
        topics.map_err(anyhow::Error::msg)
    }

    pub fn api_limits(&self) -> ApiConfig {
        ApiConfig { rate_per_second: self.api_rate_limit, burst: self.api_rate_burst, ..ApiConfig::default() }
    }
}

/// How often the base domain's certificate files are checked for a change.
const BASE_CERTIFICATE_CHECK: Duration = Duration::from_secs(10);

/// The build backend the configuration names, with this server's limits, egress policy
/// and hidden paths; what an earlier run of this server left behind is swept first.
async fn build_runner(config: &Config) -> anyhow::Result<Arc<dyn Runner>> {
    let data = config.data_dir.canonicalize().unwrap_or_else(|_| config.data_dir.clone());
    // One instance per data folder: its builds' groups and containers carry its name.
    let instance = clouddeck_artifacts::sha256_hex(data.display().to_string().as_bytes())[..12].to_string();
    let mut hidden = vec![data.clone(), data.join("secret.key")];
    if let Some(file) = config.database_url.as_deref().and_then(|url| url.strip_prefix("sqlite:")) {
        let file = std::path::Path::new(file.split('?').next().unwrap_or(file));
        hidden.push(file.canonicalize().unwrap_or_else(|_| file.to_path_buf()));
    }
    let limits = config.build_limits();
    let egress = config.egress()?;
    match config.build_backend.as_str() {
        "sandbox" => Ok(Arc::new(Sandbox { limits, egress, hidden, cgroups: CgroupRoot::new(&instance) })),
        "docker" => Ok(Arc::new(
            DockerRunner::connect(&config.build_image, limits, egress, &instance)
                .await
                .context("connecting to the Docker engine for builds")?,
        )),
        other => anyhow::bail!("CLOUDDECK_BUILD_BACKEND must be `sandbox` or `docker`, not `{other}`"),
    }
}
