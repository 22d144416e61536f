//! Feeds events to a projection, in log position order and nothing else: its rows and its
//! position are written in one transaction, and an event is applied only once every event
//! before it is. So the stored position is an honest "everything up to here is applied",
//! after a crash the runner resumes from it, and an event delivered again (a Kafka
//! redelivery) is recognized by its position and dropped.
//!
//! Why position order and not per stream: read models depend on the order of events of
//! different streams (a project's production alias is moved by its deployments' events, an
//! organization's seats are counted per billing period), and applying two streams' events
//! in another order than the log's gave rows a rebuild does not give. Kafka orders events
//! per partition only, so events that arrive before an earlier position are held in memory
//! until it comes, and the feed is acknowledged only up to the position applied
//! ([`Consumer::durable_through`]), so after a crash the held ones come again.
//!
//! A position that never comes (a message lost or deleted from Kafka by its retention) would
//! stall the projection for good, and its hold would grow without bound. So a runner given
//! the event store ([`ProjectionRunner::with_gap_source`]) reads the missing positions from it
//! (the log's source of truth) once a gap has stood for [`GAP_WAIT`] or the hold reaches
//! [`HELD_FILL`] events; when they come from Kafka later they are dropped as applied.
//!
//! Several instances may run (a standby takes over when the active one dies): every batch's
//! transaction first locks the projection's row, so batches of two instances apply one at a
//! time, each from the position the other committed.

use async_trait::async_trait;
use clouddeck_eventlog::{Consumer, EventFeed, EventStore, FeedError, Follower, RecordedEvent, StoreError};
use clouddeck_events::Event;
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

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

pub struct ProjectionRunner {
    db: AnyPool,
    projection: Arc<dyn Projection>,
    batch: usize,
    /// Events that came before an earlier position did, by position.
    held: BTreeMap<i64, RecordedEvent>,
    /// Where missing positions are read from, and since when the current gap has stood.
    gap_source: Option<Arc<dyn EventStore>>,
    gap_since: Option<Instant>,
    position: watch::Sender<i64>,
    /// SQLite takes its write lock up front: a deferred transaction that read first can
    /// fail to upgrade while the event store writes.
    begin: &'static str,
}

/// Held events past which a warning is logged (once per this many more): a position that
/// never comes stalls the projection, and the hold grows with what arrives after it.
const HELD_WARNING: usize = 10_000;

