//! The event store contract: what every backend (SQLite, PostgreSQL) must do.

use async_trait::async_trait;
use clouddeck_events::{Actor, CodecError, Event, EventMeta, Provenance, codec};
use std::collections::HashMap;
use tokio::sync::watch;
use uuid::Uuid;

/// What the appender believes about the stream it writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// Append whatever the stream holds (for streams with one writer, like usage windows).
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream's last version must be exactly this.
    Exactly(i64),
}

impl ExpectedVersion {
    fn allows(self, current: i64) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => current == 0,
            ExpectedVersion::Exactly(v) => current == v,
        }
    }
}

/// An event ready to append: encoded, with its id and provenance.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event_id: Uuid,
    pub event_type: &'static str,
    pub schema_version: i32,
    pub payload: Vec<u8>,
    pub provenance: Provenance,
}

impl NewEvent {
    pub fn new(event: &Event, provenance: Provenance) -> Result<Self, CodecError> {
        Ok(NewEvent {
            event_id: Uuid::now_v7(),
            event_type: event.event_type(),
            schema_version: event.schema_version(),
            payload: codec::encode(event)?,
            provenance,
        })
    }
}

/// Events for one stream within an append.
#[derive(Debug, Clone)]
pub struct StreamAppend {
    pub stream_id: String,
    pub expected: ExpectedVersion,
    pub events: Vec<NewEvent>,
}

/// Where an append landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// The stream's version after the append.
    pub stream_version: i64,
    pub first_position: i64,
    pub last_position: i64,
}

/// An event as the log holds it; the payload is decoded on demand so that a reader can
/// name the position of an event it cannot decode instead of failing the whole read.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    pub meta: EventMeta,
    pub payload: Vec<u8>,
}

impl RecordedEvent {
    pub fn decode(&self) -> Result<Event, StoreError> {
        codec::decode(&self.meta.event_type, &self.payload)
            .map_err(|source| StoreError::Undecodable { position: self.meta.position, source })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("conflict on stream {stream_id}: expected {expected:?}, but it is at version {current}")]
    Conflict { stream_id: String, expected: ExpectedVersion, current: i64 },
    #[error("an append must carry at least one event")]
    EmptyAppend,
    #[error("event at position {position} cannot be decoded: {source}")]
    Undecodable { position: i64, source: CodecError },
    #[error("row at position {position} is corrupt: {reason}")]
    CorruptRow { position: i64, reason: String },
    #[error("event store database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("event store migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database url `{0}` (expected sqlite:… or postgres:…)")]
    UnsupportedUrl(String),
}

/// The log. One implementation per database; everything above it sees only this.
#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Appends to several streams in one transaction: all or nothing. Each stream's
    /// expected version is checked; a mismatch is `Conflict` with the current version.
    async fn append_streams(&self, appends: Vec<StreamAppend>) -> Result<Vec<Appended>, StoreError>;

    /// Appends to one stream.
    async fn append(
        &self,
        stream_id: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<Appended, StoreError> {
        let appended =
            self.append_streams(vec![StreamAppend { stream_id: stream_id.to_string(), expected, events }]).await?;
        appended.into_iter().next().ok_or(StoreError::EmptyAppend)
    }

    /// A stream's events with version > `after_version`, in order.
    async fn read_stream(&self, stream_id: &str, after_version: i64) -> Result<Vec<RecordedEvent>, StoreError>;

    /// A stream's version: the version of its last event, 0 when it has none. One indexed
    /// lookup, however long the stream (a build log's chunks are counted this way).
    async fn stream_version(&self, stream_id: &str) -> Result<i64, StoreError>;

    /// Up to `limit` events with position > `after`, in position order.
    async fn read_all(&self, after: i64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError>;

    /// The position of the last committed event (0 for an empty log).
    async fn head(&self) -> Result<i64, StoreError>;

    /// Follows the head as this process appends; other processes' appends are seen by
    /// polling (see `LogTail`).
    fn head_watch(&self) -> watch::Receiver<i64>;

    /// This installation's id (12 lowercase hex digits, made when the store was first
    /// migrated): it names the installation's Kafka topics and consumer groups.
    async fn installation_id(&self) -> Result<String, StoreError>;

    /// A named reader's stored position (0 if none).
    async fn load_checkpoint(&self, name: &str) -> Result<i64, StoreError>;
    /// Stores a named reader's position, and the time it did (see `recent_checkpoints`).
    async fn save_checkpoint(&self, name: &str, position: i64) -> Result<(), StoreError>;

    /// The positions of the readers whose names start with `prefix` that saved them at or
    /// after `since_ms` (ms since the epoch): the live ones, for readers that save regularly.
    async fn recent_checkpoints(&self, prefix: &str, since_ms: i64) -> Result<Vec<(String, i64)>, StoreError>;

    /// Deletes the readers whose names start with `prefix` that last saved before
    /// `before_ms` (ms since the epoch): heartbeats of processes long gone. Returns how many.
    async fn forget_checkpoints(&self, prefix: &str, before_ms: i64) -> Result<u64, StoreError>;

    /// The position of the first event whose correlation id is `correlation` (a UUID), if
    /// any: whether a chain of cause and effect began. One indexed lookup.
    async fn first_correlated(&self, correlation: uuid::Uuid) -> Result<Option<i64>, StoreError>;
}

/// The checkpoint names of the edges' route tables (`edge-<id>`): each edge saves its
/// position at least every 2 s, so an edge whose row is older than [`EDGE_LIVE_WITHIN_MS`] is
/// taken for gone.
pub const EDGE_CHECKPOINTS: &str = "edge-";
/// How recently an edge must have saved its position to count as live (three heartbeats).
pub const EDGE_LIVE_WITHIN_MS: i64 = 6_000;

/// One row an append writes.
pub(crate) struct PlannedRow<'a> {
    pub position: i64,
    pub stream_id: &'a str,
    pub stream_version: i64,
    pub event: &'a NewEvent,
}

