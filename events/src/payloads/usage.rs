//! Usage: stream `usage-<window id>`, one per metered window. A window is appended once,
//! to a new stream, so a window reported twice (a retry, a restart) is refused by the store:
//! never counted twice.

use apache_avro::AvroSchema;
use serde::{Deserialize, Serialize};

/// One metric's total over one window. `window_id` makes the event idempotent: the same
/// window is never counted twice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.usage")]
pub struct UsageMetered {
    pub window_id: String,
    pub organization_id: String,
    pub project_id: Option<String>,
    pub deployment_id: Option<String>,
    /// requests, bandwidth_bytes, build_seconds, storage_bytes or seats.
    pub metric: String,
    pub quantity: i64,
    /// Unix milliseconds, start inclusive, end exclusive.
    pub window_start: i64,
    pub window_end: i64,
}

/// How many requests got which answer, and the busiest paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.usage")]
pub struct PathHits {
    pub path: String,
    pub requests: i64,
    pub bytes: i64,
}

/// A deployment's request analytics over one edge window (beside its `usage.metered`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.usage")]
pub struct RequestsAnalyzed {
    pub window_id: String,
    pub organization_id: String,
    pub project_id: String,
    pub deployment_id: String,
    pub status_2xx: i64,
    pub status_3xx: i64,
    pub status_4xx: i64,
    pub status_5xx: i64,
    /// At most the 20 busiest paths of the window.
    pub top_paths: Vec<PathHits>,
    pub window_start: i64,
    pub window_end: i64,
}

/// One count of what an edge's shield turned away in a window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.usage")]
pub struct BlockedCount {
    /// connections_per_client, connection_rate, request_rate, requests_in_flight, overload,
    /// evicted_idle, head_timeout, body_timeout, send_timeout, tls_handshake_timeout,
    /// stream_resets or proxy_header.
    pub reason: String,
    pub count: i64,
}

/// What one edge's shield turned away over one window (connections refused or closed,
/// requests answered 429 or 503), in aggregate: never one event per request. No
/// organization: most of it happens before a request names a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.usage")]
pub struct TrafficBlocked {
    pub window_id: String,
    /// Only the reasons seen in the window.
    pub counts: Vec<BlockedCount>,
    /// Distinct client addresses (IPv6: /64s) turned away, counted up to 10,000.
    pub distinct_clients: i64,
    pub window_start: i64,
    pub window_end: i64,
}
