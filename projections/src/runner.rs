//! Feeds events to a projection. Its rows, its checkpoint and the stream versions it has
//! applied are written in one transaction: after a crash it resumes from the checkpoint,
//! and an event delivered again (a Kafka redelivery) is recognized by its stream version
//! and dropped. Nothing is applied twice, nothing skipped.

use crate::sql;
use async_trait::async_trait;
use clouddeck_eventlog::{Consumer, EventFeed, FeedError, Follower, RecordedEvent, StoreError};
use clouddeck_events::Event;
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tracing::debug;

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("projection database: {0}")]
    Sql(#[from] sqlx::Error),
    #[error(transparent)]
    Feed(#[from] FeedError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A read model fed by the log.
#[async_trait]
pub trait Projection: Send + Sync + 'static {
    /// Names its checkpoint.
    fn name(&self) -> &'static str;
    /// The tables it owns: emptied when it is rebuilt.
    fn tables(&self) -> &'static [&'static str];
    /// Applies one event inside the runner's transaction.
    async fn apply(&self, db: &mut AnyConnection, event: &RecordedEvent, payload: &Event) -> Result<(), sqlx::Error>;
    /// Applies a batch of new events, in order, inside the runner's transaction. Override it
    /// to coalesce writes; the result must not depend on where batches begin and end.
    async fn apply_batch(&self, db: &mut AnyConnection, events: &[(&RecordedEvent, Event)]) -> Result<(), sqlx::Error> {
        for (recorded, payload) in events {
            self.apply(db, recorded, payload).await?;
        }
        Ok(())
    }
}

/// Rows per multi-row statement. Small on purpose: SQLite looks parameter names up by a
/// linear scan, so binding n parameters to one statement costs O(n²).
const ROWS_PER_STATEMENT: usize = 64;

pub struct ProjectionRunner {
    db: AnyPool,
    projection: Arc<dyn Projection>,
    batch: usize,
    /// Stream versions already applied, as far as known; `complete` means a stream absent
    /// here has never been applied (true for a fresh projection), so no lookup is needed.
    versions: HashMap<String, i64>,
    complete: bool,
    position: watch::Sender<i64>,
    /// SQLite takes its write lock up front: a deferred transaction that read first can
    /// fail to upgrade while the event store writes.
    begin: &'static str,
}

impl ProjectionRunner {
    pub async fn new(db: AnyPool, projection: Arc<dyn Projection>) -> Result<Self, ProjectionError> {
        let position = checkpoint(&db, projection.name()).await?;
        let begin = match db.acquire().await?.backend_name() {
            "SQLite" => "BEGIN IMMEDIATE",
            _ => "BEGIN",
        };
        Ok(ProjectionRunner {
            db,
            projection,
            batch: 1_000,
            versions: HashMap::new(),
            complete: position == 0,
            position: watch::Sender::new(position),
            begin,
        })
    }

    /// Events per transaction (default 1,000).
    pub fn with_batch(mut self, batch: usize) -> Self {
        self.batch = batch.max(1);
        self
    }

    /// The highest log position applied: the API waits on it for read-your-writes.
    pub fn position(&self) -> watch::Receiver<i64> {
        self.position.subscribe()
    }

    pub fn checkpoint(&self) -> i64 {
        *self.position.borrow()
    }

    /// Applies batches until `stop` turns true, through the log's one follower: a failing
    /// batch is rolled back and retried after a pause; an event that cannot be decoded (or
    /// the event store failing) stops the projection.
    pub async fn run(&mut self, feed: &mut dyn EventFeed, stop: watch::Receiver<bool>) -> Result<(), ProjectionError> {
        Follower::new(self.batch).run(self, feed, stop).await
    }

    /// Applies up to one batch; returns how many events it applied.
    pub async fn step(&mut self, feed: &mut dyn EventFeed, wait: Duration) -> Result<usize, ProjectionError> {
        Follower::new(self.batch).step(self, feed, wait).await
    }

