//! One way to follow the log: a [`Follower`] takes batches from an [`EventFeed`], hands each
//! to a [`Consumer`], acknowledges it once the consumer made it durable, and on a failure has
//! the feed deliver it again after a pause that doubles (up to a ceiling) while failures go
//! on. It stops when told to. The read models, the analytics projector and the edge's route
//! table follow the log through it; a new worker should too.
//!
//! Ordering: a feed delivers the table's events in position order, and Kafka's in order per
//! key (a stream id), so a consumer sees each stream's events in order either way.

use crate::feed::{EventFeed, FeedError};
use crate::store::RecordedEvent;
use async_trait::async_trait;
use std::time::Duration;
use tokio::sync::watch;

/// What a follower feeds.
#[async_trait]
pub trait Consumer: Send {
    /// The consumer's failure; a feed's failure is one too.
    type Error: std::fmt::Display + From<FeedError> + Send;

    /// Names the consumer in logs.
    fn name(&self) -> &str;

    /// Applies `batch` (never empty) and makes its effect durable, with the consumer's
    /// checkpoint when it keeps one; returns how many events took effect (a repeated event
    /// is dropped, not counted). On an error nothing of the batch may have taken effect: it
    /// comes again.
    async fn apply(&mut self, batch: &[RecordedEvent]) -> Result<usize, Self::Error>;

    /// Whether `error` ends the follower rather than being retried (the log itself failing).
    fn is_fatal(&self, _error: &Self::Error) -> bool {
        false
    }
}

/// How a consumer is fed: batch size, how long to wait for a first event, and the pauses
/// after failures.
#[derive(Debug, Clone, Copy)]
pub struct Follower {
    /// The most events per batch.
    pub batch: usize,
    /// How long one step waits for a first event.
    pub wait: Duration,
    /// The pause after a first failure; each next one doubles, up to `max_pause`.
    pub first_pause: Duration,
    pub max_pause: Duration,
}

impl Follower {
    /// Batches of `batch` events, waiting up to 500 ms for one; pauses from 250 ms to 5 s.
    pub fn new(batch: usize) -> Self {
        Follower {
            batch,
            wait: Duration::from_millis(500),
            first_pause: Duration::from_millis(250),
            max_pause: Duration::from_secs(5),
        }
    }

    /// Feeds `consumer` up to one batch, waiting at most `wait` for it; returns how many
    /// events took effect (0 when none came).
    ///
    /// Errors: the feed's or the consumer's; the batch was rewound and comes again.
    pub async fn step<C: Consumer + ?Sized>(
        &self,
        consumer: &mut C,
        feed: &mut dyn EventFeed,
        wait: Duration,
    ) -> Result<usize, C::Error> {
        let batch = feed.next_batch_or_rewind(self.batch, wait).await?;
        if batch.is_empty() {
            return Ok(0);
        }
        match consumer.apply(&batch).await {
            Ok(applied) => {
                feed.ack().await?;
                Ok(applied)
            }
            Err(e) => {
                feed.rewind().await?;
                Err(e)
            }
        }
    }

    /// Feeds `consumer` until `stop` turns true. A failure is logged and retried after a
    /// pause; a fatal one ([`Consumer::is_fatal`]) ends the run with it.
    pub async fn run<C: Consumer + ?Sized>(
        &self,
        consumer: &mut C,
        feed: &mut dyn EventFeed,
        mut stop: watch::Receiver<bool>,
    ) -> Result<(), C::Error> {
        let mut pause = self.first_pause;
        while !*stop.borrow() {
            let stepped = tokio::select! {
                result = self.step(consumer, feed, self.wait) => Some(result),
                _ = stop.changed() => None,
            };
            match stepped {
                None | Some(Ok(_)) => pause = self.first_pause,
                Some(Err(e)) if consumer.is_fatal(&e) => return Err(e),
                Some(Err(e)) => {
                    tracing::error!(consumer = consumer.name(), error = %e, ?pause, "a batch failed; it comes again");
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = stop.changed() => {}
                    }
                    pause = (pause * 2).min(self.max_pause);
                }
            }
        }
        Ok(())
    }
}
