//! The distributed event store: PostgreSQL.
//!
//! An append's first statement increments the single `event_log_head` row. That row lock
//! is held until commit, so only one append at a time holds unassigned positions and they
//! become visible in the order they were handed out: a reader that has seen position N can
//! never later find a committed event below N. A rollback gives its positions back.

use crate::store::{Appended, EventStore, RecordedEvent, StoreError, StreamAppend, now_micros, plan};
use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::collections::HashMap;
use tokio::sync::watch;
use uuid::Uuid;

const SELECT_EVENTS: &str = "SELECT position, event_id::text, stream_id, stream_version, event_type, \
     schema_version, recorded_at, actor, causation_id::text, correlation_id::text, payload FROM events";

pub struct PgEventStore {
    pool: PgPool,
    head: watch::Sender<i64>,
}

impl PgEventStore {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new().max_connections(16).connect(url).await?;
        Self::from_pool(pool).await
    }

    pub async fn from_pool(pool: PgPool) -> Result<Self, StoreError> {
        let mut migrator = sqlx::migrate!("../schema/migrations/eventstore/postgres");
        migrator.set_ignore_missing(true);
        migrator.run(&pool).await?;
        let head: i64 = sqlx::query_scalar("SELECT position FROM event_log_head").fetch_one(&pool).await?;
        Ok(PgEventStore { pool, head: watch::Sender::new(head) })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// Matches a correlation id given as text (the index is on the column's own type).
const CORRELATION_MATCH: &str = "correlation_id = $1::uuid";
crate::queries::event_queries!(sqlx::Postgres, SELECT_EVENTS);

/// The append's rows as column arrays, for one `INSERT … SELECT FROM UNNEST(…)`.
#[derive(Default)]
struct Columns {
    position: Vec<i64>,
    event_id: Vec<Uuid>,
    stream_id: Vec<String>,
    stream_version: Vec<i64>,
    event_type: Vec<String>,
    schema_version: Vec<i32>,
    actor: Vec<String>,
    causation_id: Vec<Option<Uuid>>,
    correlation_id: Vec<Uuid>,
    payload: Vec<Vec<u8>>,
}

#[async_trait]
impl EventStore for PgEventStore {
    async fn append_streams(&self, appends: Vec<StreamAppend>) -> Result<Vec<Appended>, StoreError> {
        let count: usize = appends.iter().map(|a| a.events.len()).sum();
        if appends.is_empty() || count == 0 {
            return Err(StoreError::EmptyAppend);
        }
        let mut tx = self.pool.begin().await?;
        let head: i64 = sqlx::query_scalar("UPDATE event_log_head SET position = position + $1 RETURNING position")
            .bind(count as i64)
            .fetch_one(&mut *tx)
            .await?;
        let streams: Vec<&str> = appends.iter().map(|a| a.stream_id.as_str()).collect();
        let versions: HashMap<String, i64> = sqlx::query_as(
            "SELECT stream_id, MAX(stream_version) FROM events WHERE stream_id = ANY($1) GROUP BY stream_id",
        )
        .bind(&streams)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
        let (rows, appended) = plan(&appends, head - count as i64, versions)?;
        let mut columns = Columns::default();
        for row in rows {
            let event = row.event;
            columns.position.push(row.position);
            columns.event_id.push(event.event_id);
            columns.stream_id.push(row.stream_id.to_string());
            columns.stream_version.push(row.stream_version);
            columns.event_type.push(event.event_type.to_string());
            columns.schema_version.push(event.schema_version);
            columns.actor.push(event.provenance.actor.to_string());
            columns.causation_id.push(event.provenance.causation_id);
            columns.correlation_id.push(event.provenance.correlation_id);
            columns.payload.push(event.payload.clone());
        }
        sqlx::query(
            "INSERT INTO events (position, event_id, stream_id, stream_version, event_type, \
             schema_version, recorded_at, actor, causation_id, correlation_id, payload) \
             SELECT p, e, s, v, t, sv, $7, a, c, co, pl FROM UNNEST($1::bigint[], $2::uuid[], \
             $3::text[], $4::bigint[], $5::text[], $6::int[], $8::text[], $9::uuid[], $10::uuid[], \
             $11::bytea[]) AS x(p, e, s, v, t, sv, a, c, co, pl)",
        )
        .bind(&columns.position)
        .bind(&columns.event_id)
        .bind(&columns.stream_id)
        .bind(&columns.stream_version)
        .bind(&columns.event_type)
        .bind(&columns.schema_version)
        .bind(now_micros())
        .bind(&columns.actor)
        .bind(&columns.causation_id)
        .bind(&columns.correlation_id)
        .bind(&columns.payload)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.head.send_if_modified(|known| {
            let newer = head > *known;
            if newer {
                *known = head;
            }
            newer
        });
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
