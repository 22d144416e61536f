//! Kafka: the distribution log every consumer reads in the distributed mode. The relay
//! publishes the event table to it; `KafkaFeed` reads it back, its instances splitting the
//! partitions through the event store (`members.rs`) or the broker's consumer group.
//! No Kafka transactions: the idempotent producer plus event-id dedup on the consumer
//! side give at-least-once delivery with exactly-once effect.

mod feed;
mod headers;
mod members;
mod relay;
mod topics;
mod withheld;

pub use feed::KafkaFeed;
pub use headers::{event_from_message, headers_of};
pub use members::{MEMBER_SILENT_MS, members_prefix, share_of};
pub use relay::{Relay, RelayConfig, RelayError};
pub use topics::{DEFAULT_PARTITIONS, Topics, ensure_topics};
pub use withheld::{WITHHELD_HEADER, for_publishing};