/// How long a gap before held events may stand before it is filled from the event store:
/// partitions read at the same time are seconds apart at most (a broker restart).
pub const GAP_WAIT: Duration = Duration::from_secs(5);
/// How many held events make a gap be filled at once, whatever its age: a bound on memory.
pub const HELD_FILL: usize = 10_000;

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
            held: BTreeMap::new(),
            gap_source: None,
            gap_since: None,
            position: watch::Sender::new(position),
            begin,
        })
    }

    /// Reads the positions a feed has not delivered from `store` when a gap stands (see the
    /// module's notes): for feeds that can lose an event, Kafka's.
    pub fn with_gap_source(mut self, store: Arc<dyn EventStore>) -> Self {
        self.gap_source = Some(store);
        self
    }

    /// Events per transaction (default 1,000).
    pub fn with_batch(mut self, batch: usize) -> Self {
        self.batch = batch.max(1);
        self
    }

    /// The position up to which every event is applied (by this instance or another that
    /// shares the database): the API waits on it for read-your-writes.
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

    /// Events held until an earlier position comes.
    pub fn held(&self) -> usize {
        self.held.len()
    }

    /// Applies, in one transaction, the events of `batch` and of the hold that continue the
    /// stored position without a gap, and moves it; holds the rest. Returns how many events
    /// took effect and the new position.
    async fn apply_in_transaction(&mut self, batch: &[RecordedEvent]) -> Result<(usize, i64), ProjectionError> {
        let name = self.projection.name();
        let mut tx = self.db.begin_with(self.begin).await?;
        // Lock the row first: another instance's batch waits for this one to commit, and
        // this one starts from what the other committed.
        let row = sqlx::query(
            "INSERT INTO projection_checkpoints (projection, position) VALUES ($1, 0) \
             ON CONFLICT (projection) DO UPDATE SET position = projection_checkpoints.position \
             RETURNING position",
        )
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
        let through: i64 = row.try_get(0)?;
        let in_order =
            self.held.is_empty() && batch.iter().enumerate().all(|(i, e)| e.meta.position == through + 1 + i as i64);
        let owned: Vec<RecordedEvent>;
        let run: &[RecordedEvent] = if in_order {
            // The embedded feed's case, and Kafka's when partitions agree: nothing to hold.
            batch
        } else {
            let before = self.held.len();
            for event in batch.iter().filter(|e| e.meta.position > through) {
                self.held.entry(event.meta.position).or_insert_with(|| event.clone());
            }
            self.held = self.held.split_off(&(through + 1));
            let mut next = through + 1;
            let mut taken = Vec::new();
            while let Some(event) = self.held.remove(&next) {
                taken.push(event);
                next += 1;
            }
            if !taken.is_empty() {
                self.gap_since = None;
            }
            if self.fill_gap(next).await? {
                while let Some(event) = self.held.remove(&next) {
                    taken.push(event);
                    next += 1;
                }
            }
            if self.held.is_empty() {
                self.gap_since = None;
            } else {
                self.gap_since.get_or_insert_with(Instant::now);
            }
            if self.held.len() / HELD_WARNING > before / HELD_WARNING {
                tracing::warn!(
                    projection = name,
                    held = self.held.len(),
                    waiting_for = next,
                    "events held for an earlier position"
                );
            }
            owned = taken;
            &owned
        };
        let mut decoded = Vec::with_capacity(run.len());
        for event in run {
            decoded.push((event, event.decode()?));
        }
        self.projection.apply_batch(&mut tx, &decoded).await?;
        let reached = through + run.len() as i64;
        sqlx::query("UPDATE projection_checkpoints SET position = $2, updated_at = $3 WHERE projection = $1")
            .bind(name)
            .bind(reached)
            .bind(clouddeck_eventlog::now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok((run.len(), reached))
    }

    /// When events are held past a gap at `next` that has stood for [`GAP_WAIT`] (or the hold
    /// is [`HELD_FILL`] long) and there is a gap source, reads the gap's events from it into
    /// the hold (up to a batch). True when it read any. Errors: the event store's, as a feed
    /// failure (the batch comes again).
    async fn fill_gap(&mut self, next: i64) -> Result<bool, ProjectionError> {
        let (Some(store), Some(&first_held)) = (&self.gap_source, self.held.keys().next()) else {
            return Ok(false);
        };
        let stood = self.gap_since.is_some_and(|since| since.elapsed() >= GAP_WAIT);
        if !stood && self.held.len() < HELD_FILL {
            return Ok(false);
        }
        let missing = usize::try_from(first_held - next).unwrap_or(0).min(self.batch);
        let read = store.read_all(next - 1, missing).await.map_err(FeedError::Store)?;
        tracing::warn!(
            projection = self.projection.name(),
            from = next,
            events = read.len(),
            held = self.held.len(),
            "events missing from the feed read from the event store"
        );
        let found = !read.is_empty();
        for event in read {
            self.held.entry(event.meta.position).or_insert(event);
        }
        Ok(found)
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
            Ok((applied, reached)) => {
                self.position.send_replace(reached);
                Ok(applied)
            }
            Err(e) => {
                // Nothing committed: the follower has the feed deliver everything not
                // acknowledged again, the held events among it.
                self.held.clear();
                Err(e)
            }
        }
    }

    fn durable_through(&self) -> Option<i64> {
        Some(self.checkpoint())
    }

    fn is_fatal(&self, error: &ProjectionError) -> bool {
        matches!(error, ProjectionError::Store(_))
    }

    /// With nothing new from the feed, a gap that has stood long enough is filled now: a
    /// quiet log must not keep held events from the read models.
    async fn idle(&mut self) -> Result<usize, ProjectionError> {
        let stood = self.gap_since.is_some_and(|since| since.elapsed() >= GAP_WAIT);
        if self.gap_source.is_none() || self.held.is_empty() || !stood {
            return Ok(0);
        }
        self.apply(&[]).await
    }
}

/// The position up to which a projection has applied every event (0 when it has never run).
pub async fn checkpoint(db: &AnyPool, projection: &str) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT position FROM projection_checkpoints WHERE projection = $1")
        .bind(projection)
        .fetch_optional(db)
        .await?;
    row.map(|r| r.try_get::<i64, _>(0)).transpose().map(|v| v.unwrap_or(0))
}

/// A projection's position and when it last moved (ms since the epoch; 0 before this was
/// recorded), if it ever ran.
pub async fn progress(db: &AnyPool, projection: &str) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let row = sqlx::query("SELECT position, updated_at FROM projection_checkpoints WHERE projection = $1")
        .bind(projection)
        .fetch_optional(db)
        .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
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
