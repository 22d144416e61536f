//! The distributed event store: PostgreSQL.
//!
//! An append's write is one statement that first increments the single `event_log_head` row.
//! That row lock is held until the statement commits, so only one append at a time holds
//! unassigned positions and they become visible in the order they were handed out: a reader
//! that has seen position N can never later find a committed event below N. A failed
//! statement gives its positions back.

use crate::store::{Appended, EventStore, ExpectedVersion, RecordedEvent, StoreError, StreamAppend, now_micros, plan};
use async_trait::async_trait;
use sqlx::FromRow;
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

    /// The append as a transaction of several statements, for when the one statement lost a
    /// race: the head is taken first, so the versions read after it are current. Answers the
    /// head after the append and the versions the rows were planned after.
    async fn append_locked(
        &self,
        appends: &[StreamAppend],
        count: usize,
        columns: Columns,
    ) -> Result<(i64, HashMap<String, i64>), StoreError> {
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
        // checks every expectation against the current versions
        plan(appends, 0, versions.clone())?;
        let current: Vec<i64> = columns.stream_id.iter().map(|s| versions.get(s).copied().unwrap_or(0)).collect();
        columns
            .bound(
                "INSERT INTO events (position, event_id, stream_id, stream_version, event_type, \
             schema_version, recorded_at, actor, causation_id, correlation_id, payload) \
             SELECT $12 - $13 + p, e, s, cur + v, t, sv, $7, a, c, co, pl FROM UNNEST($1::bigint[], $2::uuid[], \
             $3::text[], $4::bigint[], $5::text[], $6::int[], $8::text[], $9::uuid[], $10::uuid[], \
             $11::bytea[], $14::bigint[]) AS x(p, e, s, v, t, sv, a, c, co, pl, cur)",
            )
            .bind(head)
            .bind(count as i64)
            .bind(&current)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok((head, versions))
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

impl Columns {
    /// `sql` with the rows bound as `$1`..`$11` (`$7` the time they are recorded, µs), the
    /// column order both append statements share.
    fn bound<'q>(&'q self, sql: &'q str) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
        sqlx::query(sql)
            .bind(&self.position)
            .bind(&self.event_id)
            .bind(&self.stream_id)
            .bind(&self.stream_version)
            .bind(&self.event_type)
            .bind(&self.schema_version)
            .bind(now_micros())
            .bind(&self.actor)
            .bind(&self.causation_id)
            .bind(&self.correlation_id)
            .bind(&self.payload)
    }
}

/// The append: one statement, and so its own transaction and one round trip.
/// - `expected`: one row per append (`$13` stream, `$14` expected version, NULL for any, and
///   `$15` how many events earlier appends of the same call put on that stream);
/// - `current`: each stream's version as the statement's snapshot saw it;
/// - `head`: the head row incremented by the event count (`$12`), only if every expectation
///   holds. Its row lock, held to the implicit commit, hands positions out one append at a
///   time in commit order;
/// - `inserted`: the rows (`$1`..`$11` as columns; positions and versions relative to the
///   head and to each stream's current version).
///
/// It answers the head after the append (NULL when an expectation failed, and nothing was
/// written) and the versions it read. A version read before another append committed is
/// caught by the `(stream_id, stream_version)` key, which fails the whole statement, the
/// head's increment with it; the append is then made under the head's lock
/// (`append_locked`), as appends were before this statement.
const APPEND: &str = "WITH expected AS (SELECT * FROM UNNEST($13::text[], $14::bigint[], $15::bigint[]) \
     AS x(stream_id, expected, earlier)), \
     current AS (SELECT s.stream_id, COALESCE((SELECT MAX(e.stream_version) FROM events e \
     WHERE e.stream_id = s.stream_id), 0) AS version FROM (SELECT DISTINCT stream_id FROM expected) s), \
     fits AS (SELECT bool_and(x.expected IS NULL OR x.expected = cur.version + x.earlier) AS ok \
     FROM expected x JOIN current cur USING (stream_id)), \
     head AS (UPDATE event_log_head SET position = position + $12 WHERE (SELECT ok FROM fits) \
     RETURNING position), \
     inserted AS (INSERT INTO events (position, event_id, stream_id, stream_version, event_type, \
     schema_version, recorded_at, actor, causation_id, correlation_id, payload) \
     SELECT head.position - $12 + r.p, r.e, r.s, cur.version + r.v, r.t, r.sv, $7, r.a, r.c, r.co, r.pl \
     FROM head, UNNEST($1::bigint[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::int[], \
     $8::text[], $9::uuid[], $10::uuid[], $11::bytea[]) AS r(p, e, s, v, t, sv, a, c, co, pl) \
     JOIN current cur ON cur.stream_id = r.s) \
     SELECT (SELECT position FROM head), ARRAY(SELECT stream_id FROM current), \
     ARRAY(SELECT version FROM current)";

