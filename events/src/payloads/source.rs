//! Source aggregate: stream `source-<project id>`, what arrived to be built.

use apache_avro::AvroSchema;
use serde::{Deserialize, Serialize};

/// A signed push from the git host. Schema version 2 added `delivery_id` and `pushed_at`
/// (defaults "" and 0 for version-1 events): a delivery is processed once, and a push older
/// than the branch's last one never deploys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.source")]
pub struct PushReceived {
    pub project_id: String,
    pub repository: String,
    pub branch: String,
    pub commit_sha: String,
    pub pusher: String,
    /// Whether the webhook's signature checked out. Since version 2 only signed pushes are
    /// recorded (unsigned ones are counted and rate limited instead), so this is true.
    pub signature_valid: bool,
    /// The git host's id of this delivery (GitHub's `X-GitHub-Delivery`, kept on redelivery).
    #[avro(default = "\"\"")]
    pub delivery_id: String,
    /// When the git host received the push (GitHub's `repository.pushed_at`), unix seconds.
    #[avro(default = "0")]
    pub pushed_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, AvroSchema)]
#[avro(namespace = "clouddeck.source")]
pub struct UploadReceived {
    pub project_id: String,
    pub upload_id: String,
    pub file_count: i64,
    pub total_bytes: i64,
    /// sha256 of the upload's manifest.
    pub manifest_sha256: String,
}