/// Numbers an append, purely: positions after `head`, versions after each stream's current
/// one (`versions`, absent = 0), checking every expectation. A stream named twice continues
/// where its first part ended.
pub(crate) fn plan(
    appends: &[StreamAppend],
    head: i64,
    mut versions: HashMap<String, i64>,
) -> Result<(Vec<PlannedRow<'_>>, Vec<Appended>), StoreError> {
    let mut position = head;
    let mut rows = Vec::new();
    let mut appended = Vec::with_capacity(appends.len());
    for append in appends {
        if append.events.is_empty() {
            return Err(StoreError::EmptyAppend);
        }
        let current = versions.get(&append.stream_id).copied().unwrap_or(0);
        if !append.expected.allows(current) {
            return Err(StoreError::Conflict {
                stream_id: append.stream_id.clone(),
                expected: append.expected,
                current,
            });
        }
        let first_position = position + 1;
        for (i, event) in append.events.iter().enumerate() {
            position += 1;
            rows.push(PlannedRow {
                position,
                stream_id: &append.stream_id,
                stream_version: current + 1 + i as i64,
                event,
            });
        }
        let stream_version = current + append.events.len() as i64;
        versions.insert(append.stream_id.clone(), stream_version);
        appended.push(Appended { stream_version, first_position, last_position: position });
    }
    if rows.is_empty() {
        return Err(StoreError::EmptyAppend);
    }
    Ok((rows, appended))
}

/// Microseconds since the Unix epoch: the clock every recorded time comes from.
pub fn now_micros() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0)
}

/// Milliseconds since the Unix epoch, as commands and usage windows carry time.
pub fn now_ms() -> i64 {
    now_micros() / 1_000
}

/// The columns of an events row, as both databases return them.
pub(crate) struct EventRow {
    pub position: i64,
    pub event_id: String,
    pub stream_id: String,
    pub stream_version: i64,
    pub event_type: String,
    pub schema_version: i32,
    pub recorded_at: i64,
    pub actor: String,
    pub causation_id: Option<String>,
    pub correlation_id: String,
    pub payload: Vec<u8>,
}

impl EventRow {
    pub fn into_recorded(self) -> Result<RecordedEvent, StoreError> {
        let position = self.position;
        let corrupt = |reason: String| StoreError::CorruptRow { position, reason };
        let uuid = |field: &str, text: &str| {
            Uuid::parse_str(text).map_err(|e| corrupt(format!("{field} `{text}` is not a UUID: {e}")))
        };
        let actor: Actor = self.actor.parse().map_err(|e| corrupt(format!("{e}")))?;
        Ok(RecordedEvent {
            meta: EventMeta {
                event_id: uuid("event_id", &self.event_id)?,
                stream_id: self.stream_id,
                stream_version: self.stream_version,
                position,
                event_type: self.event_type,
                schema_version: self.schema_version,
                recorded_at: self.recorded_at,
                actor,
                causation_id: self.causation_id.as_deref().map(|c| uuid("causation_id", c)).transpose()?,
                correlation_id: uuid("correlation_id", &self.correlation_id)?,
            },
            payload: self.payload,
        })
    }
}
