//! The embedded event store: one SQLite file in WAL mode.
//!
//! Appends are serialized: an in-process lock, then `BEGIN IMMEDIATE` (which takes
//! SQLite's write lock at once, also against other processes). The next position is
//! read and written inside that transaction, so positions are gap-free and in commit order.

use crate::store::{Appended, EventStore, RecordedEvent, StoreError, StreamAppend, now_micros, plan};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};
use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::{Mutex, watch};

/// Rows per INSERT statement. Small on purpose: SQLite looks parameter names up by a linear
/// scan, so binding n parameters to one statement costs O(n²) (26% of a rebuild at 500 rows).
pub const ROWS_PER_INSERT: usize = 64;

const SELECT_EVENTS: &str = "SELECT position, event_id, stream_id, stream_version, event_type, \
     schema_version, recorded_at, actor, causation_id, correlation_id, payload FROM events";

pub struct SqliteEventStore {
    pool: SqlitePool,
    write_lock: Mutex<()>,
    head: watch::Sender<i64>,
}

impl SqliteEventStore {
    /// Opens (creating if needed) the database at `url` (`sqlite:PATH`) and migrates it.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // The log is the system of record: a committed append survives power loss.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        Self::from_pool(pool).await
    }

    pub async fn from_pool(pool: SqlitePool) -> Result<Self, StoreError> {
        let mut migrator = sqlx::migrate!("../schema/migrations/eventstore/sqlite");
        migrator.set_ignore_missing(true);
        migrator.run(&pool).await?;
        let head: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) FROM events").fetch_one(&pool).await?;
        Ok(SqliteEventStore { pool, write_lock: Mutex::new(()), head: watch::Sender::new(head) })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// Matches a correlation id given as text (the index is on the column's own type).
const CORRELATION_MATCH: &str = "correlation_id = $1";
crate::queries::event_queries!(sqlx::Sqlite, SELECT_EVENTS);

#[async_trait]
impl EventStore for SqliteEventStore {
    async fn append_streams(&self, appends: Vec<StreamAppend>) -> Result<Vec<Appended>, StoreError> {
        if appends.is_empty() {
            return Err(StoreError::EmptyAppend);
        }
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        // One round trip for the head and every stream's version: the lock is ours now.
        let mut lookup = QueryBuilder::<Sqlite>::new(
            "SELECT NULL, COALESCE(MAX(position), 0) FROM events UNION ALL \
             SELECT stream_id, MAX(stream_version) FROM events WHERE stream_id IN (",
        );
        let mut ids = lookup.separated(", ");
        for append in &appends {
            ids.push_bind(append.stream_id.as_str());
        }
        lookup.push(") GROUP BY stream_id");
        let mut head: i64 = 0;
        let mut versions: HashMap<String, i64> = HashMap::new();
        for row in lookup.build().fetch_all(&mut *tx).await? {
            match row.try_get::<Option<String>, _>(0)? {
                None => head = row.try_get(1)?,
                Some(stream) => {
                    versions.insert(stream, row.try_get(1)?);
                }
            }
        }
        let (rows, appended) = plan(&appends, head, versions)?;
        let recorded_at = now_micros();
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO events (position, event_id, stream_id, stream_version, event_type, \
                 schema_version, recorded_at, actor, causation_id, correlation_id, payload) ",
            );
            insert.push_values(chunk, |mut b, row| {
                let event = row.event;
                b.push_bind(row.position)
                    .push_bind(event.event_id.to_string())
                    .push_bind(row.stream_id)
                    .push_bind(row.stream_version)
                    .push_bind(event.event_type)
                    .push_bind(event.schema_version)
                    .push_bind(recorded_at)
                    .push_bind(event.provenance.actor.to_string())
                    .push_bind(event.provenance.causation_id.map(|c| c.to_string()))
                    .push_bind(event.provenance.correlation_id.to_string())
                    .push_bind(event.payload.as_slice());
            });
            insert.build().execute(&mut *tx).await?;
        }
        let last = appended.iter().map(|a| a.last_position).max().unwrap_or(head);
        tx.commit().await?;
        self.head.send_replace(last);
        Ok(appended)
    }

    async fn read_stream(&self, stream_id: &str, after_version: i64) -> Result<Vec<RecordedEvent>, StoreError> {
        query_stream(&self.pool, stream_id, after_version).await
    }

    async fn stream_version(&self, stream_id: &str) -> Result<i64, StoreError> {
        query_stream_version(&self.pool, stream_id).await
    }

    async fn read_all(&self, after: i64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        query_all(&self.pool, after, limit).await
    }

    async fn head(&self) -> Result<i64, StoreError> {
        query_head(&self.pool).await
    }

    fn head_watch(&self) -> watch::Receiver<i64> {
        self.head.subscribe()
    }

    async fn installation_id(&self) -> Result<String, StoreError> {
        query_installation(&self.pool).await
    }

    async fn load_checkpoint(&self, name: &str) -> Result<i64, StoreError> {
        query_checkpoint(&self.pool, name).await
    }

    async fn save_checkpoint(&self, name: &str, position: i64) -> Result<(), StoreError> {
        store_checkpoint(&self.pool, name, position).await
    }

    async fn recent_checkpoints(&self, prefix: &str, since_ms: i64) -> Result<Vec<(String, i64)>, StoreError> {
        query_recent_checkpoints(&self.pool, prefix, since_ms).await
    }

    async fn forget_checkpoints(&self, prefix: &str, before_ms: i64) -> Result<u64, StoreError> {
        delete_checkpoints(&self.pool, prefix, before_ms).await
    }

    async fn first_correlated(&self, correlation: uuid::Uuid) -> Result<Option<i64>, StoreError> {
        query_first_correlated(&self.pool, &correlation.to_string()).await
    }
}
