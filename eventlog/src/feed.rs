//! The consumer side, one trait for both modes: a projection or worker pulls batches from
//! an `EventFeed` and acknowledges them once their effect is durable. On the embedded
//! default the feed reads the event table; in the distributed mode it reads Kafka.

use crate::store::{EventStore, RecordedEvent, StoreError};
use crate::tail::LogTail;
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("kafka: {0}")]
    Kafka(String),
    #[error("message at {topic}/{partition}@{offset} is malformed: {reason}")]
    Malformed { topic: String, partition: i32, offset: i64, reason: String },
}

#[async_trait]
pub trait EventFeed: Send {
    /// Up to `max` events, waiting at most `wait` for the first one. Events may repeat
    /// after a crash (same event id, same stream version): consumers drop what they have.
    async fn next_batch(&mut self, max: usize, wait: Duration) -> Result<Vec<RecordedEvent>, FeedError>;

    /// Everything returned so far has taken durable effect; do not deliver it again.
    async fn ack(&mut self) -> Result<(), FeedError>;

    /// Events returned so far up to log position `position` have taken durable effect; the
    /// others have not (a consumer holds them until an earlier position comes) and must
    /// come again after a restart or a rewind.
    async fn ack_through(&mut self, position: i64) -> Result<(), FeedError>;

    /// The consumer failed to apply what it got since the last `ack`: deliver it again.
    async fn rewind(&mut self) -> Result<(), FeedError>;

    /// `next_batch`; when reading fails, whatever was read since the last `ack` is rewound
    /// first, so it comes again.
    async fn next_batch_or_rewind(&mut self, max: usize, wait: Duration) -> Result<Vec<RecordedEvent>, FeedError> {
        match self.next_batch(max, wait).await {
            Ok(batch) => Ok(batch),
            Err(e) => {
                self.rewind().await?;
                Err(e)
            }
        }
    }
}

/// Reads the event table directly, from a position the consumer stored itself.
pub struct StoreFeed {
    store: Arc<dyn EventStore>,
    subscription: LogTail,
    acked: i64,
}

impl StoreFeed {
    pub fn new(store: Arc<dyn EventStore>, after: i64) -> Self {
        StoreFeed { subscription: LogTail::new(store.clone(), after), store, acked: after }
    }
}

#[async_trait]
impl EventFeed for StoreFeed {
    async fn next_batch(&mut self, max: usize, wait: Duration) -> Result<Vec<RecordedEvent>, FeedError> {
        let batch = self.subscription.next_ready(max).await?;
        if !batch.is_empty() {
            return Ok(batch);
        }
        self.subscription.wait(wait).await;
        Ok(self.subscription.next_ready(max).await?)
    }

    async fn ack(&mut self) -> Result<(), FeedError> {
        // The consumer keeps its position beside its own rows; nothing to store here.
        self.acked = self.subscription.position();
        Ok(())
    }

    async fn ack_through(&mut self, position: i64) -> Result<(), FeedError> {
        self.acked = position.min(self.subscription.position());
        Ok(())
    }

    async fn rewind(&mut self) -> Result<(), FeedError> {
        self.subscription = LogTail::new(self.store.clone(), self.acked);
        Ok(())
    }
}
