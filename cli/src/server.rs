//! The server process, built once and shared by `clouddeck up`, the role commands and the
//! tests: the event store, the projection runner, and the Kafka relay when configured.

use crate::config::Config;
use anyhow::Context as _;
use clouddeck_eventlog::kafka::{KafkaFeed, Relay, RelayConfig, all_topics};
use clouddeck_eventlog::{EventFeed, EventStore, StoreFeed, redact};
use clouddeck_projections::{ProjectionRunner, ReadModels, db};
use sqlx::AnyPool;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::info;

/// Which roles a process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Roles {
    pub projections: bool,
    pub relay: bool,
}

pub struct Server {
    pub store: Arc<dyn EventStore>,
    pub read_db: AnyPool,
    stop: watch::Sender<bool>,
    tasks: JoinSet<anyhow::Result<()>>,
}

impl Server {
    pub async fn start(config: &Config, roles: Roles) -> anyhow::Result<Server> {
        let url = config.database_url()?;
        let store = clouddeck_eventlog::connect(&url)
            .await
            .with_context(|| format!("opening the event store at {}", redact(&url)))?;
        let read_db = db::open(&url)
            .await
            .with_context(|| format!("opening read models at {}", redact(&url)))?;
        let (stop, stopped) = watch::channel(false);
        let mut tasks = JoinSet::new();
        if roles.projections {
            let mut runner = ProjectionRunner::new(read_db.clone(), Arc::new(ReadModels)).await?;
            // Distributed: projections read Kafka. Embedded: the event table itself.
            let mut feed: Box<dyn EventFeed> = match (&config.kafka_brokers, roles.relay) {
                (Some(brokers), false) => Box::new(KafkaFeed::new(
                    brokers,
                    "clouddeck-read-models",
                    &all_topics(),
                )?),
                _ => Box::new(StoreFeed::new(store.clone(), runner.checkpoint())),
            };
            let stopped = stopped.clone();
            info!(from = runner.checkpoint(), "projections: running");
            tasks.spawn(async move { Ok(runner.run(&mut *feed, stopped).await?) });
        }
        if roles.relay {
            let brokers = config
                .kafka_brokers
                .clone()
                .context("the relay needs CLOUDDECK_KAFKA_BROKERS")?;
            let relay = Relay::new(store.clone(), RelayConfig::new(brokers));
            let stopped = stopped.clone();
            tasks.spawn(async move { Ok(relay.run(stopped).await?) });
        }
        Ok(Server {
            store,
            read_db,
            stop,
            tasks,
        })
    }

    /// Runs until ctrl-c, SIGTERM or a role fails, then stops every role cleanly.
    pub async fn serve(mut self) -> anyhow::Result<()> {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
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
