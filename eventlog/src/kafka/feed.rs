//! Reading the event topics back. Offsets are stored only when the consumer acknowledges,
//! that is after the effect of what it read is durable. Two ways to split the partitions
//! between a consumer's instances: the broker's consumer group ([`KafkaFeed::new`], for
//! readers such as an auditor's), or membership kept in the event store
//! ([`KafkaFeed::shared`], what CloudDeck's own consumers use: see `members.rs` for why).

use super::headers::event_from_message;
use super::members::{Membership, share_of};
use crate::feed::{EventFeed, FeedError};
use crate::store::{EventStore, RecordedEvent};
use async_trait::async_trait;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

type Partition = (String, i32);

pub struct KafkaFeed {
    /// (shared with the blocking task that asks for metadata)
    consumer: Arc<StreamConsumer>,
    /// What was delivered and not acknowledged, per partition: (offset, log position), in
    /// offset order. A rewind goes back to each front; an ack stores the offset after what
    /// it covers.
    delivered: HashMap<Partition, VecDeque<(i64, i64)>>,
    /// Membership kept in the event store; none: the broker's consumer group.
    shared: Option<Shared>,
    /// When a broker failure was last logged.
    last_report: Option<Instant>,
}

/// A [`KafkaFeed::shared`] feed's view of its group.
struct Shared {
    membership: Membership,
    topics: Vec<String>,
    /// Every partition of the topics, as the broker last said.
    partitions: Vec<Partition>,
    /// The partitions this instance reads now, and the next offset of each as far as read
    /// and acknowledged here.
    mine: Vec<Partition>,
    acked: HashMap<Partition, i64>,
    next_look: Instant,
    next_metadata: Instant,
}

/// How often a shared feed looks at the live members (its heartbeat has a task of its own).
const LOOK: Duration = Duration::from_secs(1);
/// How often it asks the broker for the topics' partitions (topics may appear later).
const METADATA: Duration = Duration::from_secs(5);

fn kafka(e: rdkafka::error::KafkaError) -> FeedError {
    FeedError::Kafka(e.to_string())
}

impl KafkaFeed {
    /// Reads `topics` as a member of the broker's consumer group `group_id`, committing
    /// offsets there. Errors: the client cannot be made or subscribed.
    pub fn new(brokers: &str, group_id: &str, topics: &[String]) -> Result<Self, FeedError> {
        let consumer = consumer(brokers, group_id)?;
        let names: Vec<&str> = topics.iter().map(String::as_str).collect();
        consumer.subscribe(&names).map_err(kafka)?;
        Ok(KafkaFeed { consumer: Arc::new(consumer), delivered: HashMap::new(), shared: None, last_report: None })
    }

    /// Reads this instance's share of `topics`' partitions, the group `group_id`'s members
    /// and offsets being kept in `store` (see `members.rs`): a member that dies has its share
    /// taken over within 3 s plus a heartbeat, on any broker. One member reads at a time.
    /// Needs a Tokio runtime (the heartbeat is a task). Errors: the client cannot be made.
    pub fn shared(
        brokers: &str,
        group_id: &str,
        topics: &[String],
        store: Arc<dyn EventStore>,
    ) -> Result<Self, FeedError> {
        let consumer = consumer(brokers, group_id)?;
        let now = Instant::now();
        let shared = Shared {
            membership: Membership::new(store, group_id),
            topics: topics.to_vec(),
            partitions: Vec::new(),
            mine: Vec::new(),
            acked: HashMap::new(),
            next_look: now,
            next_metadata: now,
        };
        Ok(KafkaFeed {
            consumer: Arc::new(consumer),
            delivered: HashMap::new(),
            shared: Some(shared),
            last_report: None,
        })
    }

    /// Logs a broker failure librdkafka recovers from, at most once per 10 s.
    fn report_transient(&mut self, code: rdkafka::types::RDKafkaErrorCode) {
        let now = Instant::now();
        if self.last_report.is_none_or(|at| now.duration_since(at) > Duration::from_secs(10)) {
            self.last_report = Some(now);
            tracing::warn!(%code, "kafka: the broker cannot be reached; reconnecting");
        }
    }

    /// This instance's name among its group's members (shared feeds only).
    pub fn instance(&self) -> Option<&str> {
        self.shared.as_ref().map(|s| s.membership.instance.as_str())
    }

