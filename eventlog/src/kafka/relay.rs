//! The relay: publishes every committed event to Kafka, in global order, and stores how
//! far it got in the event store. Killed anywhere, it restarts from its checkpoint and
//! sends again what it cannot prove was delivered: duplicates carry the same event id.

use super::headers::headers_of;
use super::topics::{DEFAULT_PARTITIONS, Topics, ensure_topics};
use super::withheld::{WITHHELD_HEADER, for_publishing};
use crate::feed::{FeedError, StoreFeed};
use crate::follower::{Consumer, Follower};
use crate::store::{EventStore, RecordedEvent, StoreError};
use async_trait::async_trait;
use rdkafka::ClientConfig;
use rdkafka::message::Header;
use rdkafka::producer::{FutureProducer, FutureRecord};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tracing::info;

#[derive(Debug, Clone)]
pub struct RelayConfig {
    pub brokers: String,
    /// The installation's topic names.
    pub topics: Topics,
    /// Name of the checkpoint row in the event store.
    pub checkpoint: String,
    /// Events sent before waiting for their acknowledgements.
    pub batch: usize,
    pub partitions: i32,
    /// How long a message may wait for the broker before the batch is retried.
    pub message_timeout: Duration,
}

impl RelayConfig {
    pub fn new(brokers: impl Into<String>, topics: Topics) -> Self {
        RelayConfig {
            brokers: brokers.into(),
            topics,
            checkpoint: "kafka-relay".into(),
            batch: 2_000,
            partitions: DEFAULT_PARTITIONS,
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

impl From<FeedError> for RelayError {
    fn from(error: FeedError) -> Self {
        match error {
            FeedError::Store(e) => RelayError::Store(e),
            other => RelayError::Kafka(other.to_string()),
        }
    }
}

pub struct Relay {
    store: Arc<dyn EventStore>,
    config: RelayConfig,
}

impl Relay {
    pub fn new(store: Arc<dyn EventStore>, config: RelayConfig) -> Self {
        Relay { store, config }
    }

    /// Publishes until `stop` turns true; broker outages are waited out (the follower's
    /// pauses, 250 ms doubling to 5 s), a failing event store ends the run.
    ///
    /// Errors: [`RelayError::Store`] when the event store fails.
    pub async fn run(&self, stop: watch::Receiver<bool>) -> Result<(), RelayError> {
        let from = self.store.load_checkpoint(&self.config.checkpoint).await?;
        info!(from, "relay: publishing");
        let mut feed = StoreFeed::new(self.store.clone(), from);
        let mut publisher = Publisher { relay: self, producer: None, topics_ready: false };
        Follower::new(self.config.batch).run(&mut publisher, &mut feed, stop).await
    }
}

/// The relay as a [`Consumer`]: it owns the producer, made again after Kafka failed.
struct Publisher<'a> {
    relay: &'a Relay,
    producer: Option<FutureProducer>,
    topics_ready: bool,
}

impl Publisher<'_> {
    fn producer(&mut self) -> Result<&FutureProducer, RelayError> {
        if self.producer.is_none() {
            let config = &self.relay.config;
            let producer = ClientConfig::new()
                .set("bootstrap.servers", &config.brokers)
                .set("enable.idempotence", "true")
                .set("acks", "all")
                .set("linger.ms", "5")
                // A broker that restarts is found again within a second, not librdkafka's 10 s.
                .set("reconnect.backoff.max.ms", "1000")
                .set("message.timeout.ms", config.message_timeout.as_millis().to_string())
                .create()
                .map_err(|e| RelayError::Kafka(e.to_string()))?;
            self.producer = Some(producer);
        }
        Ok(self.producer.as_ref().expect("set above"))
    }

    async fn publish(&mut self, batch: &[RecordedEvent]) -> Result<(), RelayError> {
        if !self.topics_ready {
            ensure_topics(&self.relay.config.brokers, &self.relay.config.topics, self.relay.config.partitions)
                .await
                .map_err(RelayError::Kafka)?;
            self.topics_ready = true;
        }
        let relay = self.relay;
        let producer = self.producer()?;
        let mut deliveries = Vec::with_capacity(batch.len());
        for event in batch {
            let topic = relay.config.topics.topic_for(&event.meta.event_type);
            let (payload, withheld) = for_publishing(&event.meta.event_type, &event.payload);
            let mut headers = headers_of(&event.meta);
            if !withheld.is_empty() {
                headers = headers.insert(Header { key: WITHHELD_HEADER, value: Some(withheld.as_bytes()) });
            }
            let record = FutureRecord::to(&topic).key(&event.meta.stream_id).payload(payload.as_ref()).headers(headers);
            let delivery = producer.send_result(record).map_err(|(e, _)| RelayError::Kafka(format!("enqueue: {e}")))?;
            deliveries.push(delivery);
        }
        for delivery in deliveries {
            match delivery.await {
                Ok(Ok(_)) => {}
                Ok(Err((e, _))) => return Err(RelayError::Kafka(format!("delivery: {e}"))),
                Err(_) => return Err(RelayError::Kafka("producer dropped a delivery".into())),
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Consumer for Publisher<'_> {
    type Error = RelayError;

    fn name(&self) -> &str {
        "kafka-relay"
    }

    /// Sends the batch, waits for every acknowledgement, then stores the checkpoint: killed
    /// in between, the batch is sent again (same event ids).
    async fn apply(&mut self, batch: &[RecordedEvent]) -> Result<usize, RelayError> {
        if let Err(e) = self.publish(batch).await {
            // A fresh producer next time: one that failed may hold a broken connection.
            self.producer = None;
            self.topics_ready = false;
            return Err(e);
        }
        let last = batch.last().map_or(0, |e| e.meta.position);
        self.relay.store.save_checkpoint(&self.relay.config.checkpoint, last).await?;
        Ok(batch.len())
    }

    fn is_fatal(&self, error: &RelayError) -> bool {
        matches!(error, RelayError::Store(_))
    }
}
