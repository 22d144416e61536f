//! The event log: the sqlx event store (SQLite embedded, PostgreSQL distributed) behind
//! one trait, its tail (`LogTail`), and the Kafka side: the relay that publishes every committed
//! event, and the consumer feed that reads it back.

pub mod connect;
pub mod feed;
pub mod follower;
pub mod heartbeat;
pub mod kafka;
pub mod postgres;
mod queries;
pub mod sqlite;
pub mod store;
pub mod tail;

pub use connect::{connect, redact};
pub use feed::{EventFeed, FeedError, StoreFeed};
pub use follower::{Consumer, Follower, decoded};
pub use heartbeat::Heard;
pub use store::{
    Appended, EDGE_CHECKPOINTS, EDGE_LIVE_WITHIN_MS, EventStore, ExpectedVersion, NewEvent, RecordedEvent, StoreError,
    StreamAppend, now_micros, now_ms,
};
pub use tail::LogTail;
