//! The relay: publishes every committed event to Kafka, in global order, and stores how
//! far it got in the event store. Killed anywhere, it restarts from its checkpoint and
//! sends again what it cannot prove was delivered: duplicates carry the same event id.

use super::headers::headers_of;
use super::topics::{ensure_topics, topic_for};
use crate::store::{EventStore, StoreError};
use crate::tail::LogTail;
use rdkafka::ClientConfig;
use rdkafka::producer::{FutureProducer, FutureRecord};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tracing::{info, warn};

#[derive(Debug, Clone)]
pub struct RelayConfig {
    pub brokers: String,
    /// Name of the checkpoint row in the event store.
    pub checkpoint: String,
    /// Events sent before waiting for their acknowledgements.
    pub batch: usize,
    pub partitions: i32,
    /// How long a message may wait for the broker before the batch is retried.
    pub message_timeout: Duration,
}

impl RelayConfig {
    pub fn new(brokers: impl Into<String>) -> Self {
        RelayConfig {
            brokers: brokers.into(),
            checkpoint: "kafka-relay".into(),
            batch: 2_000,
            partitions: 3,
            message_timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("kafka: {0}")]
    Kafka(String),
}

pub struct Relay {
    store: Arc<dyn EventStore>,
    config: RelayConfig,
}

impl Relay {
    pub fn new(store: Arc<dyn EventStore>, config: RelayConfig) -> Self {
        Relay { store, config }
    }

    fn producer(&self) -> Result<FutureProducer, RelayError> {
        ClientConfig::new()
            .set("bootstrap.servers", &self.config.brokers)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("linger.ms", "5")
            .set("message.timeout.ms", self.config.message_timeout.as_millis().to_string())
            .create()
            .map_err(|e| RelayError::Kafka(e.to_string()))
    }

    /// Publishes until `stop` turns true; broker outages are waited out, not fatal.
    pub async fn run(&self, mut stop: watch::Receiver<bool>) -> Result<(), RelayError> {
        let mut backoff = Duration::from_millis(200);
        while !*stop.borrow() {
            match self.publish_until_failure(&mut stop).await {
                Ok(()) => return Ok(()),
                Err(RelayError::Kafka(reason)) => {
                    warn!(%reason, retry_in_ms = backoff.as_millis() as u64, "relay: kafka unavailable");
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = stop.changed() => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
                Err(store_error) => return Err(store_error),
            }
        }
        Ok(())
    }

    /// One producer's life: from the checkpoint until stopped (Ok) or Kafka fails (Err).
    async fn publish_until_failure(&self, stop: &mut watch::Receiver<bool>) -> Result<(), RelayError> {
        ensure_topics(&self.config.brokers, self.config.partitions).await.map_err(RelayError::Kafka)?;
        let producer = self.producer()?;
        let from = self.store.load_checkpoint(&self.config.checkpoint).await?;
        info!(from, "relay: publishing");
        let mut log = LogTail::new(self.store.clone(), from);
        loop {
            if *stop.borrow() {
                return Ok(());
            }
            let batch = log.next_ready(self.config.batch).await?;
            let Some(last) = batch.last().map(|e| e.meta.position) else {
                tokio::select! {
                    _ = log.wait(Duration::from_secs(1)) => {}
                    _ = stop.changed() => {}
                }
                continue;
            };
            let mut deliveries = Vec::with_capacity(batch.len());
            for event in &batch {
                let topic = topic_for(&event.meta.event_type);
                let record = FutureRecord::to(&topic)
                    .key(&event.meta.stream_id)
                    .payload(&event.payload)
                    .headers(headers_of(&event.meta));
                let delivery =
                    producer.send_result(record).map_err(|(e, _)| RelayError::Kafka(format!("enqueue: {e}")))?;
                deliveries.push(delivery);
            }
            for delivery in deliveries {
                match delivery.await {
                    Ok(Ok(_)) => {}
                    Ok(Err((e, _))) => return Err(RelayError::Kafka(format!("delivery: {e}"))),
                    Err(_) => return Err(RelayError::Kafka("producer dropped a delivery".into())),
                }
            }
            self.store.save_checkpoint(&self.config.checkpoint, last).await?;
        }
    }
}
