//! Reading the event topics back in a consumer group. Offsets are committed only when the
//! consumer acknowledges, that is after the effect of what it read is durable.

use super::headers::event_from_message;
use crate::feed::{EventFeed, FeedError};
use crate::store::RecordedEvent;
use async_trait::async_trait;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
use std::collections::HashMap;
use std::time::Duration;

pub struct KafkaFeed {
    consumer: StreamConsumer,
    /// The next offset to commit, by topic and partition.
    pending: HashMap<(String, i32), i64>,
    /// The first offset delivered since the last ack, where a rewind goes back to.
    unacked_from: HashMap<(String, i32), i64>,
}

fn kafka(e: rdkafka::error::KafkaError) -> FeedError {
    FeedError::Kafka(e.to_string())
}

impl KafkaFeed {
    pub fn new(brokers: &str, group_id: &str, topics: &[String]) -> Result<Self, FeedError> {
        let consumer: StreamConsumer = ClientConfig::new()
            .set("bootstrap.servers", brokers)
            .set("group.id", group_id)
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            .set("isolation.level", "read_committed")
            // A topic the relay has not made yet is looked for again every 5 s, not librdkafka's
            // default 5 minutes: a consumer may start before the relay.
            .set("topic.metadata.refresh.interval.ms", "5000")
            .create()
            .map_err(kafka)?;
        let names: Vec<&str> = topics.iter().map(String::as_str).collect();
        consumer.subscribe(&names).map_err(kafka)?;
        Ok(KafkaFeed { consumer, pending: HashMap::new(), unacked_from: HashMap::new() })
    }
}

#[async_trait]
impl EventFeed for KafkaFeed {
    async fn next_batch(&mut self, max: usize, wait: Duration) -> Result<Vec<RecordedEvent>, FeedError> {
        let mut batch = Vec::new();
        // Wait for the first message; then take what is already fetched, briefly.
        let mut timeout = wait;
        while batch.len() < max {
            let message = match tokio::time::timeout(timeout, self.consumer.recv()).await {
                Err(_) => break,
                Ok(message) => message.map_err(kafka)?,
            };
            let partition = (message.topic().to_string(), message.partition());
            self.unacked_from.entry(partition.clone()).or_insert(message.offset());
            self.pending.insert(partition, message.offset() + 1);
            batch.push(event_from_message(&message)?);
            timeout = Duration::from_millis(2);
        }
        Ok(batch)
    }

    async fn ack(&mut self) -> Result<(), FeedError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut offsets = TopicPartitionList::new();
        for ((topic, partition), next) in &self.pending {
            offsets.add_partition_offset(topic, *partition, Offset::Offset(*next)).map_err(kafka)?;
        }
        self.consumer.commit(&offsets, CommitMode::Sync).map_err(kafka)?;
        self.pending.clear();
        self.unacked_from.clear();
        Ok(())
    }

    async fn rewind(&mut self) -> Result<(), FeedError> {
        for ((topic, partition), offset) in self.unacked_from.drain() {
            let to = Offset::Offset(offset);
            self.consumer.seek(&topic, partition, to, Duration::from_secs(10)).map_err(kafka)?;
        }
        self.pending.clear();
        Ok(())
    }
}