    /// Applies a batch in one transaction: rows, stream versions and checkpoint.
    async fn apply_in_transaction(
        &mut self,
        batch: &[RecordedEvent],
    ) -> Result<(usize, HashMap<String, i64>, i64), ProjectionError> {
        let name = self.projection.name();
        let mut tx = self.db.begin_with(self.begin).await?;
        let mut touched: HashMap<String, i64> = HashMap::new();
        let mut fresh = Vec::with_capacity(batch.len());
        for event in batch {
            let stream = &event.meta.stream_id;
            let known = match touched.get(stream).or_else(|| self.versions.get(stream)) {
                Some(v) => *v,
                None if self.complete => 0,
                None => stream_version(&mut tx, name, stream).await?,
            };
            if event.meta.stream_version <= known {
                debug!(projection = name, event_id = %event.meta.event_id, "duplicate dropped");
                continue;
            }
            fresh.push((event, event.decode()?));
            touched.insert(stream.clone(), event.meta.stream_version);
        }
        self.projection.apply_batch(&mut tx, &fresh).await?;
        let applied = fresh.len();
        let streams: Vec<(&String, &i64)> = touched.iter().collect();
        for chunk in streams.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO projection_streams (projection, stream_id, version) VALUES {} \
                 ON CONFLICT (projection, stream_id) DO UPDATE SET version = excluded.version",
                sql::values(chunk.len(), 3)
            );
            let upsert = chunk
                .iter()
                .fold(sqlx::query(&sql), |q, (stream, version)| q.bind(name).bind(stream.as_str()).bind(**version));
            upsert.execute(&mut *tx).await?;
        }
        let last = batch.iter().map(|e| e.meta.position).max().unwrap_or(0).max(self.checkpoint());
        sqlx::query(
            "INSERT INTO projection_checkpoints (projection, position) VALUES ($1, $2) \
             ON CONFLICT (projection) DO UPDATE SET position = excluded.position",
        )
        .bind(name)
        .bind(last)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((applied, touched, last))
    }
}

#[async_trait]
impl Consumer for ProjectionRunner {
    type Error = ProjectionError;

    fn name(&self) -> &str {
        self.projection.name()
    }

    async fn apply(&mut self, batch: &[RecordedEvent]) -> Result<usize, ProjectionError> {
        match self.apply_in_transaction(batch).await {
            Ok((applied, touched, last)) => {
                self.versions.extend(touched);
                self.position.send_replace(last);
                Ok(applied)
            }
            Err(e) => {
                // Nothing of the batch committed: forget what we thought we knew; the
                // follower has the feed deliver the batch again.
                self.versions.clear();
                self.complete = false;
                Err(e)
            }
        }
    }

    fn is_fatal(&self, error: &ProjectionError) -> bool {
        matches!(error, ProjectionError::Store(_))
    }
}

async fn stream_version(db: &mut AnyConnection, projection: &str, stream: &str) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT version FROM projection_streams WHERE projection = $1 AND stream_id = $2")
        .bind(projection)
        .bind(stream)
        .fetch_optional(db)
        .await?;
    row.map(|r| r.try_get::<i64, _>(0)).transpose().map(|v| v.unwrap_or(0))
}

/// A projection's stored position (0 when it has never run).
pub async fn checkpoint(db: &AnyPool, projection: &str) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT position FROM projection_checkpoints WHERE projection = $1")
        .bind(projection)
        .fetch_optional(db)
        .await?;
    row.map(|r| r.try_get::<i64, _>(0)).transpose().map(|v| v.unwrap_or(0))
}

/// Empties a projection's tables and forgets its progress, in one transaction.
pub async fn reset(db: &AnyPool, projection: &dyn Projection) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    for table in projection.tables() {
        sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *tx).await?;
    }
    for table in ["projection_checkpoints", "projection_streams"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE projection = $1"))
            .bind(projection.name())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}
