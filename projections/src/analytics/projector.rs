//! Feeds ClickHouse from the log in batches: one INSERT per table per batch, then the
//! checkpoint, then the feed's acknowledgement. A crash anywhere in between delivers the
//! batch again, which the tables absorb (see the module's note).

use super::Analytics;
use super::rows::Rows;
use clickhouse::{Row, RowOwned, RowWrite};
use clouddeck_eventlog::{EventFeed, EventStore, FeedError, StoreFeed};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tracing::{error, warn};

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

    pub async fn run(&self, feed: &mut dyn EventFeed, mut stop: watch::Receiver<bool>) -> Result<(), AnalyticsError> {
        while !*stop.borrow() {
            tokio::select! {
                result = self.step(feed, Duration::from_millis(500)) => if let Err(e) = result {
                    error!(error = %e, "analytics batch failed; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                },
                _ = stop.changed() => {}
            }
        }
        Ok(())
    }

    /// Inserts up to one batch; returns how many events it carried.
    pub async fn step(&self, feed: &mut dyn EventFeed, wait: Duration) -> Result<usize, AnalyticsError> {
        let batch = feed.next_batch_or_rewind(self.batch, wait).await?;
        if batch.is_empty() {
            return Ok(0);
        }
        let mut rows = Rows::default();
        for recorded in &batch {
            match recorded.decode() {
                Ok(event) => rows.add(recorded, &event),
                // A type this build does not know: its raw row waits for a build that does.
                Err(e) => warn!(position = recorded.meta.position, error = %e, "analytics skips an undecodable event"),
            }
        }
        let last = batch.iter().map(|e| e.meta.position).max().unwrap_or(0);
        if let Err(e) = self.insert(&rows, last).await {
            feed.rewind().await?;
            return Err(e);
        }
        feed.ack().await?;
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