/// Whether `error` is another append having written one of the versions this one planned
/// (the `UNIQUE (stream_id, stream_version)` key).
fn lost_version_race(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(db) => {
            db.is_unique_violation() && db.constraint().is_some_and(|c| c.contains("stream_version"))
        }
        _ => false,
    }
}

/// The statement's parameters: each row with its position and version relative to the
/// append (positions from 1, versions from 1 per stream after its current one), and each
/// append's expectation.
fn columns(appends: &[StreamAppend]) -> (Columns, Expectations) {
    let mut columns = Columns::default();
    let mut expectations = Expectations::default();
    let mut written: HashMap<&str, i64> = HashMap::new();
    for append in appends {
        let earlier = written.entry(append.stream_id.as_str()).or_default();
        expectations.stream_id.push(append.stream_id.clone());
        expectations.expected.push(match append.expected {
            ExpectedVersion::Any => None,
            ExpectedVersion::NoStream => Some(0),
            ExpectedVersion::Exactly(version) => Some(version),
        });
        expectations.earlier.push(*earlier);
        for event in &append.events {
            *earlier += 1;
            columns.position.push(columns.position.len() as i64 + 1);
            columns.event_id.push(event.event_id);
            columns.stream_id.push(append.stream_id.clone());
            columns.stream_version.push(*earlier);
            columns.event_type.push(event.event_type.to_string());
            columns.schema_version.push(event.schema_version);
            columns.actor.push(event.provenance.actor.to_string());
            columns.causation_id.push(event.provenance.causation_id);
            columns.correlation_id.push(event.provenance.correlation_id);
            columns.payload.push(event.payload.clone());
        }
    }
    (columns, expectations)
}

/// Each append's stream and expectation, as columns.
#[derive(Default)]
struct Expectations {
    stream_id: Vec<String>,
    /// NULL for any version.
    expected: Vec<Option<i64>>,
    earlier: Vec<i64>,
}

#[async_trait]
impl EventStore for PgEventStore {
    async fn append_streams(&self, appends: Vec<StreamAppend>) -> Result<Vec<Appended>, StoreError> {
        let count: usize = appends.iter().map(|a| a.events.len()).sum();
        if appends.is_empty() || appends.iter().any(|a| a.events.is_empty()) {
            return Err(StoreError::EmptyAppend);
        }
        let (columns, expectations) = columns(&appends);
        let written = columns
            .bound(APPEND)
            .bind(count as i64)
            .bind(&expectations.stream_id)
            .bind(&expectations.expected)
            .bind(&expectations.earlier)
            .try_map(|row: sqlx::postgres::PgRow| <(Option<i64>, Vec<String>, Vec<i64>)>::from_row(&row))
            .fetch_one(&self.pool)
            .await;
        let (head, versions) = match written {
            Ok((Some(head), streams, versions)) => (head, streams.into_iter().zip(versions).collect()),
            Ok((None, streams, versions)) => {
                // An expectation failed: `plan` names it with the version that failed it.
                plan(&appends, 0, streams.into_iter().zip(versions).collect())?;
                return Err(StoreError::Database(sqlx::Error::Protocol(
                    "the append statement refused expectations that its versions allow".into(),
                )));
            }
            // Another append committed on one of these streams while this one waited at the
            // head: its snapshot's versions were stale. Under the head's lock they are not.
            Err(e) if lost_version_race(&e) => self.append_locked(&appends, count, columns).await?,
            Err(e) => return Err(e.into()),
        };
        let (_, appended) = plan(&appends, head - count as i64, versions)?;
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
