//! Feeds ClickHouse from the log in batches: one INSERT per table per batch, then the
//! checkpoint, then the feed's acknowledgement. A crash anywhere in between delivers the
//! batch again, which the tables absorb (see the module's note).

use super::Analytics;
use super::rows::Rows;
use clickhouse::{Row, RowOwned, RowWrite};
use clouddeck_eventlog::{Consumer, EventFeed, EventStore, FeedError, Follower, RecordedEvent, StoreFeed};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tracing::warn;

pub const CHECKPOINT: &str = "analytics";

#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    #[error("clickhouse: {0}")]
    ClickHouse(#[from] clickhouse::error::Error),
    #[error(transparent)]
    Feed(#[from] FeedError),
}

#[derive(Row, Serialize)]
struct CheckpointRow {
    name: String,
    position: u64,
}

pub struct AnalyticsProjector {
    analytics: Analytics,
    batch: usize,
}

impl AnalyticsProjector {
    pub fn new(analytics: Analytics) -> Self {
        AnalyticsProjector { analytics, batch: 5_000 }
    }

    pub fn with_batch(mut self, batch: usize) -> Self {
        self.batch = batch.max(1);
        self
    }

    /// Inserts batches until `stop` turns true, through the log's one follower: a failing
    /// batch comes again after a pause.
    pub async fn run(&self, feed: &mut dyn EventFeed, stop: watch::Receiver<bool>) -> Result<(), AnalyticsError> {
        Follower::new(self.batch).run(&mut &*self, feed, stop).await
    }

    /// Inserts up to one batch; returns how many events it carried.
    pub async fn step(&self, feed: &mut dyn EventFeed, wait: Duration) -> Result<usize, AnalyticsError> {
        Follower::new(self.batch).step(&mut &*self, feed, wait).await
    }

    /// One batch's rows, inserted with the checkpoint at its last position.
    async fn insert_batch(&self, batch: &[RecordedEvent]) -> Result<usize, AnalyticsError> {
        let mut rows = Rows::default();
        for recorded in batch {
            match recorded.decode() {
                Ok(event) => rows.add(recorded, &event),
                // A type this build does not know: its raw row waits for a build that does.
                Err(e) => warn!(position = recorded.meta.position, error = %e, "analytics skips an undecodable event"),
            }
        }
        let last = batch.iter().map(|e| e.meta.position).max().unwrap_or(0);
        self.insert(&rows, last).await?;
        Ok(batch.len())
    }

    /// Inserts one batch's rows, then the checkpoint `last`.
    pub async fn insert(&self, rows: &Rows, last: i64) -> Result<(), AnalyticsError> {
        // The tables are independent: their inserts go at once. The checkpoint follows them.
        tokio::try_join!(
            write(&self.analytics, "events_raw", &rows.raw),
            write(&self.analytics, "usage_events", &rows.usage),
            write(&self.analytics, "requests_by_window", &rows.windows),
            write(&self.analytics, "request_paths_by_window", &rows.paths),
        )?;
        let checkpoint = CheckpointRow { name: CHECKPOINT.into(), position: last.max(0) as u64 };
        write(&self.analytics, "projection_checkpoints", &[checkpoint]).await
    }
}

/// Drops ClickHouse's tables and replays the whole log into them; returns the events read.
pub async fn rebuild(analytics: &Analytics, store: Arc<dyn EventStore>) -> Result<i64, AnalyticsError> {
    analytics.reset().await?;
    let head = store.head().await.map_err(FeedError::from)?;
    let projector = AnalyticsProjector::new(analytics.clone());
    let mut feed = StoreFeed::new(store, 0);
    let mut read = 0;
    while read < head {
        match projector.step(&mut feed, Duration::from_millis(50)).await? {
            0 => break,
            n => read += n as i64,
        }
    }
    Ok(read)
}

/// One INSERT of all `rows` (none: no request).
pub async fn write<T>(analytics: &Analytics, table: &str, rows: &[T]) -> Result<(), AnalyticsError>
where
    T: RowOwned + RowWrite,
{
    if rows.is_empty() {
        return Ok(());
    }
    let mut insert = analytics.client().insert::<T>(table).await?;
    for row in rows {
        insert.write(row).await?;
    }
    insert.end().await?;
    Ok(())
}

#[async_trait::async_trait]
impl Consumer for &AnalyticsProjector {
    type Error = AnalyticsError;

    fn name(&self) -> &str {
        CHECKPOINT
    }

    async fn apply(&mut self, batch: &[RecordedEvent]) -> Result<usize, AnalyticsError> {
        self.insert_batch(batch).await
    }
}
