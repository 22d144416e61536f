//! Usage aggregate: stream `usage-<organization id>`, metered per time window.

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