    /// Looks at the live members, and when they or the partitions changed, reads the new
    /// share: kept partitions go on from where this instance is, taken-over ones from their
    /// stored offset.
    async fn rebalance(&mut self) -> Result<(), FeedError> {
        let Some(shared) = self.shared.as_mut() else { return Ok(()) };
        shared.membership.polled();
        let now = Instant::now();
        if now < shared.next_look {
            return Ok(());
        }
        shared.next_look = now + LOOK;
        let members = shared.membership.live().await?;
        if now >= shared.next_metadata || shared.partitions.is_empty() {
            shared.next_metadata = now + METADATA;
            // librdkafka's call blocks (up to its timeout while a broker is down): off the
            // runtime's threads.
            let consumer = self.consumer.clone();
            let metadata = tokio::task::spawn_blocking(move || consumer.fetch_metadata(None, Duration::from_secs(5)))
                .await
                .map_err(|e| FeedError::Kafka(format!("asking for the topics' partitions: {e}")))?
                .map_err(kafka)?;
            shared.partitions = metadata
                .topics()
                .iter()
                .filter(|t| shared.topics.iter().any(|name| name == t.name()))
                .flat_map(|t| t.partitions().iter().map(|p| (t.name().to_string(), p.id())))
                .collect();
        }
        let mine = share_of(&members, &shared.membership.instance, &shared.partitions);
        if mine == shared.mine {
            return Ok(());
        }
        let mut assignment = TopicPartitionList::new();
        let mut acked = HashMap::new();
        for (topic, partition) in &mine {
            let key = (topic.clone(), *partition);
            let next = match shared.acked.get(&key) {
                Some(next) => *next,
                None => shared.membership.offset(topic, *partition).await?,
            };
            let offset = if next > 0 { Offset::Offset(next) } else { Offset::Beginning };
            assignment.add_partition_offset(topic, *partition, offset).map_err(kafka)?;
            acked.insert(key, next);
        }
        self.consumer.assign(&assignment).map_err(kafka)?;
        tracing::info!(
            group = shared.membership.group,
            instance = shared.membership.instance,
            members = members.len(),
            partitions = mine.len(),
            of = shared.partitions.len(),
            "kafka: this instance's share of the partitions changed"
        );
        shared.mine = mine;
        shared.acked = acked;
        self.delivered.clear();
        Ok(())
    }
}

/// Whether a consumption error is librdkafka saying a broker cannot be reached (it reconnects
/// by itself); any other (authorization, an unknown topic) fails the batch and is logged.
fn transient(code: rdkafka::types::RDKafkaErrorCode) -> bool {
    use rdkafka::types::RDKafkaErrorCode as C;
    matches!(
        code,
        C::BrokerTransportFailure | C::AllBrokersDown | C::NetworkException | C::RequestTimedOut | C::OperationTimedOut
    )
}

fn consumer(brokers: &str, group_id: &str) -> Result<StreamConsumer, FeedError> {
    ClientConfig::new()
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
        .map_err(kafka)
}

#[async_trait]
impl EventFeed for KafkaFeed {
    async fn next_batch(&mut self, max: usize, wait: Duration) -> Result<Vec<RecordedEvent>, FeedError> {
        self.rebalance().await?;
        let mut batch = Vec::new();
        // Wait for the first message; then take what is already fetched, briefly.
        let mut timeout = wait;
        while batch.len() < max {
            let message = match tokio::time::timeout(timeout, self.consumer.recv()).await {
                Err(_) => break,
                // librdkafka reports a broker it cannot reach this way and reconnects by itself:
                // failing the batch would pause the consumer and rewind for nothing, and such
                // reports queue up while a broker is down, each one pausing it again (a broker
                // restart took 30 s to catch up from until this was read past).
                Ok(Err(rdkafka::error::KafkaError::MessageConsumption(code))) if transient(code) => {
                    self.report_transient(code);
                    continue;
                }
                Ok(message) => message.map_err(kafka)?,
            };
            let partition = (message.topic().to_string(), message.partition());
            if self.shared.as_ref().is_some_and(|s| !s.mine.contains(&partition)) {
                // Fetched before the share changed: its new reader delivers it.
                continue;
            }
            let event = event_from_message(&message)?;
            self.delivered.entry(partition).or_default().push_back((message.offset(), event.meta.position));
            batch.push(event);
            timeout = Duration::from_millis(2);
        }
        Ok(batch)
    }

    async fn ack(&mut self) -> Result<(), FeedError> {
        self.ack_through(i64::MAX).await
    }

    async fn ack_through(&mut self, position: i64) -> Result<(), FeedError> {
        // Per partition, the offset of the first message not applied yet, or past the last.
        let mut next_offsets = Vec::new();
        for (partition, delivered) in &mut self.delivered {
            let mut next = None;
            while let Some(&(offset, _)) = delivered.front().filter(|(_, at)| *at <= position) {
                next = Some(offset + 1);
                delivered.pop_front();
            }
            if let Some(next) = next {
                next_offsets.push((partition.clone(), delivered.front().map_or(next, |(offset, _)| *offset)));
            }
        }
        self.delivered.retain(|_, delivered| !delivered.is_empty());
        if next_offsets.is_empty() {
            return Ok(());
        }
        if let Some(shared) = self.shared.as_mut() {
            for ((topic, partition), next) in next_offsets {
                shared.membership.save_offset(&topic, partition, next).await?;
                shared.acked.insert((topic, partition), next);
            }
        } else {
            let mut offsets = TopicPartitionList::new();
            for ((topic, partition), next) in &next_offsets {
                offsets.add_partition_offset(topic, *partition, Offset::Offset(*next)).map_err(kafka)?;
            }
            self.consumer.commit(&offsets, CommitMode::Sync).map_err(kafka)?;
        }
        Ok(())
    }

    async fn rewind(&mut self) -> Result<(), FeedError> {
        // A partition is forgotten only once its seek worked: after a failed one, what was not
        // rewound is still here for the next rewind (the follower calls it again).
        let partitions: Vec<Partition> = self.delivered.keys().cloned().collect();
        for (topic, partition) in partitions {
            let front = self.delivered.get(&(topic.clone(), partition)).and_then(|d| d.front().copied());
            if let Some((offset, _)) = front {
                let to = Offset::Offset(offset);
                self.consumer.seek(&topic, partition, to, Duration::from_secs(10)).map_err(kafka)?;
            }
            self.delivered.remove(&(topic, partition));
        }
        Ok(())
    }
}
