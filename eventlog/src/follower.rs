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

/// The events of `batch` whose type is in `types`, decoded; one that cannot be decoded is
/// logged (naming `consumer` and its position) and skipped. For consumers that read a few
/// event types out of the whole log.
pub fn decoded<'a>(
    batch: &'a [RecordedEvent],
    types: &'a [&str],
    consumer: &'a str,
) -> impl Iterator<Item = (&'a RecordedEvent, clouddeck_events::Event)> + 'a {
    batch.iter().filter(|e| types.contains(&e.meta.event_type.as_str())).filter_map(move |recorded| {
        match recorded.decode() {
            Ok(event) => Some((recorded, event)),
            Err(error) => {
                tracing::error!(consumer, position = recorded.meta.position, %error, "an event cannot be read; skipped");
                None
            }
        }
    })
}

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

    /// For a consumer that applies events in position order only (holding those that come
    /// early): the position up to which everything it was given took durable effect. The
    /// feed is then acknowledged up to there, not past events still held. None (the
    /// default): everything given took effect once `apply` returns.
    fn durable_through(&self) -> Option<i64> {
        None
    }

    /// Whether `error` ends the follower rather than being retried (the log itself failing).
    fn is_fatal(&self, _error: &Self::Error) -> bool {
        false
    }

    /// Called when no event came within a step's wait: a consumer that holds events may
    /// apply them now (from another source). Returns how many took effect (default: none).
    async fn idle(&mut self) -> Result<usize, Self::Error> {
        Ok(0)
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
        Ok(self.feed_batch(consumer, feed, wait).await?.map_or(0, |(applied, _)| applied))
    }

    /// Feeds `consumer` until it has been given every event up to log position `head` (the
    /// log's head when a process started): what keeps its state in memory from the whole log
    /// acts only once it knows everything that happened before it started.
    ///
    /// Errors: the feed's or the consumer's, after rewinding the batch.
    pub async fn catch_up<C: Consumer + ?Sized>(
        &self,
        consumer: &mut C,
        feed: &mut dyn EventFeed,
        head: i64,
    ) -> Result<(), C::Error> {
        let mut reached = 0;
        while reached < head {
            if let Some((_, last)) = self.feed_batch(consumer, feed, Duration::from_millis(100)).await? {
                reached = last;
            }
        }
        Ok(())
    }

    /// One batch: `(events that took effect, the batch's last position)`, or none when no
    /// event came within `wait`.
    async fn feed_batch<C: Consumer + ?Sized>(
        &self,
        consumer: &mut C,
        feed: &mut dyn EventFeed,
        wait: Duration,
    ) -> Result<Option<(usize, i64)>, C::Error> {
        let batch = feed.next_batch_or_rewind(self.batch, wait).await?;
        let Some(last) = batch.last().map(|e| e.meta.position) else {
            match consumer.idle().await {
                Ok(applied) if applied > 0 => {
                    if let Some(position) = consumer.durable_through() {
                        feed.ack_through(position).await?;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    // what the consumer held is dropped with its failure: have it again
                    feed.rewind().await?;
                    return Err(e);
                }
            }
            return Ok(None);
        };
        match consumer.apply(&batch).await {
            Ok(applied) => {
                match consumer.durable_through() {
                    Some(position) => feed.ack_through(position).await?,
                    None => feed.ack().await?,
                }
                Ok(Some((applied, last)))
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
